"""The list run as it was built before it became set-based: every decision made row by row in
Python over the candidate query. Kept as an independent reference: the set-based build must give
the same members, callers, positions, snapshots and exclusions (test_lists_set_based)."""


from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import DeclinedItem, ListRun, ListRunExclusion, ListRunMember, StaffUser, Vehicle
from models.codes import PURPOSES
from services.customers.names import surname
from services.imports.phones import first_dialable, mainland_mobile, number_to_dial
from services.labels import text
from services.lists.build import CHANNEL_MODES, LIST_TO_STORED, RunOptions, RunSummary
from services.lists.query import SALES_PURPOSES, UNHELD_PURPOSES, candidate_query
from services.outputs.types import ListMember
from services.segments import maintenance
from services.segments import service as segments
from services.segments.context import Ctx, Question
from services.store.errors import N_, CancelToken, RevisitError
from services.store.settings import Settings, load_settings_in

Sessions = sessionmaker[Session]

STORED_TO_LIST = {"phone": "call", "sms": "sms", "mail": "mail"}
DEFAULT_ORDER = ("call", "sms", "mail")
DAY_RANK = {"weekday": 0, "any": 1, None: 1, "weekend": 2}
WINDOW_START = {"morning": 9, "noon": 12, "afternoon": 14, "evening": 18}  # hour of the day


@dataclass(frozen=True)
class Decision:
    channel: str | None  # None = excluded
    reason: str = ""
    detail: str = ""
    note: str = ""  # e.g. why a caller's customer went to SMS


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def channel_order(raw: str | None) -> tuple[str, ...]:
    got = [STORED_TO_LIST[c.strip()] for c in (raw or "").split(",")
           if c.strip() in STORED_TO_LIST]
    return tuple(dict.fromkeys(got)) or DEFAULT_ORDER


def has_address(r) -> bool:
    return bool(r.street and (r.city or r.province) and r.postcode
                and len(r.postcode) == 6 and r.postcode.isdigit())


def _blocked(r, channel: str, s: Settings, as_of: dt.date) -> tuple[str, str] | None:
    if channel == "call":
        if r.dnc_phone:
            return "dnc", f"电话勿扰：{r.dnc_reason or ''}"
        if mainland_mobile(r.mobile) is None and first_dialable(r.other_phones) is None:
            return "no_mobile", f"手机号无效：{r.mobile or '（空）'}，也无其他可拨打的电话"
        wrong, ok = _date(r.last_wrong), _date(r.last_ok)
        if wrong and (ok is None or wrong >= ok):
            return "no_mobile", f"{wrong} 拨打为空号/错号"
        if r.failed_calls >= s.max_failed_attempts:
            return "no_channel", f"已有 {r.failed_calls} 天未接通"
    elif channel == "sms":
        if r.dnc_sms:
            return "dnc", f"短信勿扰：{r.dnc_reason or ''}"
        if mainland_mobile(r.mobile) is None:
            return "no_mobile", f"手机号无效：{r.mobile or '（空）'}"
    elif channel == "mail":
        if r.dnc_mail:
            return "dnc", f"邮寄勿扰：{r.dnc_reason or ''}"
        if not has_address(r):
            return "no_address", "地址或邮编不完整"
    return None


def decide(r, forced: str | None, s: Settings, as_of: dt.date, sales: bool) -> Decision:
    if r.dnc_all:
        return Decision(None, "dnc", f"全部渠道勿扰：{r.dnc_reason or ''}")
    if sales and not r.consent:
        return Decision(None, "no_consent", "无有效营销同意（个人信息保护法）")
    if sales and r.complaint:
        return Decision(None, "complaint", "有未解决投诉，暂停销售联系，转服务补救")
    done = _date(r.last_done)
    if done and (as_of - done).days < s.contact_fatigue_days:
        days = s.contact_fatigue_days
        return Decision(None, "recent_contact", f"{done} 已联系（{days} 天内不再联系）")
    if r.on_list is not None:
        days = s.contact_fatigue_days
        return Decision(None, "on_list", f"已在名单 #{r.on_list} 中待联系（{days} 天内不重复联系）")
    order = (forced,) if forced else channel_order(r.channel_order)
    fail, ok = _date(r.last_fail), _date(r.last_ok)
    waiting = fail and (ok is None or fail > ok) and (as_of - fail).days < s.no_answer_retry_days
    reasons = []
    for channel in order:
        if channel == "call" and fail and waiting and r.failed_calls < s.max_failed_attempts:
            back = fail + dt.timedelta(days=s.no_answer_retry_days)
            return Decision(None, "retry_later", f"{fail} 未接通，{back} 起再拨")
        blocked = _blocked(r, channel, s, as_of)
        if blocked is None:
            note = ""
            if channel != "call" and "call" in order[: order.index(channel)] \
                    and r.failed_calls >= s.max_failed_attempts:
                note = (f"电话已有 {r.failed_calls} 天未接通，改为"
                        f"{text('list_channel', channel)}")
            return Decision(channel, note=note)
        reasons.append(blocked)
    if not forced and r.failed_calls >= s.max_failed_attempts and "call" in order:
        # Five failed calls and no other usable channel in their preferences: try the others.
        for channel in ("sms", "mail"):
            if channel not in order and _blocked(r, channel, s, as_of) is None:
                return Decision(channel, note=f"电话已有 {r.failed_calls} 天未接通，改为"
                                              f"{text('list_channel', channel)}")
    reason = reasons[0][0]
    detail = "；".join(f"{text('list_channel', c)}：{d}" for c, (_, d) in zip(order, reasons,
                                                                        strict=False))
    return Decision(None, reason, detail)


def best_time(r) -> str:
    # "Any day" says nothing on a sheet: only a weekday or weekend preference is printed.
    days = "" if (r.preferred_days or "any") == "any" else text("preferred_days", r.preferred_days)
    if r.hour_from is not None and r.hour_to is not None:
        when = f"{r.hour_from}–{r.hour_to}点"
    else:
        when = "/".join(text("time_window", w.strip())
                        for w in (r.time_windows or "").split(",") if w.strip())
    return " ".join(p for p in (days, when) if p) or "不限"


def order_key(r) -> tuple:
    """Preferred day (weekday, any, weekend), then the earliest window, then the name."""
    if r.hour_from is not None:
        start = r.hour_from
    else:
        starts = [WINDOW_START[w.strip()] for w in (r.time_windows or "").split(",")
                  if w.strip() in WINDOW_START]
        start = min(starts) if starts else 24
    return DAY_RANK.get(r.preferred_days, 1), start, r.name_sort or r.name, r.customer_id


def years_owned(r, as_of: dt.date) -> float | None:
    bought = _date(r.purchase_date)
    return None if bought is None else round((as_of - bought).days / 365.25, 1)


@dataclass(frozen=True)
class Reminder:
    """What a reminder call is about, read apart from the run's query: the member's car's
    maintenance due date (the segment field's SQL, asked of the one car) and the customer's
    declined items, filtered and sorted here."""

    due: dt.date | None = None
    first_service: bool = False
    declined: tuple[tuple[str, dt.date], ...] = ()  # open and due by then, soonest first
    told: bool = False  # the due date is the one the owner was told at the last maintenance
    # No maintenance on record long after the 首保: due by the regular schedule, said so.
    no_record: bool = False


REMINDER_DAYS = 60


def reminders(s: Session, rows: Sequence[Any], as_of: dt.date) -> dict[int, Reminder]:
    """customer id -> Reminder, for the candidate rows."""
    V = Vehicle.__table__
    ctx = Ctx(Question(as_of), customer_key=V.c.customer_id,
              lateral=s.get_bind().dialect.name == "postgresql")
    due = maintenance.due_date(ctx)
    last = ctx.joins["last_maintenance"][0]
    cars = {r.vehicle_id for r in rows if r.vehicle_id is not None}
    dues = {vid: (_date(on), bool(first), _date(told) == _date(on) and told is not None,
                  bool(lapsed))
            for vid, on, first, told, lapsed in s.execute(
                select(V.c.id, due, maintenance.first_service(ctx), last.c.next_service_date,
                       maintenance.no_record(ctx))
                .select_from(ctx.outerjoin_all(V)).where(V.c.id.in_(cars)))} if cars else {}
    until = as_of + dt.timedelta(days=REMINDER_DAYS)
    items: dict[int, list[tuple[dt.date, DeclinedItem]]] = {}
    for d in s.scalars(select(DeclinedItem).where(
            DeclinedItem.customer_id.in_([r.customer_id for r in rows]))):
        # No due date of its own: due a fixed number of days after it was noted.
        due = d.due_on or d.recorded_on + dt.timedelta(days=maintenance.DECLINED_DUE_DAYS)
        if d.recorded_on <= as_of and (d.closed_on is None or d.closed_on > as_of) \
                and due <= until:
            items.setdefault(d.customer_id, []).append((due, d))
    out = {}
    for r in rows:
        on, first, told, lapsed = dues.get(r.vehicle_id, (None, False, False, False))
        mine = sorted(items.get(r.customer_id, []),
                      key=lambda x: (x[0], -x[1].recorded_on.toordinal(), -x[1].id))
        out[r.customer_id] = Reminder(on, first and on is not None,
                                      tuple((d.item, due) for due, d in mine), told, lapsed)
    return out


def reminder_points(m: Reminder, as_of: dt.date) -> list[str]:
    pts = []
    if m.due is not None and (m.due - as_of).days <= REMINDER_DAYS:
        what = "首保" if m.first_service else "保养"
        late = (as_of - m.due).days
        why = ("上次保养时告知" if m.told else "无保养记录，按常规间隔" if m.no_record
               else "")
        if late > 180:  # a win-back: overdue past the maintenance template's 180 days
            span = f"约 {late // 30} 个月" if late < 730 else f"约 {late // 365} 年"
            said = f"，{why}" if why else ""
            pts.append(f"{what}已逾期{span}（{m.due} 到期{said}），久未回店：先问车况，"
                       f"邀请回店检查")
        elif late > 0:
            said = f"，{why}" if why else ""
            pts.append(f"{what}已逾期 {late} 天（{m.due} 到期{said}）：提醒预约")
        else:
            said = f"（{why}）" if why else ""
            pts.append(f"{what} {m.due} 到期{said}：提醒预约")
    if m.declined:
        said = []
        for item, due in m.declined[:2]:
            item = " ".join(item.split())
            short = item if len(item) <= 12 else item[:11] + "…"
            said.append(f"{short}（{due} 到期{'，已逾期' if due < as_of else ''}）")
        more = f"等 {len(m.declined)} 项" if len(m.declined) > 2 else ""
        pts.append("建议维修：" + "、".join(said) + more)
    return pts


def talking_points(r, as_of: dt.date, note: str, selling: bool,
                   reminder: Reminder | None = None) -> str:
    """`selling`: a sales, marketing or referral-request run; only those offer a replacement
    or ask for a referral. `reminder`: a reminder run's member; their maintenance and declined
    repairs come first."""
    pts = [note] if note else []
    if reminder is not None:
        pts += reminder_points(reminder, as_of)
    years = years_owned(r, as_of)
    if r.score is not None and r.score <= 6:
        pts.append(f"上次满意度 {r.score} 分：先致歉并了解问题，不推销")
    if selling and years is not None and years >= 5:
        pts.append(f"购车 {years:.1f} 年：可介绍置换、免费评估旧车")
    if r.km is not None and r.km >= 60000:
        pts.append(f"估算里程约 {round(r.km):,} 公里：提醒大保养")  # as the km column rounds
    for label, when in (("保险", r.insurance_expiry), ("质保", r.warranty_end)):
        d = _date(when)
        if d and 0 <= (d - as_of).days <= 60:
            pts.append(f"{label} {d} 到期：可谈续保/延保")
    if r.birthday_md:
        md = as_of.strftime("%m%d")
        end = (as_of + dt.timedelta(days=14)).strftime("%m%d")
        if (md <= r.birthday_md <= end) if md <= end else (r.birthday_md >= md
                                                               or r.birthday_md <= end):
            pts.append(f"{r.birthday_md[:2]}月{r.birthday_md[2:]}日生日：送上祝福")
    if selling and r.score is not None and r.score >= 9:
        pts.append(f"满意度 {r.score} 分：可请其推荐亲友（老带新）")
    return "；".join(pts)


def last_outcome_label(code: str | None) -> str | None:
    return text("outcome", code) if code else None

CHANNEL_RANK = {"call": 0, "mail": 1, "sms": 2}
INSERT_CHUNK = 5000
Routed = tuple[Any, Any]


def segment_members(sessions: Sessions, name: str, as_of: dt.date):
    """The one place list runs touch the segment engine: (segment, member query). `name` is a
    saved segment or, failing that, a template key (the template is then saved under it)."""
    seg = segments.segment_or_template(sessions, name)
    return seg, segments.member_select(seg.filter, as_of)


def _callers(session: Session, names: Sequence[str]) -> list[tuple[int, str]]:
    out = []
    for name in names:
        row = session.execute(select(StaffUser.id, StaffUser.display_name).where(
            or_(StaffUser.username == name, StaffUser.display_name == name))).first()
        if row is None:
            raise RevisitError(N_("There is no staff member '{name}' (use a username or a "
                                  "display name)."), name=name)
        out.append((row[0], row[1]))
    return out


def households(calls: list) -> list[list]:
    """The calls in sheet order grouped by the number they dial, each group where its first
    call stands: one family, one phone, one caller."""
    groups: dict[str, list] = {}
    for r in calls:
        groups.setdefault(number_to_dial(r.mobile, r.other_phones) or "", []).append(r)
    return list(groups.values())


def assign(groups: list[list], callers: list[tuple[int, str]], split: str) -> dict[int, int]:
    """customer id -> staff id: each household (households) to one caller, round-robin over
    the ordered households, or with split="owner" a household whose first call is a caller's
    customer stays with that caller and the rest go each to the caller with fewest
    households."""
    if not callers:
        return {}
    ids = [c[0] for c in callers]
    load = Counter({i: 0 for i in ids})
    out: dict[int, int] = {}
    dealt = []
    for group in groups:
        owner = group[0].owner_staff_id
        if split == "owner" and owner in load:
            out.update((r.customer_id, owner) for r in group)
            load[owner] += 1
        else:
            dealt.append(group)
    for n, group in enumerate(dealt):
        sid = ids[n % len(ids)] if split != "owner" else min(ids, key=lambda i: (load[i],
                                                                                 ids.index(i)))
        out.update((r.customer_id, sid) for r in group)
        load[sid] += 1
    return out


def _salutation(r) -> str:
    if r.contact_name:  # a company's contact person, greeted as recorded
        return r.contact_name
    title = {"M": "先生", "F": "女士"}.get(r.gender or "", "")
    if not (title and r.name):
        return r.name
    whole = surname(r.name) or r.name.strip()
    return f"{whole} {title}" if whole[-1].isascii() and whole[-1].isalpha() else whole + title


def _member(r, code: str, channel: str, caller: str, as_of: dt.date, note: str,
            selling: bool, reminder: Reminder | None) -> ListMember:
    last_at = _date(r.last_at)
    return ListMember(
        row_code=code, name=r.name, channel=channel, caller=caller, customer_code=r.code,
        salutation=_salutation(r),
        mobile=number_to_dial(r.mobile, r.other_phones),
        province=r.province, city=r.city, district=r.district, street=r.street,
        postcode=r.postcode, brand=r.brand, model=r.model, plate=r.plate,
        purchase_date=_date(r.purchase_date), years_owned=years_owned(r, as_of),
        km=None if r.km is None else int(round(r.km)), last_contact=last_at,
        last_outcome=last_outcome_label(r.last_outcome), last_feedback=r.last_feedback,
        best_time=best_time(r), talking_points=talking_points(r, as_of, note, selling, reminder),
        contact_person=r.contact_name)


def build_run(sessions: Sessions, segment_name: str, options: RunOptions = RunOptions(), *,
              progress: Callable[[int, int], None] | None = None,
              cancel: CancelToken | None = None) -> RunSummary:
    if options.channel not in CHANNEL_MODES:
        raise RevisitError(N_("Unknown channel '{channel}' (use call, mail, sms or auto)."),
                           channel=options.channel)
    as_of = options.as_of or dt.date.today()
    seg, member_query = segment_members(sessions, segment_name, as_of)
    purpose = options.purpose or seg.info.purpose or "care"
    if purpose not in PURPOSES:
        raise RevisitError(N_("Unknown purpose '{purpose}' (known: {known})."),
                           purpose=purpose, known=", ".join(PURPOSES))
    forced = None if options.channel == "auto" else options.channel
    with sessions.begin() as s:
        st = load_settings_in(s)
        if options.overrides:
            changes: dict[str, Any] = dict(options.overrides)  # any Settings field by name
            st = dataclasses.replace(st, **changes)
        if purpose in UNHELD_PURPOSES:  # a recall is held back by no contact fatigue
            st = dataclasses.replace(st, contact_fatigue_days=0)
        callers = _callers(s, options.staff)
        rows = s.execute(candidate_query(member_query, as_of, purpose,
                                         fatigue_days=st.contact_fatigue_days,
                                         segment_id=seg.info.id)).all()
        if cancel:
            cancel.check()
        sales = purpose in SALES_PURPOSES
        about = reminders(s, rows, as_of) if purpose == "reminder" else {}
        chosen: list[Routed] = []
        excluded: list[Routed] = []
        for r in rows:
            d = decide(r, forced, st, as_of, sales)
            (chosen if d.channel else excluded).append((r, d))
        chosen.sort(key=lambda rd: (CHANNEL_RANK[rd[1].channel], order_key(rd[0])))
        # One family, one phone: a number gets one SMS.
        seen: dict[str, int] = {}
        kept = []
        for r, d in chosen:
            mobile = mainland_mobile(r.mobile) if d.channel == "sms" else None
            if mobile and mobile in seen:
                excluded.append((r, Decision(None, "same_mobile",
                                                     f"与客户 {seen[mobile]} 同一手机号")))
                continue
            if mobile:
                seen[mobile] = r.code
            kept.append((r, d))
        # Calls to one number one after another, where the first of them stands.
        calls = households([r for r, d in kept if d.channel == "call"])
        routed = {r.customer_id: (r, d) for r, d in kept}
        kept = [routed[r.customer_id] for group in calls for r in group] + [
            (r, d) for r, d in kept if d.channel != "call"]
        staff_of = assign(calls, callers, options.split)
        names: dict[int | None, str] = dict(callers)  # None: not assigned to a caller
        by_caller: dict[str, list[Routed]] = {name: [] for _, name in callers}
        for r, d in kept:
            if d.channel == "call" and r.customer_id in staff_of:
                by_caller[names[staff_of[r.customer_id]]].append((r, d))
        ordered = [rd for group in by_caller.values() for rd in group]
        ordered += [(r, d) for r, d in kept if d.channel != "call" or r.customer_id not in
                    staff_of]
        # The last finished run: an unfinished one (its files never completed) was never
        # this week's work, so "who is new" compares with the run staff actually had.
        previous = s.scalar(select(ListRun.id).where(ListRun.segment_id == seg.info.id,
                                                     ListRun.finished_at.is_not(None))
                            .order_by(ListRun.created_at.desc(), ListRun.id.desc()).limit(1))
        run = ListRun(segment_id=seg.info.id, segment_name=seg.info.name,
                      filter_json=seg.filter_json, as_of=as_of, purpose=purpose,
                      channel_mode=options.channel, previous_run_id=previous,
                      created_by=options.created_by, note=options.note,
                      contact_fatigue_days=st.contact_fatigue_days,
                      settings_json=json.dumps({**asdict(st), "staff": list(options.staff),
                                                "split": options.split}, ensure_ascii=False,
                                               default=str))
        s.add(run)
        s.flush()
        width = max(4, len(str(len(ordered))))
        total = len(ordered) + len(excluded)
        position: Counter = Counter()
        batch: list[dict] = []
        # Rows (with their JSON snapshots) are written a chunk at a time, so a very large run
        # never holds every snapshot in memory at once.
        dials = {r.customer_id: number_to_dial(r.mobile, r.other_phones)
                 for group in calls for r in group}
        above = None
        for n, (r, d) in enumerate(ordered, start=1):
            code = f"{run.id}-{n:0{width}d}"
            sid = staff_of.get(r.customer_id) if d.channel == "call" else None
            position[sid] += 1
            # A call to the number of the call above it says so first.
            same = (above is not None and d.channel == "call"
                    and dials[above.customer_id] == dials[r.customer_id])
            note = f"与上一位 {above.name}（{above.code}）同一电话：可一并沟通" if same else d.note
            above = r if d.channel == "call" else None
            item = _member(r, code, d.channel, names.get(sid, ""), as_of, note, sales,
                           about.get(r.customer_id))
            batch.append(dict(
                run_id=run.id, customer_id=r.customer_id, vehicle_id=r.vehicle_id,
                channel=LIST_TO_STORED[d.channel], assigned_staff_id=sid,
                position=position[sid], row_code=code, attempts=0, status="open",
                snapshot=json.dumps(item.to_data(), ensure_ascii=False)))
            if len(batch) == INSERT_CHUNK:
                s.execute(insert(ListRunMember), batch)
                batch.clear()
                if cancel:
                    cancel.check()
                if progress:
                    progress(n, total)
        if batch:
            s.execute(insert(ListRunMember), batch)
        for chunk in range(0, len(excluded), INSERT_CHUNK):
            s.execute(insert(ListRunExclusion), [dict(
                run_id=run.id, customer_id=r.customer_id, reason=d.reason,
                detail=d.detail[:200],
                snapshot=json.dumps({"name": r.name, "code": r.code,
                                     "mobile": number_to_dial(r.mobile, r.other_phones)},
                                    ensure_ascii=False))
                for r, d in excluded[chunk:chunk + INSERT_CHUNK]])
        if cancel:
            cancel.check()
        if progress:
            progress(len(ordered) + len(excluded), len(ordered) + len(excluded))
        return RunSummary(
            run.id, seg.info.name, as_of, purpose, len(ordered),
            dict(Counter(d.channel for _, d in ordered)),
            {name: len(g) for name, g in by_caller.items()},
            {text("exclusion", k): v for k, v in Counter(d.reason for _, d in excluded)
             .most_common()},
            previous)
