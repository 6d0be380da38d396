"""Forecast every series of a panel: the engine's loop over series, with process-pool parallelism.

:func:`forecast_panel` runs :func:`forecast.engine.auto.run_series` on each (region, indicator) series of a
panel from :func:`forecast.data.panel.build_panel`, on the 11-period year by default with a horizon to December
of the following year. Each series draws from its own seed derived from ``(seed, region, indicator)``,
so the result does not depend on the number of workers; one series that fails never loses the others.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.calendar import spring_festival_regressors
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, PERIOD, REGION, VALUE
from forecast.data.ytd import season_of, season_periods
from forecast.engine.auto import (
    AutoConfig,
    SeriesForecast,
    check_settings,
    model_specs,
    run_series,
    run_series_variants,
    subseed,
)
from forecast.engine.calibration import calibrate_panel
from forecast.engine.candidates import failure_reason
from forecast.engine.global_members import attach_global_members, gate_panel, wants_globals
from forecast.engine.models.base import Forecaster


def future_periods(last: pd.Period, h: int, periods_per_year: int = 11) -> pd.PeriodIndex:
    """The ``h`` periods after ``last`` (period-end months; Jan–Feb is month 2 in 11-period mode).

    Examples
    --------
    >>> [str(p) for p in future_periods(pd.Period("2026-10", "M"), 4)]
    ['2026-11', '2026-12', '2027-02', '2027-03']
    """
    out: list[pd.Period] = []
    year = last.year
    while len(out) < h:
        out += [p for p in season_periods(year, periods_per_year) if p > last]
        year += 1
    return pd.PeriodIndex(out[:h], freq="M")


def default_horizon(last: pd.Period, periods_per_year: int = 11) -> int:
    """Periods from after ``last`` to December of the following year (11 + the rest of this year)."""
    return periods_per_year - season_of(last, periods_per_year) + periods_per_year


def _fill_gaps(values: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """Interior NaNs filled with the mean of the same season one year either side, else linearly."""
    v = values.copy()
    gaps = np.flatnonzero(~np.isfinite(v))
    for t in gaps:
        near = [values[j] for j in (t - m, t + m) if 0 <= j < v.size and np.isfinite(values[j])]
        if near:
            v[t] = float(np.mean(near))
    still = ~np.isfinite(v)
    if still.any():
        idx = np.arange(v.size)
        v[still] = np.interp(idx[still], idx[~still], v[~still])
    return v, int(gaps.size)


def _prepare(task: dict) -> dict:
    """The engine's inputs of one panel task: trimmed, gap-filled values, horizon, regressors, seasons."""
    region, indicator, ppy = task["region"], task["indicator"], task["periods_per_year"]
    periods, values = task["periods"], task["values"]
    ok = np.flatnonzero(np.isfinite(values))
    if ok.size == 0:
        raise DataError(f"{region}/{indicator}: no finite period values")
    periods, values = periods[ok[0] : ok[-1] + 1], values[ok[0] : ok[-1] + 1]
    y, n_filled = _fill_gaps(values, ppy)
    last = periods[-1]
    h = task["h"] or default_horizon(last, ppy)
    fut = future_periods(last, h, ppy)
    config = task["config"] or AutoConfig()
    specs = model_specs(config.models if task["method"] == "auto" else (task["method"],))
    X = Xf = None
    if task["regressors"] and any(getattr(cls, "uses_regressors", False) for _, cls, _ in specs):
        reg = spring_festival_regressors(periods.append(fut), ppy).to_numpy(dtype=float)
        X, Xf = reg[: y.size], reg[y.size :]
    # season of each period: Jan-Feb (month 2) is season 1 in the 11-period year, else the month
    seasons = np.asarray(periods.month, dtype=int) - (1 if ppy == 11 else 0)
    return {"y": y, "h": h, "last": last, "periods": fut, "config": config, "X": X, "X_future": Xf,
            "seasons": seasons, "flags": (f"filled_gaps:{n_filled}",) if n_filled else ()}


def forecast_panel_task(task: dict) -> SeriesForecast | tuple[SeriesForecast, SeriesForecast | None]:
    """Forecast one panel series; never raises (a failure becomes a flagged NaN result).

    With ``task["extra"]`` (global members, :mod:`forecast.engine.global_members`) it returns the pair of
    results without and with them, for the panel's gate to choose from.
    """
    keys = {"region": task["region"], "indicator": task["indicator"]}
    seed = subseed(task["seed"], task["region"], task["indicator"])
    try:
        p = _prepare(task)
        kw = {"season_length": task["periods_per_year"], "method": task["method"], "n_paths": task["n_paths"],
              "seed": seed, "config": p["config"], "X": p["X"], "X_future": p["X_future"], "seasons": p["seasons"],
              "flags": p["flags"]}

        def wrap(res):
            return None if res is None else SeriesForecast(**{f: getattr(res, f) for f in _RESULT_FIELDS}, **keys,
                                                           last_period=p["last"], periods=p["periods"])

        if task.get("extra") is not None:
            local, both = run_series_variants(p["y"], p["h"], extra=task["extra"], **kw)
            return wrap(local), wrap(both)
        return wrap(run_series(p["y"], p["h"], **kw))
    except Exception as exc:  # noqa: BLE001 - failure isolation: one series never loses the panel
        h = task["h"] or 0
        nan = np.full(h, np.nan)
        res = SeriesForecast(mean=nan, paths=np.full((task["n_paths"], h), np.nan), weights={}, dropped={},
                             flags=(f"failed: {failure_reason(exc)}",), metrics={}, method=task["method"], **keys)
        return (res, None) if task.get("extra") is not None else res


def attach_panel_globals(tasks: list[dict], config: AutoConfig | None) -> dict[str, str] | None:
    """:func:`forecast.engine.global_members.attach_global_members` on panel tasks (series as the engine sees
    them: trimmed and gap-filled)."""
    config = config or AutoConfig()
    if not tasks or not wants_globals(len(tasks), tasks[0]["method"], config):
        return None
    ys, hs = [], []
    for t in tasks:
        try:
            p = _prepare(t)
            ys.append(p["y"]), hs.append(p["h"])
        except Exception:  # noqa: BLE001 - the task itself reports the failure
            ys.append(None), hs.append(t["h"] or 1)
    return attach_global_members(tasks, ys, hs, tasks[0]["periods_per_year"], tasks[0]["method"], config)


_RESULT_FIELDS = ("mean", "paths", "weights", "dropped", "flags", "metrics", "method", "models")


_BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Processes started inside inherit one-thread BLAS settings (unless the user set them)."""

    saved = {k: os.environ.get(k) for k in _BLAS_ENV}
    for k in _BLAS_ENV:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def panel_tasks(panel: pd.DataFrame, *, h: int | None, n_paths: int, seed: int, periods_per_year: int, method: str,
                config: AutoConfig | None, regressors: bool = True,
                keys: list[tuple[str, str]] | None = None) -> list[dict]:
    """One task (plain dict, picklable) per (region, indicator) series of the panel, in panel order."""
    missing = [c for c in (REGION, INDICATOR, PERIOD, VALUE) if c not in panel.columns]
    if missing:
        raise DataError(f"forecast_panel: panel lacks column(s) {missing}; build it with forecast.data.panel.build_panel")
    tasks = []
    for (region, indicator), grp in panel.groupby([REGION, INDICATOR], sort=True):
        if keys is not None and (region, indicator) not in keys:
            continue
        grp = grp.sort_values(PERIOD)
        tasks.append({"region": region, "indicator": indicator, "periods": pd.PeriodIndex(grp[PERIOD], freq="M"),
                      "values": grp[VALUE].to_numpy(dtype=float), "h": h, "n_paths": n_paths, "seed": seed,
                      "periods_per_year": periods_per_year, "method": method, "config": config,
                      "regressors": regressors})
    return tasks


def forecast_panel(
    panel: pd.DataFrame,
    *,
    h: int | None = None,
    n_paths: int = 1000,
    seed: int = 0,
    periods_per_year: int = 11,
    workers: int = 1,
    method: str = "auto",
    config: AutoConfig | None = None,
    regressors: bool = True,
    keys: list[tuple[str, str]] | None = None,
    return_gate: bool = False,
) -> dict[tuple[str, str], SeriesForecast]:
    """Forecast every (region, indicator) series of a panel from :func:`forecast.data.panel.build_panel`.

    Parameters
    ----------
    panel : DataFrame
        Columns ``region, indicator, period, value`` at least (period flows on a complete grid);
        not modified.
    h : int, optional
        Horizon; default per series: to December of the year after its last period.
    n_paths, seed : int
        Paths per series; each series' seed derives from ``(seed, region, indicator)``, so results do
        not depend on ``workers`` or on which other series are in the panel.
    periods_per_year : {11, 12}
        Also the season length of the models.
    workers : int
        Processes (``concurrent.futures.ProcessPoolExecutor``); 1 runs in this process.
    method, config
        As in :func:`run_series`.
    regressors : bool
        Give Spring Festival regressors (:func:`forecast.data.calendar.spring_festival_regressors`) to the
        models that use regressors.
    keys : list of (region, indicator), optional
        Only these series.
    return_gate : bool
        Also return the panel gate's figures (None when the panel trains no global members).

    With ``method="auto"`` and at least ``config.global_min_series`` series, the global members are
    trained across the panel and kept if the panel-wide backtest admits them (:mod:`forecast.engine.global_members`).

    Returns
    -------
    dict
        ``(region, indicator)`` → :class:`SeriesForecast`, in panel order. A series that cannot be
        forecast at all has NaN mean and paths and a ``failed: …`` flag.

    Examples
    --------
    >>> fcs = forecast_panel(panel, n_paths=200, keys=[("liaoning", "retail")])   # workers=4: 4 processes
    >>> fcs["liaoning", "retail"].periods[[0, -1]], fcs["liaoning", "retail"].paths.shape
    (PeriodIndex(['2026-11', '2027-12'], dtype='period[M]'), (200, 13))
    """
    tasks = panel_tasks(panel, h=h, n_paths=n_paths, seed=seed, periods_per_year=periods_per_year, method=method,
                        config=config, regressors=regressors, keys=keys)
    failed = attach_panel_globals(tasks, config)
    results, gate = map_tasks(forecast_panel_task, tasks, workers), None
    if failed is not None:
        results, gate = gate_panel(results, failed, config or AutoConfig())
    out = {(r.region, r.indicator): r for r in results}
    return (out, gate) if return_gate else out


def map_tasks(fn, tasks: list, workers: int) -> list:
    """``[fn(t) for t in tasks]``, in a spawn-started process pool when ``workers > 1``.

    Single-threaded BLAS in the workers; a task whose worker dies is redone in this process.
    """
    if workers <= 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with _single_threaded_children(), ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        futures = [pool.submit(fn, t) for t in tasks]
        results = []
        for t, fut in zip(tasks, futures, strict=True):
            try:
                results.append(fut.result())
            except Exception:  # noqa: BLE001 - a dead worker: redo this task here
                results.append(fn(t))
    return results


def _many_task(task: dict) -> Any:
    kw = {k: task[k] for k in ("season_length", "method", "n_paths", "seed", "config")}
    if task.get("extra") is not None:
        return run_series_variants(task["y"], task["h"], extra=task["extra"], **kw)
    return run_series(task["y"], task["h"], **kw)


def forecast_many(ys, h, *, season_length=12, method="auto", n_paths=1000, seed=0, workers=1, config=None,
                  return_gate=False):
    """Forecast many series at once: :func:`forecast.forecast_series` for each, plus global members.

    The spread of a collection of at least :data:`forecast.engine.calibration.MIN_PANEL` series is then
    calibrated across it (``AutoConfig.panel_calibration``, :func:`forecast.engine.calibration.calibrate_panel`):
    per horizon on every series' leave-one-origin-out backtest misses, each series' own factor shrunk toward
    the panel's. A collection of at least ``AutoConfig.global_min_series`` series (default 100) also trains the
    global models of ``AutoConfig.global_models`` across all of them, offers them to every series' ``auto``
    combination and keeps them if they beat the combinations without them on the pooled backtest
    (:mod:`forecast.engine.global_members`). Fewer series: exactly ``forecast_series`` on each.

    Parameters
    ----------
    ys : sequence of array-like
        The series (each 1-D, finite floats, oldest first; lengths may differ).
    h, season_length, method, n_paths
        As in :func:`forecast.forecast_series`, the same for every series.
    seed : int
        Series ``i`` draws from ``subseed(seed, "series", i)``: reproducible, independent across series.
    workers : int
        Processes for the per-series work (1: this process). The global models train here.
    config : AutoConfig, optional
    return_gate : bool
        Also return the gate's figures (:func:`forecast.engine.global_members.choose_variants`; None without
        global members).

    Returns
    -------
    list of ForecastResult, in the order of ``ys`` (and the gate's dict with ``return_gate``)

    Examples
    --------
    >>> fcs = forecast_many([[1.0, 3.0, 2.0] * 8, [5.0, 4.0, 6.0] * 8], 3, season_length=3, n_paths=20)
    >>> [fc.mean.round(0).tolist() for fc in fcs]       # each repeats its own pattern
    [[1.0, 3.0, 2.0], [5.0, 4.0, 6.0]]
    """
    arrs = []
    for i, y in enumerate(ys):
        try:
            arrs.append(Forecaster._as_series(y))
        except DataError as exc:
            raise DataError(f"series {i} of forecast_many: {exc}") from exc
    h, season_length, n_paths = check_settings(h, season_length, n_paths)
    config = config or AutoConfig()
    tasks = [{"y": a, "h": h, "season_length": season_length, "method": method, "n_paths": n_paths,
              "seed": subseed(seed, "series", i), "config": config} for i, a in enumerate(arrs)]
    failed = attach_global_members(tasks, arrs, [h] * len(arrs), season_length, method, config)
    results, gate = map_tasks(_many_task, tasks, workers), None
    if failed is not None:
        results, gate = gate_panel(results, failed, config)
    if config.panel_calibration:
        results = calibrate_panel(results)
    return (results, gate) if return_gate else results
