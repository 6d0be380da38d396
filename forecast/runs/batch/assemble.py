"""From the fitted series of a run to what the store commits: reconcile, targets, scenarios, records.

Pure (no store, no files): :func:`assemble_run` takes the per-series results of
:mod:`forecast.runs.batch.tasks` and returns the :class:`forecast.runs.store.runs.RunPayload` and the per-series
outcomes. Series the engine could not forecast at all (``failed: …``) are left out of reconciliation,
targets and scenarios and stored with their reason. A reconciliation that cannot run (e.g. series of
one hierarchy with different horizons) leaves the forecasts unreconciled and says so in the run's
message; a scenario that cannot be applied to this run is stored with its error, and the run goes on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.data.errors import DataError
from forecast.decisions.reconcile import DISCREPANCY, reconcile
from forecast.decisions.scenarios import compare_scenarios
from forecast.decisions.targets import evaluate_targets, latest_year, with_reference_targets
from forecast.engine.calibration import apply_spread_scales
from forecast.runs.batch.tasks import outcome_of
from forecast.runs.store.runs import RunPayload, ScenarioRecord, SeriesRecord


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:500]


def assemble_run(run_id: str, panel: pd.DataFrame, results: list[dict], targets: pd.DataFrame,
                 scenarios: list, settings: Any, spread: pd.DataFrame | None = None) -> tuple[Any, list[dict]]:
    """Reconcile, evaluate targets and scenarios, and build the run's payload.

    Parameters
    ----------
    run_id : str
    panel : DataFrame
        The panel the series were fitted on (:func:`forecast.data.panel.build_panel`).
    results : list of dict
        From :func:`forecast.runs.batch.tasks.fit_series` (``forecast``, ``seconds``, …).
    targets : DataFrame
        Targets table (:func:`forecast.data.target_table.load_targets`).
    scenarios : list of forecast.runs.batch.SavedScenario
        The saved scenarios (invalid files are stored with their error).
    settings : BatchSettings
    spread : DataFrame, optional
        The full-year spread calibration (:func:`forecast.data.spread_table.load_spread_scales`): each series'
        paths are scaled by its indicator × origin month's factor before reconciliation
        (:func:`forecast.engine.calibration.apply_spread_scales`).

    Returns
    -------
    (RunPayload, list of dict)
        The payload and, per series, ``region``, ``indicator``, ``outcome``, ``reason``, ``seconds``.
    """
    raw = {(r["forecast"].region, r["forecast"].indicator): r["forecast"] for r in results}
    if spread is not None:
        ok = {k: f for k, f in raw.items() if outcome_of(f.flags) != "failed"}
        raw.update(apply_spread_scales(ok, spread))
    seconds = {(r["forecast"].region, r["forecast"].indicator): r["seconds"] for r in results}
    usable = {k: f for k, f in raw.items() if outcome_of(f.flags) != "failed"}
    messages = []
    final: dict = dict(usable)
    if settings.reconcile != "none" and usable:
        try:
            final = reconcile(usable, panel, method=settings.reconcile, seed=settings.seed)
        except DataError as exc:
            messages.append(f"forecasts left unreconciled: {_first_line(exc)}")
    fcs = {k: v for k, v in final.items() if k[0] != DISCREPANCY}
    # cities without a target of their own are shown against the province's as a reference (no verdict)
    series_targets = evaluate_targets(panel, fcs, with_reference_targets(targets, fcs, latest_year(panel))) \
        if len(targets) else pd.DataFrame()
    scen_records = []
    for saved in scenarios:
        if saved.scenario is None:
            scen_records.append(ScenarioRecord(saved.name, saved.spec, False, saved.error, None))
            continue
        try:
            table = compare_scenarios(panel, final, targets, [saved.scenario])
            scen_records.append(ScenarioRecord(saved.name, saved.spec, True, "", table))
        except DataError as exc:
            scen_records.append(ScenarioRecord(saved.name, saved.spec, False, _first_line(exc), None))
    records, outcomes = [], []
    keys = list(raw) + [k for k in final if k not in raw]
    for key in keys:
        fc_raw = raw.get(key)
        fc = final.get(key, fc_raw)
        records.append(_record(key, fc_raw, fc, seconds.get(key)))
        if fc_raw is not None:
            out = outcome_of(fc_raw.flags)
            reason = "; ".join(f for f in fc_raw.flags if f.startswith("failed")) if out == "failed" else \
                "; ".join(f"{m}: {why}" for m, why in fc_raw.dropped.items()) if out == "fallback" else ""
            outcomes.append({"region": key[0], "indicator": key[1], "outcome": out, "reason": reason,
                             "seconds": seconds.get(key)})
    payload = RunPayload(run_id=run_id, series=records, targets=series_targets,
                         target_table=targets.reset_index(drop=True), panel=panel.reset_index(drop=True),
                         scenarios=scen_records, message="; ".join(messages))
    return payload, outcomes


def _record(key: tuple[str, str], fc_raw: Any, fc: Any, seconds: float | None) -> Any:
    """A :class:`forecast.runs.store.runs.SeriesRecord` from the engine's forecast and its reconciled paths."""
    src = fc_raw if fc_raw is not None else fc
    paths = np.asarray(fc.paths, dtype=float)
    raw_paths = None
    if fc_raw is not None and fc is not fc_raw:
        rp = np.asarray(fc_raw.paths, dtype=float)
        if rp.shape != paths.shape or not np.array_equal(rp, paths):
            raw_paths = rp
    finite = paths.size > 0 and bool(np.all(np.isfinite(paths)))
    mean = paths.mean(axis=0) if finite else np.full(paths.shape[1], np.nan)
    last = getattr(src, "last_period", None)
    periods = [str(p) for p in pd.PeriodIndex(getattr(fc, "periods", []), freq="M")]
    return SeriesRecord(
        region=key[0], indicator=key[1],
        outcome=outcome_of(tuple(getattr(src, "flags", ()))) if fc_raw is not None else "ok",
        method=str(getattr(src, "method", "reconcile") if fc_raw is not None else "reconcile"),
        last_period=None if last is None or pd.isna(last) else str(last),
        periods=periods, paths=paths, mean=mean,
        weights=dict(getattr(src, "weights", {}) or {}), dropped=dict(getattr(src, "dropped", {}) or {}),
        flags=tuple(getattr(src, "flags", ()) or ()), notes=tuple(getattr(fc, "notes", ()) or ()),
        metrics=dict(getattr(src, "metrics", {}) or {}), seconds=seconds, raw_paths=raw_paths,
        derived=fc_raw is None,
    )
