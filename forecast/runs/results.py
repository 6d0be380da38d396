"""Read batch runs back from the store: what the app, notebooks and the Excel export use.

Only complete runs are ever returned (a run's rows become visible together with its ``complete``
status, in one transaction), and each run is read inside one read transaction, so a reader polling
while a batch commits sees either the previous run or the new one, whole.

Examples
--------
>>> from forecast.runs.results import load_latest_run
>>> run = load_latest_run(store)                              # default: $TROIKA_DB or data/troika.db
>>> run.status, run.data_vintage
('complete', Period('2026-10', 'M'))
>>> run.targets[["region", "indicator", "target_status", "projected", "probability", "status"]].head(2).round(1)
     region indicator target_status  projected  probability     status
0  liaoning    retail     published        2.5          0.0  off_track
1  shenyang    retail     reference        1.2          0.0  reference
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import REGIONS
from forecast.data.errors import Coded, DataError, Problem, StoreError
from forecast.data.schema import TARGET_COLUMNS
from forecast.decisions.changes import run_changes
from forecast.decisions.scenario_spec import scenario_to_dict
from forecast.decisions.scenarios import compare_scenarios
from forecast.decisions.targets import evaluate_targets, latest_year, with_reference_targets
from forecast.runs.store import Store, default_path
from forecast.runs.store import runs as store_runs
from forecast.runs.store import targets as store_targets
from forecast.runs.store.runs import RUN_COLUMNS

#: Columns of :attr:`RunResult.metrics` before the metric columns.
METRIC_KEY_COLUMNS = ["region", "indicator", "outcome", "method", "models", "seconds", "flags"]
METRIC_COLUMNS = ["mase", "smape", "coverage80", "growth_error_pp", "rel_mae", "n_origins"]


@dataclass(frozen=True, eq=False)
class StoredForecast:
    """One series of a stored run: sample paths of future period flows and how they were made.

    The duck type of :class:`forecast.engine.auto.SeriesForecast` that :mod:`forecast.decisions.targets`,
    :mod:`forecast.decisions.reconcile` and :mod:`forecast.decisions.scenarios` accept. ``paths`` are the run's final
    (reconciled) paths, stored as float32 and returned as float64; ``raw_paths`` the engine's paths
    where reconciliation changed them (else None); ``mean`` the mean of the final paths.
    """

    region: str
    indicator: str
    last_period: pd.Period | None
    periods: pd.PeriodIndex
    paths: np.ndarray
    mean: np.ndarray
    weights: dict[str, float] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    method: str = ""
    outcome: str = "ok"
    raw_paths: np.ndarray | None = None
    seconds: float | None = None

    def quantiles(self, levels: Any = (0.1, 0.5, 0.9)) -> np.ndarray:
        """Quantiles of the paths per period: array ``len(levels) × h``."""
        q = np.atleast_1d(np.asarray(levels, float))
        if np.any((q < 0) | (q > 1)):
            raise DataError(f"quantile levels are probabilities in [0, 1], got {list(q)}; for 80 % use 0.1, 0.9")
        return np.quantile(self.paths, q, axis=0)


@dataclass(frozen=True, eq=False)
class RunResult:
    """A complete batch run as stored.

    Attributes
    ----------
    run_id, status, data_hash, code_version, message : str
    started, finished : datetime (UTC)
    settings : dict
        :class:`forecast.runs.batch.BatchSettings` as recorded.
    data_vintage : Period or None
        Latest period with a released figure in the data the run used.
    panel : DataFrame
        The panel the run was fitted on (:func:`forecast.data.panel.build_panel`), as stored with the run.
    forecasts : dict
        ``(region, indicator)`` → :class:`StoredForecast` (reconciled), catalogue regions only.
    discrepancies : dict
        ``("discrepancy", indicator)`` → :class:`StoredForecast`: the statistical discrepancy
        (province − Σ cities) of each reconciled indicator.
    targets : DataFrame
        :func:`forecast.decisions.targets.evaluate_targets` of the run.
    target_table : DataFrame
        The targets table the run used (:func:`forecast.data.target_table.load_targets`).
    metrics : DataFrame
        One row per series: :data:`METRIC_KEY_COLUMNS` then the backtest metrics.
    scenarios : dict
        Saved scenario name → :func:`forecast.decisions.scenarios.compare_scenarios` table (baseline and scenario).
    scenario_errors : dict
        Saved scenario name → why it could not be applied to this run.
    scenario_specs : dict
        Saved scenario name → the scenario as the run evaluated it (``scenario_to_dict`` form).
    """

    run_id: str
    started: datetime
    finished: datetime | None
    status: str
    data_hash: str
    code_version: str
    settings: dict
    data_vintage: pd.Period | None
    panel: pd.DataFrame
    forecasts: dict
    discrepancies: dict
    targets: pd.DataFrame
    target_table: pd.DataFrame
    metrics: pd.DataFrame
    scenarios: dict
    scenario_errors: dict
    scenario_specs: dict = field(default_factory=dict)
    message: str = ""

    @property
    def fallback(self) -> list[tuple[str, str]]:
        """Series on the fallback model or failed."""
        return [k for k, f in self.forecasts.items() if f.outcome != "ok"] + \
            [(r, i) for r, i, o in zip(self.metrics["region"], self.metrics["indicator"], self.metrics["outcome"],
                                       strict=True) if o == "failed" and (r, i) not in self.forecasts]

    def scenario_inputs(self) -> dict:
        """Forecasts and discrepancy series together: the mapping :func:`forecast.decisions.scenarios.apply_scenario` takes."""
        return {**self.forecasts, **self.discrepancies}


#: Store files this process has checked with ``PRAGMA quick_check``: (path, device, inode).
_CHECKED: set[tuple[str, int, int]] = set()


def checked(store: Store) -> Store:
    """``store``, after :meth:`Store.check` the first time this process reads its file (StoreError if damaged).

    A file is checked once per process (keyed by its path, device and inode: a file restored from a
    backup in its place is checked again), so the app pays for ``quick_check`` once, not on every read.
    """
    try:
        info = store.path.stat()
        key = (str(store.path.resolve()), info.st_dev, info.st_ino)
    except OSError:
        key = (str(store.path), 0, 0)
    if key not in _CHECKED:
        store.check()
        _CHECKED.add(key)
    return store


def _open(store: Store | str | os.PathLike | None) -> Store | None:
    if isinstance(store, Store):
        return checked(store)

    path = Path(store) if store is not None else default_path()
    if not path.exists():
        return None
    return checked(Store(path, create=False))


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def load_latest_run(store: Store | str | os.PathLike | None = None) -> RunResult | None:
    """The latest complete run, or None when there is no store or no complete run yet.

    Parameters
    ----------
    store : Store or path, optional
        Default ``$TROIKA_DB`` or ``data/troika.db``. A missing file gives None (nothing is created).

    Raises
    ------
    StoreError
        When the file is corrupt (``PRAGMA quick_check``, run on the first read of each file), empty,
        foreign or of a newer schema (left untouched).

    Examples
    --------
    >>> load_latest_run("data/troika.db") is None             # no store yet: nothing is created
    True
    >>> load_latest_run(store).status
    'complete'
    """
    st = _open(store)
    if st is None:
        return None

    with st.snapshot() as conn:
        run_id = store_runs.latest_run_id(conn)
        return None if run_id is None else _read(conn, run_id)


def load_run(run_id: str, store: Store | str | os.PathLike | None = None) -> RunResult:
    """A complete run by id (``latest``, a full id or a unique prefix).

    Raises
    ------
    StoreError
        No store, no such run, or the run is not complete (running or failed runs have no results); the
        file is damaged (``PRAGMA quick_check``, on the first read of each file), empty or foreign.

    Examples
    --------
    >>> load_run("latest", store).run_id                      # doctest: +ELLIPSIS
    '...T...Z-...'
    """
    st = _open(store)
    if st is None:
        raise StoreError(f"no store at {store or 'the default path'}; run `forecast run` first")

    with st.snapshot() as conn:
        rid = store_runs.resolve_run_id(conn, run_id)
        row = store_runs.run_row(conn, rid) if rid else None
        if row is None:
            raise StoreError(f"no run {run_id!r} in the store {st.path} (or the prefix is ambiguous); "
                             "`forecast runs` lists the runs")
        if row["status"] != "complete":
            raise StoreError(f"run {rid} is {row['status']} ({row['message'] or 'no results'}); only complete runs "
                             "have results. `forecast runs` lists the runs")
        return _read(conn, rid)


def list_runs(store: Store | str | os.PathLike | None = None) -> pd.DataFrame:
    """Every run of the store (any status), oldest first; empty when there is no store."""
    st = _open(store)
    return pd.DataFrame(columns=RUN_COLUMNS) if st is None else st.runs()


def previous_complete_run(run_id: str, store: Store | str | os.PathLike | None = None) -> str | None:
    """Id of the latest complete run started before the run ``run_id`` (a full id), or None when there is none.

    Raises
    ------
    StoreError
        No store, or no run ``run_id`` in it.
    """
    runs = list_runs(store)
    seq = runs.loc[runs["id"] == run_id, "seq"]
    if seq.empty:
        raise StoreError(f"no run {run_id!r} in the store {store or 'at the default path'}; `forecast runs` lists the runs")
    earlier = runs[(runs["seq"] < seq.iloc[0]) & (runs["status"] == "complete")]
    return None if earlier.empty else str(earlier["id"].iloc[-1])


def load_run_as_batched(run_id: str, store: Store | str | os.PathLike | None = None) -> RunResult:
    """:func:`load_run` with the targets its batch evaluated (``targets``, ``target_table``), not the targets in
    force now: what the run said when it was made, e.g. the previous run of
    :func:`forecast.decisions.changes.run_changes`. A run stored without its targets table is returned as
    :func:`load_run` reads it.
    """
    run = load_run(run_id, store)
    with _open(store).snapshot() as conn:
        table = store_runs.read_frame(conn, run.run_id, "target_table")
        evaluated = store_runs.read_frame(conn, run.run_id, "targets")
    if table is None:
        return run
    return replace(run, target_table=table, targets=_or_empty(evaluated))


def _read(conn: Any, run_id: str) -> RunResult:
    row = store_runs.run_row(conn, run_id)
    forecasts, discrepancies, metric_rows = {}, {}, []
    for rec in store_runs.read_series(conn, run_id):
        periods = pd.PeriodIndex(rec["periods"], freq="M")
        fc = StoredForecast(
            region=rec["region"], indicator=rec["indicator"],
            last_period=pd.Period(rec["last_period"], freq="M") if rec["last_period"] else None,
            periods=periods, paths=rec["paths"], mean=rec["mean"], weights=rec["weights"], dropped=rec["dropped"],
            flags=tuple(rec["flags"]), metrics=rec["metrics"], notes=tuple(rec["notes"]), method=rec["method"],
            outcome=rec["outcome"], raw_paths=rec["raw_paths"], seconds=rec["seconds"],
        )
        key = (fc.region, fc.indicator)
        if fc.region in REGIONS:
            if fc.outcome != "failed":
                forecasts[key] = fc
            metric_rows.append({"region": fc.region, "indicator": fc.indicator, "outcome": fc.outcome,
                                "method": fc.method, "models": ", ".join(m for m, w in fc.weights.items() if w > 0),
                                "seconds": fc.seconds, "flags": "; ".join(fc.flags),
                                **{m: fc.metrics.get(m, np.nan) for m in METRIC_COLUMNS}})
        else:
            discrepancies[key] = fc
    metrics = pd.DataFrame(metric_rows, columns=METRIC_KEY_COLUMNS + METRIC_COLUMNS)
    metrics = metrics.astype({c: "float64" for c in ["seconds", *METRIC_COLUMNS]})
    scen = store_runs.read_scenarios(conn, run_id)
    run = RunResult(
        run_id=run_id, started=_time(row["started"]), finished=_time(row["finished"]), status=row["status"],
        data_hash=row["data_hash"], code_version=row["code_version"], settings=row["settings"],
        data_vintage=pd.Period(row["data_vintage"], freq="M") if row["data_vintage"] else None,
        panel=_or_empty(store_runs.read_frame(conn, run_id, "panel")), forecasts=forecasts, discrepancies=discrepancies,
        targets=_or_empty(store_runs.read_frame(conn, run_id, "targets")),
        target_table=_or_empty(store_runs.read_frame(conn, run_id, "target_table")), metrics=metrics,
        scenarios={s["name"]: store_runs.read_frame(conn, run_id, f"scenario:{s['name']}") for s in scen if s["ok"]},
        scenario_errors={s["name"]: s["message"] for s in scen if not s["ok"]},
        scenario_specs={s["name"]: s["spec"] for s in scen}, message=row["message"],
    )
    return with_targets_in_force(run, store_targets.current_targets(conn))


def _target_keys(table: pd.DataFrame) -> set[tuple]:
    if table is None or table.empty or "value" not in table.columns:
        return set()
    return {(r, i, int(y), round(float(v), 6), str(k), str(s)) for r, i, y, v, k, s in
            table[["region", "indicator", "year", "value", "kind", "status"]].itertuples(index=False)}


def with_targets_in_force(run: RunResult, targets: pd.DataFrame) -> RunResult:
    """``run`` evaluated against ``targets`` (the store's targets in force) when they differ from the ones the
    batch used: the run's stored paths answer at once, no refit (a target change needs no batch).

    ``targets`` empty (a store whose history was never seeded) leaves the run as the batch evaluated it.
    Cities without a target of their own are shown against the province's as a reference
    (:func:`forecast.decisions.targets.with_reference_targets`).
    """
    if targets is None or targets.empty or _target_keys(targets) == _target_keys(run.target_table):
        return run
    table = targets[list(TARGET_COLUMNS)].reset_index(drop=True)
    year = latest_year(run.panel)
    evaluated = evaluate_targets(run.panel, run.forecasts, with_reference_targets(table, run.forecasts, year),
                                 year=year)
    return replace(run, targets=evaluated, target_table=table)


def _or_empty(frame: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if frame is None else frame


def with_saved_scenarios(run: RunResult, scenarios: list, problems: list | None = None) -> RunResult:
    """``run`` with its scenario tables recomputed for ``scenarios`` (the scenarios saved now) from its stored
    paths: what an export made today must hold, not only what the last batch evaluated.

    Each scenario is compared on its own (:func:`forecast.decisions.scenarios.compare_scenarios`, baseline and
    scenario, the run's year and targets), so one that cannot be applied to this run is listed in
    ``scenario_errors`` with the reason and never stops the others; ``problems`` (unreadable files, from
    :func:`forecast.decisions.scenario_files.scan_scenarios`) are listed there too.

    Examples
    --------
    >>> from forecast.decisions.scenario_files import scan_scenarios
    >>> live = with_saved_scenarios(run, *scan_scenarios("data/scenarios"))
    >>> sorted(live.scenarios), sorted(live.scenario_errors)    # this run forecasts retail and trade only
    (['consumption_campaign'], ['export_shock', 'major_projects'])
    """
    tables, errors, specs = {}, {}, {}
    year = int(run.targets["year"].max()) if len(run.targets) else latest_year(run.panel)
    for s in scenarios:
        specs[s.name] = scenario_to_dict(s)
        try:
            tables[s.name] = compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, [s], year=year)
        except DataError as exc:   # the reason keeps the codes of its problems, so a front end can translate it
            errors[s.name] = Coded(exc.summary, "joined", {"parts": [Coded(p.message, p.code, p.fields)
                                                                    for p in exc.problems]}) if exc.problems else exc.summary
    for p in problems or ():
        errors[Path(str(getattr(p, "file", "") or "?")).name] = Coded(p.message, p.code, p.fields) \
            if isinstance(p, Problem) else str(p)
    return replace(run, scenarios=tables, scenario_errors=errors, scenario_specs=specs)


def changes_since_previous(run: RunResult, store: Store | str | os.PathLike | None = None) -> pd.DataFrame | None:
    """What changed since the complete run before ``run`` (:func:`forecast.decisions.changes.run_changes`: the
    previous run as its batch evaluated it, ``run`` against the targets in force), or None when ``run`` is the
    store's first complete run.

    Examples
    --------
    >>> changes_since_previous(run, store) is None               # the doctest store holds a single run
    True
    """
    previous = previous_complete_run(run.run_id, store)
    if previous is None:
        return None
    return run_changes(load_run_as_batched(previous, store), run)
