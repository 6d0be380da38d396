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
