"""The pack's project-tracking sheet (项目跟踪 / Project tracking), and the table the app shows.

Rows of :func:`forecast.decisions.project_tracking.track_projects` in Chinese or English, every number with its
unit in the header (亿元, %). Like :mod:`forecast.export.gap_sheet`, it gives the sheet name, the columns and a
frame; the pack writes it with its own cell writer (text never a live formula) and the app shows the same frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import PROVINCE, REGIONS
from forecast.data.errors import DataError
from forecast.data.project_list import example_list_path, load_project_list
from forecast.decisions.project_tracking import track_projects

_LABELS = {
    "zh": {"sheet": "项目跟踪", "region": "地区", "projects": "项目数(个)", "planned": "年度计划投资(亿元)",
           "planned_to_date": "计划至今(亿元)", "completed": "已完成(亿元)", "completion_pct": "完成率(%)",
           "behind": "滞后于计划(亿元)", "remaining_plan": "剩余计划(亿元)", "target": "固投目标(%)",
           "needed": "达标尚需投资(亿元)", "plan_share_of_need": "剩余计划/尚需(%)", "note": "说明",
           "province": "全省（各市项目合计）", "no_target": "无固定资产投资目标，不作判断",
           "as_of": "已完成投资截至{as_of}；计划按各市施工季节分月；固投水平为由增速链接的估计值"},
    "en": {"sheet": "Project tracking", "region": "Region", "projects": "Projects", "planned": "Planned this year (100 mn yuan)",
           "planned_to_date": "Planned to date (100 mn yuan)", "completed": "Completed (100 mn yuan)", "completion_pct": "Completion (%)",
           "behind": "Behind plan (100 mn yuan)", "remaining_plan": "Remaining plan (100 mn yuan)", "target": "FAI target (%)",
           "needed": "Needed to meet target (100 mn yuan)", "plan_share_of_need": "Remaining plan / needed (%)",
           "note": "Note", "province": "Province (sum of the cities' projects)",
           "no_target": "no fixed-asset investment target: no verdict",
           "as_of": "completed to {as_of}; plans phased by each city's construction season; fai levels are "
                    "estimates chained from growth rates"},
}
_NUMBERS = [("projects", "0"), ("planned", "0.00"), ("planned_to_date", "0.00"), ("completed", "0.00"),
            ("completion_pct", "0.0"), ("behind", "0.00"), ("remaining_plan", "0.00"), ("target", "0.0"),
            ("needed", "0.00"), ("plan_share_of_need", "0.0")]


def projects_sheet_name(lang: str = "zh") -> str:
    """``项目跟踪`` / ``Project tracking``."""
    return _LABELS[lang]["sheet"]


def projects_columns(lang: str = "zh") -> list[tuple[str, str, str | None]]:
    """(header with unit, source column of :func:`projects_frame`, number format) in ``lang``.

    Examples
    --------
    >>> [h for h, _, _ in projects_columns("en")][:3]
    ['Region', 'Projects', 'Planned this year (100 mn yuan)']
    """
    lab = _LABELS[lang]
    return [(lab["region"], "name", None), *((lab[c], c, f) for c, f in _NUMBERS), (lab["note"], "note", None)]


def projects_frame(tracking: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The tracking table with region names in ``lang`` and a note per row (the columns of :func:`projects_columns`).

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["shenyang", "liaoning"], "projects": [2, 2], "planned": [12.0, 12.0],
    ...                   "planned_to_date": [8.0, 8.0], "completed": [6.0, 6.0], "completion_pct": [75.0, 75.0],
    ...                   "behind": [2.0, 2.0], "remaining_plan": [4.0, 4.0], "target": [5.0, float("nan")],
    ...                   "needed": [40.0, float("nan")], "plan_share_of_need": [10.0, float("nan")]})
    >>> projects_frame(t, "zh")[["name", "note"]].values.tolist()[1]
    ['全省（各市项目合计）', '无固定资产投资目标，不作判断']
    """
    lab = _LABELS[lang]
    names = [lab["province"] if r == PROVINCE else REGIONS[r].name(lang) for r in tracking["region"]]
    notes = ["" if np.isfinite(t) else lab["no_target"] for t in tracking["target"].astype(float)]
    if "as_of" in tracking.attrs and notes:
        notes[-1] = "; ".join(x for x in (notes[-1], lab["as_of"].format(as_of=tracking.attrs["as_of"])) if x)
    out = pd.DataFrame({"name": names})
    for c, _ in _NUMBERS:
        out[c] = tracking[c].to_numpy()
    out["note"] = notes
    return out


def tracking_frame(run: Any, lang: str = "zh", path: Any = None) -> pd.DataFrame | None:
    """The sheet's rows for ``run`` from the project list at ``path`` (default the bundled example list,
    :func:`forecast.data.project_list.example_list_path`), or None when there is no list or it cannot be read.

    Examples
    --------
    >>> frame = tracking_frame(run)
    >>> frame is None or frame["name"].iloc[-1] == "全省（各市项目合计）"
    True
    """
    path = example_list_path() if path is None else path
    try:
        projects = load_project_list(path)
        return projects_frame(track_projects(projects, run.panel, targets=run.target_table), lang)
    except (DataError, OSError):
        return None
