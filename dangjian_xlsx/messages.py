"""Every user-facing problem message, by code. Templates are rendered with str.format(**fields)."""

from __future__ import annotations

from .models import Problem, Severity

E, W = Severity.ERROR, Severity.WARNING

# code: (severity, template). Templates say where (added by the caller), what, and how to fix it.
MESSAGES: dict[str, tuple[Severity, str]] = {
    # --- file level: the file cannot be read as a form
    "file-empty": (E, "文件是空的（0 字节），请重新导出后发送"),
    "file-unreadable": (E, "文件无法打开（{reason}），请检查文件权限或重新发送"),
    "file-not-spreadsheet": (
        E,
        "文件不是 Excel/WPS/LibreOffice 表格（实际内容为{actual}），请发送下发的表格文件",
    ),
    "file-html-as-xls": (
        E,
        "文件扩展名是表格，实际是网页（HTML）导出，请在 Excel/WPS 中“另存为 .xlsx”后发送",
    ),
    "file-corrupt": (E, "文件已损坏或不完整（{reason}），请重新保存后发送"),
    "file-encrypted": (E, "文件已加密（设置了打开密码），无法读取，请取消打开密码后重新发送"),
    "file-too-large": (E, "文件过大（{size}），超过上限 {limit}，请确认是否为下发的表格"),
    "zip-bomb": (E, "文件解压后过大（{detail}），已拒绝读取，疑似异常文件"),
    "xml-hostile": (E, "文件内部含有不安全的 XML 声明（{detail}），已拒绝读取"),
    "too-many-sheets": (E, "文件含有 {count} 个工作表，超过上限 {limit}，请使用下发的表格"),
    "sheet-too-large": (E, "工作表“{sheet_name}”过大（{detail}），超过上限，请使用下发的表格"),
    "text-too-long": (W, "单元格内容过长（{length} 字），已截断为前 {limit} 字"),
    # --- identity
    "meta-missing": (
        E,
        "找不到表格标识（隐藏的 _meta 工作表缺失或被改名），无法识别是哪一份表格，请使用下发的原表格填写",
    ),
    "kind-unknown": (E, "表格类型“{value}”无法识别，请使用下发的原表格填写"),
    "digest-mismatch": (E, "模板版本不符，请使用最新下发的表格（本文件版本 {value}，当前版本 {expected}）"),
    "branch-unknown": (E, "党总支“{value}”不在本轮名单中{suggestion}"),
    "branch-mismatch": (E, "表头党总支名称“{value}”与表格所属党总支“{expected}”不一致，请勿在他人表格上填写"),
    "sheet-missing": (E, "缺少工作表“{sheet_name}”，请使用下发的原表格填写"),
    "sheet-order": (W, "工作表顺序被调整（“{sheet_name}”不在原位置），不影响读取"),
    "tampered": (
        E,
        "{what}被修改：应为“{expected}”，现为“{value}”。该单元格已锁定，请勿修改，请使用下发的原表格重新填写",
    ),
    "tampered-many": (E, "另有 {count} 处锁定单元格被修改，请使用下发的原表格重新填写"),
    "rows-shifted": (
        E,
        "表格中插入或删除了行/列：{what}应在 {expected_cell}，现位于 {found_cell}（共 {count} 处锁定单元格错位），请使用下发的原表格重新填写",
    ),
    "branch-blank": (E, "未填写党总支名称，无法确定是哪个党总支的表格"),
    "branch-normalized": (W, "党总支名称“{value}”已按名单中的“{expected}”识别，请填写完整名称"),
    "year-mismatch": (W, "本表格是{value}年度的表格，本轮督查为{expected}年度，请确认是否使用了往年的表格"),
    # --- values
    "score-blank": (E, "{item}（满分{points}分）未填写自评得分"),
    "score-not-number": (E, "{item}的得分“{value}”不是数字，请填写 0 到 {points} 之间的数"),
    "score-out-of-range": (E, "{item}本项满分{points}分，填写的是{value}"),
    "score-normalized": (W, "{item}的得分“{value}”已按 {normalized} 读取，请直接填写数字"),
    "inspection-blank": (E, "{item}（满分{points}分）未填写督查得分"),
    "formula-in-input": (E, "{item}填写的是公式“{value}”，请直接填写数值或文字"),
    "note-required": (E, "{item}得分{score}低于满分{points}分，须填写扣分说明（佐证材料）"),
    "status-blank": (E, "{item}未选择完成状态（应为 {choices} 之一）"),
    "status-invalid": (E, "{item}的完成状态“{value}”无效，应为 {choices} 之一"),
    "text-required": (E, "{item}未填写{field_label}"),
    "date-blank": (W, "未填写填报日期"),
    "date-invalid": (W, "填报日期“{value}”不是有效日期，请按 2018-09-28 的格式填写"),
    "date-outside-window": (W, "填报日期 {value} 不在自查时间（{start} 至 {end}）内"),
    # --- inspection (组织部督查)
    "inspection-self-changed": (
        E,
        "{item}的自评得分与该党总支已接收的评分表不一致（督查表 {value}，评分表 {expected}）",
    ),
    "inspection-no-form1": (
        W,
        "该党总支没有已接收的附件1评分表，自评得分按督查表中锁定的数值计算",
    ),
    # --- resolving and roster
    "superseded": (W, "已被同一党总支更新的文件“{newer}”替代（{reason}）"),
    "not-a-form": (W, "不是督查表格，也无法识别为某个党总支的自查报告，已列出备查"),
    "ignored": (W, "{reason}，已忽略"),
}


def render(
    code: str,
    *,
    file: str,
    sheet: str = "",
    cell: str = "",
    field: str = "",
    value: object = "",
    severity: Severity | None = None,
    **fields: object,
) -> Problem:
    """Build a Problem from a code and its template fields."""
    sev, template = MESSAGES[code]
    text = template.format(value=value, sheet_name=sheet, **fields)
    return Problem(
        file=file,
        code=code,
        severity=severity or sev,
        message=text,
        sheet=sheet,
        cell=cell,
        field=field,
        value=_shown(value),
    )


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def where(p: Problem) -> str:
    """'文件 评分表 E12' — the position part of a one-line message."""
    parts = [p.file]
    if p.sheet:
        parts.append(p.sheet)
    if p.cell:
        parts.append(p.cell)
    return " ".join(parts)


def one_line(p: Problem) -> str:
    return f"[{p.severity.value}] {where(p)}：{p.message}"
