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

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..models import Branch

NAME_SUFFIXES = ("直属党支部", "党总支", "党支部", "党委")
MIN_VARIANT_CHARS = 2  # a derived variant shorter than this (a one-character 简称) names nobody

# invisible characters that change nothing on screen: zero-width spaces and joiners, direction marks, the
# soft hyphen, the byte-order mark used as a zero-width no-break space
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]+")
_SPACE = re.compile("[\\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]+")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")


def normalize(text: str) -> str:
    """NFKC, no whitespace, no invisible characters: the form in which names are compared (a no-break space,
    full-width brackets or a zero-width space make no other name)."""
    return _SPACE.sub("", nfkc(text))


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, quicker for a Chinese text: its full-width punctuation (，：（）)
    and ideographic spaces are what NFKC changes, each into one ASCII character; when that is all, the text
    with them replaced is NFKC already (a compatibility decomposition is per character), and the general
    normalization — slow on CJK text — is left out."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    plain = _FULL_WIDTH.sub(_half_width, text)
    if unicodedata.is_normalized("NFKC", plain):
        return plain
    return unicodedata.normalize("NFKC", text)


def _half_width(m: re.Match[str]) -> str:
    ch = m.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


def without_invisible(text: str) -> str:
    """`text` without the characters that show nothing (zero-width spaces, direction marks …)."""
    return _INVISIBLE.sub("", text)


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
        # where a name can start: one C-level scan finds those places, the rest of a text is not looked at
        firsts = "".join(sorted({re.escape(k[0]) for k in self._index if k}))
        self._starts = re.compile(f"[{firsts}]") if firsts else None

    def mentions(self, text: str, *, full_only: bool = False) -> list[Mention]:
        """Every roster name in `text` (normalized first), longest first without overlaps, in text order."""
        text = normalize(text)
        if not text or self._starts is None:
            return []
        found: list[Mention] = []
        index = self._index
        one_char = self._one_char
        for at in self._starts.finditer(text):
            start = at.start()
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


def similar_names(typed: str, names: Sequence[str], n: int = 3) -> list[str]:
    """Roster names a name not on the roster may mean, best first, by meaning before spelling: a name one
    contains the other of (also without the 党总支 suffix and bracketed parts, or as the bracketed other name),
    then the most leading characters shared once suffix and brackets are gone (计算机学院党总支 →
    计算机与信息工程学院（软件学院）党总支), then similarity of the whole (外语学院 → 外国语学院). Names with none of
    these (at least two leading characters, or half the characters alike) are not suggested."""
    key = normalize(typed)
    if not key:
        return []
    core = _core(key)
    ranked: list[tuple[tuple[bool, int, float], int, str]] = []
    for i, name in enumerate(names):
        full = normalize(name)
        cores = [_core(full), *parentheticals(full)]
        contained = key in full or strip_suffix(full) in key or any(_contains(core, c) for c in cores)
        prefix = max(_shared_start(core, c) for c in cores)
        ratio = difflib.SequenceMatcher(None, key, full).ratio()
        if contained or prefix >= MIN_VARIANT_CHARS or ratio >= 0.5:
            ranked.append(((contained, prefix if prefix >= MIN_VARIANT_CHARS else 0, ratio), i, name))
    ranked.sort(key=lambda r: (not r[0][0], -r[0][1], -r[0][2], r[1]))
    return [name for _, _, name in ranked[:n]]


def _core(name: str) -> str:
    """What distinguishes a name: without bracketed parts and the 党总支/党委 … suffix."""
    return strip_suffix(strip_parentheticals(name))


def _contains(a: str, b: str) -> bool:
    return bool(a) and bool(b) and min(len(a), len(b)) >= MIN_VARIANT_CHARS and (a in b or b in a)


def _shared_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


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
