"""`settings set` refuses values Revisit could not work with, in one sentence, and stores
nothing: a backup folder that is a file or cannot be made (every import and daily backup
failed afterwards), a postcode that is not six digits, calls given up after 0 days (nobody
would be called). On SQLite and PostgreSQL: the settings are shared."""

from __future__ import annotations

import json

from tests import test_staff_cli
from tests.test_staff_cli import refused

cli = test_staff_cli.cli  # the CLI in-process, signed in as `user`


def _stored(cli) -> dict[str, str]:
    code, out, _ = cli("settings", "show", "--format", "json", user="boss")
    assert code == 0
    return json.loads(out)


def test_a_backup_folder_that_is_a_file_or_cannot_be_made_is_refused(cli, database,
                                                                     supervisor, tmp_path):
    before = _stored(cli)["backup_folder"]
    a_file = tmp_path / "x.bak"
    a_file.write_bytes(b"someone's file")
    for wanted in (a_file, a_file / "below", "/proc/nope"):
        line = refused(cli("settings", "set", f"backup_folder={wanted}", user="boss"),
                       f"The backup folder {wanted} cannot be used", "Nothing was saved")
        assert line.count(". ") <= 1  # one sentence
    assert _stored(cli)["backup_folder"] == before
    assert a_file.read_bytes() == b"someone's file"
    # A folder that does not exist yet but can be made is taken, and nothing is made yet.
    fresh = tmp_path / "new" / "backups"
    assert cli("settings", "set", f"backup_folder={fresh}", user="boss")[0] == 0
    assert _stored(cli)["backup_folder"] == str(fresh)
    assert not (tmp_path / "new").exists()
    # Back to the default (a folder beside the database, or Revisit's data folder).
    assert cli("settings", "set", "backup_folder=", user="boss")[0] == 0


def test_impossible_postcodes_and_attempts_are_refused(cli, database, supervisor):
    before = _stored(cli)
    for typed in ("abc", "51000", "5100000", "51000a"):
        refused(cli("settings", "set", f"shop_postcode={typed}", user="boss"),
                f"A postcode is six digits, such as 510000, not '{typed}'")
    refused(cli("settings", "set", "max_failed_attempts=0", user="boss"),
            "max_failed_attempts must be between 1 and 365, not 0")
    assert _stored(cli) == before
    assert cli("settings", "set", "shop_postcode=510000", "max_failed_attempts=1",
               user="boss")[0] == 0
    after = _stored(cli)
    assert (after["shop_postcode"], after["max_failed_attempts"]) == ("510000", "1")
    assert cli("settings", "set", "shop_postcode=", user="boss")[0] == 0
    assert _stored(cli)["shop_postcode"] == ""
