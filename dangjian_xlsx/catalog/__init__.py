"""The catalog stage: the official forms as data (checked on load), the roster of 党总支 and the campaign."""

from .campaign import (
    CAMPAIGN_FILE,
    DEFAULT_CAMPAIGN,
    campaign_line,
    campaign_toml,
    default_campaign,
    find_campaign,
    load_campaign,
)
from .load import catalog_digest, check_catalog, load_catalog, parse_catalog
from .names import RosterNames, normalize, roster_names, strip_suffix
from .roster import (
    FORBIDDEN_NAME_CHARS,
    ROSTER_HEADERS,
    default_roster,
    load_roster,
    parse_roster_rows,
    roster_csv,
)

__all__ = [
    "CAMPAIGN_FILE",
    "DEFAULT_CAMPAIGN",
    "FORBIDDEN_NAME_CHARS",
    "ROSTER_HEADERS",
    "RosterNames",
    "campaign_line",
    "campaign_toml",
    "catalog_digest",
    "check_catalog",
    "default_campaign",
    "default_roster",
    "find_campaign",
    "load_campaign",
    "load_catalog",
    "load_roster",
    "normalize",
    "parse_catalog",
    "parse_roster_rows",
    "roster_csv",
    "roster_names",
    "strip_suffix",
]
