"""read_files_bounded: the same answers as read_files, from a child process that may run out of memory or time.

Each test starts a child interpreter (about a second). The files are written by the tests; none is timed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from forecast.data.bounded import read_files_bounded
from forecast.data.errors import DataError
from forecast.data.files import read_files
from forecast.data.notes import notes_of

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_CSV = FIXTURES / "good" / "long_utf8.csv"
EXPORT_XLS = FIXTURES / "national" / "good" / "export_provinces.xls"   # skips 30 provinces: a note
_spec = importlib.util.spec_from_file_location("hostile", Path(__file__).parents[1] / "bench" / "hostile.py")
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)


def big_table(path: Path) -> Path:
    """A valid long table of 29,700 figures (≈1.5 MB): cheap to read in-process, not in 10 MB or 0.05 s."""
    cities = ["沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭", "朝阳",
              "葫芦岛", "辽宁"]
    inds = ["社会消费品零售总额", "进出口总额", "出口总额", "进口总额", "固定资产投资(不含农户)"]
    lines = ["地区,指标,时期,累计值,累计增长"] + [
        f"{c},{i},{y}年1-{m}月,{100 * m + y - 1990},1.5"
        for y in range(1990, 2026) for c in cities for i in inds for m in range(2, 13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_same_observations_lines_and_notes_as_read_files():
    paths = [GOOD_CSV, EXPORT_XLS]
    got, want = read_files_bounded(paths), read_files(paths)
    assert len(got) == len(want) == 2
    for (obs, lines), (obs0, lines0) in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(obs, obs0)
        assert lines == lines0
        assert notes_of(obs) == notes_of(obs0)
    assert "skipped 30 regions outside Liaoning" in notes_of(got[1][0])[0].message


def test_the_same_data_error_as_read_files(tmp_path):
    bad = hostile.future_period_csv(tmp_path / "future.csv")
    paths = [GOOD_CSV, FIXTURES / "bad" / "long_utf8_unknown_region.csv", bad]
    with pytest.raises(DataError) as want:
        read_files(paths, today=dt.date(2026, 12, 6))
    with pytest.raises(DataError) as got:
        read_files_bounded(paths, today=dt.date(2026, 12, 6))
    assert got.value.problems == want.value.problems and len(got.value.problems) == 2
    assert got.value.summary == want.value.summary and str(got.value) == str(want.value)


def test_a_file_that_needs_more_memory_than_allowed_is_named(tmp_path):
    big = big_table(tmp_path / "big.csv")
    with pytest.raises(DataError) as err:
        read_files_bounded([GOOD_CSV, big], memory_mb=10, seconds=20)
    [problem] = err.value.problems
    # refused, naming the file: by the MemoryError (nearly always), or, when an allocation under so small a cap
    # stalls instead of failing (seen about once in ten runs on a loaded machine), by the wall-time limit
    assert problem.file == str(big)
    assert "the file needs more than 10 MB to read" in problem.message or "longer than 20 s" in problem.message


def test_a_child_killed_for_memory_is_a_data_error(tmp_path, monkeypatch):
    """An .xls with values at A1 and IV65536, its cell limit lifted: calamine aborts the child when it asks
    for 1 GB under a 100 MB cap (no MemoryError in Python: the process dies)."""
    pytest.importorskip("xlwt")
    far = hostile.far_cells_xls(tmp_path / "far.xls")
    monkeypatch.setenv("TROIKA_MAX_CELLS", "100000000")   # the child inherits the environment
    with pytest.raises(DataError) as err:
        read_files_bounded([far], memory_mb=100, seconds=20)
    [problem] = err.value.problems
    assert problem.file == str(far) and "needs more than 100 MB to read" in problem.message


def test_a_file_that_takes_longer_than_allowed_is_named(tmp_path):
    big = big_table(tmp_path / "big.csv")
    with pytest.raises(DataError) as err:
        read_files_bounded([big], seconds=0.05)
    [problem] = err.value.problems
    assert problem.file == str(big) and "took longer than 0.05 s" in problem.message


def test_hostile_files_come_back_as_the_in_process_refusal(tmp_path):
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", inflated_mb=20)
    with pytest.raises(DataError, match="inflates .* times"):
        read_files_bounded([path])
