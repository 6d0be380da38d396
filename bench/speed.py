"""Speed (and full-year growth accuracy) of ``auto`` on every bundled Liaoning series.

Usage::

    python bench/speed.py                   # auto panel + both Prophet loops + peak memory
    python bench/speed.py --growth          # also: out-of-sample full-year growth error, auto vs snaive
    python bench/speed.py --limit 10 --skip-prophet
    python bench/speed.py --prophet same    # only the Prophet loop on auto's own origins (quick)

1. ``auto``: :func:`forecast.forecast_panel` on the panel of ``forecast.data.files.load_bundled()`` →
   ``forecast.data.panel.build_panel`` (11-period year, horizon to December of next year, 1,000 paths), which
   fits and backtests every candidate on every series (the backtest is how auto weights and calibrates).
2. The Prophet loops: for the same series, a plain loop of ``Prophet().fit``, Prophet's own
   ``prophet.diagnostics.cross_validation`` with the backtest horizon, then the forecast of the same
   future periods. Two of them (``--prophet default|same|both``, default both):

   - ``default``: ``cross_validation`` with its own defaults, which place the cutoffs (initial three
     horizons, a cutoff every half horizon: 13 per series here). This is the baseline the engine issue
     sets the speed target against: how a Prophet user backtests.
   - ``same``: ``cross_validation`` at auto's own 3 origins (``cutoffs=``): the same number of fits per
     model as auto makes, the Prophet way. Printed because it is the stricter comparison.
3. Peak memory: ``ru_maxrss`` of this process and of its largest child (the pool workers).
4. ``--growth``: for cutoffs in the last complete years, forecast every series from the data up to the
   cutoff with ``auto`` and with seasonal naive and compare the error of the projected full-year growth
   (pp) with the actual growth: share of series where auto's mean absolute error is smaller. Also the
   honesty of auto's uncertainty on that figure: the share of cases where the actual full-year growth
   falls inside the 80 % interval of the growth projected from auto's sample paths, and the median
   width of that interval (pp), by indicator and by cutoff month.

Wall times depend on what else runs on the machine; CPU seconds (this process and its children) are
printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

#: Sample paths per series in the ``--growth`` runs (the 80 % interval of the projected growth).
PATHS_GROWTH = 500


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def _maxrss_mib() -> tuple[float, float]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def load_panel(limit: int | None) -> pd.DataFrame:
    from forecast.data.files import load_bundled
    from forecast.data.panel import build_panel

    panel = build_panel(load_bundled(), periods_per_year=11)
    if limit:
        keys = panel[["region", "indicator"]].drop_duplicates().head(limit)
        panel = panel.merge(keys, on=["region", "indicator"])
    return panel


def bench_auto(panel: pd.DataFrame, workers: int, n_paths: int, config=None) -> dict:
    from forecast.engine.panel_forecast import forecast_panel

    wall, cpu = time.perf_counter(), _cpu()
    fcs = forecast_panel(panel, n_paths=n_paths, seed=0, periods_per_year=11, workers=workers, config=config)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    flags: dict[str, int] = {}
    dropped: dict[str, int] = {}
    weights: dict[str, list[float]] = {}
    for fc in fcs.values():
        for f in fc.flags:
            flags[f.split(":")[0]] = flags.get(f.split(":")[0], 0) + 1
        for m in fc.dropped:
            dropped[m] = dropped.get(m, 0) + 1
        for m, w in fc.weights.items():
            weights.setdefault(m, []).append(w)
    metrics = pd.DataFrame([fc.metrics for fc in fcs.values()])
    return {"fcs": fcs, "wall": wall, "cpu": cpu, "flags": flags, "dropped": dropped,
            "weights": {m: float(np.sum(w) / len(fcs)) for m, w in weights.items()}, "metrics": metrics.mean()}


def bench_prophet(panel: pd.DataFrame, fcs: dict, default_cutoffs: bool = False) -> dict:
    """Prophet fit + cross_validation (horizon of auto's backtest) + forecast, per series.

    ``default_cutoffs``: let ``cross_validation`` place its own cutoffs (its defaults: initial 3 x
    horizon, period half a horizon), as a Prophet user would; more fits than auto's backtest makes.
    Otherwise the cutoffs are auto's backtest origins.
    """
    from forecast.engine.auto import AutoConfig, plan_backtest
    from forecast.engine.models.prophet_model import _import_prophet

    Prophet = _import_prophet()  # the import troika's Prophet family uses: cmdstanpy's INFO lines silenced
    from prophet.diagnostics import cross_validation

    wall, cpu, fits = time.perf_counter(), _cpu(), 0
    for (region, indicator), grp in panel.groupby(["region", "indicator"], sort=True):
        grp = grp.sort_values("period").dropna(subset=["value"])
        ds = pd.PeriodIndex(grp["period"], freq="M").to_timestamp(how="end").normalize()
        df = pd.DataFrame({"ds": ds, "y": grp["value"].to_numpy(float)})
        fc = fcs[(region, indicator)]
        h = len(fc.periods)
        bt_h, k, step = plan_backtest(len(df), h, 11, AutoConfig())
        origins = [len(df) - bt_h - step * (k - 1 - i) for i in range(k)]
        cutoffs = [df["ds"].iloc[t - 1] for t in origins]
        horizon = df["ds"].iloc[-1] - cutoffs[-1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = Prophet().fit(df)
            cv = cross_validation(model, horizon=horizon, cutoffs=None if default_cutoffs else cutoffs,
                                  disable_tqdm=True)
            future = pd.DataFrame({"ds": fc.periods.to_timestamp(how="end").normalize()})
            model.predict(future)
        fits += 1 + cv["cutoff"].nunique()
    return {"wall": time.perf_counter() - wall, "cpu": _cpu() - cpu, "fits": fits}


def bench_growth(panel: pd.DataFrame, workers: int, cutoff_step: int, config=None, years: int = 2) -> pd.DataFrame:
    """Out-of-sample full-year growth error (pp) of auto and snaive per series and cutoff.

    Cutoffs: for each of the last ``years`` complete years Y, December of Y-1 (the whole year ahead) and
    Jan-Feb .. November of Y (every ``cutoff_step``-th of these 11). Each cutoff refits everything on the
    data up to it (``forecast_panel`` on the truncated panel).
    """
    from forecast.data.ytd import season_of
    from forecast.engine.evaluation import full_year_growth_error
    from forecast.engine.panel_forecast import forecast_panel

    last = panel["period"].max()
    final = last.year - 1 if last.month != 12 else last.year
    cutoffs = []
    for year in range(final - years + 1, final + 1):
        months = [pd.Period(f"{year - 1}-12", "M")] + [pd.Period(f"{year}-{mo:02d}", "M") for mo in range(2, 12)]
        cutoffs += months[::cutoff_step]
    rows = []
    for c in cutoffs:
        year = c.year + 1 if c.month == 12 else c.year
        sub = panel[panel["period"] <= c]
        for method in ("auto", "snaive"):
            fcs = forecast_panel(sub, n_paths=PATHS_GROWTH, seed=0, periods_per_year=11, workers=workers,
                                 method=method, config=config)
            for (region, indicator), fc in fcs.items():
                grp = panel[(panel["region"] == region) & (panel["indicator"] == indicator)].sort_values("period")
                grp = grp[grp["period"].dt.year <= year]
                values = grp["value"].to_numpy(float)
                seasons = [season_of(p, 11) for p in grp["period"]]
                origin = int((grp["period"] <= c).sum())
                err = full_year_growth_error(values, seasons, origin, np.asarray(fc.mean), periods_per_year=11)
                row = {"region": region, "indicator": indicator, "cutoff": str(c), "method": method,
                       "error_pp": err}
                if method == "auto" and np.isfinite(err):
                    # error of the growth projected from each path: the actual is inside the 80 % interval
                    # of the projection exactly when 0 lies between the 10 % and 90 % quantiles of these
                    path_err = [full_year_growth_error(values, seasons, origin, p, periods_per_year=11)
                                for p in np.asarray(fc.paths)]
                    lo, hi = np.quantile(path_err, (0.1, 0.9))
                    row.update(inside80=bool(lo <= 0 <= hi), width80_pp=float(hi - lo))
                rows.append(row)
    return pd.DataFrame(rows)


def growth_coverage(g: pd.DataFrame) -> pd.DataFrame:
    """Coverage (%) and median width (pp) of auto's 80 % full-year growth intervals, by indicator and month."""
    a = g[(g["method"] == "auto") & g["inside80"].notna()].copy()
    a["inside80"] = a["inside80"].astype(float) * 100
    a["cutoff month"] = pd.PeriodIndex(a["cutoff"], freq="M").month
    by = []
    for key in ("indicator", "cutoff month"):
        t = a.groupby(key).agg(cases=("inside80", "size"), coverage80_pct=("inside80", "mean"),
                               median_width80_pp=("width80_pp", "median"))
        t.index = [f"{key} {v}" for v in t.index]
        by.append(t)
    total = pd.DataFrame({"cases": [len(a)], "coverage80_pct": [a["inside80"].mean()],
                          "median_width80_pp": [a["width80_pp"].median()]}, index=["all"])
    return pd.concat(by + [total]).round(1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--n-paths", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="auto runs; the median by wall time is reported")
    ap.add_argument("--limit", type=int, default=None, help="first N series only")
    ap.add_argument("--models", default=None, help="auto's candidates, comma separated (default: the engine's); "
                    "'autoets:damped' is AutoETS restricted to damped trends")
    ap.add_argument("--combination", default=None, choices=("mean", "median", "blend"),
                    help="auto's combination (default: the engine's)")
    ap.add_argument("--skip-prophet", action="store_true")
    ap.add_argument("--prophet", choices=("default", "same", "both"), default="both",
                    help="Prophet loop(s): cross_validation's own default cutoffs (the issue's baseline), "
                         "auto's 3 origins, or both (default)")
    ap.add_argument("--growth", action="store_true", help="out-of-sample full-year growth error vs snaive")
    ap.add_argument("--cutoff-step", type=int, default=2, help="--growth: every k-th cutoff month")
    ap.add_argument("--years", type=int, default=2, help="--growth: last complete years to evaluate")
    args = ap.parse_args(argv)

    from forecast.engine.auto import AutoConfig

    config = AutoConfig() if not args.models else AutoConfig(models=tuple(
        (m.split(":")[0], {"damped": True}) if m.endswith(":damped") else m for m in args.models.split(",")))
    if args.combination:
        config = replace(config, combination=args.combination)
    panel = load_panel(args.limit)
    n = panel.groupby(["region", "indicator"]).ngroups
    print(f"auto candidates: {', '.join(m if isinstance(m, str) else m[0] for m in config.models)}")
    print(f"bundled Liaoning panel: {n} series, {panel['period'].min()}..{panel['period'].max()}, 11-period year")
    runs = [bench_auto(panel, args.workers, args.n_paths, config) for _ in range(max(1, args.repeat))]
    a = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]  # the median run by wall time
    n_fits = n * len(config.models) * (config.n_origins + 1)
    print(f"auto (fit + backtest, {args.workers} workers, {args.n_paths} paths, up to {n_fits} model fits): "
          f"wall {a['wall']:.1f} s, CPU {a['cpu']:.1f} s ({a['cpu'] / n:.2f} s/series); median of "
          f"{len(runs)} runs: " + ", ".join(f"{r['wall']:.1f} s" for r in runs))
    print(f"  mean weights: { {m: round(w, 3) for m, w in a['weights'].items()} }")
    print(f"  dropped (series count): {a['dropped']}; flags: {a['flags']}")
    print("  backtest summary (means): " + ", ".join(f"{k} {v:.3f}" for k, v in a["metrics"].items()))
    if not args.skip_prophet:
        loops = {"default": ("cross_validation's own default cutoffs", True),
                 "same": ("cross_validation at auto's origins", False)}
        for key in ("default", "same") if args.prophet == "both" else (args.prophet,):
            label, default_cutoffs = loops[key]
            p = bench_prophet(panel, a["fcs"], default_cutoffs)
            print(f"Prophet loop, {label} (fit + cross_validation + forecast, {p['fits']} fits, 1 process): "
                  f"wall {p['wall']:.1f} s, CPU {p['cpu']:.1f} s")
            print(f"  auto is {p['wall'] / a['wall']:.1f}x faster in wall time, "
                  f"{p['cpu'] / a['cpu']:.1f}x in CPU time")
    me, child = _maxrss_mib()
    print(f"peak memory (maxrss): this process {me:.0f} MiB, largest child {child:.0f} MiB")
    if args.growth:
        wall = time.perf_counter()
        g = bench_growth(panel, args.workers, args.cutoff_step, config, args.years)
        per = g.assign(abs_err=g["error_pp"].abs()).pivot_table(index=["region", "indicator"], columns="method",
                                                                 values="abs_err", aggfunc="mean")
        share = float((per["auto"] < per["snaive"]).mean())
        print(f"full-year growth error, out of sample ({g['cutoff'].nunique()} cutoffs, "
              f"{time.perf_counter() - wall:.0f} s): mean |error| auto {per['auto'].mean():.2f} pp, "
              f"snaive {per['snaive'].mean():.2f} pp; auto better on {100 * share:.0f}% of {len(per)} series")
        by_ind = per.groupby(level="indicator").mean()
        print(by_ind.round(2).to_string())
        print(f"auto's 80 % intervals of the full-year growth ({PATHS_GROWTH} paths): share of cases where the "
              "actual growth fell inside, and median width")
        print(growth_coverage(g).to_string())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise SystemExit(main())
