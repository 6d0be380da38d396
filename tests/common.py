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


def lightgbm_or_skip():
    """The lightgbm module, or skip the test where it cannot load (its OpenMP runtime may be missing)."""
    import pytest

    from forecast.data.errors import ModelError
    from forecast.engine.models import global_gbm

    try:
        return global_gbm._lightgbm()
    except ModelError as exc:
        pytest.skip(str(exc))


def positive_panel(n_series: int = 24, n: int = 84, seed: int = 0, noise: float = 0.01,
                   trend: float = 0.002) -> list[np.ndarray]:
    """Positive monthly series sharing one multiplicative seasonal pattern, at different levels, with noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 1 + 0.25 * np.sin(2 * np.pi * t / 12) + 0.1 * np.cos(4 * np.pi * t / 12)
    return [(10.0 + 5 * k) * season * np.exp(trend * t + rng.normal(0, noise, n)) for k in range(n_series)]


def check_encodings_match_names(paths) -> None:
    """Each CSV's bytes are what its name says: ``_bom`` starts with the UTF-8 BOM, ``_gbk`` is not UTF-8,
    ``_utf8`` is UTF-8 without a BOM (fixtures are named for what they test)."""
    import pytest

    for path in paths:
        data = path.read_bytes()
        if "_bom" in path.name:
            assert data.startswith(b"\xef\xbb\xbf"), path.name
        elif "_gbk" in path.name:
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        elif "_utf8" in path.name:
            assert not data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8")


def series(region: str, indicator: str, points: dict, is_index: bool = False) -> pd.DataFrame:
    """Panel rows of one series from ``{"YYYY-MM": (ytd_value, ytd_yoy)}`` (the 11-period year's seasons)."""
    idx = pd.PeriodIndex(sorted(points), freq="M")
    v = np.array([points[str(p)][0] for p in idx], dtype=float)
    g = np.array([points[str(p)][1] for p in idx], dtype=float)
    return pd.DataFrame({
        "region": region, "indicator": indicator, "period": idx, "year": idx.year.astype("int64"),
        "season": np.where(idx.month == 2, 1, idx.month - 1).astype("int64"),
        "ytd_value": v, "ytd_yoy": g, "ytd_base": np.where(g > -100, v / np.maximum(1 + g / 100, 1e-12), np.nan),
        "value": np.nan, "base": np.nan,
        "is_index": is_index,
    })
