"""Targets in the store, with their whole history: every change is a new row, nothing is overwritten.

A target row names its provenance (``published``: a source document; ``analyst``: entered by a person, with
who, when and a source or reason; ``reference``: derived by a stated rule), the action that made it (``seed``
from ``data/targets.csv``, ``set`` or ``unset`` by a person) and who and when. The target in force for a
region × indicator × year is its newest row, unless that row is an ``unset``.

Seeding: :func:`seed_targets` adds a ``seed`` row for each row of the targets file that differs from the
newest seed row of its key (value, kind, provenance or source), so an unchanged file adds nothing, an
analyst's later ``set`` stays in force until the file itself changes that target, and an edit of the file is
kept as a new version like any other change.
"""

from __future__ import annotations

import math
import sqlite3

import pandas as pd

from forecast.data.catalog import INDICATORS, REGIONS, indicator_code, region_code
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, KIND, REGION, SOURCE, STATUS, TARGET_COLUMNS, VALUE, YEAR
from forecast.runs.store import audit
from forecast.runs.store.schema import TARGETS_TABLE as TABLE
from forecast.runs.store.schema import now

#: Columns of :func:`target_history`.
HISTORY_COLUMNS = ["id", REGION, INDICATOR, YEAR, VALUE, KIND, "provenance", SOURCE, "who", "at", "action"]
KINDS = ("about", "at_least")
SEED_WHO = "data/targets.csv"


def _clean_text(text: str, what: str) -> str:
    out = " ".join(str(text).split())
    if any(ord(c) < 32 for c in str(text).replace("\n", " ").replace("\t", " ")):
        raise DataError(f"{what} holds a control character; write plain text")
    return out


def _check(region: str, indicator: str, year: int, value: float | None, kind: str | None, source: str,
           who: str) -> tuple[int, float | None, str]:
    if not 1949 <= int(year) <= 2100:
        raise DataError(f"year {year!r} is out of range; expected e.g. 2026")
    if value is not None and not math.isfinite(float(value)):
        raise DataError(f"target value {value!r} is not a number; expected growth in %, e.g. 4.5")
    if value is not None and not -100 < float(value) < 1000:
        raise DataError(f"target value {value!r} % is out of range; growth is in percent (4.5 means +4.5 %)")
    if kind is not None and kind not in KINDS:
        raise DataError(f"kind {kind!r} is unknown; expected about (左右) or at_least (以上)")
    src = _clean_text(source or "", "source")
    if not src:
        raise DataError("a target needs its source: the document, or who decided it and why (--source TEXT)")
    if not _clean_text(who or "", "who"):
        raise DataError("a target change needs the name of the person who made it")
    return int(year), None if value is None else float(value), src


def _newest(conn: sqlite3.Connection, region: str, indicator: str, year: int, action: str | None = None):
    sql = f"SELECT * FROM {TABLE} WHERE region = ? AND indicator = ? AND year = ?"
    params: list = [region, indicator, int(year)]
    if action is not None:
        sql += " AND action = ?"
        params.append(action)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
    finally:
        conn.row_factory = None


def _insert(conn: sqlite3.Connection, row: dict) -> int:
    cols = [c for c in HISTORY_COLUMNS if c != "id"]
    return int(conn.execute(f"INSERT INTO {TABLE} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                            [row[c] for c in cols]).lastrowid)


def seed_targets(conn: sqlite3.Connection, table: pd.DataFrame, at: str) -> int:
    """Add a ``seed`` row for every row of ``table`` (:func:`forecast.data.target_table.load_targets`) that
    differs from the newest seed row of its key; return how many were added."""
    added = 0
    for rec in table.to_dict("records"):
        key = (rec[REGION], rec[INDICATOR], int(rec[YEAR]))
        new = {REGION: key[0], INDICATOR: key[1], YEAR: key[2], VALUE: float(rec[VALUE]), KIND: rec[KIND],
               "provenance": rec.get(STATUS) or "published", SOURCE: str(rec.get(SOURCE) or ""), "who": SEED_WHO,
               "at": at, "action": "seed"}
        last = _newest(conn, *key, action="seed")
        if last is not None and (last[VALUE], last[KIND], last["provenance"], last[SOURCE]) == \
                (new[VALUE], new[KIND], new["provenance"], new[SOURCE]):
            continue
        _insert(conn, new)
        added += 1
    return added


def set_target(conn: sqlite3.Connection, region: str, indicator: str, year: int, value: float, kind: str,
               source: str, who: str, at: str) -> tuple[int, int | None]:
    """Record an analyst's target; return ``(new row id, id of the row it replaces or None)``."""
    year, value, source = _check(region, indicator, year, value, kind, source, who)
    before = _newest(conn, region, indicator, year)
    new_id = _insert(conn, {REGION: region, INDICATOR: indicator, YEAR: year, VALUE: value, KIND: kind,
                            "provenance": "analyst", SOURCE: source, "who": who.strip(), "at": at, "action": "set"})
    return new_id, None if before is None else int(before["id"])


def unset_target(conn: sqlite3.Connection, region: str, indicator: str, year: int, source: str, who: str,
                 at: str) -> tuple[int, int]:
    """Record that a target no longer holds; return ``(new row id, id of the row it ends)``."""
    year, _, source = _check(region, indicator, year, None, None, source, who)
    before = _newest(conn, region, indicator, year)
    if before is None or before["action"] == "unset":
        raise DataError(f"no target in force for {region} {indicator} {year}; nothing to unset "
                        "(`forecast targets list` shows the targets in force)")
    new_id = _insert(conn, {REGION: region, INDICATOR: indicator, YEAR: year, VALUE: None, KIND: None,
                            "provenance": before["provenance"], SOURCE: source, "who": who.strip(), "at": at,
                            "action": "unset"})
    return new_id, int(before["id"])


def current_value(conn: sqlite3.Connection, region: str, indicator: str, year: int) -> str | None:
    """The target in force as text (``"5.5 at_least"``), or None: what the audit trail records as before."""
    row = _newest(conn, region, indicator, year)
    if row is None or row["action"] == "unset":
        return None
    return f"{row[VALUE]:g} {row[KIND]}"


def target_history(conn: sqlite3.Connection, region: str | None = None, indicator: str | None = None,
                   year: int | None = None) -> pd.DataFrame:
    """Every row of the history (oldest first), optionally of one region / indicator / year."""
    where, params = [], []
    for col, val in ((REGION, region), (INDICATOR, indicator), (YEAR, year)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(int(val) if col == YEAR else val)
    sql = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {TABLE}" + (f" WHERE {' AND '.join(where)}" if where else "")
    rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def current_targets(conn: sqlite3.Connection) -> pd.DataFrame:
    """The targets in force, in :data:`~forecast.data.schema.TARGET_COLUMNS` (``status`` = provenance),
    plus ``who``, ``at`` and ``id`` of the row each comes from; empty for a store opened read-only before
    its migration to schema version 4 (no history yet)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone() is None:
        return pd.DataFrame(columns=[*TARGET_COLUMNS, "who", "at", "id"])
    rows = conn.execute(
        f"SELECT h.id, h.region, h.indicator, h.year, h.value, h.kind, h.provenance, h.source, h.who, h.at, h.action "
        f"FROM {TABLE} h JOIN (SELECT MAX(id) AS id FROM {TABLE} GROUP BY region, indicator, year) m ON h.id = m.id "
        "ORDER BY h.region, h.indicator, h.year").fetchall()
    frame = pd.DataFrame([r for r in rows if r[-1] != "unset"], columns=HISTORY_COLUMNS)
    out = frame.rename(columns={"provenance": STATUS})[[*TARGET_COLUMNS, "who", "at", "id"]]
    # catalogue order (province first, carriages in order), then year: the order every table shows
    rank_r = {r: n for n, r in enumerate(REGIONS)}
    rank_i = {i: n for n, i in enumerate(INDICATORS)}
    out = out.assign(_r=out[REGION].map(rank_r), _i=out[INDICATOR].map(rank_i)).sort_values(["_r", "_i", YEAR], kind="stable")
    return out.drop(columns=["_r", "_i"]).astype({YEAR: "int64", VALUE: "float64"}).reset_index(drop=True)


class TargetMethods:
    """The :class:`~forecast.runs.store.Store` methods over the target history (a mixin: needs ``self.connect()``
    and ``self.transaction()``); each change is audited in the same commit."""

    def targets(self) -> pd.DataFrame:
        """The targets in force (:func:`forecast.runs.store.targets.current_targets`); empty before seeding."""
        with self.connect() as conn:
            return current_targets(conn)

    def target_history(self, region: str | None = None, indicator: str | None = None,
                       year: int | None = None) -> pd.DataFrame:
        """Every version of the targets (oldest first), optionally of one region / indicator / year."""
        with self.connect() as conn:
            return target_history(conn, region, indicator, year)

    def seed_targets(self, table: pd.DataFrame) -> int:
        """Record the targets file's rows that are new or changed (see :mod:`forecast.runs.store.targets`)."""
        with self.transaction() as conn:
            return seed_targets(conn, table, now())

    def set_target(self, region: str, indicator: str, year: int, value: float, kind: str, source: str,
                   who: str) -> tuple[int, int | None]:
        """Set an analyst's target (a new version; the old one stays in the history), audited in one commit.

        Returns ``(new version id, id of the version it replaces or None)``.
        """
        region, indicator = region_code(region), indicator_code(indicator)
        with self.transaction() as conn:
            before = current_value(conn, region, indicator, year)
            new_id, before_id = set_target(conn, region, indicator, year, value, kind, source, who, now())
            audit.record(conn, who, "target_change", f"{int(year)} {region} {indicator}",
                         before=before, after=f"{float(value):g} {kind}")
        return new_id, before_id

    def unset_target(self, region: str, indicator: str, year: int, source: str, who: str) -> tuple[int, int]:
        """End the target in force (the reason is kept), audited in one commit; ``(new id, ended id)``."""
        region, indicator = region_code(region), indicator_code(indicator)
        with self.transaction() as conn:
            before = current_value(conn, region, indicator, year)
            ids = unset_target(conn, region, indicator, year, source, who, now())
            audit.record(conn, who, "target_change", f"{int(year)} {region} {indicator}", before=before, after=None)
        return ids
