"""The command line: a thin layer over the library.

Exit codes (`errors.py`): 0 done; 1 files rejected (`collect --strict`) or a checked file with errors; 2 usage,
configuration or a refused request; 3 an unexpected internal error (one line names a log file with the
details); 4 an output could not be written; 130 cancelled. Nothing printed is read as markup, and control
characters are shown visibly (`terminal.py`)."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import click

from . import __version__
from .errors import UserError, writing
from .group import ChineseGroup
from .outnames import MAIL_DIR
from .terminal import SafeConsole, counts_table, end_process, progress, tolerant_streams
from .usage import localize

console = SafeConsole()
err_console = SafeConsole(stderr=True)

_path = click.Path(path_type=Path)
_existing_file = click.Path(path_type=Path, exists=True, dir_okay=False)
roster_option = click.option(
    "--roster", type=_existing_file, help="党总支名单（CSV 或 XLSX：序号、党总支名称、联系人、邮箱）"
)
campaign_option = click.option(
    "--campaign",
    type=_existing_file,
    help="督查配置文件（TOML，可用 init 生成）；不指定时使用当前文件夹、收件文件夹旁或收件文件夹里的 campaign.toml",
)


class _Chosen(NamedTuple):
    """The round's campaign and the file it came from (None: the built-in sample)."""

    campaign: Any
    path: Path | None

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "内置示例"


def _campaign(campaign: Path | None, roster: Path | None, near: Iterable[Path] = ()) -> _Chosen:
    """The round's campaign: --campaign, else a campaign.toml in the working folder or in `near` (beside the
    inbox, then the inbox itself), else the built-in sample. The first line of output says which: the
    sample in bold yellow, with how to make a campaign file."""
    from .catalog import campaign_line, find_campaign, load_campaign_noted

    path = campaign if campaign is not None else find_campaign([Path.cwd(), *near])
    camp, notes = load_campaign_noted(path, roster)
    style = None if path is not None else "bold yellow"
    console.print(campaign_line(camp, path, roster), style=style, markup=False, soft_wrap=True)
    for note in notes:  # what was understood of how the files were written
        console.print(f"注意：{note}", style="yellow", markup=False, soft_wrap=True)
    return _Chosen(camp, path)


def _near(inbox: Path) -> list[Path]:
    """Where a campaign.toml for this inbox may be, after the working folder: beside it, then in it."""
    folder = Path(inbox).resolve()
    return [folder.parent, folder]


def _inputs(campaign: Path | None, roster: Path | None) -> list[Path]:
    """The input files an output must never overwrite (`outcheck.input_files`; imported when a command
    runs, so that `--help` loads no pydantic)."""
    from .outcheck import input_files

    return input_files(campaign, roster)


def _progress(label: str) -> Any:
    """A progress bar on stderr (`terminal.progress`); yields a callback(done, total)."""
    return progress(label, err_console)


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dangjian-xlsx", message="%(prog)s 版本 %(version)s")
def cli() -> None:
    """党建专项督查表格工具：生成加锁的评分表和重点任务清单，汇总各单位交回的文件。"""


@cli.command()
@roster_option
@campaign_option
@click.option("--out", "out_dir", type=_path, default=Path("表格"), show_default=True, help="输出文件夹")
@click.option("--eml", is_flag=True, help="同时为名单中有邮箱的单位各写一封邮件草稿（邮件/，附两张表格）")
@click.option("--force", is_flag=True, help="输出文件夹中有以前生成的其他表格时，先把它们移到子文件夹")
def generate(roster: Path | None, campaign: Path | None, out_dir: Path, eml: bool, force: bool) -> None:
    """按名单为每个单位生成评分表和重点任务清单；不给名单则生成两张空白表。"""
    from .forms import generate_blank, generate_for_roster, prepare_folder, renamed
    from .round import generated_names

    chosen = _campaign(campaign, roster)
    camp, blank = chosen.campaign, roster is None and chosen.path is None
    if eml and blank:
        raise UserError("--eml 要按名单写邮件草稿：请用 --roster 指定名单（名单中要有“邮箱”列）")
    with writing(out_dir, "已写出的表格（如有）都是完整的；解决问题后重新运行 generate 即可"):
        aside, folder = prepare_folder(out_dir, generated_names(camp, blank, eml), force=force)
        if aside:
            console.print(f"以前生成的 {len(aside)} 个文件已移到 {folder}", soft_wrap=True)
        for seq, old, new in renamed(aside, camp.roster):
            console.print(
                f"注意：序号 {seq} 的名称由“{old}”改为“{new}”：已发出的旧表格交回时名称不在名单中、会被退回，"
                "请把这次生成的新表格重新发给该单位",
                style="yellow",
                soft_wrap=True,
            )
        if blank:
            paths = generate_blank(camp, out_dir)
        else:
            with _frozen_heap(), _progress("正在生成") as progress:
                paths = generate_for_roster(camp, out_dir, progress=progress)
    console.print(f"已生成 {len(paths)} 个文件，位于 {out_dir}", soft_wrap=True)
    if eml:
        _form_drafts(camp, out_dir)


def _form_drafts(camp: Any, out_dir: Path) -> None:
    from .round import form_drafts

    with writing(out_dir, "表格已生成；邮件草稿未写全，解决问题后重新运行即可"):
        drafts, missing = form_drafts(camp, out_dir)
    console.print(f"邮件草稿 {len(drafts)} 封，位于 {out_dir / MAIL_DIR}", soft_wrap=True)
    if missing:
        names = "、".join(b.name for b in missing)
        console.print(
            f"名单中没有可用邮箱、未写邮件草稿的：{names}（请手动发送）", style="yellow", soft_wrap=True
        )


@cli.command()
@click.option("--out", "out_dir", type=_path, default=Path("."), show_default=True, help="写入的文件夹")
@click.option("--force", is_flag=True, help="覆盖已有文件")
def init(out_dir: Path, force: bool) -> None:
    """生成可编辑的督查配置文件（campaign.toml）、名单模板（roster.csv）和表格内容（表格内容.xlsx）。"""
    from .forms import write_init_files

    with writing(out_dir, "没有写出任何文件"):
        written = write_init_files(out_dir, force=force)
    for p in written:
        console.print(f"已写入 {p}")
    console.print(
        "按本轮督查修改后，在这个文件夹（或收件文件夹旁）运行的命令会自动使用 campaign.toml，也可用 --campaign 指定",
        soft_wrap=True,
    )
    console.print(
        "表格内容.xlsx 是附件1、附件2 的内容：改动后用 dangjian-xlsx forms check 表格内容.xlsx 检查",
        soft_wrap=True,
    )


@cli.group("forms")
def forms_group() -> None:
    """表格内容（表格内容.xlsx：附件1、附件2 的标题、项目、分值和任务）。"""


@forms_group.command("check")
@click.argument("workbook", type=_existing_file)
def forms_check(workbook: Path) -> None:
    """检查表格内容文件：列出读到的各部分、各类任务和总分，以及全部问题；有问题时以状态码 2 退出。"""
    from .catalog import check_forms

    result = check_forms(workbook)
    console.print(f"表格内容：{workbook}", markup=False, soft_wrap=True)
    for line in result.outline:
        console.print(line, markup=False, soft_wrap=True)
    if not result.problems:
        console.print("没有发现问题，可以用于生成表格。")
        return
    console.print(f"[red]发现 {len(result.problems)} 处问题，改正后再生成表格：[/red]")
    for n, problem in enumerate(result.problems, 1):
        console.print(f"{n}. {problem}", markup=False, soft_wrap=True)
    sys.exit(2)


@cli.command()
@click.argument("inbox", type=click.Path(path_type=Path, exists=True, file_okay=False))
@roster_option
@campaign_option
@click.option("--out", "out", type=_path, default=Path("汇总表.xlsx"), show_default=True, help="汇总表路径")
@click.option("--strict", is_flag=True, help="有文件被退回时以状态码 1 退出")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
@click.option("--feedback/--no-feedback", default=False, help="同时为每个单位生成反馈表")
def collect(
    inbox: Path,
    roster: Path | None,
    campaign: Path | None,
    out: Path,
    strict: bool,
    jobs: int,
    feedback: bool,
) -> None:
    """读取文件夹中交回的全部文件，校验并写出全校汇总表；在汇总表旁的“退回修改”文件夹写出通知和更正表。"""
    from .outnames import summary_path
    from .outputs import check_round, holding, load_writers, refuse_collect, write_outputs
    from .parallel import meanwhile

    chosen = _campaign(campaign, roster, _near(inbox))
    refuse_collect(out, inbox, _inputs(chosen.path, roster), feedback)
    with holding(summary_path(out).parent) as found, _frozen_heap() as freeze:
        _notes(found)
        with meanwhile(load_writers):  # pandas and XlsxWriter imported while the helpers read
            report = _collect_report(inbox, chosen.campaign, jobs)
        check_round(report.campaign, report.files, chosen.label)
        freeze()  # the report outlives the writing, whose many allocations need not make the collector visit it
        written = write_outputs(report, out, feedback=feedback, made=freeze)  # and so do the tables
    console.print(counts_table("汇总结果", written.overview.rows()))
    for p in (written.summary, *written.exports):
        console.print(f"已写入 {p}")
    if written.feedback:
        console.print(f"已写入 {len(written.feedback)} 份反馈表，位于 {written.feedback_dir}")
    from .round import deadline_note, pack_lines

    for line in pack_lines(written.corrections, written.corrections_dir):
        console.print(line, soft_wrap=True)
    late = deadline_note(report.campaign, report.generated_at.date()) if written.corrections else None
    if late:
        console.print(f"注意：{late}", style="yellow", soft_wrap=True)
    for line in written.kept_lines():
        console.print(line, soft_wrap=True, markup=False)
    if strict and written.overview.rejected_files:
        sys.exit(1)


def _notes(lines: list[str]) -> None:
    """What was found in an output folder before the run (an interrupted run finished, a stale lock …)."""
    for line in lines:
        console.print(f"注意：{line}", style="yellow", soft_wrap=True)


@contextmanager
def _frozen_heap() -> Iterator[Callable[[], None]]:
    """The garbage collector leaves alone what exists now (and whatever the caller freezes later with the
    function it is given): forked helpers then inherit pages no collection dirties, and long-lived results are
    not visited again and again. The library never does this by itself; the commands do, around their work."""
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _collect_report(inbox: Path, camp: Any, jobs: int) -> Any:
    from .collect import run_collect

    with _progress("正在读取") as progress:
        return run_collect(inbox, camp, jobs=jobs, progress=progress)


@cli.command()
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@roster_option
@campaign_option
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
def remind(source: Path, roster: Path | None, campaign: Path | None, jobs: int) -> None:
    """打印退回修改通知和未交提醒，供复制到邮件。来源：汇总表（读取其旁边的“退回修改”文件夹）或收件文件夹。"""
    from .round import inbox_loader, pack_dir, plan, read_notices

    if source.is_dir():
        from .outputs import check_round

        chosen = _campaign(campaign, roster, _near(source))
        report = _collect_report(source, chosen.campaign, jobs)
        check_round(report.campaign, report.files, chosen.label)
        notices = [(n.filename, n.text) for n in plan(report, inbox_loader(report))]
    else:
        folder = pack_dir(source)
        from .outputs import finish_interrupted

        _notes(finish_interrupted(folder.parent))
        if not folder.is_dir():
            raise UserError(f"找不到 {folder}：请先运行 collect 写出汇总表，或直接给出收件文件夹")
        notices = read_notices(folder)
    if not notices:
        console.print("没有需要发出的退回修改通知或未交提醒")
        return
    for name, text in notices:
        console.rule(name, style="dim")
        console.print(text, markup=False, soft_wrap=True)
    console.print(f"共 {len(notices)} 份通知")


def _folder_run(
    inbox: Path,
    roster: Path | None,
    campaign: Path | None,
    jobs: int,
    out: tuple[Path, str, bool],
    write: Any,
) -> tuple[Any, list[Path]]:
    """feedback / inspect: collect the inbox and write one output folder (`out`: the folder, its Chinese
    name, whether it is marked as the tool's), under the folder's lock; (the report, the paths written)."""
    from .outputs import check_round, holding, refuse_folder

    out_dir, what, marked = out
    chosen = _campaign(campaign, roster, _near(inbox))
    refuse_folder(out_dir, inbox, _inputs(chosen.path, roster), what, marked=marked)
    with holding(Path(os.path.abspath(out_dir)).parent) as found:
        _notes(found)
        report = _collect_report(inbox, chosen.campaign, jobs)
        check_round(report.campaign, report.files, chosen.label)
        return report, write(report, out_dir)


@cli.command("feedback")
@click.argument("inbox", type=click.Path(path_type=Path, exists=True, file_okay=False))
@roster_option
@campaign_option
@click.option("--out", "out_dir", type=_path, default=Path("反馈表"), show_default=True, help="输出文件夹")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
def feedback_cmd(inbox: Path, roster: Path | None, campaign: Path | None, out_dir: Path, jobs: int) -> None:
    """为每个单位生成反馈表：本单位各部分得分与全校比较、排名、扣分项、待完成任务。"""
    from .outputs import write_feedback_outputs

    report, paths = _folder_run(
        inbox, roster, campaign, jobs, (out_dir, "反馈表", True), write_feedback_outputs
    )
    if not paths:
        cat = report.campaign.catalog
        console.print(f"没有收到任何{cat.unit}的{cat.form1.attachment}或{cat.form2.attachment}，未生成反馈表")
        return
    console.print(f"已生成 {len(paths)} 份反馈表，位于 {out_dir}")


@cli.command("inspect")
@click.argument("inbox", type=click.Path(path_type=Path, exists=True, file_okay=False))
@roster_option
@campaign_option
@click.option(
    "--out", "out_dir", type=_path, default=Path("督查评分表"), show_default=True, help="输出文件夹"
)
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
def inspect_cmd(inbox: Path, roster: Path | None, campaign: Path | None, out_dir: Path, jobs: int) -> None:
    """为每个已接收评分表的单位生成督查评分表（组织部督查用：自评锁定，填写督查得分和督查意见）。"""
    from .aggregate import current_inspections
    from .outputs import write_inspection_outputs

    out = (out_dir, "督查评分表", False)
    report, paths = _folder_run(inbox, roster, campaign, jobs, out, write_inspection_outputs)
    if not paths:
        console.print(f"没有已接收的{report.campaign.catalog.form1.attachment}评分表，未生成督查评分表")
        return
    console.print(f"已生成 {len(paths)} 份督查评分表，位于 {out_dir}")
    carried = len(current_inspections(report))
    if carried:
        console.print(
            f"其中 {carried} 份已带入收件文件夹中原有督查评分表的督查得分和意见；"
            "请用新文件替换收件文件夹中的旧督查评分表（核对后保存）。",
            soft_wrap=True,
        )
    console.print(
        "填好督查得分后放入收件文件夹，再运行 collect：汇总表将增加督查总分和“自评与督查对比”。",
        soft_wrap=True,
    )


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False)
)
@roster_option
@campaign_option
def check(files: tuple[Path, ...], roster: Path | None, campaign: Path | None) -> None:
    """逐个校验文件并列出问题（不写汇总表）。"""
    from .catalog import plain, ref_labels
    from .collect import check_files
    from .messages import one_line
    from .outputs import check_round

    folders = dict.fromkeys(Path(f).resolve().parent for f in files)
    chosen = _campaign(campaign, roster, [q for folder in folders for q in (folder.parent, folder)])
    records = check_files(list(files), chosen.campaign)
    check_round(chosen.campaign, records, chosen.label, checked=True)
    bad, refs = False, ref_labels(chosen.campaign.catalog)  # items as the form shows them: 第一部分第2项
    for rec in records:
        label = rec.outcome.value + (f"（{rec.reason}）" if rec.reason else "")
        console.print(f"{rec.path}：{label}", soft_wrap=True)
        for p in rec.problems:
            console.print("  " + plain(one_line(p), refs), soft_wrap=True)
        bad = bad or bool(rec.errors)
    sys.exit(1 if bad else 0)


@cli.command()
@click.argument("folder", required=False, type=_path, default=Path("."))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="端口（0 = 自动选择空闲端口）")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器")
def serve(folder: Path, port: int, no_browser: bool) -> None:
    """在本机浏览器中打开督查工作页面（工作目录：本轮的配置、名单、收件和汇总结果所在的文件夹）。"""
    from .web import listen
    from .web import serve as serve_folder

    if folder.exists() and not folder.is_dir():
        raise UserError(f"“{folder}”是文件，不是文件夹：请给出本轮督查的工作目录")
    if port:
        try:
            listen(port).close()
        except OSError as exc:
            raise UserError(
                f"端口 {port} 已被占用或不能使用：请换一个端口（--port），或不指定端口自动选择"
            ) from exc

    def announce(url: str) -> None:
        console.print(f"工作目录：{folder.resolve()}", markup=False, soft_wrap=True)
        console.print(f"请在浏览器中打开：{url}", markup=False, soft_wrap=True)
        console.print("（这个地址只在本机、本次启动有效；按 Ctrl+C 停止）", soft_wrap=True)

    serve_folder(folder, port, open_browser=not no_browser, announce=announce)


localize(cli)  # click's help pages in Chinese


def main() -> None:
    tolerant_streams()
    try:
        cli(prog_name="dangjian-xlsx")
    except SystemExit as done:
        # a profiler or tracer writes its data after this; another thread is waited for by the teardown
        if sys.getprofile() is None and sys.gettrace() is None and threading.active_count() == 1:
            end_process(done.code)
        raise
