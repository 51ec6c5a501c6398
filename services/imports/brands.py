"""The brand written at the start of a model cell (车型 "大众 速腾", "丰田凯美瑞") taken out into
the brand, when the file gives no brand: the brands already stored and the common ones sold in
China are recognised."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from models import Vehicle

# Makes and joint-venture names staff type, Chinese and Latin (the stored brands are added).
COMMON_BRANDS = (
    "大众", "一汽-大众", "一汽大众", "上汽大众", "丰田", "一汽丰田", "广汽丰田", "本田", "广汽本田",
    "东风本田", "日产", "东风日产", "别克", "雪佛兰", "凯迪拉克", "福特", "长安福特", "奥迪",
    "一汽奥迪", "宝马", "华晨宝马", "奔驰", "梅赛德斯-奔驰", "北京奔驰", "现代", "北京现代",
    "起亚", "马自达", "长安马自达", "斯柯达", "标致", "东风标致", "雪铁龙", "东风雪铁龙",
    "雷克萨斯",
    "英菲尼迪", "讴歌", "沃尔沃", "路虎", "捷豹", "保时捷", "特斯拉", "三菱", "广汽三菱", "斯巴鲁",
    "铃木", "Jeep", "吉普", "林肯", "MINI", "比亚迪", "吉利", "吉利汽车", "领克", "极氪", "长城",
    "哈弗", "魏牌", "坦克", "欧拉", "长安", "长安汽车", "深蓝", "阿维塔", "奇瑞", "星途", "捷途",
    "红旗", "广汽传祺", "传祺", "埃安", "荣威", "名爵", "MG", "上汽通用五菱", "五菱", "宝骏",
    "蔚来", "小鹏", "理想", "问界", "零跑", "哪吒", "岚图", "极狐", "智己", "小米", "东风",
    "东风风神", "东风风行", "一汽", "奔腾", "北汽", "江淮", "江铃", "海马", "启辰", "腾势",
    "方程豹", "仰望", "几何", "睿蓝", "银河", "smart", "BMW", "Audi", "Benz", "Toyota", "Honda",
    "Nissan", "Buick", "Volkswagen", "VW", "Ford", "Tesla", "BYD", "Lexus", "Volvo", "Porsche",
)


def known_brands(conn: Connection, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The brands to look for, longest first (一汽大众 before 大众). One-letter brands and
    stored junk like "1" are left out: they would split models that merely start with them."""
    stored = conn.execute(select(Vehicle.brand).distinct()).scalars()
    names = {b.strip() for b in (*COMMON_BRANDS, *stored, *extra) if b and b.strip()}
    return tuple(sorted((b for b in names if len(b) >= 2 and not b.isdigit()),
                        key=lambda b: (-len(b), b)))


def _index(brands: Sequence[str]) -> dict[str, list[str]]:
    """The brands by their first letter (lower case), longest first as given."""
    index: dict[str, list[str]] = {}
    for brand in brands:
        index.setdefault(brand[0].lower(), []).append(brand)
    return index


def _split(model: str, index: dict[str, list[str]]) -> tuple[str, str] | None:
    text = model.strip()
    lower = text.lower()
    for brand in index.get(lower[:1], ()):
        if not lower.startswith(brand.lower()) or len(text) == len(brand):
            continue
        rest = text[len(brand):]
        if brand[-1].isascii() and brand[-1].isalnum() and rest[0].isascii() \
                and rest[0].isalnum():
            continue
        rest = rest.lstrip(" -·/")
        if rest:
            return text[:len(brand)], rest
    return None


def split_brand(model: str, brands: Sequence[str]) -> tuple[str, str] | None:
    """(brand, model) when `model` starts with one of `brands` (longest first) and more
    follows; a Latin brand only where its word ends (MG ZS, but not MGA)."""
    return _split(model, _index(brands))


def split_brands(brands: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """In place: a row with a model but no brand gets the brand its model starts with."""
    index = _index(brands)
    for v in rows:
        model = v.get("model")
        if isinstance(model, str) and not v.get("brand"):
            found = _split(model, index)
            if found is not None:
                v["brand"], v["model"] = found
