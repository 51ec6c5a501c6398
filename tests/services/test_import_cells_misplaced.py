"""What a DMS puts in a column meant for something else, read as what it is, on SQLite and
PostgreSQL: an ID card number in 出生日期 gives the birthday and gender it holds (it was "not a
date" and the birthday lost); a loan's term in 付款方式 (贷款36期, 按揭3年) gives the loan's end
from the purchase date, which the loan-end reminders read (the car was a loan with no end)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Customer, Vehicle
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["车主", "手机", "出生日期", "品牌", "车型", "车牌", "购车日期", "付款方式"]


def test_an_id_number_as_birthday_and_a_term_as_payment_are_read_as_they_are(database,
                                                                            tmp_path):
    rows = [["林一", "13902847911", "440106198802284327", "丰田", "卡罗拉", "粤A10001",
             "2019-06-01", "贷款36期"],
            ["林二", "13902847912", "1990-05-06", "本田", "雅阁", "粤A10002", "2021-03-15",
             "按揭 3 年"],
            # A bare number is no term; full payment has none; a bad number stays a warning.
            ["林三", "13902847913", "19900230", "日产", "天籁", "粤A10003", "2022-01-10",
             "贷款"],
            ["林四", "13902847914", None, "大众", "帕萨特", "粤A10004", "2020-08-08", "全款"],
            # An ID number whose check character is wrong says so, not "not a date".
            ["林五", "13902847915", "440106198802284321", "大众", "途观", "粤A10005",
             "2020-08-09", "全款"]]
    path = write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, rows)
    for result in (plan(database.sessions, path, CUSTOMERS),
                   apply(database.sessions, path, CUSTOMERS)):
        assert result.created == 5 and result.rejected == 0
        assert sorted(w.code for w in result.warnings) == ["date_impossible",
                                                           "id_number_invalid"]
    with database.sessions() as s:
        people = {c.name: (c.birthday, c.gender) for c in s.scalars(select(Customer))}
        loans = dict(s.execute(select(Vehicle.plate, Vehicle.loan_end)).all())
        paid = dict(s.execute(select(Vehicle.plate, Vehicle.payment_method)).all())
    assert people["林一"] == (dt.date(1988, 2, 28), "F")
    assert people["林二"][0] == dt.date(1990, 5, 6) and people["林三"][0] is None
    assert loans == {"粤A10001": dt.date(2022, 6, 1), "粤A10002": dt.date(2024, 3, 15),
                     "粤A10003": None, "粤A10004": None, "粤A10005": None}
    assert paid["粤A10001"] == paid["粤A10002"] == paid["粤A10003"] == "loan"
