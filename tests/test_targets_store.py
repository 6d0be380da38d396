"""Targets with provenance in the store: the bundled file, ``forecast targets``, history, and readers that
evaluate the stored paths against the targets in force at once (no refit, no batch)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from batch_helpers import make_workspace, run_args

from forecast.cli.main import main
from forecast.data.files import DATA_DIR
from forecast.data.target_table import load_targets
from forecast.decisions.targets import full_year_growth_paths
from forecast.runs.results import load_latest_run
from forecast.runs.store import Store
from forecast.runs.store.audit import audit_log


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """One complete run: liaoning + shenyang + dalian retail and trade, data to 2026-06; targets: liaoning retail
    5 (published), shenyang retail 5.5 以上 (published), dalian retail 4 (analyst)."""
    ws = make_workspace(tmp_path_factory.mktemp("targets"))
    assert main(run_args(ws)) == 0
    return ws


def csv_out(capsys) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(capsys.readouterr().out))


def hand_probability(run, region: str, indicator: str, target: float) -> float:
    rows = run.panel[(run.panel["region"] == region) & (run.panel["indicator"] == indicator)]
    growth = full_year_growth_paths(rows, run.forecasts[(region, indicator)], 2026)
    return float(np.mean(growth >= target - 1e-9))


def test_the_bundled_2026_targets_are_the_published_ones_only(tmp_path, capsys):
    db = tmp_path / "t.db"
    Store(db).seed_targets(load_targets(DATA_DIR / "targets.csv"))
    assert main(["targets", "list", "--year", "2026", "--format", "csv", "--db", str(db)]) == 0
    listed = csv_out(capsys)
    # 辽政发〔2026〕2号: retail 4% 左右, and no fixed-asset-investment or foreign-trade target; no city target
    assert listed[["region", "indicator", "year", "value", "kind", "status"]].values.tolist() == [
        ["liaoning", "retail", 2026, 4.0, "about", "published"]]
    assert "assumed" not in set(listed["status"]) and listed["source"].str.startswith("http").all()


def test_seeding_twice_adds_nothing_and_a_changed_file_is_a_new_version(tmp_path):
    store = Store(tmp_path / "t.db")
    table = load_targets(DATA_DIR / "targets.csv")
    assert store.seed_targets(table) == len(table) and store.seed_targets(table) == 0
    changed = table.copy()
    changed.loc[(changed["region"] == "liaoning") & (changed["indicator"] == "retail") & (changed["year"] == 2026),
                "value"] = 4.5
    assert store.seed_targets(changed) == 1
    hist = store.target_history("liaoning", "retail", 2026)
    assert hist["value"].tolist() == [4.0, 4.5] and hist["action"].tolist() == ["seed", "seed"]


def test_a_target_set_changes_show_at_once_and_history_keeps_both(done, capsys):
    db = str(done["db"])
    before = load_latest_run(db)
    n_runs = len(Store(db, create=False).runs())
    row = before.targets.set_index(["region", "indicator"]).loc[("shenyang", "retail")]
    assert (row["target"], row["target_status"]) == (5.5, "published")
    assert row["probability"] == pytest.approx(hand_probability(before, "shenyang", "retail", 5.5), abs=1e-12)

    assert main(["targets", "set", "沈阳", "社零", "2026", "1.5", "--kind", "about", "--source",
                 "市里内部口径 (test)", "--who", "wang", "--db", db]) == 0
    capsys.readouterr()
    after = load_latest_run(db)
    assert after.run_id == before.run_id and len(Store(db, create=False).runs()) == n_runs  # no refit, no run
    row = after.targets.set_index(["region", "indicator"]).loc[("shenyang", "retail")]
    assert (row["target"], row["kind"], row["target_status"]) == (1.5, "about", "analyst")
    p = hand_probability(after, "shenyang", "retail", 1.5)
    assert row["probability"] == pytest.approx(p, abs=1e-12) and p != before.targets.set_index(
        ["region", "indicator"]).loc[("shenyang", "retail"), "probability"]
    assert main(["show", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert "1.5%左右（分析员设定）" in shown and f"{100 * p:.0f}" in shown

    assert main(["targets", "history", "shenyang", "retail", "2026", "--db", db]) == 0
    hist = capsys.readouterr().out.splitlines()[2:]
    assert len(hist) == 2 and "seed" in hist[0] and "5.5%以上" in hist[0] and "set" in hist[1] and "wang" in hist[1]
    trail = audit_log(Store(db, create=False), action="target_change")
    assert trail[["who", "what", "before", "after"]].values.tolist()[-1] == ["wang", "2026 shenyang retail",
                                                                             "5.5 at_least", "1.5 about"]
    # a target change needs no batch: the next `forecast run` finds nothing to do
    assert main(run_args(done)) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_unset_leaves_no_verdict_and_the_province_target_as_a_reference(done, capsys):
    db = str(done["db"])
    assert main(["targets", "unset", "shenyang", "retail", "2026", "--source", "口径撤回 (test)", "--who", "li",
                 "--db", db]) == 0
    capsys.readouterr()
    run = load_latest_run(db)
    row = run.targets.set_index(["region", "indicator"]).loc[("shenyang", "retail")]
    # shenyang has no target of its own any more: the province's (5 左右) is shown as a reference, no verdict
    assert (row["target"], row["target_status"], row["status"]) == (5.0, "reference", "reference")
    assert row["probability"] == pytest.approx(hand_probability(run, "shenyang", "retail", 5.0), abs=1e-12)
    assert main(["targets", "list", "--year", "2026", "--format", "csv", "--db", db]) == 0
    assert "shenyang" not in set(csv_out(capsys)["region"])
    assert Store(db, create=False).target_history("shenyang", "retail", 2026)["action"].iloc[-1] == "unset"


@pytest.mark.parametrize("argv, message", [
    (["targets", "set", "沈杨", "retail", "2026", "5", "--kind", "about", "--source", "x"], "unknown region"),
    (["targets", "set", "shenyang", "gdp", "2026", "5", "--kind", "about", "--source", "x"], "indicator"),
    (["targets", "set", "shenyang", "retail", "2026", "nan", "--kind", "about", "--source", "x"], "not a number"),
    (["targets", "set", "shenyang", "retail", "2026", "5", "--kind", "about", "--source", "  "], "source"),
    (["targets", "unset", "anshan", "retail", "2026", "--source", "x"], "nothing to unset"),
])
def test_bad_target_input_exits_2_with_a_message_and_changes_nothing(done, capsys, argv, message):
    db = str(done["db"])
    before = Store(db, create=False).target_history()
    assert main([*argv, "--db", db]) == 2
    assert message in capsys.readouterr().err
    pd.testing.assert_frame_equal(Store(db, create=False).target_history(), before)


def test_a_missing_source_or_kind_is_a_usage_error(done, capsys):
    for argv in (["targets", "set", "shenyang", "retail", "2026", "5", "--kind", "about"],
                 ["targets", "set", "shenyang", "retail", "2026", "5", "--source", "x"],
                 ["targets", "set", "shenyang", "retail", "2026", "5", "--kind", "roughly", "--source", "x"]):
        assert main([*argv, "--db", str(done["db"])]) == 2
        assert "error" in capsys.readouterr().err


def test_command_line_writes_are_audited_too(done, tmp_path, capsys):
    """`forecast ingest` and `forecast run` write to the store: the audit trail names them, as the app's writes."""
    from batch_helpers import add_month

    db = str(done["db"])
    new = add_month(done, (2026, 7))
    assert main(["ingest", str(new), "--db", db]) == 0
    assert main(run_args(done)) == 0
    capsys.readouterr()
    trail = audit_log(Store(db, create=False))
    ingest = trail[trail["action"] == "ingest"].iloc[-1]
    assert ingest["who"].startswith("cli:") and ingest["what"] == new.name and ingest["after"].endswith("rows added")
    run = trail[trail["action"] == "run_start"].iloc[-1]
    assert run["after"].startswith(load_latest_run(db).run_id) and run["after"].endswith("(complete)")
