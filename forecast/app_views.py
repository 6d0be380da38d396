"""The tables each page of the app shows, built from a run by pure functions (no Streamlit).

A *run* is the latest complete batch run (:func:`forecast.results.load_latest_run`): an object with
``run_id``, ``finished``, ``data_vintage``, ``panel`` (:func:`forecast.panel.build_panel`), ``forecasts``
(``(region, indicator) →`` forecast with ``last_period``, ``periods``, ``paths`` and, when the engine made
it, ``weights``, ``dropped``, ``flags``, ``metrics``), ``targets`` (:func:`forecast.targets.evaluate_targets`)
and ``metrics``. Every function here reads the run and returns a new frame; tests compare these frames
with the ``forecast`` API on the same run, and the app only renders them.

Numeric columns keep their full precision (the app formats them), so a number shown is the API's number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast import i18n
from forecast.catalog import CARRIAGES, INDICATORS, REGIONS
from forecast.errors import DataError
from forecast.plots import FAN_QUANTILES
from forecast.schema import INDICATOR, IS_INDEX, PERIOD, REGION, VALUE, YEAR, YTD_VALUE, YTD_YOY

#: Columns of :func:`overview_frame` (evaluate_targets' columns plus ``has_target``).
OVERVIEW_NUMBERS = ["ytd_growth", "target", "projected", "p10", "p90", "probability", "required_growth", "gap_pp"]
_ORDER_R = {r: i for i, r in enumerate(REGIONS)}
_ORDER_I = {k: i for i, k in enumerate(INDICATORS)}


def in_catalogue_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by region (province first, then cities) and indicator in catalogue order."""
    key = frame[REGION].map(_ORDER_R).fillna(99) * 100 + frame[INDICATOR].map(_ORDER_I).fillna(99)
    return frame.assign(_k=key.to_numpy()).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def series_rows(panel: pd.DataFrame, region: str, indicator: str) -> pd.DataFrame:
    """The panel rows of one series, sorted by period."""
    rows = panel[(panel[REGION] == region) & (panel[INDICATOR] == indicator)]
    return rows.sort_values(PERIOD).reset_index(drop=True)


def run_year(run: Any) -> int:
    """Year of the run's targets (the latest year of its panel when it has none)."""
    from forecast.targets import latest_year

    tg = getattr(run, "targets", None)
    if tg is not None and len(tg):
        return int(pd.to_numeric(tg[YEAR]).max())
    return latest_year(run.panel)


def scenario_inputs(run: Any) -> dict:
    """The mapping scenarios act on: the run's forecasts and its discrepancy series (when it has them)."""
    if hasattr(run, "scenario_inputs"):
        return run.scenario_inputs()
    return {**run.forecasts, **(getattr(run, "discrepancies", None) or {})}


def targets_input(run: Any) -> pd.DataFrame:
    """The targets table the run used (:func:`forecast.target_table.load_targets` layout: region … status).

    ``run.target_table`` when the run stored it, else rebuilt from the evaluated targets; the app never
    reads another targets file.
    """
    table = getattr(run, "target_table", None)
    if isinstance(table, pd.DataFrame) and len(table) and {"value", "kind"} <= set(table.columns):
        return table
    tg = run.targets
    tg = tg[np.isfinite(pd.to_numeric(tg["target"], errors="coerce").to_numpy(dtype=float))]
    return pd.DataFrame({REGION: tg[REGION].to_numpy(), INDICATOR: tg[INDICATOR].to_numpy(),
                         YEAR: tg[YEAR].astype(int).to_numpy(), "value": tg["target"].astype(float).to_numpy(),
                         "kind": tg["kind"].astype(str).to_numpy(),
                         "status": (tg["target_status"] if "target_status" in tg else "published"),
                         "source": ""})


def evaluate_series(panel: pd.DataFrame, forecasts: Mapping, targets: pd.DataFrame,
                    keys: Iterable[tuple[str, str]], year: int) -> pd.DataFrame:
    """:func:`forecast.targets.evaluate_targets` for the series ``keys`` only, targeted or not.

    Series without a target of ``year`` get the figures without one: ``has_target`` False, target
    columns NaN and status ``"no target"`` (as :func:`forecast.scenarios.compare_scenarios` does).

    Examples
    --------
    >>> keys = [("dalian", "retail"), ("dalian", "exports")]        # exports have no target
    >>> evaluate_series(panel, run.forecasts, run.target_table, keys, 2026)["status"].tolist()
    ['off_track', 'no target']
    """
    from forecast.targets import evaluate_targets

    keys = list(dict.fromkeys(keys))
    tg = targets[targets[YEAR].astype(int) == int(year)]
    known = {(r, i): row for r, i, row in zip(tg[REGION], tg[INDICATOR], tg.to_dict("records"), strict=True)}
    rows = [known.get(k) or {REGION: k[0], INDICATOR: k[1], YEAR: int(year), "value": 0.0, "kind": "",
                             "status": "", "source": ""} for k in keys]
    sub = panel[pd.MultiIndex.from_arrays([panel[REGION], panel[INDICATOR]]).isin(keys)] if keys else panel.iloc[:0]
    fcs = {k: forecasts[k] for k in keys if k in forecasts}
    ev = evaluate_targets(sub, fcs, pd.DataFrame(rows, columns=[REGION, INDICATOR, YEAR, "value", "kind", "status",
                                                                "source"]), year=int(year))
    has = np.array([k in known for k in keys], dtype=bool)
    ev.insert(ev.columns.get_loc("target"), "has_target", has)
    for c in ("target", "probability", "required_growth", "gap_pp"):
        ev[c] = ev[c].astype(float).where(has, np.nan)
    for c in ("kind", "target_status"):
        ev[c] = ev[c].astype(object).where(has, "")
    ev["status"] = ev["status"].astype(object).where(has, "no target")
    return ev


def overview_frame(run: Any, indicators: tuple[str, ...] = CARRIAGES) -> pd.DataFrame:
    """Every region × carriage of the run for its year: the evaluated target, or the figures without one.

    Rows come from ``run.targets`` unchanged (the batch's numbers); a series of the panel without a
    target row is evaluated on the run's forecasts (:func:`evaluate_series`). Catalogue order,
    province first.

    Examples
    --------
    >>> overview_frame(run)[["region", "indicator", "projected", "probability"]].head(3).round(1)
         region indicator  projected  probability
    0  liaoning    retail        2.5          0.0
    1  liaoning     trade        1.1          0.0
    2  shenyang    retail        1.2          0.0
    """
    year = run_year(run)
    tg = run.targets[(run.targets[YEAR].astype(int) == year) & run.targets[INDICATOR].isin(indicators)]
    in_panel = set(zip(run.panel[REGION], run.panel[INDICATOR], strict=True))
    have = tg[[k in in_panel for k in zip(tg[REGION], tg[INDICATOR], strict=True)]].copy()
    have.insert(have.columns.get_loc("target"), "has_target", True)
    done = set(zip(have[REGION], have[INDICATOR], strict=True))
    extra = [k for k in sorted(in_panel, key=lambda k: (_ORDER_R.get(k[0], 99), _ORDER_I.get(k[1], 99)))
             if k[1] in indicators and k not in done]
    frames = [have]
    if extra:
        frames.append(evaluate_series(run.panel, run.forecasts, targets_input(run), extra, year))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else have
    return in_catalogue_order(out)


def overview_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`overview_frame` with names, target wording and status in ``lang``; numbers stay numeric.

    The answer first (status, probability, target, projection and its band, what it would take), then
    where the year stands (YTD growth, latest period). Probability is shown in percent (× 100); other
    numbers as in the frame (%, 百分点).

    Examples
    --------
    >>> overview_table(overview_frame(run), "en").columns[:3].tolist()
    ['Region', 'Indicator', 'Status']
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_region"): [i18n.region_name(r, lang) for r in frame[REGION]],
        t("col_indicator"): [i18n.indicator_name(i, lang, short=True) for i in frame[INDICATOR]],
        t("col_status"): [i18n.status_label(s, lang) for s in frame["status"]],
        t("col_probability"): frame["probability"].astype(float).to_numpy() * 100,
        t("col_target_text"): [i18n.fmt_target(v, k, lang, s) if h else i18n.status_label("no target", lang)
                               for v, k, s, h in zip(frame["target"], frame["kind"], frame.get("target_status", ""),
                                                     frame["has_target"], strict=True)],
        t("col_projected"): frame["projected"].astype(float).to_numpy(),
        t("col_p10"): frame["p10"].astype(float).to_numpy(),
        t("col_p90"): frame["p90"].astype(float).to_numpy(),
        t("col_required"): frame["required_growth"].astype(float).to_numpy(),
        t("col_gap"): frame["gap_pp"].astype(float).to_numpy(),
        t("col_ytd_growth"): frame["ytd_growth"].astype(float).to_numpy(),
        t("col_period"): [i18n.fmt_period(p, lang) for p in frame["last_period"]],
        t("col_derived"): ["✓" if bool(d) else "" for d in frame["derived_from_index"]],
    })


def baseline_frame(run: Any) -> pd.DataFrame:
    """Every forecast series of the run evaluated for the run's year (targeted or not)."""
    keys = [k for k in run.forecasts if k[0] in REGIONS]
    return evaluate_series(run.panel, run.forecasts, targets_input(run), keys, run_year(run))


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Number of targets per status (``on_track``, ``at_risk``, ``off_track``, ``unknown``)."""
    have = frame[frame["has_target"].astype(bool)]
    return {s: int((have["status"] == s).sum()) for s in ("on_track", "at_risk", "off_track", "unknown")}


# -- one series -------------------------------------------------------------------------------------------
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
    """Quantiles (:data:`forecast.plots.FAN_QUANTILES`) and mean of a forecast's period values, by period.

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
    bases of :func:`forecast.targets.remaining_bases`; at December this is the full-year growth of
    :func:`forecast.targets.full_year_growth_paths`.
    """
    from forecast.targets import remaining_bases, ytd_position

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
    from forecast import plots

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
    tg = run.targets[(run.targets[REGION] == region) & (run.targets[INDICATOR] == indicator)]["target"]
    target = float(tg.iloc[0]) if len(tg) and pd.notna(tg.iloc[0]) else None
    h = gfan[gfan["kind"] == "history"]
    f = gfan[gfan["kind"] == "forecast"].set_index(PERIOD)
    fig2 = plots.fan_chart(pd.Series(h["median"].to_numpy(float), index=pd.PeriodIndex(h[PERIOD], freq="M")),
                           f[list(FAN_QUANTILES)] if len(f) else None, target=target, lang=lang,
                           title=t("fan_growth_title", year=year, **names), ylabel=t("axis_growth"))
    return fig1, fig2, vfan, gfan


def probability_frame(frame: pd.DataFrame, indicator: str, lang: str = "zh") -> pd.DataFrame:
    """Rows of :func:`overview_frame` with a target for one indicator: label, probability, status."""
    rows = frame[(frame[INDICATOR] == indicator) & frame["has_target"].astype(bool)]
    return pd.DataFrame({"label": [i18n.region_name(r, lang) for r in rows[REGION]],
                         "probability": rows["probability"].astype(float).to_numpy(),
                         "status": rows["status"].astype(str).to_numpy()})
