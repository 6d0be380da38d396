"""The scheduled batch: ingest → fit and backtest every series in parallel → reconcile → targets and
scenarios → model artifacts → commit the run.

:func:`run_batch` is what ``forecast run`` calls. It first checks the store file (``PRAGMA quick_check``,
:meth:`forecast.runs.store.Store.check`: a damaged store fails the run, exit 1, before anything is
written). Then, under the store's lock (one batch at a time, :class:`forecast.runs.store.RunLock`) it

1. marks runs left ``running`` by a killed batch as failed and removes their artifacts;
2. ingests new files of the input folder (files already ingested are skipped by their sha256);
3. seeds the store's target history from the targets file (new or changed rows only) and takes the
   targets in force; hashes the data (stored observations of the selected series and the saved
   scenarios: a target change needs no refit) and returns at once when hash, settings and code version
   equal the latest complete run's (unless ``force``);
4. records the run as ``running``, fits every series (:mod:`forecast.runs.batch.tasks`: this process, a
   local process pool or a Dask cluster), reconciles cities and province
   (:func:`forecast.decisions.reconcile.reconcile`), evaluates the targets and each saved scenario;
5. writes model artifacts to ``models/.tmp-<run_id>/`` and renames the folder to ``models/<run_id>/``;
6. writes every row of the run and marks it complete in one transaction.

Anything that stops the batch before step 6 leaves the previous complete run as the latest: readers
never see a half-written run. Exit codes of ``forecast run``: :data:`EXIT_OK`, :data:`EXIT_FALLBACK`
(complete, some series on the fallback model or failed), :data:`EXIT_FAILED` (nothing committed),
:data:`EXIT_USAGE` (bad usage or input), :data:`EXIT_LOCKED` (another run holds the lock).

Test hooks (environment): ``TROIKA_TEST_PAUSE_AT=stage[,stage]`` makes the batch print
``TROIKA_PAUSED <stage>`` on stderr and sleep at the named :data:`STAGES` (so a test can kill it there);
``TROIKA_TEST_FAIL_SERIES=region/indicator[,…]`` makes every model of those series fail (recorded in
the run's settings).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from forecast.data.catalog import INDICATORS, REGIONS, indicator_code, region_code
from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir
from forecast.data.panel import build_panel
from forecast.data.schema import TARGET_COLUMNS
from forecast.data.spread_table import load_spread_scales
from forecast.decisions.reconcile import METHODS
from forecast.runs.batch.artifacts import clean_artifacts, write_artifacts
from forecast.runs.batch.assemble import assemble_run
from forecast.runs.batch.inputs import (
    INPUT_SUFFIXES,
    MODELS_ENV,
    SavedScenario,
    code_version,
    data_hash,
    default_models_dir,
    input_files,
    load_inputs,
    new_run_id,
)
from forecast.runs.batch.log import RunLog
from forecast.runs.batch.stages import STAGES, pause_point
from forecast.runs.batch.tasks import (
    attach_batch_globals,
    build_tasks,
    choose_batch_variants,
    fit_series,
    model_artifacts,
    outcome_of,
    run_dask,
    run_local,
)
from forecast.runs.store import IngestReport, Store
from forecast.runs.store import runs as store_runs
from forecast.runs.store.schema import now

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_FALLBACK, EXIT_LOCKED = 0, 1, 2, 3, 75
FAIL_ENV = "TROIKA_TEST_FAIL_SERIES"

__all__ = ["EXIT_FAILED", "EXIT_FALLBACK", "EXIT_LOCKED", "EXIT_OK", "EXIT_USAGE", "INPUT_SUFFIXES", "MODELS_ENV",
           "STAGES", "BatchReport", "BatchSettings", "RunLog", "SavedScenario", "clean_artifacts", "code_version",
           "data_hash", "default_models_dir", "fit_series", "input_files", "load_inputs", "model_artifacts",
           "new_run_id", "outcome_of", "pause_point", "run_batch", "run_dask", "run_local", "write_artifacts"]


@dataclass(frozen=True)
class BatchSettings:
    """What a run computes; equal settings (and data and code) mean an equal run.

    ``workers`` and the Dask address are not settings: they change where a series is fitted, not its
    result. ``fail_series`` is fault injection for tests (``region/indicator`` names). A panel of at least
    ``global_min_series`` series trains global members for ``auto`` (:mod:`forecast.engine.global_members`).

    Examples
    --------
    >>> BatchSettings(n_paths=200, regions=("沈阳", "liaoning")).normalised().regions
    ('liaoning', 'shenyang')
    """

    n_paths: int = 1000
    seed: int = 0
    periods_per_year: int = 11
    method: str = "auto"
    models: tuple[str, ...] | None = None
    h: int | None = None
    regions: tuple[str, ...] | None = None
    indicators: tuple[str, ...] | None = None
    reconcile: str = "bottom_up"
    artifacts: bool = True
    fail_series: tuple[str, ...] = ()
    global_min_series: int = 100

    def normalised(self) -> BatchSettings:
        """Names resolved to catalogue codes and sorted in catalogue order; bad values raise DataError."""
        problems = []

        def check(ok: bool, what: str, expected: str) -> None:
            if not ok:
                value = getattr(self, what)
                problems.append(Problem("settings", None, what, f"got {value!r}; expected {expected}", "bad_setting",
                                        {"value": value, "requirement": expected}))

        check(int(self.n_paths) == self.n_paths and self.n_paths >= 2, "n_paths", "a whole number ≥ 2")
        check(self.periods_per_year in (11, 12), "periods_per_year", "11 or 12")
        check(self.h is None or (int(self.h) == self.h and self.h >= 1), "h", "a whole number ≥ 1")
        check(int(self.global_min_series) == self.global_min_series and self.global_min_series >= 2, "global_min_series",
              "a whole number ≥ 2")
        check(self.reconcile in (*METHODS, "none") and self.reconcile != "pin", "reconcile",
              "bottom_up, mint_shrink or none")
        regions = indicators = None
        try:
            if self.regions:
                codes = {region_code(r) for r in self.regions}
                regions = tuple(r for r in REGIONS if r in codes)
            if self.indicators:
                codes = {indicator_code(i) for i in self.indicators}
                indicators = tuple(i for i in INDICATORS if i in codes)
            fails = tuple(sorted(f"{region_code(s.split('/')[0])}/{indicator_code(s.split('/')[1])}"
                                 for s in self.fail_series))
        except (DataError, IndexError) as e:
            problems.append(Problem("settings", None, "regions/indicators", str(e).splitlines()[0], "bad_series_setting",
                                    {"error": str(e).splitlines()[0]}))
            fails = ()
        if problems:
            raise DataError("invalid batch settings", problems)
        return BatchSettings(int(self.n_paths), int(self.seed), int(self.periods_per_year), self.method,
                             tuple(self.models) if self.models else None, self.h, regions, indicators,
                             self.reconcile, bool(self.artifacts), fails, int(self.global_min_series))

    def to_dict(self) -> dict:
        """JSON-ready dict (tuples as lists): what the store records and compares."""
        return json.loads(json.dumps(asdict(self)))


@dataclass(frozen=True)
class BatchReport:
    """What :func:`run_batch` did: ``status`` ``complete`` | ``unchanged`` | ``failed`` and the exit code."""

    status: str
    exit_code: int
    run_id: str | None = None
    message: str = ""
    previous_run: str | None = None
    ingest: IngestReport | None = None
    outcomes: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    models_dir: str | None = None

    @property
    def not_ok(self) -> list[dict]:
        """Outcomes of the series on the fallback model or failed."""
        return [o for o in self.outcomes if o["outcome"] != "ok"]


# ---------------------------------------------------------------------- small helpers
# ---------------------------------------------------------------------- the batch
def run_batch(
    store: Store | str | os.PathLike | None = None,
    *,
    input_dir: str | os.PathLike | None = None,
    settings: BatchSettings | None = None,
    force: bool = False,
    workers: int = 1,
    dask_address: str | None = None,
    dask_timeout: float = 30.0,
    models_dir: str | os.PathLike | None = None,
    targets_path: str | os.PathLike | None = None,
    scenarios_dir: str | os.PathLike | None = None,
    log: RunLog | None = None,
    spread_path: str | os.PathLike | None = None,
) -> BatchReport:
    """Run the batch once (see the module docstring) and report what it did.

    Parameters
    ----------
    store : Store or path, optional
        Default ``$TROIKA_DB`` or ``data/troika.db``.
    input_dir : path, optional
        Folder of input tables to ingest; default ``<data dir>/observations``.
    settings : BatchSettings
    force : bool
        Run even when data, settings and code equal the latest complete run's.
    workers : int
        Local processes (1: this process). Ignored with ``dask_address``.
    dask_address : str, optional
        ``tcp://host:8786`` of a Dask scheduler whose workers have troika installed.
    dask_timeout : float
        Seconds to wait for the scheduler before the run fails.
    models_dir, targets_path, scenarios_dir : path, optional
        Default ``models/``, ``data/targets.csv``, ``data/scenarios/``.
    log : RunLog, optional
        Where JSON log lines and the progress bar go (default stderr).
    spread_path : path or "none", optional
        The full-year spread calibration table (:mod:`forecast.data.spread_table`); default
        ``data/spread_scales.csv`` when it exists; ``"none"`` runs without. Applied to 11-period runs only
        (the table is learnt on the 11-period year's origin months).

    Returns
    -------
    BatchReport
        ``status`` and ``exit_code`` (0 complete, 3 complete with fallbacks, 1 failed).

    Raises
    ------
    DataError
        Bad input files, settings, targets or scenarios (exit 2); nothing of a run is written.
    RunLocked
        Another batch holds the lock (exit 75).
    StoreError
        The store cannot be opened (not SQLite, empty, foreign, newer schema) or fails ``PRAGMA quick_check``
        (exit 1); the file is left untouched.

    Examples
    --------
    >>> settings = BatchSettings(n_paths=200, method="snaive", regions=("liaoning",))
    >>> report = run_batch("data/troika.db", settings=settings)      # JSON log lines go to stderr
    >>> report.status, report.exit_code, len(report.outcomes)
    ('complete', 0, 5)
    >>> run_batch("data/troika.db", settings=settings).status      # same data, settings and code
    'unchanged'
    """
    start = time.perf_counter()
    log = log or RunLog()
    settings = (settings or BatchSettings()).normalised()
    env_fail = [s for s in os.environ.get(FAIL_ENV, "").split(",") if s.strip()]
    if env_fail:
        settings = BatchSettings(**{**asdict(settings), "fail_series": tuple(env_fail)}).normalised()
    if dask_address:
        try:
            import distributed  # noqa: F401
        except ImportError as e:
            raise DataError(f"--dask-address {dask_address} needs dask.distributed, which is not installed ({e}); "
                            "install it with `pip install 'troika[dask]'`") from e
    store = store if isinstance(store, Store) else Store(store)
    store.check()  # a damaged store fails the run (exit 1, cron goes red) instead of "nothing changed"
    models_dir = Path(models_dir) if models_dir is not None else default_models_dir()
    with store.lock():
        pause_point("locked")
        with store.transaction() as conn:
            stale = store_runs.mark_stale(conn)
        clean_artifacts(models_dir, stale)
        files = input_files(input_dir if input_dir is not None else current_data_dir() / "observations")
        ingest = store.ingest(files) if files else None
        pause_point("ingested")
        obs = store.observations(region=settings.regions, indicator=settings.indicators)
        if obs.empty:
            raise DataError("no observations to forecast", [Problem(str(store.path), None, None,
                            "the store holds no observations of the selected series; put tables in the input "
                            "folder or run `forecast ingest FILE…`", "store_empty")])
        targets, scenarios = load_inputs(targets_path, scenarios_dir)
        # the file seeds the store's target history; the run evaluates the targets in force (the file's and
        # the analysts' changes). Targets are not part of the data hash: a target change needs no refit, the
        # readers (forecast.runs.results) evaluate the stored paths against the targets in force.
        store.seed_targets(targets)
        targets = store.targets()[list(TARGET_COLUMNS)]
        # the full-year spread calibration (data/spread_scales.csv, bench/calibration.py --write-table) changes
        # the paths, so it is part of the data hash: a new table means a new run
        spread = None if str(spread_path) == "none" or settings.periods_per_year != 11 else \
            load_spread_scales(spread_path)
        digest = data_hash(store.observations_digest(settings.regions, settings.indicators), scenarios, spread)
        version = code_version()
        with store.connect() as conn:
            prev_id = store_runs.latest_run_id(conn)
            prev = store_runs.run_row(conn, prev_id) if prev_id else None
        if (not force and prev is not None and prev["data_hash"] == digest and prev["settings"] == settings.to_dict()
                and prev["code_version"] == version):
            return BatchReport("unchanged", EXIT_OK, prev_id, f"nothing changed since run {prev_id} "
                               "(same data, settings and code); pass --force to run again",
                               prev_id, ingest, seconds=time.perf_counter() - start)
        run_id = new_run_id()
        vintage = _vintage(obs)
        with store.transaction() as conn:
            store_runs.insert_running(conn, run_id, _now(), digest, version, settings.to_dict(), vintage)
        log.event("run_start", run_id=run_id, data_hash=digest, settings=settings.to_dict(), data_vintage=vintage,
                  workers=workers, dask_address=dask_address)
        try:
            outcomes = _execute(store, run_id, obs, targets, scenarios, settings, workers,
                                (dask_address, dask_timeout), models_dir, log, spread)
        except Exception as exc:  # noqa: BLE001 - any failure: nothing of the run is committed
            reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            log.close()
            _record_failure(store, run_id, reason, models_dir)
            log.event("run_end", run_id=run_id, status="failed", message=reason)
            return BatchReport("failed", EXIT_FAILED, run_id, f"run {run_id} failed, nothing was committed: {reason}",
                               prev_id, ingest, seconds=time.perf_counter() - start)
        except BaseException:
            log.close()
            _record_failure(store, run_id, "interrupted", models_dir)
            raise
        pause_point("committed")
    bad = [o for o in outcomes if o["outcome"] != "ok"]
    code = EXIT_FALLBACK if bad else EXIT_OK
    log.event("run_end", run_id=run_id, status="complete", n_series=len(outcomes), n_not_ok=len(bad),
              seconds=round(time.perf_counter() - start, 3))
    return BatchReport("complete", code, run_id, "", prev_id, ingest, outcomes, time.perf_counter() - start,
                       str(models_dir / run_id) if settings.artifacts else None)


def _now() -> str:
    return now()


def _vintage(obs) -> str | None:
    known = obs[obs["ytd_value"].notna() | obs["ytd_yoy"].notna()]
    return str(known["period"].max()) if len(known) else None


def _record_failure(store: Store, run_id: str, reason: str, models_dir: Path) -> None:
    try:
        with store.transaction() as conn:
            store_runs.mark_failed(conn, run_id, reason)
    except Exception:  # noqa: BLE001 - the next batch marks it failed as stale
        pass
    clean_artifacts(models_dir, [run_id])


def _execute(store: Store, run_id: str, obs, targets, scenarios, settings: BatchSettings, workers: int,
             dask: tuple[str | None, float], models_dir: Path, log: RunLog, spread=None) -> list[dict]:
    """Fit, reconcile, evaluate, write artifacts and commit; returns the per-series outcomes."""
    panel = build_panel(obs, periods_per_year=settings.periods_per_year)
    tasks = build_tasks(panel, settings)
    start = time.perf_counter()
    failed = attach_batch_globals(tasks)
    if failed is not None:
        log.event("global_members", run_id=run_id, series=len(tasks), failed=failed,
                  seconds=round(time.perf_counter() - start, 3))
    log.total, log.done = len(tasks), 0
    half = max(1, len(tasks) // 2)

    def series_event(res: dict, done: int) -> None:
        fc = res["forecast"]
        log.event("series", run_id=run_id, region=fc.region, indicator=fc.indicator, outcome=outcome_of(fc.flags),
                  seconds=round(res["seconds"], 3), weights=fc.weights, dropped=fc.dropped, flags=list(fc.flags),
                  metrics=fc.metrics, worker=res["worker"], done=done, total=log.total)

    def on_result(res: dict) -> None:
        fc = res["forecast"]
        log.step(f"{fc.region}/{fc.indicator}")
        if failed is None:
            series_event(res, log.done)
        else:  # with global members the published variant is known only after the gate: progress only
            log.event("fitted", run_id=run_id, region=fc.region, indicator=fc.indicator, done=log.done,
                      total=log.total)
        if log.done == half:
            pause_point("fitting")

    if dask[0]:
        results = run_dask(tasks, on_result, dask[0], run_id=run_id, timeout=dask[1])
    else:
        results = run_local(tasks, on_result, workers)
    if failed is not None:
        gate = choose_batch_variants(results, failed, settings.artifacts)
        log.event("global_gate", run_id=run_id, **gate)
        for i, res in enumerate(results, 1):
            series_event(res, i)
    log.close()
    payload, outcomes = assemble_run(run_id, panel, results, targets, scenarios, settings, spread)
    if settings.artifacts:
        write_artifacts(models_dir, run_id, results, settings, store, payload)
    with store.transaction() as conn:
        store_runs.save_scenarios(conn, [(s.name, s.spec, s.source, s.sha256) for s in scenarios if s.scenario is not None])
        store_runs.write_complete(conn, payload, before_commit=lambda: pause_point("commit"))
    return outcomes
