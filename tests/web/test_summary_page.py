"""汇总: the page's numbers are the library's overview of the inbox, its downloads are the files collect wrote (and
it says so when they are older than the inbox), names are text everywhere (the SVG too), and in a real browser
the charts draw a bar per ranked branch and 汇总表.xlsx downloads and reads back."""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import openpyxl

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.catalog import load_campaign_noted
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.models import Report
from dangjian_xlsx.summary import S_SCORES, export_paths
from dangjian_xlsx.web import RoundFolder
from dangjian_xlsx.web.charts import bar_chart, fit, text_width
from dangjian_xlsx.web.state import RoundState

from .conftest import REPO, VIEWPORTS, shot

SAMPLES = REPO / "sample_submissions"


def fill_inbox(folder: RoundFolder) -> None:
    shutil.rmtree(folder.inbox)
    shutil.copytree(SAMPLES, folder.inbox)


def library_view(folder: RoundFolder) -> tuple[ag.Tables, ag.Overview, Report]:
    """The inbox collected through the library's faces, as the test's reference."""
    camp, _ = load_campaign_noted(folder.campaign_file)
    report = run_collect(folder.inbox, camp)
    tables, ov = ag.tables_and_overview(report)
    return tables, ov, report


def as_shown(v: object) -> str:
    """总览's display of a value: the 0.0 number format, — for none."""
    if v is None:
        return "—"
    return f"{v:.1f}" if isinstance(v, float) else str(v)


class Marked(HTMLParser):
    """The text of every element carrying one of `attrs`, per attribute value."""

    def __init__(self, *attrs: str) -> None:
        super().__init__()
        self.attrs_wanted = attrs
        self.found: dict[str, dict[str, str]] = {a: {} for a in attrs}
        self.open: list[tuple[str, str] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        got = dict(attrs)
        hit = next(((a, got[a] or "") for a in self.attrs_wanted if a in got), None)
        self.open.append(hit)
        if hit:
            self.found[hit[0]][hit[1]] = ""

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for hit in self.open:
            if hit:
                self.found[hit[0]][hit[1]] += data


def marked(html: str, *attrs: str) -> dict[str, dict[str, str]]:
    parser = Marked(*attrs)
    parser.feed(html)
    return {a: {k: v.strip() for k, v in d.items()} for a, d in parser.found.items()}


def collect_via_page(client) -> None:
    posted = client.post("/summary/collect", follow_redirects=False)
    assert posted.status_code == 303
    job_id = posted.headers["location"].split("job=")[1]
    end = time.monotonic() + 120
    while time.monotonic() < end:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["finished"]:
            assert not job["error"], job["error"]
            return
        time.sleep(0.1)
    raise AssertionError("汇总 did not finish")


def overview_value(path: Path, label: str) -> object:
    """The value beside `label` on the written summary's 总览 sheet."""
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["总览"]
    for row in ws.iter_rows(values_only=True):
        for k, v in enumerate(row[:-1]):
            if v == label:
                return row[k + 1]
    raise AssertionError(f"{label} not on 总览")


def test_numbers_downloads_and_freshness(client, round_dir: RoundFolder) -> None:
    before = client.get("/summary").text
    assert 'href="/inbox"' in before and "收件文件夹中还没有文件" in before
    fill_inbox(round_dir)
    collect_via_page(client)
    html = client.get("/summary").text
    assert "汇总表已是最新" in html

    tables, ov, _ = library_view(round_dir)
    found = marked(html, "data-line", "data-tile")
    expected = {line.label: as_shown(line.value) for _, lines in ov.blocks() for line in lines}
    assert found["data-line"] == expected
    assert found["data-tile"][ag.L_AVERAGE] == as_shown(ov.school_average)
    assert ov.inspected and ag.L_INSPECTED in found["data-tile"]  # the sample holds inspections

    # the ranking: the library's ranked branches, in rank order, with their totals
    ranked = tables.scores[tables.scores["rank"].notna()]
    rows = html.split('id="ranking"')[1].split("</table>")[0]
    for branch, total in ag.rows(ranked, ["branch", "total"]):
        assert re.search(
            f'<th scope="row">{re.escape(branch)}</th>\\s*<td class="num" data-total>{total:.1f}<', rows
        )
    assert rows.index(ranked["branch"].iloc[0]) < rows.index(ranked["branch"].iloc[-1])
    assert html.count('class="bar"') == len(ranked) + len(tables.sections)

    # the download is the file on disk; its 总览 says the 平均分 the page says
    got = client.get("/summary/download/汇总表.xlsx")
    assert got.status_code == 200 and got.content == round_dir.summary.read_bytes()
    average = overview_value(round_dir.summary, ag.L_AVERAGE)
    assert as_shown(average) == found["data-tile"][ag.L_AVERAGE]
    for path in export_paths(round_dir.summary).values():
        assert client.get(f"/summary/download/{path.name}").content == path.read_bytes()
    assert client.get("/summary/download/campaign.toml").status_code == 404  # only the summary's files
    assert client.get("/summary/download/..%2Fcampaign.toml").status_code == 404

    # a file arrives: the page says the download is older, and offers 重新汇总
    shutil.copy(SAMPLES / "02_外国语学院党总支_附件1_评分表.xlsx", round_dir.inbox / "外国语学院补交.xlsx")
    stale = client.get("/summary").text
    assert "已写出的汇总表比收件文件夹旧" in stale and "新增 1 个文件" in stale
    assert 'action="/summary/collect"' in stale and "重新汇总" in stale
    collect_via_page(client)
    assert "汇总表已是最新" in client.get("/summary").text


def test_config_changed_and_no_json(client, round_dir: RoundFolder) -> None:
    fill_inbox(round_dir)
    collect_via_page(client)
    export_paths(round_dir.summary)["json"].unlink()  # without its JSON, the inbox's file times tell
    assert "汇总表已是最新" in client.get("/summary").text
    (round_dir.inbox / "新来的.txt").write_text("x", encoding="utf-8")
    later = round_dir.summary.stat().st_mtime + 5
    os.utime(round_dir.inbox / "新来的.txt", (later, later))
    assert "有 1 个文件是新放入或改动过的" in client.get("/summary").text
    os.utime(round_dir.campaign_file, (later, later))
    assert "campaign.toml 改过" in client.get("/summary").text


def test_settings_unreadable(client, round_dir: RoundFolder) -> None:
    round_dir.campaign_file.write_text("[campaign]\nschool = \n", encoding="utf-8")
    html = client.get("/summary").text
    assert 'class="notice bad"' in html and "campaign.toml" in html
    assert '<a class="button primary" href="/settings">' in html
    assert "/summary/collect" not in html  # nothing to collect with until the settings are fixed


def test_names_are_text(client, round_dir: RoundFolder, monkeypatch) -> None:
    """A branch called <script>…: text in the ranking and in the SVG's labels and titles (the roster refuses
    such names, so the report is renamed after collecting)."""
    fill_inbox(round_dir)
    tables, _, report = library_view(round_dir)
    first = str(tables.scores["branch"].iloc[0])
    evil = "<script>alert(1)</script>" + first
    renamed = Report.model_validate_json(report.model_dump_json().replace(first, evil))
    assert renamed.campaign.roster[[b.name for b in report.campaign.roster].index(first)].name == evil
    monkeypatch.setattr(RoundState, "report", lambda self: renamed)
    html = client.get("/summary").text
    assert "<script>alert" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;" + first
    svg = html.split('data-chart="totals"')[1].split("</svg>")[0]
    assert f"<title>{escaped}：" in svg  # the bar's title in full
    assert 'dominant-baseline="central">&lt;script&gt;' in svg  # its label (shortened to fit)
    assert f'<th scope="row">{escaped}</th>' in html  # the ranking


def test_chart_geometry() -> None:
    chart = bar_chart("t", "题", "说明", [("甲学院党总支", 90.0, "90.0"), ("乙", 45.0, "45.0")], 100.0)
    a, b = chart.bars
    assert a.width == round(chart.plot * 0.9, 2) and b.width == round(chart.plot * 0.45, 2)
    assert chart.ticks[0].x == chart.x0 and chart.ticks[-1].text == "100"
    assert b.y > a.y and chart.height > b.y + chart.bar_height
    long = "很" * 40
    assert fit(long, 100).endswith("…") and text_width(fit(long, 100)) <= 100


def test_browser_collect_charts_download(page, live) -> None:
    fill_inbox(live.folder)
    tables, _, _ = library_view(live.folder)
    ranked = tables.scores[tables.scores["rank"].notna()]
    page.goto(live.base + "/summary")
    shot(page, "summary-not-collected")
    page.get_by_role("button", name="文件已放齐，现在汇总").click()
    page.get_by_text("汇总表已是最新").wait_for(timeout=120_000)
    bars = page.locator('svg[data-chart="totals"] rect.bar')
    assert bars.count() == len(ranked)
    assert page.get_by_role("img", name="各党总支自评总分").is_visible()
    first_total = page.locator("#ranking tbody tr").first.locator("[data-total]").inner_text()
    for size in sorted(VIEWPORTS):
        width, height = VIEWPORTS[size]
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(page, f"summary-current-{size}")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#charts-h").scroll_into_view_if_needed()
    shot(page, "summary-charts-laptop", full_page=False)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载汇总表.xlsx").click()
    download = info.value
    assert download.suggested_filename == "汇总表.xlsx"
    data = Path(download.path()).read_bytes()
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)[S_SCORES]
    totals = {
        row[2]: row[3]
        for row in ws.iter_rows(values_only=True)
        if len(row) > 3 and isinstance(row[3], int | float)
    }
    assert f"{totals[ranked['branch'].iloc[0]]:.1f}" == first_total
    shutil.copy(SAMPLES / "02_外国语学院党总支_附件1_评分表.xlsx", live.folder.inbox / "补交.xlsx")
    page.reload()
    assert page.get_by_role("button", name="重新汇总").is_visible()
    shot(page, "summary-stale")


def test_feedback_workbooks_are_handed_out_and_an_old_set_is_said(client, round_dir) -> None:
    """The page's collect writes 反馈表/: each workbook downloads as the bytes on disk, all of them as one zip;
    nothing else in or beside the folder; a set older than the summary (a CLI collect without --feedback) is
    said."""
    import io
    import os
    import shutil
    import zipfile

    shutil.copytree(SAMPLES, round_dir.inbox, dirs_exist_ok=True)
    job = client.post("/summary/collect", follow_redirects=False)
    assert job.status_code == 303
    st = client.app.app.state.round
    st.jobs.wait(st.jobs.get(int(job.headers["location"].rsplit("=", 1)[1])), 300)
    on_disk = sorted(p.name for p in round_dir.feedback_dir.glob("*.xlsx"))
    assert on_disk
    text = client.get("/summary").text
    assert f"反馈表（{len(on_disk)} 份）" in text and "反馈表比汇总表旧" not in text
    first = round_dir.feedback_dir / on_disk[0]
    got = client.get(f"/summary/feedback/{on_disk[0]}")
    assert got.status_code == 200 and got.content == first.read_bytes()
    with zipfile.ZipFile(io.BytesIO(client.get("/summary/feedback-all").content)) as zf:
        assert sorted(zf.namelist()) == on_disk
    for bad in ("..%2F汇总表.xlsx", "campaign.toml", ".dangjian-xlsx-output.txt"):
        assert client.get(f"/summary/feedback/{bad}").status_code == 404
    old = round_dir.summary.stat().st_mtime - 3600
    for p in round_dir.feedback_dir.glob("*.xlsx"):
        os.utime(p, (old, old))
    assert "反馈表比汇总表旧" in client.get("/summary").text
