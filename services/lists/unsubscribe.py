"""A vendor's unsubscribe (回T退订) or failed-delivery file turned into SMS do-not-contact."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import ConsentEvent, Customer, DoNotContact
from models.columns import ROW_CODE
from services.imports.mapping import header_key
from services.imports.normalise import Cell, cell_text
from services.imports.phones import mainland_mobile
from services.staff.audit import audit
from services.store.errors import N_, RevisitError

Sessions = sessionmaker[Session]
# Numbers looked up in one query (well under the parameter limits of SQLite and PostgreSQL).
LOOKUP = 500


@dataclass(frozen=True)
class UnsubscribeReport:
    numbers: int
    customers_blocked: int
    already_blocked: int
    unknown_numbers: tuple[str, ...]
    unreadable_rows: tuple[int, ...]
    # Rows whose number is not blocked, with what the file says of it, for staff to read: a
    # reply of a replies export (上行短信) that asks nothing of the kind (好的, 已经保养过了), a
    # failure of a delivery report that passes (关机, 超时).
    not_blocked: tuple[tuple[int, str], ...] = ()
    # Rows of a delivery report (状态报告) whose message was delivered.
    delivered: int = 0


def _cells(path: Path) -> Iterator[tuple[int, Sequence[Cell]]]:
    """(row number, the cells, blank ones None) of the vendor's file, whatever kind of
    spreadsheet or text it is (the import's readers: .xlsx, .xls, .csv in UTF-8 or GBK…)."""
    if not path.is_file():
        raise RevisitError(N_("{path} does not exist (or is a folder)."), path=str(path))
    # Imported here: the readers (python-calamine, openpyxl) only when a file is read.
    from services.imports.readers import raw_rows

    yield from raw_rows(path)


# The header of a replies export's column of what the customer wrote back (上行短信): a vendor
# exports every reply, not only the unsubscribes.
_REPLY_HEADERS = ("回复内容", "上行内容", "上行短信内容", "上行短信", "回复短信", "回复",
                  "短信内容", "内容", "reply", "replycontent", "content", "message", "mo")
# A reply asking for no more messages: the codes the vendors take (T, TD, N, 0000, R) alone,
# or words saying it anywhere in the reply.
_STOP_CODES = frozenset({"t", "td", "n", "r", "0000", "00000", "qx", "退", "退订", "unsubscribe",
                         "stop"})
_STOP_WORDS = ("退订", "退定", "拒收", "不要再发", "别再发", "不要发", "别发", "不再发",
               "不用发", "别给我发", "不要给我发", "取消订阅", "屏蔽", "黑名单", "骚扰",
               "unsubscribe", "stop")


# The header of a delivery report's column of how each message fared (状态报告): a vendor's
# report lists every message sent, delivered or not.
_STATUS_HEADERS = ("状态", "发送状态", "状态报告", "回执状态", "回执", "发送结果", "结果",
                   "状态说明", "失败原因", "状态码", "status", "report", "result")
# A message delivered (成功, DELIVRD, the report's code 0): its number is good.
_DELIVERED = frozenset({"成功", "发送成功", "接收成功", "已送达", "送达", "成功送达", "已接收",
                        "delivrd", "delivered", "success", "0"})
# A failure that passes (a phone off, a network's timeout, too many messages at once): the
# number is good and is not blocked. Any other failure (空号, 停机, 失败) blocks it.
_PASSING = ("关机", "超时", "不在服务区", "暂时", "网关", "流控", "频率", "超频", "忙", "重试",
            "欠费", "未知", "unknown", "expired", "timeout")


def _column(cells: Sequence[Cell], headers: Sequence[str]) -> int | None:
    """The column of a header row that is one of `headers`, if it has one, compared as an
    import compares headers (回复内容（最多70字） is 回复内容)."""
    keys = [header_key(v) if isinstance(v, str) else None for v in cells]
    for header in headers:
        if header in keys:
            return keys.index(header)
    return None


def _said(cells: Sequence[Cell], column: int | None) -> str:
    """What a row says in the reply or status column ('' for nothing)."""
    if column is None or column >= len(cells):
        return ""
    return cell_text(cells[column]).strip()


def _asks_to_stop(reply: str) -> bool:
    text = re.sub(r"[\s.,，。!！~～]", "", reply).lower()
    return text in _STOP_CODES or any(w in text for w in _STOP_WORDS)


_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
# What only the lists Revisit sends out hold: a message as sent (the 【signature】 and the text
# after it; a reply to the vendor is "T" or "TD", a signature column the signature alone), or
# a list row's code (ROW_CODE). Such a file read as unsubscribes would block everyone it was
# sent to.
_SENT_MESSAGE = re.compile(r"【[^】]{1,30}】\s*\S.{4,}", re.S)


def _sent_out(values: Sequence[object], failed: bool) -> bool:
    """Whether a row is one of a list Revisit made (a message, for unsubscribes; a row code)."""
    texts = [v.strip() for v in values if isinstance(v, str)]
    return any(ROW_CODE.fullmatch(t) for t in texts) or (
        not failed and any(_SENT_MESSAGE.match(t) for t in texts))


def _number_like(value: object) -> bool:
    """Whether a cell holds what was meant as a phone number (7 to 13 digits, spaced or with
    + and -), not a date: a row whose number is mistyped is said, wherever it is."""
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if _DATE.match(text):
        return False
    typed = text.replace(" ", "").replace("-", "").lstrip("+")
    digits = sum(c.isascii() and c.isdigit() for c in typed)
    # A letter or mark typed among the digits (15349364254X, 1534936425O) is a number mistyped:
    # most of it digits, as many as a number has.
    return 7 <= digits <= 13 and digits >= 0.75 * len(typed)


def read_unsubscribes(sessions: Sessions, path: Path | str, *, failed: bool = False,
                      today: dt.date | None = None, staff_id: int | None = None
                      ) -> UnsubscribeReport:
    """Every customer whose mobile appears gets an SMS do-not-contact (all purposes); an
    unsubscribe also withdraws marketing consent. A replies export (a column headed 回复内容 or
    上行内容) blocks only those whose reply asks for it (T, TD, 退订, 不要再发…), a delivery
    report (a column headed 状态 or 发送结果) only the numbers whose failure does not pass (空号,
    停机, not 关机 or 成功): the others are in not_blocked and delivered. Reading the file again
    adds nothing."""
    path = Path(path)
    today = today or dt.date.today()
    numbers: dict[str, int] = {}
    bad: list[int] = []
    kept: list[tuple[int, str]] = []
    delivered = 0
    said_at: int | None = None
    for n, cells in _cells(path):
        values = [v for v in cells if v is not None]
        if not numbers and said_at is None:
            said_at = _column(cells, _STATUS_HEADERS if failed else _REPLY_HEADERS)
        if _sent_out(values, failed):
            raise RevisitError(N_("{path} is a list Revisit made to send (row {row} holds a "
                                  "message or a list code), not the vendor's report of who "
                                  "unsubscribed or could not be reached; nothing was "
                                  "changed."), path=str(path), row=n)
        mobiles = [mainland_mobile(str(v).split(".")[0]) for v in values]
        found = [f for f in mobiles if f]
        said = _said(cells, said_at) if found else ""
        if said and failed and said.lower() in _DELIVERED:
            delivered += 1
        elif said and (any(w in said.lower() for w in _PASSING) if failed
                       else not _asks_to_stop(said)):
            kept.append((n, said))  # 好的 (a reply, no unsubscribe); 关机 (a failure that passes)
        elif found:
            numbers.setdefault(found[0], n)
        elif any(_number_like(v) for v in values) or (
                numbers and any(str(v).strip() for v in values)) or (
                said_at is not None and not failed and _asks_to_stop(_said(cells, said_at))):
            # Rows above the first number without one are a title and headers; but not one
            # under the headers whose reply asks to stop (T, 退订) with its number missing.
            bad.append(n)
    if not numbers and (kept or delivered):  # replies or deliveries, none to block
        return UnsubscribeReport(0, 0, 0, (), tuple(bad), tuple(kept), delivered)
    if not numbers:  # a wrong file, most likely: say so, and change nothing
        raise RevisitError(N_("{path} holds no mainland mobile number; nothing was changed."),
                           path=str(path))
    source = "vendor_failed" if failed else "vendor_unsubscribe"
    reason = "短信发送失败（空号/停机）" if failed else "短信退订（回T退订）"
    blocked = already = 0
    unknown = []
    with sessions.begin() as s:
        listed = list(numbers)
        for start in range(0, len(listed), LOOKUP):
            part = listed[start:start + LOOKUP]
            owners: dict[str, list[int]] = {}
            for cid, mobile in s.execute(select(Customer.id, Customer.mobile)
                                         .where(Customer.mobile.in_(part))
                                         .order_by(Customer.id)):
                if mobile:
                    owners.setdefault(mobile, []).append(cid)
            ids = [cid for found in owners.values() for cid in found]
            blocked_before = set(s.scalars(select(DoNotContact.customer_id).where(
                DoNotContact.customer_id.in_(ids), DoNotContact.channel == "sms",
                DoNotContact.purpose.is_(None), DoNotContact.lifted_on.is_(None),
                DoNotContact.source == source))) if ids else set()
            for number in part:
                if number not in owners:
                    unknown.append(number)
                for cid in owners.get(number, ()):
                    if cid in blocked_before:
                        already += 1
                        continue
                    blocked_before.add(cid)
                    s.add(DoNotContact(customer_id=cid, channel="sms", purpose=None,
                                       reason=reason, source=source, set_on=today,
                                       set_by=staff_id))
                    if not failed:
                        s.add(ConsentEvent(customer_id=cid, kind="marketing", granted=False,
                                           event_date=today, source="sms_unsubscribe",
                                           staff_id=staff_id, note=path.name[:200]))
                    blocked += 1
        audit(s, "read_unsubscribes", "file", None,
              {"file": path.name, "failed": failed, "numbers": len(numbers), "blocked": blocked,
               "already": already, "unknown": len(unknown), "not_blocked": len(kept),
               "delivered": delivered}, staff_id)
    return UnsubscribeReport(len(numbers), blocked, already, tuple(unknown), tuple(bad),
                             tuple(kept), delivered)
