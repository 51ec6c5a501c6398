"""A satisfaction score as surveys write it (9, 9分, 4/5, ★★★★☆, 满意, 90%), kept on 0–10, and
the scale a score column's header names."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from services.imports.normalise import EMPTY, Cell, Clean, decimal_in, is_blank, kept, nfkc, refused

_POINTS = re.compile(r"分")
# The answers of a graded satisfaction question as DMS 回访记录 record them, on the 0–10 scale
# of scores (the usual five-point scale doubled: 非常满意 10 · 满意 8 · 一般 6 · 不满意 4 ·
# 非常不满意 2), so they fall in the bands a score does (high 9–10, middle 7–8, low 0–6).
SCORE_WORDS = {"非常满意": 10, "很满意": 10, "十分满意": 10, "特别满意": 10, "满意": 8,
               "比较满意": 8, "较满意": 8, "基本满意": 7, "一般": 6, "不满意": 4, "不太满意": 4,
               "较不满意": 4, "比较不满意": 4, "很不满意": 2, "非常不满意": 2, "极不满意": 2,
               "满分": 10,
               # Grades (优 良 中 差) and a review's words (好评 中评 差评), as other surveys
               # and app ratings record them; and English answers (looked up in lower case,
               # spaces taken out).
               "优": 10, "优秀": 10, "非常好": 10, "很好": 10, "好评": 10, "良": 8, "良好": 8,
               "较好": 8, "比较好": 8, "中": 6, "中等": 6, "中评": 6, "差": 4,
               "较差": 4, "比较差": 4, "不好": 4, "很差": 2, "非常差": 2, "极差": 2, "差评": 2,
               "verysatisfied": 10, "excellent": 10, "verygood": 10, "satisfied": 8,
               "good": 8, "neutral": 6, "average": 6, "fair": 6, "dissatisfied": 4, "poor": 4,
               "verydissatisfied": 2, "verypoor": 2}
# What a survey export writes in the score of a call that got no answers.
SURVEY_NOT_DONE = frozenset({"未接通", "无人接听", "未接", "关机", "停机", "空号", "占线",
                             "拒访", "拒绝回访", "不接受回访", "拒接", "未回访", "无法接通",
                             "号码错误", "错号", "拒绝评价", "客户拒绝评价", "不愿评价",
                             "未评价", "不予评价"})


# The scale a score column's header names: 百分制, 满分100, 得分(100分); 5分制, 1-5分, 满分5,
# 五分, 星级, 5星; 10分制, 满分10, 1～10; out of 5, 10-point. Scores are kept on 0–10, the
# bands every rule reads.
_SCALE_100 = re.compile(r"百分|(?<!\d)100\s*分|满分\s*100|(?:out\s*of|/)\s*100|100\s*-?\s*point",
                        re.IGNORECASE)
_RANGE_TO = r"(?<![\d.])[01]\s*[-–~～至到]\s*"
_OUT_OF = r"(?:满分|out\s*of)\s*"
_SCALE_5 = re.compile(rf"(?<![\d.])5\s*(?:分|星|-?\s*point|stars?)|五分|五星|星级|stars?\b"
                      rf"|{_OUT_OF}5(?![\d.])|{_RANGE_TO}5(?![\d.])", re.IGNORECASE)
_SCALE_10 = re.compile(rf"(?<![\d.])10\s*(?:分|-?\s*point)|十分制|{_OUT_OF}10(?![\d.])"
                       rf"|{_RANGE_TO}10(?![\d.])", re.IGNORECASE)
# A score that names its own scale: 4/5, 4.5 / 5, 85/100, 8分/10分.
_OWN_SCALE = re.compile(r"(.+?)\s*/\s*(5|10|100)\s*分?")
_STARS = re.compile(r"[★☆]+")
# Stars counted in a word (4星, 4.5 星, 四颗星, 5 stars): out of five, whatever the column.
_STAR_COUNT = re.compile(r"([0-5](?:\.5)?|[一二三四五])\s*(?:颗)?(?:星|stars?)", re.IGNORECASE)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}
# A score written as a percentage (90%, 90 %, ９０％, 87.5%): out of 100, whatever the column.
_PERCENT = re.compile(r"(.+?)%")


def named_scale(header: str | None) -> int | None:
    """The scale (5, 10 or 100) a score column's header names; None when it names none."""
    text = nfkc(header or "")
    if _SCALE_100.search(text):
        return 100
    if _SCALE_5.search(text):
        return 5
    return 10 if _SCALE_10.search(text) else None


def score_scale(header: str | None) -> int:
    """The scale (5, 10 or 100) of a score column, from its header; 10 unless it says."""
    return named_scale(header) or 10


def score_kind(raw: Cell) -> tuple[str, Decimal | None]:
    """How a score cell gives its score, to tell a column's scale by: ("number", the value) for
    a bare number ("4", 4.5, "9分"); ("of5", None) for stars or a score out of 5 (4/5);
    ("of", None) for one naming another scale (8/10, 85/100, 90%); ("", None) for a graded word
    (满意), a blank or what is no score."""
    if is_blank(raw) or isinstance(raw, bool):
        return "", None
    if isinstance(raw, str):
        text = re.sub(r"\s+", "", nfkc(raw))
        if text.lower() in SCORE_WORDS:
            return "", None
        if _STARS.fullmatch(text) or _STAR_COUNT.fullmatch(text):
            return "of5", None
        if own := _OWN_SCALE.fullmatch(text):
            return ("of5" if own[2] == "5" else "of"), None
        if _PERCENT.fullmatch(text):
            return "of", None
    value = decimal_in(raw, _POINTS)
    return ("", None) if value is None else ("number", value)


def normalise_score(raw: Cell, scale: int = 10) -> Clean[int]:
    """A satisfaction score kept on 0–10 ("9", 9.0, "9分"); halves are rounded up with a
    warning; a graded answer (非常满意 … 非常不满意) on that scale (SCORE_WORDS). A column on
    another scale (`scale`: 5 or 100, score_scale), a score that names its own (4/5, 85/100, a
    percentage: 90% is 90 of 100) and stars (★★★★☆, of five) are brought to 0–10 (85 of 100
    is 9, 4 of 5 is 8), as are stars counted in words (4星, 四颗星). A `scale` of 1 reads a
    column of fractions as percentages (0.9 is 9). A call that got no answers (未接通, 拒访)
    has no score, and is said so."""
    if is_blank(raw):
        return EMPTY
    percent = None
    text = ""
    if isinstance(raw, str):
        text = re.sub(r"\s+", "", nfkc(raw))
        if graded := SCORE_WORDS.get(text.lower()):
            return Clean(graded)
        if _STARS.fullmatch(text):
            raw, scale = text.count("★"), 5
        elif stars := _STAR_COUNT.fullmatch(text):
            raw, scale = _CHINESE_DIGITS.get(stars[1], stars[1]), 5
        elif own := _OWN_SCALE.fullmatch(text):
            raw, scale = own[1], int(own[2])
        elif percent := _PERCENT.fullmatch(text):
            raw, scale = percent[1], 100
    value = decimal_in(raw, _POINTS)
    if value is None:
        return refused("survey_not_done" if text in SURVEY_NOT_DONE else "score_invalid")
    if not 0 <= value <= scale:
        return refused("score_percent_out_of_range" if percent or scale == 1
                       else "score_out_of_range" if scale == 10
                       else f"score_out_of_range_{scale}")
    whole = int((value * 10 / scale).quantize(Decimal(1), ROUND_HALF_UP))
    if scale != 10:
        return Clean(whole)  # a step of the column's own scale is no rounding of the score
    return Clean(whole) if whole == value else kept(whole, "score_rounded")
