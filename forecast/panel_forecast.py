"""Forecast every series of a panel: the engine's loop over series, with process-pool parallelism.

:func:`forecast_panel` runs :func:`forecast.engine.run_series` on each (region, indicator) series of a
panel from :func:`forecast.panel.build_panel`, on the 11-period year by default with a horizon to December
of the following year. Each series draws from its own seed derived from ``(seed, region, indicator)``,
so the result does not depend on the number of workers; one series that fails never loses the others.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd

from forecast.engine import AutoConfig, SeriesForecast, _reason, model_specs, run_series, subseed
from forecast.errors import DataError


def future_periods(last: pd.Period, h: int, periods_per_year: int = 11) -> pd.PeriodIndex:
    """The ``h`` periods after ``last`` (period-end months; Jan–Feb is month 2 in 11-period mode).

    Examples
    --------
    >>> [str(p) for p in future_periods(pd.Period("2026-10", "M"), 4)]
    ['2026-11', '2026-12', '2027-02', '2027-03']
    """
    from forecast.ytd import season_periods

    out: list[pd.Period] = []
    year = last.year
    while len(out) < h:
        out += [p for p in season_periods(year, periods_per_year) if p > last]
        year += 1
    return pd.PeriodIndex(out[:h], freq="M")


def default_horizon(last: pd.Period, periods_per_year: int = 11) -> int:
    """Periods from after ``last`` to December of the following year (11 + the rest of this year)."""
    from forecast.ytd import season_of

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


def _panel_task(task: dict) -> SeriesForecast:
    """Forecast one panel series; never raises (a failure becomes a flagged NaN result)."""
    region, indicator, ppy = task["region"], task["indicator"], task["periods_per_year"]
    periods, values = task["periods"], task["values"]
    seed = subseed(task["seed"], region, indicator)
    keys = {"region": region, "indicator": indicator}
    try:
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
            from forecast.calendar import spring_festival_regressors

            reg = spring_festival_regressors(periods.append(fut), ppy).to_numpy(dtype=float)
            X, Xf = reg[: y.size], reg[y.size :]
        # season of each period: Jan-Feb (month 2) is season 1 in the 11-period year, else the month
        seasons = np.asarray(periods.month, dtype=int) - (1 if ppy == 11 else 0)
        res = run_series(y, h, season_length=ppy, method=task["method"], n_paths=task["n_paths"], seed=seed,
                         config=config, X=X, X_future=Xf, seasons=seasons,
                         flags=(f"filled_gaps:{n_filled}",) if n_filled else ())
        return SeriesForecast(**{f: getattr(res, f) for f in _RESULT_FIELDS}, **keys, last_period=last, periods=fut)
    except Exception as exc:  # noqa: BLE001 - failure isolation: one series never loses the panel
        h = task["h"] or 0
        nan = np.full(h, np.nan)
        return SeriesForecast(mean=nan, paths=np.full((task["n_paths"], h), np.nan), weights={}, dropped={},
                              flags=(f"failed: {_reason(exc)}",), metrics={}, method=task["method"], **keys)


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
) -> dict[tuple[str, str], SeriesForecast]:
    """Forecast every (region, indicator) series of a panel from :func:`forecast.panel.build_panel`.

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
        Give Spring Festival regressors (:func:`forecast.calendar.spring_festival_regressors`) to the
        models that use regressors.
    keys : list of (region, indicator), optional
        Only these series.

    Returns
    -------
    dict
        ``(region, indicator)`` → :class:`SeriesForecast`, in panel order. A series that cannot be
        forecast at all has NaN mean and paths and a ``failed: …`` flag.

    Examples
    --------
    >>> from forecast.io import load_bundled; from forecast.panel import build_panel   # doctest: +SKIP
    >>> fcs = forecast_panel(build_panel(load_bundled()), n_paths=200, workers=2)      # doctest: +SKIP
    """
    from forecast.schema import INDICATOR, PERIOD, REGION, VALUE

    missing = [c for c in (REGION, INDICATOR, PERIOD, VALUE) if c not in panel.columns]
    if missing:
        raise DataError(f"forecast_panel: panel lacks column(s) {missing}; build it with forecast.panel.build_panel")
    tasks = []
    for (region, indicator), grp in panel.groupby([REGION, INDICATOR], sort=True):
        if keys is not None and (region, indicator) not in keys:
            continue
        grp = grp.sort_values(PERIOD)
        tasks.append({"region": region, "indicator": indicator, "periods": pd.PeriodIndex(grp[PERIOD], freq="M"),
                      "values": grp[VALUE].to_numpy(dtype=float), "h": h, "n_paths": n_paths, "seed": seed,
                      "periods_per_year": periods_per_year, "method": method, "config": config,
                      "regressors": regressors})
    if workers <= 1 or len(tasks) <= 1:
        results = [_panel_task(t) for t in tasks]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with _single_threaded_children(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            futures = [pool.submit(_panel_task, t) for t in tasks]
            results = []
            for t, fut in zip(tasks, futures, strict=True):
                try:
                    results.append(fut.result())
                except Exception:  # noqa: BLE001 - a dead worker: redo this series here
                    results.append(_panel_task(t))
    return {(r.region, r.indicator): r for r in results}
