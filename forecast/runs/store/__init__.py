"""The local SQLite store: observations, ingests and batch runs (forecasts, paths, targets, scenarios).

One file, opened in WAL mode so readers (the app) never block the writer (a scheduled ingest or batch)
and never see half a write: every write is one transaction, and a batch run becomes visible only when
it is committed as complete. The schema is versioned in the ``schema_version`` table and upgraded by
forward migrations (:data:`MIGRATIONS`, in :mod:`forecast.runs.store.schema`), all pending steps in one
transaction. A file that is not SQLite, holds tables troika does not know, was written by a newer
troika, or is empty (0 bytes, or SQLite without tables) is refused with a
:class:`~forecast.data.errors.StoreError`; it is never re-created, initialised or overwritten.

Writers and readers: ``Store(path)`` (``forecast ingest``, ``forecast run``, the app's upload) may write,
and creates the store only where no file exists (built in a temporary file, then linked into place, so
no one ever sees a half-made store). ``Store(path, create=False)`` only reads: its connections are
``mode=ro`` (``immutable=1`` on a read-only mount), so a read never creates or initialises a file and
never writes one (it only upgrades a troika store of an older schema, when it can). :meth:`Store.check` runs ``PRAGMA quick_check`` (the batch before every run, the readers of
:mod:`forecast.runs.results` once per file); :meth:`Store.backup` copies the store with SQLite's online
backup API (``forecast backup``).

Modules: :mod:`~forecast.runs.store.schema` (migrations and checks), :mod:`~forecast.runs.store.integrity`
(read-only connections, ``quick_check``, backups), :mod:`~forecast.runs.store.ingest` (observations),
:mod:`~forecast.runs.store.observations` (reading them), :mod:`~forecast.runs.store.targets` (targets and
their history), :mod:`~forecast.runs.store.runs` (batch runs), :mod:`~forecast.runs.store.codec` (frames and
paths ↔ JSON and float32 blobs; never pickle), :mod:`~forecast.runs.store.lock` (one batch at a time).
Read runs through :mod:`forecast.runs.results`.

Tables: see :mod:`~forecast.runs.store.schema`.

Examples
--------
>>> store = Store("data/troika.db")
>>> store.ingest(["data/observations/liaoning_ytd.csv"]).rows_added
9750
>>> rows = store.observations(region="沈阳", indicator="retail")
>>> rows[["region", "period", "ytd_value", "ytd_yoy"]].tail(1)
       region   period  ytd_value  ytd_yoy
129  shenyang  2026-10     3701.3      1.0
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.data.errors import StoreError
from forecast.data.files import DATA_DIR
from forecast.runs.store.ingest import (
    FileIngest,
    IngestReport,
    file_sha256,
    ingest_files,
)
from forecast.runs.store.integrity import (
    BackupReport,
    backup_store,
    create_store,
    damaged_message,
    empty_message,
    file_uri,
    open_read_only,
    quick_check,
    unreadable_message,
)
from forecast.runs.store.lock import RunLock, RunLocked, lock_path
from forecast.runs.store.observations import ObservationReads
from forecast.runs.store.runs import latest_run_id, list_runs, resolve_run_id
from forecast.runs.store.schema import (
    ENV_DB,
    MIGRATIONS,
    SCHEMA_VERSION,
    VERSION_TABLE,
    check_schema,
    expected_tables,
    migrate,
    user_tables,
)
from forecast.runs.store.targets import TargetMethods

if TYPE_CHECKING:
    import pandas as pd

DB_NAME = "troika.db"

__all__ = ["DB_NAME", "ENV_DB", "MIGRATIONS", "SCHEMA_VERSION", "BackupReport", "FileIngest", "IngestReport",
           "RunLock", "RunLocked", "Store", "default_path", "expected_tables", "file_sha256", "lock_path"]


def default_path() -> Path:
    """Return the store path: ``$TROIKA_DB``, else ``troika.db`` in ``$TROIKA_DATA_DIR`` or the data dir.

    Examples
    --------
    >>> default_path().name
    'troika.db'
    """
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    if os.environ.get("TROIKA_DATA_DIR"):
        return Path(os.environ["TROIKA_DATA_DIR"]) / DB_NAME
    return Path(DATA_DIR) / DB_NAME


class Store(ObservationReads, TargetMethods):
    """The SQLite store of observations and batch runs.

    Parameters
    ----------
    path : str or Path, optional
        Database file. Default ``$TROIKA_DB`` or ``<data dir>/troika.db``.
    create : bool
        Create the file (and its folder) when no file exists at ``path``. With ``False`` a missing file is
        a :class:`StoreError` (commands that only read should not leave an empty store behind). An
        existing empty file is never made a store, with either value.
    read_only : bool, optional
        Open every connection read-only (``mode=ro``; ``immutable=1`` when SQLite cannot create its WAL
        files beside the store): writing through this object fails. Opening it changes nothing, except
        that a troika store of an older schema is upgraded in place when the file is writable (as a
        writer would; a read-only file of an older schema is a :class:`StoreError`). Default: ``not create``;
        ``True`` never creates the file, whatever ``create`` says.

    Raises
    ------
    StoreError
        When the file is not SQLite, is empty (0 bytes or no tables), holds tables troika does not know,
        has a schema version this troika does not know (e.g. written by a newer one), is of an older schema
        on a file it cannot write, or cannot be opened. The file is left untouched.

    Examples
    --------
    >>> import tempfile, os
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "t.db"))
    >>> store.schema_version() == SCHEMA_VERSION, store.journal_mode()
    (True, 'wal')
    >>> reader = Store(store.path, create=False)
    >>> reader.read_only, reader.schema_version() == SCHEMA_VERSION
    (True, True)
    >>> reader.check()                                           # PRAGMA quick_check: 'ok', else StoreError
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True, read_only: bool | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.read_only = (not create) if read_only is None else bool(read_only)
        if not self.path.exists():
            if not create or self.read_only:
                raise StoreError(
                    f"no store at {self.path}; run `forecast ingest FILE…` first to create it "
                    f"(or pass --db / set {ENV_DB} to an existing store)"
                )
            create_store(self.path)
        elif self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; the store must be a file, e.g. {self.path / DB_NAME}")
        self._open_and_migrate()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ------------------------------------------------------------------ connections and schema
    def _raw_connect(self) -> sqlite3.Connection:
        """A connection to the existing file: ``mode=ro`` when read-only, else ``mode=rw`` (never creates it)."""
        try:
            if self.read_only:
                return open_read_only(self.path, timeout=30.0)
            return sqlite3.connect(file_uri(self.path, "rw"), uri=True, timeout=30.0, isolation_level=None)
        except sqlite3.OperationalError as e:  # missing, unreadable, locked: the file may be fine
            raise StoreError(f"cannot open the store {self.path}: {e}") from e
        except sqlite3.DatabaseError as e:
            raise StoreError(unreadable_message(self.path, e)) from e

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection (autocommit, foreign keys on) and close it afterwards.

        Use ``with store.transaction() as conn`` to write; each write must be one transaction.
        """
        conn = self._raw_connect()
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        except sqlite3.DatabaseError as e:
            if getattr(e, "sqlite_errorname", "") == "SQLITE_CORRUPT":
                raise StoreError(damaged_message(self.path, str(e), "on reading")) from e
            raise StoreError(f"store {self.path}: {e}") from e
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside ``BEGIN IMMEDIATE``; commit on success, roll back on any error.

        Readers see either everything written in the block or nothing of it.
        """
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one read transaction: every query sees the same committed state."""
        with self.connect() as conn:
            conn.execute("BEGIN DEFERRED")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _open_and_migrate(self) -> None:
        try:
            size = self.path.stat().st_size
        except OSError as e:
            raise StoreError(f"cannot open the store {self.path}: {e}") from e
        if size == 0:  # SQLite would happily make an empty file a database: refuse before it can
            raise StoreError(empty_message(self.path, size))
        conn = self._raw_connect()
        try:
            try:
                tables = user_tables(conn)
            except sqlite3.OperationalError as e:  # locked, unreadable: the file may be fine
                raise StoreError(f"cannot read the store {self.path}: {e}") from e
            except sqlite3.DatabaseError as e:
                raise StoreError(unreadable_message(self.path, e)) from e
            if not tables:
                raise StoreError(empty_message(self.path, size))
            version = check_schema(conn, tables, self.path)
            if self.read_only:
                if version < SCHEMA_VERSION:
                    self._upgrade(version)
                return
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA foreign_keys = ON")
                if version < SCHEMA_VERSION:
                    migrate(conn, version)
            except sqlite3.DatabaseError as e:
                raise StoreError(f"cannot prepare the store {self.path}: {e}") from e
        finally:
            conn.close()

    def _upgrade(self, version: int) -> None:
        """Migrate a troika store of an older schema for a reader (the one write a reader makes, as before)."""
        try:
            conn = sqlite3.connect(file_uri(self.path, "rw"), uri=True, timeout=30.0, isolation_level=None)
            try:
                migrate(conn, version)
            finally:
                conn.close()
        except sqlite3.Error as e:
            raise StoreError(
                f"the store {self.path} has schema version {version}, older than this troika's ({SCHEMA_VERSION}), "
                f"and cannot be upgraded here ({e}); run `forecast run` where the file is writable, then retry."
            ) from e

    def schema_version(self) -> int:
        """Return the store's schema version."""
        with self.connect() as conn:
            return int(conn.execute(f"SELECT MAX(version) FROM {VERSION_TABLE}").fetchone()[0])

    def journal_mode(self) -> str:
        """Return SQLite's journal mode for the file (``'wal'``)."""
        with self.connect() as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0])

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and truncate it (``wal_checkpoint(TRUNCATE)``)."""
        with self.connect() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def check(self) -> None:
        """Run SQLite's ``PRAGMA quick_check`` on the file; raise :class:`StoreError` unless it says ``ok``.

        Reads every page of the file once (about a second per 100 MB), changes nothing. The batch runs it
        before every run; :mod:`forecast.runs.results` on the first read of each store.

        Raises
        ------
        StoreError
            Naming the file and SQLite's verdict (e.g. ``database disk image is malformed``), and saying
            how to restore a backup.
        """
        conn = self._raw_connect()
        try:
            verdict = quick_check(conn)
        finally:
            conn.close()
        if verdict != "ok":
            raise StoreError(damaged_message(self.path, verdict))

    def backup(self, dest: str | os.PathLike, *, force: bool = False) -> BackupReport:
        """Copy the store to ``dest`` with SQLite's online backup API (``forecast backup``).

        Safe while the batch writes and the app reads: the copy is one committed state. It is written to
        a temporary file beside ``dest``, checked (``quick_check``, troika's tables) and renamed into
        place; ``dest`` is never overwritten unless ``force``. See
        :func:`forecast.runs.store.integrity.backup_store`.

        Returns
        -------
        BackupReport
            The copy's path, size, schema version and counts of runs and observations.

        Raises
        ------
        StoreError
            ``dest`` exists (without ``force``), is the store itself or a folder; the copy failed its check.

        Examples
        --------
        >>> import tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> store = Store(os.path.join(folder, "t.db"))
        >>> copy = store.backup(os.path.join(folder, "copy.db"))
        >>> copy.path.name, copy.runs, copy.observations
        ('copy.db', 0, 0)
        """
        conn = self._raw_connect()
        try:
            return backup_store(conn, self.path, dest, force=force)
        finally:
            conn.close()

    def integrity_check(self) -> str:
        """Return SQLite's ``PRAGMA integrity_check`` verdict (``'ok'`` for a sound file)."""
        with self.connect() as conn:
            return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall())

    def dump(self) -> list[str]:
        """Return the SQL text of the whole database (``iterdump``): a content snapshot for comparisons."""
        with self.connect() as conn:
            return list(conn.iterdump())

    def lock(self) -> RunLock:
        """The batch lock of this store (``with store.lock(): …``; raises :class:`RunLocked` when held)."""
        return RunLock(self.path)

    # ------------------------------------------------------------------ ingest
    def ingest(self, paths: Iterable[str | os.PathLike], *, reader: Callable | None = None) -> IngestReport:
        """Validate input tables and add their observations to the store in one transaction.

        Every new file is read and validated first (:func:`forecast.data.files.read_tables`); any problem raises
        one :class:`DataError` and nothing is written. A file whose sha256 was already ingested is
        skipped without being read; rows identical to stored ones are not added again, and a row may
        fill in the missing half (level or growth) of a stored one. A row whose key (region, indicator,
        period, vintage) is stored with a different value or status is an error: a revision needs a
        vintage (release date) of its own.

        Parameters
        ----------
        paths : iterable of str or Path
            Input tables (CSV or Excel) in any layout :mod:`forecast.data.files` reads.
        reader : callable, optional
            Parses the new files (default :func:`forecast.data.files.read_files`); the app passes
            :func:`forecast.data.bounded.read_files_bounded`, which parses in a child process with memory
            and time limits.

        Returns
        -------
        IngestReport
            Rows read and added per file.

        Raises
        ------
        DataError
            Listing every problem of every file, or every conflicting row; nothing is written.
        StoreError
            When the store cannot be written (locked for more than 30 s, disk full, read-only).

        Examples
        --------
        >>> store = Store("data/troika.db")
        >>> report = store.ingest(["tests/fixtures/good/long_utf8.csv"])
        >>> [(f.file, f.rows_added) for f in report.files]
        [('tests/fixtures/good/long_utf8.csv', 39)]
        >>> store.ingest(["tests/fixtures/good/long_utf8.csv"]).files[0].skipped   # the same bytes again
        True
        """
        return ingest_files(self, [Path(p) for p in paths], reader)

    # ------------------------------------------------------------------ runs
    def runs(self) -> pd.DataFrame:
        """Every batch run, oldest first: id, started, finished, status, data hash, settings, counts."""
        with self.connect() as conn:
            return list_runs(conn)

    def latest_run_id(self) -> str | None:
        """Id of the latest complete run, or None."""
        with self.connect() as conn:
            return latest_run_id(conn)

    def resolve_run(self, ref: str) -> str:
        """Run id from ``latest``, an id or a unique prefix; :class:`StoreError` when none matches."""
        with self.connect() as conn:
            run_id = resolve_run_id(conn, ref)
        if run_id is None:
            raise StoreError(f"no run {ref!r} in the store {self.path} (or the prefix is ambiguous); "
                             "`forecast runs` lists the runs")
        return run_id
