"""What a list build is asked for, checked before anything is saved or stored, and a build
nobody would be on refused before its run is stored.

`check_asked` refuses an unknown segment or template, purpose or caller, and a segment with
nobody in it, before anything is built (the window asks it before its question). A run of
nobody is refused as its members are counted, before the run is stored (`RefuseEmpty`, a
member sink build_run tells the count first), and before build_run saves a template as a
segment: a template none of whose members can be contacted leaves nothing saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from models.codes import PURPOSES
from services.labels import text as label
from services.lists.build import UNKNOWN_PURPOSE, RunOptions
from services.lists.build import _callers as callers_named  # one lookup of callers for both
from services.outputs.types import ListMember, MemberSink
from services.segments import service as segments
from services.segments.results import Segment
from services.store.errors import N_, RevisitError

Sessions = sessionmaker[Session]

EMPTY_SEGMENT = N_("The segment '{segment}' has nobody on {date}, so no list was made and "
                   "nothing was stored.")
NOBODY_ELIGIBLE = N_("None of the {count} customers of the segment '{segment}' can be "
                     "contacted for {purpose} on {date} (no usable phone, address or WeChat, "
                     "no marketing consent for a sales list, do-not-contact, contacted "
                     "recently or on another list), so no list was made and nothing was "
                     "stored.")


@dataclass(frozen=True)
class Asked:
    segment: str  # as staff read it (a template by its Chinese name)
    purpose: str  # the run's: the one asked for, else the segment's, else care
    customers: int | None = None  # in the segment on the run's date, when counted


def check_asked(sessions: Sessions, name: str, options: RunOptions, *,
                count: bool = False) -> Asked:
    """Refuse, before any build: an unknown segment or template, purpose or caller, and a
    segment with nobody on the run's date (NobodyToContact), counted when `count` is asked
    for and for a template not saved yet (a build would save it). Saves nothing."""
    seg = segments.saved_or_template(sessions, name)
    if isinstance(seg, Segment):
        own, shown = seg.info.purpose, segments.title(seg.info)
    else:
        own, shown = seg.purpose, segments.template_title(seg)
    purpose = options.purpose or own or "care"
    if purpose not in PURPOSES:
        raise RevisitError(UNKNOWN_PURPOSE, purpose=purpose, known=", ".join(PURPOSES))
    with sessions() as s:
        callers_named(s, options.staff)
    if not count and isinstance(seg, Segment):
        return Asked(shown, purpose)
    day = options.as_of or dt.date.today()
    customers = segments.count(sessions, seg.filter, day).customers
    if not customers:
        raise NobodyToContact(EMPTY_SEGMENT, segment=shown, date=day.isoformat())
    return Asked(shown, purpose, customers)


class NobodyToContact(RevisitError):
    """A build refused before its run was stored: nobody would be on it."""


class RefuseEmpty:
    """A member sink for build_run that refuses a run of no members when it is told their
    count, before the run is stored (the build's transaction is then rolled back), and hands
    everything else on to `inner`."""

    def __init__(self, inner: MemberSink | None = None) -> None:
        self.inner = inner

    def begin(self, members: int) -> None:
        if members == 0:
            raise NobodyToContact(N_("Nobody would be on this list; nothing was stored."))
        if self.inner is not None:
            self.inner.begin(members)

    def add(self, members: Sequence[ListMember], snapshots: Sequence[str] | None = None
            ) -> None:
        if self.inner is not None:
            self.inner.add(members, snapshots)


def nobody_to_contact(sessions: Sessions, name: str, asked: Asked,
                      as_of: dt.date | None) -> NobodyToContact:
    """What to tell staff of a build RefuseEmpty refused: the segment had nobody that day, or
    how many it had, none of whom can be contacted for the purpose."""
    day = as_of or dt.date.today()
    count = asked.customers
    if count is None:
        count = segments.count(sessions, segments.filter_of(sessions, name), day).customers
    if not count:
        return NobodyToContact(EMPTY_SEGMENT, segment=asked.segment, date=day.isoformat())
    return NobodyToContact(NOBODY_ELIGIBLE, count=count, segment=asked.segment,
                           purpose=label("purpose", asked.purpose), date=day.isoformat())
