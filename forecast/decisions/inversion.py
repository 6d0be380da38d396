"""Province target split over the cities: the growth each city's remaining periods need.

It needs levels that add up, so it refuses growth-only series (``fai`` run on a chained index: city
indices do not sum to the province) with a :class:`~forecast.data.errors.DataError`.

The statistical discrepancy (province − sum of the cities; DESIGN §2) is always its own line, so cities
plus discrepancy reproduce the province exactly. Cities whose latest release differs from the province's
are left out and fall into the discrepancy (their row is missing; the discrepancy row's ``note`` names them).

Contributions to growth and the carriages' shares live in :mod:`forecast.decisions.breakdown`; they are re-exported
here (``from forecast.decisions.inversion import contributions, carriage_shares`` keeps working).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CITIES, PROVINCE
from forecast.data.errors import Coded, DataError, joined
from forecast.data.schema import INDICATOR, REGION, YEAR, YTD_VALUE
from forecast.decisions.breakdown import (  # noqa: F401  (contributions, carriage_shares: re-exported)
    carriage_shares,
    contributions,
    indicator_tables,
    median_full_year_level,
    province_table,
    refuse_index_series,
    table_year,
)
from forecast.decisions.targets import (
    SeriesTable,
    YTDPosition,
    forecast_map,
    remaining_flow_paths,
    required_growth,
    ytd_position,
)

RULES = ("equal_pp", "proportional_gap")


def _resolve_target(province_target: Any, indicator: str | None, year: int | None) -> tuple[float, str, int | None]:
    if isinstance(province_target, (int, float, np.floating, np.integer)):
        if indicator is None:
            raise DataError("invert_province_target: a numeric province_target needs indicator=…")
        return float(province_target), indicator, year
    tgt = dict(province_target)
    if tgt.get(REGION, PROVINCE) != PROVINCE:
        raise DataError(f"invert_province_target: target is for {tgt.get(REGION)!r}; expected {PROVINCE!r}")
    if "value" not in tgt or (INDICATOR not in tgt and indicator is None):
        raise DataError(f"invert_province_target: province_target {tgt!r} needs 'value' and 'indicator'")
    y = year if year is not None else tgt.get(YEAR)
    return float(tgt["value"]), indicator or tgt[INDICATOR], None if y is None else int(y)


def _city_target_map(city_targets: Mapping | pd.DataFrame | None, indicator: str, year: int) -> dict[str, float]:
    if city_targets is None:
        return {}
    if isinstance(city_targets, pd.DataFrame):
        sel = city_targets[(city_targets[INDICATOR] == indicator) & (city_targets[YEAR].astype(int) == year)]
        return {r: float(v) for r, v in zip(sel[REGION], sel["value"], strict=True) if r in CITIES}
    return {r: float(v) for r, v in city_targets.items()}


def cities_at_province_release(tables: dict[str, SeriesTable], indicator: str, year: int, prov: YTDPosition) -> tuple[dict, list[str]]:
    """Positions of the cities released at the province's latest period; names of those left out."""
    used: dict[str, YTDPosition] = {}
    left_out: list[str] = []
    for city in (c for c in CITIES if c in tables):
        try:
            pos = ytd_position(tables[city], year, prov.periods_per_year)
        except DataError:
            left_out.append(f"{city} (no full-year base)")
            continue
        if pos.last_period != prov.last_period:
            left_out.append(f"{city} (latest {pos.last_period})")
        else:
            used[city] = pos
    if not used:
        raise DataError(f"no city has {indicator} data released at {prov.last_period} ({year}); nothing to split")
    return used, left_out


def _discrepancy_share(tables, indicator, year, prov, cities, fmap) -> tuple[float, str]:
    """Share of the discrepancy in the province's full-year level, and which basis gave it."""
    keys = [PROVINCE, *cities]
    if fmap and all((r, indicator) in fmap for r in keys):
        prov_level = median_full_year_level(prov, fmap[(PROVINCE, indicator)])
        city_level = sum(median_full_year_level(p, fmap[(c, indicator)]) for c, p in cities.items())
        return 1 - city_level / prov_level, Coded("projected (median full-year levels)", "basis_projected")
    last = {r: tables[r].levels.get((year - 1, 12), np.nan) for r in keys}
    if all(np.isfinite(v) for v in last.values()) and last[PROVINCE] > 0:
        return 1 - sum(last[c] for c in cities) / last[PROVINCE], Coded(f"last year ({year - 1}-12)", "basis_last_year",
                                                                        {"year": year - 1})
    if prov.ytd_value > 0:
        return 1 - sum(p.ytd_value for p in cities.values()) / prov.ytd_value, Coded(
            f"year to date ({prov.last_period})", "basis_ytd", {"period": str(prov.last_period)})
    raise DataError(f"{indicator} {year}: no forecast, no December {year - 1} levels and no release yet; "
                    "cannot fix the discrepancy's share")


def invert_province_target(
    panel: pd.DataFrame,
    province_target: float | Mapping | pd.Series,
    *,
    year: int | None = None,
    rule: str = "equal_pp",
    forecasts: Mapping | Iterable | None = None,
    indicator: str | None = None,
    city_targets: Mapping | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Growth each city's remaining periods need so that the cities deliver the province target ``T``.

    The province must reach ``L_P = (1 + T)·B_P,12``. The discrepancy is held at its share ``s_D`` of the
    province's full-year level (projected from median full-year levels when ``forecasts`` cover the
    province and every city; else last December's share; else the YTD share), so the cities' remaining
    flows must total ``F = (1 − s_D)·L_P − Σ V_c,t``. City ``c`` (remaining base ``RB_c = B_c,12 − B_c,t``)
    starts from its baseline remaining growth ``b_c`` — the median of its forecast
    (``median(Σ remaining flows)/RB_c − 1``), or its YTD growth without a forecast — and adds ``e_c``:

    - ``equal_pp``: the same ``x`` for every city: ``x = (F − Σ(1 + b_c)·RB_c) / Σ RB_c``.
    - ``proportional_gap``: ``e_c = k·w_c`` with ``w_c = max(0, r*_c − b_c)``, the city's gap to its pace
      ``r*_c`` (the growth its own target needs, from ``city_targets``; else the uniform pace
      ``F/ΣRB_c − 1`` that would deliver ``F`` if every city grew alike), and
      ``k = (F − Σ(1 + b_c)·RB_c) / Σ w_c·RB_c``. Cities at or ahead of their pace add nothing. When the
      baselines already over-deliver (negative shortfall) the slack is spread the same way over the
      cities ahead (``w_c = max(0, b_c − r*_c)``), giving negative efforts. If no city has a gap in the
      needed direction it falls back to ``equal_pp`` and says so in ``note``.

    Parameters
    ----------
    panel : DataFrame
        From :func:`forecast.data.panel.build_panel`, with the province and its cities.
    province_target : float or mapping
        Target in %, or a row of :func:`forecast.data.target_table.load_targets` (``value``, ``indicator``, ``year``).
    year : int, optional
        Default: the target's year, else the province's latest year.
    rule : {'equal_pp', 'proportional_gap'}
    forecasts : mapping or iterable, optional
        ``(region, indicator) → forecast`` with ``periods`` and ``paths`` of future period flows.
    indicator : str, optional
        Needed when ``province_target`` is a number.
    city_targets : mapping or DataFrame, optional
        ``city → target %`` or a targets frame; used by ``proportional_gap``.

    Returns
    -------
    DataFrame
        Rows for each city, the ``discrepancy`` and the province (``role``): baseline_growth,
        required_growth (remaining periods, %), extra_pp (百分点), full_year_growth (implied, %),
        ytd_value, full_year_level, full_year_base, remaining_flow, remaining_base, remaining_share (share
        of the province's remaining flow; cities + discrepancy sum to 1), note.

    Raises
    ------
    DataError
        Unknown rule, growth-only series, the year already decided, no city released with the province,
        a city with a non-positive remaining base, no baseline.

    Examples
    --------
    >>> inv = invert_province_target(panel, 6.0, indicator="retail", rule="equal_pp")
    >>> inv[["region", "role", "baseline_growth", "required_growth", "extra_pp"]].iloc[[0, 1, -1]].round(1)
          region      role  baseline_growth  required_growth  extra_pp
    0   shenyang      city              1.0             26.1      25.1
    1     dalian      city              0.6             25.7      25.1
    15  liaoning  province              2.5             22.4      19.9
    """
    if rule not in RULES:
        raise DataError(f"invert_province_target: rule={rule!r}; expected one of {RULES}")
    target, indicator, year = _resolve_target(province_target, indicator, year)
    tables = indicator_tables(panel, indicator)
    year = table_year(tables, indicator, year)
    refuse_index_series(tables, indicator, year, "invert_province_target")
    prov = ytd_position(province_table(tables, indicator), year)
    if not prov.remaining:
        raise DataError(f"{indicator} {year}: December is released, the year is decided; nothing to split")
    cities, left_out = cities_at_province_release(tables, indicator, year, prov)
    fmap = forecast_map(forecasts)
    share_d, basis = _discrepancy_share(tables, indicator, year, prov, cities, fmap)

    names = list(cities)
    v = np.array([cities[c].ytd_value for c in names])
    rb = np.array([cities[c].remaining_base for c in names])
    if np.any(rb <= 0):
        bad = [c for c, x in zip(names, rb, strict=True) if x <= 0]
        raise DataError(f"{indicator} {year}: non-positive remaining base for {bad}; check their full-year bases")
    base_note, b = [], np.empty(len(names))
    for i, c in enumerate(names):
        fc = fmap.get((c, indicator))
        if fc is not None:
            b[i] = np.median(remaining_flow_paths(cities[c], fc)) / rb[i] - 1
        elif np.isfinite(cities[c].ytd_yoy):
            b[i] = cities[c].ytd_yoy / 100
            base_note.append(c)
        else:
            raise DataError(f"{c}/{indicator} {year}: no release and no forecast, so no baseline growth")
    level_p = (1 + target / 100) * prov.full_year_base
    level_d = share_d * level_p
    needed = level_p - level_d - v.sum()
    shortfall = needed - ((1 + b) * rb).sum()
    note = ""
    if rule == "equal_pp":
        extra = np.full(len(names), shortfall / rb.sum())
    else:
        extra, note = _proportional(names, cities, b, rb, needed, shortfall, _city_target_map(city_targets, indicator, year))
    r = b + extra
    flow = (1 + r) * rb
    level = v + flow
    prov_flow = level_p - prov.ytd_value
    b12 = np.array([cities[c].full_year_base for c in names])
    rows = [
        _row(c, "city", b[i], r[i], extra[i], v[i], level[i], b12[i], rb[i], prov_flow,
             Coded("baseline = YTD growth (no forecast)", "inv_baseline_ytd") if c in base_note else note)
        for i, c in enumerate(names)
    ]
    v_d = prov.ytd_value - v.sum()
    b12_d = prov.full_year_base - b12.sum()
    rb_d = prov.remaining_base - rb.sum()
    d_note = Coded(f"held at {share_d:.4%} of the province ({basis})", "inv_held_at",
                   {"share": f"{share_d:.4%}", "basis": basis})
    if left_out:
        d_note = joined([d_note, left_out_note(left_out)])
    growth_d = (level_d - v_d) / rb_d - 1 if rb_d > 0 else np.nan
    rows.append(_row("discrepancy", "discrepancy", np.nan, growth_d, np.nan, v_d, level_d, b12_d, rb_d, prov_flow, d_note))
    fc_p = fmap.get((PROVINCE, indicator))
    b_p = (np.median(remaining_flow_paths(prov, fc_p)) / prov.remaining_base - 1 if fc_p is not None
           else prov.ytd_yoy / 100)
    r_p = required_growth(prov.ytd_value, 0.0 if prov.last_period is None else prov.ytd_yoy, prov.full_year_base,
                          target) / 100
    rows.append(_row(PROVINCE, "province", b_p, r_p, r_p - b_p, prov.ytd_value, level_p, prov.full_year_base,
                     prov.remaining_base, prov_flow,
                     Coded(f"target {target:g}%, rule {rule}", "inv_province_row", {"target": f"{target:g}", "rule": rule})))
    out = pd.DataFrame(rows)
    out.insert(2, INDICATOR, indicator)
    out.insert(3, YEAR, year)
    out.insert(4, "last_period", pd.PeriodIndex([prov.last_period] * len(out), freq="M"))
    return out


def _proportional(names, cities, b, rb, needed, shortfall, city_t) -> tuple[np.ndarray, str]:
    uniform = needed / rb.sum() - 1
    pace = np.array([
        required_growth(cities[c].ytd_value, 0.0 if cities[c].last_period is None else cities[c].ytd_yoy,
                        cities[c].full_year_base, city_t[c]) / 100 if c in city_t else uniform
        for c in names
    ])
    weight = np.maximum(0.0, np.sign(shortfall) * (pace - b))
    denom = (weight * rb).sum()
    if shortfall == 0:
        return np.zeros(len(names)), ""
    if denom <= 0:
        return np.full(len(names), shortfall / rb.sum()), Coded(
            "no city has a gap in the needed direction: equal_pp used", "inv_equal_pp_used")
    return shortfall / denom * weight, ""


def left_out_note(cities: list[str]) -> Coded:
    """The note naming the cities left out of a split (they fall into the discrepancy)."""
    return Coded("includes cities left out: " + ", ".join(cities), "cities_left_out", {"cities": ", ".join(cities)})


def _row(region, role, base, req, extra, v, level, b12, rb, prov_flow, note) -> dict:
    return {
        REGION: region, "role": role, "baseline_growth": base * 100, "required_growth": req * 100,
        "extra_pp": extra * 100, "full_year_growth": (level / b12 - 1) * 100 if b12 > 0 else np.nan,
        YTD_VALUE: v, "full_year_level": level, "full_year_base": b12, "remaining_flow": level - v,
        "remaining_base": rb, "remaining_share": (level - v) / prov_flow, "note": note,
    }
