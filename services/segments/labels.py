"""(Chinese, English) segment code labels for the filter editor, read from services/labels.py."""

from services.labels import LABELS, UNKNOWN

SAT_LABELS = dict(LABELS["satisfaction_band"])
STAGE_LABELS: dict[str | None, tuple[str, str]] = {
    code: pair for code, pair in LABELS["lifecycle_stage"].items()
}
STAGE_LABELS[None] = UNKNOWN
DUE_LABELS = dict(LABELS["due"])
