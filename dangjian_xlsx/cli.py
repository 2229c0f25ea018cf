"""The command line: a thin layer over the library. Exit codes: 0 ok, 1 --strict with rejections, 2 usage/config."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .errors import UserError
from .usage import chinese_usage

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

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
    from .catalog import campaign_line, find_campaign, load_campaign

    path = campaign if campaign is not None else find_campaign([Path.cwd(), *near])
    camp = load_campaign(path, roster)
    style = None if path is not None else "bold yellow"
    console.print(campaign_line(camp, path, roster), style=style, markup=False, soft_wrap=True)
    return _Chosen(camp, path)


def _near(inbox: Path) -> list[Path]:
    """Where a campaign.toml for this inbox may be, after the working folder: beside it, then in it."""
    folder = Path(inbox).resolve()
    return [folder.parent, folder]


@contextmanager
def _progress(label: str) -> Any:
    """A progress bar on stderr; yields a callback(done, total).

    Redrawn from the callback (at most 10 times a second) rather than by rich's refresh thread: a process
    with a second thread cannot safely fork, and collect/generate fork their worker processes.
    """
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        auto_refresh=False,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)
        last = [0.0]

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            now = time.monotonic()
            if now - last[0] >= 0.1 or done >= total:
                last[0] = now
                bar.refresh()

        yield update


def _table(title: str, rows: list[tuple[str, object]]) -> Table:
    t = Table(title=title, show_header=False, title_justify="left")
    t.add_column("项目")
    t.add_column("数量", justify="right")
    for k, v in rows:
        t.add_row(k, str(v))
    return t


class _Group(click.Group):
    """Turns UserError and usage errors into Chinese messages and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            err_console.print(f"[red]错误：[/red]{escape(str(exc))}", soft_wrap=True)  # paths whole
            ctx.exit(exc.exit_code)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "dangjian-xlsx"
            err_console.print(
                f"[red]用法错误：[/red]{escape(chinese_usage(exc.format_message()))}", soft_wrap=True
            )
            err_console.print(f"运行 {where} --help 查看用法")
            sys.exit(2)
        except click.ClickException as exc:
            err_console.print(f"[red]错误：[/red]{escape(exc.format_message())}", soft_wrap=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            err_console.print("已取消")
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dangjian-xlsx")
def cli() -> None:
    """党建专项督查表格工具：生成加锁的评分表和重点任务清单，汇总各单位交回的文件。"""


@cli.command()
@roster_option
@campaign_option
@click.option("--out", "out_dir", type=_path, default=Path("forms"), show_default=True, help="输出文件夹")
def generate(roster: Path | None, campaign: Path | None, out_dir: Path) -> None:
    """按名单为每个单位生成评分表和重点任务清单；不给名单则生成两张空白表。"""
    from .forms import generate_blank, generate_for_roster

    chosen = _campaign(campaign, roster)
    if roster is None and chosen.path is None:
        paths = generate_blank(chosen.campaign, out_dir)
    else:
        with _frozen_heap(), _progress("正在生成") as progress:
            paths = generate_for_roster(chosen.campaign, out_dir, progress=progress)
    console.print(f"已生成 {len(paths)} 个文件，位于 {out_dir}")


@cli.command()
@click.option("--out", "out_dir", type=_path, default=Path("."), show_default=True, help="写入的文件夹")
@click.option("--force", is_flag=True, help="覆盖已有文件")
def init(out_dir: Path, force: bool) -> None:
    """生成可编辑的督查配置文件（campaign.toml）、名单模板（roster.csv）和表格内容（表格内容.xlsx）。"""
    from .forms import write_init_files

    for p in write_init_files(out_dir, force=force):
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
    from .outputs import check_round, refuse_summary_in_inbox, write_outputs

    chosen = _campaign(campaign, roster, _near(inbox))
    refuse_summary_in_inbox(inbox, out)
    with _frozen_heap() as freeze:
        report = _collect_report(inbox, chosen.campaign, jobs)
        check_round(report.campaign, report.files, chosen.label)
        freeze()  # the report outlives the writing, whose many allocations need not make the collector visit it
        written = write_outputs(report, out, feedback=feedback)
    console.print(_table("汇总结果", written.overview.rows()))
    for p in (written.summary, *written.exports):
        console.print(f"已写入 {p}")
    if written.feedback:
        console.print(f"已写入 {len(written.feedback)} 份反馈表，位于 {written.feedback_dir}")
    console.print(_pack_line(written.corrections, written.corrections_dir), soft_wrap=True)
    for line in written.kept_lines():
        console.print(line, soft_wrap=True, markup=False)
    if strict and written.overview.rejected_files:
        sys.exit(1)


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


def _pack_line(paths: list[Path], folder: Path) -> str:
    """What the pack holds, counted as documents (a branch owing only its 自查报告 gets a 未交提醒 too), so no
    number here claims a count of branches that the overview table counts otherwise."""
    from .round import count_pack

    n = count_pack(paths)
    parts = []
    if n.fix_notices:
        parts.append(f"退回修改通知 {n.fix_notices} 份（{n.copies} 份更正表）")
    if n.reminders:
        parts.append(f"未交提醒 {n.reminders} 份")
    if n.checks:
        parts.append(f"核对通知 {n.checks} 份")
    if n.inspector_notices:
        parts.append(f"督查评分表更正通知 {n.inspector_notices} 份（{n.inspector_copies} 份更正表）")
    if not parts:
        return "没有需要发出的退回修改通知或未交提醒"
    return f"退回修改：{'、'.join(parts)}；位于 {folder}（dangjian-xlsx remind 可打印通知）"


@cli.command()
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@roster_option
@campaign_option
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
def remind(source: Path, roster: Path | None, campaign: Path | None, jobs: int) -> None:
    """打印退回修改通知和未交提醒，供复制到邮件。SOURCE：汇总表（读取其旁边的“退回修改”文件夹）或收件文件夹。"""
    from .round import inbox_loader, pack_dir, plan, read_notices

    if source.is_dir():
        from .outputs import check_round

        chosen = _campaign(campaign, roster, _near(source))
        report = _collect_report(source, chosen.campaign, jobs)
        check_round(report.campaign, report.files, chosen.label)
        notices = [(n.filename, n.text) for n in plan(report, inbox_loader(report))]
    else:
        folder = pack_dir(source)
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


@cli.command("feedback")
@click.argument("inbox", type=click.Path(path_type=Path, exists=True, file_okay=False))
@roster_option
@campaign_option
@click.option("--out", "out_dir", type=_path, default=Path("反馈表"), show_default=True, help="输出文件夹")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
def feedback_cmd(inbox: Path, roster: Path | None, campaign: Path | None, out_dir: Path, jobs: int) -> None:
    """为每个单位生成反馈表：本单位各部分得分与全校比较、排名、扣分项、待完成任务。"""
    from .outputs import check_round, refuse_folder_in_inbox, write_feedback_outputs

    chosen = _campaign(campaign, roster, _near(inbox))
    refuse_folder_in_inbox(inbox, out_dir, "反馈表")
    report = _collect_report(inbox, chosen.campaign, jobs)
    check_round(report.campaign, report.files, chosen.label)
    paths = write_feedback_outputs(report, out_dir)
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
    from .outputs import check_round, write_inspection_outputs

    chosen = _campaign(campaign, roster, _near(inbox))
    report = _collect_report(inbox, chosen.campaign, jobs)
    check_round(report.campaign, report.files, chosen.label)
    paths = write_inspection_outputs(report, out_dir)
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
    from .collect import check_files
    from .messages import one_line
    from .outputs import check_round

    folders = dict.fromkeys(Path(f).resolve().parent for f in files)
    chosen = _campaign(campaign, roster, [q for folder in folders for q in (folder.parent, folder)])
    records = check_files(list(files), chosen.campaign)
    check_round(chosen.campaign, records, chosen.label, checked=True)
    bad = False
    for rec in records:
        label = rec.outcome.value + (f"（{rec.reason}）" if rec.reason else "")
        console.print(f"{rec.path}：{label}", soft_wrap=True)
        for p in rec.problems:
            console.print("  " + one_line(p), soft_wrap=True)
        bad = bad or bool(rec.errors)
    sys.exit(1 if bad else 0)


def main() -> None:
    cli(prog_name="dangjian-xlsx")
