"""Interactive charts for the app (Altair / Vega-Lite, shown with ``st.altair_chart``), the twins of :mod:`.plots`.

The same frames go in as for the matplotlib builders of :mod:`forecast.present.plots` (which stay for PNG export,
set in the bundled CJK font), and the charts look alike: the same colours, the same legend words, the same
target line. What the browser adds: hover tooltips with the period, the median, both bands and the unit, and
zoom and pan on the x axis.

A period of the 11-period year is drawn at its last month; Jan–Feb (one published period) is one point at
February, marked as such in its tooltip (``period`` is the text of :func:`forecast.present.i18n.fmt_month`).

Examples
--------
>>> fan = pd.DataFrame({"period": pd.PeriodIndex(["2026-12"], freq="M"), "p2_5": [1.0], "p10": [2.0],
...                     "median": [3.0], "p90": [4.0], "p97_5": [5.0]})
>>> spec = fan_chart(None, fan, unit="%", target=2.5).to_dict()
>>> spec["layer"][0]["mark"]["type"]
'area'
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from forecast.decisions.targets import THRESHOLDS
from forecast.present import i18n
from forecast.present.plots import BLUE as _BLUE
from forecast.present.plots import GREY as _GREY
from forecast.present.plots import RED as _RED

#: The font the browser is asked for first (the bundled face the PNGs use), then any sans-serif.
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
_BANDS = ("p2_5", "p10", "median", "p90", "p97_5")
#: The bands' colours: what :mod:`.plots`' blue at alpha 0.15 (95%) and 0.15 + 0.30 (80%) looks like on white.
BAND95, BAND80 = "#dde7f2", "#a4bedc"


def _configure(chart: alt.TopLevelMixin, title: str) -> Any:
    # fit the width of the page, keep the height of the plot (a "fit" would squeeze titles and axes into it)
    return (chart.properties(title=alt.TitleParams(title, anchor="start", fontSize=13, offset=18), width="container",
                             autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
            .configure(font=FONT).configure_axis(labelFont=FONT, titleFont=FONT, grid=True, gridOpacity=0.3)
            .configure_legend(labelFont=FONT, titleFont=FONT, orient="bottom")
            .configure_view(strokeWidth=0))


def _x(periods: Any) -> list[str]:
    """ISO dates of the periods' months (Vega-Lite's temporal axis)."""
    return [p.strftime("%Y-%m-01") for p in pd.PeriodIndex(periods, freq="M")]


def period_label_expr(lang: str = "zh") -> str:
    """A Vega expression writing an axis month as :func:`forecast.present.i18n.fmt_month` does: February is
    the Jan–Feb period (``2026年1-2月`` / ``Jan–Feb 2026``).

    Examples
    --------
    >>> "1-2月" in period_label_expr("zh") and "Jan–Feb " in period_label_expr("en")
    True
    """
    if lang == "zh":
        return ("timeFormat(datum.value, '%Y年') + (month(datum.value) == 1 ? '1-2月' : "
                "(month(datum.value) + 1) + '月')")
    return "(month(datum.value) == 1 ? 'Jan–Feb ' : timeFormat(datum.value, '%b ')) + timeFormat(datum.value, '%Y')"


def fan_frame(history: pd.DataFrame | None, fan: pd.DataFrame | None, lang: str = "zh") -> pd.DataFrame:
    """The long frame a fan chart draws: one row per period, ``kind`` history or forecast.

    ``history`` has ``period`` and ``value``; ``fan`` has ``period`` and the quantile columns
    (``p2_5, p10, median, p90, p97_5``). The forecast starts where history ends (its first row repeats
    the last observation, bands zero-wide), so the fan joins the line.

    Examples
    --------
    >>> h = pd.DataFrame({"period": pd.PeriodIndex(["2026-10"], freq="M"), "value": [1.5]})
    >>> f = pd.DataFrame({"period": pd.PeriodIndex(["2026-12"], freq="M"), "p2_5": [1.0], "p10": [2.0],
    ...                   "median": [3.0], "p90": [4.0], "p97_5": [5.0]})
    >>> fan_frame(h, f, "en")[["label", "kind", "value", "median"]]
          label      kind  value  median
    0  Oct 2026   history    1.5     NaN
    1  Oct 2026      join    NaN     1.5
    2  Dec 2026  forecast    NaN     3.0
    """
    rows = []
    if history is not None and len(history):
        h = history.dropna(subset=["value"])
        for p, v in zip(h["period"], h["value"].astype(float), strict=True):
            rows.append({"period": pd.Period(p, "M"), "kind": "history", "value": v})
        if fan is not None and len(fan) and len(h):
            last = float(h["value"].iloc[-1])
            rows.append({"period": pd.Period(h["period"].iloc[-1], "M"), "kind": "join",
                         **{c: last for c in _BANDS}})
    if fan is not None and len(fan):
        for _, r in fan.iterrows():
            rows.append({"period": pd.Period(r["period"], "M"), "kind": "forecast",
                         **{c: float(r[c]) for c in _BANDS if c in fan}})
    out = pd.DataFrame(rows, columns=["period", "kind", "value", *_BANDS])
    out.insert(1, "label", [i18n.fmt_month(p, lang) for p in out["period"]])
    out.insert(2, "x", _x(out["period"]) if len(out) else [])
    return out.drop(columns="period")


def fan_chart(history: pd.DataFrame | None, fan: pd.DataFrame | None, *, unit: str, title: str = "",
              y_title: str = "", target: float | None = None, lang: str = "zh", height: int = 300) -> Any:
    """A fan chart: history line, forecast median, its 80% and 95% bands, an optional labelled target line.

    Parameters
    ----------
    history : DataFrame or None
        ``period``, ``value`` (observed, in ``unit``).
    fan : DataFrame or None
        ``period`` and ``p2_5, p10, median, p90, p97_5`` (in ``unit``).
    unit : str
        Shown in every tooltip value (亿元, %, 指数点 …).
    target : float, optional
        A horizontal rule labelled ``目标 4%`` / ``target 4%``.

    Returns
    -------
    altair.LayerChart
        Hovering a period shows its value or its median and both bands, with the unit.
    """
    data = fan_frame(history, fan, lang)
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    names = {k: t(f"legend_{k}") for k in ("history", "median", "band80", "band95", "target")}
    # one text column per figure for the tooltip (numbers with the unit, "—" when missing)
    for col in ("value", *_BANDS):
        data[f"{col}_text"] = [f"{v:,.1f} {unit}".replace(" %", "%") if np.isfinite(v) else "—"
                               for v in data[col].astype(float)]
    data["series"] = [names["history"] if k == "history" else names["median"] for k in data["kind"]]
    x = alt.X("x:T", title=t("axis_period"), axis=alt.Axis(labelExpr=period_label_expr(lang), labelAngle=0))
    base = alt.Chart(data)
    fut = base.transform_filter(alt.datum.kind != "history")
    # one legend for lines and bands, as the PNG has; the bands in the colours the PNG's translucent blue
    # makes on white (95%: blue at 0.15; 80%: at 0.30 over the 95% band)
    colour = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=[names["history"], names["median"], names["band80"], names["band95"]],
        range=[_GREY, _BLUE, BAND80, BAND95]))
    layers = [
        fut.transform_calculate(series=f"'{names['band95']}'").mark_area().encode(
            x=x, y=alt.Y("p2_5:Q", title=y_title, scale=alt.Scale(zero=False)), y2="p97_5:Q", color=colour),
        fut.transform_calculate(series=f"'{names['band80']}'").mark_area().encode(
            x=x, y=alt.Y("p10:Q", scale=alt.Scale(zero=False)), y2="p90:Q", color=colour),
        fut.mark_line(strokeDash=[6, 3], strokeWidth=2).encode(x=x, y=alt.Y("median:Q", scale=alt.Scale(zero=False)),
                                                               color=colour),
        base.transform_filter(alt.datum.kind == "history").mark_line(point=True, strokeWidth=1.6).encode(
            x=x, y=alt.Y("value:Q", scale=alt.Scale(zero=False)), color=colour),
    ]
    if target is not None and np.isfinite(target):
        rule = pd.DataFrame({"y": [float(target)], "text": [f"{names['target']} {float(target):g}%"]})
        layers.append(alt.Chart(rule).mark_rule(color=_RED, strokeDash=[2, 2], strokeWidth=1.4).encode(
            y=alt.Y("y:Q", scale=alt.Scale(zero=False))))
        layers.append(alt.Chart(rule).mark_text(color=_RED, align="left", dx=4, dy=-7).encode(
            y=alt.Y("y:Q", scale=alt.Scale(zero=False)), text="text:N", x=alt.value(0)))
    # an invisible point per period carrying the tooltip; the nearest one to the pointer lights up
    hover = alt.selection_point(fields=["x"], nearest=True, on="pointerover", clear="pointerout", empty=False)
    tips = [alt.Tooltip("label:N", title=t("axis_period")),
            alt.Tooltip("value_text:N", title=names["history"]),
            alt.Tooltip("median_text:N", title=names["median"]),
            alt.Tooltip("p10_text:N", title=t("legend_band80") + " ↓"),
            alt.Tooltip("p90_text:N", title=t("legend_band80") + " ↑"),
            alt.Tooltip("p2_5_text:N", title=t("legend_band95") + " ↓"),
            alt.Tooltip("p97_5_text:N", title=t("legend_band95") + " ↑")]
    pts = base.transform_filter(alt.datum.kind != "join").transform_calculate(
        yy="isValid(datum.value) ? datum.value : datum.median")
    layers.append(pts.mark_point(size=60, filled=True, color=_BLUE).encode(
        x=x, y=alt.Y("yy:Q", scale=alt.Scale(zero=False)), opacity=alt.condition(hover, alt.value(0.9), alt.value(0)),
        tooltip=tips).add_params(hover))
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    chart = alt.layer(*layers).properties(height=height).add_params(zoom)
    return _configure(chart, title)


def probability_chart(table: pd.DataFrame, *, title: str = "", lang: str = "zh", height: int | None = None) -> Any:
    """Bars of the probability of reaching the target (0–100 %), coloured by status, with the thresholds
    of the verdicts drawn and labelled (70 %: on track, 30 %: at risk / off track).

    Parameters
    ----------
    table : DataFrame
        ``label``, ``probability`` (0–1) and ``status`` per row (:func:`forecast.app.overview_tables.probability_frame`).

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["沈阳"], "probability": [0.8], "status": ["on_track"]})
    >>> [lay["mark"]["type"] for lay in probability_chart(t).to_dict()["layer"]][:2]
    ['bar', 'text']
    """
    t = lambda k, **f: i18n.t(k, lang, **f)  # noqa: E731
    data = pd.DataFrame({"label": table["label"].astype(str).to_numpy(),
                         "pct": table["probability"].astype(float).to_numpy() * 100,
                         "status": [i18n.status_label(s, lang) for s in table["status"]],
                         "colour": [i18n.STATUS_COLOURS.get(s, "#e0e0e0") for s in table["status"]]})
    data["text"] = [i18n.fmt_prob(p / 100, lang) for p in data["pct"]]
    order = data["label"].tolist()
    y = alt.Y("label:N", sort=order, title=None)
    tips = [alt.Tooltip("label:N", title=t("col_region")), alt.Tooltip("text:N", title=t("axis_probability")),
            alt.Tooltip("status:N", title=t("col_status"))]
    x = alt.X("pct:Q", title=t("axis_probability"), scale=alt.Scale(domain=[0, 110], nice=False),
              axis=alt.Axis(values=list(range(0, 101, 10))))
    bars = alt.Chart(data).mark_bar(stroke=_GREY, strokeWidth=0.5, height={"band": 0.7}).encode(
        x=x, y=y, color=alt.Color("colour:N", scale=None), tooltip=tips)
    labels = alt.Chart(data).mark_text(align="left", dx=4, fontWeight="bold").encode(x="pct:Q", y=y, text="text:N")
    hi, lo = (100 * v for v in THRESHOLDS)
    rules = pd.DataFrame({"x": [lo, hi], "text": [t("prob_threshold_low", pct=f"{lo:g}"), t("prob_threshold_high", pct=f"{hi:g}")]})
    rule = alt.Chart(rules).mark_rule(color=_GREY, strokeDash=[4, 3], strokeWidth=1.2).encode(x="x:Q")
    # the thresholds' words sit above the bars, each at its line
    rule_text = alt.Chart(rules).mark_text(color=_GREY, align="left", baseline="bottom", dx=3, fontSize=11).encode(
        x="x:Q", text="text:N", y=alt.value(-4))
    chart = alt.layer(bars, labels, rule, rule_text).properties(height=height or 36 * max(len(data), 3))
    return _configure(chart, title)


def scenario_chart(table: pd.DataFrame, *, title: str = "", lang: str = "zh") -> Any:
    """Projected full-year growth of baseline and scenario per series, with their 80% bands and targets.

    ``table`` as :func:`forecast.present.plots.scenario_chart` (``label``, ``baseline``, ``baseline_p10``,
    ``baseline_p90``, ``scenario``, ``scenario_p10``, ``scenario_p90``, optionally ``target``).

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A"], "baseline": [1.0], "baseline_p10": [0.5], "baseline_p90": [1.5],
    ...                   "scenario": [2.0], "scenario_p10": [1.5], "scenario_p90": [2.5]})
    >>> len(scenario_chart(t).to_dict()["layer"])
    2
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    rows = []
    for _, r in table.iterrows():
        for col in ("baseline", "scenario"):
            rows.append({"label": str(r["label"]), "run": t(f"legend_{col}"), "mid": float(r[col]),
                         "lo": float(r[f"{col}_p10"]), "hi": float(r[f"{col}_p90"])})
    data = pd.DataFrame(rows)
    for c in ("mid", "lo", "hi"):
        data[f"{c}_text"] = [i18n.fmt_pct(v, lang, digits=2) for v in data[c]]
    order = [str(x) for x in table["label"]]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    off = alt.YOffset("run:N", sort=[t("legend_baseline"), t("legend_scenario")])
    colour = alt.Color("run:N", title=None, scale=alt.Scale(domain=[t("legend_baseline"), t("legend_scenario")],
                                                             range=[_GREY, _BLUE]))
    tips = [alt.Tooltip("label:N", title=t("col_region")), alt.Tooltip("run:N", title=t("scn_col_scenario")),
            alt.Tooltip("mid_text:N", title=t("col_projected")), alt.Tooltip("lo_text:N", title=t("col_p10")),
            alt.Tooltip("hi_text:N", title=t("col_p90"))]
    band = alt.Chart(data).mark_rule(strokeWidth=2).encode(x=alt.X("lo:Q", title=t("col_projected")), x2="hi:Q",
                                                           y=y, yOffset=off, color=colour)
    dots = alt.Chart(data).mark_circle(size=70).encode(x="mid:Q", y=y, yOffset=off, color=colour, tooltip=tips)
    layers = [band, dots]
    if "target" in table:
        tg = pd.DataFrame({"label": order, "target": table["target"].astype(float).to_numpy()}).dropna()
        if len(tg):
            tg["text"] = [i18n.fmt_pct(v, lang) for v in tg["target"]]
            layers.append(alt.Chart(tg).mark_tick(color=_RED, thickness=2, size=26).encode(
                x="target:Q", y=y, tooltip=[alt.Tooltip("text:N", title=t("legend_target"))]))
    chart = alt.layer(*layers).properties(height=46 * max(len(order), 2))
    return _configure(chart, title)
