"""生成表格: the page shows what will be generated, runs generate as a job (the CLI's `generate --out 表格 --eml
--force`), and hands out the forms and drafts — one by one, per branch as a zip, or all as one zip — only files
directly in 表格/ and 表格/邮件/."""

from __future__ import annotations

import csv
import html
import io
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

import openpyxl

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.layout import BRANCH_CELL, a1

from .conftest import shot
from .tablehtml import table_rows

MAIL = "邮件"


def round_state(client):
    return client.app.app.state.round


def run_job(client, path: str):
    """POST `path`, follow the job it started to its end; the job."""
    r = client.post(path, follow_redirects=False)
    assert r.status_code == 303
    job_id = int(r.headers["location"].rsplit("job=", 1)[1])
    jobs = round_state(client).jobs
    job = jobs.wait(jobs.get(job_id), timeout=120)
    assert job.state == "已完成", job.error
    return job


def roster_rows(folder) -> list[dict[str, str]]:
    with open(folder.root / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_roster(folder, rows: list[dict[str, str]]) -> None:
    with open(folder.root / "roster.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def branch_files(folder, seq: str) -> dict[str, Path]:
    """What generate wrote for the branch numbered `seq`, found on disk: {name in a zip: path}."""
    prefix = f"{seq}_"
    out = {p.name: p for p in folder.forms_dir.glob(f"{prefix}*.xlsx")}
    out |= {f"{MAIL}/{p.name}": p for p in (folder.forms_dir / MAIL).glob(f"{prefix}*.eml")}
    return out


def text_of(response) -> str:
    return html.unescape(response.text)


def test_before_generating_the_page_shows_the_round_and_the_sample(client, round_dir) -> None:
    r = client.get("/generate")
    assert r.status_code == 200
    page = text_of(r)
    camp, _ = round_dir.load()
    for row in roster_rows(round_dir):
        assert row["党总支名称"] in page and row["邮箱"] in page
    assert camp.school in page and camp.title in page and str(camp.due) in page
    assert "仍是内置示例" in page and "内置示例名单" in page
    # the year, the dates and the password still the sample's: labelled where the page shows them
    sample = default_campaign()
    badged = {r.texts()[0] for r in table_rows(r.text) if "sample-badge" in r.cells[-1].inner}
    assert {"学校", "督查名称", "自查时间", "报送截止日期", "工作表保护密码"} <= badged, badged
    for value in (sample.year, sample.self_check_start, sample.due, sample.password):
        shown = value.isoformat() if hasattr(value, "isoformat") else str(value)
        assert f"“{shown}”" in page, shown  # in the warning
    assert 'action="/generate"' in r.text and "/generate/file/" not in r.text
    assert client.get("/generate/zip").status_code == 404


def test_generated_files_download_as_on_disk(client, round_dir) -> None:
    job = run_job(client, "/generate")
    page = text_of(client.get(f"/generate?done={job.id}"))
    assert all(line in page for line in job.lines)  # what generate said stays on the page
    forms = sorted(round_dir.forms_dir.glob("*.xlsx"))
    drafts = sorted((round_dir.forms_dir / MAIL).glob("*.eml"))
    assert len(forms) == 2 * len(roster_rows(round_dir)) and len(drafts) == len(roster_rows(round_dir))
    for path in (forms[0], forms[-1]):
        assert f"/generate/file/{quote(path.name)}" in page
        got = client.get(f"/generate/file/{quote(path.name)}")
        assert got.status_code == 200 and got.content == path.read_bytes()
        assert quote(path.name) in got.headers["content-disposition"]
    got = client.get(f"/generate/mail/{quote(drafts[3].name)}")
    assert got.status_code == 200 and got.content == drafts[3].read_bytes()
    whole = zipfile.ZipFile(io.BytesIO(client.get("/generate/zip").content))
    assert sorted(whole.namelist()) == sorted([p.name for p in forms] + [f"{MAIL}/{p.name}" for p in drafts])


def test_downloads_reach_nothing_outside_their_folder(client, round_dir) -> None:
    run_job(client, "/generate")
    form = next(round_dir.forms_dir.glob("*.xlsx")).name
    draft = next((round_dir.forms_dir / MAIL).glob("*.eml")).name
    (round_dir.root / "汇总表.xlsx").write_bytes(b"not yours")
    for path in (
        "/generate/file/../campaign.toml",
        "/generate/file/..%2Fcampaign.toml",
        "/generate/file/%2E%2E%2Froster.csv",
        "/generate/file/..%5Croster.csv",
        "/generate/file/campaign.toml",  # another folder's file
        "/generate/file/汇总表.xlsx",
        f"/generate/file/{quote(draft)}",  # a draft is not in 表格/ itself
        f"/generate/file/{MAIL}%2F{quote(draft)}",
        f"/generate/mail/{quote(form)}",  # a form is not in 邮件/
        f"/generate/mail/..%2F{quote(form)}",
        "/generate/zip/..%2F01",
        "/generate/zip/..%2F01",
    ):
        assert client.get(path).status_code == 404, path


def test_branch_zip_holds_exactly_that_branch(client, round_dir) -> None:
    rows = roster_rows(round_dir)
    rows[1]["邮箱"] = ""  # the second branch gets no draft
    write_roster(round_dir, rows)
    run_job(client, "/generate")
    for row in rows[:3]:
        seq = f"{int(row['序号']):02d}"
        expected = branch_files(round_dir, seq)
        r = client.get(f"/generate/zip/{seq}")
        assert r.status_code == 200 and quote(row["党总支名称"]) in r.headers["content-disposition"]
        zf = zipfile.ZipFile(io.BytesIO(r.content))
        assert sorted(zf.namelist()) == sorted(expected)
        assert all(zf.read(name) == path.read_bytes() for name, path in expected.items())
        assert len(expected) == (2 if row is rows[1] else 3)
    page = text_of(client.get("/generate"))
    section = page.split("没有邮件草稿的", 1)[1].split("的表格（", 1)[0]
    assert rows[1]["党总支名称"] in section and rows[0]["党总支名称"] not in section


def test_regenerating_sets_earlier_forms_aside_and_says_when_settings_changed(client, round_dir) -> None:
    run_job(client, "/generate")
    old = round_dir.forms_dir / "99_旧名称党总支_附件1_评分表.xlsx"
    old.write_bytes(b"an earlier round's form")
    page = text_of(client.get("/generate"))
    assert "现有 1 个" in page and "以前生成的表格_" in page
    earlier = round_dir.campaign_file.stat().st_mtime - 3600  # the forms made before the settings changed
    for form in round_dir.forms_dir.glob("*.xlsx"):
        os.utime(form, (earlier, earlier))
    page = text_of(client.get("/generate"))
    assert "本轮设置或名单在生成表格之后改过" in page
    run_job(client, "/generate")
    assert not old.exists()
    kept = list(round_dir.forms_dir.glob("以前生成的表格_*/" + old.name))
    assert len(kept) == 1 and kept[0].read_bytes() == b"an earlier round's form"
    page = text_of(client.get("/generate"))
    assert kept[0].parent.name in page and "改过" not in page and "下载全部（zip）" in page


def test_roster_text_is_shown_as_text(client, round_dir) -> None:
    rows = roster_rows(round_dir)
    rows[0]["联系人"] = "<script>alert(1)</script>"
    write_roster(round_dir, rows)
    r = client.get("/generate")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert(1)" not in r.text


def test_generate_in_the_browser_and_download_the_zip(page, live, tmp_path) -> None:
    rows = roster_rows(live.folder)
    rows[2]["邮箱"] = "无"  # one branch without a usable address: listed, no draft
    write_roster(live.folder, rows)
    page.goto(live.base + "/generate")
    assert page.get_by_role("heading", name="没有邮件草稿的党总支（1 个）").is_visible()
    shot(page, "generate-before")
    page.get_by_role("button", name="生成表格").click()
    zip_link = page.get_by_role("link", name="下载全部（zip）")
    zip_link.wait_for(timeout=120_000)
    assert page.locator(".notice.good").is_visible()  # what generate said
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "generate-done")
    with page.expect_download() as info:
        zip_link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    camp, _ = live.folder.load()
    branch = camp.roster[4]
    with zipfile.ZipFile(saved) as zf:
        name = next(n for n in zf.namelist() if n.startswith(f"{branch.id}_") and "附件1" in n)
        assert zf.read(name) == (live.folder.forms_dir / name).read_bytes()
        wb = openpyxl.load_workbook(io.BytesIO(zf.read(name)))
    assert wb.worksheets[0][a1(*BRANCH_CELL)].value == branch.name


def test_without_a_round_or_with_a_broken_one_the_page_says_what_to_do(client, round_dir) -> None:
    good = round_dir.campaign_file.read_text("utf-8")
    round_dir.campaign_file.write_text(good.replace("[campaign]", "[campaign]\ndue = 明天\n", 1), "utf-8")
    for path in ("/generate", "/corrections"):
        r = client.get(path)
        assert r.status_code == 200
    page = html.unescape(client.get("/generate").text)
    assert "campaign.toml" in page and 'href="/settings"' in page and "生成表格</button>" not in page
    round_dir.campaign_file.unlink()
    for path in ("/generate", "/corrections"):
        page = html.unescape(client.get(path).text)
        assert "还没有本轮督查的配置" in page and 'href="/"' in page
