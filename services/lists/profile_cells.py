"""The 画像变化 (profile changes) cell of a filled-in call list, read into (attribute, value)
pairs as the profile service takes them (婚姻=已婚, or 已婚 alone), and a row's cells that cannot
be read said in English and Chinese (services/lists/outcomes.py reads the rest of the row)."""

from __future__ import annotations

import re
import unicodedata

from models.codes import PROFILE_ATTRIBUTES
from services import labels
from services.customers.profile import validate
from services.store.errors import RevisitError


class BadCell(ValueError):
    """A row that cannot be read, said in English (the exception's text) and Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


# The profile attributes whose values say which attribute they are, typed alone (已婚, 二孩,
# 退休, 老司机): a number (经济状况 3), a stage, 本人 or 其他 could be of another.
BARE_ATTRIBUTES = ("marital_status", "household", "employment", "driving_experience",
                   "temperament")


def _bare_change(part: str) -> tuple[str, str] | None:
    """(attribute, value) of a value typed without its attribute, when it is the value of one
    attribute only."""
    found = [(attr, code) for attr in BARE_ATTRIBUTES
             if (code := labels.code_of(attr, part)) is not None and code != "other"]
    return found[0] if len(found) == 1 else None


def read_profile_changes(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    # One change a line (Alt+Enter in a cell) or after ；/，/; and full-width ＝ or ： as typed
    # on a Chinese keyboard.
    text = unicodedata.normalize("NFKC", text)
    for part in re.split(r"[;，、\n]", text.replace("；", ";")):
        if not part.strip():
            continue
        key, sep, value = part.replace(":", "=").partition("=")
        if not sep and (alone := _bare_change(part)) is not None:
            out.append(alone)
            continue
        if not sep or "=" in value or not key.strip() or not value.strip():
            raise BadCell(f"profile change '{part.strip()}' is not like 婚姻=已婚",
                       f"画像变化“{part.strip()}”应写成“婚姻=已婚”这样，每项一行或用；隔开")
        attr = labels.code_of("attribute", key) or key.strip()
        value = labels.code_of(attr, value) or value.strip()
        try:
            validate(attr, value)
        except RevisitError as exc:
            raise _refused(part.strip(), key.strip(), value, exc) from None
        out.append((attr, value))
    return tuple(out)


# The profile service's refusals (services/customers/profile.py `validate`) by their template,
# as a caller reads them in the 画像变化 column: the attribute and its values by their labels
# ({typed}: the name as typed; {attributes}: what the profile holds).
REFUSALS: dict[str, tuple[str, str]] = {
    "Unknown profile attribute '{attribute}'.": (
        "'{typed}' is not in the customer profile: a phone number or an address is changed "
        "on the customer's page, not in this column (the profile holds {attributes})",
        "“{typed}”不在客户画像中：手机、电话和地址请在客户页面修改，不在此栏填写"
        "（画像项目：{attributes}）"),
    "'{value}' is not a valid value for {attribute} (allowed: {allowed}).": (
        "'{value}' is not a value of {attribute}; type one of {allowed}",
        "“{value}”不是{attribute}可填的值，请填写：{allowed}"),
    "The value for {attribute} is longer than 100 characters.": (
        "the value for {attribute} is longer than 100 characters; shorten it",
        "{attribute}的值超过 100 个字，请缩短"),
}


def _refused(part: str, typed: str, value: str, exc: RevisitError) -> BadCell:
    """The row's profile change `part` that the profile service refused with `exc`, said in
    English and Chinese from the refusal's template and values."""
    attr = str(exc.params.get("attribute", typed))
    said = {}
    for lang, sep in (("en", ", "), ("zh", "、")):
        allowed = PROFILE_ATTRIBUTES.get(attr) or ()
        words = {"typed": typed, "value": value,
                 "attribute": labels.text("attribute", attr, lang),
                 "attributes": sep.join(labels.text("attribute", a, lang)
                                        for a in PROFILE_ATTRIBUTES),
                 "allowed": sep.join(labels.text(attr, c, lang) for c in allowed)}
        pair = REFUSALS.get(exc.template)
        if pair is None:  # a refusal this module does not word: the service's own sentence
            said[lang] = str(exc)
        else:
            said[lang] = pair[0 if lang == "en" else 1].format(**words)
    shown = part if len(part) <= 40 else part[:40] + "…"
    return BadCell(f"profile change '{shown}': {said['en']}", f"画像变化“{shown}”：{said['zh']}")
