"""The merge rules SMS and WeChat messages share: {店名} is a merge field like the others, with
a fallback when the shop name is blank; an empty fallback, which would leave a hole, is refused
with one sentence naming the field; the members left out for a missing field are named."""

from __future__ import annotations

import pytest

from services.outputs import sms, wechat
from services.store.errors import RevisitError
from tests.services.test_outputs_files import member

SIGNATURE = "【广州丰田】"


def test_the_shop_name_is_a_merge_field_with_a_fallback():
    m = member(1, channel="sms")
    tpl = sms.SmsTemplate("{店名}提醒{称呼}：保养9折", SIGNATURE, shop_name="广州某某丰田")
    tpl.check()
    assert tpl.render(m) == "【广州丰田】广州某某丰田提醒陈先生：保养9折，回T退订"
    blank = sms.SmsTemplate("{店名|本店}提醒{称呼}：保养9折", SIGNATURE, shop_name=" ")
    blank.check()
    assert blank.render(m) == "【广州丰田】本店提醒陈先生：保养9折，回T退订"
    rows, skipped = wechat.render_messages([m], "{称呼}您好，{店名|本店}祝您用车愉快", "")
    assert [r.message for r in rows] == ["陈先生您好，本店祝您用车愉快"] and skipped == []
    with pytest.raises(RevisitError) as refused:
        wechat.render_messages([m], "{生日}", "广州某某丰田")
    assert "{店名}" in str(refused.value)  # named among the known fields, and accepted


@pytest.mark.parametrize("text", ["{称呼}您好，{店名}祝您用车愉快", ""])
def test_a_blank_shop_name_never_leaves_a_hole(text):
    m = member(1, channel="wechat")
    if text:  # {店名} without a fallback: the whole list refused, pointing to the setting
        with pytest.raises(RevisitError, match="shop name in the settings is empty") as e:
            wechat.render_messages([m], text, "")
        assert "Settings, Shop name" in str(e.value) and "{店名|本店}" in str(e.value)
        with pytest.raises(RevisitError, match="shop name in the settings is empty"):
            sms.SmsTemplate(text, SIGNATURE).check()
    else:  # the default message falls back to 本店
        (row,), _ = wechat.render_messages([m], text, "")
        assert "我是本店的回访专员" in row.message and "我是的" not in row.message


@pytest.mark.parametrize("spec", ["{车型|}", "{车型| }"])
def test_an_empty_fallback_is_refused_naming_the_field(spec):
    text = f"您的{spec}该保养了"
    for refuse in (lambda: sms.SmsTemplate(text, SIGNATURE).check(),
                   lambda: wechat.render_messages([member(1)], text, "广州某某丰田")):
        with pytest.raises(RevisitError, match="nothing after its bar") as e:
            refuse()
        assert "{车型|}" in str(e.value) and str(e.value).count(".") == 1


def test_the_members_lacking_a_field_are_named_in_the_wechat_preview():
    ms = [member(i, channel="wechat", brand="", model="", wechat_id=f"wx{i}")
          for i in range(1, 13)] + [member(13, channel="wechat", wechat_id="wx13")]
    shown = wechat.preview(ms, "{称呼}，您的{车型}该保养了", "广州某某丰田", first=3)
    assert (shown.members, shown.messages, shown.left_out) == (13, 1, 12)
    (lacking,) = shown.lacking
    assert lacking.named[:2] == ("9-0001 陈国1", "9-0002 陈国2") and lacking.more == 2
    assert [r.member.row_code for r in shown.first] == ["9-0013"]
    rows, skipped = wechat.render_messages(ms, "{称呼}，您的{车型}该保养了", "广州某某丰田")
    assert tuple(skipped) == shown.skipped and [r.message for r in rows] == [
        r.message for r in shown.first]
    lines = wechat.as_text(shown)
    assert lines[0] == "WeChat preview — messages: 1, left out: 12 (WeChat members: 13)"
    assert lines[1] == ("  缺少合并字段 车型：" + "、".join(f"9-{i:04d} 陈国{i}" for i in
                                                   range(1, 11)) + " … and 2 more")


@pytest.mark.parametrize("text", [
    "{称呼}您好", "尊敬的{称呼}，{店名}提醒您：{车型|您的爱车}该保养了{车型}", "{称呼}{车型|爱车}",
    "没有合并字段", "", "{ 称呼 }：{车牌|  }", "前{品牌}后{里程}尾{",
])
def test_a_filled_text_is_each_field_replaced_where_it_stands(text):
    def one_by_one(merge: sms.MergeText, m) -> str:  # each field as the pattern finds it
        def filled(spec: str) -> str:
            name, fallback = sms._field(spec)
            return merge.value(name, m) or (fallback or "")

        return sms.FIELD_RE.sub(lambda mt: filled(mt.group(1)), merge.text).strip()

    for m in (member(1, channel="sms"), member(2, channel="sms", model=None, plate=None)):
        merge = sms.MergeText(text, "广州某某丰田")
        assert merge.fill(m) == one_by_one(merge, m)
        assert merge.fill(m, merge.values(m)) == merge.fill(m)
        assert merge.values(m) == {f: merge.value(f, m) for f in merge.fields()}


def test_the_quick_search_finds_exactly_the_characters_the_rule_flags():
    found = sms._any_rejected()
    basic = map(chr, range(0x10000))
    assert [c for c in basic if bool(found.search(c)) != sms._rejected_by_rule(c)] == []
    for c in ("\U00010000", "😀", "𠮷", "\U0010ffff"):  # beyond U+FFFF: always flagged
        assert found.search(c) and sms._rejected_by_rule(c)
    assert sms.rejectable_characters("新年快乐★℃！") == ""  # GBK symbols are kept
    assert sms.rejectable_characters("新年快乐❤️✅❤") == "❤\ufe0f✅"


@pytest.mark.parametrize(("brand", "model", "named"), [
    ("丰田", "凯美瑞", "丰田凯美瑞"), ("宝马", "X3", "宝马X3"), ("BMW", "X3", "BMW X3"),
    ("哈弗", "哈弗H6", "哈弗H6"), (None, "X3", "X3"), ("宝马", " ", "宝马"),
    ("Jeep", "自由光", "Jeep自由光")])
def test_the_default_messages_name_the_car_by_brand_and_model(brand, model, named):
    m = member(1, channel="sms", brand=brand, model=model)
    for purpose in ("reminder", "sales", "recall"):
        text = sms.SmsTemplate(sms.default_text(purpose), SIGNATURE).render(m)
        assert f"您的{named}" in text, text
    (row,), _ = wechat.render_messages([m], "", "广州某某丰田")
    assert f"您的{named}最近开着还顺心吗" in row.message


def test_a_member_without_a_car_is_sent_the_default_messages_with_爱车():
    m = member(1, channel="sms", brand=None, model=None, plate="粤A12345")
    text = sms.SmsTemplate(sms.default_text("reminder"), SIGNATURE).render(m)
    assert text.startswith("【广州丰田】陈先生您好，您的爱车（粤A12345）近期该做保养了"), text
    (row,), skipped = wechat.render_messages([m], "", "")
    assert "您的爱车最近开着还顺心吗" in row.message and skipped == []


def test_each_default_sms_is_one_message_for_a_long_car_name_and_signature():
    # A 10-character signature, a four-character 称呼 and one of the longest names a car has.
    m = member(1, channel="sms", salutation="欧阳先生", brand="梅赛德斯-奔驰",
               model="GLC 260 L", plate="粤A·12345")
    for purpose, text in sms.DEFAULT_TEXTS.items():
        message = sms.SmsTemplate(text, "【广州宝丰汽车4S店】").render(m)
        assert sms.parts(sms.sms_length(message)) == 1, (purpose, message)
