"""Major-project lists → fai scenarios (DESIGN §9): phasing, slippage, incremental projects.

**Phasing.** A project's planned investment for its plan year Y is spread over its *active months* in Y —
from ``max(start, January Y)`` to ``min(end, December Y)`` — in proportion to a construction-season profile:
the fai seasonal shares of its city (:func:`construction_profile`: each period's share of the year's flow,
averaged over the last complete years of the period panel). The 11-period year has Jan–Feb as one period, so
its share is split evenly over January and February, and a month's amount is booked in the period that
holds it: a project active in January only contributes to the Jan–Feb period. When the city has no fai series
or no complete year in the panel, the province's profile is used (and ``profile_source`` says so); when
neither exists, the calendar (every month the same) is used.

**Scenarios.** Adjustments are ordinary ``abs`` adjustments on fai in 亿元, one per city and period (an
``abs`` on a single period adds exactly its value there), so the app, the pack and ``forecast scenario
run`` treat them like any other scenario:

- *incremental* projects (flagged 是否新增 = 是: not in the baseline forecast) add their phased investment;
- *slippage* "a share S of new starts slip K months": the work of month m is done in month m+K, so the
  adjustment is ``S × (phased(slipped) − phased(on time))``: negative this year, and what is pushed past
  December arrives in the first months of next year (the total is preserved);
- *delivery* "continuing projects deliver a share S of plan": ``−(1 − S) × phased(on time)``; the shortfall
  is not carried over.

Only periods inside a window (the forecast's horizon: after the last published month, at most the end of
next year) can be adjusted; the amounts outside it are reported in the scenario's description.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.catalog import PROVINCE, REGIONS
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, PERIOD, REGION, SEASON, VALUE, YEAR
from forecast.data.ytd import season_periods
from forecast.decisions.scenario_spec import Adjustment, Scenario

#: Complete years of the panel averaged in a construction-season profile.
PROFILE_YEARS = 3
_MONTHS = np.arange(1, 13)


def construction_profile(panel: pd.DataFrame, region: str, *, before: int | None = None,
                         years: int = PROFILE_YEARS, indicator: str = "fai") -> tuple[pd.Series, str]:
    """Seasonal shares of a city's fai (11 periods, summing to 1) and the region they come from.

    The shares are each period's flow over the year's total, averaged over the last ``years`` complete years
    (all 11 flows finite and the total positive) before ``before`` (default: every year of the panel). Falls
    back to the province's profile, then to the calendar (``"calendar"``: Jan–Feb 2/12, other periods 1/12).

    Examples
    --------
    >>> prof, src = construction_profile(panel, "shenyang", before=2026)
    >>> len(prof), round(float(prof.sum()), 12), src
    (11, 1.0, 'shenyang')
    """
    for r in (region, PROVINCE):
        rows = panel[(panel[REGION] == r) & (panel[INDICATOR] == indicator)]
        if before is not None:
            rows = rows[rows[YEAR] < before]
        wide = rows.pivot_table(index=YEAR, columns=SEASON, values=VALUE, aggfunc="first")
        wide = wide.reindex(columns=range(1, 12))
        ok = wide[wide.notna().all(axis=1) & (wide.sum(axis=1) > 0)].tail(years)
        if len(ok):
            shares = ok.div(ok.sum(axis=1), axis=0).mean(axis=0)
            return pd.Series(shares.to_numpy(dtype=float), index=range(1, 12), name="share"), r
    flat = np.r_[2.0, np.ones(10)] / 12
    return pd.Series(flat, index=range(1, 12), name="share"), "calendar"


def _month_weights(profile: pd.Series) -> np.ndarray:
    """Weight of each calendar month 1..12: a period's share over its months (Jan and Feb half of Jan–Feb)."""
    s = profile.reindex(range(1, 12)).to_numpy(dtype=float)
    return np.r_[s[0] / 2, s[0] / 2, s[1:]]


def _to_periods(year: int, monthly: np.ndarray) -> pd.Series:
    """Monthly amounts of ``year`` (12 values) → the 11 periods of that year (January joins February)."""
    vals = np.r_[monthly[0] + monthly[1], monthly[2:]]
    return pd.Series(vals, index=pd.PeriodIndex(season_periods(year), freq="M"))


def monthly_plan(planned: float, start: pd.Period, end: pd.Period, year: int, profile: pd.Series) -> np.ndarray:
    """``planned`` 亿元 over the active months of ``year`` (12 values, January first), by the profile.

    Examples
    --------
    >>> prof = pd.Series([2 / 12] + [1 / 12] * 10, index=range(1, 12))
    >>> monthly_plan(12.0, pd.Period("2025-11", "M"), pd.Period("2026-03", "M"), 2026, prof).round(2).tolist()
    [4.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    lo = max(start, pd.Period(year=year, month=1, freq="M"))
    hi = min(end, pd.Period(year=year, month=12, freq="M"))
    out = np.zeros(12)
    if lo > hi or not planned:
        return out
    w = _month_weights(profile) * ((_MONTHS >= lo.month) & (_MONTHS <= hi.month))
    if w.sum() <= 0:  # a profile with no weight in the active months: spread by the calendar
        w = ((_MONTHS >= lo.month) & (_MONTHS <= hi.month)).astype(float)
    return planned * w / w.sum()


def phase(planned: float, start: pd.Period, end: pd.Period, year: int, profile: pd.Series,
          slip: int = 0) -> pd.Series:
    """Phased amounts (亿元) by period of ``year`` and, when ``slip`` months push work past December, later years.

    Examples
    --------
    >>> prof = pd.Series([2 / 12] + [1 / 12] * 10, index=range(1, 12))
    >>> s = phase(12.0, pd.Period("2026-10", "M"), pd.Period("2026-12", "M"), 2026, prof, slip=2)
    >>> {str(p): round(v, 2) for p, v in s.items() if v}
    {'2026-12': 4.0, '2027-02': 8.0}
    """
    monthly = monthly_plan(planned, pd.Period(start, freq="M"), pd.Period(end, freq="M"), int(year), profile)
    if not slip:
        return _to_periods(int(year), monthly)
    if slip < 0:
        raise DataError(f"slip={slip} months; expected a delay ≥ 0")
    n_years = 1 + (11 + slip) // 12
    shifted = np.zeros(12 * n_years)
    shifted[slip:slip + 12] = monthly
    return pd.concat([_to_periods(int(year) + k, shifted[12 * k:12 * k + 12]) for k in range(n_years)])


def phase_projects(projects: pd.DataFrame, panel: pd.DataFrame, *, slip: int = 0) -> pd.DataFrame:
    """Every project's phased planned investment: ``name, region, period, amount`` (亿元), plus ``profile_source``.

    ``projects`` is :func:`forecast.data.project_list.load_project_list`'s frame; each project uses the profile of
    its city from the years before its plan year (:func:`construction_profile`). Not modified.
    """
    cache: dict = {}
    frames = []
    for p in projects.itertuples(index=False):
        key = (p.region, int(p.plan_year))
        if key not in cache:
            cache[key] = construction_profile(panel, p.region, before=int(p.plan_year))
        prof, src = cache[key]
        s = phase(float(p.planned), p.start, p.end, int(p.plan_year), prof, slip)
        frames.append(pd.DataFrame({"name": p.name, REGION: p.region, PERIOD: s.index, "amount": s.to_numpy(),
                                    "profile_source": src}))
    if not frames:
        return pd.DataFrame(columns=["name", REGION, PERIOD, "amount", "profile_source"])
    return pd.concat(frames, ignore_index=True)


def _by_region(phased: pd.DataFrame, factor: float = 1.0) -> pd.Series:
    if phased.empty:
        return pd.Series(dtype=float)
    return phased.groupby([REGION, PERIOD], sort=True)["amount"].sum() * factor


def project_deltas(projects: pd.DataFrame, panel: pd.DataFrame, *, incremental: bool = True,
                   slip: int = 0, share: float = 1.0, deliver: float | None = None) -> pd.DataFrame:
    """Change of fai (亿元) by city and period that a project list implies: ``region, period, amount``.

    Parameters
    ----------
    incremental : add the phased plan of projects flagged incremental (not in the baseline).
    slip, share : a share ``share`` (0..1) of every new start (status ``new``) slips ``slip`` months.
    deliver : continuing projects deliver this share (0..1) of their plan (None: all of it).
    """
    if not 0 <= share <= 1 or (deliver is not None and not 0 <= deliver <= 1):
        raise DataError(f"share={share}, deliver={deliver}: expected fractions between 0 and 1 (0.3 = 30 %)")
    parts = []
    if incremental:
        parts.append(_by_region(phase_projects(projects[projects["incremental"]], panel)))
    if slip and share:
        new = projects[projects["status"] == "new"]
        parts.append(_by_region(phase_projects(new, panel, slip=int(slip)), share))
        parts.append(_by_region(phase_projects(new, panel), -share))
    if deliver is not None and deliver < 1:
        parts.append(_by_region(phase_projects(projects[projects["status"] == "continuing"], panel), deliver - 1))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({REGION: pd.Series(dtype=object), PERIOD: pd.PeriodIndex([], freq="M"),
                             "amount": pd.Series(dtype=float)})
    total = pd.concat(parts).groupby(level=[0, 1], sort=True).sum()
    out = total.reset_index().rename(columns={0: "amount"})
    out.columns = [REGION, PERIOD, "amount"]
    return out[np.abs(out["amount"].to_numpy(dtype=float)) > 1e-9].reset_index(drop=True)


def deltas_to_scenario(deltas: pd.DataFrame, name: str, *, window: tuple[pd.Period, pd.Period] | None = None,
                       name_zh: str = "", what: str = "", what_zh: str = "") -> Scenario:
    """An ordinary scenario of ``abs`` fai adjustments, one per city and period of ``deltas`` inside ``window``.

    Amounts outside the window (already published months, or beyond the forecast horizon) are left out and
    their total per city is stated in the description (zh and en).
    """
    d = deltas
    inside = np.ones(len(d), bool) if window is None else \
        np.array([window[0] <= p <= window[1] for p in d[PERIOD]], bool)
    adjs = tuple(Adjustment("abs", "fai", (r,), (p,), round(float(a), 6), f"项目清单 / project list: {what}")
                 for r, p, a in zip(d[REGION][inside], d[PERIOD][inside], d["amount"][inside], strict=True))
    years = d[PERIOD].map(lambda q: q.year) if len(d) else pd.Series(dtype="int64")
    kept = d[inside].groupby([d[REGION][inside], years[inside]], sort=True)["amount"].sum()
    left = d[~inside].groupby(REGION, sort=False)["amount"].sum()
    order = [r for r in REGIONS if r in set(d[REGION])]

    def by_year(r: str, lang: str) -> str:
        rows = kept[r] if r in kept.index.get_level_values(0) else pd.Series(dtype=float)
        if lang == "zh":
            return REGIONS[r].zh + "，".join(f"{y}年{a:+.2f}亿元" for y, a in rows.items())
        return f"{REGIONS[r].name('en')} " + ", ".join(f"{y} {a:+.2f} 亿元" for y, a in rows.items())

    has = [r for r in order if r in kept.index.get_level_values(0)]
    span = "" if window is None else f" ({window[0]}..{window[1]})"
    desc = f"{what}. Fixed-asset investment change by city and year{span}: " \
           f"{'; '.join(by_year(r, 'en') for r in has) or 'none'}."
    desc_zh = f"{what_zh}。各市分年度固定资产投资变化{span}：{'；'.join(by_year(r, 'zh') for r in has) or '无'}。"
    if len(left):
        out = [r for r in order if r in left.index]
        desc += " Outside the window, not applied: " + "; ".join(f"{REGIONS[r].name('en')} {left[r]:+.2f} 亿元"
                                                                  for r in out) + "."
        desc_zh += "窗口外未计入：" + "；".join(f"{REGIONS[r].zh}{left[r]:+.2f}亿元" for r in out) + "。"
    return Scenario(name, adjs, None, desc, name_zh, desc_zh)


def forecast_window(panel: pd.DataFrame, indicator: str = "fai") -> tuple[pd.Period, pd.Period]:
    """The periods a scenario can adjust: after the last published month of ``indicator``, to December next year."""
    rows = panel[(panel[INDICATOR] == indicator) & panel[VALUE].notna()]
    if rows.empty:
        raise DataError(f"the panel has no {indicator} figures: cannot tell which months a scenario may adjust")
    last = pd.Period(rows[PERIOD].max(), freq="M")
    first = last + 1
    first = first + 1 if first.month == 1 else first   # January is published with February
    return first, pd.Period(year=last.year + 1, month=12, freq="M")


def project_scenario(projects: pd.DataFrame, panel: pd.DataFrame, name: str, *, slip: int = 0,
                     share: float = 1.0, deliver: float | None = None, incremental: bool = True,
                     window: tuple[pd.Period, pd.Period] | None = None, name_zh: str = "") -> Scenario:
    """The scenario a project list implies (incremental projects, slippage, delivery), as ``abs`` fai adjustments.

    ``window`` defaults to :func:`forecast_window` of the panel (after the last published fai month, to
    December next year).

    Examples
    --------
    >>> from forecast.data.project_list import example_list_path, load_project_list
    >>> p = load_project_list(example_list_path())
    >>> s = project_scenario(p, panel, "slip3", slip=3, share=0.3, incremental=False)
    >>> {a.kind for a in s.adjustments}, {a.indicator for a in s.adjustments}, str(s.adjustments[0].months[0])
    ({'abs'}, {'fai'}, '2026-11')
    """
    window = forecast_window(panel) if window is None else window
    bits, bits_zh = [], []
    if incremental:
        bits.append("incremental projects (not in the baseline) added")
        bits_zh.append("新增项目（未计入基准）计入")
    if slip and share:
        bits.append(f"{share:.0%} of new starts slip {slip} months")
        bits_zh.append(f"{share:.0%}的新开工项目推迟{slip}个月")
    if deliver is not None and deliver < 1:
        bits.append(f"continuing projects deliver {deliver:.0%} of plan")
        bits_zh.append(f"续建项目完成计划的{deliver:.0%}")
    d = project_deltas(projects, panel, incremental=incremental, slip=slip, share=share, deliver=deliver)
    return deltas_to_scenario(d, name, window=window, name_zh=name_zh,
                              what="Project list: " + ("; ".join(bits) or "no change"),
                              what_zh="项目清单：" + ("；".join(bits_zh) or "无变化"))
