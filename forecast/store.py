"""The local SQLite store: observations and the log of ingested files (later: runs, forecasts, paths).

One file, opened in WAL mode so readers (the app) never block the writer (a scheduled ingest) and never
see a half-written ingest: every write is one transaction. The schema is versioned in the
``schema_version`` table and upgraded by forward migrations (:data:`MIGRATIONS`), all pending steps in one
transaction. A file that is not SQLite, holds tables troika does not know, or was written by a newer
troika is refused with a :class:`~forecast.errors.StoreError`; it is never re-created or overwritten.

Tables (schema version 1)
    ``ingests``: ``id``, ``file`` (path as given), ``sha256`` (of the file's bytes), ``ingested_at``
    (UTC, ISO 8601), ``rows_added``, ``rows_filled`` (stored rows whose missing half it filled in).
    ``observations``: ``region``, ``indicator``, ``period`` (``'YYYY-MM'``), ``vintage`` (``''`` when
    unknown), ``ytd_value`` (亿元, NULL when unpublished), ``ytd_yoy`` (%, NULL when unpublished),
    ``status``, ``source``, ``ingest_id`` (the ingest that added the row). Primary key
    (region, indicator, period, vintage).

Examples
--------
>>> store = Store("data/troika.db")                               # doctest: +SKIP
>>> store.ingest(["data/observations/liaoning_ytd.csv"]).rows_added  # doctest: +SKIP
1234
>>> store.observations(region="沈阳", indicator="retail").tail(1)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import DataError, Problem, StoreError
from forecast.schema import (
    INDICATOR,
    OBSERVATION_COLUMNS,
    PERIOD,
    REGION,
    SOURCE,
    STATUS,
    VINTAGE,
    YTD_VALUE,
    YTD_YOY,
)

if TYPE_CHECKING:
    import pandas as pd

#: Environment variable naming the store file (overrides the default ``<data dir>/troika.db``).
ENV_DB = "TROIKA_DB"
DB_NAME = "troika.db"

#: Forward migrations: (version, statements). Append new steps; never edit a released one.
MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (
        1,
        (
            """CREATE TABLE ingests (
                id INTEGER PRIMARY KEY,
                file TEXT NOT NULL,
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                ingested_at TEXT NOT NULL,
                rows_added INTEGER NOT NULL CHECK (rows_added >= 0),
                rows_filled INTEGER NOT NULL DEFAULT 0 CHECK (rows_filled >= 0)
            )""",
            "CREATE INDEX ingests_sha256 ON ingests (sha256)",
            """CREATE TABLE observations (
                region TEXT NOT NULL,
                indicator TEXT NOT NULL,
                period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
                vintage TEXT NOT NULL DEFAULT '',
                ytd_value REAL,
                ytd_yoy REAL,
                status TEXT NOT NULL CHECK (status IN ('published', 'generated')),
                source TEXT NOT NULL DEFAULT '',
                ingest_id INTEGER NOT NULL REFERENCES ingests (id),
                PRIMARY KEY (region, indicator, period, vintage)
            )""",
        ),
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

_VERSION_TABLE = "schema_version"
_OBS_SQL_COLUMNS = (REGION, INDICATOR, PERIOD, VINTAGE, YTD_VALUE, YTD_YOY, STATUS, SOURCE)
_REVISION_HINT = "give the release a vintage (发布日期) to store a revision"


@dataclass(frozen=True)
class FileIngest:
    """What one ingest did with one file.

    ``skipped`` is True when a file with the same sha256 had already been ingested (nothing read into
    the store); ``rows_added`` counts observations new to the store; ``rows_filled`` counts stored
    observations whose missing ytd_value or ytd_yoy this file supplied.
    """

    file: str
    sha256: str
    rows_read: int
    rows_added: int
    rows_filled: int = 0
    skipped: bool = False

    @property
    def changed(self) -> bool:
        """True when the file added or filled in at least one observation."""
        return self.rows_added + self.rows_filled > 0


@dataclass(frozen=True)
class IngestReport:
    """The result of :meth:`Store.ingest`: one :class:`FileIngest` per file, in the order given."""

    db: str
    files: list[FileIngest] = field(default_factory=list)

    @property
    def rows_added(self) -> int:
        """Observations added by the whole ingest."""
        return sum(f.rows_added for f in self.files)

    @property
    def rows_filled(self) -> int:
        """Stored observations whose missing level or growth the ingest filled in."""
        return sum(f.rows_filled for f in self.files)

    @property
    def changed(self) -> bool:
        """True when the ingest changed the store."""
        return any(f.changed for f in self.files)


def default_path() -> Path:
    """Return the store path: ``$TROIKA_DB``, else ``troika.db`` in ``$TROIKA_DATA_DIR`` or the data dir.

    Examples
    --------
    >>> default_path().name                                       # doctest: +SKIP
    'troika.db'
    """
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    if os.environ.get("TROIKA_DATA_DIR"):
        return Path(os.environ["TROIKA_DATA_DIR"]) / DB_NAME
    try:
        from forecast.io import DATA_DIR
    except ImportError:  # io not importable: the repository's data/
        DATA_DIR = Path(__file__).resolve().parents[1] / "data"
    return Path(DATA_DIR) / DB_NAME


@cache
def expected_tables(version: int) -> frozenset[str]:
    """Return the tables a store of schema ``version`` holds (built by running the migrations in memory).

    Examples
    --------
    >>> sorted(expected_tables(1))
    ['ingests', 'observations', 'schema_version']
    """
    conn = sqlite3.connect(":memory:")
    try:
        _create_version_table(conn)
        for v, statements in MIGRATIONS:
            if v > version:
                break
            for sql in statements:
                conn.execute(sql)
        return frozenset(_user_tables(conn))
    finally:
        conn.close()


def _create_version_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {_VERSION_TABLE} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )


def _user_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(r[0] for r in rows)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_sha256(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Store:
    """The SQLite store of observations (and, later, runs and forecasts).

    Parameters
    ----------
    path : str or Path, optional
        Database file. Default ``$TROIKA_DB`` or ``<data dir>/troika.db``.
    create : bool
        Create the file (and its folder) when it does not exist. With ``False`` a missing file is a
        :class:`StoreError` (commands that only read should not leave an empty store behind).

    Raises
    ------
    StoreError
        When the file is not SQLite, holds tables troika does not know, has a schema version this troika
        does not know (e.g. written by a newer one), or cannot be opened. The file is left untouched.

    Examples
    --------
    >>> import tempfile, os
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "t.db"))
    >>> store.schema_version(), store.journal_mode()
    (1, 'wal')
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True):
        self.path = Path(path) if path is not None else default_path()
        if not self.path.exists():
            if not create:
                raise StoreError(
                    f"no store at {self.path}; run `forecast ingest FILE…` first to create it "
                    f"(or pass --db / set {ENV_DB} to an existing store)"
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder of the store {self.path}: {e}") from e
        elif self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; the store must be a file, e.g. {self.path / DB_NAME}")
        self._open_and_migrate()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ------------------------------------------------------------------ connections and schema
    def _raw_connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the store {self.path}: {e}") from e
        return conn

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

    def _open_and_migrate(self) -> None:
        conn = self._raw_connect()
        try:
            try:
                tables = _user_tables(conn)
            except sqlite3.OperationalError as e:  # locked, unreadable: the file may be fine
                raise StoreError(f"cannot read the store {self.path}: {e}") from e
            except sqlite3.DatabaseError as e:
                raise StoreError(
                    f"{self.path} is not a SQLite database ({e}); it was left untouched. "
                    f"Move it away or pass another --db path (or set {ENV_DB})."
                ) from e
            version = self._check_schema(conn, tables)
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA foreign_keys = ON")
                if version < SCHEMA_VERSION:
                    self._migrate(conn, version)
            except sqlite3.DatabaseError as e:
                raise StoreError(f"cannot prepare the store {self.path}: {e}") from e
        finally:
            conn.close()

    def _check_schema(self, conn: sqlite3.Connection, tables: list[str]) -> int:
        """Return the file's schema version (0 for an empty file) or raise StoreError."""
        if not tables:
            return 0
        where = f"{self.path}"
        if _VERSION_TABLE not in tables:
            raise StoreError(
                f"{where} is a SQLite database but not a troika store (tables: {', '.join(tables)}; "
                f"no {_VERSION_TABLE} table); it was left untouched. Pass another --db path."
            )
        try:
            row = conn.execute(f"SELECT MAX(version) FROM {_VERSION_TABLE}").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{where}: unreadable {_VERSION_TABLE} table ({e}); not a troika store") from e
        version = row[0] if row else None
        if not isinstance(version, int) or version < 1:
            raise StoreError(f"{where}: unknown schema version {version!r}; not a troika store. Pass another --db path.")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{where} has schema version {version}, newer than this troika knows ({SCHEMA_VERSION}); "
                "upgrade troika, or pass another --db path. The file was left untouched."
            )
        known = expected_tables(version)
        foreign = sorted(set(tables) - known)
        missing = sorted(known - set(tables))
        if foreign or missing:
            parts = []
            if foreign:
                parts.append(f"tables troika does not know: {', '.join(foreign)}")
            if missing:
                parts.append(f"missing tables: {', '.join(missing)}")
            raise StoreError(
                f"{where} does not look like a troika store of schema version {version} ({'; '.join(parts)}); "
                "it was left untouched. Pass another --db path, or move the file away to start a new store."
            )
        return version

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _create_version_table(conn)
            # another process may have migrated between our check and the lock
            current = conn.execute(f"SELECT MAX(version) FROM {_VERSION_TABLE}").fetchone()[0] or 0
            for v, statements in MIGRATIONS:
                if v <= max(version, current):
                    continue
                for sql in statements:
                    conn.execute(sql)
                conn.execute(f"INSERT INTO {_VERSION_TABLE} (version, applied_at) VALUES (?, ?)", (v, _now()))
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        """Return the store's schema version."""
        with self.connect() as conn:
            return int(conn.execute(f"SELECT MAX(version) FROM {_VERSION_TABLE}").fetchone()[0])

    def journal_mode(self) -> str:
        """Return SQLite's journal mode for the file (``'wal'``)."""
        with self.connect() as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0])

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and truncate it (``wal_checkpoint(TRUNCATE)``)."""
        with self.connect() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def dump(self) -> list[str]:
        """Return the SQL text of the whole database (``iterdump``): a content snapshot for comparisons."""
        with self.connect() as conn:
            return list(conn.iterdump())

    # ------------------------------------------------------------------ ingest
    def ingest(self, paths: Iterable[str | os.PathLike]) -> IngestReport:
        """Validate input tables and add their observations to the store in one transaction.

        Every file is read and validated first (:func:`forecast.io.read_tables`); any problem raises
        one :class:`DataError` and nothing is written. A file whose sha256 was already ingested is
        skipped; rows identical to stored ones are not added again, and a row may fill in the missing
        half (level or growth) of a stored one. A row whose key (region, indicator, period, vintage) is
        stored with a different value or status is an error: a revision needs a vintage (release date)
        of its own.

        Parameters
        ----------
        paths : iterable of str or Path
            Input tables (CSV or Excel) in any layout :mod:`forecast.io` reads.

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
        >>> report = Store("data/troika.db").ingest(["data/observations/liaoning_ytd.csv"])  # doctest: +SKIP
        >>> [(f.file, f.rows_added) for f in report.files]                                  # doctest: +SKIP
        [('data/observations/liaoning_ytd.csv', 1234)]
        """
        paths = [Path(p) for p in paths]
        missing = [Problem(str(p), None, None, "no such file") for p in paths if not p.is_file()]
        if missing:
            raise DataError(f"{len(missing)} input file(s) not found; nothing was written", missing)
        frames = _read_per_file(paths)
        hashes = [file_sha256(p) for p in paths]
        with self.transaction() as conn:
            seen = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM ingests")}
            current: dict[tuple, tuple] = {}  # key → the row as it stands after this ingest
            inserts: dict[tuple, int] = {}  # key → index of the file that adds it
            updates: set[tuple] = set()  # stored keys whose missing half this ingest fills in
            added, filled, skipped = [0] * len(paths), [0] * len(paths), [False] * len(paths)
            problems: list[Problem] = []
            for n, (path, sha, frame) in enumerate(zip(paths, hashes, frames, strict=True)):
                if sha in seen:
                    skipped[n] = True
                    continue
                seen.add(sha)
                for i, row in enumerate(_rows(frame)):
                    key = row[:4]
                    base = current.get(key) or _stored_row(conn, key)
                    if base is None:
                        current[key], inserts[key] = row, n
                        added[n] += 1
                        continue
                    merged = _merge(base, row)
                    if merged is None:
                        problems.append(_conflict(path, frame, i, row, base))
                    elif merged != base:
                        current[key] = merged
                        filled[n] += 1
                        if key not in inserts:
                            updates.add(key)
            if problems:
                raise DataError(
                    f"{len(problems)} row(s) conflict with figures already stored or read; nothing was written",
                    problems,
                )
            results: list[FileIngest] = []
            for n, (path, sha, frame) in enumerate(zip(paths, hashes, frames, strict=True)):
                results.append(FileIngest(str(path), sha, len(frame), added[n], filled[n], skipped[n]))
                if skipped[n]:
                    continue
                ingest_id = conn.execute(
                    "INSERT INTO ingests (file, sha256, ingested_at, rows_added, rows_filled) VALUES (?, ?, ?, ?, ?)",
                    (str(path), sha, _now(), added[n], filled[n]),
                ).lastrowid
                conn.executemany(
                    f"INSERT INTO observations ({', '.join(_OBS_SQL_COLUMNS)}, ingest_id) "
                    f"VALUES ({', '.join('?' * (len(_OBS_SQL_COLUMNS) + 1))})",
                    [(*current[k], ingest_id) for k, m in inserts.items() if m == n],
                )
            conn.executemany(
                "UPDATE observations SET ytd_value = ?, ytd_yoy = ? "
                "WHERE region = ? AND indicator = ? AND period = ? AND vintage = ?",
                [(current[k][4], current[k][5], *k) for k in sorted(updates)],
            )
        return IngestReport(str(self.path), results)

    # ------------------------------------------------------------------ reading
    def observations(
        self,
        region: str | Sequence[str] | None = None,
        indicator: str | Sequence[str] | None = None,
        latest_vintage: bool = True,
    ) -> pd.DataFrame:
        """Return stored observations as a frame of the observations contract.

        Parameters
        ----------
        region, indicator : str or list of str, optional
            Filter by names, aliases or codes (resolved through the catalogue). Default: all.
        latest_vintage : bool
            Keep only the latest vintage of each (region, indicator, period) (dated vintages sort
            after ``''``). ``False`` returns every stored release.

        Returns
        -------
        DataFrame
            Columns :data:`forecast.schema.OBSERVATION_COLUMNS`, sorted by region and indicator in
            catalogue order (province first), then period and vintage; ``period`` is ``Period[M]``,
            NULL figures are NaN.

        Examples
        --------
        >>> Store("data/troika.db").observations("辽宁", "retail").columns.tolist()  # doctest: +SKIP
        ['region', 'indicator', 'period', 'ytd_value', 'ytd_yoy', 'vintage', 'status', 'source']
        """
        from forecast.catalog import indicator_code, region_code

        where, params = [], []
        for col, names, resolve in ((REGION, region, region_code), (INDICATOR, indicator, indicator_code)):
            if names is None:
                continue
            codes = [resolve(n) for n in ([names] if isinstance(names, str) else names)]
            where.append(f"o.{col} IN ({', '.join('?' * len(codes))})")
            params.extend(codes)
        if latest_vintage:
            where.append(
                "o.vintage = (SELECT MAX(p.vintage) FROM observations p WHERE p.region = o.region "
                "AND p.indicator = o.indicator AND p.period = o.period)"
            )
        sql = f"SELECT {', '.join('o.' + c for c in OBSERVATION_COLUMNS)} FROM observations o"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.connect() as conn:
            rows = conn.execute(sql, params).fetchall()
        return _to_frame(rows)

    def latest(self, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Return, per (region, indicator), the latest period with a published figure (latest vintage).

        Examples
        --------
        >>> Store("data/troika.db").latest(["fai"]).shape[1]           # doctest: +SKIP
        8
        """
        obs = self.observations(indicator=indicators)
        known = obs[obs[YTD_VALUE].notna() | obs[YTD_YOY].notna()]
        return known.groupby([REGION, INDICATOR], sort=True).tail(1).reset_index(drop=True)

    def ingest_log(self) -> pd.DataFrame:
        """Return the ingests table (id, file, sha256, ingested_at, rows_added, rows_filled), oldest first."""
        import pandas as pd

        cols = ["id", "file", "sha256", "ingested_at", "rows_added", "rows_filled"]
        with self.connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(cols)} FROM ingests ORDER BY id").fetchall()
        return pd.DataFrame(rows, columns=cols)

    def counts(self) -> dict[str, int]:
        """Return row counts: ``observations``, ``series`` (region × indicator pairs) and ``ingests``."""
        with self.connect() as conn:
            return {
                "observations": conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0],
                "series": conn.execute(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT region, indicator FROM observations)"
                ).fetchone()[0],
                "ingests": conn.execute("SELECT COUNT(*) FROM ingests").fetchone()[0],
            }


# ---------------------------------------------------------------------- helpers
def _read_per_file(paths: list[Path]) -> list[pd.DataFrame]:
    """Validate all files at once (one DataError with every problem), then return one frame per file."""
    from forecast.io import read_table, read_tables

    combined = read_tables(paths)
    if len(paths) == 1:
        return [combined]
    return [read_table(p) for p in paths]


def _none_if_nan(x: object) -> float | None:
    return None if _missing(x) else float(x)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Observation rows as SQL tuples in :data:`_OBS_SQL_COLUMNS` order (NaN → None)."""
    out = []
    for r, ind, per, vin, val, yoy, st, src in zip(*(frame[c] for c in _OBS_SQL_COLUMNS), strict=True):
        out.append(
            (str(r), str(ind), str(per), "" if _missing(vin) else str(vin),
             _none_if_nan(val), _none_if_nan(yoy), str(st), "" if _missing(src) else str(src))
        )
    return out


def _missing(x: object) -> bool:
    import pandas as pd

    return x is None or bool(pd.isna(x))


def _stored_row(conn: sqlite3.Connection, key: tuple) -> tuple | None:
    return conn.execute(
        f"SELECT {', '.join(_OBS_SQL_COLUMNS)} FROM observations "
        "WHERE region = ? AND indicator = ? AND period = ? AND vintage = ?",
        key,
    ).fetchone()


def _same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _merge(stored: tuple, row: tuple) -> tuple | None:
    """Combine a stored row with a new one of the same key, or None when they disagree.

    They agree when the status is the same and each of ytd_value and ytd_yoy is equal or missing on one
    side (a release giving the growth only fills in the growth of a stored level). The stored source wins.
    """
    if stored[6] != row[6]:
        return None
    out = list(stored)
    for j in (4, 5):
        if stored[j] is None:
            out[j] = row[j]
        elif row[j] is not None and not _same_number(stored[j], row[j]):
            return None
    return tuple(out)


def _conflict(path: Path, frame: pd.DataFrame, i: int, row: tuple, stored: tuple) -> Problem:
    rows = frame.attrs.get("source_rows")
    line = int(rows[i]) if rows is not None and i < len(rows) else None

    def fmt(t: tuple) -> str:
        return f"ytd_value {t[4]}, ytd_yoy {t[5]}, status {t[6]}"

    region, indicator, period, vintage = row[:4]
    return Problem(
        str(path), line, None,
        f"{region} {indicator} {period} (vintage {vintage!r}) is already stored with a different value "
        f"(stored: {fmt(stored)}; this file: {fmt(row)}); {_REVISION_HINT}",
    )


def _to_frame(rows: list[tuple]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from forecast.schema import empty_observations

    if not rows:
        return empty_observations()
    cols = list(zip(*rows, strict=True))
    data = dict(zip(OBSERVATION_COLUMNS, cols, strict=True))
    frame = pd.DataFrame(
        {
            REGION: pd.Series(data[REGION], dtype="object"),
            INDICATOR: pd.Series(data[INDICATOR], dtype="object"),
            PERIOD: pd.PeriodIndex(data[PERIOD], freq="M"),
            YTD_VALUE: np.array([np.nan if v is None else v for v in data[YTD_VALUE]], dtype="float64"),
            YTD_YOY: np.array([np.nan if v is None else v for v in data[YTD_YOY]], dtype="float64"),
            VINTAGE: pd.Series(data[VINTAGE], dtype="object"),
            STATUS: pd.Series(data[STATUS], dtype="object"),
            SOURCE: pd.Series(data[SOURCE], dtype="object"),
        }
    )
    from forecast.catalog import INDICATORS, REGIONS

    rank = {REGION: {c: i for i, c in enumerate(REGIONS)}, INDICATOR: {c: i for i, c in enumerate(INDICATORS)}}
    frame = frame.sort_values(
        [REGION, INDICATOR, PERIOD, VINTAGE], kind="stable",
        key=lambda col: col.map(rank[col.name]).fillna(len(rank[col.name])) if col.name in rank else col,
    )
    return frame[OBSERVATION_COLUMNS].reset_index(drop=True)
