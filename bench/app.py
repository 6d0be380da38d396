"""Speed of the analysts' front end: first render, page switches, comparing three scenarios, the pack download.

    python bench/app.py                 # the store's latest run ($TROIKA_DB or data/troika.db)
    python bench/app.py --demo          # a fresh demo run of all 15 regions, 1000 paths (≈ 20 s to make)
    python bench/app.py --profile       # also the ten slowest functions of a warm overview → series switch

Goals (issue 16, "The monthly meeting from one app"): first render ≤ 1.5 s; a page switch and a comparison
of three saved scenarios ≤ 300 ms; a scenario recompute ≤ 100 ms (the earlier issue's goal). Measured with
``AppTest`` (it runs the script as the server does, without a browser, so it leaves out the browser's
drawing and the network):
- first render: a cold run of ``app.py`` (empty caches: it reads the run from SQLite and builds the page),
  once in a fresh process (imports and Streamlit's one-time start-up included: the first visitor after the
  server starts) and then per page in the warm process (a visitor after a new run);
- page switch: a warm session (every page shown once) going to each page in turn, median of three rounds;
- compare three: three saved scenarios picked together on the Scenarios page of a warm session (their
  effects are not cached yet: the first comparison);
- pack download: making the meeting pack's bytes the first time (a click; later clicks are served from
  the cache) — a download no longer reruns the page (``on_click="ignore"``, bytes made on demand).
Prints a table; not a test. The scenario files go to a temporary data folder.
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


def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _check(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what}: {at.exception[0].value}")
    if at.error:
        raise RuntimeError(f"{what}: {at.error[0].value}")


def first_render(page: str) -> float:
    """Seconds of one cold run of the app showing ``page`` (caches cleared first)."""
    _clear()
    at = _app()
    if page != "overview":
        at.session_state["page"] = page
    start = time.perf_counter()
    at.run()
    took = time.perf_counter() - start
    _check(at, page)
    return took


PAGES = ("overview", "series", "scenarios", "projects", "targets", "data", "export")


def page_switches(rounds: int = 3) -> dict[str, float]:
    """Median seconds of switching to each page in a warm session (every page shown once before)."""
    _clear()
    at = _app().run()
    for page in PAGES:  # warm: every page once
        at.radio(key="page").set_value(page)
        at.run()
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    for _ in range(rounds):
        for page in PAGES:
            at.radio(key="page").set_value(page)
            start = time.perf_counter()
            at.run()
            times[page].append(time.perf_counter() - start)
            _check(at, page)
    return {p: statistics.median(v) for p, v in times.items()}


def save_three(run, folder: Path) -> list[str]:
    """Three scenarios on the run's retail and trade, saved as files in ``folder``."""
    from forecast.app.access import local_actor
    from forecast.app.saved_scenarios import save_named_scenario
    from forecast.decisions.scenarios import Adjustment, Scenario

    first = run.forecasts[("shenyang", "retail")].periods[0]
    months = f"{first}..{first.year}-12"
    cities = tuple(r for r in ALL[1:] if (r, "retail") in run.forecasts)
    scenarios = [Scenario("bench-a", (Adjustment("pp", "retail", cities[:1], months, 2.0),)),
                 Scenario("bench-b", (Adjustment("pct", "retail", cities, months, -3.0),)),
                 Scenario("bench-c", (Adjustment("pp", "trade", cities[:2], months, 1.5),
                                      Adjustment("pp", "retail", cities[1:2], months, 1.0)))]
    folder.mkdir(parents=True, exist_ok=True)
    for s in scenarios:
        save_named_scenario(s, folder, actor=local_actor(), db=os.environ["TROIKA_DB"])
    return [s.name for s in scenarios]


def compare_three(names: list[str]) -> float:
    """Seconds of the Scenarios page comparing three saved scenarios picked together (warm page, effects cold)."""
    _clear()
    at = _app().run()
    at.radio(key="page").set_value("scenarios")
    at.run()
    at.multiselect(key="scn_pick").set_value(names)
    start = time.perf_counter()
    at.run()
    took = time.perf_counter() - start
    _check(at, "compare")
    if len(at.container("scn_compare_table").dataframe[0].value) == 0:
        raise RuntimeError("the comparison is empty")
    return took


def pack_download(run, lang: str = "zh") -> float:
    """Seconds of making the meeting pack's bytes (with every saved scenario) on a download click."""
    from forecast.app import saved_scenarios, storage

    start = time.perf_counter()
    storage.meeting_pack(saved_scenarios.with_saved_scenarios_now(run), lang)
    return time.perf_counter() - start


def profile_switch() -> None:
    """The ten functions taking the most time in a warm overview → series → overview switch."""
    import cProfile
    import pstats

    _clear()
    at = _app().run()
    for page in PAGES:
        at.radio(key="page").set_value(page)
        at.run()
    prof = cProfile.Profile()
    prof.enable()
    for page in ("overview", "series", "overview"):
        at.radio(key="page").set_value(page)
        at.run()
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


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
    ap.add_argument("--profile", action="store_true", help="print the slowest functions of a warm page switch")
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
    data = Path(tempfile.mkdtemp(prefix="troika-bench-data-"))
    os.environ["TROIKA_DATA_DIR"] = str(data)
    n_paths = next(iter(run.forecasts.values())).paths.shape[0]
    print(f"run {run.run_id}: {len(run.forecasts)} series × {n_paths} paths, data up to {run.data_vintage}\n")

    # the very first run of a process also imports the app's modules and does Streamlit's one-time start-up
    # (a server does it once, for its first visitor); then every page cold, caches cleared, as a new visitor
    # after a new run sees it
    rows = [("first render: overview, fresh process (imports, start-up)", first_render("overview"), 1.5, "s")]
    rows += [(f"first render: {page} (caches empty)", first_render(page), 1.5, "s") for page in ("overview", "series", "scenarios")]
    names = save_three(run, data / "scenarios")
    for page, took in page_switches().items():
        rows.append((f"page switch: to {page}", took * 1000, 300.0, "ms"))
    rows.append(("compare three saved scenarios", compare_three(names) * 1000, 300.0, "ms"))
    for cities in (("shenyang",), ALL[1:]):
        eff_ms, full_ms, n_changed = scenario_ms(run, cities)
        rows.append((f"scenario recompute: {len(cities)} {'city' if len(cities) == 1 else 'cities'}, {n_changed} series changed",
                     eff_ms, 100.0, "ms"))
    rows.append(("compare_scenarios, every series (reference)", full_ms, float("nan"), "ms"))
    rows.append(("pack download: bytes made on the click (once per run, language, scenarios)", pack_download(run),
                 float("nan"), "s"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}  {'goal':>8}  met")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 8}  ---")
    for name, value, goal, unit in rows:
        met = "" if goal != goal else ("yes" if value <= goal else "NO")
        shown_goal = "" if goal != goal else f"≤ {goal:g} {unit}"
        print(f"{name:<{width}}  {value:>6.2f} {unit:<2}  {shown_goal:>8}  {met}")
    if args.profile:
        profile_switch()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
