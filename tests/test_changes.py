"""What changed since the last run (forecast.decisions.changes, `forecast changes`), checked by hand.

Two real batch runs (tests/batch_helpers.py): data to 2026-06, then July published, Liaoning's June revised
(a new vintage) and Shenyang's retail target changed by an analyst between the runs. The hand computations
below use the published rows (YTD values and growth), the comparable bases and the stored paths only, never
the module under test. Small panels built by hand cover the year change, December, fai, new series and
series without a target.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_helpers import add_month, make_workspace, run_args, ytd_rows
from common import FakeForecast

from forecast.cli.main import main
from forecast.data.panel import build_panel
from forecast.decisions.changes import CHANGE_COLUMNS, change_note, what_changed
from forecast.runs.results import load_run, load_run_as_batched, previous_complete_run

TOL = 1e-9  # TOLERANCE_PP of forecast.decisions.targets: a path at the target counts as meeting it
REVISED_BY = 3.0  # 亿元 added to Liaoning's Jan–Jun 2026 YTD by the revision


# ---------------------------------------------------------------------------------------------- two batch runs
@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ws = make_workspace(tmp_path_factory.mktemp("changes"))
    assert main(run_args(ws)) == 0
    first = load_run("latest", ws["db"]).run_id
    add_month(ws, (2026, 7))
    june = {r[0]: r for r in ytd_rows(last=(2026, 6)) if (r[2], r[3]) == (2026, 6)}
    v, g = float(june["liaoning"][4]) + REVISED_BY, june["liaoning"][5]
    # a new vintage of a figure already stored: the 发布日期 column makes it a revision, not a conflict
    (ws["input"] / "d_revision.csv").write_text(
        f"地区,指标,时期,累计值,累计增长,发布日期\n辽宁,社会消费品零售总额,2026年1-6月,{v:.1f},{g},2026-08-15\n",
        encoding="utf-8")
    assert main(["targets", "set", "shenyang", "retail", "2026", "3", "--kind", "about", "--source",
                 "test: lowered by the analyst", "--db", str(ws["db"])]) == 0
    assert main(run_args(ws)) == 0
    prev, now = load_run_as_batched(first, ws["db"]), load_run("latest", ws["db"])
    assert now.run_id != prev.run_id and previous_complete_run(now.run_id, ws["db"]) == prev.run_id
    table = what_changed(prev.panel, prev.forecasts, prev.target_table, now.panel, now.forecasts, now.target_table,
                         prev_run=prev.run_id, run=now.run_id)
    return {"ws": ws, "prev": prev, "now": now, "table": table.set_index("region")}


def published() -> dict:
    """``(region, year, month) → (ytd_value, ytd_yoy)`` as the input files publish them (before the revision)."""
    return {(r, y, m): (float(v), float(g) if g else np.nan) for r, _, y, m, v, g in ytd_rows(last=(2026, 7))}


def growth(v: float, flows: np.ndarray, b12: float) -> np.ndarray:
    return ((v + flows) / b12 - 1) * 100


def flows_after(fc, first: str) -> np.ndarray:
    """Per path, the sum of a stored forecast's flows from period ``first`` to December 2026."""
    cols = [i for i, p in enumerate(fc.periods) if pd.Period(first, "M") <= p <= pd.Period("2026-12", "M")]
    return fc.paths[:, cols].sum(axis=1)


def test_parts_add_up_to_the_total_for_every_series(two_runs: dict) -> None:
    t = two_runs["table"]
    assert list(t.reset_index().columns) == CHANGE_COLUMNS and sorted(t.index) == ["liaoning", "shenyang"]
    for _, r in t.iterrows():
        assert r["d_growth"] == pytest.approx(r["growth_now"] - r["growth_prev"], abs=TOL)
        assert r["d_growth"] == pytest.approx(sum(r[f"d_growth_{p}"] for p in ("new", "revisions", "target", "model")),
                                              abs=TOL)
        assert r["d_growth_target"] == 0.0  # a target never moves a projection
        assert r["d_p"] == pytest.approx(r["p_now"] - r["p_prev"], abs=TOL)
        assert r["d_p"] == pytest.approx(sum(r[f"d_p_{p}"] for p in ("new", "revisions", "target", "model")), abs=TOL)
        assert r["new_months"] == "2026-07" and r["year"] == 2026


def test_the_figures_are_those_each_run_showed(two_runs: dict) -> None:
    """growth_prev / p_prev are what run P said when it was made; growth_now / p_now what run C says now.

    The batch evaluated its float64 paths, the store keeps them as float32: equal to that rounding (a path
    sitting at the target may fall on the other side of it: one path of 200 is 0.005)."""
    t, prev, now = two_runs["table"], two_runs["prev"], two_runs["now"]
    before, after = prev.targets.set_index("region"), now.targets.set_index("region")
    for region in ("liaoning", "shenyang"):
        assert t.loc[region, "growth_prev"] == pytest.approx(before.loc[region, "projected"], abs=1e-5)
        assert t.loc[region, "p_prev"] == pytest.approx(before.loc[region, "probability"], abs=0.006)
        assert t.loc[region, "growth_now"] == pytest.approx(after.loc[region, "projected"], abs=1e-5)
        assert t.loc[region, "p_now"] == pytest.approx(after.loc[region, "probability"], abs=0.006)
    # read with the targets in force, run P would already carry the analyst's 3 %: as batched it keeps 5.5 %
    assert before.loc["shenyang", "target"] == 5.5
    assert load_run(prev.run_id, two_runs["ws"]["db"]).targets.set_index("region").loc["shenyang", "target"] == 3.0


def test_revision_part_is_exactly_zero_where_nothing_was_revised(two_runs: dict) -> None:
    t = two_runs["table"]
    assert t.loc["shenyang", "revised_months"] == "" and t.loc["shenyang", "d_growth_revisions"] == 0.0
    assert t.loc["shenyang", "d_p_revisions"] == 0.0
    assert t.loc["liaoning", "revised_months"] == "2026-06" and t.loc["liaoning", "d_growth_revisions"] != 0.0


def test_new_month_and_target_parts_by_hand_shenyang(two_runs: dict) -> None:
    """Shenyang, not revised: July's actual flow against P's paths; the target moved from 5.5 % to 3 %."""
    pub, t = published(), two_runs["table"].loc["shenyang"]
    fc = two_runs["prev"].forecasts[("shenyang", "retail")]
    v6, g6 = pub["shenyang", 2026, 6]
    v7, g7 = pub["shenyang", 2026, 7]
    dec, jun25, jul25 = (pub["shenyang", 2025, m][0] for m in (12, 6, 7))
    # P: B_12 = last December × (B_Jun / last June); growth of each path = (V_Jun + Σ Jul..Dec) / B_12 − 1
    g_p = growth(v6, flows_after(fc, "2026-07"), dec * (v6 / (1 + g6 / 100)) / jun25)
    # a: July's flow V_Jul − V_Jun is actual; July's release rescales B_12; P's paths for Aug..Dec
    b12 = dec * (v7 / (1 + g7 / 100)) / jul25
    g_a = growth(v6 + (v7 - v6), flows_after(fc, "2026-08"), b12)
    assert t["d_growth_new"] == pytest.approx(np.median(g_a) - np.median(g_p), abs=1e-9)
    assert t["d_p_new"] == pytest.approx(np.mean(g_a >= 5.5 - TOL) - np.mean(g_p >= 5.5 - TOL), abs=1e-12)
    # the target part: the same paths (C's data, P's paths), judged against 3 % instead of 5.5 %
    g_b = growth(v7, flows_after(fc, "2026-08"), b12)
    assert (t["target_prev"], t["target_now"], t["kind_prev"], t["kind"]) == (5.5, 3.0, "at_least", "about")
    assert t["d_p_target"] == pytest.approx(np.mean(g_b >= 3.0 - TOL) - np.mean(g_b >= 5.5 - TOL), abs=1e-12)
    assert t["d_p_target"] > 0 and t["d_growth_target"] == 0.0 and "target_changed" in t["flags"]
    assert t["target_status"] == "analyst" and "5.5% to 3%" in t["note"]


def test_new_month_and_revision_parts_by_hand_liaoning(two_runs: dict) -> None:
    """Liaoning: June revised by +3 亿元 (growth unchanged), then July. New: July's flow in C's vintage
    (V_Jul − revised V_Jun) on top of P's June; revisions: the rest of the move to C's figures."""
    pub, t = published(), two_runs["table"].loc["liaoning"]
    fc = two_runs["prev"].forecasts[("liaoning", "retail")]
    v6, g6 = pub["liaoning", 2026, 6]
    v6c = float(f"{v6 + REVISED_BY:.1f}")
    v7, g7 = pub["liaoning", 2026, 7]
    dec, jun25, jul25 = (pub["liaoning", 2025, m][0] for m in (12, 6, 7))
    base = lambda v, g: v / (1 + g / 100)  # noqa: E731 - the comparable base of a release
    g_p = growth(v6, flows_after(fc, "2026-07"), dec * base(v6, g6) / jun25)
    b7_a = base(v6, g6) + (base(v7, g7) - base(v6c, g6))  # P's June base + July's base flow in C's vintage
    v7_a = v6 + (v7 - v6c)
    g_a = growth(v7_a, flows_after(fc, "2026-08"), dec * b7_a / jul25)
    g_b = growth(v7, flows_after(fc, "2026-08"), dec * base(v7, g7) / jul25)
    assert t["d_growth_new"] == pytest.approx(np.median(g_a) - np.median(g_p), abs=1e-9)
    assert t["d_growth_revisions"] == pytest.approx(np.median(g_b) - np.median(g_a), abs=1e-9)
    assert t["d_growth_revisions"] < 0  # V_Jun up 3 with July unchanged: July's own flow was 3 smaller


# ---------------------------------------------------------------------------------------------- the CLI
def test_cli_table_csv_and_exit_codes(two_runs: dict, capsys: pytest.CaptureFixture[str]) -> None:
    db, prev, now = str(two_runs["ws"]["db"]), two_runs["prev"], two_runs["now"]
    capsys.readouterr()
    assert main(["changes", "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"本期 {now.run_id}（数据至2026年7月）对比 上期 {prev.run_id}（数据至2026年6月）" in out
    for text in ("百分点", "沈阳", "社会消费品零售总额", "2026年7月", "5.5%以上→3%左右（分析员设定）", "修订：2026年6月",
                 "目标由5.5%调整为3%"):
        assert text in out
    shenyang = next(line for line in out.splitlines() if line.startswith("沈阳") and "%" in line)
    t = two_runs["table"].loc["shenyang"]
    assert f"{100 * t['p_prev']:.0f}" in shenyang.split() and f"{100 * t['d_p_target']:+.1f}" in shenyang.split()
    assert main(["changes", "latest", "--against", prev.run_id[:20], "--db", db, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Change (pp)" in out and "P(meet) now (%)" in out and "Shenyang" in out and "Jul 2026" in out
    assert main(["changes", now.run_id, "--db", db, "--format", "csv"]) == 0
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("region")
    assert list(csv.reset_index().columns) == CHANGE_COLUMNS
    for c in ("d_growth", "d_growth_new", "d_growth_revisions", "d_growth_model", "d_p_target", "p_now"):
        assert csv[c].to_numpy() == pytest.approx(two_runs["table"][c].to_numpy(), abs=1e-12)
    # the first run has nothing before it: a clear message and exit 2
    assert main(["changes", prev.run_id, "--db", db]) == 2
    err = capsys.readouterr().err
    assert "first complete run" in err and "--against" in err
    assert main(["changes", "--db", str(Path(db).parent / "missing.db")]) == 1  # no store
    assert main(["changes", "nosuchrun", "--db", db]) == 1


# ---------------------------------------------------------------------------------------------- small panels
def panel_of(region: str, indicator: str, rows: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """A panel of one series from ``period → (ytd_value, ytd_yoy)``."""
    obs = pd.DataFrame({"region": region, "indicator": indicator, "period": pd.PeriodIndex(list(rows), freq="M"),
                        "ytd_value": [v for v, _ in rows.values()], "ytd_yoy": [g for _, g in rows.values()]})
    return build_panel(obs)


def paths_from(region: str, indicator: str, first: str, last: str = "2026-12", n: int = 50, seed: int = 0,
               level: float = 100.0) -> FakeForecast:
    periods = pd.period_range(first, last, freq="M")
    periods = periods[periods.month != 1]  # the 11-period year: Jan–Feb is one period (month 2)
    paths = level * np.exp(np.random.default_rng(seed).normal(0, 0.05, (n, len(periods))))
    return FakeForecast(region, indicator, periods[0] - 1, periods, paths)


def year_rows(year: int, ytd: list[float], growth: float | list[float] = 5.0, upto: int = 12) -> dict:
    g = growth if isinstance(growth, list) else [growth] * 11
    return {f"{year}-{m:02d}": (v, gg) for m, v, gg in zip(range(2, 13), ytd, g, strict=True) if m <= upto}


LAST = [200.0 + 100.0 * k for k in range(11)]  # a 2025 with Jan–Feb 200 and 100 a month after: Dec 1200


def test_year_change_compares_both_runs_on_the_new_year() -> None:
    """P's data ended with December 2025 (2025 decided); C has Jan–Feb 2026: both are compared for 2026."""
    p_rows = year_rows(2024, [v / 1.05 for v in LAST]) | year_rows(2025, LAST)
    c_rows = p_rows | {"2026-02": (210.0, 4.0)}
    fp, fc = paths_from("liaoning", "retail", "2026-02"), paths_from("liaoning", "retail", "2026-03", seed=1)
    out = what_changed(panel_of("liaoning", "retail", p_rows), [fp], None,
                       panel_of("liaoning", "retail", c_rows), [fc], None).iloc[0]
    # P for 2026: nothing published yet, B_12 = December 2025's level; C: Jan–Feb's base ratio scales it
    g_p = growth(0.0, fp.paths.sum(axis=1), 1200.0)
    b12 = 1200.0 * (210.0 / 1.04) / 200.0
    g_a = growth(210.0, fp.paths[:, 1:].sum(axis=1), b12)
    assert out["growth_prev"] == pytest.approx(np.median(g_p), abs=1e-9)
    assert out["d_growth_new"] == pytest.approx(np.median(g_a) - np.median(g_p), abs=1e-9)
    assert out["d_growth_revisions"] == 0.0
    assert out["d_growth_model"] == pytest.approx(np.median(growth(210.0, fc.paths.sum(axis=1), b12)) - np.median(g_a))
    assert out["flags"].split(",")[:1] == ["year_change"] and out["new_months"] == "2026-02"
    assert "previous run's data ended in 2025-12" in out["note"] and "跨年" in change_note(out, "zh")


def test_december_decides_the_year() -> None:
    p_rows = year_rows(2025, [v / 1.05 for v in LAST]) | year_rows(2026, LAST, 5.0, upto=11)
    c_rows = p_rows | {"2026-12": (1260.0, 5.0)}
    fp, fc = paths_from("liaoning", "retail", "2026-12"), paths_from("liaoning", "retail", "2027-02", "2027-12")
    out = what_changed(panel_of("liaoning", "retail", p_rows), [fp], None,
                       panel_of("liaoning", "retail", c_rows), [fc], None).iloc[0]
    assert out["growth_now"] == 5.0 and out["d_growth_model"] == 0.0 and out["d_growth_revisions"] == 0.0
    assert out["d_growth_new"] == out["d_growth"]  # the whole change is December's release
    assert "decided" in out["flags"] and "December 2026 published" in out["note"]


def test_growth_only_fai_runs_on_the_chained_index() -> None:
    """fai: growth only. 2024 +10 % everywhere (index 10·t, Dec 110); 2025 −5 % to June, July −4 %:
    V_Jun = 50 × 0.95 = 47.5, V_Jul = 60 × 0.96 = 57.6, B_12 = 110 both times."""
    rows = {f"2024-{m:02d}": (np.nan, 10.0) for m in range(2, 13)} | \
           {f"2025-{m:02d}": (np.nan, -5.0) for m in range(2, 7)}
    fp = paths_from("liaoning", "fai", "2025-07", "2025-12", level=10.0)
    fc = paths_from("liaoning", "fai", "2025-08", "2025-12", level=11.0, seed=2)
    prev, now = panel_of("liaoning", "fai", rows), panel_of("liaoning", "fai", rows | {"2025-07": (np.nan, -4.0)})
    out = what_changed(prev, [fp], None, now, [fc], None).iloc[0]
    g_p, g_a = growth(47.5, fp.paths.sum(axis=1), 110.0), growth(57.6, fp.paths[:, 1:].sum(axis=1), 110.0)
    assert out["d_growth_new"] == pytest.approx(np.median(g_a) - np.median(g_p), abs=1e-9)
    assert out["d_growth_revisions"] == 0.0 and "index" in out["flags"] and "chained growth index" in out["note"]
    assert out["d_growth"] == pytest.approx(out["d_growth_new"] + out["d_growth_model"], abs=TOL)


def test_new_series_no_target_reference_and_removed_target() -> None:
    rows = year_rows(2025, [v / 1.05 for v in LAST]) | year_rows(2026, LAST, 5.0, upto=6)
    prev = panel_of("liaoning", "retail", rows)
    now = pd.concat([prev, panel_of("shenyang", "retail", rows), panel_of("liaoning", "trade", rows)],
                    ignore_index=True)
    fcs = {k: paths_from(*k, "2026-07") for k in [("liaoning", "retail"), ("shenyang", "retail"), ("liaoning", "trade")]}
    targets = pd.DataFrame({"region": ["liaoning"], "indicator": ["retail"], "year": [2026], "value": [5.0],
                            "kind": ["about"], "status": ["published"], "source": ["report"]})
    kept = (prev.copy(), now.copy(), targets.copy())
    out = what_changed(prev, {("liaoning", "retail"): fcs["liaoning", "retail"]}, targets, now, fcs, targets)
    out = out.set_index(["region", "indicator"])
    for frame, copy in zip((prev, now, targets), kept, strict=True):  # the inputs are not modified
        pd.testing.assert_frame_equal(frame, copy)
    new = out.loc[("shenyang", "retail")]
    assert "new_series" in new["flags"] and np.isnan(new["growth_prev"]) and np.isnan(new["d_growth"])
    assert np.isfinite(new["growth_now"]) and new["new_months"].startswith("2026-02,2026-03")
    assert new["target_status"] == "reference" and np.isfinite(new["p_now"])  # the province's 5 %, as a reference
    trade = out.loc[("liaoning", "trade")]
    assert trade["target_status"] == "no target" and "no_target" in trade["flags"] and trade["note"].startswith("new")
    assert np.isnan(trade["p_now"]) and np.isnan(trade["d_p"])
    same = out.loc[("liaoning", "retail")]  # same data, same paths: nothing changed
    assert same["d_growth"] == 0.0 and same["d_p"] == 0.0 and "no_new_month" in same["flags"]
    gone = what_changed(prev, fcs, targets, prev, fcs, targets.iloc[:0]).iloc[0]  # the target was removed
    assert "target_removed" in gone["flags"] and np.isfinite(gone["p_prev"]) and np.isnan(gone["d_p"])
    assert gone["target_status"] == "no target" and np.isnan(gone["p_now"])


def test_the_overview_column_the_series_section_and_the_pack_sheet_show_the_same_changes(two_runs: dict) -> None:
    """较上期 in the overview, the parts on the series page and the pack's sheet are the numbers of run_changes."""
    from openpyxl import load_workbook

    from forecast.app.overview_tables import change_parts, overview_frame, overview_table
    from forecast.export.pack import export_meeting_pack
    from forecast.runs.results import changes_since_previous, load_latest_run

    db = two_runs["ws"]["db"]
    now = load_latest_run(db)
    changes = changes_since_previous(now, db)
    table = two_runs["table"]
    frame = overview_frame(now)
    shown = overview_table(frame, "zh", changes)
    for region, value in zip(frame["region"], shown["较上期(百分点)"], strict=True):
        if frame.loc[frame["region"] == region, "indicator"].iloc[0] == "retail":
            assert value == pytest.approx(float(table.loc[region, "d_growth"]) if region in table.index else np.nan,
                                          nan_ok=True)
    parts = change_parts(changes, "shenyang", "retail", "en")
    assert parts.iloc[:4, 1].sum() == pytest.approx(parts.iloc[4, 1], abs=1e-9)   # the parts add up
    assert parts.iloc[4, 2] == pytest.approx(100 * float(table.loc["shenyang", "d_p"]))
    out = export_meeting_pack(now, two_runs["ws"]["root"] / "pack_changes.xlsx", changes=changes)
    sheet = list(load_workbook(out)["较上期"].iter_rows(values_only=True))
    rows = pd.DataFrame(sheet[1:], columns=sheet[0])
    sy = rows[(rows["地区"] == "沈阳") & (rows["指标"] == "社会消费品零售总额")].iloc[0]
    assert sy["增速变化(百分点)"] == pytest.approx(float(table.loc["shenyang", "d_growth"]), abs=1e-9)
    assert sy["概率：目标调整(百分点)"] == pytest.approx(100 * float(table.loc["shenyang", "d_p_target"]), abs=1e-9)
