"""WeChat lists: each member's personalised message, ready to paste into a chat with their
WeChat ID, built from a text with merge fields as SMS are ({称呼}, {车型|您的爱车}). A chat is
not an SMS: no 【signature】, no opt-out words, no length billing. A member lacking a value for
a field without a fallback is left out ("缺少合并字段"), never sent a message with a hole in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.outputs.sms import FIELD_RE, FIELDS, MISSING_FIELD, SmsTemplate, _field, _filled
from services.outputs.types import ListMember
from services.store.errors import N_, RevisitError

# Used when staff give no text of their own; {店名} is the shop's name from the settings.
DEFAULT_MESSAGE = ("{称呼|您}好！我是{店名}的回访专员。您的{车型|爱车}最近开着还顺心吗？"
                   "保养、用车上有任何问题，随时在微信上告诉我。")
SHOP_FIELD = "店名"


@dataclass(frozen=True)
class WechatRow:
    member: ListMember
    message: str


def render_messages(members: Iterable[ListMember], text: str, shop_name: str
                    ) -> tuple[list[WechatRow], list[tuple[str, str]]]:
    """(the members with their messages, (row code, why) of those left out)."""
    text = (text or DEFAULT_MESSAGE).replace("{" + SHOP_FIELD + "}", shop_name)
    specs = FIELD_RE.findall(text)
    unknown = sorted({_field(s)[0] for s in specs} - set(FIELDS))
    if unknown:
        raise RevisitError(
            N_("The WeChat message uses unknown merge field(s) {fields}; known fields are "
               "{known}."), fields=", ".join("{" + f + "}" for f in unknown),
            known=" ".join("{" + f + "}" for f in (*FIELDS, SHOP_FIELD)))
    merge = SmsTemplate(text, signature="", opt_out="")  # its merge rules, not its SMS rules
    rows: list[WechatRow] = []
    skipped: list[tuple[str, str]] = []
    for m in members:
        lacking = merge.missing(m)
        if lacking:
            skipped.append((m.row_code, f"{MISSING_FIELD}：" + "、".join(lacking)))
            continue
        rows.append(WechatRow(m, _fill(text, m)))
    return rows, skipped


def _fill(text: str, m: ListMember) -> str:
    return FIELD_RE.sub(lambda mt: _filled(mt.group(1), m), text).strip()
