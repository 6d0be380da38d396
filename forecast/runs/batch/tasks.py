"""The batch's unit of work — fit and backtest one series — and the executors that run many of them.

:func:`build_tasks` makes one task per series; :func:`attach_batch_globals` trains the global members
over the panel before the tasks run, and :func:`choose_batch_variants` applies the panel gate after.

One task is a plain dict (the rows of one series and the settings), so the same function runs in this
process, in a local process pool or on a Dask cluster, and gives the same result for the same seed:
the engine seeds every series from ``(seed, region, indicator)`` (:func:`forecast.engine.auto.subseed`), so
neither the executor nor the other series change a series' paths.

Executors call ``on_result(result)`` in the batch's process as each series finishes (progress, log).
A local worker that dies (killed, out of memory) does not lose the run: the series it held are redone
in the batch's own process. On Dask, a task is retried once on another worker.

A local worker never outlives the batch (:func:`exit_with_parent`, its pool's initializer): on Linux the
kernel kills it when the batch dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and everywhere a watchdog
thread ends it within a second once its parent is gone. Multiprocessing's resource tracker then exits
too: it stops when the last process holding its pipe (the batch and the workers) is gone.

Model artifacts are made in the task too (:func:`model_artifacts`): the
engine's descriptions of its final fits travel back with the forecast.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from forecast.data.processes import exit_with_parent
from forecast.data.schema import INDICATOR, PERIOD, REGION
from forecast.engine.auto import DEFAULT_MODELS, AutoConfig
from forecast.engine.global_members import gate_panel, wants_globals
from forecast.engine.panel_forecast import attach_panel_globals, forecast_panel_task, panel_tasks

#: Keyword arguments fault injection adds to every candidate model (an unknown argument: every model
#: then fails to construct, as if every model failed on the series).
FAULT_PARAM = "_troika_fault_injected"


def model_artifacts(fc: Any) -> dict[str, dict]:
    """Fitted parameters (JSON-ready) of every model with a positive weight in ``fc``.

    These are the descriptions the engine made of its own final fits (``ForecastResult.models``: each
    model's ``to_dict()``, or ``{"error": …}``), so nothing is refitted for the artifacts.
    """
    return {label: dict(desc) for label, desc in (getattr(fc, "models", None) or {}).items()}


def series_key(task: dict) -> tuple[str, str]:
    """``(region, indicator)`` of a task."""
    return task["region"], task["indicator"]


def _config(task: dict) -> Any:
    models = tuple(task["models"] or DEFAULT_MODELS)
    if task.get("fail"):
        models = tuple((m, m, {FAULT_PARAM: True}) for m in models)
    return AutoConfig(models=models, global_min_series=task.get("global_min_series", AutoConfig.global_min_series))


def fit_series(task: dict) -> dict:
    """Forecast and backtest one series; never raises for a model failure (the engine isolates those).

    Parameters
    ----------
    task : dict
        ``region``, ``indicator``, ``panel`` (the series' panel rows), ``h``, ``n_paths``, ``seed``,
        ``periods_per_year``, ``method``, ``models`` (candidates or None), ``fail`` (fault injection),
        ``artifacts`` (bool).

    Returns
    -------
    dict
        ``key``, ``forecast`` (:class:`forecast.engine.auto.SeriesForecast`), ``artifacts`` (label → params
        dict), ``seconds`` (wall time here), ``worker`` (host:pid); ``variant``: the result with the global
        members (None without them), for the batch's panel gate.
    """
    start = time.perf_counter()
    key = series_key(task)
    out = forecast_panel_task(engine_task(task))
    fc, variant = out if isinstance(out, tuple) else (out, None)
    artifacts = model_artifacts(fc) if task.get("artifacts") else {}
    return {"key": key, "forecast": fc, "variant": variant, "artifacts": artifacts,
            "seconds": time.perf_counter() - start, "worker": f"{os.uname().nodename}:{os.getpid()}"}


def engine_task(task: dict) -> dict:
    """The engine's task (:func:`forecast.engine.panel_forecast.panel_tasks`) of one batch task, with its global
    members' share (``task["extra"]``) when the batch trained them."""
    method = "auto" if task.get("fail") else task["method"]
    (out,) = panel_tasks(task["panel"], h=task["h"], n_paths=task["n_paths"], seed=task["seed"],
                         periods_per_year=task["periods_per_year"], method=method, config=_config(task),
                         keys=[series_key(task)])
    if task.get("extra") is not None:
        out["extra"] = task["extra"]
    return out


def outcome_of(flags: tuple[str, ...]) -> str:
    """``failed`` (no forecast), ``fallback`` (every model failed: seasonal naive answered) or ``ok``."""
    if any(str(f).startswith("failed") for f in flags):
        return "failed"
    return "fallback" if "fallback_snaive" in flags else "ok"


# ---------------------------------------------------------------------- executors
def run_local(tasks: list[dict], on_result: Callable[[dict], None], workers: int = 1) -> list[dict]:
    """Run tasks in this process (``workers <= 1``) or a spawn-started process pool; results in task order."""
    results: dict[int, dict] = {}
    if workers <= 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            results[i] = fit_series(task)
            on_result(results[i])
        return [results[i] for i in range(len(tasks))]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=exit_with_parent, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(fit_series, t): i for i, t in enumerate(tasks)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception:  # noqa: BLE001 - a dead worker: redo this series here
                results[i] = fit_series(tasks[i])
            on_result(results[i])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(tasks))]


def run_dask(tasks: list[dict], on_result: Callable[[dict], None], address: str, *, run_id: str = "run",
             timeout: float = 30.0) -> list[dict]:
    """Run tasks on the Dask distributed scheduler at ``address``; results in task order.

    Raises
    ------
    ImportError
        When ``dask.distributed`` is not installed (``pip install 'troika[dask]'``).
    OSError
        When the scheduler cannot be reached within ``timeout`` seconds.
    """
    from distributed import Client, as_completed

    try:
        client = Client(address, timeout=timeout)
    except (TimeoutError, OSError) as e:
        raise OSError(f"cannot reach the Dask scheduler at {address}: {e}") from e
    try:
        keys = [f"troika-{run_id}-{t['region']}-{t['indicator']}" for t in tasks]
        futures = client.map(fit_series, tasks, key=keys, pure=False, retries=1)
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, dict] = {}
        for fut in as_completed(futures):
            results[index[fut.key]] = fut.result()
            on_result(results[index[fut.key]])
        return [results[i] for i in range(len(tasks))]
    finally:
        client.close()


def attach_batch_globals(tasks: list[dict]) -> dict[str, str] | None:
    """Train the global members over the batch's panel (here, once) and give each task its share.

    None when the panel does not use them (not ``auto``, or fewer than ``global_min_series`` series);
    otherwise the global models that failed to train (label → reason). See :mod:`forecast.engine.global_members`.
    """
    if not tasks or not wants_globals(len(tasks), tasks[0]["method"], _config(tasks[0])):
        return None
    engine_tasks = [engine_task(t) for t in tasks]
    failed = attach_panel_globals(engine_tasks, engine_tasks[0]["config"])
    if failed is not None:
        for t, et in zip(tasks, engine_tasks, strict=True):
            t["extra"] = et["extra"]
    return failed


def choose_batch_variants(results: list[dict], failed: dict[str, str], artifacts: bool) -> dict:
    """Apply the panel gate to the batch's results in place; returns the gate's figures."""
    chosen, gate = gate_panel([(r["forecast"], r.pop("variant", None)) for r in results], failed, AutoConfig())
    for r, fc in zip(results, chosen, strict=True):
        r["forecast"] = fc
        r["artifacts"] = model_artifacts(fc) if artifacts else {}
    return gate


def build_tasks(panel, settings) -> list[dict]:
    """One task per series of ``panel`` (a :class:`forecast.runs.batch.BatchSettings` gives the settings)."""
    fails = set(settings.fail_series)
    out = []
    for (region, indicator), grp in panel.groupby([REGION, INDICATOR], sort=False):
        out.append({"region": region, "indicator": indicator, "panel": grp.sort_values(PERIOD).reset_index(drop=True),
                    "h": settings.h, "n_paths": settings.n_paths, "seed": settings.seed,
                    "periods_per_year": settings.periods_per_year, "method": settings.method,
                    "models": settings.models, "fail": f"{region}/{indicator}" in fails,
                    "artifacts": settings.artifacts, "global_min_series": settings.global_min_series})
    return out
