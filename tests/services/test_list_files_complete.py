"""A run is finished from its files only when every file of its last attempt is at its name
exactly as written, and then gets the audit records of that attempt's files alone."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditLog
from services.lists import runs
from services.outputs import run_files
from services.store.settings import load_settings
from tests.services.test_lists_runs import _run, setup


def _write(database, run_id: int, path) -> None:
    run_files.write_run_file(runs.load_document(database.sessions, run_id),
                             run_files.FileRequest(run_files.CALL_LIST, path),
                             load_settings(database.sessions), sessions=database.sessions)


def test_only_the_last_attempts_files_finish_the_run_and_are_recorded(database, tmp_path):
    setup(database)
    run_id = _run(database, finish=False, channel="call").run_id
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    # A first attempt: its file stored with the run, then never put in place.
    runs.expect_files(database.sessions, run_id, [first, second])
    with database.sessions.begin() as s:
        first.write_bytes(b"not yet")
        runs.file_written(s, run_id, first, first, None, (None, {"file": first.name}))
    first.unlink()
    assert not runs.files_complete(database.sessions, run_id)  # b.xlsx never written

    runs.expect_files(database.sessions, run_id, [second])
    _write(database, run_id, second)
    with database.sessions() as s:  # the record made as the file was put in place
        recorded = len(s.scalars(select(AuditLog.detail).where(
            AuditLog.action == "export_list_file", AuditLog.entity_id == run_id)).all())
    assert recorded == 1
    with database.sessions.begin() as s:  # as if it were killed before that record
        s.execute(AuditLog.__table__.delete().where(AuditLog.entity_id == run_id))
    runs.expect_files(database.sessions, run_id, [second])
    before = second.read_bytes()
    with database.sessions.begin() as s:
        runs.file_written(s, run_id, second, second, None, (None, {"file": second.name}))
    assert second.read_bytes() == before
    assert runs.finish_if_complete(database.sessions, run_id)
    assert runs.run_info(database.sessions, run_id).finished
    with database.sessions() as s:
        details = s.scalars(select(AuditLog.detail).where(
            AuditLog.action == "export_list_file", AuditLog.entity_id == run_id)).all()
    assert details == ['{"file": "b.xlsx"}']
    assert not runs.finish_if_complete(database.sessions, run_id)  # once
