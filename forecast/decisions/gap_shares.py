"""Each city's share of the province's gap to its target: who carries the shortfall or the surplus.

On every sample path the province's gap to its target ``T`` (%) in 亿元 is

    ``G_P = L_P − (1 + T/100)·B_P``,  with ``L = V_t + Σ remaining flows`` and ``B`` the full-year base ``B_12``,

positive for a surplus, negative for a shortfall. It splits exactly over the cities and the statistical
discrepancy (DESIGN §2), each measured against the *province's* rate on its own base:

    ``G_P = Σ_c [L_c − (1 + T/100)·B_c] + [L_D − (1 + T/100)·B_D]``,  ``L_D = L_P − Σ L_c``, ``B_D = B_P − Σ B_c``,

because the levels add up on every reconciled path (``province = Σ cities + discrepancy``) and the bases
add up by definition of ``B_D``. Only levels in 亿元 add up, so growth-only series (``fai``, run on a chained
index whose city indices do not sum to the province) are refused, as :mod:`forecast.decisions.breakdown` does.
All functions are pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import PROVINCE
from forecast.data.errors import Coded, DataError, joined
from forecast.data.schema import INDICATOR, REGION, YEAR
from forecast.decisions.breakdown import indicator_tables, province_table, refuse_index_series, table_year
from forecast.decisions.discrepancy import DISCREPANCY
from forecast.decisions.inversion import cities_at_province_release, left_out_note
from forecast.decisions.targets import (
    TOLERANCE_PP,
    VERDICT_PROVENANCES,
    YTDPosition,
    forecast_map,
    remaining_flow_paths,
    ytd_position,
)

#: Columns of :func:`gap_shares`.
GAP_COLUMNS = [REGION, "role", INDICATOR, YEAR, "target", "full_year_base", "full_year_level", "gap_yuan",
               "gap_pp", "share_pct", "city_growth", "mean_growth", "above_target", "note"]
#: Largest ``|province − Σ cities − discrepancy|`` of a path's remaining flows, relative to the province's
#: full-year base, still taken as coherent (stored paths are float32).
COHERENCE_RTOL = 1e-6


def province_target(targets: pd.DataFrame | float, indicator: str, year: int) -> tuple[float, str]:
    """The province's target of ``indicator`` in ``year`` (%) and where it comes from.

    A number is taken as given. From a targets table (:func:`forecast.data.target_table.load_targets`)
    only a ``published`` or ``analyst`` province target counts (:data:`~forecast.decisions.targets.VERDICT_PROVENANCES`;
    a table without a ``status`` column is read as published).

    Raises
    ------
    DataError
        ``no province target for <indicator> <year>`` when the table has none of those.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["liaoning", "liaoning"], "indicator": ["retail", "trade"],
    ...                   "year": [2026, 2026], "value": [4.0, 5.0], "kind": ["about", "about"],
    ...                   "status": ["published", "reference"]})
    >>> province_target(t, "retail", 2026)
    (4.0, 'about, published')
    >>> province_target(t, "trade", 2026)
    Traceback (most recent call last):
    ...
    forecast.data.errors.DataError: no province target for trade 2026 (published or analyst); ...
    """
    if isinstance(targets, (int, float, np.integer, np.floating)) and not isinstance(targets, bool):
        if not np.isfinite(float(targets)):
            raise DataError(f"target={targets!r} for {indicator} {year}; expected a growth target in % such as 4.0")
        return float(targets), "given"
    if not isinstance(targets, pd.DataFrame):
        raise DataError(f"targets is {type(targets).__name__}; expected a targets table (load_targets) or a number in %")
    missing = [c for c in (REGION, INDICATOR, YEAR, "value") if c not in targets.columns]
    if missing:
        raise DataError(f"targets: missing column(s) {missing}; expected a table from forecast.data.target_table.load_targets")
    status = targets["status"] if "status" in targets.columns else pd.Series("published", index=targets.index)
    sel = targets[(targets[REGION] == PROVINCE) & (targets[INDICATOR] == indicator)
                  & (pd.to_numeric(targets[YEAR], errors="coerce") == int(year)) & status.isin(VERDICT_PROVENANCES)]
    if sel.empty:
        raise DataError(f"no province target for {indicator} {year} (published or analyst); a gap to the target "
                        f"needs one: add it to the targets table or pass the target in % as a number")
    row = sel.iloc[-1]
    kind = str(row["kind"]) if "kind" in sel.columns else ""
    return float(row["value"]), ", ".join(s for s in (kind, str(status.loc[sel.index[-1]])) if s)


def _level_paths(pos: YTDPosition, fc: Any | None) -> np.ndarray:
    """Full-year level of every path, ``V_t + Σ remaining flows`` (one value once December is released)."""
    if not pos.remaining:
        return np.array([pos.ytd_value])
    return pos.ytd_value + remaining_flow_paths(pos, fc)


def gap_shares(
    panel: pd.DataFrame,
    forecasts: Mapping | Iterable | None,
    discrepancies: Mapping | Iterable | None,
    targets: pd.DataFrame | float,
    indicator: str,
    year: int | None = None,
) -> pd.DataFrame:
    """Each city's share of the province's gap to the province's target, in 亿元 and 百分点.

    On each sample path, with ``T`` the province's target (%), ``L`` a full-year level (``V_t`` plus the
    path's remaining flows) and ``B`` a full-year comparable base (``B_12``):

    - the province's gap ``G_P = L_P − (1 + T/100)·B_P`` (亿元; **surplus positive, shortfall negative**);
    - city ``c``'s part ``G_c = L_c − (1 + T/100)·B_c``: what the city adds to or takes from the province's
      result by growing faster or slower than the province's target rate on its own base; a city growing
      exactly at ``T`` has ``G_c = 0``;
    - the statistical discrepancy's part ``G_D = L_D − (1 + T/100)·B_D`` with ``L_D = L_P − Σ L_c`` (on
      reconciled paths, the discrepancy series' own full-year level) and ``B_D = B_P − Σ B_c``.

    ``Σ G_c + G_D = G_P`` on every path. The table reports the **mean over paths** of each part: means add up
    exactly (the rows sum to the province's mean gap), **medians do not**, so no median is used for the gaps.
    ``gap_pp = gap_yuan / B_P × 100`` is the part in 百分点 of the province's full-year growth; the province's
    own ``gap_pp`` is its *mean* full-year growth − ``T`` (``evaluate_targets``' ``gap_pp`` uses the median, so
    the two can differ slightly). ``share_pct = gap_yuan / G_P × 100`` sums to 100; a city moving against the
    province (a surplus in a province short of its target) has a negative share; NaN when the province's mean
    gap is 0. ``city_growth`` is the row's own **median** full-year growth (%) and ``above_target`` whether it
    is ≥ ``T``. Being a median it can disagree with the sign of the mean ``gap_yuan`` when the paths are
    skewed (a fat left tail pulls the mean below the median); ``mean_growth = (mean L / B − 1) × 100`` is the
    growth that matches the gap: ``gap_yuan > 0`` exactly when ``mean_growth > T`` (for a positive base).
    The discrepancy's base can be negative (the cities' comparable bases summing to more than the
    province's); its growths are then NaN and its ``above_target`` False, and only its 亿元 part is meaningful.

    Cities whose latest release differs from the province's, that lack a full-year base, or that have no
    forecast while periods remain, are left out and fall into the discrepancy (its ``note`` names them).
    With the run's discrepancy paths (``RunResult.discrepancies``, key ``("discrepancy", indicator)``) and no
    city left out, the paths are checked to be coherent (province − Σ cities − discrepancy within
    :data:`COHERENCE_RTOL` of ``B_P`` on every path); without them the discrepancy is the residual and the note
    says coherence was not checked (the means still add up).

    Parameters
    ----------
    panel : DataFrame
        From :func:`forecast.data.panel.build_panel`, with the province and its cities.
    forecasts : mapping or iterable
        ``(region, indicator) → forecast`` (``RunResult.forecasts``, reconciled) with ``periods`` and ``paths``.
    discrepancies : mapping or iterable, optional
        ``("discrepancy", indicator) → forecast`` (``RunResult.discrepancies``); used to check coherence.
    targets : DataFrame or float
        A targets table (the province's ``published`` or ``analyst`` target of ``year`` is used), or ``T`` in %.
    indicator : str
    year : int, optional
        Default: the province's latest year.

    Returns
    -------
    DataFrame
        Rows: cities (catalogue order), ``discrepancy``, the province (``role``: city, discrepancy, province);
        columns :data:`GAP_COLUMNS`: region, role, indicator, year, target (%), full_year_base (亿元),
        full_year_level (mean, 亿元), gap_yuan (mean, 亿元), gap_pp (百分点 of province growth), share_pct (%),
        city_growth (median full-year growth, %), mean_growth (growth of the mean level, %), above_target
        (bool: city_growth ≥ target), note.

    Raises
    ------
    DataError
        A growth-only (chained index) series; no province target; no province series, base or forecast; no
        city released with the province; paths with different counts or not coherent with the discrepancy.

    Examples
    --------
    >>> g = gap_shares(panel, run.forecasts, run.discrepancies, targets, "retail", 2026)   # target 4 %
    >>> cols = ["region", "gap_yuan", "share_pct", "city_growth", "mean_growth", "above_target"]
    >>> g[cols].iloc[[0, 3, -2, -1]].round(2)
             region  gap_yuan  share_pct  city_growth  mean_growth  above_target
    0      shenyang   -136.69      79.50         1.22         0.93         False
    3        fushun     -3.50       2.04         4.38         2.67          True
    14  discrepancy    117.84     -68.54          NaN          NaN         False
    15     liaoning   -171.94     100.00         2.53         2.38         False
    >>> bool(abs(g["gap_yuan"].iloc[:-1].sum() - g["gap_yuan"].iloc[-1]) < 1e-9)   # rows add up to the province
    True

    Fushun's median path grows 4.4 % (above the target) while its mean level grows 2.7 %: a fat left tail.
    The discrepancy's base is negative here (the cities' bases sum to more than the province's).
    """
    tables = indicator_tables(panel, indicator)
    year = table_year(tables, indicator, year)
    refuse_index_series(tables, indicator, year, "gap_shares")
    target, origin = province_target(targets, indicator, year)
    rate = 1 + target / 100
    prov = ytd_position(province_table(tables, indicator), year)
    fmap = forecast_map(forecasts)
    dmap = {**{k: v for k, v in fmap.items() if k[0] == DISCREPANCY}, **forecast_map(discrepancies)}
    prov_level = _level_paths(prov, fmap.get((PROVINCE, indicator)))
    cities, left = _cities(tables, indicator, year, prov, fmap)
    levels = {c: lv for c, (_, lv) in cities.items()}
    n = len(prov_level)
    wrong = {c: len(lv) for c, lv in levels.items() if len(lv) not in (1, n)}
    if wrong:
        raise DataError(f"{indicator} {year}: the province has {n} paths but {wrong}; pass the forecasts of one run")
    disc_level = prov_level - sum(np.broadcast_to(lv, (n,)) for lv in levels.values())
    disc_base = prov.full_year_base - sum(p.full_year_base for p, _ in cities.values())
    disc_note = [Coded("province − Σ cities (statistical discrepancy); base = province's base − cities' bases",
                       "gap_discrepancy_row")]
    if left:
        disc_note.append(left_out_note(left))
    disc_note.append(_coherence(prov, cities, disc_level, dmap.get((DISCREPANCY, indicator)), bool(left)))

    prov_base = prov.full_year_base
    if not prov_base > 0:
        raise DataError(f"{PROVINCE}/{indicator} {year}: full-year base {prov_base} is not positive; cannot express "
                        "the gap in 百分点 of the province's growth")
    rows = [_row(c, "city", lv, pos.full_year_base, rate, "") for c, (pos, lv) in cities.items()]
    prov_note = [Coded(f"target {target:g}% ({origin}); means over {n} path(s)", "gap_province_row",
                       {"target": f"{target:g}", "origin": origin, "n": n})]
    if not prov.remaining:
        prov_note.append(Coded("year decided: December released", "year_decided"))
    prov_row = _row(PROVINCE, "province", prov_level, prov_base, rate, joined(prov_note))
    disc_row = _row(DISCREPANCY, "discrepancy", disc_level, disc_base, rate, joined(disc_note))
    # the mean of the residual paths, written as province − Σ cities so the column adds up to the last ulp
    disc_row["gap_yuan"] = prov_row["gap_yuan"] - sum(r["gap_yuan"] for r in rows)
    rows += [disc_row, prov_row]
    total = prov_row["gap_yuan"]
    defined = abs(total) > 1e-12 * prov_base
    for r in rows:
        r["gap_pp"] = r["gap_yuan"] / prov_base * 100
        r["share_pct"] = r["gap_yuan"] / total * 100 if defined else np.nan
        r["above_target"] = bool(r["city_growth"] >= target - TOLERANCE_PP)  # NaN growth → False
    if not defined:
        prov_row["note"] = joined([prov_row["note"], Coded("the province is exactly on its target: shares undefined",
                                                           "gap_on_target")])
    out = pd.DataFrame(rows)
    out.insert(2, INDICATOR, indicator)
    out.insert(3, YEAR, year)
    out.insert(4, "target", target)
    return out[GAP_COLUMNS].astype({"above_target": bool})


def _cities(tables: dict, indicator: str, year: int, prov: YTDPosition,
            fmap: dict) -> tuple[dict[str, tuple[YTDPosition, np.ndarray]], list[str]]:
    """Cities released at the province's latest period, with their level paths; names of those left out."""
    used: dict[str, tuple[YTDPosition, np.ndarray]] = {}
    positions, left = cities_at_province_release(tables, indicator, year, prov)  # the inversion's rule
    for city, pos in positions.items():
        fc = fmap.get((city, indicator))
        if pos.remaining and fc is None:
            left.append(Coded(f"{city} (no forecast)", "city_no_forecast", {"region": city}))
        else:
            used[city] = (pos, _level_paths(pos, fc))
    if not used:
        raise DataError(f"no city has {indicator} data released at {prov.last_period} ({year}) with a forecast; "
                        "nothing to split")
    return used, left


def _coherence(prov: YTDPosition, cities: dict, disc_level: np.ndarray, disc_fc: Any | None, left_out: bool) -> str:
    """Check the discrepancy series' own paths against province − Σ cities; the note to show."""
    if not prov.remaining:
        return ""
    if disc_fc is None:
        return Coded("no discrepancy paths given: coherence of the paths not checked", "coherence_no_paths")
    if left_out:
        return Coded("coherence not checked (cities left out)", "coherence_left_out")
    v_d = prov.ytd_value - sum(p.ytd_value for p, _ in cities.values())
    own = v_d + remaining_flow_paths(replace(prov, region=DISCREPANCY), disc_fc)
    if own.shape != disc_level.shape:
        raise DataError(f"{prov.indicator} {prov.year}: the discrepancy has {own.shape[0]} paths, the province "
                        f"{disc_level.shape[0]}; pass the forecasts and discrepancies of one run")
    worst = float(np.max(np.abs(own - disc_level)))
    if worst > COHERENCE_RTOL * prov.full_year_base:
        raise DataError(
            f"{prov.indicator} {prov.year}: province ≠ Σ cities + discrepancy on the paths (off by up to "
            f"{worst:.6g} 亿元 in a full-year level); the gap shares need reconciled paths: pass "
            "RunResult.forecasts and RunResult.discrepancies of the same run")
    return ""


def _row(region: str, role: str, level: np.ndarray, base: float, rate: float, note: str) -> dict:
    level = np.asarray(level, dtype=float)
    growth = float(np.median((level / base - 1) * 100)) if base > 0 else np.nan
    mean_growth = float((np.mean(level) / base - 1) * 100) if base > 0 else np.nan
    if not base > 0:
        note = joined([note, Coded(f"full-year base {base:.6g} ≤ 0: no growth rate", "base_not_positive",
                                   {"base": f"{base:.6g}"})])
    return {REGION: region, "role": role, "full_year_base": float(base), "full_year_level": float(np.mean(level)),
            "gap_yuan": float(np.mean(level - rate * base)), "city_growth": growth, "mean_growth": mean_growth, "note": note}
