"""The bundled sample data: published figures reproduced, identities, shape, plausibility, provenance.

The table is read with pandas directly (strings), so these tests do not depend on ``forecast.data.files``;
the last test also parses it with ``forecast.data.files.load_bundled`` when that exists.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.data.catalog import CITIES, INDICATORS, PROVINCE, REGIONS

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "observations" / "liaoning_ytd.csv"
FACTS = ROOT / "data" / "published_figures.csv"
TARGETS = ROOT / "data" / "targets.csv"
HEADER = ["地区", "指标", "时期", "累计值", "累计增长", "状态", "来源"]
ZH_REGION = {r.zh: code for code, r in REGIONS.items()}
ZH_IND = {i.zh: code for code, i in INDICATORS.items()}
PERIOD = re.compile(r"^(\d{4})年1-(\d{1,2})月$")


def _script():
    spec = importlib.util.spec_from_file_location("make_bundled_data", ROOT / "scripts" / "make_bundled_data.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(TABLE, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def table(raw: pd.DataFrame) -> pd.DataFrame:
    """The table with codes, year/month and numbers."""
    ym = raw["时期"].str.extract(PERIOD).astype(int)
    return pd.DataFrame({
        "region": raw["地区"].map(ZH_REGION), "indicator": raw["指标"].map(ZH_IND),
        "year": ym[0], "month": ym[1],
        "level": pd.to_numeric(raw["累计值"].replace("", np.nan)),
        "growth": pd.to_numeric(raw["累计增长"].replace("", np.nan)),
        "status": raw["状态"], "source": raw["来源"],
    })


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return pd.read_csv(FACTS, dtype=str, keep_default_na=False)


def _wide(table: pd.DataFrame, col: str) -> pd.DataFrame:
    """region × indicator columns, (year, month) rows."""
    return table.pivot_table(index=["year", "month"], columns=["region", "indicator"], values=col)


def test_header_and_codes(raw: pd.DataFrame, table: pd.DataFrame) -> None:
    assert list(raw.columns) == HEADER
    assert table["region"].notna().all() and table["indicator"].notna().all()
    assert raw["时期"].str.match(PERIOD).all()


def test_every_published_figure_is_reproduced_exactly(table: pd.DataFrame, facts: pd.DataFrame) -> None:
    # e.g. province retail 2018: 14142.8 亿元 and +6.7%; fai 2025: −19.0%; trade 2023: 7659.6 亿元, −3.1%.
    rows = facts[facts["kind"] != "target_growth_pct"]
    assert len(rows) > 150
    idx = table.set_index(["region", "indicator", "year", "month"])
    for f in rows.itertuples():
        row = idx.loc[(f.region, f.indicator, int(f.period[:4]), int(f.period[5:]))]
        col = "level" if f.kind.endswith("level") else "growth"
        assert row[col] == pytest.approx(float(f.value), abs=1e-9), f
        assert f.source in row["source"], f


def test_named_december_figures(table: pd.DataFrame) -> None:
    idx = table.set_index(["region", "indicator", "year", "month"])
    expect = {  # (region, indicator, year): (level or None, growth or None), from the issue
        ("liaoning", "retail", 2018): (14142.8, 6.7), ("liaoning", "fai", 2018): (None, 3.7),
        ("liaoning", "fai", 2025): (None, -19.0), ("liaoning", "retail", 2025): (None, 1.4),
        ("liaoning", "trade", 2018): (7545.9, 11.8), ("liaoning", "trade", 2023): (7659.6, -3.1),
        ("liaoning", "exports", 2018): (3214.9, 5.7), ("liaoning", "imports", 2023): (4124.0, None),
        ("liaoning", "exports", 2024): (None, 6.8), ("dalian", "retail", 2018): (3722.5, 9.2),
        ("huludao", "retail", 2023): (286.5, 7.0), ("shenyang", "retail", 2024): (4372.6, 4.0),
    }
    for (region, ind, year), (level, growth) in expect.items():
        row = idx.loc[(region, ind, year, 12)]
        if level is not None:
            assert row["level"] == level
        if growth is not None:
            assert row["growth"] == growth
        # published only when every number the row shows is real (fai shows growth only from 2018)
        complete = growth is not None and (level is not None or ind == "fai")
        assert row["status"] == ("published" if complete else "generated"), (region, ind, year)


def test_trade_is_exports_plus_imports_on_levels(table: pd.DataFrame) -> None:
    lv = _wide(table, "level")
    for region in REGIONS:
        t, e, i = (lv[(region, x)] for x in ("trade", "exports", "imports"))
        # levels are rounded to 0.1, so the identity is exact to floating error
        assert (t - (e + i)).abs().max() < 1e-6, region


def test_eleven_periods_a_year_ending_2026_10(table: pd.DataFrame) -> None:
    per = table.groupby(["region", "indicator", "year"]).size().unstack("year")
    assert per.shape[0] == len(REGIONS) * len(INDICATORS)
    assert (per.loc[:, 2015:2025] == 11).all().all()
    assert (per[2026] == 9).all()
    months = table[table["year"] < 2026].groupby(["region", "indicator", "year"])["month"].apply(list)
    assert all(m == list(range(2, 13)) for m in months)  # Jan–Feb is one row (month 2), no January
    last = table.groupby(["region", "indicator"])[["year", "month"]].max()
    assert (last["year"] == 2026).all() and (table[table["year"] == 2026]["month"].max() == 10)


def test_cities_sum_close_to_province(table: pd.DataFrame) -> None:
    lv = _wide(table, "level")
    for ind in ("retail", "exports", "imports"):
        ratio = sum(lv[(c, ind)] for c in CITIES) / lv[(PROVINCE, ind)]
        assert (ratio - 1).abs().max() < 0.05, ind  # a statistical discrepancy, not an exact sum
        assert (ratio != 1).all()


def test_shenyang_and_dalian_are_the_largest_cities(table: pd.DataFrame) -> None:
    dec = table[table["month"] == 12]  # fai: the 2015-2017 levels
    for ind in INDICATORS:
        top = dec[dec["indicator"] == ind].groupby("region")["level"].mean().drop(PROVINCE).nlargest(2).index
        assert set(top) == {"shenyang", "dalian"}, ind


def test_fai_december_largest_and_janfeb_smallest_period(table: pd.DataFrame) -> None:
    # fai levels exist 2015-2017; flows = YTD differences; Dec has the largest mean share of the
    # year, Jan–Feb (two months together) the smallest, for the province and averaged over cities.
    fai = table[(table["indicator"] == "fai") & (table["year"] <= 2017)].sort_values(["region", "year", "month"])
    flows = fai.groupby(["region", "year"])["level"].diff().fillna(fai["level"])
    share = flows / fai.groupby(["region", "year"])["level"].transform("max")
    mean = share.groupby([fai["region"] == PROVINCE, fai["month"]]).mean()
    for is_prov in (True, False):
        m = mean.loc[is_prov]
        assert m.idxmax() == 12 and m.idxmin() == 2, m
    assert (table[(table["indicator"] == "fai") & (table["year"] >= 2018)]["level"].isna()).all()
    assert table[(table["indicator"] == "fai") & (table["year"] <= 2017)]["level"].notna().all()


def test_2020_and_2025_shocks(table: pd.DataFrame) -> None:
    g = table.set_index(["region", "indicator", "year", "month"])["growth"]
    assert g[(PROVINCE, "retail", 2020, 2)] < -15
    assert all(g[(c, "retail", 2020, 2)] < -10 for c in CITIES)
    assert g[(PROVINCE, "fai", 2020, 2)] < -20
    # recovery through 2020: the YTD fall narrows month by month
    path = [g[(PROVINCE, "retail", 2020, m)] for m in range(2, 13)]
    assert path[-1] > path[0] + 10
    # fai 2025 deepens through the year: Q1 +7.8 → H1 −3.3 → Jan–Oct −12.7 → year −19.0
    fai25 = [g[(PROVINCE, "fai", 2025, m)] for m in (3, 6, 10, 12)]
    assert fai25 == [7.8, -3.3, -12.7, -19.0]
    assert g[(PROVINCE, "fai", 2026, 2)] < -5  # a weak Jan–Feb 2026 (Northeast −11.4%)


def test_growth_is_against_a_revised_base(table: pd.DataFrame) -> None:
    # published growth differs from the level ratio (comparable basis): retail 2018 +6.7% on
    # 13807 would give 14732 亿元, the release says 14142.8, so the base was revised by 0.96.
    lv, gr = _wide(table, "level"), _wide(table, "growth")
    prev = lv.groupby(level="month").shift(1)
    gap = (gr - (lv / prev - 1) * 100).stack(["region", "indicator"], future_stack=True).dropna()
    assert (gap.abs() > 0.05).mean() > 0.5
    assert lv.loc[(2018, 12), (PROVINCE, "retail")] / lv.loc[(2017, 12), (PROVINCE, "retail")] - 1 < 0.03


def test_status_and_sources(table: pd.DataFrame, facts: pd.DataFrame) -> None:
    assert set(table["status"]) == {"published", "generated"}
    pub = table[table["status"] == "published"]
    assert pub["source"].str.contains("http").all()
    gen = table[table["status"] == "generated"]
    assert gen["source"].str.startswith("generated: scripts/make_bundled_data.py seed ").all()
    # a published row has every number it shows in the fact table
    keys = {(f.region, f.indicator, int(f.period[:4]), int(f.period[5:]), f.kind.replace("est_", ""))
            for f in facts.itertuples()}
    for r in pub.itertuples():
        assert (r.region, r.indicator, r.year, r.month, "growth_pct") in keys
        if not np.isnan(r.level):
            assert (r.region, r.indicator, r.year, r.month, "level") in keys


def test_targets(facts: pd.DataFrame) -> None:
    t = pd.read_csv(TARGETS, dtype={"source": str})
    assert list(t.columns) == ["region", "indicator", "year", "value", "kind", "status", "source"]
    # published targets only, each with its source: nothing assumed where nobody published a target
    assert set(t["kind"]) <= {"about", "at_least"} and set(t["status"]) == {"published"}
    assert t["source"].str.startswith("http").all()
    latest = t[t["year"] == 2026]
    # 2026: the province published retail 4% 左右 and no fai or trade target (辽政发〔2026〕2号); no city targets
    assert latest[["region", "indicator", "value", "kind"]].values.tolist() == [["liaoning", "retail", 4, "about"]]
    pub = t[t["status"] == "published"].set_index(["region", "indicator", "year"])
    assert pub.loc[("liaoning", "retail", 2025), "kind"] == "at_least"  # 增长5%以上
    assert pub.loc[("liaoning", "fai", 2025), "kind"] == "about"  # 增长8%左右
    assert pub.loc[("liaoning", "retail", 2026), "value"] == 4
    assert pub.loc[("dalian", "fai", 2021), "kind"] == "at_least"  # 6.5%以上
    n_published = (facts["kind"] == "target_growth_pct").sum()
    assert len(pub) == n_published == len(t)


def test_build_is_deterministic_and_matches_the_file(raw: pd.DataFrame) -> None:
    mod = _script()
    table1, targets1 = mod.build()
    table2, targets2 = mod.build()
    pd.testing.assert_frame_equal(table1, table2)
    pd.testing.assert_frame_equal(targets1, targets2)
    assert mod.to_csv_text(table1) == TABLE.read_text(encoding="utf-8")
    assert mod.to_csv_text(targets1) == TARGETS.read_text(encoding="utf-8")


def test_readme_counts_match_the_table(table: pd.DataFrame) -> None:
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    carry = (table["status"] == "generated") & table["source"].str.contains("published")
    totals = [0, 0, 0, 0]
    for code, ind in INDICATORS.items():
        sel = table["indicator"] == code
        n = [int((sel & (table["status"] == "published")).sum()), int((sel & (table["status"] == "generated")).sum()),
             int((sel & carry).sum()), int(sel.sum())]
        totals = [a + b for a, b in zip(totals, n, strict=True)]
        assert f"| {ind.zh} | {code} | {n[0]} | {n[1]} | {n[2]} | {n[3]} |" in readme
    assert f"| total | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |" in readme


def test_load_bundled_parses_the_file() -> None:
    io = pytest.importorskip("forecast.data.files")
    if not hasattr(io, "load_bundled"):
        pytest.skip("forecast.data.files.load_bundled not written yet")
    obs = io.load_bundled()
    assert len(obs) == len(pd.read_csv(TABLE))
    assert set(obs["status"]) == {"published", "generated"}
