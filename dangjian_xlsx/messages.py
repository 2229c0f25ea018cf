"""Every problem code, with its severity, its user-facing message and what it does besides being reported.

`Problem.code` is a code's string value (the exports show it). Templates are rendered with
str.format(**fields): they say what is wrong and how to fix it; the caller adds where. `{unit}` is the kind
of unit that fills the forms (党总支, 党支部 …: the catalog's `unit`), never a branch's name. A short reason
is the built-in round's text (党总支 …); `Code.reason_for(unit)` says it for another unit.
"""

from __future__ import annotations

from enum import Flag, StrEnum, auto

from .layout import META_SHEET
from .models import DEFAULT_UNIT, Problem, Severity

E, W = Severity.ERROR, Severity.WARNING


class Trait(Flag):
    """What a problem code does besides being reported."""

    REJECTS = auto()  # an error that makes the file's values untrustworthy: the file is rejected
    STOPS_VALUES = auto()  # identity in doubt: the values are not read, nothing of the file can count
    RECOVERABLE = auto()  # a rejection after which the input cells are still where the layout says
    RAW_VALUE = auto()  # Problem.value is what the branch typed (a corrected copy puts it back)
    BLANK = auto()  # an input cell read as empty (validate.formulas looks at what the cell holds)
    SCORE = auto()  # with BLANK: a score cell, where an error value (#VALUE!) is not a number


NONE = Trait(0)
REJECTS, STOPS_VALUES, RECOVERABLE = Trait.REJECTS, Trait.STOPS_VALUES, Trait.RECOVERABLE
RAW_VALUE, BLANK, SCORE = Trait.RAW_VALUE, Trait.BLANK, Trait.SCORE
READ_FAILS = REJECTS | STOPS_VALUES  # the reader gave up on the file: nothing of it is read


class Code(StrEnum):
    """A problem code: (value, severity, template, short reason shown for a file it rejects, traits)."""

    severity: Severity
    template: str
    reason: str
    traits: Trait

    def __new__(
        cls, value: str, severity: Severity, template: str, reason: str = "", traits: Trait = NONE
    ) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.template = template
        member.reason = reason
        member.traits = traits
        return member

    # --- file level: the file cannot be read as a form
    FILE_EMPTY = ("file-empty", E, "文件是空的（0 字节），请重新导出后发送", "空文件", READ_FAILS)
    FILE_UNREADABLE = (
        "file-unreadable",
        E,
        "文件无法打开（{reason}），请检查文件权限或重新发送",
        "无法打开",
        READ_FAILS,
    )
    FILE_NOT_SPREADSHEET = (
        "file-not-spreadsheet",
        E,
        "文件不是 Excel/WPS/LibreOffice 表格（实际内容为{actual}），请发送下发的表格文件",
        "不是表格文件",
        READ_FAILS,
    )
    FILE_HTML_AS_XLS = (
        "file-html-as-xls",
        E,
        "文件扩展名是表格，实际是网页（HTML）导出，请在 Excel/WPS 中“另存为 .xlsx”后发送",
        "网页格式，不是表格",
        READ_FAILS,
    )
    FILE_CORRUPT = (
        "file-corrupt",
        E,
        "文件已损坏或不完整（{reason}），请重新保存后发送",
        "文件损坏",
        READ_FAILS,
    )
    FILE_ENCRYPTED = (
        "file-encrypted",
        E,
        "文件已加密（设置了打开密码），无法读取，请取消打开密码后重新发送",
        "文件已加密",
        READ_FAILS,
    )
    FILE_TOO_LARGE = (
        "file-too-large",
        E,
        "文件过大（{size}），超过上限 {limit}，请确认是否为下发的表格",
        "文件过大",
        READ_FAILS,
    )
    ZIP_BOMB = (
        "zip-bomb",
        E,
        "文件解压后过大（{detail}），已拒绝读取，疑似异常文件",
        "解压后过大",
        READ_FAILS,
    )
    XML_HOSTILE = (
        "xml-hostile",
        E,
        "文件内部含有不安全的 XML 声明（{detail}），已拒绝读取",
        "含不安全内容",
        READ_FAILS,
    )
    TOO_MANY_SHEETS = (
        "too-many-sheets",
        E,
        "文件含有 {count} 个工作表，超过上限 {limit}，请使用下发的表格",
        "工作表过多",
        READ_FAILS,
    )
    SHEET_TOO_LARGE = (
        "sheet-too-large",
        E,
        "工作表“{sheet_name}”过大（{detail}），超过上限，请使用下发的表格",
        "工作表过大",
        READ_FAILS,
    )
    TEXT_TOO_LONG = ("text-too-long", W, "单元格内容过长（{length} 字），已截断为前 {limit} 字")
    # --- identity: which form and which 党总支
    META_MISSING = (
        "meta-missing",
        E,
        "找不到表格标识（隐藏的 _meta 工作表缺失或被改名），无法识别是哪一份表格，请使用下发的原表格填写",
        "不是下发的表格",
        REJECTS | STOPS_VALUES,
    )
    KIND_UNKNOWN = (
        "kind-unknown",
        E,
        "表格类型“{value}”无法识别，请使用下发的原表格填写",
        "表格类型无法识别",
        REJECTS | STOPS_VALUES,
    )
    DIGEST_MISMATCH = (
        "digest-mismatch",
        E,
        "表格版本不符：本文件是按{made_from}生成的表格，本轮使用的是{current}，请使用本轮下发的表格重新填写",
        "表格版本不符",
        REJECTS | STOPS_VALUES | RECOVERABLE,
    )
    BRANCH_UNKNOWN = (
        "branch-unknown",
        E,
        "{unit}“{value}”不在本轮名单中{suggestion}",
        "党总支不在名单中",
        REJECTS | STOPS_VALUES,
    )
    BRANCH_MISMATCH = (
        "branch-mismatch",
        E,
        "表头{unit}名称“{value}”与表格所属{unit}“{expected}”不一致，请勿在他人表格上填写",
        "党总支名称不一致",
        REJECTS | STOPS_VALUES,
    )
    SHEET_MISSING = (
        "sheet-missing",
        E,
        "缺少工作表“{sheet_name}”，请使用下发的原表格填写",
        "缺少工作表",
        REJECTS | STOPS_VALUES,
    )
    SHEET_ORDER = ("sheet-order", W, "工作表顺序被调整（“{sheet_name}”不在原位置），不影响读取")
    # --- tampering: locked cells edited, rows or columns moved
    TAMPERED = (
        "tampered",
        E,
        "{what}被修改：应为“{expected}”，现为“{value}”。该单元格已锁定，请勿修改，请使用下发的原表格重新填写",
        "锁定内容被修改",
        REJECTS | RECOVERABLE,
    )
    TAMPERED_MANY = (
        "tampered-many",
        E,
        "另有 {count} 处锁定单元格被修改，请使用下发的原表格重新填写",
        "锁定内容被修改",
        REJECTS,
    )
    ROWS_SHIFTED = (
        "rows-shifted",
        E,
        "表格中插入或删除了行/列：{what}应在 {expected_cell}，现位于 {found_cell}（共 {count} 处锁定单元格错位），请使用下发的原表格重新填写",
        "表格行列被改动",
        REJECTS,
    )
    # --- identity: the branch typed into a blank form, the year
    BRANCH_BLANK = (
        "branch-blank",
        E,
        "未填写{unit}名称，无法确定是哪个{unit}的表格",
        "未填写党总支名称",
        REJECTS | STOPS_VALUES,
    )
    BRANCH_NORMALIZED = (
        "branch-normalized",
        W,
        "{unit}名称“{value}”已按名单中的“{expected}”识别，请填写完整名称",
    )
    YEAR_MISMATCH = (
        "year-mismatch",
        W,
        "本表格是{value}年度的表格，本轮督查为{expected}年度，请确认是否使用了往年的表格",
    )
    # --- values
    SCORE_BLANK = ("score-blank", E, "{item}（满分{points}分）未填写自评得分", "", BLANK | SCORE)
    SCORE_NOT_NUMBER = (
        "score-not-number",
        E,
        "{item}的得分“{value}”不是数字，请填写 0 到 {points} 之间的数",
        "",
        RAW_VALUE,
    )
    SCORE_OUT_OF_RANGE = ("score-out-of-range", E, "{item}本项满分{points}分，填写的是{value}", "", RAW_VALUE)
    SCORE_NORMALIZED = ("score-normalized", W, "{item}的得分“{value}”已按 {normalized} 读取，请直接填写数字")
    INSPECTION_BLANK = ("inspection-blank", E, "{item}（满分{points}分）未填写督查得分", "", BLANK | SCORE)
    FORMULA_IN_INPUT = ("formula-in-input", E, "{item}填写的是公式“{value}”，请直接填写数值或文字")
    NOTE_REQUIRED = (
        "note-required",
        E,
        "{item}得分{score}低于满分{points}分，须填写扣分说明（佐证材料）",
        "",
        BLANK,
    )
    STATUS_BLANK = ("status-blank", E, "{item}未选择完成状态（应为 {choices} 之一）", "", BLANK)
    STATUS_INVALID = (
        "status-invalid",
        E,
        "{item}的完成状态“{value}”无效，应为 {choices} 之一",
        "",
        RAW_VALUE,
    )
    TEXT_REQUIRED = ("text-required", E, "{item}未填写{field_label}", "", BLANK)
    DATE_BLANK = ("date-blank", W, "未填写填报日期", "", BLANK)
    DATE_INVALID = (
        "date-invalid",
        W,
        "填报日期“{value}”不是有效日期，请按 {example} 的格式填写",
        "",
        RAW_VALUE,
    )
    DATE_OUTSIDE_WINDOW = ("date-outside-window", W, "填报日期 {value} 不在自查时间（{start} 至 {end}）内")
    # --- inspection (组织部督查)
    INSPECTION_SELF_CHANGED = (
        "inspection-self-changed",
        E,
        "{item}的自评得分与该{unit}已接收的评分表不一致（督查表 {value}，评分表 {expected}）",
    )
    INSPECTION_NO_FORM1 = (
        "inspection-no-form1",
        W,
        "该{unit}没有已接收的{form1}，自评得分按督查表中锁定的数值计算",
    )
    SCHOOL_MISMATCH = (
        "school-mismatch",
        W,
        "本表格是“{value}”的表格，本轮督查为“{expected}”，请确认是否使用了其他学校或往年的表格",
    )
    FORM_BLANK = (
        "form-blank",
        E,
        "交回的是空白表格（{count} 项均未填写），请填写后重新发送",
        "空白表格",
        BLANK,
    )
    # --- resolving and roster
    IDENTITY_DOUBT = (
        "identity-doubt",
        E,
        "表格属于“{expected}”，但{evidence}是“{value}”，无法确定是哪个{unit}交回的，本文件暂不计入任何{unit}。"
        "请用本单位下发的表格重新填写发送",
        "身份存疑",
    )
    CONTENT_DIFFERS = (
        "content-differs",
        W,
        "与同一{unit}的另一份文件“{other}”内容差异较大（{count} 处不同，不是对退回修改单元格的更正），"
        "请核对两份文件是否都是本单位填写",
    )
    ORDER_DISAGREES = (
        "order-disagrees",
        W,
        "判断哪份文件较新的依据不一致（{detail}），已采用“{taken}”：{reason}",
    )
    REPORT_UNATTRIBUTED = (
        "report-unattributed",
        W,
        "是自查报告，但无法判断属于哪个{unit}，请改名为“{unit}名称+自查报告”（例如“{example}自查报告{suffix}”）后重新放入",
    )
    REPORT_UNREADABLE = (
        "report-unreadable",
        E,
        "文件名表明是{unit}的自查报告，但文件无法打开（{value}），请重新导出为 Word 或 PDF 后发送",
        "自查报告无法打开",
        READ_FAILS,
    )
    SUPERSEDED = ("superseded", W, "已被同一{unit}更新的文件“{newer}”替代（{reason}）")
    NOT_A_FORM = ("not-a-form", W, "不是督查表格，也无法识别为某个{unit}的自查报告，已列出备查")
    IGNORED = ("ignored", W, "{reason}，已忽略")
    # --- the reader process (read/fence.py): a file's reading stopped, a row it could not convert
    READ_TIMEOUT = (
        "read-timeout",
        E,
        "读取超过 {seconds} 秒仍未完成，已停止读取（文件内容异常或过于复杂），"
        "请用 Excel/WPS 打开后另存为 .xlsx 再发送",
        "处理超时",
        READ_FAILS,
    )
    ROW_UNREADABLE = (
        "row-unreadable",
        E,
        "工作表“{sheet_name}”第 {row} 行有无法读取的数值（例如超出范围的日期），该行按空白读取，请检查后重新填写",
    )

    def reason_for(self, unit: str = DEFAULT_UNIT) -> str:
        """The short reason shown for a file this code rejects, in a round whose forms `unit` fills (a reason
        is a fixed text, never a branch's name: its 党总支 is the kind of unit)."""
        return self.reason.replace(DEFAULT_UNIT, unit)

    @property
    def rejects(self) -> bool:
        """An error with this code rejects the file (an identity or tamper problem)."""
        return Trait.REJECTS in self.traits

    @property
    def stops_values(self) -> bool:
        """Values are not checked after this problem (identity: nothing in the file can be trusted)."""
        return Trait.STOPS_VALUES in self.traits

    @property
    def recoverable(self) -> bool:
        """A file rejected only for such problems still has its input cells where the layout says."""
        return Trait.RECOVERABLE in self.traits

    @property
    def keeps_value(self) -> bool:
        """The problem's value is what the branch typed: a corrected copy puts it back in the cell."""
        return Trait.RAW_VALUE in self.traits

    @property
    def blank(self) -> bool:
        """The problem is about an input cell read as empty (it may hold a formula or an error value)."""
        return Trait.BLANK in self.traits

    @property
    def blank_score(self) -> bool:
        """A blank score cell: an error value there is reported as 'score-not-number'."""
        return Trait.BLANK in self.traits and Trait.SCORE in self.traits


def render(
    code: Code,
    *,
    file: str,
    sheet: str = "",
    cell: str = "",
    field: str = "",
    value: object = "",
    severity: Severity | None = None,
    unit: str = DEFAULT_UNIT,
    **fields: object,
) -> Problem:
    """Build a Problem from a code and its template fields; `unit` is the kind of unit that fills the forms
    (the catalog's: 党总支, 党支部 …)."""
    text = code.template.format(value=value, sheet_name=sheet, unit=unit, **fields)
    return Problem(
        file=file,
        code=code.value,
        severity=severity or code.severity,
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


def sheet_shown(sheet: str) -> str:
    """A sheet as people are told of it: the hidden identity sheet as 表格标识, others by their names."""
    return "表格标识" if sheet == META_SHEET else sheet


def where(p: Problem) -> str:
    """'文件 评分表 E12' — the position part of a one-line message."""
    parts = [p.file]
    if p.sheet:
        parts.append(sheet_shown(p.sheet))
    if p.cell:
        parts.append(p.cell)
    return " ".join(parts)


def one_line(p: Problem) -> str:
    return f"[{p.severity.value}] {where(p)}：{p.message}"
