"""The 督查 page's files: the filled 督查评分表 the clerk uploads, stored into 收件/ as they came (never over
another file: a refreshed 督查评分表 lies beside the old one, and collect counts the newest), the forms of
督查评分表/ handed out, and the job that writes them (the CLI's `inspect`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .. import aggregate as ag
from ..errors import UserError
from . import actions
from .inbox_upload import receive
from .inspection_view import eligible_branches
from .jobs import Progress, Work
from .state import RoundState

ZIP_NAME = "督查评分表.zip"


@dataclass
class Stored:
    """What became of the uploaded files: the names they were stored under in 收件/, and the refused ones."""

    names: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def store_uploads(inbox: Path, uploads: Iterable[tuple[str, BinaryIO]]) -> Stored:
    """Each (file name, stream) stored byte for byte into `inbox` as the 收件 page stores a file
    (`inbox_upload.receive`: over the limit refused, the same bytes already there not stored twice); an empty
    file is refused too. The refusals and the files not stored again are said in Chinese."""
    out = Stored()
    for name, stream in uploads:
        if not name:
            continue
        if not stream.read(1):
            out.refused.append(f"{name}：文件是空的（0 字节），未保存。请重新选择填好的文件。")
            continue
        stream.seek(0)
        got = receive(inbox, name, stream)
        if got.error:
            out.refused.append(got.error)
        elif got.duplicate:
            out.refused.append(f"“{name}”与收件文件夹中的“{got.name}”完全相同，没有重复保存。")
        else:
            out.names.append(got.name)
    return out


def form_files(folder: Path) -> list[Path]:
    """The 督查评分表 in `folder` (its .xlsx files, by name), for 下载全部."""
    try:
        found = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p.suffix == ".xlsx"]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name)


def generate_work(st: RoundState) -> Work:
    """The job writing 督查评分表/ as `inspect 收件 --out 督查评分表` does, and what it says."""

    def work(progress: Progress) -> list[str]:
        report = st.report()
        if not eligible_branches(report):
            form1 = ag.Terms.of(report.campaign.catalog).form1
            raise UserError(f"没有已接收的{form1}评分表，未生成督查评分表：请先到“收件”上传各单位交回的表格")
        lines = actions.inspect(st.folder, progress)
        carried = ag.current_inspections(report)
        if carried:
            lines.append(
                f"其中 {len(carried)} 份带入了收件中原有督查评分表的督查得分和意见（{'、'.join(carried)}），"
                "版次比原来的高一版：核对、补填后上传，新的一份替代收件中旧的一份。"
            )
        lines.append("下载后交督查组填写督查得分和督查意见，填好后在本页上传。")
        return lines

    return work
