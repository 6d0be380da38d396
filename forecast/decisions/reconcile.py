"""Cities ↔ province coherence on sample paths (DESIGN §2, §6): the public :func:`reconcile`.

How the gap is treated
----------------------
Published city figures do not add up to the province's: the province is the sum of its 14 cities
**plus a statistical discrepancy** (different coverage, enterprises counted at provincial level, revisions).
troika models that gap as a series of its own instead of forcing it to zero:

- its history (``province − Σ cities``) and its forecast (same-month mean of recent years plus bootstrapped
  deviations) come from :mod:`forecast.decisions.discrepancy`. With no history at all, the discrepancy is the gap
  the forecasts themselves imply, ``province − Σ cities`` on each path (the province keeps its forecast);
  a note says so;
- if the input already has a ``(DISCREPANCY, indicator)`` entry, it is used as given (so reconciling
  twice is the identity for ``bottom_up`` and callers may supply their own discrepancy forecast).

Its paths travel in the result under the key ``(DISCREPANCY, indicator)`` with region ``"discrepancy"``.
After reconciliation, on **every** sample path and period, ``province = Σ cities + discrepancy``.

Methods
-------
``bottom_up``
    Cities keep their paths; ``province := Σ cities + discrepancy``.
``mint_shrink``
    MinT (Wickramasuriya, Athanasopoulos & Hyndman 2019) with the Schäfer–Strimmer shrinkage covariance
    estimated, for each horizon step, from the sample paths; every path is projected onto the coherent
    subspace, so coherence holds on every path and the mean of the result is the reconciled mean (the
    maths is in :mod:`forecast.decisions.mint`).
``pin``
    The province's full-year total of a year is set to a given figure (a target or an official estimate;
    growth % or level) on every path. After a bottom-up pass, the difference ``δ`` of each path is spread
    over the cities' remaining periods of that year in proportion to each (city, period)'s variance
    across paths (the least certain cells move most; equal shares of the mean flow when no cell varies);
    the discrepancy keeps its model; ``province := Σ cities + discrepancy`` again. The year is that of the
    first forecast period; ``V_t`` and ``B_12`` come from :mod:`forecast.decisions.targets` so that
    :func:`forecast.decisions.targets.full_year_growth_paths` of the result equals the pinned growth on every path.
    Indicators in scope that are not pinned are reconciled bottom-up.

Trade = exports + imports
-------------------------
When exports and imports are forecast for the province and the same cities as trade, the three form one
two-level family: the hierarchy is reconciled on the parts (each with its own discrepancy) and then
``trade := exports + imports`` for every region and for the discrepancy, so both identities hold on
every path (``bottom_up``, ``pin``). ``mint_shrink`` projects all three jointly under both sets of
constraints. Otherwise each indicator is reconciled on its own and a note says the identity is not
enforced.

Growth-only series (fai) are reconciled on the panel's levels, which are a chained index anchored on any
published level (:func:`forecast.data.panel.build_panel`); where cities and province are on different scales the
discrepancy absorbs the difference and a note says so.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import IDENTITIES, INDICATORS, PROVINCE
from forecast.data.errors import Coded, DataError
from forecast.data.schema import INDICATOR, REGION, VALUE
from forecast.decisions.discrepancy import (
    DISCREPANCY,
    HISTORY_YEARS,
    discrepancy_history,
    forecast_discrepancy,
)
from forecast.decisions.mint import HierarchyBlock, mint_blocks, shrink_covariance
from forecast.decisions.targets import ytd_position

# names moved to forecast.decisions.discrepancy and forecast.decisions.mint stay importable from here
__all__ = ["DISCREPANCY", "HISTORY_YEARS", "METHODS", "PathSet", "as_pathset", "discrepancy_history",
           "forecast_discrepancy", "reconcile", "shrink_covariance"]

#: Reconciliation methods of :func:`reconcile`.
METHODS = ("bottom_up", "mint_shrink", "pin")


@dataclass(frozen=True, eq=False)
class PathSet:
    """Sample paths of future period flows of one series (the duck type of the engine's forecasts).

    ``paths`` has shape ``(n_paths, len(periods))``; ``notes`` says how the paths were derived.
    """

    region: str
    indicator: str
    last_period: pd.Period
    periods: pd.PeriodIndex
    paths: np.ndarray
    notes: tuple[str, ...] = ()

    @property
    def mean(self) -> np.ndarray:
        """Mean flow of each future period across paths."""
        return self.paths.mean(axis=0)

    def quantiles(self, levels) -> np.ndarray:
        """Quantiles across paths: array of shape ``(len(levels), h)``."""
        return np.quantile(self.paths, np.asarray(levels, dtype=float), axis=0)


def as_pathset(fc: Any, paths: np.ndarray | None = None, notes: tuple[str, ...] = ()) -> PathSet:
    """A :class:`PathSet` from any object with the forecast attributes (never shares ``paths``)."""
    old = tuple(getattr(fc, "notes", ()) or ())
    arr = np.array(fc.paths if paths is None else paths, dtype=float, copy=True)
    last = None if fc.last_period is None else pd.Period(fc.last_period, freq="M")
    return PathSet(str(fc.region), str(fc.indicator), last,
                   pd.PeriodIndex(fc.periods, freq="M"), arr, old + tuple(n for n in notes if n not in old))


# -- the hierarchy of one indicator (or of the trade family) --------------------------------------------
def _hierarchical(fcs: Mapping, indicator: str) -> list[str]:
    """Cities of ``indicator`` when the province and at least one city are forecast, else []."""
    if (PROVINCE, indicator) not in fcs:
        return []
    return sorted(r for (r, i) in fcs if i == indicator and r not in (PROVINCE, DISCREPANCY))


def _check_shapes(fcs: Mapping, keys: list[tuple[str, str]]) -> None:
    ref = fcs[keys[0]]
    ref_p, ref_n = pd.PeriodIndex(ref.periods, freq="M"), np.shape(ref.paths)
    bad = []
    for k in keys[1:]:
        f = fcs[k]
        if not pd.PeriodIndex(f.periods, freq="M").equals(ref_p) or np.shape(f.paths) != ref_n:
            bad.append(f"{k[0]}/{k[1]} has periods {_span(f.periods)} and paths {np.shape(f.paths)}")
    for k in keys:
        if not np.all(np.isfinite(np.asarray(fcs[k].paths, dtype=float))):
            bad.append(f"{k[0]}/{k[1]} has non-finite paths")
    if bad:
        raise DataError(
            f"cannot reconcile: every series of a hierarchy needs the same periods and number of paths as "
            f"{keys[0][0]}/{keys[0][1]} ({_span(ref_p)}, paths {ref_n}); " + "; ".join(bad)
            + ". Forecast all series from the same data with the same n_paths"
        )


def _span(periods) -> str:
    p = pd.PeriodIndex(periods, freq="M")
    return f"{p[0]}..{p[-1]}" if len(p) else "(none)"


def _rng(seed: int, indicator: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(indicator.encode())])


def _block(fcs: Mapping, panel: pd.DataFrame, indicator: str, cities: list[str], seed: int) -> HierarchyBlock:
    keys = [(PROVINCE, indicator)] + [(c, indicator) for c in cities]
    if (DISCREPANCY, indicator) in fcs:
        keys.append((DISCREPANCY, indicator))
    _check_shapes(fcs, keys)
    paths = {r: np.array(fcs[(r, i)].paths, dtype=float) for r, i in keys}
    notes: dict[str, list[str]] = {r: [] for r in [PROVINCE, *cities, DISCREPANCY]}
    if DISCREPANCY not in paths:
        prov = fcs[(PROVINCE, indicator)]
        hist = discrepancy_history(panel, indicator, tuple(cities))
        if len(hist):
            paths[DISCREPANCY] = forecast_discrepancy(hist, pd.PeriodIndex(prov.periods, freq="M"),
                                                      paths[PROVINCE].shape[0], seed=_rng(seed, indicator))
            notes[DISCREPANCY].append(Coded(
                f"discrepancy = province − Σ {len(cities)} cities: same-month mean of the last "
                f"{HISTORY_YEARS} years of {len(hist)} historical periods plus bootstrapped deviations",
                "rec_discrepancy_history", {"cities": len(cities), "years": HISTORY_YEARS, "periods": len(hist)}))
            total = np.abs(hist.to_numpy()).mean()
            prov_flow = panel.loc[(panel[REGION] == PROVINCE) & (panel[INDICATOR] == indicator), VALUE].abs().mean()
            if np.isfinite(prov_flow) and prov_flow > 0 and total > 0.5 * prov_flow:
                notes[PROVINCE].append(Coded(
                    f"the historical gap province − Σ cities averages {total / prov_flow:.0%} of the province's "
                    "flow: cities and province may be on different scales (chained indices without a level)",
                    "rec_large_gap", {"share": f"{total / prov_flow:.0%}"}))
        else:
            paths[DISCREPANCY] = paths[PROVINCE] - sum(paths[c] for c in cities)
            notes[DISCREPANCY].append(Coded(
                "no history of province − Σ cities in the panel: the discrepancy is the gap the forecasts imply "
                "on each path (the province keeps its own forecast)", "rec_no_history"))
    return HierarchyBlock(indicator, list(cities), paths, notes)


# -- pin ----------------------------------------------------------------------------------------------
def _pin_total(panel: pd.DataFrame, indicator: str, spec: Any, periods: pd.PeriodIndex) -> tuple[int, float, float]:
    """(year, V_t, target full-year total) of the province for a pin spec."""
    year = int(periods[0].year)
    rows = panel[(panel[REGION] == PROVINCE) & (panel[INDICATOR] == indicator)]
    if rows.empty:
        raise DataError(f"pin: the panel has no {PROVINCE}/{indicator} series to pin against")
    pos = ytd_position(rows, year)
    if isinstance(spec, Mapping):
        if set(spec) == {"growth"}:
            total = (1 + float(spec["growth"]) / 100) * pos.full_year_base
        elif set(spec) == {"level"}:
            total = float(spec["level"])
        else:
            raise DataError(f"pin={dict(spec)!r} for {indicator}; expected a growth in % (5.0), "
                            "{'growth': 5.0} or {'level': <full-year total>}")
    else:
        total = (1 + float(spec) / 100) * pos.full_year_base
    if not np.isfinite(total):
        raise DataError(f"pin for {indicator}: the pinned total is not finite ({total}); check the figure")
    return year, pos.ytd_value, float(total)


def _pin(fam: list[HierarchyBlock], pinned: str, panel: pd.DataFrame, spec: Any, periods: pd.PeriodIndex,
         trade_parts: bool) -> str:
    year, v_t, total = _pin_total(panel, pinned, spec, periods)
    cols = np.flatnonzero(np.asarray(periods.year) == year)
    if not len(cols):
        raise DataError(f"pin {pinned}: the forecast ({_span(periods)}) has no period left in {year}")
    if pinned == "trade" and trade_parts:  # the gap goes to the cities' exports and imports
        movers = [b for b in fam if b.indicator != "trade"]
    else:
        movers = [b for b in fam if b.indicator == pinned]
    prov_now = sum(b.paths[PROVINCE][:, cols].sum(axis=1) for b in movers)
    delta = (total - v_t) - prov_now  # (n,)
    cells = [(b, c) for b in movers for c in b.cities]
    var = np.array([b.paths[c][:, cols].var(axis=0) for b, c in cells])  # (cells × steps)
    if var.sum() <= 0:
        var = np.array([np.abs(b.paths[c][:, cols].mean(axis=0)) for b, c in cells])
        how = Coded("in proportion to their mean flow (no cell varies across paths)", "rec_by_mean")
    else:
        how = Coded("in proportion to each city-period's variance across paths", "rec_by_variance")
    if var.sum() <= 0:
        var = np.ones_like(var)
    share = var / var.sum()
    for (b, c), w in zip(cells, share, strict=True):
        b.paths[c] = b.paths[c].copy()
        b.paths[c][:, cols] += delta[:, None] * w[None, :]
        b.note(c, Coded(f"pinned: carries {w.sum():.1%} of the gap to the {PROVINCE} {pinned} {year} total",
                        "rec_pinned_share", {"share": f"{w.sum():.1%}", "region": PROVINCE, "indicator": pinned,
                                             "year": year}))
    for b in movers:
        b.bottom_up()
    target = next(b for b in fam if b.indicator == pinned)
    target.note(PROVINCE, Coded(f"pinned: {year} full-year total {total:.6g} on every path; the gap is spread over "
                                f"the cities' {'/'.join(b.indicator for b in movers)} {how}", "rec_pinned_total",
                                {"year": year, "total": f"{total:.6g}", "indicators": "/".join(b.indicator for b in movers),
                                 "how": how}))
    return how


# -- the public function ------------------------------------------------------------------------------
def _pin_specs(pin: Any, indicator: str | None) -> dict[str, Any]:
    if pin is None:
        raise DataError("method='pin' needs pin=: a full-year growth in % (with indicator=), "
                        "{'growth': g} or {'level': L}, or {indicator: spec}")
    if isinstance(pin, Mapping) and pin and set(pin) <= set(INDICATORS):
        return dict(pin)
    if indicator is None:
        raise DataError(f"pin={pin!r} does not say which indicator to pin; pass indicator='retail' (say) "
                        "or pin={'retail': 5.0}")
    return {indicator: pin}


def reconcile(forecasts: Mapping, panel: pd.DataFrame, *, method: str = "bottom_up",
              indicator: str | None = None, pin: Any = None, seed: int = 0) -> dict:
    """Make city forecasts add up to the province on every sample path (see the module docstring).

    Parameters
    ----------
    forecasts : mapping
        ``(region, indicator) → forecast`` (objects with ``region, indicator, last_period, periods,
        paths``); not modified.
    panel : DataFrame
        The panel of :func:`forecast.data.panel.build_panel` (history of the discrepancy, pin bases).
    method : {'bottom_up', 'mint_shrink', 'pin'}
    indicator : str, optional
        Reconcile only this indicator (trade, exports and imports go together); with ``pin``, the
        indicator a scalar ``pin`` applies to.
    pin : float or mapping, optional
        For ``method='pin'``: the province's full-year growth in %, ``{'growth': g}``,
        ``{'level': total}``, or ``{indicator: any of those}``.
    seed : int
        Seed of the discrepancy bootstrap.

    Returns
    -------
    dict
        A new mapping: reconciled series as :class:`PathSet` (with notes), a ``(DISCREPANCY, indicator)``
        entry per reconciled hierarchy, other series passed through unchanged.

    Raises
    ------
    DataError
        Unknown method, a bad pin, series of one hierarchy with different periods or path counts.

    Examples
    --------
    >>> out = reconcile(run.forecasts, panel, method="mint_shrink")
    >>> out[("discrepancy", "retail")].paths.shape                        # 200 paths, Nov 2026 to Dec 2027
    (200, 13)
    """
    if method not in METHODS:
        raise DataError(f"method={method!r}; expected one of {METHODS}")
    fcs = dict(forecasts)
    pins = _pin_specs(pin, indicator) if method == "pin" else {}
    inds = sorted({i for (_, i) in fcs})
    trade_family = {"trade", *IDENTITIES.get("trade", ())}
    if indicator is not None:
        scope = trade_family if indicator in trade_family else {indicator}
        inds = [i for i in inds if i in scope]
    out: dict = dict(fcs)
    parts = IDENTITIES.get("trade", ())
    trade_cities = _hierarchical(fcs, "trade")
    two_level = bool(trade_cities) and "trade" in inds and all(
        p in inds and _hierarchical(fcs, p) == trade_cities for p in parts)
    groups = [["trade", *parts]] if two_level else []
    groups += [[i] for i in inds if not (two_level and i in ("trade", *parts))]
    unpinnable = sorted(i for i in pins if i not in inds or not _hierarchical(fcs, i))
    if unpinnable:
        raise DataError(f"pin for {unpinnable}: no {PROVINCE} forecast with city forecasts of that indicator "
                        f"in scope (indicators in scope: {inds}); pin an indicator the forecasts hold")
    for group in groups:
        blocks = [_block(fcs, panel, i, _hierarchical(fcs, i), seed) for i in group if _hierarchical(fcs, i)]
        if not blocks:
            continue
        periods = pd.PeriodIndex(fcs[(PROVINCE, blocks[0].indicator)].periods, freq="M")
        if two_level and len(blocks) > 1:
            _check_shapes(fcs, [(PROVINCE, b.indicator) for b in blocks])
        _reconcile_group(blocks, method, pins, panel, periods, two_level and len(blocks) > 1)
        for b in blocks:
            for r in [PROVINCE, *b.cities, DISCREPANCY]:
                src = fcs.get((r, b.indicator))
                ps = as_pathset(fcs[(PROVINCE, b.indicator)] if src is None else src, b.paths[r],
                                (Coded(f"reconciled ({method})", "rec_reconciled", {"method": method}), *b.notes[r]))
                out[(r, b.indicator)] = replace(ps, region=r)
    if not two_level and "trade" in inds and any((r, p) in fcs for r in trade_cities for p in parts):
        for r in [PROVINCE, *trade_cities]:
            if (r, "trade") in out:
                out[(r, "trade")] = as_pathset(out[(r, "trade")], notes=(
                    Coded("trade = exports + imports not enforced: exports and imports are not forecast for the "
                          "same regions as trade", "rec_trade_not_enforced"),))
    return out


def _reconcile_group(blocks: list[HierarchyBlock], method: str, pins: dict, panel: pd.DataFrame,
                     periods: pd.PeriodIndex, two_level: bool) -> None:
    by = {b.indicator: b for b in blocks}
    base = [b for b in blocks if not (two_level and b.indicator == "trade")]

    def derive_trade() -> None:
        if two_level:
            t = by["trade"]
            p1, p2 = (by[p] for p in IDENTITIES["trade"])
            for r in [PROVINCE, *t.cities, DISCREPANCY]:
                t.paths[r] = p1.paths[r] + p2.paths[r]
                t.note(r, Coded("trade = exports + imports (reconciled parts)", "rec_trade_parts"))

    if method == "mint_shrink":
        mint_blocks(blocks, two_level)
    for b in base:
        b.bottom_up()
    derive_trade()
    if method == "pin":
        for ind, spec in pins.items():
            if ind in by:
                _pin(blocks, ind, panel, spec, periods, two_level)
        derive_trade()
