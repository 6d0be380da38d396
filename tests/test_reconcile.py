"""Reconciliation: province = Σ cities + discrepancy and trade = exports + imports on every sample path.

Panels here are built by hand (no revisions: growth is computed from levels, so the comparable base of a
period is last year's flow), which keeps every expected number checkable on paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.data.errors import DataError
from forecast.decisions import targets
from forecast.decisions.reconcile import (
    DISCREPANCY,
    PathSet,
    discrepancy_history,
    forecast_discrepancy,
    reconcile,
    shrink_covariance,
)

LAST = pd.Period("2026-10", "M")
P = "liaoning"


def season_periods(year: int) -> list[pd.Period]:
    return [pd.Period(year=year, month=m, freq="M") for m in range(2, 13)]


def make_panel(flows: dict[tuple[str, str], dict[int, list[float]]], is_index: bool = False) -> pd.DataFrame:
    """Panel columns from period flows per year (11 values, or fewer for the year in progress)."""
    rows = []
    for (r, ind), years in flows.items():
        prev_ytd = prev_f = None
        for y in sorted(years):
            f = np.asarray(years[y], dtype=float)
            ytd = np.cumsum(f)
            for k, p in enumerate(season_periods(y)[: len(f)]):
                g = (ytd[k] / prev_ytd[k] - 1) * 100 if prev_ytd is not None else np.nan
                base = ytd[k] / (1 + g / 100) if np.isfinite(g) else np.nan
                rows.append({"region": r, "indicator": ind, "period": p, "year": y, "season": k + 1,
                             "ytd_value": ytd[k], "ytd_yoy": g, "ytd_base": base, "value": f[k],
                             "base": prev_f[k] if prev_ytd is not None else np.nan, "is_index": is_index})
            prev_ytd, prev_f = ytd, f
    df = pd.DataFrame(rows)
    df["period"] = df["period"].astype("period[M]")
    return df


def fc(region: str, ind: str, paths, periods=("2026-11", "2026-12")) -> PathSet:
    return PathSet(region, ind, LAST, pd.PeriodIndex(list(periods), freq="M"), np.asarray(paths, dtype=float))


def synthetic(seed: int = 0, n_paths: int = 50, cities=("shenyang", "dalian", "anshan"),
              inds=("retail", "trade", "exports", "imports")):
    """A small panel (2023–Oct 2026) and noisy 13-period forecasts that are NOT coherent."""
    rng = np.random.default_rng(seed)
    size = {P: 1000.0, **{c: 300.0 / (i + 1) for i, c in enumerate(cities)}}
    share = {"retail": 1.0, "trade": 1.0, "exports": 0.6, "imports": 0.4}
    flows = {}
    for ind in inds:
        for r in size:
            flows[(r, ind)] = {y: list(size[r] * share[ind] * 1.05 ** (y - 2023) / 12
                                       * np.r_[2, np.ones(10)] * (1 + 0.03 * rng.normal(size=11)))[: 9 if y == 2026 else 11]
                               for y in (2023, 2024, 2025, 2026)}
    panel = make_panel(flows)
    periods = ["2026-11", "2026-12"] + [str(p) for p in season_periods(2027)]
    fcs = {}
    for (r, ind), ys in flows.items():
        mean = np.r_[ys[2025][-2:], ys[2025]] * 1.05
        fcs[(r, ind)] = fc(r, ind, mean * (1 + 0.05 * rng.normal(size=(n_paths, len(periods)))), periods)
    return panel, fcs


def gap(out, ind):
    cities = [r for (r, i) in out if i == ind and r not in (P, DISCREPANCY)]
    return out[(P, ind)].paths - sum(out[(c, ind)].paths for c in cities) - out[(DISCREPANCY, ind)].paths


# -- hand-computed examples ---------------------------------------------------------------------------------
def tiny_panel(d_by_year=(10.0, 10.0, 10.0)):
    """Two cities; the discrepancy is d every period of 2023–2025 (province = 50 + 40 + d)."""
    flows = {}
    for y, d in zip((2023, 2024, 2025), d_by_year, strict=True):
        flows.setdefault(("shenyang", "retail"), {})[y] = [50.0] * 11
        flows.setdefault(("dalian", "retail"), {})[y] = [40.0] * 11
        flows.setdefault((P, "retail"), {})[y] = [90.0 + d] * 11
    return make_panel(flows)


def test_bottom_up_by_hand():
    # discrepancy history: 10 in every period of 3 years → mean 10, no deviation → no noise.
    panel = tiny_panel()
    fcs = {("shenyang", "retail"): fc("shenyang", "retail", [[51.0, 52.0], [49.0, 47.0]]),
           ("dalian", "retail"): fc("dalian", "retail", [[41.0, 40.0], [39.0, 38.0]]),
           (P, "retail"): fc(P, "retail", [[200.0, 0.0], [1.0, 2.0]])}
    out = reconcile(fcs, panel, method="bottom_up")
    np.testing.assert_array_equal(out[(DISCREPANCY, "retail")].paths, [[10.0, 10.0], [10.0, 10.0]])
    # province = shenyang + dalian + 10: 51+41+10 = 102, 52+40+10 = 102; 49+39+10 = 98, 47+38+10 = 95
    np.testing.assert_array_equal(out[(P, "retail")].paths, [[102.0, 102.0], [98.0, 95.0]])
    np.testing.assert_array_equal(out[("shenyang", "retail")].paths, fcs[("shenyang", "retail")].paths)
    assert out[(DISCREPANCY, "retail")].region == DISCREPANCY


def test_mint_by_hand_with_uncorrelated_paths():
    # Centred columns [2,2,-2,-2], [1,-1,1,-1], [1,-1,-1,1] are orthogonal → every sample correlation is
    # 0 → Schäfer–Strimmer λ = 1 → W = diag(4, 1, 1, 0) (population variances; the discrepancy is the
    # constant 10). MinT with diagonal W moves series i by −w_i·c_i·gap / Σ w_j c_j², i.e. the province by
    # −4/6 of the gap and each city by +1/6 of it.
    panel = tiny_panel()
    prov = 112 + 2 * np.array([1, 1, -1, -1.0])
    sy = 50 + np.array([1, -1, 1, -1.0])
    dl = 40 + np.array([1, -1, -1, 1.0])
    fcs = {(P, "retail"): fc(P, "retail", prov[:, None], ["2026-11"]),
           ("shenyang", "retail"): fc("shenyang", "retail", sy[:, None], ["2026-11"]),
           ("dalian", "retail"): fc("dalian", "retail", dl[:, None], ["2026-11"])}
    out = reconcile(fcs, panel, method="mint_shrink")
    # gaps = prov − sy − dl − 10 = [114−51−41−10, 114−49−39−10, 110−51−39−10, 110−49−41−10] = [12, 16, 10, 10]
    g = np.array([12.0, 16.0, 10.0, 10.0])
    np.testing.assert_allclose(out[(P, "retail")].paths[:, 0], prov - 4 * g / 6, rtol=1e-7)  # 106, 103.33, …
    np.testing.assert_allclose(out[("shenyang", "retail")].paths[:, 0], sy + g / 6, rtol=1e-7)  # 53, 51.67, …
    np.testing.assert_allclose(out[("dalian", "retail")].paths[:, 0], dl + g / 6, rtol=1e-7)
    np.testing.assert_allclose(out[(DISCREPANCY, "retail")].paths[:, 0], 10.0, rtol=1e-7)
    assert out[(P, "retail")].paths[0, 0] == pytest.approx(106.0)  # 114 − 4·12/6


def test_discrepancy_forecast_by_hand():
    # November discrepancies 2022..2025: 100 (too old: only the last 3 years count), 8, 10, 12 → mean 10;
    # deviations −2, 0, 2 scaled by sqrt(3/2) (one mean estimated from 3 values) → ±2.449…, 0.
    hist = pd.Series([100.0, 8.0, 10.0, 12.0], index=pd.PeriodIndex(["2022-11", "2023-11", "2024-11", "2025-11"], freq="M"))
    paths = forecast_discrepancy(hist, pd.PeriodIndex(["2026-11"], freq="M"), 400, seed=1)
    allowed = {10.0, 10 - 2 * np.sqrt(1.5), 10 + 2 * np.sqrt(1.5)}
    assert all(min(abs(v - a) for a in allowed) < 1e-12 for v in paths.ravel())
    assert len({round(v, 9) for v in paths.ravel()}) == 3
    # a month with no history (December) takes the mean of every kept value: here the single 8
    assert np.unique(forecast_discrepancy(hist.iloc[1:2], pd.PeriodIndex(["2026-12"], freq="M"), 3)).tolist() == [8.0]


def test_discrepancy_history_needs_every_city():
    panel = tiny_panel((10.0, 12.0, 14.0))
    h = discrepancy_history(panel, "retail", ("shenyang", "dalian"))
    assert h.loc[pd.Period("2024-05", "M")] == pytest.approx(12.0)  # 102 − 50 − 40
    assert discrepancy_history(panel, "retail", ("shenyang", "dalian", "anshan")).empty


def test_pin_growth_by_hand():
    # 2025: province flows 100 per period → full year 1100 = B_12 (no revision). 2026 Jan–Oct: 9 × 100 = 900
    # (Jan–Feb is one period of 100 here). Pin 10 % → full-year total 1210 → Nov + Dec must sum to 310.
    flows = {}
    for y, n in ((2024, 11), (2025, 11), (2026, 9)):
        flows[(P, "retail")] = {**flows.get((P, "retail"), {}), y: [100.0] * n}
        flows[("shenyang", "retail")] = {**flows.get(("shenyang", "retail"), {}), y: [60.0] * n}
        flows[("dalian", "retail")] = {**flows.get(("dalian", "retail"), {}), y: [35.0] * n}  # discrepancy 5
    panel = make_panel(flows)
    fcs = {(P, "retail"): fc(P, "retail", [[100.0, 100.0], [100.0, 100.0]]),
           ("shenyang", "retail"): fc("shenyang", "retail", [[60.0, 60.0], [60.0, 60.0]]),  # no variance
           ("dalian", "retail"): fc("dalian", "retail", [[30.0, 40.0], [40.0, 50.0]])}  # variance 25 in both
    out = reconcile(fcs, panel, method="pin", indicator="retail", pin=10.0)
    # bottom-up: province Nov+Dec = (60+30+5)+(60+40+5) = 200 on path 0 and 220 on path 1 → gaps 110 and 90.
    # Only Dalian varies (25 in Nov, 25 in Dec) → it carries the whole gap, half in each month.
    np.testing.assert_allclose(out[("dalian", "retail")].paths, [[30 + 55, 40 + 55], [40 + 45, 50 + 45]])
    np.testing.assert_array_equal(out[("shenyang", "retail")].paths, fcs[("shenyang", "retail")].paths)
    np.testing.assert_allclose(out[(P, "retail")].paths.sum(axis=1), [310.0, 310.0])
    g = targets.full_year_growth_paths(panel[panel.region == P], out[(P, "retail")], 2026)
    np.testing.assert_allclose(g, [10.0, 10.0])
    assert np.allclose(gap(out, "retail"), 0)
    level = reconcile(fcs, panel, method="pin", pin={"retail": {"level": 1150.0}})
    np.testing.assert_allclose(level[(P, "retail")].paths.sum(axis=1), [250.0, 250.0])  # 1150 − 900


# -- properties -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["bottom_up", "mint_shrink", "pin"])
def test_coherent_on_every_path(method):
    panel, fcs = synthetic(seed=3)
    out = reconcile(fcs, panel, method=method, pin={"retail": 6.0, "trade": 4.0})
    for ind in ("retail", "trade", "exports", "imports"):
        assert np.abs(gap(out, ind)).max() < 1e-9
    for r in (P, "shenyang", "dalian", "anshan", DISCREPANCY):
        t, e, i = (out[(r, x)].paths for x in ("trade", "exports", "imports"))
        assert np.abs(t - e - i).max() < 1e-9
    if method == "pin":
        for ind, g in (("retail", 6.0), ("trade", 4.0)):
            got = targets.full_year_growth_paths(panel[(panel.region == P) & (panel.indicator == ind)], out[(P, ind)], 2026)
            np.testing.assert_allclose(got, g)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_paths=st.integers(1, 12), method=st.sampled_from(["bottom_up", "mint_shrink"]))
def test_coherence_property(seed, n_paths, method):
    panel, fcs = synthetic(seed=seed, n_paths=n_paths, cities=("shenyang", "dalian"), inds=("retail", "trade", "exports", "imports"))
    out = reconcile(fcs, panel, method=method, seed=seed)
    for ind in ("retail", "trade", "exports", "imports"):
        scale = np.abs(out[(P, ind)].paths).max()
        assert np.abs(gap(out, ind)).max() <= 1e-10 * scale
    t, e, i = (out[(P, x)].paths for x in ("trade", "exports", "imports"))
    assert np.abs(t - e - i).max() <= 1e-10 * np.abs(t).max()


def test_inputs_not_modified_and_bottom_up_idempotent():
    panel, fcs = synthetic(seed=5)
    before = {k: v.paths.copy() for k, v in fcs.items()}
    panel_before = panel.copy()
    once = reconcile(fcs, panel, method="bottom_up", seed=1)
    twice = reconcile(once, panel, method="bottom_up", seed=2)  # the discrepancy is reused, not redrawn
    for k, v in fcs.items():
        np.testing.assert_array_equal(v.paths, before[k])
    pd.testing.assert_frame_equal(panel, panel_before)
    for k in once:
        np.testing.assert_allclose(twice[k].paths, once[k].paths, rtol=0, atol=1e-12)


def test_mint_keeps_the_mean_reconciled_and_moves_less_certain_series():
    panel, fcs = synthetic(seed=7, n_paths=400)
    out = reconcile(fcs, panel, method="mint_shrink", indicator="retail")
    assert ("shenyang", "trade") in out and out[("shenyang", "trade")] is fcs[("shenyang", "trade")]  # out of scope
    assert (DISCREPANCY, "trade") not in out
    assert np.abs(gap(out, "retail")).max() < 1e-9
    assert "MinT" in " ".join(out[(P, "retail")].notes)


def test_shrink_covariance_matches_the_formula():
    # Schäfer–Strimmer λ* = Σ_{i≠j} Var(r_ij) / Σ_{i≠j} r_ij², with Var(r_ij) = n/(n−1)³ · Σ_k (w_kij − w̄_ij)²
    # on standardised data (w_kij = x_ki x_kj); written here with loops, independently of the module.
    x = np.random.default_rng(4).normal(size=(7, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1.0]])
    n, m = x.shape
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / n
    xs = xc / np.sqrt(np.diag(s))
    num = den = 0.0
    for i in range(m):
        for j in range(m):
            if i != j:
                w = xs[:, i] * xs[:, j]
                num += n / (n - 1) ** 3 * ((w - w.mean()) ** 2).sum()
                den += w.mean() ** 2
    lam = min(1.0, num / den)
    got, got_lam = shrink_covariance(x)
    assert got_lam == pytest.approx(lam)
    np.testing.assert_allclose(got, lam * np.diag(np.diag(s)) + (1 - lam) * s)


def test_no_history_keeps_the_province():
    panel = tiny_panel()
    panel = panel[panel.region != "dalian"]  # no history of province − Σ cities
    fcs = {(P, "retail"): fc(P, "retail", [[100.0, 101.0]]), ("shenyang", "retail"): fc("shenyang", "retail", [[50.0, 51.0]]),
           ("dalian", "retail"): fc("dalian", "retail", [[40.0, 30.0]])}
    out = reconcile(fcs, panel)
    np.testing.assert_array_equal(out[(P, "retail")].paths, [[100.0, 101.0]])
    np.testing.assert_array_equal(out[(DISCREPANCY, "retail")].paths, [[10.0, 20.0]])
    assert "no history" in out[(DISCREPANCY, "retail")].notes[-1]


def test_errors():
    panel = tiny_panel()
    good = {(P, "retail"): fc(P, "retail", [[1.0, 2.0]]), ("dalian", "retail"): fc("dalian", "retail", [[1.0, 2.0]])}
    with pytest.raises(DataError, match="method='topdown'"):
        reconcile(good, panel, method="topdown")
    with pytest.raises(DataError, match="which indicator"):
        reconcile(good, panel, method="pin", pin=5.0)
    with pytest.raises(DataError, match="needs pin"):
        reconcile(good, panel, method="pin")
    with pytest.raises(DataError, match=r"pin for \['fai'\]"):
        reconcile(good, panel, method="pin", pin={"fai": 5.0})
    bad = {**good, ("dalian", "retail"): fc("dalian", "retail", [[1.0, 2.0, 3.0]], ["2026-11", "2026-12", "2027-02"])}
    with pytest.raises(DataError, match="dalian/retail has periods 2026-11..2027-02"):
        reconcile(bad, panel)
