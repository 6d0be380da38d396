"""Small things several test modules share: the malformed fixtures and a stand-in forecast."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Every malformed input of ``tests/fixtures/bad/`` (the manifest and README excluded).
BAD_DIR = Path(__file__).parent / "fixtures" / "bad"
BAD_FILES = sorted(
    p for p in BAD_DIR.glob("*")
    if p.is_file() and p.name != "EXPECTED.csv" and not p.name.upper().startswith("README")
) if BAD_DIR.is_dir() else []


@dataclass
class FakeForecast:
    """The attributes the decision layer reads from a forecast, built by hand in tests."""

    region: str
    indicator: str
    last_period: pd.Period
    periods: pd.PeriodIndex
    paths: np.ndarray
