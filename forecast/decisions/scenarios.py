"""What-if scenarios on stored sample paths (DESIGN §5): apply them, compare them with the baseline.

A scenario (:class:`Scenario`, a list of :class:`Adjustment`; files in :mod:`forecast.decisions.scenario_files`) acts
on every sample path of a set of forecasts, so results keep their uncertainty; nothing is refitted.

Kinds, for each selected period of each named region (columns processed in time order):

- ``pp``  ``flow += x/100 · base``: adds ``x`` points to the period's YoY growth;
- ``pct`` ``flow *= 1 + x/100`` (``x ≥ −100``);
- ``abs`` adds ``x`` 亿元 in total, split over the selected periods by their calendar months
  (Jan–Feb counts two); on a growth-only series it is converted to index points with a level estimate
  (:func:`level_scale`: the ``levels=`` argument, or the panel's chained index when it is anchored on a
  published level) and a note says so, or it is refused with a DataError;
- ``set`` ``flow = base · (1 + x/100)``: the period's YoY growth becomes ``x``.

``base`` is the flow of the same period a year earlier: the comparable base of
:func:`forecast.decisions.targets.remaining_bases` for the rest of the current year (so ``pp`` on every remaining
period raises full-year growth by ``x · (B_12 − B_t)/B_12``), the panel's flow for other observed
periods, and the path's own flow (as the scenario has left it so far) for forecast periods — e.g.
2027-11 is measured against each path's 2026-11.

Aggregation keeps the identities of :mod:`forecast.decisions.reconcile` on every path, by propagating each
change: a city's change is added to the province (bottom-up); a change on the province itself goes to
the ``discrepancy`` series when there is one (cities keep their paths — name the cities to spread a
shock over them); a change on exports or imports is added to trade; a change on trade, where its parts
are forecast, is shared between exports and imports in proportion to their flows on each path. Applied
to reconciled forecasts, the result is reconciled. Adjustments apply in order, each to the result of
the previous ones. The empty scenario returns the same objects.

Growth-only series (fai) carry chained indices: a city's change reaches the province in the city's
units, which match the province's only when both indices are anchored on published levels (亿元).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import IDENTITIES, INDICATORS, PROVINCE, REGIONS
from forecast.data.errors import Coded, DataError
from forecast.data.schema import INDICATOR, IS_INDEX, PERIOD, REGION, VALUE, YTD_VALUE
from forecast.decisions import targets as tg
from forecast.decisions.reconcile import DISCREPANCY, PathSet, as_pathset
from forecast.decisions.scenario_files import (  # noqa: F401  (re-exported: the public API of scenarios)
    KINDS,
    Adjustment,
    ProblemCollector,
    Scenario,
    list_scenarios,
    load_scenario,
    month_range,
    save_scenario,
    scenario_from_dict,
    scenario_to_dict,
)

BASELINE = "baseline"
_PARTS = IDENTITIES.get("trade", ())


def _series(panel: pd.DataFrame, key: tuple[str, str]) -> pd.DataFrame:
    return panel[(panel[REGION] == key[0]) & (panel[INDICATOR] == key[1])].sort_values(PERIOD)


def _select(adj: Adjustment, fc: Any, where: str, add) -> list[int]:
    """Columns of ``fc`` an adjustment selects; problems (outside the horizon, no period) via ``add``."""
    periods = pd.PeriodIndex(fc.periods, freq="M")
    name = f"{fc.region}/{fc.indicator}"
    lo = periods[0] if fc.last_period is None else pd.Period(fc.last_period, freq="M") + 1
    hi = periods[-1]
    horizon = f"{lo}..{hi}"
    if adj.is_range:
        start, end = month_range(adj.months)
        if start < lo or end > hi:
            add(f"{where}months", f"range {adj.months} reaches outside the forecast horizon {horizon} of {name}", "scn_range_outside",
                months=adj.months, horizon=horizon, series=name)
            return []
        cols = [j for j, p in enumerate(periods) if start <= p <= end]
        if not cols:
            add(f"{where}months", f"range {adj.months} holds no period-end month of the forecast of {name}", "scn_range_empty",
                months=adj.months, series=name)
        return cols
    cols = []
    for k, p in enumerate(adj.months):
        if p in periods:
            cols.append(int(periods.get_loc(p)))
        elif lo <= p <= hi:
            hint = f"; January is published with February: use {p + 1}" if p.month == 1 else ""
            if p.month == 1:
                add(f"{where}months[{k}]", f"{p} is not a period of the forecast of {name}{hint}", "scn_january",
                    month=str(p), series=name, use=str(p + 1))
            else:
                add(f"{where}months[{k}]", f"{p} is not a period of the forecast of {name}", "scn_not_period",
                    month=str(p), series=name)
        else:
            add(f"{where}months[{k}]", f"{p} is outside the forecast horizon {horizon} of {name}", "scn_month_outside",
                month=str(p), horizon=horizon, series=name)
    return cols


def level_scale(panel: pd.DataFrame, region: str, indicator: str,
                levels: Mapping | None = None) -> tuple[float, str | None]:
    """亿元 per unit of a series' flows, and a note when the series is a chained growth index.

    - published levels (the latest row is not ``is_index``): ``(1.0, None)``;
    - ``levels[(region, indicator)] = (year, level)`` given: ``level / index`` of that year's December;
    - an index anchored on a published level (:func:`forecast.data.ytd.chained_index`): its units are 亿元
      estimates, ``(1.0, note)``;
    - otherwise a DataError: an amount in 亿元 cannot be placed on an unanchored index.

    Examples
    --------
    >>> p = pd.DataFrame({"region": "dalian", "indicator": "fai", "period": pd.PeriodIndex(["2025-12"], freq="M"),
    ...                   "ytd_value": [110.0], "value": [10.0], "is_index": [True]})
    >>> level_scale(p, "dalian", "fai", {("dalian", "fai"): (2025, 2200.0)})[0]    # 2200 亿元 / 110 points
    20.0
    """
    rows = _series(panel, (region, indicator))
    rows = rows[np.isfinite(rows[YTD_VALUE].to_numpy(dtype=float))]
    name = f"{region}/{indicator}"
    if rows.empty:
        raise DataError(f"abs on {name}: the panel has no level of this series to place an amount in 亿元 on")
    idx = rows[IS_INDEX].astype(bool) if IS_INDEX in rows.columns else pd.Series(False, index=rows.index)
    if levels and (region, indicator) in levels:
        year, level = levels[(region, indicator)]
        dec = rows[rows[PERIOD] == pd.Period(year=int(year), month=12, freq="M")]
        if dec.empty or not dec[YTD_VALUE].iloc[0] > 0:
            raise DataError(f"levels[{(region, indicator)!r}] = ({year}, {level}): the panel has no positive "
                            f"December {year} value of {name} to convert with; give a year the panel covers")
        k = float(level) / float(dec[YTD_VALUE].iloc[0])
        index = f"{float(dec[YTD_VALUE].iloc[0]):.6g}"
        return k, Coded(f"abs on {name}: index converted to 亿元 at {k:.6g} 亿元 per index point "
                        f"(level {level} 亿元 for {year} / index {index})", "abs_index_converted",
                        {"series": name, "k": f"{k:.6g}", "level": level, "year": year, "index": index})
    if not bool(idx.iloc[-1]):
        return 1.0, None
    anchors = rows[~idx]
    if len(anchors):
        period, level = anchors[PERIOD].iloc[-1], f"{anchors[YTD_VALUE].iloc[-1]:.6g}"
        return 1.0, Coded(f"abs on {name}: its levels are estimates chained from published growth rates, anchored "
                          f"on the published level of {period} ({level} 亿元); the amount was added to that estimate",
                          "abs_estimated_levels", {"series": name, "period": str(period), "level": level})
    raise DataError(
        f"abs on {name}: the series is a chained growth index with no published level, so an amount in 亿元 "
        f"cannot be placed on it; pass levels={{({region!r}, {indicator!r}): (year, full-year level in 亿元)}} "
        "(a published or estimated figure), or use pct/pp instead")


class _Work:
    """Working copies of the paths a scenario touches (inputs are never modified)."""

    def __init__(self, fcs: Mapping, panel: pd.DataFrame, bases: dict | None = None):
        self.fcs, self.panel = fcs, panel
        self.paths: dict[tuple[str, str], np.ndarray] = {}
        self.notes: dict[tuple[str, str], list[str]] = {}
        self._rb: dict[tuple[str, str, int], pd.Series | None] = {} if bases is None else bases

    def get(self, key: tuple[str, str]) -> np.ndarray:
        if key not in self.paths:
            self.paths[key] = np.array(self.fcs[key].paths, dtype=float, copy=True)
        return self.paths[key]

    def add(self, key: tuple[str, str], delta: np.ndarray, src: tuple[str, str]) -> None:
        a, b = self.fcs[key], self.fcs[src]
        if not pd.PeriodIndex(a.periods, freq="M").equals(pd.PeriodIndex(b.periods, freq="M")) or \
                np.shape(a.paths) != np.shape(b.paths):
            raise DataError(f"scenario: {src[0]}/{src[1]} and {key[0]}/{key[1]} have different periods or path "
                            "counts, so a change cannot be carried from one to the other; forecast them together")
        self.paths[key] = self.get(key) + delta

    def note(self, key: tuple[str, str], text: str) -> None:
        lst = self.notes.setdefault(key, [])
        if text not in lst:
            lst.append(text)

    def base(self, key: tuple[str, str], col: int, y: np.ndarray) -> np.ndarray | float:
        """Flow of the same period a year earlier (see the module docstring), per path or scalar."""
        fc = self.fcs[key]
        periods = pd.PeriodIndex(fc.periods, freq="M")
        p = periods[col]
        q = p - 12
        if q in periods:
            return y[:, int(periods.get_loc(q))]
        rk = (*key, p.year)
        if rk not in self._rb:
            try:
                self._rb[rk] = tg.remaining_bases(_series(self.panel, key), p.year)
            except DataError:
                self._rb[rk] = None
        rb = self._rb[rk]
        if rb is not None and p in rb.index and np.isfinite(rb[p]):
            return float(rb[p])
        rows = _series(self.panel, key)
        v = rows.loc[rows[PERIOD] == q, VALUE]
        if len(v) and np.isfinite(v.iloc[0]):
            return float(v.iloc[0])
        raise DataError(f"scenario on {key[0]}/{key[1]} {p}: the flow of {q} (its base a year earlier) is neither "
                        "in the panel nor in the forecast; use pct or abs for this month")

    def propagate(self, key: tuple[str, str], delta: np.ndarray) -> None:
        """Carry a change of ``key`` (already applied) to its identity partners and up the hierarchy."""
        r, ind = key
        moves = [(key, delta)]
        if ind == "trade" and all((r, p) in self.fcs for p in _PARTS):
            p1, p2 = (self.get((r, p)) for p in _PARTS)
            tot = p1 + p2
            share = np.divide(p1, tot, out=np.full_like(tot, 0.5), where=tot != 0)
            for p, part in zip(_PARTS, (delta * share, delta * (1 - share)), strict=True):
                self.add((r, p), part, key)
                moves.append(((r, p), part))
        elif ind in _PARTS and (r, "trade") in self.fcs:
            self.add((r, "trade"), delta, key)
            moves.append(((r, "trade"), delta))
        for (rr, ii), d in moves:
            up = (DISCREPANCY, ii) if rr == PROVINCE else (PROVINCE, ii) if rr != DISCREPANCY else None
            if up is not None and up in self.fcs:
                self.add(up, d, (rr, ii))


def _months_of(periods: pd.PeriodIndex, last: pd.Period | None, col: int) -> int:
    """Calendar months in the window of period ``col`` (Jan–Feb of the 11-period year counts two)."""
    prev = last if col == 0 else periods[col - 1]
    p = periods[col]
    if prev is None:  # no anchor: the first period of a year spans January to its month, others one month
        return p.month if p.month <= 2 else 1
    return p.month - prev.month if prev.year == p.year else p.month


def apply_scenario(scenario: Scenario, forecasts: Mapping, panel: pd.DataFrame, *,
                   levels: Mapping | None = None, bases: dict | None = None) -> dict:
    """Apply a scenario to every sample path of a set of forecasts.

    Parameters
    ----------
    scenario : Scenario
    forecasts : mapping
        ``(region, indicator) → forecast`` (``region, indicator, last_period, periods, paths``),
        ideally reconciled (:func:`forecast.decisions.reconcile.reconcile`); not modified.
    panel : DataFrame
        The panel (:func:`forecast.data.panel.build_panel`): bases of ``pp``/``set``, levels of ``abs``.
    levels : mapping, optional
        ``(region, indicator) → (year, full-year level in 亿元)`` level estimates for ``abs`` on growth-only
        series (:func:`level_scale`).
    bases : dict, optional
        A cache of last year's remaining-period bases, ``(region, indicator, year) →`` Series, filled as
        they are needed. They depend on the panel's history alone, so every scenario on the same panel
        may share one dict (the app's scenario context does); by default each call starts afresh.

    Returns
    -------
    dict
        A new mapping: changed series as :class:`~forecast.decisions.reconcile.PathSet` (notes say what was done),
        the others the same objects as in ``forecasts``.

    Raises
    ------
    DataError
        One error naming every field that does not fit the forecasts (``adjustments[0].regions[1]``:
        no forecast; ``adjustments[2].months``: outside the horizon), an ``abs`` that cannot be placed, a
        missing base.

    Examples
    --------
    >>> s = Scenario("q4", [Adjustment("pct", "retail", ("shenyang",), "2026-11..2026-12", 3.0)])
    >>> out = apply_scenario(s, run.scenario_inputs(), panel)
    >>> (out["shenyang", "retail"].mean / run.forecasts["shenyang", "retail"].mean)[:3].round(2)
    array([1.03, 1.03, 1.  ])
    """
    if not isinstance(scenario, Scenario):
        raise DataError(f"apply_scenario: got {type(scenario).__name__}; expected a Scenario "
                        "(forecast.decisions.scenarios.load_scenario reads one from a file)")
    fcs = dict(forecasts)
    probs = ProblemCollector(f"scenario {scenario.name!r}")
    plan = []
    for i, adj in enumerate(scenario.adjustments):
        for j, r in enumerate(adj.regions):
            key = (r, adj.indicator)
            if key not in fcs:
                probs(f"adjustments[{i}].regions[{j}]", f"no forecast for {r}/{adj.indicator}", "scn_no_forecast",
                      series=f"{r}/{adj.indicator}")
                continue
            cols = _select(adj, fcs[key], f"adjustments[{i}].", probs)
            if cols:
                plan.append((i, adj, key, sorted(set(cols))))
    probs.raise_if_any("cannot apply")
    work = _Work(fcs, panel, bases)
    for i, adj, key, cols in plan:
        fc = fcs[key]
        y = work.get(key).copy()
        delta = np.zeros_like(y)
        if adj.kind == "abs":
            k, note = level_scale(panel, *key, levels)
            if note:
                work.note(key, note)
            periods = pd.PeriodIndex(fc.periods, freq="M")
            last = None if fc.last_period is None else pd.Period(fc.last_period, freq="M")
            months = np.array([_months_of(periods, last, c) for c in cols], float)
            for c, share in zip(cols, months / months.sum(), strict=True):
                delta[:, c] = adj.value * share / k
                y[:, c] += delta[:, c]
        else:
            for c in cols:
                if adj.kind == "pct":
                    d = y[:, c] * adj.value / 100
                else:
                    b = work.base(key, c, y)
                    d = adj.value / 100 * b if adj.kind == "pp" else b * (1 + adj.value / 100) - y[:, c]
                delta[:, c] = d
                y[:, c] += d
        work.paths[key] = y
        work.note(key, Coded(f"scenario {scenario.name!r}: adjustments[{i}] {adj.kind} {adj.value:g}", "scn_adjusted",
                             {"name": scenario.name, "i": i, "kind": adj.kind, "value": f"{adj.value:g}"}))
        work.propagate(key, delta)
    out = dict(fcs)
    for key, paths in work.paths.items():
        out[key] = as_pathset(fcs[key], paths, tuple(work.notes.get(key, ())) or (
            Coded(f"scenario {scenario.name!r}", "scn_changed", {"name": scenario.name}),))
    return out


# -- comparison ----------------------------------------------------------------------------------------
def _default_year(forecasts: Mapping) -> int:
    firsts = [pd.PeriodIndex(f.periods, freq="M")[0] for (r, _), f in forecasts.items() if r != DISCREPANCY
              and len(f.periods)]
    if not firsts:
        raise DataError("compare_scenarios: no forecast with future periods; nothing to compare")
    return int(min(firsts).year)


_TARGET_ONLY = ["target", "kind", "target_status", "probability", "required_growth", "gap_pp"]


def _evaluate(panel: pd.DataFrame, forecasts: Mapping, targets: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """:func:`forecast.decisions.targets.evaluate_targets` for every target of ``year`` and, for the other forecast
    series, the same figures without a target (``has_target`` False, target columns NaN)."""
    fcs = {k: v for k, v in forecasts.items() if k[0] in REGIONS}
    have = pd.DataFrame(columns=tg.TARGET_COLUMNS) if targets is None else targets
    have = have[pd.to_numeric(have["year"]).astype(int) == int(year)] if len(have) else have
    known = set(zip(have[REGION], have[INDICATOR], strict=True)) if len(have) else set()
    in_panel = set(zip(panel[REGION], panel[INDICATOR], strict=True))
    extra = sorted(k for k in fcs if k not in known and k in in_panel)
    dummy = pd.DataFrame({REGION: [k[0] for k in extra], INDICATOR: [k[1] for k in extra], "year": int(year),
                          "value": 0.0, "kind": "", "status": "", "source": ""})
    both = pd.concat([d for d in (have, dummy) if len(d)], ignore_index=True) if len(have) or len(dummy) else dummy
    ev = tg.evaluate_targets(panel, fcs, both, year=int(year))
    ev.insert(ev.columns.get_loc("target"), "has_target", [(r, i) in known for r, i in zip(ev[REGION], ev[INDICATOR], strict=True)])
    no = ~ev["has_target"].to_numpy(dtype=bool)
    for c in _TARGET_ONLY:
        ev[c] = ev[c].astype(object if c in ("kind", "target_status") else float)
        ev.loc[no, c] = "" if c in ("kind", "target_status") else np.nan
    ev.loc[no, "status"] = "no target"
    order = np.lexsort(([list(INDICATORS).index(i) for i in ev[INDICATOR]], [list(REGIONS).index(r) for r in ev[REGION]]))
    return ev.iloc[order].reset_index(drop=True)


def compare_scenarios(panel: pd.DataFrame, forecasts: Mapping, targets: pd.DataFrame | None,
                      scenarios: Iterable[Scenario], *, year: int | None = None,
                      levels: Mapping | None = None) -> pd.DataFrame:
    """Baseline and each scenario side by side: full-year growth, target, probability, deltas.

    Every run (the baseline, then each scenario applied with :func:`apply_scenario`) is evaluated with
    :func:`forecast.decisions.targets.evaluate_targets`, so the figures are those of the dashboard.

    Parameters
    ----------
    panel : DataFrame
    forecasts : mapping
        The baseline forecasts (ideally reconciled); not modified.
    targets : DataFrame or None
        Targets (``region, indicator, year, value, kind``, :func:`forecast.data.target_table.load_targets`).
    scenarios : iterable of Scenario
        Distinct names, none called ``"baseline"``.
    year : int, optional
        Default: the year of the first forecast period.
    levels : mapping, optional
        Passed to :func:`apply_scenario`.

    Returns
    -------
    DataFrame
        One row per region × indicator × run (province first, catalogue order), baseline first: ``scenario`` then the columns of
        ``evaluate_targets`` (``projected`` = median full-year growth, ``p10``/``p90`` = 80% band,
        ``probability``, ``required_growth``, …), ``has_target`` (False: a forecast series without a
        target for the year, whose target columns are NaN and status ``"no target"``), and
        ``delta_projected``, ``delta_p10``, ``delta_p90`` (points) and ``delta_probability`` against the
        baseline. Discrepancy series are left out.

    Raises
    ------
    DataError
        Repeated or reserved scenario names; any error of :func:`apply_scenario`.

    Examples
    --------
    >>> table = compare_scenarios(panel, run.forecasts, targets,
    ...                           [load_scenario("data/scenarios/consumption_campaign.yaml")])
    >>> province = table.query("region == 'liaoning' and indicator == 'retail'")
    >>> province[["scenario", "projected", "delta_projected"]].round(1)
                    scenario  projected  delta_projected
    0               baseline        2.5              0.0
    30  consumption_campaign        2.9              0.3
    """
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1 or n == BASELINE})
    if dup:
        raise DataError(f"compare_scenarios: scenario name(s) {dup} are repeated or reserved; give each a "
                        f"distinct name other than {BASELINE!r}")
    year = _default_year(forecasts) if year is None else int(year)
    runs = [(BASELINE, forecasts)] + [(s.name, apply_scenario(s, forecasts, panel, levels=levels)) for s in scenarios]
    frames = []
    for name, fcs in runs:
        ev = _evaluate(panel, fcs, targets, year)
        ev.insert(0, "scenario", name)
        frames.append(ev)
    out = pd.concat(frames, ignore_index=True)
    base = frames[0].set_index([REGION, INDICATOR])
    key = pd.MultiIndex.from_arrays([out[REGION], out[INDICATOR]])
    for c in ("projected", "p10", "p90", "probability"):
        out[f"delta_{c}"] = out[c].to_numpy(dtype=float) - base[c].reindex(key).to_numpy(dtype=float)
    return out


__all__ = ["Adjustment", "Scenario", "KINDS", "BASELINE", "PathSet", "apply_scenario", "compare_scenarios",
           "level_scale", "load_scenario", "save_scenario", "list_scenarios", "scenario_from_dict",
           "scenario_to_dict"]
