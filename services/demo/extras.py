"""Referrals (老带新) and declined repair items (建议维修项目) for one batch of demo customers,
made once the batch's customers are, from a random stream of their own: every other table's
rows stay what the same seed always gave.

Referrals: a customer who came through an introduction (source 转介绍) mostly has it recorded,
dated shortly before their first purchase, so it converted (services/customers/referrals.py
reads "bought" from the cars). The introducer is another customer of the batch who already
owned a car then, a member of staff, or an organisation — a chamber of commerce, a hometown
association, a car club or the customer's own employer. Article 000's "few people who bring in
many": about one customer in a hundred is a connector, drawn far more often than the rest, so
the "best referrers" template finds a few. A few owners were introduced again lately (a second
car); most of those have not bought yet.

Declined repairs: now and then an advisor's recommendation on a maintenance or repair visit is
turned down, with a due date. Roughly half are done at a later visit of the same car, many old
ones are refused for good after a call, and the rest stay open — mostly the recent ones."""

from __future__ import annotations

import bisect
import random
from itertools import accumulate

from services.demo.rows import Facts, RowSet, iso, stamp

REFERRAL_SOURCE = "转介绍"
RECORDED = 0.8  # introductions that were written down
CONNECTORS = 0.01  # customers who introduce many
CONNECTOR_WEIGHT = 40.0
PENDING = 0.02  # owners introduced again lately, for another car
ORGANISATIONS = ("温州商会", "潮汕商会", "湖南老乡会", "四川老乡会", "江西老乡会", "本店车友会",
                 "自驾游俱乐部", "业主委员会")
REFERRAL_NOTES = ("朋友介绍", "同事介绍", "亲戚介绍", "老乡介绍", None, None, None)

# (item, days until it should be done)
DECLINED_ITEMS = (
    ("更换前刹车片", 60), ("更换后刹车片", 90), ("更换轮胎（两条）", 90), ("更换蓄电池", 45),
    ("四轮定位", 30), ("空调系统清洗", 60), ("更换雨刮片", 30), ("更换火花塞", 120),
    ("更换变速箱油", 180), ("更换刹车油", 90), ("更换防冻液", 120), ("节气门清洗", 90),
    ("更换空调滤芯", 30), ("减震器渗油，建议更换", 60), ("更换正时皮带", 180),
)
DECLINED_NOTES = ("客户表示下次保养一起做", "价格原因暂缓", "客户说先观察一下", None, None)
REFUSED_NOTES = ("客户已在外面修理厂做了", "客户表示不需要", "车辆准备置换，不再维修")
DECLINE_RATE = {"maintenance": 0.06, "repair": 0.12}


class Extras:
    """The referrals and declined items of one batch, written into its RowSet."""

    def __init__(self, rng: random.Random, today: int, staff_ids: list[int]) -> None:
        self.rng = rng
        self.today = today
        self.staff_ids = staff_ids

    def add(self, batch: list[Facts], out: RowSet) -> None:
        for facts in batch:
            self._declined(facts, out)
        self._referrals(batch, out)

    # --- referrals ----------------------------------------------------------------------
    def _referrals(self, batch: list[Facts], out: RowSet) -> None:
        rng = self.rng
        # Who could introduce, by the day they first bought; connectors weigh far more.
        owners = sorted(batch, key=lambda f: (f.first_purchase, f.customer_id))
        bought = [f.first_purchase for f in owners]
        weights = [CONNECTOR_WEIGHT if rng.random() < CONNECTORS
                   or (f.business_owner and rng.random() < 0.1) else 1.0 for f in owners]
        cumulative = list(accumulate(weights))
        for facts in batch:
            if facts.source == REFERRAL_SOURCE:
                if rng.random() < RECORDED:
                    day = facts.first_purchase - rng.randint(5, 60)
                    self._referral(facts, day, owners, bought, cumulative, out)
            elif rng.random() < PENDING:
                self._referral(facts, self.today - rng.randint(3, 150), owners, bought,
                               cumulative, out)

    def _referral(self, facts: Facts, day: int, owners: list[Facts], bought: list[int],
                  cumulative: list[float], out: RowSet) -> None:
        rng = self.rng
        roll = rng.random()
        by_customer = None
        if roll < 0.75:
            # Owners of a car at least a month before the introduction.
            eligible = bisect.bisect_right(bought, day - 30)
            if eligible:
                pick = bisect.bisect_left(cumulative, rng.random() * cumulative[eligible - 1])
                by_customer = owners[min(pick, eligible - 1)].customer_id
                if by_customer == facts.customer_id:
                    by_customer = None
        staff = rng.choice(self.staff_ids)
        if by_customer is not None:
            kind, by_staff, org, note = "customer", None, None, rng.choice(REFERRAL_NOTES)
        elif roll < 0.85:
            kind, by_staff, org, note = "staff", rng.choice(self.staff_ids), None, "员工亲友"
        else:
            kind, by_staff, note = "org", None, None
            org = (facts.employer if facts.employer and rng.random() < 0.3
                   else rng.choice(ORGANISATIONS))[:100]
        referral_id = out.add("referral", facts.customer_id, iso(day), kind, by_staff, org,
                              note, staff, stamp(day, 600 + rng.randrange(480)))
        if by_customer is not None:
            out.add_keyless("referral_by_customer", referral_id, by_customer)

    # --- declined repair items ----------------------------------------------------------
    def _declined(self, facts: Facts, out: RowSet) -> None:
        rng, today = self.rng, self.today
        visits = facts.visits
        for i, (visit_id, vehicle_id, day, kind) in enumerate(visits):
            if rng.random() >= DECLINE_RATE.get(kind, 0.0):
                continue
            item, days = rng.choice(DECLINED_ITEMS)
            by_call = rng.random() < 0.15  # mentioned on the satisfaction call-back instead
            recorded = min(today, day + rng.randint(1, 4)) if by_call else day
            due = recorded + int(days * rng.uniform(0.7, 1.3))
            later = next((v for v in visits[i + 1:] if v[1] == vehicle_id), None)
            staff = rng.choice(self.staff_ids)
            status, closed, closed_by, note = "open", None, None, rng.choice(DECLINED_NOTES)
            if later is not None and later[2] >= recorded and rng.random() < 0.55:
                status, closed = "done", later[2]
            else:
                overdue = today - due
                if (overdue > 365 and rng.random() < 0.85) or (
                        overdue > 90 and rng.random() < 0.45):
                    status, closed_by = "refused", staff
                    closed = min(today, due + rng.randint(7, 60))
                    note = rng.choice(REFUSED_NOTES)
            out.add("declined_item", facts.customer_id, vehicle_id,
                    None if by_call else visit_id, item, iso(recorded),
                    "call" if by_call else "visit", iso(due), status,
                    iso(closed) if closed is not None else None,
                    staff if by_call else None, closed_by, note,
                    stamp(recorded, 600 + rng.randrange(480)))
