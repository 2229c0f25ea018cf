"""A 自查报告 that arrived but cannot be opened (README 汇总规则 7, tests/report_inbox.py) reaches its branch's
notice under 自查报告 — which file, why it cannot be opened, to export it again — instead of 未交, and never
as a file whose form (附件3 or 附件4) could not be told."""

from __future__ import annotations

import pytest
from report_inbox import CASE_A, CASE_B, IN_FOLDER, LATER, REPLACED, ROSTER, collect_reports

from dangjian_xlsx.models import Report
from dangjian_xlsx.round import Notice, plan

AGAIN = "请重新导出为 Word 或 PDF 后发送。"


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Notice]:
    report: Report = collect_reports(tmp_path_factory.mktemp("reports"))
    return {n.branch.name: n for n in plan(report)}


@pytest.mark.parametrize(
    ("seq", "path", "how", "why"),
    [
        (1, CASE_A, "文件名", "实际内容是无法识别的数据，不是 Word 或 PDF 文档"),
        (2, CASE_B, "文件名", "文件是空的，0 字节"),
        (3, IN_FOLDER, "组织部收件时所归的文件夹", "实际内容是纯文本，不是 Word 或 PDF 文档"),
    ],
)
def test_an_unreadable_report_is_told_under_the_report_not_as_missing(
    notices: dict[str, Notice], seq: int, path: str, how: str, why: str
) -> None:
    notice = notices[ROSTER[seq - 1].name]
    text = notice.text
    assert "、自查报告：收到的文件无法打开\n" in text
    name = path.rsplit("/", 1)[-1]  # by its own name: never the folder the clerk sorted it into
    assert f"  收到文件“{name}”（按{how}判断为你单位的自查报告），但无法打开（{why}）：{AGAIN}\n" in text
    assert "自查报告：未交" not in text and "无法判断是附件3还是附件4" not in text
    assert "附件3 评分表：未交。" in text and "未收到可用的表格" not in text  # the forms: plainly not sent
    assert notice.title == "退回修改通知" and "党总支" not in text


def test_a_report_replaced_by_a_readable_one_is_not_told(notices: dict[str, Notice]) -> None:
    text = notices[ROSTER[3].name].text
    assert REPLACED not in text and "自查报告" not in text


def test_an_unreadable_report_sent_after_the_counted_one_is_for_the_branch_to_look_at(
    notices: dict[str, Notice],
) -> None:
    notice = notices[ROSTER[4].name]
    assert notice.title == "未交提醒" and not notice.report_missing  # it owes its forms, not its report
    text = notice.text
    assert "另有收到的文件请你单位核对" in text and "、自查报告：另收到的文件无法打开\n" in text
    assert (
        f"  收到文件“{LATER}”（按文件名判断为你单位的自查报告），但无法打开（文件已损坏或不完整，可能只保存或传输了一部分）。\n"
        in text
    )
    assert (
        "你单位的自查报告已按另一份文件计入。如上述文件是更新后的版本，请重新导出为 Word 或 PDF 后发送；否则无需处理。"
        in text
    )
