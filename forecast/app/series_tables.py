"""The Series page's tables and figures: one region × indicator of a run, by pure functions.

Its history (:func:`history_frame`), the fans of its period values and of its YTD growth
(:func:`value_fan`, :func:`growth_fan`, shown by :func:`fan_table` with units), the combination's weights
and backtest accuracy, the two charts (:func:`series_figures`) and, when last year's remaining periods
were an unusual part of the year, the base-effect note (:func:`base_effect_note`). See
:mod:`forecast.app.overview_tables` for what a *run* is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.app.overview_tables import run_year, series_rows
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, IS_INDEX, PERIOD, REGION, VALUE, YTD_VALUE, YTD_YOY
from forecast.decisions.position import panel_base_effect
from forecast.decisions.targets import VERDICT_PROVENANCES, remaining_bases, ytd_position
from forecast.present import i18n, plots
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
    2026-11  334.0   385.8  420.6
    2026-12  351.3   416.4  467.0
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


def fan_table(fan: pd.DataFrame, unit: str, lang: str = "zh") -> pd.DataFrame:
    """A fan frame (:func:`value_fan` with its period as a column, or :func:`growth_fan`) for display.

    Every number column names its unit (``unit``: 亿元, 指数点 or %). Value fans list months; growth fans
    list YTD windows and say per row whether the figure is published (history, in the YTD-growth
    column, bands empty) or forecast (the median and its bands).

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
        label = t("col_ytd_growth") if ytd and col == "median" else t(f"fan_{col}", unit=unit)
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
    9   2026-11  forecast     2.7   0.4  1.6  3.2    3.7
    10  2026-12  forecast     2.5  -0.4  0.9  3.4    4.0
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
    0        mase   0.41
    1       smape   4.25
    2  coverage80   1.00
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


def series_figures(run: Any, region: str, indicator: str, lang: str = "zh") -> tuple:
    """The two fan charts of a series and the frames behind them.

    Returns ``(values_figure, growth_figure, value_fan, growth_fan)``: period values (the last three
    years and the forecast's :func:`value_fan`) and the target year's YTD growth (:func:`growth_fan`)
    against the target line.

    Examples
    --------
    >>> fig_values, fig_growth, vfan, gfan = series_figures(run, "shenyang", "retail", "en")
    >>> fig_growth.axes[0].get_title()
    'Shenyang, Retail sales of consumer goods: YTD growth in 2026 against the target'
    """
    t = lambda k, **f: i18n.t(k, lang, **f)  # noqa: E731
    hist = history_frame(run, region, indicator)
    fc = run.forecasts.get((region, indicator))
    names = {"region": i18n.region_name(region, lang), "indicator": i18n.indicator_name(indicator, lang, short=True)}
    is_index = bool(hist[IS_INDEX].iloc[-1]) if len(hist) else False
    year = run_year(run)
    recent = hist[pd.PeriodIndex(hist[PERIOD], freq="M").year >= year - 2]
    vfan = value_fan(fc) if fc is not None else None
    fig1 = plots.fan_chart(pd.Series(recent[VALUE].to_numpy(float), index=pd.PeriodIndex(recent[PERIOD], freq="M")),
                           vfan, title=t("fan_values_title", **names), lang=lang,
                           ylabel=t("axis_index" if is_index else "axis_value"))
    gfan = growth_fan(run, region, indicator, year)
    # the target line only for a published or analyst's target (a reference is no target of the series)
    tg = run.targets[(run.targets[REGION] == region) & (run.targets[INDICATOR] == indicator)
                     & run.targets.get("target_status", pd.Series("published", index=run.targets.index))
                     .isin(VERDICT_PROVENANCES)]["target"]
    target = float(tg.iloc[0]) if len(tg) and pd.notna(tg.iloc[0]) else None
    h = gfan[gfan["kind"] == "history"]
    f = gfan[gfan["kind"] == "forecast"].set_index(PERIOD)
    fig2 = plots.fan_chart(pd.Series(h["median"].to_numpy(float), index=pd.PeriodIndex(h[PERIOD], freq="M")),
                           f[list(FAN_QUANTILES)] if len(f) else None, target=target, lang=lang,
                           title=t("fan_growth_title", year=year, **names), ylabel=t("axis_growth"))
    return fig1, fig2, vfan, gfan


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
