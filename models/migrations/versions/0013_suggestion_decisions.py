"""What staff did with the brief's suggested next step (accepted, changed, dismissed).

A new table only; the rules that make the suggestions are a shared setting (app_setting), so
they need no schema.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PURPOSES = ("care", "callback", "sales", "reminder", "survey", "recall", "marketing",
            "ref_thanks", "ref_ask")


def _codes(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "suggestion_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rule_name", sa.String(length=60), nullable=False),
        sa.Column("suggested_purpose", sa.String(length=10), nullable=False),
        sa.Column("chosen_purpose", sa.String(length=10), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint(_codes("action", ("accepted", "changed", "dismissed")),
                           name=op.f("ck_suggestion_decision_action_code")),
        sa.CheckConstraint(_codes("suggested_purpose", PURPOSES),
                           name=op.f("ck_suggestion_decision_suggested_purpose_code")),
        sa.CheckConstraint(_codes("chosen_purpose", PURPOSES),
                           name=op.f("ck_suggestion_decision_chosen_purpose_code")),
        sa.CheckConstraint("(action = 'dismissed' AND chosen_purpose IS NULL) OR "
                           "(action <> 'dismissed' AND chosen_purpose IS NOT NULL)",
                           name=op.f("ck_suggestion_decision_chosen_unless_dismissed")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE",
                                name=op.f("fk_suggestion_decision_customer_id_customer")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"],
                                name=op.f("fk_suggestion_decision_staff_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_decision")),
    )
    op.create_index("ix_suggestion_decision_customer_as_of", "suggestion_decision",
                    ["customer_id", "as_of"])
    op.create_index("ix_suggestion_decision_as_of_rule", "suggestion_decision",
                    ["as_of", "rule_name"])
    op.create_index("ix_suggestion_decision_staff_id", "suggestion_decision", ["staff_id"])


def downgrade() -> None:
    op.drop_table("suggestion_decision")
