"""Ingest: validate input tables and add their observations to the store in one transaction.

Also the conversion between stored observation rows and the observations frame of the data contract.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.data.catalog import INDICATORS, REGIONS
from forecast.data.errors import DataError, Problem
from forecast.data.files import read_files
from forecast.data.notes import notes_of
from forecast.data.schema import (
    INDICATOR,
    OBSERVATION_COLUMNS,
    PERIOD,
    REGION,
    SOURCE,
    STATUS,
    VINTAGE,
    YTD_VALUE,
    YTD_YOY,
    empty_observations,
)
from forecast.runs.store.schema import now

if TYPE_CHECKING:
    import pandas as pd

OBS_SQL_COLUMNS = (REGION, INDICATOR, PERIOD, VINTAGE, YTD_VALUE, YTD_YOY, STATUS, SOURCE)
_REVISION_HINT = "give the release a vintage (发布日期) to store a revision"


@dataclass(frozen=True)
class FileIngest:
    """What one ingest did with one file.

    ``skipped`` is True when a file with the same sha256 had already been ingested (the file is not
    read again: ``rows_read`` is 0); ``rows_added`` counts observations new to the store;
    ``rows_filled`` counts stored observations whose missing ytd_value or ytd_yoy this file supplied.
    """

    file: str
    sha256: str
    rows_read: int
    rows_added: int
    rows_filled: int = 0
    skipped: bool = False
    #: What the reader noted about the file without refusing it (regions outside Liaoning it skipped, …).
    notes: tuple[str, ...] = ()

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


def file_sha256(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest_files(store, paths: list[Path], reader: Callable | None = None) -> IngestReport:
    """The body of :meth:`forecast.runs.store.Store.ingest` (see there). ``reader`` parses the new files
    (default :func:`forecast.data.files.read_files`; the app passes the bounded child-process reader)."""
    reader = read_files if reader is None else reader
    missing = [Problem(str(p), None, None, "no such file", "no_such_file") for p in paths if not p.is_file()]
    if missing:
        raise DataError(f"{len(missing)} input file(s) not found; nothing was written", missing)
    hashes = [file_sha256(p) for p in paths]
    with store.connect() as conn:
        known = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM ingests")}
    # files already ingested are not read again (they were validated when first ingested)
    fresh = [n for n, sha in enumerate(hashes) if sha not in known and sha not in hashes[:n]]
    # each file validated on its own: a figure repeated across files is merged below like a stored one
    frames = dict(zip(fresh, reader([paths[n] for n in fresh]), strict=True)) if fresh else {}
    with store.transaction() as conn:
        seen = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM ingests")}
        current: dict[tuple, tuple] = {}  # key → the row as it stands after this ingest
        inserts: dict[tuple, int] = {}  # key → index of the file that adds it
        updates: set[tuple] = set()  # stored keys whose missing half this ingest fills in
        added, filled, skipped = [0] * len(paths), [0] * len(paths), [False] * len(paths)
        problems: list[Problem] = []
        for n, (path, sha) in enumerate(zip(paths, hashes, strict=True)):
            if sha in seen or n not in frames:
                skipped[n] = True
                continue
            seen.add(sha)
            frame, lines = frames[n]
            for i, row in enumerate(_rows(frame)):
                key = row[:4]
                base = current.get(key) or _stored_row(conn, key)
                if base is None:
                    current[key], inserts[key] = row, n
                    added[n] += 1
                    continue
                merged = _merge(base, row)
                if merged is None:
                    problems.append(_conflict(path, lines[i] if i < len(lines) else None, row, base))
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
        for n, (path, sha) in enumerate(zip(paths, hashes, strict=True)):
            rows_read = 0 if skipped[n] else len(frames[n][0])
            notes = () if skipped[n] else tuple(note.message for note in notes_of(frames[n][0]))
            results.append(FileIngest(str(path), sha, rows_read, added[n], filled[n], skipped[n], notes))
            if skipped[n]:
                continue
            ingest_id = conn.execute(
                "INSERT INTO ingests (file, sha256, ingested_at, rows_added, rows_filled) VALUES (?, ?, ?, ?, ?)",
                (str(path), sha, now(), added[n], filled[n]),
            ).lastrowid
            conn.executemany(
                f"INSERT INTO observations ({', '.join(OBS_SQL_COLUMNS)}, ingest_id) "
                f"VALUES ({', '.join('?' * (len(OBS_SQL_COLUMNS) + 1))})",
                [(*current[k], ingest_id) for k, m in inserts.items() if m == n],
            )
        conn.executemany(
            "UPDATE observations SET ytd_value = ?, ytd_yoy = ? "
            "WHERE region = ? AND indicator = ? AND period = ? AND vintage = ?",
            [(current[k][4], current[k][5], *k) for k in sorted(updates)],
        )
    return IngestReport(str(store.path), results)


def _none_if_nan(x: object) -> float | None:
    return None if _missing(x) else float(x)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Observation rows as SQL tuples in :data:`OBS_SQL_COLUMNS` order (NaN → None)."""
    out = []
    for r, ind, per, vin, val, yoy, st, src in zip(*(frame[c] for c in OBS_SQL_COLUMNS), strict=True):
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
        f"SELECT {', '.join(OBS_SQL_COLUMNS)} FROM observations "
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


def _conflict(path: Path, line: int | None, row: tuple, stored: tuple) -> Problem:

    def fmt(t: tuple) -> str:
        return f"ytd_value {t[4]}, ytd_yoy {t[5]}, status {t[6]}"

    region, indicator, period, vintage = row[:4]
    return Problem(
        str(path), line, None,
        f"{region} {indicator} {period} (vintage {vintage!r}) is already stored with a different value "
        f"(stored: {fmt(stored)}; this file: {fmt(row)}); {_REVISION_HINT}", "stored_conflict",
        {"region": region, "indicator": indicator, "period": str(period), "vintage": vintage, "stored": fmt(stored),
         "given": fmt(row)},
    )


def observations_frame(rows: list[tuple]) -> pd.DataFrame:
    """Stored rows (in :data:`forecast.data.schema.OBSERVATION_COLUMNS` order) as an observations frame.

    Sorted by region and indicator in catalogue order (province first), then period and vintage;
    ``period`` is ``Period[M]``, NULL figures are NaN.
    """
    import numpy as np
    import pandas as pd


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

    rank = {REGION: {c: i for i, c in enumerate(REGIONS)}, INDICATOR: {c: i for i, c in enumerate(INDICATORS)}}
    frame = frame.sort_values(
        [REGION, INDICATOR, PERIOD, VINTAGE], kind="stable",
        key=lambda col: col.map(rank[col.name]).fillna(len(rank[col.name])) if col.name in rank else col,
    )
    return frame[OBSERVATION_COLUMNS].reset_index(drop=True)
