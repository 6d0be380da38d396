"""The data contract in one place: column names and one validator per frame type.

Observations (one row per published YTD figure)
    ``region``, ``indicator`` (catalogue codes), ``period`` (``Period[M]``, last month of the YTD
    window), ``ytd_value`` (float, 亿元, NaN when unpublished), ``ytd_yoy`` (float, %, NaN when
    unpublished), ``vintage`` (str, release date ``YYYY-MM-DD`` or ``""`` when unknown),
    ``status`` (``published`` | ``generated``), ``source`` (str). Unique on
    (region, indicator, period, vintage).

Panel (period flows derived from observations, never stored as input)
    ``region``, ``indicator``, ``period``, ``year``, ``season`` (1..periods_per_year),
    ``ytd_value``, ``ytd_yoy`` (as observed, or the chained index for growth-only series),
    ``ytd_base`` (``ytd_value / (1 + ytd_yoy/100)``), ``value`` (flow for the period, 亿元 or index points), ``base`` (the same period's comparable
    base last year, NaN where unknown), ``is_index`` (bool, True for a chained index of a
    growth-only series).
"""

from __future__ import annotations

import pandas as pd

from forecast.data.catalog import INDICATORS, REGIONS
from forecast.data.errors import DataError, Problem

REGION = "region"
INDICATOR = "indicator"
PERIOD = "period"
YTD_VALUE = "ytd_value"
YTD_YOY = "ytd_yoy"
VINTAGE = "vintage"
STATUS = "status"
SOURCE = "source"

YTD_BASE = "ytd_base"
YEAR = "year"
SEASON = "season"
VALUE = "value"
BASE = "base"
IS_INDEX = "is_index"

OBSERVATION_COLUMNS = [REGION, INDICATOR, PERIOD, YTD_VALUE, YTD_YOY, VINTAGE, STATUS, SOURCE]
OBSERVATION_KEY = [REGION, INDICATOR, PERIOD, VINTAGE]
PANEL_COLUMNS = [REGION, INDICATOR, PERIOD, YEAR, SEASON, YTD_VALUE, YTD_YOY, YTD_BASE, VALUE, BASE, IS_INDEX]

STATUSES = ("published", "generated")

#: Targets frame (:func:`forecast.data.target_table.load_targets`): growth targets in % by region,
#: indicator and year; ``kind`` is ``about`` (左右) or ``at_least`` (以上), both read as "≥ value".
KIND = "kind"
TARGET_COLUMNS = [REGION, INDICATOR, YEAR, VALUE, KIND, STATUS, SOURCE]


def empty_observations() -> pd.DataFrame:
    """Return an observations frame with no rows and the contract's dtypes."""
    return pd.DataFrame(
        {
            REGION: pd.Series(dtype="object"),
            INDICATOR: pd.Series(dtype="object"),
            PERIOD: pd.Series(dtype="period[M]"),
            YTD_VALUE: pd.Series(dtype="float64"),
            YTD_YOY: pd.Series(dtype="float64"),
            VINTAGE: pd.Series(dtype="object"),
            STATUS: pd.Series(dtype="object"),
            SOURCE: pd.Series(dtype="object"),
        }
    )


def validate_observations(obs: pd.DataFrame, name: str = "observations") -> pd.DataFrame:
    """Check a frame against the observations contract and return it unchanged.

    Parameters
    ----------
    obs : DataFrame
        Frame to check.
    name : str
        How to name the frame in error messages.

    Raises
    ------
    DataError
        Listing every missing column, wrong dtype, unknown code and duplicate key.

    Examples
    --------
    >>> validate_observations(empty_observations()).shape
    (0, 8)
    """
    problems: list[Problem] = []
    missing = [c for c in OBSERVATION_COLUMNS if c not in obs.columns]
    if missing:
        raise DataError(
            f"{name}: missing column(s) {missing}; expected {OBSERVATION_COLUMNS}",
            [Problem(name, None, c, "column is missing", "column_missing") for c in missing],
        )
    if obs[PERIOD].dtype != pd.PeriodDtype("M"):
        problems.append(Problem(name, None, PERIOD, f"expected dtype period[M], got {obs[PERIOD].dtype}", "bad_dtype",
                                {"expected": "period[M]", "dtype": str(obs[PERIOD].dtype)}))
    for col in (YTD_VALUE, YTD_YOY):
        if not pd.api.types.is_float_dtype(obs[col]):
            problems.append(Problem(name, None, col, f"expected float64, got {obs[col].dtype}", "bad_dtype",
                                    {"expected": "float64", "dtype": str(obs[col].dtype)}))
    for i, (r, ind, st) in enumerate(zip(obs[REGION], obs[INDICATOR], obs[STATUS], strict=True)):
        if r not in REGIONS:
            problems.append(Problem(name, i, REGION, f"unknown region code {r!r}", "unknown_region_code", {"code": r}))
        if ind not in INDICATORS:
            problems.append(Problem(name, i, INDICATOR, f"unknown indicator code {ind!r}", "unknown_indicator_code",
                                    {"code": ind}))
        if st not in STATUSES:
            problems.append(Problem(name, i, STATUS, f"expected one of {STATUSES}, got {st!r}", "bad_status_code",
                                    {"expected": STATUSES, "value": st}))
    dup = obs.duplicated(OBSERVATION_KEY, keep=False)
    for i in obs.index[dup][:20]:
        row = obs.loc[i]
        problems.append(
            Problem(name, int(i), None, f"duplicate key ({row[REGION]}, {row[INDICATOR]}, {row[PERIOD]}, {row[VINTAGE]!r})",
                    "duplicate_key", {"region": row[REGION], "indicator": row[INDICATOR], "period": str(row[PERIOD]),
                                      "vintage": row[VINTAGE]})
        )
    if problems:
        raise DataError(f"{name} breaks the observations contract", problems)
    return obs
