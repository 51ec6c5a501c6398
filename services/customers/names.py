"""Whether two names can be one person's: what an import matches a stored customer by and what the
duplicates list reports. The same name, the same sounds (张叁 / 張三 / 张三: a pinyin input
method's slip) or a form of address with the surname (张先生 / 张三) can be; another name on the
same phone is another person sharing it (a wife, a son)."""

from __future__ import annotations

import re

from services.customers.pinyin import name_keys

# A name that is only a surname (one or two characters) and a form of address, what a hand-kept
# sheet writes when the full name is not known: 张先生, 欧阳女士, 王总. The title's gender, if any.
_ADDRESSED = re.compile(r"(\S{1,2}?)(先生|女士|小姐|太太|夫人|总|老板|师傅|经理)")
_TITLE_GENDER = {"先生": "M", "女士": "F", "小姐": "F", "太太": "F", "夫人": "F"}


def addressed(name: str) -> tuple[str, str | None] | None:
    """(surname, gender) of a name that is a form of address, None for a full name."""
    match = _ADDRESSED.fullmatch(name.strip())
    return None if match is None else (match[1], _TITLE_GENDER.get(match[2]))


# Two-character surnames (复姓), the common ones: 欧阳娜 is Ms 欧阳, not Ms 欧.
COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "上官", "诸葛", "司徒", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "申屠", "轩辕", "澹台", "呼延",
    "百里", "东郭", "太史", "钟离", "闻人", "赫连", "万俟", "司空", "濮阳", "淳于", "单于",
    "公冶", "宗政", "拓跋", "第五", "羊舌", "梁丘", "左丘", "东门", "乐正", "鲜于", "闾丘",
    "亓官", "司寇", "子车", "颛孙", "巫马", "公西", "漆雕", "壤驷", "公良", "谷梁", "段干",
    "归海", "南门", "仲孙", "叔孙", "季孙", "夹谷", "宰父", "范姜",
))


def surname(name: str | None) -> str | None:
    """The surname a greeting puts before 先生 or 女士: 张 of 张三 and of 张总, 欧阳 of 欧阳娜;
    None for a name that has none so read (a name in Latin letters, one written with the
    middle dot of minority names, 阿依古丽·买买提). Called for every member of a list run."""
    text = (name or "").strip()
    if not text or not ("\u3400" <= text[0] <= "\u9fff" or text[0] >= "\U00020000") \
            or "·" in text:
        return None
    return text[:2] if len(text) > 2 and text[:2] in COMPOUND_SURNAMES else text[:1]


# A person's full name with what a hand-kept sheet writes after it: a title (张三 先生,
# 李四女士, 王五（先生）) or a remark in brackets (赵六（VIP）, 钱七(老客户)). Stored with
# the name, it was printed on every list and SMS (尊敬的赵六（VIP）先生). Two or three
# characters before a title (张先生 and 欧阳先生 are a surname and a title, kept as written),
# two to four before a remark. (A name after a dash is left as written: 张三-李四 is a couple
# as often as 张三-老客户 is a remark.)
_TITLE_AFTER = re.compile(r"([\u4e00-\u9fff]{2,3})[(（]?(?:先生|女士|小姐)[)）]?")
_REMARK_AFTER = re.compile(r"([\u4e00-\u9fff]{2,4})[(（\[【][^()（）\[\]【】]{1,12}[)）\]】]")
# A hand-kept sheet's mark beside a name (*张三, 张三★★, #李四): a customer starred for the
# caller, not part of the name.
_MARKS = "*★☆#※"
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
# What makes a bracket part of a company's name (某某（中国）有限公司), not a remark.
_COMPANY_WORDS = ("公司", "集团", "有限", "中心", "分行", "支行", "门店", "厂", "局")


def bare_name(name: str) -> str | None:
    """The full name of a name written with a title or remark after it (张三 先生 -> 张三,
    李四（VIP） -> 李四) or a mark beside it (*张三); None for a name written without one."""
    text = name.replace(" ", "").replace("\u3000", "")
    if any(word in text for word in _COMPANY_WORDS):
        return None
    if (core := text.strip(_MARKS)) != text and core:
        inner = bare_name(core)
        return inner if inner is not None or not _CJK_NAME.fullmatch(core) else core
    if (match := _TITLE_AFTER.fullmatch(text)) is not None and match[1] not in COMPOUND_SURNAMES:
        return match[1]
    if (match := _REMARK_AFTER.fullmatch(text)) is not None:
        return match[1]
    return None


def same_person(name: str | None, stored: str | None, gender: str | None = None) -> bool:
    """Whether `name` can be the name of the customer stored as `stored`, of gender `gender`:
    the same name, the same sounds, or a form of address with their surname and not the other
    gender (张先生 is not 张丽, a woman); either written with a title or remark after it (a name
    stored as 张三（VIP） by an earlier version is 张三). A missing name says nothing against
    it."""
    if not name or not stored or name.strip() == stored.strip():
        return True
    bare, stored_bare = bare_name(name), bare_name(stored)
    if bare is not None or stored_bare is not None:
        return same_person(bare or name, stored_bare or stored, gender)
    if name_keys(name).pinyin == name_keys(stored).pinyin:
        return True
    given, kept = addressed(name), addressed(stored)
    if given is not None and kept is None:
        surname, title_gender = given
        return stored.strip().startswith(surname) and not (
            title_gender and gender and title_gender != gender)
    if kept is not None and given is None:
        return name.strip().startswith(kept[0])
    return False
