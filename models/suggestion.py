"""What staff did with the brief's suggested next step: accepted it, changed its purpose, or
dismissed it. The rules that make suggestions are a shared setting (app_setting), not a table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import PURPOSES

# What staff did with a suggestion: took it as it was, took it with another purpose, or not.
SUGGESTION_ACTIONS = ("accepted", "changed", "dismissed")


class SuggestionDecision(Base):
    """One decision on one suggestion. The rule is kept by name, as it read on the day: a rule
    renamed or removed later leaves its decisions as they were, so the effect figures of a
    period count what staff were shown then."""

    __tablename__ = "suggestion_decision"
    __table_args__ = (
        one_of("action", SUGGESTION_ACTIONS),
        one_of("suggested_purpose", PURPOSES),
        one_of("chosen_purpose", PURPOSES),
        CheckConstraint("(action = 'dismissed' AND chosen_purpose IS NULL) OR "
                        "(action <> 'dismissed' AND chosen_purpose IS NOT NULL)",
                        name="chosen_unless_dismissed"),
        Index("ix_suggestion_decision_customer_as_of", "customer_id", "as_of"),
        # The effect figures read a period's decisions per rule.
        Index("ix_suggestion_decision_as_of_rule", "as_of", "rule_name"),
        Index("ix_suggestion_decision_staff_id", "staff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date]  # the brief's day: what the suggestion was made for
    rule_name: Mapped[str] = mapped_column(String(60))
    suggested_purpose: Mapped[str] = mapped_column(String(10))
    chosen_purpose: Mapped[str | None] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(200))
