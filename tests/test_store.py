"""The SQLite store: schema checks, atomic and idempotent ingest, round trips, refusal of foreign files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from common import BAD_FILES

from forecast.data.errors import DataError, StoreError
from forecast.runs.store import MIGRATIONS, SCHEMA_VERSION, Store, expected_tables

HEADER = "地区,指标,时期,累计值,累计增长\n"
GOOD_ROWS = [
    # the province, three carriages; fai is growth-only (blank level)
    "辽宁,固定资产投资(不含农户),2025年1-2月,,-5.1",
    "辽宁,固定资产投资(不含农户),2025年1-3月,,-3.0",
    "辽宁,社会消费品零售总额,2025年1-2月,1850.3,3.5",
    "辽宁,社会消费品零售总额,2025年1-3月,2790.1,3.4",
    "辽宁,进出口总额,2025年1-2月,1120.0,-2.2",
    "沈阳,社会消费品零售总额,2025年1-2月,720.4,4.1",
    "大连市,进出口总额,2025年1-3月,980.5,1.0",
]


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "good.csv", GOOD_ROWS)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store" / "t.db")


# ---------------------------------------------------------------------- schema
def test_new_store_is_wal_with_schema_version(store: Store) -> None:
    assert store.journal_mode() == "wal"
    assert store.schema_version() == SCHEMA_VERSION
    with store.connect() as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # every migration step was recorded once, in order
    assert versions == [v for v, _ in MIGRATIONS]
    assert expected_tables(1) == {"schema_version", "ingests", "observations"}
    # later migrations only add tables: nothing of version 1 is ever dropped
    assert expected_tables(1) <= expected_tables(SCHEMA_VERSION)
    with store.connect() as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set(expected_tables(SCHEMA_VERSION))


def test_migrations_are_numbered_1_to_n() -> None:
    assert [v for v, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_reopening_changes_nothing(store: Store) -> None:
    before = store.dump()
    again = Store(store.path)
    assert again.dump() == before


def test_missing_store_without_create(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    with pytest.raises(StoreError, match="none.db"):
        Store(path, create=False)
    assert not path.exists()


def test_default_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TROIKA_DB", raising=False)
    assert Store().path == tmp_path / "data" / "troika.db"
    monkeypatch.setenv("TROIKA_DB", str(tmp_path / "env.db"))  # TROIKA_DB wins over the data dir
    assert Store().path == tmp_path / "env.db"
    assert (tmp_path / "env.db").exists()


# ---------------------------------------------------------------------- foreign files are refused
def test_random_bytes_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(np.random.default_rng(0).bytes(8192))
    before = sha256(path)
    with pytest.raises(StoreError, match="noise.db") as err:
        Store(path)
    assert "not a SQLite database" in str(err.value)
    assert sha256(path) == before
    assert not Path(str(path) + "-wal").exists()


def _sqlite_file(path: Path, *statements: str) -> Path:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (["CREATE TABLE sales (x INTEGER)", "INSERT INTO sales VALUES (1)"], "not a troika store"),
        (["CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)",
          "INSERT INTO schema_version VALUES (99, 'x')"], "newer than this troika"),
        (["CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)",
          "INSERT INTO schema_version VALUES (0, 'x')"], "unknown schema version"),
    ],
    ids=["foreign-tables", "newer-version", "unknown-version"],
)
def test_wrong_sqlite_file_is_refused_and_untouched(tmp_path: Path, statements: list[str], expected: str) -> None:
    path = _sqlite_file(tmp_path / "other.db", *statements)
    before = sha256(path)
    with pytest.raises(StoreError, match=expected) as err:
        Store(path)
    assert "other.db" in str(err.value)
    assert sha256(path) == before


def test_troika_store_with_an_extra_table_is_refused(store: Store) -> None:
    with store.transaction() as conn:
        conn.execute("CREATE TABLE notes (t TEXT)")
    store.checkpoint()
    before = sha256(store.path)
    with pytest.raises(StoreError, match="notes"):
        Store(store.path)
    assert sha256(store.path) == before


# ---------------------------------------------------------------------- ingest
def test_ingest_then_read_back_equals_parsed(store: Store, good: Path) -> None:
    from forecast.data.files import read_table

    parsed = read_table(good)
    report = store.ingest([good])
    assert report.rows_added == len(GOOD_ROWS) == len(parsed)
    assert [(f.rows_read, f.rows_added, f.skipped) for f in report.files] == [(7, 7, False)]
    back = store.observations(latest_vintage=False)
    # same rows, same order (catalogue order, like io), same dtypes: period[M], float64 figures
    pd.testing.assert_frame_equal(back, parsed)
    assert back["period"].dtype == pd.PeriodDtype("M") and back["ytd_yoy"].dtype == "float64"
    # NULL level of a growth-only series comes back as NaN, not 0
    fai = store.observations("辽宁", "fai")
    assert fai["ytd_value"].isna().all() and fai["ytd_yoy"].tolist() == [-5.1, -3.0]
    assert store.counts() == {"observations": 7, "series": 5, "ingests": 1}


GOOD_DIR = Path(__file__).parent / "fixtures" / "good"
GOOD_FILES = sorted(p for p in GOOD_DIR.glob("*") if p.suffix in (".csv", ".xlsx")) if GOOD_DIR.is_dir() else []


@pytest.mark.parametrize("path", GOOD_FILES, ids=[p.name for p in GOOD_FILES])
def test_every_good_fixture_round_trips(path: Path, tmp_path: Path) -> None:
    from forecast.data.files import read_table

    store = Store(tmp_path / "t.db")
    parsed = read_table(path)
    assert store.ingest([path]).rows_added == len(parsed) > 0
    pd.testing.assert_frame_equal(store.observations(latest_vintage=False), parsed)


def test_filters_accept_names_and_codes(store: Store, good: Path) -> None:
    store.ingest([good])
    shenyang = store.observations(region="沈阳市")
    assert shenyang["region"].unique().tolist() == ["shenyang"]
    both = store.observations(region=["liaoning", "Dalian"], indicator="进出口")
    assert sorted(both["region"]) == ["dalian", "liaoning"]
    latest = store.latest(["retail"])
    # liaoning retail: 1-2月 and 1-3月 stored, the latest is 2025-03 (2790.1, +3.4%)
    row = latest[latest["region"] == "liaoning"].iloc[0]
    assert (str(row["period"]), row["ytd_value"], row["ytd_yoy"]) == ("2025-03", 2790.1, 3.4)


def test_reingest_same_file_changes_nothing(store: Store, good: Path) -> None:
    store.ingest([good])
    before = store.dump()
    report = store.ingest([good])
    assert report.rows_added == 0 and report.files[0].skipped
    assert store.dump() == before


def test_same_rows_in_another_file_add_nothing(store: Store, good: Path, tmp_path: Path) -> None:
    store.ingest([good])
    obs_before = store.observations(latest_vintage=False)
    shuffled = write_csv(tmp_path / "shuffled.csv", GOOD_ROWS[::-1])  # other bytes, same figures
    report = store.ingest([shuffled])
    assert (report.files[0].skipped, report.files[0].rows_added) == (False, 0)
    pd.testing.assert_frame_equal(store.observations(latest_vintage=False), obs_before)
    assert store.ingest_log()["rows_added"].tolist() == [7, 0]


def test_one_bad_row_among_many_stores_nothing(store: Store, tmp_path: Path) -> None:
    rows = [f"辽宁,社会消费品零售总额,{y}年1-{m}月,{1000 + m},{m / 10}" for y in (2021, 2022, 2023, 2024)
            for m in range(2, 13)]
    rows.insert(20, "辽宁,社会消费品零售总额,2020年1-5月,not-a-number,1.0")
    path = write_csv(tmp_path / "mostly_good.csv", rows)
    before = store.dump()
    with pytest.raises(DataError) as err:
        store.ingest([path])
    # header is row 1, data index 0 is row 2, so the row inserted at index 20 is row 22
    assert [p.row for p in err.value.problems] == [22]
    assert store.dump() == before
    assert store.counts()["observations"] == 0


def test_conflicting_value_without_vintage_is_rejected(store: Store, good: Path, tmp_path: Path) -> None:
    store.ingest([good])
    before = store.dump()
    fresh = "辽宁,社会消费品零售总额,2025年1-4月,3700.0,3.3"  # a new row that must not be stored either
    changed = [r.replace("2790.1,3.4", "2791.0,3.5") for r in GOOD_ROWS] + [fresh]
    path = write_csv(tmp_path / "revised.csv", changed)
    with pytest.raises(DataError, match="already stored with a different value") as err:
        store.ingest([path])
    (problem,) = err.value.problems
    assert problem.file.endswith("revised.csv") and "发布日期" in problem.message
    assert problem.row == 5  # header is line 1; the changed March row is the 4th data row
    assert "liaoning retail 2025-03" in problem.message
    assert store.dump() == before


def test_a_revision_with_a_vintage_is_stored_beside_the_first_release(store: Store, good: Path,
                                                                      tmp_path: Path) -> None:
    store.ingest([good])
    path = write_csv(tmp_path / "revised.csv", ["辽宁,社会消费品零售总额,2025年1-3月,2791.0,3.5,2025-04-20"],
                     header="地区,指标,时期,累计值,累计增长,发布日期\n")
    assert store.ingest([path]).rows_added == 1
    # the dated release ('2025-04-20') sorts after the undated one ('') and wins by default
    latest = store.observations("liaoning", "retail")
    assert latest.loc[latest["period"] == pd.Period("2025-03", "M"), ["ytd_value", "ytd_yoy", "vintage"]
                      ].values.tolist() == [[2791.0, 3.5, "2025-04-20"]]
    every = store.observations("liaoning", "retail", latest_vintage=False)
    march = every[every["period"] == pd.Period("2025-03", "M")]
    assert march[["ytd_value", "vintage"]].values.tolist() == [[2790.1, ""], [2791.0, "2025-04-20"]]


def test_a_growth_only_release_fills_in_a_stored_level(store: Store, tmp_path: Path) -> None:
    level = write_csv(tmp_path / "level.csv", ["辽宁,社会消费品零售总额,2025年1-3月,2790.1,"])
    growth = write_csv(tmp_path / "growth.csv", ["辽宁,社会消费品零售总额,2025年1-3月,,3.4"])
    store.ingest([level])
    report = store.ingest([growth])
    assert (report.rows_added, report.rows_filled) == (0, 1)
    obs = store.observations()
    assert obs[["ytd_value", "ytd_yoy"]].values.tolist() == [[2790.1, 3.4]]
    # the same halves again change nothing; a different growth is a conflict
    assert not store.ingest([write_csv(tmp_path / "again.csv", ["辽宁,社会消费品零售总额,2025年1-3月,,3.4",
                                                                 "辽宁,社会消费品零售总额,2025年1-2月,1850.3,3.5"])]
                            ).files[0].rows_filled
    with pytest.raises(DataError, match="different value"):
        store.ingest([write_csv(tmp_path / "other.csv", ["辽宁,社会消费品零售总额,2025年1-3月,,3.9"])])


def test_a_conflict_in_the_second_file_writes_none_of_the_first(store: Store, good: Path, tmp_path: Path) -> None:
    store.ingest([good])
    before = store.dump()
    new = write_csv(tmp_path / "new.csv", ["锦州,社会消费品零售总额,2025年1-2月,150.0,2.0"])
    bad = write_csv(tmp_path / "bad.csv", ["沈阳,社会消费品零售总额,2025年1-2月,721.0,4.1"])
    with pytest.raises(DataError, match="bad.csv") as err:
        store.ingest([new, bad])
    assert [(p.file.endswith("bad.csv"), p.row) for p in err.value.problems] == [(True, 2)]
    assert store.dump() == before


def test_the_same_figure_in_two_files_of_one_ingest_is_stored_once(store: Store, tmp_path: Path) -> None:
    # as if the files came one at a time: the second copy is identical, so it adds nothing
    a = write_csv(tmp_path / "a.csv", ["辽宁,社会消费品零售总额,2025年1-2月,1850.3,3.5"])
    b = write_csv(tmp_path / "b.csv", ["沈阳,社会消费品零售总额,2025年1-2月,720.4,4.1",
                                       "辽宁,社会消费品零售总额,2025年1-2月,1850.3,3.5"])
    report = store.ingest([a, b])
    assert [f.rows_added for f in report.files] == [1, 1]
    assert store.counts()["observations"] == 2
    # a different value in the second file is a conflict at its line (header 1, rows 2 and 3)
    c = write_csv(tmp_path / "c.csv", ["大连市,社会消费品零售总额,2025年1-2月,600.0,2.0"])
    d = write_csv(tmp_path / "d.csv", ["锦州,社会消费品零售总额,2025年1-2月,150.0,2.0",
                                       "大连市,社会消费品零售总额,2025年1-2月,601.0,2.0"])
    before = store.dump()
    with pytest.raises(DataError, match="conflict") as err:
        store.ingest([c, d])
    assert [(Path(p.file).name, p.row) for p in err.value.problems] == [("d.csv", 3)]
    assert store.dump() == before


def test_a_reader_keeps_its_snapshot_while_an_ingest_commits(store: Store, good: Path) -> None:
    reader = sqlite3.connect(store.path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM observations").fetchone() == (0,)
        store.ingest([good])  # WAL: the open reader does not block the writer ...
        # ... and sees none of the ingest until its read transaction ends, then all 7 rows
        assert reader.execute("SELECT COUNT(*) FROM observations").fetchone() == (0,)
        reader.execute("COMMIT")
        assert reader.execute("SELECT COUNT(*) FROM observations").fetchone() == (7,)
    finally:
        reader.close()


def test_missing_input_file_is_a_data_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nope.csv"):
        store.ingest([tmp_path / "nope.csv"])
    assert store.counts()["ingests"] == 0


@pytest.mark.parametrize("bad", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_bad_fixture_leaves_the_store_file_unchanged(bad: Path, tmp_path: Path, good: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.ingest([good])
    store.checkpoint()
    before = sha256(store.path)
    with pytest.raises(DataError) as err:
        store.ingest([bad])
    assert err.value.problems, "a DataError must list its problems"
    store.checkpoint()
    assert sha256(store.path) == before
