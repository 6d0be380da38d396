"""The store's guard rails: empty and foreign files are never made stores, readers never write,
a store in a folder nobody may write is still readable, ``quick_check`` catches damage, and backups.

Every hostile file is made here, small: an empty file, a one-byte file, SQLite without tables, a text
file, and a store with random bytes written over pages in its middle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import write_table, ytd_rows

from forecast.cli.main import main
from forecast.data.errors import StoreError
from forecast.runs.results import load_latest_run, load_run
from forecast.runs.store import Store
from forecast.runs.store import runs as store_runs
from forecast.runs.store.schema import now


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(folder: Path) -> Path:
    """A table of 3 regions × 2 indicators, 2019-01 to 2026-06 (~500 rows): a store of a few dozen pages."""
    rows = ytd_rows(regions=("liaoning", "shenyang", "dalian"), indicators=("retail", "trade"))
    return write_table(folder / "obs.csv", rows)


@pytest.fixture
def filled(tmp_path: Path) -> Store:
    """A store holding observations and three runs (rows only), its WAL folded into the file."""
    store = Store(tmp_path / "store" / "t.db")
    store.ingest([_table(tmp_path)])
    with store.transaction() as conn:
        for i, status in enumerate(["failed", "failed", "running"]):
            store_runs.insert_running(conn, f"run-{i}", now(), "0" * 64, "test", {"i": i}, "2026-06")
            if status == "failed":
                store_runs.mark_failed(conn, f"run-{i}", "test")
    store.checkpoint()
    return store


# ---------------------------------------------------------------------- empty and foreign files
def _zero(path: Path) -> None:
    path.write_bytes(b"")


def _one_byte(path: Path) -> None:  # SQLite reads a file shorter than its header as an empty database
    path.write_bytes(b"\n")


def _sqlite_without_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")  # writes a header page: a valid SQLite file with no tables
    conn.close()


def _text(path: Path) -> None:
    path.write_text("region,indicator,period\nliaoning,retail,2026-06\n" * 20, encoding="utf-8")


EMPTY = [(_zero, "empty (0 bytes"), (_one_byte, "empty (1 bytes"), (_sqlite_without_tables, "no tables"),
         (_text, "not a SQLite database")]


@pytest.mark.parametrize(("make", "expected"), EMPTY, ids=["0-bytes", "1-byte", "sqlite-no-tables", "text-file"])
@pytest.mark.parametrize("create", [False, True], ids=["read", "write"])
def test_an_empty_or_foreign_file_is_never_made_a_store(make, expected: str, create: bool, tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    make(path)
    before = sha256(path)
    with pytest.raises(StoreError, match="t.db") as err:
        Store(path, create=create)
    assert expected in str(err.value)
    assert "left untouched" in str(err.value)
    assert sha256(path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["t.db"]  # no -wal, no -shm


@pytest.mark.parametrize(("make", "expected"), EMPTY, ids=["0-bytes", "1-byte", "sqlite-no-tables", "text-file"])
def test_read_commands_refuse_an_empty_store_and_leave_it(make, expected: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.db"
    make(path)
    before = sha256(path)
    for argv in (["runs"], ["show"], ["summary"], ["export", "--xlsx", str(tmp_path / "p.xlsx")],
                 ["backup", str(tmp_path / "copy.db")]):
        assert main([*argv, "--db", str(path)]) == 1, argv
        err = capsys.readouterr().err
        assert str(path) in err and expected in err and "Traceback" not in err, (argv, err)
    with pytest.raises(StoreError, match=expected.replace("(", r"\(")):
        load_latest_run(path)
    assert sha256(path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["t.db"]


def test_writing_commands_refuse_an_empty_file_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.db"
    path.write_bytes(b"")
    table = _table(tmp_path / "in")
    assert main(["ingest", str(table), "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "empty (0 bytes" in err and "Delete the empty file" in err
    assert path.stat().st_size == 0
    path.unlink()  # where no file exists, the same command creates the store
    assert main(["ingest", str(table), "--db", str(path)]) == 0
    assert Store(path, create=False).counts()["observations"] == len(ytd_rows(("liaoning", "shenyang", "dalian"),
                                                                             ("retail", "trade")))


def test_a_new_store_is_made_aside_and_linked_into_place(tmp_path: Path) -> None:
    store = Store(tmp_path / "new" / "t.db")
    assert store.journal_mode() == "wal" and store.integrity_check() == "ok"
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["t.db"]  # no temporary file left behind
    assert Store(store.path).dump() == store.dump()  # a second writer opens it, changing nothing


# ---------------------------------------------------------------------- readers never write
def test_a_reader_cannot_write_and_leaves_the_file_as_it_was(filled: Store, tmp_path: Path) -> None:
    before = sha256(filled.path)
    reader = Store(filled.path, create=False)
    assert reader.read_only and not filled.read_only
    assert reader.observations().shape[0] == filled.counts()["observations"] > 400
    with pytest.raises(StoreError, match="readonly"), reader.transaction() as conn:
        conn.execute("DELETE FROM observations")
    with pytest.raises(StoreError, match="readonly"):
        reader.ingest([write_table(tmp_path / "more.csv", ytd_rows(("liaoning",), last=(2026, 7))[-1:])])
    assert reader.counts() == filled.counts()
    assert sha256(filled.path) == before


def test_a_reader_upgrades_an_older_troika_store_only_as_a_writer_would(tmp_path: Path) -> None:
    from forecast.runs.store import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for sql in MIGRATIONS[0][1]:
        conn.execute(sql)
    conn.execute("INSERT INTO schema_version VALUES (1, 'then')")
    conn.commit()
    conn.close()
    reader = Store(path, create=False)
    assert reader.read_only and reader.schema_version() == SCHEMA_VERSION and reader.runs().empty


READER = """
import json, os, sys
from forecast.runs.store import Store
path = sys.argv[1]
out = {"uid": os.geteuid(), "folder_writable": os.access(os.path.dirname(path), os.W_OK)}
store = Store(path, create=False)
store.check()
out["observations"] = store.counts()["observations"]
out["runs"] = store.runs()["id"].tolist()
try:
    with store.transaction() as conn:
        conn.execute("DELETE FROM observations")
    out["write"] = "succeeded"
except Exception as e:
    out["write"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
"""


def test_a_store_in_a_folder_nobody_may_write_is_read_immutably(filled: Store) -> None:
    """A real unwritable folder: the reader runs as user ``nobody`` (through ``setpriv``) when the tests run as
    root, whom permissions do not stop, else as this user after ``chmod``. SQLite cannot create the ``-shm``
    file of WAL mode there, so ``mode=ro`` alone fails; the store is opened ``immutable=1`` and reads work.
    It does not test a read-only mount (``EROFS``), which takes the same path in SQLite."""
    # pytest's tmp folders are private to their owner: make one another user can reach
    folder = Path(tempfile.mkdtemp(prefix="troika-ro-"))
    try:
        shutil.copy2(filled.path, folder / "t.db")
        expected = {"observations": filled.counts()["observations"], "runs": filled.runs()["id"].tolist()}
        before = sha256(folder / "t.db")
        (folder / "t.db").chmod(0o444)
        folder.chmod(0o555)
        as_nobody = []
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: cannot read as a user the folder refuses")
            as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        done = subprocess.run([*as_nobody, sys.executable, "-c", READER, str(folder / "t.db")], capture_output=True,
                              text=True, timeout=120, cwd="/")
        if done.returncode != 0 and ("No module named" in done.stderr or "Permission denied" in done.stderr
                                     and "t.db" not in done.stderr):
            pytest.skip(f"user nobody cannot run troika here: {done.stderr[-300:]}")
        assert done.returncode == 0, done.stderr[-2000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen["folder_writable"] is False  # the condition under test really held
        assert {k: seen[k] for k in expected} == expected
        assert "readonly" in seen["write"]
        assert sorted(p.name for p in folder.iterdir()) == ["t.db"]  # no -wal, no -shm could be made
        assert sha256(folder / "t.db") == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------- quick_check
def scribble(path: Path, seed: int = 5) -> list[int]:
    """Write random bytes over three pages of observations in the middle of a store; return their numbers.

    The pages are leaf pages of the observations table (found with SQLite's ``dbstat``), so the schema
    stays readable and the store still opens: only a check, or a read of those rows, finds the damage.
    """
    with sqlite3.connect(path) as conn:
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'observations' "
                                            "AND pagetype = 'leaf' ORDER BY pageno")]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    chosen = pages[len(pages) // 2 - 1: len(pages) // 2 + 2]
    rng = np.random.default_rng(seed)
    with open(path, "r+b") as f:
        for page in chosen:
            f.seek((page - 1) * size)
            f.write(rng.bytes(size))
    return chosen


def test_random_bytes_in_the_middle_fail_check_naming_the_file(filled: Store, capsys: pytest.CaptureFixture[str]) -> None:
    filled.check()  # sound before
    assert len(scribble(filled.path)) == 3
    with sqlite3.connect(filled.path) as conn:  # the hostile input is hostile: SQLite itself says so
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as e:
            verdict = [(str(e),)]
    assert verdict != [("ok",)]
    before = sha256(filled.path)
    Store(filled.path, create=False)  # the header is intact: it opens ...
    with pytest.raises(StoreError) as err:  # ... and the check says what is wrong, and where
        Store(filled.path, create=False).check()
    assert str(filled.path) in str(err.value) and "quick_check" in str(err.value)
    assert str(verdict[0][0])[:20] in str(err.value)
    with pytest.raises(StoreError, match="damaged"):
        load_latest_run(filled.path)
    with pytest.raises(StoreError, match="damaged"):
        load_run("latest", filled.path)
    assert main(["runs", "--db", str(filled.path)]) == 1
    err_text = capsys.readouterr().err
    assert "damaged" in err_text and str(filled.path) in err_text and "Traceback" not in err_text
    assert sha256(filled.path) == before


# ---------------------------------------------------------------------- backup
def test_backup_while_a_reader_and_a_writer_are_open_copies_the_committed_state(filled: Store, tmp_path: Path) -> None:
    copy = tmp_path / "backup" / "copy.db"
    copy.parent.mkdir()
    expected = filled.dump()
    with filled.snapshot() as reader:
        assert reader.execute("SELECT COUNT(*) FROM runs").fetchone() == (3,)
        with filled.transaction() as writer:  # a write in progress, not committed during the backup
            writer.execute("UPDATE runs SET message = 'uncommitted' WHERE id = 'run-0'")
            report = Store(filled.path, create=False).backup(copy)
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]  # no temporary file, no -wal
    assert (report.path, report.runs, report.complete_runs) == (copy, 3, 0)
    assert report.observations == filled.counts()["observations"] > 400
    backup = Store(copy, create=False)
    assert backup.dump() == expected  # every table, every row: the state before the uncommitted write
    assert backup.runs()["id"].tolist() == ["run-0", "run-1", "run-2"]
    assert backup.observations().equals(Store(filled.path, create=False).observations())
    assert filled.runs().set_index("id").loc["run-0", "message"] == "uncommitted"  # it committed after


def test_backup_command_refuses_to_overwrite_without_force(filled: Store, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy.db"
    db = ["--db", str(filled.path)]
    assert main(["backup", str(copy), *db]) == 0
    out = capsys.readouterr().out
    assert str(copy) in out and "3 runs" in out and "quick_check ok" in out
    copy.write_bytes(b"precious")  # whatever is there is not overwritten ...
    assert main(["backup", str(copy), *db]) == 1
    assert "pass --force" in capsys.readouterr().err.lower() and copy.read_bytes() == b"precious"
    assert main(["backup", str(copy), "--force", *db]) == 0  # ... unless asked to
    assert Store(copy, create=False).dump() == filled.dump()
    assert main(["backup", str(filled.path), "--force", *db]) == 1  # never over the store itself
    assert "the store itself" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_of_a_damaged_store_writes_nothing(filled: Store, tmp_path: Path) -> None:
    scribble(filled.path)
    with pytest.raises(StoreError, match="quick_check|malformed"):
        Store(filled.path, create=False).backup(tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists() and not list(tmp_path.glob(".copy.db*"))
