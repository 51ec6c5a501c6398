"""Segments and list runs; contact events remember the list run they came from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("filter_json", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=True),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff_user.id"],
            name=op.f("fk_saved_segment_created_by_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["staff_user.id"],
            name=op.f("fk_saved_segment_updated_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_segment")),
        sa.UniqueConstraint("name", name=op.f("uq_saved_segment_name")),
    )
    op.create_table(
        "list_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("segment_name", sa.String(length=100), nullable=False),
        sa.Column("filter_json", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("channel_mode", sa.String(length=8), nullable=False),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("previous_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('care', 'callback', 'sales', 'reminder', 'survey', 'recall', 'marketing')",
            name=op.f("ck_list_run_purpose_code"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff_user.id"],
            name=op.f("fk_list_run_created_by_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_run_id"],
            ["list_run.id"],
            name=op.f("fk_list_run_previous_run_id_list_run"),
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["saved_segment.id"],
            name=op.f("fk_list_run_segment_id_saved_segment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_run")),
    )
    with op.batch_alter_table("list_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_list_run_segment_created", ["segment_id", "created_at"], unique=False
        )

    op.create_table(
        "list_run_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_list_run_exclusion_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["list_run.id"],
            name=op.f("fk_list_run_exclusion_run_id_list_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_run_exclusion")),
    )
    with op.batch_alter_table("list_run_exclusion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_list_run_exclusion_run_customer",
            ["run_id", "customer_id"],
            unique=False,
        )

    op.create_table(
        "list_run_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("assigned_staff_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("row_code", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'sms', 'mail', 'wechat', 'visit')",
            name=op.f("ck_list_run_member_channel_code"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_list_run_member_assigned_staff_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_list_run_member_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["list_run.id"],
            name=op.f("fk_list_run_member_run_id_list_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_list_run_member_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_run_member")),
        sa.UniqueConstraint(
            "run_id", "customer_id", name="uq_list_run_member_run_customer"
        ),
        sa.UniqueConstraint(
            "run_id", "row_code", name="uq_list_run_member_run_row_code"
        ),
    )
    with op.batch_alter_table("list_run_member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_list_run_member_customer_id", ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_list_run_member_staff",
            ["run_id", "assigned_staff_id", "position"],
            unique=False,
        )

    with op.batch_alter_table("contact_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_run_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_contact_event_list_run_id_list_run"),
            "list_run",
            ["list_run_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_contact_event_list_run_id", ["list_run_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_event", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_event_list_run_id")
        batch_op.drop_constraint(
            op.f("fk_contact_event_list_run_id_list_run"), type_="foreignkey"
        )
        batch_op.drop_column("list_run_id")
    op.drop_table("list_run_member")
    op.drop_table("list_run_exclusion")
    op.drop_table("list_run")
    op.drop_table("saved_segment")
