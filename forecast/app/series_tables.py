"""The Series page's tables and figures: one region × indicator of a run, by pure functions.

Its history (:func:`history_frame`), the fans of its period values and of its YTD growth
(:func:`value_fan`, :func:`growth_fan`, shown by :func:`fan_table` with units), the combination's weights
and backtest accuracy, the two charts (:func:`series_charts`, interactive, and their PNG twins
:func:`series_figures`; YTD or single-period growth, :func:`period_growth_fan`) and, when last year's remaining periods
were an unusual part of the year, the base-effect note (:func:`base_effect_note`). See
:mod:`forecast.app.overview_tables` for what a *run* is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.app.overview_tables import run_year, series_rows
from forecast.data.errors import DataError
from forecast.data.schema import BASE, INDICATOR, IS_INDEX, PERIOD, REGION, VALUE, YTD_VALUE, YTD_YOY
from forecast.decisions.position import panel_base_effect
from forecast.decisions.targets import VERDICT_PROVENANCES, remaining_bases, ytd_position
from forecast.present import charts, i18n, plots
from forecast.present.messages import model_name
from forecast.present.plots import FAN_QUANTILES


def history_frame(run: Any, region: str, indicator: str, observations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observed periods of one series: period, value (flow), ytd_value, ytd_yoy, is_index, status.

    ``status`` (published | generated) comes from ``observations`` (the store's rows of the series);
    ``''`` when they are not given.

    Examples
    --------
    >>> history_frame(run, "shenyang", "retail", store.observations("shenyang", "retail")).tail(2)
          period  value  ytd_value  ytd_yoy  is_index     status
    128  2026-09  380.8     3300.3      0.2     False  generated
    129  2026-10  401.0     3701.3      1.0     False  generated
    """
    rows = series_rows(run.panel, region, indicator)
    out = rows[[PERIOD, VALUE, YTD_VALUE, YTD_YOY, IS_INDEX]].copy()
    status = pd.Series("", index=out.index, dtype=object)
    if observations is not None and len(observations):
        obs = observations[(observations[REGION] == region) & (observations[INDICATOR] == indicator)]
        obs = obs.sort_values("vintage").drop_duplicates(PERIOD, keep="last")
        status = out[PERIOD].map(dict(zip(obs[PERIOD], obs["status"], strict=True))).fillna("").astype(object)
    out["status"] = status.to_numpy()
    return out


def value_fan(fc: Any) -> pd.DataFrame:
    """Quantiles (:data:`forecast.present.plots.FAN_QUANTILES`) and mean of a forecast's period values, by period.

    Examples
    --------
    >>> fan = value_fan(run.forecasts["shenyang", "retail"])
    >>> fan[["p10", "median", "p90"]].head(2).round(1)             # doctest: +NORMALIZE_WHITESPACE
               p10  median    p90
    period
    2026-11  334.8   389.9  426.9
    2026-12  346.3   415.2  468.8
    """
    paths = np.asarray(fc.paths, dtype=float)
    q = np.quantile(paths, list(FAN_QUANTILES.values()), axis=0)
    out = pd.DataFrame(q.T, index=pd.PeriodIndex(fc.periods, freq="M"), columns=list(FAN_QUANTILES))
    out["mean"] = paths.mean(axis=0)
    out.index.name = PERIOD
    return out


def ytd_growth_paths(panel_series: pd.DataFrame, fc: Any, year: int) -> pd.DataFrame:
    """YTD growth (%) of every sample path at each remaining period of ``year``: paths × periods.

    At period ``p``: ``(V_t + Σ flows up to p) / (B_t + Σ comparable bases up to p) − 1``, with the
    bases of :func:`forecast.decisions.targets.remaining_bases`; at December this is the full-year growth of
    :func:`forecast.decisions.targets.full_year_growth_paths`.
    """
    pos = ytd_position(panel_series, year)
    if not pos.remaining or fc is None:
        return pd.DataFrame(index=range(0))
    bases = remaining_bases(panel_series, year)
    periods = pd.PeriodIndex(fc.periods, freq="M")
    cols = [int(periods.get_loc(p)) for p in bases.index if p in periods]
    if len(cols) != len(bases):
        return pd.DataFrame(index=range(0))
    paths = np.asarray(fc.paths, dtype=float)[:, cols]
    growth = (pos.ytd_value + paths.cumsum(axis=1)) / (pos.ytd_base + bases.to_numpy().cumsum())[None, :] * 100 - 100
    return pd.DataFrame(growth, columns=bases.index)


def fan_table(fan: pd.DataFrame, unit: str, lang: str = "zh", median_label: str | None = None) -> pd.DataFrame:
    """A fan frame (:func:`value_fan` with its period as a column, or :func:`growth_fan`) for display.

    Every number column names its unit (``unit``: 亿元, 指数点 or %). Value fans list months; growth fans
    list YTD windows and say per row whether the figure is published (history, in the YTD-growth
    column — or ``median_label``'s, e.g. single-period growth — bands empty) or forecast (the median and
    its bands).

    Examples
    --------
    >>> fan = pd.DataFrame({"period": pd.PeriodIndex(["2026-11"], freq="M"), "p2_5": [1.0], "p10": [2.0],
    ...                     "median": [3.0], "p90": [4.0], "p97_5": [5.0]})
    >>> fan_table(fan, "亿元").columns.tolist()
    ['时期', '95%区间下限(亿元)', '80%区间下限(亿元)', '中位数(亿元)', '80%区间上限(亿元)', '95%区间上限(亿元)']
    """
    t = lambda k, **f: i18n.t(k, lang, **f)  # noqa: E731
    ytd = "kind" in fan
    out = pd.DataFrame({t("axis_period"): [(i18n.fmt_period if ytd else i18n.fmt_month)(p, lang)
                                          for p in fan[PERIOD]]})
    if ytd:
        out[t("col_kind_row")] = [t(f"row_{k}") for k in fan["kind"]]
    for col in list(FAN_QUANTILES) + (["mean"] if "mean" in fan else []):
        label = (median_label or t("col_ytd_growth")) if ytd and col == "median" else t(f"fan_{col}", unit=unit)
        out[label] = fan[col].to_numpy(dtype=float)
    return out


def growth_fan(run: Any, region: str, indicator: str, year: int | None = None) -> pd.DataFrame:
    """YTD growth of ``year``: published periods (``kind`` history) then the forecast's quantiles.

    Columns ``period, kind, median, p2_5, p10, p90, p97_5`` (history rows carry the published growth
    in ``median`` and NaN bands).

    Examples
    --------
    >>> growth_fan(run, "liaoning", "retail").tail(2).round(1)    # December = the full-year figures
         period      kind  median  p2_5  p10  p90  p97_5
    9   2026-11  forecast     2.8   0.3  1.7  3.3    3.8
    10  2026-12  forecast     2.5  -0.5  0.9  3.5    4.1
    """
    year = run_year(run) if year is None else int(year)
    rows = series_rows(run.panel, region, indicator)
    mine = rows[(pd.PeriodIndex(rows[PERIOD], freq="M").year == year) & rows[YTD_YOY].notna()]
    hist = pd.DataFrame({PERIOD: mine[PERIOD].to_numpy(), "kind": "history",
                         "median": mine[YTD_YOY].astype(float).to_numpy()})
    for c in ("p2_5", "p10", "p90", "p97_5"):
        hist[c] = np.nan
    frames = [hist]
    fc = run.forecasts.get((region, indicator))
    try:
        gp = ytd_growth_paths(rows, fc, year) if fc is not None and len(rows) else pd.DataFrame()
    except DataError:
        gp = pd.DataFrame()
    if gp.shape[1]:
        q = np.quantile(gp.to_numpy(), list(FAN_QUANTILES.values()), axis=0)
        fut = pd.DataFrame(q.T, columns=list(FAN_QUANTILES))
        fut.insert(0, "kind", "forecast")
        fut.insert(0, PERIOD, pd.PeriodIndex(gp.columns, freq="M"))
        frames.append(fut)
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else hist
    out[PERIOD] = pd.PeriodIndex(out[PERIOD], freq="M")
    return out[[PERIOD, "kind", "median", "p2_5", "p10", "p90", "p97_5"]]


def weights_frame(fc: Any) -> pd.DataFrame:
    """Models of a forecast: weight in the combination, and why a model was left out (``dropped``).

    Examples
    --------
    >>> weights_frame(run.forecasts["liaoning", "retail"]).round(2)     # doctest: +NORMALIZE_WHITESPACE
        model  weight dropped
    0   naive    0.26
    1  snaive    0.74
    """
    weights = dict(getattr(fc, "weights", {}) or {})
    dropped = dict(getattr(fc, "dropped", {}) or {})
    names = list(weights) + [m for m in dropped if m not in weights]
    return pd.DataFrame({"model": names, "weight": [float(weights.get(m, 0.0)) for m in names],
                         "dropped": [dropped.get(m, "") for m in names]})


METRIC_NAMES = ("mase", "smape", "coverage80", "growth_error_pp", "rel_mae", "n_origins")


def accuracy_frame(run: Any, region: str, indicator: str) -> pd.DataFrame:
    """Backtest accuracy of the series: the run's ``metrics`` row if it has one, else the forecast's own.

    Examples
    --------
    >>> accuracy_frame(run, "liaoning", "retail").round(2).head(3)
           metric  value
    0        mase   0.51
    1       smape   5.09
    2  coverage80   0.95
    """
    values: dict[str, float] = {}
    m = getattr(run, "metrics", None)
    if isinstance(m, pd.DataFrame) and len(m) and {REGION, INDICATOR} <= set(m.columns):
        row = m[(m[REGION] == region) & (m[INDICATOR] == indicator)]
        if len(row):
            values = {k: float(row[k].iloc[0]) for k in METRIC_NAMES if k in row.columns}
    if not values:
        fc = run.forecasts.get((region, indicator))
        values = {k: float(v) for k, v in (getattr(fc, "metrics", {}) or {}).items() if k in METRIC_NAMES}
    return pd.DataFrame({"metric": list(values), "value": list(values.values())})


def data_flags(history: pd.DataFrame) -> dict[str, int]:
    """How many periods of a :func:`history_frame` are published, generated, or of unknown status."""
    s = history["status"]
    return {"n": len(history), "published": int((s == "published").sum()), "generated": int((s == "generated").sum())}


def months_in_period(periods: Any, jan_feb_combined: bool = True) -> np.ndarray:
    """How many months each period holds: 2 for Jan–Feb (published as one period), else 1.

    Examples
    --------
    >>> months_in_period(pd.PeriodIndex(["2026-02", "2026-03"], freq="M")).tolist()
    [2, 1]
    """
    months = pd.PeriodIndex(periods, freq="M").month
    return np.where((months == 2) & jan_feb_combined, 2, 1)


def period_growth_fan(run: Any, region: str, indicator: str, year: int | None = None) -> pd.DataFrame:
    """Single-period growth (当月增速) of ``year``, derived from the YTD levels: each period's flow (this
    period's YTD minus the previous one; Jan–Feb one period) against the comparable base of the same period
    of last year. Published periods (``kind`` history) then the forecast's quantiles of ``paths / bases``.

    Columns as :func:`growth_fan` (``period, kind, median, p2_5, p10, p90, p97_5``).

    Examples
    --------
    >>> period_growth_fan(run, "liaoning", "retail").tail(1).round(1)   # December alone, not Jan–Dec
         period      kind  median  p2_5  p10  p90  p97_5
    10  2026-12  forecast     2.0 -23.0 -9.9  9.1   13.6
    """
    year = run_year(run) if year is None else int(year)
    rows = series_rows(run.panel, region, indicator)
    mine = rows[(pd.PeriodIndex(rows[PERIOD], freq="M").year == year) & (rows[BASE].astype(float) > 0)
                & rows[VALUE].notna()]
    hist = pd.DataFrame({PERIOD: mine[PERIOD].to_numpy(), "kind": "history",
                         "median": (mine[VALUE].astype(float) / mine[BASE].astype(float) * 100 - 100).to_numpy()})
    for c in ("p2_5", "p10", "p90", "p97_5"):
        hist[c] = np.nan
    frames = [hist]
    fc = run.forecasts.get((region, indicator))
    try:
        bases = remaining_bases(rows, year) if fc is not None and len(rows) and ytd_position(rows, year).remaining \
            else pd.Series(dtype=float)
    except DataError:
        bases = pd.Series(dtype=float)
    if len(bases):
        periods = pd.PeriodIndex(fc.periods, freq="M")
        keep = [p for p in bases.index if p in periods and bases[p] > 0]
        cols = [int(periods.get_loc(p)) for p in keep]
        growth = np.asarray(fc.paths, dtype=float)[:, cols] / bases[keep].to_numpy(float)[None, :] * 100 - 100
        q = np.quantile(growth, list(FAN_QUANTILES.values()), axis=0)
        fut = pd.DataFrame(q.T, columns=list(FAN_QUANTILES))
        fut.insert(0, "kind", "forecast")
        fut.insert(0, PERIOD, pd.PeriodIndex(keep, freq="M"))
        frames.append(fut)
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else hist
    out[PERIOD] = pd.PeriodIndex(out[PERIOD], freq="M")
    return out[[PERIOD, "kind", "median", "p2_5", "p10", "p90", "p97_5"]]


@dataclass(frozen=True)
class SeriesCharts:
    """What the two charts of a series draw, shared by the interactive charts and their PNG twins.

    ``values``/``values_fan``: period values per month (Jan–Feb divided by its 2 months) of the last three
    years and the forecast; ``growth``/``growth_fan``: the year's YTD or single-period growth, published then
    forecast; ``target``: the line of a published or analyst's target (YTD growth only); titles and units.
    """

    values: pd.DataFrame
    values_fan: pd.DataFrame | None
    growth: pd.DataFrame
    growth_fan: pd.DataFrame | None
    target: float | None
    values_title: str
    growth_title: str
    values_unit: str
    values_axis: str
    growth_axis: str


def series_charts_data(run: Any, region: str, indicator: str, lang: str = "zh", mode: str = "ytd") -> SeriesCharts:
    """The frames of a series' two charts (:class:`SeriesCharts`); ``mode`` ``ytd`` (累计增速) or ``period``
    (当月增速, :func:`period_growth_fan`)."""
    t = lambda k, **f: i18n.t(k, lang, **f)  # noqa: E731
    hist = history_frame(run, region, indicator)
    fc = run.forecasts.get((region, indicator))
    names = {"region": i18n.region_name(region, lang), "indicator": i18n.indicator_name(indicator, lang, short=True)}
    is_index = bool(hist[IS_INDEX].iloc[-1]) if len(hist) else False
    combined = not bool((pd.PeriodIndex(hist[PERIOD], freq="M").month == 1).any()) if len(hist) else True
    year = run_year(run)
    recent = hist[pd.PeriodIndex(hist[PERIOD], freq="M").year >= year - 2]
    values = pd.DataFrame({PERIOD: pd.PeriodIndex(recent[PERIOD], freq="M"),
                           "value": recent[VALUE].to_numpy(float) / months_in_period(recent[PERIOD], combined)})
    vfan = None
    if fc is not None:
        raw = value_fan(fc).reset_index()
        div = months_in_period(raw[PERIOD], combined)
        vfan = raw.assign(**{c: raw[c].to_numpy(float) / div for c in FAN_QUANTILES})
    gfan = growth_fan(run, region, indicator, year) if mode == "ytd" else period_growth_fan(run, region, indicator, year)
    target = None
    if mode == "ytd":
        # the target line only for a published or analyst's target (a reference is no target of the series)
        tg = run.targets[(run.targets[REGION] == region) & (run.targets[INDICATOR] == indicator)
                         & run.targets.get("target_status", pd.Series("published", index=run.targets.index))
                         .isin(VERDICT_PROVENANCES)]["target"]
        target = float(tg.iloc[0]) if len(tg) and pd.notna(tg.iloc[0]) else None
    h = gfan[gfan["kind"] == "history"]
    f = gfan[gfan["kind"] == "forecast"]
    return SeriesCharts(
        values=values, values_fan=vfan,
        growth=pd.DataFrame({PERIOD: pd.PeriodIndex(h[PERIOD], freq="M"), "value": h["median"].to_numpy(float)}),
        growth_fan=f.reset_index(drop=True) if len(f) else None, target=target,
        values_title=t("fan_values_title", **names),
        growth_title=t("fan_growth_title" if mode == "ytd" else "fan_period_growth_title", year=year, **names),
        values_unit=t("unit_index_month" if is_index else "unit_yi_month"),
        values_axis=t("axis_index_month" if is_index else "axis_value_month"),
        growth_axis=t("axis_growth" if mode == "ytd" else "axis_period_growth"))


def _series(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(frame["value"].to_numpy(float), index=pd.PeriodIndex(frame[PERIOD], freq="M"))


def _fan(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frame.set_index(PERIOD)[list(FAN_QUANTILES)]


def series_figures(run: Any, region: str, indicator: str, lang: str = "zh", mode: str = "ytd") -> tuple:
    """The two fan charts of a series as matplotlib figures (the PNGs) and the frames behind them.

    Returns ``(values_figure, growth_figure, value_fan, growth_fan)``: period values per month (the last
    three years and the forecast, Jan–Feb as one period) and the target year's YTD growth (or, with ``mode``
    ``period``, single-period growth) against the target line. ``value_fan`` is :func:`value_fan` (period
    totals), ``growth_fan`` :func:`growth_fan` or :func:`period_growth_fan`.

    Examples
    --------
    >>> fig_values, fig_growth, vfan, gfan = series_figures(run, "shenyang", "retail", "en")
    >>> fig_growth.axes[0].get_title()
    'Shenyang, Retail sales of consumer goods: YTD growth in 2026 against the target'
    """
    d = series_charts_data(run, region, indicator, lang, mode)
    fc = run.forecasts.get((region, indicator))
    fig1 = plots.fan_chart(_series(d.values), _fan(d.values_fan), title=d.values_title, lang=lang, ylabel=d.values_axis)
    fig2 = plots.fan_chart(_series(d.growth), _fan(d.growth_fan), target=d.target, lang=lang, title=d.growth_title,
                           ylabel=d.growth_axis)
    gfan = growth_fan(run, region, indicator) if mode == "ytd" else period_growth_fan(run, region, indicator)
    return fig1, fig2, (value_fan(fc) if fc is not None else None), gfan


def series_charts(run: Any, region: str, indicator: str, lang: str = "zh", mode: str = "ytd") -> tuple:
    """The two interactive charts of a series (:func:`forecast.present.charts.fan_chart`), from the same frames
    as :func:`series_figures`: ``(values_chart, growth_chart)``."""
    d = series_charts_data(run, region, indicator, lang, mode)
    c1 = charts.fan_chart(d.values, d.values_fan, unit=d.values_unit, title=d.values_title, y_title=d.values_axis,
                          lang=lang)
    c2 = charts.fan_chart(d.growth, d.growth_fan, unit="%", title=d.growth_title, y_title=d.growth_axis,
                          target=d.target, lang=lang)
    return c1, c2


def base_effect_note(run: Any, region: str, indicator: str, lang: str = "zh") -> str | None:
    """A note when last year's remaining periods were an unusually low or high base (基数效应), else None.

    See :func:`forecast.decisions.position.base_effect`: the forecast follows the usual seasonal pattern, so a low
    base lifts the growth of the periods still to come (and the full-year growth above the YTD growth),
    a high base lowers it.

    Examples
    --------
    >>> print(base_effect_note(run, "dalian", "retail"))    # an ordinary base: no note
    None
    """
    return i18n.fmt_base_effect(panel_base_effect(run.panel, region, indicator, run_year(run)), "base_", lang) or None


def weights_table(fc: Any, lang: str = "zh") -> pd.DataFrame:
    """:func:`weights_frame` for display: weights in percent (one decimal), why a model was left out.

    Examples
    --------
    >>> weights_table(run.forecasts["liaoning", "retail"], "en").columns.tolist()
    ['Model', 'Weight (%)', 'Why left out']
    """
    w = weights_frame(fc)
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({t("col_model"): [model_name(m, lang) for m in w["model"]],
                         t("col_weight_pct"): w["weight"].to_numpy(float) * 100,
                         t("col_dropped"): w["dropped"].astype(str).to_numpy()})


#: Metrics shown in percent (the frame holds a share, 0–1).
_SHARE_METRICS = ("coverage80",)


def accuracy_table(acc: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`accuracy_frame` for display as one row, one column per measure with its unit in the header:
    coverage in percent, the number of backtest origins as an integer.

    Examples
    --------
    >>> accuracy_table(pd.DataFrame({"metric": ["coverage80", "n_origins"], "value": [0.8, 3.0]}), "en")
       80% interval coverage (%)  Backtest origins (count)
    0                       80.0                         3
    """
    out = {}
    for m, v in zip(acc["metric"], acc["value"].astype(float), strict=True):
        label = i18n.t(f"acc_{m}", lang)
        if m == "n_origins":
            out[label] = pd.array([int(round(v))] if np.isfinite(v) else [pd.NA], dtype="Int64")
        else:
            out[label] = [v * 100 if m in _SHARE_METRICS else v]
    return pd.DataFrame(out)


def history_table(history: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`history_frame` for display: the period as people write it (Jan–Feb one period), units in the
    headers (亿元 or 指数点, %), whether each figure is published or generated.

    Examples
    --------
    >>> h = pd.DataFrame({"period": pd.PeriodIndex(["2026-02"], freq="M"), "value": [1.0], "ytd_value": [1.0],
    ...                   "ytd_yoy": [2.0], "is_index": [False], "status": ["published"]})
    >>> history_table(h, "en").iloc[0, 0]
    'Jan–Feb 2026'
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    index = bool(len(history) and history[IS_INDEX].iloc[-1])
    unit = t("unit_index" if index else "unit_yi")
    return pd.DataFrame({
        t("axis_period"): [i18n.fmt_month(p, lang) for p in history[PERIOD]],
        t("hist_col_value").format(unit=unit): history[VALUE].to_numpy(float),
        t("hist_col_ytd_value").format(unit=unit): history[YTD_VALUE].to_numpy(float),
        t("col_ytd_growth"): history[YTD_YOY].to_numpy(float),
        t("hist_col_status"): [t(f"data_{x}") if x else "" for x in history["status"]],
    })
