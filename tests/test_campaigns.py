"""Consumption campaigns (DESIGN §9): the arithmetic by hand, the shipped example, effects on a real run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forecast.data.catalog import CITIES
from forecast.data.errors import DataError
from forecast.decisions.campaigns import LEVERAGE, Campaign, campaign_effects, campaign_scenario
from forecast.decisions.position import full_year_base
from forecast.decisions.scenario_files import load_scenario
from forecast.decisions.scenarios import compare_scenarios

ROOT = Path(__file__).resolve().parent.parent


def test_published_gross_leverages():
    # Shenyang 2025: 34亿元 of trade-in funds drove 332.5亿元; 3.6亿元 of vouchers drove more than 136亿元
    assert LEVERAGE["trade_in"].value == pytest.approx(9.779, abs=1e-3)
    assert LEVERAGE["vouchers"].value == pytest.approx(37.78, abs=1e-2)
    assert all("hkcd.com" in lv.source for lv in LEVERAGE.values())


def test_campaign_arithmetic_by_hand():
    c = Campaign("沈阳市", 2.0, "2026-11..2026-12", additionality=0.25, leverage="vouchers", payback_share=0.4,
                 payback_months="2027-02..2027-03")
    extra = 2.0 * (136 / 3.6) * 0.25          # 18.888… 亿元 of new retail sales
    assert c.extra == pytest.approx(extra) and c.payback == pytest.approx(0.4 * extra)
    row = campaign_effects([c]).iloc[0]
    assert row["net"] == pytest.approx(0.6 * extra) and row["region"] == "shenyang"
    s = campaign_scenario([c], "sy")
    a, b = s.adjustments
    assert (a.kind, a.indicator, a.regions, a.months) == ("abs", "retail", ("shenyang",), "2026-11..2026-12")
    assert a.value == pytest.approx(extra, abs=1e-6) and b.value == pytest.approx(-0.4 * extra, abs=1e-6)
    assert b.months == "2027-02..2027-03"
    for text in (s.description, s.description_zh):   # funds, leverage with its source, additionality, in 亿元
        assert "hkcd.com" in text and "25%" in text and "亿元" in text and "37.78" in text


def test_additionality_is_required_and_checked():
    with pytest.raises(TypeError):
        Campaign("dalian", 1.0, "2026-12..2026-12")   # no default: the analyst states it
    for kw in ({"additionality": 1.5}, {"additionality": 0.5, "payback_share": 0.2},
               {"additionality": 0.5, "payback_share": 0.2, "payback_months": "2026-12..2027-02"},
               {"additionality": 0.5, "leverage": "magic"}, {"additionality": 0.5, "leverage": -1.0},
               {"additionality": 0.5, "payback_share": 0.1, "payback_months": "2027-01..2027-01"}):
        with pytest.raises(DataError):
            Campaign("dalian", 1.0, "2026-11..2026-12", **kw)


def test_shipped_consumption_campaign_is_built_this_way():
    s = load_scenario(ROOT / "data" / "scenarios" / "consumption_campaign.yaml")
    assert s.name == "consumption_campaign" and s.name_zh == "促消费活动"
    assert {a.kind for a in s.adjustments} == {"abs"} and {a.indicator for a in s.adjustments} == {"retail"}
    campaign = [a for a in s.adjustments if a.value > 0]
    assert sorted(a.regions[0] for a in campaign) == sorted(CITIES)
    extra = sum(a.value for a in campaign)
    assert extra == pytest.approx(12 * 332.5 / 34 * 0.3, abs=1e-4)    # 12亿元 × 9.78 × 30 %
    assert sum(a.value for a in s.adjustments if a.value < 0) == pytest.approx(-0.2 * extra, abs=1e-4)
    assert "Additionality (the analyst's choice): 30%" in s.description and "新增比例（分析员设定）：30%" in s.description_zh


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from forecast.app.storage import demo_store
    from forecast.runs.results import load_latest_run

    return load_latest_run(demo_store(tmp_path_factory.mktemp("campaigns"), ("liaoning", "shenyang", "dalian"),
                                      method="snaive"))


def test_campaign_effects_on_a_real_run(demo_run):
    run = demo_run
    campaigns = [Campaign("shenyang", 3.0, "2026-11..2026-12", additionality=0.3),
                 Campaign("dalian", 1.0, "2026-12..2026-12", additionality=0.5, leverage=20.0, payback_share=0.5,
                          payback_months="2027-02..2027-04")]
    s = campaign_scenario(campaigns, "push")
    table = compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, [s], year=2026)
    got = table[table.scenario == "push"].set_index(["region", "indicator"])["delta_projected"]
    base = {r: full_year_base(run.panel[(run.panel.region == r) & (run.panel.indicator == "retail")], 2026)
            for r in ("liaoning", "shenyang", "dalian")}
    sy, dl = 3.0 * 332.5 / 34 * 0.3, 1.0 * 20.0 * 0.5          # 亿元 in 2026; Dalian's payback falls in 2027
    assert got[("shenyang", "retail")] == pytest.approx(100 * sy / base["shenyang"], abs=1e-6)
    assert got[("dalian", "retail")] == pytest.approx(100 * dl / base["dalian"], abs=1e-6)
    # the province moves by the sum of the cities' level changes over the province's base
    assert got[("liaoning", "retail")] == pytest.approx(100 * (sy + dl) / base["liaoning"], abs=1e-6)
    assert np.allclose(got.xs("fai", level="indicator").to_numpy(), 0.0)
