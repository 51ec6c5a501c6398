"""Chinese and English labels for the codes segments show (bands, stages, due dates)."""

SAT_LABELS = {
    "low": ("低（0–6）", "low (0–6)"),
    "middle": ("中（7–8）", "middle (7–8)"),
    "high": ("高（9–10）", "high (9–10)"),
    "none": ("无评分", "no score"),
}
STAGE_LABELS = {
    "stranger": ("陌生", "stranger"),
    "potential": ("潜在", "potential"),
    "intent": ("意向", "intent"),
    "first_purchase": ("首单", "first purchase"),
    "repeat": ("复购", "repeat"),
    "super": ("超级", "super"),
    None: ("未知", "unknown"),
}
DUE_LABELS = {
    "insurance_expiry": ("保险到期", "Insurance expiry"),
    "warranty_end": ("质保到期", "Warranty end"),
    "loan_end": ("贷款到期", "Loan end"),
    "inspection_due": ("年检到期", "Inspection due"),
    "birthday": ("生日", "Birthday"),
}
