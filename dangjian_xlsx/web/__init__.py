"""The web face of a round (`dangjian-xlsx serve`): a local page over the same round folder and the same
library steps as the command line. Only the serve command imports this stage; its names load on first use,
so that the worker process that runs a step (`worker.py`) does not load FastAPI."""

from __future__ import annotations

from typing import Any

__all__ = ["RoundFolder", "create_app", "listen", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "RoundFolder":
        from .folder import RoundFolder

        return RoundFolder
    if name in ("listen", "serve"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)
