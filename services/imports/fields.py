"""The five kinds of file staff import and their fields: labels, header synonyms, cleaning."""

from __future__ import annotations

from dataclasses import dataclass, replace

# How a field's cells are cleaned (services/imports/clean.py holds the function of each).
CLEANERS = (
    "text", "name", "phones", "gender", "date", "datetime", "amount", "signed_amount", "price",
    "km", "vin", "plate", "payment", "visit_type", "score", "yes_no", "channel", "purpose",
    "outcome", "contact_status", "postcode", "attribute", "wechat", "consent", "items",
    "id_number", "purchase_kind", "loan_term", "duration", "customer_number",
)


@dataclass(frozen=True)
class Field:
    """One thing a column can hold. Synonyms are header texts in order of preference, matched
    after header_key(); weak ones only count when nothing better claims the column. A header
    containing an `avoid` word is never taken for this field by containment ("备用电话")."""

    key: str
    zh: str
    en: str
    cleaner: str
    synonyms: tuple[str, ...]
    weak: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    required: bool = False
    # Finds the customer or vehicle a visit, survey, complaint or contact belongs to.
    link: bool = False
    # A date that may lie ahead (an expiry, a follow-up); other dates are refused if more than
    # a day in the future.
    future: bool = False
    max_length: int | None = None
    # A required field that, when no column is mapped to it, is taken from the first of these
    # fields that has a value: a complaints export with only 投诉内容 has its topic in the
    # content. A blank_filled field's rule reads them itself (a contact's outcome).
    fallback: tuple[str, ...] = ()
    # Whether a column of it tells which kind of file this is (mapping.looks_like): a visits
    # file's 品牌 and 车型 (for the cars it makes) say no more than an owners file's.
    telling: bool = True
    # A required field whose empty cell does not refuse the row: the import records the value
    # a rule gives and says so on the row (a contact's channel and outcome, clean.py).
    blank_filled: bool = False
    # A date typed without its year (12月5日, 12-5 10:30) taken as the next such day from the
    # import's ("next": a follow-up, a yearly renewal) or the last up to it ("last": a call, a
    # visit); None: refused, as for a birthday or a purchase, whose year cannot be guessed.
    yearless: str | None = None

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


@dataclass(frozen=True)
class FileKind:
    key: str
    zh: str
    en: str
    fields: tuple[Field, ...]
    # True: a row is refused unless at least one link field (mobile, plate, VIN) is usable.
    needs_link: bool = False

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


# Words of a date or km column's header that name what is planned or due, not what happened:
# 计划回访日期 is not when the call was made, 下次保养里程 no odometer reading.
NOT_YET = ("计划", "预约", "下次", "下一次", "应回访", "建议", "间隔", "planned", "next",
           "interval")
# 送修人电话: the phone of whoever brought the car in (a driver, a relative), not the owner's.
_PHONE_AVOID = ("其他", "其它", "备用", "紧急", "固定", "座机", "固话", "家庭", "单位", "办公",
                "宅电", "2", "二", "送修")
# Words of a phone column's header that name someone else's number: the salesman's, the
# service advisor's, an emergency contact's, the referrer's, whoever brought the car in. Such a
# column is never read as one more of the customer's phones.
NOT_THE_CUSTOMERS = ("顾问", "销售", "专员", "员工", "经理", "业务员", "经办", "客服", "坐席",
                     "介绍人", "推荐人", "紧急", "送修", "经销商", "门店", "本店", "4s",
                     "advisor", "sales", "staff", "agent", "emergency", "referr", "dealer")
# Fields for the phone columns of a customer file beyond the mobile and other phone columns
# (电话 beside 手机 and 备用电话, or 车主电话 beside 客户电话): their numbers join the other
# phones, and a mobile among them is the mobile when the mobile column has none.
EXTRA_PHONES = ("other_phone_2", "other_phone_3")

NAME = Field("name", "客户姓名", "Customer name", "name", (
    "客户姓名", "姓名", "车主姓名", "车主", "客户名称", "客户", "客户名", "车主名称", "用户姓名",
    "用户名称", "购车人", "所有人", "被保险人", "投保人", "name", "customer name", "customer",
    "owner", "owner name", "full name", "insured",
    # The surname, where the given name stands in a column of its own (GIVEN_NAME).
    "last name", "surname", "family name", "姓氏"), weak=("联系人", "送修人", "报修人", "姓"),
    # A header naming the customer's number, kind or source is not their name ("客户编号",
    # "客户类型", "customer id"), however much of it says "customer".
    avoid=("联系人", "编号", "编码", "代码", "代号", "号码", "卡号", "类型", "类别", "等级", "级别",
           "来源", "性别", "证件", "身份证", "状态", "id", "number", "type", "level", "source",
           "status",
           # Someone else's name: a call-centre's 坐席姓名, an advisor's, a referrer's.
           *NOT_THE_CUSTOMERS),
    max_length=64)
# A given name in a column apart from the surname (First Name / Last Name, 姓 / 名): joined to
# it as the customer's name (services/imports/clean.py _whole_name); never stored alone.
GIVEN_NAME = Field("given_name", "名（与姓分列时）", "First name (apart from the surname)",
                   "name", ("first name", "given name", "forename", "firstname", "名"),
                   max_length=32)
MOBILE = Field("mobile", "手机", "Mobile", "phones", (
    "手机", "手机号码", "手机号", "联系电话", "移动电话", "电话", "车主手机", "客户手机",
    "客户电话", "车主电话", "电话号码", "联系手机", "mobile", "mobile phone", "cell", "cellphone",
    "phone", "telephone", "tel", "phone number", "contact number",
    # A call-centre's record of calls made: the number called is the customer's.
    "被叫号码", "被叫", "客户号码", "外呼号码", "呼叫号码"), weak=("联系方式",),
    # 顾问电话 in a visits file is the advisor's: found by it, a visit went to whoever else has
    # that number.
    avoid=(*_PHONE_AVOID, *NOT_THE_CUSTOMERS), link=True)
PLATE = Field("plate", "车牌", "Plate", "plate", (
    "车牌", "车牌号码", "车牌号", "牌照号", "牌照", "号牌", "号牌号码", "车号", "plate",
    "plate number", "plate no", "license plate", "licence plate", "registration"), link=True)
VIN = Field("vin", "车架号（VIN）", "VIN", "vin", (
    "vin", "车架号", "底盘号", "车辆识别代号", "车辆识别码", "车辆识别号", "vin码", "车架号码",
    "vin code", "chassis no", "chassis number", "frame number"), link=True)
KM = Field("km", "里程", "Km", "km", (
    "里程", "行驶里程", "进厂里程", "公里数", "当前里程", "表显里程", "里程数", "km", "mileage",
    "odometer", "kilometres", "kilometers"), avoid=(*NOT_YET, "首保", "保修"))
REMARKS = Field("remarks", "备注", "Remarks", "text", (
    "备注", "说明", "备注说明", "remarks", "remark", "note", "notes"))


def _date(key: str, zh: str, en: str, synonyms: tuple[str, ...], *, future: bool = False,
          required: bool = False, yearless: str | None = None,
          avoid: tuple[str, ...] = ()) -> Field:
    return Field(key, zh, en, "date", synonyms, future=future, required=required,
                 yearless=yearless, avoid=avoid)


# What the advisor told the owner at the last maintenance, as a work order or a DMS's 保养提醒
# export writes it: the car falls due then, not at its model's usual interval
# (services/segments/maintenance.py).
NEXT_SERVICE_DATE = _date("next_service_date", "下次保养日期", "Next service date", (
    "下次保养日期", "下次保养时间", "建议下次保养日期", "建议下次保养时间", "预计下次保养日期",
    "下次保养提醒日期", "下次保养", "下次保养日", "next service date", "next service due"),
    future=True)
NEXT_SERVICE_KM = Field("next_service_km", "下次保养里程", "Next service km", "km", (
    "下次保养里程", "建议下次保养里程", "预计下次保养里程", "下次保养公里数", "next service km",
    "next service mileage"))


def _text(key: str, zh: str, en: str, synonyms: tuple[str, ...], length: int | None = None, *,
          required: bool = False) -> Field:
    return Field(key, zh, en, "text", synonyms, max_length=length, required=required)


def _score(key: str, zh: str, en: str, synonyms: tuple[str, ...], *,
           required: bool = False) -> Field:
    return Field(key, zh, en, "score", synonyms, required=required)


# Profile attributes (models/codes.py PROFILE_ATTRIBUTES): the value is a code of that attribute,
# typed as its code, its label or a short form (services.labels); occupation is free text.
PROFILE_FIELDS = (
    Field("marital_status", "婚姻状况", "Marital status", "attribute", (
        "婚姻状况", "婚姻", "婚否", "婚姻状态", "marital status")),
    Field("household", "家庭结构", "Household", "attribute", (
        "家庭结构", "家庭情况", "家庭成员", "household")),
    _text("occupation", "职业", "Occupation", ("职业", "职务", "occupation", "job"), 100),
    Field("employment", "就业状况", "Employment", "attribute", (
        "就业状况", "就业", "工作性质", "employment")),
    Field("car_payer", "购车出资方", "Who pays for the car", "attribute", (
        "购车出资方", "出资方", "购车付款方", "car payer")),
    Field("economic_band", "经济状况", "Economic situation", "attribute", (
        "经济状况", "经济状况（1–5）", "经济水平", "economic band")),
    Field("driving_experience", "驾驶经验", "Driving experience", "attribute", (
        "驾驶经验", "驾龄", "driving experience")),
    Field("temperament", "性格", "Temperament", "attribute", ("性格", "客户性格", "temperament")),
    Field("lifecycle_stage", "生命周期阶段", "Lifecycle stage", "attribute", (
        "生命周期阶段", "客户阶段", "生命周期", "lifecycle stage")),
)

# Money columns whose header holds 金额 and that are not what was paid: 优惠金额 (the discount),
# 欠款金额 (still owed), 单价 (one item's price), 成本价 and 进价 (what the dealer paid).
NOT_THE_BILL = ("优惠", "折扣", "减免", "抵扣", "赠送", "欠", "单价", "成本", "进价", "采购",
                "discount", "unit price", "cost price")

# In activity files the owner's name only confirms a match; the link fields find it.
# The customer's number in the dealer's DMS (客户编号), its exports' key for the customer: a
# file of the number alone (a purchase history) finds customers by it. A member card's number
# (会员卡号) is another series, not this.
CUSTOMER_NUMBER = Field("dms_code", "客户编号（DMS）", "Customer number (DMS)", "customer_number", (
    "客户编号", "客户代码", "客户编码", "客户号", "客户id", "客户代号", "车主编号", "车主代码",
    "车主编码", "客户档案号", "customer id", "customer no", "customer number", "customer code",
    "customerid", "client id", "client no", "client number", "cust id", "cust no", "dms id"),
    avoid=("卡", "card", "会员", "member", "证件", "身份证"), link=True, max_length=40)
_LINKS = (MOBILE, PLATE, VIN, CUSTOMER_NUMBER, NAME)

# The person to ask for when the customer is a company (客户名称 深圳华盛贸易有限公司, 联系人
# 王经理). A file whose only name column is 联系人 names its customers by it (NAME's fallback),
# and a contact who is the customer (张先生 beside 张三) is not kept twice.
CONTACT_NAME = Field("contact_name", "联系人", "Contact person", "name", (
    "联系人", "联系人姓名", "联系人名称", "车辆联系人", "客户联系人", "contact person",
    "contact name", "contact"),
    avoid=("电话", "手机", "号码", "方式", "地址", "邮编", "微信", "phone", "tel", "mobile",
           "number", "address", "wechat", *NOT_THE_CUSTOMERS),
    max_length=64)

BRAND = _text("brand", "品牌", "Brand", ("品牌", "车辆品牌", "厂牌", "brand", "make"), 40)
# A DMS that exports both names the series 车系 (凯美瑞) and the configuration 车型
# (2.5G 豪华版): the series is what staff call the car and what intervals are set for.
MODEL = _text("model", "车型", "Model", (
    "车系", "车型", "车系名称", "车型名称", "车款", "车辆型号", "型号", "series", "model",
    "vehicle model"), 60)

CUSTOMERS = FileKind("customers", "客户及车辆", "Customers and vehicles", (
    replace(NAME, required=True, fallback=("contact_name",)),
    GIVEN_NAME,
    CONTACT_NAME,
    Field("gender", "性别", "Gender", "gender", ("性别", "gender", "sex")),
    _date("birthday", "生日", "Birthday", (
        "生日", "出生日期", "出生年月日", "出生年月", "birthday", "date of birth", "dob",
        "birth date")),
    # Read for the birthday and gender it holds, where the file gives none; never stored.
    Field("id_number", "身份证号（仅取生日和性别）", "ID card no. (birthday and gender only)",
          "id_number", ("身份证号", "身份证号码", "证件号码", "证件号", "身份证", "身份证件号",
                        "客户证件号", "车主证件号", "id number", "id card", "id card number",
                        "id no"), avoid=("地址", "住址", "有效期", "类型", "address", "type")),
    replace(MOBILE, link=False),
    replace(CUSTOMER_NUMBER, link=False),
    Field("other_phone", "其他电话", "Other phone", "phones", (
        "其他电话", "其它电话", "备用电话", "固定电话", "座机", "固话", "家庭电话", "办公电话",
        "单位电话", "电话2", "联系电话2", "手机2", "第二联系电话", "宅电", "other phone",
        "landline", "home phone", "office phone", "phone 2", "alternate phone"),
        weak=("电话", "联系电话", "联系方式")),
    # Filled by auto_map from phone columns left over (EXTRA_PHONES), or chosen by the user.
    Field("other_phone_2", "其他电话2", "Other phone 2", "phones", ("其他电话2", "other phone 2")),
    Field("other_phone_3", "其他电话3", "Other phone 3", "phones", ("其他电话3", "other phone 3")),
    _text("province", "省份", "Province", ("省份", "省", "所在省", "所在省份", "province"), 20),
    _text("city", "城市", "City", ("城市", "市", "所在城市", "地市", "所在市", "city"), 30),
    _text("district", "区县", "District", (
        "区县", "区/县", "县区", "区", "县", "所在区县", "district", "county"), 30),
    _text("street", "地址", "Address", (
        "地址", "详细地址", "联系地址", "通讯地址", "住址", "家庭住址", "家庭地址", "现住址",
        "现居住地址", "现居地址", "常住地址", "街道地址", "街道", "客户地址", "居住地址",
        "address", "street", "street address"), 200),
    Field("postcode", "邮编", "Postcode", "postcode", (
        "邮编", "邮政编码", "postcode", "post code", "zip", "zip code", "postal code")),
    Field("wechat", "微信号", "WeChat ID", "wechat", ("微信号", "微信", "wechat", "wechat id"),
          max_length=64),
    # 单位电话 and 公司地址 hold 单位 and 公司, yet name a phone and an address, not the employer;
    # 保险公司 is the car's insurer, 贷款银行 its lender.
    Field("employer", "工作单位", "Employer", "text", (
        "工作单位", "单位", "单位名称", "公司", "公司名称", "employer", "company"),
        avoid=("电话", "手机", "座机", "传真", "号码", "地址", "邮编", "保险", "银行", "金融",
               "phone", "tel", "fax", "address", "insur", "bank"), max_length=100),
    _text("source", "客户来源", "Source", (
        "客户来源", "来源", "信息来源", "获客渠道", "来源渠道", "source", "lead source"), 30),
    REMARKS,
    BRAND,
    MODEL,
    replace(VIN, link=False),
    replace(PLATE, link=False),
    # A car is registered (上牌) within days of its sale: the registration date stands in for
    # a purchase date the file does not have, and is marked for the clerk to check.
    replace(_date("purchase_date", "购车日期", "Purchase date", (
        "购车日期", "开票日期", "销售日期", "交车日期", "购买日期", "发票日期", "购车时间",
        "开票时间", "销售时间", "提车日期", "交付日期", "交车时间", "提车时间",
        "purchase date", "invoice date", "sale date", "delivery date")),
        weak=("上牌日期", "初登日期", "首次登记日期", "初次登记日期", "registration date")),
    Field("price_paid", "购车价格", "Price paid", "price", (
        "开票价", "购车价格", "开票金额", "成交价", "开票价格", "购车价", "成交价格", "发票金额",
        "裸车价", "车价", "价税合计", "price", "price paid", "invoice price", "invoice amount",
        "sale price")),
    Field("payment_method", "付款方式", "Payment method", "payment", (
        "付款方式", "购车方式", "支付方式", "付款类型", "按揭方式", "购买方式", "付款形式",
        "payment",
        "payment method", "finance")),
    _date("loan_end", "贷款到期", "Loan end", (
        "贷款到期", "贷款到期日", "贷款到期日期", "贷款结束日期", "按揭到期", "还款到期日",
        "loan end", "loan end date", "loan expiry"), future=True),
    # Read for the loan end it gives from the purchase date, where the file gives none; never
    # stored (a DMS exports the loan's term, 36期 or 3年, more often than its end).
    Field("loan_term", "贷款期限（推算贷款到期）", "Loan term (gives the loan end)", "loan_term", (
        "贷款期限", "贷款期数", "按揭期数", "按揭期限", "贷款年限", "按揭年限", "分期期数",
        "还款期数", "还款期限", "贷款期", "loan term", "loan months")),
    _date("insurance_expiry", "保险到期", "Insurance expiry", (
        "保险到期", "保险到期日", "保险到期日期", "商业险到期", "商业险到期日", "交强险到期",
        "交强险到期日", "续保日期", "保险止期", "insurance expiry", "insurance end",
        "insurance due"), future=True, yearless="next"),
    _date("warranty_end", "质保到期", "Warranty end", (
        "质保到期", "保修到期", "质保截止", "质保到期日", "保修到期日", "保修截止日期",
        "保修结束日期", "质保结束日期", "质保截止日期", "保修止期", "warranty end",
        "warranty expiry"), future=True),
    _date("inspection_due", "年检到期", "Inspection due", (
        "年检到期", "年审到期", "年检到期日", "年审到期日", "下次年检", "下次年审", "年检日期",
        "年审日期", "年检有效期", "年审有效期", "inspection due",
        "inspection date"), future=True, yearless="next"),
    KM,
    _date("km_date", "里程日期", "Km date", (
        "里程日期", "里程记录日期", "抄表日期", "最近进厂日期", "上次进厂日期", "最后进厂日期",
        "最近进厂时间", "mileage date", "km date", "last visit date", "last visit"),
          yearless="last"),
    # The car's last maintenance as an owners file gives it: a maintenance visit of that day
    # (its amount unknown, so no spend), which the next maintenance falls due from.
    _date("last_service_date", "最近保养日期", "Last maintenance", (
        "最近保养日期", "上次保养日期", "末次保养日期", "最后保养日期", "最近保养时间",
        "上次保养时间", "最后一次保养日期", "last service date", "last maintenance",
        "last maintenance date"), yearless="last"),
    Field("last_service_km", "最近保养里程", "Last maintenance km", "km", (
        "最近保养里程", "上次保养里程", "末次保养里程", "最后保养里程", "last service mileage",
        "last maintenance mileage")),
    # Given to that maintenance visit (a DMS's 保养提醒 export).
    NEXT_SERVICE_DATE,
    NEXT_SERVICE_KM,
    *PROFILE_FIELDS,
    # Recorded as a ConsentEvent (services/imports/consent.py), dated by the consent date, else
    # the day the file was exported, else the import's day.
    Field("marketing_consent", "营销同意", "Marketing consent", "consent", (
        "营销同意", "同意营销", "是否同意营销", "接受营销短信", "会员短信", "同意联系",
        "是否接受营销", "接受营销", "营销许可", "marketing consent", "consent",
        "marketing opt in", "opt in"), avoid=("日期", "时间", "date")),
    _date("consent_date", "营销同意日期", "Consent date", (
        "营销同意日期", "同意日期", "同意时间", "营销同意时间", "consent date"), yearless="last"),
))

VISITS = FileKind("visits", "维修工单 / 进厂记录", "Service visits", (
    _date("visit_date", "进厂日期", "Visit date", (
        "进厂日期", "维修日期", "来店日期", "服务日期", "到店日期", "进店日期", "入厂日期",
        "结算日期", "开单日期", "工单日期", "进厂时间", "入厂时间", "到店时间", "来店时间",
        "进店时间", "开单时间", "结算时间", "出厂日期", "出厂时间", "日期", "visit date",
        "service date", "repair date", "date"), required=True, yearless="last",
        avoid=NOT_YET),
    *_LINKS,
    # The car of an owner no stored customer is (bought elsewhere, serviced here): the visit
    # makes the customer and the car (services/imports/linking.py unknown_owners).
    replace(BRAND, telling=False),
    replace(MODEL, telling=False),
    replace(KM, synonyms=("进厂里程", *KM.synonyms)),
    # Read with its minus: a negative amount is a settlement reversed (冲红), which cancels the
    # visit it reverses (reversals.py).
    # 工时金额 and 材料金额 (a part of the bill) hold 金额 and are not the bill either. What the
    # owner paid (实收, 实付) comes before the bill's total (结算, 应收): a work order's total
    # also holds what the insurer or the maker paid for a claim or a warranty job, which is
    # not the owner's spend.
    Field("amount", "金额", "Amount", "signed_amount", (
        "金额", "实收金额", "实付金额", "实收", "实付", "收款金额", "消费金额", "优惠后金额",
        "折后金额", "维修金额", "结算金额", "工单金额", "总金额", "应收金额", "合计金额",
        "价税合计", "费用", "维修费用", "amount", "total", "cost"),
        avoid=(*NOT_THE_BILL, "工时", "材料", "配件", "零件", "labor", "labour", "parts")),
    # A work order exported as its labour and parts with no total: the two added make the
    # visit's amount (a file with a total keeps its total).
    Field("labor_amount", "工时费（无总额时相加）", "Labour (added up when no total)",
          "signed_amount", ("工时费", "工时金额", "工时费用", "人工费", "labor", "labour",
                            "labor cost")),
    Field("parts_amount", "材料费（无总额时相加）", "Parts (added up when no total)",
          "signed_amount", ("材料费", "材料金额", "材料费用", "配件费", "配件金额", "零件费",
                            "备件费", "parts", "parts cost", "materials")),
    Field("visit_type", "维修类型", "Visit type", "visit_type", (
        "维修类型", "业务类型", "服务类型", "维修类别", "工单类型", "进厂类型", "修理类型",
        "类型", "类别", "type", "visit type", "service type", "repair type")),
    _text("advisor", "服务顾问", "Service advisor", (
        "服务顾问", "接待员", "顾问", "接待人", "接车员", "服务专员", "sa", "advisor",
        "service advisor"), 64),
    _text("work_order", "工单号", "Work order no.", (
        "工单号", "工单编号", "维修单号", "委托书号", "结算单号", "单号", "work order",
        "work order no", "ro", "ro no", "ro number", "repair order", "repair order no",
        "order no"), 40),
    _text("note", "备注", "Note", (
        "备注", "维修项目", "故障描述", "维修内容", "说明", "remarks", "note", "notes")),
    # Work the advisor recommended and the owner did not have done: each item (one a line,
    # or parted by ；) becomes a declined repair of the visit, open until done or refused.
    Field("declined", "建议维修项目", "Declined repairs", "items", (
        "建议维修项目", "建议维修", "未修项目", "建议项目", "维修建议", "建议维修内容",
        "顾问建议", "待修项目", "declined repairs", "declined work", "recommended work",
        "recommendations"), max_length=200),  # declined_item.item
    _date("declined_due", "建议维修到期", "Declined repairs due", (
        "建议维修到期", "建议维修日期", "建议维修时间", "建议完成日期", "建议到期日",
        "declined due", "recommended by"), future=True),
    NEXT_SERVICE_DATE,
    NEXT_SERVICE_KM,
), needs_link=True)

SURVEYS = FileKind("surveys", "回访记录 / 满意度", "Satisfaction surveys", (
    _date("survey_date", "回访日期", "Survey date", (
        "回访日期", "调查日期", "评价日期", "回访时间", "调查时间", "满意度回访日期",
        "回访完成时间", "评价时间", "日期", "survey date", "date"), required=True,
        yearless="last"),
    *_LINKS,
    _text("work_order", "工单号", "Work order no.", (
        "工单号", "工单编号", "维修单号", "委托书号", "结算单号", "work order", "work order no",
        "ro no", "ro number", "repair order", "repair order no"), 40),
    _score("overall_score", "总体满意度", "Overall score", (
        "总体满意度", "满意度", "总分", "综合评分", "整体满意度", "总体评分", "综合满意度", "评分",
        "得分", "客户满意度", "满意度评分", "满意度得分", "回访满意度", "总体评价", "综合评价",
        "整体评价", "服务满意度", "总评分", "服务评价", "满意程度", "overall",
        "overall score", "score",
        "satisfaction"), required=True),
    _score("repair_quality", "维修质量", "Repair quality", (
        "维修质量", "质量", "维修质量评分", "维修质量满意度", "质量满意度", "维修满意度",
        "维修效果", "技术质量", "施工质量", "repair quality", "quality")),
    _score("price", "价格", "Price", (
        "价格", "价格满意度", "价格评分", "收费", "收费合理性", "费用合理性", "价格合理性",
        "收费满意度", "费用满意度", "价格透明度", "price")),
    _score("speed", "维修速度", "Speed", (
        "维修速度", "速度", "及时性", "时效", "维修时效", "维修及时性", "交车及时性", "交车及时",
        "按时交车", "准时交车", "交车速度", "服务效率", "效率", "speed", "timeliness")),
    _score("attitude", "服务态度", "Attitude", (
        "服务态度", "态度", "接待态度", "接待满意度", "服务人员态度", "顾问态度",
        "服务顾问态度", "接待服务", "attitude", "courtesy")),
    _text("comment", "客户意见", "Comment", (
        "客户意见", "意见", "建议", "意见建议", "客户评价", "评价", "客户建议", "不满意原因",
        "客户反馈", "回访内容", "回访备注", "备注", "comment", "comments", "feedback")),
), needs_link=True)

COMPLAINTS = FileKind("complaints", "投诉登记", "Complaints", (
    _date("opened_date", "投诉日期", "Opened", (
        "投诉日期", "登记日期", "受理日期", "投诉时间", "登记时间", "受理时间", "投诉受理日期",
        "投诉登记日期", "反馈日期", "创建日期", "创建时间", "日期", "complaint date", "opened",
        "date"), required=True, yearless="last"),
    *_LINKS,
    # Without a topic column the topic is the content's first sentence (Field.fallback).
    Field("topic", "投诉主题", "Topic", "text", (
        "投诉主题", "投诉类型", "投诉类别", "主题", "问题类型", "投诉事由", "投诉原因", "投诉问题",
        "投诉项目", "投诉分类", "问题分类", "投诉标题", "标题", "投诉摘要", "摘要", "topic",
        "subject", "category"), required=True, max_length=100, fallback=("detail",)),
    _text("detail", "投诉内容", "Detail", (
        "投诉内容", "投诉描述", "详细内容", "问题描述", "投诉详情", "投诉说明", "详情",
        "投诉详细内容", "客户诉求", "诉求内容", "诉求", "具体内容", "情况描述", "事件描述",
        "内容", "detail", "description")),
    Field("resolved", "是否解决", "Resolved", "yes_no", (
        "是否解决", "是否结案", "解决情况", "处理状态", "状态", "结案状态", "办结状态",
        "是否办结", "是否关闭", "投诉状态", "处理进度", "进度", "resolved", "status")),
    _date("resolved_date", "解决日期", "Resolved date", (
        "解决日期", "结案日期", "处理完成日期", "关闭日期", "解决时间", "结案时间", "办结日期",
        "办结时间", "完结日期", "关闭时间", "完成时间", "完成日期", "处理完成时间",
        "resolved date", "closed date"), yearless="last"),
    _text("resolution", "处理结果", "Resolution", (
        "处理结果", "处理意见", "解决方案", "处理方案", "处理措施", "处理情况", "处理过程",
        "处理说明", "解决办法", "resolution")),
), needs_link=True)

CONTACTS = FileKind("contacts", "联系记录", "Contacts", (
    Field("contact_at", "联系时间", "Contact time", "datetime", (
        "联系时间", "联系日期", "回访时间", "回访日期", "外呼时间", "通话时间", "跟进时间",
        "呼叫时间", "拨打时间", "实际回访日期", "实际回访时间", "实际联系时间", "实际联系日期",
        "时间", "日期", "contact time", "contact date", "date", "time"),
        required=True, yearless="last", avoid=(*NOT_YET, "创建", "录入", "created")),
    *_LINKS,
    Field("channel", "联系方式", "Channel", "channel", (
        "联系方式", "联系渠道", "渠道", "方式", "跟进方式", "回访方式", "沟通方式", "联系途径",
        "channel"), required=True, blank_filled=True, fallback=("duration", "message")),
    # Not required: a purpose missing or not understood is recorded as the default one
    # (services/imports/events.py), as a visit without a known type is a repair.
    Field("purpose", "联系目的", "Purpose", "purpose", (
        "联系目的", "目的", "回访类型", "联系类型", "事由", "回访目的", "联系事由", "外呼目的",
        "跟进目的", "跟进类型", "回访项目", "任务类型", "呼叫类型", "短信类型", "消息类型",
        "短信用途", "purpose")),
    _text("staff", "联系人员", "Staff", (
        "联系人员", "坐席姓名", "坐席名称", "客服姓名", "回访人", "回访专员", "回访员", "客服",
        "员工", "经办人", "操作人", "坐席", "回访人员", "跟进人", "外呼人员", "客服专员", "staff",
        "agent", "caller"), 64),
    # A file with a status column and no outcome (回访状态: 已回访, 待回访) takes its outcome from
    # the status, and a call-centre export with only the call's length from that (answered
    # when it lasted); an empty outcome cell too (services/imports/clean.py).
    Field("outcome", "联系结果", "Outcome", "outcome", (
        "联系结果", "结果", "回访结果", "接通情况", "呼叫结果", "通话结果", "外呼结果", "跟进结果",
        "接通状态",
        # An SMS vendor's send report: the gateway's report of each message (DELIVRD).
        "状态报告", "发送状态", "发送结果", "回执状态", "送达状态", "短信状态", "回执",
        "outcome", "result"), required=True, blank_filled=True,
        fallback=("status", "duration")),
    Field("status", "联系状态", "Status", "contact_status", (
        "联系状态", "回访状态", "任务状态", "跟进状态", "外呼状态", "处理状态", "状态",
        "status")),
    Field("duration", "通话时长", "Call length", "duration", (
        "通话时长", "通话秒数", "时长", "计费时长", "接通时长", "talk time", "call duration",
        "duration", "billsec"), avoid=("振铃", "等待", "排队", "ring", "wait", "queue")),
    # An SMS vendor's send report: the text sent (it makes the row a message when the file
    # names no channel, and is the contact's feedback when the row has none).
    _text("message", "短信内容", "Message", (
        "短信内容", "发送内容", "消息内容", "短信正文", "信息内容", "message", "sms text",
        "message text")),
    _text("feedback", "客户反馈", "Feedback", (
        "客户反馈", "反馈", "沟通内容", "通话内容", "回访内容", "跟进内容", "沟通记录",
        "跟进记录", "回访记录", "客户意见", "备注", "feedback", "notes")),
    _date("next_follow_up", "下次跟进", "Next follow-up", (
        "下次跟进", "下次跟进日期", "下次联系日期", "下次回访日期", "跟进日期", "下次跟进时间",
        "下次联系时间", "下次回访时间", "预约回访时间", "预约回访日期", "next follow-up",
        "next follow up", "follow up"), future=True, yearless="next"),
), needs_link=True)

PURCHASES = FileKind("purchases", "其他消费（续保、精品、延保）",
                     "Other purchases (insurance, accessories, extended warranty)", (
    _date("purchase_date", "消费日期", "Purchase date", (
        "消费日期", "购买日期", "销售日期", "出单日期", "签单日期", "投保日期", "起保日期",
        "承保日期", "收款日期", "结算日期", "开单日期", "单据日期", "消费时间", "交易时间",
        "交易日期", "支付时间", "下单时间", "订单日期", "签约日期", "日期", "purchase date",
        "sale date", "date"), required=True, yearless="last"),
    *_LINKS,
    Field("kind", "消费类型", "Kind", "purchase_kind", (
        "消费类型", "业务类型", "销售类型", "产品类型", "商品类型", "类型", "类别", "险种类型",
        "kind", "type", "category")),
    # A refund (退货, 退保) is a negative amount (events.py nets it against its purchase).
    Field("amount", "金额", "Amount", "signed_amount", (
        "金额", "消费金额", "销售金额", "实收金额", "应收金额", "保费", "保险费", "总保费",
        "签单保费", "商品金额", "合计金额", "价税合计", "总金额", "价格", "优惠后金额", "折后金额",
        "实付金额", "售价", "销售价", "销售价格", "实售价", "成交价", "成交金额", "实收", "实付",
        "收款金额",
        "amount", "total", "premium", "price"), avoid=NOT_THE_BILL),
    _text("item", "项目", "Item", (
        "项目", "项目名称", "商品名称", "商品", "产品名称", "产品", "精品名称", "险种", "投保险种",
        "保险公司", "承保公司", "服务项目", "明细", "内容", "item", "product", "description")),
    _text("order_no", "单号", "Order no.", (
        "单号", "单据号", "订单号", "销售单号", "保单号", "保单号码", "合同号", "合同编号",
        "交易单号", "order no",
        "policy no", "policy number", "receipt no"), 40),
    _date("insurance_expiry", "保险到期", "Insurance expiry", (
        "保险到期", "保险到期日", "保险止期", "终保日期", "保险终止日期", "止保日期",
        "保险截止日期", "到期日期", "insurance expiry", "policy end"), future=True),
    REMARKS,
), needs_link=True)

KINDS: dict[str, FileKind] = {k.key: k for k in (CUSTOMERS, VISITS, SURVEYS, COMPLAINTS, CONTACTS,
                                                 PURCHASES)}
