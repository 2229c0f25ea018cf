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


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {text: (el.innerText || el.value || "").trim(), tag: el.tagName,
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0};
}"""


def test_the_keyboard_reaches_every_page_and_the_next_step(page, live) -> None:
    """From the top of a page, Tab goes to 跳到正文, then through the navigation in order, each focused item
    visibly outlined; Enter on a navigation item opens its page, and the page's next step is reachable."""
    page.goto(live.base + "/")
    seen = []
    for _ in range(1 + len(PAGES)):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert seen[0]["text"] == "跳到正文"
    assert [s["text"] for s in seen[1:]] == [heading for _, heading in PAGES]
    assert all(s["outline"] for s in seen), seen
    page.keyboard.press("Enter")  # on 督查, the last navigation item
    page.wait_for_url(live.base + "/inspection")
    assert page.locator("h1").inner_text() == "督查"
    page.goto(live.base + "/generate")
    for _ in range(40):
        page.keyboard.press("Tab")
        if (
            page.evaluate(FOCUSED)["text"] == "生成表格"
            and page.evaluate("document.activeElement.tagName") == "BUTTON"
        ):
            break
    else:
        raise AssertionError("the 生成表格 button is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=下载全部（zip）", timeout=120_000)
    assert any(live.folder.forms_dir.glob("*.xlsx"))
