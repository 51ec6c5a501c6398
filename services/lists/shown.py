"""A stored list run's words in another language. A run keeps what its sheets print, in Chinese
(services/lists/snapshot.py: each member's best time, why each customer was left out), and the
files print it so; the window in English reads those words back into their parts, with the same
templates that made them, and says them in English. Words no template made (free text such as
a do-not-contact reason inside them is kept as typed; a detail cut at 200 characters) are shown
as stored."""

from __future__ import annotations

import functools
import re

from services.labels import LABELS, pick, text
from services.lists.snapshot import (
    ANY_TIME,
    BEST_TIME_JOINT,
    BLOCK_WORDS,
    CHANNEL_WORDS,
    CHANNELS_JOINT,
    EARLIER_BLOCK_WORDS,
    HOURS,
    LEFT_OUT_WORDS,
    NO_MOBILE,
    REFUSED_SINCE,
)

Pair = tuple[str, str]


def _chinese(lang: str) -> bool:
    return lang.lower().startswith("zh")


@functools.lru_cache(maxsize=64)
def _pattern(template: str) -> re.Pattern[str]:
    """A template's text with each {name} read back as a group of that name."""
    parts, at = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        parts += [re.escape(template[at:m.start()]), f"(?P<{m.group(1)}>.*?)"]
        at = m.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.S)


def _said_in(pair: Pair, stored: str, lang: str) -> str | None:
    """`stored`, made by pair's Chinese template, in `lang`; None when it did not make it."""
    m = _pattern(pair[0]).fullmatch(stored)
    if m is None:
        return None
    values = {k: pick(NO_MOBILE, lang) if k == "mobile" and v == NO_MOBILE[0] else v
              for k, v in m.groupdict().items()}
    return pick(pair, lang).format(**values)


@functools.lru_cache(maxsize=32)
def _codes(kind: str) -> dict[str, str]:
    """The vocabulary's codes by their Chinese labels."""
    return {zh: code for code, (zh, _en) in LABELS[kind].items()}


@functools.lru_cache(maxsize=4096)
def best_time_in(stored: str, lang: str) -> str:
    """A member's stored best time (工作日 上午/中午, 周末 13–14点, 不限) in `lang`."""
    if _chinese(lang) or not stored:
        return stored
    if stored == ANY_TIME[0]:
        return pick(ANY_TIME, lang)
    return pick(BEST_TIME_JOINT, lang).join(
        _time_part(part, lang) for part in stored.split(BEST_TIME_JOINT[0]))


def _time_part(part: str, lang: str) -> str:
    hours = _pattern(HOURS[0]).fullmatch(part)
    if hours is not None:
        return pick(HOURS, lang).format(**hours.groupdict())
    day = _codes("preferred_days").get(part)
    if day is not None:
        return text("preferred_days", day, lang)
    windows = [_codes("time_window").get(w) for w in part.split("/")]
    if all(windows):
        return "/".join(text("time_window", w, lang) for w in windows)
    return part


@functools.lru_cache(maxsize=4096)
def detail_in(stored: str, lang: str) -> str:
    """Why a customer was left out, as a run stored it (有未解决投诉…, 电话：手机号无效：（空）；
    微信：无微信号), in `lang`."""
    if _chinese(lang) or not stored:
        return stored
    for pair in (*LEFT_OUT_WORDS.values(), REFUSED_SINCE):
        said = _said_in(pair, stored, lang)
        if said is not None:
            return said
    return pick(CHANNELS_JOINT, lang).join(
        _channel_part(part, lang) for part in stored.split(CHANNELS_JOINT[0]))


def _channel_part(part: str, lang: str) -> str:
    """One channel's words (电话：手机号无效：（空）) in `lang`."""
    m = _pattern(CHANNEL_WORDS[0]).fullmatch(part)
    channel = None if m is None else _codes("list_channel").get(m["channel"])
    if m is None or channel is None:
        return part
    for (of, _block), pair in (*BLOCK_WORDS.items(), *EARLIER_BLOCK_WORDS.items()):
        said = _said_in(pair, m["words"], lang) if of == channel else None
        if said is not None:
            return pick(CHANNEL_WORDS, lang).format(
                channel=text("list_channel", channel, lang), words=said)
    return part


def segment_in(stored: str, lang: str) -> str:
    """A run's stored segment title in `lang`. A template saved under its key is stored as the
    template's Chinese name (before December 2026: its key with that name beside it,
    "matrix.7+.high（换车九宫格：…）"); it is said by its name in `lang`, as the list wizard
    says it. Any other name is the user's own, shown as stored."""
    from services.segments.service import template_segments  # the window has it loaded by now

    for template in template_segments():
        if stored in (template.zh, f"{template.key}（{template.zh}）"):
            return template.zh if _chinese(lang) else template.en
    return stored
