"""What an SMS vendor file would hold and cost, before it is written: the first messages as
they will be sent (each with its length in UTF-16 units, its billed parts and the characters a
vendor may reject), how many messages and parts in all, who is left out and why (by row code
and name for a missing merge field), and the cost at the price per part in the shared
settings. One pass over the run's SMS members through the writer's own rules
(services/outputs/sms.py `render_each`); nothing is written.

Domestic vendors bill per part, not per message: 70 units for a one-part message, 67 per part
beyond (Aliyun, Huawei and Getui alike). Aliyun's pay-as-you-go price for domestic SMS is about
0.045 yuan per part, falling to 0.032-0.035 in larger packages; the price is a setting
(`sms_price_per_part`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.lists import runs
from services.outputs import sms
from services.outputs.types import ListMember, mask_phone
from services.store.errors import RevisitError
from services.store.settings import Settings, load_settings

FIRST = 5  # messages shown by default: enough to read every variant of a short template
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PreviewMessage:
    """One message exactly as the vendor file will hold it; the mobile is masked (138****8000):
    the preview is for reading the text, and staff may see it too."""

    row_code: str
    name: str
    mobile: str
    message: str
    length: int  # UTF-16 units, signature and opt-out included
    parts: int
    flagged: str  # characters a vendor may reject, each once


@dataclass(frozen=True)
class SmsEstimate:
    """The vendor file of one template for a run's SMS members, counted without writing it."""

    members: int  # SMS members of the run
    messages: int  # numbers that get a message (rows of the file)
    parts: int  # billed parts of all messages
    price_per_part: Decimal  # yuan
    first: tuple[PreviewMessage, ...]
    missing_fields: int  # members left out for a merge field without a value (缺少合并字段)
    lacking: tuple[sms.Lacking, ...]  # who lacks each merge field, most first
    invalid_mobiles: int  # members without a mainland mobile
    same_number: int  # members sharing a number with an earlier one (one family, one SMS)
    flagged_messages: int  # messages holding characters a vendor may reject
    flagged_chars: str  # those characters, each once
    too_long: int  # messages over the vendors' limit: the file cannot be written
    by_parts: tuple[tuple[int, int], ...]  # (parts per message, messages), fewest parts first
    longest: int  # units of the longest message
    skipped: tuple[tuple[str, str], ...]  # (row code, why), as the writer reports them

    @property
    def cost(self) -> Decimal:
        return cost_of(self.parts, self.price_per_part)

    @property
    def missing_by_field(self) -> tuple[tuple[str, int], ...]:
        """(field, members lacking it), most first."""
        return tuple((x.field, x.count) for x in self.lacking)

    @property
    def left_out(self) -> int:
        return self.missing_fields + self.invalid_mobiles + self.same_number

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready values (amounts as text, so no float creeps in)."""
        return {
            "members": self.members, "messages": self.messages, "parts": self.parts,
            "price_per_part": str(self.price_per_part), "cost": str(self.cost),
            "missing_fields": self.missing_fields,
            "missing_by_field": dict(self.missing_by_field),
            "missing_named": {x.field: list(x.named) for x in self.lacking},
            "invalid_mobiles": self.invalid_mobiles, "same_number": self.same_number,
            "flagged_messages": self.flagged_messages, "flagged_chars": self.flagged_chars,
            "too_long": self.too_long, "by_parts": {str(p): n for p, n in self.by_parts},
            "longest": self.longest,
            "first": [{"row": m.row_code, "name": m.name, "mobile": m.mobile,
                       "message": m.message, "length": m.length, "parts": m.parts,
                       "flagged": m.flagged} for m in self.first],
        }


def cost_of(parts: int, price_per_part: Decimal) -> Decimal:
    """Estimated cost in yuan of `parts` billed parts, rounded half up to the fen."""
    return (price_per_part * parts).quantize(CENT, rounding=ROUND_HALF_UP)


def estimate(members: Sequence[ListMember], template: sms.SmsTemplate, price_per_part: Decimal,
             *, first: int = FIRST) -> SmsEstimate:
    """Count the file `template` makes of `members` (a run's SMS members) in one pass. A bad
    template (unknown merge field, signature, opt-out) raises as the writer would."""
    shown: list[PreviewMessage] = []
    skipped: list[tuple[str, str]] = []
    lacking: list[tuple[ListMember, tuple[str, ...]]] = []
    by_parts: Counter[int] = Counter()
    flagged_chars: dict[str, None] = {}
    messages = total_parts = missing = invalid = same = flagged = too_long = longest = 0
    for got in sms.render_each(template, members):
        row = got.row
        if row is None:
            skipped.append((got.member.row_code, got.why))
            if got.lacking:
                missing += 1
                lacking.append((got.member, got.lacking))
            elif got.why.startswith("same number"):
                same += 1
            else:
                invalid += 1
            continue
        messages += 1
        total_parts += row.parts
        by_parts[row.parts] += 1
        longest = max(longest, row.length)
        too_long += row.length > sms.MAX_LENGTH
        if row.flagged:
            flagged += 1
            flagged_chars.update(dict.fromkeys(row.flagged))
        if len(shown) < first:
            shown.append(PreviewMessage(row.row_code, row.name, mask_phone(row.mobile) or "",
                                        row.message, row.length, row.parts, row.flagged))
    return SmsEstimate(
        members=len(members), messages=messages, parts=total_parts,
        price_per_part=price_per_part, first=tuple(shown), missing_fields=missing,
        lacking=sms.tally_lacking(lacking), invalid_mobiles=invalid,
        same_number=same, flagged_messages=flagged, flagged_chars="".join(flagged_chars),
        too_long=too_long, by_parts=tuple(sorted(by_parts.items())), longest=longest,
        skipped=tuple(skipped))


def estimate_with_settings(members: Sequence[ListMember], text: str, settings: Settings, *,
                           first: int = FIRST) -> SmsEstimate:
    """`estimate` with the shop's signature, opt-out text and price per part."""
    return estimate(members, sms.template_from_settings(text, settings),
                    settings.sms_price_per_part, first=first)


def estimate_run(sessions: sessionmaker[Session], run_id: int, text: str, *,
                 first: int = FIRST) -> SmsEstimate:
    """The estimate for a stored list run's SMS members (finished or not: `list build`
    previews before it writes), with the shared settings. Refused, as the writer refuses,
    when nobody in the run is on SMS."""
    from services.outputs.run_files import NOBODY

    doc = runs.load_document(sessions, run_id)
    members = doc.of_channel("sms")
    if not members:
        raise RevisitError(NOBODY["sms"], run=run_id)
    return estimate_with_settings(members, text, load_settings(sessions), first=first)


def as_text(e: SmsEstimate) -> list[str]:
    """The estimate as lines for a terminal (the CLI prints these; the window lays out its
    own), every figure as "what: how many"."""
    lines = [f"SMS preview — messages: {e.messages:,}, billed parts: {e.parts:,}, about "
             f"¥{e.cost} at ¥{e.price_per_part} a part (SMS members: {e.members:,})"]
    if e.by_parts:
        lines.append("  messages by parts: " + ", ".join(
            f"{p} ×{n:,}" for p, n in e.by_parts) + f"; longest: {e.longest} characters")
    if e.left_out:
        why = [f"{sms.MISSING_FIELD} ×{e.missing_fields:,} ("
               + ", ".join(f"{{{f}}} ×{n:,}" for f, n in e.missing_by_field) + ")"
               if e.missing_fields else "",
               f"not a mainland mobile ×{e.invalid_mobiles:,}" if e.invalid_mobiles else "",
               f"same number as another member ×{e.same_number:,}" if e.same_number else ""]
        lines.append(f"  left out: {e.left_out:,} — " + "; ".join(w for w in why if w))
        lines += [f"    {x.as_text()}" for x in e.lacking]
    if e.flagged_messages:
        lines.append(f"  messages with characters a vendor may reject or send as '?': "
                     f"{e.flagged_messages:,} ({sms.visible(e.flagged_chars)})")
    if e.too_long:
        lines.append(f"  messages over {sms.MAX_LENGTH} characters: {e.too_long:,} — the file "
                     f"cannot be written; shorten the template")
    for m in e.first:
        flag = f"  [may be rejected: {sms.visible(m.flagged)}]" if m.flagged else ""
        lines.append(f"  {m.row_code} {m.name} {m.mobile} (characters: {m.length}, "
                     f"parts: {m.parts}){flag}")
        lines.append(f"    {m.message}")
    return lines
