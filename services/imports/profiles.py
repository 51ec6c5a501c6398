"""Column mappings saved under a name in the database (shared by every PC), for the next file
of the same kind and layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import ImportMapping
from models.codes import IMPORT_KINDS
from services.imports.mapping import Mapping
from services.store.errors import N_, RevisitError

Sessions = sessionmaker[Session]
NAME_LENGTH = 60


@dataclass(frozen=True)
class MappingProfile:
    id: int
    kind: str
    name: str
    mapping: Mapping
    updated_at: dt.datetime


def _profile(row: ImportMapping) -> MappingProfile:
    return MappingProfile(row.id, row.kind, row.name, Mapping.from_json(row.mapping_json),
                          row.updated_at)


def _check(kind: str, name: str) -> str:
    if kind not in IMPORT_KINDS:
        raise RevisitError(N_("Unknown kind of import file '{kind}'."), kind=kind)
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise RevisitError(N_("A mapping name needs 1 to {n} characters."), n=NAME_LENGTH)
    return name


def save_profile(sessions: Sessions, name: str, mapping: Mapping, *,
                 staff_id: int | None = None) -> MappingProfile:
    """Save (or replace) the mapping under `name` for its kind of file."""
    name = _check(mapping.kind, name)
    with sessions.begin() as s:
        row = s.scalar(select(ImportMapping).where(ImportMapping.kind == mapping.kind,
                                                   ImportMapping.name == name))
        if row is None:
            row = ImportMapping(kind=mapping.kind, name=name, created_by=staff_id)
            s.add(row)
        row.mapping_json = mapping.to_json()
        row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        s.flush()
        return _profile(row)


def list_profiles(sessions: Sessions, kind: str | None = None) -> list[MappingProfile]:
    query = select(ImportMapping).order_by(ImportMapping.kind, ImportMapping.name)
    if kind is not None:
        query = query.where(ImportMapping.kind == kind)
    with sessions() as s:
        return [_profile(r) for r in s.scalars(query)]


def load_profile(sessions: Sessions, kind: str, name: str) -> MappingProfile:
    with sessions() as s:
        row = s.scalar(select(ImportMapping).where(ImportMapping.kind == kind,
                                                   ImportMapping.name == name.strip()))
        if row is None:
            raise RevisitError(
                N_("There is no saved mapping '{name}' for {kind} files."), name=name, kind=kind
            )
        return _profile(row)


def delete_profile(sessions: Sessions, kind: str, name: str) -> None:
    with sessions.begin() as s:
        row = s.scalar(select(ImportMapping).where(ImportMapping.kind == kind,
                                                   ImportMapping.name == name.strip()))
        if row is None:
            raise RevisitError(
                N_("There is no saved mapping '{name}' for {kind} files."), name=name, kind=kind
            )
        s.delete(row)
