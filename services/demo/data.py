"""Real, mutually consistent reference tables and seeded helpers for generating demo data."""

from __future__ import annotations

import functools
import itertools
import random
from typing import NamedTuple, TypedDict

__all__ = [
    "CITIES", "COMPLAINT_RESOLUTIONS", "COMPLAINT_TOPICS", "CUSTOMER_SOURCES", "EMPLOYER_FORMS",
    "EMPLOYER_INDUSTRIES", "EMPLOYER_INSTITUTIONS", "EMPLOYER_TRADE_NAMES", "FEEDBACK_BY_TOPIC",
    "FEEDBACK_SNIPPETS", "FEMALE_GIVEN_CHARS", "MALE_GIVEN_CHARS", "MOBILE_PREFIXES", "MODELS",
    "NEUTRAL_GIVEN_CHARS", "PLATE_LETTERS", "PROVINCE_ABBRS", "PROVINCES", "SALES_YEARS",
    "STREET_ROOTS", "STREET_SUFFIXES", "SURNAMES", "VIN_CHARS", "VIN_MODEL_YEAR_CODES",
    "VIN_WEIGHTS", "City", "Model", "Province", "VehiclePick", "is_valid_vin", "make_address",
    "make_employer", "make_mobile", "make_name", "make_plate", "make_vin", "model_year_code",
    "models_on_sale", "pick_vehicle", "price_range", "vin_check_digit",
]

# ---------------------------------------------------------------------------
# 1. Names
# ---------------------------------------------------------------------------

# (surname, approximate share of the population in per mille; household-register figures, rounded)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71.2), ("李", 70.0), ("张", 67.4), ("刘", 51.0), ("陈", 46.1), ("杨", 32.2),
    ("黄", 24.5), ("赵", 22.9), ("吴", 20.5), ("周", 19.7), ("徐", 16.3), ("孙", 15.2),
    ("马", 14.6), ("朱", 13.8), ("胡", 13.1), ("郭", 12.1), ("何", 11.8), ("林", 11.3),
    ("高", 10.8), ("罗", 9.0), ("郑", 9.7), ("梁", 8.3), ("谢", 8.1), ("宋", 7.6),
    ("唐", 7.5), ("许", 7.3), ("韩", 7.1), ("冯", 7.0), ("邓", 6.9), ("曹", 6.7),
    ("彭", 6.4), ("曾", 6.3), ("肖", 6.1), ("田", 5.9), ("董", 5.8), ("袁", 5.5),
    ("潘", 5.4), ("于", 5.2), ("蒋", 5.1), ("蔡", 5.0), ("余", 4.9), ("杜", 4.8),
    ("叶", 4.7), ("程", 4.6), ("苏", 4.5), ("魏", 4.4), ("吕", 4.3), ("丁", 4.2),
    ("任", 4.1), ("沈", 4.0), ("姚", 3.9), ("卢", 3.8), ("姜", 3.7), ("崔", 3.6),
    ("钟", 3.5), ("谭", 3.4), ("陆", 3.3), ("汪", 3.2), ("范", 3.1), ("金", 3.0),
    ("石", 2.9), ("廖", 2.8), ("贾", 2.7), ("夏", 2.6), ("韦", 2.5), ("付", 2.4),
    ("方", 2.3), ("白", 2.2), ("邹", 2.1), ("孟", 2.0), ("熊", 1.9), ("秦", 1.8),
    ("邱", 1.7), ("江", 1.6), ("尹", 1.5), ("薛", 1.4), ("闫", 1.3), ("段", 1.2),
    ("雷", 1.1), ("侯", 1.0), ("龙", 0.9), ("史", 0.9), ("黎", 0.8), ("贺", 0.8),
    ("顾", 0.8), ("毛", 0.7), ("郝", 0.7), ("龚", 0.7), ("邵", 0.6), ("万", 0.6),
    ("钱", 0.6), ("欧阳", 0.30), ("司徒", 0.10), ("上官", 0.05), ("司马", 0.05), ("诸葛", 0.03),
    ("东方", 0.03), ("皇甫", 0.02), ("令狐", 0.01),
)

MALE_GIVEN_CHARS: tuple[str, ...] = tuple(
    "伟强磊军勇杰涛斌超刚辉鹏飞鑫浩凯健俊帅旭龙建国峰亮成志兵东波海山江彬豪博睿轩宇哲皓昊振鸿"
    "德福贵富胜康庆栋力武雄威虎彪锋坤铭耀泽骏毅翔"
)
FEMALE_GIVEN_CHARS: tuple[str, ...] = tuple(
    "丽芳娜敏静秀英慧巧美娟霞燕艳玲婷雪琳丹萍红梅莉兰凤洁琴倩颖璐瑶怡欣悦佳雯晶妍茜蕾薇菲蓉媛"
    "姗珊露月彤萌梦诗涵琪淑惠贞莹娅婉菁岚娇琼妮"
)
NEUTRAL_GIVEN_CHARS: tuple[str, ...] = tuple(
    "文平安宁晓思子一新天春秋云阳光清永长世家金和乐欢瑞祥若雨星辰恒远方正立冰青心诚信达益昕逸舒"
    "朗晴梓沐语可亦然如书言泓予晨华"
)

_SURNAME_NAMES = tuple(s for s, _ in SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in SURNAMES))


def _given_char(rng: random.Random, gender: str) -> str:
    """One given-name character: 75 % from the gender's own pool, 25 % neutral."""
    if rng.random() < 0.25:
        return rng.choice(NEUTRAL_GIVEN_CHARS)
    return rng.choice(MALE_GIVEN_CHARS if gender == "M" else FEMALE_GIVEN_CHARS)


def make_name(rng: random.Random, gender: str) -> str:
    """A full Chinese name: weighted surname + 1 (30 %) or 2 (70 %) given-name characters."""
    if gender not in ("M", "F"):
        raise ValueError(f"gender must be 'M' or 'F', not {gender!r}")
    surname = rng.choices(_SURNAME_NAMES, cum_weights=_SURNAME_CUM)[0]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(_given_char(rng, gender) for _ in range(length))


# ---------------------------------------------------------------------------
# 2. Geography
# ---------------------------------------------------------------------------


class City(NamedTuple):
    name: str
    postcode: str  # city-level postcode
    plate_prefixes: tuple[str, ...]  # real plate prefixes: province abbreviation + office letter
    districts: tuple[str, ...]
    weight: float  # relative share of the demo dealer group's customers


class Province(NamedTuple):
    name: str
    abbr: str  # one-character abbreviation used on plates
    postcode_prefixes: tuple[str, ...]  # first two digits of the province's postcodes
    cities: tuple[City, ...]


def _city(name: str, postcode: str, plates: str, weight: float, districts: str) -> City:
    """Compact table row: plates and districts are space-separated."""
    return City(name, postcode, tuple(plates.split()), tuple(districts.split()), weight)


# The demo dealer group sits in Guangdong (Guangzhou, Foshan, Shenzhen) and southern Jiangsu;
# a minority of customers live elsewhere. A municipality is both the province and the city.
PROVINCES: tuple[Province, ...] = (
    Province("广东省", "粤", ("51", "52"), (
        _city("广州市", "510000", "粤A", 30.0, "天河区 越秀区 海珠区 番禺区 白云区"),
        _city("深圳市", "518000", "粤B", 12.0, "福田区 南山区 罗湖区 宝安区 龙岗区"),
        _city("佛山市", "528000", "粤E", 14.0, "禅城区 南海区 顺德区 三水区"),
        _city("东莞市", "523000", "粤S", 8.0, "莞城街道 南城街道 东城街道 虎门镇 长安镇"),
    )),
    Province("江苏省", "苏", ("21", "22"), (
        _city("南京市", "210000", "苏A", 12.0, "玄武区 秦淮区 鼓楼区 建邺区 江宁区"),
        _city("苏州市", "215000", "苏E", 10.0, "姑苏区 吴中区 相城区 虎丘区 昆山市"),
        _city("无锡市", "214000", "苏B", 5.0, "梁溪区 滨湖区 新吴区 锡山区 江阴市"),
        _city("常州市", "213000", "苏D", 3.0, "天宁区 钟楼区 新北区 武进区"),
    )),
    Province("北京市", "京", ("10",), (
        _city("北京市", "100000", "京A 京C 京E 京F 京H 京J 京K 京L 京M 京N 京P 京Q", 1.0,
              "朝阳区 海淀区 东城区 西城区 丰台区"),
    )),
    Province("上海市", "沪", ("20",), (
        _city("上海市", "200000", "沪A 沪B 沪D 沪E 沪F 沪G 沪H 沪J 沪K 沪L 沪M 沪N", 1.5,
              "浦东新区 徐汇区 静安区 闵行区 黄浦区"),
    )),
    Province("天津市", "津", ("30",), (
        _city("天津市", "300000", "津A 津B 津C 津D 津E", 0.4, "和平区 河西区 南开区 滨海新区"),
    )),
    Province("重庆市", "渝", ("40",), (
        _city("重庆市", "400000", "渝A 渝B 渝D", 0.6, "渝中区 江北区 渝北区 沙坪坝区 九龙坡区"),
    )),
    Province("浙江省", "浙", ("31", "32"), (
        _city("杭州市", "310000", "浙A", 1.0, "上城区 拱墅区 西湖区 滨江区 萧山区"),
        _city("宁波市", "315000", "浙B", 0.5, "海曙区 江北区 鄞州区 北仑区"),
        _city("温州市", "325000", "浙C", 0.4, "鹿城区 龙湾区 瓯海区 瑞安市"),
    )),
    Province("四川省", "川", ("61", "62", "63", "64"), (
        _city("成都市", "610000", "川A", 0.8, "锦江区 青羊区 武侯区 成华区 金牛区"),
        _city("绵阳市", "621000", "川B", 0.2, "涪城区 游仙区 江油市"),
    )),
    Province("山东省", "鲁", ("25", "26", "27"), (
        _city("济南市", "250000", "鲁A", 0.4, "历下区 市中区 槐荫区 历城区"),
        _city("青岛市", "266000", "鲁B", 0.4, "市南区 市北区 黄岛区 崂山区 李沧区"),
        _city("烟台市", "264000", "鲁F", 0.2, "芝罘区 莱山区 福山区"),
    )),
    Province("湖北省", "鄂", ("43", "44"), (
        _city("武汉市", "430000", "鄂A", 0.7, "江岸区 江汉区 武昌区 洪山区 汉阳区"),
        _city("宜昌市", "443000", "鄂E", 0.2, "西陵区 伍家岗区 夷陵区"),
        _city("襄阳市", "441000", "鄂F", 0.2, "襄城区 樊城区 襄州区"),
    )),
    Province("河南省", "豫", ("45", "46", "47"), (
        _city("郑州市", "450000", "豫A", 0.5, "金水区 中原区 二七区 管城回族区"),
        _city("洛阳市", "471000", "豫C", 0.2, "西工区 老城区 涧西区 洛龙区"),
    )),
    Province("福建省", "闽", ("35", "36"), (
        _city("福州市", "350000", "闽A", 0.4, "鼓楼区 台江区 仓山区 晋安区"),
        _city("厦门市", "361000", "闽D", 0.4, "思明区 湖里区 集美区 海沧区"),
        _city("泉州市", "362000", "闽C", 0.3, "鲤城区 丰泽区 洛江区 晋江市"),
    )),
    Province("湖南省", "湘", ("41", "42"), (
        _city("长沙市", "410000", "湘A", 0.7, "芙蓉区 天心区 岳麓区 开福区 雨花区"),
        _city("衡阳市", "421000", "湘D", 0.3, "蒸湘区 石鼓区 雁峰区 珠晖区"),
    )),
    Province("广西壮族自治区", "桂", ("53", "54"), (
        _city("南宁市", "530000", "桂A", 0.5, "青秀区 兴宁区 西乡塘区 江南区"),
        _city("桂林市", "541000", "桂C", 0.3, "秀峰区 叠彩区 象山区 七星区"),
    )),
    Province("江西省", "赣", ("33", "34"), (
        _city("南昌市", "330000", "赣A", 0.4, "东湖区 西湖区 青山湖区 红谷滩区"),
        _city("赣州市", "341000", "赣B", 0.3, "章贡区 南康区 赣县区"),
    )),
    Province("安徽省", "皖", ("23", "24"), (
        _city("合肥市", "230000", "皖A", 0.4, "蜀山区 包河区 庐阳区 瑶海区"),
        _city("芜湖市", "241000", "皖B", 0.2, "镜湖区 弋江区 鸠江区"),
    )),
)

# (province, city) pairs, flattened, with cumulative weights for fast weighted choice
CITIES: tuple[tuple[Province, City], ...] = tuple((p, c) for p in PROVINCES for c in p.cities)
_CITY_CUM = tuple(itertools.accumulate(c.weight for _, c in CITIES))
PROVINCE_ABBRS: frozenset[str] = frozenset(p.abbr for p in PROVINCES)

STREET_ROOTS: tuple[str, ...] = (
    "中山", "人民", "解放", "建设", "和平", "新华", "文化", "胜利", "长江", "黄河", "东风", "青年",
    "学府", "友谊", "光明", "朝阳", "滨江", "环城", "科技", "工业", "体育", "花园", "金融", "东湖",
    "西湖", "南湖", "府前", "迎宾", "龙华", "凤凰", "锦绣", "翠苑", "新港", "海滨", "振兴", "育才",
    "红旗", "民主", "幸福", "天河", "珠江", "虹桥", "金沙", "碧桂", "华夏", "健康",
)
STREET_SUFFIXES: tuple[str, ...] = (
    "路", "路", "路", "大道", "街", "大街", "东路", "西路", "南路", "北路", "中路",
)
_ESTATE_SUFFIXES: tuple[str, ...] = ("花园", "小区", "新村", "苑", "雅居", "名都", "华庭", "公寓")


def _make_street(rng: random.Random) -> str:
    """A street address such as 天河路123号5栋802室 or 中山大道45号锦绣花园3栋2单元1203室."""
    road = rng.choice(STREET_ROOTS) + rng.choice(STREET_SUFFIXES)
    number = f"{rng.randint(1, 999)}号"
    roll = rng.random()
    if roll < 0.15:  # shop or office on the street itself
        return road + number
    floor = rng.randint(1, 33)
    room = f"{floor}{rng.randint(1, 8):02d}室"
    if roll < 0.55:
        return f"{road}{number}{rng.randint(1, 20)}栋{room}"
    estate = rng.choice(STREET_ROOTS) + rng.choice(_ESTATE_SUFFIXES)
    return f"{road}{number}{estate}{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{room}"


def make_address(rng: random.Random) -> dict[str, str]:
    """A consistent address: keys province, city, district, street, postcode, plate_prefix."""
    province, city = rng.choices(CITIES, cum_weights=_CITY_CUM)[0]
    return {
        "province": province.name,
        "city": city.name,
        "district": rng.choice(city.districts),
        "street": _make_street(rng),
        "postcode": city.postcode,
        "plate_prefix": rng.choice(city.plate_prefixes),
    }


# ---------------------------------------------------------------------------
# 3. Licence plates (GA 36-2018)
# ---------------------------------------------------------------------------

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are never used
_DIGITS = "0123456789"


def make_plate(
    rng: random.Random,
    plate_prefix: str,
    new_energy: bool = False,
    *,
    pure_electric: bool | None = None,
) -> str:
    """A plate without the middle dot, e.g. 粤A3K8M2 (ordinary) or 粤AD12345 (small new-energy).

    Ordinary: prefix + 5 letters/digits with at most two letters. Small new-energy (green) plate:
    prefix + D (battery electric) or F (plug-in hybrid etc.) + one letter or digit + 4 digits.
    ``pure_electric`` picks D/F; None means D for 70 % of plates.
    """
    if (
        len(plate_prefix) != 2
        or plate_prefix[0] not in PROVINCE_ABBRS
        or plate_prefix[1] not in PLATE_LETTERS
    ):
        raise ValueError(f"not a plate prefix: {plate_prefix!r}")
    if new_energy:
        if pure_electric is None:
            pure_electric = rng.random() < 0.7
        kind = "D" if pure_electric else "F"
        second = rng.choice(PLATE_LETTERS) if rng.random() < 0.3 else rng.choice(_DIGITS)
        return plate_prefix + kind + second + "".join(rng.choice(_DIGITS) for _ in range(4))
    n_letters = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
    letter_positions = set(rng.sample(range(5), n_letters))
    body = "".join(
        rng.choice(PLATE_LETTERS if i in letter_positions else _DIGITS) for i in range(5)
    )
    return plate_prefix + body


# ---------------------------------------------------------------------------
# 4. Mobile numbers
# ---------------------------------------------------------------------------

# Mainland mobile prefixes in use, with a rough share weight (13x/15x/18x dominate older owners).
# 149 is left out: the phonenumbers metadata does not accept it as a mobile number.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    *((f"13{d}", 3.0) for d in range(10)),
    ("145", 0.5), ("147", 0.6),
    *((f"15{d}", 3.0) for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)),
    ("166", 1.0),
    ("170", 0.3), ("171", 0.3), ("173", 1.0), ("175", 0.8),
    ("176", 1.0), ("177", 1.0), ("178", 1.0),
    *((f"18{d}", 3.0) for d in range(10)),
    ("190", 0.5), ("191", 0.8), ("192", 0.3), ("193", 0.8), ("195", 0.6),
    ("196", 0.5), ("197", 0.5), ("198", 1.2), ("199", 1.2),
)
_MOBILE_NAMES = tuple(p for p, _ in MOBILE_PREFIXES)
_MOBILE_CUM = tuple(itertools.accumulate(w for _, w in MOBILE_PREFIXES))


def make_mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number (no +86)."""
    prefix = rng.choices(_MOBILE_NAMES, cum_weights=_MOBILE_CUM)[0]
    return prefix + f"{rng.randrange(100_000_000):08d}"


# ---------------------------------------------------------------------------
# 5. VIN (ISO 3779; GB 16735 uses the North-American check digit in position 9)
# ---------------------------------------------------------------------------

VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
VIN_WEIGHTS: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_VALUES: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
# Position 10: 30-year cycle (1980 = A … 2000 = Y, 2001 = 1 … 2009 = 9, 2010 = A …); no I O Q U Z 0
VIN_MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_VIN_PLANT_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ123456789"  # plant codes


def vin_check_digit(vin17: str) -> str:
    """The check digit (position 9) of a 17-character VIN; the current position 9 is ignored."""
    vin = vin17.upper()
    if len(vin) != 17:
        raise ValueError(f"a VIN has 17 characters, got {len(vin)}")
    try:
        total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"invalid VIN character {exc.args[0]!r}") from None
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_vin(vin: str) -> bool:
    """True for 17 legal characters with a correct check digit."""
    try:
        return len(vin) == 17 and vin_check_digit(vin) == vin[8].upper()
    except ValueError:
        return False


def model_year_code(model_year: int) -> str:
    """VIN position-10 code for a model year (1980–2039)."""
    if not 1980 <= model_year <= 2039:
        raise ValueError(f"model year out of range: {model_year}")
    return VIN_MODEL_YEAR_CODES[(model_year - 1980) % 30]


def make_vin(rng: random.Random, wmi: str, model_year: int) -> str:
    """A valid VIN: WMI + 5 VDS chars + check digit + year code + plant + 6-digit serial."""
    if len(wmi) != 3 or any(c not in VIN_CHARS for c in wmi):
        raise ValueError(f"invalid WMI {wmi!r}")
    vds = "".join(rng.choice(VIN_CHARS) for _ in range(5))
    plant = rng.choice(_VIN_PLANT_CHARS)
    serial = f"{rng.randrange(1_000_000):06d}"
    draft = f"{wmi}{vds}0{model_year_code(model_year)}{plant}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


# ---------------------------------------------------------------------------
# 6. Vehicles sold in China
# ---------------------------------------------------------------------------


class Model(NamedTuple):
    maker: str  # the company the dealer franchise is with, e.g. 一汽-大众
    brand: str  # the marque, e.g. 大众
    name: str
    wmi: str
    first_year: int  # first and last calendar year on sale in China
    last_year: int
    launch_price: tuple[int, int]  # guide-price range in yuan in first_year
    drift: float  # relative change of the price range per year (negative: cheaper over time)
    segment: str  # 'economy' | 'mid' | 'premium'
    powertrain: str  # 'ice' | 'phev' | 'bev'
    weight: float  # relative popularity in the demo dealer group's customer base

    @property
    def nev(self) -> bool:
        return self.powertrain != "ice"


# (maker, brand, WMI, rows); a row is
# (model, first, last, low, high, drift, segment, powertrain, weight[, WMI override])
_VEHICLE_TABLE: tuple[tuple[str, str, str, tuple[tuple, ...]], ...] = (
    ("一汽-大众", "大众", "LFV", (
        ("宝来", 2008, 2026, 100_000, 150_000, -0.02, "economy", "ice", 6),
        ("速腾", 2006, 2026, 140_000, 200_000, -0.015, "economy", "ice", 6),
        ("迈腾", 2007, 2026, 190_000, 280_000, -0.01, "mid", "ice", 4),
        ("探岳", 2018, 2026, 190_000, 290_000, -0.02, "mid", "ice", 3),
        ("ID.4 CROZZ", 2021, 2026, 200_000, 280_000, -0.06, "mid", "bev", 1),
    )),
    ("上汽大众", "大众", "LSV", (
        ("Polo", 2002, 2024, 100_000, 140_000, -0.015, "economy", "ice", 3),
        ("朗逸", 2008, 2026, 110_000, 150_000, -0.02, "economy", "ice", 8),
        ("帕萨特", 2011, 2026, 190_000, 280_000, -0.015, "mid", "ice", 4),
        ("途观", 2010, 2026, 200_000, 300_000, -0.015, "mid", "ice", 4),
        ("ID.4 X", 2021, 2026, 200_000, 270_000, -0.06, "mid", "bev", 1),
    )),
    ("广汽丰田", "丰田", "LVG", (
        ("凯美瑞", 2006, 2026, 200_000, 280_000, -0.015, "mid", "ice", 7),
        ("雷凌", 2014, 2026, 115_000, 160_000, -0.015, "economy", "ice", 6),
        ("汉兰达", 2009, 2026, 250_000, 350_000, -0.01, "mid", "ice", 3),
        ("致炫", 2014, 2024, 70_000, 100_000, -0.01, "economy", "ice", 2),
    )),
    ("广汽本田", "本田", "LHG", (
        ("雅阁", 2003, 2026, 200_000, 300_000, -0.015, "mid", "ice", 7),
        ("飞度", 2003, 2026, 90_000, 130_000, -0.01, "economy", "ice", 4),
        ("缤智", 2015, 2026, 130_000, 170_000, -0.02, "economy", "ice", 4),
        ("冠道", 2017, 2026, 230_000, 320_000, -0.02, "mid", "ice", 2),
    )),
    ("东风本田", "本田", "LVH", (
        ("思域", 2006, 2026, 130_000, 175_000, -0.005, "economy", "ice", 4),
        ("CR-V", 2004, 2026, 220_000, 300_000, -0.015, "mid", "ice", 4),
        ("艾力绅", 2012, 2026, 250_000, 320_000, -0.01, "mid", "ice", 1),
    )),
    ("东风日产", "日产", "LGB", (
        ("轩逸", 2006, 2026, 120_000, 160_000, -0.015, "economy", "ice", 8),
        ("天籁", 2004, 2026, 230_000, 330_000, -0.02, "mid", "ice", 4),
        ("奇骏", 2008, 2026, 200_000, 290_000, -0.015, "mid", "ice", 3),
        ("逍客", 2008, 2026, 140_000, 190_000, -0.01, "economy", "ice", 3),
    )),
    ("上汽通用别克", "别克", "LSG", (
        ("英朗", 2010, 2026, 110_000, 160_000, -0.03, "economy", "ice", 5),
        ("君威", 2002, 2026, 200_000, 260_000, -0.015, "mid", "ice", 3),
        ("君越", 2006, 2026, 220_000, 310_000, -0.01, "mid", "ice", 3),
        ("GL8", 2006, 2026, 230_000, 350_000, 0.005, "mid", "ice", 3),
        ("昂科威", 2014, 2026, 210_000, 300_000, -0.02, "mid", "ice", 3),
    )),
    ("比亚迪", "比亚迪", "LGX", (
        ("F3", 2005, 2015, 55_000, 80_000, -0.01, "economy", "ice", 4),
        ("秦", 2014, 2026, 190_000, 210_000, -0.07, "economy", "phev", 5),
        ("唐", 2015, 2026, 250_000, 300_000, -0.015, "mid", "phev", 3),
        ("汉", 2020, 2026, 220_000, 330_000, -0.03, "mid", "bev", 4),
        ("海豚", 2021, 2026, 95_000, 130_000, -0.04, "economy", "bev", 4),
    )),
    ("吉利汽车", "吉利", "L6T", (
        ("远景", 2006, 2020, 50_000, 80_000, 0.0, "economy", "ice", 3),
        ("帝豪", 2009, 2026, 65_000, 100_000, -0.005, "economy", "ice", 5),
        ("博越", 2016, 2026, 90_000, 160_000, -0.01, "economy", "ice", 4),
        ("星越L", 2021, 2026, 140_000, 190_000, -0.03, "mid", "ice", 2),
        ("银河L6", 2023, 2026, 90_000, 140_000, -0.05, "economy", "phev", 2),
    )),
    ("长安汽车", "长安", "LS5", (
        ("悦翔", 2009, 2021, 50_000, 75_000, 0.0, "economy", "ice", 3),
        ("逸动", 2012, 2026, 70_000, 110_000, -0.01, "economy", "ice", 4),
        ("CS75", 2014, 2026, 90_000, 150_000, -0.005, "economy", "ice", 4),
        ("CS55", 2017, 2026, 80_000, 130_000, -0.005, "economy", "ice", 3),
    )),
    ("长城汽车", "哈弗", "LGW", (
        ("哈弗H6", 2011, 2026, 90_000, 150_000, -0.01, "economy", "ice", 6),
        ("哈弗H2", 2014, 2021, 80_000, 110_000, -0.01, "economy", "ice", 2),
        ("哈弗H9", 2014, 2026, 200_000, 280_000, -0.01, "mid", "ice", 1),
        ("哈弗大狗", 2020, 2026, 110_000, 160_000, -0.02, "economy", "ice", 2),
    )),
    ("华晨宝马", "宝马", "LBV", (
        ("3系", 2004, 2026, 330_000, 500_000, -0.015, "premium", "ice", 4),
        ("5系", 2004, 2026, 500_000, 700_000, -0.015, "premium", "ice", 3),
        ("X1", 2012, 2026, 270_000, 370_000, -0.01, "premium", "ice", 3),
        ("X3", 2018, 2026, 390_000, 480_000, -0.01, "premium", "ice", 2),
        ("iX3", 2020, 2026, 400_000, 470_000, -0.04, "premium", "bev", 1),
    )),
    ("北京奔驰", "奔驰", "LE4", (
        ("C级", 2008, 2026, 300_000, 450_000, -0.005, "premium", "ice", 4),
        ("E级", 2006, 2026, 420_000, 600_000, 0.0, "premium", "ice", 3),
        ("GLC", 2015, 2026, 390_000, 550_000, -0.01, "premium", "ice", 3),
        ("GLA", 2015, 2026, 270_000, 350_000, -0.01, "premium", "ice", 2),
        ("EQC", 2019, 2024, 580_000, 600_000, -0.03, "premium", "bev", 0.5),
    )),
    # Model 3/Y are built in Shanghai (WMI LRW); Model S/X are imported from Fremont (WMI 5YJ).
    ("特斯拉", "特斯拉", "LRW", (
        ("Model 3", 2020, 2026, 270_000, 350_000, -0.05, "mid", "bev", 3),
        ("Model Y", 2021, 2026, 280_000, 350_000, -0.04, "mid", "bev", 4),
        ("Model S", 2014, 2026, 650_000, 900_000, -0.01, "premium", "bev", 0.5, "5YJ"),
        ("Model X", 2016, 2026, 800_000, 1_000_000, -0.01, "premium", "bev", 0.3, "5YJ"),
    )),
)

MODELS: tuple[Model, ...] = tuple(
    Model(
        maker, brand, row[0], row[9] if len(row) > 9 else wmi, row[1], row[2], (row[3], row[4]),
        row[5], row[6], row[7], row[8],
    )
    for maker, brand, wmi, rows in _VEHICLE_TABLE
    for row in rows
)
SALES_YEARS: tuple[int, int] = (min(m.first_year for m in MODELS), max(m.last_year for m in MODELS))


def price_range(model: Model, year: int) -> tuple[int, int]:
    """The model's guide-price range in ``year`` (yuan, rounded to 100)."""
    factor = (1.0 + model.drift) ** (year - model.first_year)
    low, high = model.launch_price
    return int(round(low * factor, -2)), int(round(high * factor, -2))


@functools.cache
def models_on_sale(year: int) -> tuple[Model, ...]:
    """All models on sale in ``year``."""
    return tuple(m for m in MODELS if m.first_year <= year <= m.last_year)


@functools.cache
def _sale_cum_weights(year: int) -> tuple[float, ...]:
    return tuple(itertools.accumulate(m.weight for m in models_on_sale(year)))


class VehiclePick(TypedDict):
    brand: str
    maker: str
    model: str
    wmi: str
    price: int  # yuan
    nev: bool
    powertrain: str
    segment: str


def pick_vehicle(rng: random.Random, purchase_year: int) -> VehiclePick:
    """A model on sale in purchase_year with a price that fits that year."""
    candidates = models_on_sale(purchase_year)
    if not candidates:
        first, last = SALES_YEARS
        raise ValueError(f"no model on sale in {purchase_year} (table covers {first}–{last})")
    model = rng.choices(candidates, cum_weights=_sale_cum_weights(purchase_year))[0]
    low, high = price_range(model, purchase_year)
    return {
        "brand": model.brand,
        "maker": model.maker,
        "model": model.name,
        "wmi": model.wmi,
        "price": rng.randint(low // 100, high // 100) * 100,
        "nev": model.nev,
        "powertrain": model.powertrain,
        "segment": model.segment,
    }


# ---------------------------------------------------------------------------
# 7. Small vocabularies
# ---------------------------------------------------------------------------

CUSTOMER_SOURCES: tuple[str, ...] = ("展厅", "网络", "转介绍", "老客户置换", "车展", "电话营销")

EMPLOYER_TRADE_NAMES: tuple[str, ...] = (
    "华盛", "恒达", "鑫源", "宏发", "永泰", "金辉", "盛世", "德信", "广联", "中科", "新锐", "东方",
    "汇通", "佳美", "瑞丰", "天合", "顺意", "捷诚", "远航", "博雅", "安泰", "明珠", "嘉禾", "泰和",
    "鸿运", "创新", "立信", "华南", "联众", "宏图", "锦程", "合力", "众诚", "信达", "润丰", "卓越",
)
EMPLOYER_INDUSTRIES: tuple[str, ...] = (
    "贸易", "科技", "电子", "建材", "物流", "餐饮管理", "房地产开发", "机械设备", "服装", "家具",
    "装饰工程", "医疗器械", "信息技术", "化工", "五金制品", "文化传媒", "食品", "汽车配件",
    "物业管理", "教育咨询", "环保科技", "塑胶制品",
)
EMPLOYER_FORMS: tuple[str, ...] = (
    "有限公司", "有限公司", "有限公司", "股份有限公司", "实业有限公司",
)
# '{city}' is the full city name (广州市), '{short}' the name without 市 (广州)
EMPLOYER_INSTITUTIONS: tuple[str, ...] = (
    "{city}第一人民医院", "{city}中医院", "{city}第三中学", "{city}实验小学", "{city}公安局",
    "{city}税务局", "中国工商银行{short}分行", "中国建设银行{short}分行", "中国移动{short}分公司",
    "中国电信{short}分公司", "国家电网{short}供电局", "{short}地铁集团有限公司", "{city}人民检察院",
    "个体经营", "自由职业",
)


def make_employer(rng: random.Random, city: str, district: str = "") -> str:
    """An employer name, mostly a private company such as 广州市天河区华盛贸易有限公司."""
    if rng.random() < 0.2:
        template = rng.choice(EMPLOYER_INSTITUTIONS)
        return template.format(city=city, short=city.removesuffix("市"))
    place = city + (district if district and rng.random() < 0.6 else "")
    trade = rng.choice(EMPLOYER_TRADE_NAMES)
    return place + trade + rng.choice(EMPLOYER_INDUSTRIES) + rng.choice(EMPLOYER_FORMS)


COMPLAINT_TOPICS: tuple[str, ...] = (
    "维修质量", "维修等待时间过长", "收费不透明", "服务态度", "配件缺货", "保险理赔纠纷",
    "交车延误", "故障反复出现", "预约不准时", "车辆清洁不到位", "销售承诺未兑现", "精品赠品问题",
    "贷款手续繁琐", "上牌延误", "过度推销",
)
COMPLAINT_RESOLUTIONS: tuple[str, ...] = (
    "免费返修", "退还部分费用", "赠送一次保养", "致歉并回访确认", "更换配件", "店总出面沟通",
    "赠送保养代金券", "协调保险公司处理",
)

# Short things customers say on the phone, grouped by what they tell us
FEEDBACK_BY_TOPIC: dict[str, tuple[str, ...]] = {
    "life_event": (
        "刚结婚，想换个大点的车", "家里添了二胎，五座不够坐了", "孩子上小学了，每天要接送",
        "刚买了房，最近手头紧", "父母搬过来一起住了", "孩子去外地读大学了",
    ),
    "work": (
        "自己开了公司", "换了工作，单位离家远了", "已经退休了，车开得少",
        "公司给配了车，私家车开得少了", "最近生意不太好",
    ),
    "usage": (
        "最近跑了很多长途", "现在跑了八万多公里", "每天上下班开，一年两万公里左右",
        "车基本停着，一个月开不了几次", "经常跑高速回老家",
    ),
    "preference": (
        "中午别打电话", "上班时间不方便接，晚上七点后再打", "周末打比较好", "有事发微信就行",
        "不要发短信了", "请打爱人的电话",
    ),
    "vehicle": (
        "空调不太凉，想约时间看看", "刹车有点异响", "保险快到期了，想了解续保",
        "车子小毛病多，考虑换车", "对上次保养很满意", "想加装行车记录仪",
    ),
    "intent": (
        "想了解一下新能源车", "打算明年换车，预算二十万左右", "朋友想买车，可以介绍过来",
        "考虑给爱人再买一台代步车", "有置换补贴再通知我",
    ),
    "negative": (
        "上次维修等太久了", "觉得保养价格偏贵", "在外面修车了，比较近",
        "搬到外地了，以后不去店里了", "别再打了，需要会自己联系",
    ),
}
FEEDBACK_SNIPPETS: tuple[str, ...] = tuple(s for group in FEEDBACK_BY_TOPIC.values() for s in group)
