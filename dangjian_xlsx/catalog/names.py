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

import bisect
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
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")


def normalize(text: str) -> str:
    """NFKC, no whitespace, no invisible characters: the form in which names are compared (a no-break space,
    full-width brackets or a zero-width space make no other name). Whitespace is what `str.split` splits on
    (what a pattern's `\\s` matches); no invisible character is printable, so a printable text has none."""
    flat = "".join(nfkc(text).split())
    return flat if flat.isprintable() else _INVISIBLE.sub("", flat)


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
# the full-width characters Chinese text is full of (，：…) and the ideographic space: as NFKC writes them
_USUAL_FULL_WIDTH = tuple((c, " " if c == "\u3000" else chr(ord(c) - 0xFEE0)) for c in "，：；（）！？\u3000")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, quicker for a Chinese text: its full-width punctuation (，：（）)
    and ideographic spaces are what NFKC changes, each into one ASCII character; when that is all, the text
    with them replaced is NFKC already (a compatibility decomposition is per character), and the general
    normalization — slow on CJK text — is left out. The usual ones are replaced by `str.replace` first (a
    pass each, no pattern), any other full-width character then by the pattern."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    plain = text
    for full, half in _USUAL_FULL_WIDTH:
        plain = plain.replace(full, half)
    if unicodedata.is_normalized("NFKC", plain):
        return plain
    plain = _FULL_WIDTH.sub(_half_width, plain)
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
        # every name by its first two characters (a text is scanned once, not once per roster name), then by
        # its length: where a text starts like many names (a roster of 郑州… names), one look-up per length
        by_length: dict[str, dict[int, dict[str, tuple[Branch, bool]]]] = {}
        for names, is_full in ((self.full, True), (self.variants, False)):
            for n, b in names.items():
                by_length.setdefault(n[:2], {}).setdefault(len(n), {})[n] = (b, is_full)
        self._index = {key: tuple(lengths.items()) for key, lengths in by_length.items()}
        self._one_char = any(len(k) == 1 for k in self._index)
        # where a name can start: one C-level scan finds the places that begin like a name (its first two
        # characters, or a one-character name), the rest of a text is not looked at
        self._starts = _start_pattern(self._index)

    def mentions(self, text: str, *, full_only: bool = False) -> list[Mention]:
        """Every roster name in `text` (normalized first), longest first without overlaps, in text order."""
        text = normalize(text)
        if not text or self._starts is None:
            return []
        found: list[Mention] = []
        index = self._index
        one_char = self._one_char
        at = self._starts.search(text)
        while at is not None:
            start = at.start()
            at = self._starts.search(text, start + 1)  # the next place, overlapping this one or not
            candidates = index.get(text[start : start + 2], ())
            if one_char:  # a one-character roster name (its key is shorter than the two looked up)
                candidates = (*candidates, *index.get(text[start], ()))
            for length, names in candidates:
                hit = names.get(text[start : start + length])
                if hit is not None and (hit[1] or not full_only):
                    found.append(Mention(start, start + length, *hit))
        found.sort(key=lambda m: (m.start - m.end, not m.full, m.start))
        return _without_overlaps(found)

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


def _without_overlaps(found: list[Mention]) -> list[Mention]:
    """The mentions taken in `found`'s order, each unless it overlaps one taken before, in text order. The taken
    ones are kept sorted: only the two beside a new one's place can overlap it (a text naming a branch ten
    thousand times is not ten thousand comparisons per name)."""
    starts: list[int] = []
    ends: list[int] = []
    taken: list[Mention] = []
    for m in found:
        i = bisect.bisect_left(starts, m.start)
        if (i and ends[i - 1] > m.start) or (i < len(starts) and starts[i] < m.end):
            continue
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        taken.insert(i, m)
    return taken


def _start_pattern(keys: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching where a text starts with one of `keys` (one or two characters each): an alternative
    per first character with the second ones as a class (文[学化]|外国 …), so that a scan costs the same
    whatever the number of names (an alternative per key is tried key after key, at every place)."""
    seconds: dict[str, set[str]] = {}
    alone: set[str] = set()
    for key in filter(None, keys):
        if len(key) == 1:
            alone.add(key)
        else:
            seconds.setdefault(key[0], set()).add(key[1])
    alternatives = [
        re.escape(first)
        if first in alone
        else re.escape(first) + "[" + "".join(map(re.escape, sorted(seconds[first]))) + "]"
        for first in sorted(alone | seconds.keys())
    ]
    return re.compile("|".join(alternatives)) if alternatives else None


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
