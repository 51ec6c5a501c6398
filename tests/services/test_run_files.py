"""The one writer of a list run's files: which files a run produces, each from its channel's
members only, and no part-written file left behind when writing fails."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from services.outputs import excel, list_process, pdf_call_sheet, run_files
from services.outputs.run_files import FileRequest
from services.outputs.sms import NO_SIGNATURE
from services.outputs.types import ListDocument, Steps
from services.staff.permissions import Actor
from services.store import staging
from services.store.errors import Cancelled, CancelToken, RevisitError
from services.store.settings import Settings, load_settings
from tests.conftest import non_root
from tests.services.test_outputs_files import doc, member

SEND = dt.datetime(2026, 11, 24, 10, 0)
TEXT = "{称呼}您好，您的{车型}（{车牌}）保养到期了。"
# The shop's own name and SMS signature, as a supervisor saves them (a new database has none).
SHOP = Settings(shop_name="广州某某丰田", sms_signature="【某某丰田】")


def mixed(calls: int = 3, mails: int = 2, texts: int = 4) -> ListDocument:
    members = (
        *(member(i, channel="call") for i in range(1, calls + 1)),
        *(member(100 + i, channel="mail") for i in range(1, mails + 1)),
        *(member(200 + i, channel="sms", mobile=f"1390013{i:04d}") for i in range(1, texts + 1)),
    )
    return dataclasses.replace(doc(1), members=members)


def only(channel: str, n: int = 3) -> ListDocument:
    return dataclasses.replace(doc(1), members=tuple(member(i, channel=channel)
                                                      for i in range(1, n + 1)))


def rows(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".revisit-")
                  or p.name.endswith(".part"))


def test_plan_names_one_file_per_channel_with_members(tmp_path):
    out = tmp_path / "week.xlsx"
    plan = run_files.plan_run_files(mixed(), out, "xlsx", sms_text=TEXT, send_at=SEND)
    assert [(r.kind, r.path.name, r.fmt) for r in plan] == [
        (run_files.CALL_LIST, "week.xlsx", "xlsx"),
        (run_files.MAIL_LIST, "week-mail.xlsx", "xlsx"),
        (run_files.SMS_FILE, "week-sms.xlsx", "xlsx"),
    ]
    assert plan[2].sms_text == TEXT and plan[2].send_at == SEND
    pdf = run_files.plan_run_files(mixed(), tmp_path / "week", "pdf", label_layout="a4-2x7")
    assert [(r.kind, r.path.name, r.fmt, r.label_layout) for r in pdf] == [
        (run_files.CALL_SHEET, "week.pdf", "pdf", None),
        (run_files.LABELS, "week-mail.pdf", "pdf", "a4-2x7"),
        (run_files.SMS_LIST, "week-sms.xlsx", "xlsx", None),
    ]
    as_csv = run_files.plan_run_files(only("sms"), tmp_path / "t.csv", "csv")
    assert [(r.kind, r.path.name, r.fmt) for r in as_csv] == [(run_files.SMS_LIST, "t.csv", "csv")]
    assert run_files.plan_run_files(dataclasses.replace(doc(1), members=()), out, "xlsx") == ()


@pytest.mark.parametrize("out, fmt, channel, names", [
    # A dot in the name is part of it: the date in a week's name is kept.
    ("名单2026.12.07", "pdf", "call", ["名单2026.12.07.pdf"]),
    ("名单2026.12.07.pdf", "pdf", "call", ["名单2026.12.07.pdf"]),
    ("calls", "xlsx", "call", ["calls.xlsx"]),
    ("calls.XLSX", "xlsx", "call", ["calls.xlsx"]),
    ("v1.2", "csv", "visit", ["v1.2.csv"]),
    ("labels", "pdf", "mail", ["labels.pdf"]),
    ("texts", "csv", "sms", ["texts.csv"]),
    ("texts.pdf", "pdf", "sms", ["texts-sms.xlsx"]),
])
def test_each_file_gets_its_format_s_ending_after_the_name_given(tmp_path, out, fmt, channel,
                                                                 names):
    plan = run_files.plan_run_files(only(channel), tmp_path / out, fmt)
    assert [r.path.name for r in plan] == names
    assert all(r.path.parent == tmp_path for r in plan)
    both = run_files.plan_files(("call", "mail"), tmp_path / "第49周.v2", "pdf")
    assert [r.path.name for r in both] == ["第49周.v2.pdf", "第49周.v2-mail.pdf"]


@pytest.mark.parametrize("out", ["week.docx", "week.XLS", "labels.doc", "texts.txt", "w.et"])
def test_a_name_ending_as_a_document_revisit_does_not_write_is_refused(tmp_path, out):
    for channels in (("call",), ("mail",), ("sms",), ("call", "mail", "sms")):
        for fmt in ("pdf", "xlsx", "csv"):
            with pytest.raises(RevisitError) as refused:
                run_files.plan_files(channels, tmp_path / out, fmt)
            assert out in str(refused.value) and ".pdf, .xlsx or .csv" in str(refused.value)


def test_each_file_holds_its_channels_members(tmp_path):
    d, st = mixed(), SHOP
    written = [run_files.write_run_file(d, r, st)
               for r in run_files.plan_run_files(d, tmp_path / "w.xlsx", "xlsx", sms_text=TEXT,
                                                 send_at=SEND)]
    assert [(w.kind, w.rows) for w in written] == [
        (run_files.CALL_LIST, 3), (run_files.MAIL_LIST, 2), (run_files.SMS_FILE, 4)]
    assert {r[0] for r in rows(tmp_path / "w.xlsx")} == {m.row_code for m in d.of_channel("call")}
    assert {r[0] for r in rows(tmp_path / "w-mail.xlsx")} == {
        m.row_code for m in d.of_channel("mail")}
    sms = written[2]
    assert sms.sms_parts >= 4 and sms.skipped == ()
    texts = rows(tmp_path / "w-sms.xlsx")
    assert len(texts) == 4 and all(st.sms_signature in r[3] for r in texts)
    assert sorted(os.listdir(tmp_path)) == ["w-mail.xlsx", "w-sms.xlsx", "w.xlsx"]


def test_a_new_database_s_settings_refuse_an_sms_file_before_any_file_is_written(database,
                                                                                  tmp_path):
    """No signature entered yet: the vendor file of a request is refused with the setting to
    fill in before the first file (the call list) is written; a text using {店名} with no shop
    name entered is refused naming that setting."""
    st = load_settings(database.sessions)
    d, out = mixed(), tmp_path / "out"
    out.mkdir()
    plan = run_files.plan_run_files(d, out / "w.xlsx", "xlsx", sms_text=TEXT, send_at=SEND)
    with pytest.raises(RevisitError) as raised:
        run_files.check_run_files(d, plan, st)
    assert raised.value.template == NO_SIGNATURE
    assert str(raised.value).startswith("Set the shop's SMS signature in Settings first")
    with pytest.raises(RevisitError, match="SMS signature in Settings"):  # and on its own
        run_files.write_run_file(d, plan[2], st)
    assert os.listdir(out) == []

    signed = dataclasses.replace(st, sms_signature="【某某丰田】")
    shop = FileRequest(run_files.SMS_FILE, out / "s.xlsx", sms_text="{店名}提醒{称呼}：保养9折",
                       send_at=SEND)
    with pytest.raises(RevisitError, match="the shop name in the settings is empty"):
        run_files.check_run_files(d, [shop], signed)
    assert os.listdir(out) == []
    written = run_files.write_run_file(d, plan[2], signed)
    assert [r[3][:6] for r in rows(written.path)] == ["【某某丰田】"] * 4


@pytest.mark.parametrize("kind", [run_files.SMS_FILE, run_files.SMS_LIST])
def test_an_sms_file_of_a_run_without_sms_members_is_refused(tmp_path, kind):
    target = tmp_path / "sms.xlsx"
    request = FileRequest(kind, target, "xlsx", sms_text=TEXT, send_at=SEND)
    with pytest.raises(RevisitError) as raised:
        run_files.write_run_file(only("call"), request, Settings())
    assert raised.value.template == run_files.NOBODY["sms"]
    assert "#9" in str(raised.value) and "SMS" in str(raised.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(("kind", "channel"), [
    (run_files.CALL_SHEET, "call"), (run_files.CALL_LIST, "call"),
    (run_files.LABELS, "mail"), (run_files.MAIL_LIST, "mail"),
])
def test_other_files_of_a_channel_nobody_is_on_are_refused(tmp_path, kind, channel):
    fmt = "pdf" if kind in run_files.PDF_KINDS else "xlsx"
    with pytest.raises(RevisitError) as raised:
        run_files.write_run_file(only("sms"), FileRequest(kind, tmp_path / f"x.{fmt}", fmt),
                                 Settings())
    assert raised.value.template == run_files.NOBODY[channel]
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("kind", [run_files.CALL_SHEET, run_files.SMS_FILE, run_files.LABELS])
def test_a_run_nobody_was_let_into_says_so_not_to_try_another_channel(tmp_path, kind):
    from services.outputs.types import Excluded

    left_out = tuple(Excluded(f"客户{i}", "no_consent", "无营销同意",
                              "无有效营销同意（个人信息保护法）", f"C{i}") for i in range(9))
    empty = dataclasses.replace(doc(1), members=(), excluded=left_out)
    fmt = "pdf" if kind in run_files.PDF_KINDS else "xlsx"
    request = FileRequest(kind, tmp_path / f"x.{fmt}", fmt, sms_text=TEXT, send_at=SEND)
    with pytest.raises(RevisitError) as raised:
        run_files.write_run_file(empty, request, Settings())
    assert raised.value.template == run_files.EMPTY_RUN
    assert "all 9 customers of its segment were left out" in str(raised.value)
    # A segment with nobody in it on the day: nobody was left out either.
    with pytest.raises(RevisitError) as raised:
        run_files.write_run_file(dataclasses.replace(empty, excluded=()), request, Settings())
    assert raised.value.template == run_files.EMPTY_SEGMENT
    assert os.listdir(tmp_path) == []


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "calls.csv"
    target.write_text("last week's list", encoding="utf-8")

    def half_then_fail(doc, channel, path, fmt, steps):
        Path(path).write_text("编号,回访员\n9-0001,", encoding="utf-8")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(excel, "write_list", half_then_fail)
    with pytest.raises(OSError) as raised:
        run_files.write_run_file(only("call"), FileRequest(run_files.CALL_LIST, target, "csv"),
                                 Settings())
    assert raised.value.filename == str(target)  # the user's file named, not the scratch one
    assert target.read_text(encoding="utf-8") == "last week's list"
    assert leftovers(tmp_path) == [] and os.listdir(tmp_path) == ["calls.csv"]


def test_a_writer_that_raises_leaves_nothing(tmp_path, monkeypatch):
    def broken(doc, path, briefs=None, steps=None):
        Path(path).write_bytes(b"%PDF-1.4 half")
        raise ValueError("a bug in the writer")

    monkeypatch.setattr(pdf_call_sheet, "write_call_sheet", broken)
    with pytest.raises(ValueError):
        run_files.write_run_file(only("call"), FileRequest(run_files.CALL_SHEET,
                                                           tmp_path / "c.pdf", "pdf"), Settings())
    assert os.listdir(tmp_path) == []


def test_a_folder_that_vanishes_mid_way_leaves_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "share"
    folder.mkdir()
    real = excel.write_list

    def then_vanish(doc, channel, path, fmt, steps):
        real(doc, channel, path, fmt, steps)
        for p in sorted(folder.rglob("*"), reverse=True):  # the network share goes away
            p.unlink() if p.is_file() else p.rmdir()
        folder.rmdir()
        return Path(path)

    monkeypatch.setattr(excel, "write_list", then_vanish)
    with pytest.raises(OSError) as raised:
        run_files.write_run_file(only("call"), FileRequest(run_files.CALL_LIST,
                                                           folder / "c.xlsx"), Settings())
    assert raised.value.filename == str(folder / "c.xlsx")
    assert os.listdir(tmp_path) == []


@non_root
def test_a_read_only_folder_names_the_file_and_writes_nothing(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError) as raised:
            run_files.write_run_file(only("call"), FileRequest(run_files.CALL_LIST,
                                                               folder / "c.xlsx"), Settings())
        assert raised.value.filename == str(folder / "c.xlsx")
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o755)


def test_a_vendor_file_and_its_preview_arrive_together(tmp_path):
    st = dataclasses.replace(SHOP, sms_vendor="aliyun")
    target = tmp_path / "阿里云.csv"
    got = run_files.write_run_file(only("sms", 3), FileRequest(
        run_files.SMS_FILE, target, "csv", sms_text=TEXT, send_at=SEND), st)
    assert got.path == target and got.rows == 3
    assert sorted(os.listdir(tmp_path)) == ["阿里云-preview.csv", "阿里云.csv"]
    with target.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 4


def test_a_refused_sms_time_writes_nothing(tmp_path):
    night = dt.datetime(2026, 11, 24, 23, 0)
    with pytest.raises(RevisitError, match="only be sent between"):
        run_files.write_run_file(only("sms"), FileRequest(
            run_files.SMS_FILE, tmp_path / "s.xlsx", sms_text=TEXT, send_at=night), SHOP)
    assert os.listdir(tmp_path) == []


def test_labels_hold_the_mail_members_only(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr("services.outputs.labels._sheet",
                        lambda c, members, lay, font: seen.extend(m.row_code for m in members))
    d = mixed()
    got = run_files.write_run_file(d, FileRequest(run_files.LABELS, tmp_path / "l.pdf", "pdf"),
                                   Settings())
    assert got.rows == 2 and seen == [m.row_code for m in d.of_channel("mail")]


def test_a_folder_refusing_the_scratch_folder_names_the_file(tmp_path, monkeypatch):
    def refuse(prefix, dir):
        raise PermissionError(13, "Permission denied", str(Path(dir) / f"{prefix}x1"))

    monkeypatch.setattr(staging.tempfile, "mkdtemp", refuse)
    with pytest.raises(PermissionError) as raised:
        run_files.write_run_file(only("call"), FileRequest(run_files.CALL_LIST,
                                                           tmp_path / "c.xlsx"), Settings())
    assert raised.value.filename == str(tmp_path / "c.xlsx")
    assert os.listdir(tmp_path) == []


def test_scratch_a_killed_writer_left_is_cleared_once_stale(tmp_path):
    """A writer killed mid-way never reaches its clean-up: its hidden scratch folder is
    removed by a later write to the same folder once nothing in it changed for an hour; a
    fresh one (another writer at work) is left alone."""
    stale = tmp_path / f"{run_files.SCRATCH_PREFIX}killed"
    stale.mkdir()
    (stale / "calls.xlsx").write_bytes(b"PK\x03\x04 half a file")
    old = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    for path in (stale / "calls.xlsx", stale):
        os.utime(path, (old, old))
    busy = tmp_path / f"{run_files.SCRATCH_PREFIX}busy"
    busy.mkdir()
    (busy / "other.xlsx").write_bytes(b"being written")
    written = run_files.write_run_file(only("call"), FileRequest(
        run_files.CALL_LIST, tmp_path / "calls.xlsx"), Settings())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["calls.xlsx", busy.name])
    assert len(rows(written.path)) == 3  # the whole file, without its header


KINDS_AND_DOCS = [  # every kind of file, each of a run big enough to be told in several steps
    (run_files.CALL_SHEET, "pdf", "call", {}),
    (run_files.CALL_LIST, "xlsx", "call", {}),
    (run_files.CALL_LIST, "csv", "call", {}),
    (run_files.LABELS, "pdf", "mail", {}),
    (run_files.SMS_FILE, "xlsx", "sms", {"sms_text": TEXT, "send_at": SEND}),
    (run_files.WECHAT_LIST, "xlsx", "wechat", {"message": "{称呼}您好"}),
]


@pytest.mark.parametrize(("kind", "fmt", "channel", "more"), KINDS_AND_DOCS)
def test_a_file_tells_how_far_it_is_up_to_the_whole(tmp_path, kind, fmt, channel, more):
    n = 1234  # more than two of Steps.EVERY
    d = dataclasses.replace(doc(1), members=tuple(
        member(i, channel=channel, mobile=f"139{i:08d}") for i in range(1, n + 1)))
    told: list[tuple[int, int]] = []
    request = FileRequest(kind, tmp_path / f"out.{fmt}", fmt, **more)
    written = run_files.write_run_file(d, request, SHOP, steps=Steps(
        lambda done, total: told.append((done, total))))
    assert written.rows == n and written.path.is_file()
    totals = {total for _, total in told}
    assert len(totals) == 1 and len(told) >= 3
    total = totals.pop()
    dones = [done for done, _ in told]
    assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == total  # 0 … the whole


@pytest.mark.parametrize(("kind", "fmt", "channel", "more"), KINDS_AND_DOCS)
def test_a_file_cancelled_half_way_is_not_written_and_the_old_one_stays(
        tmp_path, kind, fmt, channel, more):
    d = dataclasses.replace(doc(1), members=tuple(
        member(i, channel=channel, mobile=f"139{i:08d}") for i in range(1, 1235)))
    out = tmp_path / f"out.{fmt}"
    out.write_bytes(b"last week's file")
    token = CancelToken()
    told: list[int] = []

    def progress(done: int, total: int) -> None:
        told.append(done)
        if done >= total // 3:  # a third of the way: the user clicks Cancel
            token.cancel()

    with pytest.raises(Cancelled):
        run_files.write_run_file(d, FileRequest(kind, out, fmt, **more), SHOP,
                                 steps=Steps(progress, token))
    assert out.read_bytes() == b"last week's file"
    assert leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    assert 0 < max(told) < 1234 * 2  # stopped on the way, not at the end


# --- a list written while its run is built -----------------------------------------------------

STAFF = Actor(5, "chenli", "staff", "陈丽")
BOSS = Actor(1, "boss", "supervisor", "王主管")


def _stream(d: ListDocument, request: FileRequest, actor=run_files.NOT_PASSED,
            chunk: int = 2) -> run_files.StreamedList:
    """`d`'s members given to a stream as a build gives them: every channel, a chunk at a
    time."""
    streamed = run_files.StreamedList(request, actor)
    for i in range(0, len(d.members), chunk):
        streamed.add(d.members[i:i + chunk])
    return streamed


def _content(path: Path) -> dict[str, bytes]:
    if path.suffix == ".csv":
        return {"csv": path.read_bytes()}
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("actor", [run_files.NOT_PASSED, BOSS, STAFF], ids=["unchecked",
                                                                             "boss", "staff"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", run_files.MEMBER_LISTS)
def test_a_list_written_while_built_is_the_file_written_after(tmp_path, kind, fmt, actor):
    channel = run_files.CHANNEL_OF[kind]
    d = dataclasses.replace(mixed(), members=(*mixed().members, *only("visit").members))
    streamed_request = FileRequest(kind, tmp_path / f"streamed.{fmt}", fmt)
    streamed = _stream(d, streamed_request, actor)
    done = streamed.finish(d.run_id, len(d.of_channel(channel)), Settings())
    assert done == run_files.WrittenFile(kind, streamed_request.path, len(d.of_channel(channel)))
    after = run_files.write_run_file(d, FileRequest(kind, tmp_path / f"after.{fmt}", fmt),
                                     Settings(), actor)
    assert _content(streamed_request.path) == _content(after.path)
    streamed.discard()  # after finish: changes nothing
    assert streamed_request.path.exists() and leftovers(tmp_path) == []
    if actor is STAFF and fmt == "csv" and kind != run_files.MAIL_LIST:  # has mobiles
        assert "****" in streamed_request.path.read_text(encoding="utf-8-sig")


def test_a_stream_that_missed_members_keeps_nothing_and_the_file_is_written_as_usual(tmp_path):
    d = only("call", 5)
    request = FileRequest(run_files.CALL_LIST, tmp_path / "calls.xlsx")
    streamed = run_files.StreamedList(request)
    streamed.add(d.members[:3])  # a build that gave it less than the run holds
    assert streamed.finish(d.run_id, len(d.members), Settings()) is None
    assert list(tmp_path.iterdir()) == []
    run_files.write_run_file(d, request, Settings())
    assert [r[0] for r in rows(request.path)] == [m.row_code for m in d.members]


def test_a_discarded_stream_leaves_nothing_behind(tmp_path):
    streamed = _stream(only("call"), FileRequest(run_files.CALL_LIST, tmp_path / "c.xlsx"))
    streamed.discard()  # the build failed or was stopped
    assert list(tmp_path.iterdir()) == []


def test_a_streamed_list_of_a_channel_nobody_is_on_is_refused_as_write_run_file_refuses(
        tmp_path):
    d = only("mail")
    streamed = _stream(d, FileRequest(run_files.CALL_LIST, tmp_path / "c.xlsx"))
    with pytest.raises(RevisitError) as refused:
        streamed.finish(d.run_id, len(d.of_channel("call")), Settings())
    assert refused.value.template == run_files.NOBODY["call"]
    assert list(tmp_path.iterdir()) == []


def test_a_streamed_list_that_cannot_be_written_says_where_at_finish(tmp_path):
    out = tmp_path / "gone" / "c.xlsx"  # its folder is not there
    d = only("call")
    streamed = _stream(d, FileRequest(run_files.CALL_LIST, out))
    with pytest.raises(OSError) as failed:
        streamed.finish(d.run_id, len(d.members), Settings())
    assert failed.value.filename == str(out)
    assert list(tmp_path.iterdir()) == []


def _writer(timeout: float = 20) -> multiprocessing.process.BaseProcess:
    """The process writing a streamed list, once it has started."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [p for p in multiprocessing.active_children() if p.name == "revisit list file"]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError("no process is writing the list")


def _stream_long(d: ListDocument, request: FileRequest, actor=run_files.NOT_PASSED
                 ) -> run_files.StreamedList:
    """As _stream, told first that the run is long enough for a process of its own, and with
    each member's snapshot as a build hands it on."""
    streamed = run_files.StreamedList(request, actor)
    streamed.begin(run_files.PROCESS_FROM)
    for i in range(0, len(d.members), 2):
        part = d.members[i:i + 2]
        streamed.add(part, [m.to_json() for m in part])
    return streamed


@pytest.mark.parametrize("actor", [BOSS, STAFF], ids=["boss", "staff"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", run_files.MEMBER_LISTS)
def test_a_long_list_is_written_by_a_process_of_its_own_as_it_is_written_after(
        tmp_path, kind, fmt, actor):
    channel = run_files.CHANNEL_OF[kind]
    d = dataclasses.replace(mixed(), members=(*mixed().members, *only("visit").members))
    request = FileRequest(kind, tmp_path / f"streamed.{fmt}", fmt)
    streamed = _stream_long(d, request, actor)
    writer = _writer()
    done = streamed.finish(d.run_id, len(d.of_channel(channel)), Settings())
    assert done == run_files.WrittenFile(kind, request.path, len(d.of_channel(channel)))
    writer.join(5)
    assert writer.exitcode == 0
    after = run_files.write_run_file(d, FileRequest(kind, tmp_path / f"after.{fmt}", fmt),
                                     Settings(), actor)
    assert _content(request.path) == _content(after.path)
    assert leftovers(tmp_path) == []


def test_a_long_list_with_members_of_other_channels_and_no_snapshots_is_written_the_same(
        tmp_path):
    """Chunks as a caller without snapshots gives them (the stream makes them), with every
    channel's members, days and numbers in them: only the channel's go to the file."""
    d = dataclasses.replace(mixed(), members=(
        *mixed().members,
        member(9, channel="call", purchase_date=dt.date(2019, 2, 28), km=123456,
               last_contact=dt.date(2026, 1, 31), last_outcome="接通")))
    request = FileRequest(run_files.CALL_LIST, tmp_path / "calls.xlsx")
    streamed = run_files.StreamedList(request)
    streamed.begin(run_files.PROCESS_FROM + 1)
    streamed.add(d.members)
    streamed.finish(d.run_id, len(d.of_channel("call")), Settings())
    assert rows(request.path) == rows(run_files.write_run_file(
        d, FileRequest(run_files.CALL_LIST, tmp_path / "after.xlsx"), Settings()).path)
    assert rows(request.path)[-1][9] == dt.datetime(2019, 2, 28)


def test_a_list_writer_process_that_dies_is_said_and_leaves_nothing_behind(tmp_path):
    d = only("call", 4)
    request = FileRequest(run_files.CALL_LIST, tmp_path / "calls.xlsx")
    streamed = _stream_long(d, request)
    writer = _writer()
    writer.kill()  # as the task manager or the system would
    writer.join(10)
    with pytest.raises(RevisitError) as stopped:
        streamed.finish(d.run_id, len(d.members), Settings())
    assert stopped.value.template == run_files.WRITER_STOPPED
    assert "calls.xlsx" in str(stopped.value)
    assert list(tmp_path.iterdir()) == []


def test_what_fails_in_the_list_writer_process_is_raised_by_finish(tmp_path, monkeypatch):
    """A chunk the process cannot read: its own error comes back, and nothing is kept."""
    monkeypatch.setattr(run_files.list_process, "chunk_of", lambda snapshots: b"[not json")
    d = only("call", 4)
    request = FileRequest(run_files.CALL_LIST, tmp_path / "calls.xlsx")
    streamed = _stream_long(d, request)
    with pytest.raises(ValueError, match="Expecting value"):
        streamed.finish(d.run_id, len(d.members), Settings())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_list_writer_process_ends_when_the_program_it_writes_for_is_killed(tmp_path):
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from services.outputs import run_files\n"
        "from tests.services.test_run_files import _stream_long, _writer, only\n"
        "_stream_long(only('call'), run_files.FileRequest(run_files.CALL_LIST,"
        " Path(sys.argv[1])))\n"
        "print(_writer().pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n")
    killed = subprocess.run([sys.executable, "-c", script, str(tmp_path / "calls.xlsx")],
                            capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).parents[2])
    assert killed.returncode == -9, killed.stderr
    pid = int(killed.stdout)
    end = time.monotonic() + 20
    while _running(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Whether the process is there and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_only_lists_of_members_are_streamed(tmp_path):
    for kind in (run_files.CALL_SHEET, run_files.LABELS, run_files.SMS_FILE,
                 run_files.WECHAT_LIST):
        with pytest.raises(ValueError):
            run_files.StreamedList(FileRequest(kind, tmp_path / "x"))
    assert run_files.plan_files(["call"], tmp_path / "w.xlsx", "xlsx") == \
        run_files.plan_run_files(only("call"), tmp_path / "w.xlsx", "xlsx")


def test_writing_a_file_holds_the_collector_off_and_puts_it_back(tmp_path):
    d, during = only("call", 1200), []
    was_on = gc.isenabled()
    try:
        gc.enable()
        run_files.write_run_file(d, FileRequest(run_files.CALL_LIST, tmp_path / "c.xlsx"),
                                 Settings(), steps=Steps(lambda done, total:
                                                         during.append(gc.isenabled())))
        assert gc.isenabled() and during and not any(during)
    finally:
        (gc.enable if was_on else gc.disable)()


class _NotMadeAgain(Exception):
    def __init__(self, path, why):  # pickled with args (the words) only: unpickling fails
        super().__init__(f"{path}: {why}")


def test_the_list_writer_tells_any_failure_in_words_and_nobody_when_nobody_listens():
    class OfItsOwn(Exception):  # a local class: cannot be pickled at all
        pass

    for failure in (OfItsOwn("disk full"), _NotMadeAgain("calls.xlsx", "disk full")):
        ours, theirs = multiprocessing.Pipe()
        list_process._send(theirs, ("failed", failure))
        said, told = ours.recv()
        assert said == "failed" and type(told) is RuntimeError
        assert "disk full" in str(told)
        ours.close()
        list_process._send(theirs, ("failed", failure))  # nobody there: nothing raised
        theirs.close()
    ours, theirs = multiprocessing.Pipe()
    list_process._send(theirs, ("failed", OSError(28, "No space left on device")))
    assert isinstance(ours.recv()[1], OSError)
