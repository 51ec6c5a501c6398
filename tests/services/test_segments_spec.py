"""The filter format: validation names the offending part; round trips; the field catalog."""

from __future__ import annotations

import pytest

from services.segments import spec
from services.segments.catalog import FIELDS, OPERATORS
from services.segments.field_sql import FIELD_SQL
from services.store.errors import RevisitError


def cond(**kw):
    return {"version": 1, "where": kw}


@pytest.mark.parametrize(("data", "fragment"), [
    ([], "must be a JSON object"),
    ({"version": 2, "where": None}, "version 2"),
    ({"version": 1, "where": None, "extra": 1}, "extra"),
    ({"version": 1, "vehicles": "sold"}, "vehicles: 'sold'"),
    (cond(field="shoe_size", op="=", value=1), "where.field: unknown field 'shoe_size'"),
    (cond(field="city", op=">=", value="x"), "where.op: '>=' cannot be used with the field city"),
    (cond(field="years_since_purchase", op=">=", value="five"),
     "where.value: 'five' is not a number"),
    (cond(field="purchase_date", op="<", value="2026-02-30"),
     "where.value: '2026-02-30' is not a date"),
    (cond(field="gender", op="=", value="X"), "'X' is not a value of gender"),
    (cond(field="gender", op="in", value=[]), "choose at least one value"),
    (cond(field="marketing_consent", op="=", value="yes"), "expected true or false"),
    (cond(field="price_paid", op="between", value=[5, 1]), "low end is above the high end"),
    (cond(field="insurance_expiry", op="due_within", value=-3), "cannot be negative"),
    (cond(field="spend_count", op=">", value=1, params={"months": 0}),
     "where.params.months: must be at least 1"),
    (cond(field="spend_count", op=">", value=1, params={"weeks": 2}), "no parameter weeks"),
    (cond(field="rfm_class", op="=", value="vip"), "'vip' is not a value of rfm_class"),
    (cond(field="rfm_class", op="=", value="important_value", params={"mode": "fixed"}),
     "fixed RFM thresholds need r_days, f, m"),
    (cond(field="tags", op="has_any", value=["老年"]), "must be written \"group/tag\""),
    ({"version": 1, "where": {"and": [{"field": "city", "op": "=", "value": "x"},
                                      {"or": [{"field": "nope", "op": "="}]}]}},
     "where.and[1].or[0].field: unknown field 'nope'"),
    ({"version": 1, "where": {"not": [1]}}, "where.not: expected an object"),
    ({"version": 1, "where": {"and": [], "or": []}}, "a group has only the key"),
])
def test_invalid_filters_name_the_offending_part(data, fragment):
    with pytest.raises(RevisitError) as err:
        spec.parse(data)
    assert fragment in str(err.value)


def test_bad_json_text():
    with pytest.raises(RevisitError, match="not valid JSON.*line 1"):
        spec.parse_json("{'version': 1}")


def test_round_trip_keeps_meaning_and_drops_defaults():
    data = {"version": 1, "vehicles": "all", "where": {"and": [
        {"field": "years_since_purchase", "op": "between", "value": [5, 6]},
        {"not": {"field": "purchase_date", "op": "<", "value": "2020-01-01"}},
        {"field": "spend_count", "op": ">=", "value": 2, "params": {"months": 12}},
        {"field": "spend_amount", "op": ">=", "value": 2.5, "params": {"months": 6}},
        {"field": "birthday", "op": "is_null"},
    ]}}
    flt = spec.parse(data)
    back = spec.to_data(flt)
    assert spec.parse(back) == flt
    assert "params" not in back["where"]["and"][2]  # 12 months is the default
    assert back["where"]["and"][3]["params"] == {"months": 6}
    assert spec.parse({"version": 1}).where is None


def test_catalog_is_complete():
    for f in FIELDS.values():
        assert f.zh and f.en and f.level in ("customer", "vehicle")
        assert set(f.operators) <= set(OPERATORS[f.type]) | {"due_within"}
        assert f.key in FIELD_SQL, f.key
        if f.type == "code" and f.key != "profile.occupation":
            assert f.choices, f.key
    for key in ("years_since_purchase", "estimated_km", "km_per_year", "satisfaction_band",
                "unresolved_complaint", "days_since_last_contact", "days_since_last_visit",
                "days_since_last_spend", "spend_count", "spend_amount", "rfm_r", "rfm_f",
                "rfm_m", "rfm_class", "trend_since_purchase", "trend_over_months",
                "intent_window", "insurance_expiry", "warranty_end", "loan_end",
                "inspection_due", "birthday", "preferred_channel", "marketing_consent",
                "tags", "lifecycle_stage", "profile.economic_band"):
        assert key in FIELDS


@pytest.mark.parametrize(("path", "zh", "en"), [
    ("where.and[0].value", "条件“姓名”的值", "The value of the condition “Name”"),
    ("where.and[1].or[0].op", "条件“满意度分档”的比较方式",
     f"The operator of the condition “{FIELDS['satisfaction_band'].en}”"),
    ("where.and[2].params.months", "条件“RFM分类”的窗口（月）",
     "The window (months) of the condition “RFM class”"),
    ("where.and[1]", "筛选条件", "The filter"),  # a group: the filter as a whole
    ("where.and[9].value", "筛选条件", "The filter"),  # not in the filter
])
def test_an_errors_path_is_said_as_the_builder_shows_the_condition(path, zh, en):
    from services.segments.spec import spoken_path

    data = {"version": 1, "where": {"and": [
        {"field": "name", "op": "contains", "value": ""},
        {"or": [{"field": "satisfaction_band", "op": "=", "value": "x"}]},
        {"field": "rfm_class", "op": "in", "value": ["important_value"], "params": {"months": 0}},
    ]}}
    said = spoken_path(data, path)
    assert (said.zh, str(said)) == (zh, en)
