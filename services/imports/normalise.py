"""Cleaning one imported cell (text, names, plates, VINs, amounts, km) and its problems;
scores are read in services/imports/scores.py."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Generic, Literal, TypeVar

from services.customers.names import bare_name
from services.imports.chinese_numbers import capital_amount, whole_number

# What a reader hands over: openpyxl, python-calamine, xlrd-style and csv cell values.
Cell = str | int | float | bool | Decimal | dt.datetime | dt.date | dt.time | dt.timedelta | None
Severity = Literal["error", "warning"]
T = TypeVar("T")

# Problem code -> (Chinese, English) sentence, printed in the error file next to the row number.
PROBLEMS: dict[str, tuple[str, str]] = {
    "required_missing": ("必填项为空", "required value missing"),
    "no_link_key": ("缺少可关联的手机、车牌、车架号或客户编号",
                    "no mobile, plate, VIN or customer number to link the row to"),
    "customer_number_too_long": ("客户编号过长（超过 40 个字符）",
                                 "customer number longer than 40 characters"),
    "text_truncated": ("文字过长，已截断", "text too long, cut short"),
    "mobile_invalid": ("手机号码无效", "invalid mobile number"),
    "mobile_invalid_kept": ("手机号码无效，已原样存为其他电话，请核对",
                            "invalid mobile number, kept as typed among the other phones to be "
                            "corrected"),
    "phone_invalid_kept": ("电话号码无效，已原样存为其他电话，请核对",
                           "invalid phone number, kept as typed among the other phones to be "
                           "corrected"),
    "mobile_placeholder": ("手机号码疑似占位号码", "mobile number looks like a placeholder"),
    "mobile_placeholder_kept": ("手机号码疑似占位号码，未作为手机，已原样存为其他电话，请核对",
                                "mobile number looks like a placeholder: not taken as the mobile, "
                                "kept as typed among the other phones to be checked"),
    "mobile_is_landline": ("手机栏填的是固定电话，已存为其他电话",
                           "a landline in the mobile column, kept as another phone"),
    "phone_invalid": ("电话号码无效", "invalid phone number"),
    # A phone's or a DMS customer number's.
    # Excel shows a long number in scientific form with 6 significant digits (1.38001E+10),
    # and a CSV saved from it keeps only those: the cell as typed is named after the sentence.
    "phone_digits_lost": ("号码被 Excel 存成了科学计数法，后几位数字已丢失，无法还原，"
                          "此号码未导入；请从原系统导出时把该列设为文本，或手工补录",
                          "the number was saved by Excel in scientific form and its last digits "
                          "are lost: it cannot be restored and is not imported; export the "
                          "column as text, or type the number in"),
    "phone_from_scientific": ("号码被存成了科学计数法，但位数完整，已还原为完整号码，请核对",
                              "the number was saved in scientific form with all its digits: "
                              "restored in full; please check"),
    "landline_no_area_code": ("固定电话缺少区号", "landline without an area code"),
    "vin_length": ("车架号不是17位", "VIN is not 17 characters long"),
    "vin_invalid_chars": ("车架号含无效字符（I、O、Q 或符号）",
                          "VIN has invalid characters (I, O, Q or symbols)"),
    "vin_letters_corrected": ("车架号中的 O、I、Q 已更正为 0、1、0",
                              "O, I, Q in the VIN corrected to 0, 1, 0"),
    "vin_check_digit": ("车架号校验位（第9位）不符", "VIN check digit (position 9) does not match"),
    "loan_term_invalid": ("贷款期限无法识别（应为6至120期，或0.5至10年）",
                          "unknown loan term (6 to 120 months, or half a year to 10 years)"),
    "id_number_invalid": ("身份证号校验位或出生日期不符，未据此填写生日和性别",
                          "the ID card number's check digit or birth date is wrong: birthday "
                          "and gender were not taken from it"),
    "plate_unusual": ("车牌号格式不常见", "unusual plate number"),
    "date_invalid": ("日期无法识别", "unreadable date"),
    "date_impossible": ("日期不存在", "no such date"),
    "date_out_of_range": ("日期年份不合理", "implausible year"),
    "date_in_future": ("日期晚于今天", "date in the future"),
    "date_placeholder": ("1970-01-01 是系统的空日期，按未填处理（如确为此日请手工录入）",
                         "1970-01-01 is a system's blank date, taken as empty (type it in by "
                         "hand if it is the real day)"),
    "date_ambiguous": ("日期的月、日顺序不明确", "unclear which is the day and which the month"),
    "date_day_missing": ("日期缺少日，按1日计", "day missing, taken as the 1st"),
    "birthday_day_missing": ("生日缺少日，未填写（按1日计会在错误的日子送上祝福）",
                             "birthday without its day: left empty (taken as the 1st, the "
                             "greeting would go on the wrong day)"),
    "date_year_missing": ("日期缺少年份", "the year is missing"),
    "name_note_removed": ("姓名后的称呼或备注未保存，只保存姓名",
                          "the title or remark after the name is left out: the name alone is "
                          "kept"),
    "birthday_year_implausible": ("生日的年份使客户不满16岁（常见于Excel把“3/15”存成当年日期），"
                                  "只保存月日（生日关怀照常），年龄不详",
                                  "the birthday's year makes the customer younger than 16 (as "
                                  "Excel stores 3/15 typed into a cell: that day of the year it "
                                  "was typed): its month and day are kept, the age is unknown"),
    "birthday_year_missing": ("生日没有年份：只保存月日（生日关怀照常），年龄不详",
                              "birthday without its year: its month and day are kept (the "
                              "greeting goes out), the age is unknown"),
    # Each row's says the day it was taken as after it (services/imports/clean.py YEAR_GIVEN).
    "date_year_next": ("日期未写年份，按导入日前90天起最早的该日计",
                       "no year given: taken as the first such day from 90 days before the "
                       "import on"),
    "date_year_last": ("日期未写年份，按导入日或之前最近的该日计",
                       "no year given: taken as the latest such day up to the import"),
    # Said once for a date column whose unambiguous dates showed the order of day and month
    # ({value}: one of them), for the dates that could be read either way.
    "date_read_dmy": ("按日/月/年读取（由 {value} 等可判断）",
                      "read as day/month/year (as {value} and others show)"),
    "date_read_mdy": ("按月/日/年读取（由 {value} 等可判断）",
                      "read as month/day/year (as {value} and others show)"),
    "amount_invalid": ("金额无法识别", "unreadable amount"),
    "amount_negative": ("金额为负数", "negative amount"),
    "amount_implausible": ("金额过大，不合理", "implausibly large amount"),
    "price_zero": ("价格为 0，视为未知，未保存", "a price of 0, taken as not known and not kept"),
    # {value}: the number as typed (services/imports/customers.py names it on the row).
    "price_bare_in_wan": ("未写单位的车价不足1000，按万元计（如 {value} 读作 {value} 万元）",
                          "a car price below 1,000 with no unit, read in ten thousands of "
                          "yuan (as {value} is read as {value} wan, x 10,000)"),
    "km_invalid": ("里程无法识别", "unreadable mileage"),
    "km_implausible": ("里程不合理（为负数或过大）", "implausible mileage (negative or too large)"),
    "km_zero": ("里程为 0，未记为读数", "0 km, not kept as a reading"),
    # A work order's km (services/imports/customers.py replace_list_reading).
    "km_replaces_list_reading": ("里程高于车主名单中该车较晚日期的里程（名单里程多为更早"
                                 "进厂时所记），已按本次进厂日期记入，取代名单里程",
                                 "more km than the owners list gave the car on a later day (a "
                                 "list's km is most often from an earlier visit): kept as the "
                                 "reading of this visit's day, in place of the list's"),
    "km_approximate": ("里程为约数（约、多、左右），按所写的数保存",
                       "approximate mileage (about, -odd), kept as the number written"),
    "text_garbled": ("文字是乱码（这一行的编码与文件其余部分不同？）",
                     "garbled text (this row in another encoding than the rest of the file?)"),
    "score_invalid": ("评分无法识别", "unreadable score"),
    "survey_not_done": ("回访未完成（未接通或拒访），没有评分", "the survey was not done (not "
                        "reached or refused): there is no score"),
    "score_out_of_range": ("评分不在0–10之间", "score not between 0 and 10"),
    "score_out_of_range_5": ("评分不在0–5之间（该列为5分制）",
                             "score not between 0 and 5 (a five-point column)"),
    "score_out_of_range_100": ("评分不在0–100之间（该列为百分制）",
                               "score not between 0 and 100 (a hundred-point column)"),
    "score_percent_out_of_range": ("百分比评分不在0%–100%之间",
                                   "percentage score not between 0% and 100%"),
    "score_rounded": ("评分已四舍五入为整数", "score rounded to a whole number"),
    # Said once for a column (with the rows it concerns), when its values decided its scale.
    "score_read_on_5": ("表头未注明分制，该列评分均不超过5，按5分制换算为10分制（若实为10分制，"
                        "请在表头注明“10分制”）",
                        "the header names no scale and no score of the column is above 5: "
                        "read as out of 5 and brought to 0 to 10 (if it is out of 10, add "
                        "\"out of 10\" to the header)"),
    "gender_zero_one": ("性别列只有0和1：按国家标准1为男，0为未知（未保存性别）；"
                        "如该系统以0表示女，请在文件中改为“女”后再导入",
                        "the gender column holds only 0 and 1: by the national code 1 is male "
                        "and 0 not known (no gender kept); if that system writes 0 for female, "
                        "replace those 0s with the word for female and import the file again"),
    "read_in_wan": ("表头注明以“万”为单位，该列的数字按万计（18.5 即 185,000）",
                    "the header names wan (ten thousand) as the unit: the column's numbers "
                    "are read in ten thousands (18.5 is 185,000)"),
    "price_read_in_wan": ("该列价格均不足1000，按万元计（18.5 即 185,000 元）",
                          "every car price of the column is below 1,000: read in ten "
                          "thousands of yuan (18.5 is 185,000)"),
    "score_read_on_100": ("表头未注明分制，该列评分均在10以上，按百分制换算为10分制",
                          "the header names no scale and every score of the column is above "
                          "10: read as out of 100 and brought to 0 to 10"),
    "score_read_as_percent": ("表头未注明分制，该列评分均为0到1之间的小数（Excel 的百分比格式，"
                              "0.9 即 90%），按百分比换算为10分制",
                              "the header names no scale and every score of the column is a "
                              "fraction of 1 (Excel's percentage format: 0.9 is 90%): read as "
                              "a percentage and brought to 0 to 10"),
    "score_scale_unsure": ("该列评分均不超过5，但行数太少，无法断定是5分制，按10分制保存（若实为"
                           "5分制，请在表头注明“5分制”）",
                           "no score of the column is above 5, but too few rows to tell a "
                           "five-point scale: kept as out of 10 (if it is out of 5, add "
                           "\"out of 5\" to the header)"),
    "gender_unknown": ("性别无法识别", "unknown gender"),
    "payment_unknown": ("付款方式无法识别", "unknown payment method"),
    "visit_type_unknown": ("维修类型无法识别，按一般维修保存，原文记入备注",
                           "unknown visit type: kept as a repair, the type as typed in its note"),
    "yes_no_unknown": ("无法识别为是或否", "neither yes nor no"),
    "channel_unknown": ("联系方式无法识别", "unknown contact channel"),
    "channel_not_kept": ("电子邮件、APP 消息等不是本系统记录的联系方式（电话、短信、邮寄、微信、"
                         "上门），未导入",
                         "e-mail, app messages and the like are none of the channels Revisit "
                         "keeps (phone, SMS, post, WeChat, visit): not imported"),
    "purpose_unknown": ("联系目的无法识别，按“满意度回访”记录，原文记入客户反馈",
                        "unknown contact purpose: recorded as a satisfaction call-back, the "
                        "word as typed kept in the feedback"),
    "outcome_unknown": ("联系结果无法识别", "unknown contact outcome"),
    # As the list's read-back reads one (services/imports/words.py one_off); the cell as typed
    # is named after the sentence.
    "outcome_typo": ("与一种联系结果只差一个字，已按该结果记录，请核对",
                     "one character off an outcome's wording: recorded as that outcome; "
                     "please check"),
    "status_unknown": ("联系状态无法识别，按联系结果记录",
                       "contact status not understood: the outcome column decides"),
    "duration_invalid": ("通话时长无法识别，未用于判断是否接通",
                         "call length not understood: not used to tell whether the call was "
                         "answered"),
    # A contact's empty channel or outcome cell (services/imports/clean.py _contact_blanks).
    "channel_blank": ("联系方式未填，按“电话”记录，客户反馈中已注明",
                      "no channel filled in: recorded as a phone call, and said so in the "
                      "feedback"),
    "channel_blank_as_file": ("联系方式未填，按本文件其他各行的“{value}”记录",
                              "no channel filled in: recorded as \"{value}\", as every other "
                              "row of the file"),
    "outcome_blank": ("联系结果未填，按“无人接听”记录（不算接通），客户反馈中已注明",
                      "no outcome filled in: recorded as no answer (not as reached), and said "
                      "so in the feedback"),
    "outcome_blank_sent": ("联系结果未填，按“已发送”记录，客户反馈中已注明",
                           "no outcome filled in: recorded as sent, and said so in the "
                           "feedback"),
    "postcode_invalid": ("邮政编码无效", "invalid postcode"),
    "wechat_invalid": ("微信号只能含字母、数字、下划线和减号（这可能是昵称）",
                       "a WeChat ID has only letters, digits, underscores and hyphens (this "
                       "may be a nickname)"),
    "attribute_unknown": ("取值不在可选范围内", "not one of the allowed values"),
    "consent_unknown": ("无法识别为同意或不同意，未记录营销同意",
                        "neither consent nor refusal; no marketing consent recorded"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a cell. An error means the value was refused (Clean.value is None);
    a warning means it was kept, perhaps corrected."""

    code: str
    severity: Severity

    def text(self, lang: str = "zh") -> str:
        zh, en = PROBLEMS[self.code]
        return zh if lang.lower().startswith("zh") else en


@dataclass(frozen=True)
class Clean(Generic[T]):
    """A cleaned value (None: empty or refused) and what was wrong with the raw cell."""

    value: T | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def kept(value: T | None, *warnings: str) -> Clean[T]:
    return Clean(value, tuple(Problem(w, "warning") for w in warnings))


def refused(code: str) -> Clean:
    return Clean(None, (Problem(code, "error"),))


EMPTY: Clean = Clean(None)

# What people type for "nothing here"; read as an empty cell, not as a value.
PLACEHOLDERS = frozenset(
    {"", "-", "--", "---", "—", "——", "/", "\\", "无", "暂无", "空", "没有", "不详", "未知",
     "null", "none", "nan", "n/a", "na", "#n/a", "nil"}
)
_SPACES = re.compile(r"\s+")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def nfkc(text: str) -> str:
    """Full-width letters, digits, brackets and spaces (incl. \\u3000, \\xa0) to ASCII."""
    return unicodedata.normalize("NFKC", text)


def cell_text(raw: Cell) -> str:
    """The cell as the user would read it: 13800138000.0 -> "13800138000", a date -> ISO."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e16:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(raw, dt.date | dt.time):
        return raw.isoformat()
    return str(raw)


def is_blank(raw: Cell) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return nfkc(raw).strip().lower() in PLACEHOLDERS
    return False


def _squeeze(raw: Cell) -> str:
    """Trimmed text with inner runs of any space (ASCII, full-width, no-break) made one."""
    text = _SPACES.sub(" ", cell_text(raw).replace("\u3000", " ").replace("\xa0", " "))
    return text.strip()


def normalise_text(raw: Cell, max_length: int | None = None) -> Clean[str]:
    """Free text, trimmed, inner space runs collapsed; cut to `max_length` with a warning."""
    text = _squeeze(raw)
    if nfkc(text).lower() in PLACEHOLDERS:
        return EMPTY
    if max_length is not None and len(text) > max_length:
        return kept(text[:max_length], "text_truncated")
    return Clean(text)


# ---------------------------------------------------------------------------- ID card numbers

_ID_18 = re.compile(r"\d{17}[\dX]")
_ID_15 = re.compile(r"\d{15}")
# GB 11643-1999: the 18th character checks the first 17, weighted 2^(17-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"


# A loan's term: 36期, 36个月, 3年, 三年, 36 or 3 (a bare number up to MAX_LOAN_YEARS counts
# years, one from 12 months); car loans run from six months to ten years.
MAX_LOAN_YEARS = 10
MAX_LOAN_MONTHS = 120
_TERM = re.compile(r"(\d+(?:\.\d+)?|[一二三四五六七八九十]+)\s*(期|个月|月|年)?")
_CHINESE_NUMBERS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def normalise_loan_term(raw: Cell) -> Clean[int]:
    """A loan's term in months: "36期", "36个月", 36 -> 36; "3年", "三年", 3 -> 36."""
    if is_blank(raw):
        return EMPTY
    text = re.sub(r"\s", "", nfkc(cell_text(raw)))
    match = _TERM.fullmatch(text)
    if not match:
        return refused("loan_term_invalid")
    number, unit = match.groups()
    tens, ten, ones = number.partition("十")
    if number[0].isdigit():
        value = Decimal(number)
    elif len(number) == 1:
        value = Decimal(_CHINESE_NUMBERS[number])
    elif ten and len(tens) <= 1 and len(ones) <= 1 and "十" not in tens + ones:
        # 十二, 二十, 三十六
        value = Decimal(_CHINESE_NUMBERS.get(tens, 1) * 10 + _CHINESE_NUMBERS.get(ones, 0))
    else:  # 一二, 十十: no number
        return refused("loan_term_invalid")
    years = unit == "年" or (unit is None and value <= MAX_LOAN_YEARS)
    months = value * 12 if years else value
    if months != months.to_integral_value() or not 6 <= months <= MAX_LOAN_MONTHS:
        return refused("loan_term_invalid")
    return Clean(int(months))


# A call's length as call-centre exports write it: 00:01:23, 1:23, 83, 83秒, 1分23秒, 1h2m3s.
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?")
_UNITS = re.compile(r"(?:(\d+)(?:小时|时|h))?(?:(\d+)(?:分钟|分|m|min))?(?:(\d+(?:\.\d+)?)"
                    r"(?:秒钟|秒|s|sec))?")
# A day in seconds: a call's length is less (a number above is no length of a call).
_DAY_SECONDS = 86400


def normalise_duration(raw: Cell) -> Clean[int]:
    """A call's length in whole seconds: a number of seconds, a time of day or a duration
    (a cell formatted hh:mm:ss), 00:01:23 or 1:23 (minutes and seconds), 83秒, 1分23秒."""
    if is_blank(raw):
        return EMPTY
    seconds: float
    if isinstance(raw, dt.timedelta):
        seconds = raw.total_seconds()
    elif isinstance(raw, dt.time):
        seconds = raw.hour * 3600 + raw.minute * 60 + raw.second
    elif isinstance(raw, dt.datetime | dt.date):
        return refused("duration_invalid")
    elif (number := bare_number(raw)) is not None:
        seconds = float(number)
    else:
        text = re.sub(r"\s", "", nfkc(cell_text(raw))).lower()
        if clock := _CLOCK.fullmatch(text):
            hours, minutes, secs = (int(g or 0) for g in clock.groups())
            if secs >= 60 or (clock.group(1) is not None and minutes >= 60):
                return refused("duration_invalid")  # 1:99 is no clock's
            seconds = hours * 3600 + minutes * 60 + secs
        elif text and (units := _UNITS.fullmatch(text)) and any(units.groups()):
            seconds = sum(float(g or 0) * unit for g, unit in zip(units.groups(),
                                                                   (3600, 60, 1), strict=True))
        else:
            return refused("duration_invalid")
    if not 0 <= seconds < _DAY_SECONDS:
        return refused("duration_invalid")
    return Clean(round(seconds))


def normalise_id_number(raw: Cell, today: dt.date) -> Clean[tuple[dt.date, str]]:
    """(birthday, gender "M"/"F") read from a mainland resident ID card number: 18 characters
    (GB 11643: birth date at 7–14, the 17th digit odd for a man, a check character) or the
    older 15 digits (birth date YYMMDD at 7–12 in the 1900s, the last digit odd for a man).
    The number itself is not kept. Anything else (a passport, a company's credit code) gives
    nothing; a number of that shape with a wrong check character or no real birth date gives
    nothing and says so."""
    text = re.sub(r"[\s\-]", "", nfkc(cell_text(raw))).upper()
    if _ID_18.fullmatch(text):
        check = _ID_CHECK[sum(int(c) * w for c, w in zip(text, _ID_WEIGHTS, strict=False)) % 11]
        digits, sex = (text[6:14] if check == text[17] else ""), text[16]
    elif _ID_15.fullmatch(text):
        digits, sex = "19" + text[6:12], text[14]
    else:
        return EMPTY
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return refused("id_number_invalid")
    if not dt.date(1900, 1, 1) <= born <= today:
        return refused("id_number_invalid")
    return Clean((born, "M" if int(sex) % 2 else "F"))


# Where one item of a list typed in a cell ends: a line break or a semicolon of either width.
_ITEM_BREAK = re.compile(r"[\r\n；;]+")
# The number a listed item starts with: 1. 1、 1) （1） ①.
_ITEM_NUMBER = re.compile(r"^\s*(?:[(（]?\d{1,2}[.、．)）](?!\d)|[\u2460-\u2473])\s*")


def normalise_items(raw: Cell, max_length: int | None = None) -> Clean[tuple[str, ...]]:
    """A list typed in one cell, one item a line or parted by semicolons ("1. 更换刹车片；
    2、四轮定位"): each item trimmed and unnumbered, placeholders and repeats left out, each cut
    to `max_length` with a warning."""
    items: list[str] = []
    cut = False
    for part in _ITEM_BREAK.split(cell_text(raw)):
        text = _squeeze(_ITEM_NUMBER.sub("", part, count=1))
        if nfkc(text).lower() in PLACEHOLDERS:
            continue
        if max_length is not None and len(text) > max_length:
            text, cut = text[:max_length], True
        if text not in items:
            items.append(text)
    if not items:
        return EMPTY
    return kept(tuple(items), "text_truncated") if cut else Clean(tuple(items))


_NAME_QUOTES = "\"'“”‘’「」『』"


def normalise_name(raw: Cell, max_length: int | None = 64) -> Clean[str]:
    """A person's or company's name. Spaces between two Chinese characters are dropped as well:
    "张　三" is padding to line names up, and the duplicate check compares names exactly. A
    title or remark after a full name is left out (services/customers/names.py bare_name),
    with a warning."""
    result = normalise_text(raw, max_length)
    if result.value is None:
        return result
    # Quote marks around it, or one typed by mistake before it ("赵六 from a CSV whose quote
    # opened no cell), are not part of anyone's name.
    name = _SPACE_BETWEEN_CJK.sub("", result.value).strip(_NAME_QUOTES).strip()
    if not name:
        return EMPTY
    if (bare := bare_name(name)) is not None:
        return Clean(bare, (*result.problems, Problem("name_note_removed", "warning")))
    return Clean(name, result.problems)


# ---------------------------------------------------------------------------- plates and VINs

_PLATE_JUNK = re.compile(r"[\s·•.．・\-_]+")
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]"
    r"[A-Z0-9]{4,6}[挂学警港澳领试超]?"
)
# Words for a car without its plate yet (无牌, 未上牌, 新车未上牌, 临时牌照, 车牌待定): a plate
# always has letters and digits, so Chinese words naming a plate (牌) or a new car are none.
_NO_PLATE = re.compile(r"[^A-Z0-9]*(牌|新车)[^A-Z0-9]*")


def normalise_plate(raw: Cell) -> Clean[str]:
    """Upper-cased without spaces or dots (粤A·12345 -> 粤A12345); an unusual shape is kept
    with a warning (military, old-style and foreign plates exist)."""
    text = _PLATE_JUNK.sub("", nfkc(cell_text(raw))).upper()
    if text.lower() in PLACEHOLDERS or _NO_PLATE.fullmatch(text):
        return EMPTY
    if not _PLATE.fullmatch(text):
        return kept(text[:12], "plate_unusual")
    return Clean(text)


VIN_CHARS = frozenset("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_VALUES: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_FIXES = str.maketrans({"O": "0", "I": "1", "Q": "0"})


def vin_check_digit(vin: str) -> str:
    """ISO 3779 / GB 16735 check character for position 9 of a 17-character VIN."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def normalise_vin(raw: Cell) -> Clean[str]:
    """Upper-cased, spaces removed. A wrong check digit is a warning: several makers' imported
    cars carry none. O, I and Q (never used in VINs) are read as 0, 1 and 0 only when the check
    digit then agrees; otherwise the VIN is refused."""
    text = re.sub(r"[\s\-]+", "", nfkc(cell_text(raw))).upper()
    if text.lower() in PLACEHOLDERS:
        return EMPTY
    if len(text) != 17:
        return refused("vin_length")
    if not VIN_CHARS.issuperset(text):
        fixed = text.translate(_VIN_FIXES)
        if VIN_CHARS.issuperset(fixed) and vin_check_digit(fixed) == fixed[8]:
            return kept(fixed, "vin_letters_corrected")
        return refused("vin_invalid_chars")
    if vin_check_digit(text) != text[8]:
        return kept(text, "vin_check_digit")
    return Clean(text)


# ---------------------------------------------------------------------------- numbers

# 元整 as a receipt writes it (680元整: 680 yuan exactly).
_CURRENCY = re.compile(r"人民币|rmb|cny|¥|\$|元整|圆整|元|圆|块")
_MULTIPLIERS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?")
_CENT = Decimal("0.01")
# No bill or car of a dealer comes near 100 million yuan (the dearest cars sold in China list at
# some 30–50 million); an 11-digit mobile pasted into an amount cell is 10^10 or more, which
# the amount columns (12 digits, 2 after the point) cannot hold.
MAX_AMOUNT = Decimal(10) ** 8


# Thousands grouped by commas (1,234,567.89), or by dots before a decimal comma (1.234,56;
# 3.200,00) or alone in two groups or more (1.234.567); a comma before one or two digits and
# no other separator is a decimal comma (800,5). Any other comma (1,2345; 12,345,67) says nothing
# certain: the number is not read, rather than read as another.
_COMMA_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?[^\d.,]?")
_DOT_THOUSANDS = re.compile(r"[-+]?\d{1,3}((\.\d{3})*,\d{1,2}|(\.\d{3}){2,})[^\d.,]?")


def _separators(text: str) -> str | None:
    """The number's text with its thousands separators taken out and its decimal mark a dot;
    None when its commas and dots can be read more than one way."""
    if "," not in text and text.count(".") < 2:
        return text
    if _COMMA_THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    if _DOT_THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    return None


def decimal_in(raw: Cell, units: re.Pattern[str]) -> Decimal | None:
    """The number in a cell, with 万 / 千 / k multipliers and the given unit words removed."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    if not isinstance(raw, str):
        return None
    # U+2212, the minus sign of typeset text (NFKC keeps it), is a minus as "-" is.
    text = units.sub("", nfkc(raw).lower()).replace("\u2212", "-")
    text = re.sub(r"[\s']", "", text)
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if len(text) > 1 and text.endswith("-") and text[0] not in "+-":
        text = "-" + text[:-1]  # an accounts system's trailing minus: 800-
    separated = _separators(text)
    if separated is None:
        return None
    text = separated
    factor = 1
    if text and text[-1] in _MULTIPLIERS:
        factor = _MULTIPLIERS[text[-1]]
        text = text[:-1]
    if not _NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text) * factor
    except InvalidOperation:
        return None
    return -value if negative else value


# A money or km column whose header names 万 (ten thousand) as its unit: 开票价格(万元),
# 车价/万, 行驶里程（万公里）. Its bare numbers are in 万: 18.5 is 185,000 yuan, 3.2 is 32,000
# km. A number of 10,000 or more was typed in yuan or km whatever the header says (no car
# costs 10,000万), and a cell naming its own unit (185,000元, 18.5万) is read by it.
WAN = 10_000
# No car is sold for less than this many yuan, and car prices typed in 万 run from about 3 to a
# few hundred: a price column whose every bare number is below it is in 万 (18.5 is 185,000).
PRICE_IN_WAN_BELOW = 1000
# A bare number: digits with a sign, thousands separators or a decimal mark, nothing else.
_BARE = re.compile(r"[-+]?[\d,.]+")


def header_factor(header: str | None) -> int:
    """WAN for a header naming 万 as its unit, else 1."""
    return WAN if header and "万" in nfkc(header) else 1


def bare_number(raw: Cell) -> Decimal | None:
    """The number of a cell holding a number and nothing else (no unit, no 万 of its own)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        return None
    if isinstance(raw, str) and not _BARE.fullmatch(re.sub(r"\s", "", nfkc(raw))):
        return None
    return decimal_in(raw, _CURRENCY)


def in_header_unit(raw: Cell, factor: int) -> tuple[Cell, bool]:
    """`raw` in its column's unit (`factor`: header_factor, or WAN for a column of car prices
    all below PRICE_IN_WAN_BELOW): a bare number below `factor` times it, and True when it
    was."""
    if factor == 1:
        return raw, False
    value = bare_number(raw)
    if value is None or abs(value) >= factor:
        return raw, False
    return value * factor, True


def normalise_amount(raw: Cell) -> Clean[Decimal]:
    """Money to Decimal with two places: "15.8万" -> 158000.00, "¥158,000.00", "158000元",
    "壹拾伍万捌仟元整"."""
    return _money(raw, signed=False)


def normalise_signed_amount(raw: Cell) -> Clean[Decimal]:
    """A purchase's amount, which a refund writes negative (-800, (800), -3,200.00元): read as
    normalise_amount reads money, the sign kept."""
    return _money(raw, signed=True)


def _money(raw: Cell, *, signed: bool) -> Clean[Decimal]:
    """Money to Decimal with two places; a negative amount refused unless `signed`."""
    if is_blank(raw):
        return EMPTY
    if isinstance(raw, str) and nfkc(raw).strip() in ("免费", "免单"):
        return Clean(Decimal("0.00"))
    value = decimal_in(raw, _CURRENCY)
    if value is None and isinstance(raw, str):
        value = capital_amount(nfkc(raw))  # 壹佰元整, as a bill writes it beside the figures
    if value is None:
        return refused("amount_invalid")
    if value < 0 and not signed:
        return refused("amount_negative")
    if abs(value) > MAX_AMOUNT:
        return refused("amount_implausible")
    return Clean(value.quantize(_CENT, ROUND_HALF_UP))


def normalise_price(raw: Cell) -> Clean[Decimal]:
    """A car's price paid, read as an amount. 0 (or 0.00) is what exports write for "not
    known", as for km: no car is sold for nothing, and a price of 0 would put its owner among
    the cheapest buyers. (A visit's amount of 0 is a free check, and stays.) A bare number
    below PRICE_IN_WAN_BELOW is in 万, with a warning: no car costs ¥12.58, and a column that
    mixes ¥179,800.00, 21.98万 and 12.58 (so is not in 万 as a whole: columns.py) has one
    typed in 万 without its unit. A column in 万 as a whole arrives here multiplied already."""
    small = bare_number(raw)
    if small is not None and 0 < small < PRICE_IN_WAN_BELOW:
        result = normalise_amount(small * WAN)
        return Clean(result.value, (*result.problems, Problem("price_bare_in_wan", "warning")))
    result = normalise_amount(raw)
    if result.value is not None and result.value == 0:
        return refused("price_zero")
    return result


_KM_UNITS = re.compile(r"公里|千米|km|里")
MAX_KM = 2_000_000
# A car is seldom driven more than 1,000 km in a day (twelve hours on a motorway); a reading
# that rose by more than twice that a day since the one before it has a digit too many.
MAX_KM_PER_DAY = 2_000


def km_rise_implausible(previous_km: int, previous_day: dt.date, km: int,
                        day: dt.date) -> bool:
    """Whether `km` on `day` rose faster from the reading before it than a car is driven (a
    reading of the same day may add one day's driving)."""
    return km - previous_km > MAX_KM_PER_DAY * max((day - previous_day).days, 1)


# A reading typed as a round figure (约3万, 3万多, 8万公里左右, 32000+), as a caller notes what
# the owner said on the phone.
_KM_ABOUT = re.compile(r"^(?:大约|大概|约|近|将近|接近|差不多)|(?:多|余|左右|上下|出头|\+)$")


def normalise_km(raw: Cell) -> Clean[int]:
    """Odometer km as a whole number: "8.6万公里" -> 86000, "86,000 km"; a round figure said
    (约3万, 3万多) as written, with a warning. 0 is what exports write for "not known": kept as
    a reading dated today, it would bend every estimate of the car's km through it (a new
    car's 0 km at its purchase is assumed anyway)."""
    if is_blank(raw):
        return EMPTY
    about = False
    if isinstance(raw, str):
        text = _KM_UNITS.sub("", nfkc(raw).lower()).strip()
        figure = _KM_ABOUT.sub("", text).strip()
        about = figure != text
        raw = figure if about else raw
    value = decimal_in(raw, _KM_UNITS)
    if value is None and isinstance(raw, str):  # 8万6, 八万六千: as the owner said it
        said = whole_number("".join(_KM_UNITS.sub("", nfkc(raw).lower()).split()))
        value = None if said is None else Decimal(said)
    if value is None:
        return refused("km_invalid")
    if not 0 <= value <= MAX_KM:
        return refused("km_implausible")
    km = int(value.quantize(Decimal(1), ROUND_HALF_UP))
    if km == 0:
        return refused("km_zero")
    return kept(km, "km_approximate") if about else Clean(km)


def normalise_wechat(raw: Cell) -> Clean[str]:
    """A WeChat ID: WeChat allows letters, digits, "_" and "-" (older IDs are QQ or mobile
    numbers, digits too). A nickname, an emoji or Chinese text in the column cannot be searched
    for in WeChat, and is refused."""
    if is_blank(raw):
        return EMPTY
    text = re.sub(r"\s", "", nfkc(cell_text(raw)))
    if text.lower() in PLACEHOLDERS:
        return EMPTY
    return Clean(text) if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", text) else refused("wechat_invalid")


def normalise_postcode(raw: Cell) -> Clean[str]:
    """Six digits; a postcode stored as a number lost its leading 0 (010000 -> 10000)."""
    if is_blank(raw):
        return EMPTY
    text = re.sub(r"\s", "", nfkc(cell_text(raw)))
    if text.isdigit() and len(text) < 6 and not isinstance(raw, str):
        text = text.zfill(6)
    return Clean(text) if re.fullmatch(r"\d{6}", text) else refused("postcode_invalid")
