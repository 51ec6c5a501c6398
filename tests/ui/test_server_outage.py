"""The database server cannot be reached: one sentence in the window's language (the driver's
words under "Show Details…"), and a form typed meanwhile is not lost. Real servers only: a port
nothing listens on, and PostgreSQL behind a relay that this test stops and starts again as the
server's administrator would stop and start the server."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from models import Customer
from services.customers import profile
from services.demo import generator as demo_generator
from services.store.database import open_database
from services.store.errors import RevisitError
from tests.ui.conftest import DEMO_TODAY, demo_account, shut_down
from ui.dialogs.profile_change_dialog import ProfileChangeDialog
from ui.i18n import translate_error
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView

DRIVER_WORDS = ("connection failed", "Connection refused", "connection to server", "port")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """A TCP relay from a local port to the PostgreSQL server: `stop()` closes it and every
    connection through it (the server gone, as for the program behind it), `start()` opens it
    again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.05)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for s in self._open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                near, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    near.close()
                    return
                far = socket.create_connection(self.target)
                self._open += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    """Every error message the runner shows (its sentence, its details), closed at once."""
    shown: list[tuple[str, str]] = []

    def exec_(box: QMessageBox) -> int:
        shown.append((box.text(), box.detailedText()))
        return 0

    monkeypatch.setattr("ui.tasks.QMessageBox.exec", exec_)
    return shown


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_server_nobody_answers_at_start_is_one_sentence(qapp, translated):
    port = _free_port()
    with pytest.raises(RevisitError) as raised:
        open_database(f"postgresql://revisit:secret@localhost:{port}/revisit")
    said = translate_error(raised.value)
    if translated == "zh_CN":
        assert said == (f"暂时连不上数据库服务器 localhost:{port}，"
                        "回访系统无法打开数据：请稍后再试，或联系负责服务器的人员。")
    else:
        assert said.startswith(f"The database server localhost:{port} cannot be reached")
        assert "ask whoever runs the server" in said
    assert not any(word in said for word in DRIVER_WORDS[:3])
    assert "secret" not in said and "secret" not in (raised.value.technical or "")
    assert "Connection refused" in raised.value.technical


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_save_on_a_server_nobody_answers_says_so_with_the_details_apart(
        qtbot, translated, boxes):
    """Through the task runner, as every save in the window goes."""
    from sqlalchemy import create_engine

    port = _free_port()
    url = f"postgresql+psycopg://revisit:secret@127.0.0.1:{port}/revisit"
    engine = create_engine(url)
    runner = TaskRunner(database_url=url)

    def save(_p, _c):
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))

    try:
        runner.run(save, write=True)
        qtbot.waitUntil(lambda: bool(boxes), timeout=10000)
    finally:
        assert runner.wait(5000)
        engine.dispose()
    sentence, details = boxes[0]
    assert sentence == (f"暂时连不上数据库服务器 127.0.0.1:{port}，"
                        "这一步没有保存任何内容，但您输入的内容都还在：请稍后再试，"
                        "或联系负责服务器的人员。")
    assert "Connection refused" in details and "secret" not in details


@pytest.fixture
def behind_relay(database):
    """The test's database with demo customers, and the same opened through a relay to its
    server (the window's way to it). PostgreSQL only: a SQLite file has no server to stop."""
    if database.is_sqlite:
        pytest.skip("a SQLite file has no server that could stop")
    demo_generator.generate(database, 20, seed=7, today=DEMO_TODAY)
    server = make_url(database.url)
    relay = Relay(server.host or "localhost", server.port or 5432)
    relay.start()
    near = open_database(server.set(host="127.0.0.1", port=relay.port)
                         .render_as_string(hide_password=False))
    yield near, relay
    relay.stop()
    near.dispose()


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_change_typed_while_the_server_is_stopped_is_kept_and_saved_once_it_is_back(
        qtbot, translated, database, behind_relay, boxes, monkeypatch):
    near, relay = behind_relay
    with database.sessions() as s:
        cid = s.scalars(select(Customer.id).order_by(Customer.id)).first()
    runner = TaskRunner(database_url=near.url)
    view = CustomersView(near, runner, actor=demo_account(database, "chenli"))
    view.show()
    try:
        qtbot.waitUntil(lambda: view.model.rowCount() == 20, timeout=10000)
        view.show_customer(cid)
        qtbot.waitUntil(lambda: view.page.customer_id == cid, timeout=5000)
        opened: list[dict] = []

        def exec_(dialog: ProfileChangeDialog) -> int:
            opened.append(dialog.values())
            if len(opened) == 1:
                dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
                dialog.value_text.setText("教师")
                dialog.note.setText("刚调到三中任教")
                relay.stop()  # the server stops while the dialog is open
            else:
                relay.start()  # back: the same Save again
            return ProfileChangeDialog.DialogCode.Accepted

        monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
        # Nothing else reading when the server stops (a read cut off would say so too).
        qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
        view.page.record_change_requested.emit(cid)
        qtbot.waitUntil(lambda: len(opened) == 2, timeout=15000)
        sentence, details = boxes[0]
        assert sentence.startswith("暂时连不上数据库服务器 127.0.0.1:")
        assert "您输入的内容都还在" in sentence
        assert not any(word in sentence for word in DRIVER_WORDS[:3])
        assert details  # the driver's words, one click away
        again = opened[1]  # the same dialog again, as typed
        assert (again["attribute"], again["new_value"], again["note"]) == (
            "occupation", "教师", "刚调到三中任教")
        qtbot.waitUntil(lambda: [c.new_value for c in
                                 profile.history(database.sessions, cid, "occupation")][-1:]
                        == ["教师"], timeout=15000)
        assert len(boxes) == 1
        assert profile.history(database.sessions, cid, "occupation")[-1].effective_date == \
            dt.date.today()
    finally:
        shut_down(view, runner)
