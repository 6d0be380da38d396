"""The arithmetic of targets (DESIGN §4): full-year base, required growth, probability of meeting a target.

For one series in year ``Y`` after its latest release ``t`` (YTD value ``V_t``, published YTD growth
``g_t``, comparable base ``B_t = V_t / (1 + g_t)``) and the full-year comparable base ``B_12``:

- full-year growth of a sample path = ``(V_t + sum of the path's flows for the rest of Y) / B_12 − 1``;
- flow still needed for a target ``T``: ``R = (1 + T)·B_12 − V_t``;
- growth the remaining periods need, against the same periods last year: ``R / (B_12 − B_t) − 1``;
- probability of meeting ``T`` = share of sample paths whose full-year growth is ≥ ``T``. Both target
  kinds (``about`` 左右 and ``at_least`` 以上) are read as "≥ value"; the kind is carried to the output.

Growth-only series (``fai``) run the same formulas on the chained index of :func:`forecast.data.panel.build_panel`
(``is_index``); rows computed that way say so in ``derived_from_index``.

A panel "release" is a row with a finite ``ytd_value`` and a finite ``ytd_yoy``. All functions are pure:
they never modify their inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import INDICATORS, PROVINCE, REGIONS
from forecast.data.errors import Coded, DataError, joined
from forecast.data.schema import INDICATOR, PERIOD, REGION, TARGET_COLUMNS, YEAR, YTD_VALUE, YTD_YOY
from forecast.decisions.position import (  # noqa: F401 - re-exported: targets is where callers look first
    YM,
    SeriesTable,
    YTDPosition,
    full_year_base,
    full_year_base_of,
    full_year_growth_paths,
    growth_from_flows,
    panel_periods_per_year,
    remaining_bases,
    remaining_flow_paths,
    remaining_periods,
    series_table,
    shift_paths_pp,
    ytd_position,
)

#: Default probability thresholds: ``on_track`` at ≥ 0.7, ``at_risk`` at ≥ 0.3, else ``off_track``.
THRESHOLDS = (0.7, 0.3)
#: Where a target comes from (the ``status`` column of a targets table, ``target_status`` of an evaluation):
#: ``published`` names a source document, ``analyst`` was entered by a person (who, when, source or reason),
#: ``reference`` is derived by a stated rule. Only the first two give a verdict.
PROVENANCES = ("published", "analyst", "reference")
VERDICT_PROVENANCES = frozenset({"published", "analyst"})
#: Status of a series evaluated against a reference target (neutral: never counted as a verdict).
REFERENCE_STATUS = "reference"
#: A full-year growth within this many percentage points below the target still counts as meeting it
#: (guards ``≥`` against floating-point noise only).
TOLERANCE_PP = 1e-9
#: Relative tolerance under which ``B_12`` and ``B_t`` count as equal (no period left).
_SAME_BASE_RTOL = 1e-9
QUANTILES = {"p2_5": 0.025, "p10": 0.10, "p90": 0.90, "p97_5": 0.975}


# -- scalar arithmetic ------------------------------------------------------------------------------------
def required_growth(ytd_value: float, ytd_yoy: float, full_year_base: float, target: float) -> float:  # noqa: F811
    """Growth (%) the rest of the year needs, against the same periods last year, to reach ``target``.

    ``B_t = V_t / (1 + g_t)``, ``R = (1 + T)·B_12 − V_t`` and the result is ``R / (B_12 − B_t) − 1``,
    in percent. A result at or below −100 means the target is reached even if nothing more comes in.

    Parameters
    ----------
    ytd_value : float
        ``V_t``, the YTD level (亿元, or index points) after the latest release; ``0`` (with
        ``ytd_yoy = 0``) means nothing of the year has been released yet, and the answer is ``target``.
    ytd_yoy : float
        ``g_t``, the published YTD growth in percent.
    full_year_base : float
        ``B_12``, last year's full-year level on this year's comparable basis (:func:`full_year_base`).
    target : float
        ``T`` in percent.

    Returns
    -------
    float
        Required growth of the remaining periods in percent; **NaN when no period remains** (``B_12``
        equals ``B_t`` to a relative 1e-9, i.e. December is released): the year is decided, compare
        ``ytd_yoy`` with ``target`` instead.

    Raises
    ------
    DataError
        Non-finite input; ``ytd_yoy ≤ −100``; a negative ``ytd_value``; a non-positive ``full_year_base``;
        ``full_year_base < B_t`` (the remaining periods would have a negative base). The message names
        the condition and the values given.

    Examples
    --------
    >>> round(required_growth(500.0, 25.0, 1000.0, 5.0), 6)   # B_t = 400; R = 1050 − 500 = 550; 550/600 − 1
    -8.333333
    >>> round(required_growth(0.0, 0.0, 1000.0, 5.0), 6)      # nothing released yet: the target itself
    5.0
    """
    values = {"ytd_value": ytd_value, "ytd_yoy": ytd_yoy, "full_year_base": full_year_base, "target": target}
    bad = {k: v for k, v in values.items() if not np.isfinite(float(v))}
    if bad:
        raise DataError(f"required_growth: non-finite input(s) {bad}; expected finite numbers")
    v, g, b12, tgt = (float(x) for x in (ytd_value, ytd_yoy, full_year_base, target))
    if g <= -100:
        raise DataError(f"required_growth: ytd_yoy={g} % is at or below -100 %, which leaves no comparable base; "
                        "growth is in percent (5.2 means +5.2 %)")
    if v < 0:
        raise DataError(f"required_growth: ytd_value={v} is negative; expected a YTD level ≥ 0")
    if b12 <= 0:
        raise DataError(f"required_growth: full_year_base={b12} is not positive; expected last year's "
                        "full-year level (> 0) on this year's comparable basis")
    bt = v / (1 + g / 100)
    remaining_base = b12 - bt
    if abs(remaining_base) <= _SAME_BASE_RTOL * b12:
        return float("nan")
    if remaining_base < 0:
        raise DataError(
            f"required_growth: full_year_base={b12} is below the YTD base B_t = ytd_value/(1+ytd_yoy) = {bt:.6g}, "
            "so the remaining periods would have a negative base; check that full_year_base is last year's "
            "full-year (December) level on a comparable basis and that ytd_value is this year's YTD level"
        )
    needed = (1 + tgt / 100) * b12 - v
    return float((needed / remaining_base - 1) * 100)



def target_status(probability: float, thresholds: tuple[float, float] = THRESHOLDS) -> str:
    """``on_track`` (p ≥ thresholds[0]), ``at_risk`` (p ≥ thresholds[1]), ``off_track``; ``unknown`` if NaN.

    Examples
    --------
    >>> target_status(0.7), target_status(0.69), target_status(0.29), target_status(float("nan"))
    ('on_track', 'at_risk', 'off_track', 'unknown')
    """
    on, risk = _check_thresholds(thresholds)
    if not np.isfinite(probability):
        return "unknown"
    return "on_track" if probability >= on else "at_risk" if probability >= risk else "off_track"


def _check_thresholds(thresholds: tuple[float, float]) -> tuple[float, float]:
    on, risk = (float(x) for x in thresholds)
    if not 0 <= risk <= on <= 1:
        raise DataError(f"thresholds={thresholds!r}; expected (on_track, at_risk) with 0 ≤ at_risk ≤ on_track ≤ 1")
    return on, risk


def forecast_map(forecasts: Mapping | Iterable | None) -> dict[tuple[str, str], Any]:
    if forecasts is None:
        return {}
    if isinstance(forecasts, Mapping):
        return dict(forecasts)
    return {(f.region, f.indicator): f for f in forecasts}


def latest_year(panel: pd.DataFrame) -> int:
    """Year of the latest release (finite ``ytd_value``) in a panel."""
    ok = np.isfinite(panel[YTD_VALUE].to_numpy(dtype=float)) if len(panel) else np.zeros(0, bool)
    if not ok.any():
        raise DataError("panel has no released value (finite ytd_value); nothing to evaluate")
    return int(pd.PeriodIndex(panel.loc[ok, PERIOD]).max().year)


def _check_targets(targets: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (REGION, INDICATOR, YEAR, "value", "kind") if c not in targets.columns]
    if missing:
        raise DataError(f"targets: missing column(s) {missing}; expected {TARGET_COLUMNS} (forecast.data.target_table.load_targets)")
    dup = targets.duplicated([REGION, INDICATOR, YEAR], keep=False)
    if dup.any():
        keys = sorted({f"{r}/{i}/{y}" for r, i, y in targets.loc[dup, [REGION, INDICATOR, YEAR]].itertuples(index=False)})
        raise DataError(f"targets: several targets for {keys[:10]}; keep one per region × indicator × year")
    bad = ~np.isfinite(pd.to_numeric(targets["value"], errors="coerce").to_numpy(dtype=float))
    if bad.any():
        raise DataError(f"targets: non-numeric or missing value (%) at row(s) {list(targets.index[bad][:10])}; "
                        "expected a growth target such as 5.5")
    return targets


def evaluate_targets(
    panel: pd.DataFrame,
    forecasts: Mapping | Iterable | None,
    targets: pd.DataFrame,
    *,
    year: int | None = None,
    thresholds: tuple[float, float] = THRESHOLDS,
) -> pd.DataFrame:
    """Every target of ``year`` against the latest data and the forecast sample paths.

    Per target (region × indicator): where the series stands (:func:`ytd_position`), the full-year
    growth of every sample path (:func:`full_year_growth_paths`), its median (``projected``) and
    quantiles, the probability that full-year growth is ≥ the target (both ``about`` and ``at_least``
    are read as ≥ value; ``kind`` is shown), the growth the remaining periods need
    (:func:`required_growth`) and a status from the probability: ``on_track`` if ≥ ``thresholds[0]``
    (0.7), ``at_risk`` if ≥ ``thresholds[1]`` (0.3), else ``off_track``; ``unknown`` without a
    probability. A target whose ``status`` (provenance) is ``reference`` gets status ``reference``
    instead: its probability is shown, never a verdict. Every row also carries two neutral reference
    probabilities: ``p_nonneg`` (full-year growth ≥ 0) and ``p_ge_last`` (full-year growth ≥ last year's,
    ``last_growth``, the published December YTD growth of ``year − 1``).

    Once December is released the year is **decided**: ``periods_left = 0``, ``projected`` and every
    quantile equal the published full-year growth, probability is 1 or 0, ``required_growth`` is NaN.
    A row whose figures cannot be computed (no data, no forecast, no full-year base, forecast not
    covering the remaining periods) keeps NaN there and says why in ``note``; nothing is raised for it.

    Parameters
    ----------
    panel : DataFrame
        From :func:`forecast.data.panel.build_panel`.
    forecasts : mapping or iterable, optional
        ``(region, indicator) → forecast`` (or an iterable of forecasts) with ``region``,
        ``indicator``, ``last_period``, ``periods`` and ``paths`` (n_paths × h future period flows).
    targets : DataFrame
        From :func:`forecast.data.target_table.load_targets`.
    year : int, optional
        Default: the year of the panel's latest release.
    thresholds : (float, float)
        Probabilities for ``on_track`` and ``at_risk``.

    Returns
    -------
    DataFrame
        One row per target of ``year``: region, indicator, year, last_period, periods_left, ytd_value,
        ytd_growth, full_year_base, base_method, target, kind, target_status, projected, p2_5, p10, p90,
        p97_5, probability, required_growth, gap_pp, status, last_growth, p_nonneg, p_ge_last, decided,
        derived_from_index, n_paths, note.
        Growths and ``gap_pp`` (projected − target) in percent / 百分点.

    Examples
    --------
    >>> ev = evaluate_targets(panel, run.forecasts, targets)     # 2026: only the province's retail target
    >>> ev[["region", "indicator", "target", "projected", "probability", "status"]].round(1)
         region indicator  target  projected  probability     status
    0  liaoning    retail     4.0        2.5          0.0  off_track
    >>> ev[["last_growth", "p_nonneg", "p_ge_last"]].round(2)      # the neutral reference probabilities
       last_growth  p_nonneg  p_ge_last
    0          1.4      0.96       0.84
    """
    _check_thresholds(thresholds)
    targets = _check_targets(targets)
    year = latest_year(panel) if year is None else int(year)
    fmap = forecast_map(forecasts)
    groups = dict(iter(panel.groupby([REGION, INDICATOR], sort=False))) if len(panel) else {}
    rows = [
        _evaluate_one(groups.get((tgt[REGION], tgt[INDICATOR])), fmap, tgt, year, thresholds)
        for tgt in targets[targets[YEAR].astype(int) == year].to_dict("records")
    ]
    out = pd.DataFrame(rows, columns=_EVAL_COLUMNS)
    out["last_period"] = pd.PeriodIndex(out["last_period"], freq="M") if len(out) else out["last_period"]
    return out


_EVAL_COLUMNS = [
    REGION, INDICATOR, YEAR, "last_period", "periods_left", "ytd_value", "ytd_growth", "full_year_base",
    "base_method", "target", "kind", "target_status", "projected", *QUANTILES, "probability",
    "required_growth", "gap_pp", "status", "last_growth", "p_nonneg", "p_ge_last", "decided", "derived_from_index",
    "n_paths", "note",
]


#: The stated rule of a reference target (zh / en), kept in its ``source``.
REFERENCE_RULE = ("参考：全省{year}年目标（{value:g}%{kind_zh}）套用到本市，非本市公布目标",
                  "reference: the province's {year} target ({value:g}% {kind}) applied to the city; not a city target")


def with_reference_targets(targets: pd.DataFrame, keys: Iterable[tuple[str, str]], year: int) -> pd.DataFrame:
    """``targets`` plus a ``reference`` target for every city series in ``keys`` that has none of its own.

    A city series without a published or analyst target for ``year`` gets the province's target of the
    same indicator and year, when the province has one, as a ``reference`` row (status ``reference``, the
    rule stated in ``source``): it is shown against the city for orientation and never counted as a
    verdict. Cities that have their own target, and series whose province has none, get nothing.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["liaoning", "dalian"], "indicator": ["retail", "retail"], "year": [2026, 2026],
    ...                   "value": [4.0, 6.0], "kind": ["about", "about"], "status": ["published", "published"],
    ...                   "source": ["a", "b"]})
    >>> out = with_reference_targets(t, [("shenyang", "retail"), ("dalian", "retail"), ("shenyang", "fai")], 2026)
    >>> out[["region", "value", "status"]].values.tolist()     # catalogue order: province, shenyang, dalian, …
    [['liaoning', 4.0, 'published'], ['shenyang', 4.0, 'reference'], ['dalian', 6.0, 'published']]
    """
    year = int(year)
    tg = targets[pd.to_numeric(targets[YEAR]).astype(int) == year]
    own = {(r, i) for r, i, st in zip(tg[REGION], tg[INDICATOR], tg.get("status", pd.Series("published", index=tg.index)),
                                       strict=True) if st != "reference"}
    province = {i: row for i, row in zip(tg[INDICATOR], tg.to_dict("records"), strict=True)
                if row[REGION] == PROVINCE and row.get("status", "published") in VERDICT_PROVENANCES}
    rows = []
    for region, indicator in dict.fromkeys(keys):
        if region == PROVINCE or (region, indicator) in own or indicator not in province:
            continue
        p = province[indicator]
        kind_zh = "左右" if p["kind"] == "about" else "以上" if p["kind"] == "at_least" else ""
        rule = " / ".join(r.format(year=year, value=float(p["value"]), kind=p["kind"], kind_zh=kind_zh)
                          for r in REFERENCE_RULE)
        rows.append({REGION: region, INDICATOR: indicator, YEAR: year, "value": float(p["value"]), "kind": p["kind"],
                     "status": "reference", "source": rule})
    if not rows:
        return targets
    extra = pd.DataFrame(rows, columns=list(targets.columns))
    out = pd.concat([targets, extra], ignore_index=True)
    # catalogue order (province first, then the cities; carriages in order), as every table shows them
    rank_r, rank_i = {r: n for n, r in enumerate(REGIONS)}, {i: n for n, i in enumerate(INDICATORS)}
    order = sorted(range(len(out)), key=lambda n: (rank_r.get(out[REGION].iat[n], 99),
                                                   rank_i.get(out[INDICATOR].iat[n], 99), int(out[YEAR].iat[n])))
    return out.iloc[order].reset_index(drop=True)


def verdict_counts(evaluated: pd.DataFrame) -> dict[str, int]:
    """Verdicts among series with a published or analyst target, and how many series have none.

    ``on_track``, ``at_risk``, ``off_track`` and ``unknown`` count rows whose ``target_status`` is
    ``published`` or ``analyst``; ``no_target`` counts every other row (no target, or only a reference).

    Examples
    --------
    >>> ev = pd.DataFrame({"status": ["on_track", "off_track", "reference", "no target"],
    ...                    "target_status": ["published", "analyst", "reference", ""]})
    >>> verdict_counts(ev)
    {'on_track': 1, 'at_risk': 0, 'off_track': 1, 'unknown': 0, 'no_target': 2}
    """
    verdict = evaluated["target_status"].isin(VERDICT_PROVENANCES) if len(evaluated) else pd.Series(dtype=bool)
    have = evaluated[verdict]
    out = {s: int((have["status"] == s).sum()) for s in ("on_track", "at_risk", "off_track", "unknown")}
    out["no_target"] = int(len(evaluated) - len(have))
    return out


def last_year_growth(series: pd.DataFrame | None, year: int) -> float:
    """Published full-year (December YTD) growth of ``year − 1`` in one series' panel rows, or NaN.

    Examples
    --------
    >>> rows = panel[(panel["region"] == "liaoning") & (panel["indicator"] == "retail")]
    >>> round(last_year_growth(rows, 2026), 1)
    1.4
    """
    if series is None or series.empty:
        return float("nan")
    dec = series[pd.PeriodIndex(series[PERIOD], freq="M") == pd.Period(f"{int(year) - 1}-12", freq="M")]
    values = pd.to_numeric(dec[YTD_YOY], errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(values[-1]) if len(values) else float("nan")


def _evaluate_one(series: pd.DataFrame | None, fmap: dict, tgt: dict, year: int, thresholds: tuple[float, float]) -> dict:
    region, indicator, target = tgt[REGION], tgt[INDICATOR], float(tgt["value"])
    row: dict[str, Any] = {c: np.nan for c in _EVAL_COLUMNS}
    row.update({REGION: region, INDICATOR: indicator, YEAR: year, "target": target, "kind": tgt["kind"],
                "target_status": tgt.get("status", ""), "last_period": pd.NaT, "base_method": "",
                "decided": False, "derived_from_index": False, "n_paths": 0, "status": "unknown", "note": "",
                "last_growth": last_year_growth(series, year)})
    if series is None or series.empty:
        row["note"] = Coded("no data for this series", "no_data")
        return row
    notes: list[str] = []
    try:
        pos = ytd_position(series, year)
    except DataError as exc:
        row["note"] = exc.summary
        return row
    row.update({"last_period": pos.last_period if pos.last_period is not None else pd.NaT,
                "periods_left": pos.periods_left, "ytd_growth": pos.ytd_yoy,
                "ytd_value": pos.ytd_value if pos.last_period is not None else np.nan,
                "full_year_base": pos.full_year_base, "base_method": pos.base_method,
                "decided": not pos.remaining, "derived_from_index": pos.is_index})
    if pos.is_index:
        notes.append(Coded("derived from the chained growth index (levels not published)", "derived_from_index"))
    if not pos.remaining:
        growth = np.array([pos.ytd_yoy])
        notes.append(Coded("year decided: December released", "year_decided"))
    else:
        try:
            row["required_growth"] = required_growth(pos.ytd_value, 0.0 if pos.last_period is None else pos.ytd_yoy,
                                                     pos.full_year_base, target)
        except DataError as exc:
            notes.append(exc.summary)
        fc = fmap.get((region, indicator))
        try:
            growth = growth_from_flows(pos, remaining_flow_paths(pos, fc))
        except DataError as exc:
            row["note"] = joined([*notes, exc.summary])
            return row
        made = getattr(fc, "last_period", None)
        if pos.last_period is not None and made is not None and pd.Period(made, freq="M") < pos.last_period:
            notes.append(Coded(f"forecast made at {fc.last_period}, data now at {pos.last_period}", "forecast_stale",
                               {"made": str(fc.last_period), "now": str(pos.last_period)}))
    probability = float(np.mean(growth >= target - TOLERANCE_PP))
    verdict = target_status(probability, thresholds)
    row.update({"projected": float(np.median(growth)), "probability": probability, "n_paths": len(growth),
                "status": REFERENCE_STATUS if tgt.get("status") == "reference" else verdict,
                "p_nonneg": float(np.mean(growth >= -TOLERANCE_PP))})
    if np.isfinite(row["last_growth"]):
        row["p_ge_last"] = float(np.mean(growth >= row["last_growth"] - TOLERANCE_PP))
    row.update({k: float(np.quantile(growth, q)) for k, q in QUANTILES.items()})
    row["gap_pp"] = row["projected"] - target
    row["note"] = joined(notes)
    return row
