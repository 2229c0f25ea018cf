"""The command line: a thin layer over the library. Exit codes: 0 ok, 1 --strict with rejections, 2 usage/config."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .errors import UserError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_path = click.Path(path_type=Path)
_existing_file = click.Path(path_type=Path, exists=True, dir_okay=False)
roster_option = click.option(
    "--roster", type=_existing_file, help="党总支名单（CSV 或 XLSX：序号、党总支名称、联系人、邮箱）"
)
campaign_option = click.option("--campaign", type=_existing_file, help="督查配置文件（TOML，可用 init 生成）")


def _campaign(campaign: Path | None, roster: Path | None) -> Any:
    from .catalog import load_campaign

    return load_campaign(campaign, roster)


@contextmanager
def _progress(label: str) -> Any:
    """A progress bar on stderr; yields a callback(done, total)."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _table(title: str, rows: list[tuple[str, object]]) -> Table:
    t = Table(title=title, show_header=False, title_justify="left")
    t.add_column("项目")
    t.add_column("数量", justify="right")
    for k, v in rows:
        t.add_row(k, str(v))
    return t


class _Group(click.Group):
    """Turns UserError into a Chinese message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            err_console.print(f"[red]错误：[/red]{exc}")
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dangjian-xlsx")
def cli() -> None:
    """党建专项督查表格工具：生成加锁的附件1/附件2表格，汇总各党总支交回的文件。"""


@cli.command()
@roster_option
@campaign_option
@click.option("--out", "out_dir", type=_path, default=Path("forms"), show_default=True, help="输出文件夹")
def generate(roster: Path | None, campaign: Path | None, out_dir: Path) -> None:
    """按名单为每个党总支生成附件1、附件2；不给名单则生成两张空白表。"""
    from .generate import generate_blank, generate_for_roster

    camp = _campaign(campaign, roster)
    if roster is None and campaign is None:
        paths = generate_blank(camp, out_dir)
    else:
        with _progress("正在生成") as progress:
            paths = generate_for_roster(camp, out_dir, progress=progress)
    console.print(f"已生成 {len(paths)} 个文件，位于 {out_dir}")


@cli.command()
@click.option("--out", "out_dir", type=_path, default=Path("."), show_default=True, help="写入的文件夹")
@click.option("--force", is_flag=True, help="覆盖已有文件")
def init(out_dir: Path, force: bool) -> None:
    """生成可编辑的督查配置文件（campaign.toml）和名单模板（roster.csv）。"""
    from .generate import write_init_files

    for p in write_init_files(out_dir, force=force):
        console.print(f"已写入 {p}")


@cli.command()
@click.argument("inbox", type=click.Path(path_type=Path, exists=True, file_okay=False))
@roster_option
@campaign_option
@click.option("--out", "out", type=_path, default=Path("汇总表.xlsx"), show_default=True, help="汇总表路径")
@click.option("--strict", is_flag=True, help="有文件被退回时以状态码 1 退出")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, help="并行进程数（0 = 自动）")
@click.option("--feedback/--no-feedback", default=False, help="同时为每个党总支生成反馈表")
def collect(
    inbox: Path,
    roster: Path | None,
    campaign: Path | None,
    out: Path,
    strict: bool,
    jobs: int,
    feedback: bool,
) -> None:
    """读取文件夹中交回的全部文件，校验并写出全校汇总表。"""
    from .aggregate import overview
    from .collect import run_collect
    from .summary import write_outputs

    camp = _campaign(campaign, roster)
    with _progress("正在读取") as progress:
        report = run_collect(inbox, camp, jobs=jobs, progress=progress)
    written = write_outputs(report, out, feedback=feedback)
    ov = overview(report)
    console.print(_table("汇总结果", ov.rows()))
    for p in written:
        console.print(f"已写入 {p}")
    if strict and ov.rejected_files:
        sys.exit(1)


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

    camp = _campaign(campaign, roster)
    bad = False
    for rec in check_files(list(files), camp):
        label = rec.outcome.value + (f"（{rec.reason}）" if rec.reason else "")
        console.print(f"{rec.path}：{label}", soft_wrap=True)
        for p in rec.problems:
            console.print("  " + one_line(p), soft_wrap=True)
        bad = bad or bool(rec.errors)
    sys.exit(1 if bad else 0)


def main() -> None:
    cli(prog_name="dangjian-xlsx")
