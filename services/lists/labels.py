"""Chinese labels for the codes lists print and read back (outcomes, reasons, preferences)."""

from __future__ import annotations

OUTCOME_LABELS = {
    "reached": "接通", "no_answer": "无人接听", "phone_off": "关机", "wrong_number": "空号/错号",
    "refused": "拒绝", "appointment": "预约", "bought": "成交", "sent": "已发送", "failed": "失败",
}
# Also accepted when typed back: the short forms people write on paper.
OUTCOME_ALIASES = {"空号": "wrong_number", "错号": "wrong_number", "未接": "no_answer",
                   "无人接": "no_answer", "已预约": "appointment", "拒接": "refused"}

REASON_LABELS = {
    "dnc": "勿扰", "no_consent": "无营销同意", "recent_contact": "近期已联系",
    "complaint": "投诉未解决", "no_mobile": "无有效手机", "no_address": "无有效地址",
    "retry_later": "未接通待重拨", "same_mobile": "同号已发短信", "no_channel": "无可用渠道",
}
PURPOSE_LABELS = {"care": "关怀", "callback": "回访", "sales": "销售", "reminder": "提醒",
                  "survey": "满意度调查", "recall": "召回", "marketing": "营销"}
CHANNEL_LABELS = {"call": "电话", "sms": "短信", "mail": "邮寄"}
DAY_LABELS = {"weekday": "工作日", "weekend": "周末", "any": ""}
WINDOW_LABELS = {"morning": "上午", "noon": "中午", "afternoon": "下午", "evening": "晚上"}
WINDOW_START = {"morning": 9, "noon": 12, "afternoon": 14, "evening": 18}

PROFILE_LABELS = {
    "婚姻": "marital_status", "家庭": "household", "职业": "occupation", "就业": "employment",
    "用车付款": "car_payer", "经济": "economic_band", "驾龄": "driving_experience",
    "性格": "temperament", "阶段": "lifecycle_stage",
}
VALUE_LABELS = {
    "未婚": "single", "单身": "single", "已婚": "married", "离异": "divorced", "丧偶": "widowed",
    "独居": "alone", "二人": "couple", "一孩": "one_child", "二孩": "two_children",
    "三孩": "three_plus_children", "与父母同住": "with_parents",
    "职员": "employee", "公务员": "civil_servant", "企业主": "business_owner",
    "老板": "business_owner",
    "个体": "self_employed", "退休": "retired", "学生": "student", "其他": "other",
    "本人": "self", "公司": "company", "家人": "family",
    "首车": "first_car", "老司机": "experienced",
    "节俭谨慎": "frugal_careful", "爱车": "car_lover", "冲动": "impulsive", "稳重": "steady",
}
