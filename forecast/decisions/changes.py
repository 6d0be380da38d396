"""What changed since the last run: each series' projection and P(meet target), split into their causes.

The first question of every monthly meeting. For a run C against an earlier run P (its panel, sample paths
and targets), per region × indicator of C, in the year ``Y`` of C's latest release:

- ``G``: projected full-year growth, the **median** over sample paths of ``(V_t + Σ remaining flows) / B_12 − 1``
  (DESIGN §4, :func:`forecast.decisions.position.growth_from_flows`), as :func:`forecast.decisions.targets.evaluate_targets`
  projects it;
- ``p``: P(meet target), the share of paths whose full-year growth is ≥ the target (``TOLERANCE_PP`` as there).

The change from P to C is a chain of four evaluations; each step changes one thing, so the parts
**telescope**: they add up to the total by construction (to floating-point rounding, ~1e-15).

1. ``G_P``: P's panel, P's paths (what P said).
2. ``G_a``: P's panel plus the newly published months as C's panel has them (periods after P's last release):
   P's history and YTD value up to P's last period, plus the **actual flows** of the new months
   (``V^C_s − V^C_last`` in C's vintage, and the same for the comparable base ``B``), with P's paths for the
   periods still to come after C's last period. When P's last figure was not revised this is exactly C's
   rows for the new months.
3. ``G_b``: C's panel entirely (revised history, revised bases) with P's paths after C's last period.
4. ``G_C``: C's panel, C's paths (what C says).

Parts of the growth change: ``new = G_a − G_P`` (the new months: actual against what P expected, and the
new release's comparable base), ``revisions = G_b − G_a`` (a new vintage of figures P already had, last
year's included), ``target = 0`` (a target does not move a projection), ``model = G_C − G_b``
(re-estimation: C's paths against P's for the same periods, the rest). Medians telescope because each part is
defined as a difference of medians, never as the median of a difference.

P(meet) runs the same chain with P's target ``T_P`` in steps 1, 2, 3 and C's target ``T_C`` in step 4, plus one
step between 3 and 4 that swaps the target: ``p_b' = share(G_b paths ≥ T_C)``, so ``target = p_b' − p_b`` and
``model = p_C − p_b'``. A city without a target of its own is evaluated against the province's as a
reference (:func:`forecast.decisions.targets.with_reference_targets`, ``target_status`` ``reference``). Without
a target on one side the P(meet) columns of that side and every ``d_p`` are NaN (``status``: no target).

The series are C's (a series P lacks is a **new series**: C's figures, NaN changes, said in ``note``). The
year compared is C's: when P's data ended in an earlier year (the December release came in between), P is
evaluated for ``Y`` too, from its paths (which reach December of the next year), and the note says so.
Growth-only series (fai) run the same on the chained index (``is_index``). All functions are pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import REGIONS
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, IS_INDEX, PERIOD, REGION, TARGET_COLUMNS, YEAR, YTD_VALUE, YTD_YOY
from forecast.decisions.position import (
    SeriesTable,
    YTDPosition,
    growth_from_flows,
    remaining_flow_paths,
    series_table,
    ytd_position,
)
from forecast.decisions.standing import in_catalogue_order
from forecast.decisions.targets import TOLERANCE_PP, forecast_map, latest_year, with_reference_targets

#: Columns of :func:`what_changed`. Growths in %, their changes in percentage points (百分点); probabilities
#: 0–1 and their changes as differences of probabilities.
CHANGE_COLUMNS = [
    REGION, INDICATOR, YEAR, "prev_run", "run", "last_period_prev", "last_period",
    "growth_prev", "growth_now", "d_growth", "d_growth_new", "d_growth_revisions", "d_growth_target", "d_growth_model",
    "target_prev", "kind_prev", "target_now", "kind", "target_status", "p_prev", "p_now",
    "d_p", "d_p_new", "d_p_revisions", "d_p_target", "d_p_model",
    "new_months", "revised_months", "flags", "note", "error",
]
#: The parts of each change, in the order of the chain.
PARTS = ("new", "revisions", "target", "model")
#: Text of each flag of the ``flags`` column (zh, en); fields are filled from the row (:func:`change_note`).
NOTES: dict[str, tuple[str, str]] = {
    "new_series": ("新序列：上期无此序列，全部为新信息", "new series: not in the previous run, everything in it is new"),
    "year_change": ("跨年：上期数据截至{last_period_prev}，两期均按{year}年比较（上期路径的{year}年部分）",
                    "year change: the previous run's data ended in {last_period_prev}; both runs compared for "
                    "{year} (the previous run's paths for {year})"),
    "decided": ("{year}年12月已发布：全年已定", "December {year} published: the year is decided"),
    "no_new_month": ("无新发布月份", "no newly published month"),
    "index": ("由增速链式指数推算（总量未公布）", "derived from the chained growth index (levels not published)"),
    "target_changed": ("目标由{target_prev:g}%调整为{target_now:g}%", "target changed from {target_prev:g}% to "
                       "{target_now:g}%"),
    "target_new": ("上期未设目标", "no target in the previous run"),
    "target_removed": ("本期未设目标（上期有）", "no target any more (the previous run had one)"),
    "no_target": ("未设目标", "no target"),
    "prev_error": ("上期无法计算：{error}", "previous run: {error}"),
    "now_error": ("本期无法计算：{error}", "this run: {error}"),
}
_MAX_LISTED = 6


def what_changed(
    panel_prev: pd.DataFrame,
    forecasts_prev: Mapping | Iterable | None,
    targets_prev: pd.DataFrame | None,
    panel_now: pd.DataFrame,
    forecasts_now: Mapping | Iterable | None,
    targets_now: pd.DataFrame | None,
    *,
    year: int | None = None,
    prev_run: str = "",
    run: str = "",
) -> pd.DataFrame:
    """Change of every series' projected full-year growth and P(meet target) from run P to run C, in parts.

    See the module docstring for the chain ``G_P → G_a → G_b → G_C`` that defines the parts.

    Parameters
    ----------
    panel_prev, forecasts_prev, targets_prev
        Run P: its panel (:func:`forecast.data.panel.build_panel`), its forecasts (``(region, indicator)`` →
        object with ``periods`` and ``paths``, as :func:`forecast.decisions.targets.evaluate_targets` takes) and
        the targets table it was evaluated against (``region, indicator, year, value, kind, status``).
    panel_now, forecasts_now, targets_now
        Run C, the same.
    year : int, optional
        Default: the year of C's latest release.
    prev_run, run : str
        Run ids, copied to the ``prev_run`` and ``run`` columns.

    Returns
    -------
    DataFrame
        :data:`CHANGE_COLUMNS`, one row per series of C, catalogue order. ``d_growth = growth_now − growth_prev
        = d_growth_new + d_growth_revisions + d_growth_target + d_growth_model`` (``d_growth_target`` is 0) and
        ``d_p = p_now − p_prev`` = the sum of the ``d_p_*`` parts. ``new_months`` and ``revised_months`` list
        periods (``"2026-07"``, comma-separated; the Jan–Feb period is ``YYYY-02``); ``flags`` the codes of
        :data:`NOTES` (comma-separated) and ``note`` their English text (:func:`change_note` gives the
        Chinese). A figure that cannot be computed is NaN, with the reason in ``error`` (and ``note``).

    Examples
    --------
    P had data to June and expected 100 a month from July; July came in at 84, and C expects 90 a month:

    >>> import types
    >>> rows = [("2025-06", 400.0, 5.0), ("2025-07", 480.0, 5.0), ("2025-12", 1000.0, 5.0),
    ...         ("2026-06", 420.0, 5.0), ("2026-07", 504.0, 5.0)]
    >>> panel = pd.DataFrame({"region": "liaoning", "indicator": "retail", "season": [5, 6, 11, 5, 6],
    ...                       "period": pd.PeriodIndex([p for p, _, _ in rows], freq="M"),
    ...                       "ytd_value": [v for _, v, _ in rows], "ytd_yoy": [g for _, _, g in rows]})
    >>> def paths(first, flow):
    ...     months = pd.period_range(first, "2026-12", freq="M")
    ...     return {("liaoning", "retail"): types.SimpleNamespace(periods=months, paths=np.full((1, len(months)), flow))}
    >>> targets = pd.DataFrame({"region": ["liaoning"], "indicator": ["retail"], "year": [2026], "value": [1.0],
    ...                         "kind": ["about"], "status": ["published"]})
    >>> out = what_changed(panel.iloc[:4], paths("2026-07", 100.0), targets, panel, paths("2026-08", 90.0), targets)
    >>> out[["growth_prev", "growth_now", "d_growth_new", "d_growth_revisions", "d_growth_model"]].round(6)
       growth_prev  growth_now  d_growth_new  d_growth_revisions  d_growth_model
    0          2.0        -4.6          -1.6                 0.0            -5.0
    >>> out[["p_prev", "p_now", "d_p_new", "d_p_target", "d_p_model", "new_months"]]
       p_prev  p_now  d_p_new  d_p_target  d_p_model new_months
    0     1.0    0.0     -1.0         0.0        0.0    2026-07

    ``B_12`` = 1000 × (420/1.05)/400 = 1000 (and 1000 × (504/1.05)/480 = 1000 after July): P said
    (420 + 6 × 100)/1000 − 1 = 2.0 %; July's actual 84 with P's 5 × 100 gives (504 + 500)/1000 − 1 = 0.4 %
    (new: −1.6 pp, and below the 1 % target); C's 5 × 90 gives (504 + 450)/1000 − 1 = −4.6 % (model: −5.0 pp).
    """
    year = latest_year(panel_now) if year is None else int(year)
    fprev, fnow = forecast_map(forecasts_prev), forecast_map(forecasts_now)
    gprev = dict(iter(panel_prev.groupby([REGION, INDICATOR], sort=False))) if len(panel_prev) else {}
    gnow = dict(iter(panel_now.groupby([REGION, INDICATOR], sort=False))) if len(panel_now) else {}
    keys = [k for k in dict.fromkeys([*gnow, *fnow]) if k[0] in REGIONS]
    tprev, tnow = _targets_by_key(targets_prev, keys, year), _targets_by_key(targets_now, keys, year)
    rows = [_series_change(k, gprev.get(k), gnow.get(k), fprev.get(k), fnow.get(k), tprev.get(k), tnow.get(k), year)
            for k in keys]
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    out["prev_run"], out["run"] = str(prev_run), str(run)
    out["note"] = [change_note(r, "en") for r in out.to_dict("records")]
    return in_catalogue_order(out) if len(out) else out


def run_changes(prev: Any, now: Any, year: int | None = None) -> pd.DataFrame:
    """:func:`what_changed` of two runs: objects with ``panel``, ``forecasts``, ``target_table`` and ``run_id``
    (:class:`forecast.runs.results.RunResult`; read P with ``load_run_as_batched`` to use the targets it was
    evaluated against)."""
    return what_changed(prev.panel, prev.forecasts, prev.target_table, now.panel, now.forecasts, now.target_table,
                        year=year, prev_run=getattr(prev, "run_id", ""), run=getattr(now, "run_id", ""))


def change_note(row: Mapping, lang: str = "en") -> str:
    """The flags of a :func:`what_changed` row as text in ``lang`` (``zh`` or ``en``), ``"; "``-separated."""
    which = 0 if lang == "zh" else 1
    fields = {k: row.get(k) for k in ("year", "target_prev", "target_now")}
    fields["last_period_prev"] = str(row.get("last_period_prev") or "")
    fields["error"] = row.get("error") or ""
    return "; ".join(NOTES[code][which].format(**fields) for code in str(row.get("flags") or "").split(",")
                     if code in NOTES)


# ---------------------------------------------------------------------------------------------- one series
def _targets_by_key(table: pd.DataFrame | None, keys: list[tuple[str, str]], year: int) -> dict:
    if table is None or table.empty or any(c not in table.columns for c in (REGION, INDICATOR, YEAR, "value", "kind")):
        return {}
    table = table[[c for c in TARGET_COLUMNS if c in table.columns]]
    table = table[pd.to_numeric(table[YEAR]).astype(int) == year]
    full = with_reference_targets(table, keys, year) if len(table) else table
    return {(r[REGION], r[INDICATOR]): (float(r["value"]), r["kind"], r.get("status") or "published")
            for r in full.to_dict("records")}


def _target_flags(t_prev: tuple | None, t_now: tuple | None) -> list[str]:
    if t_prev and t_now:
        return ["target_changed"] if t_prev[0] != t_now[0] else []
    if t_now or t_prev:
        return ["target_new"] if t_now else ["target_removed"]
    return ["no_target"]


def _growth(pos: YTDPosition, forecast: Any) -> np.ndarray:
    """Full-year growth of every path (the published growth once December is out)."""
    if not pos.remaining:
        return np.array([pos.ytd_yoy])
    return growth_from_flows(pos, remaining_flow_paths(pos, forecast))


def _share(growth: np.ndarray, target: float) -> float:
    return float(np.mean(growth >= target - TOLERANCE_PP))


def _last_period(tab: SeriesTable) -> pd.Period | None:
    return pd.Period(year=max(tab.levels)[0], month=max(tab.levels)[1], freq="M") if tab.levels else None


def _months(periods: Iterable[pd.Period]) -> str:
    listed = [str(p) for p in periods]
    return ",".join(listed[:_MAX_LISTED] + (["…"] if len(listed) > _MAX_LISTED else []))


def _with_new_months(prev_rows: pd.DataFrame, now_rows: pd.DataFrame, last: pd.Period) -> pd.DataFrame:
    """P's rows up to ``last`` and C's rows after it, the new months of ``last``'s year moved onto P's vintage.

    A new month ``s`` keeps C's flows since ``last`` (``V^C_s − V^C_last``, and the same of the comparable
    base ``B = V / (1 + g)``) on top of P's ``V^P_last`` and ``B^P_last``; its growth is ``V / B − 1``. Only
    ``ytd_value`` and ``ytd_yoy`` are adjusted: the frame is read through :func:`ytd_position` alone.
    """
    per_prev = pd.PeriodIndex(prev_rows[PERIOD], freq="M")
    per_now = pd.PeriodIndex(now_rows[PERIOD], freq="M")
    new = now_rows[per_now > last].copy()
    anchor_p, anchor_c = prev_rows[per_prev == last], now_rows[per_now == last]
    if len(new) and len(anchor_c):
        vp, gp = float(anchor_p[YTD_VALUE].iloc[0]), float(anchor_p[YTD_YOY].iloc[0])
        vc, gc = float(anchor_c[YTD_VALUE].iloc[0]), float(anchor_c[YTD_YOY].iloc[0])
        dv = vp - vc if np.isfinite(vp) and np.isfinite(vc) else 0.0
        db = vp / (1 + gp / 100) - vc / (1 + gc / 100)
        db = db if np.isfinite(db) else 0.0
        same = (pd.PeriodIndex(new[PERIOD], freq="M").year == last.year)
        if (dv != 0 or db != 0) and same.any():
            v = new[YTD_VALUE].to_numpy(dtype=float)
            b = v / (1 + new[YTD_YOY].to_numpy(dtype=float) / 100) + db
            v = v + dv
            new.loc[same, YTD_VALUE] = v[same]
            new.loc[same, YTD_YOY] = ((v / b - 1) * 100)[same]
    return pd.concat([prev_rows[per_prev <= last], new], ignore_index=True)


def _revised(prev_rows: pd.DataFrame, now_rows: pd.DataFrame, last: pd.Period) -> list[pd.Period]:
    """Periods up to ``last`` whose published figures differ between P and C (growth, or a published level)."""
    cols = [PERIOD, YTD_VALUE, YTD_YOY, *([IS_INDEX] if IS_INDEX in prev_rows.columns else [])]
    a = prev_rows[cols].assign(**{PERIOD: pd.PeriodIndex(prev_rows[PERIOD], freq="M")})
    b = now_rows[[c for c in cols if c in now_rows.columns]].assign(**{PERIOD: pd.PeriodIndex(now_rows[PERIOD], freq="M")})
    m = a.merge(b, on=PERIOD, how="outer", suffixes=("_p", "_c"))
    m = m[m[PERIOD] <= last]

    def differ(col: str) -> np.ndarray:
        x, y = m[f"{col}_p"].to_numpy(dtype=float), m[f"{col}_c"].to_numpy(dtype=float)
        return ~((x == y) | (np.isnan(x) & np.isnan(y)))

    index = (m[f"{IS_INDEX}_p"].eq(True) & m[f"{IS_INDEX}_c"].eq(True)).to_numpy(dtype=bool) \
        if f"{IS_INDEX}_c" in m.columns else np.zeros(len(m), bool)
    changed = differ(YTD_YOY) | (differ(YTD_VALUE) & ~index)
    return sorted(m.loc[changed, PERIOD])


def _series_change(key: tuple[str, str], prev_rows: pd.DataFrame | None, now_rows: pd.DataFrame | None,
                   fc_prev: Any, fc_now: Any, t_prev: tuple | None, t_now: tuple | None, year: int) -> dict:
    row: dict[str, Any] = {c: np.nan for c in CHANGE_COLUMNS}
    row.update({REGION: key[0], INDICATOR: key[1], YEAR: year, "last_period_prev": None, "last_period": None,
                "target_prev": t_prev[0] if t_prev else np.nan, "kind_prev": t_prev[1] if t_prev else "",
                "target_now": t_now[0] if t_now else np.nan, "kind": t_now[1] if t_now else "",
                "target_status": t_now[2] if t_now else "no target",
                "new_months": "", "revised_months": "", "note": "", "error": ""})
    flags = _target_flags(t_prev, t_now)
    try:
        tab_c = series_table(now_rows) if now_rows is not None else None
        if tab_c is None or not tab_c.levels:
            raise DataError(f"{key[0]}/{key[1]}: no data in this run")
        pos_c = ytd_position(tab_c, year)
        g_c = _growth(pos_c, fc_now)
    except DataError as exc:
        row.update({"flags": ",".join([*flags, "now_error"]), "error": exc.summary})
        return row
    row["last_period"] = pos_c.last_period
    row["growth_now"] = float(np.median(g_c))
    if t_now:
        row["p_now"] = _share(g_c, t_now[0])
    flags += ["decided"] * (not pos_c.remaining) + ["index"] * pos_c.is_index
    tab_p = series_table(prev_rows) if prev_rows is not None and len(prev_rows) else None
    last_p = _last_period(tab_p) if tab_p is not None else None
    if last_p is None:
        row["new_months"] = _months(p for p in sorted(pd.PeriodIndex(now_rows[PERIOD], freq="M"))
                                    if p.year == year and (p.year, p.month) in tab_c.levels)
        row["flags"] = ",".join(["new_series", *flags])
        return row
    row["last_period_prev"] = last_p
    new = sorted(p for p in pd.PeriodIndex(now_rows[PERIOD], freq="M") if p > last_p and (p.year, p.month) in tab_c.levels)
    row["new_months"] = _months(new)
    row["revised_months"] = _months(_revised(prev_rows, now_rows, last_p))
    flags = ["no_new_month"] * (not new) + ["year_change"] * (last_p.year < year) + flags
    try:
        g_p = _growth(ytd_position(tab_p, year), fc_prev)
        tab_a = series_table(_with_new_months(prev_rows, now_rows, last_p), tab_c.periods_per_year)
        g_a = _growth(ytd_position(tab_a, year), fc_prev)
        g_b = _growth(pos_c, fc_prev)
    except DataError as exc:
        row.update({"flags": ",".join([*flags, "prev_error"]), "error": exc.summary})
        return row
    G = [float(np.median(g)) for g in (g_p, g_a, g_b, g_c)]
    row.update({"growth_prev": G[0], "d_growth": G[3] - G[0], "d_growth_new": G[1] - G[0],
                "d_growth_revisions": G[2] - G[1], "d_growth_target": 0.0, "d_growth_model": G[3] - G[2]})
    if t_prev:
        row["p_prev"] = _share(g_p, t_prev[0])
    if t_prev and t_now:
        p = [_share(g_p, t_prev[0]), _share(g_a, t_prev[0]), _share(g_b, t_prev[0]), _share(g_b, t_now[0]),
             _share(g_c, t_now[0])]
        row.update({"d_p": p[4] - p[0], "d_p_new": p[1] - p[0], "d_p_revisions": p[2] - p[1],
                    "d_p_target": p[3] - p[2], "d_p_model": p[4] - p[3]})
    row["flags"] = ",".join(flags)
    return row
