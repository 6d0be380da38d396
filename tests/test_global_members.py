"""Global members of auto (forecast/engine/global_members.py): training without look-ahead, the panel gate,
``forecast_many`` and the batch, and the engine's handling of members without sample paths."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from common import lightgbm_or_skip, positive_panel

from forecast.data.errors import ModelError
from forecast.engine.auto import AutoConfig, auto_origins, run_series, run_series_variants, subseed
from forecast.engine.combine import combine
from forecast.engine.evaluation import relative_mae
from forecast.engine.global_members import avg_rel_mae, choose_variants, global_members, wants_globals
from forecast.engine.panel_forecast import forecast_many

#: Cheap global members for tests (the defaults train 500 rounds).
FAST_GLOBALS = (("g3", {"lag_years": 3, "n_rounds": 40, "min_data_in_leaf": 20}),
                ("g2", {"lag_years": 2, "n_rounds": 40, "min_data_in_leaf": 20, "seed": 1}))
CFG = AutoConfig(models=("ets", "snaive"), combination="mean", global_models=FAST_GLOBALS, global_min_series=8, model_paths=50)


def _panel(n_series=12, n=72, seed=0):
    return positive_panel(n_series, n, seed, noise=0.03, trend=0.003)


def test_relative_mae_by_hand():
    y = np.array([2.0, 4.0, 3.0, 5.0, 4.0, 7.0, 5.0])
    # origins 4 and 5, horizon 2, m = 2: seasonal naive forecasts y[t-2], y[t-1]
    fc = np.array([[4.0, 6.0], [7.0, 5.0]])
    naive = np.array([[3.0, 5.0], [5.0, 4.0]])
    actual = np.array([[4.0, 7.0], [7.0, 5.0]])
    expect = np.abs(actual - fc).mean() / np.abs(actual - naive).mean()   # 0.25 / 1.75
    assert relative_mae(y, [4, 5], fc, 2) == pytest.approx(expect)
    assert np.isnan(relative_mae(y, [1], fc[:1], 2))                       # origin shorter than a season


def test_a_member_without_paths_shares_the_mean_but_not_the_spread():
    rng = np.random.default_rng(3)
    actual = rng.normal(10, 1, (3, 4))
    bts = {"a": actual + 1.0, "g": actual - 1.0}
    means = {"a": np.full(4, 12.0), "g": np.full(4, 8.0)}
    paths = {"a": rng.normal(12, 2.0, (100, 4))}
    comb = combine(bts, means, paths, actual, n_paths=500, seed=1, cutoff=np.inf)
    assert comb.weights == {"a": 0.5, "g": 0.5}                             # equal backtest errors
    np.testing.assert_allclose(comb.mean, 10.0)
    np.testing.assert_allclose(comb.paths.mean(axis=0), comb.mean)
    np.testing.assert_allclose(comb.prior, paths["a"].std(axis=0))          # spread prior: "a" alone
    assert np.all(np.isfinite(comb.paths))


def test_wants_globals():
    assert wants_globals(8, "auto", CFG) and not wants_globals(7, "auto", CFG)
    assert not wants_globals(50, "ets", CFG) and not wants_globals(50, "auto", replace(CFG, global_models=()))


def test_global_backtest_never_trains_on_what_it_is_scored_on():
    lightgbm_or_skip()
    ys = _panel()
    h = 12
    extras, failed = global_members(ys, [h] * len(ys), 12, CFG)
    assert failed == {}
    bt_h, origins = auto_origins(ys[0].size, h, 12, CFG)
    for e in extras:
        assert set(e) == {"g3", "g2"}
        assert e["g3"][0].shape == (len(origins), bt_h) and e["g3"][1].shape == (h,)
        assert e["g3"][2]["model"] == "global_gbm" and e["g3"][2]["fitted"]["lags"] == 36
    # change every value from the first backtest origin on: the first origin's backtest must not move
    # (its model and its inputs end before it); the final forecasts must
    bumped = [np.r_[y[: origins[0]], y[origins[0] :] * 1.5] for y in ys]
    again, _ = global_members(bumped, [h] * len(ys), 12, CFG)
    for e, f in zip(extras, again, strict=True):
        np.testing.assert_array_equal(e["g3"][0][0], f["g3"][0][0])
        assert not np.allclose(e["g3"][1], f["g3"][1])


def test_a_series_with_a_non_positive_value_runs_without_global_members():
    lightgbm_or_skip()
    ys = _panel()
    ys[3] = ys[3].copy()
    ys[3][10] = 0.0
    extras, _ = global_members(ys, [6] * len(ys), 12, CFG)
    assert extras[3] == {} and all(set(e) == {"g3", "g2"} for i, e in enumerate(extras) if i != 3)


def test_variants_share_one_run_of_the_candidates():
    lightgbm_or_skip()
    from forecast.engine.models import MODELS

    ys = _panel()
    extras, _ = global_members(ys, [6] * len(ys), 12, CFG)
    local, both = run_series_variants(ys[0], 6, season_length=12, extra=extras[0], n_paths=100, seed=5, config=CFG)
    alone = run_series(ys[0], 6, season_length=12, n_paths=100, seed=5, config=CFG)
    np.testing.assert_array_equal(local.paths, alone.paths)
    assert set(both.weights) == {"ets", "snaive", "g3", "g2"} and set(local.weights) == {"ets", "snaive"}
    assert sum(both.weights.values()) == pytest.approx(1.0)
    # the published mean is the weighted mean of the members' final forecasts, global ones included
    finals = {nm: MODELS[nm](season_length=12).fit(ys[0]).predict(6) for nm in ("ets", "snaive")}
    finals.update({nm: extras[0][nm][1] for nm in ("g3", "g2")})
    np.testing.assert_allclose(both.mean, sum(w * finals[nm] for nm, w in both.weights.items()), rtol=1e-9)
    np.testing.assert_allclose(both.paths.mean(axis=0), both.mean, rtol=1e-9)
    assert both.models["g3"]["model"] == "global_gbm" and np.isfinite(both.metrics["rel_mae"])


def _result(rel, weights=None):
    return SimpleNamespace(metrics={"rel_mae": rel}, dropped={}, weights=weights or {})


def test_gate_admits_the_global_members_only_when_they_win_on_the_pooled_backtest():
    # consistently better on 4 of 4 series: ratios 0.8, 0.9, 0.875, 0.8 -> admitted
    pairs = [(replace_ns(_result(a)), replace_ns(_result(b))) for a, b in [(1.0, 0.8), (0.5, 0.45), (0.8, 0.7),
                                                                            (0.6, 0.48)]]
    pairs.append((replace_ns(_result(0.9)), None))                          # no global members here
    chosen, info = choose_variants(pairs, {}, ["g"])
    d = np.log([0.8, 0.9, 0.875, 0.8])
    assert info["admitted"] and info["series_compared"] == 4
    assert info["t_statistic"] == pytest.approx(d.mean() / (d.std(ddof=1) / 2))
    assert info["avg_rel_mae_with"] == pytest.approx(np.exp(np.mean(np.log([0.8, 0.45, 0.7, 0.48]))))
    assert all(chosen[i] is pairs[i][1] for i in range(4)) and chosen[4] is pairs[4][0]
    # a lower AvgRelMAE carried by one series, worse on the others: not enough evidence, not admitted
    mixed = [(replace_ns(_result(a)), replace_ns(_result(b))) for a, b in [(1.0, 0.3), (0.5, 0.55), (0.8, 0.85)]]
    chosen, info = choose_variants(mixed, {"g2": "ModelError: no lightgbm"}, ["g"])
    assert info["avg_rel_mae_with"] < info["avg_rel_mae_without"] and not info["admitted"]
    assert chosen[0].metrics == mixed[0][0].metrics and "panel gate" in chosen[0].dropped["g"]
    assert "paired t" in chosen[0].dropped["g"]
    assert chosen[1].dropped["g2"] == "global model not trained: ModelError: no lightgbm"


def replace_ns(ns):
    """A frozen-dataclass stand-in that ``dataclasses.replace`` accepts."""
    from forecast.engine.auto import ForecastResult

    return ForecastResult(mean=np.zeros(1), paths=np.zeros((1, 1)), weights=ns.weights, dropped=ns.dropped,
                          flags=(), metrics=ns.metrics, method="auto")


def test_avg_rel_mae_is_a_geometric_mean_of_the_usable_values():
    assert avg_rel_mae([_result(0.25), _result(4.0), _result(float("nan")), _result(0.0)]) == pytest.approx(1.0)
    assert np.isnan(avg_rel_mae([]))


def test_forecast_many_below_the_threshold_is_forecast_series_on_each():
    ys = _panel(n_series=3)
    fcs = forecast_many(ys, 6, n_paths=80, seed=4, config=CFG)
    for i, (y, fc) in enumerate(zip(ys, fcs, strict=True)):
        alone = run_series(y, 6, season_length=12, n_paths=80, seed=subseed(4, "series", i), config=CFG)
        np.testing.assert_array_equal(fc.paths, alone.paths)
    _, gate = forecast_many(ys, 6, n_paths=80, seed=4, config=CFG, return_gate=True)
    assert gate is None


def test_forecast_many_with_global_members_is_reproducible_and_gated():
    lightgbm_or_skip()
    ys = _panel()
    fcs, gate = forecast_many(ys, 6, n_paths=80, seed=4, config=CFG, return_gate=True)
    again = forecast_many(ys, 6, n_paths=80, seed=4, config=CFG)
    for a, b in zip(fcs, again, strict=True):
        np.testing.assert_array_equal(a.paths, b.paths)
    assert gate["series_compared"] == len(ys) and gate["failed"] == {}
    published = avg_rel_mae(fcs)
    assert np.isfinite(gate["t_statistic"])
    if gate["admitted"]:
        assert all("g3" in fc.weights for fc in fcs) and published == pytest.approx(gate["avg_rel_mae_with"])
    else:
        assert all("panel gate" in fc.dropped["g3"] for fc in fcs)
        assert published == pytest.approx(gate["avg_rel_mae_without"])


def test_a_global_model_that_cannot_train_is_reported_and_changes_nothing(monkeypatch):
    ys = _panel()

    class Broken:
        def __init__(self, **kw):
            pass

        def fit(self, series, h):
            raise ModelError("the global model needs lightgbm")

    monkeypatch.setattr("forecast.engine.global_members.GlobalGBM", Broken)
    fcs, gate = forecast_many(ys, 6, n_paths=80, seed=4, config=CFG, return_gate=True)
    plain = forecast_many(ys, 6, n_paths=80, seed=4, config=replace(CFG, global_models=()))
    assert not gate["admitted"] and set(gate["failed"]) == {"g3", "g2"}
    for fc, p in zip(fcs, plain, strict=True):
        np.testing.assert_array_equal(fc.paths, p.paths)
        assert fc.dropped["g2"] == "global model not trained: ModelError: the global model needs lightgbm"


@pytest.mark.slow
def test_batch_trains_the_global_members_once_and_matches_forecast_panel(tmp_path: Path):
    """The batch fits series one task at a time; its gated results equal forecast_panel's on the panel."""
    lightgbm_or_skip()
    from batch_helpers import make_workspace

    from forecast.data.panel import build_panel
    from forecast.engine.panel_forecast import forecast_panel
    from forecast.runs.batch import BatchSettings, run_batch
    from forecast.runs.batch.log import RunLog
    from forecast.runs.results import load_run
    from forecast.runs.store import Store

    ws = make_workspace(tmp_path, regions=("liaoning", "shenyang", "dalian"))
    log = tmp_path / "run.log"
    settings = BatchSettings(n_paths=60, seed=3, models=("theta", "snaive"), reconcile="none", artifacts=False,
                             global_min_series=3)
    with open(log, "w", encoding="utf-8") as stream:
        report = run_batch(ws["db"], input_dir=ws["input"], models_dir=ws["models"], targets_path=ws["targets"],
                           scenarios_dir=ws["scenarios"], settings=settings, log=RunLog(stream, progress=False),
                           spread_path="none")  # the stored paths are the engine's, to compare with forecast_panel
    assert report.exit_code == 0
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    gate = [e for e in events if e["event"] == "global_gate"]
    series = [e for e in events if e["event"] == "series"]
    assert len(gate) == 1 and len(series) == 3 and gate[0]["series_compared"] == 3
    names = [e["event"] for e in events]
    assert names == ["run_start", "global_members", "fitted", "fitted", "fitted", "global_gate",
                     "series", "series", "series", "run_end"]
    assert [e["done"] for e in events if e["event"] == "fitted"] == [1, 2, 3]
    labels = {"global_gbm", "global_gbm_2y"}
    for e in series:
        assert labels <= set(e["weights"]) if gate[0]["admitted"] else labels <= set(e["dropped"])
    run = load_run(report.run_id, ws["db"])
    panel = build_panel(Store(ws["db"]).observations(), periods_per_year=11)
    direct, direct_gate = forecast_panel(panel, n_paths=60, seed=3, return_gate=True,
                                         config=AutoConfig(models=("theta", "snaive"), global_min_series=3))
    assert direct_gate["admitted"] == gate[0]["admitted"]
    assert direct_gate["avg_rel_mae_with"] == pytest.approx(gate[0]["avg_rel_mae_with"])
    for key, fc in direct.items():
        np.testing.assert_allclose(run.forecasts[key].paths, fc.paths, rtol=1e-6)  # stored as float32


def test_forecast_many_names_the_bad_series():
    from forecast.data.errors import DataError

    with pytest.raises(DataError, match="series 1 of forecast_many"):
        forecast_many([np.arange(1.0, 30.0), [1.0, float("nan"), 2.0]], 3, season_length=3)


def test_a_panel_without_positive_series_has_no_global_members():
    ys = [np.r_[-1.0, np.ones(40)] for _ in range(10)]
    extras, failed = global_members(ys, [6] * 10, 12, CFG)
    assert extras == [{}] * 10 and set(failed) == {"g3", "g2"} and "positive" in failed["g3"]


def test_extra_members_must_match_the_series_backtest_plan():
    from forecast.data.errors import DataError

    y = _panel(n_series=1)[0]
    bt_h, origins = auto_origins(y.size, 6, 12, CFG)
    good = (np.ones((len(origins), bt_h)), np.ones(6), {})
    assert run_series(y, 6, season_length=12, n_paths=20, config=CFG, extra={"g": good}).weights["g"] > 0
    with pytest.raises(DataError, match="extra member 'g'"):
        run_series(y, 6, season_length=12, n_paths=20, config=CFG, extra={"g": (np.ones((1, 6)), np.ones(6), {})})


def test_a_series_too_short_for_a_backtest_gets_no_global_members():
    y = _panel(n_series=1, n=30)[0]                       # 30 < 6 + 2 * 12 + 1: no backtest origin
    assert auto_origins(y.size, 6, 12, CFG) == (0, [])
    local, both = run_series_variants(y, 6, season_length=12, extra={"g": (np.empty((0, 0)), np.ones(6), {})},
                                      n_paths=20, config=CFG)
    assert both is None and "no_backtest" in local.flags
