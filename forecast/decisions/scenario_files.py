"""Scenario files (DESIGN §5): read, write, list and scan YAML/JSON scenarios.

The file's content, the dataclasses :class:`Scenario` and :class:`Adjustment` and their validation live
in :mod:`forecast.decisions.scenario_spec` and are re-exported here. A file that fails validation raises one
:class:`~forecast.data.errors.DataError` whose problems name the file and every bad field. YAML is read with
``yaml.safe_load`` only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import yaml

from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir as data_dir
from forecast.decisions.scenario_spec import (  # noqa: F401  (re-exported: importers of scenario_io keep working)
    KIND_UNITS,
    KINDS,
    Adjustment,
    ProblemCollector,
    Scenario,
    adjustment_to_dict,
    month_range,
    scenario_from_dict,
    scenario_to_dict,
)

SUFFIXES = (".yaml", ".yml", ".json")
#: Hex digits of the name's sha256 in a saved scenario's file name (48 bits: a clash is left to the saver to refuse).
NAME_HASH_DIGITS = 12
_HASHED = re.compile(rf"-[0-9a-f]{{{NAME_HASH_DIGITS}}}(?:{'|'.join(re.escape(s) for s in SUFFIXES)})$")


def scenario_file_name(name: str, suffix: str = ".yaml") -> str:
    """The file name a scenario called ``name`` is saved under: a readable slug, then a hash of the exact name.

    Names that differ only in characters the slug drops (``"a b"``, ``"a_b"``, ``"a/b"``) get different
    files; the slug keeps letters (Chinese included), digits, ``_`` and ``-`` and at most 60 of them.

    Examples
    --------
    >>> scenario_file_name("沈阳 促消费")
    '沈阳_促消费-78fc44ccf794.yaml'
    >>> scenario_file_name("a b") != scenario_file_name("a_b")
    True
    """
    if suffix not in SUFFIXES:
        raise ValueError(f"suffix {suffix!r}; expected one of {', '.join(SUFFIXES)}")
    slug = re.sub(r"[^\w\-]+", "_", name.strip(), flags=re.UNICODE).strip("_")[:60] or "scenario"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:NAME_HASH_DIGITS]
    return f"{slug}-{digest}{suffix}"


def named_by_hash(file_name: str) -> bool:
    """True when ``file_name`` has the form :func:`scenario_file_name` gives (slug, hash, suffix).

    Examples
    --------
    >>> named_by_hash(scenario_file_name("q4")), named_by_hash("export_shock.yaml")
    (True, False)
    """
    return bool(_HASHED.search(file_name))


def _suffix(path: Path) -> str:
    suf = path.suffix.lower()
    if suf not in SUFFIXES:
        msg = f"unknown suffix {path.suffix!r}; expected one of {', '.join(SUFFIXES)}"
        raise DataError(f"scenario file {path}: {msg}", [Problem(str(path), None, None, msg, "scn_file_suffix",
                                                                  {"suffix": path.suffix, "expected": ", ".join(SUFFIXES)})])
    return suf


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario from a YAML (``yaml.safe_load``) or JSON file and validate it.

    Raises
    ------
    DataError
        One error for the file: unreadable, malformed (with the line), or every invalid field.

    Examples
    --------
    >>> load_scenario("data/scenarios/export_shock.yaml").adjustments[0].kind
    'pct'
    """
    path = Path(path)
    suf = _suffix(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"scenario file {path} does not exist", [Problem(str(path), None, None, "no such file",
                                                                                            "no_such_file")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"scenario file {path} cannot be read as UTF-8 text: {e}",
                        [Problem.of_error(str(path), None, None, e, "scn_file_unreadable")]) from None
    try:
        data = json.loads(text) if suf == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as e:
        raise DataError(f"scenario file {path}: malformed JSON at line {e.lineno}: {e.msg}",
                        [Problem(str(path), e.lineno, None, f"malformed JSON: {e.msg}", "bad_json", {"error": e.msg})]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = getattr(e, "problem", None) or str(e)
        raise DataError(f"scenario file {path}: malformed YAML" + (f" at line {line}" if line else "") + f": {msg}",
                        [Problem(str(path), line, None, f"malformed YAML: {msg}", "bad_yaml", {"error": msg})]) from None
    return scenario_from_dict(data, str(path))


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> Path:
    """Write a scenario as YAML or JSON (by suffix), UTF-8, atomically; returns the path.

    Examples
    --------
    >>> save_scenario(Scenario("empty", ()), "empty.json").name
    'empty.json'
    """
    path = Path(path)
    suf = _suffix(path)
    data = scenario_to_dict(scenario)
    if suf == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def scenarios_dir() -> Path:
    """``scenarios/`` under the data directory (``TROIKA_DATA_DIR`` or the repository's ``data/``)."""
    return data_dir() / "scenarios"


def list_scenarios(directory: str | os.PathLike | None = None) -> list[Scenario]:
    """Every scenario file (``*.yaml``, ``*.yml``, ``*.json``) of a directory, sorted by file name.

    Raises
    ------
    DataError
        One error listing the problems of every invalid file; duplicate scenario names.
    """
    scenarios, problems = scan_scenarios(directory)
    if problems:
        raise DataError(f"{len(problems)} problem(s) in the scenarios of {directory or scenarios_dir()}", problems)
    return scenarios


def scan_scenarios(directory: str | os.PathLike | None = None) -> tuple[list[Scenario], list[Problem]]:
    """The valid scenarios of a directory, sorted by file name, and the problems of the invalid files.

    One bad file does not hide the others (the app lists what it can and reports the rest); a file
    reusing another's scenario name is a problem and is left out.
    """
    d = Path(directory) if directory is not None else scenarios_dir()
    files = sorted(p for p in d.glob("*") if p.suffix.lower() in SUFFIXES and not p.name.startswith(".")) \
        if d.is_dir() else []
    out, problems, seen = [], [], {}
    for f in files:
        try:
            s = load_scenario(f)
        except DataError as e:
            problems.extend(e.problems or [Problem.of_error(str(f), None, None, e)])
            continue
        if s.name in seen:
            problems.append(Problem(str(f), None, "name", f"scenario name {s.name!r} is also used by {seen[s.name]}",
                                    "scn_name_taken", {"name": s.name, "other": seen[s.name]}))
            continue
        seen[s.name] = f.name
        out.append(s)
    return out, problems
