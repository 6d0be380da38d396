"""Spring Festival regressors for monthly (11- or 12-period) data; dates from ``holidays.China``.

Official series have 11 periods a year: January and February are released together as Jan–Feb
(period-end month 2, season 1), then March (season 2) … December (season 11); generic monthly series
have 12. The Spring Festival (Chinese New Year) falls between 21 January and 20 February and moves
every year. Factories and sites close around it and shops see a pre-festival rush, so it shifts activity
between January, February and March: a late festival pushes the post-festival restart into March
(a weak March after a relatively full Jan–Feb), an early one lets March run at full speed.

Prophet's holiday effects act on days. On monthly data each observation is a single date stamp per
period, so a day-based holiday either never coincides with a stamp or hits one stamp regardless of how
much of the festival fell in the month: it cannot describe the shift. The regressors here say, for
each period, how much of a festival window fell in that period's months, centred on its usual value,
and can be passed to SARIMAX (``exog``) or Prophet (``add_regressor``) alike.

The window is 7 days before New Year's day to 14 days after it (22 days, inclusive): the week of
pre-festival shopping and travel, the official week off and the slow restart up to the Lantern
Festival (15th day of the first lunar month = New Year's day + 14).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

from forecast.data.errors import DataError
from forecast.data.ytd import check_mode, season_numbers

#: Festival window around New Year's day, in days (inclusive on both ends).
WINDOW_BEFORE = 7
WINDOW_AFTER = 14
#: Years whose average share is subtracted (38 years = two 19-year Metonic cycles, over which lunar
#: dates nearly repeat, so the average is not biased towards early or late festivals).
REFERENCE_YEARS = range(2000, 2038)
#: Columns by mode: one per season the window can touch.
COLUMNS = {11: ["sf_janfeb", "sf_mar"], 12: ["sf_jan", "sf_feb", "sf_mar"]}
_MONTHS = {11: [(1, 2), (3,)], 12: [(1,), (2,), (3,)]}

_NAME = "Spring Festival"
FIRST_YEAR = int(getattr(holidays.China, "start_year", 1950))
LAST_YEAR = int(getattr(holidays.China, "end_year", 2100))


@lru_cache(maxsize=64)
def _dates(years: tuple[int, ...]) -> dict[int, dt.date]:
    cal = holidays.China(years=list(years), language="en_US")
    found: dict[int, dt.date] = {}
    for day, name in sorted(cal.items()):
        parts = [p.strip() for p in str(name).split(";")]
        if any(_NAME in p and "observed" not in p.lower() and "Eve" not in p for p in parts):
            found.setdefault(day.year, day)
    return found


def spring_festival_dates(years: Iterable[int]) -> dict[int, dt.date]:
    """Chinese New Year's day (first day of the Spring Festival holiday) of each year.

    Taken from ``holidays.China`` (English names): the first day named "Chinese New Year (Spring
    Festival)", excluding New Year's Eve and "(observed)" days.

    Parameters
    ----------
    years : iterable of int

    Returns
    -------
    dict
        ``{year: date}`` for every requested year.

    Raises
    ------
    DataError
        For a year ``holidays`` has no Spring Festival for (it covers 1950–2100).

    Examples
    --------
    >>> spring_festival_dates([2025, 2026])
    {2025: datetime.date(2025, 1, 29), 2026: datetime.date(2026, 2, 17)}
    """
    wanted = tuple(sorted({int(y) for y in years}))
    found = _dates(wanted) if wanted else {}
    missing = [y for y in wanted if y not in found]
    if missing:
        raise DataError(
            f"no Spring Festival date for year(s) {missing[:10]} in holidays {holidays.__version__}; "
            f"expected years within {FIRST_YEAR}–{LAST_YEAR} (upgrade 'holidays' for other years)"
        )
    return {y: found[y] for y in wanted}


def _raw_shares(year: int, periods_per_year: int) -> np.ndarray | None:
    """Share of the window falling in each column's months, or None outside holidays' range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    ny = spring_festival_dates([year])[year]
    days = pd.date_range(ny - dt.timedelta(days=WINDOW_BEFORE), ny + dt.timedelta(days=WINDOW_AFTER), freq="D")
    months = np.asarray(days.month)
    return np.array([np.isin(months, ms).mean() for ms in _MONTHS[periods_per_year]])


@lru_cache(maxsize=4)
def _reference_mean(periods_per_year: int) -> np.ndarray:
    return np.mean([_raw_shares(y, periods_per_year) for y in REFERENCE_YEARS], axis=0)


@lru_cache(maxsize=512)
def _centred(year: int, periods_per_year: int) -> np.ndarray:
    raw = _raw_shares(year, periods_per_year)
    if raw is None:
        return np.zeros(len(COLUMNS[periods_per_year]))
    return raw - _reference_mean(periods_per_year)


def spring_festival_regressors(periods: pd.PeriodIndex, periods_per_year: int = 11) -> pd.DataFrame:
    """Spring Festival regressors, one row per period, for SARIMAX ``exog`` or Prophet regressors.

    For each period the columns give the share of the festival window (7 days before to 14 days after
    New Year's day, 22 days) that falls in the period's months, minus that share's average over
    :data:`REFERENCE_YEARS`; a column is non-zero only on the rows of the season it names, so the
    regressors are about zero on average and only the year-to-year shift matters.

    - 11 periods: ``sf_janfeb`` (on Jan–Feb rows) and ``sf_mar`` (on March rows). The window always
      lies in Jan–Mar, so a late festival raises ``sf_mar`` and lowers ``sf_janfeb`` by the same amount.
    - 12 periods: ``sf_jan``, ``sf_feb``, ``sf_mar`` on January, February and March rows.

    Years outside the range of ``holidays`` (1950–2100) get zeros, i.e. a festival at its usual date.

    Parameters
    ----------
    periods : PeriodIndex
        Monthly periods (any order, duplicates allowed); not modified.
    periods_per_year : {11, 12}

    Returns
    -------
    DataFrame
        Float columns :data:`COLUMNS` ``[periods_per_year]``, indexed by ``periods``.

    Raises
    ------
    DataError
        For a non-monthly index, January in 11-period mode, or an unsupported ``periods_per_year``.

    Examples
    --------
    >>> x = spring_festival_regressors(pd.PeriodIndex(["2025-03", "2026-03"], freq="M"))
    >>> float((x["sf_mar"].iloc[1] - x["sf_mar"].iloc[0]).round(4))  # 3 of 22 days in March 2026
    0.1364
    """
    P = check_mode(periods_per_year)
    if not isinstance(periods, pd.PeriodIndex) or periods.freqstr != "M":
        raise DataError(
            f"spring_festival_regressors: expected a monthly PeriodIndex, got {type(periods).__name__} "
            f"({getattr(periods, 'dtype', '?')}); build one with pd.period_range(start, end, freq='M')"
        )
    seasons = season_numbers(periods, P, "spring_festival_regressors")
    cols = COLUMNS[P]
    out = np.zeros((len(periods), len(cols)))
    for i, (year, season) in enumerate(zip(periods.year, seasons, strict=True)):
        if season <= len(cols):
            out[i, season - 1] = _centred(int(year), P)[season - 1]
    return pd.DataFrame(out, index=periods, columns=cols)
