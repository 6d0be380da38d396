"""The global-model experiment's inputs (bench/global_m3.py): window normalisation and training rows."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
global_m3 = pytest.importorskip("global_m3")


def test_window_is_scale_free_and_level_is_the_last_year_mean():
    x = 100 + 10 * np.sin(np.arange(50) * np.pi / 6) + np.arange(50)
    w1, lvl1 = global_m3.window_inputs(np.log(x), 36)
    w2, lvl2 = global_m3.window_inputs(np.log(7.5 * x), 36)
    np.testing.assert_allclose(w1, w2, atol=1e-12)  # a series in other units gives the same inputs
    assert lvl2 - lvl1 == pytest.approx(np.log(7.5))
    assert lvl1 == pytest.approx(np.log(x[-12:]).mean())
    assert w1.shape == (36,) and w1[-12:].mean() == pytest.approx(0.0, abs=1e-12)


def test_short_series_is_padded_with_its_first_year_mean():
    logs = np.log(np.arange(1.0, 31.0))  # 30 values, 36 lags
    w, lvl = global_m3.window_inputs(logs, 36)
    assert w.shape == (36,)
    np.testing.assert_allclose(w[:6] + lvl, logs[:12].mean())
    np.testing.assert_allclose(w[6:] + lvl, logs)


def test_training_rows_come_from_the_training_part_only():
    H = global_m3.H
    x = np.exp(np.linspace(0.0, 1.0, 80))
    X, y = global_m3.training_set([x], lags=36, n_windows=30)
    origins = list(range(80 - 30, 80 - H + 1))  # the last 30 origins that still have H values after them
    assert X.shape == (len(origins) * H, 37) and y.shape == (len(origins) * H,)
    np.testing.assert_array_equal(X[:H, -1], np.arange(H))  # the horizon feature
    # the last row: origin 80 - H, horizon H - 1 -> the last value of x, relative to that window's level
    _, level = global_m3.window_inputs(np.log(x[: 80 - H]), 36)
    assert y[-1] == pytest.approx(np.log(x[-1]) - level)
