"""Saved segments follow a renamed tag or tag group: a segment names a tag as "group/tag" text,
so a rename rewrites those names in the same transaction, or the segment would silently stop
finding the customers it found yesterday."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import SavedSegment
from models.base import utcnow
from services.segments import spec
from services.store.errors import N_, RevisitError


def _rename(value: Any, group: str, tag: str | None, new_group: str, new_tag: str | None) -> Any:
    """`value` (a filter's JSON data) with every "group/tag" of a tags condition renamed; with
    `tag` None every tag of `group` moves to `new_group`."""
    if isinstance(value, list):
        return [_rename(v, group, tag, new_group, new_tag) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _rename(v, group, tag, new_group, new_tag) for k, v in value.items()}
    if out.get("field") == "tags" and isinstance(out.get("value"), list):
        out["value"] = [_renamed(v, group, tag, new_group, new_tag) for v in out["value"]]
    return out


def _renamed(item: Any, group: str, tag: str | None, new_group: str, new_tag: str | None) -> Any:
    if not isinstance(item, str):
        return item
    # The compiler matches the stripped parts exactly (segments/field_sql.py `_tag_match`).
    g, _, t = item.partition("/")
    if g.strip() != group or (tag is not None and t.strip() != tag):
        return item
    return f"{new_group}/{new_tag if new_tag is not None else t.strip()}"


def follow_rename(s: Session, staff_id: int | None, group: str, tag: str | None,
                  new_group: str, new_tag: str | None = None) -> tuple[str, ...]:
    """Rewrite every saved segment naming `group`/`tag` (tag None: any tag of the group) in the
    caller's transaction; returns the names of the segments changed."""
    changed: list[str] = []
    # Every segment is read: a department keeps dozens, and a text search in the JSON would miss
    # names written with \u escapes.
    rows = s.execute(select(SavedSegment.id, SavedSegment.name, SavedSegment.filter_json,
                            SavedSegment.version)).all()
    for row in rows:
        try:
            flt = spec.parse_json(row.filter_json)
        except RevisitError:
            continue  # unreadable already; its page says so, a rename cannot mend it
        data = _rename(spec.to_data(flt), group, tag, new_group, new_tag)
        if data == spec.to_data(flt):
            continue
        text = spec.to_json(spec.parse(data))
        done = s.execute(
            update(SavedSegment)
            .where(SavedSegment.id == row.id, SavedSegment.version == row.version)
            .values(filter_json=text, version=SavedSegment.version + 1, updated_at=utcnow(),
                    updated_by=staff_id)
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise RevisitError(N_("The saved segment “{segment}”, which uses this tag, was "
                                  "changed at the same moment; nothing was saved. Try again."),
                               segment=row.name)
        changed.append(row.name)
    return tuple(changed)
