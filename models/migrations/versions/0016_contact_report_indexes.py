"""Two covering indexes on contact_event for the Reports area, so a week change reads a period's
contacts and the follow-ups still waiting from an index instead of the table.

- ix_contact_event_at (contact time, staff, channel, outcome, customer): the dashboard's
  contact figures, the customers behind them, the weekly activity, KPIs and the Monday report
  ask for a range of contact times. Without an index on the time they scanned all contacts
  (1.2 million in the 200,000-customer demo) for a year's 250,000.
- ix_contact_event_follow_up (follow-up date, customer, contact time, staff) replaces the index
  on the follow-up date alone: the overdue follow-ups are read from it without a look-up of
  each contact's row (117,000 of them in that demo).

Nothing is written but the indexes; going down puts the follow-up date index back.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 13:00:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "contact_event"
AT = ("ix_contact_event_at", ["contact_at", "staff_id", "channel", "outcome", "customer_id"])
FOLLOW_UP = ("ix_contact_event_follow_up",
             ["next_follow_up", "customer_id", "contact_at", "staff_id"])
OLD_FOLLOW_UP = ("ix_contact_event_next_follow_up", ["next_follow_up"])


def upgrade() -> None:
    op.create_index(AT[0], TABLE, AT[1])
    op.create_index(FOLLOW_UP[0], TABLE, FOLLOW_UP[1])
    op.drop_index(OLD_FOLLOW_UP[0], table_name=TABLE)


def downgrade() -> None:
    op.create_index(OLD_FOLLOW_UP[0], TABLE, OLD_FOLLOW_UP[1])
    op.drop_index(FOLLOW_UP[0], table_name=TABLE)
    op.drop_index(AT[0], table_name=TABLE)
