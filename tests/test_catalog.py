"""The catalogue: every region and indicator resolves from its Chinese name, alias, English name and code."""

from __future__ import annotations

import pytest

from forecast.data import catalog
from forecast.data.errors import DataError


def test_fourteen_cities_under_the_province():
    assert len(catalog.CITIES) == 14
    assert all(catalog.REGIONS[c].parent == catalog.PROVINCE for c in catalog.CITIES)
    assert catalog.REGIONS[catalog.PROVINCE].is_province
    # GB/T 2260 codes: 2101..2114 under 21
    assert [catalog.REGIONS[c].admin_code for c in catalog.CITIES] == [f"21{i:02d}00" for i in range(1, 15)]


@pytest.mark.parametrize(
    "name, code",
    [
        ("沈阳", "shenyang"), ("沈阳市", "shenyang"), ("Shenyang", "shenyang"), ("shenyang", "shenyang"),
        (" SHENYANG ", "shenyang"), ("210100", "shenyang"), ("大连市", "dalian"), ("葫芦岛市", "huludao"),
        ("辽宁省", "liaoning"), ("全省", "liaoning"), ("Liaoning Province", "liaoning"),
    ],
)
def test_region_aliases(name, code):
    assert catalog.region_code(name) == code


@pytest.mark.parametrize(
    "name, code",
    [
        ("固定资产投资(不含农户)", "fai"), ("固定资产投资（不含农户）", "fai"), ("固定资产投资", "fai"),
        ("社会消费品零售总额", "retail"), ("Retail sales", "retail"), ("进出口总额", "trade"),
        ("外贸进出口总额", "trade"), ("出口", "exports"), ("进口总额", "imports"), ("retail", "retail"),
    ],
)
def test_indicator_aliases(name, code):
    assert catalog.indicator_code(name) == code


def test_unknown_names_raise_with_the_name_given():
    with pytest.raises(DataError, match="沈样"):
        catalog.region_code("沈样")
    with pytest.raises(DataError, match="GDP"):
        catalog.indicator_code("GDP")


def test_trade_identity_and_levels_published():
    assert catalog.IDENTITIES == {"trade": ("exports", "imports")}
    assert not catalog.INDICATORS["fai"].levels_published
    assert all(catalog.INDICATORS[i].levels_published for i in ("retail", "trade", "exports", "imports"))
    assert all(ind.unit == "亿元" for ind in catalog.INDICATORS.values())


def test_no_alias_points_at_two_codes():
    seen: dict[str, str] = {}
    for entries in (catalog.REGIONS, catalog.INDICATORS):
        for code, e in entries.items():
            for n in (code, e.zh, e.en, *e.aliases):
                key = catalog.normalise_name(n)
                assert seen.setdefault(key, code) == code, f"{n!r} maps to {seen[key]} and {code}"
