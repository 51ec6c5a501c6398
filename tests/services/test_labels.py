"""The one label table: every stored code has a Chinese and an English label, one name per thing,
and the window, the CLI and the printed call sheet all read it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from models import ContactEvent, Customer, codes
from services import labels
from services.customers.preferences import CONSENT_SOURCES
from services.lists import build
from services.lists.snapshot import MemberSnapshots
from services.outputs import pdf_call_sheet
from services.outputs.types import LIST_CHANNELS, OUTCOME_BOXES, ListDocument, ListMember
from services.segments import catalog, templates

# Every vocabulary in models/codes.py and the label kind it is shown with.
MODEL_KINDS = {
    "GENDERS": "gender",
    "PAYMENT_METHODS": "payment_method",
    "VISIT_TYPES": "visit_type",
    "PURCHASE_KINDS": "purchase_kind",
    "READING_SOURCES": "source",
    "CHANNELS": "channel",
    "PURPOSES": "purpose",
    "OUTCOMES": "outcome",
    "INTENT_STRENGTHS": "intent_strength",
    "INTENT_WINDOWS": "intent_window",
    "DNC_PURPOSES": "purpose",
    "CHANGE_SOURCES": "source",
    "DAY_PREFERENCES": "preferred_days",
    "TIME_WINDOWS": "time_window",
    "LIFECYCLE_STAGES": "lifecycle_stage",
    "STAFF_ROLES": "staff_role",
    "CONSENT_KINDS": "consent_kind",
    "RECORDED_FIELDS": "attribute",
    "IMPORT_KINDS": "import_kind",
    "REFERRER_KINDS": "referrer_kind",
    "DECLINED_STATUSES": "declined_status",
    "DECLINED_SOURCES": "source",
}
OTHER_VOCABULARIES = [
    (catalog.SATISFACTION_BANDS, "satisfaction_band"),
    (catalog.TRENDS, "trend"),
    (catalog.RFM_CLASS_KEYS, "rfm_class"),
    (templates.DUE_FIELDS, "due"),
    (LIST_CHANNELS, "list_channel"),
    (build.CHANNEL_MODES, "channel_mode"),
    (CONSENT_SOURCES, "source"),
    (tuple(codes.PROFILE_ATTRIBUTES), "attribute"),
] + [(values, attribute) for attribute, values in codes.PROFILE_ATTRIBUTES.items() if values]


def _labelled(values: tuple[str, ...], kind: str) -> None:
    for code in values:
        zh, en = labels.text(kind, code, "zh"), labels.text(kind, code, "en")
        assert code in labels.LABELS[kind], (kind, code)
        assert zh.strip() and en.strip(), (kind, code)
        if not code.isdigit():  # an economic band reads as its number in both languages
            assert zh != en, (kind, code)


def test_every_model_vocabulary_is_mapped_here():
    vocabularies = {
        name for name, value in vars(codes).items()
        if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value)
    }
    assert vocabularies == set(MODEL_KINDS), "a new vocabulary in models/codes.py needs labels"


@pytest.mark.parametrize(("name", "kind"), MODEL_KINDS.items())
def test_every_stored_code_has_a_chinese_and_an_english_label(name, kind):
    _labelled(getattr(codes, name), kind)


@pytest.mark.parametrize(("values", "kind"), OTHER_VOCABULARIES)
def test_every_other_code_has_both_labels(values, kind):
    _labelled(values, kind)


def test_one_name_per_thing():
    for kind, vocabulary in labels.LABELS.items():
        for lang in (0, 1):
            names = [pair[lang] for pair in vocabulary.values()]
            assert len(names) == len(set(names)), (kind, names)
    # The phone channel: "phone" where stored, "call" in list runs; one label.
    assert labels.both("channel", "phone") == labels.both("list_channel", "call") == ("电话",
                                                                                        "Phone")
    assert labels.text("channel_mode", "call") == "电话"


def test_unknown_codes_and_none():
    assert labels.text("outcome", None) == ""
    assert labels.text("occupation", "工程师") == "工程师"  # free text stays as typed
    assert labels.text("outcome", "no_such") == "no_such"
    assert labels.both("lifecycle_stage", None) == labels.UNKNOWN
    assert labels.codes("no_such_kind") == ()


def test_typed_back_by_code_label_or_short_form():
    assert labels.code_of("outcome", "已预约") == "appointment"
    assert labels.code_of("outcome", "预约") == "appointment"  # printed before one table
    assert labels.code_of("outcome", "Appointment made") == "appointment"
    assert labels.code_of("outcome", " reached ") == "reached"
    assert labels.code_of("outcome", "很好") is None
    assert labels.code_of("attribute", "婚姻") == "marital_status"
    assert labels.code_of("household", "一孩") == "one_child"
    assert labels.code_of("employment", "企业主") == "business_owner"
    # An economic band by its number, its label or the word alone (经济：较高 on a sheet).
    assert [labels.code_of("economic_band", t) for t in ("4", "4 较高", "较高", "4 High")] == [
        "4"] * 4


def test_the_window_shows_the_same_table():
    from PySide6.QtCore import QLocale

    from ui.labels import choices, label

    before = QLocale()
    try:
        for locale, lang in (("zh_CN", "zh"), ("en_US", "en")):
            QLocale.setDefault(QLocale(locale))
            for kind, vocabulary in labels.LABELS.items():
                for code in vocabulary:
                    assert label(kind, code) == labels.text(kind, code, lang)
                assert [c for c, _ in choices(kind)] == list(vocabulary)
        assert label("outcome", None) == ""
        assert choices("occupation") == []
    finally:
        QLocale.setDefault(before)


def test_printed_outputs_use_the_table():
    assert OUTCOME_BOXES == tuple((c, labels.text("outcome", c)) for c, _ in OUTCOME_BOXES)
    assert MemberSnapshots(dt.date(2026, 11, 23)).outcome("bought") == labels.text("outcome",
                                                                           "bought")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")
def test_the_call_sheet_prints_the_tables_outcomes(tmp_path):
    member = ListMember(row_code="1-0001", name="陈国", caller="陈丽", mobile="13800130001",
                        last_contact=dt.date(2026, 11, 2), last_outcome=labels.text(
                            "outcome", "no_answer"))
    doc = ListDocument("回访名单", "matrix.7+.high", 1, dt.date(2026, 11, 23),
                       dt.datetime(2026, 11, 23, 9), labels.text("purpose", "callback"),
                       (member,))
    path = pdf_call_sheet.write_call_sheet(doc, tmp_path / "sheet.pdf")
    printed = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout
    for _, label in OUTCOME_BOXES:
        assert label in printed, label
    assert "已预约" in printed and "满意度回访" in printed


def test_the_cli_prints_the_tables_labels(capsys, sqlite_database):
    from ui.cli import run

    with sqlite_database.sessions.begin() as s:
        s.add(Customer(id=1, code="C1", name="张伟", mobile="13900000000"))
        s.flush()
        s.add(ContactEvent(customer_id=1, contact_at=dt.datetime(2026, 11, 18, 10),
                           channel="phone", purpose="care", outcome="appointment"))
    assert run(["--db", sqlite_database.url, "report", "activity", "--as-of", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert f"{labels.text('outcome', 'appointment')} 1" in out
    assert f"{labels.text('channel', 'phone')} 1" in out


@pytest.mark.parametrize(("brand", "model", "named"), [
    ("丰田", "凯美瑞", "丰田 凯美瑞"), ("哈弗", "哈弗H6", "哈弗H6"),
    ("宝马", "宝马 5系", "宝马 5系"),
    ("Mercedes-Benz", "mercedes-benz C200", "mercedes-benz C200"), ("比亚迪", "", "比亚迪"),
    (None, "朗逸", "朗逸"), ("", None, ""), ("长安", "长安CS75", "长安CS75"),
    ("大众", "大众途观L", "大众途观L"), ("吉利", "博越", "吉利 博越")])
def test_a_car_is_named_without_its_brand_twice(brand, model, named):
    assert labels.car_name(brand, model) == named
