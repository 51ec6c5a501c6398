"""A whole address in one column split into province, city, district and street, and a row that
says less than the stored address (or names another) weighed before it replaces it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Customer
from services.customers.places import full_division_names
from services.imports.addresses import home_of, split_addresses
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from services.store.settings import Settings, save_settings
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


@pytest.mark.parametrize(
    ("typed", "parts"),
    [("广东省广州市天河区体育西路100号", ("广东省", "广州市", "天河区", "体育西路100号")),
     ("北京市朝阳区建国路88号", ("北京市", "北京市", "朝阳区", "建国路88号")),
     ("上海市浦东新区世纪大道1号", ("上海市", "上海市", "浦东新区", "世纪大道1号")),
     ("广西壮族自治区南宁市青秀区民族大道1号",
      ("广西壮族自治区", "南宁市", "青秀区", "民族大道1号")),
     ("广州市天河区体育西路100号", ("广东省", "广州市", "天河区", "体育西路100号")),
     ("广东广州天河区体育西路100号", ("广东省", "广州市", "天河区", "体育西路100号")),
     ("江苏省苏州市昆山市前进路1号", ("江苏省", "苏州市", "昆山市", "前进路1号")),
     ("广东省 深圳市 南山区 科技园南区8栋", ("广东省", "深圳市", "南山区", "科技园南区8栋")),
     ("湖北省仙桃市沙嘴街道", ("湖北省", "仙桃市", None, "沙嘴街道")),
     ("江苏省无锡市", ("江苏省", "无锡市", None, None)),
     ("广州", ("广东省", "广州市", None, None)),
     # A district written first, as a local dealer's customers write it: the one city that
     # has a district of that name.
     ("天河区体育西路100号", ("广东省", "广州市", "天河区", "体育西路100号")),
     ("浦东新区世纪大道1号", ("上海市", "上海市", "浦东新区", "世纪大道1号")),
     ("昆山市前进路1号", ("江苏省", "苏州市", "昆山市", "前进路1号")),
     # Not an address cpca can place from its start: kept whole as the street.
     ("中山路1号", (None, None, None, "中山路1号")),
     ("北京路123号", (None, None, None, "北京路123号")),
     # A district several cities have (Beijing and Changchun), and no dealer's city to choose.
     ("朝阳区建国路1号", (None, None, None, "朝阳区建国路1号")),
     # Part of a housing estate, though 攀枝花 has a district called 东区.
     ("东区3栋501室", (None, None, None, "东区3栋501室")),
     ("长江大街984号13栋2508室", (None, None, None, "长江大街984号13栋2508室"))],
)
def test_a_whole_address_is_split_and_nothing_typed_is_lost(typed, parts):
    row = {"street": typed}
    split_addresses([row])
    assert tuple(row.get(k) for k in ("province", "city", "district", "street")) == parts


SHENZHEN, BEIJING = ("广东省", "深圳市"), ("北京市", "北京市")


@pytest.mark.parametrize(("typed", "home", "parts"), [
    # 南山区 is in Shenzhen and in Hegang: a Shenzhen dealer's customer lives in Shenzhen.
    ("南山区科技园南区8栋", SHENZHEN, ("广东省", "深圳市", "南山区", "科技园南区8栋")),
    ("南山区科技园南区8栋", BEIJING, (None, None, None, "南山区科技园南区8栋")),
    ("朝阳区建国路1号", BEIJING, ("北京市", "北京市", "朝阳区", "建国路1号")),
    # A district one city has is that city's, wherever the dealer is.
    ("天河区体育西路100号", SHENZHEN, ("广东省", "广州市", "天河区", "体育西路100号")),
    # What names its city is placed by it, not by the dealer's.
    ("吉林省长春市朝阳区人民大街1号", BEIJING, ("吉林省", "长春市", "朝阳区", "人民大街1号")),
])
def test_a_district_several_cities_have_is_placed_in_the_dealers_own(typed, home, parts):
    row = {"street": typed}
    split_addresses([row], home)
    assert tuple(row.get(k) for k in ("province", "city", "district", "street")) == parts


@pytest.mark.parametrize(("shop", "home"), [
    ("广东省深圳市南山区科技园南区8栋", SHENZHEN),
    ("深圳市福田区福华路1号", SHENZHEN),
    ("北京朝阳区建国路88号", BEIJING),
    ("", None),
    ("南山区科技园", None),  # does not say which 南山区
])
def test_the_dealers_city_is_read_from_the_shops_address(shop, home):
    assert home_of(shop) == home


def test_an_address_the_file_divides_itself_is_left_as_it_is():
    row = {"province": None, "city": "广州市", "district": None,
           "street": "广州市天河区体育西路1号"}
    split_addresses([row])
    assert row == {"province": None, "city": "广州市", "district": None,
                   "street": "广州市天河区体育西路1号"}


@pytest.mark.parametrize(("province", "city", "named"), [
    ("广东", "深圳", ("广东省", "深圳市")),
    ("广西", "南宁", ("广西壮族自治区", "南宁市")),
    ("内蒙古", "呼和浩特", ("内蒙古自治区", "呼和浩特市")),
    ("北京", "北京", ("北京市", "北京市")),
    ("吉林", "吉林", ("吉林省", "吉林市")),
    ("湖北", "仙桃", ("湖北省", "仙桃市")),  # a city its province governs directly
    (None, "深圳", (None, "深圳市")),
    (None, "朝阳", (None, "朝阳市")),  # the one city of that name (in Liaoning)
    # 朝阳 in Beijing is a district, not a city: kept as typed.
    ("北京", "朝阳", ("北京市", "朝阳")),
    ("广东省", "深圳市", ("广东省", "深圳市")),
    ("Guangdong", "深圳南山", ("Guangdong", "深圳南山")),
])
def test_a_province_and_city_typed_by_their_short_names_are_named_in_full(province, city, named):
    row = {"province": province, "city": city}
    full_division_names([row])
    assert (row["province"], row["city"]) == named


HEADERS = ["客户姓名", "手机", "车架号", "品牌", "车型", "地址"]


def _file(path, rows):
    return write_xlsx(path, HEADERS, rows)


def _customer(database, name):
    with database.sessions() as s:
        return s.scalars(select(Customer).where(Customer.name == name)).one()


def test_one_address_column_fills_province_city_and_district(database, tmp_path):
    path = _file(tmp_path / "a.xlsx", [
        ["林晓峰", "13823456789", None, "大众", "帕萨特", "广东省广州市天河区体育西路100号"],
        ["周婷", "13902715566", None, "本田", "雅阁", "北京朝阳区建国路88号"]])
    apply(database.sessions, path, CUSTOMERS)
    lin, zhou = _customer(database, "林晓峰"), _customer(database, "周婷")
    assert (lin.province, lin.city, lin.district, lin.street) == (
        "广东省", "广州市", "天河区", "体育西路100号")
    assert (zhou.province, zhou.city, zhou.district, zhou.street) == (
        "北京市", "北京市", "朝阳区", "建国路88号")
    # The same file again changes nothing.
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated) == (0, 0)


def test_an_address_written_from_its_district_is_placed_by_the_shops_city(database, supervisor,
                                                                          tmp_path):
    rows = [["林晓峰", "13823456789", None, "大众", "帕萨特", "南山区科技园南区8栋"],
            ["周婷", "13902715566", None, "本田", "雅阁", "天河区体育西路100号"]]
    apply(database.sessions, _file(tmp_path / "a.xlsx", rows), CUSTOMERS)
    # No shop address yet: 南山区 could be Shenzhen's or Hegang's, and stays a street.
    lin, zhou = _customer(database, "林晓峰"), _customer(database, "周婷")
    assert (lin.province, lin.city, lin.district, lin.street) == (
        None, None, None, "南山区科技园南区8栋")
    assert (zhou.province, zhou.city, zhou.district, zhou.street) == (
        "广东省", "广州市", "天河区", "体育西路100号")
    save_settings(database.sessions, Settings(shop_address="深圳市福田区福华路1号"), supervisor)
    rows[0][0] = "林晓"  # another customer, so the row is not the stored street again
    rows[0][1] = "13823456780"
    done = apply(database.sessions, _file(tmp_path / "b.xlsx", rows[:1]), CUSTOMERS)
    assert done.created == 1
    lin = _customer(database, "林晓")
    assert (lin.province, lin.city, lin.district, lin.street) == (
        "广东省", "深圳市", "南山区", "科技园南区8栋")


def test_one_place_is_stored_under_one_name_whichever_way_a_file_writes_it(database, tmp_path):
    headers = ["客户姓名", "手机", "省份", "城市", "区县", "详细地址"]
    apply(database.sessions, write_xlsx(tmp_path / "a.xlsx", headers, [
        ["林晓峰", "13823456789", "广东", "深圳", "南山区", "科技园南区8栋"],
        ["周婷", "13902715566", "广东省", "深圳市", "福田区", "福华路1号"]]), CUSTOMERS)
    lin, zhou = _customer(database, "林晓峰"), _customer(database, "周婷")
    assert (lin.province, lin.city) == (zhou.province, zhou.city) == ("广东省", "深圳市")
    assert (lin.district, lin.street) == ("南山区", "科技园南区8栋")


def test_a_vaguer_address_keeps_the_stored_street_and_says_so(database, tmp_path):
    apply(database.sessions, _file(tmp_path / "a.xlsx", [
        ["陈虎峰", "15963248519", None, "大众", "速腾",
         "江苏省无锡市锡山区长江大街984号13栋2508室"]]),
        CUSTOMERS)
    vaguer = _file(tmp_path / "b.xlsx", [
        ["陈虎峰", "15963248519", None, "大众", "速腾", "江苏省无锡市"]])
    dry = plan(database.sessions, vaguer, CUSTOMERS)
    assert dry.updated == 0 and dry.samples["unchanged"][0].summary == "无变化"
    assert dry.samples["unchanged"][0].reasons == (
        "文件中的地址不如已存的详细，保留了已存的区县和详细地址",)
    apply(database.sessions, vaguer, CUSTOMERS)
    chen = _customer(database, "陈虎峰")
    assert (chen.province, chen.city, chen.district, chen.street) == (
        "江苏省", "无锡市", "锡山区", "长江大街984号13栋2508室")


def test_another_address_replaces_the_stored_one_with_a_warning(database, tmp_path):
    apply(database.sessions, _file(tmp_path / "a.xlsx", [
        ["陈虎峰", "15963248519", None, "大众", "速腾", "江苏省无锡市锡山区长江大街984号"]]),
        CUSTOMERS)
    moved = _file(tmp_path / "b.xlsx", [
        ["陈虎峰", "15963248519", None, "大众", "速腾", "江苏省苏州市"]])
    dry = plan(database.sessions, moved, CUSTOMERS)
    sample = dry.samples["update"][0]
    assert sample.summary == (
        "城市 无锡市 → 苏州市；区县 锡山区 → （清空）；地址 长江大街984号 → （清空）")
    assert sample.reasons == (
        "地址与已存的不同，已按文件更新（原地址记入客户资料变更记录），请核对",)
    apply(database.sessions, moved, CUSTOMERS)
    chen = _customer(database, "陈虎峰")
    assert (chen.province, chen.city, chen.district, chen.street) == (
        "江苏省", "苏州市", None, None)


def test_a_street_stored_whole_is_split_without_a_warning(database, tmp_path):
    path = _file(tmp_path / "a.xlsx", [
        ["林晓峰", "13823456789", None, "大众", "帕萨特", "广东省广州市天河区体育西路100号"]])
    apply(database.sessions, path, CUSTOMERS)
    with database.sessions.begin() as s:  # as an import stored it before addresses were split
        lin = s.scalars(select(Customer)).one()
        lin.province = lin.city = lin.district = None
        lin.street = "广东省广州市天河区体育西路100号"
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.updated == 1 and not result.warnings
    lin = _customer(database, "林晓峰")
    assert (lin.province, lin.city, lin.district, lin.street) == (
        "广东省", "广州市", "天河区", "体育西路100号")

