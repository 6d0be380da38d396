"""Tracking a project list (DESIGN §9): completed against planned to date and against what the fai target needs.

Per city and for the province (the sum of its cities' projects), in 亿元 unless stated:

- ``planned``: this year's planned investment; ``planned_to_date``: its phased part (:mod:`forecast.decisions.projects`)
  up to the month the completed figures run to (``as_of``; Jan–Feb counts as one period);
- ``completed``: invested this year to ``as_of`` (已完成投资); ``completion_pct`` = completed / planned to date (%);
  ``behind`` = planned to date − completed (positive: behind plan);
- ``remaining_plan`` = planned − planned to date: what the list still plans for the rest of the year;
- ``needed``: the fai flow the rest of the year needs to meet the region's fai target, ``(1 + T)·B_12 − V_t``
  (DESIGN §4) on the panel's fai levels, which are estimates chained from published growth rates; NaN when the
  region has no fai target (the province has none in 2026), and then no verdict is given;
- ``plan_share_of_need`` = remaining plan / needed (%): how much of what the target needs the listed projects plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.catalog import PROVINCE, REGIONS
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, PERIOD, REGION, YEAR, YTD_VALUE
from forecast.decisions.position import full_year_base
from forecast.decisions.projects import phase_projects

TRACKING_COLUMNS = ["region", "projects", "planned", "planned_to_date", "completed", "completion_pct", "behind",
                    "remaining_plan", "target", "needed", "plan_share_of_need"]


def _needed(panel: pd.DataFrame, region: str, year: int, as_of: pd.Period, targets: pd.DataFrame | None) -> tuple:
    if targets is None or targets.empty:
        return np.nan, np.nan
    t = targets[(targets[REGION] == region) & (targets[INDICATOR] == "fai") & (targets["year"].astype(int) == year)]
    if t.empty:
        return np.nan, np.nan
    rows = panel[(panel[REGION] == region) & (panel[INDICATOR] == "fai")]
    at = rows[(rows[PERIOD] <= as_of) & (rows[YEAR] == year) & rows[YTD_VALUE].notna()]
    if at.empty:
        return float(t["value"].iloc[0]), np.nan
    try:
        b12 = full_year_base(rows, year)
    except DataError:
        return float(t["value"].iloc[0]), np.nan
    target = float(t["value"].iloc[0])
    return target, (1 + target / 100) * b12 - float(at.sort_values(PERIOD)[YTD_VALUE].iloc[-1])


def track_projects(projects: pd.DataFrame, panel: pd.DataFrame, *, targets: pd.DataFrame | None = None,
                   as_of: pd.Period | str | None = None) -> pd.DataFrame:
    """One row per city with projects, then the province: the columns :data:`TRACKING_COLUMNS` (see the module).

    ``as_of`` defaults to the latest ``period`` of the completed figures. Projects without a completed figure
    count as 0 completed. Not modified: ``projects``, ``panel``, ``targets``.

    Raises
    ------
    DataError
        When the list has no completed figures and no ``as_of`` is given, or several plan years.

    Examples
    --------
    >>> from forecast.data.project_list import example_list_path, load_project_list
    >>> t = track_projects(load_project_list(example_list_path()), panel, targets=targets)
    >>> t["region"].iloc[-1], round(float(t["planned"].iloc[-1]))
    ('liaoning', 1750)
    """
    years = sorted(set(projects["plan_year"]))
    if len(years) != 1:
        raise DataError(f"track_projects: the list has plan years {years}; track one year at a time")
    year = int(years[0])
    if as_of is None:
        periods = [p for p in projects["period"] if p is not None and p == p]
        if not periods:
            raise DataError("track_projects: no completed figures (已完成投资 with its 时期); give as_of")
        as_of = max(periods)
    as_of = pd.Period(as_of, freq="M")
    ph = phase_projects(projects, panel)
    to_date = ph[ph[PERIOD] <= as_of].groupby(REGION)["amount"].sum()
    g = projects.groupby("region")
    frame = pd.DataFrame({"projects": g.size(), "planned": g["planned"].sum(),
                          "completed": g["completed"].sum(min_count=0)})
    frame["planned_to_date"] = to_date.reindex(frame.index).fillna(0.0)
    order = [r for r in REGIONS if r in frame.index]
    frame = frame.loc[order]
    frame.loc[PROVINCE] = frame.sum(axis=0)
    out = frame.reset_index().rename(columns={"index": "region"})
    out["completion_pct"] = 100 * out["completed"] / out["planned_to_date"].where(out["planned_to_date"] > 0)
    out["behind"] = out["planned_to_date"] - out["completed"]
    out["remaining_plan"] = out["planned"] - out["planned_to_date"]
    need = [_needed(panel, r, year, as_of, targets) for r in out["region"]]
    out["target"] = [n[0] for n in need]
    out["needed"] = [n[1] for n in need]
    out["plan_share_of_need"] = 100 * out["remaining_plan"] / out["needed"].where(out["needed"] > 0)
    out["projects"] = out["projects"].astype("int64")
    out.attrs.update(year=year, as_of=str(as_of))
    return out[TRACKING_COLUMNS]
