"""A whole round through the page, the way a 组织部 clerk runs it (issue 21 item 5): Chromium on an empty
folder — set the round up, change the settings from the sample, upload a roster, generate and download the
forms, fill them (openpyxl and LibreOffice) with the mistakes branches make, upload them all at once, follow
the progress grid, read the summary back, copy a notice, correct on the 更正表, type into 问题台账, inspect.

Ground truth is what the branches typed (`roundkit.Branch.scores`), never what the code under test computed.
Every step leaves a screenshot build/screens/round-NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import require_office
from fill import fill_form
from readback import sheet_rows

from dangjian_xlsx.catalog import load_catalog
from dangjian_xlsx.layout import SHEET_BY_KIND, Field, form_layout
from dangjian_xlsx.models import FormKind

from .conftest import shot, start_live
from .roundkit import (
    CORRECTED_ON,
    DATES,
    DEPARTMENT,
    PASSWORD,
    ROSTER,
    SAMPLE_SCHOOL,
    SAVED,
    SCHOOL,
    TITLE,
    Branch,
    Clerk,
    check_drafts,
    check_form,
    clipboard,
    fits,
    item_label,
    make_returns,
    member,
    overview_value,
    roster_xlsx,
    type_ledger,
)
from .tablehtml import table_rows

pytestmark = [
    pytest.mark.office,
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning"),  # openpyxl on 汇总表.xlsx
]
SCORING, TASKS = FormKind.SCORING, FormKind.TASKS

# ---------------------------------------------------------------- the steps


def step_set_up(c: Clerk) -> None:
    """1 首页: no round yet; set it up from the sample, labelled 示例."""
    c.go("/")
    shot(c.tab, "round-01-home-empty")
    assert "示例" in c.tab.inner_text("main")
    c.tab.get_by_role("button", name="在这个文件夹建立本轮督查（从示例开始）").click()
    c.tab.wait_for_url("**/settings**")
    assert (c.live.folder.root / "campaign.toml").is_file()
    assert c.tab.locator(".sample-badge").count() > 0
    shot(c.tab, "round-01-settings-sample")


def step_settings(c: Clerk) -> None:
    """2 本轮设置: school, title, dates, correction deadline, password; the roster .xlsx."""
    tab = c.tab
    tab.fill("#f-school", SCHOOL)
    tab.fill("#f-title", TITLE)
    tab.fill("#f-year", "2026")
    for key, value in DATES.items():
        tab.fill(f"#f-{key}", value)
    tab.fill("#f-password", PASSWORD)
    tab.get_by_role("button", name="保存设置").click()
    tab.wait_for_url("**saved=campaign**")
    # the school changed, the 组织部门 (every notice's and e-mail's signature) still the sample's: said so
    assert "组织部门仍是示例" in tab.inner_text("#sample-warning"), (
        "the sample's 组织部门 is not labelled 示例"
    )
    shot(tab, "round-02-settings-department-left")
    tab.fill("#f-department", DEPARTMENT)
    with tab.expect_navigation():  # the same address as after the first save
        tab.get_by_role("button", name="保存设置").click()
    assert "已保存 campaign.toml" in tab.inner_text(".notice.good")
    toml = (c.live.folder.root / "campaign.toml").read_text("utf-8-sig")
    assert SCHOOL in toml and TITLE in toml and PASSWORD in toml and "2026-12-10" in toml
    assert DEPARTMENT in toml
    tab.set_input_files("#roster-file", str(roster_xlsx(c.work / "本校名单.xlsx")))
    tab.get_by_role("button", name="上传名单").click()
    tab.wait_for_url("**saved=roster**")
    rows = [r.texts() for r in table_rows(tab.content(), "roster-table")]
    assert [(int(r[0]), r[1], r[3]) for r in rows] == [(s, n, p) for s, n, p, _ in ROSTER]
    assert rows[-1][4] == "（未填）"
    assert tab.locator(".sample-badge").count() == 0, "本轮设置 still labels something 示例 after the change"
    assert tab.locator("#sample-warning").count() == 0
    shot(tab, "round-02-settings-done")
    c.go("/")
    assert tab.locator(".sample-badge").count() == 0 and tab.locator("#sample-warning").count() == 0
    assert fits(tab)


def step_generate(c: Clerk) -> None:
    """3 生成表格: generate, download everything as one zip, read the forms back."""
    tab = c.tab
    c.go("/generate")
    assert tab.locator(".sample-badge").count() == 0
    tab.locator("section.next").get_by_role("button", name="生成表格").click()
    tab.wait_for_selector("a[href='/generate/zip']", timeout=120_000)
    shot(tab, "round-03-generated")
    assert fits(tab)
    z = c.download("a[href='/generate/zip']", "下载")
    out = c.work / "表格"
    with zipfile.ZipFile(z) as zf:
        names = [n for n in zf.namelist() if n.endswith(".xlsx")]
        drafts = {n: zf.read(n) for n in zf.namelist() if n.endswith(".eml")}
        zf.extractall(out)
    assert len(names) == 2 * len(ROSTER)
    check_drafts(c, drafts)
    c.forms = {Path(n).name: out / n for n in names}
    for b in c.branches.values():
        for kind in (SCORING, TASKS):
            check_form(c.form(kind, b.seq), kind, b)


def upload(c: Clerk, files: list[Path]) -> dict[str, tuple[str, str]]:
    """5 收件: every file at once on the multi-file input; the collect awaited; the inbox table as shown:
    file (or container › member) → (outcome, reasons)."""
    tab = c.tab
    c.go("/inbox")
    tab.set_input_files("#pick-files", [str(p) for p in files])
    tab.wait_for_selector("#batch-next:not([hidden])", timeout=180_000)
    assert tab.locator("#batch-job [data-state]").inner_text() == "已完成"
    items = tab.locator("#batch-list li")
    c.batch = {
        items.nth(i).locator(".sent").inner_text(): (
            items.nth(i).locator(".status").inner_text(),
            items.nth(i).locator(".note").inner_text(),
        )
        for i in range(items.count())
    }
    assert set(c.batch) == {p.name for p in files}
    shown = {}
    for row in table_rows(tab.content(), "inbox-files"):
        path, outcome, reasons = row.texts()
        shown[path] = (outcome, reasons)
    return shown


def step_inbox(c: Clerk, files: list[Path]) -> None:
    """5 收件: each file's outcome as the mistake made in it deserves; stored byte for byte."""
    shown = upload(c, files)
    shot(c.tab, "round-05-inbox")
    assert fits(c.tab)
    inbox = c.live.folder.inbox
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == {p.name: p.read_bytes() for p in files}
    name = lambda kind, seq: c.form(kind, seq).name  # noqa: E731
    assert shown[name(SCORING, 1)][0] == "已接收", shown[name(SCORING, 1)]
    assert shown[name(TASKS, 1)][0] == "已接收"
    assert shown["数理学院党总支自查报告.docx"][0] == "自查报告"
    over = member(shown, "化学与材料学院党总支督查材料", name(SCORING, 3))
    points = c.catalog.item_by_id[c.over[0]].points
    assert over[0] == "已接收（需修改）" and f"满分{points:g}分" in over[1], over
    for kind in (SCORING, TASKS):
        assert member(shown, "生物科学学院党总支材料.zip", name(kind, 4))[0] == "已接收"
    calc1, calc2 = shown[name(SCORING, 2)], shown[name(TASKS, 2)]
    assert calc1[0] == "已接收（需修改）" and "扣分说明" in calc1[1], calc1
    assert calc2[0] == "已接收", calc2
    blank = shown[name(SCORING, 5)]
    assert blank[0] == "已接收（需修改）" and "空白表格" in blank[1], blank
    assert shown[name(TASKS, 5)][0] == "身份存疑", shown[name(TASKS, 5)]
    assert shown["报送说明.txt"][0] == "非表格文件", shown["报送说明.txt"]
    # 本次上传 says what became of the forms inside a zip or an e-mail, not "ignored"
    status, note = c.batch["生物科学学院党总支材料.zip"]
    assert status.startswith("已展开"), f"本次上传 shows the zip holding two accepted forms as “{status}”"
    assert all(f"{name(k, 4)}：已接收" in note for k in (SCORING, TASKS)), note
    status, note = c.batch["化学与材料学院党总支督查材料.eml"]
    assert status.startswith("已展开") and f"{name(SCORING, 3)}：已接收（需修改）" in note, (status, note)
    assert c.batch[name(TASKS, 5)][0] == "身份存疑"


GRID_AFTER_ROUND1 = {  # seq → 附件1, 附件2, 自查报告 as the grid must show them
    1: ("已交", "已交", "已交"),
    2: ("需退回修改", "已交", "未交"),
    3: ("需退回修改", "已交", "未交"),
    4: ("已交", "已交", "未交"),
    5: ("需退回修改", "身份存疑", "未交"),
    6: ("未交", "未交", "未交"),
}


def grid(c: Clerk) -> dict[str, list[str]]:
    c.go("/progress")
    return {
        r.attrs["data-branch"]: r.texts()
        for r in table_rows(c.tab.content(), "grid")
        if "data-branch" in r.attrs
    }


def step_progress(c: Clerk) -> None:
    """6 提交进度: each branch's cells; 复制提醒 of the branch without e-mail."""
    tab = c.tab
    shown = grid(c)
    got = {b.seq: tuple(shown[b.name][2:5]) for b in c.branches.values()}
    assert got == GRID_AFTER_ROUND1
    assert shown[c.branches[6].name][5] == "全部未交"
    shot(tab, "round-06-progress")
    assert fits(tab)
    nobody = c.branches[6]
    button = (
        tab.locator("#owing")
        .get_by_role("row")
        .filter(has_text=nobody.name)
        .get_by_role("button", name="复制提醒")
    )
    assert "名单中未填" in tab.locator("#owing").get_by_role("row").filter(has_text=nobody.name).inner_text()
    button.click()
    tab.wait_for_selector("#owing .copied:text('已复制')")
    text = clipboard(tab)
    assert nobody.name in text and "附件1" in text and "附件2" in text, text
    sent = sorted(c.live.folder.corrections_dir.glob(f"{nobody.id}_*未交提醒.txt"))
    assert len(sent) == 1
    written = sent[0].read_text("utf-8-sig")
    assert written.rstrip().endswith(text.strip()), ("复制提醒 copies something else than the reminder", text)
    shot(tab, "round-06-progress-copied")


def step_summary(c: Clerk) -> Path:
    """7 汇总: the page's numbers and 汇总表.xlsx's totals against what the branches typed."""
    tab = c.tab
    c.go("/summary")
    shot(tab, "round-07-summary")
    assert fits(tab)
    counted = [c.branches[1].total, c.branches[4].total]  # 2 (no 扣分说明), 3 (over), 5 (blank) do not count
    tiles = {tab.locator("dl.tiles dt").nth(i).inner_text(): tab.locator("dl.tiles dd").nth(i).inner_text()
             for i in range(tab.locator("dl.tiles dt").count())}  # fmt: skip
    path = c.download("section.next >> text=下载汇总表.xlsx", "汇总1")
    rows = {r["党总支"]: r for r in sheet_rows(path, "得分汇总", "自评总分")}
    for seq in (1, 4):
        b = c.branches[seq]
        assert rows[b.name]["自评总分"] == pytest.approx(b.total), b.name
    for seq in (5, 6):
        assert rows[c.branches[seq].name]["自评总分"] in (None, ""), rows[c.branches[seq].name]
    average = math.fsum(counted) / len(counted)
    assert overview_value(path, "计入统计的附件1") == 2
    assert overview_value(path, "全校平均分（自评）") == pytest.approx(average, abs=0.01)
    assert overview_value(path, "最高分（自评）") == max(counted)
    assert overview_value(path, "最低分（自评）") == min(counted)
    assert tiles["应交党总支"] == "6" and tiles["计入统计的附件1"] == "2"
    # the zip and the e-mail are counted 已忽略 (their files listed one by one): 总览 must say so
    assert overview_value(path, "已忽略") == 2
    assert "压缩包" in overview_value(path, "已忽略", note=True), (
        "总览 explains 已忽略 as temporary files only"
    )
    assert float(tiles["全校平均分（自评）"]) == pytest.approx(average, abs=0.01), tiles
    return path


def notice_card(c: Clerk, seq: int, kind: str) -> Any:
    b = c.branches[seq]
    return (
        c.tab.locator("article").filter(has_text=b.name).filter(has=c.tab.locator(".status", has_text=kind))
    )


def step_corrections(c: Clerk) -> Path:
    """8 退回修改: the over-limit notice names the item and cell; 复制通知; the 更正表 marks the cell."""
    tab = c.tab
    c.go("/corrections")
    shot(tab, "round-08-corrections")
    assert fits(tab)
    item_id, typed = c.over
    cell = form_layout(c.catalog, SCORING).input(Field.SCORE, item_id).a1
    card = notice_card(c, 3, "退回修改通知")
    assert card.count() == 1
    card.get_by_role("button", name="复制通知").click()
    card.locator(".copied:text('已复制')").wait_for()
    text = clipboard(tab)
    assert text == card.locator(".copyable").inner_text()
    assert item_label(c.catalog, item_id) in text, (
        f"the notice does not name {item_label(c.catalog, item_id)}: {text}"
    )
    assert cell in text and f"{typed:g}" in text, f"the notice does not name cell {cell}: {text}"
    written = next(c.live.folder.corrections_dir.glob(f"{c.branches[3].id}_*退回修改通知.txt")).read_text(
        "utf-8-sig"
    )
    assert written.rstrip().endswith(text.strip()), "复制通知 copies something else than the notice written"
    for txt in c.live.folder.corrections_dir.rglob("*.*"):
        if txt.suffix in (".txt", ".eml"):
            assert SAMPLE_SCHOOL not in txt.read_bytes().decode("utf-8", "replace"), txt.name
    nobody = notice_card(c, 6, "未交提醒")
    assert "没有可用邮箱" in nobody.inner_text()
    copy = c.download(f"article:has-text('{c.branches[3].name}') >> text=下载更正表", "更正表")
    assert copy.name.startswith(f"{c.branches[3].id}_{c.branches[3].name}_") and "更正" in copy.name, (
        copy.name
    )
    ws = openpyxl.load_workbook(copy)[SHEET_BY_KIND[SCORING]]
    assert ws[cell].value == typed
    assert ws[cell].comment is not None and ws[cell].comment.text.strip(), f"更正表: no comment on {cell}"
    plain = (
        form_layout(c.catalog, SCORING)
        .input(Field.SCORE, next(i.id for i in c.catalog.items if i.id != item_id))
        .a1
    )
    assert ws[cell].fill.fgColor.rgb != ws[plain].fill.fgColor.rgb, f"更正表: {cell} not marked"
    draft = c.download(f"article:has-text('{c.branches[3].name}') >> text=下载邮件草稿", "退回邮件")
    msg = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
    assert c.branches[3].email in str(msg["To"])
    assert [p.get_filename() for p in msg.iter_attachments()] == [copy.name]
    assert copy.read_bytes() == next(msg.iter_attachments()).get_content()
    assert msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n").strip() == text.strip()
    return copy


def step_correction_round(c: Clerk, copy: Path, summary: Path) -> None:
    """9 The 更正表 filled correctly and uploaded; the branch 已交, its total the corrected one; the typed
    ledger cell kept."""
    b3 = c.branches[3]
    item_id, _ = c.over
    points = c.catalog.item_by_id[item_id].points
    b3.scores[item_id] = (points - 1.0, "化学与材料：会议记录缺两次")
    values = {(Field.DATE, ""): CORRECTED_ON, (Field.SCORE, item_id): points - 1.0,
              (Field.NOTE, item_id): "化学与材料：会议记录缺两次"}  # fmt: skip
    fixed = fill_form(
        copy, c.work / "更正" / copy.name, values, catalog=c.catalog, saved_at=SAVED + dt.timedelta(days=1)
    )
    branch, item, typed = type_ledger(c, summary)
    c.go("/summary")  # the summary saved by the clerk: still the current one, nothing refused
    shot(c.tab, "round-09-summary-ledger-typed")
    assert "汇总表已是最新" in c.tab.inner_text("section.next"), c.tab.inner_text("section.next")
    shown = upload(c, [fixed])
    assert shown[fixed.name][0] == "已接收", shown[fixed.name]
    assert member(shown, "化学与材料学院党总支督查材料", c.form(SCORING, 3).name)[0] == "已被新版本替代"
    assert not list(c.live.folder.corrections_dir.glob(f"{b3.id}_*退回修改通知.txt"))
    shot(c.tab, "round-09-correction-uploaded")
    assert grid(c)[b3.name][2] == "已交"
    shot(c.tab, "round-09-progress")
    c.go("/summary")
    path = c.download("section.next >> text=下载汇总表.xlsx", "汇总2")
    rows = {r["党总支"]: r for r in sheet_rows(path, "得分汇总", "自评总分")}
    assert rows[b3.name]["自评总分"] == pytest.approx(b3.total)
    counted = [c.branches[s].total for s in (1, 3, 4)]
    assert overview_value(path, "全校平均分（自评）") == pytest.approx(math.fsum(counted) / 3, abs=0.01)
    ledger = sheet_rows(path, "问题台账", "整改措施")
    kept = [r for r in ledger if r["党总支"] == branch and str(r["编号"]) == item]
    assert kept and kept[0]["整改措施"] == typed, f"the typed 整改措施 was lost on the re-collect: {kept}"
    shot(c.tab, "round-09-summary")


def step_inspection(c: Clerk) -> None:
    """10 督查: generate, one 督查得分 below the self-assessment, upload, the 对比 table shows it."""
    tab = c.tab
    c.go("/inspection")
    tab.locator("section.next").get_by_role("button").click()
    b1 = c.branches[1]
    link = tab.locator(f"a[href^='/inspection/forms/{b1.id}_']")
    link.wait_for(timeout=120_000)
    shot(tab, "round-10-inspection-generated")
    form = c.download(f"a[href^='/inspection/forms/{b1.id}_']", "督查下载")
    target = next(i for i in c.catalog.items if b1.scores[i.id][0] >= 1)
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): dt.date(2026, 11, 28)}
    for item_id, (score, _) in b1.scores.items():
        values[(Field.INSP_SCORE, item_id)] = score - 1 if item_id == target.id else score
    values[(Field.INSP_OPINION, target.id)] = "现场查阅：缺少一次会议记录"
    filled = fill_form(
        form, c.work / "督查" / form.name, values, catalog=c.catalog, saved_at=SAVED + dt.timedelta(days=10)
    )
    tab.set_input_files("#insp-files", str(filled))
    tab.get_by_role("button", name="上传并汇总").click()
    tab.wait_for_url("**/inspection?*stored=*")
    tab.wait_for_function("!document.querySelector('[data-job]')", timeout=120_000)  # the collect done
    row = tab.locator(f"#insp-items tr[data-branch='{b1.name}'][data-item='{target.id}']")
    self_score = b1.scores[target.id][0]
    assert float(row.locator("[data-key=self_score]").inner_text()) == self_score
    assert float(row.locator("[data-key=insp_score]").inner_text()) == self_score - 1
    assert float(row.locator("[data-key=diff]").inner_text()) == 1
    total = tab.locator(f"#insp-branches tr[data-branch='{b1.name}']")
    assert float(total.locator("[data-key=insp_total]").inner_text()) == pytest.approx(b1.total - 1)
    assert tab.locator("#insp-items tbody tr").count() == 1
    shot(tab, "round-10-inspection-compared")
    assert fits(tab)
    c.go("/summary")
    path = c.download("section.next >> text=下载汇总表.xlsx", "汇总3")
    rows = {r["党总支"]: r for r in sheet_rows(path, "得分汇总", "自评总分")}
    assert rows[b1.name]["督查总分"] == pytest.approx(b1.total - 1)
    assert rows[b1.name]["自评总分"] == pytest.approx(b1.total)


@pytest.fixture
def clerk(browser, tmp_path: Path) -> Iterator[Clerk]:
    """The page served on an empty folder (no round yet), a 1366×768 tab that has entered with the token."""
    require_office(uno=True)
    live, server, thread = start_live(tmp_path / "本轮督查")
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.base)
    tab = context.new_page()
    tab.goto(live.start)
    work = tmp_path / "工作"
    work.mkdir()
    branches = {s: Branch(s, n, p, e) for s, n, p, e in ROSTER}
    yield Clerk(tab, live, work, load_catalog(), branches)
    context.close()
    server.should_exit = True
    thread.join(10)


def test_a_whole_round_through_the_page(clerk: Clerk) -> None:
    c = clerk
    step_set_up(c)
    step_settings(c)
    step_generate(c)
    files = make_returns(c)
    step_inbox(c, files)
    step_progress(c)
    summary = step_summary(c)
    copy = step_corrections(c)
    step_correction_round(c, copy, summary)
    step_inspection(c)
