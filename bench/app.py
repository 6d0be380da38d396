"""Speed of the analysts' front end: first render of the app from the store, and a scenario recompute.

    python bench/app.py                 # the store's latest run ($TROIKA_DB or data/troika.db)
    python bench/app.py --demo          # a fresh demo run of all 15 regions, 1000 paths (≈ 20 s to make)

Goals (issue "The analyst's front ends"): first render ≤ 3 s, scenario recompute ≤ 100 ms. The first
render is a cold ``AppTest`` run of ``app.py`` (empty caches: it reads the run from SQLite and builds the
page) per page; the recompute is :func:`forecast.app.overview_tables.scenario_effect` (apply the scenario to the
stored paths and evaluate the series it changes), median of repeated calls. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALL = ("liaoning", "shenyang", "dalian", "anshan", "fushun", "benxi", "dandong", "jinzhou", "yingkou", "fuxin",
       "liaoyang", "panjin", "tieling", "chaoyang", "huludao")


def first_render(page: str) -> float:
    """Seconds of one cold run of the app showing ``page`` (caches cleared first)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "overview":
        at.session_state["page"] = page
    start = time.perf_counter()
    at.run()
    took = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    return took


def scenario_ms(run, cities: tuple[str, ...], repeats: int = 20) -> tuple[float, float, int]:
    """Median ms of a scenario recompute (per-run context cached, as the app does) and of compare_scenarios,
    for +2 pp on the retail sales of ``cities`` over the rest of the year."""
    from forecast.app import overview_tables, scenario_tables
    from forecast.decisions.scenarios import Adjustment, Scenario, compare_scenarios

    first = run.forecasts[("shenyang", "retail")].periods[0]
    cities = tuple(r for r in cities if (r, "retail") in run.forecasts)
    scenario = Scenario("bench", (Adjustment("pp", "retail", cities, f"{first}..{first.year}-12", 2.0),))
    context = scenario_tables.scenario_context(run)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        eff = scenario_tables.scenario_effect(run, scenario, context)
        times.append(time.perf_counter() - start)
    full = []
    for _ in range(3):
        start = time.perf_counter()
        compare_scenarios(run.panel, overview_tables.scenario_inputs(run), overview_tables.targets_input(run), [scenario], year=overview_tables.run_year(run))
        full.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, statistics.median(full) * 1000, len(eff)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="store to read (default $TROIKA_DB or data/troika.db)")
    ap.add_argument("--demo", action="store_true", help="make a demo run of all regions in a temporary store")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from forecast.runs.results import load_latest_run

    if args.db:
        os.environ["TROIKA_DB"] = args.db
    run = None if args.demo else load_latest_run()
    if run is None:
        from forecast.app.storage import demo_store

        folder = tempfile.mkdtemp(prefix="troika-bench-")
        print(f"making a demo run of {len(ALL)} regions × 5 indicators, 1000 paths in {folder} …", flush=True)
        start = time.perf_counter()
        os.environ["TROIKA_DB"] = str(demo_store(folder, ALL, n_paths=1000))
        print(f"  made in {time.perf_counter() - start:.1f} s")
        run = load_latest_run()
    n_paths = next(iter(run.forecasts.values())).paths.shape[0]
    print(f"run {run.run_id}: {len(run.forecasts)} series × {n_paths} paths, data up to {run.data_vintage}\n")

    rows = [(f"first render: {page}", first_render(page), 3.0, "s") for page in ("overview", "series", "scenarios")]
    for cities in (("shenyang",), ALL[1:]):
        eff_ms, full_ms, n_changed = scenario_ms(run, cities)
        rows.append((f"scenario recompute: {len(cities)} {'city' if len(cities) == 1 else 'cities'}, {n_changed} series changed",
                     eff_ms, 100.0, "ms"))
    rows.append(("compare_scenarios, every series (reference)", full_ms, float("nan"), "ms"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}  {'goal':>8}  met")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 8}  ---")
    for name, value, goal, unit in rows:
        met = "" if goal != goal else ("yes" if value <= goal else "NO")
        shown_goal = "" if goal != goal else f"≤ {goal:g} {unit}"
        print(f"{name:<{width}}  {value:>6.2f} {unit:<2}  {shown_goal:>8}  {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
