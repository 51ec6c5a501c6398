"""Every stored code's Chinese and English label: one table for the window, CLI and printouts."""

from __future__ import annotations

import functools
import unicodedata

# The phone channel has two codes, one per place it is stored; both read 电话 / Phone.
# "phone" (kind "channel"): contact events, contact preferences, do-not-contact and the stored
# members of a list run. "call" (kind "list_channel"): a list run's channel choice (`list build
# --channel call`), its members as printed and its output files. services/lists/build.py
# LIST_TO_STORED maps one to the other; the stored codes stay as they are (no migration).
_PHONE = ("电话", "Phone")
_SMS = ("短信", "SMS")
_MAIL = ("邮寄", "Mail")
_SURVEY = ("问卷调查", "Survey")
_WECHAT = ("微信", "WeChat")
_VISIT = ("上门拜访", "Visit")

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "gender": {"M": ("男", "Male"), "F": ("女", "Female")},
    "lifecycle_stage": {
        "stranger": ("陌生", "Stranger"),
        "potential": ("潜在", "Potential"),
        "intent": ("意向", "Intent"),
        "first_purchase": ("首单", "First purchase"),
        "repeat": ("复购", "Repeat"),
        "super": ("超级", "Super"),
    },
    # Profile attributes (models/codes.py PROFILE_ATTRIBUTES), then each one's values.
    "attribute": {
        "marital_status": ("婚姻状况", "Marital status"),
        "household": ("家庭结构", "Household"),
        "occupation": ("职业", "Occupation"),
        "employment": ("就业状况", "Employment"),
        "car_payer": ("购车出资方", "Who pays for the car"),
        "economic_band": ("经济状况（1–5）", "Economic situation (1–5)"),
        "driving_experience": ("驾驶经验", "Driving experience"),
        "temperament": ("性格", "Temperament"),
        "lifecycle_stage": ("生命周期阶段", "Lifecycle stage"),
        # Customer and vehicle values with history (models/codes.py RECORDED_FIELDS).
        "name": ("姓名", "Name"),
        "contact_name": ("联系人", "Contact person"),
        "gender": ("性别", "Gender"),
        "birthday": ("生日", "Birthday"),
        "mobile": ("手机", "Mobile"),
        "other_phones": ("其他电话", "Other phones"),
        "province": ("省份", "Province"),
        "city": ("城市", "City"),
        "district": ("区县", "District"),
        "street": ("详细地址", "Street address"),
        "postcode": ("邮编", "Postcode"),
        "wechat_id": ("微信号", "WeChat ID"),
        "dms_code": ("DMS 客户编号", "DMS customer number"),
        "employer": ("工作单位", "Employer"),
        "source": ("客户来源", "Customer source"),
        "note": ("备注", "Note"),
        "vehicle": ("车辆", "Vehicle"),
        "vehicle_id": ("关联车辆", "Car linked"),
        "owner": ("车主（过户）", "Owner (the car changed hands)"),
        "vin": ("车架号", "VIN"),
        "plate": ("车牌", "Plate"),
        "brand": ("品牌", "Brand"),
        "model": ("车型", "Model"),
        "purchase_date": ("购车日期", "Purchase date"),
        "price_paid": ("购车价格", "Price paid"),
        "payment_method": ("付款方式", "Payment method"),
        "loan_end": ("贷款到期", "Loan end"),
        "insurance_expiry": ("保险到期", "Insurance expiry"),
        "warranty_end": ("质保到期", "Warranty end"),
        "inspection_due": ("年检到期", "Inspection due"),
    },
    "import_kind": {
        "customers": ("客户及车辆", "Customers and vehicles"),
        "visits": ("维修进厂", "Service visits"),
        "surveys": ("满意度回访", "Satisfaction surveys"),
        "complaints": ("投诉", "Complaints"),
        "contacts": ("联系记录", "Contact history"),
        "purchases": ("其他消费", "Other purchases"),
    },
    "marital_status": {
        "single": ("未婚", "Single"),
        "married": ("已婚", "Married"),
        "divorced": ("离异", "Divorced"),
        "widowed": ("丧偶", "Widowed"),
    },
    "household": {
        "alone": ("独居", "Lives alone"),
        "couple": ("夫妻二人", "Couple"),
        "one_child": ("一个孩子", "One child"),
        "two_children": ("两个孩子", "Two children"),
        "three_plus_children": ("三个及以上孩子", "Three or more children"),
        "with_parents": ("与父母同住", "Lives with parents"),
    },
    "employment": {
        "employee": ("职员", "Employee"),
        "civil_servant": ("公务员", "Civil servant"),
        "business_owner": ("企业主", "Business owner"),
        "self_employed": ("个体经营", "Self-employed"),
        "retired": ("退休", "Retired"),
        "student": ("学生", "Student"),
        "other": ("其他", "Other"),
    },
    "car_payer": {
        "self": ("本人", "Self"),
        "company": ("公司", "Company"),
        "family": ("家人", "Family"),
    },
    # A band with its meaning: staff choosing one read 4 较高, not a bare 4.
    "economic_band": {
        "1": ("1 很低", "1 Very low"),
        "2": ("2 较低", "2 Low"),
        "3": ("3 中等", "3 Middle"),
        "4": ("4 较高", "4 High"),
        "5": ("5 很高", "5 Very high"),
    },
    "driving_experience": {
        "first_car": ("首辆车", "First car"),
        "experienced": ("经验丰富", "Experienced"),
    },
    "temperament": {
        "frugal_careful": ("节俭谨慎型", "Frugal and careful"),
        "car_lover": ("爱车型", "Car lover"),
        "impulsive": ("冲动型", "Impulsive"),
        "steady": ("稳健型", "Steady"),
    },
    "channel": {
        "phone": _PHONE,
        "sms": _SMS,
        "mail": _MAIL,
        "wechat": _WECHAT,
        "visit": _VISIT,
    },
    "list_channel": {"call": _PHONE, "mail": _MAIL, "sms": _SMS, "wechat": _WECHAT,
                     "visit": _VISIT},
    "channel_mode": {"auto": ("按客户偏好", "By preference"), "call": _PHONE, "mail": _MAIL,
                     "sms": _SMS, "wechat": _WECHAT, "visit": _VISIT},
    "purpose": {
        "care": ("关怀", "Care"),
        "callback": ("满意度回访", "Satisfaction call-back"),
        "sales": ("销售", "Sales"),
        "reminder": ("提醒", "Reminder"),
        "survey": _SURVEY,
        "recall": ("召回", "Recall"),
        "marketing": ("营销", "Marketing"),
        "ref_thanks": ("老带新致谢", "Referral thanks"),
        "ref_ask": ("老带新邀请", "Referral request"),
    },
    # Who introduced a customer (老带新).
    "referrer_kind": {
        "customer": ("老客户", "Customer"),
        "staff": ("员工", "Staff"),
        "org": ("协会/单位", "Association or company"),
    },
    # A declined repair item (建议维修项目).
    "declined_status": {
        "open": ("待跟进", "Open"),
        "done": ("已维修", "Done"),
        "refused": ("客户拒绝", "Refused"),
    },
    "outcome": {
        "reached": ("接通", "Reached"),
        "no_answer": ("无人接听", "No answer"),
        "phone_off": ("关机", "Phone off"),
        "wrong_number": ("空号/错号", "Wrong number"),
        "refused": ("拒绝", "Refused"),
        "appointment": ("已预约", "Appointment made"),
        "bought": ("已购买", "Bought"),
        "sent": ("已发送", "Sent"),
        "failed": ("发送失败", "Failed"),
    },
    "visit_type": {
        "maintenance": ("保养", "Maintenance"),
        "repair": ("维修", "Repair"),
        "accident": ("事故维修", "Accident repair"),
        "warranty": ("质保", "Warranty"),
        "inspection": ("年检", "Inspection"),
    },
    "payment_method": {
        "cash": ("全款", "Cash"),
        "loan": ("贷款", "Loan"),
        "lease": ("融资租赁", "Lease"),
    },
    "purchase_kind": {
        "insurance": ("保险", "Insurance"),
        "accessory": ("精品", "Accessories"),
        "extended_warranty": ("延保", "Extended warranty"),
        "other": ("其他", "Other"),
    },
    # Where a profile change, a km reading or a consent came from.
    "source": {
        "call": ("电话沟通", "Phone call"),
        "visit": ("到店服务", "Service visit"),
        "survey": _SURVEY,
        "import": ("导入", "Import"),
        "manual": ("手工录入", "Entered by hand"),
        "demo": ("演示数据", "Demo data"),
        "list": ("回访名单", "Call list"),
        "form": ("表单", "Form"),
        "sms_unsubscribe": ("短信退订", "SMS unsubscribe"),
    },
    # Why someone was left off a list run.
    "exclusion": {
        "dnc": ("勿扰", "Do not contact"),
        "no_consent": ("无营销同意", "No marketing consent"),
        "recent_contact": ("近期已联系", "Contacted recently"),
        "on_list": ("已在其他名单中", "On another list"),
        "complaint": ("投诉未解决", "Unresolved complaint"),
        # No valid mobile for an SMS; for a call, neither a valid mobile nor another number
        # to dial, or the number was found wrong (the detail says which).
        "no_mobile": ("无可用号码", "No usable number"),
        "no_address": ("无有效地址", "No valid address"),
        "retry_later": ("未接通待重拨", "Unanswered, calling again later"),
        "same_mobile": ("同号已发短信", "Same mobile already gets the SMS"),
        "no_channel": ("无可用渠道", "No channel left"),
        "no_wechat": ("无微信号", "No WeChat ID"),
        "refused_since": ("名单生成后要求勿扰", "Refused after the list was made"),
    },
    "intent_strength": {
        "strong": ("强", "Strong"),
        "medium": ("中", "Medium"),
        "weak": ("弱", "Weak"),
    },
    "intent_window": {
        "1w": ("一周内", "Within a week"),
        "2w": ("两周内", "Within two weeks"),
        "1m": ("一个月内", "Within a month"),
        "2m": ("两个月内", "Within two months"),
        "later": ("更晚", "Later"),
    },
    "preferred_days": {
        "any": ("不限", "Any day"),
        "weekday": ("工作日", "Weekdays"),
        "weekend": ("周末", "Weekends"),
    },
    # The language a customer prefers to be spoken or written to in.
    "language": {"zh": ("中文", "Chinese"), "en": ("英文", "English")},
    "time_window": {
        "morning": ("上午", "Morning"),
        "noon": ("中午", "Noon"),
        "afternoon": ("下午", "Afternoon"),
        "evening": ("晚上", "Evening"),
    },
    "satisfaction_band": {
        "low": ("低（0–6）", "low (0–6)"),
        "middle": ("中（7–8）", "middle (7–8)"),
        "high": ("高（9–10）", "high (9–10)"),
        "none": ("无评分", "no score"),
    },
    # A profile value now against then (segment field trend_…).
    "trend": {
        "up": ("上升", "up"),
        "down": ("下降", "down"),
        "same": ("未变", "same"),
        "changed": ("有变化", "changed"),
    },
    # The RFM eight classes by their usual Chinese names, the 重要 (M up) ones first.
    "rfm_class": {
        "important_value": ("重要价值", "Important value"),
        "important_develop": ("重要发展", "Important to develop"),
        "important_keep": ("重要保持", "Important to keep"),
        "important_retain": ("重要挽留", "Important to win back"),
        "general_value": ("一般价值", "General value"),
        "general_develop": ("一般发展", "General to develop"),
        "general_keep": ("一般保持", "General to keep"),
        "general_retain": ("一般挽留", "General to win back"),
    },
    # Dates that fall due (the due-soon template).
    "due": {
        "insurance_expiry": ("保险到期", "Insurance expiry"),
        "warranty_end": ("质保到期", "Warranty end"),
        "loan_end": ("贷款到期", "Loan end"),
        "inspection_due": ("年检到期", "Inspection due"),
        "birthday": ("生日", "Birthday"),
    },
    # Two roles matter (services/staff/permissions.py): staff, stored as "clerk", and
    # supervisor; "admin" has a supervisor's rights.
    "staff_role": {
        "clerk": ("员工", "Staff"),
        "supervisor": ("主管", "Supervisor"),
        "admin": ("管理员", "Administrator"),
    },
    # The shared settings (services/store/settings.py), as the Settings area names them.
    "setting": {
        "shop_name": ("门店名称", "Shop name"),
        "shop_phone": ("门店电话", "Shop phone"),
        "shop_address": ("门店地址（信封寄件人）", "Shop address (envelope sender)"),
        "shop_postcode": ("门店邮编", "Shop postcode"),
        "label_layout": ("标签纸规格", "Label sheet"),
        "sms_signature": ("短信签名", "SMS signature"),
        "sms_opt_out": ("短信退订提示", "SMS opt-out text"),
        "sms_vendor": ("短信平台文件格式", "SMS vendor file layout"),
        "sms_window_start": ("营销短信发送时段（开始）", "Marketing SMS window (start)"),
        "sms_window_end": ("营销短信发送时段（结束）", "Marketing SMS window (end)"),
        "sms_price_per_part": ("短信单价（每条）", "SMS price per part"),
        "contact_fatigue_days": ("在此天数内不重复联系", "Do not contact again within"),
        "no_answer_retry_days": ("未接通电话重拨间隔", "Unanswered calls come back after"),
        "max_failed_attempts": ("电话几天未接通后改用短信或邮寄",
                                "Switch to SMS or mail after days of failed calls"),
        "backup_folder": ("备份文件夹", "Backup folder"),
        "backups_kept": ("保留备份数", "Backups kept"),
        "report.kpi_targets": ("KPI目标", "KPI targets"),
        "brief.suggestion_rules": ("建议规则", "Suggestion rules"),
    },
    # The KPI targets a supervisor sets (services/reports/kpi.py Target), as a sentence names
    # one; the Targets tab's columns say the same per week.
    "kpi_target": {
        "calls_per_week": ("每周电话数目标", "Calls per week target"),
        "reach_rate": ("接通率目标", "Reach rate target"),
        "appointments_per_week": ("每周预约数目标", "Appointments per week target"),
        "kept_per_week": ("每周到店数目标", "Kept appointments per week target"),
        "default": ("默认（回访员）", "The callers' default"),
    },
    # What audit-trail entries record (services/staff/audit.py).
    "audit_action": {
        "sign_in": ("登录", "Signed in"),
        "first_supervisor": ("创建首位主管", "First supervisor created"),
        "add_user": ("新增账号", "Account added"),
        "disable_user": ("停用账号", "Account disabled"),
        "enable_user": ("启用账号", "Account enabled"),
        "reset_password": ("重置密码", "Password reset"),
        "set_role": ("修改角色", "Role changed"),
        "change_password": ("修改密码", "Password changed"),
        "save_settings": ("修改共享设置", "Shared settings saved"),
        "save_kpi_targets": ("修改KPI目标", "KPI targets saved"),
        "save_suggestion_rules": ("修改建议规则", "Suggestion rules saved"),
        "save_segment": ("保存分群", "Segment saved"),
        "rename_segment": ("重命名分群", "Segment renamed"),
        "import_segment": ("导入分群", "Segment imported"),
        "delete_segment": ("删除分群", "Segment deleted"),
        "record_change": ("记录客户变化", "Customer change recorded"),
        "save_contact_details": ("修改联系方式", "Contact details saved"),
        "save_person": ("修改客户信息", "Customer's details saved"),
        "add_vehicle": ("新增车辆", "Car added"),
        "vehicle_sold": ("车辆已售出", "Car marked sold"),
        "add_reading": ("记录里程", "Km reading recorded"),
        "read_unsubscribes": ("读入短信退订文件", "SMS unsubscribe file read"),
        "build_list_run": ("生成名单", "List made"),
        "export_list_file": ("导出名单文件", "List file written"),
        "withdraw_list_run": ("撤回名单", "List withdrawn"),
        "reinstate_list_run": ("恢复撤回的名单", "Withdrawn list put back"),
        "export_segment_members": ("导出分群客户", "Segment members exported"),
        "set_preferences": ("设置联系偏好", "Contact preferences set"),
        "clear_preferences": ("清除联系偏好", "Contact preferences cleared"),
        "consent_given": ("同意营销", "Marketing consent given"),
        "consent_withdrawn": ("撤回营销同意", "Marketing consent withdrawn"),
        "add_refusal": ("新增勿扰", "Do-not-contact added"),
        "lift_refusal": ("解除勿扰", "Do-not-contact lifted"),
        "merge_customers": ("合并客户", "Customers merged"),
        "unmerge_customers": ("撤销合并", "Merge undone"),
        "import": ("导入", "Import"),
        "import_undo": ("撤销导入", "Import undone"),
        "import_withdraw": ("撤回中断的导入", "Stopped import taken back"),
        "read_outcomes": ("读回名单结果", "List outcomes read back"),
        "undo_read_outcomes": ("撤销读回的名单结果", "List read-back undone"),
        "erase_customer": ("擦除客户个人信息", "Customer's personal data erased"),
        "tag_group_add": ("新增标签组", "Tag group added"),
        "tag_group_rename": ("重命名标签组", "Tag group renamed"),
        "tag_add": ("新增标签", "Tag added"),
        "tag_rename": ("重命名标签", "Tag renamed"),
        "tag_retire": ("停用标签", "Tag retired"),
        "tag_reactivate": ("重新启用标签", "Tag reactivated"),
        "tag_delete": ("删除标签", "Tag deleted"),
        "customer_tag_add": ("客户加标签", "Customer tagged"),
        "customer_tag_remove": ("客户去标签", "Customer tag removed"),
        "add_referral": ("记录转介绍", "Referral recorded"),
        "remove_referral": ("删除转介绍", "Referral removed"),
        "add_declined_item": ("记录建议维修项目", "Declined repair recorded"),
        "close_declined_item": ("关闭建议维修项目", "Declined repair closed"),
        "set_service_interval": ("设置保养间隔", "Service interval set"),
        "remove_service_interval": ("删除保养间隔", "Service interval removed"),
    },
    "consent_kind": {"marketing": ("营销", "Marketing")},
    "rfm_thresholds": {"mean": ("与平均值比较", "Against the mean"),
                       "fixed": ("固定阈值", "Fixed thresholds")},
    # Segment fields on contact events (services/segments/contact_fields.py): the fields, what
    # a contact counted as, and who made it.
    "contact_field": {
        "contact_date": ("有联系记录（日期）", "Had a contact (date)"),
        "follow_up_date": ("下次跟进日期", "Next follow-up date"),
    },
    "contact_result": {
        "attempt": ("尝试联系（不含单向发送）", "Attempt (not a one-way message)"),
        "reached": ("接通（含预约、购车、拒绝）", "Reached (incl. appointment, bought, refused)"),
        "kept": ("预约后14天内到店", "Appointment kept (visit within 14 days)"),
    },
    "made_by": {
        "staff": ("员工", "A staff member"),
        "automatic": ("自动发送（无员工）", "Automatic (no staff member)"),
    },
    # The customers behind a contact figure of the dashboard, as the opened segment is named.
    "contact_figure": {
        "contacts": ("有联系", "Contacted"),
        "attempts": ("尝试联系", "Attempted"),
        "reached": ("已接通", "Reached"),
        "appointments": ("已预约", "Appointment made"),
        "kept": ("预约已到店", "Appointment kept"),
        "due": ("本期到期的跟进", "Follow-up due in the period"),
        "overdue": ("跟进已逾期", "Follow-up overdue"),
        "outcome": ("联系结果", "Outcome"),
        "to": ("至", "to"),
    },
    # Names of the reports' figures, sections and groups (services/reports/), as the window,
    # the CLI and the printed Monday report show them.
    "report": {
        "rfm_none": ("无RFM分类（窗口内无消费）", "No RFM class (no spend in window)"),
        "customers": ("客户总数", "Customers"),
        "consent": ("营销同意", "Marketing consent"),
        "dnc": ("勿扰（任一渠道）", "Do-not-contact (any channel)"),
        "open_complaints": ("期末未解决的投诉（件）", "Complaints open at the period's end"),
        "complaint_customers": ("期末有未解决投诉的客户（位）",
                                "Customers with a complaint open at the period's end"),
        "contacts": ("联系次数", "Contacts"),
        "attempts": ("尝试次数", "Attempts"),
        # Every answered outcome, as the reach rate counts it; the outcomes table beside it
        # lists 接通 (the outcome) apart from 已预约, 已购车 and 拒绝.
        "reached": ("接通（含预约、购车、拒绝）", "Reached (incl. appointment, bought, refused)"),
        "reach_rate": ("接通率", "Reach rate"),
        "appointments": ("预约", "Appointments"),
        "kept": ("预约到店", "Appointments kept"),
        "follow_ups_due": ("本期到期的跟进（项）", "Follow-ups due in the period"),
        "follow_ups_overdue": ("期末跟进逾期的客户（位）",
                               "Customers with a follow-up overdue at the period's end"),
        "matrix": ("换车九宫格", "Replacement matrix"),
        "rfm": ("RFM分类", "RFM classes"),
        "drift": ("流失预警（未进厂）", "Drifting away (no visit)"),
        "coverage": ("同意与勿扰覆盖", "Consent and do-not-contact coverage"),
        "weekly": ("每周联系", "Contacts per week"),
        "monthly": ("月度趋势", "Monthly trend"),
        "outcomes": ("联系结果", "Outcomes"),
        "staff": ("员工", "Staff"),
        "effect": ("联系效果", "Effect of contact"),
        "targets": ("目标与完成", "Targets and actuals"),
        "contacted": ("已联系组", "Contacted"),
        "comparison": ("对照组", "Comparison group"),
        "came_back": ("回厂", "Came back for service"),
        "spent": ("消费", "Spent"),
        "bought": ("购车", "Bought a car"),
        "excluded": ("排除的成员", "Excluded members"),
        "left_out": ("同细分未入名单", "Same segment, left out"),
        "no_caller": ("（未记录经办人）", "(no staff recorded)"),
        "calls_per_week": ("每周联系次数", "Calls per week"),
        "change": ("较上月", "Change since last month"),
        "last_month": ("上月", "A month earlier"),
        "now": ("现在", "Now"),
        "target": ("目标", "Target"),
        "actual": ("实际", "Actual"),
        "gap": ("差距", "Gap"),
        "difference": ("差异", "Difference"),
        "group_size": ("人数", "People"),
        "rate": ("比例", "Rate"),
        "too_small": ("组太小（少于{n}人），差异不可信", "Groups too small (under {n} people): "
                      "the difference cannot be trusted"),
    },
    # Why two customers look like one person (services/customers/duplicates.py), as a merge
    # stores it.
    "merge_evidence": {
        "same_mobile": ("手机号相同", "same mobile"),
        "same_vin": ("车架号相同", "same VIN"),
        "same_name_similar_phone": ("同名且电话相近", "same name, similar phone"),
        "same_name": ("同名", "same name"),
    },
}

# What a code with no value reads as (a customer whose stage is not known).
UNKNOWN = ("未知", "unknown")

# Short forms people write on paper and in spreadsheets, accepted when typed back (besides each
# code and its two labels). The older printed outcome labels are here too.
ALIASES: dict[str, dict[str, str]] = {
    "outcome": {
        "空号": "wrong_number", "错号": "wrong_number", "号码错误": "wrong_number",
        "错误号码": "wrong_number", "停机": "phone_off", "已关机": "phone_off",
        "未接": "no_answer", "无人接": "no_answer", "未接通": "no_answer", "没人接": "no_answer",
        "不接": "no_answer", "占线": "no_answer", "忙": "no_answer", "忙音": "no_answer",
        "无应答": "no_answer", "已接通": "reached", "通了": "reached", "接了": "reached",
        "预约": "appointment", "约了": "appointment", "已约": "appointment",
        # The phone rejected or cut the call (拒接, 挂断, 秒挂, 挂机): the customer was not
        # reached, as a busy line is not; 拒绝 is a customer who answered and said no.
        "拒接": "no_answer", "挂断": "no_answer", "被挂断": "no_answer", "秒挂": "no_answer",
        "挂机": "no_answer", "不需要": "refused",
        "成交": "bought", "已成交": "bought", "已买": "bought",
        "已发": "sent", "发送成功": "sent", "失败": "failed",
        # As callers write them on a paper list. Nobody took the call: 打不通 (rang out),
        # 没接, 没人接听 (which hold 接听, and would read as reached by that word).
        "打不通": "no_answer", "没打通": "no_answer", "未打通": "no_answer",
        "没接": "no_answer", "没接通": "no_answer", "没接听": "no_answer",
        "未接听": "no_answer", "没人接听": "no_answer", "无人接电话": "no_answer",
        "没人接电话": "no_answer", "不接电话": "no_answer", "响铃未接": "no_answer",
        "响铃无人接": "no_answer", "未应答": "no_answer",
        # The carrier's announcements: 暂时无法接听 is a phone that rang unanswered, 无法接通 and
        # 不在服务区 one switched off or out of coverage.
        "无法接听": "no_answer", "暂时无法接听": "no_answer",
        "无法接通": "phone_off", "暂时无法接通": "phone_off", "不在服务区": "phone_off",
        "关机了": "phone_off", "手机关机": "phone_off",
        # 挂了 is 挂断 said as spoken: the call cut before anyone spoke.
        "挂了": "no_answer", "被挂了": "no_answer",
        # The customer answered and said no (拒访: refused the call-back).
        "拒访": "refused", "拒绝回访": "refused", "客户拒绝": "refused", "已拒绝": "refused",
        "不愿意": "refused", "不愿意回访": "refused", "不配合": "refused",
        "不需要了": "refused", "不用了": "refused", "没兴趣": "refused", "不感兴趣": "refused",
        "接通了": "reached", "已接": "reached", "打通了": "reached", "已打通": "reached",
        "联系上了": "reached", "已联系": "reached", "已联系上": "reached", "已沟通": "reached",
        "已回访": "reached",
        "预约了": "appointment", "约好了": "appointment", "已约好": "appointment",
        "预约成功": "appointment",
        "已购车": "bought", "已买车": "bought", "买了": "bought",
        "打错了": "wrong_number", "号码不对": "wrong_number", "号码有误": "wrong_number",
        "非本人": "wrong_number", "不是本人": "wrong_number", "无效号码": "wrong_number",
    },
    "attribute": {
        "婚姻": "marital_status", "家庭": "household", "就业": "employment",
        "用车付款": "car_payer", "购车付款方": "car_payer", "经济": "economic_band",
        "驾龄": "driving_experience", "阶段": "lifecycle_stage",
    },
    "marital_status": {"单身": "single"},
    "economic_band": {"很低": "1", "较低": "2", "中等": "3", "较高": "4", "很高": "5"},
    "household": {"二人": "couple", "一孩": "one_child", "二孩": "two_children",
                  "三孩": "three_plus_children"},
    "employment": {"老板": "business_owner", "个体": "self_employed"},
    "driving_experience": {"首车": "first_car", "老司机": "experienced"},
    "temperament": {"节俭谨慎": "frugal_careful", "爱车": "car_lover", "冲动": "impulsive",
                    "稳重": "steady"},
}


def _index(lang: str) -> int:
    return 0 if lang.lower().startswith("zh") else 1


def pick(pair: tuple[str, str], lang: str) -> str:
    """The word of a (Chinese, English) pair in `lang` ("zh" or "en")."""
    return pair[_index(lang)]


def text(kind: str, code: str | None, lang: str = "zh") -> str:
    """The label of `code` in vocabulary `kind` ("zh" or "en"); '' for None, the code itself
    when the vocabulary does not know it (free text such as an occupation)."""
    if code is None:
        return ""
    pair = LABELS.get(kind, {}).get(code)
    return code if pair is None else pick(pair, lang)


def both(kind: str, code: str | None) -> tuple[str, str]:
    """(Chinese, English) label of `code`; None reads as UNKNOWN."""
    if code is None:
        return UNKNOWN
    return text(kind, code, "zh"), text(kind, code, "en")


def codes(kind: str) -> tuple[str, ...]:
    """The vocabulary's codes in display order (empty for an unknown kind)."""
    return tuple(LABELS.get(kind, {}))


def code_of(kind: str, typed: str) -> str | None:
    """The code someone meant by `typed`: the code itself, its Chinese or English label, or a
    short form in ALIASES; None when it is none of these."""
    typed = typed.strip()
    vocabulary = LABELS.get(kind, {})
    if typed in vocabulary:
        return typed
    for code, (zh, en) in vocabulary.items():
        if typed in (zh, en):
            return code
    if (alias := ALIASES.get(kind, {}).get(typed)) is not None:
        return alias
    # As typed by hand: other letter case (NO_ANSWER, appointment), spaces inside (接 通),
    # full-width letters.
    loose = "".join(unicodedata.normalize("NFKC", typed).split()).casefold()
    for code, (zh, en) in vocabulary.items():
        if loose in (code.casefold(), "".join(zh.split()), "".join(en.split()).casefold()):
            return code
    return ALIASES.get(kind, {}).get(loose)


@functools.lru_cache(maxsize=4096)
def car_name(brand: str | None, model: str | None) -> str:
    """A car as staff name it: brand and model (丰田 凯美瑞), the model alone when it already
    starts with the brand (哈弗H6, not 哈弗 哈弗H6: many DMS exports name models so), either
    alone when the other is empty. Kept per pair: a 100,000-member Excel list names a car on
    every row, from a few hundred models (0.04 µs a row kept, 0.3 µs worked out)."""
    brand, model = (brand or "").strip(), (model or "").strip()
    if not (brand and model):
        return brand or model
    if model.replace(" ", "").casefold().startswith(brand.replace(" ", "").casefold()):
        return model
    return f"{brand} {model}"


@functools.lru_cache(maxsize=4096)
def car_in_text(brand: str | None, model: str | None) -> str:
    """A car as a Chinese sentence names it: car_name without the space between a brand and a
    model in Chinese (您的宝马X3, 您的丰田凯美瑞), kept between two Latin words (BMW X3)."""
    name, brand = car_name(brand, model), (brand or "").strip()
    if not brand or not name.startswith(brand + " "):
        return name
    model = name[len(brand) + 1:]
    if _latin(brand[-1]) and _latin(model[0]):
        return name
    return brand + model


def _latin(c: str) -> bool:
    return c.isascii() and c.isalnum()
