"""The Scenarios page's tables: a scenario against the baseline, saved scenarios side by side, and the
province target split over the cities — pure functions of a run (no Streamlit).

Scenarios act on the run's stored sample paths (:func:`forecast.decisions.scenarios.apply_scenario`); nothing is
refitted. :func:`scenario_effect` evaluates only the series a scenario changes, on positions computed
once per run (:class:`ScenarioContext`), so the page recomputes at once when a widget moves; its figures
equal :func:`forecast.decisions.scenarios.compare_scenarios`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.app import formats
from forecast.app.overview_tables import (
    INDICATOR_ORDER,
    REGION_ORDER,
    baseline_frame,
    evaluate_series,
    run_year,
    scenario_inputs,
    targets_input,
)
from forecast.data.catalog import PROVINCE, REGIONS
from forecast.data.errors import DataError, joined
from forecast.data.schema import INDICATOR, REGION, YEAR
from forecast.decisions.inversion import invert_province_target
from forecast.decisions.scenarios import apply_scenario
from forecast.decisions.targets import TOLERANCE_PP, VERDICT_PROVENANCES, remaining_flow_paths, ytd_position
from forecast.present import i18n
from forecast.present.messages import note_text


def series_frames(panel: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """The panel split by (region, indicator) once, so per-scenario work filters small frames."""
    return {(str(r), str(i)): g for (r, i), g in panel.groupby([REGION, INDICATOR], sort=False)}


@dataclass(frozen=True)
class ScenarioContext:
    """What every scenario on one run shares, computed once per run (the app caches it).

    ``baseline``: :func:`baseline_frame`; ``frames``: :func:`series_frames`; ``positions``: the
    :func:`forecast.decisions.targets.ytd_position` of each forecast series in ``year`` (a scenario changes future
    paths, never the history these come from); ``targets``: ``(region, indicator) → (value, kind)``;
    ``bases``: the remaining-period bases :func:`forecast.decisions.scenarios.apply_scenario` has needed so far,
    kept for the next scenario.
    """

    year: int
    baseline: pd.DataFrame
    frames: dict
    positions: dict
    targets: dict
    bases: dict = field(default_factory=dict)


def scenario_context(run: Any) -> ScenarioContext:
    """Build the :class:`ScenarioContext` of a run.

    Examples
    --------
    >>> ctx = scenario_context(run)          # once per run: scenario_effect(run, s, ctx) reuses it
    >>> ctx.year, ctx.targets["liaoning", "retail"]
    (2026, (4.0, 'about'))
    """
    year = run_year(run)
    frames = series_frames(run.panel)
    positions = {}
    for key in run.forecasts:
        if key in frames:
            try:
                positions[key] = ytd_position(frames[key], year)
            except DataError:
                continue
    tg = targets_input(run)
    tg = tg[tg[YEAR].astype(int) == year]
    targets = {(r, i): (float(v), str(k)) for r, i, v, k in zip(tg[REGION], tg[INDICATOR], tg["value"], tg["kind"],
                                                                strict=True)}
    return ScenarioContext(year, baseline_frame(run), frames, positions, targets)


def _full_year(pos: Any, fc: Any, target: float | None) -> dict[str, float]:
    """Projected full-year growth, its 80% band and the probability of ``target``, from ``fc``'s paths.

    The arithmetic of :func:`forecast.decisions.targets.evaluate_targets` (§4 of the design), term for term, on a
    position computed once: growth of each path ``((V_t + Σ remaining flows) / B_12 − 1)·100``.
    """
    if not pos.remaining:
        growth = np.array([pos.ytd_yoy])
    else:
        growth = ((pos.ytd_value + remaining_flow_paths(pos, fc)) / pos.full_year_base - 1) * 100
    out = {"projected": float(np.median(growth)), "p10": float(np.quantile(growth, 0.10)),
           "p90": float(np.quantile(growth, 0.90)), "probability": np.nan}
    if target is not None:
        out["probability"] = float(np.mean(growth >= target - TOLERANCE_PP))
    return out


def scenario_effect(run: Any, scenario: Any, context: ScenarioContext | None = None,
                    levels: Mapping | None = None) -> pd.DataFrame:
    """A scenario against the baseline, for the series it changes (province aggregates included).

    Applies the scenario to the stored sample paths (:func:`forecast.decisions.scenarios.apply_scenario`, no
    refit) and evaluates the changed series only; the figures equal those of
    :func:`forecast.decisions.scenarios.compare_scenarios` for the same run and scenario (a test checks it).

    Parameters
    ----------
    run, scenario
    context : ScenarioContext, optional
        :func:`scenario_context` of the run, made once and reused across scenarios (fast path).
    levels : mapping, optional
        Level estimates for ``abs`` on growth-only series (:func:`forecast.decisions.scenarios.level_scale`).

    Returns
    -------
    DataFrame
        region, indicator, has_target, target, kind, baseline, baseline_p10, baseline_p90, scenario,
        scenario_p10, scenario_p90, baseline_probability, probability, note (how an ``abs`` amount was
        placed on a growth-only series), delta_pp, delta_probability.

    Raises
    ------
    DataError
        As :func:`forecast.decisions.scenarios.apply_scenario`.

    Examples
    --------
    >>> from forecast.decisions.scenarios import Adjustment, Scenario
    >>> s = Scenario("q4", [Adjustment("pp", "retail", ("shenyang",), "2026-11..2026-12", 2.0)])
    >>> scenario_effect(run, s)[["region", "baseline", "scenario", "delta_pp"]].round(1)
         region  baseline  scenario  delta_pp
    0  liaoning       2.5       2.7       0.1
    1  shenyang       1.2       1.6       0.4
    """
    ctx = context if context is not None else scenario_context(run)
    inputs = scenario_inputs(run)
    touched = [(r, a.indicator) for a in scenario.adjustments for r in a.regions if (r, a.indicator) in ctx.frames]
    parts = [ctx.frames[k] for k in dict.fromkeys(touched)]
    # the panel rows of the adjusted series are all apply_scenario reads (bases, levels): keep it small
    panel = pd.concat(parts, ignore_index=True) if parts else run.panel.iloc[:0]
    out = apply_scenario(scenario, inputs, panel, levels=levels, bases=ctx.bases)
    changed = [k for k, v in out.items() if k[0] in REGIONS and v is not run.forecasts.get(k) and k in ctx.positions]
    changed.sort(key=lambda k: (REGION_ORDER.get(k[0], 99), INDICATOR_ORDER.get(k[1], 99)))
    base = ctx.baseline.set_index([REGION, INDICATOR])
    rows = []
    for key in changed:
        target, kind = ctx.targets.get(key, (None, ""))
        new = _full_year(ctx.positions[key], out[key], target)
        b = base.loc[key]
        rows.append({REGION: key[0], INDICATOR: key[1], "has_target": target is not None,
                     "target": np.nan if target is None else target, "kind": kind,
                     "baseline": float(b["projected"]), "baseline_p10": float(b["p10"]), "baseline_p90": float(b["p90"]),
                     "scenario": new["projected"], "scenario_p10": new["p10"], "scenario_p90": new["p90"],
                     "baseline_probability": float(b["probability"]), "probability": new["probability"],
                     # how an amount was placed on a growth-only series (level estimate), when it was
                     "note": joined([n for n in getattr(out[key], "notes", ()) if n.startswith("abs on")])})
    cols = [REGION, INDICATOR, "has_target", "target", "kind", "baseline", "baseline_p10", "baseline_p90", "scenario",
            "scenario_p10", "scenario_p90", "baseline_probability", "probability", "note"]
    res = pd.DataFrame(rows, columns=cols)
    res["delta_pp"] = res["scenario"] - res["baseline"]
    res["delta_probability"] = res["probability"] - res["baseline_probability"]
    return res


def scenario_table(effect: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`scenario_effect` for display: names in ``lang``, probabilities in percent."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_region"): [i18n.region_name(r, lang) for r in effect[REGION]],
        t("col_indicator"): [i18n.indicator_name(i, lang, short=True) for i in effect[INDICATOR]],
        t("col_target_text"): [i18n.fmt_target(v, k, lang) if h else i18n.status_label("no target", lang)
                               for v, k, h in zip(effect["target"], effect["kind"], effect["has_target"], strict=True)],
        t("scn_col_baseline"): effect["baseline"].to_numpy(dtype=float),
        t("scn_col_projected"): effect["scenario"].to_numpy(dtype=float),
        t("scn_col_delta"): effect["delta_pp"].to_numpy(dtype=float),
        t("scn_col_prob_base"): effect["baseline_probability"].to_numpy(dtype=float) * 100,
        t("scn_col_prob"): effect["probability"].to_numpy(dtype=float) * 100,
        t("col_note"): [note_text(n, lang) for n in effect["note"]] if "note" in effect else "",
    })


def chart_labels(frame: pd.DataFrame, lang: str = "zh") -> list[str]:
    """``region indicator`` labels of a frame's rows in ``lang``."""
    sep = "" if lang == "zh" else " "
    return [f"{i18n.region_name(r, lang)}{sep}{i18n.indicator_name(i, lang, short=True)}"
            for r, i in zip(frame[REGION], frame[INDICATOR], strict=True)]


def compare_wide(table: pd.DataFrame, lang: str = "zh", changed_only: bool = True) -> pd.DataFrame:
    """:func:`forecast.decisions.scenarios.compare_scenarios` side by side: one row per series, per run its
    projected full-year growth (%) and probability (%), plus each scenario's change (百分点/pp).

    Examples
    --------
    >>> from forecast.decisions.scenarios import Adjustment, Scenario, compare_scenarios
    >>> s = Scenario("q4", [Adjustment("pp", "retail", ("shenyang",), "2026-11..2026-12", 2.0)])
    >>> wide = compare_wide(compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, [s]), "en")
    >>> wide[["Region", "q4: Change (pp)"]].round(1)
         Region  q4: Change (pp)
    0  Liaoning              0.1
    1  Shenyang              0.4
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    runs = list(dict.fromkeys(table["scenario"]))
    keys = list(dict.fromkeys(zip(table[REGION], table[INDICATOR], strict=True)))
    idx = table.set_index(["scenario", REGION, INDICATOR])
    out = pd.DataFrame({t("col_region"): [i18n.region_name(r, lang) for r, _ in keys],
                        t("col_indicator"): [i18n.indicator_name(i, lang, short=True) for _, i in keys]})
    mask = np.zeros(len(keys), dtype=bool)
    for name in runs:
        sub = idx.loc[name].reindex(pd.MultiIndex.from_tuples(keys))
        label = t("legend_baseline") if name == "baseline" else name
        out[f"{label}: {t('col_projected')}"] = sub["projected"].to_numpy(dtype=float)
        if name != "baseline":
            delta = sub["delta_projected"].to_numpy(dtype=float)
            out[f"{label}: {t('scn_col_delta')}"] = delta
            mask |= np.nan_to_num(np.abs(delta)) > 1e-12
        out[f"{label}: {t('col_probability')}"] = sub["probability"].to_numpy(dtype=float) * 100
    return out[mask].reset_index(drop=True) if changed_only else out


def adjustments_table(adjustments: Iterable[Mapping], lang: str = "zh") -> pd.DataFrame:
    """Adjustments (dicts of a scenario spec) for display: kind, indicator, regions, months, size in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    rows = list(adjustments)
    sep = "、" if lang == "zh" else ", "
    return pd.DataFrame({
        t("scn_kind"): [t(f"kind_{a['kind']}") for a in rows],
        t("scn_indicator"): [i18n.indicator_name(a["indicator"], lang, short=True) for a in rows],
        t("scn_regions"): [sep.join(i18n.region_name(r, lang) for r in a["regions"]) for a in rows],
        t("scn_from"): [_month(str(a["months"]).split("..")[0], lang) for a in rows],
        t("scn_to"): [_month(str(a["months"]).split("..")[-1], lang) for a in rows],
        # the size with its unit (百分点, %, 亿元: the kind's), so the column needs no single unit
        t("scn_size"): [_size(a["kind"], float(a["value"]), lang) for a in rows],
    })


def _month(text: str, lang: str) -> str:
    try:
        return i18n.fmt_month(pd.Period(text.strip(), "M"), lang)
    except ValueError:
        return text


def _size(kind: str, value: float, lang: str) -> str:
    """An adjustment's size with its unit: ``+2.0个百分点``, ``-3.0%``, ``50.0亿元``, ``6.0%``."""
    if kind == "pp":
        return i18n.fmt_pp(value, lang)
    if kind == "abs":
        return i18n.fmt_amount(value, lang)
    return i18n.fmt_pct(value, lang, sign=kind == "pct")


def scenario_months(run: Any, indicator: str) -> list[pd.Period]:
    """Forecast periods an adjustment of ``indicator`` can select (the province's, else any series')."""
    fc = run.forecasts.get((PROVINCE, indicator)) or next(
        (f for (r, i), f in run.forecasts.items() if i == indicator and r in REGIONS), None)
    return [] if fc is None else list(pd.PeriodIndex(fc.periods, freq="M"))


def province_target_default(run: Any, indicator: str) -> tuple[float, bool]:
    """The target the province-target split starts from: ``(value, True)`` when the province has a target of
    the run's year for ``indicator`` (published or analyst's), else ``(its median projected growth, False)``
    rounded to 0.1 — never another year's target.

    Examples
    --------
    >>> province_target_default(run, "retail")              # 2026: 4% 左右 (the 2023 target was 7%)
    (4.0, True)
    >>> province_target_default(run, "trade")[1]             # no 2026 trade target: start from the projection
    False
    """
    tg = targets_input(run)
    year = run_year(run)
    row = tg[(tg[REGION] == PROVINCE) & (tg[INDICATOR] == indicator) & (tg[YEAR].astype(int) == year)
             & tg.get("status", pd.Series("published", index=tg.index)).isin(VERDICT_PROVENANCES)]
    if len(row):
        return float(row["value"].iloc[0]), True
    ev = evaluate_series(run.panel, run.forecasts, tg, [(PROVINCE, indicator)], year)
    projected = float(ev["projected"].iloc[0]) if len(ev) else float("nan")
    return (round(projected, 1) if np.isfinite(projected) else 0.0), False


def inversion_frame(run: Any, indicator: str, target: float, rule: str = "equal_pp") -> pd.DataFrame:
    """:func:`forecast.decisions.inversion.invert_province_target` on the run's panel and forecasts.

    Raises
    ------
    DataError
        As the inversion (growth-only series, year decided, …).

    Examples
    --------
    >>> inversion_frame(run, "retail", 6.0)[["region", "role", "required_growth"]].iloc[[0, 1, -1]].round(1)
          region      role  required_growth
    0   shenyang      city             21.9
    1     dalian      city             27.3
    15  liaoning  province             22.4
    """
    return invert_province_target(run.panel, float(target), indicator=indicator, year=run_year(run), rule=rule,
                                  forecasts=run.forecasts, city_targets=targets_input(run))


def inversion_table(inv: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`inversion_frame` for display; growth in %, extra in 百分点/pp, share of the remaining flow in %."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_region"): [i18n.region_name(r, lang) for r in inv[REGION]],
        t("inv_col_role"): [t(f"role_{r}") for r in inv["role"]],
        t("inv_col_baseline"): inv["baseline_growth"].to_numpy(dtype=float),
        t("inv_col_required"): inv["required_growth"].to_numpy(dtype=float),
        t("inv_col_extra"): inv["extra_pp"].to_numpy(dtype=float),
        t("inv_col_full_year"): inv["full_year_growth"].to_numpy(dtype=float),
        t("inv_col_share"): inv["remaining_share"].to_numpy(dtype=float) * 100,
        t("col_note"): [note_text(n, lang) for n in inv["note"]],
    })


def compare_effects(effects: Mapping[str, pd.DataFrame], context: ScenarioContext) -> pd.DataFrame:
    """Saved scenarios side by side from their :func:`scenario_effect` frames (the fast path of the page):
    the long layout of :func:`forecast.decisions.scenarios.compare_scenarios` (``scenario, region, indicator,
    projected, delta_projected, probability``) for every series some scenario changes, baseline first.

    A series a scenario leaves alone keeps the baseline's figures (change 0) in that scenario's rows; the
    figures equal ``compare_scenarios``'s on the same run (a test checks it).
    """
    keys = list(dict.fromkeys(k for eff in effects.values() for k in zip(eff[REGION], eff[INDICATOR], strict=True)))
    keys.sort(key=lambda k: (REGION_ORDER.get(k[0], 99), INDICATOR_ORDER.get(k[1], 99)))
    base = context.baseline.set_index([REGION, INDICATOR])
    rows = [{"scenario": "baseline", REGION: r, INDICATOR: i, "projected": float(base.loc[(r, i), "projected"]),
             "delta_projected": 0.0, "probability": float(base.loc[(r, i), "probability"])} for r, i in keys]
    for name, eff in effects.items():
        mine = eff.set_index([REGION, INDICATOR])
        for r, i in keys:
            if (r, i) in mine.index:
                e = mine.loc[(r, i)]
                rows.append({"scenario": name, REGION: r, INDICATOR: i, "projected": float(e["scenario"]),
                             "delta_projected": float(e["delta_pp"]), "probability": float(e["probability"])})
            else:
                rows.append({"scenario": name, REGION: r, INDICATOR: i, "projected": float(base.loc[(r, i), "projected"]),
                             "delta_projected": 0.0, "probability": float(base.loc[(r, i), "probability"])})
    return pd.DataFrame(rows, columns=["scenario", REGION, INDICATOR, "projected", "delta_projected", "probability"])


def compare_digits(wide: pd.DataFrame, lang: str = "zh") -> dict[str, int]:
    """Decimals per column of :func:`compare_wide` so that no change shown is hidden by rounding: each
    change column as :func:`forecast.app.formats.change_digits`, each scenario's growth and the baseline's as
    :func:`forecast.app.formats.pair_digits` (the baseline takes the most any scenario needs)."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    base_col = f"{t('legend_baseline')}: {t('col_projected')}"
    base_p = f"{t('legend_baseline')}: {t('col_probability')}"
    out: dict[str, int] = {}
    for col in wide.columns:
        if col.endswith(f": {t('col_probability')}") and col != base_p and base_p in wide:
            # probabilities in whole percent, unless a scenario's would then look equal to the baseline's
            ppg = formats.pair_digits(wide[base_p], wide[col], digits=0, delta_digits=1)
            out[col] = ppg
            out[base_p] = max(out.get(base_p, 0), ppg)
        if col.endswith(f": {t('scn_col_delta')}"):
            name = col[: -len(f": {t('scn_col_delta')}")]
            proj = f"{name}: {t('col_projected')}"
            dd = formats.change_digits(wide[col])
            out[col] = dd
            if base_col in wide and proj in wide:
                pd_ = formats.pair_digits(wide[base_col], wide[proj], delta_digits=dd)
                out[proj] = max(out.get(proj, 1), pd_)
                out[base_col] = max(out.get(base_col, 1), pd_)
    return out


def effect_digits(effect_table: pd.DataFrame, lang: str = "zh") -> dict[str, int]:
    """Decimals per column of :func:`scenario_table` (as :func:`compare_digits`)."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    base, new, delta = t("scn_col_baseline"), t("scn_col_projected"), t("scn_col_delta")
    if not len(effect_table):
        return {}
    dd = formats.change_digits(effect_table[delta])
    pdg = formats.pair_digits(effect_table[base], effect_table[new], delta_digits=dd)
    # probabilities in whole percent, unless two of a row would then look equal while they differ
    p0, p1 = t("scn_col_prob_base"), t("scn_col_prob")
    ppg = formats.pair_digits(effect_table[p0], effect_table[p1], digits=0, delta_digits=1)
    return {delta: dd, base: pdg, new: pdg, p0: ppg, p1: ppg}
