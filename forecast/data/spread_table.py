"""The full-year spread calibration table (``data/spread_scales.csv``) → a validated frame.

One row per indicator × origin month: the factor the batch applies to each series' sample paths
(:func:`forecast.engine.calibration.apply_spread_scales`), learnt on rolling origins of the bundled panel by
``bench/calibration.py --write-table`` from the last two published years. Columns: ``indicator`` (a code of
the catalogue), ``origin`` (month of the latest published period, 2 = Jan–Feb … 11 = Nov), ``scale``
(positive), ``cases`` (how many resolved cases it was learnt on), ``pooled`` (the all-indicator scale at
that origin it was shrunk toward) and ``years`` (e.g. ``2024-2025``). The file is ours but sits in the data
folder, so it is read as untrusted: bounded size, every problem reported with row and column.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from forecast.data.catalog import INDICATORS
from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir

FILE_NAME = "spread_scales.csv"
COLUMNS = ("indicator", "origin", "scale", "cases", "pooled", "years")
#: A table is a few dozen rows; anything larger is not one.
MAX_BYTES = 64 * 1024
_BOUNDS = (0.2, 5.0)


def default_spread_path() -> Path:
    """``spread_scales.csv`` in the data folder in force."""
    return current_data_dir() / FILE_NAME


def load_spread_scales(path: str | os.PathLike | None = None) -> pd.DataFrame | None:
    """The table, or None when there is none (no file at the default place: no calibration).

    Raises
    ------
    DataError
        A named file that is missing, too large, or has a bad header or cell (every problem at once).
    """
    p = Path(path) if path is not None else default_spread_path()
    if not p.is_file():
        if path is None:
            return None
        raise DataError(f"spread table {p} not found", [Problem(str(p), None, None, "file not found",
                                                                "file_not_found", {"path": str(p)})])
    if p.stat().st_size > MAX_BYTES:
        raise DataError(f"spread table {p.name} is too large", [Problem(
            p.name, None, None, f"{p.stat().st_size} bytes; a spread table is at most {MAX_BYTES}",
            "spread_too_large", {"size": p.stat().st_size, "limit": MAX_BYTES})])
    frame = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"spread table {p.name}: missing columns", [Problem(
            p.name, 1, None, f"missing column(s) {missing}; expected {list(COLUMNS)}", "spread_columns",
            {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)})])
    probs: list[Problem] = []
    rows = []

    def bad(row: int, col: str, value: str, expected: str) -> None:
        probs.append(Problem(p.name, row, col, f"cannot read {value!r}; expected {expected}", "spread_value",
                             {"value": value, "expected": expected}))

    for i, rec in enumerate(frame.to_dict("records"), start=2):
        ind = rec["indicator"].strip()
        if ind not in INDICATORS:
            bad(i, "indicator", ind, f"one of {sorted(INDICATORS)}")
        try:
            origin = int(rec["origin"])
            ok_origin = 1 <= origin <= 12
        except ValueError:
            origin, ok_origin = 0, False
        if not ok_origin:
            bad(i, "origin", rec["origin"], "a month number 1-12")
        try:
            scale = float(rec["scale"])
            ok_scale = math.isfinite(scale) and _BOUNDS[0] <= scale <= _BOUNDS[1]
        except ValueError:
            scale, ok_scale = math.nan, False
        if not ok_scale:
            bad(i, "scale", rec["scale"], f"a number from {_BOUNDS[0]} to {_BOUNDS[1]}")
        rows.append({"indicator": ind, "origin": origin, "scale": scale,
                     "cases": pd.to_numeric(rec["cases"], errors="coerce"),
                     "pooled": pd.to_numeric(rec["pooled"], errors="coerce"), "years": rec["years"].strip()})
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    dup = out.duplicated(["indicator", "origin"], keep="first")
    for i in dup[dup].index:
        probs.append(Problem(p.name, int(i) + 2, "origin", f"{out.at[i, 'indicator']} at origin "
                             f"{out.at[i, 'origin']} appears twice", "spread_duplicate",
                             {"indicator": out.at[i, "indicator"], "origin": int(out.at[i, "origin"])}))
    if probs:
        raise DataError(f"spread table {p.name}: {len(probs)} problem(s)", probs)
    return out
