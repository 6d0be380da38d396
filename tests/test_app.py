"""The Streamlit app (``app.py``) through ``streamlit.testing.v1.AppTest``, on a real batch run.

A module fixture runs the real batch (:func:`forecast.runs.batch.run_batch`, seasonal naive, 200 paths) on the
bundled data of the province, Shenyang and Dalian into a temporary store; the app reads it through
``TROIKA_DB`` like in production. Every number the tests read off a page is compared with the
``forecast`` API on the same run (``run.targets`` from evaluate_targets, ``compare_scenarios``,
``invert_province_target``, the stored paths), not with the app's own helpers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from forecast.data.catalog import REGIONS  # noqa: E402
from forecast.data.errors import DataError  # noqa: E402
from forecast.data.files import DATA_DIR, read_table  # noqa: E402
from forecast.decisions.scenarios import (  # noqa: E402
    Adjustment,
    Scenario,
    compare_scenarios,
    load_scenario,
    scenario_to_dict,
)
from forecast.decisions.standing import evaluate_series  # noqa: E402
from forecast.decisions.targets import full_year_growth_paths  # noqa: E402
from forecast.present import i18n  # noqa: E402
from forecast.present.messages import model_name, problem_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
BAD = ROOT / "tests" / "fixtures" / "bad"
SUBSET = ("liaoning", "shenyang", "dalian")
HAN = re.compile(r"[\u4e00-\u9fff]")


def subset_csv(path: Path, regions: tuple[str, ...]) -> Path:
    """The bundled table's rows of ``regions`` (official layout, UTF-8) written to ``path``."""
    lines = (DATA_DIR / "observations" / "liaoning_ytd.csv").read_text(encoding="utf-8").splitlines()
    names = {REGIONS[r].zh for r in regions}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([lines[0], *(x for x in lines[1:] if x.split(",", 1)[0] in names)]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A store holding one complete small run, and the run as ``load_latest_run`` reads it."""
    from forecast.app.storage import demo_store
    from forecast.runs.results import load_latest_run

    root = tmp_path_factory.mktemp("app")
    demo_store(root, SUBSET)
    run = load_latest_run(root / "troika.db")
    year = int(run.targets["year"].max())
    periods = run.forecasts[("shenyang", "retail")].periods
    # December of the target year (its last period) and a range from there into the next year
    return {"db": root / "troika.db", "run": run, "year": year, "dec": f"{year}-12", "later": str(periods[-1] if
            len(periods) < 4 else periods[list(periods).index(pd.Period(f"{year}-12", "M")) + 3])}


def private_store(env, tmp_path) -> Path:
    """A copy of the run's store for one test: the app writes into it (the audit trail), never into the shared one."""
    import sqlite3

    db = tmp_path / "troika.db"
    with sqlite3.connect(env["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return db


@pytest.fixture
def app(env, tmp_path, monkeypatch):
    """A fresh AppTest on a private copy of the run's store, with its own data folder (saved scenarios, uploads)."""
    import streamlit as st

    monkeypatch.setenv("TROIKA_DB", str(private_store(env, tmp_path)))
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=90)


def frame(at, key: str) -> pd.DataFrame:
    """The table the app rendered under ``key`` (each table sits in a container with that key)."""
    return at.container(key).dataframe[0].value


def ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def goto(at, page: str, lang: str | None = None):
    if lang and at.radio(key="lang").value != lang:
        at = at.radio(key="lang").set_value(lang).run()
    at.radio(key="page").set_value(page)
    return at.run()


def texts(at) -> list[str]:
    """Every label and text of the page a reader sees (except the language switch itself)."""
    out = [e.value for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success")
           for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    for kind in ("selectbox", "multiselect", "number_input", "text_input", "button", "checkbox", "radio", "download_button"):
        for w in getattr(at, kind):
            if getattr(w, "key", None) != "lang":
                out.append(w.label)
    out += [str(c) for d in at.dataframe for c in d.value.columns]
    return out


# -- overview ------------------------------------------------------------------------------------------------
def test_overview_shows_the_runs_target_figures(app, env):
    run = env["run"]
    at = app.run()
    ok(at)
    shown = frame(at, "overview_table")
    # 3 regions × 3 carriages, catalogue order (province first)
    assert len(shown) == 9
    assert shown["地区"].tolist() == ["辽宁"] * 3 + ["沈阳"] * 3 + ["大连"] * 3
    keys = [(r, i) for r in SUBSET for i in ("fai", "retail", "trade")]
    tg = run.targets.set_index(["region", "indicator"])
    # 2026 (bundled targets): the province published retail 4% 左右 and nothing else; the cities' retail is
    # shown against it as a reference, every other series has no target
    assert {k: tg.loc[k, "target_status"] for k in keys if k in tg.index} == {
        ("liaoning", "retail"): "published", ("shenyang", "retail"): "reference", ("dalian", "retail"): "reference"}
    verdict = tg.loc[("liaoning", "retail"), "status"]
    assert verdict in ("on_track", "at_risk", "off_track")
    status = {("liaoning", "retail"): verdict, ("shenyang", "retail"): "reference", ("dalian", "retail"): "reference"}
    assert shown["状态"].tolist() == [i18n.status_label(status.get(k, "no target")) for k in keys]
    assert shown["状态"].iloc[0] == "未设目标" and "参考" in shown["状态"].iloc[4]
    for n, key in enumerate(keys):
        pos = n
        rows = run.panel[(run.panel["region"] == key[0]) & (run.panel["indicator"] == key[1])]
        growth = full_year_growth_paths(rows, run.forecasts[key], env["year"])  # the run's stored paths, by hand
        # float32 paths: growth near zero magnifies their rounding, hence rel 1e-5
        assert shown["预计全年增长(%)"].iloc[pos] == pytest.approx(np.median(growth), rel=1e-5)
        assert shown["80%区间下限(%)"].iloc[pos] == pytest.approx(np.quantile(growth, 0.1), rel=1e-5)
        assert shown["全年增长≥0的概率(%)"].iloc[pos] == pytest.approx(100 * np.mean(growth >= -1e-9))
        if key in tg.index:
            row = tg.loc[key]
            assert shown["达标概率(%)"].iloc[pos] == pytest.approx(100 * np.mean(growth >= row["target"] - 1e-9))
            assert shown["目标"].iloc[pos] == i18n.fmt_target(row["target"], row["kind"], "zh", row["target_status"])
        else:
            assert np.isnan(shown["达标概率(%)"].iloc[pos]) and shown["目标"].iloc[pos] == "未设目标"
    # the counts are verdicts among published and analyst's targets; the rest is counted as without one
    counts = {m.label: int(m.value) for m in at.metric}
    assert counts == {i18n.t(f"metric_{s}"): int(s == verdict) for s in ("on_track", "at_risk", "off_track")} | {
        "未设目标": 8}
    header = " ".join(c.value for c in at.caption)
    assert run.run_id in header and i18n.fmt_period(run.data_vintage) in header


def test_without_a_run_the_app_says_which_command_makes_one(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("TROIKA_DB", str(tmp_path / "none.db"))
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    ok(at)
    assert [w.value for w in at.warning] == [i18n.t("no_run")]
    assert "forecast run" in at.code[0].value and "make run" in at.code[0].value
    assert not (tmp_path / "none.db").exists()  # reading never creates a store


def test_language_switch_changes_every_label_and_unit(app):
    at = app.run()
    ok(at)
    assert at.title[0].value == i18n.t("app_title", "zh")
    for page in ("overview", "series", "scenarios", "data", "export"):
        at = goto(at, page, "en")
        ok(at)
        han = [x for x in texts(at) if HAN.search(x)]
        assert not han, f"{page}: Chinese left in English mode: {han[:5]}"
    at = goto(at, "overview", "en")
    assert at.title[0].value == i18n.t("app_title", "en")
    shown = frame(at, "overview_table")
    assert shown.columns[:3].tolist() == ["Region", "Indicator", "Status"]
    assert shown["Region"].iloc[0] == "Liaoning"
    # and back: Chinese labels return
    at = goto(at, "overview", "zh")
    assert frame(at, "overview_table").columns[0] == "地区"


# -- series ----------------------------------------------------------------------------------------------------
def test_series_tables_name_their_units(app, env):
    """Levels in 亿元, fai's chained index in index points, YTD growth in %; in both languages."""
    at = goto(app.run(), "series")
    at.selectbox(key="series_region").set_value("dalian")
    for indicator, unit in (("retail", "亿元"), ("fai", "指数点")):
        at.selectbox(key="series_indicator").set_value(indicator)
        at = at.run()
        ok(at)
        assert frame(at, "value_fan_table").columns[1:].tolist() == [
            f"{band}({unit})" for band in ("95%区间下限", "80%区间下限", "中位数", "80%区间上限", "95%区间上限", "均值")]
        assert frame(at, "growth_fan_table").columns.tolist() == [
            "时期", "类别", "95%区间下限(%)", "80%区间下限(%)", "累计增长(%)", "80%区间上限(%)", "95%区间上限(%)"]
    at.radio(key="lang").set_value("en")
    at = at.run()
    ok(at)
    assert "Median (index points)" in frame(at, "value_fan_table").columns


def test_overview_flags_an_unusual_base(app, env):
    """The overview's base column says 偏低 exactly where base_effect finds a low base (the fai rows here)."""
    from forecast.decisions.position import base_effect

    at = goto(app.run(), "overview")
    shown = frame(at, "overview_table")
    panel = env["run"].panel
    names = {i18n.region_name(r): r for r in SUBSET}
    inds = {i18n.indicator_name(i, short=True): i for i in ("fai", "retail", "trade")}
    for _, row in shown.iterrows():
        rows = panel[(panel["region"] == names[row["地区"]]) & (panel["indicator"] == inds[row["指标"]])]
        direction = base_effect(rows, env["year"]).direction
        assert row["剩余期基数"] == {"low": "偏低", "high": "偏高"}.get(direction, "")
    assert set(shown.loc[shown["指标"] == i18n.indicator_name("fai", short=True), "剩余期基数"]) == {"偏低"}


def test_cli_targets_table_marks_an_unusual_base_like_the_overview(env):
    """`forecast show`'s table (same run as the app's): 偏低 on exactly the rows whose base_effect is low."""
    from forecast.cli.commands import targets_table
    from forecast.decisions.position import panel_base_effect

    run = env["run"]
    lines = targets_table(run).splitlines()
    assert "剩余期基数" in lines[0].split()
    names = {i18n.region_name(r): r for r in REGIONS}
    inds = {i18n.indicator_name(i): i for i in ("fai", "retail", "trade")}
    marked = 0
    for line in lines[2:]:
        cells = line.split()
        effect = panel_base_effect(run.panel, names[cells[0]], inds[cells[1]], env["year"])
        low = effect is not None and effect.direction == "low"   # None: no data for the region here
        assert ("偏低" in cells) == low and "偏高" not in cells
        marked += "偏低" in cells
    assert marked == 3  # the three regions' fai
    assert "Base of rest" in targets_table(run, "en")


def test_series_page_notes_an_unusual_base(app, env):
    """Dalian's fai base of Nov–Dec 2025 is low (the 2025 fall); its retail base is ordinary: no note."""
    from forecast.decisions.position import base_effect

    at = goto(app.run(), "series")
    at.selectbox(key="series_region").set_value("dalian")
    rows = env["run"].panel[(env["run"].panel["region"] == "dalian") & (env["run"].panel["indicator"] == "fai")]
    effect = base_effect(rows, env["year"])
    for lang, needle in (("zh", "低基数"), ("en", "Low base")):
        at.selectbox(key="series_indicator").set_value("fai")
        at = goto(at.run(), "series", lang)
        notes = [i.value for i in at.info if needle in i.value]
        assert len(notes) == 1 and i18n.fmt_pct(effect.share, lang) in notes[0]
        assert i18n.fmt_pct(effect.usual, lang) in notes[0]
        at.selectbox(key="series_indicator").set_value("retail")
        at = at.run()
        ok(at)
        assert not [i.value for i in at.info if needle in i.value]


def test_series_page_numbers_equal_the_stored_paths_and_targets(app, env):
    from forecast.runs.store import Store

    run = env["run"]
    at = goto(app.run(), "series")
    at.selectbox(key="series_region").set_value("shenyang")
    at.selectbox(key="series_indicator").set_value("retail")
    at = at.run()
    ok(at)
    fc = run.forecasts[("shenyang", "retail")]
    fan = frame(at, "value_fan_table")
    assert len(fan) == len(fc.periods)
    q = fc.quantiles((0.025, 0.1, 0.5, 0.9, 0.975))
    for i, col in enumerate(("95%区间下限(亿元)", "80%区间下限(亿元)", "中位数(亿元)", "80%区间上限(亿元)", "95%区间上限(亿元)")):
        np.testing.assert_allclose(fan[col].to_numpy(float), q[i], rtol=1e-12)
    # the YTD-growth fan ends in December: its figures are the full-year figures of evaluate_targets on the
    # stored paths; the batch evaluated them before storing the paths as float32, hence rtol 1e-5 there
    growth = frame(at, "growth_fan_table")
    dec = growth.iloc[-1]
    assert dec["时期"] == i18n.fmt_period(pd.Period(env["dec"], "M"))
    shown_dec = [dec["累计增长(%)"], dec["80%区间下限(%)"], dec["80%区间上限(%)"]]
    # shenyang has no retail target of its own: evaluate_series gives its figures without one
    again = evaluate_series(run.panel, run.forecasts, run.target_table, [("shenyang", "retail")],
                            env["year"]).set_index(["region", "indicator"])
    np.testing.assert_allclose(shown_dec, again.loc[("shenyang", "retail"), ["projected", "p10", "p90"]].to_numpy(float),
                               rtol=1e-12)
    row = run.targets[(run.targets["region"] == "shenyang") & (run.targets["indicator"] == "retail")].iloc[0]
    np.testing.assert_allclose(shown_dec, [row["projected"], row["p10"], row["p90"]], rtol=1e-5)
    # history rows: the published YTD growth of the year as stored
    obs = Store(env["db"], create=False).observations("shenyang", "retail")
    pub = obs[obs["period"].dt.year == env["year"]].sort_values("period")
    hist = growth[growth["类别"] == i18n.t("row_history")]
    np.testing.assert_allclose(hist["累计增长(%)"].to_numpy(float), pub["ytd_yoy"].to_numpy(float))
    assert hist[["95%区间下限(%)", "80%区间下限(%)", "80%区间上限(%)", "95%区间上限(%)"]].isna().all().all()
    weights = frame(at, "weights_table")   # in percent
    # the models by their display names (forecast.present.messages.model_name: snaive → 季节朴素)
    assert dict(zip(weights["模型"], weights["权重(%)"] / 100, strict=True)) == pytest.approx(
        {model_name(m): w for m, w in fc.weights.items()})
    acc = frame(at, "accuracy_table")      # one row, one measure per column, its unit in the header
    m = run.metrics[(run.metrics["region"] == "shenyang") & (run.metrics["indicator"] == "retail")].iloc[0]
    assert acc.columns.tolist() == ["MASE(倍)", "sMAPE(%)", "80%区间覆盖率(%)", "全年增速误差(百分点)", "相对MAE(倍)",
                                    "回测起点数(个)"]
    np.testing.assert_allclose(acc.iloc[0, :5].to_numpy(float),
                               [m["mase"], m["smape"], 100 * m["coverage80"], m["growth_error_pp"], m["rel_mae"]])
    assert pd.api.types.is_integer_dtype(acc["回测起点数(个)"]) and acc["回测起点数(个)"].iloc[0] == m["n_origins"]
    flags = i18n.t("data_flag_text", n=len(obs), published=int((obs["status"] == "published").sum()),
                   generated=int((obs["status"] == "generated").sum()))
    assert flags in [c.value for c in at.caption]


# -- scenarios ---------------------------------------------------------------------------------------------
def set_adjustment(at, kind: str, indicator: str, regions: list[str], start: str, end: str, size: float):
    at.selectbox(key="scn_kind").set_value(kind)
    at.selectbox(key="scn_indicator").set_value(indicator)
    at = at.run()
    at.multiselect(key="scn_regions").set_value(regions)
    at.selectbox(key="scn_from").set_value(pd.Period(start, "M"))
    at.selectbox(key="scn_to").set_value(pd.Period(end, "M"))
    at.number_input(key="scn_size").set_value(size)
    return at.run()


def api_compare(run, *scenarios) -> pd.DataFrame:
    year = int(run.targets["year"].max())
    return compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, list(scenarios), year=year)


@pytest.mark.parametrize("kind, size", [("pp", 2.0), pytest.param("pct", -3.0, marks=pytest.mark.slow),
                                        pytest.param("abs", 50.0, marks=pytest.mark.slow),
                                        pytest.param("set", 6.0, marks=pytest.mark.slow)])
def test_each_adjustment_kind_gives_the_figures_of_compare_scenarios(app, env, kind, size):
    run = env["run"]
    dec, later = env["dec"], env["later"]
    at = set_adjustment(goto(app.run(), "scenarios"), kind, "retail", ["shenyang"], dec, later, size)
    ok(at)
    shown = frame(at, "scn_result_table")
    api = api_compare(run, Scenario("draft", (Adjustment(kind, "retail", ("shenyang",), f"{dec}..{later}", size),)))
    new = api[api["scenario"] == "draft"].set_index(["region", "indicator"])
    # the city and the province it adds up to change; nothing else
    assert shown["地区"].tolist() == ["辽宁", "沈阳"]
    keys = [("liaoning", "retail"), ("shenyang", "retail")]
    np.testing.assert_allclose(shown["情景全年增长(%)"].to_numpy(float), new.loc[keys, "projected"].to_numpy(float), rtol=1e-12)
    np.testing.assert_allclose(shown["变化(百分点)"].to_numpy(float), new.loc[keys, "delta_projected"].to_numpy(float),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shown["情景达标概率(%)"].to_numpy(float), new.loc[keys, "probability"].to_numpy(float) * 100)
    changed = api[(api["scenario"] == "draft") & (api["delta_projected"].abs() > 1e-12)]
    assert set(zip(changed["region"], changed["indicator"], strict=True)) <= set(keys)
    metric = at.metric[0]
    from forecast.app.formats import change_digits, pair_digits

    mine = new.loc[("shenyang", "retail")]
    base = api[api["scenario"] == "baseline"].set_index(["region", "indicator"]).loc[("shenyang", "retail"), "projected"]
    assert metric.value == i18n.fmt_pct(mine["projected"], digits=pair_digits([base], [mine["projected"]]))
    assert metric.delta == i18n.fmt_pp(mine["delta_projected"], digits=change_digits([mine["delta_projected"]]))
    assert metric.delta != "+0.0个百分点"


def test_scenario_built_saved_reloaded_compared_and_deleted(app, env, tmp_path):
    run = env["run"]
    folder = tmp_path / "data" / "scenarios"
    dec = env["dec"]
    at = set_adjustment(goto(app.run(), "scenarios"), "pp", "retail", ["shenyang"], dec, dec, 2.0)
    at.text_input(key="scn_name").set_value("沈阳促消费")
    at = at.button(key="scn_save_btn").click().run()
    ok(at)
    assert [s.value for s in at.success] == [i18n.t("scn_saved", name="沈阳促消费")]
    files = list(folder.glob("*.yaml"))
    assert len(files) == 1
    one = Scenario("沈阳促消费", (Adjustment("pp", "retail", ("shenyang",), f"{dec}..{dec}", 2.0),))
    assert scenario_to_dict(load_scenario(files[0])) == scenario_to_dict(one)
    # a second one, built from two adjustments (the list and the current widgets)
    at = set_adjustment(at, "pct", "retail", ["dalian"], dec, dec, -3.0)
    at = at.button(key="scn_add_btn").click().run()
    at = set_adjustment(at, "pp", "trade", ["dalian"], dec, dec, 1.0)
    at.text_input(key="scn_name").set_value("mixed")
    at = at.button(key="scn_save_btn").click().run()
    ok(at)
    assert len(list(folder.glob("*.yaml"))) == 2
    two = load_scenario(next(f for f in folder.glob("*.yaml") if f != files[0]))
    assert [(a.kind, a.indicator, a.regions, a.value) for a in two.adjustments] == \
        [("pct", "retail", ("dalian",), -3.0), ("pp", "trade", ("dalian",), 1.0)]

    # reload: a new session reads the saved files and compares both side by side
    at = goto(AppTest.from_file(APP, default_timeout=90).run(), "scenarios")
    assert sorted(at.multiselect(key="scn_pick").options) == sorted(["沈阳促消费", "mixed"])
    at.multiselect(key="scn_pick").set_value(["沈阳促消费", "mixed"])
    at = at.run()
    ok(at)
    wide = frame(at, "scn_compare_table")
    api = api_compare(run, one, two).set_index(["scenario", "region", "indicator"])
    regions = {i18n.region_name(r): r for r in SUBSET}
    inds = {i18n.indicator_name(i, short=True): i for i in ("retail", "trade", "exports", "imports")}
    for _, row in wide.iterrows():
        key = (regions[row["地区"]], inds[row["指标"]])
        assert row["基准: 预计全年增长(%)"] == pytest.approx(api.loc[("baseline", *key), "projected"], rel=1e-12)
        for name in ("沈阳促消费", "mixed"):
            assert row[f"{name}: 预计全年增长(%)"] == pytest.approx(api.loc[(name, *key), "projected"], rel=1e-12)
            assert row[f"{name}: 变化(百分点)"] == pytest.approx(api.loc[(name, *key), "delta_projected"], abs=1e-12)
    changed = api[api["delta_projected"].abs() > 1e-12].reset_index()
    assert len(wide) == len(set(zip(changed["region"], changed["indicator"], strict=True)))

    # delete needs the confirmation
    at.selectbox(key="scn_delete_pick").set_value("mixed")
    at.checkbox(key="scn_confirm").check()
    at = at.run().button(key="scn_delete_btn").click().run()
    ok(at)
    assert [load_scenario(f).name for f in folder.glob("*.yaml")] == ["沈阳促消费"]
    assert at.multiselect(key="scn_pick").options == ["沈阳促消费"]


def test_province_target_inversion_equals_the_api(app, env):
    from forecast.decisions.inversion import invert_province_target

    run = env["run"]
    at = goto(app.run(), "scenarios")
    at.selectbox(key="inv_indicator").set_value("retail")
    at = at.run()
    at.number_input(key="inv_target_retail").set_value(6.0)
    at = at.run()
    ok(at)
    shown = frame(at, "inv_table")
    api = invert_province_target(run.panel, 6.0, indicator="retail", year=env["year"], rule="equal_pp", forecasts=run.forecasts,
                                 city_targets=run.target_table)
    assert shown["地区"].tolist() == [i18n.region_name(r) for r in api["region"]]
    np.testing.assert_allclose(shown["需要增长(%)"].to_numpy(float), api["required_growth"].to_numpy(float), rtol=1e-12)
    np.testing.assert_allclose(shown["隐含全年增长(%)"].to_numpy(float), api["full_year_growth"].to_numpy(float), rtol=1e-12)
    assert shown["隐含全年增长(%)"].iloc[-1] == pytest.approx(6.0)  # the province reaches its target


# -- data -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["long_utf8_unknown_region.csv", "png_renamed.csv",
                                  *(pytest.param(n, marks=pytest.mark.slow) for n in
                                    ("long_gbk_unparseable_number.csv", "legacy.xls", "bulletin_xlsx_unknown_region.xlsx"))])
def test_a_bad_upload_shows_every_problem_like_the_cli(app, name):
    with pytest.raises(DataError) as info:
        read_table(BAD / name)
    expected = info.value.problems
    at = goto(app.run(), "data")
    mime = "text/csv" if name.endswith(".csv") else "application/octet-stream"
    at.file_uploader(key="upload").set_value((name, (BAD / name).read_bytes(), mime))
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [i18n.t("data_report_bad", n=len(expected))]
    report = frame(at, "upload_report")
    assert [None if pd.isna(r) else int(r) for r in report["行"]] == [p.row for p in expected]
    assert report["列"].tolist() == [p.column or "" for p in expected]
    # each problem in Chinese, rendered from its code and fields (forecast.present.messages)
    assert report["问题"].tolist() == [problem_text(p).replace(str(BAD / name), name) for p in expected]
    assert all(HAN.search(m) for m in report["问题"])
    assert set(report["文件"]) == {name}  # the name the analyst knows, not a temporary path
    assert not [b for b in at.button if b.key == "ingest_btn"]


def test_a_good_upload_is_stored_only_on_confirmation(tmp_path, monkeypatch):
    import streamlit as st

    from forecast.runs.store import Store

    db = tmp_path / "fresh.db"
    monkeypatch.setenv("TROIKA_DB", str(db))
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    st.cache_data.clear()
    st.cache_resource.clear()
    src = subset_csv(tmp_path / "jinzhou.csv", ("jinzhou",))
    rows = len(read_table(src))
    at = goto(AppTest.from_file(APP, default_timeout=60).run(), "data")
    at.file_uploader(key="upload").set_value(("锦州.csv", src.read_bytes(), "text/csv"))
    at = at.run()
    ok(at)
    assert at.success[0].value.startswith(i18n.t("data_report_ok", rows=rows, series=5, first="x", last="x")[:10])
    assert not db.exists() or Store(db).counts()["observations"] == 0
    at = at.button(key="ingest_btn").click().run()
    ok(at)
    assert i18n.t("data_ingested", added=rows, filled=0) in [s.value for s in at.success]
    assert Store(db).counts() == {"observations": rows, "series": 5, "ingests": 1}
    contents = frame(at, "store_table")
    assert contents["期数"].sum() == rows and set(contents["地区"]) == {"锦州"}


def test_pages_never_fit_a_model(app, monkeypatch):
    import forecast.engine.auto
    import forecast.engine.panel_forecast
    import forecast.runs.batch

    def refuse(*args, **kwargs):
        raise AssertionError("a page load fitted a model")

    for name in ("run_series", "forecast_series"):
        monkeypatch.setattr(forecast.engine.auto, name, refuse)
    monkeypatch.setattr(forecast.engine.panel_forecast, "forecast_panel", refuse)
    monkeypatch.setattr(forecast.runs.batch, "run_batch", refuse)
    at = app.run()
    for page in ("overview", "series", "scenarios", "data", "export"):
        at = goto(at, page)
        ok(at)


# -- export -----------------------------------------------------------------------------------------------------
def test_export_page_offers_the_pack_and_every_chart(app, env):
    from forecast.app.storage import meeting_pack
    from forecast.export.pack import carriage_sheet_name

    run = env["run"]
    at = goto(app.run(), "export")
    ok(at)
    keys = {b.key for b in at.download_button}
    assert {"pack", "png_prob_retail", "png_fan_values", "png_fan_growth"} <= keys
    # 2026 has no fai or trade target anywhere: no probability chart for them (no verdict against nothing)
    assert not {"png_prob_fai", "png_prob_trade"} & keys
    book = pd.read_excel(__import__("io").BytesIO(meeting_pack(run)), sheet_name=None)
    retail = book[carriage_sheet_name("retail")].set_index("地区")
    tg = run.targets[run.targets["indicator"] == "retail"].set_index("region")
    for region in SUBSET:
        assert retail.loc[i18n.region_name(region), "预计全年增长(%)"] == pytest.approx(tg.loc[region, "projected"], rel=1e-12)


# -- the pure helpers behind the pages ----------------------------------------------------------------------
def test_every_label_exists_in_both_languages_and_english_has_no_chinese():
    for key, (zh, en) in i18n.LABELS.items():
        assert zh and en, key
        if key != "language":  # "语言 / Language" is the switch itself, the same in both
            assert not HAN.search(en), (key, en)
            assert zh != en or not HAN.search(zh), key
    with pytest.raises(KeyError):
        i18n.t("no_such_label")


def test_number_formats_and_units_follow_the_language():
    assert (i18n.fmt_pct(3.64), i18n.fmt_pct(-0.04), i18n.fmt_pct(2.0, sign=True)) == ("3.6%", "0.0%", "+2.0%")
    assert (i18n.fmt_pp(0.186), i18n.fmt_pp(0.186, "en"), i18n.fmt_pp(-1.26, "en")) == ("+0.2个百分点", "+0.2 pp", "-1.3 pp")
    assert (i18n.fmt_amount(9948.84), i18n.fmt_amount(9948.84, "en")) == ("9948.8亿元", "9,948.8 (100 million yuan)")
    assert (i18n.fmt_prob(0.735), i18n.fmt_prob(float("nan"))) == ("74%", "—")
    assert i18n.fmt_target(5, "about") == "5%左右" and i18n.fmt_target(5, "at_least") == "5%以上"
    assert i18n.fmt_target(5.5, "at_least", "en", "analyst") == "at least 5.5% (analyst's)"
    assert i18n.fmt_target(4, "about", "zh", "reference") == "4%左右（参考）"
    p = pd.Period("2026-10", "M")
    assert (i18n.fmt_period(p), i18n.fmt_period(p, "en")) == ("2026年1-10月", "Jan–Oct 2026")
    feb = pd.Period("2027-02", "M")  # Jan–Feb is one period
    assert (i18n.fmt_month(feb), i18n.fmt_month(p, "en")) == ("2027年1-2月", "Oct 2026")


def test_ytd_growth_fan_ends_at_the_full_year_growth_of_every_path(env):
    from forecast.app.overview_tables import series_rows
    from forecast.app.series_tables import ytd_growth_paths
    from forecast.decisions.targets import full_year_growth_paths, ytd_position

    run, year = env["run"], env["year"]
    for key in (("liaoning", "retail"), ("dalian", "trade"), ("shenyang", "fai")):
        rows, fc = series_rows(run.panel, *key), run.forecasts[key]
        paths = ytd_growth_paths(rows, fc, year)
        np.testing.assert_allclose(paths.iloc[:, -1].to_numpy(), full_year_growth_paths(rows, fc, year), rtol=1e-12,
                                   atol=1e-12)  # in %: a path near 0 % differs in the 15th digit
        # first remaining period by hand: (V_t + flow) / (B_t + its base) − 1
        from forecast.decisions.targets import remaining_bases

        pos = ytd_position(rows, year)
        first = (pos.ytd_value + fc.paths[:, 0]) / (pos.ytd_base + remaining_bases(rows, year).iloc[0]) * 100 - 100
        np.testing.assert_allclose(paths.iloc[:, 0].to_numpy(), first, rtol=1e-12)


def test_validate_upload_reports_like_read_table_and_never_raises(tmp_path):
    from forecast.app.storage import validate_upload

    good = subset_csv(tmp_path / "dalian.csv", ("dalian",))
    rep = validate_upload(good, "大连.csv")
    assert rep.ok and rep.problems.empty
    pd.testing.assert_frame_equal(rep.observations, read_table(good))
    odd = tmp_path / "x.csv"
    odd.write_bytes(b"\x00\xff\x00garbage")
    rep = validate_upload(odd, "x.csv")
    assert not rep.ok and len(rep.problems) >= 1 and str(tmp_path) not in " ".join(rep.problems["message"])


def test_run_progress_reads_the_batch_json_log():
    from forecast.app.storage import run_progress

    log = '{"event":"run_start"}\n{"event":"series","done":1,"total":15}\nnoise\n{"event":"series","done":7,"total":15}\n'
    assert run_progress(log) == (7, 15)
    assert run_progress("") == (0, 0)


def test_saved_scenario_files_are_listed_replaced_by_name_and_deleted(tmp_path):
    from forecast.app.access import Actor, Role
    from forecast.app.saved_scenarios import delete_named_scenario, save_named_scenario, saved_scenarios

    admin, db = Actor("local:test", Role.ADMIN, local=True), tmp_path / "troika.db"
    a = Scenario("a b", (Adjustment("pp", "retail", ("shenyang",), ("2026-12",), 1.0),))
    clash = Scenario("a_b", (Adjustment("pct", "retail", ("dalian",), ("2026-12",), 2.0),))  # same file name stem
    p1, p2 = save_named_scenario(a, tmp_path, actor=admin, db=db), save_named_scenario(clash, tmp_path, actor=admin, db=db)
    assert p1 != p2  # another scenario's file is never overwritten
    again = Scenario("a b", (Adjustment("pp", "retail", ("shenyang",), ("2026-12",), 3.0),))
    assert save_named_scenario(again, tmp_path, actor=admin, db=db) == p1  # the same name replaces its own file
    (tmp_path / "broken.yaml").write_text("name: broken\nadjustments: [{kind: nope}]\n", encoding="utf-8")
    found, problems = saved_scenarios(tmp_path)
    assert sorted(found) == ["a b", "a_b"] and found["a b"].adjustments[0].value == 3.0
    assert problems and all(p.file.endswith("broken.yaml") for p in problems)
    assert delete_named_scenario("a b", tmp_path, actor=admin, db=db) and not p1.exists() and p2.exists()
    assert not delete_named_scenario("a b", tmp_path, actor=admin, db=db)


@pytest.mark.slow
def test_the_data_page_starts_a_batch_run_and_shows_its_progress_and_history(tmp_path, monkeypatch):
    import shutil
    import time

    import streamlit as st

    data = tmp_path / "data"
    subset_csv(data / "observations" / "subset.csv", SUBSET)
    shutil.copyfile(DATA_DIR / "targets.csv", data / "targets.csv")
    (data / "scenarios").mkdir()
    monkeypatch.setenv("TROIKA_DB", str(tmp_path / "store.db"))
    monkeypatch.setenv("TROIKA_DATA_DIR", str(data))
    monkeypatch.setenv("TROIKA_RUN_ARGS", "--method snaive --n-paths 50 --workers 1 --no-artifacts")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = goto(AppTest.from_file(APP, default_timeout=60).run(), "data")
    assert [c.value for c in at.caption if c.value == i18n.t("data_runs_none")]
    at = at.button(key="run_btn").click().run()
    ok(at)
    done = i18n.t("data_run_done", rc=0)
    deadline = time.monotonic() + 240
    while done not in [m.value for m in at.markdown]:
        assert time.monotonic() < deadline, [m.value for m in at.markdown] + [c.value for c in at.code]
        time.sleep(1)
        at = at.button(key="run_refresh").click().run()
    ok(at)
    assert at.get("progress")[0].proto.text == "15/15"  # 3 regions × 5 indicators, one line each in the log
    runs = frame(at, "runs_table")
    assert runs["结果"].tolist() == ["完成"] and runs["序列数"].tolist() == [15]
    # the new run is what the other pages now show
    at = goto(at, "overview")
    ok(at)
    assert runs["批次"].iloc[0] in " ".join(c.value for c in at.caption)


def test_scenario_effect_equals_compare_scenarios_on_every_changed_series(env):
    from forecast.app.scenario_tables import scenario_context, scenario_effect

    run, dec, later = env["run"], env["dec"], env["later"]
    scenario = Scenario("mix", (
        Adjustment("abs", "fai", ("shenyang",), f"{dec}..{dec}", 30.0),        # growth-only: placed on the index
        Adjustment("pp", "trade", ("dalian", "shenyang"), f"{dec}..{later}", -1.5),  # split to exports/imports
        Adjustment("set", "retail", ("liaoning",), f"{dec}..{dec}", 5.0),       # the province: to the discrepancy
    ))
    ctx = scenario_context(run)
    eff = scenario_effect(run, scenario, ctx).set_index(["region", "indicator"])
    # the context keeps the bases the scenario needed; a second scenario on it reuses them, same figures
    assert ("dalian", "trade", int(dec[:4])) in ctx.bases and ("liaoning", "retail", int(dec[:4])) in ctx.bases
    pd.testing.assert_frame_equal(scenario_effect(run, scenario, ctx).set_index(["region", "indicator"]), eff)
    api = api_compare(run, scenario)
    new = api[api["scenario"] == "mix"].set_index(["region", "indicator"])
    moved = new[new["delta_projected"].abs() > 1e-12]
    assert set(moved.index) <= set(eff.index)
    assert {("dalian", "exports"), ("dalian", "imports"), ("liaoning", "trade"), ("liaoning", "fai")} <= set(eff.index)
    for col, api_col in (("scenario", "projected"), ("scenario_p10", "p10"), ("scenario_p90", "p90"),
                         ("delta_pp", "delta_projected")):
        np.testing.assert_allclose(eff[col].to_numpy(float), new.loc[eff.index, api_col].to_numpy(float),
                                   rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(eff["probability"].to_numpy(float), new.loc[eff.index, "probability"].to_numpy(float))
    assert eff.loc[("shenyang", "fai"), "note"].startswith("abs on shenyang/fai")


# -- access: local mode, login, roles, audit (DESIGN §8) -----------------------------------------------------------
# Login is simulated the way AppTest offers it: ``at.secrets`` holds an [auth] section (the app's test for "login
# configured") and ``at.user`` the claims ``st.user`` returns. Nothing in the app reads a role from anywhere else.
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only-not-a-secret",
                 "client_id": "troika-test", "client_secret": "test-only",
                 "server_metadata_url": "https://sso.example.gov.cn/.well-known/openid-configuration"}}
ROLES = "users:\n  wang.fang@example.gov.cn: admin\n  li.lei@example.gov.cn: analyst\n"
WRITE_KEYS = {"scn_name", "scn_save_btn", "scn_delete_pick", "scn_confirm", "scn_delete_btn", "upload", "ingest_btn",
              "run_btn", "tg_set_btn", "tg_unset_btn", "tg_source"}


def widget_keys(at) -> set[str]:
    kinds = ("button", "text_input", "checkbox", "selectbox", "multiselect", "number_input", "radio", "file_uploader")
    return {w.key for kind in kinds for w in getattr(at, kind) if getattr(w, "key", None)}


@pytest.fixture
def login(env, tmp_path, monkeypatch):
    """``login(email)``: an AppTest with login configured, logged in as ``email`` (None: nobody), on a private copy
    of the run's store, with its own data folder and role file. Returns (AppTest, store path)."""
    import streamlit as st

    db = private_store(env, tmp_path)
    (tmp_path / "roles.yaml").write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("TROIKA_DB", str(db))
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TROIKA_ROLES", str(tmp_path / "roles.yaml"))
    monkeypatch.setenv("TROIKA_RUN_ARGS", "--help")  # the batch button's run prints its usage and ends at once
    st.cache_data.clear()
    st.cache_resource.clear()

    def make(email: str | None):
        at = AppTest.from_file(APP, default_timeout=90)
        at.secrets = {k: dict(v) for k, v in AUTH.items()}
        at.user = {"is_logged_in": False} if email is None else {
            "is_logged_in": True, "email": email, "email_verified": True, "name": email.split("@")[0]}
        return at, db
    return make


def audit_rows(db) -> list[list]:
    from forecast.runs.store import Store
    from forecast.runs.store.audit import audit_log

    return audit_log(Store(db, create=False))[["who", "action", "what"]].values.tolist()


def test_local_mode_says_everyone_on_this_machine_is_admin(app):
    from forecast.app.access import text

    at = app.run()
    ok(at)
    assert text("local_mode", "zh") in [c.value for c in at.caption]
    at = goto(at, "data", "en")
    assert "Local mode: no login is configured; everyone on this machine is admin." in [c.value for c in at.caption]
    assert {"upload", "run_btn"} <= widget_keys(at)  # local mode: the admin's controls


def test_with_login_configured_an_anonymous_visitor_sees_only_the_login_button(login):
    from forecast.app.access import text

    at, db = login(None)
    at = at.run()
    ok(at)
    assert [b.key for b in at.button] == ["login_btn"] and widget_keys(at) == {"login_btn", "lang"}
    assert [i.value for i in at.info] == [text("login_prompt", "zh")]
    assert not at.dataframe and not at.metric and not at.get("file_uploader")
    at.radio(key="lang").set_value("en")
    at = at.run()
    assert [b.label for b in at.button] == ["Log in"]
    # the button calls st.login; without Authlib on the machine (or with a test [auth] section) the app says
    # why it cannot, and still shows nothing else
    at = at.button(key="login_btn").click().run()
    assert not at.exception and len(at.error) == 1 and at.error[0].value.startswith("Cannot log in")
    assert widget_keys(at) == {"login_btn", "lang"} and not at.dataframe


def test_a_deployment_requiring_login_refuses_to_serve_without_it(app, monkeypatch):
    from forecast.app.access import text

    monkeypatch.setenv("TROIKA_REQUIRE_LOGIN", "1")
    at = app.run()
    assert [e.value for e in at.error] == [text("login_required_missing", "zh")]
    assert widget_keys(at) == {"lang"} and not at.dataframe


def test_a_viewer_sees_no_write_control_but_can_try_a_scenario(login, env):
    at, db = login("zhao.min@example.gov.cn")  # logged in, not in the role file: a viewer
    at = at.run()
    ok(at)
    assert "已登录：zhao.min@example.gov.cn（查看者）" in [c.value for c in at.sidebar.caption]
    at = set_adjustment(goto(at, "scenarios"), "pp", "retail", ["shenyang"], env["dec"], env["dec"], 2.0)
    ok(at)
    assert len(frame(at, "scn_result_table")) == 2  # the what-if is computed in memory
    assert not WRITE_KEYS & widget_keys(at)
    at = goto(at, "data")
    ok(at)
    assert not WRITE_KEYS & widget_keys(at) and not at.get("file_uploader")
    assert not [e for e in at.get("expandable") if e.label == "操作记录"]  # the audit trail is the admins'
    assert len(frame(at, "store_table"))  # reading is allowed
    for page in ("overview", "series", "targets", "export"):
        at = goto(at, page, "en")
        ok(at)
        assert not WRITE_KEYS & widget_keys(at)
    assert len(frame(goto(at, "targets"), "targets_table")) == 1  # the targets can be read
    assert audit_rows(db) == []


def test_an_invalid_role_file_makes_everyone_a_viewer_and_says_so(login, tmp_path):
    from forecast.app.access import text

    (tmp_path / "roles.yaml").write_text("users:\n  wang.fang@example.gov.cn: boss\n", encoding="utf-8")
    at, _ = login("wang.fang@example.gov.cn")
    at = goto(at.run(), "data")
    assert len(at.error) == 1 and at.error[0].value.startswith(text("role_file_error", "zh", error="")[:10])
    assert not WRITE_KEYS & widget_keys(at)


def test_an_analyst_saves_uploads_and_ingests_each_write_audited_but_cannot_run_or_delete(login, env, tmp_path):
    import os
    import stat

    from forecast.decisions.scenario_files import scenario_file_name

    who = "li.lei@example.gov.cn"
    at, db = login(who)
    at = set_adjustment(goto(at.run(), "scenarios"), "pp", "retail", ["shenyang"], env["dec"], env["dec"], 2.0)
    assert {"scn_name", "scn_save_btn"} <= widget_keys(at)
    at.text_input(key="scn_name").set_value("沈阳促消费")
    at = at.button(key="scn_save_btn").click().run()
    ok(at)
    saved = tmp_path / "data" / "scenarios" / scenario_file_name("沈阳促消费")
    assert saved.exists() and at.multiselect(key="scn_pick").options == ["沈阳促消费"]
    assert not {"scn_delete_btn", "scn_delete_pick", "scn_confirm"} & widget_keys(at)  # deleting is the admins'
    at = goto(at, "data")
    assert "run_btn" not in widget_keys(at)
    src = subset_csv(tmp_path / "jinzhou.csv", ("jinzhou",))
    at.file_uploader(key="upload").set_value(("锦州.csv", src.read_bytes(), "text/csv"))
    at = at.run()
    ok(at)
    kept = [p for p in (tmp_path / "data" / "uploads").rglob("*") if p.is_file()]
    assert [p.name for p in kept] == ["锦州.csv"] and stat.S_IMODE(os.stat(kept[0]).st_mode) == 0o600
    at = at.button(key="ingest_btn").click().run()
    ok(at)
    assert i18n.t("data_ingested", added=len(read_table(src)), filled=0) in [s.value for s in at.success]
    assert audit_rows(db) == [[who, "scenario_save", "沈阳促消费"], [who, "upload", "锦州.csv"], [who, "ingest", "锦州.csv"]]


def test_an_admin_deletes_starts_a_run_and_reads_the_audit_trail(login, env):
    import time

    from forecast.runs.store import Store
    from forecast.runs.store.audit import audit_log

    who = "wang.fang@example.gov.cn"
    at, db = login(who)
    at = set_adjustment(goto(at.run(), "scenarios"), "pp", "retail", ["shenyang"], env["dec"], env["dec"], 2.0)
    at.text_input(key="scn_name").set_value("q4")
    at = at.button(key="scn_save_btn").click().run()
    at.selectbox(key="scn_delete_pick").set_value("q4")
    at.checkbox(key="scn_confirm").check()
    at = at.run().button(key="scn_delete_btn").click().run()
    ok(at)
    assert "scn_pick" not in widget_keys(at) and i18n.t("scn_none_saved") in [i.value for i in at.info]  # q4 is gone
    at = goto(at, "data")
    at = at.button(key="run_btn").click().run()
    ok(at)
    deadline = time.monotonic() + 60
    while i18n.t("data_run_done", rc=0) not in [m.value for m in at.markdown]:
        assert time.monotonic() < deadline, [c.value for c in at.code]
        time.sleep(0.5)
        at = at.button(key="run_refresh").click().run()
    log = audit_log(Store(db, create=False))
    assert log["action"].tolist() == ["scenario_save", "scenario_delete", "run_start", "run_finish"]
    assert set(log["who"]) == {who}
    run_id = env["run"].run_id
    assert log[["before", "after"]].iloc[2:].values.tolist() == [[run_id, None], [run_id, run_id]]  # --help: no new run
    shown = frame(at, "audit_table")
    assert shown["操作"].tolist() == ["批次结束", "启动批次", "删除情景", "保存情景"]  # newest first
    assert set(shown["操作人"]) == {who}


# -- targets ------------------------------------------------------------------------------------------------------
def test_an_analyst_sets_a_target_and_the_overview_answers_at_once(login, env):
    """The Targets page: the targets in force with their provenance; an analyst's new target is a new version,
    audited, and the overview evaluates the stored paths against it on the next load (no batch)."""
    from forecast.runs.store import Store

    who = "li.lei@example.gov.cn"
    at, db = login(who)
    at = goto(at.run(), "targets")
    ok(at)
    shown = frame(at, "targets_table")
    assert shown[["地区", "指标", "目标", "来源类型"]].values.tolist() == [["辽宁", "社会消费品零售总额", "4%左右", "公布"]]
    at.selectbox(key="tg_region").set_value("shenyang")
    at.selectbox(key="tg_indicator").set_value("retail")
    at.number_input(key="tg_year").set_value(env["year"])
    at.number_input(key="tg_value").set_value(3.0)
    at.text_input(key="tg_source").set_value("市政府工作报告口径（测试）")
    at = at.button(key="tg_set_btn").click().run()
    ok(at)
    assert at.success and "版本" in at.success[0].value
    current = Store(db, create=False).targets().set_index(["region", "indicator", "year"])
    assert current.loc[("shenyang", "retail", env["year"]), ["value", "status", "who"]].tolist() == [3.0, "analyst", who]
    assert audit_rows(db)[-1] == [who, "target_change", f"{env['year']} shenyang retail"]
    at = goto(at, "overview")
    ok(at)
    over = frame(at, "overview_table")
    row = over[(over["地区"] == "沈阳") & (over["指标"] == "社会消费品零售总额")].iloc[0]
    assert row["目标"] == "3%左右（分析员设定）" and row["状态"] in ("有望完成", "存在风险", "难以完成")
    # a missing source is refused with a message; nothing new is stored
    at = goto(at, "targets")
    at.text_input(key="tg_source").set_value("   ")
    at = at.button(key="tg_set_btn").click().run()
    assert at.error and "来源" in at.error[0].value
    assert len(Store(db, create=False).target_history("shenyang", "retail", env["year"])) == 1


def test_a_viewer_cannot_set_a_target_even_by_calling_the_function(login, env):
    from forecast.app import targets_page
    from forecast.app.access import AccessDenied, Actor, Role
    from forecast.runs.store import Store

    _, db = login("zhao.min@example.gov.cn")
    before = Store(db, create=False).target_history()
    with pytest.raises(AccessDenied):
        targets_page.set_target(db, Actor("zhao.min@example.gov.cn", Role.VIEWER), "shenyang", "retail", 2026, 3.0,
                                "about", "x")
    pd.testing.assert_frame_equal(Store(db, create=False).target_history(), before)


def test_every_reader_uses_the_run_years_target_of_a_several_year_table(env):
    """A targets table holding 2023 (7 %), 2025 (5 % 以上) and 2026 (4 % 左右) for the province's retail: the
    overview, the series page, the scenarios' context, the inversion default, the pack and the CLI all use 2026's."""
    import dataclasses
    import io

    from openpyxl import load_workbook

    from forecast.app import overview_tables, scenario_tables, series_tables
    from forecast.app.storage import meeting_pack
    from forecast.cli.commands import targets_table
    from forecast.runs.results import with_targets_in_force

    run = env["run"]
    year = env["year"]
    table = pd.DataFrame({"region": ["liaoning"] * 3, "indicator": ["retail"] * 3, "year": [2023, 2025, year],
                          "value": [7.0, 5.0, 4.0], "kind": ["about", "at_least", "about"],
                          "status": ["published"] * 3, "source": ["a", "b", "c"]})
    many = with_targets_in_force(dataclasses.replace(run, target_table=table.iloc[:0]), table)
    over = overview_tables.overview_frame(many).set_index(["region", "indicator"])
    assert over.loc[("liaoning", "retail"), "target"] == 4.0 and over.loc[("liaoning", "retail"), "year"] == year
    assert scenario_tables.province_target_default(many, "retail") == (4.0, True)
    ctx = scenario_tables.scenario_context(many)
    assert ctx.targets[("liaoning", "retail")] == (4.0, "about")
    fig = series_tables.series_figures(many, "liaoning", "retail", "zh")[1]
    assert [ln.get_ydata()[0] for ln in fig.axes[0].lines if ln.get_label().endswith(" 4%")] == [4.0]
    pack = load_workbook(io.BytesIO(meeting_pack(many)))
    retail = pd.DataFrame(list(pack["社会消费品零售总额"].iter_rows(values_only=True))[1:],
                          columns=list(pack["社会消费品零售总额"].iter_rows(values_only=True))[0])
    assert retail.loc[retail["地区"] == "辽宁", "年度目标(%)"].tolist() == [4.0]
    assert "4%左右" in next(line for line in targets_table(many).splitlines() if line.startswith("辽宁") and "社会" in line)


def test_a_consumption_campaign_built_on_the_page_joins_the_scenario(app, env):
    """Funds × published gross leverage × the analyst's additionality, as abs retail adjustments of the draft."""
    from forecast.decisions.campaigns import LEVERAGE

    at = goto(app.run(), "scenarios")
    ok(at)
    assert at.button(key="cmp_add_btn").disabled                 # additionality starts at 0: nothing to add yet
    at.multiselect(key="cmp_regions").set_value(["shenyang", "dalian"])
    at.number_input(key="cmp_funds").set_value(2.0)
    at.slider(key="cmp_additionality").set_value(0.3)
    at = at.run()
    at = at.button(key="cmp_add_btn").click().run()
    ok(at)
    draft = at.session_state["scn_draft"]
    assert [(a["kind"], a["indicator"], a["regions"]) for a in draft] == [("abs", "retail", ["shenyang"]),
                                                                         ("abs", "retail", ["dalian"])]
    extra = 2.0 * LEVERAGE["trade_in"].value * 0.3                # 2 亿元 × 332.5/34 × 0.3 per city, by hand
    assert [a["value"] for a in draft] == pytest.approx([extra, extra], abs=1e-6)
    assert len(frame(at, "scn_draft_table")) == 2 and len(frame(at, "scn_result_table")) >= 2


# -- issue 16: the overview matrix, interactive charts, numbers for people, fluent interaction ----------------------
def test_the_overview_matrix_answers_each_region_and_carriage_from_the_api(app, env):
    """One row per region, one column per carriage; each cell the API's probability, status and projection; the
    reference targets marked as such, the series without a target neutral."""
    from forecast.app.overview_tables import matrix_frame, overview_frame

    run = env["run"]
    at = app.run()
    ok(at)
    shown = frame(at, "overview_matrix")
    assert shown.columns.tolist() == ["地区", "固定资产投资", "社会消费品零售总额", "进出口总额"]
    assert shown["地区"].tolist() == ["辽宁", "沈阳", "大连"]
    tg = run.targets.set_index(["region", "indicator"])
    province = tg.loc[("liaoning", "retail")]
    assert shown.iloc[0, 2] == (f"{i18n.fmt_prob(province['probability'])} {i18n.status_label(province['status'])} · "
                                f"预计{i18n.fmt_pct(province['projected'])}")
    city = tg.loc[("shenyang", "retail")]
    assert shown.iloc[1, 2] == f"参考 {i18n.fmt_prob(city['probability'])} · 预计{i18n.fmt_pct(city['projected'])}"
    fai = overview_frame(run).set_index(["region", "indicator"]).loc[("dalian", "fai")]
    assert shown.iloc[2, 1] == f"未设目标 · 预计{i18n.fmt_pct(fai['projected'])}"
    # the colours come from the status of each cell: neutral grey without a target, light blue for a reference
    _, status, _ = matrix_frame(overview_frame(run), "zh")
    assert status.iloc[:, 1:].values.tolist() == [["no target", province["status"], "no target"],
                                                  ["no target", "reference", "no target"],
                                                  ["no target", "reference", "no target"]]
    assert i18n.STATUS_COLOURS["no target"] != i18n.STATUS_COLOURS["reference"]


def test_overview_filters_and_sort_narrow_the_matrix_and_the_table(app, env):
    at = app.run()
    at.multiselect(key="flt_status_zh").set_value(["reference"])
    at = at.run()
    ok(at)
    detail = frame(at, "overview_table")
    assert detail[["地区", "状态"]].values.tolist() == [["沈阳", "参考（非考核）"], ["大连", "参考（非考核）"]]
    matrix = frame(at, "overview_matrix")
    assert matrix["地区"].tolist() == ["沈阳", "大连"] and (matrix["固定资产投资"] == "").all()
    at.multiselect(key="flt_status_zh").set_value([])
    at.selectbox(key="flt_group").set_value("coastal")
    at = at.run()
    assert set(frame(at, "overview_table")["地区"]) == {"大连"}
    at.selectbox(key="flt_group").set_value("all")
    at.multiselect(key="flt_carriages_zh").set_value(["retail"])
    at.selectbox(key="flt_sort").set_value("projected")
    at = at.run()
    ok(at)
    detail = frame(at, "overview_table")
    assert set(detail["指标"]) == {"社会消费品零售总额"} and len(detail) == 3
    assert detail["预计全年增长(%)"].is_monotonic_increasing
    assert frame(at, "overview_matrix").columns.tolist() == ["地区", "社会消费品零售总额"]
    # the filters keep their choice across a change of language (a widget per language, the choice carried over)
    at = goto(at, "overview", "en")
    assert set(frame(at, "overview_table")["Indicator"]) == {"Retail sales of consumer goods"}


def test_a_click_on_a_matrix_cell_or_a_table_cell_opens_that_series(app, env):
    at = app.run()
    ok(at)
    # st.dataframe's selection, as the browser sends it: row 1 (Shenyang), the retail column
    at.session_state["overview_matrix_0"] = {"selection": {"rows": [], "columns": [], "cells": [[1, "社会消费品零售总额"]]}}
    at = at.run()
    ok(at)
    assert at.radio(key="page").value == "series"
    assert (at.selectbox(key="series_region").value, at.selectbox(key="series_indicator").value) == ("shenyang", "retail")
    assert frame(at, "value_fan_table").shape[0] == len(env["run"].forecasts[("shenyang", "retail")].periods)
    # back on the overview the grids are new (nothing selected): a cell of the detailed table, row 2 (Liaoning, trade)
    at = goto(at, "overview")
    assert "overview_matrix_1" in at.session_state and not at.session_state["overview_matrix_1"]["selection"]["cells"]
    at.session_state["overview_table_grid"] = {"selection": {"rows": [], "columns": [], "cells": [[2, "状态"]]}}
    at = at.run()
    ok(at)
    assert at.radio(key="page").value == "series"
    assert (at.selectbox(key="series_region").value, at.selectbox(key="series_indicator").value) == ("liaoning", "trade")


def test_the_detailed_table_keeps_every_column_pins_the_first_and_shows_the_key_ones_first(app):
    from forecast.app.overview_tables import KEY_COLUMNS

    at = app.run()
    grid = at.container("overview_table").dataframe[0]
    assert grid.value.columns[:7].tolist() == [i18n.t(k) for k in KEY_COLUMNS]
    assert len(grid.value.columns) == 18                   # every column an analyst reads, none dropped
    config = {c: v for c, v in __import__("json").loads(grid.proto.columns).items()}
    assert config["地区"]["pinned"] and config["指标"]["pinned"] and not config["状态"].get("pinned")
    assert all(isinstance(config[c].get("width"), int) for c in grid.value.columns)
    # a shorter header where the full name is long, the full name on hover
    assert config["预计全年增长(%)"]["help"] == "预计全年增长(%)"
    assert config["达标概率(%)"]["type_config"]["format"] == "%d"
    # the column picker hides a column from view, not from the data
    at.multiselect(key="detail_cols_zh").set_value(["col_probability", "col_target_text"])
    at = at.run()
    order = __import__("json").loads(at.container("overview_table").dataframe[0].proto.column_order or "[]") if False \
        else list(at.container("overview_table").dataframe[0].proto.column_order)
    assert order == ["地区", "指标", "状态", "达标概率(%)", "目标"]


def test_series_page_switches_to_single_period_growth_derived_from_ytd_levels(app, env):
    """当月增速: each period's flow against the same period of last year (comparable base), Jan–Feb one period;
    the forecast's figures are the quantiles of paths / bases."""
    from forecast.app.overview_tables import series_rows
    from forecast.decisions.targets import remaining_bases

    run, year = env["run"], env["year"]
    at = goto(app.run(), "series")
    at.selectbox(key="series_region").set_value("dalian")
    at.selectbox(key="series_indicator").set_value("retail")
    at.radio(key="series_growth_mode").set_value("period")
    at = at.run()
    ok(at)
    shown = frame(at, "growth_fan_table")
    assert "当月增速(%)" in shown.columns and "累计增长(%)" not in shown.columns
    rows = series_rows(run.panel, "dalian", "retail")
    mine = rows[pd.PeriodIndex(rows["period"], freq="M").year == year]
    hist = shown[shown["类别"] == i18n.t("row_history")]
    assert hist["时期"].iloc[0] == f"{year}年1-2月"          # Jan–Feb is one period, written as such
    np.testing.assert_allclose(hist["当月增速(%)"].to_numpy(float), (mine["value"] / mine["base"] * 100 - 100).to_numpy(float))
    # by hand from the YTD levels for March: (YTD_Mar − YTD_JanFeb) / (base YTD_Mar − base YTD_JanFeb)
    ytd, base = mine["ytd_value"].to_numpy(float), mine["ytd_base"].to_numpy(float)
    assert hist["当月增速(%)"].iloc[1] == pytest.approx(((ytd[1] - ytd[0]) / (base[1] - base[0]) - 1) * 100, rel=1e-9)
    fc = run.forecasts[("dalian", "retail")]
    bases = remaining_bases(rows, year)
    periods = pd.PeriodIndex(fc.periods, freq="M")
    dec = fc.paths[:, periods.get_loc(pd.Period(f"{year}-12", "M"))] / bases[pd.Period(f"{year}-12", "M")] * 100 - 100
    last = shown.iloc[-1]
    assert last["时期"] == i18n.fmt_period(pd.Period(f"{year}-12", "M"))
    assert last["当月增速(%)"] == pytest.approx(np.median(dec), rel=1e-9)
    assert last["80%区间下限(%)"] == pytest.approx(np.quantile(dec, 0.1), rel=1e-9)
    assert i18n.t("period_growth_no_target") in [c.value for c in at.caption]
    # the two charts are interactive Vega-Lite charts, their tooltips naming the period and the unit
    specs = [__import__("json").loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == 2 and "当月增速" in specs[1]["title"]["text"]
    tips = [t["title"] for layer in specs[1]["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    assert tips[:3] == ["时期", "实际", "预测中位数"]


def test_weights_in_percent_counts_as_integers_and_periods_as_people_write_them(app, env):
    at = goto(app.run(), "series")
    at.selectbox(key="series_region").set_value("liaoning")
    at.selectbox(key="series_indicator").set_value("retail")
    at = at.run()
    ok(at)
    assert frame(at, "weights_table")["权重(%)"].sum() == pytest.approx(100.0)
    history = frame(at, "history_table")
    assert history.columns.tolist() == ["时期", "当期值(亿元)", "累计值(亿元)", "累计增长(%)", "数据状态"]
    assert history["时期"].iloc[0] == "2015年1-2月" and history["时期"].iloc[1] == "2015年3月"
    at = goto(at, "data")
    store = frame(at, "store_table")
    assert store["起始时期"].iloc[0] == "2015年1-2月" and pd.api.types.is_integer_dtype(store["期数"])
    at = goto(at, "data", "en")
    assert frame(at, "store_table")["First period"].iloc[0] == "Jan–Feb 2015"


def test_a_change_shown_is_never_hidden_by_rounding():
    from forecast.app.formats import change_digits, pair_digits
    from forecast.app.scenario_tables import compare_digits

    # 2.66 → 2.74: both "2.7" at one decimal while the change shows 0.1: two decimals
    assert pair_digits([2.66], [2.74]) == 2 and change_digits([0.08]) == 1
    assert change_digits([0.004]) == 3 and change_digits([1e-13]) == 1   # float noise is no change
    wide = pd.DataFrame({"地区": ["沈阳"], "指标": ["社零"], "基准: 预计全年增长(%)": [2.66],
                         "q4: 预计全年增长(%)": [2.74], "q4: 变化(百分点)": [0.08], "q4: 达标概率(%)": [50.0]})
    digits = compare_digits(wide, "zh")
    assert digits == {"q4: 变化(百分点)": 1, "q4: 预计全年增长(%)": 2, "基准: 预计全年增长(%)": 2}
    for col in ("基准: 预计全年增长(%)", "q4: 预计全年增长(%)"):
        assert f"{wide[col].iloc[0]:.{digits[col]}f}" in ("2.66", "2.74")
    # probabilities in whole percent, one decimal where 40.2% and 40.4% would both read 40%
    wide["基准: 达标概率(%)"] = [40.2]
    wide["q4: 达标概率(%)"] = [40.4]
    assert compare_digits(wide, "zh")["q4: 达标概率(%)"] == compare_digits(wide, "zh")["基准: 达标概率(%)"] == 1
    wide["q4: 达标概率(%)"] = [55.0]
    assert compare_digits(wide, "zh")["q4: 达标概率(%)"] == 0


def test_export_page_keeps_its_series_and_its_downloads_neither_rerun_nor_redo(app, env, monkeypatch):
    from forecast.app import widgets

    at = goto(app.run(), "export")
    ok(at)
    at.selectbox(key="export_region").set_value("dalian")
    at = at.run()
    at.selectbox(key="export_indicator").set_value("trade")
    at = at.run()
    ok(at)
    buttons = {b.key: b for b in at.download_button}
    assert "大连" in buttons["png_fan_values"].label and {"pack", "png_prob_retail", "png_fan_growth"} <= set(buttons)
    assert buttons["brief"].label == i18n.t("export_brief")              # the monthly brief, .docx
    # a download click does not rerun the page, its bytes are made when clicked (deferred), not on every render
    assert all(b.proto.ignore_rerun for b in buttons.values())
    # another page and back: the chosen series is still there
    at = goto(goto(at, "overview"), "export")
    assert (at.selectbox(key="export_region").value, at.selectbox(key="export_indicator").value) == ("dalian", "trade")
    # the bytes are made once per run, language and scenario set
    made = []
    key = f"test:{env['run'].run_id}:zh"
    for _ in range(2):
        widgets.cached_bytes(key, lambda: made.append(1) or b"PK")
    assert made == [1]


def test_deleting_a_scenario_confirms_and_unticks_the_confirmation(app, env):
    at = set_adjustment(goto(app.run(), "scenarios"), "pp", "retail", ["shenyang"], env["dec"], env["dec"], 2.0)
    at.text_input(key="scn_name").set_value("q4")
    at = at.button(key="scn_save_btn").click().run()
    at.text_input(key="scn_name").set_value("q5")
    at = at.button(key="scn_save_btn").click().run()
    at.selectbox(key="scn_delete_pick").set_value("q4")
    at.checkbox(key="scn_confirm").check()
    at = at.run()
    assert not at.button(key="scn_delete_btn").disabled
    at = at.button(key="scn_delete_btn").click().run()
    ok(at)
    assert i18n.t("scn_deleted", name="q4") in [s.value for s in at.success]
    assert at.checkbox(key="scn_confirm").value is False and at.button(key="scn_delete_btn").disabled
    assert at.multiselect(key="scn_pick").options == ["q5"]
