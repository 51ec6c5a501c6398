"""Customers (vehicle owners) and the staff who serve them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, one_of, utcnow
from models.codes import GENDERS, LIFECYCLE_STAGES, STAFF_ROLES
from models.columns import (
    NAME_INITIALS_LENGTH,
    NAME_PINYIN_LENGTH,
    NAME_SORT_LENGTH,
    ascii_key,
)

if TYPE_CHECKING:
    from models.vehicle import Vehicle


class StaffUser(Base):
    __tablename__ = "staff_user"
    __table_args__ = (one_of("role", STAFF_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    # "clerk" is shown as staff (员工); "admin" has every right a supervisor has.
    role: Mapped[str] = mapped_column(String(16), default="clerk")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # An argon2id hash (salt and cost inside it); None: the account cannot sign in yet.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[dt.datetime | None]
    # Set when a supervisor reset the password: the person picks their own at next sign-in.
    password_reset_at: Mapped[dt.datetime | None]


class Customer(Base):
    """One owner. Pinyin keys are stored so names search by pinyin/initials and sort as
    Chinese users expect (by pinyin, syllable by syllable), without computing them per query."""

    __tablename__ = "customer"
    __table_args__ = (
        one_of("gender", GENDERS),
        one_of("lifecycle_stage", LIFECYCLE_STAGES),
        Index("ix_customer_name", "name"),
        Index("ix_customer_name_pinyin", "name_pinyin"),
        Index("ix_customer_name_initials", "name_initials"),
        Index("ix_customer_name_sort", "name_sort", "id"),
        Index("ix_customer_mobile", "mobile"),
        Index("ix_customer_dms_code", "dms_code"),
        Index("ix_customer_region", "province", "city", "district"),
        Index("ix_customer_owner_staff_id", "owner_staff_id"),
        Index("ix_customer_birthday_md", "birthday_md"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # The customer's number in the dealer's DMS (客户编号), as its exports write it: a file
    # that names customers by it (a purchase history, a work order export) finds them by it.
    # Not unique: two DMSs of a dealer group may give one number to two people.
    dms_code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(64))
    # The person to ask for (联系人), where it is not the customer: a company's 王经理, the
    # son who looks after his father's car. Calls, letters and messages address them.
    contact_name: Mapped[str | None] = mapped_column(String(64))
    name_pinyin: Mapped[str] = mapped_column(ascii_key(NAME_PINYIN_LENGTH), default="")
    name_initials: Mapped[str] = mapped_column(ascii_key(NAME_INITIALS_LENGTH), default="")
    name_sort: Mapped[str] = mapped_column(ascii_key(NAME_SORT_LENGTH), default="")
    gender: Mapped[str | None] = mapped_column(String(1))
    birthday: Mapped[dt.date | None]
    # "MMDD" of the birthday, so "birthday within N days" is an indexed range.
    birthday_md: Mapped[str | None] = mapped_column(String(4))
    mobile: Mapped[str | None] = mapped_column(String(20))
    other_phones: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(30))
    district: Mapped[str | None] = mapped_column(String(30))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(6))
    wechat_id: Mapped[str | None] = mapped_column(String(64))
    employer: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(30))
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # The current stage, kept by the profile service together with its history
    # (ProfileChange rows for the attribute "lifecycle_stage").
    lifecycle_stage: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Raised by one on every save; a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # Set when the customer's personal data was erased on request (PIPL); the row stays so
    # counts and statistics do.
    erased_at: Mapped[dt.datetime | None]

    vehicles: Mapped[list[Vehicle]] = relationship(
        back_populates="customer", order_by="Vehicle.purchase_date"
    )
    owner: Mapped[StaffUser | None] = relationship()
