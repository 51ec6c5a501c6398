"""List-run rules about order and what prints, through `build_run` only, on SQLite and
PostgreSQL: the sheet order (channel, preferred day, earliest hour, name), callers (even and
owner split), one SMS per mobile, mobiles judged as the SMS file judges them, best time,
talking points at their thresholds, and the SMS sending window of the run's vendor file.
The small-database set-up is test_list_rules.py's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from models import MileageReading, SatisfactionSurvey, StaffUser, Vehicle
from services.imports.phones import mainland_mobile
from services.lists import runs
from services.outputs import run_files
from services.outputs.run_files import FileRequest
from services.store.errors import RevisitError
from services.store.settings import Settings
from tests.services.test_list_rules import (
    AS_OF,
    DAY,
    World,
    contact,
    fails,
    open_world,
    person,
)

WRAP_DAY = dt.date(2026, 12, 25)  # birthdays within 14 days run into January
# Mobiles in every shape staff type them; the run must judge each as the SMS file does.
MOBILE_SHAPES = (
    "+8613900001234", "+86 139 0000 1235", "008613900001236", "8613900001237",
    "86 139-0000-1238", "(139)00001239", "（139）0000 1240", "139\u30000000\u30001241",
    "139\xa000001242", "139\t00001243", "139\n00001244", "+86-139-0000-1247",
    "1390000124", "139000012444", "1390000124a", "+8513900001245", "+86139000012",
    "008613900001246", "86139000012", "139_0000_1248", "23900001249", "",
    "013900001250", "0 139 0000 1251", "023900001252", "00861390000125",
)
# One number for each first three digits, each finer family edge (161x, 1740x, 1741), and the
# last prefix of all.
MOBILE_PREFIXES = (*(str(p) for p in range(100, 200)),
                   "1610", "1611", "1619", "1740", "17405", "17406", "17409", "1741", "1749",
                   "19999")


def car(s, c) -> Vehicle:
    return s.scalars(select(Vehicle).where(Vehicle.customer_id == c.id)).one()


def _staff(s) -> dict[str, int]:
    people = {u: StaffUser(username=u, display_name=n)
              for u, n in (("chenli", "陈丽"), ("liuyang", "刘洋"), ("wangwu", "王五"))}
    s.add_all(people.values())
    s.flush()
    return {u: p.id for u, p in people.items()}


def _order(s) -> None:
    """OD-: preferred days (no hours, so the day alone decides). OW-: hours and windows, each
    window's start between two callers with the same start hour. ON-: name keys. OC-: channels."""
    person(s, "OD-1", name="客户D", days="weekday")
    person(s, "OD-2", name="客户C", days="any")
    person(s, "OD-3", name="客户A", days="weekend")
    person(s, "OD-4", name="客户B", order=None)  # no preference row: any day
    person(s, "OW-00", name="客户00", hours=(0, 6))
    for start, window in ((9, "morning"), (12, "noon"), (14, "afternoon"), (18, "evening")):
        person(s, f"OW-{start:02d}A", name=f"客户{start:02d}a", hours=(start, start + 1))
        person(s, f"OW-{start:02d}B", name=f"客户{start:02d}b", windows=window)
        person(s, f"OW-{start:02d}C", name=f"客户{start:02d}c", hours=(start, start + 2))
    person(s, "OW-09D", name="客户09d", windows="evening,morning")  # the earliest counts
    person(s, "OW-12D", name="客户12d", windows="night,noon")  # unknown words are ignored
    person(s, "OW-14D", name="客户14d", hours=(14, None), windows="evening")  # own hour first
    person(s, "OW-23", name="客户zz", hours=(23, 24))
    person(s, "OW-24", name="客户yy")  # no time given: after every hour
    person(s, "OW-24B", name="客户yz", windows="night")
    person(s, "ON-1", name="赵六", name_sort="zhao liu")  # the pinyin key sorts, not the name
    person(s, "ON-2", name="安")
    person(s, "ON-3", name="安")  # same name: the older customer first
    # Names run against the channel order, so only the channel keeps calls before visits,
    # visits before mail, mail before SMS and SMS before WeChat.
    person(s, "OC-C1", name="客户i")
    person(s, "OC-C2", name="客户h")
    # No district: visits go district by district, and a visit without one sorts as the calls'
    # (empty) area, so only the channel keeps it after them.
    person(s, "OC-V1", name="客户g", order="visit", district=None)
    person(s, "OC-M1", name="客户f", order="mail")
    person(s, "OC-M2", name="客户e", order="mail")
    person(s, "OC-S1", name="客户d", order="sms", days="weekday")
    person(s, "OC-S2", name="客户c", order="sms")
    person(s, "OC-W1", name="客户b", order="wechat", wechat="wx_b")
    # Visits in two cities whose district names interleave when sorted alone (南康区 of 赣州
    # sorts between 三水区 and 南海区 of 佛山): one city's round stays together.
    for code, name, province, city, district in (
            ("OV-1", "客户a", "广东省", "佛山市", "三水区"),
            ("OV-2", "客户b", "江西省", "赣州市", "南康区"),
            ("OV-3", "客户c", "广东省", "佛山市", "南海区"),
            ("OV-4", "客户d", "江西省", "赣州市", "章贡区"),
            ("OV-5", "客户e", "广东省", "佛山市", "三水区")):
        person(s, code, name=name, order="visit", province=province, city=city,
               district=district)


def _callers(s, staff: dict[str, int]) -> None:
    owners = {"A-1": "chenli", "A-2": "chenli", "A-3": "liuyang", "A-5": "wangwu"}
    for i in range(1, 7):
        code = f"A-{i}"
        owner = owners.get(code)
        person(s, code, name=f"客户A{i}", owner=staff[owner] if owner else None)
    person(s, "A-M", name="客户A0", order="mail", owner=staff["chenli"])


def _mobiles(s) -> None:
    """S-: one SMS per number. M-: the shapes and prefixes of mobiles."""
    person(s, "S-1", name="客户S9", mobile="13900001111", order="sms", days="weekday")
    person(s, "S-2", name="客户S0", mobile="+86 139 0000 1111", order="sms")
    person(s, "S-3", name="客户S5", mobile="13900001111", order="phone")
    person(s, "S-4", name="客户S1", mobile="13900002222", order="sms")
    person(s, "S-5", name="客户S6", mobile="13900002222", order="mail")
    person(s, "S-6", name="客户S2", mobile="13900003333", order="sms")
    for i, mobile in enumerate(MOBILE_SHAPES):
        person(s, f"M-F{i:02d}", mobile=mobile, order="phone")
    for prefix in MOBILE_PREFIXES:
        person(s, f"M-P{prefix}", mobile=prefix + "0" * (11 - len(prefix)), order="phone")


def _households(s, staff: dict[str, int]) -> None:
    """H-: calls to one number. H-1 and H-3 share a mobile (typed two ways), H-4 and H-5 a
    landline (no mobile), H-6 and H-7 a mobile with two owners; names put them in code order."""
    person(s, "H-1", name="客户Ha", mobile="13911110001")
    person(s, "H-2", name="客户Hb", mobile="13911110002")
    person(s, "H-3", name="客户Hc", mobile="+86 139 1111 0001")
    person(s, "H-4", name="客户Hd", mobile=None, other="020-83334444")
    person(s, "H-5", name="客户He", mobile=None, other="020-83334444")
    person(s, "H-6", name="客户Hf", mobile="13911110003", owner=staff["liuyang"])
    person(s, "H-7", name="客户Hg", mobile="13911110003", owner=staff["chenli"])


def _words(s) -> None:
    """BT-: best time and salutation. T-: talking points on the evaluation date. TB-: birthdays
    at the turn of the year."""
    person(s, "BT-WD", days="weekday", windows=" morning , evening")
    person(s, "BT-WE-H", days="weekend", hours=(13, 14))
    person(s, "BT-ANY-H", hours=(0, 6))
    person(s, "BT-FROM", hours=(14, None), windows="evening")
    person(s, "BT-TO", hours=(None, 18), windows="noon")
    person(s, "BT-NONE")
    person(s, "BT-NOPREF", order=None)
    person(s, "BT-WD-ONLY", days="weekday")
    person(s, "BT-F", name="王芳", gender="F")
    person(s, "BT-N", name="李雷", gender=None)
    person(s, "BT-OY", name="欧阳娜", gender="F")  # a two-character surname
    person(s, "BT-SM", name="司马光", gender="M")
    person(s, "BT-DOT", name="阿依古丽·买买提", gender="F")  # no surname to take
    person(s, "BT-LAT", name="John Smith", gender="M")  # Latin letters: set apart

    def survey(c, score: int, day: dt.date = dt.date(2026, 10, 1)) -> None:
        s.add(SatisfactionSurvey(customer_id=c.id, survey_date=day, overall_score=score))

    def reading(c, km: int, day: dt.date = AS_OF) -> None:
        vehicle = car(s, c)
        s.add(MileageReading(vehicle_id=vehicle.id, reading_date=day, km=km))

    for score in (0, 6, 7, 8, 9):
        survey(person(s, f"T-S{score}", order="phone"), score)
    c = person(s, "T-S-LATEST", order="phone")
    survey(c, 3, dt.date(2025, 1, 1))
    survey(c, 9)
    survey(c, 2, AS_OF + DAY)  # after the evaluation date
    for days in (1807, 1808):  # 4.95 years rounds to 5.0
        person(s, f"T-Y{days}", order="phone", bought=AS_OF - dt.timedelta(days=days))
    for km in (59999, 60000):
        reading(person(s, f"T-KM{km}", order="phone"), km)
    # One reading the day before: about 59,999.76 km today, printed as 60,000.
    reading(person(s, "T-KM-ROUND", order="phone"), 59943, AS_OF - DAY)
    for field, tag in (("insurance_expiry", "INS"), ("warranty_end", "WAR")):
        # -715, -790: two years ago; a policy comes round again on its day, a warranty not.
        for days in (-790, -715, -1, 0, 60, 61):
            c = person(s, f"T-{tag}{days:+d}", order="phone")
            vehicle = car(s, c)
            setattr(vehicle, field, AS_OF + dt.timedelta(days=days))
    for md in ("1122", "1123", "1207", "1208"):
        person(s, f"T-BD{md}", order="phone", birthday=md)
    for md in ("1224", "1225", "1231", "0101", "0108", "0109"):
        person(s, f"TB-{md}", order="phone", birthday=md)
    c = person(s, "T-ALL", order="phone,sms", bought=dt.date(2018, 1, 1), birthday="1201")
    fails(s, c, 30, 25, 20, 15, 10)
    survey(c, 10)
    reading(c, 90000)
    vehicle = car(s, c)
    vehicle.insurance_expiry = AS_OF + dt.timedelta(days=30)
    vehicle.warranty_end = AS_OF + dt.timedelta(days=10)
    survey(person(s, "T-LOW-OLD", order="phone", bought=dt.date(2018, 1, 1)), 4)
    contact(s, person(s, "T-NOCAR", order="phone", bought=None), 30, "reached")


def _fill(s) -> None:
    staff = _staff(s)
    _order(s)
    _callers(s, staff)
    _households(s, staff)
    _mobiles(s)
    _words(s)


GROUPS = {p: "care" for p in ("OD-", "OW-", "ON-", "OC-", "OV-", "A-", "H-", "S-", "M-", "BT-",
                               "T-", "TB-")}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, sqlite_template, pg_server_url) -> Iterator[World]:
    yield from open_world(request.param, tmp_path_factory, sqlite_template, pg_server_url,
                          _fill, GROUPS)


def sheet(world: World, segment: str, **options) -> list[str]:
    """The run's members as the sheet lists them (no callers: one position sequence)."""
    members = world.run(segment, **options).members
    assert {m.staff_id for m in members.values()} == {None}
    return sorted(members, key=lambda c: members[c].position)


# --- the sheet order ---------------------------------------------------------------------------

def test_weekday_callers_first_then_any_day_then_weekend(world):
    assert sheet(world, "OD-") == ["OD-1", "OD-4", "OD-2", "OD-3"]


def test_earliest_hour_first_a_window_counting_from_its_start(world):
    assert sheet(world, "OW-") == [
        "OW-00", "OW-09A", "OW-09B", "OW-09C", "OW-09D", "OW-12A", "OW-12B", "OW-12C", "OW-12D",
        "OW-14A", "OW-14B", "OW-14C", "OW-14D", "OW-18A", "OW-18B", "OW-18C", "OW-23", "OW-24",
        "OW-24B"]


def test_same_time_by_name_key_then_the_older_customer(world):
    assert sheet(world, "ON-") == ["ON-1", "ON-2", "ON-3"]


def test_calls_visits_mail_sms_then_wechat_numbered_in_that_order(world):
    run = world.run("OC-")
    assert sheet(world, "OC-") == ["OC-C2", "OC-C1", "OC-V1", "OC-M2", "OC-M1", "OC-S1", "OC-S2",
                                   "OC-W1"]
    for code, member in run.members.items():
        assert member.row_code == f"{run.summary.run_id}-{member.position:04d}", code
    assert run.summary.by_channel == {"call": 2, "visit": 1, "mail": 2, "sms": 2, "wechat": 1}


def test_visits_go_city_by_city_then_district_by_district(world):
    assert sheet(world, "OV-") == ["OV-1", "OV-5", "OV-3", "OV-2", "OV-4"]


# --- callers -----------------------------------------------------------------------------------

def callers_of(world: World, **options) -> dict[str, list[str]]:
    """Caller name -> the codes of their calls in position order."""
    run = world.run("A-", staff=("chenli", "刘洋"), **options)
    got: dict[str, list[str]] = {}
    for code in sorted(run.members, key=lambda c: run.members[c].position):
        m = run.members[code]
        if m.channel == "phone":
            got.setdefault(m.snapshot["caller"], []).append(code)
        else:
            assert (m.staff_id, m.snapshot["caller"], m.position) == (None, "", 1)
    return got


def test_even_split_deals_the_ordered_calls_in_turn(world):
    assert callers_of(world) == {"陈丽": ["A-1", "A-3", "A-5"], "刘洋": ["A-2", "A-4", "A-6"]}
    run = world.run("A-", staff=("chenli", "刘洋"))
    assert run.summary.by_caller == {"陈丽": 3, "刘洋": 3}
    # The sheet: the first caller's calls, the second's, then mail.
    by_row = sorted(run.members, key=lambda c: run.members[c].row_code)
    assert by_row == ["A-1", "A-3", "A-5", "A-2", "A-4", "A-6", "A-M"]
    assert [run.members[c].position for c in by_row] == [1, 2, 3, 1, 2, 3, 1]


def test_owner_split_keeps_owners_and_gives_the_rest_to_the_least_loaded(world):
    # 陈丽 owns two, 刘洋 one: A-4 goes to 刘洋 (fewer), A-5 (owned by a non-caller) to 陈丽
    # (a tie goes to the first named), A-6 to 刘洋.
    assert callers_of(world, split="owner") == {"陈丽": ["A-1", "A-2", "A-5"],
                                                "刘洋": ["A-3", "A-4", "A-6"]}
    run = world.run("A-", staff=("chenli", "刘洋"), split="owner")
    ids = {m.snapshot["caller"]: m.staff_id for m in run.members.values() if m.staff_id}
    assert run.members["A-1"].staff_id == ids["陈丽"] != ids["刘洋"]


def _calls_by_caller(run) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for code in sorted(run.members, key=lambda c: run.members[c].row_code):
        got.setdefault(run.members[code].snapshot["caller"], []).append(code)
    return got


def test_calls_to_one_number_follow_one_another_where_the_first_stands(world):
    # One family, one phone: H-3 (the number H-1 has, typed otherwise) right after H-1, the
    # landline's two calls together, each household where its first call stands.
    assert sheet(world, "H-") == ["H-1", "H-3", "H-2", "H-4", "H-5", "H-6", "H-7"]
    # A household's later call says so first: one conversation can take both.
    points = {c: m.snapshot["talking_points"] for c, m in world.run("H-").members.items()}
    said = "与上一位 {}（{}）同一电话：可一并沟通"
    assert {c: p.split("；")[0] for c, p in points.items() if p.startswith("与上一位")} == {
        "H-3": said.format("客户Ha", "H-1"), "H-5": said.format("客户Hd", "H-4"),
        "H-7": said.format("客户Hf", "H-6")}


def test_a_household_goes_to_one_caller_as_one_turn(world):
    # Even split: each household is one turn, whatever its calls.
    run = world.run("H-", staff=("chenli", "刘洋"))
    assert _calls_by_caller(run) == {"陈丽": ["H-1", "H-3", "H-4", "H-5"],
                                     "刘洋": ["H-2", "H-6", "H-7"]}
    assert run.summary.by_caller == {"陈丽": 4, "刘洋": 3}
    # Split by owner: H-6's owner keeps the household (H-7 with it, though 陈丽 owns H-7); the
    # others go to whoever has fewest households: 陈丽, 陈丽 (a tie: the first named), 刘洋.
    run = world.run("H-", staff=("chenli", "刘洋"), split="owner")
    assert _calls_by_caller(run) == {"陈丽": ["H-1", "H-3", "H-2"],
                                     "刘洋": ["H-4", "H-5", "H-6", "H-7"]}


def test_an_unknown_caller_is_refused(world):
    with pytest.raises(RevisitError, match="nobody"):
        world.run("A-", staff=("nobody",))


# --- one SMS per number, mobiles -------------------------------------------------------------

def test_one_sms_per_mobile_the_first_on_the_sheet_keeps_it(world):
    run = world.run("S-")
    assert {c: m.channel for c, m in run.members.items()} == {
        "S-1": "sms", "S-3": "phone", "S-4": "sms", "S-5": "mail", "S-6": "sms"}
    left = run.excluded["S-2"]
    assert (left.reason, left.detail) == ("same_mobile", "与客户 S-1 同一手机号")
    # Typed "+86 139 0000 1111": kept as the number it is, as the member would print it.
    assert left.snapshot == {"name": "客户S0", "code": "S-2", "mobile": "13900001111"}


def test_a_forced_sms_list_dedupes_everyone_with_the_number(world):
    run = world.run("S-", channel="sms")
    assert sorted(run.members) == ["S-1", "S-4", "S-6"]
    assert {c: left.detail for c, left in run.excluded.items()} == {
        "S-2": "与客户 S-1 同一手机号", "S-3": "与客户 S-1 同一手机号",
        "S-5": "与客户 S-4 同一手机号"}
    assert {left.reason for left in run.excluded.values()} == {"same_mobile"}


def test_mobiles_are_judged_as_the_sms_file_judges_them(world):
    run = world.run("M-")
    codes = [f"M-F{i:02d}" for i in range(len(MOBILE_SHAPES))]
    codes += [f"M-P{p}" for p in MOBILE_PREFIXES]
    numbers = (*MOBILE_SHAPES, *(p + "0" * (11 - len(p)) for p in MOBILE_PREFIXES))
    for code, raw in zip(codes, numbers, strict=True):
        bare = mainland_mobile(raw)
        if bare is None:
            assert run.excluded[code].reason == "no_mobile", (code, raw)
        else:
            assert run.members[code].snapshot["mobile"] == bare, (code, raw)
    assert 60 < len(run.members) < len(codes)


@pytest.mark.parametrize(("raw", "bare"), [
    ("13900001234", "13900001234"),  # stored bare, as imports keep it
    ("１３９００００１２３４", None),  # full-width digits: an SMS upload takes ASCII only
    ("١٣٩٠٠٠٠١٢٣٤", None),  # other scripts' digits, eleven of them
    ("86139000012", None),  # eleven digits but "86" is no prefix here: no mobile starts 86
    ("10000000000", None),  # eleven ASCII digits, no mobile's prefix
    ("139 0000 123", None), (" 13900001234", "13900001234"),
    ("013900001234", "13900001234"),  # the trunk 0 before an out-of-town mobile
    ("0086139000012", None), ("0213900001234", None),
])
def test_an_eleven_character_mobile_is_judged_as_any_other(raw, bare):
    assert mainland_mobile(raw) == bare


# --- best time and salutation ------------------------------------------------------------------

@pytest.mark.parametrize(("code", "best"), [
    ("BT-WD", "工作日 上午/晚上"), ("BT-WE-H", "周末 13–14点"), ("BT-ANY-H", "0–6点"),
    ("BT-FROM", "晚上"), ("BT-TO", "中午"),  # half an hour range: the windows
    ("BT-NONE", "不限"), ("BT-NOPREF", "不限"), ("BT-WD-ONLY", "工作日"),
], ids=lambda v: v if isinstance(v, str) and v.isascii() else "_")
def test_best_time(world, code, best):
    assert world.run("BT-").members[code].snapshot["best_time"] == best


def test_salutation_by_gender(world):
    members = world.run("BT-").members
    assert [members[c].snapshot["salutation"] for c in (
        "BT-F", "BT-N", "BT-NONE", "BT-OY", "BT-SM", "BT-DOT", "BT-LAT")] == [
        "王女士", "李雷", "客先生", "欧阳女士", "司马先生", "阿依古丽·买买提女士",
        "John Smith 先生"]


# --- talking points ----------------------------------------------------------------------------

APOLOGY = "上次满意度 {} 分：先致歉并了解问题，不推销"
REFERRAL = "满意度 {} 分：可请其推荐亲友（老带新）"


@pytest.mark.parametrize(("code", "points"), [
    ("T-S0", APOLOGY.format(0)), ("T-S6", APOLOGY.format(6)), ("T-S7", ""), ("T-S8", ""),
    ("T-S9", REFERRAL.format(9)),
    ("T-S-LATEST", REFERRAL.format(9)),  # the latest survey on or before the date
    ("T-Y1807", ""), ("T-Y1808", "购车 5.0 年：可介绍置换、免费评估旧车"),
    ("T-KM59999", ""), ("T-KM60000", "估算里程约 60,000 公里：提醒大保养"),
    ("T-KM-ROUND", ""),  # 59,999.76 km: printed rounded, but below the threshold
    ("T-INS-790", ""), ("T-INS-715", "保险 2026-12-08 到期：可谈续保/延保"),
    ("T-WAR-715", ""),
    ("T-INS-1", ""), ("T-INS+0", "保险 2026-11-23 到期：可谈续保/延保"),
    ("T-INS+60", "保险 2027-01-22 到期：可谈续保/延保"), ("T-INS+61", ""),
    ("T-WAR-1", ""), ("T-WAR+0", "质保 2026-11-23 到期：可谈续保/延保"),
    ("T-WAR+60", "质保 2027-01-22 到期：可谈续保/延保"), ("T-WAR+61", ""),
    ("T-BD1122", ""), ("T-BD1123", "11月23日生日：送上祝福"),
    ("T-BD1207", "12月07日生日：送上祝福"), ("T-BD1208", ""),
    ("T-LOW-OLD", APOLOGY.format(4) + "；购车 8.9 年：可介绍置换、免费评估旧车"),
    ("T-NOCAR", ""),
], ids=lambda v: v if isinstance(v, str) and v.isascii() else "_")
def test_talking_points_at_their_thresholds(world, code, points):
    # A sales run: its members gave marketing consent, and are offered what there is to offer.
    assert world.run("T-", purpose="sales").members[code].points == points


@pytest.mark.parametrize(("code", "points"), [
    ("TB-1224", ""), ("TB-1225", "12月25日生日：送上祝福"), ("TB-1231", "12月31日生日：送上祝福"),
    ("TB-0101", "01月01日生日：送上祝福"), ("TB-0108", "01月08日生日：送上祝福"), ("TB-0109", ""),
], ids=lambda v: v if isinstance(v, str) and v.isascii() else "_")
def test_birthdays_within_14_days_across_the_new_year(world, code, points):
    assert world.run("TB-", as_of=WRAP_DAY).members[code].points == points


def test_every_talking_point_in_order_after_the_switch_note(world):
    member = world.run("T-", purpose="sales").members["T-ALL"]
    assert member.channel == "sms"
    assert member.points.split("；") == [
        "电话已有 5 天未接通，改为短信", "购车 8.9 年：可介绍置换、免费评估旧车",
        "估算里程约 90,000 公里：提醒大保养", "保险 2026-12-23 到期：可谈续保/延保",
        "质保 2026-12-03 到期：可谈续保/延保", "12月01日生日：送上祝福", REFERRAL.format(10)]


@pytest.mark.parametrize("purpose", ["care", "reminder", "callback", "recall"])
def test_a_run_that_sells_nothing_offers_nothing(world, purpose):
    """A care call, a reminder, a call-back or a recall offers no replacement and asks for no
    referral (its members need not have consented to marketing); the rest is said as ever. A
    reminder says first what it reminds of: this car, bought in 2018, has no maintenance visit
    on record, so it is due at the regular schedule's next milestone from the purchase (not a
    首保 8 years overdue), and says so."""
    member = world.run("T-", purpose=purpose).members["T-ALL"]
    reminded = (["保养 2027-01-01 到期（无保养记录，按常规间隔）：提醒预约"]
                if purpose == "reminder" else [])
    assert member.points.split("；") == [
        "电话已有 5 天未接通，改为短信", *reminded, "估算里程约 90,000 公里：提醒大保养",
        "保险 2026-12-23 到期：可谈续保/延保", "质保 2026-12-03 到期：可谈续保/延保",
        "12月01日生日：送上祝福"]


def test_years_and_km_as_printed(world):
    members = world.run("T-").members
    got = {c: (members[c].snapshot["years_owned"], members[c].snapshot["km"])
           for c in ("T-Y1807", "T-Y1808", "T-KM59999", "T-KM-ROUND", "T-ALL", "T-NOCAR")}
    assert got == {"T-Y1807": (4.9, None), "T-Y1808": (5.0, None), "T-KM59999": (2.9, 59999),
                   "T-KM-ROUND": (2.9, 60000), "T-ALL": (8.9, 90000), "T-NOCAR": (None, None)}
    nocar = members["T-NOCAR"].snapshot
    assert (nocar["brand"], nocar["purchase_date"], nocar["last_outcome"]) == (None, None, "接通")


# --- the SMS sending window --------------------------------------------------------------------

@pytest.mark.parametrize(("window", "at", "ok"), [
    (None, "07:59", False), (None, "08:00", True), (None, "19:59", True),
    (None, "20:00", False), (None, "20:01", False),
    (("09:00", "21:00"), "08:59", False), (("09:00", "21:00"), "09:00", True),
    (("09:00", "21:00"), "20:59", True), (("09:00", "21:00"), "21:00", False),
])
def test_the_sms_file_is_planned_inside_the_sending_window(world, tmp_path, window, at, ok):
    signed = Settings(shop_name="某某丰田", sms_signature="【某某丰田】")
    settings = signed if window is None else dataclasses.replace(
        signed, sms_window_start=dt.time.fromisoformat(window[0]),
        sms_window_end=dt.time.fromisoformat(window[1]))
    doc = runs.load_document(world.db.sessions, world.run("S-").summary.run_id)
    send_at = dt.datetime.combine(AS_OF + DAY, dt.time.fromisoformat(at))
    request = FileRequest(run_files.SMS_FILE, tmp_path / "sms.xlsx", "xlsx",
                          sms_text="{称呼}您好，您的爱车保养到期了。", send_at=send_at)
    if ok:
        written = run_files.write_run_file(doc, request, settings)
        assert written.rows == 3
    else:
        start, end = window or ("08:00", "20:00")
        with pytest.raises(RevisitError, match=f"between {start} and {end}"):
            run_files.write_run_file(doc, request, settings)
        assert not (tmp_path / "sms.xlsx").exists()
