"""Calibration of the full-year growth forecast on rolling origins over the bundled Liaoning panel.

Usage::

    python bench/calibration.py                              # 2019-2025, every origin month, 300 paths
    python bench/calibration.py --months 2,5,8,11 --workers 2
    python bench/calibration.py --cases /tmp/cal.csv --resume  # continue an interrupted grid
    python bench/calibration.py --summarise /tmp/cal.csv       # only print the tables of a finished run

For every year ``Y`` of ``--years`` and every origin month of ``--months`` (the periods of the 11-period
year before December: 2 = Jan-Feb, 3 = Mar, ..., 11 = Nov), the panel of
``forecast.data.files.load_bundled()`` → ``forecast.data.panel.build_panel`` (11 periods) is cut after the
origin period and every series is forecast with the batch's engine settings
(:func:`forecast.engine.panel_forecast.forecast_panel`: ``method="auto"``, the default candidates, seed 0,
horizon to December of the next year) but ``--n-paths`` sample paths (default 300; the batch draws
1,000). No reconciliation: these are the engine's own paths, before MinT.

From the paths, :func:`forecast.decisions.targets.full_year_growth_paths` gives the distribution of the
year's full-year (December YTD) growth of each series; it is compared with the published December YTD
growth of ``Y`` in the uncut panel. Printed per indicator: coverage of the 80 % interval (p10-p90) and its
mean width (百分点), overall, per origin month and per year; the signed miss (actual below p10 / above
p90). For the rows of ``data/targets.csv`` with a published target for that region × indicator × year,
:func:`forecast.decisions.targets.evaluate_targets` gives P(full-year growth ≥ target) and the Brier score
against the outcome (published growth ≥ target).

Each origin's cases are appended to ``--cases`` (CSV) as soon as that origin is done, with its wall
time, so an interrupted run keeps what it measured and ``--resume`` skips the origins already there.
Origins run month by month (all years of a month before the next month, in ``--months`` order), so a
run cut short still covers every year for the months it reached.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

MONTH_LABEL = {2: "Jan-Feb", 3: "Mar", 4: "Apr", 5: "May", 6: "Jun", 7: "Jul", 8: "Aug", 9: "Sep", 10: "Oct",
               11: "Nov"}
#: Default order of origin months: spread over the year first, so a run cut short is a fair subsample.
MONTH_ORDER = (2, 5, 8, 11, 3, 6, 9, 4, 7, 10)
INDICATORS = ("fai", "retail", "trade", "exports", "imports")
WINDOW_NOTE = "last two years before each origin's year, 0.8 quantile of the side-wise miss, shrunk toward all indicators, n0 = 30"


def _years(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(y) for y in text.split(",")]


def actual_growth(panel: pd.DataFrame, year: int) -> dict[tuple[str, str], float]:
    """Published December YTD growth of ``year`` per (region, indicator), where it is finite."""
    dec = panel[panel["period"] == pd.Period(f"{year}-12", "M")]
    return {(r, i): float(g) for r, i, g in zip(dec["region"], dec["indicator"], dec["ytd_yoy"], strict=True)
            if np.isfinite(g)}


def learnt_scales(cases: pd.DataFrame | None, year: int) -> pd.DataFrame | None:
    """The spread table the batch would have had at an origin of ``year``: learnt on the cases of the last
    :data:`forecast.engine.calibration.WINDOW` years before it (their Decembers were published by then)."""
    from forecast.engine.calibration import learn_spread_scales

    if cases is None or not len(cases):
        return None
    past = cases[cases["year"] < year].rename(columns={"month": "origin"})
    return learn_spread_scales(past) if len(past) else None


def run_origin(panel: pd.DataFrame, targets: pd.DataFrame, year: int, month: int, n_paths: int,
               workers: int, scales: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Cases (one per series) and target rows of one origin; its wall time in seconds.

    With ``scales`` (:func:`learnt_scales`) every case and target row also carries the calibrated figures
    (``*_cal``): the same paths scaled as the batch scales them (:func:`forecast.engine.calibration.apply_spread_scales`).
    """
    from forecast.data.errors import DataError
    from forecast.decisions.targets import evaluate_targets, full_year_growth_paths
    from forecast.engine.calibration import apply_spread_scales
    from forecast.engine.panel_forecast import forecast_panel

    cut = pd.Period(f"{year}-{month:02d}", "M")
    sub = panel[panel["period"] <= cut]
    t0 = time.perf_counter()
    fcs = forecast_panel(sub, n_paths=n_paths, seed=0, periods_per_year=11, workers=workers)
    cal = apply_spread_scales(fcs, scales)
    actual = actual_growth(panel, year)
    rows = []
    for (region, indicator), grp in sub.groupby(["region", "indicator"], sort=True):
        row = {"year": year, "month": month, "region": region, "indicator": indicator,
               "actual": actual.get((region, indicator), np.nan), "note": ""}
        fc = fcs.get((region, indicator))
        try:
            g = full_year_growth_paths(grp, fc, year)
            g_cal = full_year_growth_paths(grp, cal.get((region, indicator)), year)
        except DataError as exc:
            row["note"] = exc.summary
            rows.append(row)
            continue
        ok = np.isfinite(g) & np.isfinite(g_cal)
        g, g_cal = g[ok], g_cal[ok]
        if not len(g):
            row["note"] = "no finite paths"
            rows.append(row)
            continue
        p10, p50, p90 = np.quantile(g, (0.1, 0.5, 0.9))
        c10, c50, c90 = np.quantile(g_cal, (0.1, 0.5, 0.9))
        row.update(p10=p10, p50=p50, p90=p90, mean=float(g.mean()), sd=float(g.std()), n_paths=len(g),
                   flags=";".join(map(str, getattr(fc, "flags", ()))),
                   scale=float(cal[(region, indicator)].metrics.get("spread_scale", 1.0)),
                   p10_cal=c10, p50_cal=c50, p90_cal=c90, mean_cal=float(g_cal.mean()))
        rows.append(row)
    pub = targets[targets["status"] == "published"]
    ev = evaluate_targets(sub, fcs, pub, year=year)
    ev_cal = evaluate_targets(sub, cal, pub, year=year)
    ev = ev[["region", "indicator", "year", "target", "kind", "probability", "projected", "p10", "p90", "note"]].copy()
    ev["probability_cal"] = ev_cal["probability"].to_numpy()
    ev["month"] = month
    ev["actual"] = [actual.get((r, i), np.nan) for r, i in zip(ev["region"], ev["indicator"], strict=True)]
    wall = time.perf_counter() - t0
    cases = pd.DataFrame(rows)
    cases["origin_seconds"] = wall
    return cases, ev, wall


def coverage_tables(cases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Coverage (%) of the 80 % interval and mean width (pp) by indicator: overall, per origin month, per year."""
    c = cases.dropna(subset=["p10", "p90", "actual"]).copy()
    c["inside"] = ((c["actual"] >= c["p10"]) & (c["actual"] <= c["p90"])) * 100.0
    c["below"] = (c["actual"] < c["p10"]) * 100.0
    c["above"] = (c["actual"] > c["p90"]) * 100.0
    c["width"] = c["p90"] - c["p10"]
    c["abs_err"] = (c["p50"] - c["actual"]).abs()
    # the standardised miss: where the actual falls in the interval's scale, for a spread-scale estimate
    c["z"] = (c["actual"] - c["p50"]) / (c["width"] / 2.5631)  # 2 × 1.2816: (p90 − p10) of a normal in σ

    def agg(df: pd.DataFrame) -> pd.Series:
        return pd.Series({"cases": len(df), "cov80": df["inside"].mean(), "below_p10": df["below"].mean(),
                          "above_p90": df["above"].mean(), "width_pp": df["width"].mean(),
                          "mae_pp": df["abs_err"].mean(), "scale": float(np.median(np.abs(df["z"])) / 0.6745)})

    out = {"indicator": pd.concat([c.groupby("indicator").apply(agg, include_groups=False),
                                   agg(c).to_frame("all").T])}
    for key in ("month", "year"):
        cov = c.pivot_table(index="indicator", columns=key, values="inside", aggfunc="mean")
        wid = c.pivot_table(index="indicator", columns=key, values="width", aggfunc="mean")
        cov.loc["all"] = c.groupby(key)["inside"].mean()
        wid.loc["all"] = c.groupby(key)["width"].mean()
        if key == "month":
            cov.columns = wid.columns = [MONTH_LABEL[m] for m in cov.columns]
        out[f"cov_{key}"], out[f"width_{key}"] = cov, wid
    out["region"] = c.assign(province=np.where(c["region"] == "liaoning", "province", "cities")).groupby(
        ["indicator", "province"]).apply(agg, include_groups=False)
    return out


def calibrated(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases with the calibrated figures in place of the raw ones (rows without them left out)."""
    if "p10_cal" not in cases:
        return pd.DataFrame()
    c = cases.dropna(subset=["p10_cal"]).copy()
    for q in ("p10", "p50", "p90", "mean"):
        c[q] = c[f"{q}_cal"]
    return c


def brier_table(ev: pd.DataFrame, column: str = "probability") -> pd.DataFrame:
    """Brier score of P(growth ≥ target) per indicator, with the climatological reference (base rate)."""
    e = ev.dropna(subset=[column, "actual"]).copy()
    e["probability"] = e[column]
    e["met"] = (e["actual"] >= e["target"]).astype(float)
    e["sq"] = (e["probability"] - e["met"]) ** 2

    def agg(df: pd.DataFrame) -> pd.Series:
        met = df["met"].mean()
        return pd.Series({"cases": len(df), "targets": df[[k for k in ("region", "indicator", "year") if k in df]].drop_duplicates().shape[0],
                          "met_share": met, "mean_p": df["probability"].mean(),
                          "brier": df["sq"].mean(), "brier_base_rate": met * (1 - met),
                          "brier_early": df.loc[df["month"] <= 6, "sq"].mean(),
                          "brier_late": df.loc[df["month"] > 6, "sq"].mean()})

    return pd.concat([e.groupby("indicator").apply(agg, include_groups=False), agg(e).to_frame("all").T])


def _print_breakdown(tabs: dict[str, pd.DataFrame], prefix: str) -> None:
    """Coverage and width by origin month, coverage by year, of :func:`coverage_tables`."""
    for key, what in (("cov_month", "coverage (%) by origin month"), ("width_month", "mean width (pp) by origin month"),
                      ("cov_year", "coverage (%) by year")):
        print(f"\n{prefix}{what}")
        print(tabs[key].round(1).to_string())


def summarise(cases: pd.DataFrame, ev: pd.DataFrame) -> None:
    pd.set_option("display.width", 200)
    tabs = coverage_tables(cases)
    print("\nfull-year growth, 80 % interval (p10-p90) by indicator: coverage (%), signed misses (%), "
          "mean width (pp), mean |median - actual| (pp), spread scale (robust sd of the standardised miss)")
    print(tabs["indicator"].round(2).to_string())
    _print_breakdown(tabs, "")
    print("\nmean width (pp) by year")
    print(tabs["width_year"].round(1).to_string())
    print("\nprovince vs cities")
    print(tabs["region"].round(2).to_string())
    cal = calibrated(cases)
    if len(cal):
        later = cases[cases["year"] > cases["year"].min()]
        print(f"\n=== calibrated (paths scaled per indicator x origin month, learnt on the {WINDOW_NOTE}); "
              f"years {int(later['year'].min())}-{int(later['year'].max())}, raw beside it on the same cases")
        raw_t = coverage_tables(later)
        cal_t = coverage_tables(cal[cal["year"] > cases["year"].min()])
        both = pd.DataFrame({"cov80_raw": raw_t["indicator"]["cov80"], "cov80_cal": cal_t["indicator"]["cov80"],
                             "width_raw": raw_t["indicator"]["width_pp"], "width_cal": cal_t["indicator"]["width_pp"],
                             "below_p10_cal": cal_t["indicator"]["below_p10"],
                             "above_p90_cal": cal_t["indicator"]["above_p90"]})
        print(both.round(1).to_string())
        _print_breakdown(cal_t, "calibrated ")
        sc = cal.pivot_table(index="indicator", columns="month", values="scale", aggfunc="mean")
        sc.columns = [MONTH_LABEL[m] for m in sc.columns]
        print("\nmean scale applied by origin month")
        print(sc.round(2).to_string())
        sy = cal.pivot_table(index="indicator", columns="year", values="scale", aggfunc="mean")
        print("\nmean scale applied by year (a break year raises its indicator's scale for the next two)")
        print(sy.round(2).to_string())
    if len(ev):
        print("\nBrier score of P(full-year growth >= published target) (months <= 6: Jan-Feb..Jun)")
        print(brier_table(ev).round(3).to_string())
        if "probability_cal" in ev:
            print("\nthe same with the calibrated paths (years with a learnt table)")
            e2 = ev[ev["year"] > cases["year"].min()]
            print(pd.DataFrame({"brier_raw": brier_table(e2)["brier"],
                                "brier_cal": brier_table(e2, "probability_cal")["brier"],
                                "base_rate": brier_table(e2)["brier_base_rate"]}).round(3).to_string())
    notes = cases["note"].fillna("")
    if (notes != "").any():
        print(f"\n{int((notes != '').sum())} cases without a growth distribution, e.g.: {notes[notes != ''].iloc[0]}")
    t = cases.drop_duplicates(["year", "month"])["origin_seconds"]
    print(f"\n{len(t)} origins, wall per origin: mean {t.mean():.1f} s, median {t.median():.1f} s, "
          f"max {t.max():.1f} s, total {t.sum() / 60:.1f} min")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--years", default="2019-2025", help="e.g. 2019-2025 or 2020,2025")
    ap.add_argument("--months", default=",".join(map(str, MONTH_ORDER)),
                    help="origin months in run order (2 = Jan-Feb ... 11 = Nov)")
    ap.add_argument("--n-paths", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cases", type=Path, default=Path("/tmp/troika_calibration_cases.csv"))
    ap.add_argument("--resume", action="store_true", help="skip origins already in --cases")
    ap.add_argument("--stop-after", type=float, default=None, help="minutes: start no new origin after this")
    ap.add_argument("--summarise", type=Path, default=None, help="print the tables of a cases file and exit")
    ap.add_argument("--write-table", type=Path, default=None,
                    help="learn the spread table from the last two years of --cases (or --summarise) and write it "
                         "(the batch reads data/spread_scales.csv)")
    args = ap.parse_args(argv)
    if args.write_table:
        from forecast.engine.calibration import learn_spread_scales

        src = pd.read_csv(args.summarise or args.cases).rename(columns={"month": "origin"})
        table = learn_spread_scales(src)
        table["scale"] = table["scale"].round(3)
        table["pooled"] = table["pooled"].round(3)
        table.to_csv(args.write_table, index=False)
        print(f"wrote {len(table)} rows learnt on {table['years'].iloc[0]} to {args.write_table}")
        print(table.pivot_table(index="indicator", columns="origin", values="scale").round(2).to_string())
        return 0

    if args.summarise:
        cases = pd.read_csv(args.summarise)
        ev_path = args.summarise.with_name(args.summarise.stem + "_targets.csv")
        summarise(cases, pd.read_csv(ev_path) if ev_path.exists() else pd.DataFrame())
        return 0

    from forecast.data.files import load_bundled
    from forecast.data.panel import build_panel
    from forecast.data.target_table import load_targets

    panel = build_panel(load_bundled(), periods_per_year=11)
    targets = load_targets()
    ev_path = args.cases.with_name(args.cases.stem + "_targets.csv")
    done: set[tuple[int, int]] = set()
    if args.resume and args.cases.exists():
        prev = pd.read_csv(args.cases)
        done = set(zip(prev["year"], prev["month"], strict=True))
    else:
        for p in (args.cases, ev_path):
            p.unlink(missing_ok=True)
    years, months = _years(args.years), [int(m) for m in args.months.split(",")]
    print(f"{platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; {panel.groupby(['region', 'indicator']).ngroups} series, "
          f"{args.n_paths} paths, {args.workers} workers; years {years[0]}-{years[-1]}, months {months}")
    start = time.perf_counter()
    for month in months:
        for year in years:
            if (year, month) in done:
                continue
            if args.stop_after is not None and time.perf_counter() - start > 60 * args.stop_after:
                print(f"stopping: --stop-after {args.stop_after} min reached")
                break
            so_far = pd.read_csv(args.cases) if args.cases.exists() else None
            scales = learnt_scales(so_far[so_far["month"] == month] if so_far is not None else None, year)
            cases, ev, wall = run_origin(panel, targets, year, month, args.n_paths, args.workers, scales)
            cases.to_csv(args.cases, mode="a", header=not args.cases.exists(), index=False)
            ev.to_csv(ev_path, mode="a", header=not ev_path.exists(), index=False)
            print(f"origin {year}-{month:02d}: {wall:.1f} s, {cases['p10'].notna().sum()} series, "
                  f"{len(ev)} targets", flush=True)
        else:
            continue
        break
    cases = pd.read_csv(args.cases)
    summarise(cases, pd.read_csv(ev_path) if ev_path.exists() else pd.DataFrame())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    raise SystemExit(main())
