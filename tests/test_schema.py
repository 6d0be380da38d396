"""The observations contract: the validator names the column and row of every breach."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.data import schema
from forecast.data.errors import DataError


def _obs(**overrides):
    frame = pd.DataFrame(
        {
            schema.REGION: ["liaoning", "shenyang"],
            schema.INDICATOR: ["retail", "retail"],
            schema.PERIOD: pd.PeriodIndex(["2025-10", "2025-10"], freq="M"),
            schema.YTD_VALUE: [8000.0, np.nan],
            schema.YTD_YOY: [1.5, 2.0],
            schema.VINTAGE: ["", ""],
            schema.STATUS: ["published", "generated"],
            schema.SOURCE: ["", ""],
        }
    )
    return frame.assign(**overrides)


def test_a_good_frame_passes_unchanged():
    obs = _obs()
    assert schema.validate_observations(obs) is obs


def test_every_breach_is_listed_with_row_and_column():
    obs = _obs(region=["liaoning", "shenyan"], status=["published", "guessed"])
    with pytest.raises(DataError) as err:
        schema.validate_observations(obs)
    where = {(p.row, p.column) for p in err.value.problems}
    assert where == {(1, schema.REGION), (1, schema.STATUS)}


def test_period_must_be_monthly_periods_and_keys_unique():
    with pytest.raises(DataError, match="period\\[M\\]"):
        schema.validate_observations(_obs(period=["2025-10", "2025-10"]))
    dup = _obs(region=["liaoning", "liaoning"])
    with pytest.raises(DataError, match="duplicate key"):
        schema.validate_observations(dup)


def test_missing_columns_are_named():
    with pytest.raises(DataError) as err:
        schema.validate_observations(_obs().drop(columns=[schema.VINTAGE, schema.SOURCE]))
    assert {p.column for p in err.value.problems} == {schema.VINTAGE, schema.SOURCE}
