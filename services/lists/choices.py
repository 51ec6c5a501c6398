"""What the list wizard offers: the saved segments, the callers and the shared settings, read
as one question."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from services.contacts.calls import StaffInfo, staff_list
from services.segments import service as segments
from services.store.settings import Settings, load_settings


@dataclass(frozen=True)
class RunChoices:
    segments: tuple[str, ...]
    callers: tuple[StaffInfo, ...]
    settings: Settings


def run_choices(sessions: sessionmaker[Session]) -> RunChoices:
    return RunChoices(
        segments=tuple(info.name for info in segments.list_segments(sessions)),
        callers=tuple(staff_list(sessions)),
        settings=load_settings(sessions),
    )
