"""What the list wizard offers: the saved segments and the ready-made templates, the callers and
the shared settings, read as one question."""

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
    # How many of `segments`, at their end, are templates not saved yet: offered by their key
    # as `list build KEY` takes it (the first run saves the template under its key), so a new
    # database has lists to make before anyone saves a segment.
    templates: int = 0


def run_choices(sessions: sessionmaker[Session], lang: str = "zh") -> RunChoices:
    """What the wizard offers, the segments named in `lang` ("zh" or "en")."""
    saved = segments.list_segments(sessions)
    names = {info.name for info in saved}
    templates = [t for t in segments.template_segments() if t.key not in names]
    return RunChoices(
        segments=tuple(info.name for info in saved) + tuple(t.key for t in templates),
        titles=tuple(segments.title(info, lang) for info in saved)
        + tuple(segments.template_title(t, lang) for t in templates),
        purposes=tuple(info.purpose for info in saved) + tuple(t.purpose for t in templates),
        callers=tuple(staff_list(sessions)),
        settings=load_settings(sessions),
        templates=len(templates),
    )
