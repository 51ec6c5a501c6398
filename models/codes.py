"""The closed vocabularies stored in code columns (labels for them live in the UI and services)."""

GENDERS = ("M", "F")
PAYMENT_METHODS = ("cash", "loan", "lease")
VISIT_TYPES = ("maintenance", "repair", "accident", "warranty", "inspection")
PURCHASE_KINDS = ("insurance", "accessory", "extended_warranty", "other")
READING_SOURCES = ("visit", "call", "survey", "import", "manual")
CHANNELS = ("phone", "sms", "mail", "wechat", "visit")
# "ref_thanks" / "ref_ask": thanking a customer who introduced someone, asking one to (老带新).
PURPOSES = ("care", "callback", "sales", "reminder", "survey", "recall", "marketing",
            "ref_thanks", "ref_ask")
OUTCOMES = (
    "reached",
    "no_answer",
    "phone_off",
    "wrong_number",
    "refused",
    "appointment",
    "bought",
    "sent",
    "failed",
)
INTENT_STRENGTHS = ("strong", "medium", "weak")
INTENT_WINDOWS = ("1w", "2w", "1m", "2m", "later")
# Do-not-contact covers channels and purposes; service reminders, satisfaction, recalls,
# marketing and sales are the purposes a customer can refuse separately.
DNC_PURPOSES = ("reminder", "survey", "recall", "marketing", "sales")
CHANGE_SOURCES = ("call", "visit", "survey", "import", "manual", "demo", "list")
# Customer and vehicle values that are not profile attributes but whose changes are kept in
# profile_change beside them ("vehicle": a car added to the customer). Their values are plain
# text; the profile screens and segments work on PROFILE_ATTRIBUTES only.
RECORDED_FIELDS = (
    "name",
    "contact_name",
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
# The kinds of file an import reads (services/imports/).
IMPORT_KINDS = ("customers", "visits", "surveys", "complaints", "contacts", "purchases")
DAY_PREFERENCES = ("any", "weekday", "weekend")
TIME_WINDOWS = ("morning", "noon", "afternoon", "evening")
LIFECYCLE_STAGES = ("stranger", "potential", "intent", "first_purchase", "repeat", "super")
# Profile attribute -> allowed values (None: free text); the lifecycle stage is one of them.
PROFILE_ATTRIBUTES: dict[str, tuple[str, ...] | None] = {
    "marital_status": ("single", "married", "divorced", "widowed"),
    "household": (
        "alone",
        "couple",
        "one_child",
        "two_children",
        "three_plus_children",
        "with_parents",
    ),
    "occupation": None,
    "employment": (
        "employee",
        "civil_servant",
        "business_owner",
        "self_employed",
        "retired",
        "student",
        "other",
    ),
    "car_payer": ("self", "company", "family"),
    "economic_band": ("1", "2", "3", "4", "5"),
    "driving_experience": ("first_car", "experienced"),
    "temperament": ("frugal_careful", "car_lover", "impulsive", "steady"),
    "lifecycle_stage": LIFECYCLE_STAGES,
}
STAFF_ROLES = ("clerk", "supervisor", "admin")
CONSENT_KINDS = ("marketing",)
# Who introduced a customer (老带新): another customer, a staff member, or an organisation
# (association, chamber of commerce, company) named in free text.
REFERRER_KINDS = ("customer", "staff", "org")
# A declined repair item (建议维修项目) stays open until done or refused for good.
DECLINED_STATUSES = ("open", "done", "refused")
# Where a declined item was noted: on a service visit or typed in from a call.
DECLINED_SOURCES = ("visit", "call")
