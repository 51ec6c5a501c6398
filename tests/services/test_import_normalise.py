"""Cleaning imported cells: names, phones, VINs, plates, dates, amounts, km and code words, with
examples from real exports and property-based round trips."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.demo.data import MOBILE_PREFIXES
from services.imports import normalise as n
from services.imports import scores as sc
from services.imports import words as w
from services.imports.dates import export_day, normalise_date, normalise_datetime
from services.imports.phones import Phones, is_mobile, normalise_mobile, normalise_phones
from services.segments.matrix import score_band

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 1)


def codes(result: n.Clean) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in result.problems]


# ------------------------------------------------------------------------------ problem texts


def test_every_problem_code_used_has_chinese_and_english():
    used = set()
    for name in ("normalise", "words", "dates", "phones", "clean"):
        source = (ROOT / "services" / "imports" / f"{name}.py").read_text(encoding="utf-8")
        # (A CellProblem's first argument is the field, its second the code.)
        used |= set(re.findall(r'(?:refused|(?<!Cell)Problem|_Refused)\("([a-z_]+)"', source))
        used |= set(re.findall(r'kept\([^)]*?"([a-z_]+)"\)', source))
        used |= set(re.findall(r'CellProblem\([^,]+, "([a-z_]+)"', source))
    assert used - set(n.PROBLEMS) == set()
    assert len(used) > 25
    for zh, en in n.PROBLEMS.values():
        assert re.search(r"[\u4e00-\u9fff]", zh) and en.isascii() and not en.endswith(".")


def test_problem_reads_in_both_languages():
    problem = n.Problem("mobile_invalid", "error")
    assert problem.text() == "手机号码无效"
    assert problem.text("en") == "invalid mobile number"


# ------------------------------------------------------------------------------ text and names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  张三\u3000", "张三"),
        ("张　三", "张三"),
        ("欧阳  娜娜\xa0\xa0", "欧阳娜娜"),
        ("John   Smith\xa0", "John Smith"),
        ("\t李四 ", "李四"),
        (None, None),
        ("", None),
        ("无", None),
        (123.0, "123"),
        ("广州 某某 汽车服务有限公司", "广州某某汽车服务有限公司"),
        # A quote typed before it (a CSV's stray quote read as text) or around it.
        ('"赵六', "赵六"), ("“张三”", "张三"), ("「王五」", "王五"), ('"', None),
        ("O'Brien", "O'Brien"),
    ],
)
def test_names_are_trimmed_and_collapsed(raw, clean):
    assert n.normalise_name(raw) == n.Clean(clean)


def test_text_keeps_inner_spaces_and_cuts_long_values():
    assert n.normalise_text(" 天河区  体育西路 1号 ").value == "天河区 体育西路 1号"
    result = n.normalise_text("一" * 120, max_length=100)
    assert result.value == "一" * 100 and codes(result) == [("text_truncated", "warning")]


@given(st.text(alphabet="张王李赵欧阳娜䶮ab ", min_size=1, max_size=8),
       st.sampled_from([" ", "\u3000", "\xa0", "\t", "  "]))
def test_padding_never_survives(name, pad):
    assume(name.strip())
    result = n.normalise_name(pad + name + pad)
    if result.value is not None:
        assert result.value == result.value.strip()
        assert "  " not in result.value and "\u3000" not in result.value


# ------------------------------------------------------------------------------ plates and VINs


@pytest.mark.parametrize(
    ("raw", "clean", "problems"),
    [
        ("粤A·12345", "粤A12345", []),
        ("粤a 12345", "粤A12345", []),
        ("粤A.D12345", "粤AD12345", []),
        ("京Ａ－８８８８８", "京A88888", []),
        ("沪B1234学", "沪B1234学", []),
        ("ABC", "ABC", [("plate_unusual", "warning")]),
        ("未上牌", None, []),
        ("新车未上牌", None, []),
        ("暂无车牌", None, []),
        ("临时牌照", None, []),
        (None, None, []),
    ],
)
def test_plates(raw, clean, problems):
    result = n.normalise_plate(raw)
    assert (result.value, codes(result)) == (clean, problems)


VIN_ALPHABET = sorted(n.VIN_CHARS)


def with_check_digit(vin: str) -> str:
    return vin[:8] + n.vin_check_digit(vin) + vin[9:]


def test_vin_examples():
    good = with_check_digit("LSVAU2180N2183294")
    assert n.normalise_vin(f"  {good.lower()} ") == n.Clean(good)
    assert codes(n.normalise_vin("LSVAU2180N218329")) == [("vin_length", "error")]
    assert n.normalise_vin("无").value is None
    bad_digit = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    assert n.normalise_vin(bad_digit) == n.Clean(bad_digit, (n.Problem("vin_check_digit",
                                                                       "warning"),))


def test_vin_letter_o_for_zero_is_corrected_only_when_the_check_digit_agrees():
    good = with_check_digit("LFV2A21K0A3000001")
    typed = good.replace("0", "O")
    assert n.normalise_vin(typed) == n.Clean(good, (n.Problem("vin_letters_corrected",
                                                              "warning"),))
    wrong = typed[:8] + ("7" if good[8] != "7" else "8") + typed[9:]
    assert codes(n.normalise_vin(wrong)) == [("vin_invalid_chars", "error")]
    assert codes(n.normalise_vin("LSVAU2180N218329#")) == [("vin_invalid_chars", "error")]


@given(st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17))
def test_a_vin_with_its_check_digit_passes(body):
    vin = with_check_digit(body)
    assert n.normalise_vin(vin) == n.Clean(vin)
    assert n.normalise_vin(" " + vin.lower() + "\u3000").value == vin


@given(st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17), st.sampled_from(VIN_ALPHABET))
def test_any_other_character_in_position_9_fails_the_check(body, other):
    vin = with_check_digit(body)
    assume(other != vin[8])
    changed = vin[:8] + other + vin[9:]
    assert n.normalise_vin(changed) == n.Clean(changed, (n.Problem("vin_check_digit",
                                                                   "warning"),))


# ------------------------------------------------------------------------------ phones

MOBILE_HEADS = [p for p, _ in MOBILE_PREFIXES]


@pytest.mark.parametrize(
    ("raw", "mobile", "others"),
    [
        ("13800138080", "13800138080", ()),
        ("+86 138-0013-8080", "13800138080", ()),
        ("+86（138）0013 8080", "13800138080", ()),
        ("0086 13800138080", "13800138080", ()),
        ("86-13800138080", "13800138080", ()),
        (13800138080, "13800138080", ()),
        (13800138080.0, "13800138080", ()),
        ("1.380013808E+10", "13800138080", ()),
        ("138 0013 8080", "13800138080", ()),
        ("１３８００１３８０８０", "13800138080", ()),
        ("13800138080/022-72587682", "13800138080", ("022-72587682",)),
        ("13800138080 13900139000", "13800138080", ("13900139000",)),
        ("13800138080、13900139000", "13800138080", ("13900139000",)),
        ("手机：13800138080（本人）", "13800138080", ()),
        ("0571-88888888-123", None, ("0571-88888888-123",)),
        # A landline's extension however it is written, and the words around it.
        ("(022)72587682-123", None, ("022-72587682-123",)),
        ("（022）72587682转123", None, ("022-72587682-123",)),
        ("座机022-72587682转123", None, ("022-72587682-123",)),
        ("0755-8888 1234转808", None, ("0755-88881234-808",)),
        ("0755-8888 1234转8", None, ("0755-88881234-8",)),
        ("022-72587682 分机 123", None, ("022-72587682-123",)),
        ("022-72587682#123", None, ("022-72587682-123",)),
        ("022-72587682 ext. 12", None, ("022-72587682-12",)),
        ("022-72587682X12", None, ("022-72587682-12",)),
        ("022-72587682-123（办公室）", None, ("022-72587682-123",)),
        ("13800138080/(022)72587682转123", "13800138080", ("022-72587682-123",)),
        # The landline with its extension and the mobile, only a space between.
        ("020-87654321转8001 13981960013", "13981960013", ("020-87654321-8001",)),
        ("020-87654321-8001 18993103413", "18993103413", ("020-87654321-8001",)),
        ("13981960013 (020)8765 4321 分机 12", "13981960013", ("020-87654321-12",)),
    ],
)
def test_phone_cells(raw, mobile, others):
    result = normalise_phones(raw)
    assert result.value == Phones(mobile, others)
    assert result.ok


@pytest.mark.parametrize(
    ("raw", "value", "found"),
    [("1380013800", Phones(None, (), ("1380013800",)), [("mobile_invalid_kept", "warning")]),
     ("10012345678", Phones(None, (), ("10012345678",)), [("mobile_invalid_kept", "warning")]),
     ("138-0013-800 / 020-87654321", Phones(None, ("020-87654321",), ("138-0013-800",)),
      [("mobile_invalid_kept", "warning"), ("mobile_is_landline", "warning")]),
     ("13900139000 / 1380013800", Phones("13900139000", (), ("1380013800",)),
      [("mobile_invalid_kept", "warning")]),
     ("abc", None, [("mobile_invalid", "error")]),  # nothing of a number to keep
     ("138001", None, [("mobile_invalid", "error")])],
)
def test_a_customers_mistyped_number_is_kept_as_typed_among_the_other_phones(raw, value, found):
    result = normalise_phones(raw, keep_invalid=True)
    assert result.value == value and codes(result) == found
    # Elsewhere (a visit's link to its customer) it is no number, as before.
    assert not (normalise_phones(raw).value or Phones(None)).unchecked
    assert normalise_mobile(raw).value in (None, "13900139000")


@pytest.mark.parametrize(
    ("raw", "landline"),
    [("022-72587682", "022-72587682"), ("0571-8888 8888", "0571-88888888"),
     ("(010)12345678", "010-12345678"), ("02272587682", "022-72587682")],
)
def test_landlines_are_other_phones_never_the_mobile(raw, landline):
    result = normalise_phones(raw)
    assert result.value == Phones(None, (landline,))
    assert codes(result) == [("mobile_is_landline", "warning")]
    assert normalise_mobile(raw).value is None
    assert codes(normalise_phones(raw, mobile_column=False)) == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [("12345", "mobile_invalid"), ("abc", "mobile_invalid"), ("1380013800", "mobile_invalid"),
     ("1.38001E+10", "phone_digits_lost"), ("13800000000", "mobile_placeholder"),
     ("13888888888", "mobile_placeholder"),
     # The example number of China Mobile's forms, typed when the real one was not known.
     ("13800138000", "mobile_placeholder"), ("+86 138-0013-8000", "mobile_placeholder")],
)
def test_invalid_mobiles_are_refused(raw, code):
    result = normalise_phones(raw)
    assert result.value is None and codes(result) == [(code, "error")]


def test_a_huge_number_in_a_phone_cell_is_no_phone():
    # "1e5000" reads as a number of 5,001 digits, more than Python writes out by default.
    for raw in ("1e5000", Decimal("9e400")):
        result = normalise_phones(raw)
        assert result.value is None or result.value.mobile is None


def test_empty_phone_cells():
    for raw in (None, "", "无", "0", "-"):
        assert normalise_phones(raw) == n.Clean(None)


def test_one_bad_number_beside_a_good_one_is_a_warning():
    result = normalise_phones("13800138080/12345")
    assert result.value == Phones("13800138080")
    assert codes(result) == [("mobile_invalid", "warning")]


mobiles = st.builds(
    lambda head, tail: head + f"{tail:08d}",
    st.sampled_from(MOBILE_HEADS),
    st.integers(0, 99_999_999),
).filter(lambda m: len(set(m[3:])) > 1 and m != "13800138000")


@settings(max_examples=300)
@given(
    mobiles,
    st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86", "(+86)", "+86-", "８６"]),
    st.lists(st.sampled_from(["", " ", "-", "  ", "\u3000", "－"]), min_size=2, max_size=2),
    st.sampled_from(["", " ", "\t"]),
)
def test_any_mobile_written_any_way_normalises_back_to_itself(mobile, prefix, separators, pad):
    assert is_mobile(mobile)
    a, b = separators
    written = f"{pad}{prefix}{mobile[:3]}{a}{mobile[3:7]}{b}{mobile[7:]}{pad}"
    assert normalise_phones(written) == n.Clean(Phones(mobile))


@given(mobiles)
def test_mobiles_stored_as_numbers(mobile):
    for raw in (int(mobile), float(mobile), f"{float(mobile)}"):
        assert normalise_mobile(raw) == n.Clean(mobile), raw
    # In scientific form with every digit it is the number, said for staff to check.
    restored = n.Clean(mobile, (n.Problem("phone_from_scientific", "warning"),))
    assert normalise_mobile(f"{int(mobile):.10E}") == restored


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "raw",
    ["2019-03-05", "2019/3/5", "2019.3.5", "2019年3月5日", "2019 年 3 月 5 日", "20190305",
     "2019-03-05 14:30", "2019/3/5 14:30:00", "2019-03-05T14:30:00", "2019-03-05 00:00:00.000",
     "2019年3月5日 下午2:30", "43529", "43529.6", 43529, 43529.25, 20190305,
     dt.date(2019, 3, 5), dt.datetime(2019, 3, 5, 9, 0), "２０１９－０３－０５",
     "2019-3-5", "2019/03/05 星期二", "2019-03-05(周二)", "2019年3月5日（礼拜二）",
     "2019-03-05(二)",
     # The month by its English name, as English-language systems and Excel's d-mmm-yy write
     # it (a two-digit year as Excel reads one).
     "05-Mar-19", "5-Mar-2019", "Mar 5, 2019", "March 5th 2019", "5 March 2019", "05MAR2019",
     "Mar. 5, 2019 14:30"],
)
def test_dates_in_every_form_people_type(raw):
    result = normalise_date(raw)
    assert result == n.Clean(dt.date(2019, 3, 5)), raw


def test_day_month_order_from_a_four_digit_year_at_the_end():
    assert normalise_date("15/3/2019").value == dt.date(2019, 3, 15)
    assert normalise_date("3/15/2019").value == dt.date(2019, 3, 15)
    assert codes(normalise_date("3/4/2019")) == [("date_ambiguous", "error")]


@pytest.mark.parametrize(
    ("raw", "code"),
    [("2019-02-30", "date_impossible"), ("0000-01-01", "date_impossible"),
     ("2019-00-05", "date_impossible"), ("2019-13-01", "date_impossible"),
     ("20190230", "date_impossible"), ("1900-01-01", "date_out_of_range"),
     ("1850-06-01", "date_out_of_range"), ("2019", "date_invalid"), ("下周", "date_invalid"),
     ("2019-03-05 25:00", "date_impossible"), ("2019-03-05 abc", "date_invalid"),
     (True, "date_invalid"), (dt.time(9, 30), "date_invalid"), ("99999999", "date_impossible"),
     # A stray small number is no date (as serials: 1899-12-31, 1899-12-30, 1900-01-10), nor
     # is a serial past 2099 (an account number, a year and month run together wrongly).
     (1, "date_out_of_range"), (0.5, "date_out_of_range"), ("11", "date_out_of_range"),
     (73051, "date_out_of_range"), ("209913", "date_out_of_range"),
     ("202400", "date_out_of_range"), ("31-Feb-19", "date_impossible"),
     ("May 2019", "date_invalid"), ("Mar52019", "date_invalid"), ("05-Foo-19", "date_invalid")],
)
def test_impossible_dates_are_refused(raw, code):
    result = normalise_date(raw)
    assert result.value is None and codes(result) == [(code, "error")]


@pytest.mark.parametrize("raw", ["0000-00-00", "0000-00-00 00:00:00", " 0000/00/00 ",
                                 "0000-00-00T00:00:00", "0000-00-00 00:00:00.000"])
def test_mysqls_zero_date_is_an_empty_cell(raw):
    # A DMS on MySQL exports a date never filled in as its "zero date": nothing to say.
    assert normalise_date(raw) == n.Clean(None)
    assert normalise_datetime(raw) == n.Clean(None)


@pytest.mark.parametrize("raw", [
    "1970-01-01", "1970-01-01 08:00:00", "1970/1/1", "19700101", 25569, 25569.3333333333,
    dt.datetime(1970, 1, 1, 8), dt.date(1970, 1, 1)])
def test_the_first_day_of_1970_is_a_blank_date(raw):
    # A DMS's empty date written as 0 seconds since 1970 (08:00 in China's time), as text, a
    # date cell or an Excel serial.
    result = normalise_date(raw)
    assert result.value is None and codes(result) == [("date_placeholder", "error")]
    assert normalise_datetime(raw).value is None


def test_the_days_around_the_first_of_1970_are_dates():
    assert normalise_date("1969-12-31").value == dt.date(1969, 12, 31)
    assert normalise_date("1970-01-02").value == dt.date(1970, 1, 2)


def test_future_dates_are_refused_after_the_latest_day():
    tomorrow = TODAY + dt.timedelta(days=1)
    assert normalise_date(tomorrow, latest=tomorrow).value == tomorrow
    assert codes(normalise_date("2026-11-03", latest=tomorrow)) == [("date_in_future", "error")]
    assert normalise_date("2030-01-01").value == dt.date(2030, 1, 1)


def test_a_month_without_its_day_is_the_first_with_a_warning():
    result = normalise_date("2019年3月")
    assert result.value == dt.date(2019, 3, 1)
    assert codes(result) == [("date_day_missing", "warning")]


@pytest.mark.parametrize("raw", ["202403", 202403, "２０２４０３"])
def test_six_digits_are_a_year_and_month(raw):
    # As an Excel serial 202403 would be a day in 2454.
    result = normalise_date(raw)
    assert result.value == dt.date(2024, 3, 1)
    assert codes(result) == [("date_day_missing", "warning")]


def test_serials_at_the_edges_of_the_plausible_years():
    assert normalise_date(367).value == dt.date(1901, 1, 1)  # the first day kept
    assert codes(normalise_date(366)) == [("date_out_of_range", "error")]  # 1900-12-31
    assert normalise_date(73050).value == dt.date(2099, 12, 31)  # the last


@pytest.mark.parametrize(("title", "day"), [
    (("保有客户明细", "导出时间：2026-11-28 10:00:00  操作员：admin"), dt.date(2026, 11, 28)),
    (("Exported 2026/11/27",), dt.date(2026, 11, 27)),
    (("打印日期 2026年11月26日",), dt.date(2026, 11, 26)),
    (("制表：张三 2026.11.25",), dt.date(2026, 11, 25)),
    (("导出时间：２０２６－１１－２４",), dt.date(2026, 11, 24)),
    (("导出时间：2027-01-01",), None),  # after today: not trusted
    (("保有客户明细", "2026-11-28"), None),  # a date that does not say it is the export's
    ((), None),
])
def test_the_export_day_is_read_from_the_title(title, day):
    assert export_day(title, dt.date(2026, 11, 30)) == day


def test_datetimes_keep_their_time():
    assert normalise_datetime("2019/3/5 14:30").value == dt.datetime(2019, 3, 5, 14, 30)
    assert normalise_datetime("2019年3月5日 14时30分20秒").value == dt.datetime(2019, 3, 5, 14,
                                                                            30, 20)
    assert normalise_datetime("43529.5").value == dt.datetime(2019, 3, 5, 12, 0)
    assert normalise_datetime("2019-03-05").value == dt.datetime(2019, 3, 5)
    # Compact, the time apart (refused before); an hour that cannot be still is.
    assert normalise_datetime("20190305 143020").value == dt.datetime(2019, 3, 5, 14, 30, 20)
    assert normalise_datetime("20190305 1430").value == dt.datetime(2019, 3, 5, 14, 30)
    assert normalise_datetime("20190305 2530").value is None
    assert normalise_datetime("2019-03-05 周二 下午2:30").value == dt.datetime(2019, 3, 5, 14,
                                                                             30)
    # Twelve in the morning is just after midnight; twelve in the afternoon is noon.
    assert normalise_datetime("2019/3/5 上午 12:20:00").value == dt.datetime(2019, 3, 5, 0, 20)
    assert normalise_datetime("2019/3/5 12:20 AM").value == dt.datetime(2019, 3, 5, 0, 20)
    assert normalise_datetime("2019/3/5 下午 12:20:00").value == dt.datetime(2019, 3, 5, 12, 20)
    assert normalise_datetime("2019-03-05(二) 14:30").value == dt.datetime(2019, 3, 5, 14, 30)


@pytest.fixture
def in_beijing(monkeypatch):
    """This computer's clock on Beijing time, as the dealers' PCs are."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("raw", "local"), [
    ("2024-03-05T02:22:00Z", dt.datetime(2024, 3, 5, 10, 22)),
    ("2024-03-05T02:22:00+00:00", dt.datetime(2024, 3, 5, 10, 22)),
    ("2024-03-05T10:22:00+08:00", dt.datetime(2024, 3, 5, 10, 22)),
    ("2024-03-05 23:30:00-0500", dt.datetime(2024, 3, 6, 12, 30)),
    ("2024-03-05 10:22", dt.datetime(2024, 3, 5, 10, 22)),  # no zone: as written
])
def test_a_time_with_its_zone_becomes_this_computers_time(in_beijing, raw, local):
    assert normalise_datetime(raw).value == local


def test_a_zone_that_cannot_be_is_refused():
    assert codes(normalise_datetime("2024-03-05T10:22:00+99:00")) == [("date_impossible", "error")]
    assert codes(normalise_datetime("2024-03-05T10:22:00+08:75")) == [("date_impossible", "error")]


DATE_FORMATS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d:%Y-%m-%d} 08:15:00",
    lambda d: f"{d:%Y/%m/%d} 23:59",
    lambda d: str((d - dt.date(1899, 12, 30)).days),
    lambda d: (d - dt.date(1899, 12, 30)).days,
    lambda d: float((d - dt.date(1899, 12, 30)).days),
    lambda d: int(f"{d:%Y%m%d}"),
    lambda d: d,
    lambda d: dt.datetime(d.year, d.month, d.day, 17, 45),
]
SERIAL_FORMATS = (7, 8, 9)


@settings(max_examples=300)
@given(st.dates(dt.date(1901, 1, 1), dt.date(2099, 12, 31)),
       st.sampled_from(range(len(DATE_FORMATS))))
def test_any_date_written_in_any_supported_format_round_trips(day, form):
    # A four-digit number from 1901 to 2099 is read as a year (refused), not as the serial of
    # a day in 1905: serial forms are checked from 1906 on.
    assume(form not in SERIAL_FORMATS or day.year >= 1906)
    assume(day != dt.date(1970, 1, 1))  # a DMS's blank date (test_the_first_day_of_1970…)
    written = DATE_FORMATS[form](day)
    assert normalise_date(written) == n.Clean(day), written


# ------------------------------------------------------------------------------ amounts and km


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("15.8万", "158000.00"), ("¥158,000.00", "158000.00"), ("￥158,000", "158000.00"),
     ("158000元", "158000.00"), ("15.8万元", "158000.00"), ("1.5w", "15000.00"),
     (158000, "158000.00"), (158000.5, "158000.50"), ("1,234.567", "1234.57"),
     ("人民币 20 万元", "200000.00"), ("0", "0.00"), ("免费", "0.00"), ("1.58E+05", "158000.00"),
     ("680元整", "680.00"), ("人民币1,250.00元整", "1250.00")],
)
def test_amounts(raw, clean):
    assert n.normalise_amount(raw) == n.Clean(Decimal(clean))


@pytest.mark.parametrize(("raw", "code"), [("-100", "amount_negative"),
                                           ("(100)", "amount_negative"),
                                           ("abc", "amount_invalid"), ("1.2.3", "amount_invalid"),
                                           (True, "amount_invalid"),
                                           # A mobile in the amount column.
                                           ("13900139007", "amount_implausible"),
                                           (13900139007, "amount_implausible"),
                                           ("1.5亿", "amount_implausible")])
def test_bad_amounts(raw, code):
    assert codes(n.normalise_amount(raw)) == [(code, "error")]


@pytest.mark.parametrize(("raw", "clean"), [
    ("-800", "-800.00"), ("(3,200.00)", "-3200.00"), ("-¥1.2万", "-12000.00"), (-50.5, "-50.50"),
    ("800", "800.00"), ("免费", "0.00")])
def test_a_purchase_amount_keeps_a_refunds_minus(raw, clean):
    assert n.normalise_signed_amount(raw) == n.Clean(Decimal(clean))


@pytest.mark.parametrize(("raw", "clean"), [
    ("1.234,56", "1234.56"), ("3.200,00", "3200.00"), ("800,5", "800.50"),
    ("1.234.567", "1234567.00"), ("1,234,567.5", "1234567.50"), ("1,500万", "15000000.00")])
def test_separators_are_read_the_one_way_they_can_be(raw, clean):
    assert n.normalise_amount(raw) == n.Clean(Decimal(clean))


@pytest.mark.parametrize("raw", ["1,2345", "12,345,67", "1.234.56", "1,234.567,8"])
def test_separators_that_can_be_read_two_ways_are_not_read(raw):
    assert codes(n.normalise_amount(raw)) == [("amount_invalid", "error")]


@pytest.mark.parametrize("raw", ["800-", "\u2212800", "－800", "(800)"])
def test_every_way_of_writing_a_minus_is_a_refund(raw):
    assert n.normalise_signed_amount(raw) == n.Clean(Decimal("-800.00"))


@pytest.mark.parametrize(("raw", "code"), [("-abc", "amount_invalid"),
                                           ("-1e12", "amount_implausible")])
def test_a_refund_is_judged_as_any_amount(raw, code):
    assert codes(n.normalise_signed_amount(raw)) == [(code, "error")]


@settings(max_examples=200)
@given(st.decimals(min_value=0, max_value=10**8, places=2),
       st.sampled_from(["plain", "thousands", "wan"]),
       st.sampled_from(["", "¥", "￥", "¥ ", "人民币"]),
       st.sampled_from(["", "元", " 元", "圆"]))
def test_amounts_written_with_any_separator_or_unit_round_trip(value, style, before, after):
    if style == "plain":
        body = f"{value:f}"
    elif style == "thousands":
        body = f"{value:,.2f}"
    else:
        body = f"{value / 10000:f}万"
    assert n.normalise_amount(f"{before}{body}{after}") == n.Clean(value)


@pytest.mark.parametrize(
    ("raw", "km"),
    [("8.6万公里", 86000), ("8.6万", 86000), ("86,000 km", 86000), ("86000KM", 86000),
     ("86000公里", 86000), (86000.0, 86000), ("12345.6", 12346), ("3千米", 3)],
)
def test_km(raw, km):
    assert n.normalise_km(raw) == n.Clean(km)


@pytest.mark.parametrize(("raw", "km"), [
    ("约3万", 30000), ("3万多", 30000), ("8万公里左右", 80000), ("大约 32,000km", 32000),
    ("32000+", 32000), ("近5万", 50000), ("3万余公里", 30000), ("6万出头", 60000)])
def test_a_round_figure_of_km_is_kept_as_written_and_said(raw, km):
    # What the owner said on the phone, noted by a caller: a reading all the same.
    assert n.normalise_km(raw) == n.Clean(km, (n.Problem("km_approximate", "warning"),))


def test_bad_km():
    assert codes(n.normalise_km("-5")) == [("km_implausible", "error")]
    assert codes(n.normalise_km("3000000")) == [("km_implausible", "error")]
    assert codes(n.normalise_km("很多")) == [("km_invalid", "error")]
    assert codes(n.normalise_km("约")) == [("km_invalid", "error")]
    # 0 is an export's "not known", not a reading (it would bend the car's km line to 0).
    for zero in (0, "0", "0公里", 0.0, "0.4"):
        result = n.normalise_km(zero)
        assert result.value is None and codes(result) == [("km_zero", "error")], zero


@given(st.integers(1, 1_999_999), st.sampled_from(["", "km", " 公里", "KM", "千米"]),
       st.booleans())
def test_km_round_trips(km, unit, thousands):
    body = f"{km:,}" if thousands else str(km)
    assert n.normalise_km(body + unit) == n.Clean(km)
    assert n.normalise_km(f"{km / 10000:f}万公里") == n.Clean(km)


def test_scores():
    assert sc.normalise_score("9分").value == 9
    assert sc.normalise_score(10.0) == n.Clean(10)
    assert codes(sc.normalise_score("8.5")) == [("score_rounded", "warning")]
    assert sc.normalise_score("8.5").value == 9
    assert codes(sc.normalise_score(85)) == [("score_out_of_range", "error")]
    assert codes(sc.normalise_score("好")) == [("score_invalid", "error")]


@pytest.mark.parametrize(("header", "scale"), [
    ("总体满意度", 10), ("满意度(10分)", 10), ("满分10分", 10), ("满意度（5分制）", 5),
    ("评分1-5分", 5), ("服务态度(0～5分)", 5), ("星级", 5), ("五星评价", 5),
    ("得分（满分100）", 100), ("百分制得分", 100), ("满意度(100分)", 100), ("1.5分以下", 10),
    (None, 10)])
def test_a_score_columns_header_names_its_scale(header, scale):
    assert sc.score_scale(header) == scale


@pytest.mark.parametrize(("raw", "scale", "score"), [
    ("4", 5, 8), (4.5, 5, 9), ("5分", 5, 10), (0, 5, 0), ("85", 100, 9), (84, 100, 8),
    (100, 100, 10), ("4/5", 10, 8), ("4.5 / 5", 10, 9), ("85/100", 10, 9), ("8分/10分", 10, 8),
    ("★★★★☆", 10, 8), ("★★★★★", 100, 10), ("★", 10, 2),
    # Stars counted in words are out of five, whatever the column's scale.
    ("4星", 10, 8), ("4.5 星", 10, 9), ("四颗星", 100, 8), ("5 stars", 10, 10), ("0星", 10, 0)])
def test_scores_on_another_scale_are_kept_on_ten(raw, scale, score):
    # A step of the column's own scale is not a rounding to note: 8.5 of 10 is, 85 of 100 not.
    assert sc.normalise_score(raw, scale) == n.Clean(score)


@pytest.mark.parametrize(("raw", "scale", "code"), [
    (6, 5, "score_out_of_range_5"), ("101", 100, "score_out_of_range_100"),
    ("11", 10, "score_out_of_range"), ("3/4", 10, "score_invalid"), ("-1", 5,
                                                                       "score_out_of_range_5")])
def test_a_score_beyond_its_scale_is_refused(raw, scale, code):
    assert codes(sc.normalise_score(raw, scale)) == [(code, "error")]


@pytest.mark.parametrize("raw", ["未接通", "拒访", " 空号 ", "关机", "客户拒绝评价", "未评价"])
def test_a_survey_call_that_got_no_answers_is_said_to_have_no_score(raw):
    refused = sc.normalise_score(raw)
    assert codes(refused) == [("survey_not_done", "error")]
    assert refused.problems[0].text() == "回访未完成（未接通或拒访），没有评分"
    assert codes(sc.normalise_score("6星")) == [("score_invalid", "error")]


@pytest.mark.parametrize(("raw", "score", "band"), [
    ("非常满意", 10, "high"), ("很满意", 10, "high"), (" 满意 ", 8, "middle"),
    ("比较满意", 8, "middle"), ("基本满意", 7, "middle"), ("一般", 6, "low"),
    ("不满意", 4, "low"), ("不太满意", 4, "low"), ("非常不满意", 2, "low"),
    # The five grades as other call centres word them.
    ("十分满意", 10, "high"), ("较满意", 8, "middle"), ("较不满意", 4, "low"),
    ("比较不满意", 4, "low"), ("极不满意", 2, "low"), ("满分", 10, "high"),
    # Grades, a review's words, and English answers.
    ("优", 10, "high"), ("良好", 8, "middle"), ("中", 6, "low"), ("差", 4, "low"),
    ("很好", 10, "high"), ("好评", 10, "high"), ("中评", 6, "low"), ("差评", 2, "low"),
    ("Very satisfied", 10, "high"), ("satisfied", 8, "middle"), ("Neutral", 6, "low"),
    ("Dissatisfied", 4, "low"), ("very dissatisfied", 2, "low"), ("Excellent", 10, "high"),
    ("Poor", 4, "low"),
])
def test_graded_answers_are_scores_in_the_band_they_mean(raw, score, band):
    # A DMS 回访记录 records the answer, not a number: on the 0–10 scale, each lands in the
    # satisfaction band it says (high 9–10, middle 7–8, low 0–6).
    assert sc.normalise_score(raw) == n.Clean(score)
    assert score_band(score) == band


def test_postcodes():
    assert n.normalise_postcode(10000).value == "010000"
    assert n.normalise_postcode("510000").value == "510000"
    assert codes(n.normalise_postcode("51000")) == [("postcode_invalid", "error")]


def test_wechat_ids():
    assert n.normalise_wechat(" wx_Chen-88 ").value == "wx_Chen-88"
    assert n.normalise_wechat("ｗｘ＿ｃｈｅｎ").value == "wx_chen"  # full-width, as typed
    assert n.normalise_wechat(13800138080.0).value == "13800138080"  # a mobile as WeChat ID
    assert n.normalise_wechat("无") == n.EMPTY
    # A nickname, an emoji or Chinese words cannot be looked up in WeChat.
    for nickname in ("wx_chen🚗", "wx_chen❤", "阳光男孩", "wx.chen", "wx@chen"):
        assert codes(n.normalise_wechat(nickname)) == [("wechat_invalid", "error")], nickname
    assert codes(n.normalise_wechat("a" * 65)) == [("wechat_invalid", "error")]


def test_cell_text():
    assert n.cell_text(13800138080.0) == "13800138080"
    assert n.cell_text(1.5) == "1.5"
    assert n.cell_text(dt.datetime(2019, 3, 5)) == "2019-03-05"
    assert n.cell_text(dt.datetime(2019, 3, 5, 9, 30)) == "2019-03-05 09:30:00"
    assert n.cell_text(None) == ""


ANY_CELL = st.one_of(
    st.none(), st.text(max_size=30), st.integers(), st.booleans(), st.dates(),
    st.floats(allow_nan=True, allow_infinity=True), st.datetimes(),
    st.text(alphabet="0123456789-/.年月日:万元¥,+ eE公里kmO", max_size=20),
    st.text(alphabet="0123456789./ 分★☆", max_size=12),
)
EVERY_CLEANER = [
    n.normalise_text, n.normalise_name, n.normalise_plate, n.normalise_vin, n.normalise_amount,
    n.normalise_km, sc.normalise_score, n.normalise_postcode, w.normalise_gender,
    w.normalise_payment, w.normalise_visit_type, w.normalise_yes_no, w.normalise_channel,
    w.normalise_purpose, w.normalise_outcome, normalise_date, normalise_datetime,
    normalise_phones, lambda raw: w.normalise_attribute(raw, "household"),
    lambda raw: normalise_phones(raw, keep_invalid=True), lambda raw: sc.normalise_score(raw, 5),
    lambda raw: sc.normalise_score(raw, 100),
]


@settings(max_examples=400)
@given(ANY_CELL)
def test_no_cell_makes_a_cleaner_fail(raw):
    for clean in EVERY_CLEANER:
        result = clean(raw)
        assert isinstance(result, n.Clean)
        assert (result.value is None) or result.ok
        assert all(p.code in n.PROBLEMS for p in result.problems)


NOV30 = dt.date(2026, 11, 30)


@pytest.mark.parametrize(("raw", "order", "after", "before"), [
    ("12月5日", None, dt.date(2026, 12, 5), dt.date(2025, 12, 5)),
    ("12月5号", None, dt.date(2026, 12, 5), dt.date(2025, 12, 5)),
    ("1月10日", None, dt.date(2027, 1, 10), dt.date(2026, 1, 10)),
    ("11-30", None, dt.date(2026, 11, 30), dt.date(2026, 11, 30)),  # the day itself
    ("12/5", None, dt.date(2026, 12, 5), dt.date(2025, 12, 5)),  # month first, as in China
    ("6/5", "dmy", dt.date(2027, 5, 6), dt.date(2026, 5, 6)),  # the column's dates say
    ("6月5日", "dmy", dt.date(2027, 6, 5), dt.date(2026, 6, 5)),  # 月 says it whatever
    ("13/5", None, dt.date(2027, 5, 13), dt.date(2026, 5, 13)),  # only day first can be
    ("2月29日", None, dt.date(2028, 2, 29), dt.date(2024, 2, 29)),
    ("１２月５日", None, dt.date(2026, 12, 5), dt.date(2025, 12, 5)),
])
def test_a_day_without_its_year_takes_the_year_it_is_asked_to(raw, order, after, before):
    ahead = normalise_date(raw, order=order, yearless=("next", NOV30))
    assert ahead == n.Clean(after, (n.Problem("date_year_next", "warning"),)), raw
    back = normalise_date(raw, order=order, latest=NOV30, yearless=("last", NOV30))
    assert back == n.Clean(before, (n.Problem("date_year_last", "warning"),)), raw


def test_a_day_without_its_year_keeps_its_time():
    got = normalise_datetime("11-28 10:30", yearless=("last", NOV30))
    assert got.value == dt.datetime(2026, 11, 28, 10, 30)
    got = normalise_datetime("3月5号 下午3点", yearless=("last", NOV30))
    assert got.value == dt.datetime(2026, 3, 5, 15, 0)


@pytest.mark.parametrize(("raw", "code"), [
    ("2/30", "date_impossible"), ("40/5", "date_impossible"), ("13/13", "date_impossible"),
    ("12-5 25:00", "date_impossible"), ("12-5 下周", "date_invalid")])
def test_a_day_without_its_year_that_is_no_day(raw, code):
    result = normalise_date(raw, yearless=("next", NOV30))
    assert result.value is None and codes(result) == [(code, "error")]


@pytest.mark.parametrize("raw", ["12月5日", "12-5", "12/5 10:30"])
def test_without_a_rule_for_it_a_day_without_its_year_is_refused_as_such(raw):
    result = normalise_date(raw)
    assert result.value is None and codes(result) == [("date_year_missing", "error")]


@pytest.mark.parametrize(("raw", "found"), [
    # GB 11643's own example: born 1949-12-31, the 17th digit even (a woman), check X.
    ("11010519491231002X", (dt.date(1949, 12, 31), "F")),
    ("11010519491231002x", (dt.date(1949, 12, 31), "F")),
    ("440106 19800101 1230", (dt.date(1980, 1, 1), "M")),
    ("440305-19850612-0023", (dt.date(1985, 6, 12), "F")),
    # The older 15 digits: YYMMDD of the 1900s, the last digit odd for a man.
    ("440106800101123", (dt.date(1980, 1, 1), "M")),
    # Not a resident ID: a company's credit code, a passport, a number too short.
    ("91440101MA5AXXXX1X", None), ("E12345678", None), ("4401061980010112", None),
])
def test_an_id_card_number_gives_the_birthday_and_gender_it_holds(raw, found):
    result = n.normalise_id_number(raw, dt.date(2026, 12, 4))
    assert result == n.Clean(found)


@pytest.mark.parametrize("raw", [
    "440106198001011234",  # check character wrong (0 is right)
    "110105194912310021",  # check character wrong (X is right)
    "44010619800230123X",  # no 30 February (its check character right)
    "440106202701011230",  # born after today (its check character right)
])
def test_an_id_card_number_that_cannot_be_right_gives_nothing_and_says_so(raw):
    assert codes(n.normalise_id_number(raw, dt.date(2026, 12, 4))) == [
        ("id_number_invalid", "error")]


@pytest.mark.parametrize(("raw", "seconds"), [
    (83, 83), (83.0, 83), ("83", 83), ("00:01:23", 83), ("1:23", 83), ("1:02:03", 3723),
    ("83秒", 83), ("1分23秒", 83), ("2分钟", 120), ("1小时", 3600), ("2m3s", 123),
    ("12 秒", 12), ("0", 0), ("00:00:00", 0),
    # A cell formatted hh:mm:ss or [h]:mm:ss, as the readers give it.
    (dt.time(0, 1, 23), 83), (dt.timedelta(seconds=83), 83),
])
def test_a_calls_length_as_call_centres_write_it(raw, seconds):
    assert n.normalise_duration(raw) == n.Clean(seconds)


@pytest.mark.parametrize("raw", ["abc", "-5", 100000, "1:99", dt.datetime(2026, 11, 3, 10, 0),
                                 "分秒"])
def test_a_length_that_cannot_be_a_calls_is_refused(raw):
    assert [p.code for p in n.normalise_duration(raw).problems] == ["duration_invalid"]
