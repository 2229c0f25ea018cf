"""A returned inbox of 25 党总支 filled the way branches fill it (openpyxl), collected into a summary: the input
of the summary print tests.

Each branch sends its 自查报告 (two do not), deducts a few items with a note of ordinary length, marks most tasks 已完成 and some 持续推进 /
未完成 with what was done and what is left; one 附件1 has a blank score (暂计), one branch sent no 附件2, one
sent nothing; 组织部 inspected five branches (one 自评偏高). Deterministic (a seeded random).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from fill import fill_form
from hostile_inbox import docx, paragraph

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Branch, Campaign, FormKind, Report, Submission
from dangjian_xlsx.round import build_inspections
from dangjian_xlsx.summary import write_summary

Key = tuple[Field, str]
GENERATED_AT = dt.datetime(2018, 10, 15, 9, 0)
EXTRA = (  # beyond the built-in 20: long names, as some rosters have them
    "计算机与信息工程学院（软件学院、大数据学院）党总支",
    "创新创业学院（大学科技园管理办公室）党总支",
    "国际教育学院党总支",
    "继续教育学院党总支",
    "后勤管理处直属党支部",
)
NOTES = (
    "主体责任清单已建立，但个别班子成员清单未及时更新，佐证材料不全",
    "支委会研究党建工作记录缺少3月、4月，会议纪要不完整",
    "述职述责述廉材料已收集，督促检查记录偏少",
    "签字背书制度执行不够严格，部分请示件缺少书记签批意见",
    "中心组学习资料归档不完整，缺少2次学习记录",
    "意识形态工作联席会议未按季度召开，二季度缺失",
    "会议记录存在缺席人员、记录人遗漏的情况",
    "党费收缴记录簿登记不规范，个别月份补交",
)
DONE = (
    "已召开党总支会议专题学习传达，制定贯彻措施5条并分解落实，会议记录及学习材料已存档",
    "已修订党政联席会议议事规则，经党总支会议审议通过并印发执行",
    "建立党政负责人每周沟通制度，本学期共沟通12次，有记录可查",
    "开展年度考核和谈心谈话36人次，发现苗头性问题及时提醒",
)
ISSUES = (
    "部分支部执行不够规范，将开展专项培训并纳入年终考核",
    "个别环节落实不到位，下一步将于10月底前完善制度并加强督促检查",
    "受学期安排影响尚未完成，计划下学期第一个月内完成",
)
NO_FORM2, NOTHING, BLANK_SCORE = 12, 25, 7  # seq: no 附件2; nothing at all; a 附件1 with a blank score
NO_REPORT = (4, 18)  # seq: no 自查报告
INSPECTED = {1: 2.0, 3: 1.0, 9: 7.5, 14: 3.0, 21: 1.5}  # seq → points the inspectors take off


def print_campaign() -> Campaign:
    campaign = default_campaign()
    extra = tuple(Branch(seq=21 + k, name=name) for k, name in enumerate(EXTRA))
    return campaign.model_copy(update={"roster": (*campaign.roster, *extra)})


def scores(rng: random.Random, campaign: Campaign, seq: int) -> dict[Key, object]:
    cat = campaign.catalog
    values: dict[Key, object] = {(Field.DATE, ""): dt.date(2018, 9, 28)}
    lost = {i.id for i in rng.sample(cat.items, rng.randint(3, 9))}
    for item in cat.items:
        score = item.points
        if item.id in lost:
            score = max(0.0, item.points - rng.choice((0.5, 1.0, 1.0, 2.0)))
            values[(Field.NOTE, item.id)] = rng.choice(NOTES)
        values[(Field.SCORE, item.id)] = score
    if seq == BLANK_SCORE:
        values[(Field.SCORE, cat.items[5].id)] = None
    return values


def tasks(rng: random.Random, campaign: Campaign) -> dict[Key, object]:
    cat = campaign.catalog
    values: dict[Key, object] = {(Field.DATE, ""): dt.date(2018, 9, 28)}
    for task in cat.tasks:
        status = rng.choices(cat.statuses, weights=(75, 16, 6, 3)[: len(cat.statuses)])[0]
        values[(Field.STATUS, task.id)] = status
        values[(Field.DONE, task.id)] = rng.choice(DONE)
        if status != cat.done_status:
            values[(Field.ISSUES, task.id)] = rng.choice(ISSUES)
    return values


def inspection(rng: random.Random, campaign: Campaign, sub: Submission, cut: float) -> dict[Key, object]:
    """The 督查得分: the self-assessment less `cut` points over a few items, each with a 督查意见."""
    own = {s.item_id: s.score for s in sub.scores}
    values: dict[Key, object] = {(Field.DATE, ""): dt.date(2018, 10, 12)}
    for item in campaign.catalog.items:
        values[(Field.INSP_SCORE, item.id)] = own.get(item.id, item.points)
    left = cut
    for item in rng.sample(campaign.catalog.items, len(campaign.catalog.items)):
        score = float(own.get(item.id) or 0)
        if left <= 0:
            break
        if score <= 0:
            continue
        d = min(left, 1.0, score)
        values[(Field.INSP_SCORE, item.id)] = score - d
        values[(Field.INSP_OPINION, item.id)] = f"现场查阅未见相关台账，扣{d:g}分"
        left -= d
    return values


def fill_inbox(inbox: Path, campaign: Campaign) -> Report:
    """The 25 branches' returned forms and then 组织部's inspection; the final collect."""
    rng = random.Random(20181015)
    for b in campaign.roster:
        if b.seq == NOTHING:
            continue
        if b.seq not in NO_REPORT:
            text = f"{b.name}关于全面从严治党主体责任落实情况的自查报告"
            (inbox / f"{b.id}_{b.name}_自查报告.docx").write_bytes(docx(paragraph(text)))
        kinds = {FormKind.SCORING: scores(rng, campaign, b.seq), FormKind.TASKS: tasks(rng, campaign)}
        for kind, values in kinds.items():
            if kind is FormKind.TASKS and b.seq == NO_FORM2:
                continue
            blank = build_form(campaign, kind, b)
            fill_form(blank, inbox / form_filename(kind, b), values, catalog=campaign.catalog)
    report = run_collect(inbox, campaign, jobs=1)
    books = dict(build_inspections(report))
    counted = {bf.branch.seq: bf.forms[FormKind.SCORING].submission for bf in ag.branch_files(report)}
    roster = {b.seq: b for b in campaign.roster}
    for seq, cut in INSPECTED.items():
        sub = counted[seq]
        assert sub is not None
        name = form_filename(FormKind.INSPECTION, roster[seq])
        values = inspection(rng, campaign, sub, cut)
        fill_form(books[name], inbox / "组织部督查" / name, values, catalog=campaign.catalog)
    return run_collect(inbox, campaign, jobs=1)


def build_print_summary(folder: Path) -> Path:
    """The summary of the 25-branch inbox, written to `folder`/汇总表.xlsx."""
    campaign = print_campaign()
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    report = fill_inbox(inbox, campaign)
    tables, ov = ag.tables_and_overview(report)
    return write_summary(tables, ov, folder / "汇总表.xlsx", campaign, GENERATED_AT)
