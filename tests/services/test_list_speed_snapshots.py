"""The fast paths of a big list run write what the plain ones wrote: a member's snapshot JSON is
byte for byte what JSONEncoder writes of the list of ListMember.to_data()'s values and reads
back (as does the dict older runs stored) as the member the build keeps; rows inserted a chunk
at a time, beside the making of the next, read back as they were made; an Excel list's rows and
cells are those of its column getters and of _cell."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sqlite3
import threading
import time
from collections import namedtuple
from decimal import Decimal

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    literal,
    select,
)

from services.lists import rows_in, runs
from services.lists.build import MEMBER_COLUMNS
from services.lists.snapshot import (
    MEMBER_FACTS,
    SNAPSHOT_KEYS,
    MemberSnapshots,
    exclusion_snapshot,
    member_data,
)
from services.outputs import excel, xlsx_stream
from services.outputs.types import ListMember
from services.store.errors import RevisitError

AS_OF = dt.date(2026, 11, 23)
Row = namedtuple("Row", ("channel", "switched", *MEMBER_FACTS))  # type: ignore[misc]
BASE = dict(
    channel="call", switched=0, vehicle_id=7, code="C0001", name="陈国", contact_name=None,
    gender="M",
    mobile="+86 138 0013 0001", mobile_ok="13800130001", other_phone_ok=None,
    phones_typed=None, province="广东省", city="广州市",
    district="天河区", street="体育西路 1 号", postcode="510000", wechat_id=None,
    birthday_md=None, brand="丰田", model="凯美瑞", plate="粤A12345",
    purchase_date="2019-03-04", insurance_expiry=None, warranty_end=None, km=61234.4,
    preferred_days="weekday", time_windows="morning, evening", hour_from=None, hour_to=None,
    failed_calls=0, last_at="2026-10-02 10:11:12.000000", last_outcome="no_answer",
    last_feedback=None, score=None)
ROWS = [
    {},
    # PostgreSQL's types: days as date / datetime, the km estimate as a Decimal.
    dict(purchase_date=dt.date(2019, 3, 4), last_at=dt.datetime(2026, 10, 2, 10, 11, 12),
         insurance_expiry=dt.date(2026, 12, 1), warranty_end=dt.date(2027, 6, 1),
         km=Decimal("59999.6")),
    dict(name='他说"好"\\ \n\t\x01 <&>', street=None, mobile_ok=None, mobile="12345", gender="F",
         last_feedback="回访：“再联系”", score=3, birthday_md="1201", hour_from=9, hour_to=11,
         preferred_days="any", time_windows=None, purchase_date=None, km=None, last_at=None),
    dict(channel="sms", switched=1, failed_calls=3, score=10, birthday_md="1125",
         insurance_expiry="2027-01-22", warranty_end="2026-11-23", km=250, brand=None,
         model="Model 3", province=None, city=None, district=None, postcode=None,
         last_outcome=None, wechat_id="wx_chen", preferred_days="weekend"),
    dict(channel="mail", switched=1, failed_calls=5, purchase_date="2026-11-23", km=0.4,
         name="", gender=None, last_outcome="bought", time_windows="afternoon,bogus"),
    # No mobile: called on a landline from their other phones.
    dict(mobile=None, mobile_ok=None, other_phone_ok="020-81234567-12"),
    # No number dialled here: the first other phone as typed.
    dict(mobile=None, mobile_ok=None, other_phone_ok=None, phones_typed=" +852 2123 4567，1"),
    # A company's car: its contact person greeted, whatever text they hold.
    dict(name="广州华盛贸易有限公司", gender=None, contact_name='王"经理"\\ \n'),
]

REFUSED = "removed meanwhile"  # what the foreign keys' refusal would be called


def _rows():
    for i, changes in enumerate(ROWS):
        yield f"12-{i + 1:04d}", ("刘洋" if i % 2 else ""), Row(**{**BASE, **changes})


def test_a_snapshot_is_what_the_encoder_writes_of_the_member():
    snapshots = MemberSnapshots(AS_OF)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    read = runs._reader()  # how a stored run is read back
    for _ in range(2):  # the second time from what the first one kept
        for code, caller, row in _rows():
            member, data = snapshots.snapshot(row, code, caller)
            assert data == encode(list(member.to_data().values()))
            assert tuple(member.to_data()) == SNAPSHOT_KEYS
            assert read(data) == member
            assert ListMember.from_data(member_data(data)) == member
            # What runs stored before this form (the dict) reads back as the same member.
            assert read(encode(member.to_data())) == member
            assert (member.row_code, member.caller, member.channel) == (code, caller, row.channel)


def test_an_exclusion_snapshot_is_what_the_encoder_writes_of_its_dict():
    encode = json.JSONEncoder(ensure_ascii=False).encode
    Left = namedtuple("Left", ("name", "code", "mobile", "mobile_ok", "other_phone_ok",
                               "phones_typed"))
    for left, shown in ((Left("陈国", "C0001", "+86 138 0013 0001", "13800130001", None, None),
                         "13800130001"),
                        (Left(None, "C2", None, None, None, None), None),
                        (Left('他说"好"\\ \n\t\x01 <&>', "", "＋86 138", None, None, None),
                         "＋86 138"),
                        (Left("", "C3", "12345", None, "020-81234567", None), "020-81234567"),
                        (Left("", "C4", None, None, None, "+852 2123 4567, 1"),
                         "+852 2123 4567")):
        data = exclusion_snapshot(left)
        want = {"name": left.name, "code": left.code, "mobile": shown}
        assert data == encode(want) and json.loads(data) == want


def test_what_a_snapshot_says():
    member, _ = MemberSnapshots(AS_OF).snapshot(Row(**{**BASE, **ROWS[3]}), "12-0001", "")
    assert member.purchase_date == dt.date(2019, 3, 4) and member.years_owned == 7.7
    assert member.km == 250 and member.mobile == "13800130001" and member.salutation == "陈先生"
    abroad, _ = MemberSnapshots(AS_OF).snapshot(Row(**{**BASE, **ROWS[-2]}), "12-0002", "")
    assert abroad.mobile == "+852 2123 4567"
    assert member.talking_points == (
        "电话已有 3 天未接通，改为短信；购车 7.7 年：可介绍置换、免费评估旧车；"
        "保险 2027-01-22 到期：可谈续保/延保；质保 2026-11-23 到期：可谈续保/延保；"
        "11月25日生日：送上祝福；满意度 10 分：可请其推荐亲友（老带新）")
    # No mobile: the number printed is the other one to call.
    landline, _ = MemberSnapshots(AS_OF).snapshot(Row(**{**BASE, **ROWS[5]}), "12-0002", "")
    assert landline.mobile == "020-81234567-12"


def test_a_member_row_has_every_column_the_insert_names():
    assert len(MEMBER_COLUMNS) == len(set(MEMBER_COLUMNS)) == 10


def _members() -> list[ListMember]:
    snapshots = MemberSnapshots(AS_OF)
    members = [snapshots.snapshot(row, code, caller)[0] for code, caller, row in _rows()]
    odd = ListMember("=1+1", "-陈", years_owned=6.349999, km=True, mobile="@138",  # type: ignore[arg-type]
                     purchase_date=dt.datetime(2020, 1, 2, 3, 4),  # type: ignore[arg-type]
                     last_contact="2026-01-02")  # type: ignore[arg-type]
    return [*members, odd]


@pytest.mark.parametrize("channel", sorted(excel.COLUMNS_BY_CHANNEL))
def test_an_excel_lists_rows_are_its_getters(channel):
    Message = namedtuple("Message", "member message")
    rows = [m if channel != "wechat" else Message(m, f"您好 {m.name}") for m in _members()]
    columns = excel.COLUMNS_BY_CHANNEL[channel]
    got = [list(values) for values in excel._values(columns, rows)]
    want = [[c.get(row) for c in columns] for row in rows]
    for values, full in zip(got, want, strict=True):
        assert values == full[:len(values)]
        assert not any(full[len(values):])  # only empty columns left out


def test_an_xlsx_rows_cells_are_those_of_cell():
    kinds = ["text", "int", "float", "date", "text", "int", "text"]
    rows = [
        ["a<b>&c", 3, 2.5, dt.date(2026, 1, 2), "=SUM(A1)", True, None],
        ["", "12", 1, dt.datetime(2026, 1, 2, 12), 7, 2.0, "\x01ok\t"],
        [None, None, None, "2026-01-02", dt.date(2026, 1, 1), -1, "+86"],
    ]
    sheet = xlsx_stream.Sheet("t", ["h"] * len(kinds), [10] * len(kinds), kinds, rows)
    xml = "".join(xlsx_stream._sheet_xml_parts(sheet, []))
    for n, values in enumerate(rows, start=2):
        cells = "".join(xlsx_stream._cell(f"{xlsx_stream.column_letter(i)}{n}", v, kind)
                        for i, (v, kind) in enumerate(zip(values, kinds, strict=True)))
        assert re.search(f'<row r="{n}">(.*?)</row>', xml).group(1) == cells  # type: ignore[union-attr]


# Values a column of any kind may meet: plain and awkward text (escapes, formulas' starts,
# the | the writer joins a column's texts by, spaces of other widths, line breaks), empty
# cells, numbers, bools, dates and times.
ODD_VALUES = ("陈国", "plain", "", None, "a&b", "<x", "x>", "=1+1", "+86 138", "-", "@home",
              "a|=b", "|", "x|-y", "\u3000陈", "a\nb", "\tlead", "\rlead", "\nlead", "ok\x01",
              "\ufffe", "它|好", 0, 7, -2, 2.5, 6.349999, True, False, dt.date(2026, 1, 2),
              dt.datetime(2026, 1, 2, 3, 4), "2026-01-02", "12")


@pytest.mark.parametrize("seed", range(3))
def test_every_cell_of_a_big_sheet_is_the_one_cell_writes(seed, monkeypatch):
    """Batch by batch and column by column, the fast ways and the slow one make the cells
    _cell makes: columns of one plain kind, and each column of each kind with each odd value
    alone among plain ones in a batch."""
    monkeypatch.setattr(xlsx_stream, "ROWS_PER_WRITE", 5)
    rng = random.Random(seed)
    kinds = ["text", "text", "int", "float", "date", "text", "int", "date"]
    plain = {"text": ["陈国", "广州市", "", None, "C0001"], "int": [1, 86000, None],
             "float": [7.6, 12, None], "date": [dt.date(2020, 5, 1), None]}
    rows = []
    for odd in (None, *ODD_VALUES):  # a batch of 5 rows each, the first all plain
        batch = [[rng.choice(plain[k]) for k in kinds] for _ in range(5)]
        for column in range(len(kinds)):
            batch[rng.randrange(5)][column] = odd if odd is not None else batch[0][column]
        rows.extend(batch)
    rows[-1] = rows[-1][:3]  # a row that ends early
    sheet = xlsx_stream.Sheet("t", ["h"] * len(kinds), [10] * len(kinds), kinds, rows)
    xml = "".join(xlsx_stream._sheet_xml_parts(sheet, []))
    got = re.findall(r'<row r="(\d+)">(.*?)</row>', xml, re.DOTALL)
    assert [int(r) for r, _ in got] == list(range(1, len(rows) + 2))
    for (number, cells), values in zip(got[1:], rows, strict=True):
        assert cells == "".join(
            xlsx_stream._cell(f"{xlsx_stream.column_letter(i)}{number}", v, kind)
            for i, (v, kind) in enumerate(zip(values, kinds, strict=False))), number


COLUMNS = ("id", "n", "word", "other")


@pytest.fixture
def scratch(database):
    """(database, a table to insert into, a source table of ids 1–8), dropped afterwards."""
    meta = MetaData()
    table = Table("scratch_rows", meta, Column("id", Integer, primary_key=True),
                  Column("n", BigInteger), Column("word", Text), Column("other", Integer))
    source = Table("scratch_source", meta, Column("id", Integer, primary_key=True))
    meta.drop_all(database.engine)  # left by an interrupted run on PostgreSQL
    meta.create_all(database.engine)
    with database.sessions.begin() as s:
        s.execute(insert(source), [{"id": i} for i in range(1, 9)])
    yield database, table, source
    meta.drop_all(database.engine)


def _insert(s, table, columns, rows) -> None:
    """`rows` into `table` as the build stores a chunk: packed, then stored."""
    packed = rows_in.pack(s.get_bind().dialect.name, table, columns, rows)
    rows_in.store_chunk(s, table, columns, packed)


def _read(database, table) -> list[tuple]:
    with database.sessions() as s:
        return [tuple(r) for r in s.execute(select(table).order_by(table.c.id))]


@pytest.mark.parametrize("rows", [
    [(1, 7, "陈国", None), (2, -2**62, '他说"好"\\ \n\t\x01 <&> \u2028 😀', 0), (3, None, "", -5),
     (4, 0, "\\u0000 as text, not a NUL", 1)],
    [(1, 1, "a\x00b", None), (2, 2, "plain", 3)],  # a text holding NUL, whole
], ids=["text", "nul"])
def test_inserted_rows_read_back_as_they_were_given(scratch, rows):
    database, table, _ = scratch
    if any("\x00" in str(v) for row in rows for v in row) and \
            database.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL's text cannot hold NUL at all")
    with database.sessions.begin() as s:
        _insert(s, table, COLUMNS, rows)
    assert _read(database, table) == rows


@pytest.mark.parametrize("rows", [
    [(1, 7, "陈国", None), (2, -2**62, '他说"好"\\ \n\t\x01 <&> \u2028 😀', 0), (3, None, "", -5),
     (4, 0, None, 1), (5, 1, "\\u0000 as text", 2), (6, 2, "ab" * 300, 3)],
    [(1, None, None, None), (2, 2, None, 3)],
    [(1, 1, "a\x00b", None), (2, 2, "plain 陈", 3)],
], ids=["text", "no-text", "nul"])
def test_a_last_text_column_reads_back_as_it_was_given(scratch, rows):
    # A last column of text, as a snapshot is: stored as the text it was.
    database, table, _ = scratch
    if any("\x00" in str(v) for row in rows for v in row) and \
            database.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL's text cannot hold NUL at all")
    text_last = ("id", "n", "other", "word")
    with database.sessions.begin() as s:
        _insert(s, table, text_last, [(i, n, other, word) for i, n, word, other in rows])
        if database.engine.dialect.name == "sqlite":
            # Stored as text, not as the bytes it came in.
            assert set(s.scalars(select(func.typeof(table.c.word)))) <= {"text", "null"}
    assert _read(database, table) == rows


@pytest.mark.parametrize(("variables", "statements"), [(32766, 1), (999, 1), (8, 3), (3, 5)])
def test_a_chunk_goes_to_sqlite_in_as_few_statements_as_its_parameters_allow(
        scratch, variables, statements):
    # Five rows of four values: one statement when SQLite takes 20 parameters in one, else
    # as many rows in each as it takes (a row alone when it takes fewer than a row's).
    database, table, _ = scratch
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's rows are copied (COPY)")
    rows = [(1, 7, "陈国", None), (2, 8, None, 1), (3, 9, "a\x00b", 2), (4, None, "", 3),
            (5, 2**62, "'); DROP TABLE scratch_rows; --", 4)]
    said: list[str] = []
    with database.sessions.begin() as s:
        rows_in.driver(s).set_trace_callback(said.append)
        packed = rows_in.pack("sqlite", table, COLUMNS, rows, variables)
        rows_in.store_chunk(s, table, COLUMNS, packed)
        rows_in.driver(s).set_trace_callback(None)
    inserts = [sql for sql in said if sql.startswith("INSERT")]  # with the values in place
    assert len(inserts) == statements
    assert _read(database, table) == rows


def test_a_chunk_for_postgresql_is_its_rows_as_they_are_for_copy():
    rows = [(1, 7, "陈国", None), (2, 8, None, 1)]
    packed = rows_in.pack("postgresql", Table("t", MetaData()), COLUMNS, rows)
    assert (packed.rows, packed.statements) == (rows, [])  # no statement made for nothing


def test_a_build_asks_sqlite_how_many_parameters_a_statement_takes(scratch):
    database, table, source = scratch
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's limit")
    said: list[str] = []
    with database.sessions.begin() as s:
        raw = rows_in.driver(s)
        # Two rows of four values a statement (setlimit returns the limit before).
        before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 8)
        raw.set_trace_callback(said.append)
        rows_in.pipelined(s, select(source.c.id).order_by(source.c.id),
                          lambda part: [(r.id, r.id * 10, None, 0) for r in part], table,
                          COLUMNS, lambda _n: None, "refused")
        raw.set_trace_callback(None)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert len([sql for sql in said if sql.startswith("INSERT")]) == 4  # eight rows
    assert [r[:2] for r in _read(database, table)] == [(i, i * 10) for i in range(1, 9)]


def test_rows_are_made_in_order_beside_the_inserts(scratch, monkeypatch):
    database, table, source = scratch
    monkeypatch.setattr(rows_in, "INSERT_CHUNK", 3)
    seen, stored = [], []

    making = threading.Lock()

    def make(part):
        # One chunk at a time: the chunks carry on each other's numbering.
        assert making.acquire(blocking=False), "two chunks made at once"
        try:
            time.sleep(0.02)
            seen.append([r.id for r in part])
            return [(r.id, r.id * 10, f"row {r.id}", len(seen)) for r in part]
        finally:
            making.release()

    with database.sessions.begin() as s:
        rows_in.pipelined(s, select(source.c.id).order_by(source.c.id), make, table, COLUMNS,
                          stored.append, REFUSED)
    assert seen == [[1, 2, 3], [4, 5, 6], [7, 8]] and stored == [3, 3, 2]
    assert _read(database, table) == [(i, i * 10, f"row {i}", 1 + (i - 1) // 3)
                                      for i in range(1, 9)]


def test_a_query_with_percent_signs_reads_as_written(scratch):
    """A modulo and a text with % in it reach the database as written: the query goes to the
    driver's own cursor, and SQLAlchemy's SQL text for psycopg doubles every %."""
    database, table, source = scratch
    got = []
    query = (select(source.c.id, (source.c.id % 3).label("rest"),
                    literal("50%").label("word"))
             .order_by(source.c.id))
    with database.sessions.begin() as s:
        rows_in.pipelined(s, query, lambda part: (got.extend(part), [])[1], table, COLUMNS,
                          lambda n: None, REFUSED)
    assert [tuple(r) for r in got] == [(i, i % 3, "50%") for i in range(1, 9)]


def test_an_insert_that_fails_for_another_reason_is_not_called_a_removal(scratch):
    """Only the foreign keys' refusal means something was removed meanwhile; a row the table
    refuses for another reason (here its key twice) fails as it is."""
    database, table, source = scratch
    with pytest.raises(Exception) as failed, database.sessions.begin() as s:
        rows_in.pipelined(s, select(source.c.id), lambda part: [(1, 0, "same key", 0)] * 2,
                          table, COLUMNS, lambda n: None, REFUSED)
    assert not isinstance(failed.value, RevisitError)
    assert "unique" in str(failed.value).lower() or "duplicate" in str(failed.value).lower()


def test_no_rows_make_and_store_nothing(scratch):
    database, table, source = scratch
    calls = []
    with database.sessions.begin() as s:
        rows_in.pipelined(s, select(source.c.id).where(source.c.id > 100), calls.append, table,
                          COLUMNS, calls.append, REFUSED)
    assert calls == [] and _read(database, table) == []


def test_a_failure_making_rows_stops_the_inserts(scratch, monkeypatch):
    database, table, source = scratch
    monkeypatch.setattr(rows_in, "INSERT_CHUNK", 3)

    def make(part):
        if part[0].id > 1:
            raise ValueError("made badly")
        return [(r.id, 0, "ok", 0) for r in part]

    with pytest.raises(ValueError, match="made badly"), database.sessions.begin() as s:
        rows_in.pipelined(s, select(source.c.id).order_by(source.c.id), make, table, COLUMNS,
                          lambda n: None, REFUSED)
    assert _read(database, table) == []
