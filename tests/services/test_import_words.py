"""Code words typed in cells read as the stored codes: gender, payment, visit types, yes and no,
contact channels, purposes and outcomes as call centres and DMS exports word them, profile
attributes."""

from __future__ import annotations

import pytest

from services.imports import normalise as n
from services.imports import words as w


def codes(result: n.Clean) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in result.problems]


@pytest.mark.parametrize(
    ("function", "raw", "code"),
    [
        (w.normalise_gender, "男", "M"), (w.normalise_gender, "先生", "M"),
        (w.normalise_gender, "M", "M"), (w.normalise_gender, " 女士 ", "F"),
        (w.normalise_gender, "f", "F"), (w.normalise_gender, "小姐", "F"),
        (w.normalise_payment, "全款", "cash"), (w.normalise_payment, "现金", "cash"),
        (w.normalise_payment, "一次性付款", "cash"), (w.normalise_payment, "贷款", "loan"),
        (w.normalise_payment, "银行按揭", "loan"), (w.normalise_payment, "分期", "loan"),
        (w.normalise_payment, "厂家金融", "loan"), (w.normalise_payment, "租赁", "lease"),
        (w.normalise_payment, "融资租赁", "lease"), (w.normalise_payment, "Loan", "loan"),
        (w.normalise_visit_type, "保养", "maintenance"),
        # An English DMS's types.
        (w.normalise_visit_type, "Body & Paint", "accident"),
        (w.normalise_visit_type, "Bodyshop", "accident"),
        (w.normalise_visit_type, "Recall campaign", "warranty"),
        (w.normalise_visit_type, "首保", "maintenance"),
        # The shop-floor words of DMS exports: the second and third service, a quick service,
        # a quick or electrical repair.
        (w.normalise_visit_type, "二保", "maintenance"),
        (w.normalise_visit_type, "三保", "maintenance"),
        (w.normalise_visit_type, "快保", "maintenance"),
        (w.normalise_visit_type, "快修", "repair"), (w.normalise_visit_type, "机电维修", "repair"),
        (w.normalise_visit_type, "机电", "repair"), (w.normalise_visit_type, "大修", "repair"),
        (w.normalise_visit_type, "维修", "repair"), (w.normalise_visit_type, "一般维修", "repair"),
        (w.normalise_visit_type, "事故", "accident"),
        (w.normalise_visit_type, "事故维修", "accident"),
        (w.normalise_visit_type, "钣喷", "accident"), (w.normalise_visit_type, "保修", "warranty"),
        (w.normalise_visit_type, "索赔", "warranty"),
        (w.normalise_visit_type, "年检", "inspection"),
        (w.normalise_payment, "零首付", "loan"), (w.normalise_payment, "银行转账", "cash"),
        (w.normalise_payment, "刷卡", "cash"), (w.normalise_payment, "信用卡分期", "loan"),
        (w.normalise_gender, "公司", None),
        (w.normalise_visit_type, "质量担保", "warranty"),
        (w.normalise_visit_type, "PDI", "internal"),
        (w.normalise_visit_type, "内部工单", "internal"),
        (w.normalise_channel, "小程序", "wechat"), (w.normalise_channel, "公众号推送", "wechat"),
        (w.normalise_yes_no, "已闭环", True), (w.normalise_yes_no, "已回访", True),
        (w.normalise_yes_no, "已归档", True),
        (w.normalise_visit_type, "返修", "repair"), (w.normalise_visit_type, "外出救援", "repair"),
        (w.normalise_visit_type, "更换轮胎", "repair"),
        (w.normalise_visit_type, "四轮定位", "repair"),
        (w.normalise_visit_type, "新车检测", "internal"),
        (w.normalise_visit_type, "交车检查", "internal"),
        (w.normalise_visit_type, "补漆", "accident"),
        (w.normalise_visit_type, "划痕修复", "accident"),
        (w.normalise_visit_type, "更换玻璃", "repair"),
        (w.normalise_visit_type, "更换电瓶", "repair"),
        (w.normalise_visit_type, "刹车片更换", "repair"),
        (w.normalise_visit_type, "空调检修", "repair"),
        (w.normalise_yes_no, "是", True), (w.normalise_yes_no, "否", False),
        (w.normalise_yes_no, "已解决", True), (w.normalise_yes_no, "未解决", False),
        (w.normalise_yes_no, "Y", True), (w.normalise_yes_no, "n", False),
        (w.normalise_yes_no, 1, True), (w.normalise_yes_no, "0", False),
        (w.normalise_yes_no, True, True), (w.normalise_yes_no, "处理中", False),
        # Complaint states as other DMS write them: closed, withdrawn, compensated, settled …
        (w.normalise_yes_no, "正常关闭", True), (w.normalise_yes_no, "客户撤诉", True),
        (w.normalise_yes_no, "已赔付", True), (w.normalise_yes_no, "已和解", True),
        (w.normalise_yes_no, "已处理完毕", True),
        # … or still open: waiting for a reply or the customer's word, being negotiated.
        (w.normalise_yes_no, "待回复", False), (w.normalise_yes_no, "协商中", False),
        (w.normalise_yes_no, "升级处理", False), (w.normalise_yes_no, "客户不满意", False),
        (w.normalise_channel, "电话", "phone"), (w.normalise_channel, "微信", "wechat"),
        (w.normalise_channel, "短信", "sms"), (w.normalise_channel, "上门拜访", "visit"),
        (w.normalise_purpose, "满意度回访", "callback"),
        (w.normalise_purpose, "保养提醒", "reminder"), (w.normalise_purpose, "关怀", "care"),
        (w.normalise_purpose, "延保推荐", "sales"), (w.normalise_purpose, "精品推荐", "sales"),
        (w.normalise_purpose, "老客户推荐", "ref_ask"),
        # A second car or a trade-in offered is a sale, not a referral asked for.
        (w.normalise_purpose, "增购推荐", "sales"), (w.normalise_purpose, "置换推荐", "sales"),
        (w.normalise_purpose, "NPS调研", "survey"), (w.normalise_purpose, "车主讲堂", "marketing"),
        (w.normalise_purpose, "其他", None), (w.normalise_purpose, "其它", None),
        (w.normalise_outcome, "接通", "reached"), (w.normalise_outcome, "空号", "wrong_number"),
        (w.normalise_outcome, "客户要求不再联系", "refused"),
        (w.normalise_outcome, "不要再打了", "refused"), (w.normalise_outcome, "考虑中", "reached"),
        (w.normalise_outcome, "不考虑", "refused"),
        (w.normalise_outcome, "已添加微信", "reached"),
        (w.normalise_outcome, "微信未通过", "no_answer"),
        (w.normalise_outcome, "添加失败", "no_answer"),
        (w.normalise_outcome, "已上门", "reached"), (w.normalise_outcome, "不在家", "no_answer"),
        (w.normalise_outcome, "改约", "appointment"),
        (w.normalise_outcome, "无人接听", "no_answer"), (w.normalise_outcome, "已预约",
                                                        "appointment"),
    ],
)
def test_code_words(function, raw, code):
    assert function(raw) == n.Clean(code)


@pytest.mark.parametrize(("raw", "code"), [
    ("企微", "wechat"), ("彩信", "sms"), ("面访", "visit"), ("信件", "mail"), ("快递", "mail"),
    ("手机", "phone"), ("座机", "phone"), ("语音", "phone"), ("Call", "phone"),
    ("tel", "phone"),
])
def test_channels_as_call_centres_and_sheets_write_them(raw, code):
    # Each was refused as unknown, its row rejected (the channel is required).
    assert w.normalise_channel(raw) == n.Clean(code)


@pytest.mark.parametrize(("raw", "code"), [
    # What did not happen, holding the word of what would have: 无法接通 was taken as reached,
    # 接通未预约 as an appointment, 未成功 as reached.
    ("无法接通", "phone_off"), ("您拨打的电话暂时无法接通", "phone_off"),
    ("接通未预约", "reached"), ("接通已预约", "appointment"), ("未成功", "no_answer"),
    ("未接通", "no_answer"), ("未接听", "no_answer"), ("短信发送成功", "sent"),
    ("发送不成功", "failed"), ("未到达", "failed"), ("到达", "sent"),
    # Each refused as unknown before.
    ("不在服务区", "phone_off"), ("暂停服务", "phone_off"), ("无人应答", "no_answer"),
    ("通话中", "no_answer"), ("正在通话", "no_answer"), ("用户忙", "no_answer"),
    ("呼叫转移", "no_answer"), ("非本人", "wrong_number"), ("打错了", "wrong_number"),
    ("要求不再来电", "refused"), ("免打扰", "refused"), ("不感兴趣", "refused"),
    ("已接听", "reached"), ("客户在忙，稍后再联", "reached"), ("开车中", "reached"),
    ("有意向", "reached"), ("车已卖", "reached"), ("已回访", "reached"),
    # As before.
    ("接通后挂断", "refused"), ("拒绝预约", "refused"), ("占线", "no_answer"),
    # Refused as unknown before: a number found invalid, a call-back that failed, what the
    # customer said or did (so reached), a WeChat message read or not, no reply.
    ("无效号码", "wrong_number"), ("回访失败", "no_answer"), ("客户满意", "reached"),
    ("不满意", "reached"), ("客户抱怨", "reached"), ("已回复", "reached"), ("已读", "reached"),
    ("已到店", "reached"), ("未读", "sent"), ("客户未回复", "no_answer"),
    # Not reached, though 未联系 alone is a task not yet done; a task done is a reach.
    ("未联系上", "no_answer"), ("联系不上", "no_answer"), ("回访完成", "reached"),
    ("已完成", "reached"), ("已处理", "reached"),
    # A callback task not yet done: no contact (the import leaves such rows out).
    ("待回访", w.NOT_CONTACTED), ("未回访", w.NOT_CONTACTED), ("回访中", w.NOT_CONTACTED),
    ("未联系", w.NOT_CONTACTED), ("待跟进", w.NOT_CONTACTED), ("未完成", w.NOT_CONTACTED),
    ("已取消", w.NOT_CONTACTED), ("待发送", w.NOT_CONTACTED),
    # Refused as unknown before, each rejecting its row.
    ("已接", "reached"), ("已沟通", "reached"), ("客户忙", "reached"), ("已加微信", "reached"),
    ("无人", "no_answer"), ("转语音信箱", "no_answer"), ("已留言", "no_answer"),
    ("未沟通", "no_answer"), ("秒挂", "no_answer"), ("挂机", "no_answer"),
    ("号码不存在", "wrong_number"), ("无此号码", "wrong_number"), ("已发短信", "sent"),
    ("短信已发", "sent"), ("未发", "failed"), ("邀约成功", "appointment"),
    ("邀约失败", "reached"),
])
def test_call_centre_outcomes_read_as_what_happened(raw, code):
    assert w.normalise_outcome(raw) == n.Clean(code)


@pytest.mark.parametrize(
    ("function", "problem"),
    [(w.normalise_gender, "gender_unknown"), (w.normalise_payment, "payment_unknown"),
     (w.normalise_visit_type, "visit_type_unknown"), (w.normalise_yes_no, "yes_no_unknown"),
     (w.normalise_channel, "channel_unknown"), (w.normalise_purpose, "purpose_unknown"),
     (w.normalise_outcome, "outcome_unknown"),
     (w.normalise_contact_status, "status_unknown")],
)
def test_unknown_words_are_refused_and_blanks_are_empty(function, problem):
    assert codes(function("某某某")) == [(problem, "error")]
    assert function(None) == n.Clean(None)
    assert function("  ") == n.Clean(None)


@pytest.mark.parametrize("raw", ["电子邮件", "Email", "E-mail", "APP推送", "站内信", "抖音私信"])
def test_a_channel_revisit_keeps_no_record_of_is_refused_as_such(raw):
    # Said as what it is, not as a word not understood; a rich message to the phone's own
    # messaging app (5G 消息) and an IVR call are an SMS and a call.
    assert codes(w.normalise_channel(raw)) == [("channel_not_kept", "error")]
    assert w.normalise_channel("5G消息") == n.Clean("sms")
    assert w.normalise_channel("IVR") == n.Clean("phone")
    assert w.normalise_channel("公众号推送") == n.Clean("wechat")


def test_profile_attributes_by_label_or_short_form():
    assert w.normalise_attribute("已婚", "marital_status").value == "married"
    assert w.normalise_attribute("二孩", "household").value == "two_children"
    assert w.normalise_attribute(3, "economic_band").value == "3"
    assert codes(w.normalise_attribute("很好", "temperament")) == [("attribute_unknown",
                                                                   "error")]


@pytest.mark.parametrize(("raw", "code"), [
    # A call-centre's words and a telephone switch's dispositions: each rejected its row.
    ("ANSWERED", "reached"), ("BUSY", "no_answer"), ("CONGESTION", "no_answer"),
    ("unanswered", "no_answer"), ("正常通话", "reached"),
    # The agent ended the call: it was answered; the customer hanging up stays a refusal.
    ("坐席挂机", "reached"), ("坐席挂断", "reached"), ("客户挂断", "refused"),
    # The phone rejected or cut the call: no reach (they were read as refused, a reach),
    # 拒绝 the customer saying no.
    ("拒接", "no_answer"), ("挂断", "no_answer"), ("被挂断", "no_answer"),
    ("客户拒接", "no_answer"), ("拒绝接听", "no_answer"), ("拒绝", "refused"),
])
def test_outcomes_as_call_centre_exports_write_them(raw, code):
    assert w.normalise_outcome(raw) == n.Clean(code)


@pytest.mark.parametrize(("raw", "code"), [
    # An SMS vendor's send report: its gateway's status codes, a carrier's error code, the
    # vendor's own words. Each rejected its row; 提交成功 and 状态报告成功 were taken for a
    # reached customer.
    ("DELIVRD", "sent"), ("UNDELIV", "failed"), ("EXPIRED", "failed"), ("REJECTD", "failed"),
    ("UNKNOWN", "sent"), ("MK:0001", "failed"), ("DB:0141", "failed"), ("ID:0076", "failed"),
    ("提交成功", "sent"), ("已提交", "sent"), ("提交失败", "failed"), ("状态报告成功", "sent"),
    ("发送中", "sent"),
])
def test_an_sms_vendors_delivery_report_is_read(raw, code):
    assert w.normalise_outcome(raw) == n.Clean(code)
