"""Model artifacts of a run: ``models/<run_id>/manifest.json`` and one JSON file per series.

Each file holds the fitted parameters of every model the series' combination kept (``to_dict()`` of
each model's final fit, made by the engine; Prophet through its own JSON serialiser). Never pickles. A run's folder is written as ``.tmp-<run_id>`` and
renamed in one step, so a folder named after a run is always whole.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from forecast.runs.batch.inputs import code_version
from forecast.runs.batch.stages import pause_point
from forecast.runs.batch.tasks import outcome_of
from forecast.runs.store.codec import to_json


def write_artifacts(models_dir: Path, run_id: str, results: list[dict], settings: Any, store: Any,
                    payload: Any, fsync: bool = True) -> Path:
    """Write ``models/<run_id>/`` (manifest + one JSON per series) atomically: temp folder, then rename."""
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
