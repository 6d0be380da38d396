"""The batch service: store schema v2, run round trips, skip-when-unchanged, artifacts, CLI commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_helpers import add_month, make_workspace, run_args

from forecast.cli.main import main
from forecast.data.errors import DataError
from forecast.decisions.targets import full_year_growth_paths
from forecast.engine.auto import AutoConfig
from forecast.engine.panel_forecast import forecast_panel
from forecast.runs.batch import BatchSettings, outcome_of, run_batch
from forecast.runs.results import load_latest_run, load_run
from forecast.runs.store import MIGRATIONS, SCHEMA_VERSION, Store, expected_tables
from forecast.runs.store.codec import (
    decode_columns,
    decode_rows,
    encode_columns,
    encode_rows,
    paths_blob,
    paths_from_blob,
)


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A workspace after one complete run (liaoning + shenyang retail, data to 2026-06)."""
    ws = make_workspace(tmp_path_factory.mktemp("batch"))
    assert main(run_args(ws)) == 0
    return ws


# ---------------------------------------------------------------------- schema and codec
def test_each_migration_adds_its_tables_and_keeps_the_earlier_ones() -> None:
    assert [v for v, _ in MIGRATIONS] == [1, 2, 3, 4] and SCHEMA_VERSION == 4
    assert expected_tables(1) == {"schema_version", "ingests", "observations"}
    added = expected_tables(2) - expected_tables(1)
    assert added == {"runs", "run_series", "forecasts", "sample_paths", "backtest_metrics", "run_targets",
                     "scenarios", "run_scenarios", "scenario_results", "run_frames"}
    assert expected_tables(3) - expected_tables(2) == {"audit"}
    assert expected_tables(4) - expected_tables(3) == {"target_history"}


def test_a_version_1_store_is_migrated_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for sql in MIGRATIONS[0][1]:
        conn.execute(sql)
    conn.execute("INSERT INTO schema_version VALUES (1, 'then')")
    conn.execute("INSERT INTO ingests VALUES (1, 'f.csv', ?, 'then', 1, 0)", ("a" * 64,))
    conn.execute("INSERT INTO observations VALUES ('liaoning', 'retail', '2025-02', '', 1850.3, 3.5, "
                 "'published', '', 1)")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    obs = store.observations()
    assert obs[["region", "ytd_value", "ytd_yoy"]].values.tolist() == [["liaoning", 1850.3, 3.5]]
    assert store.runs().empty and store.latest_run_id() is None


def test_paths_blob_is_float32_and_round_trips() -> None:
    rng = np.random.default_rng(1)
    paths = rng.normal(100, 10, size=(7, 3))
    n, h, blob = paths_blob(paths)
    assert (n, h, len(blob)) == (7, 3, 7 * 3 * 4)  # 4 bytes per float32
    back = paths_from_blob(blob, n, h)
    assert back.dtype == np.float64 and np.array_equal(back, paths.astype(np.float32).astype(np.float64))
    assert np.max(np.abs(back - paths)) < 1e-4 * 100  # float32 keeps ~7 significant digits


def test_frames_round_trip_with_periods_nan_and_bools() -> None:
    frame = pd.DataFrame({
        "region": ["liaoning", "shenyang"], "last_period": pd.PeriodIndex(["2026-06", None], freq="M"),
        "x": [1.25, np.nan], "n": np.array([3, 4], dtype="int64"), "flag": [True, False], "note": ["", "说明"],
    })
    spec, rows = encode_rows(frame)
    pd.testing.assert_frame_equal(decode_rows(spec, rows), frame)
    spec, blob = encode_columns(frame)
    pd.testing.assert_frame_equal(decode_columns(spec, blob), frame)


def test_settings_are_normalised_and_checked() -> None:
    s = BatchSettings(regions=("沈阳市", "Liaoning"), indicators=("社零",), fail_series=("沈阳/retail",)).normalised()
    assert (s.regions, s.indicators, s.fail_series) == (("liaoning", "shenyang"), ("retail",), ("shenyang/retail",))
    with pytest.raises(DataError, match="n_paths"):
        BatchSettings(n_paths=1).normalised()
    with pytest.raises(DataError, match="reconcile"):
        BatchSettings(reconcile="pin").normalised()


# ---------------------------------------------------------------------- a run, read back
def test_run_is_stored_and_read_back(done: dict) -> None:
    run = load_latest_run(done["db"])
    assert run is not None and run.status == "complete"
    assert sorted(run.forecasts) == [("liaoning", "retail"), ("shenyang", "retail")]
    assert list(run.discrepancies) == [("discrepancy", "retail")]
    assert run.data_vintage == pd.Period("2026-06", "M")
    assert run.settings["n_paths"] == 200 and run.settings["models"] == ["theta", "snaive"]
    assert run.finished >= run.started
    # after June, 2026 has Jul…Dec (6 periods) and 2027 its 11: h = 17
    fc = run.forecasts[("shenyang", "retail")]
    assert fc.paths.shape == (200, 17) and str(fc.periods[0]) == "2026-07" and str(fc.periods[6]) == "2027-02"
    assert fc.last_period == pd.Period("2026-06", "M") and fc.outcome == "ok"
    assert set(fc.weights) == {"theta", "snaive"} and sum(fc.weights.values()) == pytest.approx(1.0)
    assert run.metrics.set_index("region").loc["shenyang", "n_origins"] == 3.0


def test_stored_paths_are_the_engines_paths_in_float32(done: dict) -> None:
    run = load_latest_run(done["db"])
    # refit shenyang in this process with the run's settings: same seed → same paths
    panel_sy = run.panel[run.panel["region"] == "shenyang"]
    fresh = forecast_panel(panel_sy, n_paths=200, seed=7, config=AutoConfig(models=("theta", "snaive")))
    expect = fresh[("shenyang", "retail")].paths
    assert np.array_equal(run.forecasts[("shenyang", "retail")].paths, expect.astype(np.float32).astype(float))


def test_province_is_reconciled_bottom_up_on_every_path(done: dict) -> None:
    run = load_latest_run(done["db"])
    prov, city = run.forecasts[("liaoning", "retail")], run.forecasts[("shenyang", "retail")]
    disc = run.discrepancies[("discrepancy", "retail")]
    # province = Σ cities + discrepancy on every path (float32 storage: relative error ~1e-7)
    np.testing.assert_allclose(prov.paths, city.paths + disc.paths, rtol=1e-6)
    assert prov.raw_paths is not None and prov.raw_paths.shape == prov.paths.shape  # the engine's, kept
    assert city.raw_paths is None  # unchanged by reconciliation: not stored twice


def test_target_probability_is_the_share_of_paths_at_or_above_target(done: dict) -> None:
    run = load_latest_run(done["db"])
    row = run.targets.set_index("region").loc["shenyang"]
    assert (row["target"], row["kind"]) == (5.5, "at_least")
    growth = full_year_growth_paths(run.panel[run.panel["region"] == "shenyang"],
                                    run.forecasts[("shenyang", "retail")], 2026)
    assert row["probability"] == pytest.approx(np.mean(growth >= 5.5), abs=1 / 200)
    assert row["projected"] == pytest.approx(np.median(growth), abs=0.01)
    # dalian has a target but no data in this store: kept, with a note and no figures
    assert run.targets.set_index("region").loc["dalian", "note"] == "no data for this series"


def test_saved_scenario_is_evaluated_and_stored(done: dict) -> None:
    run = load_latest_run(done["db"])
    table = run.scenarios["shenyang_push"]
    assert set(table["scenario"]) == {"baseline", "shenyang_push"}
    base = table[table["scenario"] == "baseline"].set_index("region")
    push = table[table["scenario"] == "shenyang_push"].set_index("region")
    # +3 % on Aug–Dec flows raises shenyang's full-year growth; delta = scenario − baseline
    assert push.loc["shenyang", "delta_projected"] == pytest.approx(
        push.loc["shenyang", "projected"] - base.loc["shenyang", "projected"])
    assert push.loc["shenyang", "delta_projected"] > 0
    assert run.scenario_specs["shenyang_push"]["name_zh"] == "沈阳促消费"
    with sqlite3.connect(done["db"]) as conn:
        assert conn.execute("SELECT name FROM scenarios").fetchall() == [("shenyang_push",)]


def test_artifacts_are_json_per_series_with_a_manifest(done: dict) -> None:
    run = load_latest_run(done["db"])
    folder = done["models"] / run.run_id
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == run.run_id and len(manifest["series"]) == 2
    sy = json.loads((folder / "shenyang__retail.json").read_text(encoding="utf-8"))
    assert set(sy["models"]) == {"theta", "snaive"}
    assert sy["models"]["theta"]["model"] == "theta" and "alpha" in sy["models"]["theta"]["fitted"]
    assert sy["models"]["snaive"]["fitted"]["lag"] == 11  # the 11-period year
    assert not [p for p in done["models"].iterdir() if p.name.startswith(".tmp-")]


def test_second_run_changes_nothing_and_says_so(done: dict, capsys: pytest.CaptureFixture[str]) -> None:
    before = Store(done["db"]).runs()
    log = done["root"] / "second.log"
    assert main(run_args(done, "--log-file", str(log))) == 0
    assert "nothing changed" in capsys.readouterr().out
    pd.testing.assert_frame_equal(Store(done["db"]).runs(), before)
    assert not log.exists() or "series" not in log.read_text()  # no series was fitted


@pytest.mark.slow
def test_other_settings_are_a_new_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = make_workspace(tmp_path)
    log = tmp_path / "run.log"
    assert main(run_args(ws, "--log-file", str(log))) == 0
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    series = [e for e in events if e["event"] == "series"]
    assert [(e["region"], e["outcome"]) for e in series] == [("liaoning", "ok"), ("shenyang", "ok")]
    assert [e["event"] for e in events] == ["run_start", "series", "series", "run_end"]
    assert events[-1]["status"] == "complete" and events[0]["run_id"] == events[-1]["run_id"]
    first = load_latest_run(ws["db"]).run_id
    assert main(run_args(ws, "--seed", "8")) == 0  # another seed: not the same run
    second = load_latest_run(ws["db"])
    assert second.run_id != first and second.settings["seed"] == 8
    add_month(ws, (2026, 7))  # a new release lands: the data hash changes
    capsys.readouterr()
    assert main(run_args(ws, "--seed", "8")) == 0
    assert "c_2026_07.csv: 2 rows added" in capsys.readouterr().out
    third = load_latest_run(ws["db"])
    assert third.data_vintage == pd.Period("2026-07", "M") and third.data_hash != second.data_hash
    assert load_run(first, ws["db"]).settings["seed"] == 7  # history stays readable
    assert Store(ws["db"]).runs()["status"].tolist() == ["complete"] * 3


@pytest.mark.slow
def test_force_runs_again_with_identical_results(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert main(run_args(ws)) == 0
    first = load_latest_run(ws["db"])
    assert main(run_args(ws, "--force")) == 0
    again = load_latest_run(ws["db"])
    assert again.run_id != first.run_id and again.data_hash == first.data_hash
    for key, fc in first.forecasts.items():
        assert np.array_equal(fc.paths, again.forecasts[key].paths)
    pd.testing.assert_frame_equal(first.targets, again.targets)


def test_run_ids_and_subset(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    report = run_batch(ws["db"], input_dir=ws["input"], models_dir=ws["models"], targets_path=ws["targets"],
                       scenarios_dir=ws["scenarios"],
                       settings=BatchSettings(n_paths=50, seed=1, models=("snaive",), regions=("shenyang",),
                                              artifacts=False))
    assert (report.status, report.exit_code) == ("complete", 0)
    run = load_run(report.run_id[:12], ws["db"])  # a unique prefix is enough
    assert list(run.forecasts) == [("shenyang", "retail")] and not run.discrepancies
    assert not (ws["models"] / run.run_id).exists()
    # the scenario names only shenyang: it applies to this subset
    assert "shenyang_push" in run.scenarios


def test_a_broken_or_unfitting_scenario_is_recorded_and_the_run_goes_on(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    ws = make_workspace(tmp_path)
    (ws["scenarios"] / "broken.yaml").write_text("name: broken\nadjustments: [{kind: nope}]\n", encoding="utf-8")
    (ws["scenarios"] / "far.yaml").write_text(
        "name: far\nadjustments:\n  - {kind: pp, indicator: retail, regions: [dalian], months: 2026-08..2026-09, "
        "value: 1}\n", encoding="utf-8")
    assert main(run_args(ws)) == 0
    out = capsys.readouterr().out
    run = load_latest_run(ws["db"])
    assert set(run.scenarios) == {"shenyang_push"}
    assert run.scenario_errors["broken"].startswith("invalid file broken.yaml")
    assert "no forecast for dalian/retail" in run.scenario_errors["far"]  # dalian has no data in this store
    assert "scenario broken: not applied" in out and "scenario far: not applied" in out


def test_a_series_the_engine_cannot_forecast_is_stored_as_failed(done: dict, tmp_path: Path) -> None:
    from forecast.engine.auto import SeriesForecast
    from forecast.runs.batch.assemble import assemble_run
    from forecast.runs.batch.tasks import fit_series
    from forecast.runs.store import runs as store_runs

    run = load_latest_run(done["db"])
    settings = BatchSettings(n_paths=200, seed=7, models=("snaive",), artifacts=False).normalised()
    task = {"region": "shenyang", "indicator": "retail", "panel": run.panel[run.panel["region"] == "shenyang"],
            "h": None, "n_paths": 200, "seed": 7, "periods_per_year": 11, "method": "auto", "models": ("snaive",),
            "fail": False, "artifacts": False}
    ok = fit_series(task)
    broken = SeriesForecast(mean=np.zeros(0), paths=np.zeros((200, 0)), weights={}, dropped={}, metrics={},
                            flags=("failed: DataError: dalian/retail: no finite period values",), method="auto",
                            region="dalian", indicator="retail")
    results = [ok, {"forecast": broken, "seconds": 0.0, "artifacts": {}, "worker": "here"}]
    payload, outcomes = assemble_run("r1", run.panel, results, run.target_table, [], settings)
    assert [(o["region"], o["outcome"]) for o in outcomes] == [("shenyang", "ok"), ("dalian", "failed")]
    store = Store(tmp_path / "t.db")
    with store.transaction() as conn:
        store_runs.insert_running(conn, "r1", "2026-01-01T00:00:00+00:00", "h" * 64, "test", settings.to_dict(), "2026-06")
    with store.transaction() as conn:
        store_runs.write_complete(conn, payload)
    back = load_run("r1", store)
    assert list(back.forecasts) == [("shenyang", "retail")] and back.fallback == [("dalian", "retail")]
    assert back.metrics.set_index("region").loc["dalian", "flags"].startswith("failed: DataError")
    assert store.runs().iloc[0][["n_series", "n_failed", "n_fallback"]].tolist() == [2, 1, 0]


# ---------------------------------------------------------------------- command line
def test_cli_runs_show_and_scenario(done: dict, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(done["db"])
    run = load_latest_run(db)
    capsys.readouterr()
    assert main(["runs", "--db", db]) == 0
    out = capsys.readouterr().out
    assert run.run_id in out and "complete" in out
    assert main(["show", run.run_id, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2 series (2 ok, 0 fallback, 0 failed)" in out and "沈阳" in out and "达标概率(%)" in out
    assert main(["scenario", "run", str(done["scenarios"] / "shenyang_push.yaml"), "--db", db]) == 0
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.startswith("沈阳"))
    stored = run.scenarios["shenyang_push"]
    delta = stored[(stored["scenario"] == "shenyang_push") & (stored["region"] == "shenyang")]["delta_projected"]
    assert row[4] == f"{float(delta.iloc[0]):+.1f}"  # the command applies the scenario as the batch did
    assert main(["show", "nope", "--db", db]) == 1
    assert "forecast runs" in capsys.readouterr().err


def test_bad_input_exits_2_and_records_no_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = make_workspace(tmp_path)
    (ws["input"] / "broken.csv").write_text("地区,指标,时期,累计值,累计增长\n沈阳,社会消费品零售总额,2026年1-7月,abc,1\n",
                                            encoding="utf-8")
    assert main(run_args(ws)) == 2
    err = capsys.readouterr().err
    assert "broken.csv" in err and "row 2" in err and "Traceback" not in err
    assert Store(ws["db"]).runs().empty and Store(ws["db"]).counts()["observations"] == 0
    assert main(run_args(ws, "--workers", "0")) == 2
    assert main(["run", "--input", str(tmp_path / "missing"), "--db", str(ws["db"])]) == 2


def test_outcome_of_flags() -> None:
    assert outcome_of(()) == "ok" and outcome_of(("few_origins",)) == "ok"
    assert outcome_of(("fallback_snaive",)) == "fallback"
    assert outcome_of(("failed: DataError: no finite period values",)) == "failed"
