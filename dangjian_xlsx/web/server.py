"""`dangjian-xlsx serve`: the page on 127.0.0.1 only, at an address carrying a new random token each start."""

from __future__ import annotations

import secrets
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

HOST = "127.0.0.1"


def listen(port: int = 0) -> socket.socket:
    """A socket listening on the loopback address (`port` 0: a free port). OSError when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: nobody else may bind the same port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def address(port: int, token: str) -> str:
    return f"http://{HOST}:{port}/?token={token}"


def serve(
    folder: Path,
    port: int = 0,
    *,
    open_browser: bool = True,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the round folder `folder` until interrupted (Ctrl+C)."""
    import uvicorn

    from .app import create_app

    sock = listen(port)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    url = address(port, token)
    app = create_app(folder, token, port)
    announce(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    if open_browser:
        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
