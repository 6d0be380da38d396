"""Saved scenarios of the app: validated YAML files under ``<data dir>/scenarios``, read and written through
:mod:`forecast.decisions.scenarios` (until the store keeps them), and the run with every scenario saved now.

The writes (:func:`save_named_scenario`, :func:`delete_named_scenario`) take the acting
:class:`~forecast.app.access.Actor` and the store: they refuse a role that may not write before touching
anything, and add a row to the store's audit trail after the write. A scenario's file is never another's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from forecast.app.access import Actor, require
from forecast.data.errors import DataError, Problem
from forecast.data.files import resolve_data_path
from forecast.decisions.scenario_files import SUFFIXES, named_by_hash, scan_scenarios, scenario_file_name
from forecast.decisions.scenarios import load_scenario, save_scenario
from forecast.runs.results import with_saved_scenarios
from forecast.runs.store import Store, file_sha256
from forecast.runs.store.audit import record


def scenarios_folder() -> Any:
    """``scenarios/`` in the data directory (``$TROIKA_DATA_DIR`` or the repository's ``data/``)."""
    return resolve_data_path("scenarios")


def saved_scenarios(folder: Any = None) -> tuple[dict[str, Any], list[Problem]]:
    """Every valid scenario file of ``folder`` by name, and the problems of the invalid ones.

    Unlike :func:`forecast.decisions.scenarios.list_scenarios` one bad file does not hide the others.

    Examples
    --------
    >>> found, problems = saved_scenarios("data/scenarios")
    >>> sorted(found), problems
    (['consumption_campaign', 'export_shock', 'major_projects'], [])
    """
    scenarios, problems = scan_scenarios(folder if folder is not None else scenarios_folder())
    return {sc.name: sc for sc in scenarios}, problems


class ScenarioFileTaken(DataError):
    """A scenario's file name is held by another scenario (or by a file that cannot be read): never overwritten."""

    def __init__(self, path: Path, other: str):
        self.path, self.other = Path(path), other
        super().__init__(f"{self.path.name} belongs to another scenario, {other!r}; it was not overwritten",
                         [Problem(str(path), None, "name", f"held by scenario {other!r}", "scn_file_taken", {"other": other})])


def _scenario_name_in(path: Path) -> str | None:
    try:
        return load_scenario(path).name
    except DataError:
        return None


def scenario_file(name: str, folder: Any = None) -> Path:
    """The file the scenario called ``name`` is saved in, or will be.

    Its own file (:func:`forecast.decisions.scenario_files.scenario_file_name`: slug and hash of the exact
    name), or a file of an older naming (``export_shock.yaml``, written by hand or by an earlier troika)
    that already holds this scenario, so that saving replaces it instead of leaving two files of one name.

    Raises
    ------
    ScenarioFileTaken
        When the scenario's own file holds another scenario (a hash clash or a hand-copied file), or cannot
        be read: it is never overwritten.
    """
    folder = Path(folder) if folder is not None else scenarios_folder()
    own = folder / scenario_file_name(name)
    if own.exists():
        other = _scenario_name_in(own)
        if other != name:
            raise ScenarioFileTaken(own, other if other is not None else "?")
        return own
    older = sorted(n for n in (os.listdir(folder) if folder.is_dir() else [])
                   if Path(n).suffix.lower() in SUFFIXES and not n.startswith(".") and not named_by_hash(n))
    return next((folder / n for n in older if _scenario_name_in(folder / n) == name), own)


def save_named_scenario(scenario: Any, folder: Any = None, *, actor: Actor, db: Any) -> Path:
    """Save a scenario in its own file of ``folder`` (:func:`scenario_file`) and record it in the audit trail.

    The same name replaces its own file; another scenario's file is never overwritten. The audit row
    (``scenario_save``) has the scenario's name and the sha256 of the file before (None when new) and after.

    Raises
    ------
    AccessDenied
        When ``actor`` may not save scenarios (a viewer); nothing is written.
    ScenarioFileTaken
        When the scenario's file belongs to another scenario.
    DataError
        When the scenario is invalid (:func:`forecast.decisions.scenarios.save_scenario`).
    """
    require(actor, "scenario_save")
    path = scenario_file(scenario.name, folder)
    before = file_sha256(path) if path.exists() else None
    saved = save_scenario(scenario, path)
    record(Store(db), actor.who, "scenario_save", scenario.name, before=before, after=file_sha256(saved))
    return saved


def delete_named_scenario(name: str, folder: Any = None, *, actor: Actor, db: Any) -> bool:
    """Delete the file(s) of the scenario called ``name``; True when one was deleted.

    Each deleted file is one ``scenario_delete`` row of the audit trail (``before``: the file's sha256).

    Raises
    ------
    AccessDenied
        When ``actor`` may not delete scenarios (viewers and analysts); nothing is deleted.
    """
    require(actor, "scenario_delete")
    folder = Path(folder) if folder is not None else scenarios_folder()
    gone = False
    for f in sorted(folder.glob("*")) if folder.is_dir() else []:
        if f.suffix.lower() in SUFFIXES and _scenario_name_in(f) == name:
            digest = file_sha256(f)
            f.unlink()
            record(Store(db), actor.who, "scenario_delete", name, before=digest)
            gone = True
    return gone


def with_saved_scenarios_now(run: Any, folder: Any = None) -> Any:
    """``run`` with every scenario saved in ``folder`` now (default the data folder's ``scenarios/``),
    computed from the run's stored paths (:func:`forecast.runs.results.with_saved_scenarios`)."""
    found, problems = scan_scenarios(folder if folder is not None else scenarios_folder())
    return with_saved_scenarios(run, found, problems)
