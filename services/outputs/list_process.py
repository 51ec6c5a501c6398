"""A long list of members (an Excel or CSV call, mail, SMS or visit list) written by a process
of its own while its run is built (services/outputs/run_files.py StreamedList). Formatting the
cells holds Python's lock, which the build's own Python work needs all the time: of a
106,607-member Excel call list's command, 2.2 s of the 10.2 s the lock was held went to the
cells, and the command took 3.2–3.5 s less with the writing left out. In a process of its own
the writing runs beside the build on the other core, which the build alone left idle a third
of the time while it stored its members.

The build hands over each member's snapshot, the JSON of its values that the run stores anyway
(ListMember.from_values), so the build's side makes nothing more than joining them (0.1–0.2 s
of those 106,607); the process reads them back (0.5–0.7 s) and writes the file as
excel.write_members writes it. Only this module and the file writers are imported there:
alone, that takes 0.2 s."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any

from services.outputs import excel
from services.outputs.types import ListMember, member_masked

# Sent by the build's side after the last chunk.
END = b""


def chunk_of(snapshots: list[str]) -> bytes:
    """Members' snapshots as one chunk to send: the JSON array of them."""
    return ("[" + ",".join(snapshots) + "]").encode()


def serve(connection: Connection, channel: str, path: str, fmt: str, full: bool) -> None:
    """In the process: chunks of snapshots (chunk_of) until END in, the file at `path` out
    (the masked mobiles unless `full`); then ("written", None) or ("failed", the exception)
    sent back."""
    # Writing makes no reference cycles, and the process ends with the file: the collector
    # would only walk the rows in hand again and again.
    gc.disable()
    try:
        excel.write_members(_members(connection, full), channel, path, fmt)
    except BaseException as exc:  # told to the build's side, which raises it
        _send(connection, ("failed", exc))
    else:
        _send(connection, ("written", None))
    finally:
        connection.close()


def _members(connection: Connection, full: bool) -> Iterator[ListMember]:
    make = ListMember.from_values
    while (chunk := connection.recv_bytes()) != END:
        for values in json.loads(chunk):
            member = make(values)
            yield member if full else member_masked(member)


def _send(connection: Connection, message: tuple[str, Any]) -> None:
    """`message` to the build's side as its `recv` reads it back. An exception that does not
    survive pickling (a class of its own, arguments its class cannot be made from again)
    goes as a RuntimeError with its words; with the build's side gone, nobody is told."""
    try:
        data = ForkingPickler.dumps(message)
        ForkingPickler.loads(data)  # what the build's side does with it
    except Exception:
        data = ForkingPickler.dumps((message[0], RuntimeError(str(message[1]))))
    try:
        connection.send_bytes(data)
    except OSError:  # the build's side is gone
        pass
