"""The app: FastAPI routes of every page behind the guard (`guard.py`), Jinja2 templates that escape
everything they show, the CSS and JavaScript served from the package (no network needed)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .folder import RoundFolder
from .guard import Guard
from .pages import ROUTERS
from .state import RoundState

STATIC = Path(__file__).with_name("static")


def create_app(folder: Path | str, token: str, port: int | None = None) -> Guard:
    """The page over the round folder `folder`, for requests carrying `token` (to 127.0.0.1:`port`; any port
    when None). The returned object is the ASGI app to serve."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.round = RoundState(RoundFolder.at(folder))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return Guard(app, token, port)
