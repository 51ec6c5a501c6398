"""The schema's revisions: where the Alembic migrations are, the newest one this program knows,
and the one a database is at.

Opening a database only reads its revision (plain SQL) and compares it with HEAD_REVISION;
Alembic itself (0.25 s to import) is loaded only when a migration is due or a command works
with the revision history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "models" / "migrations"
# The newest migration in models/migrations/versions. A new migration raises it in the same
# change (tests/test_startup_imports.py compares it with Alembic's own head).
HEAD_REVISION = "0025"
VERSION_TABLE = "alembic_version"  # Alembic's default, which models/migrations/env.py keeps


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision as Alembic reads the scripts (`db info`, `db upgrade`)."""
    return revision_history()[0]


def revision_history() -> tuple[str, set[str]]:
    """The head and every revision of the migration history, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    assert head is not None
    return head, {s.revision for s in scripts.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database (None: never migrated), read as Alembic stores it:
    one row in alembic_version."""
    with engine.connect() as conn:
        if not conn.dialect.has_table(conn, VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:  # Alembic refuses such a table the same way
        raise RuntimeError(f"{VERSION_TABLE} holds {len(rows)} revisions: {sorted(rows)}")
    return rows[0] if rows else None
