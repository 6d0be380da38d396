"""Project lists (DESIGN §9): ingest and its refusals, phasing by hand, slippage, scenarios on a real run, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.data.errors import DataError
from forecast.data.project_list import PROJECT_COLUMNS, example_list_path, load_project_list, parse_month
from forecast.decisions.position import full_year_base
from forecast.decisions.projects import (
    construction_profile,
    phase,
    phase_projects,
    project_deltas,
    project_scenario,
)
from forecast.decisions.scenario_files import load_scenario, save_scenario
from forecast.decisions.scenarios import compare_scenarios

HERE = Path(__file__).resolve().parent / "fixtures" / "projects"
EXPECTED = list(csv.DictReader((HERE / "bad" / "EXPECTED.csv").open(encoding="utf-8")))
M = lambda s: pd.Period(s, freq="M")  # noqa: E731
# a hand-made construction season: Jan–Feb 0.04, Mar 0.06, Apr…Dec as below (sums to 1)
SY = [0.04, 0.06, 0.08, 0.10, 0.11, 0.11, 0.11, 0.11, 0.10, 0.09, 0.09]
LN = [0.05, 0.07, 0.09, 0.09, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10]


def mini_panel() -> pd.DataFrame:
    """fai flows of Shenyang and the province in 2025 (no Dalian: it falls back to the province's profile)."""
    rows = [{"region": r, "indicator": "fai", "year": 2025, "season": s + 1, "period": M("2025-02") + (s and s),
             "value": 1000 * share} for r, prof in (("shenyang", SY), ("liaoning", LN)) for s, share in enumerate(prof)]
    return pd.DataFrame(rows)


def two() -> pd.DataFrame:
    return load_project_list(HERE / "good" / "two_en.csv")


# ------------------------------------------------------------------------------------------------ ingest
def test_fixture_script_reproduces_the_committed_files(tmp_path):
    import runpy

    runpy.run_path(str(HERE / "make_project_fixtures.py"))["write"](tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(HERE) for p in HERE.rglob("*") if p.is_file() and p.suffix != ".py"
                          and "__pycache__" not in p.parts)
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (HERE / rel).read_bytes(), rel


@pytest.mark.parametrize("name", ["two_en.csv", "two_zh_gbk.csv", "two_wan_yuan.xlsx"])
def test_the_same_two_projects_in_every_layout(name):
    p = load_project_list(HERE / "good" / name)
    assert p.columns.tolist() == PROJECT_COLUMNS
    assert p["region"].tolist() == ["shenyang", "dalian"] and p["status"].tolist() == ["new", "continuing"]
    assert p["total"].tolist() == [30.0, 20.0] and p["planned"].tolist() == [12.0, 8.0]   # 亿元 (万元 converted)
    assert p["completed"].tolist() == [5.0, 15.0] and p["incremental"].tolist() == [True, False]
    assert p["start"].tolist() == [M("2026-04"), M("2025-03")] and p["end"].tolist() == [M("2027-06"), M("2026-08")]
    assert (p["plan_year"] == 2026).all()   # a column, or the title line 2026年全省重大项目清单


def test_at_least_fifteen_malformed_lists():
    assert len(EXPECTED) >= 15


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_malformed_list_is_refused_with_row_and_column(case):
    with pytest.raises(DataError) as err:
        load_project_list(HERE / "bad" / case["file"])
    probs = err.value.problems
    assert any(p.row == int(case["row"]) and p.column == case["column"] and case["message"] in p.message
               and p.file.endswith(case["file"]) for p in probs), [str(p) for p in probs]
    assert "no project was read" in err.value.summary or len(probs) == 1


def test_parse_month_forms():
    assert {str(parse_month(x)) for x in ("2026-09", "2026年9月", "2026/9", "202609", "2026.09", "2026年9月1日")} == \
        {"2026-09"}
    for bad in ("2026-13", "九月", "", "2026"):
        with pytest.raises(ValueError, match="cannot read month"):
            parse_month(bad)


def test_bundled_example_list_is_labelled_and_sized_like_published_aggregates():
    path = example_list_path()
    assert "非官方" in path.read_text(encoding="utf-8").splitlines()[0]   # illustrative, not official
    p = load_project_list(path)
    assert len(p) == 300 and p["region"].nunique() == 14          # 300 provincial key projects (2024, 2025)
    assert p["total"].sum() == pytest.approx(14_000, rel=0.01)    # 2024: total over 1.4万亿元
    assert p["planned"].sum() == pytest.approx(1_750, rel=0.01)   # 2024: annual plan over 1,700亿元
    assert (p["planned"] <= p["total"]).all() and p["incremental"].any()


# ------------------------------------------------------------------------------------------------ phasing
def test_phasing_of_two_projects_by_hand():
    panel = mini_panel()
    assert construction_profile(panel, "shenyang")[1] == "shenyang"
    assert construction_profile(panel, "dalian")[1] == "liaoning"      # documented fallback: the province
    out = phase_projects(two(), panel).set_index(["region", "period"])["amount"]
    # Shenyang: 12 亿元 over Apr–Dec 2026 (seasons 3..11) in proportion to SY
    w = np.array(SY[2:])
    expected_sy = 12 * w / w.sum()
    got_sy = [out[("shenyang", M(f"2026-{m:02d}"))] for m in range(4, 13)]
    np.testing.assert_allclose(got_sy, expected_sy)
    assert out[("shenyang", M("2026-02"))] == 0 and out[("shenyang", M("2026-03"))] == 0
    # Dalian (province profile): 8 亿元 over Jan–Aug: Jan and Feb get LN[0]/2 each, both in the Jan–Feb period
    wd = np.array([LN[0]] + LN[1:7])
    expected_dl = 8 * wd / wd.sum()
    got_dl = [out[("dalian", M(p))] for p in ("2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
                                                 "2026-08")]
    np.testing.assert_allclose(got_dl, expected_dl)
    assert sum(out[("dalian", M(f"2026-{m:02d}"))] for m in range(9, 13)) == 0
    assert out.groupby(level=0).sum().to_dict() == pytest.approx({"shenyang": 12.0, "dalian": 8.0})


def test_a_project_active_in_january_only_lands_in_jan_feb():
    s = phase(5.0, M("2025-06"), M("2026-01"), 2026, pd.Series(SY, index=range(1, 12)))
    assert s[M("2026-02")] == 5.0 and s.drop(M("2026-02")).eq(0).all()


def test_phased_example_list_sums_to_plan_and_stays_in_start_end():
    from forecast.data.files import load_bundled
    from forecast.data.panel import build_panel

    panel = build_panel(load_bundled())
    p = load_project_list(example_list_path())
    ph = phase_projects(p, panel)
    sums = ph.groupby(["region", "name"])["amount"].sum()
    plan = p.set_index(["region", "name"])["planned"]
    np.testing.assert_allclose(sums.reindex(plan.index).to_numpy(), plan.to_numpy(), rtol=1e-12)
    merged = ph.merge(p[["region", "name", "start", "end"]], on=["region", "name"])
    first_month = merged["period"].map(lambda q: q - 1 if q.month == 2 else q)   # Jan–Feb covers January too
    outside = (merged["period"] < merged["start"]) | (first_month > merged["end"])
    assert (merged.loc[outside, "amount"] == 0).all() and (merged["amount"] >= 0).all()
    assert set(ph["profile_source"]) <= {*p["region"], "liaoning"}


# ------------------------------------------------------------------------------------------------ slippage
def test_slip_of_three_months_moves_a_known_amount_into_next_year():
    panel = mini_panel()
    d = project_deltas(two(), panel, incremental=False, slip=3, share=1.0).set_index(["region", "period"])["amount"]
    w = np.array(SY[2:]) / sum(SY[2:])
    monthly = dict(zip(range(4, 13), 12 * w, strict=True))          # Shenyang's on-time plan, Apr..Dec
    moved = monthly[10] + monthly[11] + monthly[12]                  # Oct–Dec work done Jan–Mar 2027
    assert d[d.index.get_level_values(1).year == 2026].sum() == pytest.approx(-moved)
    assert d[("shenyang", M("2027-02"))] == pytest.approx(monthly[10] + monthly[11])   # Jan and Feb 2027
    assert d[("shenyang", M("2027-03"))] == pytest.approx(monthly[12])
    for m in range(4, 13):   # within 2026: month m gets the plan of m − 3 and loses its own
        assert d.get(("shenyang", M(f"2026-{m:02d}")), 0.0) == pytest.approx(monthly.get(m - 3, 0.0) - monthly[m])
    assert "dalian" not in d.index.get_level_values(0)                # continuing projects do not slip
    half = project_deltas(two(), panel, incremental=False, slip=3, share=0.5)
    assert half["amount"].abs().sum() == pytest.approx(0.5 * d.abs().sum())


def test_continuing_projects_deliver_a_share():
    d = project_deltas(two(), mini_panel(), incremental=False, deliver=0.75)
    assert set(d["region"]) == {"dalian"} and d["amount"].sum() == pytest.approx(-0.25 * 8)


def test_bad_shares_are_refused():
    with pytest.raises(DataError, match="fractions"):
        project_deltas(two(), mini_panel(), slip=3, share=1.5)


def test_list_scenario_is_an_ordinary_scenario_file(tmp_path):
    s = project_scenario(two(), mini_panel(), "two", slip=3, share=1.0, window=(M("2026-02"), M("2027-12")))
    assert {a.kind for a in s.adjustments} == {"abs"} and {a.indicator for a in s.adjustments} == {"fai"}
    assert sum(a.value for a in s.adjustments) == pytest.approx(12.0)   # incremental 12, slip moves within window
    assert s.description and s.description_zh and "亿元" in s.description_zh
    back = load_scenario(save_scenario(s, tmp_path / "two.yaml"))
    assert back == s


# ------------------------------------------------------------------------------------------------ real run
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from forecast.app.storage import demo_store
    from forecast.runs.results import load_latest_run

    db = demo_store(tmp_path_factory.mktemp("projects"), ("liaoning", "shenyang", "dalian"), method="snaive")
    return db, load_latest_run(db)


def test_project_scenarios_on_a_real_run(demo_run):
    _, run = demo_run
    for kw in ({"slip": 0}, {"slip": 3, "share": 1.0, "incremental": False}):
        s = project_scenario(two(), run.panel, "p", **kw)
        table = compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, [s], year=2026)
        got = table[table.scenario == "p"].set_index(["region", "indicator"])["delta_projected"]
        # every adjustment is a constant amount on every path: growth moves by amount / B_12 exactly
        added = {}
        for a in s.adjustments:
            if a.months[0].year == 2026:
                added[a.regions[0]] = added.get(a.regions[0], 0.0) + a.value
        assert added, kw
        base = {r: full_year_base(run.panel[(run.panel.region == r) & (run.panel.indicator == "fai")], 2026)
                for r in ("liaoning", "shenyang", "dalian")}
        for city in ("shenyang", "dalian"):
            assert got[(city, "fai")] == pytest.approx(100 * added.get(city, 0.0) / base[city], abs=1e-9)
        assert got[("liaoning", "fai")] == pytest.approx(100 * sum(added.values()) / base["liaoning"], abs=1e-9)
        assert got[("liaoning", "retail")] == 0
        if kw["slip"] == 0:   # by hand: Shenyang's 12 亿元 over Apr–Dec by its profile; Nov and Dec are after the
            prof = construction_profile(run.panel, "shenyang", before=2026)[0]   # last release (2026-10)
            nov_dec = 12 * (prof[10] + prof[11]) / prof.loc[3:11].sum()
            assert added == pytest.approx({"shenyang": nov_dec}, abs=1e-6)   # amounts are written to 6 decimals
            assert got[("liaoning", "fai")] == pytest.approx(100 * nov_dec / base["liaoning"], abs=1e-6)


def test_cli_check_and_scenario(demo_run, tmp_path, capsys):
    from forecast.cli.main import main

    db, _ = demo_run
    assert main(["projects", "check", str(HERE / "good" / "two_zh_gbk.csv"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Shenyang" in out and "Dalian" in out and "亿元" in out and "12.00" in out
    assert main(["projects", "check", str(HERE / "bad" / "unknown_city.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 4" in err and "所在地区" in err and "Traceback" not in err
    path = tmp_path / "slip.yaml"
    args = ["projects", "scenario", str(HERE / "good" / "two_en.csv"), "--name", "slip3", "--slip", "3",
            "--share", "0.5", "--out", str(path), "--db", str(db)]
    assert main(args) == 0 and path.exists()
    assert "wrote" in capsys.readouterr().out
    before = path.read_bytes()
    assert main(args) == 2 and "already exists" in capsys.readouterr().err and path.read_bytes() == before
    assert main([*args, "--force"]) == 0 and "replaced" in capsys.readouterr().out
    assert main(["scenario", "run", str(path), "--db", str(db), "--lang", "en"]) == 0
    assert "slip3" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------ tracking
def test_tracking_by_hand(demo_run):
    from forecast.decisions.project_tracking import track_projects
    from forecast.export.projects_sheet import projects_columns, projects_frame

    t = track_projects(two(), mini_panel()).set_index("region")     # completed to 2026-10, no targets
    w = np.array(SY[2:])
    sy_to_date = 12 * w[:7].sum() / w.sum()                          # Apr..Oct of Apr..Dec
    assert t.loc["shenyang", "planned_to_date"] == pytest.approx(sy_to_date)
    assert t.loc["shenyang", "completion_pct"] == pytest.approx(100 * 5 / sy_to_date)
    assert t.loc["dalian", "planned_to_date"] == pytest.approx(8.0) and t.loc["dalian", "behind"] == pytest.approx(-7)
    assert t.loc["liaoning", "completed"] == 20 and t.loc["liaoning", "remaining_plan"] == pytest.approx(
        12 - sy_to_date)
    assert t["needed"].isna().all()                                   # no fai target: no verdict
    # with an analyst's fai target for Shenyang: needed = (1 + 5 %) · B_12 − V_Oct on the run's panel
    _, run = demo_run
    tgt = pd.DataFrame({"region": ["shenyang"], "indicator": ["fai"], "year": [2026], "value": [5.0],
                        "kind": ["about"], "status": ["analyst"], "source": ["test"]})
    t2 = track_projects(two(), run.panel, targets=tgt).set_index("region")
    rows = run.panel[(run.panel.region == "shenyang") & (run.panel.indicator == "fai")]
    v_oct = float(rows.loc[rows.period == M("2026-10"), "ytd_value"].iloc[0])
    needed = 1.05 * full_year_base(rows, 2026) - v_oct
    assert t2.loc["shenyang", "needed"] == pytest.approx(needed)
    assert t2.loc["shenyang", "plan_share_of_need"] == pytest.approx(100 * t2.loc["shenyang", "remaining_plan"] / needed)
    assert np.isnan(t2.loc["dalian", "needed"])
    sheet = projects_frame(track_projects(two(), run.panel, targets=tgt), "zh")
    heads = [h for h, _, _ in projects_columns("zh")]
    assert all("(亿元)" in h or "(%)" in h or "(个)" in h for h in heads[1:-1])
    assert sheet["name"].tolist() == ["沈阳", "大连", "全省（各市项目合计）"] and "2026-10" in sheet["note"].iloc[-1]


def _projects_page_script():
    import os

    from forecast.app.projects_page import page_projects
    from forecast.runs.results import load_latest_run

    page_projects(load_latest_run(os.environ["TROIKA_TEST_PROJECTS_DB"]), os.environ.get("TROIKA_TEST_LANG", "en"))


def test_projects_page(demo_run, monkeypatch):
    from streamlit.testing.v1 import AppTest

    db, run = demo_run
    monkeypatch.setenv("TROIKA_TEST_PROJECTS_DB", str(db))
    at = AppTest.from_function(_projects_page_script, default_timeout=60).run()
    assert not at.exception and not at.error
    summary, tracking, effect = (at.dataframe[i].value for i in range(3))
    assert len(summary) == 14 and "Total (100 mn yuan)" in summary.columns
    assert tracking.iloc[-1, 0].startswith("Province") and "Completed (100 mn yuan)" in tracking.columns
    assert effect.iloc[:, 0].tolist() == ["Liaoning", "Shenyang", "Dalian"]   # the run forecasts these three
    assert "Anshan" in at.caption[-1].value                                      # the others are named, left out
    at.number_input(key="pj_slip").set_value(3).run()
    assert not at.exception and "slip 3 months" in " ".join(c.value for c in at.caption)


def test_an_uploaded_project_list_is_read_in_the_bounded_child(tmp_path):
    """The Projects page reads uploads like every upload: in a child process with limits, same result or error."""
    from forecast.data.bounded import read_files_bounded

    good = sorted((Path(__file__).parent / "fixtures" / "projects" / "good").glob("*.csv"))[0]
    [child] = read_files_bounded([good], kind="projects")
    pd.testing.assert_frame_equal(child, load_project_list(good))
    bad = next(p for p in sorted((Path(__file__).parent / "fixtures" / "projects" / "bad").glob("*.csv"))
               if p.name != "EXPECTED.csv")
    with pytest.raises(DataError) as in_child:
        read_files_bounded([bad], kind="projects")
    with pytest.raises(DataError) as here:
        load_project_list(bad)
    assert [(p.row, p.column) for p in in_child.value.problems] == [(p.row, p.column) for p in here.value.problems]
