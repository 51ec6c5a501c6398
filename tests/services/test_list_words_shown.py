"""A stored run's words (best time, why left out) read back and said in English for the window:
every template the run stores in Chinese comes out as its English twin, from the same facts."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from services.lists.routing import LIST_CHANNELS, POSITIONS
from services.lists.shown import best_time_in, detail_in, segment_in
from services.lists.snapshot import (
    BLOCK_WORDS,
    LEFT_OUT_WORDS,
    best_time,
    exclusion_detail,
    refused_since_detail,
)

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _time(days=None, windows=None, start=None, end=None):
    return SimpleNamespace(preferred_days=days, time_windows=windows, hour_from=start,
                           hour_to=end)


@pytest.mark.parametrize("r", [
    _time(), _time("any"), _time("weekday"), _time("weekend", "morning,noon"),
    _time(None, "evening"), _time("weekday", None, 9, 10), _time("any", "afternoon", 13, 14),
    _time("weekend", "morning, noon,afternoon,evening"),
], ids=str)
def test_every_best_time_reads_back_in_english(r):
    stored = best_time(r)
    assert best_time_in(stored, "en") == best_time(r, "en")
    assert not CJK.search(best_time_in(stored, "en")), stored
    assert best_time_in(stored, "zh_CN") == stored


def test_best_times_in_english_read_as_english():
    assert best_time_in("工作日 上午/中午", "en") == "Weekdays, Morning/Noon"
    assert best_time_in("工作日 9–10点", "en") == "Weekdays, 9:00–10:00"
    assert best_time_in("不限", "en") == "Any time"
    # Words no template made are shown as stored.
    assert best_time_in("工作日 10–11点，周末不限", "en") == "Weekdays, 10–11点，周末不限"


def _left(why, **facts):
    r = dict(reason=why, step=why, dnc_reason=None, last_done=None, last_fail=None,
             same_as=None, mobile=None, last_wrong=None, failed_calls=0,
             **{f"o{i}": None for i in range(1, POSITIONS + 1)},
             **{f"{c}_block": None for c in LIST_CHANNELS})
    r.update(facts)
    return SimpleNamespace(**r)


WHOLE = [
    _left("dnc", dnc_reason="AAA"), _left("dnc"), _left("no_consent"), _left("complaint"),
    _left("recent_contact", last_done=dt.date(2026, 12, 2)),
    _left("on_list", on_list=27),
    _left("retry_later", last_fail=dt.datetime(2026, 11, 30, 9, 5)),
    _left("same_mobile", reason="same_mobile", step="sms", same_as="C0000123"),
]
# Each channel's block alone, then several channels in the customer's order.
BLOCKS = [
    _left("no_channel", o1=channel, **{f"{channel}_block": block}, dnc_reason="REASON",
          mobile=None if block == "no_mobile" else "020-81234567",
          last_wrong=dt.date(2026, 10, 13), failed_calls=3)
    for channel, block in BLOCK_WORDS
] + [
    _left("no_mobile", o1="wechat", o2="call", o3="sms", wechat_block="no_wechat",
          call_block="no_mobile", sms_block="no_mobile"),
    _left("dnc", o1="call", o2="sms", o3="mail", call_block="dnc", sms_block="dnc",
          mail_block="dnc", dnc_reason="R：x；y"),
]


@pytest.mark.parametrize("r", WHOLE + BLOCKS, ids=lambda r: f"{r.step}")
def test_every_exclusion_detail_reads_back_in_english(r):
    stored = exclusion_detail(r, 3, 9)
    assert CJK.search(stored)  # as the sheets print it
    shown = detail_in(stored, "en")
    assert shown == exclusion_detail(r, 3, 9, "en")
    if not (r.dnc_reason and CJK.search(r.dnc_reason)):
        assert not CJK.search(shown), shown
    assert detail_in(stored, "zh") == stored


def test_every_template_is_tried():
    steps = {r.step for r in WHOLE} | {r.reason for r in WHOLE}
    assert set(LEFT_OUT_WORDS) <= steps
    assert {(r.o1, getattr(r, f"{r.o1}_block")) for r in BLOCKS} >= set(BLOCK_WORDS)


def test_a_refusal_since_the_run_reads_back_in_english():
    stored = refused_since_detail(dt.date(2026, 12, 1), "短信退订 TD")
    assert stored == "名单生成后要求勿扰（2026-12-01 起）：短信退订 TD"
    assert detail_in(stored, "en") == refused_since_detail(dt.date(2026, 12, 1), "短信退订 TD",
                                                           "en") == (
        "Asked not to be contacted after the list was made (from 2026-12-01): 短信退订 TD")


def test_exclusion_details_in_english_read_as_english():
    assert detail_in("电话：手机号无效：（空），也无其他可拨打的电话", "en") == (
        "Phone: no valid mobile: (none), and no other number to call")
    assert detail_in("电话：手机号无效：12345，也无其他可拨打的电话；短信：手机号无效：12345",
                     "en") == ("Phone: no valid mobile: 12345, and no other number to call; "
                               "SMS: no valid mobile: 12345")
    # Runs stored before landlines were called said only this of a call.
    assert detail_in("电话：手机号无效：（空）", "en") == "Phone: no valid mobile: (none)"
    assert detail_in("2026-12-02 已联系（9 天内不再联系）", "en") == (
        "Contacted on 2026-12-02 (not again within 9 days)")
    assert detail_in("微信：无微信号；电话：2026-10-13 拨打为空号/错号", "en") == (
        "WeChat: no WeChat ID; Phone: wrong number when called on 2026-10-13")
    # The reason staff typed stays as typed; a detail cut short keeps its cut part.
    assert detail_in("全部渠道勿扰：客户要求不要打电话", "en") == (
        "Do not contact on any channel: 客户要求不要打电话")
    assert detail_in("微信：无微信号；电话：手机号无效：（空）；短", "en") == (
        "WeChat: no WeChat ID; Phone: no valid mobile: (none); 短")


@pytest.mark.parametrize(("stored", "zh", "en"), [
    # A template's run, stored by its name; before December 2026 by its key and name.
    ("换车九宫格：7+年 × 满意度高（9–10）", "换车九宫格：7+年 × 满意度高（9–10）",
     "Replacement matrix: 7+ years × high (9–10)"),
    ("matrix.7+.high（换车九宫格：7+年 × 满意度高（9–10））", "换车九宫格：7+年 × 满意度高（9–10）",
     "Replacement matrix: 7+ years × high (9–10)"),
    ("RFM：重要价值", "RFM：重要价值", "RFM: Important value"),
    ("老车主", "老车主", "老车主"),  # a user's own name, shown as typed
    ("matrix.7+.high（我的备注）", "matrix.7+.high（我的备注）", "matrix.7+.high（我的备注）"),
    ("无此模板（说明）", "无此模板（说明）", "无此模板（说明）"),
])
def test_a_runs_segment_title_is_a_templates_name_in_the_language(stored, zh, en):
    assert segment_in(stored, "zh_CN") == zh
    assert segment_in(stored, "en") == en
