"""Display labels for the codes stored in the database, translated in context "codes"."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

LABELS: dict[str, dict[str, str]] = {
    "gender": {"M": QT_TRANSLATE_NOOP("codes", "Male"), "F": QT_TRANSLATE_NOOP("codes", "Female")},
    "lifecycle_stage": {
        "stranger": QT_TRANSLATE_NOOP("codes", "Stranger"),
        "potential": QT_TRANSLATE_NOOP("codes", "Potential"),
        "intent": QT_TRANSLATE_NOOP("codes", "Intent"),
        "first_purchase": QT_TRANSLATE_NOOP("codes", "First purchase"),
        "repeat": QT_TRANSLATE_NOOP("codes", "Repeat"),
        "super": QT_TRANSLATE_NOOP("codes", "Super"),
    },
    "attribute": {
        "marital_status": QT_TRANSLATE_NOOP("codes", "Marital status"),
        "household": QT_TRANSLATE_NOOP("codes", "Household"),
        "occupation": QT_TRANSLATE_NOOP("codes", "Occupation"),
        "employment": QT_TRANSLATE_NOOP("codes", "Employment"),
        "car_payer": QT_TRANSLATE_NOOP("codes", "Who pays for the car"),
        "economic_band": QT_TRANSLATE_NOOP("codes", "Economic situation (1–5)"),
        "driving_experience": QT_TRANSLATE_NOOP("codes", "Driving experience"),
        "temperament": QT_TRANSLATE_NOOP("codes", "Temperament"),
        "lifecycle_stage": QT_TRANSLATE_NOOP("codes", "Lifecycle stage"),
    },
    "marital_status": {
        "single": QT_TRANSLATE_NOOP("codes", "Single"),
        "married": QT_TRANSLATE_NOOP("codes", "Married"),
        "divorced": QT_TRANSLATE_NOOP("codes", "Divorced"),
        "widowed": QT_TRANSLATE_NOOP("codes", "Widowed"),
    },
    "household": {
        "alone": QT_TRANSLATE_NOOP("codes", "Lives alone"),
        "couple": QT_TRANSLATE_NOOP("codes", "Couple"),
        "one_child": QT_TRANSLATE_NOOP("codes", "One child"),
        "two_children": QT_TRANSLATE_NOOP("codes", "Two children"),
        "three_plus_children": QT_TRANSLATE_NOOP("codes", "Three or more children"),
        "with_parents": QT_TRANSLATE_NOOP("codes", "Lives with parents"),
    },
    "employment": {
        "employee": QT_TRANSLATE_NOOP("codes", "Employee"),
        "civil_servant": QT_TRANSLATE_NOOP("codes", "Civil servant"),
        "business_owner": QT_TRANSLATE_NOOP("codes", "Business owner"),
        "self_employed": QT_TRANSLATE_NOOP("codes", "Self-employed"),
        "retired": QT_TRANSLATE_NOOP("codes", "Retired"),
        "student": QT_TRANSLATE_NOOP("codes", "Student"),
        "other": QT_TRANSLATE_NOOP("codes", "Other"),
    },
    "car_payer": {
        "self": QT_TRANSLATE_NOOP("codes", "Self"),
        "company": QT_TRANSLATE_NOOP("codes", "Company"),
        "family": QT_TRANSLATE_NOOP("codes", "Family"),
    },
    "economic_band": {str(i): str(i) for i in range(1, 6)},
    "driving_experience": {
        "first_car": QT_TRANSLATE_NOOP("codes", "First car"),
        "experienced": QT_TRANSLATE_NOOP("codes", "Experienced"),
    },
    "temperament": {
        "frugal_careful": QT_TRANSLATE_NOOP("codes", "Frugal and careful"),
        "car_lover": QT_TRANSLATE_NOOP("codes", "Car lover"),
        "impulsive": QT_TRANSLATE_NOOP("codes", "Impulsive"),
        "steady": QT_TRANSLATE_NOOP("codes", "Steady"),
    },
    "channel": {
        "phone": QT_TRANSLATE_NOOP("codes", "Phone"),
        "sms": QT_TRANSLATE_NOOP("codes", "SMS"),
        "mail": QT_TRANSLATE_NOOP("codes", "Mail"),
        "wechat": QT_TRANSLATE_NOOP("codes", "WeChat"),
        "visit": QT_TRANSLATE_NOOP("codes", "Visit"),
    },
    "purpose": {
        "care": QT_TRANSLATE_NOOP("codes", "Care"),
        "callback": QT_TRANSLATE_NOOP("codes", "Satisfaction call-back"),
        "sales": QT_TRANSLATE_NOOP("codes", "Sales"),
        "reminder": QT_TRANSLATE_NOOP("codes", "Reminder"),
        "survey": QT_TRANSLATE_NOOP("codes", "Survey"),
        "recall": QT_TRANSLATE_NOOP("codes", "Recall"),
        "marketing": QT_TRANSLATE_NOOP("codes", "Marketing"),
    },
    "outcome": {
        "reached": QT_TRANSLATE_NOOP("codes", "Reached"),
        "no_answer": QT_TRANSLATE_NOOP("codes", "No answer"),
        "phone_off": QT_TRANSLATE_NOOP("codes", "Phone off"),
        "wrong_number": QT_TRANSLATE_NOOP("codes", "Wrong number"),
        "refused": QT_TRANSLATE_NOOP("codes", "Refused"),
        "appointment": QT_TRANSLATE_NOOP("codes", "Appointment made"),
        "bought": QT_TRANSLATE_NOOP("codes", "Bought"),
        "sent": QT_TRANSLATE_NOOP("codes", "Sent"),
        "failed": QT_TRANSLATE_NOOP("codes", "Failed"),
    },
    "visit_type": {
        "maintenance": QT_TRANSLATE_NOOP("codes", "Maintenance"),
        "repair": QT_TRANSLATE_NOOP("codes", "Repair"),
        "accident": QT_TRANSLATE_NOOP("codes", "Accident repair"),
        "warranty": QT_TRANSLATE_NOOP("codes", "Warranty"),
        "inspection": QT_TRANSLATE_NOOP("codes", "Inspection"),
    },
    "payment_method": {
        "cash": QT_TRANSLATE_NOOP("codes", "Cash"),
        "loan": QT_TRANSLATE_NOOP("codes", "Loan"),
        "lease": QT_TRANSLATE_NOOP("codes", "Lease"),
    },
    "source": {
        "call": QT_TRANSLATE_NOOP("codes", "Phone call"),
        "visit": QT_TRANSLATE_NOOP("codes", "Service visit"),
        "survey": QT_TRANSLATE_NOOP("codes", "Survey"),
        "import": QT_TRANSLATE_NOOP("codes", "Import"),
        "manual": QT_TRANSLATE_NOOP("codes", "Entered by hand"),
        "demo": QT_TRANSLATE_NOOP("codes", "Demo data"),
        "list": QT_TRANSLATE_NOOP("codes", "Call list"),
    },
    "exclusion": {
        "dnc": QT_TRANSLATE_NOOP("codes", "Do not contact"),
        "no_consent": QT_TRANSLATE_NOOP("codes", "No marketing consent"),
        "recent_contact": QT_TRANSLATE_NOOP("codes", "Contacted recently"),
        "complaint": QT_TRANSLATE_NOOP("codes", "Unresolved complaint"),
        "no_mobile": QT_TRANSLATE_NOOP("codes", "No valid mobile"),
        "no_address": QT_TRANSLATE_NOOP("codes", "No valid address"),
        "retry_later": QT_TRANSLATE_NOOP("codes", "Unanswered, calling again later"),
        "same_mobile": QT_TRANSLATE_NOOP("codes", "Same mobile already gets the SMS"),
        "no_channel": QT_TRANSLATE_NOOP("codes", "No channel left"),
    },
    "intent_strength": {
        "strong": QT_TRANSLATE_NOOP("codes", "Strong"),
        "medium": QT_TRANSLATE_NOOP("codes", "Medium"),
        "weak": QT_TRANSLATE_NOOP("codes", "Weak"),
    },
    "intent_window": {
        "1w": QT_TRANSLATE_NOOP("codes", "Within a week"),
        "2w": QT_TRANSLATE_NOOP("codes", "Within two weeks"),
        "1m": QT_TRANSLATE_NOOP("codes", "Within a month"),
        "2m": QT_TRANSLATE_NOOP("codes", "Within two months"),
        "later": QT_TRANSLATE_NOOP("codes", "Later"),
    },
    "preferred_days": {
        "any": QT_TRANSLATE_NOOP("codes", "Any day"),
        "weekday": QT_TRANSLATE_NOOP("codes", "Weekdays"),
        "weekend": QT_TRANSLATE_NOOP("codes", "Weekends"),
    },
    "time_window": {
        "morning": QT_TRANSLATE_NOOP("codes", "Morning"),
        "noon": QT_TRANSLATE_NOOP("codes", "Noon"),
        "afternoon": QT_TRANSLATE_NOOP("codes", "Afternoon"),
        "evening": QT_TRANSLATE_NOOP("codes", "Evening"),
    },
}


def label(kind: str, code: str | None) -> str:
    """The translated label of `code` in vocabulary `kind` ('' for None, the code if unknown)."""
    if code is None:
        return ""
    text = LABELS.get(kind, {}).get(code)
    if text is None:
        return code
    return QCoreApplication.translate("codes", text)


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, translated label) pairs in the vocabulary's order, for combo boxes."""
    return [(code, label(kind, code)) for code in LABELS.get(kind, {})]
