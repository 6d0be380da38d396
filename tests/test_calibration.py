"""The panel-wide spread calibration: learnt scales, scaled paths, the table file and the batch applying it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_helpers import make_workspace, run_args

from forecast.cli.main import main
from forecast.data.errors import DataError
from forecast.data.spread_table import COLUMNS, load_spread_scales
from forecast.engine.calibration import (
    apply_spread_scales,
    learn_spread_scales,
    needed_scale,
    scale_paths,
    shrunk_scale,
)
from forecast.engine.result import SeriesForecast
from forecast.runs.results import load_latest_run


def _cases(needs: dict[tuple[int, str], list[float]], origin: int = 5) -> pd.DataFrame:
    """Cases with mean 0 and the interval [-10, 10] whose outcomes need exactly the given scales (sign alternating)."""
    rows = []
    for (year, ind), values in needs.items():
        for i, v in enumerate(values):
            rows.append({"year": year, "origin": origin, "indicator": ind, "mean": 0.0, "p10": -10.0, "p90": 10.0,
                         "actual": v * 10.0 * (1 if i % 2 else -1)})
    return pd.DataFrame(rows)


def test_needed_scale_is_the_miss_in_halves_of_the_interval_on_the_outcomes_side() -> None:
    # asymmetric interval around the mean 2: 4 below, 8 above
    got = needed_scale([14.0, -6.0, 2.0, 4.0], [2.0] * 4, [-2.0] * 4, [10.0] * 4)
    assert got.tolist() == [12 / 8, 8 / 4, 0.0, 2 / 8]


def test_shrunk_scale_is_the_80_percent_quantile_pulled_toward_the_pool_on_the_log_scale() -> None:
    needs = np.arange(1, 11, dtype=float) / 10  # 0.1 … 1.0: numpy's 0.8 quantile is 0.82
    assert shrunk_scale(needs, pooled=5.0, n0=0) == pytest.approx(np.quantile(needs, 0.8))
    # n = n0: the geometric mean of the group's quantile and the pool
    assert shrunk_scale(needs, pooled=2.0, n0=10) == pytest.approx(np.sqrt(0.82 * 2.0))
    assert shrunk_scale([np.nan], pooled=1.3) == 1.3


def test_learnt_scale_covers_80_percent_of_its_own_cases_when_not_shrunk() -> None:
    rng = np.random.default_rng(3)
    cases = _cases({(2025, "fai"): list(rng.uniform(0, 3, 50)), (2025, "retail"): list(rng.uniform(0, 0.6, 50))})
    table = learn_spread_scales(cases, n0=0)
    for ind, grp in cases.groupby("indicator"):
        s = table.loc[table["indicator"] == ind, "scale"].item()
        lo, hi = grp["mean"] + s * (grp["p10"] - grp["mean"]), grp["mean"] + s * (grp["p90"] - grp["mean"])
        covered = ((grp["actual"] >= lo - 1e-9) & (grp["actual"] <= hi + 1e-9)).mean()
        assert covered == pytest.approx(0.8, abs=0.021)
    fai, retail = (table.loc[table["indicator"] == i, "scale"].item() for i in ("fai", "retail"))
    assert fai > 1 > retail  # fai's intervals were too narrow, retail's too wide
    assert table["cases"].tolist() == [50, 50] and set(table["years"]) == {"2025-2025"}


def test_only_the_last_window_of_years_is_learnt_on() -> None:
    old_storm = {(2019, "fai"): [5.0] * 20, (2020, "fai"): [5.0] * 20}
    calm = {(2024, "fai"): [0.5] * 20, (2025, "fai"): [0.5] * 20}
    table = learn_spread_scales(_cases({**old_storm, **calm}), window=2, n0=0)
    assert table["scale"].item() == pytest.approx(0.5) and table["years"].item() == "2024-2025"
    everything = learn_spread_scales(_cases({**old_storm, **calm}), window=None, n0=0)
    assert everything["scale"].item() == pytest.approx(5.0)  # half the cases need 5: the 0.8 quantile is 5


def test_scaled_paths_keep_the_mean_and_scale_every_deviation_exactly() -> None:
    rng = np.random.default_rng(0)
    paths = rng.normal(100, 5, (400, 6))
    out = scale_paths(paths, 1.7)
    np.testing.assert_allclose(out.mean(axis=0), paths.mean(axis=0))
    q = np.quantile(paths, (0.1, 0.9), axis=0)
    q_out = np.quantile(out, (0.1, 0.9), axis=0)
    np.testing.assert_allclose(q_out - paths.mean(axis=0), 1.7 * (q - paths.mean(axis=0)))
    # any linear summary (e.g. the YTD sum of the remaining periods) has its spread scaled by exactly s
    assert out.sum(axis=1).std() == pytest.approx(1.7 * paths.sum(axis=1).std())


def _fc(indicator: str, last: str, paths: np.ndarray) -> SeriesForecast:
    return SeriesForecast(mean=paths.mean(axis=0), paths=paths, weights={"x": 1.0}, dropped={}, flags=(),
                          metrics={"mase": 1.0}, method="auto", region="dalian", indicator=indicator,
                          last_period=pd.Period(last, "M"), periods=pd.period_range(last, periods=3, freq="M") + 1)


def test_apply_scales_each_series_by_its_indicator_and_origin_month() -> None:
    paths = np.random.default_rng(1).normal(10, 2, (300, 3))
    table = pd.DataFrame({"indicator": ["fai", "fai", "retail"], "origin": [5, 6, 5], "scale": [1.5, 0.5, 0.8]})
    fcs = {("dalian", "fai"): _fc("fai", "2026-05", paths), ("dalian", "retail"): _fc("retail", "2026-06", paths),
           ("dalian", "trade"): _fc("trade", "2026-05", paths)}
    out = apply_spread_scales(fcs, table)
    fai = out[("dalian", "fai")]
    np.testing.assert_allclose(fai.paths.std(axis=0), 1.5 * paths.std(axis=0))
    np.testing.assert_allclose(fai.mean, paths.mean(axis=0))
    assert fai.metrics == {"mase": 1.0, "spread_scale": 1.5} and not fai.paths.flags.writeable
    # retail at June and trade have no row: untouched (the same objects)
    assert out[("dalian", "retail")] is fcs[("dalian", "retail")] and out[("dalian", "trade")] is fcs[("dalian", "trade")]
    assert apply_spread_scales(fcs, None)[("dalian", "fai")] is fcs[("dalian", "fai")]


def test_table_file_round_trips_and_bad_cells_name_row_and_column(tmp_path: Path) -> None:
    table = learn_spread_scales(_cases({(2024, "fai"): [0.5, 1.5] * 10, (2025, "retail"): [0.2] * 20}))
    path = tmp_path / "spread_scales.csv"
    table.to_csv(path, index=False)
    back = load_spread_scales(path)
    assert list(back.columns) == list(COLUMNS)
    np.testing.assert_allclose(back["scale"], table["scale"])
    assert back["indicator"].tolist() == table["indicator"].tolist()
    bad = table.copy()
    bad["scale"] = bad["scale"].astype(object)
    bad.loc[1, "scale"] = "wide"
    bad.loc[0, "indicator"] = "gdp"
    bad.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        load_spread_scales(path)
    where = {(p.row, p.column) for p in err.value.problems}
    assert where == {(2, "indicator"), (3, "scale")}
    assert all(p.file == "spread_scales.csv" and p.code for p in err.value.problems)
    path.write_text("indicator,origin\nfai,5\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing columns"):
        load_spread_scales(path)
    with pytest.raises(DataError, match="not found"):
        load_spread_scales(tmp_path / "nope.csv")


def test_missing_default_table_means_no_calibration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path))
    assert load_spread_scales() is None


def test_bundled_table_is_valid_and_learnt_on_the_two_latest_years() -> None:
    table = load_spread_scales(Path(__file__).resolve().parents[1] / "data" / "spread_scales.csv")
    assert set(table["indicator"]) == {"fai", "retail", "trade", "exports", "imports"}
    assert sorted(set(table["origin"])) == list(range(2, 12)) and set(table["years"]) == {"2024-2025"}


@pytest.mark.slow
def test_batch_scales_the_engines_paths_and_a_new_table_is_a_new_run(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert main(run_args(ws)) == 0  # run_args switches the table off
    plain = load_latest_run(ws["db"])
    table = tmp_path / "spread.csv"
    pd.DataFrame({"indicator": ["retail"], "origin": [6], "scale": [2.0], "cases": [30], "pooled": [1.0],
                  "years": ["2024-2025"]}).to_csv(table, index=False)
    args = run_args(ws)
    args[args.index("--spread-table") + 1] = str(table)
    assert main(args) == 0
    scaled = load_latest_run(ws["db"])
    assert scaled.run_id != plain.run_id and scaled.data_hash != plain.data_hash
    a, b = plain.forecasts[("shenyang", "retail")].paths, scaled.forecasts[("shenyang", "retail")].paths
    np.testing.assert_allclose(b.mean(axis=0), a.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(b.std(axis=0), 2.0 * a.std(axis=0), rtol=1e-4)
    # both series were scaled before reconciliation (the province is then the cities' sum plus the rest)
    assert all(scaled.forecasts[k].metrics["spread_scale"] == 2.0 for k in scaled.forecasts)
    assert all("spread_scale" not in plain.forecasts[k].metrics for k in plain.forecasts)
    # the run with the same table again changes nothing
    assert main(args) == 0 and load_latest_run(ws["db"]).run_id == scaled.run_id


# ---------------------------------------------------------------- the panel-wide calibration of forecast_many
def _result(misses: np.ndarray | None, seed: int = 0, h: int = 4):
    from forecast.engine.result import ForecastResult

    paths = np.random.default_rng(seed).normal(50.0, 3.0, (400, h))
    paths = paths - paths.mean(axis=0) + 50.0
    return ForecastResult(mean=paths.mean(axis=0), paths=paths, weights={"a": 1.0}, dropped={}, flags=(),
                          metrics={}, method="auto", misses=misses)


def test_loo_misses_match_the_loo_coverage_metric() -> None:
    from forecast.engine.combine import loo_coverage, loo_misses

    e = np.random.default_rng(4).normal(0, 1, (4, 6)) * np.arange(1, 7)
    m = loo_misses(e, None)
    assert m.shape == (4, 6) and loo_coverage(e, None) == pytest.approx(np.mean(m <= 1))
    assert loo_misses(e[:1], None) is None and loo_misses(None, None) is None


def test_calibrate_panel_takes_the_panels_scale_per_horizon_and_shrinks_each_series_toward_it() -> None:
    from forecast.engine.calibration import calibrate_panel

    base = np.array([2.0, 2.0, 3.0])  # misses per backtest horizon: the panel's 0.8 quantile is this
    results = [_result(np.tile(base, (3, 1)), seed=i) for i in range(25)]
    wild = _result(np.tile(2 * base, (3, 1)), seed=99)  # twice the panel's misses on its 3 origins
    short = _result(None, seed=98)  # no backtest to learn from
    out = calibrate_panel([*results, wild, short, None])
    sd0 = results[0].paths.std(axis=0)
    # horizon 4 is beyond the backtest: the last backtest horizon's scale
    np.testing.assert_allclose(out[0].paths.std(axis=0), sd0 * [2, 2, 3, 3], rtol=1e-9)
    np.testing.assert_allclose(out[0].paths.mean(axis=0), results[0].mean)
    # its own factor 2, learnt on 3 origins, shrunk toward 1 with 4 pseudo-origins: 2 ** (3 / 7)
    np.testing.assert_allclose(out[25].paths.std(axis=0), wild.paths.std(axis=0) * [2, 2, 3, 3] * 2 ** (3 / 7))
    np.testing.assert_allclose(out[26].paths.std(axis=0), short.paths.std(axis=0) * [2, 2, 3, 3])
    assert out[27] is None and out[26].metrics["spread_scale"] == pytest.approx(2.5)
    # too few series with a backtest: nothing changes
    few = calibrate_panel(results[:5])
    assert all(a is b for a, b in zip(few, results[:5], strict=True))


def test_forecast_many_calibrates_across_the_collection_unless_told_not_to() -> None:
    from forecast.engine.auto import AutoConfig
    from forecast.engine.panel_forecast import forecast_many

    rng = np.random.default_rng(8)
    ys = [50 + 5 * np.sin(np.arange(60) * np.pi / 6) + rng.normal(0, 2 + i % 3, 60).cumsum() * 0.3 for i in range(22)]
    cfg = AutoConfig(models=("snaive", "naive"), global_models=())
    on = forecast_many(ys, 6, season_length=12, n_paths=100, config=cfg)
    off = forecast_many(ys, 6, season_length=12, n_paths=100,
                        config=AutoConfig(models=("snaive", "naive"), global_models=(), panel_calibration=False))
    assert all("spread_scale" in f.metrics for f in on) and not any("spread_scale" in f.metrics for f in off)
    ratios = []
    for a, b in zip(on, off, strict=True):
        np.testing.assert_allclose(a.mean, b.mean)
        ratio = a.paths.std(axis=0) / b.paths.std(axis=0)
        assert a.metrics["spread_scale"] == pytest.approx(ratio.mean(), rel=1e-6)
        ratios.append(ratio)
    assert not np.allclose(ratios, 1.0)  # the calibration changed the spread
