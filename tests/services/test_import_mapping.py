"""Column mapping: the field catalog, headers matched with synonyms in Chinese and English,
profiles saved and fitted to moved columns, and whole rows cleaned by a mapping."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from models.codes import (
    CHANNELS,
    IMPORT_KINDS,
    OUTCOMES,
    PAYMENT_METHODS,
    PURCHASE_KINDS,
    PURPOSES,
    VISIT_TYPES,
)
from services.imports.clean import clean_row
from services.imports.fields import CLEANERS, KINDS
from services.imports.mapping import (
    Mapping,
    auto_map,
    fit_profile,
    header_key,
    looks_like,
    score,
)
from services.imports.normalise import vin_check_digit

TODAY = dt.date(2026, 11, 1)


def vin(body: str) -> str:
    return body[:8] + vin_check_digit(body) + body[9:]


GOOD_VIN = vin("LSVAU2180N2183294")

# ------------------------------------------------------------------------------ the catalog


def test_catalog_is_consistent():
    assert set(KINDS) == set(IMPORT_KINDS)
    for kind in KINDS.values():
        keys = kind.keys()
        assert len(keys) == len(set(keys)), kind.key
        owner: dict[str, str] = {}
        for field in kind.fields:
            assert field.cleaner in CLEANERS
            assert field.zh and field.en and field.synonyms
            for synonym in field.synonyms:  # one header text never names two fields
                key = header_key(synonym)
                assert owner.setdefault(key, field.key) == field.key, (kind.key, synonym)
        if kind.needs_link:
            assert {f.key for f in kind.fields if f.link} == {"mobile", "plate", "vin", "dms_code"}
    assert [f.key for f in KINDS["surveys"].fields if f.required] == ["survey_date",
                                                                      "overall_score"]


def test_code_vocabularies_match_the_models():
    from services.imports import words as n

    assert {c for _, c in n.PAYMENT_WORDS} == set(PAYMENT_METHODS)
    # NOT_A_VISIT is read only to leave its rows out (a PDI, an internal work order).
    assert {c for _, c in n.VISIT_TYPE_WORDS} == {*VISIT_TYPES, n.NOT_A_VISIT}
    assert {c for _, c in n.CHANNEL_WORDS} == set(CHANNELS)
    assert {c for _, c in n.PURPOSE_WORDS} <= set(PURPOSES)
    # NOT_CONTACTED is read only to leave its rows out (a callback task not yet done).
    assert {c for _, c in n.OUTCOME_WORDS} <= {*OUTCOMES, n.NOT_CONTACTED}
    assert {c for _, c in n.PURCHASE_KIND_WORDS} == set(PURCHASE_KINDS) - {"other"}


# ------------------------------------------------------------------------------ header matching


@pytest.mark.parametrize(
    ("kind", "field", "headers"),
    [
        ("customers", "name", ["客户姓名", "姓名", "车主姓名", "车主", "客户名称",
                               "Customer Name"]),
        ("customers", "mobile", ["手机", "手机号码", "联系电话", "移动电话", "电话", "Mobile"]),
        ("customers", "plate", ["车牌", "车牌号码", "车牌号", "Plate No."]),
        ("customers", "vin", ["VIN", "车架号", "底盘号", "车辆识别代号", "vin码", "VIN/车架号"]),
        ("customers", "purchase_date", ["购车日期", "开票日期", "销售日期", "首次开票日期",
                                        "提车日期", "交付日期"]),
        ("customers", "km", ["里程", "行驶里程", "进厂里程", "公里数", "里程(km)", "里程（公里）"]),
        ("customers", "price_paid", ["开票价", "购车价格", "开票金额", "成交价", "开票价（元）",
                                     "成交价格(万元)"]),
        ("customers", "payment_method", ["付款方式", "购车方式", "购买方式", "付款形式"]),
        ("customers", "insurance_expiry", ["保险到期日", "商业险到期日期"]),
        ("customers", "street", ["地址", "车主地址", "家庭住址"]),
        ("customers", "other_phone", ["备用电话", "座机", "电话2"]),
        ("customers", "marital_status", ["婚姻状况"]),
        ("visits", "amount", ["金额（元）", "结算金额", "维修金额(元)", "Amount", "实收"]),
        ("visits", "visit_type", ["维修类型", "业务类型", "类型"]),
        ("visits", "visit_date", ["进厂日期", "日期", "结算日期", "入厂时间", "到店时间"]),
        ("visits", "work_order", ["工单号", "委托书号", "RO Number"]),
        ("surveys", "overall_score", ["总体满意度", "满意度", "总分"]),
        ("surveys", "attitude", ["服务态度"]),
        ("surveys", "speed", ["交车及时", "按时交车", "维修及时性"]),
        ("visits", "declined", ["建议维修项目", "未修项目", "维修建议"]),
        ("purchases", "name", ["被保险人", "投保人"]),
        ("purchases", "amount", ["保费", "签单保费", "销售金额", "实收", "收款金额"]),
        ("purchases", "item", ["险种", "精品名称", "商品名称"]),
        ("purchases", "insurance_expiry", ["终保日期", "保险止期"]),
        ("purchases", "purchase_date", ["起保日期", "销售日期", "出单日期", "消费时间",
                                        "交易时间", "签约日期"]),
        ("purchases", "order_no", ["单号", "合同编号", "交易单号"]),
        ("complaints", "resolved", ["是否解决", "处理状态"]),
        ("complaints", "resolved_date", ["结案日期", "完成时间", "完成日期"]),
        ("surveys", "repair_quality", ["维修质量", "维修满意度"]),
        ("contacts", "contact_at", ["联系时间", "回访日期"]),
        ("contacts", "channel", ["联系方式", "渠道"]),
        ("contacts", "next_follow_up", ["下次跟进日期", "下次回访时间", "预约回访时间"]),
    ],
)
def test_synonyms(kind, field, headers):
    for header in headers:
        mapping = auto_map(["序号", header], kind)
        assert mapping.column(field) == 1, header


@pytest.mark.parametrize(
    ("header", "key"),
    [("　客户 姓名　", "客户姓名"), ("里程(km)", "里程"), ("金额（元）", "金额"),
     ("*车主姓名:", "车主姓名"), ("ＶＩＮ", "vin"), ("开票价元", "开票价"), ("(备注)", "(备注)"),
     ("Plate_No.", "plateno")],
)
def test_header_key_ignores_width_space_brackets_and_units(header, key):
    assert header_key(header) == key


def test_scores_rank_exact_over_contained():
    mobile = KINDS["customers"].field("mobile")
    assert score(mobile, "手机") == 1.0
    assert 0.5 < score(mobile, "车主手机号码") < 1.0
    assert score(mobile, "备用电话") == 0.0
    assert score(mobile, "年龄") == 0.0


def test_a_dms_owner_export_maps_itself():
    headers = ["序号", "客户名称", "性别", "手机号码", "联系电话", "车牌号码", "VIN", "品牌",
               "车型", "开票日期", "开票价（元）", "付款方式", "里程(km)", "地址", "备注",
               "保险到期日", "出生日期", "无关列"]
    mapping = auto_map(headers, "customers")
    assert {f: headers[c] for f, c in mapping.columns} == {
        "name": "客户名称", "gender": "性别", "mobile": "手机号码", "other_phone": "联系电话",
        "plate": "车牌号码", "vin": "VIN", "brand": "品牌", "model": "车型",
        "purchase_date": "开票日期", "price_paid": "开票价（元）", "payment_method": "付款方式",
        "km": "里程(km)", "street": "地址", "remarks": "备注", "insurance_expiry": "保险到期日",
        "birthday": "出生日期",
    }
    assert mapping.missing_required == () and not mapping.missing_link
    assert 0.9 < mapping.confidence <= 1.0
    assert mapping.headers == tuple(headers)


def test_one_column_per_field_and_the_leftmost_wins():
    mapping = auto_map(["手机", "手机", "电话"], "customers")
    assert mapping.column("mobile") == 0 and mapping.column("other_phone") == 2


def test_a_registration_date_stands_in_for_a_purchase_date_only_when_there_is_none():
    alone = auto_map(["车主", "车牌", "上牌日期"], "customers")
    assert alone.column("purchase_date") == 2
    assert dict(alone.scores)["purchase_date"] < 1  # marked for the clerk to check
    both = auto_map(["车主", "初登日期", "开票日期"], "customers")
    assert both.column("purchase_date") == 2 and both.field_of(1) is None
    # 登记日期 alone may be when the record was made: not taken.
    assert auto_map(["车主", "登记日期"], "customers").column("purchase_date") is None


def test_the_series_is_the_model_when_a_file_also_names_the_configuration():
    # 车系 凯美瑞 beside 车型 2.5G 豪华版: the series is what staff call the car and what a
    # brand's maintenance intervals are set for; the configuration is left for the clerk.
    for headers in (["品牌", "车系", "车型"], ["品牌", "车型", "车系"]):
        mapping = auto_map(headers, "customers")
        assert mapping.column("model") == headers.index("车系")
        assert mapping.field_of(headers.index("车型")) is None
    assert auto_map(["品牌", "车型"], "customers").column("model") == 1
    assert auto_map(["品牌", "车型名称"], "customers").column("model") == 1


def test_the_phone_of_whoever_brought_the_car_in_is_not_the_owners():
    # A visit found by that phone would be stored against whoever else has it.
    visits = auto_map(["进厂日期", "车牌", "送修人", "送修人电话"], "visits")
    assert (visits.column("plate"), visits.column("mobile")) == (1, None)
    owners = auto_map(["客户姓名", "手机", "送修人电话"], "customers")
    assert owners.column("mobile") == 1 and owners.field_of(2) is None
    assert auto_map(["进厂日期", "车牌", "车主电话"], "visits").column("mobile") == 2


def test_a_visits_advice_is_not_taken_for_its_work():
    mapping = auto_map(["进厂日期", "车牌", "维修项目", "建议维修项目", "建议维修日期"], "visits")
    assert (mapping.column("note"), mapping.column("declined"),
            mapping.column("declined_due")) == (2, 3, 4)
    alone = auto_map(["进厂日期", "车牌", "建议维修项目"], "visits")
    assert (alone.column("declined"), alone.column("note")) == (2, None)


@pytest.mark.parametrize(("kind", "headers", "left"), [
    # The advisor's phone found visits by it: each went to whoever else has that number.
    ("visits", ["进厂日期", "车牌", "服务顾问", "顾问电话"], "顾问电话"),
    # An emergency contact is no one to ask for; the dealer's own number is no customer's.
    ("customers", ["客户姓名", "手机", "紧急联系人", "紧急联系人电话"], "紧急联系人"),
    ("customers", ["客户姓名", "手机", "经销商电话"], "经销商电话"),
])
def test_someone_elses_phone_or_name_is_left_out(kind, headers, left):
    mapping = auto_map(headers, kind)
    assert mapping.field_of(headers.index(left)) is None


def test_what_is_planned_or_due_is_not_what_happened():
    # 下次保养里程 was read as the car's odometer (a car serviced at 30,000 km read 35,000), and
    # 计划回访日期 as when the call was made.
    # Each is now read as what it is: what the advisor told the owner.
    owners = auto_map(["车主", "手机", "车牌", "下次保养日期", "下次保养里程"], "customers")
    assert owners.column("km") is None and owners.field_of(4) == "next_service_km"
    visits = auto_map(["车牌", "下次保养日期", "开单时间", "进厂里程", "下次保养里程"], "visits")
    assert (visits.column("visit_date"), visits.column("km")) == (2, 3)
    assert (visits.column("next_service_date"), visits.column("next_service_km")) == (1, 4)
    contacts = auto_map(["手机", "计划回访日期", "实际回访日期", "回访结果"], "contacts")
    assert contacts.column("contact_at") == 2
    assert auto_map(["手机", "创建时间", "回访结果"], "contacts").column("contact_at") is None


def test_an_id_cards_address_is_an_address_and_a_home_address_the_address():
    # 身份证地址 holds 身份证: it was read as the ID number (every row noted as one invalid).
    alone = auto_map(["车主", "手机", "身份证地址"], "customers")
    assert (alone.column("id_number"), alone.column("street")) == (None, 2)
    both = auto_map(["车主", "身份证地址", "现住址", "身份证号"], "customers")
    assert (both.column("street"), both.column("id_number")) == (2, 3)
    assert auto_map(["车主", "手机", "单位地址", "家庭地址"], "customers").column("street") == 3


def test_a_discount_an_insurer_or_a_lender_is_not_the_bill_or_the_employer():
    # 优惠金额 holds 金额: the discount was taken for the visit's or purchase's amount; 保险公司
    # holds 公司: the insurer was stored as the owner's employer.
    visits = auto_map(["进厂日期", "车牌", "优惠金额", "工时费", "材料费"], "visits")
    assert visits.column("amount") is None
    assert (visits.column("labor_amount"), visits.column("parts_amount")) == (3, 4)
    purchases = auto_map(["日期", "车牌", "项目名称", "单价", "优惠金额", "保险公司"],
                         "purchases")
    assert purchases.column("amount") is None and purchases.column("item") == 2
    assert auto_map(["日期", "车牌", "优惠后金额"], "purchases").column("amount") == 2
    # 售价 is what the customer paid; 成本价 and 进价 what the dealer did.
    sold = auto_map(["日期", "车牌", "精品名称", "进价", "销售价"], "purchases")
    assert sold.column("amount") == 4 and sold.field_of(3) is None
    assert auto_map(["日期", "车牌", "成本金额"], "visits").column("amount") is None
    # A work order's total (结算金额) also holds what an insurer or the maker paid for a claim
    # or a warranty job; the owner's spend is what they paid (实收金额), wherever it stands.
    for headers, paid in ((["进厂日期", "车牌", "结算金额", "优惠金额", "实收金额"], 4),
                          (["进厂日期", "车牌", "实收金额", "应收金额"], 2),
                          (["进厂日期", "车牌", "工单金额", "实付金额"], 3)):
        assert auto_map(headers, "visits").column("amount") == paid, headers
    owners = auto_map(["客户名称", "手机", "保险公司", "贷款银行", "单位名称"], "customers")
    assert owners.column("employer") == 4
    assert owners.field_of(2) is None and owners.field_of(3) is None


@pytest.mark.parametrize("headers, name", [
    (["客户编号", "联系人", "移动电话"], 1),
    (["客户ID", "客户类型", "客户等级", "客户来源", "车主"], 4),
    (["Customer ID", "Customer type", "Customer name"], 2),
    (["客户编号", "客户", "电话"], 1),
])
def test_a_customers_number_kind_or_source_is_not_their_name(headers, name):
    # "客户编号" holds "客户": taken for the name, every customer of a DMS export was stored
    # named 000123…, and the real name column (联系人) was left out. A file whose only name
    # is 联系人 reads it as the contact person, whom the name is then taken from.
    mapping = auto_map(headers, "customers")
    columns = dict(mapping.columns)
    assert columns.get("name", columns.get("contact_name")) == name
    assert mapping.missing_required == ()


def test_what_is_still_missing():
    mapping = auto_map(["进厂日期", "金额"], "visits")
    assert mapping.missing_required == () and mapping.missing_link
    mapping = auto_map(["车牌", "金额"], "visits")
    assert mapping.missing_required == ("visit_date",) and not mapping.missing_link
    assert auto_map(["a", "b"], "customers").missing_required == ("name",)
    assert auto_map(["a"], "customers").confidence == 0.0


def test_unknown_headers_found_by_their_values():
    headers = ["列1", "列2", "列3", "列4"]
    samples = [
        ["2019-03-05", "13800138080", GOOD_VIN, "粤A12345"],
        ["2019-03-06", "139 0013 9000", vin("LFV2A21K0A3000001"), "粤B54321"],
        ["2019-03-07", "+86 13700137000", vin("LFV2A21K0A3000002"), "京A88888"],
    ]
    mapping = auto_map(headers, "visits", samples)
    assert mapping.as_dict() == {"mobile": 1, "plate": 3, "vin": 2}
    assert dict(mapping.scores)["mobile"] == 0.55
    assert auto_map(headers, "visits", samples[:2]).as_dict() == {}  # too few to tell


# ------------------------------------------------------------------------------ profiles


def test_user_corrections():
    mapping = auto_map(["姓名", "手机", "电话"], "customers")
    corrected = mapping.with_column("mobile", 2)
    assert corrected.as_dict() == {"name": 0, "mobile": 2}  # 电话 no longer the other phone
    assert corrected.with_column("mobile", None).as_dict() == {"name": 0}
    with pytest.raises(ValueError):
        mapping.with_column("nonsense", 1)


def test_profile_json_round_trip():
    mapping = auto_map(["客户姓名", "手机", "车牌"], "customers").with_column("vin", 5)
    text = mapping.to_json()
    assert json.loads(text)["columns"] == {"name": 0, "mobile": 1, "vin": 5, "plate": 2}
    assert "客户姓名" in text  # readable in the database, not \\u escapes
    loaded = Mapping.from_json(text)
    assert loaded.columns == mapping.columns and loaded.headers == mapping.headers
    assert loaded.confidence == 1.0
    assert loaded == Mapping.from_json(loaded.to_json())


def test_profile_json_tolerates_old_fields_and_refuses_unknown_kinds():
    text = json.dumps({"kind": "visits", "columns": {"visit_date": 0, "gone": 1}})
    assert Mapping.from_json(text).as_dict() == {"visit_date": 0}
    with pytest.raises(ValueError):
        Mapping.from_json(json.dumps({"kind": "cars", "columns": {}}))


def test_a_saved_profile_follows_its_headers_to_new_columns():
    saved = auto_map(["工单号", "进厂日期", "车牌号", "备注"], "visits")
    assert saved.as_dict() == {"visit_date": 1, "plate": 2, "work_order": 0, "note": 3}
    moved = fit_profile(saved, ["车牌号", "新增列", "进厂日期", "工单号"])
    assert moved.as_dict() == {"visit_date": 2, "plate": 0, "work_order": 3}
    assert moved.headers == ("车牌号", "新增列", "进厂日期", "工单号")
    assert fit_profile(saved, ["别的"]).as_dict() == {}
    bare = Mapping("visits", (("visit_date", 1),))
    assert fit_profile(bare, ["a", "b"]).as_dict() == {"visit_date": 1}
    assert fit_profile(bare, ["a"]).as_dict() == {}


# ------------------------------------------------------------------------------ clean rows

OWNER_HEADERS = ["客户名称", "性别", "手机号码", "其他电话", "车牌号码", "VIN", "开票日期",
                 "开票价", "付款方式", "里程", "生日", "婚姻状况"]


def owner_mapping() -> Mapping:
    mapping = auto_map(OWNER_HEADERS, "customers")
    assert len(mapping.columns) == len(OWNER_HEADERS)
    return mapping


def test_an_owner_row_cleaned():
    row = ["王小明\u3000", "先生", "+86 138-0013-8080", "022-72587682", "粤A·12345",
           GOOD_VIN.lower(), "43529", "15.8万", "按揭", "8.6万公里", "1985.7.1", "已婚"]
    result = clean_row(owner_mapping(), row, today=TODAY, number=4)
    assert result.number == 4 and result.problems == () and not result.rejected
    assert result.values == {
        "name": "王小明", "gender": "M", "mobile": "13800138080",
        "other_phones": "022-72587682", "plate": "粤A12345", "vin": GOOD_VIN,
        "purchase_date": dt.date(2019, 3, 5), "price_paid": Decimal("158000.00"),
        "payment_method": "loan", "km": 86000, "birthday": dt.date(1985, 7, 1),
        "marital_status": "married",
    }


def test_bad_optional_values_are_dropped_with_warnings_and_the_row_kept():
    row = ["李四", "未知性别", "022-72587682", "13900139000", "粤A12345", "LSVAU2180N2183295",
           "2019-02-30", "很贵", None, None, "2030-01-01", None]
    result = clean_row(owner_mapping(), row, today=TODAY)
    assert not result.rejected
    assert [(p.field, p.code, p.severity) for p in result.problems] == [
        ("gender", "gender_unknown", "warning"),
        ("birthday", "date_in_future", "warning"),
        ("mobile", "mobile_is_landline", "warning"),
        ("vin", "vin_check_digit", "warning"),
        ("purchase_date", "date_impossible", "warning"),
        ("price_paid", "amount_invalid", "warning"),
    ]  # in the catalog's field order
    assert result.values["mobile"] == "13900139000"  # the only mobile, from the other column
    assert result.values["other_phones"] == "022-72587682"
    assert result.values["vin"] == "LSVAU2180N2183295"  # kept despite its check digit
    assert result.values["purchase_date"] is None and result.values["gender"] is None
    assert result.problems[4].raw == "2019-02-30"
    assert result.problems[4].text() == "日期不存在"


def test_a_customer_without_a_name_is_rejected():
    result = clean_row(owner_mapping(), ["  ", None, "13800138080"], today=TODAY)
    assert result.rejected
    assert [(p.field, p.code) for p in result.errors] == [("name", "required_missing")]
    result = clean_row(auto_map(["手机"], "customers"), ["13800138080"], today=TODAY)
    assert [(p.field, p.code) for p in result.errors] == [("name", "required_missing")]


def visit_mapping() -> Mapping:
    return auto_map(["进厂日期", "车牌号", "手机", "结算金额", "维修类型", "进厂里程"], "visits")


def test_a_visit_whose_only_link_is_an_invalid_mobile_is_rejected():
    result = clean_row(visit_mapping(), ["2019-03-05", None, "12345", "880", "保养", "12000"],
                       today=TODAY)
    assert [(p.field, p.code, p.severity) for p in result.problems] == [
        ("mobile", "mobile_invalid", "error")
    ]


def test_an_invalid_mobile_beside_a_plate_is_only_a_warning():
    result = clean_row(visit_mapping(), ["2019/3/5", "粤A12345", "12345", "¥880", "首保", "1.2万"],
                       today=TODAY)
    assert not result.rejected
    assert [(p.code, p.severity) for p in result.problems] == [("mobile_invalid", "warning")]
    assert result.values == {
        "visit_date": dt.date(2019, 3, 5), "plate": "粤A12345", "mobile": None,
        "other_phones": None, "amount": Decimal("880.00"), "visit_type": "maintenance",
        "km": 12000,
    }


def test_a_visit_with_no_link_at_all_and_a_future_date():
    result = clean_row(visit_mapping(), ["2027-01-01", "", None, "880", "保养"], today=TODAY)
    assert [(p.field, p.code) for p in result.errors] == [("visit_date", "date_in_future"),
                                                          ("", "no_link_key")]
    assert result.errors[1].text("en") == ("no mobile, plate, VIN or customer number to link "
                                           "the row to")


def test_expiry_dates_may_lie_ahead():
    mapping = auto_map(["客户姓名", "保险到期日"], "customers")
    result = clean_row(mapping, ["张三", "2027-05-01"], today=TODAY)
    assert result.values["insurance_expiry"] == dt.date(2027, 5, 1) and not result.problems


def test_contacts_and_complaints():
    contacts = auto_map(["联系时间", "手机", "联系方式", "联系目的", "联系结果", "下次跟进日期"],
                        "contacts")
    result = clean_row(contacts, ["2026/10/30 14:05", "13800138080", "电话", "保养提醒",
                                  "已预约", "2026-11-15"], today=TODAY)
    assert result.problems == ()
    assert result.values["contact_at"] == dt.datetime(2026, 10, 30, 14, 5)
    assert (result.values["channel"], result.values["purpose"], result.values["outcome"]) == (
        "phone", "reminder", "appointment")
    complaints = auto_map(["投诉日期", "车牌", "投诉主题", "是否解决"], "complaints")
    result = clean_row(complaints, ["2026-10-01", "粤A12345", None, "已解决"], today=TODAY)
    assert [(p.field, p.code) for p in result.errors] == [("topic", "required_missing")]
    assert result.values["resolved"] is True
    # With the complaint's content beside it, an empty category is no reason to lose the
    # complaint (unresolved, it holds back sales calls): the topic is taken from the content,
    # as when the file has no category column at all.
    described = auto_map(["投诉日期", "车牌", "投诉类别", "投诉内容", "是否解决"], "complaints")
    result = clean_row(described, ["2026-10-01", "粤A12345", None, "发动机异响。三次未修好",
                                   "未解决"], today=TODAY)
    assert result.errors == () and result.values["topic"] == "发动机异响"
    assert result.values["resolved"] is False


def test_a_call_centres_record_of_calls_finds_the_customer_by_the_number_called():
    """A call-centre export: the number called (被叫号码) is the customer's, the caller line
    (主叫号码) the dealer's, 坐席姓名 the agent's name, not the customer's (it was taken for the
    customer's name); 呼叫类型 外呼 is the call's direction, no purpose not understood."""
    headers = ["序号", "主叫号码", "被叫号码", "呼叫类型", "开始时间", "振铃时长", "通话时长",
               "坐席工号", "坐席姓名", "呼叫结果"]
    mapping = auto_map(headers, "contacts")
    found = {field: headers[column] for field, column in mapping.columns}
    assert found == {"contact_at": "开始时间", "mobile": "被叫号码", "purpose": "呼叫类型",
                     "staff": "坐席姓名", "outcome": "呼叫结果", "duration": "通话时长"}
    result = clean_row(mapping, [1, "02088886666", "13800138080", "外呼", "2026-10-03 10:15:22",
                                 "00:00:12", "00:01:23", "8001", "李丽", "客户接听"], today=TODAY)
    assert result.problems == ()
    assert (result.values["channel"], result.values["purpose"], result.values["outcome"],
            result.values["duration"]) == ("phone", None, "reached", 83)
    # Nor is a referrer's or a salesman's name the customer's in an owners file.
    owners = auto_map(["车主姓名", "销售顾问姓名", "介绍人姓名", "手机"], "customers")
    assert owners.column("name") == 0


def test_short_rows_read_missing_cells_as_empty():
    result = clean_row(visit_mapping(), ["2019-03-05", "粤A12345"], today=TODAY)
    assert not result.rejected and result.values["amount"] is None


def test_only_a_birthday_is_dated_before_1950():
    """A visit in 1903, or 190305 read as March 1903 for a purchase, is a misread: refused as
    an implausible year (the visit's row, which needs its date; the purchase date left empty
    with a warning). A customer born in 1930 is a customer."""
    result = clean_row(visit_mapping(), ["1903-05-01", "粤A12345"], today=TODAY)
    assert [(p.field, p.code) for p in result.errors] == [("visit_date", "date_out_of_range")]
    owners = auto_map(["姓名", "手机", "生日", "购车日期"], "customers")
    result = clean_row(owners, ["张三", "13800138080", "1930-05-01", "190305"], today=TODAY)
    assert result.errors == () and result.values["birthday"] == dt.date(1930, 5, 1)
    assert result.values["purchase_date"] is None
    assert [(p.field, p.code) for p in result.problems] == [("purchase_date",
                                                             "date_out_of_range")]
    fine = clean_row(visit_mapping(), ["1950-01-01", "粤A12345"], today=TODAY)
    assert fine.errors == () and fine.values["visit_date"] == dt.date(1950, 1, 1)


# Header rows as DMS exports and department spreadsheets name them, one per kind of file.
TYPICAL_HEADERS = {
    "customers": ["客户姓名", "性别", "手机", "地址", "品牌", "车型", "VIN", "车牌", "购车日期",
                  "开票价", "保险到期", "最近进厂日期", "里程", "服务顾问"],
    "visits": ["进厂日期", "车牌", "VIN", "里程", "金额", "维修类型", "服务顾问", "工单号",
               "维修项目"],
    "surveys": ["回访日期", "车牌", "客户姓名", "工单号", "满意度", "维修质量", "服务态度",
                "客户意见"],
    "complaints": ["投诉日期", "客户姓名", "手机", "投诉类型", "投诉内容", "处理状态", "处理结果"],
    "contacts": ["联系时间", "客户姓名", "手机", "联系方式", "联系目的", "联系结果", "客户反馈",
                 "下次跟进日期"],
}


@pytest.mark.parametrize("actual", sorted(TYPICAL_HEADERS))
def test_a_file_chosen_as_another_kind_is_told_by_its_headers(actual):
    headers = TYPICAL_HEADERS[actual]
    assert looks_like(headers, actual) is None
    for chosen in KINDS:
        if chosen == actual:
            continue
        other = looks_like(headers, chosen)
        assert other is not None and other.kind == actual, (chosen, other)
        # Only headers that name nothing of the kind chosen that tells it (a visits file's
        # 品牌 and 车型, for the cars its rows make, do not), in the file's order.
        assert len(other.headers) >= 2
        assert list(other.headers) == [h for h in headers if h in other.headers]
        assert all(score(f, h) < 0.5 for h in other.headers for f in KINDS[chosen].fields
                   if f.telling)


def test_one_column_of_another_kind_is_a_dms_extra_not_another_file():
    # A contact log with the visit's amount beside it, and a customer list with the last
    # visit's advisor: still the kind chosen.
    assert looks_like([*TYPICAL_HEADERS["contacts"], "金额"], "contacts") is None
    assert looks_like(["客户姓名", "手机", "服务顾问"], "customers") is None
    # Nothing known at all is no other kind either.
    assert looks_like(["A", "B", "C"], "visits") is None
    assert looks_like([], "complaints") is None


def test_a_birthday_without_its_day_is_left_empty_and_a_purchase_month_is_the_first():
    """A birthday of 1985年3月 taken as 1 March sent the greeting on the wrong day; a purchase
    month is still its 1st (the years owned hardly move)."""
    owners = auto_map(["姓名", "手机", "生日", "购车日期"], "customers")
    result = clean_row(owners, ["张三", "13800138080", "1985年3月", "2019年5月"], today=TODAY)
    assert not result.rejected and result.values["birthday"] is None
    assert result.values["purchase_date"] == dt.date(2019, 5, 1)
    assert [(p.field, p.code, p.severity) for p in result.problems] == [
        ("birthday", "birthday_day_missing", "warning"),
        ("purchase_date", "date_day_missing", "warning")]
