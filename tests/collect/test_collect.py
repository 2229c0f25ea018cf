"""The collect pipeline on real inboxes: accounting for every file, outcomes, duplicates, determinism, CLI check."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from cases import CASES
from click.testing import CliRunner
from fill import SAVED_AT, clean_values, fill_form, full_scores

from dangjian_xlsx.cli import cli
from dangjian_xlsx.collect import MEMBER_SEP, check_files, discover, process_file, run_collect
from dangjian_xlsx.collect import classify as collect
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Campaign, FileRecord, FormKind, Outcome, Report

EXPECTED_OUTCOME = {c.name: c.outcome for c in CASES}


def docx(text: str) -> bytes:
    """A minimal Word document with one paragraph."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return buf.getvalue()


def by_path(report: Report) -> dict[str, FileRecord]:
    return {f.path: f for f in report.files}


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    out = {}
    for dirpath, dirs, names in os.walk(root):
        dirs.sort()
        for n in names:
            p = Path(dirpath, n)
            if p.is_symlink():
                out[str(p)] = (os.readlink(p), 0)
            else:
                out[str(p)] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path], camp: Campaign) -> Path:
    """Every case file (in a subfolder for half of them) plus documents, junk and office leftovers."""
    root = tmp_path_factory.mktemp("inbox")
    for i, path in enumerate(files.values()):
        sub = root / "第二批" if i % 2 else root
        sub.mkdir(exist_ok=True)
        shutil.copy2(path, sub / path.name)
    (root / "文学院党总支自查报告.docx").write_bytes(docx("关于全面从严治党主体责任落实情况的自查报告"))
    (root / "会议通知.docx").write_bytes(docx("关于召开会议的通知"))
    (root / "说明.txt").write_text("请查收", encoding="utf-8")
    (root / "附件.zip").write_bytes(zipfile_bytes())
    (root / "~$00_clean_form1.xlsx").write_bytes(b"\x00" * 165)
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "空文件.xlsx").write_bytes(b"")
    (root / "网页导出.xls").write_text(
        "<html><body><table><tr><td>1</td></tr></table></body></html>", "utf-8"
    )
    (root / "截断.xlsx").write_bytes(files["clean_form2"].read_bytes()[:3000])
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    return root


def zipfile_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("附件1.xlsx", b"not really")
    return buf.getvalue()


@pytest.fixture(scope="module")
def report(inbox: Path, camp: Campaign) -> Report:
    return run_collect(inbox, camp, jobs=1)


# ---------------------------------------------------------------- the batch


def test_every_case_file_gets_its_outcome_and_only_its_problems(report: Report) -> None:
    recs = {Path(f.path).stem: f for f in report.files}
    for i, case in enumerate(CASES):
        rec = recs[f"{i:02d}_{case.name}"]
        assert rec.outcome is case.outcome, (case.name, rec.reason, [p.message for p in rec.problems])
        assert [p.code for p in rec.problems] == list(case.codes), case.name
        assert all(p.file == rec.path for p in rec.problems)
        if case.outcome is not Outcome.REJECTED:
            assert rec.submission is not None and rec.branch == rec.submission.branch
            assert rec.kind is case.kind
        else:
            assert rec.submission is None and rec.reason
        assert rec.size > 0 and len(rec.sha256) == 64 and rec.mtime > 0


def test_clean_files_are_accepted_with_exact_values(report: Report, camp: Campaign) -> None:
    rec = by_path(report)["00_clean_form1.xlsx"]
    assert rec.outcome is Outcome.ACCEPTED and rec.reason == "" and rec.problems == []
    assert rec.branch == camp.roster[0] and rec.kind is FormKind.SCORING
    assert rec.submission.fill_date == dt.date(2018, 9, 28)
    assert {s.item_id: s.score for s in rec.submission.scores} == {i.id: i.points for i in camp.catalog.items}
    rec = by_path(report)["第二批/01_clean_form2.xlsx"]
    assert rec.outcome is Outcome.ACCEPTED
    assert {a.status for a in rec.submission.answers} == {"已完成"}


def test_other_files(report: Report, camp: Campaign) -> None:
    recs = by_path(report)
    rep = recs["文学院党总支自查报告.docx"]
    assert rep.outcome is Outcome.REPORT and rep.branch == camp.branch_by_name["文学院党总支"]
    for name in ("会议通知.docx", "说明.txt"):
        assert recs[name].outcome is Outcome.NOT_A_FORM, name
        assert [p.code for p in recs[name].problems] == ["not-a-form"]
    # an archive is opened: listed itself, each member read like a file (tests/collect/test_mail_in.py)
    assert recs["附件.zip"].outcome is Outcome.IGNORED and "已展开：含 1 个文件" in recs["附件.zip"].reason
    assert recs["附件.zip › 附件1.xlsx"].outcome is Outcome.REJECTED
    for name in ("~$00_clean_form1.xlsx", ".DS_Store", "Thumbs.db", ".git"):
        assert recs[name].outcome is Outcome.IGNORED, name
        assert [p.code for p in recs[name].problems] == ["ignored"]
    assert "锁定文件" in recs["~$00_clean_form1.xlsx"].reason
    assert [p.code for p in recs["空文件.xlsx"].problems] == ["file-empty"]
    assert recs["空文件.xlsx"].outcome is Outcome.REJECTED
    assert recs["截断.xlsx"].outcome is Outcome.REJECTED
    assert [p.code for p in recs["网页导出.xls"].problems] == ["file-html-as-xls"]
    assert recs["网页导出.xls"].reason == "网页格式，不是表格"
    assert [p.code for p in recs["截断.xlsx"].problems] == ["file-corrupt"]


def test_every_entry_appears_exactly_once(report: Report, inbox: Path) -> None:
    paths = [f.path for f in report.files]
    assert len(paths) == len(set(paths))
    on_disk = set()
    for dirpath, dirs, names in os.walk(inbox):
        rel = Path(dirpath).relative_to(inbox).as_posix()
        if ".git" in dirs:
            dirs.remove(".git")
            on_disk.add(".git")
        for n in names:
            on_disk.add(n if rel == "." else f"{rel}/{n}")
    assert set(paths) == on_disk | {"附件.zip › 附件1.xlsx"}  # an archive's members follow it
    assert paths == sorted(paths, key=lambda p: p.split("/"))
    assert not any(f.outcome is Outcome.SUPERSEDED for f in report.files)


def test_deterministic_parallel_and_inbox_untouched(inbox: Path, camp: Campaign, report: Report) -> None:
    before = snapshot(inbox)
    seen: list[tuple[int, int]] = []
    again = run_collect(inbox, camp, jobs=2, progress=lambda d, t: seen.append((d, t)))
    assert again.model_dump() == report.model_dump()
    assert seen[-1] == (len(report.files), len(report.files))
    assert snapshot(inbox) == before
    newest = max(
        f.mtime if MEMBER_SEP in f.path else (inbox / f.path).stat().st_mtime  # a member: its time in the zip
        for f in report.files
        if f.outcome is not Outcome.IGNORED
    )
    assert report.generated_at == dt.datetime.fromtimestamp(newest).replace(microsecond=0)


# ---------------------------------------------------------------- duplicates


def _form1(
    camp: Campaign, dest: Path, date: object, saved_at: dt.datetime = SAVED_AT, **changes: object
) -> Path:
    values = full_scores(camp.catalog, date)
    values.update({(Field.SCORE, k): v for k, v in changes.items()})
    src = build_form(camp, FormKind.SCORING, camp.roster[0])
    return fill_form(src, dest, values, catalog=camp.catalog, saved_at=saved_at)


def test_newest_fill_date_wins(tmp_path: Path, camp: Campaign) -> None:
    _form1(camp, tmp_path / "附件1(1).xlsx", dt.date(2018, 9, 29))
    _form1(camp, tmp_path / "附件1.xlsx", dt.date(2018, 9, 27))
    _form1(camp, tmp_path / "附件1(2).xlsx", dt.date(2018, 9, 28), **{"S01.1": 9})  # needs fix, older
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["附件1(1).xlsx"].outcome is Outcome.ACCEPTED
    for old in ("附件1.xlsx", "附件1(2).xlsx"):
        assert recs[old].outcome is Outcome.SUPERSEDED
        p = recs[old].problems[-1]
        assert p.code == "superseded" and "附件1(1).xlsx" in p.message and "2018-09-29" in p.message
        assert recs[old].reason == "已被“附件1(1).xlsx”替代"


def test_same_date_later_copy_name_wins_and_identical_copies(tmp_path: Path, camp: Campaign) -> None:
    a = _form1(camp, tmp_path / "附件1.xlsx", dt.date(2018, 9, 28))
    _form1(camp, tmp_path / "附件1(10).xlsx", dt.date(2018, 9, 28), **{"S01.1": 1.5})
    shutil.copy(a, tmp_path / "附件1(9).xlsx")
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["附件1(10).xlsx"].outcome is Outcome.NEEDS_FIX  # the newest counts even with errors
    assert {recs[n].outcome for n in ("附件1.xlsx", "附件1(9).xlsx")} == {Outcome.SUPERSEDED}
    assert "按文件名" in recs["附件1.xlsx"].problems[-1].message


def test_same_date_later_saved_at_wins(tmp_path: Path, camp: Campaign) -> None:
    _form1(camp, tmp_path / "附件1(1).xlsx", dt.date(2018, 9, 28), saved_at=dt.datetime(2018, 9, 28, 9))
    _form1(camp, tmp_path / "附件1.xlsx", dt.date(2018, 9, 28), saved_at=dt.datetime(2018, 9, 29, 9))
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["附件1.xlsx"].outcome is Outcome.ACCEPTED
    assert recs["附件1(1).xlsx"].outcome is Outcome.SUPERSEDED
    assert "保存时间较新：2018-09-29 09:00:00" in recs["附件1(1).xlsx"].problems[-1].message


def test_rejected_file_is_never_superseded(tmp_path: Path, camp: Campaign) -> None:
    from fill import set_cell

    _form1(camp, tmp_path / "a.xlsx", dt.date(2018, 9, 28))
    fill_form(
        build_form(camp, FormKind.SCORING, camp.roster[0]),
        tmp_path / "b.xlsx",
        full_scores(camp.catalog, dt.date(2018, 9, 30)),
        edit=set_cell("评分表", "C5", "改"),
    )
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["a.xlsx"].outcome is Outcome.ACCEPTED
    assert recs["b.xlsx"].outcome is Outcome.REJECTED and recs["b.xlsx"].branch == camp.roster[0]


def test_duplicate_reports_keep_the_newest(tmp_path: Path, camp: Campaign) -> None:
    (tmp_path / "文学院党总支自查报告.docx").write_bytes(docx("初稿"))
    (tmp_path / "文学院党总支自查报告(修改).docx").write_bytes(docx("定稿"))
    os.utime(tmp_path / "文学院党总支自查报告.docx", (1_538_000_000, 1_538_000_000))
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["文学院党总支自查报告(修改).docx"].outcome is Outcome.REPORT
    assert recs["文学院党总支自查报告.docx"].outcome is Outcome.SUPERSEDED


# ---------------------------------------------------------------- the file system


def test_symlinks_are_not_followed_out_of_the_inbox(
    tmp_path: Path, files: dict[str, Path], camp: Campaign
) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    shutil.copy(files["clean_form1"], outside / "secret.xlsx")
    shutil.copy(files["clean_form2"], inbox / "real.xlsx")
    (inbox / "to_outside.xlsx").symlink_to(outside / "secret.xlsx")
    (inbox / "to_inside.xlsx").symlink_to(inbox / "real.xlsx")
    (inbox / "outside_dir").symlink_to(outside, target_is_directory=True)
    (inbox / "dangling.xlsx").symlink_to(tmp_path / "nope.xlsx")
    recs = by_path(run_collect(inbox, camp))
    assert set(recs) == {"real.xlsx", "to_outside.xlsx", "to_inside.xlsx", "outside_dir", "dangling.xlsx"}
    assert recs["to_outside.xlsx"].outcome is Outcome.IGNORED and "以外" in recs["to_outside.xlsx"].reason
    assert recs["outside_dir"].outcome is Outcome.IGNORED
    assert recs["dangling.xlsx"].outcome is Outcome.IGNORED
    # the link inside is read; it is the same form as real.xlsx, so one of the two supersedes the other
    assert {recs["real.xlsx"].outcome, recs["to_inside.xlsx"].outcome} == {
        Outcome.ACCEPTED,
        Outcome.SUPERSEDED,
    }
    assert "内容完全相同" in next(
        p.message for f in recs.values() for p in f.problems if p.code == "superseded"
    )


def test_non_utf8_file_names(tmp_path: Path, files: dict[str, Path], camp: Campaign) -> None:
    root = os.fsencode(tmp_path)
    gbk = root + b"/" + "文学院附件1.xlsx".encode("gbk")
    junk = root + b"/bad\xff\xfe.xlsx"
    shutil.copy(files["clean_form1"], os.fsdecode(gbk))
    shutil.copy(files["clean_form2"], os.fsdecode(junk))
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["文学院附件1.xlsx（GBK）"].outcome is Outcome.ACCEPTED  # read as GBK, shown marked
    assert recs["bad\\xff\\xfe.xlsx"].outcome is Outcome.ACCEPTED  # the bytes shown visibly
    assert len(discover(tmp_path)) == 2


def test_unreadable_and_too_large(
    tmp_path: Path, files: dict[str, Path], camp: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(files["clean_form1"], tmp_path / "locked.xlsx")
    shutil.copy(files["clean_form2"], tmp_path / "big.xlsx")
    real_open = open

    def fake_open(path: object, *args: object, **kw: object) -> object:
        if str(path).endswith("locked.xlsx"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kw)

    monkeypatch.setattr(collect, "open", fake_open, raising=False)
    monkeypatch.setattr(collect, "_max_file_bytes", lambda: files["clean_form1"].stat().st_size + 10)
    (tmp_path / "big.xlsx").write_bytes((tmp_path / "big.xlsx").read_bytes() + b"\0" * 100_000)
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["locked.xlsx"].outcome is Outcome.REJECTED
    assert [p.code for p in recs["locked.xlsx"].problems] == ["file-unreadable"]
    assert [p.code for p in recs["big.xlsx"].problems] == ["file-too-large"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_permission_denied_on_disk(tmp_path: Path, files: dict[str, Path], camp: Campaign) -> None:
    p = tmp_path / "x.xlsx"
    shutil.copy(files["clean_form1"], p)
    p.chmod(0)
    try:
        (rec,) = run_collect(tmp_path, camp).files
    finally:
        p.chmod(0o644)
    assert rec.outcome is Outcome.REJECTED and rec.problems[0].code == "file-unreadable"


def test_unexpected_failure_rejects_only_that_file(
    tmp_path: Path, files: dict[str, Path], camp: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(files["clean_form1"], tmp_path / "a.xlsx")
    real = collect.validate

    def boom(raw: object, campaign: Campaign, file: str) -> object:
        if file == "a.xlsx":
            raise RuntimeError("bug")
        return real(raw, campaign, file)

    monkeypatch.setattr(collect, "validate", boom)
    shutil.copy(files["clean_form2"], tmp_path / "b.xlsx")
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["a.xlsx"].outcome is Outcome.REJECTED and "RuntimeError" in recs["a.xlsx"].problems[0].message
    assert recs["b.xlsx"].outcome is Outcome.ACCEPTED


def test_process_file_of_a_renamed_file_reads_by_content(
    tmp_path: Path, files: dict[str, Path], camp: Campaign
) -> None:
    p = tmp_path / "附件1.doc"
    shutil.copy(files["clean_form1"], p)
    rec = process_file(p, tmp_path, camp)
    assert rec.outcome is Outcome.ACCEPTED and rec.path == "附件1.doc"


# ---------------------------------------------------------------- check command


def test_check_files_and_cli(
    files: dict[str, Path], camp: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recs = check_files([files["clean_form1"], files["score_too_high"]], camp)
    assert [r.outcome for r in recs] == [Outcome.ACCEPTED, Outcome.NEEDS_FIX]
    assert recs[0].path == str(files["clean_form1"])

    # the CLI uses the built-in roster: use files of built-in branches
    builtin = tmp_path / "ok.xlsx"
    kind = FormKind.TASKS
    fill_form(build_form(camp, kind, camp.roster[3]), builtin, clean_values(camp.catalog, kind))
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # short relative paths: rich wraps and folds long lines
    ok = runner.invoke(cli, ["check", "ok.xlsx"])
    assert ok.exit_code == 0, ok.output
    assert "已接收" in ok.output

    bad_file = _form1(camp, tmp_path / "bad.xlsx", dt.date(2018, 9, 28), **{"S01.2": 3})
    bad = runner.invoke(cli, ["check", bad_file.name, "ok.xlsx"])
    assert bad.exit_code == 1, bad.output
    out = " ".join(bad.output.split())  # rich wraps long lines at the terminal width
    assert "bad.xlsx：已接收（需修改）" in out and out.endswith("ok.xlsx：已接收")
    assert "[错误] bad.xlsx 评分表 E6：" in out
    assert "本项满分2分，填写的是3" in out


def test_spreadsheets_without_metadata(tmp_path: Path, camp: Campaign) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(tmp_path / "通讯录.xlsx")
    wb = openpyxl.Workbook()
    wb.active["A2"] = "附件1：" + camp.catalog.form1.title  # a hand-made copy of the form
    wb.save(tmp_path / "自制附件1.xlsx")
    wb = openpyxl.Workbook()
    for name in ("总览", "文件清单", "校验问题"):
        wb.create_sheet(name)
    wb.save(tmp_path / "汇总表.xlsx")
    recs = by_path(run_collect(tmp_path, camp))
    assert recs["通讯录.xlsx"].outcome is Outcome.NOT_A_FORM
    assert recs["汇总表.xlsx"].outcome is Outcome.IGNORED  # the tool's own output (rule 11)
    assert recs["汇总表.xlsx"].reason == "本工具生成的汇总表或反馈表，未读取"
    assert recs["自制附件1.xlsx"].outcome is Outcome.REJECTED
    assert [p.code for p in recs["自制附件1.xlsx"].problems] == ["meta-missing"]


def test_hostile_corpus_is_rejected_file_by_file(
    tmp_path: Path, files: dict[str, Path], camp: Campaign
) -> None:
    """Every hostile or broken file is rejected with its own specific reason; the good form beside them
    is accepted: one bad file never stops or spoils the batch."""
    from hostile_corpus import build_corpus

    expected = build_corpus(tmp_path)
    good = tmp_path / "good.xlsx"
    shutil.copy(files["clean_form1"], good)
    day_before = (
        good.stat().st_mtime - 86400
    )  # it came first: a broken file sent after it is not replaced by it
    os.utime(good, (day_before, day_before))
    recs = by_path(run_collect(tmp_path, camp))
    assert set(recs) == {*expected, "good.xlsx"}
    assert recs["good.xlsx"].outcome is Outcome.ACCEPTED
    for name, code in expected.items():
        rec = recs[name]
        assert rec.outcome is Outcome.REJECTED, name
        assert rec.problems[0].code == code, (name, [p.code for p in rec.problems])
        assert rec.reason and rec.size == (tmp_path / name).stat().st_size
