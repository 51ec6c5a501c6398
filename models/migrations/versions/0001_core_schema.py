"""Core schema: customers, vehicles, history, preferences, tags, staff, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 15:44:43.306775
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('clerk', 'supervisor', 'admin')",
            name=op.f("ck_staff_user_role_code"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "tag_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_group")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_group_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_audit_log_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_entity", ["entity", "entity_id"], unique=False
        )

    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_pinyin", sa.String(length=128), nullable=False),
        sa.Column("name_initials", sa.String(length=16), nullable=False),
        sa.Column("name_sort", sa.String(length=160), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("birthday_md", sa.String(length=4), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("other_phones", sa.String(length=100), nullable=True),
        sa.Column("province", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=30), nullable=True),
        sa.Column("district", sa.String(length=30), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=6), nullable=True),
        sa.Column("wechat_id", sa.String(length=64), nullable=True),
        sa.Column("employer", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=30), nullable=True),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("lifecycle_stage", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "gender IN ('M', 'F')", name=op.f("ck_customer_gender_code")
        ),
        sa.CheckConstraint(
            "lifecycle_stage IN ('stranger', 'potential', 'intent', 'first_purchase', 'repeat', 'super')",
            name=op.f("ck_customer_lifecycle_stage_code"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_customer_owner_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_code")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_birthday_md", ["birthday_md"], unique=False)
        batch_op.create_index("ix_customer_mobile", ["mobile"], unique=False)
        batch_op.create_index("ix_customer_name", ["name"], unique=False)
        batch_op.create_index(
            "ix_customer_name_initials", ["name_initials"], unique=False
        )
        batch_op.create_index("ix_customer_name_pinyin", ["name_pinyin"], unique=False)
        batch_op.create_index(
            "ix_customer_name_sort", ["name_sort", "id"], unique=False
        )
        batch_op.create_index(
            "ix_customer_owner_staff_id", ["owner_staff_id"], unique=False
        )
        batch_op.create_index(
            "ix_customer_region", ["province", "city", "district"], unique=False
        )

    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["tag_group.id"],
            name=op.f("fk_tag_group_id_tag_group"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("group_id", "name", name="uq_tag_group_id_name"),
    )
    op.create_table(
        "consent_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('marketing')", name=op.f("ck_consent_event_kind_code")
        ),
        sa.CheckConstraint(
            "source IN ('call', 'visit', 'survey', 'import', 'manual', 'demo', 'list', 'sms_unsubscribe', 'form')",
            name=op.f("ck_consent_event_source_code"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_consent_event_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_consent_event_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_event")),
    )
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_event_lookup",
            ["customer_id", "kind", "event_date", "id"],
            unique=False,
        )

    op.create_table(
        "contact_preference",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel_order", sa.String(length=60), nullable=False),
        sa.Column("first_channel", sa.String(length=8), nullable=True),
        sa.Column("preferred_days", sa.String(length=8), nullable=False),
        sa.Column("time_windows", sa.String(length=60), nullable=True),
        sa.Column("hour_from", sa.Integer(), nullable=True),
        sa.Column("hour_to", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "preferred_days IN ('any', 'weekday', 'weekend')",
            name=op.f("ck_contact_preference_preferred_days_code"),
        ),
        sa.CheckConstraint(
            "hour_from IS NULL OR (hour_from >= 0 AND hour_from < 24)",
            name=op.f("ck_contact_preference_hour_from_range"),
        ),
        sa.CheckConstraint(
            "hour_to IS NULL OR (hour_to > 0 AND hour_to <= 24)",
            name=op.f("ck_contact_preference_hour_to_range"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_contact_preference_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["staff_user.id"],
            name=op.f("fk_contact_preference_updated_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_contact_preference")),
    )
    with op.batch_alter_table("contact_preference", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_preference_first_channel", ["first_channel"], unique=False
        )

    op.create_table(
        "customer_tag",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("tagged_at", sa.DateTime(), nullable=False),
        sa.Column("tagged_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_tag_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tag.id"],
            name=op.f("fk_customer_tag_tag_id_tag"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tagged_by"],
            ["staff_user.id"],
            name=op.f("fk_customer_tag_tagged_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("customer_id", "tag_id", name=op.f("pk_customer_tag")),
    )
    with op.batch_alter_table("customer_tag", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_tag_tag_customer", ["tag_id", "customer_id"], unique=False
        )

    op.create_table(
        "do_not_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("purpose", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lifted_by", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'sms', 'mail', 'wechat', 'visit')",
            name=op.f("ck_do_not_contact_channel_code"),
        ),
        sa.CheckConstraint(
            "purpose IN ('reminder', 'survey', 'recall', 'marketing', 'sales')",
            name=op.f("ck_do_not_contact_purpose_code"),
        ),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= set_on",
            name=op.f("ck_do_not_contact_expires_after_set"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_do_not_contact_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by"],
            ["staff_user.id"],
            name=op.f("fk_do_not_contact_lifted_by_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["staff_user.id"],
            name=op.f("fk_do_not_contact_set_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_do_not_contact")),
    )
    with op.batch_alter_table("do_not_contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_do_not_contact_customer",
            ["customer_id", "channel", "purpose"],
            unique=False,
        )

    op.create_table(
        "profile_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=24), nullable=False),
        sa.Column("old_value", sa.String(length=100), nullable=True),
        sa.Column("new_value", sa.String(length=100), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "attribute IN ('marital_status', 'household', 'occupation', 'employment', 'car_payer', 'economic_band', 'driving_experience', 'temperament', 'lifecycle_stage')",
            name=op.f("ck_profile_change_attribute_code"),
        ),
        sa.CheckConstraint(
            "source IN ('call', 'visit', 'survey', 'import', 'manual', 'demo', 'list')",
            name=op.f("ck_profile_change_source_code"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_profile_change_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_profile_change_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_change")),
    )
    with op.batch_alter_table("profile_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_profile_change_attr_value", ["attribute", "new_value"], unique=False
        )
        batch_op.create_index(
            "ix_profile_change_lookup",
            ["customer_id", "attribute", "effective_date", "id"],
            unique=False,
        )

    op.create_table(
        "purchase_intent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("recorded_date", sa.Date(), nullable=False),
        sa.Column("strength", sa.String(length=8), nullable=False),
        sa.Column("necessity", sa.String(length=200), nullable=True),
        sa.Column("time_window", sa.String(length=6), nullable=True),
        sa.Column("expected_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("models_of_interest", sa.String(length=200), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "strength IN ('strong', 'medium', 'weak')",
            name=op.f("ck_purchase_intent_strength_code"),
        ),
        sa.CheckConstraint(
            "time_window IN ('1w', '2w', '1m', '2m', 'later')",
            name=op.f("ck_purchase_intent_time_window_code"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_purchase_intent_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_purchase_intent_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_intent")),
    )
    with op.batch_alter_table("purchase_intent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_intent_customer_date",
            ["customer_id", "recorded_date", "id"],
            unique=False,
        )

    op.create_table(
        "vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.Column("plate", sa.String(length=12), nullable=True),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("price_paid", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("payment_method", sa.String(length=8), nullable=True),
        sa.Column("loan_end", sa.Date(), nullable=True),
        sa.Column("insurance_expiry", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column("inspection_due", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "payment_method IN ('cash', 'loan', 'lease')",
            name=op.f("ck_vehicle_payment_method_code"),
        ),
        sa.CheckConstraint(
            "price_paid IS NULL OR price_paid >= 0",
            name=op.f("ck_vehicle_price_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_vehicle_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle")),
        sa.UniqueConstraint("vin", name=op.f("uq_vehicle_vin")),
    )
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vehicle_customer_purchase",
            ["customer_id", "purchase_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_vehicle_inspection_due", ["inspection_due"], unique=False
        )
        batch_op.create_index(
            "ix_vehicle_insurance_expiry", ["insurance_expiry"], unique=False
        )
        batch_op.create_index("ix_vehicle_loan_end", ["loan_end"], unique=False)
        batch_op.create_index("ix_vehicle_plate", ["plate"], unique=False)
        batch_op.create_index(
            "ix_vehicle_purchase_date", ["purchase_date"], unique=False
        )
        batch_op.create_index("ix_vehicle_warranty_end", ["warranty_end"], unique=False)

    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("opened_date", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolved_date", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "resolved_date IS NULL OR resolved_date >= opened_date",
            name=op.f("ck_complaint_resolved_after_opened"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_complaint_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_complaint_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaint_customer_resolved", ["customer_id", "resolved"], unique=False
        )

    op.create_table(
        "contact_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("contact_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=14), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("next_follow_up", sa.Date(), nullable=True),
        sa.Column("source_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'sms', 'mail', 'wechat', 'visit')",
            name=op.f("ck_contact_event_channel_code"),
        ),
        sa.CheckConstraint(
            "outcome IN ('reached', 'no_answer', 'phone_off', 'wrong_number', 'refused', 'appointment', 'bought', 'sent', 'failed')",
            name=op.f("ck_contact_event_outcome_code"),
        ),
        sa.CheckConstraint(
            "purpose IN ('care', 'callback', 'sales', 'reminder', 'survey', 'recall', 'marketing')",
            name=op.f("ck_contact_event_purpose_code"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_contact_event_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_contact_event_staff_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_contact_event_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_event")),
        sa.UniqueConstraint("source_key", name=op.f("uq_contact_event_source_key")),
    )
    with op.batch_alter_table("contact_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_event_customer_at", ["customer_id", "contact_at"], unique=False
        )
        batch_op.create_index(
            "ix_contact_event_next_follow_up", ["next_follow_up"], unique=False
        )
        batch_op.create_index(
            "ix_contact_event_staff_at", ["staff_id", "contact_at"], unique=False
        )

    op.create_table(
        "mileage_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("reading_date", sa.Date(), nullable=False),
        sa.Column("km", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "source IN ('visit', 'call', 'survey', 'import', 'manual')",
            name=op.f("ck_mileage_reading_source_code"),
        ),
        sa.CheckConstraint("km >= 0", name=op.f("ck_mileage_reading_km_not_negative")),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_mileage_reading_vehicle_id_vehicle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mileage_reading")),
    )
    with op.batch_alter_table("mileage_reading", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mileage_reading_vehicle_date",
            ["vehicle_id", "reading_date", "km"],
            unique=False,
        )

    op.create_table(
        "other_purchase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "kind IN ('insurance', 'accessory', 'extended_warranty', 'other')",
            name=op.f("ck_other_purchase_kind_code"),
        ),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_other_purchase_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_other_purchase_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_other_purchase_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_other_purchase")),
    )
    with op.batch_alter_table("other_purchase", schema=None) as batch_op:
        batch_op.create_index(
            "ix_other_purchase_customer_date_amount",
            ["customer_id", "purchase_date", "amount"],
            unique=False,
        )
        batch_op.create_index(
            "ix_other_purchase_vehicle_id", ["vehicle_id"], unique=False
        )

    op.create_table(
        "service_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("visit_type", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("km", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "visit_type IN ('maintenance', 'repair', 'accident', 'warranty', 'inspection')",
            name=op.f("ck_service_visit_visit_type_code"),
        ),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_service_visit_amount_not_negative")
        ),
        sa.CheckConstraint(
            "km IS NULL OR km >= 0", name=op.f("ck_service_visit_km_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_service_visit_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_service_visit_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_visit")),
    )
    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_visit_customer_date_amount",
            ["customer_id", "visit_date", "amount"],
            unique=False,
        )
        batch_op.create_index(
            "ix_service_visit_vehicle_id", ["vehicle_id"], unique=False
        )
        batch_op.create_index(
            "ix_service_visit_visit_date", ["visit_date"], unique=False
        )

    op.create_table(
        "satisfaction_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("survey_date", sa.Date(), nullable=False),
        sa.Column("overall_score", sa.Integer(), nullable=False),
        sa.Column("repair_quality", sa.Integer(), nullable=True),
        sa.Column("price", sa.Integer(), nullable=True),
        sa.Column("speed", sa.Integer(), nullable=True),
        sa.Column("attitude", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "attitude IS NULL OR (attitude >= 0 AND attitude <= 10)",
            name=op.f("ck_satisfaction_survey_attitude_0_10"),
        ),
        sa.CheckConstraint(
            "overall_score IS NULL OR (overall_score >= 0 AND overall_score <= 10)",
            name=op.f("ck_satisfaction_survey_overall_score_0_10"),
        ),
        sa.CheckConstraint(
            "price IS NULL OR (price >= 0 AND price <= 10)",
            name=op.f("ck_satisfaction_survey_price_0_10"),
        ),
        sa.CheckConstraint(
            "repair_quality IS NULL OR (repair_quality >= 0 AND repair_quality <= 10)",
            name=op.f("ck_satisfaction_survey_repair_quality_0_10"),
        ),
        sa.CheckConstraint(
            "speed IS NULL OR (speed >= 0 AND speed <= 10)",
            name=op.f("ck_satisfaction_survey_speed_0_10"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_satisfaction_survey_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_satisfaction_survey_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["service_visit.id"],
            name=op.f("fk_satisfaction_survey_visit_id_service_visit"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_survey")),
    )
    with op.batch_alter_table("satisfaction_survey", schema=None) as batch_op:
        batch_op.create_index(
            "ix_satisfaction_survey_latest",
            ["customer_id", "survey_date", "id", "overall_score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_satisfaction_survey_vehicle_id", ["vehicle_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("satisfaction_survey")
    op.drop_table("service_visit")
    op.drop_table("other_purchase")
    op.drop_table("mileage_reading")
    op.drop_table("contact_event")
    op.drop_table("complaint")
    op.drop_table("vehicle")
    op.drop_table("purchase_intent")
    op.drop_table("profile_change")
    op.drop_table("do_not_contact")
    op.drop_table("customer_tag")
    op.drop_table("contact_preference")
    op.drop_table("consent_event")
    op.drop_table("tag")
    op.drop_table("customer")
    op.drop_table("audit_log")
    op.drop_table("tag_group")
    op.drop_table("staff_user")
    op.drop_table("app_setting")
