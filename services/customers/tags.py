"""The controlled tag vocabulary (groups and their tags), kept by supervisors: read it with usage
counts, add and rename groups and tags, retire, reactivate or delete an unused tag.

Every edit names the version the editor loaded; an edit based on an older version is refused
with who changed it and when (the row is locked before its version is compared, so two PCs
saving at once cannot both win). Names are unique per group, ignoring case and full-width
forms: one name for one thing; the database's unique index settles two PCs adding one name.
Tagging customers is in services/customers/customer_tags.py."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, CustomerTag, Tag, TagGroup
from services.customers.pinyin import name_keys
from services.customers.tag_segments import follow_rename
from services.staff.audit import record
from services.staff.permissions import MANAGE_TAGS, Actor, NotPassed, require_passed, staff_id
from services.store.errors import N_, RevisitError, StaleEdit
from services.store.versions import lock, staff_name, stale

Sessions = sessionmaker[Session]
NAME_MAX = 40  # the columns' width


@dataclass(frozen=True)
class TagInfo:
    id: int
    group_id: int
    group: str
    name: str
    active: bool  # False: retired, kept for history and segments, not given to anyone new
    version: int
    customers: int  # how many customers have it

    @property
    def path(self) -> str:
        """How segments and the command line write it: group/tag."""
        return f"{self.group}/{self.name}"


@dataclass(frozen=True)
class TagGroupInfo:
    id: int
    name: str
    version: int
    tags: tuple[TagInfo, ...]  # in the order they were added


def _clean(name: str, too_long: str) -> str:
    """A name as stored: compatibility forms folded (full-width letters and spaces typed with a
    Chinese input method), runs of spaces made one."""
    cleaned = " ".join(unicodedata.normalize("NFKC", name or "").split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise RevisitError(too_long, max=NAME_MAX)
    if "/" in cleaned:
        raise RevisitError(N_("A tag or tag group name cannot contain “/”: segments write a tag "
                              "as group/tag."))
    return cleaned


def clean_group_name(name: str) -> str:
    return _clean(name, N_("A tag group name must have 1 to {max} characters."))


def clean_tag_name(name: str) -> str:
    return _clean(name, N_("A tag name must have 1 to {max} characters."))


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _usage():
    return (select(func.count()).select_from(CustomerTag)
            .where(CustomerTag.tag_id == Tag.id).correlate(Tag).scalar_subquery())


def _tag_infos(s: Session, *where) -> list[TagInfo]:
    rows = s.execute(
        select(Tag.id, Tag.group_id, TagGroup.name, Tag.name, Tag.active, Tag.version, _usage())
        .join(TagGroup, TagGroup.id == Tag.group_id).where(*where).order_by(Tag.id)).all()
    return [TagInfo(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6] or 0) for r in rows]


def vocabulary(sessions: Sessions) -> tuple[TagGroupInfo, ...]:
    """Every group with every tag (retired ones too) and how many customers have each; the
    counts come from the database's (tag, customer) index."""
    with sessions() as s:
        groups = s.execute(select(TagGroup.id, TagGroup.name, TagGroup.version)
                           .order_by(TagGroup.sort_order, TagGroup.id)).all()
        tags = _tag_infos(s)
    by_group: dict[int, list[TagInfo]] = {}
    for tag in tags:
        by_group.setdefault(tag.group_id, []).append(tag)
    return tuple(TagGroupInfo(g.id, g.name, g.version, tuple(by_group.get(g.id, ())))
                 for g in groups)


def _group_info(s: Session, group_id: int) -> TagGroupInfo:
    row = s.get(TagGroup, group_id, populate_existing=True)  # as stored, after an UPDATE
    if row is None:
        raise StaleEdit(GROUP_GONE)
    return TagGroupInfo(row.id, row.name, row.version,
                        tuple(_tag_infos(s, Tag.group_id == group_id)))


def _tag_info(s: Session, tag_id: int) -> TagInfo:
    found = _tag_infos(s, Tag.id == tag_id)
    if not found:
        raise StaleEdit(TAG_GONE)
    return found[0]


def find_group(sessions: Sessions, name: str) -> TagGroupInfo:
    """A group by its name as typed (case and full-width forms do not matter)."""
    wanted = clean_group_name(name)
    with sessions() as s:
        for gid, gname in s.execute(select(TagGroup.id, TagGroup.name).order_by(TagGroup.id)):
            if _same(gname, wanted):
                return _group_info(s, gid)
    raise RevisitError(N_("There is no tag group named “{name}”."), name=wanted)


def find_tag(sessions: Sessions, group: str, name: str) -> TagInfo:
    """A tag by group and tag name as typed."""
    found = find_group(sessions, group)
    wanted = clean_tag_name(name)
    for tag in found.tags:
        if _same(tag.name, wanted):
            return tag
    raise RevisitError(N_("The tag group “{group}” has no tag named “{name}”."),
                       group=found.name, name=wanted)


def tag_info(sessions: Sessions, tag_id: int) -> TagInfo:
    with sessions() as s:
        return _tag_info(s, tag_id)


# --- who changed it: the stale-edit sentence ---------------------------------------------------

# Each with who changed it, and without (a change made by a command run before accounts).
TAG_CHANGED = (
    N_("{who} changed the tag “{name}” at {when} since you opened it; reload to see their "
       "change."),
    N_("The tag “{name}” was changed at {when} since you opened it; reload to see the change."),
)
TAG_RENAMED = (
    N_("{who} renamed the tag “{name}” to “{new_name}” at {when} since you opened it; reload "
       "to see their change."),
    N_("The tag “{name}” was renamed to “{new_name}” at {when} since you opened it; reload to "
       "see the change."),
)
TAG_DELETED = (
    N_("{who} deleted the tag “{name}” at {when} since you opened it; reload to see the tags "
       "as they are now."),
    N_("The tag “{name}” was deleted at {when} since you opened it; reload to see the tags as "
       "they are now."),
)
GROUP_RENAMED = (
    N_("{who} renamed the tag group “{name}” to “{new_name}” at {when} since you opened it; "
       "reload to see their change."),
    N_("The tag group “{name}” was renamed to “{new_name}” at {when} since you opened it; "
       "reload to see the change."),
)
TAG_GONE = N_("The tag you opened no longer exists; reload to see the tags as they are now.")
GROUP_GONE = N_("The tag group you opened no longer exists; reload to see the tags as they are "
                "now.")


def _stale(s: Session, entity: str, entity_id: int) -> StaleEdit:
    """The refusal of an edit based on an older version: what the latest audit entry about the
    tag or group says was done, by whom and when."""
    group = entity == "tag_group"
    model = TagGroup if group else Tag
    name = s.scalar(select(model.name).where(model.id == entity_id))
    last = s.execute(
        select(AuditLog.at, AuditLog.action, AuditLog.staff_id, AuditLog.detail)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.id.desc()).limit(1)).first()  # the newest written
    detail = _detail(last.detail) if last is not None else {}
    who = staff_name(s, last.staff_id) if last is not None else None
    at = last.at if last is not None else None
    if name is None:
        if last is not None and last.action == "tag_delete":
            return stale(TAG_DELETED, who, at, name=detail.get("before", ""))
        return StaleEdit(GROUP_GONE if group else TAG_GONE)
    if last is not None and last.action in ("tag_rename", "tag_group_rename") and \
            "before" in detail:
        return stale(GROUP_RENAMED if group else TAG_RENAMED, who, at,
                     name=detail.get("before", ""), new_name=detail.get("after", name))
    return stale(GROUP_RENAMED if group else TAG_CHANGED, who, at, name=name, new_name=name)


def _detail(text: str | None) -> dict:
    try:
        data = json.loads(text or "{}")
    except ValueError:  # an entry some other program wrote
        return {}
    return data if isinstance(data, dict) else {}


def _opened(s: Session, entity: str, entity_id: int, version: int) -> None:
    """Take the row's lock, then refuse if it changed since the editor loaded `version`. After
    the lock every read sees what any other saver committed (services/store/versions.py), so
    two supervisors saving the same tag at once cannot both pass."""
    model = TagGroup if entity == "tag_group" else Tag
    if not lock(s, model, model.id == entity_id):
        raise _stale(s, entity, entity_id)
    if s.scalar(select(model.version).where(model.id == entity_id)) != version:
        raise _stale(s, entity, entity_id)


def _bump(s: Session, model: type[Tag] | type[TagGroup], row_id: int, **values) -> None:
    s.execute(update(model).where(model.id == row_id)
              .values(version=model.version + 1, **values)
              .execution_options(synchronize_session=False))


def _group_clash(name: str) -> RevisitError:
    return RevisitError(N_("There is already a tag group named “{name}”."), name=name)


def _tag_clash(group: str, name: str) -> RevisitError:
    return RevisitError(N_("The tag group “{group}” already has a tag named “{name}”."),
                        group=group, name=name)


# --- supervisors' edits ---------------------------------------------------------------------

def add_group(sessions: Sessions, actor: Actor | None | NotPassed, name: str) -> TagGroupInfo:
    """A new, empty group, listed after the others."""
    require_passed(actor, MANAGE_TAGS)
    name = clean_group_name(name)
    try:
        with sessions.begin() as s:
            for taken in s.scalars(select(TagGroup.name)):
                if _same(taken, name):
                    raise _group_clash(taken)
            order = (s.scalar(select(func.max(TagGroup.sort_order))) or 0) + 1
            row = TagGroup(name=name, sort_order=order, version=1)
            s.add(row)
            s.flush()  # another PC adding the same name at once: the unique index says no
            record(s, _actor(actor), "tag_group_add", "tag_group", row.id, {"after": name})
            return TagGroupInfo(row.id, row.name, row.version, ())
    except IntegrityError as exc:
        raise _group_clash(name) from exc


def rename_group(sessions: Sessions, actor: Actor | None | NotPassed, group_id: int,
                 version: int, new_name: str) -> TagGroupInfo:
    """Rename a group (segments naming its tags follow)."""
    require_passed(actor, MANAGE_TAGS)
    new_name = clean_group_name(new_name)
    try:
        with sessions.begin() as s:
            _opened(s, "tag_group", group_id, version)
            old = _group_info(s, group_id)
            if old.name == new_name:
                return old
            for gid, taken in s.execute(select(TagGroup.id, TagGroup.name)):
                if gid != group_id and _same(taken, new_name):
                    raise _group_clash(taken)
            _bump(s, TagGroup, group_id, name=new_name)
            segments = follow_rename(s, staff_id(_actor(actor)), old.name, None, new_name)
            record(s, _actor(actor), "tag_group_rename", "tag_group", group_id,
                   {"before": old.name, "after": new_name, "segments": list(segments)})
            return _group_info(s, group_id)
    except IntegrityError as exc:
        raise _group_clash(new_name) from exc


def add_tag(sessions: Sessions, actor: Actor | None | NotPassed, group_id: int,
            name: str) -> TagInfo:
    """A new tag in a group, active."""
    require_passed(actor, MANAGE_TAGS)
    name = clean_tag_name(name)
    group_name = ""
    try:
        with sessions.begin() as s:
            group = _group_info(s, group_id)
            group_name = group.name
            for tag in group.tags:
                if _same(tag.name, name):
                    raise _tag_clash(group.name, tag.name)
            row = Tag(group_id=group_id, name=name, active=True, version=1)
            s.add(row)
            s.flush()  # another PC adding the same name at once: the unique index says no
            record(s, _actor(actor), "tag_add", "tag", row.id,
                   {"group": group.name, "after": name})
            return TagInfo(row.id, group_id, group.name, name, True, 1, 0)
    except IntegrityError as exc:
        raise _tag_clash(group_name, name) from exc


def rename_tag(sessions: Sessions, actor: Actor | None | NotPassed, tag_id: int, version: int,
               new_name: str) -> TagInfo:
    """Rename a tag; customers keep it, and saved segments naming it follow."""
    require_passed(actor, MANAGE_TAGS)
    new_name = clean_tag_name(new_name)
    group_name = ""
    try:
        with sessions.begin() as s:
            _opened(s, "tag", tag_id, version)
            old = _tag_info(s, tag_id)
            group_name = old.group
            if old.name == new_name:
                return old
            siblings = s.execute(select(Tag.id, Tag.name).where(Tag.group_id == old.group_id))
            for other, taken in siblings:
                if other != tag_id and _same(taken, new_name):
                    raise _tag_clash(old.group, taken)
            _bump(s, Tag, tag_id, name=new_name)
            segments = follow_rename(s, staff_id(_actor(actor)), old.group, old.name, old.group,
                                     new_name)
            record(s, _actor(actor), "tag_rename", "tag", tag_id,
                   {"group": old.group, "before": old.name, "after": new_name,
                    "segments": list(segments)})
            return _tag_info(s, tag_id)
    except IntegrityError as exc:
        raise _tag_clash(group_name, new_name) from exc


def set_tag_active(sessions: Sessions, actor: Actor | None | NotPassed, tag_id: int,
                   version: int, active: bool) -> TagInfo:
    """Retire a tag (False): customers keep it and segments still find them, but nobody new is
    given it. True reactivates it."""
    require_passed(actor, MANAGE_TAGS)
    with sessions.begin() as s:
        _opened(s, "tag", tag_id, version)
        old = _tag_info(s, tag_id)
        if old.active == active:
            return old
        _bump(s, Tag, tag_id, active=active)
        record(s, _actor(actor), "tag_reactivate" if active else "tag_retire", "tag", tag_id,
               {"group": old.group, "tag": old.name, "before": old.active, "after": active,
                "customers": old.customers})
        return _tag_info(s, tag_id)


def delete_tag(sessions: Sessions, actor: Actor | None | NotPassed, tag_id: int,
               version: int) -> None:
    """Delete a tag nobody has (a typing mistake); a tag in use is retired instead."""
    require_passed(actor, MANAGE_TAGS)
    with sessions.begin() as s:
        _opened(s, "tag", tag_id, version)
        old = _tag_info(s, tag_id)
        # FOR UPDATE waits for anyone tagging a customer with it right now (their foreign key
        # check holds a key-share lock until they commit), so the NOT EXISTS sees their row.
        s.execute(select(Tag.id).where(Tag.id == tag_id).with_for_update())
        done = s.execute(
            delete(Tag).where(Tag.id == tag_id, ~exists().where(CustomerTag.tag_id == tag_id))
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            used = s.scalar(select(func.count()).where(CustomerTag.tag_id == tag_id)) or 0
            raise RevisitError(N_("The tag “{name}” is given to {count} customers, so it cannot "
                                  "be deleted; retire it instead: they keep it, segments keep "
                                  "finding them, and nobody new is given it."),
                               name=old.path, count=used)
        record(s, _actor(actor), "tag_delete", "tag", tag_id,
               {"group": old.group, "before": old.name})


def search_text(tag: TagInfo) -> str:
    """What a picker's filter looks in: the tag's and its group's names, their pinyin and
    initials (typing "lnr" or "laonian" finds 老年人), folded for case."""
    parts = [tag.name, tag.group]
    for name in (tag.name, tag.group):
        keys = name_keys(name)
        parts += [keys.pinyin, keys.initials]
    return " ".join(parts).casefold()


def _actor(actor: Actor | None | NotPassed) -> Actor | None:
    return actor if isinstance(actor, Actor) else None

