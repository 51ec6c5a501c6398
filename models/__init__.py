"""Revisit's database model: SQLAlchemy tables only, no queries and no Qt.

The ORM classes load together on the first use of any of them (`from models import Customer`),
not with the package: its plain modules (models.db, the engine; models.codes, the code lists)
are read at every start, and the ORM with the classes costs 0.15 s to import, three quarters of
the replacement matrix's query on 200,000 customers, which reads models/tables.py
instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.activity import (
        Complaint,
        ContactEvent,
        OtherPurchase,
        PurchaseIntent,
        SatisfactionSurvey,
        ServiceVisit,
    )
    from models.audit import AppSetting, AuditLog
    from models.base import Base
    from models.customer import Customer, StaffUser
    from models.imports import ImportBatch, ImportChange, ImportCreated, ImportMapping
    from models.list_run import ListRun, ListRunExclusion, ListRunMember
    from models.merge import CustomerMerge
    from models.preferences import ConsentEvent, ContactPreference, DoNotContact
    from models.profile import ProfileChange
    from models.referral import Referral, ReferralByCustomer
    from models.segment import SavedSegment
    from models.service_reminder import DeclinedItem, ServiceInterval
    from models.suggestion import SuggestionDecision
    from models.summary import DataStamp, KmSummary, RfmSummary, SummaryState
    from models.tags import CustomerTag, Tag, TagGroup
    from models.vehicle import MileageReading, Vehicle

__all__ = [
    "AppSetting",
    "AuditLog",
    "Base",
    "Complaint",
    "ConsentEvent",
    "ContactEvent",
    "ContactPreference",
    "Customer",
    "CustomerMerge",
    "CustomerTag",
    "DataStamp",
    "DeclinedItem",
    "DoNotContact",
    "ImportBatch",
    "ImportChange",
    "ImportCreated",
    "ImportMapping",
    "KmSummary",
    "ListRun",
    "ListRunExclusion",
    "ListRunMember",
    "MileageReading",
    "OtherPurchase",
    "ProfileChange",
    "PurchaseIntent",
    "Referral",
    "ReferralByCustomer",
    "RfmSummary",
    "SatisfactionSurvey",
    "SavedSegment",
    "ServiceInterval",
    "ServiceVisit",
    "StaffUser",
    "SuggestionDecision",
    "SummaryState",
    "Tag",
    "TagGroup",
    "Vehicle",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    _load_all()
    return globals()[name]


def _load_all() -> None:
    """Import every table's class at once, as before any of them is used: relationships name
    their targets by string, and Base.metadata is then the whole schema."""
    from models import (
        activity,
        audit,
        base,
        customer,
        imports,
        list_run,
        merge,
        preferences,
        profile,
        referral,
        segment,
        service_reminder,
        suggestion,
        summary,
        tags,
        vehicle,
    )

    modules = (activity, audit, base, customer, imports, list_run, merge, preferences, profile,
               referral, segment, service_reminder, suggestion, summary, tags, vehicle)
    found = {n: getattr(m, n) for m in modules for n in __all__ if hasattr(m, n)}
    globals().update({n: found[n] for n in __all__})
