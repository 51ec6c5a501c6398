"""WeChat lists: each member's personalised message, ready to paste into a chat with their
WeChat ID, built from a text with merge fields by the rules SMS follow ({称呼}, {车型|您的爱车},
{店名} for the shop's name). A chat is not an SMS: no 【signature】, no opt-out words, no length
billing. A member lacking a value for a field without a fallback is left out ("缺少合并字段"),
never sent a message with a hole in it. `preview` counts the list before it is written: the
messages, the first of them and who is left out, by the same pass as the writer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from services.outputs.sms import Lacking, MergeText, missing_why, tally_lacking
from services.outputs.types import ListMember
from services.store.errors import N_

# Used when staff give no text of their own; with fallbacks, so it fits every member and a
# blank shop name in the settings.
DEFAULT_MESSAGE = ("{称呼|您}好！我是{店名|本店}的回访专员。您的{品牌车型|爱车}最近开着还顺心吗？"
                   "保养、用车上有任何问题，随时在微信上告诉我。")
UNKNOWN_IN_WECHAT = N_("The WeChat message uses unknown merge field(s) {fields}; known fields "
                       "are {known}.")
FIRST = 5  # messages a preview shows by default


@dataclass(frozen=True)
class WechatRow:
    member: ListMember
    message: str


def checked(text: str, shop_name: str) -> MergeText:
    """The message (DEFAULT_MESSAGE when empty), refused as the writer refuses it: an unknown
    merge field, an empty fallback, {店名} with no shop name."""
    merge = MergeText(text or DEFAULT_MESSAGE, shop_name)
    merge.check(UNKNOWN_IN_WECHAT)
    return merge


def render_each(members: Iterable[ListMember], text: str, shop_name: str
                ) -> Iterator[tuple[ListMember, str | None, tuple[str, ...]]]:
    """(member, message, ()) or (member, None, the merge fields it lacks), in order: the one
    pass both the writer and the preview make."""
    merge = checked(text, shop_name)
    for m in members:
        values = merge.values(m)
        lacking = merge.missing(m, values)
        yield (m, None, lacking) if lacking else (m, merge.fill(m, values), ())


def render_messages(members: Iterable[ListMember], text: str, shop_name: str
                    ) -> tuple[list[WechatRow], list[tuple[str, str]]]:
    """(the members with their messages, (row code, why) of those left out)."""
    rows: list[WechatRow] = []
    skipped: list[tuple[str, str]] = []
    for m, message, lacking in render_each(members, text, shop_name):
        if message is None:
            skipped.append((m.row_code, missing_why(lacking)))
        else:
            rows.append(WechatRow(m, message))
    return rows, skipped


@dataclass(frozen=True)
class WechatPreview:
    """The WeChat list of one message for a run's WeChat members, counted without writing."""

    members: int  # WeChat members of the run
    messages: int  # rows of the list: members with every merge field filled
    first: tuple[WechatRow, ...]
    lacking: tuple[Lacking, ...]  # who is left out, per merge field, most first
    skipped: tuple[tuple[str, str], ...]  # (row code, why), as the writer reports them

    @property
    def left_out(self) -> int:
        return len(self.skipped)


def preview(members: Sequence[ListMember], text: str, shop_name: str, *,
            first: int = FIRST) -> WechatPreview:
    """Count the list `text` makes of `members` in one pass; a bad message raises as the
    writer would."""
    shown: list[WechatRow] = []
    left_out: list[tuple[ListMember, tuple[str, ...]]] = []
    messages = 0
    for m, message, lacking in render_each(members, text, shop_name):
        if message is None:
            left_out.append((m, lacking))
            continue
        messages += 1
        if len(shown) < first:
            shown.append(WechatRow(m, message))
    return WechatPreview(
        members=len(members), messages=messages, first=tuple(shown),
        lacking=tally_lacking(left_out),
        skipped=tuple((m.row_code, missing_why(lacking)) for m, lacking in left_out))


def as_text(p: WechatPreview) -> list[str]:
    """The preview as lines for a terminal (the CLI prints these; the window lays out its
    own)."""
    lines = [f"WeChat preview — messages: {p.messages:,}, left out: {p.left_out:,} "
             f"(WeChat members: {p.members:,})"]
    lines += [f"  {x.as_text()}" for x in p.lacking]
    for row in p.first:
        lines.append(f"  {row.member.row_code} {row.member.name} ({row.member.wechat_id or ''})")
        lines.append(f"    {row.message}")
    return lines
