"""Opening the store safely, checking it, and copying it: read-only connections, ``quick_check``, backups.

- **Read-only connections** (:func:`open_read_only`): readers open the file with a ``mode=ro`` URI, so a
  read never writes, never creates the file and never initialises an empty one. A store on a read-only
  mount, or in a folder the reader may not write (SQLite then cannot create the ``-shm`` file of WAL
  mode), is opened ``immutable=1`` instead, provided its write-ahead log holds nothing (an immutable
  connection would not see changes still in the log).
- **Creation** (:func:`create_store`): a store is made only where no file exists, aside and then linked
  into place; an existing file, even an empty one, is never initialised.
- **Integrity** (:func:`quick_check`, :func:`damaged_message`): SQLite's ``PRAGMA quick_check``, run before
  every batch and on the first read of a store by the app and :mod:`forecast.runs.results`.
- **Backups** (:func:`backup_store`): SQLite's online backup API copies a consistent snapshot while the
  batch writes or the app reads; the copy is written to a temporary file, checked with ``quick_check``,
  then put in place in one rename. See ``docs/batch.md`` (Backup and restore).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from forecast.data.errors import StoreError
from forecast.runs.store.schema import ENV_DB, check_schema, migrate, user_tables

#: Errors of each kind ``quick_check`` reports at most.
QUICK_CHECK_LIMIT = 10


def file_uri(path: str | os.PathLike, mode: str, *, immutable: bool = False) -> str:
    """SQLite URI of ``path`` opened in ``mode`` (``ro``, ``rw`` or ``rwc``), optionally ``immutable``.

    Examples
    --------
    >>> file_uri("/srv/troika #1/t.db", "ro", immutable=True)
    'file:/srv/troika%20%231/t.db?mode=ro&immutable=1'
    """
    uri = f"file:{quote(str(Path(path).absolute()))}?mode={mode}"
    return uri + "&immutable=1" if immutable else uri


def wal_path(path: str | os.PathLike) -> Path:
    """The write-ahead log of a store (``<path>-wal``)."""
    return Path(f"{path}-wal")


def _wal_holds_data(path: Path) -> bool:
    try:
        return wal_path(path).stat().st_size > 0
    except OSError:
        return False


def _remove_leftovers(tmp: Path) -> None:
    for leftover in (tmp, wal_path(tmp), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)


def create_store(path: str | os.PathLike) -> None:
    """Make a new, empty store of the current schema at ``path``, where no file exists.

    The store is built in a temporary file beside ``path`` (WAL mode, every migration) and then
    hard-linked into place, which is atomic and never overwrites: nobody ever sees a half-made store,
    and when another process made one meanwhile, theirs is kept. An existing file at ``path`` (even an
    empty one) is never touched.

    Raises
    ------
    StoreError
        When the folder or the file cannot be created.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create the folder of the store {path}: {e}") from e
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        conn = sqlite3.connect(file_uri(tmp, "rwc"), uri=True, timeout=30.0, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            migrate(conn, 0)
        finally:
            conn.close()  # the last connection: the WAL is folded into the file and removed
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made the store meanwhile: keep theirs
            pass
        except OSError:  # no hard links on this file system
            if not path.exists():
                os.rename(tmp, path)
    except (OSError, sqlite3.Error) as e:
        raise StoreError(f"cannot create the store {path}: {e}") from e
    finally:
        _remove_leftovers(tmp)


def open_read_only(path: str | os.PathLike, timeout: float = 30.0) -> sqlite3.Connection:
    """A connection that can only read ``path`` (autocommit); ``immutable`` where WAL files cannot be made.

    A write through it fails (``attempt to write a readonly database``). SQLite opens a WAL-mode file
    read-only only when it can create or open the ``-shm`` file beside it; when it cannot (read-only
    mount, folder not writable by this user) and the write-ahead log is empty or absent, the file is
    opened ``immutable=1``: SQLite then takes no locks and reads the file as it is.

    Raises
    ------
    sqlite3.DatabaseError
        When the file is not a SQLite database, or cannot be opened even immutably.
    StoreError
        When the WAL files cannot be opened and the write-ahead log still holds changes.
    """
    path = Path(path)
    conn = sqlite3.connect(file_uri(path, "ro"), uri=True, timeout=timeout, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opens the file and its WAL index
        return conn
    except sqlite3.OperationalError as e:
        conn.close()
        text = str(e).lower()
        if "readonly" not in text and "unable to open" not in text:
            raise
        if _wal_holds_data(path):
            raise StoreError(
                f"cannot read the store {path} read-only: its write-ahead log {wal_path(path)} holds changes "
                f"not yet in the file, and SQLite cannot create {path}-shm here ({e}). Open it once where its "
                "folder is writable (any forecast command that writes, e.g. `forecast run`), then retry."
            ) from e
    except BaseException:
        conn.close()
        raise
    conn = sqlite3.connect(file_uri(path, "ro", immutable=True), uri=True, timeout=timeout, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def quick_check(conn: sqlite3.Connection) -> str:
    """SQLite's ``PRAGMA quick_check`` verdict: ``'ok'``, else its messages (or the error) joined by ``'; '``.

    Examples
    --------
    >>> quick_check(sqlite3.connect(":memory:"))
    'ok'
    """
    try:
        rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_LIMIT})").fetchall()
    except sqlite3.DatabaseError as e:  # "database disk image is malformed": too damaged to check
        return str(e)
    return "; ".join(str(r[0]) for r in rows) or "no answer"


def damaged_message(path: str | os.PathLike, verdict: str, found_by: str = "PRAGMA quick_check") -> str:
    """What to tell a person whose store is damaged: the file, SQLite's words (and what found them), what to do."""
    verdict = verdict if len(verdict) <= 400 else verdict[:400] + " …"
    return (f"the store {path} is damaged ({found_by}: {verdict}); it was left untouched. Restore the "
            "latest backup (docs/batch.md, 'Backup and restore': stop the batch, copy the backup over the file, "
            "check with `forecast runs`), or move the file away to start a new store.")


def unreadable_message(path: str | os.PathLike, error: sqlite3.DatabaseError) -> str:
    """Why a file SQLite cannot read is not opened: damaged (``SQLITE_CORRUPT``) or not SQLite at all."""
    if getattr(error, "sqlite_errorname", "") == "SQLITE_CORRUPT" or "malformed" in str(error):
        return damaged_message(path, str(error), "on opening")
    return (f"{path} is not a SQLite database ({error}); it was left untouched. "
            f"Move it away or pass another --db path (or set {ENV_DB}).")


def empty_message(path: str | os.PathLike, size: int) -> str:
    """Why an empty file (0 bytes, or SQLite without tables) is not opened as a store, and what to do."""
    return (f"{path} is empty ({size} bytes, no tables): not a troika store; it was left untouched. A store is "
            "created only where no file exists, by `forecast ingest` or `forecast run`; reads never create one. "
            f"Delete the empty file to start a new store there, or pass another --db path (or set {ENV_DB}).")


@dataclass(frozen=True)
class BackupReport:
    """What :func:`backup_store` wrote: the copy's path, its size and what it holds (all checked)."""

    path: Path
    bytes: int
    schema_version: int
    runs: int
    complete_runs: int
    observations: int


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _refuse_destination(dest: Path, source_path: Path, force: bool) -> None:
    if dest.is_dir():
        raise StoreError(f"{dest} is a folder; give the backup's file name, e.g. {dest / source_path.name}")
    if not dest.parent.is_dir():
        raise StoreError(f"cannot write the backup {dest}: the folder {dest.parent} does not exist")
    if dest.exists() or dest.is_symlink():
        if _same_file(dest, source_path):
            raise StoreError(f"{dest} is the store itself; give the backup another path")
        if not force:
            raise StoreError(f"{dest} exists; nothing was written. Pass --force to overwrite it, or give another path")
        if _wal_holds_data(dest):
            raise StoreError(f"{dest} was not overwritten: {wal_path(dest)} holds changes, so it is in use or was "
                             "not closed cleanly; stop what uses it, or move it and its -wal and -shm files away")


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def backup_store(source: sqlite3.Connection, source_path: str | os.PathLike, dest: str | os.PathLike, *,
                 force: bool = False) -> BackupReport:
    """Copy the database open on ``source`` to ``dest`` with SQLite's online backup API, checked, atomically.

    The copy is one consistent snapshot (a batch committing meanwhile is either wholly in it or not at
    all; readers and writers are not blocked). It is written to ``.<name>.tmp-<pid>-<random>`` beside ``dest``,
    checked (``quick_check`` ok, troika's tables), synced to disk and renamed to ``dest``; any failure
    leaves ``dest`` as it was and removes the temporary file.

    Raises
    ------
    StoreError
        ``dest`` exists (without ``force``), is the store itself, is a folder or sits in a missing
        folder; or the copy failed its checks (the store itself may then be damaged).
    """
    source_path, dest = Path(source_path), Path(dest)
    _refuse_destination(dest, source_path, force)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            source.backup(target)
            verdict = quick_check(target)
            if verdict != "ok":
                raise StoreError(f"the copy of {source_path} failed PRAGMA quick_check ({verdict}); nothing was "
                                 f"written to {dest}. The store itself may be damaged: see docs/batch.md.")
            version = check_schema(target, user_tables(target), source_path)
            n_runs = _count(target, "SELECT COUNT(*) FROM runs") if version >= 2 else 0
            n_complete = _count(target, "SELECT COUNT(*) FROM runs WHERE status = 'complete'") if version >= 2 else 0
            n_obs = _count(target, "SELECT COUNT(*) FROM observations")
        except sqlite3.Error as e:
            raise StoreError(f"cannot back up {source_path} to {dest}: {e}; nothing was written") from e
        finally:
            target.close()  # the last connection: SQLite folds the copy's WAL into the file and deletes it
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if force:
            os.replace(tmp, dest)
        else:
            try:
                os.link(tmp, dest)  # fails if dest appeared meanwhile: never overwrite without --force
            except FileExistsError:
                raise StoreError(f"{dest} exists; nothing was written. Pass --force to overwrite it") from None
            except OSError:  # no hard links on this file system
                if dest.exists():
                    raise StoreError(f"{dest} exists; nothing was written. Pass --force to overwrite it") from None
                os.rename(tmp, dest)
        return BackupReport(dest, dest.stat().st_size, version, n_runs, n_complete, n_obs)
    finally:
        _remove_leftovers(tmp)
