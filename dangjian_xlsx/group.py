"""The command group: every error said in Chinese with its own exit code, never a traceback — UserError and
click's usage errors (in Chinese, `usage.py`), an unexpected OSError (exit 4) or bug (exit 3: one line naming
the log file that holds the traceback), Ctrl+C (130)."""

from __future__ import annotations

import sys
from typing import Any

import click

from .errors import EXIT_CANCELLED, EXIT_INTERNAL, EXIT_USAGE, EXIT_WRITE, UserError, os_reason
from .terminal import SafeConsole, crash_line, crash_log, labelled
from .usage import chinese_usage

err_console = SafeConsole(stderr=True)


class ChineseGroup(click.Group):
    """Turns UserError and usage errors into Chinese messages and their exit codes, never a traceback; an
    unexpected error into one Chinese line naming the log file that holds the traceback (exit code 3)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            err_console.print(labelled("错误：", str(exc)), soft_wrap=True)  # paths whole
            ctx.exit(exc.exit_code)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "dangjian-xlsx"
            err_console.print(labelled("用法错误：", chinese_usage(exc.format_message())), soft_wrap=True)
            err_console.print(f"运行 {where} --help 查看用法")
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            err_console.print(labelled("错误：", exc.format_message()), soft_wrap=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            err_console.print("已取消")
            sys.exit(EXIT_CANCELLED)
        except OSError as exc:  # reading or writing where no command expected it
            why, todo = os_reason(exc)
            log = crash_log(exc)
            line = f"读写 {exc.filename or '文件'} 时出错：{why}。{todo}。" + (
                f"详细信息已写入 {log}" if log else ""
            )
            err_console.print(labelled("错误：", line), soft_wrap=True)
            sys.exit(EXIT_WRITE)
        except Exception as exc:
            err_console.print(labelled("错误：", crash_line(exc, crash_log(exc))), soft_wrap=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(rv if isinstance(rv, int) else 0)
