"""The bench's round: a synthetic roster of N 党总支 and the texts their returns carry."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

SEED = 20180926

UNIVERSITIES = (
    "郑州", "洛阳", "开封", "新乡", "安阳", "南阳", "信阳", "商丘", "周口", "许昌",
    "平顶山", "焦作", "鹤壁", "濮阳", "漯河", "三门峡", "驻马店", "济源", "黄河", "中原",
)  # fmt: skip
COLLEGES = (
    "文学院", "外国语学院", "数学与统计学院", "物理与电子工程学院", "化学化工学院", "生命科学学院",
    "地理与旅游学院", "历史文化学院", "马克思主义学院", "教育科学学院", "音乐学院", "美术学院",
    "体育学院", "经济与管理学院", "法学院", "新闻与传播学院", "信息科学与技术学院", "机电工程学院",
    "建筑工程学院", "软件学院", "国际教育学院", "继续教育学院", "机关", "图书馆", "后勤服务中心",
)  # fmt: skip
NOTES = (
    "主体责任清单已建立，但个别班子成员清单未及时更新，佐证材料不全",
    "本学期支委会研究党建工作记录缺少3月、4月，会议纪要不完整",
    "述职述责述廉材料已收集，督促检查记录偏少",
    "签字背书制度执行不够严格，部分请示件缺少书记签批意见",
    "中心组学习资料归档不完整，缺少2次学习记录",
    "意识形态工作联席会议未按季度召开，二季度缺失",
    "党费收缴记录簿登记不规范，个别月份补交",
    "失联党员管理台帐未及时更新",
)
DONE_TEXTS = (
    "已召开党总支会议专题学习传达，制定贯彻措施{n}条并分解落实，会议记录及学习材料已存档",
    "建立党政负责人每周沟通制度，本学期共沟通{n}次，有记录可查",
    "开展年度考核和谈心谈话{n}人次，发现苗头性问题及时提醒，谈话记录已归档备查",
    "每月固定时间开展主题党日，本年度共{n}次，活动记录完整",
    "本年度发展青年教师党员{n}名、学生党员{m}名，程序规范，发展材料齐全",
)
ISSUES_TEXTS = (
    "个别环节落实不到位，下一步将于10月底前完善制度并加强督促检查",
    "材料归档不够及时，已明确专人负责，每月整理一次",
    "部分支部执行不够规范，将开展专项培训并纳入年终考核",
)
FILL_DAYS = (26, 27, 28, 29, 30, 30, 30)  # the day of September 2018 a branch fills its form in


def status_mix(cat: Any) -> tuple[str, ...]:
    """Mostly done, some in progress, one not done, one not applicable (2018's list: 14 : 4 : 1 : 1), taken
    from the catalog's own statuses."""
    opens = cat.open_statuses or (cat.done_status,)
    return (cat.done_status,) * 14 + (opens[0],) * 4 + (opens[-1], cat.na_status or opens[-1])


def branch_name(i: int) -> str:
    """A unique, realistic 党总支 name for roster position i (1-based)."""
    k = len(COLLEGES)
    uni = UNIVERSITIES[((i - 1) // k) % len(UNIVERSITIES)]
    lap = (i - 1) // (k * len(UNIVERSITIES))
    return f"{uni}{'' if lap == 0 else lap + 1}学院{COLLEGES[(i - 1) % k]}党总支"


def bench_campaign(n: int) -> Any:
    """The default campaign with a roster of n branches."""
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.models import Branch

    if not 1 <= n <= 9999:
        raise SystemExit("N must be between 1 and 9999 (the roster's 序号 has at most 4 digits)")
    return default_campaign(tuple(Branch(seq=i, name=branch_name(i)) for i in range(1, n + 1)))


def done_text(rng: Any) -> str:
    return rng.choice(DONE_TEXTS).format(n=rng.randint(2, 12), m=rng.randint(5, 30)) * rng.randint(1, 3)


def excel_serial(day: dt.date) -> float:
    """A date as spreadsheets store it (days since 1899-12-30)."""
    return float((day - dt.date(1899, 12, 30)).days)


def fork_context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def workers(jobs: int) -> int:
    """Processes for preparing `jobs` pieces of work: both cores for real work, one for a toy round."""
    return 2 if jobs >= 20 and (os.cpu_count() or 1) > 1 else 1
