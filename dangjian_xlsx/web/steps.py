"""The round's steps as the page runs them, done here (`worker.py` runs them in a process of their own): the
same library calls, the same checks and the same output names as the command line run in the round folder
(`generate --out 表格 --eml --force`, `collect 收件 --out 汇总表.xlsx --feedback`, `inspect 收件 --out 督查评分表`).
Each returns the lines the CLI would print, in Chinese."""

from __future__ import annotations

from typing import Any

from .folder import RoundFolder
from .jobs import Progress


def collect(folder: RoundFolder, progress: Progress | None = None) -> tuple[Any, list[str]]:
    """Collect the inbox and write the summary, its exports, 反馈表/ and 退回修改/ (as one set, under the
    folder's lock). Returns (the report, what was done)."""
    from ..collect import run_collect
    from ..outputs import check_round, holding, refuse_collect, write_outputs
    from ..round import pack_lines

    camp, _ = folder.load()
    folder.inbox.mkdir(exist_ok=True)
    refuse_collect(folder.summary, folder.inbox, folder.inputs(), True)
    with holding(folder.root) as found:
        report = run_collect(folder.inbox, camp, progress=progress)
        check_round(report.campaign, report.files, str(folder.campaign_file))
        written = write_outputs(report, folder.summary, feedback=True)
    lines = [f"注意：{line}" for line in found]
    lines += [f"{label}：{value}" for label, value in written.overview.rows()]
    lines.append(f"已写入 {written.summary.name} 和 {len(written.exports)} 个导出文件")
    if written.feedback:
        lines.append(f"已写入 {len(written.feedback)} 份反馈表")
    lines += pack_lines(written.corrections, written.corrections_dir)
    lines += written.kept_lines()
    return report, lines


def read_inbox(folder: RoundFolder, progress: Progress | None = None) -> Any:
    """The inbox read and checked without writing anything (what the page shows between collects)."""
    from ..collect import run_collect

    camp, _ = folder.load()
    folder.inbox.mkdir(exist_ok=True)
    return run_collect(folder.inbox, camp, progress=progress)


def generate(folder: RoundFolder, progress: Progress | None = None) -> list[str]:
    """Both forms for every branch of the roster into 表格/, earlier forms set aside, and the e-mail drafts
    for the branches with an address."""
    from ..errors import UserError, writing
    from ..forms import MAIL_DIR, generate_for_roster, prepare_folder, renamed
    from ..round import form_drafts, generated_names

    camp, _ = folder.load()
    if not folder.is_round():
        raise UserError("请先在“本轮设置”中建立本轮的配置，再生成表格")
    out = folder.forms_dir
    lines: list[str] = []
    with writing(out, "已写出的表格（如有）都是完整的；解决问题后重新生成即可"):
        aside, kept = prepare_folder(out, generated_names(camp, False, True), force=True)
        if aside:
            lines.append(f"以前生成的 {len(aside)} 个文件已移到 {kept.name if kept else ''}")
        for seq, old, new in renamed(aside, camp.roster):
            lines.append(f"注意：序号 {seq} 的名称由“{old}”改为“{new}”：请把这次生成的新表格重新发给该单位")
        paths = generate_for_roster(camp, out, progress=progress)
    lines.append(f"已生成 {len(paths)} 个表格")
    with writing(out, "表格已生成；邮件草稿未写全，解决问题后重新生成即可"):
        drafts, missing = form_drafts(camp, out)
    lines.append(f"邮件草稿 {len(drafts)} 封（{MAIL_DIR}/）")
    if missing:
        lines.append(
            "名单中没有可用邮箱、未写邮件草稿的：" + "、".join(b.name for b in missing) + "（请手动发送）"
        )
    return lines


def inspect(folder: RoundFolder, progress: Progress | None = None) -> list[str]:
    """The 督查评分表 of every branch whose 附件1 was accepted, into 督查评分表/."""
    from ..outputs import check_round, holding, refuse_folder, write_inspection_outputs

    _camp, _ = folder.load()
    out = folder.inspection_dir
    refuse_folder(out, folder.inbox, folder.inputs(), "督查评分表", marked=False)
    with holding(folder.root):
        report = read_inbox(folder, progress)
        check_round(report.campaign, report.files, str(folder.campaign_file))
        paths = write_inspection_outputs(report, out)
    return [f"已生成 {len(paths)} 份督查评分表"]
