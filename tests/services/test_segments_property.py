"""Property test: random small databases and random filters; the SQL members must equal what a
plain-Python reference evaluator finds, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from models import Base
from services.segments import service
from tests.services import segments_reference as ref

AS_OFS = (dt.date(2026, 11, 23), dt.date(2025, 2, 28), dt.date(2024, 12, 31))
BASE = dt.date(2026, 11, 23)


def dates(lo: int = -3700, hi: int = 400):
    return st.integers(lo, hi).map(lambda n: BASE + dt.timedelta(days=n))


@st.composite
def worlds(draw) -> list[ref.C]:
    world = []
    vid = 0
    for cid in range(1, draw(st.integers(1, 5)) + 1):
        md = draw(st.none() | st.sampled_from(("0101", "0228", "0229", "0301", "1123", "1230")))
        c = ref.C(cid, draw(st.sampled_from((None, "北京", "北京市", "上海"))), md,
                  draw(st.none() | st.sampled_from(ref.STAGES)))
        for _ in range(draw(st.integers(0, 3))):
            vid += 1
            v = ref.V(vid, draw(st.sampled_from(("VW", "BMW", "Buick"))),
                      draw(st.none() | dates(-3700, 0)), draw(st.booleans()),
                      draw(st.none() | dates(-800, 120)),
                      draw(st.none() | st.integers(50_000, 400_000)))
            v.readings = draw(st.lists(st.tuples(dates(-2000, 100), st.integers(0, 200_000)),
                                       max_size=3))
            c.vehicles.append(v)
        c.surveys = draw(st.lists(st.tuples(dates(-1500, 100), st.integers(0, 10)), max_size=3))
        money = st.sampled_from((0, 0, 300, 800, 1500, 5000))
        c.visits = draw(st.lists(st.tuples(dates(-1000, 50), money), max_size=3))
        c.purchases = draw(st.lists(st.tuples(dates(-1000, 50), money), max_size=2))
        c.contacts = [dt.datetime.combine(d, dt.time(h)) for d, h in draw(
            st.lists(st.tuples(dates(-800, 50), st.integers(0, 23)), max_size=2))]
        for opened in draw(st.lists(dates(-800, 50), max_size=1)):
            resolved = draw(st.none() | st.integers(0, 300).map(
                lambda n, o=opened: o + dt.timedelta(days=n)))
            c.complaints.append((opened, resolved))
        c.bands = draw(st.lists(st.tuples(dates(-3000, 50), st.sampled_from(ref.BANDS)),
                                max_size=2))
        c.stages = draw(st.lists(st.tuples(dates(-3000, 50), st.sampled_from(ref.STAGES)),
                                 max_size=1))
        c.consents = draw(st.lists(st.tuples(dates(-800, 50), st.booleans()), max_size=2))
        c.tags = set(draw(st.lists(st.sampled_from(ref.TAGS), max_size=2)))
        world.append(c)
    return world


NUM_OPS = (">=", ">", "<", "<=", "!=", "=")


def _cond(field, op, value=None, params=None):
    out = {"field": field, "op": op}
    if value is not None:
        out["value"] = value
    if params:
        out["params"] = params
    return out


CONDITIONS = st.one_of(
    st.builds(_cond, st.just("years_since_purchase"), st.sampled_from(NUM_OPS + ("is_null",)),
              st.sampled_from((0, 1, 4, 5, 6, 7, 2.5))),
    st.builds(_cond, st.just("years_since_purchase"), st.just("between"),
              st.sampled_from(([5, 6], [0, 4], [6, 8]))),
    st.builds(_cond, st.sampled_from(("estimated_km", "km_per_year")),
              st.sampled_from(NUM_OPS + ("is_null", "not_null")),
              st.sampled_from((0, 10_000, 60_000, 150_000))),
    st.builds(_cond, st.just("satisfaction_band"), st.sampled_from(("=", "!=")),
              st.sampled_from(("low", "middle", "high", "none"))),
    st.builds(_cond, st.just("satisfaction_band"), st.sampled_from(("in", "not_in")),
              st.sampled_from((["low", "none"], ["high"]))),
    st.builds(_cond, st.just("satisfaction.overall_score"), st.sampled_from(NUM_OPS + (
        "is_null",)), st.integers(0, 10)),
    st.builds(_cond, st.sampled_from(("days_since_last_visit", "days_since_last_contact",
                                      "days_since_last_spend")),
              st.sampled_from(NUM_OPS + ("is_null", "not_null")),
              st.sampled_from((0, 30, 90, 365))),
    st.builds(_cond, st.sampled_from(("spend_count", "spend_amount")),
              st.sampled_from(NUM_OPS), st.sampled_from((0, 1, 2, 800, 1500)),
              st.sampled_from((None, {"months": 12}, {"months": 36}))),
    st.builds(_cond, st.just("rfm_class"), st.sampled_from(("=", "!=")),
              st.sampled_from(("important_value", "general_value", "important_keep",
                               "general_retain", "general_develop"))),
    st.builds(_cond, st.just("rfm_class"), st.sampled_from(("is_null", "not_null"))),
    st.builds(_cond, st.sampled_from(("unresolved_complaint", "marketing_consent",
                                      "vehicle_active")), st.just("="), st.booleans()),
    st.builds(_cond, st.just("birthday"), st.just("due_within"),
              st.sampled_from((0, 7, 30, 70, 364, 365))),
    st.builds(_cond, st.just("insurance_expiry"), st.sampled_from(("due_within", "within_last")),
              st.sampled_from((0, 30, 90, 364, 365))),
    st.builds(_cond, st.just("insurance_expiry"), st.sampled_from(("<=", ">", "is_null")),
              st.just("2026-12-01")),
    st.builds(_cond, st.just("brand"), st.sampled_from(("=", "!=", "contains", "starts_with")),
              st.sampled_from(("VW", "B", "uick"))),
    st.builds(_cond, st.just("brand"), st.sampled_from(("in", "not_in")),
              st.just(["VW", "BMW"])),
    st.builds(_cond, st.just("city"), st.sampled_from(("=", "!=", "is_null")),
              st.sampled_from(("北京", "北京市"))),
    st.builds(_cond, st.just("price_paid"), st.just("between"),
              st.sampled_from(([100_000, 250_000], [0, 60_000]))),
    st.builds(_cond, st.just("tags"), st.sampled_from(("has_any", "has_all", "has_none")),
              st.sampled_from((["客群/老年"], ["客群/老年", "行业/IT"]))),
    st.builds(_cond, st.just("profile.economic_band"), st.sampled_from(("=", "in", "!=")),
              st.sampled_from(("3", ["4", "5"]))).filter(
        lambda c: (c["op"] == "in") == isinstance(c["value"], list)),
    st.builds(_cond, st.just("trend_since_purchase"), st.sampled_from(("=", "!=")),
              st.sampled_from(("up", "down", "same"))),
    st.builds(_cond, st.just("lifecycle_stage"), st.sampled_from(("=", "is_null", "!=")),
              st.sampled_from(("repeat", "potential"))),
)

TREES = st.recursive(
    CONDITIONS,
    lambda kids: st.one_of(
        st.builds(lambda k: {"not": k}, kids),
        st.builds(lambda xs: {"and": xs}, st.lists(kids, min_size=1, max_size=3)),
        st.builds(lambda xs: {"or": xs}, st.lists(kids, min_size=1, max_size=3)),
    ),
    max_leaves=5,
)


# --- the reference evaluator --------------------------------------------------------------------

def compare(value, op, target, never_long_ago=False):
    if op == "is_null":
        return value is None
    if op == "not_null":
        return value is not None
    if op == "!=":
        return not compare(value, "=", target, never_long_ago)
    if op == "not_in":
        return not compare(value, "in", target, never_long_ago)
    if value is None:
        if not never_long_ago:
            return False
        value = math.inf
    match op:
        case "=":
            return value == target
        case "<":
            return value < target
        case "<=":
            return value <= target
        case ">":
            return value > target
        case ">=":
            return value >= target
        case "between":
            return target[0] <= value <= target[1]
        case "in":
            return value in target
        case "contains":
            return target in value
        case "starts_with":
            return value.startswith(target)
    raise AssertionError(op)


class Reference:
    def __init__(self, world: list[ref.C], as_of: dt.date) -> None:
        self.world, self.as_of = world, as_of
        self.rfm = ref.rfm_classes(world, as_of)

    def members(self, node, vehicles: str) -> set:
        out = set()
        uses_vehicle = _uses_vehicle(node)
        for c in self.world:
            rows = [v for v in c.vehicles if vehicles == "all" or v.active] if uses_vehicle else []
            for v in rows or [None]:
                if self.eval(node, c, v):
                    out.add((c.id, v.id if v else None))
        return out

    def eval(self, node, c: ref.C, v: ref.V | None) -> bool:
        if "and" in node:
            return all(self.eval(k, c, v) for k in node["and"])
        if "or" in node:
            return any(self.eval(k, c, v) for k in node["or"])
        if "not" in node:
            return not self.eval(node["not"], c, v)
        return self.condition(node, c, v)

    def condition(self, cond, c: ref.C, v: ref.V | None) -> bool:
        f, op, target = cond["field"], cond["op"], cond.get("value")
        params = cond.get("params") or {}
        a = self.as_of
        if isinstance(target, str) and len(target) == 10 and target[4] == "-":
            target = dt.date.fromisoformat(target)
        if f == "years_since_purchase":
            p = None if v is None else v.purchase_date
            y = None if p is None else (a - p).days / 365.25
            return compare(y, op, tuple(target) if op == "between" else target)
        if f in ("estimated_km", "km_per_year"):
            val = None if v is None else ref.est_km(v, a)[f == "km_per_year"]
            return compare(val, op, target)
        if f == "satisfaction_band":
            return compare(ref.band(ref.latest(c.surveys, a)), op, target)
        if f == "satisfaction.overall_score":
            return compare(ref.latest(c.surveys, a), op, target)
        if f.startswith("days_since_last_"):
            if f.endswith("visit"):
                days = [d for d, _ in c.visits if d <= a]
            elif f.endswith("contact"):
                days = [t.date() for t in c.contacts if t.date() <= a]
            else:
                days = [d for d, _ in ref.spends(c, None, a)]
            val = (a - max(days)).days if days else None
            return compare(val, op, target, never_long_ago=True)
        if f in ("spend_count", "spend_amount"):
            s = ref.spends(c, ref.months_before(a, params.get("months", 12)), a)
            val = len(s) if f == "spend_count" else sum(x for _, x in s)
            return compare(val, op, target)
        if f == "rfm_class":
            return compare(self.rfm.get(c.id), op, target)
        if f == "unresolved_complaint":
            val = any(o <= a and (r is None or r > a) for o, r in c.complaints)
            return val is target
        if f == "marketing_consent":
            return (ref.latest(c.consents, a) is True) is target
        if f == "vehicle_active":
            return v is not None and v.active is target
        if f == "birthday":
            return ref.birthday_due(c.birthday_md, a, target)
        if f == "insurance_expiry":
            val = None if v is None else v.insurance_expiry
            if op == "due_within" and val is not None and val < a:
                # Past: its anniversary comes round as a birthday does.
                return ref.birthday_due(val.strftime("%m%d"), a, target)
            if op == "due_within":
                return val is not None and a <= val <= a + dt.timedelta(days=target)
            if op == "within_last":
                return val is not None and a - dt.timedelta(days=target) <= val <= a
            return compare(val, op, target)
        if f == "brand":
            return compare(None if v is None else v.brand, op,
                           tuple(target) if isinstance(target, list) else target)
        if f == "city":
            # One place under its short or its full name (北京, 北京市).
            return compare(c.city and c.city.removesuffix("市"), op, target.removesuffix("市"))
        if f == "price_paid":
            return compare(None if v is None else v.price_paid, op, tuple(target))
        if f == "tags":
            hits = [t in c.tags for t in target]
            return {"has_any": any(hits), "has_all": all(hits), "has_none": not any(hits)}[op]
        if f == "profile.economic_band":
            return compare(ref.latest(c.bands, a), op,
                           tuple(target) if isinstance(target, list) else target)
        if f == "trend_since_purchase":
            now = ref.latest(c.bands, a)
            then = None if v is None or v.purchase_date is None else ref.latest(
                c.bands, v.purchase_date)
            val = None if now is None or then is None else (
                "up" if now > then else "down" if now < then else "same")
            return compare(val, op, target)
        if f == "lifecycle_stage":
            return compare(ref.stage_as_of(c, a), op, target)
        raise AssertionError(f)


VEHICLE_FIELDS = {"years_since_purchase", "estimated_km", "km_per_year", "vehicle_active",
                  "insurance_expiry", "brand", "price_paid", "trend_since_purchase"}


def _uses_vehicle(node) -> bool:
    if "field" in node:
        return node["field"] in VEHICLE_FIELDS
    kids = node.get("and") or node.get("or") or [node.get("not")]
    return any(_uses_vehicle(k) for k in kids)


def _clear(database) -> None:
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        if not database.is_sqlite:
            conn.execute(text("SELECT 1"))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), tree=TREES, as_of=st.sampled_from(AS_OFS),
       vehicles=st.sampled_from(("active", "all")))
def test_sql_members_equal_reference(database, world, tree, as_of, vehicles):
    _clear(database)
    with database.sessions.begin() as session:
        ref.load(session, world)
    flt = {"version": 1, "vehicles": vehicles, "where": tree}
    page = service.members(database.sessions, flt, as_of, limit=None)
    got = {(m.customer_id, m.vehicle_id) for m in page.rows}
    want = Reference(world, as_of).members(tree, vehicles)
    assert got == want, (tree, as_of)
    counted = service.count(database.sessions, flt, as_of)
    assert counted.customers == len({c for c, _ in want})
    assert page.total == len(want)
