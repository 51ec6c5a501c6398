"""Numbers typed to `segment rfm`, `due` and `matrix`: a window, threshold or distance out of
its range, or no number at all ("nan", "inf"), is refused in one line naming the range, as a
saved segment refuses it; before, some ran with a window ending before it began and others
ended in an overflow."""

from __future__ import annotations

import pytest

from services.segments import spec
from services.store.errors import RevisitError
from ui.cli import run


@pytest.mark.parametrize(("args", "said"), [
    (("rfm", "--months", "0"), "give a number of months from 1 to 1,200"),
    (("rfm", "--months", "100000"), "give a number of months from 1 to 1,200"),
    (("rfm", "--months", "x"), "'x' is not a number of months"),
    (("rfm", "--r-days", "nan", "--f", "1", "--m", "1"), "give a number of days from 0 to"),
    (("rfm", "--r-days", "-30", "--f", "1", "--m", "100"), "give a number of days from 0 to"),
    (("rfm", "--f", "inf"), "give a number of spends from 0 to 1,000,000"),
    (("rfm", "--m", "1e17"), "give an amount in yuan from 0 to 10,000,000,000"),
    (("rfm", "--quantile", "2"), "give a quantile from 0 to 1"),
    (("due", "--days", "-1"), "give a number of days from 0 to 36,500"),
    (("due", "--days", "3000000"), "give a number of days from 0 to 36,500"),
    (("matrix", "--km-floor", "-1"), "give a distance in km from 0 to 2,000,000"),
])
def test_a_number_out_of_range_is_refused_in_one_line(tmp_path, capsys, args, said):
    with pytest.raises(SystemExit) as stopped:
        run(["--db", f"sqlite:///{tmp_path / 'r.sqlite3'}", "segment", *args])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.sqlite3").exists()  # refused before the database was opened


@pytest.mark.parametrize(("params", "said"), [
    ({"months": 1201}, "where.params.months: must be at most 1200."),
    ({"months": 0}, "where.params.months: must be at least 1."),
    ({"mode": "fixed", "r_days": 30, "f": 1, "m": 1e11}, "where.params.m: must be at most"),
])
def test_a_saved_segment_takes_the_same_ranges(params, said):
    with pytest.raises(RevisitError) as refused:
        spec.parse({"version": 1, "where": {"field": "rfm_class", "op": "=",
                                            "value": "important_value", "params": params}})
    assert str(refused.value).startswith(said)
