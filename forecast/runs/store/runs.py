"""Batch runs in the store: write a run in one transaction, read complete runs back.

A run is inserted as ``running`` when the batch starts (so history shows it), and all its rows are
written together with the switch to ``complete`` in one transaction at the end: a reader never sees a
run's rows before the run is complete, and readers only ever look at complete runs. A run the batch
could not finish is marked ``failed`` (with the reason); a run left ``running`` by a killed batch is
marked failed by the next batch (:func:`mark_stale`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.runs.store.codec import (
    PATH_DTYPE,
    decode_columns,
    decode_rows,
    encode_columns,
    encode_rows,
    paths_blob,
    paths_from_blob,
    to_json,
)
from forecast.runs.store.schema import now

#: Quantile columns of the ``forecasts`` table and their probabilities.
QUANTILES: dict[str, float] = {"p2_5": 0.025, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75,
                               "p90": 0.90, "p97_5": 0.975}
RUN_COLUMNS = ["seq", "id", "started", "finished", "status", "data_hash", "code_version", "settings",
               "data_vintage", "n_series", "n_fallback", "n_failed", "message"]
OUTCOMES = ("ok", "fallback", "failed")
STALE_MESSAGE = "interrupted: the batch stopped before committing (killed, or the machine went down)"


@dataclass(frozen=True, eq=False)
class SeriesRecord:
    """One series of a run as the store keeps it (built by :mod:`forecast.runs.batch`)."""

    region: str
    indicator: str
    outcome: str
    method: str
    last_period: str | None
    periods: list[str]
    paths: np.ndarray
    mean: np.ndarray
    weights: dict[str, float] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float | None = None
    raw_paths: np.ndarray | None = None
    derived: bool = False  # made by reconciliation (the discrepancy), not fitted: not counted as a series


@dataclass(frozen=True, eq=False)
class ScenarioRecord:
    """A scenario a run evaluated: its spec, whether it applied, and its comparison table."""

    name: str
    spec: dict
    ok: bool
    message: str = ""
    table: pd.DataFrame | None = None


@dataclass(frozen=True, eq=False)
class RunPayload:
    """Everything a complete run commits."""

    run_id: str
    series: list[SeriesRecord]
    targets: pd.DataFrame
    target_table: pd.DataFrame
    panel: pd.DataFrame
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    message: str = ""


# ---------------------------------------------------------------------- writing
def insert_running(conn: sqlite3.Connection, run_id: str, started: str, data_hash: str, code_version: str,
                   settings: dict, data_vintage: str | None) -> None:
    """Record a run as ``running`` (its own transaction; no results yet)."""
    conn.execute(
        "INSERT INTO runs (id, started, status, data_hash, code_version, settings, data_vintage) "
        "VALUES (?, ?, 'running', ?, ?, ?, ?)",
        (run_id, started, data_hash, code_version, to_json(settings), data_vintage),
    )


def mark_failed(conn: sqlite3.Connection, run_id: str, message: str) -> None:
    """Mark a ``running`` run failed with a reason (its results were never written)."""
    conn.execute("UPDATE runs SET status = 'failed', finished = ?, message = ? WHERE id = ? AND status = 'running'",
                 (now(), message[:2000], run_id))


def mark_stale(conn: sqlite3.Connection) -> list[str]:
    """Mark every ``running`` run failed (call only while holding the batch lock); return their ids."""
    ids = [r[0] for r in conn.execute("SELECT id FROM runs WHERE status = 'running' ORDER BY seq")]
    for run_id in ids:
        mark_failed(conn, run_id, STALE_MESSAGE)
    return ids


def save_scenarios(conn: sqlite3.Connection, scenarios: list[tuple[str, dict, str, str]]) -> None:
    """Insert or replace saved scenarios: ``(name, spec, source, sha256)``."""
    conn.executemany(
        "INSERT INTO scenarios (name, spec, source, sha256, saved_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, source = excluded.source, "
        "sha256 = excluded.sha256, saved_at = excluded.saved_at WHERE scenarios.sha256 != excluded.sha256",
        [(n, to_json(spec), src, sha, now()) for n, spec, src, sha in scenarios],
    )


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def write_complete(conn: sqlite3.Connection, payload: RunPayload,
                   before_commit: Callable[[], None] | None = None) -> None:
    """Write every row of a run and mark it ``complete`` (call inside one transaction)."""
    rid = payload.run_id
    levels = np.array(list(QUANTILES.values()))
    series_rows, fc_rows, path_rows, metric_rows = [], [], [], []
    for s in payload.series:
        h = len(s.periods)
        series_rows.append((rid, s.region, s.indicator, s.outcome, s.method, s.last_period,
                            s.periods[0] if h else None, h, to_json(list(s.periods)), int(s.paths.shape[0]),
                            to_json(s.weights),
                            to_json(s.dropped), to_json(list(s.flags)), to_json(list(s.notes)), s.seconds))
        if h and np.all(np.isfinite(s.paths)):
            q = np.quantile(np.asarray(s.paths, float), levels, axis=0)
            for j, period in enumerate(s.periods):
                fc_rows.append((rid, s.region, s.indicator, period, j + 1, _num(s.mean[j]),
                                *(_num(v) for v in q[:, j])))
        for kind, arr in (("final", s.paths), ("raw", s.raw_paths)):
            if arr is not None:
                n, hh, blob = paths_blob(arr)
                path_rows.append((rid, s.region, s.indicator, kind, PATH_DTYPE, n, hh, blob))
        metric_rows += [(rid, s.region, s.indicator, k, _num(v)) for k, v in s.metrics.items()]
    conn.executemany(f"INSERT INTO run_series VALUES ({', '.join('?' * 15)})", series_rows)
    conn.executemany(f"INSERT INTO forecasts VALUES ({', '.join('?' * (6 + len(QUANTILES)))})", fc_rows)
    conn.executemany(f"INSERT INTO sample_paths VALUES ({', '.join('?' * 8)})", path_rows)
    conn.executemany("INSERT INTO backtest_metrics VALUES (?, ?, ?, ?, ?)", metric_rows)
    spec, rows = encode_rows(payload.targets)
    tg = payload.targets
    conn.executemany(
        "INSERT INTO run_targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(rid, i, str(r.get("region")), str(r.get("indicator")), int(r["year"]) if _num(r.get("year")) else None,
          _num(r.get("target")), _num(r.get("projected")), _num(r.get("probability")), str(r.get("status", "")), row)
         for i, (r, row) in enumerate(zip(tg.to_dict("records"), rows, strict=True))],
    )
    frames = [("targets", spec, len(rows), None)]
    for name, frame in (("panel", payload.panel), ("target_table", payload.target_table)):
        cspec, blob = encode_columns(frame)
        frames.append((name, cspec, len(frame), blob))
    for sc in payload.scenarios:
        conn.execute("INSERT INTO run_scenarios VALUES (?, ?, ?, ?, ?)",
                     (rid, sc.name, to_json(sc.spec), int(sc.ok), sc.message))
        if sc.table is None:
            continue
        sspec, srows = encode_rows(sc.table)
        frames.append((f"scenario:{sc.name}", sspec, len(srows), None))
        conn.executemany(
            "INSERT INTO scenario_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(rid, sc.name, i, str(r.get("region")), str(r.get("indicator")), _num(r.get("projected")),
              _num(r.get("delta_projected")), _num(r.get("probability")), _num(r.get("delta_probability")), row)
             for i, (r, row) in enumerate(zip(sc.table.to_dict("records"), srows, strict=True))],
        )
    conn.executemany("INSERT INTO run_frames VALUES (?, ?, ?, ?, ?)", [(rid, *f) for f in frames])
    outcomes = [s.outcome for s in payload.series if not s.derived]
    if before_commit is not None:
        before_commit()
    done = conn.execute(
        "UPDATE runs SET status = 'complete', finished = ?, n_series = ?, n_fallback = ?, n_failed = ?, "
        "message = ? WHERE id = ? AND status = 'running'",
        (now(), len(outcomes), outcomes.count("fallback"), outcomes.count("failed"), payload.message, rid),
    ).rowcount
    if done != 1:
        raise sqlite3.IntegrityError(f"run {rid} is not a running run of this store; nothing was committed")


# ---------------------------------------------------------------------- reading
def run_row(conn: sqlite3.Connection, run_id: str) -> dict | None:
    """The ``runs`` row of a run as a dict (``settings`` parsed), or None."""
    row = conn.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    out = dict(zip(RUN_COLUMNS, row, strict=True))
    out["settings"] = json.loads(out["settings"])
    return out


def latest_run_id(conn: sqlite3.Connection, status: str = "complete") -> str | None:
    """Id of the latest run with ``status`` (by start order), or None."""
    row = conn.execute("SELECT id FROM runs WHERE status = ? ORDER BY seq DESC LIMIT 1", (status,)).fetchone()
    return row[0] if row else None


def resolve_run_id(conn: sqlite3.Connection, ref: str) -> str | None:
    """A run id from ``ref``: ``latest``, a full id or a unique prefix of one; None when none matches."""
    if ref == "latest":
        return latest_run_id(conn)
    rows = [r[0] for r in conn.execute("SELECT id FROM runs WHERE id = ? OR id LIKE ? ORDER BY seq",
                                       (ref, ref.replace("%", "").replace("_", "\\_") + "%"))]
    if ref in rows:
        return ref
    return rows[0] if len(rows) == 1 else None


def list_runs(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every run, oldest first (columns :data:`RUN_COLUMNS`, ``settings`` as JSON text)."""
    rows = conn.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY seq").fetchall()
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def read_series(conn: sqlite3.Connection, run_id: str) -> list[dict]:
    """Per-series rows of a run with paths (float64), mean, metrics, in stored order."""
    cols = ["region", "indicator", "outcome", "method", "last_period", "first_period", "h", "periods", "n_paths",
            "weights", "dropped", "flags", "notes", "seconds"]
    out = []
    for row in conn.execute(f"SELECT {', '.join(cols)} FROM run_series WHERE run_id = ? ORDER BY rowid", (run_id,)):
        rec = dict(zip(cols, row, strict=True))
        for c in ("periods", "weights", "dropped", "flags", "notes"):
            rec[c] = json.loads(rec[c])
        rec["paths"], rec["raw_paths"], rec["metrics"] = None, None, {}
        out.append(rec)
    by_key = {(r["region"], r["indicator"]): r for r in out}
    for region, indicator, kind, dtype, n, h, data in conn.execute(
        "SELECT region, indicator, kind, dtype, n_paths, h, data FROM sample_paths WHERE run_id = ?", (run_id,)
    ):
        by_key[(region, indicator)]["paths" if kind == "final" else "raw_paths"] = paths_from_blob(data, n, h, dtype)
    means: dict[tuple, list] = {}
    for region, indicator, mean in conn.execute(
        "SELECT region, indicator, mean FROM forecasts WHERE run_id = ? ORDER BY region, indicator, step", (run_id,)
    ):
        means.setdefault((region, indicator), []).append(np.nan if mean is None else mean)
    for region, indicator, metric, value in conn.execute(
        "SELECT region, indicator, metric, value FROM backtest_metrics WHERE run_id = ?", (run_id,)
    ):
        by_key[(region, indicator)]["metrics"][metric] = np.nan if value is None else float(value)
    for key, rec in by_key.items():
        paths = rec["paths"] if rec["paths"] is not None else np.zeros((rec["n_paths"], rec["h"]))
        rec["paths"] = paths
        m = means.get(key)
        rec["mean"] = np.array(m, float) if m is not None and len(m) == rec["h"] else \
            np.full(rec["h"], np.nan) if not np.all(np.isfinite(paths)) else paths.mean(axis=0)
    return out


def read_frame(conn: sqlite3.Connection, run_id: str, name: str) -> pd.DataFrame | None:
    """A stored frame of a run: ``panel``, ``target_table``, ``targets`` or ``scenario:<name>``."""
    row = conn.execute("SELECT columns, data FROM run_frames WHERE run_id = ? AND name = ?", (run_id, name)).fetchone()
    if row is None:
        return None
    spec, data = row
    if data is not None:
        return decode_columns(spec, data)
    if name == "targets":
        sql, args = "SELECT record FROM run_targets WHERE run_id = ? ORDER BY row_no", (run_id,)
    else:
        sql = "SELECT record FROM scenario_results WHERE run_id = ? AND scenario = ? ORDER BY row_no"
        args = (run_id, name.split(":", 1)[1])
    return decode_rows(spec, [r[0] for r in conn.execute(sql, args)])


def read_scenarios(conn: sqlite3.Connection, run_id: str) -> list[dict]:
    """The scenarios a run evaluated: name, spec (dict), ok, message."""
    return [{"name": n, "spec": json.loads(s), "ok": bool(ok), "message": m} for n, s, ok, m in
            conn.execute("SELECT name, spec, ok, message FROM run_scenarios WHERE run_id = ? ORDER BY rowid", (run_id,))]
