"""The page's fixtures: a round folder, an in-process client (for the guard and the routes), a live server on
127.0.0.1 in a thread, and Debian's Chromium driven by Playwright (`make browser` installs it; CI sets
DJ_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping). Screenshots go to build/screens/."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dangjian_xlsx.web import RoundFolder, create_app

REPO = Path(__file__).resolve().parents[2]
SCREENS = REPO / "build" / "screens"
CHROMIUM = os.environ.get("DJ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]
VIEWPORTS = {"laptop": (1366, 768), "desktop": (1920, 1080)}


@pytest.fixture
def round_dir(tmp_path: Path) -> RoundFolder:
    """A round folder set up as the page's 建立 button does (the built-in sample)."""
    folder = RoundFolder.at(tmp_path / "本轮督查")
    folder.create()
    return folder


@dataclass
class Live:
    """A server of the page on 127.0.0.1 in this process."""

    folder: RoundFolder
    port: int
    token: str
    app: object

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def start(self) -> str:
        return f"{self.base}/?token={self.token}"


def start_live(folder: Path | RoundFolder) -> tuple[Live, object, threading.Thread]:
    import uvicorn

    from dangjian_xlsx.web.server import listen

    root = folder.root if isinstance(folder, RoundFolder) else folder
    sock = listen(0)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    app = create_app(root, token, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    end = time.monotonic() + 10
    while not server.started and time.monotonic() < end:
        time.sleep(0.02)
    return Live(RoundFolder.at(root), port, token, app), server, thread


@pytest.fixture
def live(round_dir: RoundFolder) -> Iterator[Live]:
    served, server, thread = start_live(round_dir)
    yield served
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(10)


def require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = f"Chromium is not installed at {CHROMIUM}: run `make browser` (Debian's chromium package)"
    if os.environ.get("DJ_REQUIRE_BROWSER") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live: Live) -> Iterator[object]:
    """A tab at 1366×768 (the usual office laptop) that has opened the start address."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.base)
    tab = context.new_page()
    tab.goto(live.start)
    yield tab
    context.close()


def shot(tab, name: str, full_page: bool = True) -> Path:
    """A screenshot for review, build/screens/<name>.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def client(round_dir: RoundFolder) -> Iterator[object]:
    """An in-process client that has entered with the token (its cookie set)."""
    from fastapi.testclient import TestClient

    token = secrets.token_urlsafe(24)
    app = create_app(round_dir.root, token)
    with TestClient(app, base_url="http://127.0.0.1:8765") as tc:
        tc.token = token  # type: ignore[attr-defined]
        entered = tc.get(f"/?token={token}", follow_redirects=False)
        assert entered.status_code == 303
        yield tc


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the browser are marked `browser` (counted at the end of the run, like `office`)."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
