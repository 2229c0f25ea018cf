"""`make bench`'s own code paths, at a toy size (no timing is asserted: that is the benchmark's job).

The real-return inbox needs LibreOffice: those tests are marked `office`. The rest checks, without it, the
bench's run over the generator-prefilled inbox, the province report, the rewriting of cell values inside a
workbook's own XML (xlsxvary) and the check that refuses an inbox collect does not accept.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import struct
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import require_office

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import prefilled, returns, round, run, templates, xlsxvary, zipframe  # noqa: E402
from dangjian_xlsx.collect import check_files  # noqa: E402
from dangjian_xlsx.forms import BRANCH_FORMS, build_form, form_filename  # noqa: E402
from dangjian_xlsx.layout import C_DONE, C_ISSUES, C_NOTE, C_SCORE, C_SUBTOTAL, Field, a1, form_layout  # noqa: E402
from dangjian_xlsx.models import FormKind, Outcome  # noqa: E402

QUIET = {"log": lambda msg: None}


# ---------------------------------------------------------------- the bench over the generator-prefilled inbox


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    return run.run_benchmark(n=5, repeat=1, scales=(2,), every=2, out=out, real=False, **QUIET)


def test_every_stage_measured_at_every_size(result: dict) -> None:
    assert result["sizes"] == [2, 5]
    for n in (2, 5):
        rows = result["results"][n]
        assert list(rows) == [*run.BENCH_STAGES, *(["kinds"] if n == 5 else [])]
        for stage in run.BENCH_STAGES:
            row = rows[stage]
            assert row.files == 2 * n, stage
            assert row.seconds > 0 and row.ms_per_file > 0 and row.files_per_s > 0, stage
            assert row.cpu_seconds > 0 and row.peak_mb > 0, stage
        assert rows["naive"].measured == n  # every 2nd of 2n files
        assert rows["floor2"].workers == 2 and rows["floor1"].workers == rows["floor1ng"].workers == 0
        assert sum(rows["collect"].extra["outcomes"].values()) == 2 * n


def test_kinds_split_the_inbox(result: dict) -> None:
    kinds = result["results"][5]["kinds"].extra["kinds"]
    # seq 5's 附件1 is the one workbook in ten re-saved by openpyxl
    assert {k: v["files"] for k, v in kinds.items()} == {"prefilled": 9, "prefilled-openpyxl": 1}
    for k in kinds.values():
        assert k["read"] > 0 and k["floor"] > 0 and k["naive"] > 0 and k["naive_timed"] >= 1
        assert sum(k["outcomes"].values()) == k["files"]


def test_report_has_the_tables_and_ratios(result: dict) -> None:
    from bench import report

    text = report.format_report(result)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| 阶段 stage") and "files/s" in line)
    assert len(header.strip("|").split("|")) == len(report.TABLE_HEADER)
    for stage in run.BENCH_STAGES:
        row = next(line for line in lines if line.startswith(f"| {report.LABELS[stage]}"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == len(report.TABLE_HEADER)
        assert float(cells[2]) > 0 and float(cells[3]) > 0  # seconds, ms per file
    for needle in ("naive / ours", "ours / floor (2 procs)", "ours / floor (1 proc)", "ours / floor (zlib-ng)",
                   "per workbook", "N=2 → N=5", "generator-prefilled (every 10th"):  # fmt: skip
        assert needle in text
    kind_rows = [line for line in lines if line.startswith(f"| {run.KIND_LABELS['prefilled']}")]
    assert len(kind_rows) == 1 and len(kind_rows[0].strip("|").split("|")) == len(report.KIND_HEADER)
    ratios = report.ratios(result["results"][5])
    assert all(v > 0 for v in ratios.values())
    assert re.search(r"collect peak memory N=5 / N=2: \d+\.\d\d×", text)
    rows, cpus = result["results"][5], result["cpus"] or 2
    cpu = rows["collect"].cpu_ms_per_file / rows["floor1"].cpu_ms_per_file
    assert f"collect spends {cpu:.1f}× the 1-process floor's CPU" in text
    assert f"over {cpus} cores that is {cpu / cpus:.1f}× the floor" in text
    busy = rows["floor2"].cpu_ms_per_file / rows["floor1"].cpu_ms_per_file - 1
    assert (
        f"with both cores busy, the unzip floor took {busy:+.0%} CPU per file against one core alone" in text
    )


def test_memory_comes_from_a_run_of_its_own(result: dict) -> None:
    """The timed runs are not watched (polling every process's memory takes CPU from a stage on both cores):
    each stage's memory comes from one more run, whose time is shown apart."""
    from bench import report

    for stage in run.BENCH_STAGES:
        row = result["results"][5][stage]
        assert row.runs == 1 and row.extra["watched_seconds"] > 0, stage
    collect = result["results"][5]["collect"]
    assert f"(collect in the run whose memory was watched: {collect.extra['watched_seconds']:.2f} s)" in (
        report.format_report(result)
    )


def test_collects_memory_is_the_median_of_several_watched_runs(result: dict) -> None:
    """A collect's peak varies from run to run (what its reader processes inherit when they start): its memory
    is watched three times and the median run's shown, every part of it (by process, by phase) from that run;
    the report lists the peaks it was chosen from. The other stages are watched once."""
    from bench import report

    text = report.format_report(result)
    for n in (2, 5):
        collect = result["results"][n]["collect"]
        peaks = collect.extra["watched_peaks_mb"]
        assert len(peaks) == 3 and collect.peak_mb == sorted(peaks)[1]
        assert (
            collect.main_mb <= collect.peak_mb and 0 < collect.extra["resident_start_mb"] <= collect.main_mb
        )
        assert result["results"][n]["floor1"].extra["watched_peaks_mb"] == [
            result["results"][n]["floor1"].peak_mb
        ]
    shown = ", ".join(f"{mb:.0f}" for mb in sorted(result["results"][5]["collect"].extra["watched_peaks_mb"]))
    assert f"(collect's peak memory in 3 watched runs: {shown} MB; the median run's is shown)" in text


def test_the_median_run_is_one_of_the_runs() -> None:
    from bench.rows import median_row, median_run
    from bench.stages import Sample

    def sample(peak: float, seconds: float) -> Sample:
        return Sample(
            "collect", 5, 10, 10, seconds, seconds, peak - 10, 1, 10.0, 20.0, {"dj-write": (10.0, 1)}
        )

    runs = [sample(216, 1.4), sample(177, 1.3), sample(180, 1.5)]
    assert median_run(runs) is runs[2]
    assert median_run(runs[:2]) is runs[1]  # of two, the lower
    row = median_row([sample(0, 1.0)], runs)
    assert (row.peak_mb, row.main_mb, row.extra["watched_seconds"]) == (180, 170, 1.5)
    assert row.roles == {"dj-write": (10.0, 1)}


@pytest.mark.parametrize(("argv", "runs"), [([], 3), (["--memory-runs", "5"], 5), (["--quick"], 1)])
def test_memory_runs_option(monkeypatch: pytest.MonkeyPatch, argv: list[str], runs: int) -> None:
    seen: dict = {}
    monkeypatch.setattr(run, "run_benchmark", lambda *a, **kw: seen.update(kw) or {})
    monkeypatch.setattr(run, "format_report", lambda res: "")
    assert run.main(argv) == 0
    assert seen["memory_runs"] == runs


_TREE = """
import os, time
data = bytearray(8 << 20)  # this process's own memory, then a child's, both kept a while
if os.fork() == 0:
    mine = bytearray(8 << 20)
    end = time.process_time() + 0.3
    while time.process_time() < end:  # CPU the watch can see
        pass
    time.sleep(0.4)
    os._exit(0)
os.wait()
"""


@pytest.mark.parametrize("memory", [True, False])
def test_a_timed_run_looks_at_its_workers_cpu_only(memory: bool) -> None:
    """A timed run's watch reads no memory (polling it would slow what is timed): only which workers there
    were and their CPU; a watched run's, every process's peak and each worker's private memory."""
    import subprocess

    from bench.watch import TreeMonitor

    proc = subprocess.Popen([sys.executable, "-c", _TREE])
    watch = TreeMonitor(proc.pid, memory)
    watch.start()
    proc.wait()
    watch.stop()
    assert len(watch.seen) == 1 and proc.pid not in watch.seen  # the forked child
    (child,) = watch.seen
    assert watch.ticks[child] > 0
    if memory:
        assert watch.hwm[proc.pid] > 8 << 10 and watch.private[child] > 8 << 10  # kB
    else:
        assert watch.hwm == {} and watch.private == {}


_COPIED = """
import os, sys, time
data = bytearray(b"x" * (16 << 20))  # resident in this process, shared with the child at the fork
if os.fork() == 0:
    time.sleep(1.0)  # seen first as forked (the watch's first look at it may come late on a busy machine)
    if sys.argv[1] == "parent":
        for i in range(0, len(data), 4096):  # a write into every shared page: each becomes its own copy
            data[i] = 1
    else:
        mine = bytearray(b"y" * (16 << 20))  # new memory of its own
    time.sleep(0.5)
    os._exit(0)
os.wait()
"""


@pytest.mark.parametrize("writes", ["parent", "own"])
def test_copied_pages_are_told_from_new_memory(writes: str) -> None:
    """A worker's private memory is new memory of its own or its parent's pages copied on write (what a
    forked helper costs when it, or its parent, writes to pages they shared): the watch tells them apart."""
    import subprocess

    from bench.watch import TreeMonitor

    proc = subprocess.Popen([sys.executable, "-c", _COPIED, writes])
    watch = TreeMonitor(proc.pid, memory=True)
    watch.start()
    proc.wait()
    watch.stop()
    (child,) = watch.seen
    assert watch.private[child] > 15 << 10  # kB: 16 MB either way
    # copied: 16 MB, less what was already private when the watch first saw the child (a late first look);
    # new memory of its own: next to none
    if writes == "parent":
        assert watch.copied[child] > 12 << 10
    else:
        assert watch.copied[child] < 2 << 10


def test_inbox_is_cached(result: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.getbasetemp() / "bench0"
    inbox = prefilled.prepare_inbox(5, out, log=lambda msg: pytest.fail("rebuilt a cached inbox"))
    files = run.inbox_files(inbox)
    assert len(files) == 10 and all(p.suffix == ".xlsx" for p in files)


def test_province_report(tmp_path: Path) -> None:
    res = run.run_benchmark(
        n=3, repeat=1, scales=(2,), every=2, out=tmp_path, real=False, province=True, **QUIET
    )
    assert [list(res["results"][n]) for n in (2, 3)] == [list(run.PROVINCE_STAGES)] * 2
    from bench import report

    text = report.format_report(res)
    hi, lo = res["results"][3]["collect"], res["results"][2]["collect"]
    assert re.search(rf"collect wall time\s+{hi.seconds:.1f} s\s+target < 30 s", text)
    assert re.search(rf"collect peak memory\s+{hi.peak_mb:.0f} MB\s+target < 400 MB", text)
    assert re.search(rf"peak memory 4 → 6 files\s+{hi.peak_mb / lo.peak_mb:.2f}×\s+target ≤ 1.5×", text)
    for n, row in ((4, lo), (6, hi)):
        peaks = ", ".join(f"{mb:.0f}" for mb in sorted(row.extra["watched_peaks_mb"]))
        assert f"({n} files: collect's peak in 3 watched runs {peaks} MB; the median run's is used)" in text
    floors = res["results"][3]
    busy = floors["floor2"].cpu_ms_per_file / floors["floor1"].cpu_ms_per_file - 1
    assert f"with both cores busy, the unzip floor took {busy:+.0%} CPU per file" in text
    # the collecting process's resident size at each phase boundary, and its growth split between the phases
    marks = [hi.extra[k] for k in ("resident_start_mb", "resident_read_mb", "resident_tables_mb")]
    assert 0 < marks[0] <= hi.main_mb and all(m <= hi.main_mb for m in marks)
    shown = ", ".join(f"{m:.0f} MB" for m in marks)
    assert re.search(rf"resident size: {marks[0]:.0f} MB before reading, .*peak {hi.main_mb:.0f} MB", text)
    assert all(f"{m:.0f} MB" in text for m in marks), shown
    phases = re.search(r"\(main by phase, KB/file: (.*)\)", text)
    assert phases is not None
    parts = [float(x) for x in re.findall(r"[+-]\d+\.\d", phases.group(1))]
    assert len(parts) == 4
    assert sum(parts) == pytest.approx((hi.main_mb - lo.main_mb) * 1024 / (hi.files - lo.files), abs=0.25)


# ---------------------------------------------------------------- rewriting values inside a workbook's XML


def _template_values(kind: FormKind, campaign, pattern: int = 1) -> dict:
    """A template's values typed into the generator's form (templates.typed_values, as prefill values)."""
    lay = form_layout(campaign.catalog, kind)
    by_cell = {c.a1: (c.field, c.ref_id) for c in lay.inputs}
    values: dict = {}
    for cell, typed in templates.typed_values(campaign, kind, pattern):
        key = by_cell[cell]
        if key[0] is Field.DATE:
            values[key] = dt.date.fromisoformat(typed)
        elif key[0] is Field.SCORE:
            values[key] = float(typed)
        else:
            values[key] = typed
    return values


@pytest.fixture(scope="module", params=["generator", "openpyxl"])
def made(request: pytest.FixtureRequest) -> dict[FormKind, xlsxvary.Template]:
    """Templates from the generator's own prefilled forms (XlsxWriter's shared strings) or the same re-saved
    by openpyxl (its own package), with the template branch's name and number marked for renaming."""
    campaign = templates.template_campaign()
    branch = campaign.roster[0]
    out = {}
    for kind in BRANCH_FORMS:
        data = build_form(campaign, kind, branch, prefill=_template_values(kind, campaign))
        if request.param == "openpyxl":
            data = prefilled.resave(data)
        sheet = form_layout(campaign.catalog, kind).sheet
        out[kind] = xlsxvary.Template(data, sheet, *templates.marks(branch))
    return out


def test_varied_copy_reads_back_as_its_branch(made: dict, tmp_path: Path) -> None:
    campaign = round.bench_campaign(12)
    branch = campaign.roster[11]
    for kind, tpl in made.items():
        numbers, texts = returns.varied_values(campaign, kind, tpl, random.Random(7))
        assert texts  # the template has text slots (notes, 完成情况, 整改措施)
        path = tmp_path / form_filename(kind, branch)
        path.write_bytes(tpl.vary(numbers, texts, templates.renames(branch)))
        (rec,) = check_files([path], campaign)
        assert rec.outcome is Outcome.ACCEPTED and not rec.problems, [p.message for p in rec.problems]
        assert rec.branch == branch and rec.kind is kind
        lay = form_layout(campaign.catalog, kind)
        sub = rec.submission
        assert sub is not None and sub.fill_date == dt.date(1899, 12, 30) + dt.timedelta(
            days=numbers[lay.input(Field.DATE).a1]
        )
        if kind is FormKind.SCORING:
            got = {s.item_id: (s.score, s.note) for s in sub.scores}
            for item in campaign.catalog.items:
                row = lay.item_rows[item.id]
                note = a1(row, C_NOTE)
                if note in texts:
                    assert got[item.id] == (numbers[a1(row, C_SCORE)], texts[note])
        else:
            answers = {a.task_id: a for a in sub.answers}
            for task in campaign.catalog.tasks:
                row = lay.item_rows[task.id]
                for col, got in ((C_DONE, answers[task.id].done), (C_ISSUES, answers[task.id].issues)):
                    if a1(row, col) in texts:
                        assert got == texts[a1(row, col)]
        wb = openpyxl.load_workbook(path)  # the branch's number renamed in the 填表说明 too
        guide = " ".join(str(c.value) for r in wb["填表说明"].iter_rows() for c in r if c.value)
        assert f"{branch.name}（编号 {branch.id}）" in guide and templates.TEMPLATE_NAME not in guide


def test_vary_changes_only_what_it_is_given(made: dict) -> None:
    tpl = made[FormKind.SCORING]
    campaign = templates.template_campaign()
    lay = form_layout(campaign.catalog, FormKind.SCORING)
    first = campaign.catalog.items[0]
    ref = a1(lay.item_rows[first.id], C_SCORE)
    data = tpl.vary({ref: 0.0}, {})
    old, new = zipfile.ZipFile(io.BytesIO(tpl.data)), zipfile.ZipFile(io.BytesIO(data))
    assert [i.filename for i in old.infolist()] == [i.filename for i in new.infolist()]
    changed = [i.filename for i in old.infolist() if old.read(i) != new.read(i.filename)]
    assert changed == [tpl.sheet_part]
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[lay.sheet]
    before = openpyxl.load_workbook(io.BytesIO(tpl.data), data_only=True)[lay.sheet]
    assert ws[ref].value == 0
    # every other value as it was; a formula's cached result (where the program saved one) follows
    formulas = {r for r, c in tpl.cells.items() if c.formula}
    for row in before.iter_rows():
        for cell in row:
            if cell.coordinate != ref and cell.coordinate not in formulas:
                assert ws[cell.coordinate].value == cell.value, cell.coordinate
    section = next(s for s in lay.section_spans if s[1] <= lay.item_rows[first.id] <= s[2])
    subtotal = a1(section[1], C_SUBTOTAL)
    assert subtotal in formulas
    scores = [ws.cell(row=r + 1, column=C_SCORE + 1).value for r in range(section[1], section[2] + 1)]
    assert ws[subtotal].value == (
        sum(scores) if tpl.cells[subtotal].end > tpl.cells[subtotal].start else None
    )


def test_vary_refuses_a_cell_without_a_value_of_its_own(made: dict) -> None:
    tpl = made[FormKind.SCORING]
    campaign = templates.template_campaign()
    lay = form_layout(campaign.catalog, FormKind.SCORING)
    with pytest.raises(ValueError, match="no number"):
        tpl.vary({lay.input(Field.BRANCH).a1: 1.0}, {})
    with pytest.raises((ValueError, KeyError)):
        full = next(i for k, i in enumerate(campaign.catalog.items) if not templates.deducted(k, 1))
        tpl.vary({}, {a1(lay.item_rows[full.id], C_NOTE): "没有这个格子的文字"})


def test_formulas_evaluated() -> None:
    nums = {"E5": 2.0, "E6": 1.5, "E7": None}
    texts = {"C5": "已完成", "C6": "持续推进", "C7": "已完成"}
    assert xlsxvary.evaluate("SUM(E5:E7)", nums.get, texts.get) == 3.5
    assert (
        xlsxvary.evaluate('"已完成 "&COUNTIF($C$5:$C$7,"已完成")&" 项"', nums.get, texts.get) == "已完成 2 项"
    )
    assert xlsxvary.evaluate("AVERAGE(E5:E7)", nums.get, texts.get) is None


def test_rezip_keeps_the_framing() -> None:
    """A zip written with data descriptors (as LibreOffice writes) keeps them; untouched members keep their
    bytes; the changed member reads back."""

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b) -> int:  # type: ignore[override]
            self.buf += b
            return len(b)

    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", "<a>" + "x" * 500 + "</a>")
        z.writestr("b.xml", "<b>old</b>")
        z.writestr("c.xml", "<c/>")
    data = bytes(sink.buf)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert all(i.flag_bits & 0x08 for i in infos)
    new = zipframe.rezip(data, infos, {"b.xml": b"<b>new, longer than before</b>"})
    z = zipfile.ZipFile(io.BytesIO(new))
    assert z.testzip() is None
    assert z.read("b.xml") == b"<b>new, longer than before</b>" and z.read("c.xml") == b"<c/>"
    b = z.getinfo("b.xml")
    name_len, extra_len = struct.unpack_from("<HH", new, b.header_offset + 26)
    assert struct.unpack_from("<LLL", new, b.header_offset + 14) == (0, 0, 0)  # left zero, as written
    end = b.header_offset + 30 + name_len + extra_len + b.compress_size
    assert new[end : end + 16] == struct.pack("<4sLLL", b"PK\x07\x08", b.CRC, b.compress_size, b.file_size)
    a = infos[0]
    assert new[: infos[1].header_offset] == data[: infos[1].header_offset] and a.filename == "a.xml"


# ---------------------------------------------------------------- the check before a real inbox is used


def test_check_refuses_an_inbox_collect_does_not_accept(tmp_path: Path) -> None:
    from fill import clean_values

    campaign = round.bench_campaign(2)
    expected = {}
    for branch in campaign.roster:
        for kind in BRANCH_FORMS:
            name = form_filename(kind, branch)
            (tmp_path / name).write_bytes(
                build_form(campaign, kind, branch, prefill=clean_values(campaign.catalog, kind))
            )
            expected[name] = {"seq": branch.seq, "form": kind.value, "kind": "lo-xlsx"}
    counts = returns.check_inbox(tmp_path, expected, campaign)
    assert counts == {"files_total": 4, "accepted_files": 4, "quality_ok": 2, "scored": 2, "tasks_counted": 2}
    # one file filed under the other branch's number: collect still reads it, for its own branch
    wrong = dict(expected)
    first = next(iter(wrong))
    wrong[first] = {**wrong[first], "seq": 2}
    with pytest.raises(SystemExit, match=re.escape(first)):
        returns.check_inbox(tmp_path, wrong, campaign)
    # one score left blank: the file is 需修改, the summary counts one fewer complete 附件1
    blank = form_filename(FormKind.SCORING, campaign.roster[1])
    values = clean_values(campaign.catalog, FormKind.SCORING)
    del values[(Field.SCORE, campaign.catalog.items[0].id)]
    (tmp_path / blank).write_bytes(build_form(campaign, FormKind.SCORING, campaign.roster[1], prefill=values))
    with pytest.raises(SystemExit, match=r"(?s)" + re.escape(blank) + r".*'scored': 1"):
        returns.check_inbox(tmp_path, expected, campaign)


def test_the_mix() -> None:
    counts = {k: returns.CYCLE.count(k) for k in returns.KINDS}
    assert counts == {"lo-xlsx": 28, "openpyxl": 8, "xls": 2, "ods": 2}
    for kind in ("openpyxl", "xls", "ods"):  # each holds both forms (even positions 附件1, odd 附件2)
        assert {k % 2 for k, c in enumerate(returns.CYCLE) if c == kind} == {0, 1}, kind
    assert returns.mix_text().startswith("70 % LibreOffice .xlsx, 20 % openpyxl")


# ---------------------------------------------------------------- the real-return inbox (LibreOffice)


@pytest.fixture(scope="module")
def office_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_office(uno=True)
    return tmp_path_factory.mktemp("bench_office")


@pytest.mark.office
def test_real_inbox(office_out: Path) -> None:
    n = 12  # 24 files: both forms of every kind (the cycle's .xls/.ods slots 2, 3, 22, 23)
    inbox = returns.prepare_returns(n, office_out, **QUIET)
    manifest = returns.manifest(inbox)
    assert sorted(manifest) == sorted(p.name for p in inbox.iterdir())
    kinds = {(m["kind"], m["form"]) for m in manifest.values()}
    assert kinds == {(k, f.value) for k in returns.KINDS for f in BRANCH_FORMS}
    campaign = round.bench_campaign(n)
    records = {Path(r.path).name: r for r in check_files(sorted(inbox.iterdir()), campaign)}
    for name, m in manifest.items():
        rec = records[name]
        assert rec.outcome is Outcome.ACCEPTED and not rec.problems, name
        assert rec.branch is not None and rec.branch.seq == m["seq"] and rec.kind.value == m["form"]
        assert Path(name).suffix == {"xls": ".xls", "ods": ".ods"}.get(m["kind"], ".xlsx")
        if m["kind"] in ("lo-xlsx", "openpyxl"):
            _same_as_openpyxl_reads_it(inbox / name, rec, m["kind"])
    # the varied copies differ between branches: no two 附件1 carry the same scores and notes
    firsts = [r.submission.scores for r in records.values() if r.kind is FormKind.SCORING]
    assert len({tuple(s) for s in firsts}) == len(firsts)
    stamp = json.loads((office_out / f"returns-{n}.json").read_text("utf-8"))
    assert stamp["checked"]["accepted_files"] == 2 * n
    # cached: a second call builds nothing
    again = returns.prepare_returns(n, office_out, log=lambda msg: pytest.fail(f"rebuilt: {msg}"))
    assert again == inbox


def _same_as_openpyxl_reads_it(path: Path, rec, kind: str) -> None:
    """An independent reader (openpyxl) sees the values collect read, the branch's name in the header and, in
    LibreOffice's files, the subtotals' cached results following the varied scores."""
    wb = openpyxl.load_workbook(path, data_only=True)
    campaign = round.bench_campaign(12)
    lay = form_layout(campaign.catalog, rec.kind)
    ws = wb[lay.sheet]
    assert ws[lay.input(Field.BRANCH).a1].value == rec.branch.name
    app = zipfile.ZipFile(path).read("docProps/app.xml").decode()
    assert ("LibreOffice" in app) == (kind == "lo-xlsx")
    if rec.kind is not FormKind.SCORING:
        return
    for s in rec.submission.scores:
        row = lay.item_rows[s.item_id]
        assert ws[a1(row, C_SCORE)].value == s.score and (ws[a1(row, C_NOTE)].value or "") == s.note
    for _sid, first, last in lay.section_spans:
        cached = ws.cell(row=first + 1, column=C_SUBTOTAL + 1).value
        scores = sum(ws.cell(row=r + 1, column=C_SCORE + 1).value for r in range(first, last + 1))
        assert cached == (scores if kind == "lo-xlsx" else None)


@pytest.mark.office
def test_varied_text_has_the_runs_libreoffice_gives_it(office_out: Path) -> None:
    """A text written into a LibreOffice template is marked up as LibreOffice marks up the same text typed in."""
    texts = ["S01.4：述职述责述廉材料已收集，督促检查记录偏少", "记录缺少3月、4月，会议纪要不完整", "纯中文说明没有数字",
             "a b 中文 c-d 2018 年", "（PPT 第3页）已 OK。"]  # fmt: skip
    campaign = templates.template_campaign()
    blank = office_out / "blank.xlsx"
    blank.write_bytes(build_form(campaign, FormKind.SCORING, campaign.roster[0]))
    lay = form_layout(campaign.catalog, FormKind.SCORING)
    rows = [lay.item_rows[i.id] for i in campaign.catalog.items[: len(texts) + 1]]
    typed = [*texts, "模板扣分说明2-3"]  # the last as a template's note
    edits = [
        {"sheet": lay.sheet, "cell": a1(r, C_NOTE), "value": t} for r, t in zip(rows, typed, strict=True)
    ]
    saved = office_out / "typed.xlsx"
    templates.run_driver(
        [{"input": str(blank), "edits": edits, "outputs": [{"path": str(saved), "format": "xlsx"}]}], 120
    )
    sst = zipfile.ZipFile(saved).read("xl/sharedStrings.xml").decode()
    entries = {xlsxvary.entry_text(e): e for e in xlsxvary.ENTRY.findall(sst)}
    like = entries["模板扣分说明2-3"]
    assert "<r>" in like  # LibreOffice gives a mixed-script text one run per script
    for t in texts:
        assert xlsxvary.styled_entry(t, like) == entries[t], t


@pytest.mark.office
def test_bench_over_real_returns(office_out: Path) -> None:
    from bench import report

    res = run.run_benchmark(n=4, repeat=1, scales=(), every=2, out=office_out, real=True, **QUIET)
    rows = res["results"][4]
    assert list(rows) == [*run.BENCH_STAGES, *run.PREFILLED_STAGES, "kinds"]
    assert rows["collect"].extra["outcomes"] == {Outcome.ACCEPTED.value: 8}
    assert rows["collect_pre"].files == rows["floor1_pre"].files == 8
    kinds = rows["kinds"].extra["kinds"]
    assert {k: v["files"] for k, v in kinds.items()} == {
        "lo-xlsx": 4,
        "openpyxl": 2,
        "xls": 1,
        "ods": 1,
        "prefilled": 8,
    }
    for k in ("lo-xlsx", "openpyxl", "xls", "ods"):
        assert kinds[k]["outcomes"] == {Outcome.ACCEPTED.value: kinds[k]["files"]}
    text = report.format_report(res)
    assert "prefilled / floor (1 p.)" in text and "real returns (70 % LibreOffice .xlsx" in text
    for kind in ("lo-xlsx", "openpyxl", "xls", "ods", "prefilled"):
        assert any(line.startswith(f"| {run.KIND_LABELS[kind]}") for line in text.splitlines()), kind


def test_bench_package_is_importable_as_the_makefile_runs_it() -> None:
    """`make bench` runs bench/run.py as a script: it finds its own package."""
    import subprocess

    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "--province" in done.stdout
