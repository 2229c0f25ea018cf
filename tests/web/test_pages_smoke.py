"""Every page opens in a real browser, at 1366×768 and 1920×1080, with its Chinese heading and the navigation;
a screenshot of each is written to build/screens/ for review."""

from __future__ import annotations

import pytest

from .conftest import VIEWPORTS, shot

PAGES = [
    ("/", "首页"),
    ("/settings", "本轮设置"),
    ("/generate", "生成表格"),
    ("/inbox", "收件"),
    ("/progress", "提交进度"),
    ("/summary", "汇总"),
    ("/corrections", "退回修改"),
    ("/inspection", "督查"),
]


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_pages_open(page, live, size) -> None:
    width, height = VIEWPORTS[size]
    page.set_viewport_size({"width": width, "height": height})
    for path, heading in PAGES:
        page.goto(live.base + path)
        assert page.locator("h1").inner_text() == heading
        assert page.get_by_role("navigation", name="主菜单").is_visible()
        # nothing wider than the window: no sideways scrolling at the office laptop's size
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(page, f"{size}-{path.strip('/') or 'home'}")
