"""Benchmark: the pre-call brief (what the customer page and the follow-up workspace load for one
customer, with its suggested next step) on the demo database, and the referral and
service-reminder segment fields.

Usage:  python bench/brief.py --db sqlite:///path/demo-200000.sqlite3 [--customers 200]
        [--add-referrals 4000] [--as-of 2026-11-23] [--window]
--window also times what staff wait for when they open a brief from a list: the brief read and
shown in the window's brief dialog (offscreen Qt), painted once.
Make the database first with `python main.py --db URL demo --customers 200000`. The demo has no
referrals or declined repairs yet; --add-referrals N writes N of each (customers introduced by
customers, staff and associations; declined items open, done and refused) once, so the brief
and the segments read some."""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from models import Customer, DeclinedItem, Referral, ReferralByCustomer, StaffUser, Vehicle
from services.customers.brief import load_brief
from services.customers.suggest import load_rules, suggest
from services.segments import service as segments
from services.store.database import open_database

ORGS = ("温州商会", "湖南老乡会", "市出租车协会", "华南理工校友会")


def add_referrals(database, n: int, today: dt.date, rng: random.Random) -> None:
    with database.sessions() as s:
        if s.scalar(select(func.count()).select_from(Referral)):
            return
        ids = s.scalars(select(Customer.id)).all()
        staff = s.scalars(select(StaffUser.id)).all()
        cars = dict(s.execute(select(Vehicle.customer_id, Vehicle.id)).all())
    # A few customers bring in many (article 000): referrers drawn from a small pool.
    referrers = rng.sample(ids, max(1, n // 8))
    referrals, by_customer, items = [], [], []
    for k, introduced in enumerate(rng.sample(ids, n), start=1):
        on = today - dt.timedelta(days=rng.randint(0, 1500))
        kind = rng.choices(("customer", "staff", "org"), (7, 2, 1))[0]
        by = rng.choice(referrers)
        if kind == "customer" and by == introduced:
            kind = "org"
        referrals.append({"id": k, "customer_id": introduced, "referred_on": on,
                          "referrer_kind": kind,
                          "referrer_staff_id": rng.choice(staff) if kind == "staff" else None,
                          "referrer_org": rng.choice(ORGS) if kind == "org" else None,
                          "created_at": dt.datetime(2026, 1, 1)})
        if kind == "customer":
            by_customer.append({"referral_id": k, "customer_id": by})
    for who in rng.sample(ids, n):
        noted = today - dt.timedelta(days=rng.randint(0, 400))
        status = rng.choices(("open", "done", "refused"), (5, 3, 1))[0]
        items.append({"customer_id": who, "vehicle_id": cars.get(who), "item": "更换刹车片",
                      "recorded_on": noted, "source": "visit",
                      "due_on": noted + dt.timedelta(days=30), "status": status,
                      "closed_on": None if status == "open" else noted + dt.timedelta(days=20),
                      "created_at": dt.datetime(2026, 1, 1)})
    with database.sessions.begin() as s:
        s.execute(insert(Referral), referrals)
        if by_customer:
            s.execute(insert(ReferralByCustomer), by_customer)
        s.execute(insert(DeclinedItem), items)


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def window_times(database, ids: list[int], as_of: dt.date) -> None:
    """Open each customer's brief dialog, read and fill it, and paint it once (grab)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui import qt_fixes

    app = QApplication.instance() or QApplication([])
    qt_fixes.apply()
    from ui.tasks import TaskRunner
    from ui.views.brief_actions import BriefDialog

    runner, runs = TaskRunner(), []
    for cid in ids:
        started = time.perf_counter()
        dialog = BriefDialog(database, runner, None, str(cid))
        dialog.view.show_brief(load_brief(database.sessions, cid, as_of))
        dialog.show()
        dialog.grab()
        app.processEvents()
        runs.append(time.perf_counter() - started)
        dialog.close()
        dialog.deleteLater()
    runs.sort()
    print(f"brief dialog opened, filled and painted ({len(runs)}): median "
          f"{statistics.median(runs) * 1000:.1f} ms, max {runs[-1] * 1000:.1f} ms "
          f"(the first includes building the first dialog)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--customers", type=int, default=200, help="briefs to load")
    ap.add_argument("--add-referrals", type=int, default=0, metavar="N")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    ap.add_argument("--window", action="store_true", help="time the brief dialog too")
    args = ap.parse_args()
    rng = random.Random(16)
    database = open_database(args.db)
    if args.add_referrals:
        add_referrals(database, args.add_referrals, args.as_of, rng)
    with database.sessions() as s:
        ids = s.scalars(select(Customer.id)).all()
        busy = s.scalars(select(ReferralByCustomer.customer_id)
                         .group_by(ReferralByCustomer.customer_id)
                         .order_by(func.count().desc()).limit(20)).all()
    sample = rng.sample(ids, min(args.customers, len(ids)))
    load_brief(database.sessions, sample[0], args.as_of)  # warm the cache
    for name, who in (("random customers", sample), ("busiest referrers", busy)):
        if not who:
            continue
        runs = [timed(lambda c=c: load_brief(database.sessions, c, args.as_of))[0]
                for c in who]
        runs.sort()
        print(f"brief, {name} ({len(runs)}): median {statistics.median(runs) * 1000:.1f} ms, "
              f"p95 {runs[int(len(runs) * 0.95) - 1] * 1000:.1f} ms, "
              f"max {runs[-1] * 1000:.1f} ms")
    if args.window:
        window_times(database, sample[:50], args.as_of)
    # The suggestion alone, on briefs already loaded: what the rules add to each brief.
    briefs = [load_brief(database.sessions, c, args.as_of) for c in sample]
    rules = load_rules(database.sessions)
    seconds, _ = timed(lambda: [suggest(b, rules) for b in briefs])
    proposed = collections.Counter(b.suggestion.rule if b.suggestion else "(none)"
                                   for b in briefs)
    print(f"suggestion alone: {seconds / len(briefs) * 1000:.2f} ms a customer; "
          + ", ".join(f"{rule} {n}" for rule, n in proposed.most_common(5)))
    for key in ("referral.best", "referral.thanks", "service.maintenance_due",
                "service.declined_due"):
        template = segments.find_template(key)
        assert template is not None
        seconds, counted = timed(lambda t=template: segments.count(
            database.sessions, t.filter, args.as_of))
        print(f"segment {key}: {counted.customers:,} customers in {seconds:.2f} s")
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
