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
    # What each segment is called on screen: its name, and a template's name beside the key
    # it was saved under (matrix.7+.high（7年以上 高满意度 换车）).
    titles: tuple[str, ...] = ()
    # The purpose each segment was saved for (None: none said), which the wizard then picks.
    purposes: tuple[str | None, ...] = ()


def run_choices(sessions: sessionmaker[Session], lang: str = "zh") -> RunChoices:
    """What the wizard offers, the segments named in `lang` ("zh" or "en")."""
    saved = segments.list_segments(sessions)
    return RunChoices(
        segments=tuple(info.name for info in saved),
        titles=tuple(segments.title(info, lang) for info in saved),
        purposes=tuple(info.purpose for info in saved),
        callers=tuple(staff_list(sessions)),
        settings=load_settings(sessions),
    )
