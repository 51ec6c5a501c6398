"""Benchmark: segment template counts and the biggest matrix cell's members on the demo database,
against the same questions as hand-written SQL and as the obvious pandas approach; prints ratios.
RFM and the km-floor matrix as staff ask them (from their stored summaries, the check that the
summary is current included) are timed taking turns with a direct query on the summary table
through the plain sqlite3 module.

Usage:  python bench/segments.py --db sqlite:///path/demo-200000.sqlite3 [--as-of 2026-11-23]
        [--repeat 5] [--no-pandas]
Make the database first with `python main.py --db URL demo --customers 200000`. Hand-written SQL
runs on SQLite only (it is written for SQLite 3.40's planner)."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.segments import service as svc
from services.store.database import open_database


def timed(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm the cache: the timings compared against are warm-cache medians too
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), result


def paired(ours, direct, repeat: int) -> tuple[float, float]:
    """Medians of `ours` and `direct`, run in turns so both meet the same load."""
    ours(), direct()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, runs in ((ours, a), (direct, b)):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b)


def on_summaries(raw: sqlite3.Connection, as_of: dt.date):
    """The direct queries on the summary tables (no currency check; the summaries must hold
    `as_of`): RFM classes with mean thresholds, in one statement and (faster on SQLite 3.40) as
    totals then grouped keys; the matrix with the km floor joined to km_summary."""
    d = as_of.isoformat()
    totals = "SELECT count(*), sum(recency_days), sum(spends), sum(cents) FROM rfm_summary"
    one = ("WITH t AS MATERIALIZED (SELECT count(*) n, sum(recency_days) sr, sum(spends) sf, "
           "sum(cents) sm FROM rfm_summary) SELECT (recency_days * n <= sr) * 4 + "
           "(spends * n >= sf) * 2 + (cents * n >= sm) AS k, count(*) FROM rfm_summary, t "
           "GROUP BY k")
    grouped = ("SELECT (recency_days * ? <= ?) * 4 + (spends * ? >= ?) * 2 + (cents * ? >= ?) "
               "AS k, count(*) FROM rfm_summary GROUP BY k")

    def two():
        n, r, f, m = raw.execute(totals).fetchone()
        return raw.execute(grouped, (n, r, n, f, n, m)).fetchall()

    score = ("(SELECT s.overall_score FROM satisfaction_survey s WHERE s.customer_id = "
             f"v.customer_id AND s.survey_date <= '{d}' ORDER BY s.survey_date DESC, s.id DESC "
             "LIMIT 1)")
    band = (f"CASE WHEN v.purchase_date <= '{cut(as_of, 7)}' THEN '7+' WHEN v.purchase_date <= "
            f"'{cut(as_of, 6)}' THEN '6-7' ELSE '5-6' END")
    km = (f"SELECT {band} AS yb, {score} AS sc, count(*), count(DISTINCT v.customer_id) FROM "
          "vehicle v JOIN km_summary k ON k.vehicle_id = v.id WHERE v.active = 1 AND "
          f"+v.purchase_date <= '{cut(as_of, 5)}' AND k.estimated_km >= 100000 GROUP BY yb, sc")
    return {
        "rfm, one statement": lambda: raw.execute(one).fetchall(),
        "rfm, totals then keys": two,
        "matrix, km ≥ 100,000": lambda: raw.execute(km).fetchall(),
    }


def summary_rows(db, as_of: dt.date, repeat: int) -> list[tuple[str, float, float]]:
    """(question, ours, direct) for RFM and the km-floor matrix from their summaries."""
    s = db.sessions
    svc.prepare_summaries(s, as_of)  # as the window does a few seconds after it starts
    raw = sqlite3.connect(db.engine.url.database)
    try:
        direct = on_summaries(raw, as_of)
        rfm = lambda: svc.rfm(s, as_of)  # noqa: E731
        km = lambda: svc.matrix(s, as_of, 100_000)  # noqa: E731
        return [
            ("rfm (summary) vs one statement", *paired(rfm, direct["rfm, one statement"],
                                                       repeat)),
            ("rfm (summary) vs totals then keys", *paired(rfm, direct["rfm, totals then keys"],
                                                          repeat)),
            ("matrix, km ≥ 100,000 (summary)", *paired(km, direct["matrix, km ≥ 100,000"],
                                                        repeat)),
        ]
    finally:
        raw.close()


def first_after_change(fn, invalidate, repeat: int) -> float:
    """Median time of `fn` right after `invalidate` (untimed) made the RFM summary stale."""
    runs = []
    for _ in range(repeat):
        invalidate()
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def cut(as_of: dt.date, years: int) -> str:
    return (as_of - dt.timedelta(days=math.ceil(years * 365.25))).isoformat()


def hand_sql(as_of: dt.date) -> dict[str, str]:
    """The best formulations found by hand for SQLite (see docs/benchmarks.md)."""
    d = as_of.isoformat()
    start = svc.months_before(as_of, 24).isoformat()
    score = ("(SELECT s.overall_score FROM satisfaction_survey s WHERE s.customer_id = "
             f"v.customer_id AND s.survey_date <= '{d}' ORDER BY s.survey_date DESC, s.id DESC "
             "LIMIT 1)")
    band = (f"CASE WHEN v.purchase_date <= '{cut(as_of, 7)}' THEN '7+' WHEN v.purchase_date <= "
            f"'{cut(as_of, 6)}' THEN '6-7' ELSE '5-6' END")
    spends = (f"SELECT customer_id, visit_date AS day, amount FROM service_visit WHERE amount > 0 "
              f"AND visit_date > '{start}' AND visit_date <= '{d}' UNION ALL SELECT "
              f"customer_id, purchase_date, amount FROM other_purchase WHERE amount > 0 AND "
              f"purchase_date > '{start}' AND purchase_date <= '{d}'")
    agg = (f"SELECT customer_id, CAST(julianday('{d}') - julianday(max(day)) AS INTEGER) r, "
           f"count(*) f, CAST(round(sum(amount) * 100) AS INTEGER) m FROM ({spends}) "
           "GROUP BY customer_id")
    return {
        "matrix": (f"SELECT {band} AS yb, {score} AS sc, count(*), count(DISTINCT v.customer_id) "
                   f"FROM vehicle v WHERE v.active = 1 AND +v.purchase_date <= '{cut(as_of, 5)}' "
                   "GROUP BY yb, sc"),
        "matrix, km ≥ 100,000, live (no summary)": (
            f"SELECT yb, sc, count(*), count(DISTINCT cid) FROM (SELECT v.customer_id cid, "
            f"{band} AS yb, {score} AS sc, r1.km k1, r1.reading_date d1, r0.km k0, "
            "r0.reading_date d0, v.purchase_date p FROM vehicle v LEFT JOIN mileage_reading r1 "
            "ON r1.id = (SELECT m.id FROM mileage_reading m WHERE m.vehicle_id = v.id AND "
            f"m.reading_date <= '{d}' ORDER BY m.reading_date DESC, m.km DESC LIMIT 1) "
            "LEFT JOIN mileage_reading r0 ON r0.id = (SELECT m.id FROM mileage_reading m WHERE "
            "m.vehicle_id = v.id AND m.reading_date <= date(r1.reading_date, '-30 days') "
            "ORDER BY m.reading_date DESC, m.km DESC LIMIT 1) WHERE v.active = 1 AND "
            f"+v.purchase_date <= '{cut(as_of, 5)}') WHERE CASE WHEN k0 IS NOT NULL THEN k1 + "
            f"(k1 - k0) * 1.0 * (julianday('{d}') - julianday(d1)) / (julianday(d1) - "
            f"julianday(d0)) WHEN d1 > p THEN k1 * 1.0 * (julianday('{d}') - julianday(p)) / "
            "(julianday(d1) - julianday(p)) ELSE k1 END >= 100000 GROUP BY yb, sc"),
        "rfm, live (no summary)": (
            f"WITH agg AS MATERIALIZED ({agg}), tot AS MATERIALIZED (SELECT count(*) n, "
            "sum(r) sr, sum(f) sf, sum(m) sm FROM agg) SELECT (r * n <= sr) * 4 + "
            "(f * n >= sf) * 2 + (m * n >= sm) AS k, count(*) FROM agg, tot GROUP BY k"),
        "lifecycle": (
            "SELECT stage, count(*) FROM (SELECT coalesce((SELECT p.new_value FROM profile_change "
            "p WHERE p.customer_id = c.id AND p.attribute = 'lifecycle_stage' AND "
            f"p.effective_date <= '{d}' ORDER BY p.effective_date DESC, p.id DESC LIMIT 1), "
            "CASE WHEN NOT EXISTS (SELECT 1 FROM profile_change p WHERE p.customer_id = c.id AND "
            "p.attribute = 'lifecycle_stage') THEN c.lifecycle_stage END) AS stage "
            "FROM customer c) GROUP BY stage"),
        "due soon (30 days)": "SELECT " + ", ".join(
            f"(SELECT count(*) FROM vehicle WHERE active = 1 AND {c} BETWEEN '{d}' AND "
            f"'{(as_of + dt.timedelta(days=30)).isoformat()}')"
            for c in ("insurance_expiry", "warranty_end", "loan_end", "inspection_due")),
        "tags": ("SELECT g.name, t.name, count(ct.customer_id) FROM tag t JOIN tag_group g ON "
                 "g.id = t.group_id LEFT JOIN customer_tag ct ON ct.tag_id = t.id GROUP BY t.id"),
        "biggest cell members": (
            "SELECT v.customer_id, v.id FROM vehicle v WHERE v.active = 1 AND "
            f"+v.purchase_date <= '{cut(as_of, 7)}' AND coalesce({score}, -1) IN (9, 10) "
            "ORDER BY v.customer_id, v.id"),
    }


def pandas_way(engine, as_of: dt.date) -> dict[str, float]:
    """Read the tables, merge, compute: the matrix and RFM the way a notebook would."""
    import pandas as pd

    t0 = time.perf_counter()
    vehicles = pd.read_sql("SELECT id, customer_id, purchase_date, active FROM vehicle", engine,
                           parse_dates=["purchase_date"])
    surveys = pd.read_sql("SELECT id, customer_id, survey_date, overall_score FROM "
                          "satisfaction_survey", engine, parse_dates=["survey_date"])
    visits = pd.read_sql("SELECT customer_id, visit_date AS day, amount FROM service_visit",
                         engine, parse_dates=["day"])
    other = pd.read_sql("SELECT customer_id, purchase_date AS day, amount FROM other_purchase",
                        engine, parse_dates=["day"])
    read = time.perf_counter() - t0
    ts = pd.Timestamp(as_of)
    s = surveys[surveys.survey_date <= ts].sort_values(["customer_id", "survey_date", "id"])
    latest = s.groupby("customer_id").tail(1)[["customer_id", "overall_score"]]
    v = vehicles[(vehicles.active == 1) & vehicles.purchase_date.notna()].copy()
    v["years"] = (ts - v.purchase_date).dt.days / 365.25
    v = v[v.years >= 5].merge(latest, on="customer_id", how="left")
    v["yb"] = pd.cut(v.years, [5, 6, 7, math.inf], right=False, labels=["5-6", "6-7", "7+"])
    v["band"] = pd.cut(v.overall_score.fillna(-1), [-2, -0.5, 6.5, 8.5, 10],
                       labels=["none", "low", "middle", "high"])
    v.groupby(["yb", "band"], observed=False).size()
    start = pd.Timestamp(svc.months_before(as_of, 24))
    sp = pd.concat([visits, other])
    sp = sp[(sp.amount > 0) & (sp.day > start) & (sp.day <= ts)]
    agg = sp.groupby("customer_id").agg(last=("day", "max"), f=("day", "size"),
                                        m=("amount", "sum"))
    agg["r"] = (ts - agg["last"]).dt.days
    flags = (agg.r <= agg.r.mean(), agg.f >= agg.f.mean(), agg.m >= agg.m.mean())
    pd.DataFrame({"r": flags[0], "f": flags[1], "m": flags[2]}).value_counts()
    return {"read": read, "total": time.perf_counter() - t0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-of", default="2026-11-23")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-pandas", action="store_true")
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    db = open_database(args.db)
    s = db.sessions
    n = args.repeat
    yesterday = as_of - dt.timedelta(days=1)
    # First, while the summaries hold `as_of` (the rows below rebuild them for other dates).
    summaries = summary_rows(db, as_of, 3 * n) if db.is_sqlite else []
    matrix_t, matrix = timed(lambda: svc.matrix(s, as_of), n)
    big = max(matrix.cells, key=lambda c: c.vehicles)
    ours = {
        "matrix": matrix_t,
        "matrix, km ≥ 100,000": timed(lambda: svc.matrix(s, as_of, 100_000), n)[0],
        "matrix, km ≥ 100,000, summary rebuilt first": first_after_change(
            lambda: svc.matrix(s, as_of, 100_000),
            lambda: svc.prepare_summaries(s, yesterday), n),
        "matrix, km ≥ 100,000, live (no summary)": timed(
            lambda: svc.matrix(s, as_of, 100_000, use_summary=False), n)[0],
        "rfm": timed(lambda: svc.rfm(s, as_of), n)[0],
        "rfm, quantile 0.5": timed(lambda: svc.rfm(s, as_of, quantile=0.5), n)[0],
        # The first question after a spend changed or on a new day: the summary is rebuilt.
        "rfm, summary rebuilt first": first_after_change(
            lambda: svc.rfm(s, as_of), lambda: svc.prepare_summaries(s, yesterday), n),
        "rfm, live (no summary)": timed(lambda: svc.rfm(s, as_of, use_summary=False), n)[0],
        "rfm, quantile 0.5, live": timed(
            lambda: svc.rfm(s, as_of, quantile=0.5, use_summary=False), n)[0],
        "lifecycle": timed(lambda: svc.lifecycle(s, as_of), n)[0],
        "due soon (30 days)": timed(lambda: svc.due_soon(s, as_of, 30), n)[0],
        "tags": timed(lambda: svc.tag_groups(s), n)[0],
        "biggest cell members": timed(lambda: svc.member_ids(s, big.filter, as_of), n)[0],
        "biggest cell members, with names": timed(
            lambda: svc.members(s, big.filter, as_of, limit=None), n)[0],
    }
    hand: dict[str, float] = {}
    if db.is_sqlite:
        with db.engine.connect() as conn:
            for name, sql in hand_sql(as_of).items():
                hand[name] = timed(lambda q=sql: conn.exec_driver_sql(q).fetchall(), n)[0]
    print(f"{db.display_url}, as of {as_of}; biggest cell {big.years_band} × "
          f"{big.satisfaction_band}: {big.vehicles:,} vehicles; median of {n} warm runs")
    print(f"{'question':46} {'ours':>8} {'hand SQL':>9} {'ours/hand':>10}")
    for name, t in ours.items():
        h = hand.get(name)
        ratio = f"{t / h:10.2f}" if h else f"{'':>10}"
        hs = f"{h:9.3f}" if h else f"{'':>9}"
        print(f"{name:46} {t:8.3f} {hs} {ratio}")
    if summaries:
        print(f"\nfrom the summaries, the currency check included, against a direct query on the "
              f"summary table (plain sqlite3), in turns; median of {3 * n}")
        print(f"{'question':46} {'ours':>8} {'direct':>9} {'ours/direct':>12}")
        for name, ours_t, direct_t in summaries:
            print(f"{name:46} {ours_t:8.3f} {direct_t:9.3f} {ours_t / direct_t:12.2f}")
    if not args.no_pandas:
        p = pandas_way(db.engine, as_of)
        both = ours["matrix"] + ours["rfm, live (no summary)"]
        print(f"pandas (read 4 tables, merge, matrix + RFM): {p['total']:.2f} s "
              f"(reading {p['read']:.2f} s); ours for the same two: {both:.3f} s; "
              f"pandas/ours = {p['total'] / both:.1f}")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
