"""An owners file's ID card numbers (证件号码), on SQLite and PostgreSQL: read for the birthday and
gender they hold where the file gives none, and never stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Base, Customer
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import write_xlsx

CUSTOMERS = ImportOptions("customers", today=dt.date(2026, 11, 30))


def _customer(database, name):
    with database.sessions() as s:
        return s.scalars(select(Customer).where(Customer.name == name)).one()


def test_an_id_card_number_fills_the_birthday_and_gender_and_is_not_stored(database, tmp_path):
    headers = ["客户姓名", "性别", "出生日期", "证件号码", "手机", "车牌"]
    result = apply(database.sessions, write_xlsx(tmp_path / "a.xlsx", headers, [
        ["林晓峰", None, None, "440106198001011230", "13823456789", "粤A12345"],
        # The file's own birthday differs: it is kept, and the row says so.
        ["周婷", "女", "1985-06-13", "440305198506120023", "13902715566", "粤B12345"],
        # A company's credit code gives nothing, and is not a problem.
        ["某某贸易有限公司", None, None, "91440101MA5AXXXX1X", "13912875640", "粤C12345"]]),
        CUSTOMERS)
    assert (result.created, result.rejected) == (3, 0)
    assert [(w.code, w.rows) for w in result.warnings] == [("id_number_differs", 1)]
    lin, zhou = _customer(database, "林晓峰"), _customer(database, "周婷")
    assert (lin.birthday, lin.birthday_md, lin.gender) == (dt.date(1980, 1, 1), "0101", "M")
    assert (zhou.birthday, zhou.gender) == (dt.date(1985, 6, 13), "F")
    company = _customer(database, "某某贸易有限公司")
    assert (company.birthday, company.gender) == (None, None)
    with database.engine.connect() as conn:
        dumped = "\n".join(str(r) for t in Base.metadata.sorted_tables
                           for r in conn.execute(select(t)))
    assert "440106198001011230" not in dumped and "440305198506120023" not in dumped
