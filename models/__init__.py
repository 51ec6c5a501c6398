"""Revisit's database model: SQLAlchemy tables only, no queries and no Qt."""

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
