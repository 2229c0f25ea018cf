"""提交进度: the roster × 附件1 / 附件2 / 自查报告 grid in the summary's words and colours, the 未交 and 需退回修改
lists with each branch's contact and the very notice collect writes for it; the grid follows the inbox as files
arrive (whoever puts them there); in the browser, the colours, 复制提醒 read back from the clipboard, and the
grid updating with the focus kept."""

from __future__ import annotations

import html
import re
import shutil
import time

from click.testing import CliRunner

from dangjian_xlsx.cli import cli
from dangjian_xlsx.round import read_notices

from .conftest import REPO, shot
from .tablehtml import table_rows

SAMPLES = REPO / "sample_submissions"
LATE = "19_机关党委_附件1_评分表.xlsx"  # arrives while the page is open
NOTHING = "文学院党总支"  # sent nothing at all
EVERYTHING = "外国语学院党总支"  # both forms and the 自查报告, all correct
TO_FIX = "地理与旅游学院党总支"  # 附件1 with a score left empty


def fill_inbox(folder, leave_out: tuple[str, ...] = ()) -> None:
    """The sample returns copied into 收件/ as a file manager would (not through the page)."""
    for p in SAMPLES.iterdir():
        if p.is_file() and p.name not in leave_out:
            shutil.copy2(p, folder.inbox / p.name)


def cli_notices(folder) -> dict[str, str]:
    """Collect run by the command line in the round folder: the notices it writes, by branch name."""
    result = CliRunner().invoke(
        cli,
        ["collect", str(folder.inbox), "--out", str(folder.summary), "--campaign", str(folder.campaign_file)],
    )
    assert result.exit_code in (0, 1), result.output
    return {name.split("_")[1]: text for name, text in read_notices(folder.corrections_dir)}


def notice_on_page(page_html: str, element_id: str) -> str:
    found = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', page_html, re.S)
    assert found, element_id
    return html.unescape(found.group(1))


def grid(page_html: str) -> dict[str, list]:
    return {r.cells[1].text.strip(): r.cells for r in table_rows(page_html, "grid")}


def test_grid_lists_and_notices(client, round_dir) -> None:
    fill_inbox(round_dir)
    body = client.get("/progress").text
    rows = grid(body)
    roster = {b.name: b for b in round_dir.load()[0].roster}
    assert list(rows) == [b.name for b in sorted(roster.values(), key=lambda b: b.seq)]
    full, none = rows[EVERYTHING], rows[NOTHING]
    assert [c.text.strip() for c in full[2:5]] == ["已交", "已交", "已交"]
    assert all("s-ok" in c.classes for c in full[2:5])
    assert [c.text.strip() for c in none[2:5]] == ["未交", "未交", "未交"]
    assert all("s-bad" in c.classes for c in none[2:5])
    assert rows[TO_FIX][2].text.strip() == "需退回修改" and "s-fix" in rows[TO_FIX][2].classes
    assert none[7].text.strip() == roster[NOTHING].contact and none[8].text.strip() == roster[NOTHING].email

    owing_html = body.split('id="owing"')[1].split('id="fixing"')[0]
    fixing_html = body.split('id="fixing"')[1].split('id="doubt"')[0]
    owing = {r.texts()[1]: r.texts() for r in table_rows(owing_html, "remind-list")}
    fixing = {r.texts()[1]: r.texts() for r in table_rows(fixing_html, "remind-list")}
    assert NOTHING in owing and EVERYTHING not in owing and TO_FIX in owing  # its 自查报告 is missing too
    assert TO_FIX in fixing and NOTHING not in fixing and EVERYTHING not in fixing
    assert owing[NOTHING][3:5] == [roster[NOTHING].contact, roster[NOTHING].email]
    assert owing[TO_FIX][2] == "自查报告"
    # 复制提醒 copies the text collect writes into 退回修改/ for the branch
    written = cli_notices(round_dir)
    seq = {b.name: b.seq for b in roster.values()}
    for list_id, name in (("owing", NOTHING), ("fixing", TO_FIX)):
        text = notice_on_page(body, f"notice-{list_id}-{seq[name]}")
        assert text.strip() and text.strip() in written[name].replace("\r\n", "\n")
        assert text.startswith(name)  # from the addressee line on: what goes into the e-mail


def test_grid_follows_the_inbox(client, round_dir) -> None:
    fill_inbox(round_dir, leave_out=(LATE,))
    mark = client.get("/progress/mark").json()["mark"]
    before = grid(client.get("/progress/body").text)["机关党委"]
    assert before[2].text.strip() == "未交"
    assert client.get("/progress/mark").json()["mark"] == mark  # nothing changed, same mark
    shutil.copy2(SAMPLES / LATE, round_dir.inbox / LATE)
    assert client.get("/progress/mark").json()["mark"] != mark
    after = grid(client.get("/progress/body").text)["机关党委"]
    assert after[2].text.strip() == "已交" and "s-ok" in after[2].classes


def _colour(page, selector: str) -> tuple[int, int, int]:
    rgb = page.eval_on_selector(selector, "(e) => getComputedStyle(e).backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return r, g, b


def test_browser_colours_copy_and_live_update(page, live) -> None:
    fill_inbox(live.folder, leave_out=(LATE,))
    written = cli_notices(live.folder)
    page.goto(live.base + "/progress")
    page.wait_for_selector("#grid")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "progress-grid")
    sent = f'#grid tr[data-branch="{EVERYTHING}"] td.form-cell'
    missing = f'#grid tr[data-branch="{NOTHING}"] td.form-cell'
    for n in range(1, 4):
        r, g, _ = _colour(page, f"{sent}:nth-of-type({n + 1}) .status")
        assert g > r, "a form that arrived is green"
        r, g, _ = _colour(page, f"{missing}:nth-of-type({n + 1}) .status")
        assert r > g, "a missing form is red"

    seq = {b.name: b.seq for b in live.folder.load()[0].roster}
    button = page.locator(f"#copy-owing-{seq[NOTHING]}")
    button.focus()
    button.press("Enter")  # keyboard works as the mouse does
    page.wait_for_selector("#owing .copied:text('已复制')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() in written[NOTHING]
    assert copied.startswith(NOTHING) and "未交" in copied
    page.locator(f"#view-owing-{seq[NOTHING]} summary").click()
    shot(page, "progress-copied", full_page=False)

    # a file arrives (copied into 收件/ by hand): the grid updates by itself, the focus stays on the button
    button.focus()
    shutil.copy2(SAMPLES / LATE, live.folder.inbox / LATE)
    page.wait_for_function(
        """() => { const c = document.querySelector('#grid tr[data-branch="机关党委"] td.form-cell .status');
                   return c && c.textContent === '已交'; }""",
        timeout=30_000,
    )
    assert page.evaluate("document.activeElement.id") == f"copy-owing-{seq[NOTHING]}"
    assert page.locator(f"#view-owing-{seq[NOTHING]}").get_attribute("open") is not None
    time.sleep(0.1)
    shot(page, "progress-updated")


def test_broken_configuration_said_in_chinese(client, round_dir) -> None:
    fill_inbox(round_dir)
    text = round_dir.campaign_file.read_text("utf-8")
    round_dir.campaign_file.write_text(text.replace("due", "due = = 1\nx", 1), "utf-8")
    for path in ("/progress", "/progress/body", "/inbox/files"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert 'class="notice bad"' in r.text and "campaign.toml" in r.text, path
        assert table_rows(r.text, "grid") == [] and table_rows(r.text, "inbox-files") == []


def test_nothing_arrived_yet_points_to_the_inbox(client) -> None:
    body = client.get("/progress").text
    nxt = body.split('class="card next"')[1].split("</section>")[0]
    assert 'href="/inbox"' in nxt and "还没有收到" in nxt
    assert all(r.texts()[5] == "全部未交" for r in table_rows(body, "grid"))


def test_a_branch_with_a_file_to_correct_is_listed_even_when_held_in_doubt() -> None:
    """A branch whose 材料质量 says 身份存疑 (ranked before 需修改) but whose own 附件1 is 需退回修改 in the grid is in the
    需退回修改 list too — the list and the grid never disagree; a branch with nothing to correct is not."""
    from dangjian_xlsx import aggregate as ag
    from dangjian_xlsx.web.progress_view import BranchRow, cell, needs_fixing

    def row(quality: str, first: str, notice: str = "某党总支：…") -> BranchRow:
        cells = [cell(first), cell(ag.SUB_OK), cell(ag.SUB_OK)]
        return BranchRow(
            5, "某党总支", "", "", cells, cell(ag.SUBMIT_ALL), cell(quality), [], "退回修改通知", notice
        )

    assert needs_fixing(row(ag.QUALITY_DOUBT, ag.SUB_FIX))
    assert needs_fixing(row(ag.QUALITY_FIX, ag.SUB_OK))
    assert not needs_fixing(row(ag.QUALITY_DOUBT, ag.SUB_OK))
    assert not needs_fixing(row(ag.QUALITY_OK, ag.SUB_OK))
    assert not needs_fixing(row(ag.QUALITY_DOUBT, ag.SUB_FIX, notice=""))  # nothing to copy: not listed


def test_the_counts_include_the_branches_in_order(client, round_dir) -> None:
    """The counts above the grid name 合格 too, and each count is the number of grid rows saying it."""
    fill_inbox(round_dir)
    body = client.get("/progress").text
    rows = grid(body)
    ok = sum(1 for cells in rows.values() if any(c.text.strip() == "合格" for c in cells))
    assert ok > 0
    assert re.search(rf"合格\s*{ok}\b", html.unescape(re.sub(r"<[^>]+>", " ", body)))
