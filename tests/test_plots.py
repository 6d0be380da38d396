"""Figures of :mod:`forecast.present.plots`: the numbers drawn are the frame's, and Chinese renders with a CJK font."""

from __future__ import annotations

import io
import struct
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager, ft2font

from forecast.present import i18n, plots


def fan_frame() -> pd.DataFrame:
    idx = pd.PeriodIndex(["2026-12", "2027-02", "2027-03"], freq="M")
    return pd.DataFrame({"p2_5": [80.0, 150.0, 90.0], "p10": [90.0, 160.0, 95.0], "median": [100.0, 170.0, 100.0],
                         "p90": [110.0, 180.0, 105.0], "p97_5": [120.0, 190.0, 110.0]}, index=idx)


def history() -> pd.Series:
    return pd.Series([95.0, 97.0], index=pd.PeriodIndex(["2026-10", "2026-11"], freq="M"))


def test_the_chart_font_is_the_bundled_noto_sans_cjk_sc_inside_the_python_environment():
    path = plots.cjk_font_path()
    assert path.is_file()
    # it comes with pip install (site-packages of this interpreter), never from the system's font folders
    assert Path(sys.prefix).resolve() in path.resolve().parents
    assert not str(path).startswith("/usr/share/fonts")
    found = font_manager.findfont(font_manager.FontProperties(family=plots.cjk_font()), fallback_to_default=False)
    assert Path(str(found)) == path
    # the collection's Simplified Chinese face (the collection also holds JP, KR, TC, HK)
    face = ft2font.FT2Font(str(path), face_index=found.face_index)
    assert (face.family_name, face.style_name) == ("Noto Sans CJK SC", "Regular")


def zh_charts():
    """A fan chart, a probability chart and a scenario chart, each labelled in Chinese."""
    fan = plots.fan_chart(history(), fan_frame(), title="沈阳社会消费品零售总额：各期数值与预测",
                          ylabel=i18n.t("axis_value"), target=4.0)
    prob = plots.probability_chart(pd.DataFrame({"label": ["辽宁", "沈阳", "铁岭"], "probability": [0.8, 0.45, 0.05],
                                                 "status": ["on_track", "at_risk", "off_track"]}),
                                   title="完成全年目标的概率")
    scen = plots.scenario_chart(pd.DataFrame({
        "label": ["辽宁社零", "葫芦岛社零"], "baseline": [3.4, 1.4], "baseline_p10": [3.0, 0.8],
        "baseline_p90": [3.9, 2.2], "scenario": [3.5, 1.6], "scenario_p10": [3.1, 1.0],
        "scenario_p90": [4.0, 2.4], "target": [4.0, 4.0]}), title="项目牵引情景：全年增速")
    return {"fan": fan, "probability": prob, "scenario": scen}


@pytest.mark.parametrize("kind", ["fan", "probability", "scenario"])
def test_chinese_charts_save_with_no_missing_glyph(kind):
    fig = zh_charts()[kind]
    title = fig.axes[0].title
    assert any("\u4e00" <= ch <= "\u9fff" for ch in title.get_text())
    # the font is fixed when the text is made, so it holds wherever the figure is saved later
    assert Path(str(font_manager.findfont(title.get_fontproperties()))) == plots.cjk_font_path()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        png = plots.figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_fan_chart_draws_the_frames_numbers():
    fan, hist = fan_frame(), history()
    fig = plots.fan_chart(hist, fan, target=4.0, lang="en")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["history"].get_ydata(), [95.0, 97.0])
    # the median starts at the last observation (97) so the fan joins the history line
    np.testing.assert_array_equal(lines["median forecast"].get_ydata(), [97.0, 100.0, 170.0, 100.0])
    assert lines["target 4%"].get_ydata()[0] == 4.0
    bands = {c.get_label(): c for c in ax.collections}
    band80 = bands["80% band"].get_paths()[0].vertices[:, 1]
    for v in (90.0, 160.0, 95.0, 110.0, 180.0, 105.0):
        assert v in band80
    assert 80.0 in bands["95% band"].get_paths()[0].vertices[:, 1]


def test_plot_fan_uses_the_quantiles_of_the_paths():
    rng = np.random.default_rng(7)
    paths = rng.normal(100.0, 10.0, size=(500, 3))
    fc = type("FC", (), {"paths": paths, "periods": pd.PeriodIndex(["2026-12", "2027-02", "2027-03"], freq="M")})()
    fig = plots.plot_fan(fc, lang="en")
    median = next(line for line in fig.axes[0].lines if line.get_label() == "median forecast")
    np.testing.assert_allclose(median.get_ydata(), np.quantile(paths, 0.5, axis=0))


def test_probability_chart_bars_are_percent_and_coloured_by_status():
    table = pd.DataFrame({"label": ["辽宁", "沈阳", "大连"], "probability": [0.8, 0.45, 0.05],
                          "status": ["on_track", "at_risk", "off_track"]})
    ax = plots.probability_chart(table).axes[0]
    assert [round(p.get_width(), 9) for p in ax.patches] == [80.0, 45.0, 5.0]
    from matplotlib.colors import to_hex

    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [
        i18n.STATUS_COLOURS[s] for s in ("on_track", "at_risk", "off_track")]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["辽宁", "沈阳", "大连"]


def test_scenario_chart_places_baseline_and_scenario_at_their_values():
    table = pd.DataFrame({"label": ["辽宁社零", "沈阳社零"], "baseline": [3.4, 1.4], "baseline_p10": [3.0, 0.8],
                          "baseline_p90": [3.9, 2.2], "scenario": [3.5, 1.6], "scenario_p10": [3.1, 1.0],
                          "scenario_p90": [4.0, 2.4], "target": [4.0, 4.0]})
    ax = plots.scenario_chart(table, lang="en").axes[0]
    base, scen = ax.containers
    np.testing.assert_allclose(base.lines[0].get_xdata(), [3.4, 1.4])
    np.testing.assert_allclose(scen.lines[0].get_xdata(), [3.5, 1.6])
    # error bars span p10..p90: the first bar of the baseline goes from 3.0 to 3.9
    seg = base.lines[2][0].get_segments()[0]
    np.testing.assert_allclose(sorted(seg[:, 0]), [3.0, 3.9])


def test_figure_png_has_the_size_of_the_figure_at_the_dpi():
    fig = plots.fan_chart(None, fan_frame())
    png = plots.figure_png(fig, dpi=100)
    width, height = struct.unpack(">II", png[16:24])  # IHDR chunk
    w_in, h_in = fig.get_size_inches()
    assert (width, height) == (round(w_in * 100), round(h_in * 100))
    assert io.BytesIO(png).read(4) == b"\x89PNG"


# -- the interactive twins (forecast.present.charts, Altair / Vega-Lite) --------------------------------------------
def _layers(spec: dict) -> list[dict]:
    return spec["layer"]


def test_altair_fan_chart_carries_the_frames_numbers_with_units_in_its_tooltips():
    from forecast.present import charts

    fan = fan_frame().reset_index().rename(columns={"index": "period"})
    hist = history().rename("value").rename_axis("period").reset_index()
    spec = charts.fan_chart(hist, fan, unit="亿元", target=4.0, lang="zh", title="t").to_dict()
    data = next(iter(spec["datasets"].values()))
    forecast_rows = [r for r in data if r["kind"] == "forecast"]
    assert [r["median"] for r in forecast_rows] == [100.0, 170.0, 100.0]
    assert [r["p10"] for r in forecast_rows] == [90.0, 160.0, 95.0] and forecast_rows[0]["p97_5"] == 120.0
    # the fan joins the history: a zero-wide first row at the last observation
    join = [r for r in data if r["kind"] == "join"]
    assert len(join) == 1 and join[0]["median"] == join[0]["p2_5"] == 97.0
    # Jan–Feb is one period, written as such in the tooltip
    assert [r["label"] for r in forecast_rows] == ["2026年12月", "2027年1-2月", "2027年3月"]
    assert forecast_rows[0]["median_text"] == "100.0 亿元" and forecast_rows[0]["p10_text"] == "90.0 亿元"
    tips = [t for layer in _layers(spec) for t in layer.get("encoding", {}).get("tooltip", [])]
    assert [t["field"] for t in tips] == ["label", "value_text", "median_text", "p10_text", "p90_text", "p2_5_text",
                                          "p97_5_text"]
    # the target line is labelled with its value
    texts = [r for d in spec["datasets"].values() for r in d if "text" in r]
    assert {"y": 4.0, "text": "目标 4%"} in texts
    # the axis writes February as the Jan–Feb period
    x = _layers(spec)[0]["encoding"]["x"]
    assert "1-2月" in x["axis"]["labelExpr"]


def test_altair_probability_chart_draws_and_labels_its_thresholds():
    from forecast.decisions.targets import THRESHOLDS
    from forecast.present import charts

    table = pd.DataFrame({"label": ["辽宁", "沈阳", "大连"], "probability": [0.8, 0.45, 0.05],
                          "status": ["on_track", "at_risk", "off_track"]})
    spec = charts.probability_chart(table, lang="en", title="P").to_dict()
    bars = next(v for v in spec["datasets"].values() if len(v) == 3)
    assert [round(r["pct"], 9) for r in bars] == [80.0, 45.0, 5.0]
    assert [r["colour"] for r in bars] == [i18n.STATUS_COLOURS[s] for s in ("on_track", "at_risk", "off_track")]
    assert [r["text"] for r in bars] == ["80%", "45%", "5%"]
    rules = next(v for v in spec["datasets"].values() if len(v) == 2)
    assert [r["x"] for r in rules] == [100 * THRESHOLDS[1], 100 * THRESHOLDS[0]]
    assert [r["text"] for r in rules] == ["30%: below, off track", "70%: from here, on track"]
    marks = [layer["mark"]["type"] for layer in _layers(spec)]
    assert marks == ["bar", "text", "rule", "text"]


def test_values_chart_shows_jan_feb_per_month_so_it_is_no_spike():
    from forecast.app.series_tables import months_in_period

    periods = pd.PeriodIndex(["2026-02", "2026-03", "2026-12"], freq="M")
    assert months_in_period(periods).tolist() == [2, 1, 1]
    assert months_in_period(periods, jan_feb_combined=False).tolist() == [1, 1, 1]


def test_altair_scenario_chart_places_baseline_and_scenario_with_their_bands():
    from forecast.present import charts

    table = pd.DataFrame({"label": ["辽宁社零"], "baseline": [3.4], "baseline_p10": [3.0], "baseline_p90": [3.9],
                          "scenario": [3.5], "scenario_p10": [3.1], "scenario_p90": [4.0], "target": [4.0]})
    spec = charts.scenario_chart(table, lang="en").to_dict()
    rows = next(v for v in spec["datasets"].values() if len(v) == 2)
    assert [(r["run"], r["mid"], r["lo"], r["hi"]) for r in rows] == [("baseline", 3.4, 3.0, 3.9), ("scenario", 3.5, 3.1, 4.0)]
    # two decimals in the tooltip: 3.4 and 3.5 would be told apart anyway, 3.44 and 3.46 too
    assert [r["mid_text"] for r in rows] == ["3.40%", "3.50%"]
