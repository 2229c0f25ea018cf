"""The catalog stage: the forms as data (built in, or read from the clerk's 表格内容.xlsx; checked on load), the
roster of 党总支 and the campaign."""

from .campaign import (
    CAMPAIGN_FILE,
    DEFAULT_CAMPAIGN,
    campaign_line,
    campaign_toml,
    default_campaign,
    find_campaign,
    load_campaign,
    load_campaign_noted,
)
from .formsbook import FORMS_FILE, FormsCheck, check_forms, read_forms
from .formsgrid import chinese_numeral
from .formswrite import forms_workbook
from .labels import plain, ref_labels
from .load import catalog_digest, check_catalog, load_catalog, parse_catalog
from .names import RosterNames, name_variants, normalize, roster_names, similar_names, strip_suffix
from .roster import (
    FORBIDDEN_NAME_CHARS,
    ROSTER_HEADERS,
    Roster,
    default_roster,
    load_roster,
    parse_roster_rows,
    read_roster,
    roster_csv,
)

__all__ = [
    "CAMPAIGN_FILE",
    "DEFAULT_CAMPAIGN",
    "FORBIDDEN_NAME_CHARS",
    "FORMS_FILE",
    "ROSTER_HEADERS",
    "FormsCheck",
    "Roster",
    "RosterNames",
    "campaign_line",
    "campaign_toml",
    "catalog_digest",
    "check_catalog",
    "check_forms",
    "chinese_numeral",
    "default_campaign",
    "default_roster",
    "find_campaign",
    "forms_workbook",
    "load_campaign",
    "load_campaign_noted",
    "load_catalog",
    "load_roster",
    "name_variants",
    "normalize",
    "parse_catalog",
    "parse_roster_rows",
    "plain",
    "read_forms",
    "read_roster",
    "ref_labels",
    "roster_csv",
    "roster_names",
    "similar_names",
    "strip_suffix",
]
