"""Issue #5, parts 2 and 3, end to end through the CLI: ONE inbox with every hostile or broken input and
good files (tests/hostile_inbox.py), collected by `dangjian-xlsx collect`, the summary read back.

Part 2 — every entry has its outcome and a specific Chinese message + code in 文件清单 and 校验问题, the good
files are still accepted, nothing is unaccounted for, no traceback.
Part 3 — nothing lost, nothing leaked: inputs are never touched; a collect killed mid-write leaves the
previous summary intact (and the next run clears its leftover); text from submissions never becomes a
formula in the summary or the CSV exports.

Formulas typed into input cells (decided here, implemented in dangjian_xlsx/formulas.py): a formula saved
without its result (what openpyxl writes) is reported as 'formula-in-input' with the formula shown
literally; an error value in a score cell (#VALUE!) as 'score-not-number'; a formula saved with its
result (Excel/WPS/LibreOffice) counts as the value the person saw.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hostile_inbox import (
    CASES_DIR,
    CORPUS_DIR,
    UNREADABLE,
    Inbox,
    build_inbox,
    hostile_campaign,
    inbox_entries,
    read_summary,
    sheet_rows,
    unreadable,
)

from dangjian_xlsx.cli import cli
from dangjian_xlsx.messages import Code
from dangjian_xlsx.models import Campaign, Outcome
from dangjian_xlsx.summary.exports import FORMULA_PREFIXES, export_paths

REPO = Path(__file__).resolve().parent.parent
Row = dict[str, object]

# openpyxl does not read Excel 2010 data-bar extensions of the summary
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


# ---------------------------------------------------------------- one collect run over the whole inbox


def snapshot(root: Path) -> dict[bytes, tuple[object, ...]]:
    """Every entry under root (links not followed): type, size, mtime (ns), sha256 / link target."""
    out: dict[bytes, tuple[object, ...]] = {}
    base = os.fsencode(root)
    for dirpath, dirs, files in os.walk(base, followlinks=False):
        for name in sorted(dirs + files):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[p] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
                out[p] = ("file", st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode), digest)
            else:  # folders (their mtime changes when anything is created or removed in them), FIFOs
                out[p] = (stat.S_IFMT(st.st_mode), st.st_mtime_ns)
    out[base] = ("root", os.lstat(base).st_mtime_ns)
    return out


class Run:
    def __init__(self, box: Inbox, out: Path, result: object, before: dict, after: dict) -> None:
        self.box, self.out, self.result = box, out, result
        self.before, self.after = before, after
        self.files, self.problems = read_summary(out)
        self.by_file: dict[str, list[Row]] = {}
        for p in self.problems:
            self.by_file.setdefault(str(p["文件"]), []).append(p)
        self.row = {str(r["文件"]): r for r in self.files}


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    return hostile_campaign(campaign)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, camp: Campaign) -> Run:
    box = build_inbox(tmp_path_factory.mktemp("hostile"), camp)
    out = box.root.parent / "out" / "汇总表.xlsx"
    before = snapshot(box.root.parent / "outside") | snapshot(box.root)
    with unreadable(box.root):
        result = CliRunner().invoke(
            cli, ["collect", str(box.root), "--out", str(out), "--roster", str(box.roster)]
        )
    after = snapshot(box.root.parent / "outside") | snapshot(box.root)
    assert result.exit_code == 0, result.output
    return Run(box, out, result, before, after)


def test_cli_runs_without_traceback(run: Run) -> None:
    r = run.result
    assert r.exception is None and r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert "Traceback" not in r.output and "Error" not in r.output  # type: ignore[attr-defined]
    assert "已写入" in r.output and run.out.is_file()  # type: ignore[attr-defined]


def test_the_corpus_covers_the_brief(run: Run) -> None:
    exp = run.box.expected
    corpus = [k for k in exp if k.startswith(CORPUS_DIR + "/")]
    assert len(corpus) >= 30  # file-level: broken containers, disguises, bombs, hostile XML
    bad = [
        k for k, e in exp.items() if e.outcome is not Outcome.ACCEPTED and e.codes and e.codes[0] != "ignored"
    ]
    assert len(bad) >= 90  # and everything else that is wrong with a file
    codes = {c for e in exp.values() for c in e.codes}
    required = {
        "file-empty", "file-not-spreadsheet", "file-corrupt", "file-html-as-xls", "file-encrypted",
        "file-too-large", "zip-bomb", "sheet-too-large", "too-many-sheets", "text-too-long", "xml-hostile",
        "meta-missing", "kind-unknown", "digest-mismatch", "branch-unknown", "branch-mismatch", "sheet-order",
        "rows-shifted", "score-not-number", "score-out-of-range", "formula-in-input", "file-unreadable",
    }  # fmt: skip
    assert required <= codes, required - codes
    good = [k for k, e in exp.items() if e.outcome is Outcome.ACCEPTED]
    assert len(good) >= 20


def test_every_entry_is_listed_exactly_once(run: Run) -> None:
    paths = [str(r["文件"]) for r in run.files]
    assert len(paths) == len(set(paths)), [p for p, n in Counter(paths).items() if n > 1]
    members = [p for p in run.box.expected if " › " in p]  # an archive's members, listed as entries too
    on_disk = sorted([*inbox_entries(run.box.root), *members])
    assert sorted(paths) == on_disk
    assert set(run.box.expected) == set(on_disk)  # the expectations cover the whole inbox
    assert set(run.by_file) <= set(paths)  # every problem belongs to a listed file


def _template_parts(code: str) -> list[str]:
    return [p for p in re.split(r"\{[^}]*\}", Code(code).template) if p]


def test_each_file_has_its_outcome_codes_and_chinese_message(run: Run, camp: Campaign) -> None:
    """Each file's outcome and problems: 校验问题 names each problem by its Chinese name (问题类别), the
    message is its code's template filled in."""
    from dangjian_xlsx.problemnames import problem_name

    wrong = []
    for path, e in run.box.expected.items():
        row = run.row[path]
        problems = run.by_file.get(path, [])
        got = (row["处理结果"], tuple(str(p["问题类别"]) for p in problems))
        want = tuple(problem_name(c, camp.catalog.unit) for c in e.codes)
        if got != (e.outcome.value, want):
            wrong.append((path, got, (e.outcome.value, e.codes)))
            continue
        for p, code in zip(problems, e.codes, strict=True):
            msg = str(p["问题说明"])
            at = 0
            for part in _template_parts(code):  # the code's own message, every fixed part in order
                at = msg.find(part, at)
                assert at >= 0, (path, code, msg, part)
            assert re.search(r"[\u4e00-\u9fff]", msg), (path, msg)
            assert p["级别"] in ("错误", "警告")
            if code != "formula-in-input":  # that one keeps the severity of the blank it explains
                assert p["级别"] == Code(code).severity.value, (path, code)
        if e.outcome is Outcome.REJECTED:
            assert row["原因"] == Code(e.codes[0]).reason, (path, row["原因"])
            assert row["错误数"] >= 1
        elif e.outcome is not Outcome.ACCEPTED:
            assert row["原因"], path
    assert not wrong, "\n".join(map(str, wrong))


def test_good_files_are_accepted_beside_the_bad_ones(run: Run) -> None:
    accepted = {p for p, r in run.row.items() if r["处理结果"] == Outcome.ACCEPTED.value}
    expected = {p for p, e in run.box.expected.items() if e.outcome is Outcome.ACCEPTED}
    assert accepted == expected
    for name in (
        "bad\\xff\\xfe\\xfd-附件2.xlsx",  # not UTF-8 on disk: the bytes shown as they are
        "中文附件1.xlsx（GBK）",  # GBK on disk, marked
        "换行␊名称的附件1.xlsx",  # a line break drawn (issue 19: control characters shown visibly)
        "  前后有空格的附件2  .xlsx",
        "附件2.xls",
        "附件1.ods",
        "附件2.doc",
    ):
        assert name in accepted, name
    long_name = next(p for p in accepted if len(p.encode()) > 200)
    assert len(long_name.encode()) <= 255
    rows = {str(r["党总支"]) for r in run.files if r["处理结果"] == Outcome.ACCEPTED.value}
    assert len(rows) >= 10


def test_specific_messages(run: Run) -> None:
    def msg(path: str) -> str:
        return " | ".join(str(p["问题说明"]) for p in run.by_file[path])

    c = f"{CORPUS_DIR}/"
    assert msg(c + "encrypted.xlsx").startswith("文件已加密（设置了打开密码）")
    assert msg(c + "xls_filepass.xls").startswith("文件已加密")
    assert "实际是网页（HTML）导出" in msg(c + "html_export.xls")
    assert "实际内容为PNG 图片" in msg(c + "picture_named.xlsx")
    assert "实际内容为ZIP 压缩包" in msg(c + "not_ooxml.xlsx")
    assert "缺少必需的部件 xl/workbook.xml" in msg(c + "missing_workbook.xlsx")
    assert "工作表“评分表”的内容缺失" in msg(c + "missing_sheet_part.xlsx")
    assert "解压后过大" in msg(c + "zip_bomb.xlsx")
    assert "不安全的 XML 声明" in msg(c + "xxe_file.xlsx")
    assert "个工作表，超过上限" in msg(c + "many_sheets.xlsx")
    assert "已截断为前 10000 字" in msg(c + "long_string.xlsx")
    assert "表格版本不符：本文件是按" in msg(f"{CASES_DIR}/07_digest_mismatch.xlsx")
    assert "是否为" in msg(f"{CASES_DIR}/10_branch_unknown_typed.xlsx")  # closest roster names
    assert "没有读取权限" in msg(UNREADABLE)
    assert "链接形成循环" in msg("链接_循环.xlsx")
    assert "收件文件夹以外" in msg("链接_文件夹外文件.xlsx")
    cases = {p.split("_", 1)[1]: p for p in run.row if p.startswith(CASES_DIR + "/")}
    assert "自评得分填写的是公式“=1+1”" in msg(cases["score_formula.xlsx"])
    assert "的得分“#VALUE!”不是数字" in msg(cases["score_error_value.xlsx"])
    assert "填写的是1e+308" in msg(cases["score_1e308.xlsx"])
    assert "的得分“nan”不是数字" in msg(cases["score_nan.xlsx"])
    assert "填报日期填写的是公式“=TODAY()”" in msg(cases["date_formula.xlsx"])
    assert "“重点任务清单”不在原位置" in msg(cases["sheet_order_changed.xlsx"])
    assert "现位于 G4" in msg(cases["column_inserted.xlsx"])


def test_links_are_never_followed_out_of_the_inbox(run: Run) -> None:
    secret = run.box.outside / "文件夹外的附件1.xlsx"
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    assert digest not in {r["SHA-256"] for r in run.files}
    for name, r in run.row.items():
        if name.startswith("链接_") and name != "链接_文件夹内.xlsx":
            assert r["处理结果"] == Outcome.IGNORED.value and r["SHA-256"] is None, name
    inside = run.row["链接_文件夹内.xlsx"]
    assert inside["SHA-256"] == run.row["第二批/子文件夹/附件1.xlsx"]["SHA-256"]  # read, inside the inbox
    assert "passwd" not in run.out.with_suffix(".json").read_text("utf-8").replace("链接_系统文件", "")


# ---------------------------------------------------------------- part 3: nothing lost, nothing leaked


def test_inputs_are_never_modified_moved_or_deleted(run: Run) -> None:
    assert run.after == run.before
    assert not any(p.name.endswith(".part") for p in run.box.root.rglob("*"))


def test_summary_has_no_formula_anywhere(run: Run) -> None:
    wb = openpyxl.load_workbook(run.out)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                cells += 1
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    assert cells > 1000
    with zipfile.ZipFile(run.out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name)
                # no cell formula (<f>) anywhere; <xm:f> in a data bar's extension is a rule bound, not a cell
                assert not re.search(rb"<f[\s>/]", xml), name
                data = re.search(rb"<sheetData(?:\s[^>]*)?(?:/>|>.*?</sheetData>)", xml, re.S)
                assert data and not re.search(rb"<(?:\w+:)?f[\s>/]", data.group(0)), name


def test_formula_like_texts_are_shown_literally(run: Run) -> None:
    wb = openpyxl.load_workbook(run.out)
    texts = run.box.injections
    assert {t[0] for t in texts} >= {"=", "+", "-", "@"}

    def strings(sheet: str, column: str) -> set[str]:
        ws = wb[sheet]
        rows = list(ws.iter_rows())
        h = next(i for i, r in enumerate(rows) if any(c.value == column for c in r))
        col = next(c.column - 1 for c in rows[h] if c.value == column)
        out = set()
        for r in rows[h + 1 :]:
            c = r[col]
            if isinstance(c.value, str):
                assert c.data_type == "s", (sheet, c.coordinate)
                out.add(c.value)
        return out

    assert texts <= strings("问题台账", "扣分说明（佐证材料）")
    assert texts <= strings("任务清单明细", "完成情况（做法及佐证材料）")
    assert texts <= strings("任务清单明细", "存在问题及整改措施")
    assert '=HYPERLINK("x","y")附件2.xlsx' in strings("文件清单", "文件")
    values = strings("校验问题", "填写的内容")
    assert {"=1+1", "=cmd|' /C calc'!A0", '=HYPERLINK("http://127.0.0.1:9/","佐证")', "=TODAY()"} <= values


def test_correction_pack_never_turns_text_into_formulas(run: Run) -> None:
    """The corrected copies (退回修改) carry the submitted values back: as values, never as formulas."""
    forms = sorted((run.out.parent / "退回修改").glob("*.xlsx"))
    assert forms, "collect wrote no 退回修改 pack for an inbox whose branches must correct their forms"
    leaked = re.compile(rb"HYPERLINK|cmd|TODAY|1\+1|2\+2|A1&amp;B1|SUM\(1,2\)")
    for path in forms:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    for f in re.findall(rb"<f(?:\s[^>]*)?>([^<]*)</f>", z.read(name)):
                        assert not leaked.search(f), (path.name, f)


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def test_csv_exports_never_hold_a_live_formula(run: Run) -> None:
    paths = export_paths(run.out)
    fields: list[str] = []
    for key in ("scores", "tasks", "problems", "files"):
        for row in _csv_rows(paths[key]):
            fields += row
    for f in fields:
        if f.startswith(FORMULA_PREFIXES):
            assert NUMBER.fullmatch(f), f  # only plain numbers may start with '-' (or '+')
    quoted = set(fields)
    for text in run.box.injections:
        assert "'" + text in quoted, text
        assert text not in quoted, text
    assert "'" + '=HYPERLINK("x","y")附件2.xlsx' in quoted
    assert "'=cmd|' /C calc'!A0" in quoted
    json_text = paths["json"].read_text("utf-8")  # JSON is data, not a spreadsheet: texts stay as they are
    assert '"=1+1"' in json_text


# ---------------------------------------------------------------- part 3: killed mid-write

SLOW_WRITER = textwrap.dedent(
    '''
    """Test hook (tests/test_hostile_inbox.py): write the summary workbook half, signal, then hang."""
    import os

    if os.environ.get("DJ_TEST_SLOW_WRITE"):
        import time
        from pathlib import Path

        from dangjian_xlsx import atomic

        _real = atomic.write_all_atomic

        def write_all_atomic(files):
            files = [(Path(p), d) for p, d in files]
            if len(files) != 1 or files[0][0].name != "汇总表.xlsx":
                return _real(files)
            path, pieces = files[0]
            data = pieces if isinstance(pieces, bytes) else b"".join(pieces)

            def write(tmp):
                with open(tmp, "wb") as fh:
                    fh.write(data[: len(data) // 2])
                    fh.flush()
                    os.fsync(fh.fileno())
                    Path(os.environ["DJ_TEST_SLOW_WRITE"]).write_text(str(tmp), "utf-8")
                    time.sleep(120)
                    fh.write(data[len(data) // 2 :])

            return [atomic.write_atomic(path, write)]

        atomic.write_all_atomic = write_all_atomic
    '''
)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative POSIX path → bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_collect_killed_mid_write_keeps_the_previous_summary(run: Run, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out" / "汇总表.xlsx"
    inbox.mkdir()
    for name in ("00_clean_form1.xlsx", "01_clean_form2.xlsx"):
        (inbox / name).write_bytes((run.box.root / CASES_DIR / name).read_bytes())
    args = ["collect", str(inbox), "--out", str(out), "--roster", str(run.box.roster)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    previous = tree(out.parent)
    assert {"汇总表.xlsx", "汇总表.json", "汇总表_得分.csv"} <= set(previous)

    # a new file arrives: the interrupted run would write a different summary
    (inbox / "附件1.xlsx").write_bytes((run.box.root / "第二批/子文件夹/附件1.xlsx").read_bytes())
    hook, signal_file = tmp_path / "hook", tmp_path / "writing.txt"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_WRITER, "utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(REPO), env.get("PYTHONPATH", "")])
    env["DJ_TEST_SLOW_WRITE"] = str(signal_file)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dangjian_xlsx", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert signal_file.exists(), proc.communicate(timeout=5) if proc.poll() is not None else "timeout"
        part = Path(signal_file.read_text("utf-8"))
        # written aside, in the run's staging folder (issue 19: the outputs are replaced as one set)
        assert part.parent.parent == out.parent and part.parent.name.startswith(".dangjian-xlsx.")
        assert part.stat().st_size > 0
        assert proc.poll() is None  # still "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # the previous summary and exports: byte-identical, and the workbook still opens; beside them only the
    # killed run's lock and staging folder (issue 19) — which may hold what the helper sharing the writing had
    # finished (notices, feedback), and nothing more after its parent died: the helper ended with it
    time.sleep(1.5)
    left = tree(out.parent)
    kept = {k: v for k, v in left.items() if "上次" in k}
    staged = {k for k in left if k.startswith(f"{part.parent.name}/")}
    assert f"{part.parent.name}/{part.name}" in staged
    assert set(left) == {*previous, *kept, ".dangjian-xlsx.lock", *staged}
    time.sleep(1.0)
    assert tree(out.parent) == left, "a helper went on writing after its parent was killed"
    assert re.fullmatch(r"\.汇总表\.xlsx\.\d+\.[^.]+\.part", part.name), part.name
    for name, data in previous.items():
        assert left[name] == data, name
    for name, data in kept.items():
        assert data == previous[name.replace(".上次", "")], name
    files, _ = read_summary(out)
    assert sorted(r["文件"] for r in files) == ["00_clean_form1.xlsx", "01_clean_form2.xlsx"]

    # the next run writes the new summary and removes the killed run's leftover
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert not part.exists()
    assert not [p for p in tree(out.parent) if p.endswith(".part") or p.startswith(".")]
    assert {p.name for p in out.parent.iterdir() if "上次" not in p.name} == {
        p.split("/")[0] for p in previous
    }
    files, _ = read_summary(out)
    assert len(files) == 3


def test_stale_temp_files_of_live_writers_are_kept(tmp_path: Path) -> None:
    from dangjian_xlsx.atomic import remove_stale_temps, write_bytes_atomic

    target = tmp_path / "汇总表.xlsx"
    live = tmp_path / f".汇总表.xlsx.{os.getppid()}.abc.part"  # our parent process is alive
    dead = tmp_path / ".汇总表.xlsx.999999999.abc.part"  # no such process
    other = tmp_path / ".其他.xlsx.999999999.abc.part"  # another target's
    for p in (live, dead, other):
        p.write_bytes(b"x")
    assert remove_stale_temps(target) == [dead]
    write_bytes_atomic(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name, other.name])
    old = time.time() - 2 * 86400
    os.utime(live, (old, old))
    assert remove_stale_temps(target) == [live]


# ---------------------------------------------------------------- the table for the report


def test_table_lists_every_file(run: Run) -> None:
    from hostile_inbox import table_lines

    wb = openpyxl.load_workbook(run.out, read_only=True)
    rows = sheet_rows(wb["文件清单"])
    wb.close()
    codes = {k: [str(p["问题类别"]) for p in v] for k, v in run.by_file.items()}
    lines = table_lines(rows, codes)
    assert len(lines) == len(run.box.expected)


def test_a_batch_sweeps_its_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing N files removes the stale temporary files of each, with one folder scan rather than N."""
    from dangjian_xlsx import atomic

    targets = [tmp_path / f"{i:02d}_表.xlsx" for i in range(20)]
    dead = [tmp_path / f".{t.name}.999999999.abc.part" for t in targets[:3]]
    other = tmp_path / ".别的文件.xlsx.999999999.abc.part"  # not a target of this batch: kept
    for p in [*dead, other]:
        p.write_bytes(b"x")
    scans: list[object] = []
    real_scandir = os.scandir

    def counting_scandir(path: object) -> object:
        scans.append(path)
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "scandir", counting_scandir)
    written = atomic.write_all_atomic((t, t.name.encode()) for t in targets)
    assert written == targets and len(scans) == 1
    assert all(t.read_bytes() == t.name.encode() for t in targets)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(t.name for t in targets), other.name])


def test_a_batch_replaces_nothing_when_writing_one_file_fails(tmp_path: Path) -> None:
    """All files are written to temporary files before any is renamed: a failure while the third one is
    being built leaves the first two as they were, and no temporary file behind."""
    from dangjian_xlsx import atomic

    targets = [tmp_path / f"{i}.csv" for i in range(4)]
    for t in targets:
        t.write_bytes(b"old")

    def broken() -> Iterator[bytes]:
        yield b"half"
        raise RuntimeError("bug while building")

    files = [(t, b"new") for t in targets]
    files[2] = (targets[2], broken())
    with pytest.raises(RuntimeError):
        atomic.write_all_atomic(files)
    assert [t.read_bytes() for t in targets] == [b"old"] * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(t.name for t in targets)


def test_staged_files_replace_their_targets_at_the_end(tmp_path: Path) -> None:
    from dangjian_xlsx import atomic

    a, b = tmp_path / "a.json", tmp_path / "sub" / "b.csv"
    a.write_bytes(b"old")
    with atomic.staged([a, b]) as temps:
        assert [t.parent for t in temps] == [a.parent, b.parent] and all(
            t.name.endswith(".part") for t in temps
        )
        atomic.fill(temps[0], [b"n", b"ew"])
        atomic.fill(temps[1], b"b")
        assert a.read_bytes() == b"old" and not b.exists()  # nothing replaced before the end
    assert (a.read_bytes(), b.read_bytes()) == (b"new", b"b")
    assert oct(a.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    with pytest.raises(KeyError), atomic.staged([a]) as temps:
        atomic.fill(temps[0], b"never")
        raise KeyError("the caller failed")
    assert a.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "sub"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- FIFOs and names that are not UTF-8 (issue 19)


def test_a_fifo_given_as_the_inbox_is_refused(tmp_path: Path) -> None:
    """A FIFO as the inbox: a Chinese usage error (exit 2), nothing read (opening it would wait forever),
    no summary written."""
    fifo = tmp_path / "收件"
    os.mkfifo(fifo)
    out = tmp_path / "out" / "汇总表.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(fifo), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "不是文件夹" in result.output and "命名管道" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_a_fifo_in_the_inbox_is_listed_not_read(tmp_path: Path, campaign: Campaign) -> None:
    from dangjian_xlsx.collect import run_collect

    os.mkfifo(tmp_path / "附件1.xlsx")
    [rec] = run_collect(tmp_path, campaign).files  # returns: the FIFO was never opened
    assert rec.path == "附件1.xlsx" and rec.outcome is Outcome.IGNORED and "不是普通文件" in rec.reason


def test_a_gbk_name_and_a_utf8_name_never_show_as_one_path(tmp_path: Path, campaign: Campaign) -> None:
    """The same text as GBK bytes and as UTF-8 bytes: two entries, two different paths in 文件清单; a name
    neither decodes shows its bytes (\\xff), never U+FFFD (two such names would look alike)."""
    from dangjian_xlsx.collect import run_collect

    root = os.fsencode(tmp_path)
    for raw in ("文学院附件1.xlsx".encode("gbk"), "文学院附件1.xlsx".encode(), b"x\xff.xlsx", b"x\xfe.xlsx"):
        with open(root + b"/" + raw, "wb") as fh:
            fh.write(b"not a form")
    paths = sorted(r.path for r in run_collect(tmp_path, campaign).files)
    assert paths == ["x\\xfe.xlsx", "x\\xff.xlsx", "文学院附件1.xlsx", "文学院附件1.xlsx（GBK）"]
