"""退回修改: the pack the last collect wrote into 退回修改/ — by the page or by the command line — shown per
branch: the notice to copy (its 【发送前核对】 line shown, not copied), its 更正表 and e-mail draft to download,
the 未交提醒 too; when there is none yet, or the inbox changed since, the next step is 重新汇总."""

from __future__ import annotations

import html
import io
import os
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner

from dangjian_xlsx.cli import cli

from .conftest import REPO, shot
from .test_generate import run_job

SAMPLES = REPO / "sample_submissions"
MARK = "【发送前核对】"


def fill_inbox(folder) -> None:
    """The built-in sample round's returns (the fixture's round is the same sample)."""
    shutil.copytree(SAMPLES, folder.inbox, dirs_exist_ok=True)


def notices_on_disk(folder) -> dict[str, tuple[str, str]]:
    """{file name: (header, body)} of the notices written into 退回修改/ (read here, not with the page's code)."""
    out = {}
    for p in sorted(folder.corrections_dir.glob("*.txt")):
        text = p.read_text("utf-8-sig").replace("\r\n", "\n")
        if not text.startswith(MARK) and not p.name.startswith("督查_"):
            continue  # the folder's marker file
        head, body = text.split("\n\n", 1) if text.startswith(MARK) else ("", text)
        out[p.name] = (head, body)
    return out


def test_before_any_collect_the_next_step_is_to_collect(client) -> None:
    r = client.get("/corrections")
    assert r.status_code == 200
    assert "还没有汇总过" in r.text and 'action="/corrections/collect"' in r.text
    assert client.get("/corrections/zip").status_code == 404


def test_after_collect_every_notice_with_its_files(client, round_dir) -> None:
    fill_inbox(round_dir)
    job = run_job(client, "/corrections/collect")
    r = client.get(f"/corrections?done={job.id}")
    page = html.unescape(r.text)
    notices = notices_on_disk(round_dir)
    assert any(n.endswith("_未交提醒.txt") for n in notices) and any(
        n.endswith("_退回修改通知.txt") for n in notices
    )
    for name, (head, body) in notices.items():
        assert body in page, name  # the whole body, as text
        assert head.splitlines()[0] in page
        assert f"/corrections/file/{quote(name)}" in r.text
    copies = sorted(round_dir.corrections_dir.glob("*_更正*.xlsx"))
    drafts = sorted((round_dir.corrections_dir / "邮件").glob("*.eml"))
    assert copies and drafts
    for path in copies:
        assert f"/corrections/file/{quote(path.name)}" in r.text
    for path in drafts:
        assert f"/corrections/mail/{quote(path.name)}" in r.text
    got = client.get(f"/corrections/file/{quote(copies[0].name)}")
    assert got.status_code == 200 and got.content == copies[0].read_bytes()
    got = client.get(f"/corrections/mail/{quote(drafts[-1].name)}")
    assert got.status_code == 200 and got.content == drafts[-1].read_bytes()
    whole = zipfile.ZipFile(io.BytesIO(client.get("/corrections/zip").content))
    expected = {*notices, *(p.name for p in copies), *(f"邮件/{p.name}" for p in drafts)}
    assert set(whole.namelist()) == expected
    assert "有变化" not in page and "还没有汇总过" not in page


def test_a_collect_by_the_command_line_is_shown_and_a_changed_inbox_said(
    client, round_dir, monkeypatch
) -> None:
    fill_inbox(round_dir)
    monkeypatch.chdir(round_dir.root)
    result = CliRunner().invoke(cli, ["collect", "收件", "--out", "汇总表.xlsx"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = html.unescape(client.get("/corrections").text)
    assert all(body in page for _, body in notices_on_disk(round_dir).values())
    assert "有变化" not in page
    newer = round_dir.inbox / "新交的.xlsx"
    newer.write_bytes((SAMPLES / "02_外国语学院党总支_附件1_评分表.xlsx").read_bytes())
    old = round_dir.summary.stat().st_mtime - 3600
    os.utime(newer, (old, old))  # a copy keeping its old time still counts: it is new in the folder
    page = html.unescape(client.get("/corrections").text)
    assert "之后有变化" in page and "收件文件夹新增 1 个文件" in page and "重新汇总" in page


def test_pack_downloads_reach_nothing_else(client, round_dir) -> None:
    fill_inbox(round_dir)
    run_job(client, "/corrections/collect")
    draft = next((round_dir.corrections_dir / "邮件").glob("*.eml")).name
    notice = next(iter(notices_on_disk(round_dir)))
    for path in (
        "/corrections/file/..%2F汇总表.xlsx",
        "/corrections/file/汇总表.xlsx",
        "/corrections/file/campaign.toml",
        f"/corrections/file/{quote(draft)}",
        f"/corrections/file/邮件%2F{quote(draft)}",
        f"/corrections/mail/{quote(notice)}",
        "/corrections/mail/..%2F..%2Froster.csv",
    ):
        assert client.get(path).status_code == 404, path


def test_copy_a_notice_in_the_browser(page, live) -> None:
    page.goto(live.base + "/corrections")
    shot(page, "corrections-none")
    fill_inbox(live.folder)
    page.get_by_role("button", name="重新汇总").click()
    copy_buttons = page.get_by_role("button", name="复制通知")
    copy_buttons.first.wait_for(timeout=120_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "corrections-notices", full_page=False)
    notices = notices_on_disk(live.folder)
    article = page.locator("article").nth(1)
    title = article.locator("h3").inner_text()
    name = next(n for n in notices if title.startswith(" ".join(n.split("_")[:2]) + " "))
    assert article.locator(".warn").first.inner_text() == notices[name][0].splitlines()[0]
    article.get_by_role("button", name="复制通知").click()
    article.get_by_text("已复制").wait_for(timeout=5_000)  # the copy is done (the button says so)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.rstrip("\n") == notices[name][1].rstrip("\n")
    assert MARK not in copied
    shot(page, "corrections-copied", full_page=False)
    with page.expect_download() as info:
        article.get_by_role("link", name="下载邮件草稿").click()
    assert (
        Path(info.value.path()).read_bytes()
        == (live.folder.corrections_dir / "邮件" / f"{name.removesuffix('.txt')}.eml").read_bytes()
    )


def test_each_notice_gets_its_own_copies_and_draft() -> None:
    from dangjian_xlsx.web.pages.corrections import notice_view

    listing = frozenset(
        {
            "07_甲党总支_附件1_评分表_更正.xlsx",
            "07_甲党总支_附件2_重点任务清单_更正2.xlsx",
            "17_甲党总支_附件1_评分表_更正.xlsx",
            "督查_07_甲党总支_督查评分表_更正.xlsx",
        }
    )
    mail = frozenset({"07_甲党总支_退回修改通知.eml"})
    text = f"{MARK}联系人：王　邮箱：a@b.cn\n\n甲党总支：\n\n    正文\n"
    branch = notice_view("07_甲党总支_退回修改通知.txt", text, listing, mail)
    assert branch.header == [f"{MARK}联系人：王　邮箱：a@b.cn"] and branch.body == "甲党总支：\n\n    正文\n"
    assert [name for _, name in branch.copies] == [
        "07_甲党总支_附件1_评分表_更正.xlsx",
        "07_甲党总支_附件2_重点任务清单_更正2.xlsx",
    ]
    assert branch.draft == "07_甲党总支_退回修改通知.eml" and not branch.inspector
    inspectors = notice_view("督查_07_甲党总支_督查评分表_退回修改通知.txt", "督查组：\n", listing, mail)
    assert inspectors.inspector and inspectors.draft is None and inspectors.header == []
    assert [name for _, name in inspectors.copies] == ["督查_07_甲党总支_督查评分表_更正.xlsx"]
    assert "甲党总支" in inspectors.to
    reminder = notice_view("17_甲党总支_未交提醒.txt", text, listing, mail)
    assert reminder.kind == "未交提醒" and reminder.draft is None


def test_a_passed_deadline_is_said_as_the_command_line_says_it(client, round_dir) -> None:
    """The sample round's 报送截止日期 (2018) has passed and no 更正截止日期 is set: the notices can only ask for
    尽快, and the page says so with what to do on the page; with a future 更正截止日期 it says nothing."""
    import datetime as dt

    fill_inbox(round_dir)
    run_job(client, "/corrections/collect")
    text = html.unescape(client.get("/corrections").text)
    assert "报送截止日期 2018-09-30 已过" in text and "“本轮设置”中填写更正截止日期" in text
    assert "campaign.toml" not in text.split("报送截止日期 2018-09-30 已过")[1][:200]
    later = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    toml = round_dir.campaign_file.read_text("utf-8").replace(
        "# correction_due = 2018-10-14", f"correction_due = {later}"
    )
    round_dir.campaign_file.write_text(toml, "utf-8")
    run_job(client, "/corrections/collect")
    text = html.unescape(client.get("/corrections").text)
    assert "已过" not in text
