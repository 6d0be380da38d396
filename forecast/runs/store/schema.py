"""The store's schema: forward migrations, the tables each version holds, and the checks run on opening.

Append a step to :data:`MIGRATIONS` to change the schema; never edit a released step. A store is opened
only when its tables are exactly those of its recorded version (so a foreign SQLite file, or a troika
store with tables added by hand, is refused and left untouched), and pending steps run in one transaction.

Schema version 1:
    ``ingests``: ``id``, ``file`` (path as given), ``sha256`` (of the file's bytes), ``ingested_at``
    (UTC, ISO 8601), ``rows_added``, ``rows_filled`` (stored rows whose missing half it filled in).
    ``observations``: ``region``, ``indicator``, ``period`` (``'YYYY-MM'``), ``vintage`` (``''`` when
    unknown), ``ytd_value`` (亿元, NULL when unpublished), ``ytd_yoy`` (%, NULL when unpublished),
    ``status``, ``source``, ``ingest_id`` (the ingest that added the row). Primary key
    (region, indicator, period, vintage).

Schema version 2 (batch runs):
    ``runs``: ``seq`` (order), ``id``, ``started``/``finished`` (UTC, ISO 8601), ``status``
    (``running`` | ``complete`` | ``failed``), ``data_hash``, ``code_version``, ``settings`` (JSON),
    ``data_vintage`` (latest period ``YYYY-MM``), counts of series / fallbacks / failures, ``message``.
    ``run_series``: per series outcome (``ok`` | ``fallback`` | ``failed``), method, last period,
    forecast periods (JSON list of ``YYYY-MM``, ``h`` of them), weights,
    dropped models, flags and notes (JSON), seconds.
    ``forecasts``: quantiles and mean per series × future period.
    ``sample_paths``: paths per series as a little-endian float32 blob (``numpy.tobytes``) with its
    shape and dtype; ``kind`` ``final`` (reconciled, what every figure uses) or ``raw`` (the engine's,
    stored only where reconciliation changed them).
    ``backtest_metrics``: long table run × series × metric.
    ``run_targets``: the rows of :func:`forecast.decisions.targets.evaluate_targets` (key figures as columns, the
    whole row as JSON in ``record``).
    ``scenarios``: saved scenarios (JSON) by name; ``run_scenarios``: the scenarios a run evaluated;
    ``scenario_results``: the rows of :func:`forecast.decisions.scenarios.compare_scenarios` per run and scenario.
    ``run_frames``: column specs of stored frames, and the panel and targets table a run used
    (zlib-compressed JSON, never pickle).
Only rows of ``complete`` runs are ever read: a run's rows and its ``complete`` status are written in
one transaction.

Schema version 3: ``audit``, the append-only trail of every write (:mod:`forecast.runs.store.audit`).

Schema version 4: ``target_history``, every version of every target (seeded from ``data/targets.csv``, set
and unset by analysts), never overwritten (:mod:`forecast.runs.store.targets`).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from forecast.data.errors import StoreError

#: Environment variable naming the store file (overrides the default ``<data dir>/troika.db``).
ENV_DB = "TROIKA_DB"

#: The target history (schema version 4, :mod:`forecast.runs.store.targets`).
TARGETS_TABLE = "target_history"
_RUN_KEY = "run_id TEXT NOT NULL REFERENCES runs (id)"
_SERIES_KEY = f"{_RUN_KEY}, region TEXT NOT NULL, indicator TEXT NOT NULL"

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
    (
        2,
        (
            """CREATE TABLE runs (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                started TEXT NOT NULL,
                finished TEXT,
                status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
                data_hash TEXT NOT NULL,
                code_version TEXT NOT NULL,
                settings TEXT NOT NULL,
                data_vintage TEXT,
                n_series INTEGER NOT NULL DEFAULT 0 CHECK (n_series >= 0),
                n_fallback INTEGER NOT NULL DEFAULT 0 CHECK (n_fallback >= 0),
                n_failed INTEGER NOT NULL DEFAULT 0 CHECK (n_failed >= 0),
                message TEXT NOT NULL DEFAULT '',
                CHECK (status = 'running' OR finished IS NOT NULL)
            )""",
            "CREATE INDEX runs_status ON runs (status, seq)",
            f"""CREATE TABLE run_series (
                {_SERIES_KEY},
                outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'fallback', 'failed')),
                method TEXT NOT NULL,
                last_period TEXT,
                first_period TEXT,
                h INTEGER NOT NULL CHECK (h >= 0),
                periods TEXT NOT NULL,
                n_paths INTEGER NOT NULL CHECK (n_paths >= 0),
                weights TEXT NOT NULL,
                dropped TEXT NOT NULL,
                flags TEXT NOT NULL,
                notes TEXT NOT NULL,
                seconds REAL,
                PRIMARY KEY (run_id, region, indicator)
            )""",
            f"""CREATE TABLE forecasts (
                {_SERIES_KEY},
                period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
                step INTEGER NOT NULL CHECK (step >= 1),
                mean REAL, p2_5 REAL, p10 REAL, p25 REAL, p50 REAL, p75 REAL, p90 REAL, p97_5 REAL,
                PRIMARY KEY (run_id, region, indicator, period)
            )""",
            f"""CREATE TABLE sample_paths (
                {_SERIES_KEY},
                kind TEXT NOT NULL CHECK (kind IN ('final', 'raw')),
                dtype TEXT NOT NULL CHECK (dtype = '<f4'),
                n_paths INTEGER NOT NULL CHECK (n_paths >= 0),
                h INTEGER NOT NULL CHECK (h >= 0),
                data BLOB NOT NULL CHECK (length(data) = n_paths * h * 4),
                PRIMARY KEY (run_id, region, indicator, kind)
            )""",
            f"""CREATE TABLE backtest_metrics (
                {_SERIES_KEY},
                metric TEXT NOT NULL,
                value REAL,
                PRIMARY KEY (run_id, region, indicator, metric)
            )""",
            f"""CREATE TABLE run_targets (
                {_RUN_KEY},
                row_no INTEGER NOT NULL,
                region TEXT NOT NULL,
                indicator TEXT NOT NULL,
                year INTEGER,
                target REAL,
                projected REAL,
                probability REAL,
                status TEXT,
                record TEXT NOT NULL,
                PRIMARY KEY (run_id, row_no)
            )""",
            """CREATE TABLE scenarios (
                name TEXT PRIMARY KEY,
                spec TEXT NOT NULL,
                source TEXT NOT NULL DEFAULT '',
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                saved_at TEXT NOT NULL
            )""",
            f"""CREATE TABLE run_scenarios (
                {_RUN_KEY},
                name TEXT NOT NULL,
                spec TEXT NOT NULL,
                ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
                message TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (run_id, name)
            )""",
            f"""CREATE TABLE scenario_results (
                {_RUN_KEY},
                scenario TEXT NOT NULL,
                row_no INTEGER NOT NULL,
                region TEXT NOT NULL,
                indicator TEXT NOT NULL,
                projected REAL,
                delta_projected REAL,
                probability REAL,
                delta_probability REAL,
                record TEXT NOT NULL,
                PRIMARY KEY (run_id, scenario, row_no)
            )""",
            f"""CREATE TABLE run_frames (
                {_RUN_KEY},
                name TEXT NOT NULL,
                columns TEXT NOT NULL,
                n_rows INTEGER NOT NULL CHECK (n_rows >= 0),
                data BLOB,
                PRIMARY KEY (run_id, name)
            )""",
        ),
    ),
    (
        3,
        (
            """CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                who TEXT NOT NULL CHECK (length(who) > 0),
                action TEXT NOT NULL CHECK (length(action) > 0),
                what TEXT NOT NULL DEFAULT '',
                before TEXT,
                after TEXT
            )""",
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
        ),
    ),
    (
        4,
        (
            f"""CREATE TABLE {TARGETS_TABLE} (
                id INTEGER PRIMARY KEY,
                region TEXT NOT NULL,
                indicator TEXT NOT NULL,
                year INTEGER NOT NULL,
                value REAL,
                kind TEXT,
                provenance TEXT NOT NULL CHECK (provenance IN ('published', 'analyst', 'reference')),
                source TEXT NOT NULL,
                who TEXT NOT NULL,
                at TEXT NOT NULL,
                action TEXT NOT NULL CHECK (action IN ('seed', 'set', 'unset'))
            )""",
            f"CREATE INDEX {TARGETS_TABLE}_key ON {TARGETS_TABLE} (region, indicator, year, id)",
        ),
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
VERSION_TABLE = "schema_version"


def now() -> str:
    """Current UTC time, ISO 8601 to the second (``2025-11-27T22:46:00+00:00``)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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
        create_version_table(conn)
        for v, statements in MIGRATIONS:
            if v > version:
                break
            for sql in statements:
                conn.execute(sql)
        return frozenset(user_tables(conn))
    finally:
        conn.close()


def create_version_table(conn: sqlite3.Connection) -> None:
    """Create the ``schema_version`` table when missing."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )


def user_tables(conn: sqlite3.Connection) -> list[str]:
    """Names of the tables of a database (SQLite's own ``sqlite_*`` tables left out), sorted."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(r[0] for r in rows)


def check_schema(conn: sqlite3.Connection, tables: list[str], path: Path) -> int:
    """Return the file's schema version (0 for an empty file) or raise :class:`StoreError` naming ``path``."""
    if not tables:
        return 0
    where = f"{path}"
    if VERSION_TABLE not in tables:
        raise StoreError(
            f"{where} is a SQLite database but not a troika store (tables: {', '.join(tables)}; "
            f"no {VERSION_TABLE} table); it was left untouched. Pass another --db path."
        )
    try:
        row = conn.execute(f"SELECT MAX(version) FROM {VERSION_TABLE}").fetchone()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{where}: unreadable {VERSION_TABLE} table ({e}); not a troika store") from e
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


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Run every migration step after ``version`` in one ``BEGIN IMMEDIATE`` transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        create_version_table(conn)
        # another process may have migrated between our check and the lock
        current = conn.execute(f"SELECT MAX(version) FROM {VERSION_TABLE}").fetchone()[0] or 0
        for v, statements in MIGRATIONS:
            if v <= max(version, current):
                continue
            for sql in statements:
                conn.execute(sql)
            conn.execute(f"INSERT INTO {VERSION_TABLE} (version, applied_at) VALUES (?, ?)", (v, now()))
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
