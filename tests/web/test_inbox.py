"""收件: uploads stored byte for byte under safe names in 收件/ (never over a file, never twice, never above the
limit), one collect per batch, every file listed with its outcome and its problems in plain words; in the
browser, files picked and files (and a folder) dropped at once, their outcomes appearing."""

from __future__ import annotations

import base64
import io
import re
import shutil
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dangjian_xlsx.models import Outcome
from dangjian_xlsx.web import store

from .conftest import REPO, shot
from .tablehtml import table_rows

SAMPLES = REPO / "sample_submissions"
GOOD = SAMPLES / "02_外国语学院党总支_附件1_评分表.xlsx"  # filled correctly
FIX = SAMPLES / "07_地理与旅游学院党总支_附件1_评分表.xlsx"  # a score left empty: to be corrected
OLD = SAMPLES / "10_法学院党总支_附件1_评分表.xlsx"  # made with another version of the forms: refused
ZIP = SAMPLES / "新闻与传播学院党总支材料.zip"  # both forms and the 自查报告 in a zip
REPORT = SAMPLES / "外国语学院党总支自查报告.docx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EML = SAMPLES / "邮件" / "报送自查材料.eml"  # a saved e-mail with both forms and a 自查报告 attached


def upload(client, name: str, data: bytes, path: str | None = None):
    extra = {"path": path} if path is not None else {}
    return client.post("/inbox/upload", files={"file": (name, data)}, data=extra)


def inbox_files(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder.inbox).as_posix(): p.read_bytes() for p in folder.inbox.rglob("*") if p.is_file()
    }


def collect(client) -> dict:
    job = client.post("/inbox/collect").json()
    end = time.monotonic() + 120
    while not job["finished"] and time.monotonic() < end:
        time.sleep(0.1)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["finished"] and not job["error"], job
    return job


def listed(client) -> dict[str, tuple[str, str, str]]:
    """The page's file list: path → (outcome, its class, reason and problems)."""
    rows = table_rows(client.get("/inbox/files").text, "inbox-files")
    return {r.texts()[0]: (r.texts()[1], " ".join(r.cells[1].inner), r.texts()[2]) for r in rows}


def test_upload_stores_the_bytes_as_they_came(client, round_dir) -> None:
    data = GOOD.read_bytes()
    r = upload(client, GOOD.name, data)
    assert r.status_code == 200
    assert r.json()["name"] == GOOD.name and not r.json()["duplicate"]
    assert inbox_files(round_dir) == {GOOD.name: data}


def test_names_made_safe_and_kept_in_the_inbox(client, round_dir) -> None:
    sent = ["../../x.xlsx", "CON.xlsx", "a<b>.xlsx", "..\\..\\evil.xlsx"]
    for n, name in enumerate(sent):
        assert upload(client, name, f"file {n}".encode()).status_code == 200
    assert upload(client, "f.xlsx", b"file 9", path="体育学院党总支/../../自查报告.docx").status_code == 200
    stored = inbox_files(round_dir)
    assert sorted(stored.values()) == sorted(f"file {n}".encode() for n in (0, 1, 2, 3, 9))
    for name in stored:
        assert "/" not in name and ".." not in name  # flat in 收件/, no way out of it
        assert not set('<>:"\\|?*') & set(name)
        assert name.split(".")[0].lower() not in ("con", "prn", "aux", "nul")
    # nothing landed beside the round folder
    outside = [p.name for p in round_dir.root.parent.rglob("*") if round_dir.inbox not in p.parents]
    assert not {"x.xlsx", "evil.xlsx", "自查报告.docx"} & set(outside)
    # a dropped folder's name stays in front (it tells whose file it is)
    assert any(name.startswith("体育学院党总支") and name.endswith("自查报告.docx") for name in stored)


def test_same_name_other_bytes_gets_a_second_name(client, round_dir) -> None:
    first, second = b"first version", b"second version"
    assert upload(client, "附件1.xlsx", first).json()["name"] == "附件1.xlsx"
    again = upload(client, "附件1.xlsx", second).json()
    assert again["name"] != "附件1.xlsx" and "（2）" in again["name"] and again["name"].endswith(".xlsx")
    assert inbox_files(round_dir) == {"附件1.xlsx": first, again["name"]: second}


def test_identical_file_not_stored_twice(client, round_dir) -> None:
    data = GOOD.read_bytes()
    upload(client, GOOD.name, data)
    r = upload(client, "另一个名字.xlsx", data).json()
    assert r["duplicate"] is True and r["name"] == GOOD.name
    assert inbox_files(round_dir) == {GOOD.name: data}


def test_over_the_limit_refused_with_the_file_named(client, round_dir, monkeypatch) -> None:
    monkeypatch.setattr(store, "MAX_UPLOAD_BYTES", 4096)
    r = upload(client, "大文件.xlsx", b"x" * 5000)
    assert r.status_code == 413
    text = r.json()["error"]
    assert "大文件.xlsx" in text and "上限" in text and "没有保存" in text
    assert inbox_files(round_dir) == {}
    assert upload(client, "小文件.xlsx", b"x" * 4000).status_code == 200  # at the limit: taken


def test_files_listed_with_their_outcomes_and_plain_problems(client, round_dir) -> None:
    for path in (GOOD, FIX, OLD, ZIP, EML):
        assert upload(client, path.name, path.read_bytes()).status_code == 200
    # a member name holding markup shows as text
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("<b>说明</b>.txt", "见附件")
    upload(client, "材料.zip", buf.getvalue())
    collect(client)
    rows = listed(client)
    assert rows[GOOD.name][0] == Outcome.ACCEPTED.value and "s-ok" in rows[GOOD.name][1]
    assert rows[FIX.name][0] == Outcome.NEEDS_FIX.value and "s-fix" in rows[FIX.name][1]
    assert rows[OLD.name][0] == Outcome.REJECTED.value and "s-bad" in rows[OLD.name][1]
    assert "版本" in rows[OLD.name][2]
    # problems name the item as the form shows it (第X部分第Y项), not its id
    assert "部分第" in rows[FIX.name][2] and "S0" not in rows[FIX.name][2]
    members = [p for p in rows if p.startswith(ZIP.name + " › ")]
    assert len(members) == 3 and all(
        rows[m][0] in (Outcome.ACCEPTED.value, Outcome.REPORT.value) for m in members
    )
    # an e-mail's attachments are named after its subject, and listed right after the e-mail
    order = list(rows)
    after = order[order.index(EML.name) + 1 : order.index(EML.name) + 4]
    assert len(after) == 3 and all(" › " in p and not p.startswith(ZIP.name) for p in after)
    assert {rows[p][0] for p in after} == {Outcome.ACCEPTED.value, Outcome.REPORT.value}
    html = client.get("/inbox").text
    assert "&lt;b&gt;说明&lt;/b&gt;" in html and "<b>说明</b>" not in html
    # the collect wrote the round's outputs where the command line writes them
    assert round_dir.summary.is_file() and round_dir.corrections_dir.is_dir()


def chips(html: str) -> dict[str, int]:
    """The counts above the file list: word → number."""
    counts = re.search(r'<p class="counts">(.*?)</p>', html, re.S)[1]
    return {
        word: int(n) for word, n in re.findall(r'<span class="status [^"]*">([^<]*?) (\d+)</span>', counts)
    }


def test_opened_zip_and_email_counted_as_opened(client, round_dir) -> None:
    """A zip or saved e-mail whose files were taken is 已展开 in the counts and in its row, not 已忽略; one
    that does not open keeps its own outcome; the counts are those of the rows shown."""
    for path in (GOOD, ZIP, EML):
        upload(client, path.name, path.read_bytes())
    upload(client, "打不开的.zip", b"PK\x03\x04" + b"\0" * 60)  # no files listed after it
    collect(client)
    rows = listed(client)
    assert all(rows[name][0] == "已展开" for name in (ZIP.name, EML.name)), rows
    assert rows["打不开的.zip"][0] != "已展开"
    shown = Counter(status for status, _, _ in rows.values())
    assert chips(client.get("/inbox/files").text) == dict(shown)
    assert chips(client.get("/inbox").text)["已展开"] == 2


def _file_payload(paths: list[Path]) -> list[dict[str, str]]:
    return [{"name": p.name, "data": base64.b64encode(p.read_bytes()).decode()} for p in paths]


DROP = """([files, folder]) => {
  const transfer = new DataTransfer();
  const make = (f) => new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name);
  files.forEach((f) => transfer.items.add(make(f)));
  const zone = document.getElementById("dropzone");
  zone.dispatchEvent(new DragEvent("dragenter", { bubbles: true, dataTransfer: transfer }));
  zone.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer }));
}"""


def _wait_batch(page, count: int) -> list[tuple[str, str]]:
    """The batch list once `count` items have their outcome after the collect: (sent name, status)."""
    page.wait_for_function(
        """(n) => { const s = [...document.querySelectorAll('#batch-list .status')];
                   return s.length === n && s.every((e) => !['等待上传', '上传中', '已保存'].includes(e.textContent)); }""",
        arg=count,
        timeout=60_000,
    )
    items = page.locator("#batch-list li")
    return [
        (items.nth(i).locator(".sent").inner_text(), items.nth(i).locator(".status").inner_text())
        for i in range(count)
    ]


@pytest.mark.parametrize("how", ["pick", "drop"])
def test_browser_many_files_at_once(page, live, how) -> None:
    page.goto(live.base + "/inbox")
    shot(page, "inbox-empty")
    chosen = [GOOD, FIX, OLD, REPORT]
    if how == "pick":
        page.set_input_files("#pick-files", [str(p) for p in chosen])
    else:
        page.evaluate(DROP, [_file_payload(chosen), None])
    batch = dict(_wait_batch(page, len(chosen)))
    assert batch == {
        GOOD.name: Outcome.ACCEPTED.value,
        FIX.name: Outcome.NEEDS_FIX.value,
        OLD.name: Outcome.REJECTED.value,
        REPORT.name: Outcome.REPORT.value,
    }
    assert {p.name: p.read_bytes() for p in live.folder.inbox.iterdir()} == {
        p.name: p.read_bytes() for p in chosen
    }
    fresh = page.locator("table.inbox-files tr.fresh")
    assert fresh.count() == len(chosen)
    assert page.locator(".job [data-state]").inner_text() == "已完成"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"inbox-after-{how}")


def _batch_after_collect(page, count: int) -> list[tuple[str, str, str]]:
    """Once the batch's collect has finished and the list is put in place: (sent name, status, note)."""
    page.wait_for_function(
        """(n) => document.querySelectorAll('#batch-list li').length === n
                  && !document.getElementById('batch-next').hidden""",
        arg=count,
        timeout=60_000,
    )
    items = page.locator("#batch-list li")
    return [
        tuple(items.nth(i).locator(sel).inner_text() for sel in (".sent", ".status", ".note"))
        for i in range(count)
    ]


def test_browser_identical_files_in_one_batch(page, live) -> None:
    """Two files of one batch with the same bytes (a form saved twice by the browser): stored once, and every
    line ends with an outcome; the duplicate says it was not stored again and names the file in 收件/ whose
    outcome it shows. Then the same bytes once more, in a later batch."""
    page.goto(live.base + "/inbox")
    first = GOOD.name.replace(".xlsx", "_更正(1).xlsx")
    again = GOOD.name.replace(".xlsx", "_更正.xlsx")
    sent = [(first, GOOD), (again, GOOD), (FIX.name, FIX)]
    page.set_input_files(
        "#pick-files", files=[{"name": n, "mimeType": XLSX, "buffer": p.read_bytes()} for n, p in sent]
    )
    lines = _batch_after_collect(page, len(sent))
    in_inbox = {p.name: p.read_bytes() for p in live.folder.inbox.iterdir()}
    assert in_inbox == {first: GOOD.read_bytes(), FIX.name: FIX.read_bytes()}
    by_sent = {name: (status, note) for name, status, note in lines}
    assert by_sent[first][0] == by_sent[again][0] == Outcome.ACCEPTED.value, lines
    assert by_sent[FIX.name][0] == Outcome.NEEDS_FIX.value, lines
    assert "没有重复保存" in by_sent[again][1] and f"“{first}”" in by_sent[again][1], lines
    assert "没有重复保存" not in by_sent[first][1], lines
    for name, status, note in lines:
        assert "等待" not in note and "上传中" not in status, (name, status, note)
        named = re.findall(r"“([^”]+)”", note)
        assert all(n in in_inbox for n in named if n.endswith(".xlsx")), (name, note)  # only files in 收件/
    assert page.locator("table.inbox-files tr.fresh").count() == 2
    shot(page, "inbox-identical-in-one-batch")
    # the same bytes in a later batch: not stored, the earlier file's outcome shown
    page.set_input_files(
        "#pick-files", files=[{"name": "再发一次.xlsx", "mimeType": XLSX, "buffer": GOOD.read_bytes()}]
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('#batch-list li')].at(-1).querySelector('.status').textContent"
        f" === '{Outcome.ACCEPTED.value}'",
        timeout=60_000,
    )
    note = page.locator("#batch-list li").last.locator(".note").inner_text()
    assert "没有重复保存" in note and f"“{first}”" in note and "等待" not in note
    assert sorted(p.name for p in live.folder.inbox.iterdir()) == sorted(in_inbox)


def test_browser_folder_with_subfolders(page, live, tmp_path) -> None:
    top = tmp_path / "体育学院党总支"
    (top / "材料").mkdir(parents=True)
    form = SAMPLES / "17_体育学院党总支_附件1_评分表.xlsx"
    report = SAMPLES / "体育学院党总支自查报告.docx"
    shutil.copy2(form, top / form.name)
    shutil.copy2(report, top / "材料" / "自查报告.docx")  # whose it is: only its folders say
    page.goto(live.base + "/inbox")
    page.set_input_files("#pick-folder", str(top))
    batch = dict(_wait_batch(page, 2))
    assert batch == {
        f"体育学院党总支/{form.name}": Outcome.ACCEPTED.value,
        "体育学院党总支/材料/自查报告.docx": Outcome.REPORT.value,
    }
    stored = {p.name: p.read_bytes() for p in live.folder.inbox.iterdir()}
    assert sorted(stored.values()) == sorted([form.read_bytes(), report.read_bytes()])
    assert all(name.startswith("体育学院党总支_") for name in stored)
    rows = {r.texts()[0]: r.texts() for r in table_rows(page.content(), "inbox-files")}
    assert "体育学院党总支" in rows["体育学院党总支_材料_自查报告.docx"][2]  # claimed by its folders' names
    shot(page, "inbox-after-folder")


def test_concurrent_uploads_from_two_tabs(live) -> None:
    tabs = [httpx.Client(base_url=live.base, follow_redirects=True) for _ in range(2)]
    for tab in tabs:
        assert tab.get(live.start).status_code == 200  # the cookie of the start address
    different = [f"version {n}".encode() * 1000 for n in range(8)]
    same = b"the same bytes from both tabs" * 1000

    def send(n_data):
        n, data = n_data
        files = {"file": ("附件1.xlsx", data)}
        return tabs[n % 2].post("/inbox/upload", files=files).json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, enumerate([*different, *[same] * 4])))
    for tab in tabs:
        tab.close()
    assert not any(a["error"] for a in answers)
    stored = {p.name: p.read_bytes() for p in live.folder.inbox.iterdir()}
    assert sorted(stored.values()) == sorted([*different, same])  # each stored once, none overwritten
    assert sum(a["duplicate"] for a in answers) == 3
