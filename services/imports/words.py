"""Code words typed in cells (男 / 女士, 按揭, 首保, 已解决, 微信 …) read as the stored codes."""

from __future__ import annotations

import re

from services import labels
from services.imports import normalise
from services.imports.normalise import EMPTY, Cell, Clean, cell_text, is_blank, nfkc, refused

GENDER_WORDS = {
    "男": "M", "男性": "M", "先生": "M", "男士": "M", "m": "M", "male": "M", "man": "M",
    "女": "F", "女性": "F", "女士": "F", "小姐": "F", "f": "F", "female": "F", "woman": "F",
    # The national code of sex (GB/T 2261.1), as DMS and ID systems export it: 1 male,
    # 2 female (0 not known and 9 not stated are NO_GENDER).
    "1": "M", "2": "F",
}
# Checked in order, on the word with spaces removed: "融资租赁" is a lease before it is 金融.
PAYMENT_WORDS: tuple[tuple[str, str], ...] = (
    ("租", "lease"), ("lease", "lease"),
    ("贷", "loan"), ("按揭", "loan"), ("分期", "loan"), ("金融", "loan"), ("首付", "loan"),
    ("loan", "loan"),
    ("全款", "cash"), ("现金", "cash"), ("一次性", "cash"), ("全额", "cash"), ("现款", "cash"),
    ("付清", "cash"), ("cash", "cash"),
    # How a price paid in full was paid (a transfer, a card, an app): in full all the same.
    ("转账", "cash"), ("刷卡", "cash"), ("汇款", "cash"), ("支票", "cash"), ("支付宝", "cash"),
    ("微信", "cash"), ("pos", "cash"),
)
# A DMS's work orders that are no customer's visit: the pre-delivery inspection of a car not
# yet handed over (PDI) and the workshop's internal orders (内部工单). Rows of them are left out
# (services/imports/engine.py), never stored as visits.
NOT_A_VISIT = "internal"
# What a contact's outcome or status says of a task not yet done: no contact was made.
NOT_CONTACTED = "not_contacted"
VISIT_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("pdi", NOT_A_VISIT), ("内部", NOT_A_VISIT), ("售前检查", NOT_A_VISIT),
    # A new car checked before it is handed over: the PDI by another name.
    ("新车检", NOT_A_VISIT), ("交车检", NOT_A_VISIT),
    ("事故", "accident"), ("钣喷", "accident"), ("钣金", "accident"), ("喷漆", "accident"),
    # Bodywork: a scratch or dent put right, paint touched up.
    ("补漆", "accident"), ("划痕", "accident"), ("凹陷", "accident"),
    ("理赔", "accident"), ("出险", "accident"), ("accident", "accident"),
    # English DMS exports: Body & Paint, Bodyshop, Collision.
    ("body", "accident"), ("paint", "accident"), ("collision", "accident"),
    ("recall", "warranty"),
    ("保修", "warranty"), ("索赔", "warranty"), ("质保", "warranty"), ("三包", "warranty"),
    ("担保", "warranty"),
    ("召回", "warranty"), ("warranty", "warranty"),
    ("年检", "inspection"), ("年审", "inspection"), ("inspection", "inspection"),
    ("保养", "maintenance"), ("首保", "maintenance"), ("定保", "maintenance"),
    ("二保", "maintenance"), ("三保", "maintenance"), ("快保", "maintenance"),
    ("换油", "maintenance"), ("maintenance", "maintenance"),
    ("维修", "repair"), ("修理", "repair"), ("机修", "repair"), ("故障", "repair"),
    ("快修", "repair"), ("机电", "repair"), ("小修", "repair"), ("大修", "repair"),
    ("返修", "repair"), ("返工", "repair"), ("救援", "repair"), ("轮胎", "repair"),
    ("定位", "repair"), ("repair", "repair"),
    # A part's repair as work orders name it: glass, battery, brakes, air conditioning.
    ("玻璃", "repair"), ("电瓶", "repair"), ("蓄电池", "repair"), ("刹车", "repair"),
    ("制动", "repair"), ("空调", "repair"),
)
# What a dealer sells besides cars and service, as its exports name it: a renewed policy (商业险,
# 交强险, 续保), accessories and care products (精品, 装潢, 贴膜, 脚垫…), an extended warranty.
PURCHASE_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("延保", "extended_warranty"), ("延长保修", "extended_warranty"),
    ("延长质保", "extended_warranty"), ("extended warranty", "extended_warranty"),
    ("保险", "insurance"), ("续保", "insurance"), ("退保", "insurance"), ("商业险", "insurance"),
    ("交强险", "insurance"), ("险", "insurance"), ("保单", "insurance"), ("保费", "insurance"),
    ("insurance", "insurance"),
    ("精品", "accessory"), ("装潢", "accessory"), ("装饰", "accessory"), ("美容", "accessory"),
    ("贴膜", "accessory"), ("脚垫", "accessory"), ("配件", "accessory"), ("附件", "accessory"),
    ("加装", "accessory"), ("改装", "accessory"), ("用品", "accessory"),
    ("行车记录仪", "accessory"), ("accessor", "accessory"),
)
# Complaint states as DMS 投诉登记 exports write them, besides yes and no: closed (结案, 办结,
# 完结, 关闭, withdrawn by the customer, compensated, settled) or still open (pending, being
# handled or negotiated, escalated, followed up, waiting for a reply or the customer's
# confirmation call, the customer not satisfied with the answer).
YES_WORDS = frozenset({"是", "已", "有", "对", "y", "yes", "true", "t", "1", "√", "✓", "✔",
                       "已解决", "解决", "已处理", "处理完毕", "处理完成", "已完成", "完成",
                       "已关闭", "关闭", "结案", "已结案", "办结", "已办结", "完结", "已完结",
                       "已撤诉", "撤诉", "已撤销", "撤销", "客户撤诉", "已撤回", "已处理完毕",
                       "正常关闭", "超时关闭", "自动关闭", "已赔付", "赔付完成", "已赔偿",
                       "赔偿完成", "已和解", "和解", "resolved", "closed", "done",
                       # The last steps of a complaint's handling: closed loop, the customer
                       # called back after it, filed away.
                       "已闭环", "闭环", "已回访", "回访完成", "已归档", "归档"})
NO_WORDS = frozenset({"否", "未", "不", "n", "no", "false", "f", "0", "×", "✗", "✘",
                      "未解决", "未处理", "处理中", "跟进中", "待处理", "未完成", "进行中",
                      "未关闭", "未结案", "待结案", "结案中", "未办结", "待办结", "未完结",
                      "待解决", "解决中", "待跟进", "待回访", "回访中", "已受理", "受理中",
                      "待受理", "已升级", "升级处理", "挂起", "待回复", "未回复", "待确认",
                      "待反馈", "协商中", "暂缓", "客户不满意", "open", "pending", "unresolved",
                      "inprogress"})
CHANNEL_WORDS: tuple[tuple[str, str], ...] = (
    ("微信", "wechat"), ("短信", "sms"), ("邮寄", "mail"), ("信函", "mail"), ("寄信", "mail"),
    ("小程序", "wechat"), ("公众号", "wechat"),
    ("上门", "visit"), ("拜访", "visit"), ("到店", "visit"), ("面谈", "visit"),
    ("电话", "phone"), ("致电", "phone"), ("外呼", "phone"), ("来电", "phone"), ("呼", "phone"),
    # As call centres and hand-kept sheets also write them: 企微 (WeCom), 彩信 (an MMS), 面访,
    # a letter or a parcel sent, a call by mobile, landline or voice.
    ("企微", "wechat"), ("彩信", "sms"), ("面访", "visit"), ("信件", "mail"), ("快递", "mail"),
    ("手机", "phone"), ("座机", "phone"), ("语音", "phone"), ("call", "phone"),
    ("tel", "phone"), ("ivr", "phone"),
    # A rich message to the phone's own messaging app (5G 消息, RCS, 视频短信, 闪信).
    ("5g消息", "sms"), ("rcs", "sms"), ("视频短信", "sms"), ("闪信", "sms"),
)
# Checked in order (the first contained wins). Specific errands come before the generic 回访
# (any follow-up call): 续保回访 is about the insurance, 保养回访 a call-back after a service.
# 流失召回 wins back a lost customer (marketing); 召回 alone is a maker's recall.
PURPOSE_WORDS: tuple[tuple[str, str], ...] = (
    ("致谢", "ref_thanks"), ("感谢推荐", "ref_thanks"), ("老带新", "ref_ask"),
    ("转介绍", "ref_ask"),
    # 延保推荐 offers a product, 增购推荐 a second car; 推荐 alone asks for a referral.
    ("延保", "sales"), ("精品", "sales"), ("置换", "sales"), ("增购", "sales"),
    ("换购", "sales"), ("推荐", "ref_ask"),
    ("流失", "marketing"), ("休眠", "marketing"), ("沉睡", "marketing"), ("唤醒", "marketing"),
    ("激活", "marketing"), ("挽回", "marketing"), ("招揽", "marketing"),
    ("召回", "recall"),
    ("理赔", "care"), ("出险", "care"),  # an insurance claim after an accident
    ("续保", "reminder"), ("保险", "reminder"), ("年检", "reminder"), ("年审", "reminder"),
    ("提醒", "reminder"), ("到期", "reminder"), ("通知", "reminder"), ("未修", "reminder"),
    ("建议维修", "reminder"),
    ("回访", "callback"), ("满意度", "callback"), ("问卷", "survey"), ("调查", "survey"),
    ("调研", "survey"), ("nps", "survey"),
    ("关怀", "care"), ("问候", "care"), ("生日", "care"), ("节日", "care"), ("祝福", "care"),
    ("慰问", "care"), ("投诉", "care"), ("维系", "care"),
    ("首保", "reminder"), ("保养", "reminder"), ("定保", "reminder"),
    ("换车", "sales"),
    ("二手车", "sales"), ("销售", "sales"), ("购车", "sales"), ("试驾", "sales"),
    ("营销", "marketing"), ("活动", "marketing"), ("邀约", "marketing"), ("促销", "marketing"),
    ("优惠", "marketing"), ("讲堂", "marketing"), ("课堂", "marketing"), ("沙龙", "marketing"),
)
# Checked in order (the first contained wins), as call centres' exports word them. What did
# not happen comes before the word it holds: 无法接通 ("cannot be connected", the carrier's
# message for a phone off or out of reach) holds 接通, 接通未预约 holds 预约, 未成功 holds 成功,
# 无人接听 holds 接听, 未到达 holds 到达. Busy lines (占线, 通话中, 用户忙) are unanswered; a
# customer who answered but asked for another time (在忙, 开会, 稍后再联) was reached.
OUTCOME_WORDS: tuple[tuple[str, str], ...] = (
    ("未联系上", "no_answer"), ("联系不上", "no_answer"), ("没联系上", "no_answer"),
    # A callback task not yet done (待回访, 回访状态 of a DMS's task export): no contact.
    ("待回访", NOT_CONTACTED), ("未回访", NOT_CONTACTED), ("待联系", NOT_CONTACTED),
    ("未联系", NOT_CONTACTED), ("待跟进", NOT_CONTACTED), ("未跟进", NOT_CONTACTED),
    ("待外呼", NOT_CONTACTED), ("未外呼", NOT_CONTACTED), ("未拨打", NOT_CONTACTED),
    ("待拨打", NOT_CONTACTED), ("待处理", NOT_CONTACTED), ("未处理", NOT_CONTACTED),
    ("未开始", NOT_CONTACTED), ("未完成", NOT_CONTACTED), ("回访中", NOT_CONTACTED),
    ("已取消", NOT_CONTACTED), ("已作废", NOT_CONTACTED), ("作废", NOT_CONTACTED),
    ("待发送", NOT_CONTACTED),
    ("无法接通", "phone_off"), ("不在服务区", "phone_off"), ("暂停服务", "phone_off"),
    ("欠费", "phone_off"), ("停机", "phone_off"), ("关机", "phone_off"),
    ("空号", "wrong_number"), ("错号", "wrong_number"), ("号码错误", "wrong_number"),
    ("号码有误", "wrong_number"), ("打错", "wrong_number"), ("非本人", "wrong_number"),
    ("不是本人", "wrong_number"), ("换号", "wrong_number"), ("无效号码", "wrong_number"),
    ("号码无效", "wrong_number"), ("不存在", "wrong_number"), ("无此号码", "wrong_number"),
    ("发送失败", "failed"), ("发送不成功", "failed"), ("发送未成功", "failed"),
    ("未发送", "failed"), ("未送达", "failed"), ("未到达", "failed"), ("未发", "failed"),
    ("无人接", "no_answer"), ("未接", "no_answer"), ("无应答", "no_answer"),
    ("无人应答", "no_answer"), ("占线", "no_answer"), ("忙音", "no_answer"),
    ("通话中", "no_answer"), ("正在通话", "no_answer"), ("用户忙", "no_answer"),
    ("呼损", "no_answer"), ("呼叫转移", "no_answer"), ("呼叫失败", "no_answer"),
    ("外呼失败", "no_answer"), ("未成功", "no_answer"), ("不成功", "no_answer"),
    ("回访失败", "no_answer"), ("联系失败", "no_answer"), ("未回复", "no_answer"),
    ("没回复", "no_answer"), ("不回复", "no_answer"), ("未读", "sent"),
    # Nobody there, a voicemail (语音信箱, a message left), nothing said with anyone.
    ("无人", "no_answer"), ("语音信箱", "no_answer"), ("留言", "no_answer"),
    ("未沟通", "no_answer"),
    # A WeChat friend request not accepted, a visit that found nobody home.
    ("未通过", "no_answer"), ("未添加", "no_answer"), ("添加失败", "no_answer"),
    ("不在家", "no_answer"),
    ("未上门", "no_answer"),
    # A call-centre's words: the agent ended the call (坐席挂机), so it was answered; a switch's
    # dispositions (ANSWERED, NO ANSWER, BUSY, CONGESTION).
    ("坐席挂", "reached"), ("正常通话", "reached"), ("unanswered", "no_answer"),
    ("noanswer", "no_answer"), ("answered", "reached"), ("busy", "no_answer"),
    ("congestion", "no_answer"),
    # The phone rejected or cut the call before anyone spoke (拒接, 拒听, 被挂断, 挂断, 秒挂
    # "cut at once", 挂机): not reached, as a busy line is not. A call answered and then hung
    # up was a reach refused, and a call-centre export's 客户挂断 or 客户挂机 (the customer
    # ended the call) stays one.
    ("接通后挂", "refused"), ("客户挂断", "refused"), ("客户挂机", "refused"),
    ("拒接", "no_answer"), ("拒听", "no_answer"), ("拒绝接听", "no_answer"),
    ("挂断", "no_answer"), ("秒挂", "no_answer"), ("挂机", "no_answer"),
    # An invitation to come in: accepted is an appointment, declined a reach.
    ("邀约成功", "appointment"), ("邀约失败", "reached"),
    ("拒", "refused"), ("不再来电", "refused"), ("勿扰", "refused"),
    ("打扰", "refused"), ("黑名单", "refused"), ("退订", "refused"), ("不感兴趣", "refused"),
    ("不需要", "refused"), ("不再联系", "refused"), ("不要再", "refused"), ("别再", "refused"),
    ("不考虑", "refused"),
    ("改约", "appointment"),
    ("未预约", "reached"), ("不预约", "reached"), ("没预约", "reached"),
    ("预约", "appointment"), ("成交", "bought"), ("已购", "bought"),
    ("发送成功", "sent"), ("已发送", "sent"), ("送达", "sent"), ("到达", "sent"),
    ("已发", "sent"),
    # An SMS gateway's words and status reports (CMPP, SMGP): handed to it, delivered, or
    # not (expired, undeliverable, rejected); UNKNOWN is no report back.
    ("提交失败", "failed"), ("未提交", "failed"), ("提交", "sent"), ("发送中", "sent"),
    ("状态报告成功", "sent"), ("delivrd", "sent"), ("acceptd", "sent"), ("unknown", "sent"),
    ("undeliv", "failed"), ("expired", "failed"),
    ("rejectd", "failed"), ("deleted", "failed"),
    ("接通", "reached"), ("接听", "reached"), ("已联系", "reached"), ("已回访", "reached"),
    ("已接", "reached"), ("沟通", "reached"), ("客户忙", "reached"), ("已加微信", "reached"),
    ("成功", "reached"),
    ("在忙", "reached"), ("开会", "reached"), ("开车", "reached"), ("不方便", "reached"),
    ("没时间", "reached"), ("稍后", "reached"), ("再联", "reached"), ("改天", "reached"),
    ("意向", "reached"), ("投诉", "reached"), ("卖车", "reached"), ("已卖", "reached"),
    ("过户", "reached"), ("报废", "reached"), ("考虑", "reached"), ("添加", "reached"),
    ("加好友", "reached"), ("上门", "reached"),
    # What the customer said or did, so they were reached: satisfied or not, a complaint, a
    # reply, a message read, a visit made since.
    ("满意", "reached"), ("抱怨", "reached"), ("回复", "reached"), ("已读", "reached"),
    ("已到店", "reached"),
    # A callback task done (回访完成, 已完成, 已处理): the customer was reached.
    ("完成", "reached"), ("已处理", "reached"),
)


def _word(raw: Cell) -> str:
    return re.sub(r"\s+", "", nfkc(cell_text(raw))).lower()


def _lookup(raw: Cell, kind: str, words: tuple[tuple[str, str], ...], unknown: str) -> Clean[str]:
    """The code a word means: the code or its label (services.labels), else the first keyword
    the word contains."""
    if is_blank(raw):
        return EMPTY
    word = _word(raw)
    code = (labels.code_of(kind, word) or labels.code_of(kind, cell_text(raw))
            or _keyword_code(word, words))
    return Clean(code) if code is not None else refused(unknown)


def _keyword_code(word: str, words: tuple[tuple[str, str], ...]) -> str | None:
    """The code of the first keyword `word` contains."""
    return next((c for key, c in words if key in word), None)


# What a gender column says of a company customer: it has none, and that is no mistake.
NO_GENDER = frozenset({"公司", "单位", "企业", "集团", "机构", "法人", "company",
                       # Not known or not told: no mistake either.
                       "0", "9", "保密", "未说明", "未填"})


def normalise_gender(raw: Cell) -> Clean[str]:
    if is_blank(raw):
        return EMPTY
    word = _word(raw)
    # A code written as text with its decimals (1.0, 2.0): a CSV from a program that held the
    # column as numbers with gaps among them writes every code so.
    if len(word) > 2 and word[0].isdigit() and word[1] == "." and not word[2:].strip("0"):
        word = word[0]
    if word in NO_GENDER:
        return EMPTY
    code = GENDER_WORDS.get(word)
    return Clean(code) if code else refused("gender_unknown")


def normalise_payment(raw: Cell) -> Clean[str]:
    return _lookup(raw, "payment_method", PAYMENT_WORDS, "payment_unknown")


def normalise_purchase_kind(raw: Cell) -> Clean[str]:
    """insurance, accessory or extended_warranty by the words of the cell; any other kind of
    purchase is "other" (a purchase is kept whatever it was)."""
    if is_blank(raw):
        return EMPTY
    found = _lookup(raw, "purchase_kind", PURCHASE_KIND_WORDS, "purchase_kind_unknown")
    return found if found.value is not None else Clean("other")


def purpose_in(text: str) -> str | None:
    """The purpose a message's text names (保养到期 a reminder, 生日快乐 care), if any."""
    return _keyword_code(_word(text), PURPOSE_WORDS)


def purchase_kind_in(text: str | None) -> str | None:
    """The kind of purchase a text names (a description, a file's header), if any."""
    return _keyword_code(_word(text), PURCHASE_KIND_WORDS) if text else None


def normalise_visit_type(raw: Cell) -> Clean[str]:
    return _lookup(raw, "visit_type", VISIT_TYPE_WORDS, "visit_type_unknown")


# Ways of reaching a customer that are none of Revisit's channels: an e-mail, an app's push or
# inbox message, a short-video platform. Refused as such, not as a word not understood.
OTHER_CHANNELS = ("邮件", "email", "e-mail", "app", "站内信", "推送", "抖音", "小红书")


def normalise_channel(raw: Cell) -> Clean[str]:
    found = _lookup(raw, "channel", CHANNEL_WORDS, "channel_unknown")
    if found.value is None and found.problems and any(w in _word(raw) for w in OTHER_CHANNELS):
        return refused("channel_not_kept")
    return found


# A call-centre's call direction, in the column its exports head 呼叫类型: no purpose, and no
# mistake either.
CALL_DIRECTIONS = frozenset({"外呼", "呼出", "去电", "呼入", "来电", "inbound", "outbound",
                             "呼出通话", "呼入通话"})
# A purpose column's word for none in particular: no purpose, and no mistake either.
NO_PURPOSE = CALL_DIRECTIONS | {"其他", "其它", "other", "others", "无"}


def normalise_purpose(raw: Cell) -> Clean[str]:
    if not is_blank(raw) and _word(raw) in NO_PURPOSE:
        return EMPTY
    return _lookup(raw, "purpose", PURPOSE_WORDS, "purpose_unknown")


# A carrier's error code in an SMS status report (MK:0001, DB:0141, ID:0076): not delivered.
_GATEWAY_ERROR = re.compile(r"[a-z]{2}:\d{3,4}")


def normalise_outcome(raw: Cell) -> Clean[str]:
    if not is_blank(raw) and _GATEWAY_ERROR.fullmatch(_word(raw)):
        return Clean("failed")
    return _lookup(raw, "outcome", OUTCOME_WORDS, "outcome_unknown")


# Words that say an outcome and nothing more, besides its code and labels (the drop-down's):
# the older printed labels and their plain forms. Any other words read as an outcome (不在家:
# nobody answered, but someone at home did; 客户在忙稍后再联: reached, call later) say more than
# the outcome they are read as, and are kept with the contact (outcome_says_more).
OUTCOME_PLAIN = frozenset({
    "已接通", "通了", "接了", "未接", "未接通", "无人接", "没人接", "已关机", "空号", "错号",
    "号码错误", "错误号码", "拒绝", "已拒绝", "预约", "约了", "已约", "预约成功", "成交", "已成交",
    "已买", "已购买", "已发", "已发送", "发送成功", "发送失败", "失败",
    # What callers write on a list for the same outcomes (labels.ALIASES).
    "打不通", "没打通", "未打通", "没接", "没接通", "没接听", "未接听", "没人接听", "未应答",
    "接通了", "打通了", "已打通", "已接", "关机了", "手机关机", "预约了", "约好了", "已约好",
    "已购车", "已买车", "拒访"})


def outcome_says_more(raw: Cell) -> bool:
    """Whether an outcome cell's words say more than the outcome they are read as: anything but
    an outcome's code or label (as the list's drop-down offers them) or OUTCOME_PLAIN."""
    if is_blank(raw):
        return False
    word = _word(raw)
    said = {_word(w) for code in labels.codes("outcome")
            for w in (code, labels.text("outcome", code, "zh"), labels.text("outcome", code, "en"))}
    return word not in said and word not in OUTCOME_PLAIN


def _typo_wordings() -> dict[str, str]:
    """The outcome wordings a typo is read against: each outcome's Chinese label as the list's
    drop-down offers it, and each half of one naming two (空号/错号)."""
    found: dict[str, str] = {}
    for code in labels.codes("outcome"):
        label = labels.text("outcome", code, "zh")
        for wording in (label, *label.split("/")):
            found.setdefault(wording, code)
    return found


def one_off(typed: str) -> tuple[str, str] | None:
    """(wording, outcome code) of the one outcome wording `typed` is a character off from (as
    long, one character other, the rest the same: 接同 for 接通); None when no wording is, or
    more than one (X号 is one off 空号 and 错号 alike), or it is one character long."""
    typed = "".join(nfkc(typed).split())
    if len(typed) < 2:
        return None
    near = [(w, code) for w, code in _typo_wordings().items()
            if len(w) == len(typed) and sum(a != b for a, b in zip(w, typed, strict=True)) == 1]
    return near[0] if len(near) == 1 else None


def outcome_in_file(raw: Cell) -> Clean[str]:
    """An outcome cell of a contacts file, read as the list's read-back reads one: by its
    words (不在家, 客户在忙稍后再联), else as the one wording it is a character off from (接同
    for 接通), said in a note."""
    found = normalise_outcome(raw)
    if found.value is None and not is_blank(raw) and (near := one_off(cell_text(raw))):
        return Clean(near[1], (normalise.Problem("outcome_typo", "warning"),))
    return found


def normalise_contact_status(raw: Cell) -> Clean[str]:
    """A contact's status (已回访, 待回访) as the outcome it says; a word it does not know (正常)
    leaves the outcome to the outcome column."""
    return _lookup(raw, "outcome", OUTCOME_WORDS, "status_unknown")


def normalise_attribute(raw: Cell, attribute: str) -> Clean[str]:
    """A profile attribute's code ("已婚" -> married) by its code, label or short form."""
    if is_blank(raw):
        return EMPTY
    code = labels.code_of(attribute, nfkc(cell_text(raw)).strip())
    return Clean(code) if code is not None else refused("attribute_unknown")


_NOTE = re.compile(r"[(（\[【:：,，;；\-—]")


def _either(raw: Cell, yes: frozenset[str], no: frozenset[str], unknown: str) -> Clean[bool]:
    """True for a cell of `yes` (or Excel's TRUE), False for one of `no`, else the problem
    `unknown`; the cell whole, never a word inside it (不同意 holds 同意)."""
    if isinstance(raw, bool):
        return Clean(raw)
    word = _word(raw)
    # The word before a note: 已结案（客户满意）, 处理中-等配件.
    head = _NOTE.split(word, maxsplit=1)[0]
    for said in (word, head):
        if said in yes:
            return Clean(True)
        if said in no:
            return Clean(False)
    return refused(unknown)


def normalise_yes_no(raw: Cell) -> Clean[bool]:
    """是/否, 已解决/未解决, Y/N, 1/0, TRUE/FALSE cells and Excel booleans."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return EMPTY
    return _either(raw, YES_WORDS, NO_WORDS | {"无", "没有"}, "yes_no_unknown")


# Whole cells only: "不同意" contains "同意", so no keyword search.
CONSENT_YES = frozenset({"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "同意", "已同意",
                         "接受", "已接受", "愿意", "允许", "可以", "订阅", "已订阅", "有",
                         "授权", "已授权", "接收", "同意接收", "同意营销", "已同意营销",
                         "接受营销", "允许联系", "可联系", "可以联系",
                         "agree", "agreed", "granted", "optin", "opt-in"})
CONSENT_NO = frozenset({"否", "n", "no", "false", "f", "0", "×", "✗", "✘", "x", "不同意",
                        "未同意", "拒绝", "已拒绝", "不接受", "不愿意", "不允许", "退订",
                        "已退订", "未授权", "不授权", "不接收", "拒收", "拒绝营销",
                        "不同意营销", "不接受营销", "勿扰", "免打扰", "勿联系", "不可联系",
                        "不允许联系", "拒绝联系", "disagree", "refused", "declined", "optout",
                        "opt-out", "withdrawn"})


def normalise_consent(raw: Cell) -> Clean[bool]:
    """Marketing consent: 同意/不同意, 是/否, 已同意/未同意/拒绝, Y/N, 1/0, √/×, TRUE/FALSE
    and Excel booleans."""
    if is_blank(raw):
        return EMPTY
    return _either(raw, CONSENT_YES, CONSENT_NO, "consent_unknown")
