"""What each kind of problem is called where people read a list of them (the summary's 校验问题 sheet): a short
Chinese name per `messages.Code`, with `{unit}` for the kind of unit that fills the forms (党总支, 党支部 …)."""

from __future__ import annotations

from .messages import Code

PROBLEM_NAMES: dict[Code, str] = {
    Code.FILE_EMPTY: "空文件",
    Code.FILE_UNREADABLE: "文件无法打开",
    Code.FILE_NOT_SPREADSHEET: "不是表格文件",
    Code.FILE_HTML_AS_XLS: "网页格式冒充表格",
    Code.FILE_CORRUPT: "文件损坏",
    Code.FILE_ENCRYPTED: "文件已加密",
    Code.FILE_TOO_LARGE: "文件过大",
    Code.ZIP_BOMB: "解压后过大",
    Code.XML_HOSTILE: "含不安全内容",
    Code.TOO_MANY_SHEETS: "工作表过多",
    Code.SHEET_TOO_LARGE: "工作表过大",
    Code.TEXT_TOO_LONG: "内容过长已截断",
    Code.META_MISSING: "不是下发的表格",
    Code.KIND_UNKNOWN: "表格类型无法识别",
    Code.DIGEST_MISMATCH: "表格版本不符",
    Code.BRANCH_UNKNOWN: "{unit}不在名单中",
    Code.BRANCH_MISMATCH: "{unit}名称不一致",
    Code.SHEET_MISSING: "缺少工作表",
    Code.SHEET_ORDER: "工作表顺序调整",
    Code.TAMPERED: "锁定内容被修改",
    Code.TAMPERED_MANY: "锁定内容被修改",
    Code.ROWS_SHIFTED: "表格行列被改动",
    Code.BRANCH_BLANK: "未填{unit}名称",
    Code.BRANCH_NORMALIZED: "{unit}名称不完整",
    Code.YEAR_MISMATCH: "年度不符",
    Code.SCORE_BLANK: "未填自评得分",
    Code.SCORE_NOT_NUMBER: "得分不是数字",
    Code.SCORE_OUT_OF_RANGE: "得分超出分值",
    Code.SCORE_NORMALIZED: "得分写法不规范",
    Code.INSPECTION_BLANK: "未填督查得分",
    Code.FORMULA_IN_INPUT: "填写了公式",
    Code.NOTE_REQUIRED: "缺扣分说明",
    Code.STATUS_BLANK: "未选完成状态",
    Code.STATUS_INVALID: "完成状态无效",
    Code.TEXT_REQUIRED: "缺必填说明",
    Code.DATE_BLANK: "未填填报日期",
    Code.DATE_INVALID: "日期无效",
    Code.DATE_OUTSIDE_WINDOW: "日期不在自查时间内",
    Code.INSPECTION_SELF_CHANGED: "督查表自评与评分表不一致",
    Code.INSPECTION_NO_FORM1: "没有已接收的评分表",
    Code.SCHOOL_MISMATCH: "学校不符",
    Code.FORM_BLANK: "空白表格",
    Code.IDENTITY_DOUBT: "身份存疑",
    Code.CONTENT_DIFFERS: "两份文件内容差异大",
    Code.ORDER_DISAGREES: "新旧依据不一致",
    Code.REPORT_UNATTRIBUTED: "自查报告无法归属",
    Code.REPORT_UNREADABLE: "自查报告无法打开",
    Code.SUPERSEDED: "已被新版本替代",
    Code.NOT_A_FORM: "非表格文件",
    Code.IGNORED: "已忽略",
    Code.READ_TIMEOUT: "处理超时",
    Code.ROW_UNREADABLE: "某行无法读取",
}


def problem_name(code: str, unit: str) -> str:
    """The Chinese name of the problem with code value `code` (e.g. 'score-blank' → 未填自评得分); a code this
    version does not know (from an older summary) is shown as 其他问题."""
    try:
        return PROBLEM_NAMES[Code(code)].format(unit=unit)
    except (ValueError, KeyError):
        return "其他问题"
