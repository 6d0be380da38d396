"""The batch's inputs and identity: input files, targets, saved scenarios, the data hash, the code version.

What a run is compared on to decide whether anything changed: :func:`data_hash` (stored observations,
targets table, scenario files) and :func:`code_version`, with the run's settings.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forecast import __version__
from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir
from forecast.data.schema import TARGET_COLUMNS
from forecast.data.target_table import load_targets
from forecast.decisions.scenario_files import SUFFIXES, load_scenario, scenario_to_dict

MODELS_ENV = "TROIKA_MODELS_DIR"
INPUT_SUFFIXES = (".csv", ".xlsx", ".xls")


def code_version() -> str:
    """``troika <version>`` plus the git commit of the checkout when there is one (read from ``.git``)."""
    root = Path(__file__).resolve().parents[3] / ".git"
    commit = ""
    try:
        head = (root / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = root / ref
            if ref_file.is_file():
                commit = ref_file.read_text().strip()
            elif (root / "packed-refs").is_file():
                commit = next((line.split()[0] for line in (root / "packed-refs").read_text().splitlines()
                               if line.endswith(" " + ref)), "")
        else:
            commit = head
    except OSError:
        pass
    return f"troika {__version__}" + (f" ({commit[:12]})" if commit else "")


def default_models_dir() -> Path:
    """``$TROIKA_MODELS_DIR``, else ``models/`` beside the data directory (the repository's ``models/``)."""
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])

    return current_data_dir().parent / "models"


def input_files(folder: str | os.PathLike) -> list[Path]:
    """Tables (``.csv``, ``.xlsx``) of an input folder, sorted; DataError when the folder is missing."""
    d = Path(folder)
    if not d.is_dir():
        raise DataError(f"input folder {d} not found", [Problem(str(d), None, None,
                        "expected a folder of official tables (.csv/.xlsx); pass --input DIR", "no_input_folder")])
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def new_run_id() -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: UTC start time and 6 random hex digits (sortable, unique)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass(frozen=True)
class SavedScenario:
    """A scenario file of the saved-scenarios folder: the scenario, or why it could not be read."""

    name: str
    scenario: Any  # forecast.decisions.scenarios.Scenario, or None when the file is invalid
    spec: dict
    source: str
    sha256: str
    error: str = ""


def load_inputs(targets_path: str | os.PathLike | None, scenarios_dir: str | os.PathLike | None):
    """The targets table and the saved scenarios (a list of :class:`SavedScenario`, by file name).

    An invalid scenario file does not stop the batch: it is kept with its error (the run records and
    prints it) so one analyst's broken file never holds up the monthly forecasts. A missing targets
    file is an error only when ``targets_path`` names it (no default ``data/targets.csv``: no targets).
    """
    import pandas as pd

    default_targets = current_data_dir() / "targets.csv"
    if targets_path is None and not default_targets.is_file():
        targets = pd.DataFrame(columns=TARGET_COLUMNS)
    else:
        targets = load_targets(targets_path)
    folder = Path(scenarios_dir) if scenarios_dir is not None else current_data_dir() / "scenarios"
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in SUFFIXES
                   and not p.name.startswith(".")) if folder.is_dir() else []
    out: list[SavedScenario] = []
    seen: dict[str, str] = {}
    for f in files:
        sha = hashlib.sha256(f.read_bytes()).hexdigest()
        try:
            s = load_scenario(f)
        except DataError as e:
            out.append(SavedScenario(f.stem, None, {"file": str(f)}, str(f), sha,
                                     f"invalid file {f.name}: " + ("; ".join(str(p) for p in e.problems[:3]) or e.summary)))
            continue
        if s.name in seen:
            out.append(SavedScenario(f"{s.name} ({f.name})", None, {"file": str(f)}, str(f), sha,
                                     f"scenario name {s.name!r} is also used by {seen[s.name]}"))
            continue
        seen[s.name] = f.name
        out.append(SavedScenario(s.name, s, scenario_to_dict(s), str(f), sha))
    return targets, out


def data_hash(obs_digest: str, scenarios: list[SavedScenario], spread: Any = None) -> str:
    """One sha256 over the observations digest, the scenario files' bytes and the spread calibration table
    (what a run's paths depend on).

    Targets are left out on purpose: a target change needs no refit; readers evaluate the run's stored paths
    against the targets in force (:mod:`forecast.runs.results`).
    """
    h = hashlib.sha256(obs_digest.encode())
    for s in sorted(scenarios, key=lambda s: s.source):
        h.update(f"{Path(s.source).name}:{s.sha256}".encode())
    if spread is not None and len(spread):
        h.update(b"spread:" + spread[["indicator", "origin", "scale"]].to_csv(index=False).encode())
    return h.hexdigest()
