"""Model artifacts of a run: ``models/<run_id>/manifest.json`` and one JSON file per series.

Each file holds the fitted parameters of every model the series' combination kept (``to_dict()`` of
each model; Prophet through its own JSON serialiser), made by refitting each kept model once on the
series exactly as the engine saw it. Never pickles. A run's folder is written as ``.tmp-<run_id>`` and
renamed in one step, so a folder named after a run is always whole.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from forecast.batch.tasks import _config, outcome_of


def model_artifacts(task: dict, fc: Any) -> dict[str, dict]:
    """Fitted parameters (JSON-ready) of every model with a positive weight in ``fc``.

    Each model is refitted on the series exactly as the engine's final fit saw it (leading and trailing
    gaps trimmed, interior gaps filled, Spring Festival regressors for the models that take them) and
    described by its ``to_dict()``; a model without one gives its parameters and fitted scalars. An
    error becomes ``{"error": …}``: artifacts never fail a run.
    """
    import pandas as pd

    from forecast import engine, panel_forecast
    from forecast.schema import PERIOD, VALUE

    kept = [label for label, w in (fc.weights or {}).items() if w > 0]
    if not kept:
        return {}
    try:
        grp = task["panel"].sort_values(PERIOD)
        periods = pd.PeriodIndex(grp[PERIOD], freq="M")
        values = grp[VALUE].to_numpy(dtype=float)
        ok = np.flatnonzero(np.isfinite(values))
        periods, values = periods[ok[0] : ok[-1] + 1], values[ok[0] : ok[-1] + 1]
        ppy = task["periods_per_year"]
        y, _ = panel_forecast._fill_gaps(values, ppy)
        X = None
        if len(fc.periods):
            from forecast.calendar import spring_festival_regressors

            X = spring_festival_regressors(periods.append(pd.PeriodIndex(fc.periods, freq="M")), ppy
                                           ).to_numpy(dtype=float)[: y.size]
        method = "auto" if task.get("fail") else task["method"]
        specs = {s[0]: s for s in engine.model_specs(_config(task).models if method == "auto" else (method,))}
    except Exception as exc:  # noqa: BLE001 - artifacts never fail a run
        return {label: {"error": engine._reason(exc)} for label in kept}
    out = {}
    for label in kept:
        try:
            if label in specs:
                _, cls, params = specs[label]
                model = cls(season_length=ppy, **params)
            else:  # the engine's built-in fallback
                model = engine.SeasonalNaiveFallback(season_length=ppy)
            use_x = X is not None and engine._uses_regressors(model)
            model.fit(y, X=X if use_x else None)
            out[label] = model.to_dict() if hasattr(model, "to_dict") else _describe(model)
        except Exception as exc:  # noqa: BLE001
            out[label] = {"error": engine._reason(exc)}
    return out


def _describe(model: Any) -> dict:
    from forecast.store.codec import _plain

    fitted = {k: _plain(v) for k, v in vars(model).items()
              if k.endswith("_") and not k.startswith("_") and np.ndim(v) == 0}
    return {"model": getattr(model, "name", type(model).__name__), "params": _plain(model.get_params()),
            "fitted": fitted}


def write_artifacts(models_dir: Path, run_id: str, results: list[dict], settings: Any, store: Any,
                    payload: Any, fsync: bool = True) -> Path:
    """Write ``models/<run_id>/`` (manifest + one JSON per series) atomically: temp folder, then rename."""
    from forecast.batch import pause_point
    from forecast.batch.inputs import code_version
    from forecast.store.codec import to_json

    tmp, final = models_dir / f".tmp-{run_id}", models_dir / run_id
    tmp.mkdir(parents=True, exist_ok=False)
    entries = []

    def write(path: Path, obj: Any) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_json(obj))
            f.write("\n")
            if fsync:
                f.flush()
                os.fsync(f.fileno())

    for res in results:
        fc = res["forecast"]
        name = f"{fc.region}__{fc.indicator}.json"
        write(tmp / name, {"region": fc.region, "indicator": fc.indicator, "last_period": fc.last_period,
                           "periods": [str(p) for p in fc.periods], "method": fc.method, "weights": fc.weights,
                           "dropped": fc.dropped, "flags": list(fc.flags), "models": res["artifacts"]})
        entries.append({"region": fc.region, "indicator": fc.indicator, "file": name,
                        "outcome": outcome_of(fc.flags), "models": sorted(res["artifacts"])})
    write(tmp / "manifest.json", {"format": "troika-model-artifacts/1", "run_id": run_id,
                                  "store": str(store.path), "code_version": code_version(),
                                  "settings": settings.to_dict(), "series": entries})
    pause_point("artifacts")
    os.replace(tmp, final)
    if fsync:
        fd = os.open(models_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    pause_point("renamed")
    return final


def clean_artifacts(models_dir: Path, run_ids: list[str]) -> None:
    """Remove leftover temporary artifact folders and those of runs that never completed."""
    if not models_dir.is_dir():
        return
    for p in models_dir.iterdir():
        if p.is_dir() and (p.name.startswith(".tmp-") or p.name in run_ids):
            shutil.rmtree(p, ignore_errors=True)
