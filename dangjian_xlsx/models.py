"""Pydantic models shared by every stage: the catalog, the campaign, and what collect produces."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from .answers import answers_of, scores_of
from .values import SHARED_MAX, InspectionScore, ItemScore, Kept, TaskAnswer, all_fields, shared


class _Frozen(Kept):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- catalog

DEFAULT_STATUSES = ("已完成", "持续推进", "未完成", "不适用")  # the task statuses of the 2018 notice
# Roles of the statuses (表格内容.xlsx 设置 lists them): the first means done; this one, when offered, means
# the task does not apply; any other means not done yet.
NA_STATUS = "不适用"
DEFAULT_UNIT = "党总支"  # who fills the forms
TITLE_FIELDS = ("{学校}", "{年度}")  # what a form title may contain, filled from the campaign


def points_value(value: Any) -> Any:
    """A number of points as the catalog keeps it: at most one decimal, an int when whole (so the built-in
    forms serialise, and hash, as they always did: 2, not 2.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value  # pydantic reports it
    if isinstance(value, float):
        tenths = round(value * 10)
        if abs(value * 10 - tenths) > 1e-6:
            raise ValueError("分值最多一位小数")
        value = tenths // 10 if tenths % 10 == 0 else tenths / 10
    return value


Points = Annotated[int | float, BeforeValidator(points_value), Field(gt=0)]


def round_points(value: float) -> int | float:
    """A sum of points without float noise (0.1 + 0.2), an int when whole."""
    return points_value(round(value, 1))


def render_title(template: str, school: str, year: int) -> str:
    """A form title with {学校} and {年度} filled from the campaign."""
    return template.replace("{学校}", school).replace("{年度}", str(year))


class Item(_Frozen):
    id: str = Field(pattern=r"^S\d{2}\.\d+$")
    text: str = Field(min_length=1)
    points: Points


class Section(_Frozen):
    id: str = Field(pattern=r"^S\d{2}$")
    numeral: str
    name: str
    max_points: Points
    items: tuple[Item, ...]

    @property
    def label(self) -> str:
        """The section cell's text as printed on the form."""
        return f"{self.name}（{self.max_points}分）"


class Task(_Frozen):
    id: str = Field(pattern=r"^T\d{2}$")
    text: str = Field(min_length=1)


class Group(_Frozen):
    id: str
    numeral: str
    title: str
    tasks: tuple[Task, ...]


class Erratum(_Frozen):
    id: str
    original: str
    corrected: str
    note: str


class Form1Spec(_Frozen):
    attachment: str
    title: str  # a template: may hold {学校} / {年度} (title_for fills them)
    sections: tuple[Section, ...]

    def title_for(self, school: str, year: int) -> str:
        return render_title(self.title, school, year)


class Form2Spec(_Frozen):
    attachment: str
    title: str  # a template, as Form1Spec.title
    groups: tuple[Group, ...]

    def title_for(self, school: str, year: int) -> str:
        return render_title(self.title, school, year)


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    form1: Form1Spec
    form2: Form2Spec
    errata: tuple[Erratum, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_STATUSES  # the completion statuses offered for each task
    unit: str = Field(default=DEFAULT_UNIT, min_length=1)  # who fills the forms: 党总支, 党支部 …

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) < 2 or len(set(value)) != len(value) or not all(v.strip() for v in value):
            raise ValueError("完成状态至少要有两个，且不能为空或重复")
        return value

    @property
    def done_status(self) -> str:
        """The status that means done (completion rates count it): the first of the list, as 已完成."""
        return self.statuses[0]

    @property
    def na_status(self) -> str | None:
        """The status that means the task does not apply (left out of completion rates), when offered."""
        return NA_STATUS if NA_STATUS in self.statuses else None

    @property
    def open_statuses(self) -> tuple[str, ...]:
        """The statuses of a task not done (持续推进, 未完成 …): the rest of the list."""
        return tuple(s for s in self.statuses[1:] if s != NA_STATUS)

    def for_round(self, school: str, year: int) -> Catalog:
        """This catalog with the forms' titles filled in for a round (itself when there is nothing to fill)."""
        t1, t2 = self.form1.title_for(school, year), self.form2.title_for(school, year)
        if (t1, t2) == (self.form1.title, self.form2.title):
            return self
        return self.model_copy(
            update={
                "form1": self.form1.model_copy(update={"title": t1}),
                "form2": self.form2.model_copy(update={"title": t2}),
            }
        )

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return self.form1.sections

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.form1.sections for i in s.items)

    @cached_property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(t for g in self.form2.groups for t in g.tasks)

    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        return {i.id: s for s in self.form1.sections for i in s.items}

    @cached_property
    def task_by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    @cached_property
    def group_of(self) -> dict[str, Group]:
        return {t.id: g for g in self.form2.groups for t in g.tasks}

    @property
    def total_points(self) -> int | float:
        return round_points(sum(s.max_points for s in self.form1.sections))


# ---------------------------------------------------------------- campaign


class Branch(_Frozen):
    """One 党总支 of the roster."""

    seq: int = Field(ge=1, le=999_999_999_999_999)  # any width Excel shows exactly (roster.MAX_SEQ_DIGITS)
    name: str = Field(min_length=1)
    contact: str = ""
    email: str = ""
    short: str = ""  # 简称: the name people use in file names (roster column 简称), optional

    @property
    def id(self) -> str:
        """The seq as the forms print it (01); one copy per process, not one per table row that shows it."""
        return sys.intern(f"{self.seq:02d}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Unpickled (a worker's record) as the equal branch this process has already (`keep_branches`)."""
        return _branch, _branch_key(self)


_BRANCH_FIELDS = tuple(Branch.model_fields)
_kept_branches: dict[tuple[Any, ...], Branch] = {}


def keep_branches(branches: Iterable[Branch]) -> None:
    """The roster's branches as the ones a worker's records come back with: ten thousand records name five
    thousand branches, each record its own copy of its branch as pickled."""
    for b in branches:
        if len(_kept_branches) < SHARED_MAX:
            _kept_branches.setdefault(_branch_key(b), b)


def _branch_key(b: Branch) -> tuple[Any, ...]:
    return tuple(b.__dict__[name] for name in _BRANCH_FIELDS)


def _branch(*fields: Any) -> Branch:
    kept = _kept_branches.get(fields)
    if kept is None:
        kept = Branch(**dict(zip(_BRANCH_FIELDS, fields, strict=True)))
        if len(_kept_branches) < SHARED_MAX:
            _kept_branches[fields] = kept
    return kept


class Campaign(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    school: str
    department: str
    title: str
    year: int
    self_check_start: dt.date
    self_check_end: dt.date
    due: dt.date
    # 退回修改's deadline once `due` has passed: the notices ask for corrections by this date (None: by `due`)
    correction_due: dt.date | None = None
    password: str = Field(min_length=1)
    return_to: str = ""
    inspection_margin: float = Field(default=5.0, ge=0)
    roster: tuple[Branch, ...] = ()
    catalog: Catalog

    @model_validator(mode="after")
    def _titles_for_this_round(self) -> Campaign:
        """The forms' titles as this round prints them: {学校} and {年度} filled in (the catalog keeps them
        filled from here on, so every form, 更正表 and 督查评分表 carries the campaign's school)."""
        self.__dict__["catalog"] = self.catalog.for_round(self.school, self.year)
        return self

    @cached_property
    def branch_by_name(self) -> dict[str, Branch]:
        return {b.name: b for b in self.roster}

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Campaign:
        """A copy whose cached look-ups are rebuilt (pydantic copies them, stale, with the instance dict) and
        whose catalog's titles are filled in (a catalog given in `update` may hold the templates)."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("branch_by_name", None)
        copy.__dict__["catalog"] = copy.catalog.for_round(copy.school, copy.year)
        return copy


# ---------------------------------------------------------------- collect


class FormKind(StrEnum):
    SCORING = "form1"
    TASKS = "form2"
    INSPECTION = "inspection"


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


class Problem(_Frozen):
    """One finding about one input file; the unit of every report."""

    file: str
    code: str
    severity: Severity
    message: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: str = ""


class Outcome(StrEnum):
    ACCEPTED = "已接收"
    WARNINGS = "已接收（有警告）"
    NEEDS_FIX = "已接收（需修改）"
    REJECTED = "退回"
    IDENTITY_DOUBT = "身份存疑"  # the evidence of who sent it disagrees: counted for nobody
    SUPERSEDED = "已被新版本替代"
    IGNORED = "已忽略"
    NOT_A_FORM = "非表格文件"
    REPORT = "自查报告"


Scalar = Any  # a raw cell value as the reader returns it (str, float, bool, date, datetime, None)


class RawSheet(BaseModel):
    name: str
    visibility: str  # "visible" | "hidden" | "veryhidden"
    rows: list[list[Scalar]]

    def get(self, row: int, col: int) -> Scalar:
        """Value at 0-based (row, col), None when outside the used range or empty."""
        if row < len(self.rows):
            r = self.rows[row]
            if col < len(r):
                v = r[col]
                return None if v == "" else v
        return None


class RawWorkbook(BaseModel):
    """What the reader hands to validation: every sheet's values, nothing interpreted."""

    fmt: str  # xlsx | xlsm | xls | ods
    sheets: list[RawSheet]
    saved_at: dt.datetime | None = None
    # reader findings that do not stop the read: (message code, render fields), e.g. text-too-long
    notes: list[tuple[str, dict[str, Any]]] = Field(default_factory=list)

    def sheet(self, name: str) -> RawSheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None


class Identity(_Frozen):
    kind: FormKind
    digest: str
    branch_id: str
    branch_name: str
    campaign: str = ""
    generator_version: str = ""


class Submission(_Frozen):
    """The validated content of one accepted form."""

    kind: FormKind
    branch: Branch
    fill_date: dt.date | None = None
    # a kept record holds these two as one `answers.Scores` / `answers.Answers` (a sequence of the same tuples)
    scores: tuple[ItemScore, ...] = ()
    answers: tuple[TaskAnswer, ...] = ()
    inspection: tuple[InspectionScore, ...] = ()
    # the 督查评分表's signature line (optional): 督查组, 督查人 as typed
    inspection_group: str = ""
    inspector: str = ""
    revision: int = 0  # the form's 更正版次 (metadata): n for the n-th corrected copy, 0 otherwise

    @field_validator("scores", "answers", "inspection")
    @classmethod
    def _shared_values(cls, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """The values without text kept once per process (`values.shared`), not once per file."""
        return tuple(map(shared, values))

    @field_serializer("scores", "answers", mode="wrap")
    def _values_as_tuple(self, values: Sequence[Any], handler: SerializerFunctionWrapHandler) -> Any:
        """The scores and answers dumped as the tuples they stand for (a record keeps them as one object:
        `answers.Scores`, `answers.Answers`)."""
        return handler(tuple(values))


class FileRecord(Kept):
    """Everything collect knows about one input file."""

    path: str  # relative to the inbox, POSIX separators
    size: int = 0
    sha256: str = ""
    mtime: float = 0.0
    outcome: Outcome = Outcome.REJECTED
    reason: str = ""
    kind: FormKind | None = None
    branch: Branch | None = None
    submission: Submission | None = None
    saved_at: dt.datetime | None = None
    problems: list[Problem] = Field(default_factory=list)
    # 身份存疑: the other roster branch the evidence names (file or folder name, 扣分说明 text), `branch`
    # being the one the form's identity names
    claimant: Branch | None = None
    # how `branch` was inferred for a file whose identity could not be read ("文件名", "文件夹名",
    # "表头党总支名称"); empty when the form's own identity says it
    attribution: str = ""

    def compact(self) -> FileRecord:
        """This record, kept small for a round of ten thousand (however its parts were made: validated,
        constructed without validation or unpickled): its values without text shared (`values.shared`), its item
        scores with a 扣分说明 and its task answers one object each (`answers.Scores`, `answers.Answers`: their
        texts in the collect's store) and every part's fields-set the class's one (`values.Kept`).
        Returns the record itself."""
        sub = self.submission
        if sub is not None:
            sub.__dict__["inspection"] = tuple(map(shared, sub.__dict__["inspection"]))
            sub.__dict__["scores"] = scores_of(sub.__dict__["scores"])
            sub.__dict__["answers"] = answers_of(sub.__dict__["answers"])
        for part in (self, sub, self.branch, self.claimant, sub and sub.branch, *self.problems):
            if part is not None:
                object.__setattr__(part, "__pydantic_fields_set__", all_fields(type(part)))
        return self

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


class Report(BaseModel):
    """The result of one collect run."""

    inbox: str
    campaign: Campaign
    files: list[FileRecord]
    generated_at: dt.datetime
