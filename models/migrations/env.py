"""Alembic environment: runs on the connection Revisit hands over (services/database.py)."""

from __future__ import annotations

from alembic import context

from models import Base  # every table's class, so the metadata is the whole schema

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by the bare `alembic` command
    raise RuntimeError("Run migrations through `python main.py db upgrade`.")

context.configure(
    connection=connection,
    # The metadata is used only to compare (autogenerate and the schema test);
    # migration scripts themselves never import ORM classes.
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
