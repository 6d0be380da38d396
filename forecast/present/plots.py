"""Figures from frames (matplotlib, no Streamlit): fan charts, scenario and probability charts, PNG bytes.

Every builder takes frames with the column names of :mod:`forecast.app.overview_tables` (``p2_5``, ``p10``,
``median``, ``p90``, ``p97_5`` per period) and returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global figure state, safe in a web server). Every chart sets its text in one font whatever the
machine has: Noto Sans CJK SC Regular, shipped inside the Python environment by the ``noto-cjk-sans-otc``
package (SIL Open Font License 1.1) and registered with :mod:`matplotlib.font_manager` under its own name
(:data:`CJK_FAMILY`) on first use, so a system copy of the font never stands in and no system package is needed.

Examples
--------
>>> fig = plot_fan(run.forecasts["liaoning", "retail"], lang="en")
>>> figure_png(fig)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import noto_cjk_sans_otc
import numpy as np
import pandas as pd
from matplotlib import font_manager, ft2font, rc_context
from matplotlib.figure import Figure

from forecast.present import i18n

#: The family name every chart uses; it is registered by :func:`cjk_font` and names only the bundled file.
CJK_FAMILY = "troika Noto Sans CJK SC"
#: The face of the bundled collection that :data:`CJK_FAMILY` stands for (the collection holds JP, KR, SC, TC, HK).
_SC_FACE = "Noto Sans CJK SC"
#: Quantile columns of a fan frame, and the probability each stands for.
FAN_QUANTILES: dict[str, float] = {"p2_5": 0.025, "p10": 0.10, "median": 0.5, "p90": 0.90, "p97_5": 0.975}
#: The colours of every chart (the PNGs here and the interactive twins of :mod:`forecast.present.charts`).
BLUE, GREY, RED = "#1f5fa8", "#444444", "#c62828"
_BLUE, _GREY, _RED = BLUE, GREY, RED


def cjk_font_path() -> Path:
    """The font file every chart uses: the Noto Sans CJK collection inside the Python environment.

    Examples
    --------
    >>> cjk_font_path().name
    'NotoSansCJK-Regular.ttc'
    """
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@cache
def cjk_font() -> str:
    """Register the bundled Simplified Chinese face with matplotlib (once) and return its family name.

    The face is added under :data:`CJK_FAMILY`, a name no system font bears, so the chart is drawn with
    the same file on every machine, with or without a system CJK font.

    Examples
    --------
    >>> cjk_font()
    'troika Noto Sans CJK SC'
    >>> Path(str(font_manager.findfont(CJK_FAMILY, fallback_to_default=False))) == cjk_font_path()
    True
    """
    path = str(cjk_font_path())
    faces = (ft2font.FT2Font(path, face_index=i) for i in range(ft2font.FT2Font(path).num_faces))
    face = next((f for f in faces if f.family_name == _SC_FACE), None)
    if face is None:
        raise RuntimeError(f"{path} holds no {_SC_FACE!r} face; reinstall the noto-cjk-sans-otc package")
    entry = dataclasses.replace(font_manager.ttfFontProperty(face), name=CJK_FAMILY)
    font_manager.fontManager.ttflist.append(entry)
    return CJK_FAMILY


@contextmanager
def _style() -> Iterator[None]:
    """rcParams for one figure: the CJK font first, ASCII minus signs, light grid."""
    params: dict[str, Any] = {"axes.unicode_minus": False, "axes.grid": True, "grid.alpha": 0.3,
                              "axes.spines.top": False, "axes.spines.right": False, "font.size": 9}
    # a concrete family name (not the generic "sans-serif"): a Text keeps it, so the figure renders with
    # the CJK font wherever it is saved later (st.pyplot, figure_png); the face has Latin glyphs too
    params["font.family"] = [cjk_font(), "DejaVu Sans"]
    with rc_context(params):
        yield


def _x(periods: Any) -> pd.DatetimeIndex:
    """Plot positions of period-end months (the month's start; Jan–Feb sits at February)."""
    return pd.PeriodIndex(periods, freq="M").to_timestamp()


def fan_chart(
    history: pd.Series | None,
    fan: pd.DataFrame | None,
    *,
    title: str = "",
    ylabel: str = "",
    labels: Mapping[str, str] | None = None,
    target: float | None = None,
    lang: str = "zh",
) -> Figure:
    """A fan chart: history line, forecast median and its 80% and 95% bands, optional target line.

    Parameters
    ----------
    history : Series or None
        Observed values indexed by period (``PeriodIndex`` or period strings); NaN gaps are left open.
    fan : DataFrame or None
        Indexed by future period, columns ``p2_5, p10, median, p90, p97_5`` (any missing band is skipped).
    title, ylabel : str
    labels : mapping, optional
        Legend texts ``history, median, band80, band95, target``; default from :mod:`forecast.present.i18n`.
    target : float, optional
        Horizontal line (e.g. a growth target in %).
    lang : {'zh', 'en'}
        Language of the default legend texts.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fan = pd.DataFrame({"p10": [1.0], "median": [2.0], "p90": [3.0]}, index=pd.PeriodIndex(["2026-12"], freq="M"))
    >>> fig = fan_chart(pd.Series([1.5], index=pd.PeriodIndex(["2026-11"], freq="M")), fan, target=2.5)
    >>> [line.get_label() for line in fig.axes[0].lines][:2]
    ['实际', '预测中位数']
    """
    names = {k: i18n.t(f"legend_{k}", lang) for k in ("history", "median", "band80", "band95", "target")}
    names.update(labels or {})
    with _style():
        fig = Figure(figsize=(6.4, 3.4), layout="constrained")
        ax = fig.add_subplot()
        if history is not None and len(history):
            ax.plot(_x(history.index), history.to_numpy(dtype=float), color=_GREY, lw=1.6, marker=".",
                    ms=4, label=names["history"])
        if fan is not None and len(fan):
            x = _x(fan.index)
            if history is not None and len(history) and "median" in fan:
                # join the last observation to the first forecast so the fan starts where history ends
                last = history.dropna()
                if len(last):
                    x = _x(pd.PeriodIndex([last.index[-1]], freq="M").append(pd.PeriodIndex(fan.index, freq="M")))
                    fan = pd.concat([pd.DataFrame({c: [float(last.iloc[-1])] for c in fan.columns}), fan.reset_index(drop=True)])
            if {"p2_5", "p97_5"} <= set(fan.columns):
                ax.fill_between(x, fan["p2_5"].to_numpy(float), fan["p97_5"].to_numpy(float), color=_BLUE,
                                alpha=0.15, lw=0, label=names["band95"])
            if {"p10", "p90"} <= set(fan.columns):
                ax.fill_between(x, fan["p10"].to_numpy(float), fan["p90"].to_numpy(float), color=_BLUE,
                                alpha=0.30, lw=0, label=names["band80"])
            if "median" in fan:
                ax.plot(x, fan["median"].to_numpy(float), color=_BLUE, lw=1.8, ls="--", label=names["median"])
        if target is not None and np.isfinite(target):
            ax.axhline(float(target), color=_RED, lw=1.2, ls=":", label=f"{names['target']} {float(target):g}%")
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if ax.lines or ax.collections:
            ax.legend(loc="best", fontsize=8, frameon=False)
        fig.autofmt_xdate()
    return fig


def plot_fan(fc: Any, history: pd.Series | None = None, *, title: str = "", ylabel: str = "",
             lang: str = "zh") -> Figure:
    """Fan chart of a forecast object (``periods`` and ``paths``, e.g. a ``SeriesForecast``).

    ``fc.paths`` (n_paths × h) gives the quantiles of :data:`FAN_QUANTILES` per period; ``history`` is
    drawn before it (e.g. :func:`forecast.data.panel.series_flows`).

    Examples
    --------
    >>> from forecast.data.panel import series_flows
    >>> history = series_flows(panel, "liaoning", "retail")
    >>> fig = plot_fan(run.forecasts["liaoning", "retail"], history, lang="en")
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['history', '95% band', '80% band', 'median forecast']
    """
    paths = np.asarray(fc.paths, dtype=float)
    q = np.quantile(paths, list(FAN_QUANTILES.values()), axis=0)
    fan = pd.DataFrame(q.T, index=pd.PeriodIndex(fc.periods, freq="M"), columns=list(FAN_QUANTILES))
    return fan_chart(history, fan, title=title, ylabel=ylabel, lang=lang)


def scenario_chart(table: pd.DataFrame, *, title: str = "", lang: str = "zh") -> Figure:
    """Projected full-year growth of baseline and scenario per series, with their 80% bands.

    Parameters
    ----------
    table : DataFrame
        One row per series: ``label`` (text), ``baseline``, ``baseline_p10``, ``baseline_p90``,
        ``scenario``, ``scenario_p10``, ``scenario_p90`` (%), and optionally ``target``.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A"], "baseline": [1.0], "baseline_p10": [0.5], "baseline_p90": [1.5],
    ...                   "scenario": [2.0], "scenario_p10": [1.5], "scenario_p90": [2.5]})
    >>> len(scenario_chart(t).axes[0].containers)
    2
    """
    with _style():
        fig = Figure(figsize=(7.5, 1.0 + 0.45 * max(len(table), 2)), layout="constrained")
        ax = fig.add_subplot()
        y = np.arange(len(table))
        for j, (col, colour) in enumerate((("baseline", _GREY), ("scenario", _BLUE))):
            mid = table[col].to_numpy(float)
            err = np.vstack([mid - table[f"{col}_p10"].to_numpy(float), table[f"{col}_p90"].to_numpy(float) - mid])
            ax.errorbar(mid, y + (j - 0.5) * 0.3, xerr=err, fmt="o", color=colour, capsize=3, ms=5,
                        label=i18n.t(f"legend_{col}", lang) + " (" + i18n.t("legend_band80", lang) + ")")
        if "target" in table:
            tgt = table["target"].to_numpy(float)
            ok = np.isfinite(tgt)
            ax.scatter(tgt[ok], y[ok], marker="|", s=300, color=_RED, label=i18n.t("legend_target", lang), zorder=3)
        ax.set_yticks(y, table["label"].astype(str).tolist())
        ax.invert_yaxis()
        ax.set_xlabel(i18n.t("col_projected", lang))
        ax.set_title(title)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return fig


def probability_chart(table: pd.DataFrame, *, title: str = "", lang: str = "zh") -> Figure:
    """Horizontal bars of the probability of reaching the target, coloured by status.

    Parameters
    ----------
    table : DataFrame
        ``label`` (text), ``probability`` (0–1) and ``status`` (``on_track`` …) per row.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["沈阳", "大连"], "probability": [0.8, 0.1], "status": ["on_track", "off_track"]})
    >>> [round(p.get_width()) for p in probability_chart(t).axes[0].patches]
    [80, 10]
    """
    with _style():
        fig = Figure(figsize=(7.5, 0.6 + 0.3 * max(len(table), 2)), layout="constrained")
        ax = fig.add_subplot()
        y = np.arange(len(table))
        colours = [i18n.STATUS_COLOURS.get(s, "#e0e0e0") for s in table["status"]]
        prob = table["probability"].to_numpy(float) * 100
        ax.barh(y, np.nan_to_num(prob), color=colours, edgecolor=_GREY, lw=0.5)
        for yi, p in zip(y, prob, strict=True):
            ax.text(0 if not np.isfinite(p) else p, yi, f" {i18n.fmt_prob(p / 100, lang)}", va="center", fontsize=8)
        ax.set_yticks(y, table["label"].astype(str).tolist())
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.axvline(70, color=_GREY, lw=0.6, ls=":")
        ax.axvline(30, color=_GREY, lw=0.6, ls=":")
        ax.set_xlabel(i18n.t("axis_probability", lang))
        ax.set_title(title)
    return fig


def figure_png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (for downloads and files).

    Examples
    --------
    >>> figure_png(fan_chart(None, None))[:4]
    b'\\x89PNG'
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
