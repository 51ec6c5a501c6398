"""Imports: one batch per file read (import_batch), the rows each batch created (import_created,
as runs of ids) and the values it changed (import_change), so a whole batch can be undone; column
mappings saved under a name (import_mapping). profile_change accepts customer and vehicle values
(name, mobile, plate, …) besides the profile attributes, so an import's changes enter the
history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

IMPORT_KINDS = ("customers", "visits", "surveys", "complaints", "contacts")
PROFILE_ATTRIBUTES = (
    "marital_status",
    "household",
    "occupation",
    "employment",
    "car_payer",
    "economic_band",
    "driving_experience",
    "temperament",
    "lifecycle_stage",
)
RECORDED_FIELDS = (
    "name",
    "gender",
    "birthday",
    "mobile",
    "other_phones",
    "province",
    "city",
    "district",
    "street",
    "postcode",
    "wechat_id",
    "employer",
    "source",
    "note",
    "vehicle",
    "vin",
    "plate",
    "brand",
    "model",
    "purchase_date",
    "price_paid",
    "payment_method",
    "loan_end",
    "insurance_expiry",
    "warranty_end",
    "inspection_due",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _attribute_check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("profile_change", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_profile_change_attribute_code"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_profile_change_attribute_code"), _in("attribute", values)
        )


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_created", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("records_json", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("kind", IMPORT_KINDS), name=op.f("ck_import_batch_kind_code")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_import_batch_staff_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["staff_user.id"], name=op.f("fk_import_batch_undone_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index("ix_import_batch_file_hash", ["file_hash"], unique=False)
        batch_op.create_index("ix_import_batch_imported_at", ["imported_at"], unique=False)

    op.create_table(
        "import_created",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=30), nullable=False),
        sa.Column("first_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_import_created_batch_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "batch_id", "table_name", "first_id", name=op.f("pk_import_created")
        ),
    )
    with op.batch_alter_table("import_created", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_created_table_ids", ["table_name", "first_id", "last_id"], unique=False
        )

    op.create_table(
        "import_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=30), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_import_change_batch_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_change")),
    )
    with op.batch_alter_table("import_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_change_batch", ["batch_id", "table_name", "row_id"], unique=False
        )
        batch_op.create_index("ix_import_change_row", ["table_name", "row_id"], unique=False)

    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("kind", IMPORT_KINDS), name=op.f("ck_import_mapping_kind_code")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff_user.id"],
            name=op.f("fk_import_mapping_created_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("kind", "name", name="uq_import_mapping_kind_name"),
    )

    _attribute_check(PROFILE_ATTRIBUTES + RECORDED_FIELDS)


def downgrade() -> None:
    # Changes of customer and vehicle values cannot be kept under the older vocabulary.
    op.execute(
        sa.text("DELETE FROM profile_change WHERE " + _in("attribute", RECORDED_FIELDS))
    )
    _attribute_check(PROFILE_ATTRIBUTES)
    for table in ("import_mapping", "import_change", "import_created", "import_batch"):
        op.drop_table(table)
