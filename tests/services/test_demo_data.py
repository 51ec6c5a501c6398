"""Reference tables for demo data: real, consistent and deterministic."""

from __future__ import annotations

import random
import re
from collections import Counter

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from services.demo import data as dd

SEEDS = range(5)

# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------


def test_surname_table() -> None:
    names = [s for s, _ in dd.SURNAMES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)
    assert {"欧阳", "司马"} <= set(names)
    assert all(1 <= len(s) <= 2 for s in names)
    assert all(w > 0 for _, w in dd.SURNAMES)
    assert names[:3] == ["王", "李", "张"]


def test_given_name_pools() -> None:
    pools = (dd.MALE_GIVEN_CHARS, dd.FEMALE_GIVEN_CHARS, dd.NEUTRAL_GIVEN_CHARS)
    for pool in pools:
        assert len(pool) >= 60
        assert len(set(pool)) == len(pool)
        assert all(len(c) == 1 for c in pool)
    male, female, neutral = (set(p) for p in pools)
    assert not male & female and not male & neutral and not female & neutral


@pytest.mark.parametrize("gender", ["M", "F"])
def test_make_name(gender: str) -> None:
    rng = random.Random(7)
    own = set(dd.MALE_GIVEN_CHARS if gender == "M" else dd.FEMALE_GIVEN_CHARS)
    allowed = own | set(dd.NEUTRAL_GIVEN_CHARS)
    surnames = sorted((s for s, _ in dd.SURNAMES), key=len, reverse=True)
    lengths: Counter[int] = Counter()
    for _ in range(2000):
        name = dd.make_name(rng, gender)
        surname = next(s for s in surnames if name.startswith(s))
        given = name[len(surname):]
        assert 1 <= len(given) <= 2
        assert set(given) <= allowed
        lengths[len(given)] += 1
    assert lengths[2] > lengths[1] > 0


def test_make_name_rejects_unknown_gender() -> None:
    with pytest.raises(ValueError):
        dd.make_name(random.Random(0), "X")


# ---------------------------------------------------------------------------
# geography
# ---------------------------------------------------------------------------


def test_required_provinces_present() -> None:
    names = {p.name for p in dd.PROVINCES}
    assert len(dd.PROVINCES) >= 12
    assert {
        "北京市", "上海市", "天津市", "重庆市", "广东省", "江苏省", "浙江省", "四川省", "山东省",
        "湖北省", "河南省", "福建省",
    } <= names
    assert len({p.abbr for p in dd.PROVINCES}) == len(dd.PROVINCES)


def test_geography_is_consistent() -> None:
    city_names = [c.name for _, c in dd.CITIES]
    assert len(set(city_names)) == len(city_names), "duplicate city"
    prefixes = [pp for _, c in dd.CITIES for pp in c.plate_prefixes]
    assert len(set(prefixes)) == len(prefixes), "a plate prefix belongs to one city only"
    for province in dd.PROVINCES:
        municipality = province.name in {"北京市", "上海市", "天津市", "重庆市"}
        assert (len(province.cities) == 1) if municipality else (2 <= len(province.cities) <= 4)
        if municipality:
            assert province.cities[0].name == province.name
        for city in province.cities:
            assert re.fullmatch(r"\d{6}", city.postcode), city
            assert city.postcode.endswith("000"), city
            assert city.postcode[:2] in province.postcode_prefixes, city
            assert 3 <= len(city.districts) <= 5, city
            assert len(set(city.districts)) == len(city.districts), city
            assert all(d[-1] in "区县市镇道" for d in city.districts), city
            assert city.plate_prefixes and city.weight > 0
            for prefix in city.plate_prefixes:
                assert len(prefix) == 2
                assert prefix[0] == province.abbr, (city.name, prefix)
                assert prefix[1] in dd.PLATE_LETTERS


@pytest.mark.parametrize(
    ("city", "province", "postcode", "plate"),
    [
        ("广州市", "广东省", "510000", "粤A"),
        ("深圳市", "广东省", "518000", "粤B"),
        ("佛山市", "广东省", "528000", "粤E"),
        ("东莞市", "广东省", "523000", "粤S"),
        ("南京市", "江苏省", "210000", "苏A"),
        ("苏州市", "江苏省", "215000", "苏E"),
        ("杭州市", "浙江省", "310000", "浙A"),
        ("成都市", "四川省", "610000", "川A"),
        ("青岛市", "山东省", "266000", "鲁B"),
        ("厦门市", "福建省", "361000", "闽D"),
        ("上海市", "上海市", "200000", "沪A"),
        ("北京市", "北京市", "100000", "京A"),
    ],
)
def test_known_city_facts(city: str, province: str, postcode: str, plate: str) -> None:
    p, c = next((p, c) for p, c in dd.CITIES if c.name == city)
    assert p.name == province
    assert c.postcode == postcode
    assert plate in c.plate_prefixes


def test_demo_weighted_to_guangdong_and_jiangsu() -> None:
    total = sum(c.weight for _, c in dd.CITIES)
    home = sum(c.weight for p, c in dd.CITIES if p.name in {"广东省", "江苏省"})
    assert 0.75 < home / total < 0.97
    rng = random.Random(3)
    provinces = Counter(dd.make_address(rng)["province"] for _ in range(3000))
    assert provinces.most_common(1)[0][0] == "广东省"
    assert len(provinces) >= 10  # some customers from elsewhere


STREET_RE = re.compile(
    r"[\u4e00-\u9fff]{2}(路|大道|街|大街|东路|西路|南路|北路|中路)\d{1,3}号"
    r"([\u4e00-\u9fff]{3,4}\d{1,2}栋\d单元|\d{1,2}栋)?(\d{1,2}0[1-8]室)?"
)


def test_make_address() -> None:
    rng = random.Random(11)
    by_name = {c.name: (p, c) for p, c in dd.CITIES}
    for _ in range(2000):
        addr = dd.make_address(rng)
        assert set(addr) == {"province", "city", "district", "street", "postcode", "plate_prefix"}
        province, city = by_name[addr["city"]]
        assert addr["province"] == province.name
        assert addr["district"] in city.districts
        assert addr["postcode"] == city.postcode
        assert addr["plate_prefix"] in city.plate_prefixes
        assert STREET_RE.fullmatch(addr["street"]), addr["street"]
        has_room = addr["street"].endswith("室")
        assert has_room == ("栋" in addr["street"])


# ---------------------------------------------------------------------------
# plates
# ---------------------------------------------------------------------------

ORDINARY_RE = re.compile(r"[\u4e00-\u9fff][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5}")
NEV_RE = re.compile(r"[\u4e00-\u9fff][A-HJ-NP-Z][DF][A-HJ-NP-Z0-9]\d{4}")


def test_ordinary_plates() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        plate = dd.make_plate(rng, "粤A")
        assert ORDINARY_RE.fullmatch(plate), plate
        assert plate.startswith("粤A") and "·" not in plate
        assert sum(ch.isalpha() and ch.isascii() for ch in plate[2:]) <= 2
        assert "I" not in plate and "O" not in plate


def test_new_energy_plates() -> None:
    rng = random.Random(5)
    plates = [dd.make_plate(rng, "苏E", new_energy=True) for _ in range(2000)]
    assert all(NEV_RE.fullmatch(p) for p in plates)
    assert {p[2] for p in plates} == {"D", "F"}
    assert dd.make_plate(rng, "苏E", True, pure_electric=True)[2] == "D"
    assert dd.make_plate(rng, "苏E", True, pure_electric=False)[2] == "F"


@pytest.mark.parametrize("bad", ["粤", "粤I", "XA", "粤AB", "粤a"])
def test_plate_prefix_validated(bad: str) -> None:
    with pytest.raises(ValueError):
        dd.make_plate(random.Random(0), bad)


# ---------------------------------------------------------------------------
# mobiles
# ---------------------------------------------------------------------------


def _is_cn_mobile(number: str) -> bool:
    parsed = phonenumbers.parse(number, "CN")
    return (
        phonenumbers.is_valid_number(parsed)
        and phonenumbers.number_type(parsed) == PhoneNumberType.MOBILE
    )


def test_mobile_prefix_table() -> None:
    prefixes = [p for p, _ in dd.MOBILE_PREFIXES]
    assert len(set(prefixes)) == len(prefixes)
    expected = (
        {f"13{d}" for d in range(10)} | {"145", "147"} | {f"15{d}" for d in range(10)} - {"154"}
        | {"166", "170", "171", "173", "175", "176", "177", "178"} | {f"18{d}" for d in range(10)}
        | {"190", "191", "193", "195", "196", "197", "198", "199"}
    )
    assert expected <= set(prefixes)
    assert "154" not in prefixes


@pytest.mark.parametrize("prefix", [p for p, _ in dd.MOBILE_PREFIXES])
def test_every_prefix_is_a_cn_mobile(prefix: str) -> None:
    for tail in ("00000000", "12345678", "99999999", "50505050"):
        assert _is_cn_mobile(prefix + tail), prefix + tail


def test_make_mobile() -> None:
    rng = random.Random(9)
    numbers = [dd.make_mobile(rng) for _ in range(3000)]
    assert all(re.fullmatch(r"1[3-9]\d{9}", n) for n in numbers)
    assert all(_is_cn_mobile(n) for n in numbers[:500])
    assert len(set(numbers)) > 2990
    assert len({n[:3] for n in numbers}) > 40


# ---------------------------------------------------------------------------
# VIN
# ---------------------------------------------------------------------------

KNOWN_VALID_VINS = (
    "1M8GDM9AXKP042788",  # the classic example, check digit X
    "1HGCM82633A004352",
    "JH4KA7561PC008269",
    "1G1JC5444R7252367",
    "11111111111111111",
)


@pytest.mark.parametrize("vin", KNOWN_VALID_VINS)
def test_known_vins(vin: str) -> None:
    assert dd.vin_check_digit(vin) == vin[8]
    assert dd.is_valid_vin(vin)


def test_vin_errors_detected() -> None:
    vin = "1M8GDM9AXKP042788"
    assert not dd.is_valid_vin(vin[:8] + "1" + vin[9:])
    assert not dd.is_valid_vin(vin[:12] + "5" + vin[13:])
    assert not dd.is_valid_vin(vin[:16])
    assert not dd.is_valid_vin("1M8GDM9AXKP04278O")  # letter O is illegal
    with pytest.raises(ValueError):
        dd.vin_check_digit("1M8GDM9AXKP0427")
    with pytest.raises(ValueError):
        dd.vin_check_digit("IM8GDM9AXKP042788")


@pytest.mark.parametrize(
    ("year", "code"), [(1980, "A"), (2000, "Y"), (2001, "1"), (2009, "9"), (2010, "A"),
                       (2019, "K"), (2024, "R"), (2025, "S"), (2026, "T")],
)
def test_model_year_codes(year: int, code: str) -> None:
    assert dd.model_year_code(year) == code


def test_make_vin() -> None:
    rng = random.Random(13)
    for model in dd.MODELS:
        for year in (model.first_year, model.last_year):
            vin = dd.make_vin(rng, model.wmi, year)
            assert len(vin) == 17
            assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin), vin
            assert vin.startswith(model.wmi)
            assert vin[9] == dd.model_year_code(year)
            assert vin[11:].isdigit()
            assert dd.is_valid_vin(vin)
    assert Counter(dd.make_vin(rng, "LFV", 2020)[8] for _ in range(3000)).keys() >= {"X", "0"}
    with pytest.raises(ValueError):
        dd.make_vin(rng, "LOV", 2020)


# ---------------------------------------------------------------------------
# vehicles
# ---------------------------------------------------------------------------


def test_vehicle_table() -> None:
    makers = Counter(m.maker for m in dd.MODELS)
    assert len(makers) >= 10
    assert all(3 <= n <= 5 for n in makers.values()), makers
    wmi_of_maker: dict[str, set[str]] = {}
    for m in dd.MODELS:
        wmi_of_maker.setdefault(m.maker, set()).add(m.wmi)
        assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{3}", m.wmi)
        assert m.wmi.startswith("L") or m.maker == "特斯拉", m
        assert m.first_year <= m.last_year <= 2026
        low, high = m.launch_price
        assert 30_000 <= low < high <= 1_500_000
        assert -0.1 < m.drift < 0.05
        assert m.segment in {"economy", "mid", "premium"}
        assert m.powertrain in {"ice", "phev", "bev"}
        assert m.nev == (m.powertrain != "ice")
        if m.nev:
            assert m.first_year >= 2014, m
    known = {"一汽-大众": "LFV", "上汽大众": "LSV", "东风日产": "LGB", "广汽丰田": "LVG",
             "比亚迪": "LGX", "吉利汽车": "L6T", "长安汽车": "LS5", "长城汽车": "LGW",
             "华晨宝马": "LBV", "北京奔驰": "LE4"}
    for maker, wmi in known.items():
        assert wmi_of_maker[maker] == {wmi}
    assert wmi_of_maker["特斯拉"] == {"LRW", "5YJ"}
    assert len({(m.maker, m.name) for m in dd.MODELS}) == len(dd.MODELS)


def test_price_range_follows_drift() -> None:
    for m in dd.MODELS:
        assert dd.price_range(m, m.first_year) == m.launch_price
        for year in range(m.first_year, m.last_year + 1):
            low, high = dd.price_range(m, year)
            assert low % 100 == 0 and high % 100 == 0 and low < high


def test_pick_vehicle_fits_year() -> None:
    rng = random.Random(17)
    by_key = {(m.maker, m.name): m for m in dd.MODELS}
    first, last = dd.SALES_YEARS
    seen_nev = False
    for year in range(first, last + 1):
        for _ in range(200):
            v = dd.pick_vehicle(rng, year)
            model = by_key[(v["maker"], v["model"])]
            assert model.first_year <= year <= model.last_year
            low, high = dd.price_range(model, year)
            assert isinstance(v["price"], int) and low <= v["price"] <= high
            assert v["price"] % 100 == 0
            assert v["brand"] == model.brand and v["wmi"] == model.wmi
            assert v["nev"] is model.nev and v["powertrain"] == model.powertrain
            assert v["segment"] == model.segment
            if year < 2014:
                assert not v["nev"]
            seen_nev = seen_nev or bool(v["nev"])
    assert seen_nev
    for year in (first - 1, last + 1):
        with pytest.raises(ValueError):
            dd.pick_vehicle(rng, year)


def test_recent_years_offer_new_energy() -> None:
    rng = random.Random(19)
    share = sum(bool(dd.pick_vehicle(rng, 2025)["nev"]) for _ in range(2000)) / 2000
    assert 0.1 < share < 0.6


# ---------------------------------------------------------------------------
# vocabularies
# ---------------------------------------------------------------------------


def test_vocabularies() -> None:
    assert dd.CUSTOMER_SOURCES == ("展厅", "网络", "转介绍", "老客户置换", "车展", "电话营销")
    assert len(dd.FEEDBACK_SNIPPETS) >= 30
    assert len(set(dd.FEEDBACK_SNIPPETS)) == len(dd.FEEDBACK_SNIPPETS)
    assert {"刚结婚，想换个大点的车", "最近跑了很多长途", "中午别打电话", "自己开了公司"} <= set(
        dd.FEEDBACK_SNIPPETS
    )
    for vocab in (dd.COMPLAINT_TOPICS, dd.COMPLAINT_RESOLUTIONS, dd.STREET_ROOTS,
                  dd.EMPLOYER_TRADE_NAMES, dd.EMPLOYER_INDUSTRIES):
        assert len(vocab) >= 5
        assert len(set(vocab)) == len(vocab)
        assert all(isinstance(s, str) and s for s in vocab)


def test_make_employer() -> None:
    rng = random.Random(23)
    names = [dd.make_employer(rng, "广州市", "天河区") for _ in range(500)]
    companies = [n for n in names if n.endswith("公司") and n.startswith("广州市")]
    assert len(companies) > 300
    assert any(n.startswith("广州市天河区") for n in companies)
    assert all("{" not in n for n in names)
    assert any("广州分行" in n for n in names) or any("广州市第" in n for n in names)


# ---------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------


def _sample(seed: int) -> list[object]:
    rng = random.Random(seed)
    out: list[object] = []
    for i in range(50):
        addr = dd.make_address(rng)
        vehicle = dd.pick_vehicle(rng, 2010 + i % 17)
        out += [
            dd.make_name(rng, "MF"[i % 2]),
            addr,
            dd.make_mobile(rng),
            dd.make_plate(rng, addr["plate_prefix"], bool(vehicle["nev"])),
            vehicle,
            dd.make_vin(rng, str(vehicle["wmi"]), 2010 + i % 17),
            dd.make_employer(rng, addr["city"], addr["district"]),
        ]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_same_output(seed: int) -> None:
    random.seed(1)
    first = _sample(seed)
    random.seed(2)  # the global generator must not matter
    random.random()
    assert _sample(seed) == first


def test_different_seeds_differ() -> None:
    assert _sample(1) != _sample(2)
