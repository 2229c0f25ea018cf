"""The forms' Chinese texts: the input prompts and stop alerts of each input cell, and the 填表说明 sheet."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from .. import layout
from ..layout import Field
from ..models import Branch, Campaign, FormKind

_SCORE_FIELDS = (Field.SCORE, Field.INSP_SCORE)


def points_text(points: float) -> str:
    """Points as the forms say them: 2, 0.5 (never 2.0)."""
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def self_check_window(campaign: Campaign) -> str:
    return f"{cn_date(campaign.self_check_start)}至{cn_date(campaign.self_check_end)}"


def input_validation(campaign: Campaign, kind: FormKind, key: tuple[object, ...]) -> dict[str, object]:
    """Data-validation options (Chinese prompt and stop alert) for one group of input cells."""
    fld = key[0]
    cat = campaign.catalog
    stop = {"error_type": "stop", "show_error": True, "show_input": True}
    if fld in _SCORE_FIELDS:
        maximum = key[1]
        pts = points_text(maximum)  # type: ignore[arg-type]
        label = "督查得分" if fld is Field.INSP_SCORE else "自评得分"
        # what the column on the right is for: the branch's 扣分说明, the inspectors' 督查意见
        right = "须在右侧督查意见中写明扣分理由" if fld is Field.INSP_SCORE else "须在右侧填写扣分说明"
        return {
            **stop,
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": maximum,
            "input_title": f"{label}（本项满分{pts}分）",
            "input_message": f"请填写 0 到 {pts} 之间的数字，可含小数（如 1.5），不要写“分”字。得分低于{pts}分时{right}。",
            "error_title": "得分超出范围",
            "error_message": f"本项满分{pts}分，请填写 0 到 {pts} 之间的数字（不要写“分”字或其他文字）。",
        }
    if fld is Field.STATUS:
        choices = "、".join(cat.statuses)
        return {
            **stop,
            "validate": "list",
            "source": list(cat.statuses),
            "input_title": "完成状态",
            "input_message": f"请从下拉列表中选择：{choices}。",
            "error_title": "完成状态无效",
            "error_message": f"完成状态只能是 {choices} 之一，请从下拉列表中选择。",
        }
    if fld is Field.DATE:
        start, end = campaign.self_check_start, campaign.self_check_end
        example = end.isoformat()
        if kind is FormKind.INSPECTION:  # the inspection comes after the self-check: no window to keep to
            message, error = f"请填写督查日期，格式如 {example}。", f"请填写有效日期，格式如 {example}。"
        else:
            window = self_check_window(campaign)
            message = f"请填写实际填报日期，格式如 {example}。自查时间为{window}。"
            error = f"请填写有效日期，格式如 {example}（自查时间为{window}）。"
        return {
            **stop,
            "validate": "date",
            "criteria": "between",
            "minimum": start - dt.timedelta(days=365),
            "maximum": end + dt.timedelta(days=365),
            "input_title": "督查日期" if kind is FormKind.INSPECTION else "填报日期",
            "input_message": message,
            "error_title": "日期无效",
            "error_message": error,
        }
    unit = cat.unit
    issues = f"完成状态不是“{cat.done_status}”时必须填写存在的问题和整改措施"
    if cat.na_status:
        issues += f"（{cat.na_status}的请说明原因）"
    prompts = {
        Field.BRANCH: (
            Field.BRANCH.label_for(unit),
            f"请填写本{unit}全称，与组织部名单一致（如“文学院{unit}”）。",
        ),
        Field.NOTE: ("扣分说明（佐证材料）", "得分低于本项分值时必须填写扣分原因；可同时列出佐证材料。"),
        Field.DONE: ("完成情况", "必填：写明本项任务的具体做法和佐证材料。"),
        Field.ISSUES: ("存在问题及整改措施", f"{issues}。"),
        Field.INSP_OPINION: ("督查意见", "督查得分低于分值时须写明扣分理由。"),
        Field.INSP_GROUP: ("督查组", "选填：填写督查组名称（如“第一督查组”）。"),
        Field.INSPECTOR: ("督查人", "选填：填写参加督查人员的姓名，多人用顿号分隔。"),
    }
    title, message = prompts[fld]  # type: ignore[index]
    return {"validate": "any", "input_title": title, "input_message": message, "show_input": True}


class CopyState(StrEnum):
    """What a corrected copy holds, for its 填表说明: only what is true of it."""

    MARKED = "marked"  # the branch's values, the cells to correct in red with comments
    PREFILLED = "prefilled"  # the branch's values (recovered from a rejected file), nothing marked
    FRESH = "fresh"  # nothing of the branch's (a blank form, or a file of another version)


def _copy_line(revision: int, copy: CopyState) -> str:
    head = f"本表为更正表（第{revision}次更正）："
    if copy is CopyState.MARKED:
        return (
            head
            + "已按你单位上次报送的内容填好；红色单元格需要修改，鼠标移到单元格上可查看批注。只需修改这些单元格，保存后交回。"
        )
    if copy is CopyState.PREFILLED:
        return head + "已带入你单位原表中能识别的填写内容，请逐项核对、补全后保存交回。"
    return head + "你单位原来的表格内容无法带入，请完整填写后保存交回。"


def guide_lines(
    campaign: Campaign,
    kind: FormKind,
    branch: Branch | None,
    revision: int = 0,
    copy: CopyState = CopyState.MARKED,
) -> list[tuple[str, str, str]]:
    """The 填表说明 sheet as (style, number, text) rows; `copy` says what a corrected copy (revision > 0) holds."""
    if kind is FormKind.INSPECTION:
        return _inspection_guide(campaign, branch)
    cat = campaign.catalog
    unit = cat.unit
    due = cn_date(campaign.due)
    to = campaign.return_to or campaign.department
    window = self_check_window(campaign)
    example = campaign.self_check_end.isoformat()
    who = (
        f"{branch.name}（编号 {branch.id}）"
        if branch
        else f"空白表，请在表头“{unit}名称”处填写本{unit}全称（与组织部名单一致）"
    )
    fill = [_yellow_line(campaign, kind, branch)]
    if revision:
        fill.insert(0, _copy_line(revision, copy))
    if kind is FormKind.TASKS:
        choices = "”“".join(cat.statuses)
        fill += [
            f"完成状态：每一项都从下拉列表中选择“{choices}”之一。",
            f"完成情况（做法及佐证材料）：{_done_rule(campaign)}写明具体做法，列出佐证材料。",
            f"存在问题及整改措施：{_issues_rule(campaign)}",
            "表格底部的完成情况统计由表格自动计算，仅供参考。",
        ]
    else:
        fill += [
            "自评得分：对照每一项的督查内容自评，填写 0 到该项分值之间的数字（可含小数，如 1.5），"
            "不要写“分”字或其他文字。",
            "扣分说明（佐证材料）：得分低于该项分值的，必须写明扣分原因；满分项可列出佐证材料。",
            "小计、合计由表格自动计算，仅供参考；组织部汇总时按各项得分重新计算。",
        ]
    fill.append(f"填报日期：填写实际填报日期，应在自查时间（{window}）内，格式如 {example}。")
    back = [
        "用 Microsoft Excel、WPS 表格或 LibreOffice 直接打开本文件填写，保存为 .xlsx 格式（不要另存为其他格式）。",
        "不要修改文件名；不要改动、删除、重命名工作表，不要把内容复制到新的工作簿中，否则组织部无法识别本表。",
        f"于{due}前将本表连同自查报告（电子稿）通过电子邮件发送至{to}。",
        "如需改正，请在原文件上修改后重新发送，组织部以最新的一份为准。",
    ]
    rows: list[tuple[str, str, str]] = [
        ("guide_title", "", f"{layout.form_label(cat, kind)} 填表说明"),
        ("guide_text", "", f"督查名称：{campaign.school}{campaign.year}年{campaign.title}"),
        ("guide_text", "", f"本表属于：{who}"),
        ("guide_text", "", f"自查时间：{window}；报送截止：{due}（报送至{to}）"),
    ]
    return _sections(rows, ("一、填写什么", fill), ("二、如何交回", back))


def _yellow_line(campaign: Campaign, kind: FormKind, branch: Branch | None) -> str:
    """What the yellow fill means: the cells that must be filled, each yellow only while it is required
    and blank (the conditional formats of `sheet._highlight`)."""
    cat = campaign.catalog
    name = "" if branch else f"表头的{cat.unit}名称、"
    if kind is FormKind.TASKS:
        required = [f"{name}完成状态、填报日期"]
        if cat.na_status:
            required.append(f"完成状态不是“{cat.na_status}”的完成情况")
        else:
            required.append("完成情况")
        if cat.open_statuses:
            required.append(f"完成状态为“{'”“'.join(cat.open_statuses)}”的存在问题及整改措施")
        optional = "其他白色的填写单元格可选填"
    else:
        required = [f"{name}自评得分、填报日期", "得分低于该项分值的扣分说明"]
        optional = "满分项的扣分说明可选填"
    return (
        f"黄色表示必须填写的单元格：{'，'.join(required)}；填好后黄色消失。"
        f"{optional}；其余单元格已锁定，不能也不需要修改。"
    )


def _done_rule(campaign: Campaign) -> str:
    """When 完成情况 must be filled: every task but one that does not apply (validate: text-required)."""
    na = campaign.catalog.na_status
    return f"除状态为“{na}”的以外，每一项都必须填写，" if na else "每一项都必须填写，"


def _issues_rule(campaign: Campaign) -> str:
    """When 存在问题及整改措施 must be filled, by the statuses' roles: a task not done (持续推进、未完成 …),
    one that does not apply (不适用), one done (已完成)."""
    cat = campaign.catalog
    rules = []
    if cat.open_statuses:
        rules.append(f"状态为“{'”“'.join(cat.open_statuses)}”的，写明存在的问题和整改措施")
    if cat.na_status:
        rules.append(f"状态为“{cat.na_status}”的，写明不适用的原因")
    rules.append(f"“{cat.done_status}”的可不填。")
    return "；".join(rules)


def _inspection_guide(campaign: Campaign, branch: Branch | None) -> list[tuple[str, str, str]]:
    """The 填表说明 of a 督查评分表: for 组织部's inspectors, not for the branch; no command names."""
    unit = campaign.catalog.unit
    who = f"{branch.name}（编号 {branch.id}）" if branch else f"（未指定{unit}）"
    fill = [
        "黄色表示必须填写的单元格：督查得分、督查日期，督查得分低于分值或与自评得分不一致的督查意见；"
        "填好后黄色消失。表格底部的督查组、督查人选填；其余单元格已锁定，不能也不需要修改。",
        f"自评得分、扣分说明：{unit}自评时填写的内容，已锁定，仅供对照。"
        f"自评得分无效的（未填写或不是有效分数），按{unit}原样显示并注明“无效”，该项按未自评对待。",
        "督查得分：对照督查内容和佐证材料逐项评分，填写 0 到该项分值之间的数字（可含小数，如 1.5），"
        "不要写“分”字或其他文字。每一项都必须填写。",
        "督查意见：督查得分低于分值或与自评得分不一致的，必须写明理由；其他项可选填。",
        "督查日期：填写实地督查的日期，格式如 " + campaign.self_check_end.isoformat() + "。",
        "督查组、督查人（表格底部，选填）：填写督查组名称和参加督查人员的姓名。",
    ]
    back = [
        "用 Microsoft Excel、WPS 表格或 LibreOffice 直接打开本文件填写，保存为 .xlsx 格式（不要另存为其他格式）。",
        "不要修改文件名；不要改动、删除、重命名工作表，不要把内容复制到新的工作簿中，否则无法汇总。",
        f"填好后交组织部汇总人员，与各{unit}交回的表格一起汇总；汇总表将列出督查得分和自评与督查的对比。",
        "如需改正，在原文件上修改后重新交回，以最新的一份为准。",
    ]
    rows: list[tuple[str, str, str]] = [
        ("guide_title", "", f"{layout.INSPECTION_FORM_NAME} 填表说明（督查人员用）"),
        ("guide_text", "", f"督查名称：{campaign.school}{campaign.year}年{campaign.title}"),
        ("guide_text", "", f"督查对象：{who}"),
    ]
    return _sections(rows, ("一、填写什么", fill), ("二、填好以后", back))


def _sections(
    rows: list[tuple[str, str, str]], *sections: tuple[str, list[str]]
) -> list[tuple[str, str, str]]:
    """`rows` followed by each (heading, texts) section: the heading, then its texts numbered 1., 2. …"""
    for heading, texts in sections:
        rows.append(("guide_heading", "", heading))
        rows += [("guide_text", f"{n}.", text) for n, text in enumerate(texts, start=1)]
    return rows
