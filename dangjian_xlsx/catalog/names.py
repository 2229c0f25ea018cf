"""Roster names as people write them: in file names, folder names, a header cell or a sentence.

A branch is named by its full roster name or by a variant derived from it: the name without parentheticals
(创新创业学院（大学科技园）党总支 → 创新创业学院党总支), without its trailing 党总支/党委/直属党支部/党支部
(→ 创新创业学院), both, the bracketed name itself (软件学院 in 计算机与信息工程学院（软件学院）党总支: a second
name the unit goes by) and the roster's 简称 (Branch.short, e.g. 计算机学院). Texts and names are compared
after NFKC (full-width letters and brackets) with whitespace removed.

A derived variant that two branches share, or that is another branch's full name, names nobody. Occurrences
are taken longest first and may not overlap a longer one already taken: 教育学院 inside 继续教育学院 (both
on the roster) is 继续教育学院 only, 化学院 inside 生物化学院 is 生物化学院 only. Numbers are never read as
a branch (a leading "10_" in a file name is the sender's numbering, not a roster 序号).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..models import Branch

NAME_SUFFIXES = ("直属党支部", "党总支", "党支部", "党委")
MIN_VARIANT_CHARS = 2  # a derived variant shorter than this (a one-character 简称) names nobody

_SPACE = re.compile(r"\s+")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")


def normalize(text: str) -> str:
    """NFKC, no whitespace: the form in which names are compared."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def strip_parentheticals(name: str) -> str:
    """The name without its bracketed parts: 创新创业学院（大学科技园）党总支 → 创新创业学院党总支."""
    text = normalize(name)
    while True:
        shorter = _PARENS.sub("", text)
        if shorter == text:
            return text
        text = shorter


def strip_suffix(name: str) -> str:
    """The name without a trailing 党总支/党委/直属党支部/党支部 (unchanged when that is all there is)."""
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def parentheticals(name: str) -> list[str]:
    """The bracketed parts of a name, which are its other names: 软件学院 in 计算机与信息工程学院（软件学院）."""
    return [m.group(0)[1:-1] for m in _PARENS.finditer(normalize(name))]


def name_variants(branch: Branch) -> tuple[str, ...]:
    """The full name first, then every variant people use for it (normalized, no duplicates)."""
    full = normalize(branch.name)
    bare = strip_parentheticals(full)
    out = [full, bare, strip_suffix(full), strip_suffix(bare)]
    out += [p for p in parentheticals(full) if not p.isdigit()]
    if branch.short.strip():
        out.append(normalize(branch.short))
    seen: list[str] = []
    for v in out:
        if v and v not in seen and (v == full or len(v) >= MIN_VARIANT_CHARS):
            seen.append(v)
    return tuple(seen)


@dataclass(frozen=True)
class Mention:
    """One occurrence of a roster name in a (normalized) text."""

    start: int
    end: int
    branch: Branch
    full: bool  # the branch's full roster name, not a variant


class RosterNames:
    """Finds the roster branches a text names (see the module docstring for the rules)."""

    def __init__(self, roster: Sequence[Branch]) -> None:
        self.roster = tuple(roster)
        full = {normalize(b.name): b for b in self.roster}
        derived: dict[str, list[Branch]] = {}
        for b in self.roster:
            for v in name_variants(b)[1:]:
                derived.setdefault(v, []).append(b)
        self.full: dict[str, Branch] = full
        self.variants: dict[str, Branch] = {
            v: bs[0] for v, bs in derived.items() if len(bs) == 1 and v not in full
        }
        # every name by its first two characters (a text is scanned once, not once per roster name)
        self._index: dict[str, list[tuple[str, Branch, bool]]] = {}
        for names, is_full in ((self.full, True), (self.variants, False)):
            for n, b in names.items():
                self._index.setdefault(n[:2], []).append((n, b, is_full))
        self._one_char = any(len(k) == 1 for k in self._index)

    def mentions(self, text: str, *, full_only: bool = False) -> list[Mention]:
        """Every roster name in `text` (normalized first), longest first without overlaps, in text order."""
        text = normalize(text)
        if not text:
            return []
        found: list[Mention] = []
        index = self._index
        one_char = self._one_char
        for start in range(len(text)):
            candidates = index.get(text[start : start + 2], [])
            if one_char:  # a one-character roster name (its key is shorter than the two looked up)
                candidates = [*candidates, *index.get(text[start], [])]
            for n, b, is_full in candidates:
                if (is_full or not full_only) and text.startswith(n, start):
                    found.append(Mention(start, start + len(n), b, is_full))
        found.sort(key=lambda m: (m.start - m.end, not m.full, m.start))
        taken: list[Mention] = []
        for m in found:
            if all(m.end <= t.start or t.end <= m.start for t in taken):
                taken.append(m)
        return sorted(taken, key=lambda m: m.start)

    def named(self, text: str, *, full_only: bool = False) -> list[Branch]:
        """The branches `text` names, in the order of their first occurrence."""
        return _unique(m.branch for m in self.mentions(text, full_only=full_only))

    def named_preferring_full(self, text: str) -> list[Branch]:
        """The branches named by full name; only when there is none, those named by any variant."""
        return self.named(text, full_only=True) or self.named(text)

    def lookup(self, typed: str) -> tuple[Branch | None, bool]:
        """A name typed into a cell → (branch, exact): the full name, else one variant, else None."""
        key = normalize(typed)
        if key in self.full:
            return self.full[key], True
        return self.variants.get(key), False


def _unique(branches: Iterable[Branch]) -> list[Branch]:
    out: list[Branch] = []
    for b in branches:
        if b not in out:
            out.append(b)
    return out


@lru_cache(maxsize=8)
def roster_names(roster: tuple[Branch, ...]) -> RosterNames:
    """The matcher for a roster, built once per roster."""
    return RosterNames(roster)
