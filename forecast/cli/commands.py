"""The batch commands of the command line: ``forecast run``, ``runs``, ``show``, ``export``, ``scenario run``,
``backup``.

Registered by :mod:`forecast.cli.main` (see :data:`forecast.cli.main.COMMANDS`); heavy modules are imported
inside the commands. Exit codes of ``forecast run`` are those of :mod:`forecast.runs.batch`: 0 complete,
3 complete with series on the fallback model (listed), 1 failed (nothing committed), 2 bad usage or
input, 75 another run holds the lock.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

_DB_HELP = "SQLite store (default: $TROIKA_DB or data/troika.db)"
_RUN_HELP = "run id, a unique prefix of one, or 'latest' (default)"


def _csv(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


# ---------------------------------------------------------------------- forecast run
def add_run(sub: Any) -> None:
    """Register ``forecast run``."""
    p = sub.add_parser(
        "run", help="the batch: ingest new files, fit and backtest every series, commit a run",
        description=(
            "Ingest new files of the input folder, then (unless data, settings and code equal the latest "
            "complete run's) fit and backtest every series in parallel, reconcile cities and province, "
            "evaluate the targets and the saved scenarios, and commit the run in one transaction. "
            "Exit codes: 0 complete; 3 complete with series on the fallback model (listed); 1 failed, "
            "nothing committed; 2 bad usage or input; 75 another `forecast run` holds the lock."),
    )
    p.add_argument("--input", metavar="DIR", help="folder of input tables (default: data/observations)")
    p.add_argument("--force", action="store_true", help="run even when nothing changed")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="local worker processes (default: the number of CPUs; 1 = this process)")
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="run the series on this Dask scheduler")
    p.add_argument("--dask-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="give up reaching the Dask scheduler after this long (default 30)")
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.add_argument("--n-paths", type=int, default=1000, metavar="N", help="sample paths per series (default 1000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--horizon", type=int, metavar="H", help="periods ahead (default: to December next year)")
    p.add_argument("--regions", type=_csv, metavar="R1,R2", help="only these regions (names or codes)")
    p.add_argument("--indicators", type=_csv, metavar="I1,I2", help="only these indicators")
    p.add_argument("--method", default="auto", help="'auto' (combination) or one model name (default auto)")
    p.add_argument("--models", type=_csv, metavar="M1,M2", help="candidates of 'auto' (default: the engine's)")
    p.add_argument("--global-min-series", type=int, default=100, metavar="N",
                   help="train auto's global members when the run has at least N series (default 100)")
    p.add_argument("--reconcile", default="bottom_up", choices=("bottom_up", "mint_shrink", "none"),
                   help="cities ↔ province reconciliation (default bottom_up)")
    p.add_argument("--models-dir", metavar="DIR", help="model artifacts folder (default: models/)")
    p.add_argument("--no-artifacts", action="store_true", help="do not write model artifacts")
    p.add_argument("--targets", metavar="PATH", help="targets table (default: data/targets.csv)")
    p.add_argument("--scenarios", metavar="DIR", help="saved scenarios folder (default: data/scenarios)")
    p.add_argument("--spread-table", metavar="PATH",
                   help="full-year spread calibration (default: data/spread_scales.csv when present; 'none': off)")
    p.add_argument("--log-file", metavar="PATH", help="append the JSON log lines here instead of stderr")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the summary table")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """Body of ``forecast run``."""
    from forecast.runs.batch import EXIT_USAGE, BatchSettings, RunLog, run_batch

    if args.workers < 1 or args.n_paths < 2:
        print("forecast: error: --workers must be ≥ 1 and --n-paths ≥ 2", file=sys.stderr)
        return EXIT_USAGE
    settings = BatchSettings(n_paths=args.n_paths, seed=args.seed, method=args.method, models=args.models,
                             h=args.horizon, regions=args.regions, indicators=args.indicators,
                             reconcile=args.reconcile, artifacts=not args.no_artifacts,
                             global_min_series=args.global_min_series)
    log_file = open(args.log_file, "a", encoding="utf-8") if args.log_file else None  # noqa: SIM115
    try:
        report = run_batch(args.db, input_dir=args.input, settings=settings, force=args.force,
                           workers=args.workers, dask_address=args.dask_address, dask_timeout=args.dask_timeout,
                           models_dir=args.models_dir, targets_path=args.targets, scenarios_dir=args.scenarios,
                           log=RunLog(log_file), spread_path=args.spread_table)
    finally:
        if log_file:
            log_file.close()
    if report.status != "unchanged" and report.run_id:  # every write is audited (a failed run wrote one too)
        from forecast.cli.targets import cli_user
        from forecast.runs.store import Store
        from forecast.runs.store.audit import record

        record(Store(args.db), cli_user(), "run_start", "forecast run", before=report.previous_run,
               after=f"{report.run_id} ({report.status})")
    if report.ingest is not None:
        for f in report.ingest.files:
            if not f.skipped:
                print(f"{f.file}: {f.rows_added} rows added ({f.rows_read} read)")
            for note in f.notes:
                print(f"{f.file}: note: {note}")
    if report.status == "unchanged":
        print(report.message)
        return report.exit_code
    if report.status == "failed":
        print(f"forecast: error: {report.message}", file=sys.stderr)
        return report.exit_code
    from forecast.runs.results import load_run

    run = load_run(report.run_id, args.db)
    print(run_summary(run, args.lang, seconds=report.seconds))
    return report.exit_code


# ---------------------------------------------------------------------- summaries
def _pct(x: Any, fmt: str = "{:.1f}") -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "" if v != v else fmt.format(round(v, 1) + 0.0)


def targets_table(run: Any, lang: str = "zh") -> str:
    """Every region × carriage of the run against its target, or without one, as an aligned text table.

    The same rows as the app's overview (:func:`forecast.decisions.standing.every_series`): a series without a
    published or analyst's target says 未设目标 / no target and still shows its projection and band; the
    province's target shown against a city is marked (参考) / (reference).
    """
    from forecast.cli.tables import period_label, render_table
    from forecast.data.catalog import INDICATORS, REGIONS
    from forecast.decisions.position import panel_base_effect
    from forecast.decisions.standing import every_series
    from forecast.decisions.targets import latest_year
    from forecast.present import i18n

    head = {"zh": ["地区", "指标", "最新时期", "累计增长(%)", "年度目标(%)", "预计全年(%)", "80%区间(%)",
                   "达标概率(%)", "其余月份需增长(%)", "剩余期基数", "状态"],
            "en": ["Region", "Indicator", "Latest", "YTD growth (%)", "Target (%)", "Projected (%)", "80% band (%)",
                   "P(meet) (%)", "Needed rest (%)", "Base of rest", "Status"]}[lang]
    rows = []
    year = int(run.targets["year"].max()) if len(run.targets) else latest_year(run.panel)
    for r in every_series(run.targets, run.panel, run.forecasts, run.target_table, year).to_dict("records"):
        effect = panel_base_effect(run.panel, r["region"], r["indicator"], int(r["year"]))
        region = REGIONS[r["region"]].name(lang) if r["region"] in REGIONS else r["region"]
        ind = INDICATORS[r["indicator"]].name(lang) if r["indicator"] in INDICATORS else r["indicator"]
        last = r.get("last_period")
        band = f"{_pct(r['p10'])}…{_pct(r['p90'])}" if _pct(r["p10"]) else ""
        status = i18n.status_label(r["status"], lang)
        rows.append([region, ind, period_label(last, lang) if last is not None and last == last else "",
                     _pct(r["ytd_growth"]),
                     i18n.fmt_target(r["target"], r["kind"], lang, r.get("target_status", "")) if r["has_target"] else "",
                     _pct(r["projected"]), band,
                     _pct(100 * r["probability"] if r["probability"] == r["probability"] else None, "{:.0f}"),
                     _pct(r["required_growth"]), i18n.t(f"base_flag_{effect.direction}", lang) if effect and effect.direction != "usual" else "", status])
    return render_table(head, rows, "lllrrrrrrll")


def run_summary(run: Any, lang: str = "zh", seconds: float | None = None) -> str:
    """Header, outcome counts, series not ok, targets table and scenario status of a run."""
    m = run.metrics
    counts = m["outcome"].value_counts().to_dict() if len(m) else {}
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    lines = [f"run {run.run_id} {run.status}{took}: {len(m)} series ({counts.get('ok', 0)} ok, "
             f"{counts.get('fallback', 0)} fallback, {counts.get('failed', 0)} failed); data to {run.data_vintage}; "
             f"{run.settings.get('n_paths')} paths, seed {run.settings.get('seed')}; {run.code_version}"]
    if run.message:
        lines.append(f"note: {run.message}")
    bad = m[m["outcome"] != "ok"]
    if len(bad):
        lines.append("series on the fallback model or failed:")
        for r in bad.to_dict("records"):
            fc = run.forecasts.get((r["region"], r["indicator"]))
            why = "; ".join(f"{k}: {v}" for k, v in fc.dropped.items()) if fc is not None else r["flags"]
            lines.append(f"  {r['region']}/{r['indicator']} ({r['outcome']}): {why}")
    if len(run.targets):
        lines += ["", targets_table(run, lang)]
    for name, err in run.scenario_errors.items():
        lines.append(f"scenario {name}: not applied ({err})")
    if run.scenarios:
        lines.append(f"scenarios evaluated: {', '.join(run.scenarios)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- runs, show
def add_runs(sub: Any) -> None:
    """Register ``forecast runs``."""
    p = sub.add_parser("runs", help="check the store (PRAGMA quick_check) and list its batch runs, oldest first")
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.set_defaults(func=cmd_runs)


def cmd_runs(args: argparse.Namespace) -> int:
    """Body of ``forecast runs``."""
    from forecast.cli.tables import render_table
    from forecast.runs.store import Store

    store = Store(args.db, create=False)
    store.check()  # PRAGMA quick_check: `forecast runs` is also how a restored backup is checked
    runs = store.runs()
    if runs.empty:
        print("no runs yet; `forecast run` makes one")
        return 0
    rows = [[r["id"], r["started"][:19], (r["finished"] or "")[:19], r["status"], r["data_vintage"] or "",
             str(r["n_series"]), str(r["n_fallback"]), str(r["n_failed"]), (r["message"] or "")[:60]]
            for r in runs.to_dict("records")]
    print(render_table(["run", "started (UTC)", "finished (UTC)", "status", "data to", "series", "fallback",
                        "failed", "message"], rows, "llllrrrrl"))
    return 0


def add_show(sub: Any) -> None:
    """Register ``forecast show``."""
    p = sub.add_parser("show", help="print a run's summary: outcomes, targets, scenarios")
    p.add_argument("run", nargs="?", default="latest", metavar="RUN", help=_RUN_HELP)
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table")
    p.set_defaults(func=cmd_show)


def cmd_show(args: argparse.Namespace) -> int:
    """Body of ``forecast show``."""
    from forecast.runs.results import load_run

    print(run_summary(load_run(args.run, args.db), args.lang))
    return 0


# ---------------------------------------------------------------------- export
def add_export(sub: Any) -> None:
    """Register ``forecast export``."""
    p = sub.add_parser("export", help="write the meeting pack (Excel) of a run, in Chinese or English")
    p.add_argument("--xlsx", required=True, metavar="FILE", help="workbook to write (.xlsx)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the workbook: sheet names, headers, notes (default zh)")
    add_run_source(p)
    p.set_defaults(func=cmd_export)


def add_run_source(p: Any) -> None:
    """``--run``, ``--db`` and ``--scenarios``: which run, which store, which saved scenarios (export, brief)."""
    p.add_argument("--run", default="latest", metavar="RUN", help=_RUN_HELP)
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.add_argument("--scenarios", metavar="DIR",
                   help="saved scenarios to include, computed now from the run's paths (default: data/scenarios)")


def cmd_export(args: argparse.Namespace) -> int:
    """Body of ``forecast export``."""
    from forecast.decisions.scenario_files import scan_scenarios
    from forecast.export.pack import export_meeting_pack
    from forecast.runs.results import changes_since_previous, load_run, with_saved_scenarios

    run = load_run(args.run, args.db)
    # every scenario saved now (not only those the last batch saw), computed from the run's stored paths
    run = with_saved_scenarios(run, *scan_scenarios(args.scenarios))
    path = export_meeting_pack(run, args.xlsx, lang=args.lang, changes=changes_since_previous(run, args.db))
    print(f"{path}: meeting pack ({args.lang}) of run {run.run_id} (data to {run.data_vintage}); "
          f"scenarios: {', '.join(run.scenarios) or 'none'}")
    for name, err in run.scenario_errors.items():
        print(f"scenario {name}: not applied ({err})")
    return 0


# ---------------------------------------------------------------------- backup
def add_backup(sub: Any) -> None:
    """Register ``forecast backup PATH``."""
    p = sub.add_parser(
        "backup", help="copy the store to PATH (SQLite online backup, checked); safe while the batch runs",
        description=(
            "Copy the store with SQLite's online backup API: one consistent state, taken while the batch "
            "and the app keep working. The copy is written to a temporary file beside PATH, checked with "
            "PRAGMA quick_check, then renamed to PATH. An existing PATH is never overwritten without "
            "--force. To restore: stop the batch, copy the backup over the store, check with `forecast "
            "runs` (docs/batch.md, 'Backup and restore')."),
    )
    p.add_argument("path", metavar="PATH", help="the backup file to write, e.g. /backup/troika-2026-11-27.db")
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.set_defaults(func=cmd_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    """Body of ``forecast backup``."""
    from forecast.runs.store import Store

    store = Store(args.db, create=False)
    copy = store.backup(args.path, force=args.force)
    print(f"{copy.path}: backup of {store.path} ({copy.bytes / 2**20:.1f} MiB; {copy.runs} runs, "
          f"{copy.complete_runs} complete; {copy.observations} observations; quick_check ok)")
    return 0


# ---------------------------------------------------------------------- scenario run
def add_scenario(sub: Any) -> None:
    """Register ``forecast scenario run FILE``."""
    p = sub.add_parser("scenario", help="what-if scenarios on the latest run")
    ssub = p.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)
    r = ssub.add_parser("run", help="apply a scenario file to a run and print it beside the baseline",
                        description="Apply a scenario (YAML/JSON, DESIGN §5) to every sample path of a stored "
                        "run and print full-year growth and target probability beside the baseline.")
    r.add_argument("file", metavar="FILE", help="scenario file, e.g. data/scenarios/export_shock.yaml")
    r.add_argument("--run", default="latest", metavar="RUN", help=_RUN_HELP)
    r.add_argument("--db", metavar="PATH", help=_DB_HELP)
    r.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table")
    r.set_defaults(func=cmd_scenario_run)


def scenario_table(table: Any, name: str, lang: str = "zh") -> str:
    """A :func:`forecast.decisions.scenarios.compare_scenarios` table as text: baseline and scenario side by side."""
    from forecast.cli.tables import render_table
    from forecast.data.catalog import INDICATORS, REGIONS

    base = table[table["scenario"] == "baseline"].set_index(["region", "indicator"])
    scen = table[table["scenario"] == name]
    head = {"zh": ["地区", "指标", "基准预计(%)", "情景预计(%)", "变化(百分点)", "目标(%)", "基准概率(%)",
                   "情景概率(%)", "概率变化(百分点)"],
            "en": ["Region", "Indicator", "Baseline (%)", "Scenario (%)", "Change (pp)", "Target (%)",
                   "P baseline (%)", "P scenario (%)", "P change (pp)"]}[lang]
    rows = []
    for r in scen.to_dict("records"):
        b = base.loc[(r["region"], r["indicator"])]
        rows.append([REGIONS[r["region"]].name(lang) if r["region"] in REGIONS else r["region"],
                     INDICATORS[r["indicator"]].name(lang) if r["indicator"] in INDICATORS else r["indicator"],
                     _pct(b["projected"]), _pct(r["projected"]), _pct(r["delta_projected"], "{:+.1f}"),
                     _pct(r["target"], "{:g}"), _pct(100 * b["probability"], "{:.0f}"),
                     _pct(100 * r["probability"], "{:.0f}"), _pct(100 * r["delta_probability"], "{:+.0f}")])
    return render_table(head, rows, "llrrrrrrr")


def cmd_scenario_run(args: argparse.Namespace) -> int:
    """Body of ``forecast scenario run``."""
    from forecast.decisions.scenarios import compare_scenarios, load_scenario
    from forecast.runs.results import load_run

    scenario = load_scenario(args.file)
    run = load_run(args.run, args.db)
    table = compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, [scenario])
    print(f"scenario {scenario.name} on run {run.run_id} (data to {run.data_vintage}):")
    print(scenario_table(table, scenario.name, args.lang))
    return 0


#: Registration functions of this module, in ``--help`` order.
COMMANDS = (add_run, add_runs, add_show, add_export, add_scenario, add_backup)
