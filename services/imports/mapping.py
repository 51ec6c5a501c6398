"""Which column holds which field: headers matched automatically, corrected, saved as profiles."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from services.imports.fields import EXTRA_PHONES, KINDS, NOT_THE_CUSTOMERS, Field, FileKind
from services.imports.normalise import (
    Cell,
    cell_text,
    is_blank,
    nfkc,
    normalise_plate,
    normalise_vin,
)
from services.imports.phones import normalise_phones

PROFILE_VERSION = 1
THRESHOLD = 0.5  # below this a header is left for the user to map
_MONEY = frozenset({"amount", "signed_amount", "price"})  # the cleaners of money fields
_IN_WORDS = "大写"  # an amount in Chinese numerals (壹佰元整)
SNIFFED = 0.55  # a column recognised by its values, not its header
SNIFF_SHARE = 0.8  # of the non-empty sample cells that must read as the field
SNIFF_MIN = 3

_BRACKETED = re.compile(r"[(\[{<【《「][^)\]}>】》」]*[)\]}>】》」]")
_UNIT = re.compile(r"(万元|元|rmb|公里|万公里|km|千米|%)$")
_PUNCTUATION = re.compile(r"[\s*#:_.\-·、?？!！\"'`]+")
_WORD_SPLIT = re.compile(r"[/|\\]")


def header_key(header: Cell) -> str:
    """A header as compared with synonyms: full-width to ASCII, lower case, no spaces,
    punctuation, bracketed notes or trailing units ("里程(km)" -> "里程", "金额（元）" -> "金额",
    "*客户姓名" -> "客户姓名")."""
    text = nfkc(cell_text(header)).lower().strip()
    bare = _BRACKETED.sub("", text)
    text = bare if bare.strip() else text
    text = _PUNCTUATION.sub("", text)
    unitless = _UNIT.sub("", text)
    return unitless or text


@cache
def _synonym_keys(field: Field) -> tuple[str, ...]:
    return tuple(header_key(s) for s in field.synonyms)


def _score(field: Field, key: str) -> float:
    """How well a header key names the field: 1 for its first synonym, a little less for later
    ones, 0.6 for a weak synonym, less for a header that only contains a synonym."""
    best = 0.0
    if not key:
        return best
    for rank, syn in enumerate(_synonym_keys(field)):
        if key == syn:
            return 1.0 - 0.005 * rank
        if len(syn) < 2 or (syn.isascii() and len(syn) < 3) or syn not in key:
            continue
        if any(word in key and word not in syn for word in field.avoid):
            continue
        # Chinese compounds end on their head noun: "车主地址" is an address, not an owner.
        tail = 0.05 if key.endswith(syn) else 0.0
        best = max(best, 0.5 + 0.3 * len(syn) / len(key) + tail - 0.001 * rank)
    if best == 0.0 and key in (header_key(w) for w in field.weak):
        best = 0.6
    return best


def score(field: Field, header: Cell) -> float:
    """The match score of a header for a field (0 = none); "VIN/车架号" scores each part."""
    key = header_key(header)
    if not key:
        return 0.0
    text = nfkc(cell_text(header))
    parts = [key, *(header_key(p) for p in _WORD_SPLIT.split(text))]
    best = max(_score(field, p) for p in parts if p)
    if field.cleaner in _MONEY and _IN_WORDS in text:
        # An invoice export gives the amount twice, 金额（大写） 壹佰元整 beside 金额（小写）
        # 100.00: the figures are the one to take; the words when they are all there is.
        best -= 0.05
    return best


@dataclass(frozen=True)
class Mapping:
    """Field key -> column index (0 = column A) for one kind of file; plain data the user
    confirms or corrects, saved as a named profile. `headers` are the file's headers when it
    was mapped, so a profile still fits a later file whose columns moved (fit_profile)."""

    kind: str
    columns: tuple[tuple[str, int], ...]
    headers: tuple[str, ...] = ()
    # How sure auto_map was of each mapped field (1: exact header); empty once confirmed/loaded.
    scores: tuple[tuple[str, float], ...] = ()

    @property
    def file_kind(self) -> FileKind:
        return KINDS[self.kind]

    def column(self, field: str) -> int | None:
        return next((c for f, c in self.columns if f == field), None)

    def as_dict(self) -> dict[str, int]:
        return dict(self.columns)

    def field_of(self, column: int) -> str | None:
        return next((f for f, c in self.columns if c == column), None)

    def with_column(self, field: str, column: int | None) -> Mapping:
        """The mapping with `field` read from `column` (None: not imported); a field that read
        that column before no longer does."""
        if field not in self.file_kind.keys():
            raise ValueError(f"unknown field {field!r} for {self.kind}")
        chosen = {f: c for f, c in self.columns if f != field and c != column}
        if column is not None:
            chosen[field] = column
        return replace(self, columns=_ordered(self.file_kind, chosen),
                       scores=tuple((f, s) for f, s in self.scores if f in chosen and f != field))

    @property
    def confidence(self) -> float:
        """Mean match score of the mapped fields (1.0 for a confirmed or loaded mapping)."""
        if not self.columns:
            return 0.0
        if not self.scores:
            return 1.0
        known = dict(self.scores)
        return sum(known.get(f, 1.0) for f, _ in self.columns) / len(self.columns)

    @property
    def missing_required(self) -> tuple[str, ...]:
        """Required fields no column is mapped to, nor to the field each may be taken from
        (the row could never be imported)."""
        mapped = self.as_dict()
        return tuple(f.key for f in self.file_kind.fields if f.required and f.key not in mapped
                     and not any(key in mapped for key in f.fallback))

    @property
    def missing_link(self) -> bool:
        """True when the kind links rows to customers and no mobile, plate or VIN is mapped."""
        kind = self.file_kind
        mapped = self.as_dict()
        return kind.needs_link and not any(f.link and f.key in mapped for f in kind.fields)

    def to_json(self) -> str:
        return json.dumps(
            {"version": PROFILE_VERSION, "kind": self.kind, "columns": self.as_dict(),
             "headers": list(self.headers)},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        """A saved profile; fields the catalog no longer has are dropped."""
        data = json.loads(text)
        kind = KINDS.get(data.get("kind", ""))
        if kind is None:
            raise ValueError(f"unknown kind of file: {data.get('kind')!r}")
        columns = {str(f): int(c) for f, c in dict(data.get("columns", {})).items()
                   if f in kind.keys() and int(c) >= 0}
        headers = tuple(str(h) for h in data.get("headers", ()))
        return cls(kind.key, _ordered(kind, columns), headers)


def _ordered(kind: FileKind, chosen: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((f.key, chosen[f.key]) for f in kind.fields if f.key in chosen)


def _sniff(field: Field, values: list[Cell]) -> bool:
    """The sample cells of a column read as this field (mobiles, VINs, plates)."""
    filled = [v for v in values if not is_blank(v)]
    if len(filled) < SNIFF_MIN:
        return False
    if field.key == "mobile":
        good = sum(1 for v in filled if (p := normalise_phones(v).value) and p.mobile)
    elif field.key == "vin":
        good = sum(1 for v in filled if normalise_vin(v).value is not None)
    elif field.key == "plate":
        good = sum(1 for v in filled if normalise_plate(v).problems == ()
                   and normalise_plate(v).value is not None)
    else:
        return False
    return good >= SNIFF_SHARE * len(filled)


def auto_map(
    headers: Sequence[Cell], kind: str, samples: Sequence[Sequence[Cell]] = ()
) -> Mapping:
    """The best guess of which column holds which field: each header scored against every
    field's synonyms, then pairs taken best first (one column per field, one field per column,
    ties to the leftmost column). Mobile, VIN and plate columns with unknown headers are also
    found by their values in `samples` (a few data rows)."""
    file_kind = KINDS[kind]
    texts = tuple(cell_text(h).strip() for h in headers)
    candidates = [
        (s, -column, field.key)
        for column, header in enumerate(texts)
        for field in file_kind.fields
        if (s := score(field, header)) >= THRESHOLD
    ]
    chosen: dict[str, int] = {}
    scores: dict[str, float] = {}
    for s, negative_column, key in sorted(candidates, reverse=True):
        column = -negative_column
        if key not in chosen and column not in chosen.values():
            chosen[key] = column
            scores[key] = round(s, 3)
    if samples:
        for field in file_kind.fields:
            if field.key in chosen or field.key not in ("mobile", "vin", "plate"):
                continue
            for column in range(len(texts)):
                values = [row[column] if column < len(row) else None for row in samples]
                if column not in chosen.values() and _sniff(field, values):
                    chosen[field.key] = column
                    scores[field.key] = SNIFFED
                    break
    _extra_phones(file_kind, texts, chosen, scores)
    ordered = _ordered(file_kind, chosen)
    return Mapping(kind, ordered, texts, tuple((f, scores[f]) for f, _ in ordered))


def _extra_phones(kind: FileKind, texts: Sequence[str], chosen: dict[str, int],
                  scores: dict[str, float]) -> None:
    """The phone columns no field took (a second 电话, 电话.1 as pandas names it, 车主电话
    beside 客户电话, 电话 beside 手机 and 备用电话) given to the extra phone fields, left to
    right, so every number of the file is kept; a column naming someone else's number (the
    salesman's, an emergency contact's) is not the customer's."""
    free = [key for key in EXTRA_PHONES if key in kind.keys() and key not in chosen]
    phones = [kind.field(key) for key in ("mobile", "other_phone") if key in kind.keys()]
    for column, header in enumerate(texts):
        if not free or not phones:
            return
        if column in chosen.values() or any(w in header_key(header) for w in NOT_THE_CUSTOMERS):
            continue
        best = max(score(field, header) for field in phones)
        if best >= THRESHOLD:
            key = free.pop(0)
            chosen[key] = column
            scores[key] = round(best, 3)


def fit_profile(profile: Mapping, headers: Sequence[Cell]) -> Mapping:
    """A saved profile applied to a file: each field follows its saved header text to wherever
    that header now stands; a profile saved without headers keeps its column numbers."""
    texts = tuple(cell_text(h).strip() for h in headers)
    keys = [header_key(t) for t in texts]
    chosen: dict[str, int] = {}
    for field, column in profile.columns:
        if not profile.headers:
            found: int | None = column if column < len(texts) else None
        else:
            saved = header_key(profile.headers[column]) if column < len(profile.headers) else ""
            if column < len(keys) and keys[column] == saved:
                found = column
            else:
                found = keys.index(saved) if saved and saved in keys else None
        if found is not None and found not in chosen.values():
            chosen[field] = found
    return Mapping(profile.kind, _ordered(profile.file_kind, chosen), texts)


_ALL_SYNONYM_KEYS = frozenset(
    header_key(s) for kind in KINDS.values() for field in kind.fields
    for s in (*field.synonyms, *field.weak)
)


def is_known_header(header: Cell) -> bool:
    """True when the cell is one of the catalog's header synonyms (any kind, any field)."""
    return header_key(header) in _ALL_SYNONYM_KEYS


# A header names a field plainly when it scores this much: one of its synonyms, all but
# exactly (a header that only contains a synonym scores 0.5 to 0.85).
PLAIN = 0.9
# Headers plainly another kind's, and no field of the kind chosen, that make a file that
# other kind: one such column (a 金额 in a contact log) is a DMS's extra.
OTHER_KIND_COLUMNS = 2


@dataclass(frozen=True)
class OtherKind:
    """Headers of a file that plainly belong to another kind of file than the one chosen."""

    kind: str  # the kind they belong to
    headers: tuple[str, ...]  # in the file's order


def _best(kind: FileKind, header: str) -> float:
    return max((score(f, header) for f in kind.fields if f.telling), default=0.0)


def looks_like(headers: Sequence[Cell], kind: str) -> OtherKind | None:
    """The other kind of file these headers are, when it is plain: a satisfaction survey
    chosen as complaints (满意度, 服务态度, 客户意见 are none of a complaint's), a customer list
    chosen as service visits. Counted are the headers that plainly name a field of the other
    kind and nothing of `kind`, against those that plainly name a field of `kind` and nothing
    of the other; the other kind with the most, when it has OTHER_KIND_COLUMNS and more than
    `kind` has. None when the file fits `kind` as well as any."""
    texts = [t for t in (cell_text(h).strip() for h in headers) if t]
    mine = [_best(KINDS[kind], t) for t in texts]
    best: tuple[int, OtherKind] | None = None
    for other in KINDS.values():
        if other.key == kind:
            continue
        others = [_best(other, t) for t in texts]
        theirs = tuple(t for t, s, m in zip(texts, others, mine, strict=True)
                       if s >= PLAIN and m < THRESHOLD)
        ours = sum(m >= PLAIN and s < THRESHOLD for s, m in zip(others, mine, strict=True))
        lead = len(theirs) - ours
        if len(theirs) >= OTHER_KIND_COLUMNS and lead > 0 and (best is None or lead > best[0]):
            best = (lead, OtherKind(other.key, theirs))
    return None if best is None else best[1]
