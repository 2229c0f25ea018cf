"""本轮设置: the campaign form checked by the command line's loader (its Chinese message shown, campaign.toml
unchanged on an error; a good edit read back by the loader), the roster and 表格内容.xlsx uploads made current
only without problems (the previous file kept), the sample labelled until changed, and one round of the page
in a browser."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from markupsafe import escape

from dangjian_xlsx.catalog import default_campaign, load_campaign_noted, read_roster
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.web import RoundFolder

from .conftest import shot

KEYS = (
    "school",
    "department",
    "title",
    "year",
    "self_check_start",
    "self_check_end",
    "due",
    "correction_due",
    "password",
    "return_to",
    "inspection_margin",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_of(folder: RoundFolder, **changes: str) -> dict[str, str]:
    """The campaign form as the page fills it from the round's campaign.toml, with `changes`."""
    campaign, _ = load_campaign_noted(folder.campaign_file)
    values = {}
    for key in KEYS:
        value = getattr(campaign, key)
        values[key] = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
    return {**values, **changes}


def cli_message(folder: RoundFolder, tmp: Path, key: str, written: str) -> str:
    """What the command line says of campaign.toml with `key = written` (a copy of the round folder edited
    by hand), said of the round's own campaign.toml."""
    copy = tmp / "手改"
    shutil.copytree(folder.root, copy)
    path = copy / "campaign.toml"
    lines = path.read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith(f"{key} ="))
    lines[at] = f"{key} = {written}"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_campaign_noted(path)
    return str(caught.value).replace(str(path), str(folder.campaign_file))


def roster_xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某大学党总支名单"])  # a title row above the header, as clerks write
    ws.append(["序号", "党总支名称", "简称", "联系人", "邮箱"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_ROWS = [
    [1, "哲学院党总支", "哲学院", "<script>alert(1)</script>", "zhe@example.edu.cn"],
    [2, "历史学院党总支", "", "钱七", "lishi@example.edu.cn"],
    [3, "化学学院党总支", "", "孙八", ""],
]


def field_block(html: str, key: str) -> str:
    """The markup of the form field holding input `f-<key>` (its label, badge, input, error and hint)."""
    blocks = re.split(r'<div class="field[ "]', html)
    return next(b for b in blocks if f'id="f-{key}"' in b)


def field_error_text(html: str, key: str) -> str:
    """The text under field `key` saying what is wrong ('' when there is none); its input marked invalid."""
    block = field_block(html, key)
    found = re.search(rf'<div class="field-error" id="e-{key}">(.*?)</div>', block, re.S)
    if found is None:
        return ""
    assert (
        'aria-invalid="true"' in block and f"e-{key}" in re.search(r"aria-describedby=\"([^\"]*)\"", block)[1]
    )
    return html_text(found[1])


def html_text(markup: str) -> str:
    return (
        markup.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


# every way the loader refuses a value of the form: (key, typed, as a hand-edited campaign.toml writes it)
REFUSED = [
    ("due", "2025-13-01", '"2025-13-01"'),
    ("self_check_end", "九月底", '"九月底"'),
    ("year", "二〇二五", '"二〇二五"'),
    ("year", "99", "99"),
    ("self_check_start", "0001-01-01", "0001-01-01"),
    ("self_check_start", "2018-10-30", "2018-10-30"),  # after the self-check's end
    ("due", "2018-09-01", "2018-09-01"),  # before the self-check's start
    ("correction_due", "2018-09-01", "2018-09-01"),  # before the due date
    ("password", "", '""'),
    ("inspection_margin", "abc", '"abc"'),
    ("inspection_margin", "-1", "-1"),
    ("school", "某某\x7f大学", '"某某\x7f大学"'),  # DEL: TOML refuses it in a string
]


@pytest.mark.parametrize(("key", "typed", "written"), REFUSED)
def test_refused_value_said_at_its_field_and_the_file_kept(
    client, round_dir, tmp_path, key, typed, written
) -> None:
    """The loader judges (the command line refuses the same value), the page says it at the field, by its
    label, without campaign.toml's lines or advice about editing them."""
    before = round_dir.campaign_file.read_bytes()
    cli = cli_message(round_dir, tmp_path, key, written)  # raises unless the CLI refuses it too
    assert f"（{key}" in cli  # the CLI's message names the setting; the page names the field
    r = client.post("/settings/campaign", data=form_of(round_dir, title="某某督查", **{key: typed}))
    assert r.status_code == 200
    said = field_error_text(r.text, key)
    label = re.search(rf'<label for="f-{key}">([^<（]+)', r.text)[1]
    assert label in said, said
    for file_words in ("campaign.toml", "配置文件", "这一行", "引号", f"{key}", "写成 名称"):
        assert file_words not in said, (file_words, said)
    assert not re.search(r"第\d+行", said), said
    hint = re.search(rf'<div class="hint" id="h-{key}">([^<]*)', r.text)
    for example in re.findall(r"如 (\d{4})\b", said):  # an example year the field's own hint contradicts
        assert hint is None or "如 " not in hint[1] or example in hint[1], (said, hint[1])
    others = [k for k in KEYS if k != key and field_error_text(r.text, k)]
    assert not others, others  # said at that one field only
    notice = html_text(re.search(r'id="campaign-error">(.*?)</div>', r.text, re.S)[1])
    assert notice.startswith("没有保存：") and label in notice
    assert round_dir.campaign_file.read_bytes() == before
    assert "检查中" not in r.text  # the temporary file is never named
    assert 'value="某某督查"' in r.text and f'value="{escape(typed)}"' in r.text  # what was typed stays
    assert not [p for p in round_dir.root.iterdir() if p.name.startswith(".campaign")]


def test_good_edit_is_read_back_by_the_loader(client, round_dir) -> None:
    roster_before, _ = load_campaign_noted(round_dir.campaign_file)
    form = form_of(
        round_dir,
        school="某某大学",
        title="2025年党建工作专项督查",
        year="2025",
        self_check_start="2025-10-08",
        self_check_end="2025-10-20",
        due="2025-10-24",
        correction_due="2025-11-07",
        inspection_margin="3.5",
    )
    r = client.post("/settings/campaign", data=form, follow_redirects=False)
    assert r.status_code == 303
    campaign, _ = load_campaign_noted(round_dir.campaign_file)
    assert (campaign.school, campaign.title, campaign.year) == ("某某大学", "2025年党建工作专项督查", 2025)
    assert (campaign.self_check_start, campaign.due) == (dt.date(2025, 10, 8), dt.date(2025, 10, 24))
    assert campaign.correction_due == dt.date(2025, 11, 7)
    assert campaign.inspection_margin == 3.5
    assert campaign.roster == roster_before.roster  # still the roster file it named
    text = round_dir.campaign_file.read_text("utf-8")
    assert 'roster = "roster.csv"' in text and 'forms = "表格内容.xlsx"' in text
    assert "某某大学" in campaign.catalog.form1.title  # the forms' titles follow the school
    page = client.get(r.headers["location"]).text
    assert "已保存 campaign.toml" in page
    # a blank correction deadline is the optional setting left out
    client.post("/settings/campaign", data={**form, "correction_due": ""})
    assert load_campaign_noted(round_dir.campaign_file)[0].correction_due is None


def test_roster_with_a_problem_is_not_made_current(client, round_dir) -> None:
    before = round_dir.campaign_file.read_bytes(), (round_dir.root / "roster.csv").read_bytes()
    rows = [*GOOD_ROWS, [4, "哲学院党总支", "", "", ""], [5, "<b>坏名</b>", "", "", ""]]
    files = {"file": ("名单.xlsx", roster_xlsx(rows), XLSX)}
    r = client.post("/settings/roster", files=files)
    assert r.status_code == 200
    assert "第6行" in r.text and "哲学院党总支" in r.text and "重复" in r.text  # which row, what
    assert "&lt;b&gt;坏名&lt;/b&gt;" in r.text and "<b>坏名" not in r.text
    assert "名单没有换上" in r.text
    assert (round_dir.campaign_file.read_bytes(), (round_dir.root / "roster.csv").read_bytes()) == before
    assert sorted(p.name for p in round_dir.root.iterdir()) == [
        "campaign.toml",
        "roster.csv",
        "收件",
        "表格内容.xlsx",
    ]


def test_roster_upload_made_current_and_shown_as_text(client, round_dir) -> None:
    old = (round_dir.root / "roster.csv").read_bytes()
    data = roster_xlsx(GOOD_ROWS)
    r = client.post("/settings/roster", files={"file": ("本校名单.xlsx", data, XLSX)}, follow_redirects=False)
    assert r.status_code == 303
    assert (round_dir.root / "roster.xlsx").read_bytes() == data  # byte-identical
    assert (round_dir.root / "roster.上次.csv").read_bytes() == old  # the previous one kept
    assert not (round_dir.root / "roster.csv").exists()
    assert 'roster = "roster.xlsx"' in round_dir.campaign_file.read_text("utf-8")
    campaign, _ = load_campaign_noted(round_dir.campaign_file)  # as the command line reads it
    assert [b.name for b in campaign.roster] == [row[1] for row in GOOD_ROWS]
    page = client.get(r.headers["location"]).text
    assert "名单已换上：roster.xlsx" in page and "roster.上次.csv" in page  # says where the old one is
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "历史学院党总支" in page and "共 3 个党总支" in page
    got = client.get("/settings/roster-file")
    assert got.content == data
    # a second .xlsx replaces it under the same name, the first kept; the loader's notes shown
    again = roster_xlsx([*GOOD_ROWS[:2], [3, "历史学院　党总支", "", "", ""]])
    client.post("/settings/roster", files={"file": ("名单2.xlsx", again, XLSX)})
    assert (round_dir.root / "roster.xlsx").read_bytes() == again
    assert (round_dir.root / "roster.上次.xlsx").read_bytes() == data
    notes = load_campaign_noted(round_dir.campaign_file)[1]
    assert notes and all(str(escape(n)) in client.get("/settings").text for n in notes)


# what a round must not keep from the built-in sample (the title, 报送方式 and the margin may stay: the notice's
# own title names the kind of inspection, the others are general rules)
ROUND_OWN = ("school", "department", "year", "self_check_start", "self_check_end", "due", "password")
OWN_VALUES = {
    "school": "某某大学",
    "department": "中共某某大学委员会组织部",
    "year": "2025",
    "self_check_start": "2025-10-08",
    "self_check_end": "2025-10-20",
    "due": "2025-10-24",
    "password": "本校的密码-2025",
}


def sample_flagged(html: str) -> set[str]:
    """The settings whose field carries the 示例 badge on 本轮设置."""
    return {k for k in KEYS if "sample-badge" in field_block(html, k)}


def test_every_sample_value_left_is_labelled(client, round_dir) -> None:
    """Only 学校, 组织部门 and the roster changed: the year, the dates and the password (which everyone with the
    tool knows) are still the sample's, so they are labelled and the round is not said to be set."""
    sample = default_campaign()
    client.post("/settings/roster", files={"file": ("名单.xlsx", roster_xlsx(GOOD_ROWS), XLSX)})
    changed = {k: OWN_VALUES[k] for k in ("school", "department")}
    assert client.post("/settings/campaign", data=form_of(round_dir, **changed)).status_code == 200
    left = [k for k in ROUND_OWN if k not in changed]
    settings = client.get("/settings").text
    assert "本轮设置已完成" not in settings
    assert sample_flagged(settings) == set(left)
    warning = html_text(re.search(r'id="sample-warning">(.*?)</div>', settings, re.S)[1])
    home = html_text(client.get("/").text)
    generate = html_text(client.get("/generate").text)
    for key in left:
        value = getattr(sample, key)
        shown = value.isoformat() if isinstance(value, dt.date) else str(value)
        for where, text in (("本轮设置", warning), ("首页", home), ("生成表格", generate)):
            assert f"“{shown}”" in text, (where, key, shown)
    assert "学校仍是示例" not in warning and "名单仍是内置示例" not in warning
    # every one of them changed: nothing of the sample is left, and the round is said to be set
    client.post("/settings/campaign", data=form_of(round_dir, **OWN_VALUES))
    settings = client.get("/settings").text
    assert "本轮设置已完成（某某大学，3 个党总支）" in settings
    for path in ("/", "/settings", "/generate"):
        assert "sample-badge" not in client.get(path).text, path
    # one of them put back to the sample's value is labelled again
    client.post("/settings/campaign", data=form_of(round_dir, password=sample.password))
    settings = client.get("/settings").text
    assert sample_flagged(settings) == {"password"} and "本轮设置已完成" not in settings


def test_sample_labelled_until_changed(client, round_dir) -> None:
    for path in ("/", "/settings"):
        assert "sample-badge" in client.get(path).text, path
    client.post("/settings/campaign", data=form_of(round_dir, school="某某大学"))
    assert "学校仍是示例" not in client.get("/settings").text
    assert "组织部门仍是示例" in client.get("/settings").text  # every notice is signed with it
    client.post("/settings/campaign", data=form_of(round_dir, **OWN_VALUES))
    assert "组织部门仍是示例" not in client.get("/settings").text
    assert "名单仍是内置示例名单" in client.get("/").text
    client.post("/settings/roster", files={"file": ("名单.xlsx", roster_xlsx(GOOD_ROWS), XLSX)})
    for path in ("/", "/settings"):
        assert "sample-badge" not in client.get(path).text, path


def test_downloads_are_what_init_writes(client, round_dir) -> None:
    template = client.get("/settings/roster-template.csv")
    assert template.content == (round_dir.root / "roster.csv").read_bytes()
    assert "roster.csv" in template.headers["content-disposition"]
    forms = client.get("/settings/forms-file")
    assert forms.content == (round_dir.root / "表格内容.xlsx").read_bytes()


def forms_edited(folder: RoundFolder, edit) -> bytes:
    wb = openpyxl.load_workbook(folder.root / "表格内容.xlsx")
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def first_item_cell(ws) -> openpyxl.cell.Cell:
    """The 督查内容及方式 cell of the first item of 附件1 (the row under the header)."""
    header = next(r for r in ws.iter_rows() if any(c.value == "督查内容及方式" for c in r))
    col = next(c.column for c in header if c.value == "督查内容及方式")
    return ws.cell(header[0].row + 1, col)


def test_forms_upload_checked_before_made_current(client, round_dir) -> None:
    before = (round_dir.root / "表格内容.xlsx").read_bytes()
    broken = forms_edited(round_dir, lambda wb: wb.remove(wb["附件2"]))
    r = client.post("/settings/forms", files={"file": ("表格内容.xlsx", broken, XLSX)})
    assert "附件2" in r.text and "没有换上" in r.text
    assert (round_dir.root / "表格内容.xlsx").read_bytes() == before

    def rename(wb) -> None:
        first_item_cell(wb["附件1"]).value = "1.第一项改写后的内容"

    good = forms_edited(round_dir, rename)
    r = client.post(
        "/settings/forms", files={"file": ("新表格内容.xlsx", good, XLSX)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert (round_dir.root / "表格内容.xlsx").read_bytes() == good
    assert (round_dir.root / "表格内容.上次.xlsx").read_bytes() == before
    campaign, _ = load_campaign_noted(round_dir.campaign_file)
    assert "第一项改写后的内容" in campaign.catalog.form1.sections[0].items[0].text
    assert "表格内容已换上" in client.get(r.headers["location"]).text


def test_settings_in_the_browser(page, live) -> None:
    """Fill the form (a refused date order first), upload a roster .xlsx, see it current."""
    assert page.locator("#sample-warning .sample-badge").is_visible()  # the home page, as opened
    shot(page, "settings-home-sample", full_page=False)
    page.get_by_role("link", name="到“本轮设置”修改").click()
    assert page.locator("#sample-warning").is_visible()
    shot(page, "settings-sample")
    page.get_by_label("学校", exact=True).fill("某某大学")
    page.get_by_label("组织部门", exact=True).fill("中共某某大学委员会组织部")
    page.get_by_label("年度", exact=True).fill("2025")
    page.get_by_label("自查开始日期", exact=True).fill("2025-10-20")
    page.get_by_label("自查截止日期", exact=True).fill("2025-10-08")
    page.get_by_label("工作表保护密码", exact=True).fill(OWN_VALUES["password"])
    page.get_by_role("button", name="保存设置").click()
    assert "自查开始日期" in page.locator("#campaign-error").inner_text()
    start = page.get_by_label("自查开始日期", exact=True)
    assert start.get_attribute("aria-invalid") == "true"
    page.locator("#campaign-error").get_by_role("link", name="转到这一项").click()
    assert start.evaluate("e => e === document.activeElement")  # the link takes the keyboard to the field
    assert "晚于自查截止日期" in page.locator("#e-self_check_start").inner_text()
    assert page.get_by_label("学校", exact=True).input_value() == "某某大学"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "settings-error", full_page=False)
    page.get_by_label("自查开始日期", exact=True).fill("2025-10-01")
    page.get_by_label("报送截止日期", exact=True).fill("2025-10-10")
    page.get_by_role("button", name="保存设置").click()
    assert "已保存" in page.locator(".notice.good").inner_text()
    assert load_campaign_noted(live.folder.campaign_file)[0].school == "某某大学"

    page.get_by_label("选择名单文件", exact=True).set_input_files(
        files=[{"name": "本校名单.xlsx", "mimeType": XLSX, "buffer": roster_xlsx(GOOD_ROWS)}]
    )
    page.get_by_role("button", name="上传名单").click()
    assert "名单已换上" in page.locator(".notice.good").inner_text()
    cells = page.locator("#roster-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:4] == ["哲学院党总支", "哲学院", "<script>alert(1)</script>"]
    assert page.locator("#sample-warning").count() == 0
    assert read_roster(live.folder.root / "roster.xlsx").branches[0].name == "哲学院党总支"
    shot(page, "settings-roster")
    bad = roster_xlsx([*GOOD_ROWS, [3, "美术学院党总支", "", "", ""]])
    page.get_by_label("选择名单文件", exact=True).set_input_files(
        files=[{"name": "第二版名单.xlsx", "mimeType": XLSX, "buffer": bad}]
    )
    page.get_by_role("button", name="上传名单").click()
    assert "第6行" in page.locator("#roster-error").inner_text()
    assert page.locator("#roster-error").is_visible()  # scrolled to, beside the roster
    shot(page, "settings-roster-problem", full_page=False)
    assert page.locator("#roster-table tbody tr").count() == len(GOOD_ROWS)  # the previous roster stays
    with page.expect_download() as info:
        page.get_by_role("link", name="下载名单模板（roster.csv）").click()
    assert Path(info.value.path()).read_bytes() == (live.folder.root / "roster.上次.csv").read_bytes()


def test_broken_campaign_file_shown_and_fixed_from_the_page(client, round_dir) -> None:
    """A campaign.toml broken by hand: the page says what the command line says, and saving the form mends it
    (the file names it gave kept)."""
    form = form_of(round_dir, school="某某大学")
    text = round_dir.campaign_file.read_text("utf-8").replace("due = 2018-09-30", "due = 九月底")
    round_dir.campaign_file.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_campaign_noted(round_dir.campaign_file)
    page = client.get("/settings").text
    assert str(escape(str(caught.value))) in page
    assert client.get("/").status_code == 200 and str(escape(str(caught.value))) in client.get("/").text
    r = client.post("/settings/campaign", data=form, follow_redirects=False)
    assert r.status_code == 303
    campaign, _ = load_campaign_noted(round_dir.campaign_file)
    assert campaign.school == "某某大学" and campaign.due.isoformat() == form["due"]
    text = round_dir.campaign_file.read_text("utf-8")
    assert 'roster = "roster.csv"' in text and 'forms = "表格内容.xlsx"' in text


def test_checks_left_by_a_stopped_server_are_swept(client, round_dir) -> None:
    old_file = round_dir.root / ".campaign.检查中.abc.toml"
    old_dir = round_dir.root / ".上传检查中.abc"
    fresh = round_dir.root / ".上传检查中.def"
    old_file.write_text("x", "utf-8")
    old_dir.mkdir()
    (old_dir / "名单.xlsx").write_bytes(b"x")
    fresh.mkdir()
    hours_ago = time.time() - 2 * 3600
    for p in (old_file, old_dir):
        os.utime(p, (hours_ago, hours_ago))
    client.post("/settings/campaign", data=form_of(round_dir, school="某某大学"))
    assert not old_file.exists() and not old_dir.exists()
    assert fresh.exists()  # another server's check may still be under way
