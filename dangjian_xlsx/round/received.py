"""What a notice says about a file received for a branch that could not be counted: which file, how it was
attributed to the branch, why it could not be used (a 自查报告 that could not be opened: why, and to export it
again); for a file held 身份存疑, the two names the evidence gives and what each of the two branches should send.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..catalog import name_variants, normalize
from ..forms import form_filename
from ..layout import form_label
from ..messages import Code
from ..models import Branch, Catalog, FileRecord, FormKind

_SUFFIX = re.compile(r"\.[^./]*$")
# the evidence named in an `identity-doubt` problem ("…但文件名是“…”")
_EVIDENCE = re.compile(r"但(.{1,20}?)是“")
TEXT_EVIDENCE = "表格中的文字"
FOLDER_TOLD = "组织部收件时所归的文件夹"  # a file attributed by the clerk's inbox folder, said to the branch


def _by(attribution: str) -> str:
    """How collect told the branch, in the branch's terms: the folder is the one 组织部 sorted the file into."""
    return FOLDER_TOLD if attribution == "文件夹名" else attribution


def received_line(rec: FileRecord, who: str, quoted: str) -> str:
    """“收到文件“X”（按文件名判断为你单位的文件），未能使用：文件已加密。” — `quoted` is how the notice names
    the file, in quotes (its own name, never the clerk's inbox folders)."""
    how = f"（按{_by(rec.attribution)}判断为{who}的文件）" if rec.attribution else ""
    why = f"：{rec.reason}" if rec.reason else ""
    return f"  收到文件{quoted}{how}，未能使用{why}。"


REPORT_AGAIN = "请重新导出为 Word 或 PDF 后发送"


def unreadable_report_line(rec: FileRecord, who: str, why: str, quoted: str, *, ask: bool = True) -> str:
    """“收到文件“X”（按文件名判断为你单位的自查报告），但无法打开（原因）：请重新导出为 Word 或 PDF 后发送。”
    (without what to do when `ask` is False: the branch's 自查报告 counts by another file)."""
    how = f"（按{_by(rec.attribution)}判断为{who}的自查报告）" if rec.attribution else ""
    return f"  收到文件{quoted}{how}，但无法打开（{why}）" + (f"：{REPORT_AGAIN}。" if ask else "。")


def evidence(f: FileRecord, named: Branch) -> str:
    """Where the file names `named` (the claimant): the evidence collect recorded in its `identity-doubt`
    problem (文件名, 文件夹名, 表头党总支名称, the text …), else found again in the path."""
    for p in f.problems:
        if p.code == Code.IDENTITY_DOUBT and p.value == named.name:
            if p.field:
                return p.field
            if m := _EVIDENCE.search(p.message):
                return m.group(1)
    parts = [normalize(p) for p in f.path.split("/")]
    stem = _SUFFIX.sub("", parts[-1])
    variants = name_variants(named)  # the ways collect itself recognises the name (catalog.names)
    if any(v in stem for v in variants):
        return "文件名"
    if any(v in folder for folder in parts[:-1] for v in variants):
        return "文件夹名"
    return TEXT_EVIDENCE


def doubt_lines(
    f: FileRecord,
    kind: FormKind | None,
    branch: Branch,
    current: FileRecord | None,
    catalog: Catalog,
    quoted: Callable[[FileRecord], str],
) -> tuple[str, list[str]]:
    """A file held 身份存疑 as `branch` is told of it: the form's own branch (identity) or the branch the
    file or folder name or the text names (claimant). `current` is `branch`'s counted file of that form;
    `quoted` names a file as the notice does, in quotes."""
    assert kind is not None and f.branch is not None and f.claimant is not None
    label, own, unit = form_label(catalog, kind), form_filename(kind, branch, catalog), catalog.unit
    if f.branch.name == branch.name:
        where = evidence(f, f.claimant)
        resend = f"请以“{own}”为文件名重新发送" + (
            "" if where in ("文件名", "文件夹名") else f"（表中不要写其他{unit}的名称）"
        )
        named = (
            f"组织部收件时将它归在“{f.claimant.name}”的文件夹中"
            if where == "文件夹名"
            else f"{where}写的是“{f.claimant.name}”"
        )
        lines = [f"  收到文件{quoted(f)}，表格属于你单位，但{named}：本文件暂未计入。"]
        if current is not None:
            lines.append(f"  你单位的{label}仍按{quoted(current)}计入，不受影响。")
            lines.append(
                f"  如该文件也是你单位的材料（例如更新后的版本），{resend}；"
                f"如不是你单位的材料，无需处理，组织部将与“{f.claimant.name}”核实。"
            )
        else:
            lines.append(
                f"  如是你单位的材料，{resend}；如不是，请使用下发的“{own}”填写后报送"
                f"（组织部将与“{f.claimant.name}”核实该文件）。"
            )
        return f"{label}：收到一份身份存疑的文件（表格属于你单位）", lines
    where = evidence(f, branch)
    named = "组织部收件时将它归在你单位的文件夹中" if where == "文件夹名" else f"{where}写的是你单位"
    lines = [f"  收到文件{quoted(f)}，{named}，但表格是“{f.branch.name}”的表格：本文件暂未计入。"]
    if current is None:
        lines.append(
            f"  请用组织部下发给你单位的表格“{own}”填写后重新发送（打开后表头“{unit}名称”一栏应为“{branch.name}”；"
            f"如找不到，请向组织部索取），不要在其他{unit}的表格上填写。"
        )
    else:
        lines.append(
            f"  你单位的{label}按{quoted(current)}计入。如{quoted(f)}是你单位更新的内容，"
            f"请用组织部下发给你单位的表格（表头“{unit}名称”为“{branch.name}”）填写后重新发送；否则无需处理。"
        )
    return f"{label}：收到一份身份存疑的文件（表格属于其他{unit}）", lines
