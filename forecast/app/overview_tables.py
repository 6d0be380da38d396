"""The tables each page of the app shows, built from a run by pure functions (no Streamlit).

A *run* is the latest complete batch run (:func:`forecast.runs.results.load_latest_run`): an object with
``run_id``, ``finished``, ``data_vintage``, ``panel`` (:func:`forecast.data.panel.build_panel`), ``forecasts``
(``(region, indicator) →`` forecast with ``last_period``, ``periods``, ``paths`` and, when the engine made
it, ``weights``, ``dropped``, ``flags``, ``metrics``), ``targets`` (:func:`forecast.decisions.targets.evaluate_targets`)
and ``metrics``. Every function here reads the run and returns a new frame; tests compare these frames
with the ``forecast`` API on the same run, and the app only renders them.

Numeric columns keep their full precision (the app formats them), so a number shown is the API's number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, INDICATORS, REGIONS
from forecast.data.schema import INDICATOR, PERIOD, REGION, YEAR
from forecast.decisions.position import panel_base_effect
from forecast.decisions.targets import evaluate_targets, latest_year
from forecast.present import i18n

#: Columns of :func:`overview_frame` (evaluate_targets' columns plus ``has_target``).
OVERVIEW_NUMBERS = ["ytd_growth", "target", "projected", "p10", "p90", "probability", "required_growth", "gap_pp"]
REGION_ORDER = {r: i for i, r in enumerate(REGIONS)}
INDICATOR_ORDER = {k: i for i, k in enumerate(INDICATORS)}


def in_catalogue_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by region (province first, then cities) and indicator in catalogue order."""
    key = frame[REGION].map(REGION_ORDER).fillna(99) * 100 + frame[INDICATOR].map(INDICATOR_ORDER).fillna(99)
    return frame.assign(_k=key.to_numpy()).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def series_rows(panel: pd.DataFrame, region: str, indicator: str) -> pd.DataFrame:
    """The panel rows of one series, sorted by period."""
    rows = panel[(panel[REGION] == region) & (panel[INDICATOR] == indicator)]
    return rows.sort_values(PERIOD).reset_index(drop=True)


def run_year(run: Any) -> int:
    """Year of the run's targets (the latest year of its panel when it has none)."""
    tg = getattr(run, "targets", None)
    if tg is not None and len(tg):
        return int(pd.to_numeric(tg[YEAR]).max())
    return latest_year(run.panel)


def scenario_inputs(run: Any) -> dict:
    """The mapping scenarios act on: the run's forecasts and its discrepancy series (when it has them)."""
    if hasattr(run, "scenario_inputs"):
        return run.scenario_inputs()
    return {**run.forecasts, **(getattr(run, "discrepancies", None) or {})}


def targets_input(run: Any) -> pd.DataFrame:
    """The targets table the run used (:func:`forecast.data.target_table.load_targets` layout: region … status).

    ``run.target_table`` when the run stored it, else rebuilt from the evaluated targets; the app never
    reads another targets file.
    """
    table = getattr(run, "target_table", None)
    if isinstance(table, pd.DataFrame) and len(table) and {"value", "kind"} <= set(table.columns):
        return table
    tg = run.targets
    tg = tg[np.isfinite(pd.to_numeric(tg["target"], errors="coerce").to_numpy(dtype=float))]
    return pd.DataFrame({REGION: tg[REGION].to_numpy(), INDICATOR: tg[INDICATOR].to_numpy(),
                         YEAR: tg[YEAR].astype(int).to_numpy(), "value": tg["target"].astype(float).to_numpy(),
                         "kind": tg["kind"].astype(str).to_numpy(),
                         "status": (tg["target_status"] if "target_status" in tg else "published"),
                         "source": ""})


def evaluate_series(panel: pd.DataFrame, forecasts: Mapping, targets: pd.DataFrame,
                    keys: Iterable[tuple[str, str]], year: int) -> pd.DataFrame:
    """:func:`forecast.decisions.targets.evaluate_targets` for the series ``keys`` only, targeted or not.

    Series without a target of ``year`` get the figures without one: ``has_target`` False, target
    columns NaN and status ``"no target"`` (as :func:`forecast.decisions.scenarios.compare_scenarios` does).

    Examples
    --------
    >>> keys = [("dalian", "retail"), ("dalian", "exports")]        # exports have no target
    >>> evaluate_series(panel, run.forecasts, run.target_table, keys, 2026)["status"].tolist()
    ['off_track', 'no target']
    """
    keys = list(dict.fromkeys(keys))
    tg = targets[targets[YEAR].astype(int) == int(year)]
    known = {(r, i): row for r, i, row in zip(tg[REGION], tg[INDICATOR], tg.to_dict("records"), strict=True)}
    rows = [known.get(k) or {REGION: k[0], INDICATOR: k[1], YEAR: int(year), "value": 0.0, "kind": "",
                             "status": "", "source": ""} for k in keys]
    sub = panel[pd.MultiIndex.from_arrays([panel[REGION], panel[INDICATOR]]).isin(keys)] if keys else panel.iloc[:0]
    fcs = {k: forecasts[k] for k in keys if k in forecasts}
    ev = evaluate_targets(sub, fcs, pd.DataFrame(rows, columns=[REGION, INDICATOR, YEAR, "value", "kind", "status",
                                                                "source"]), year=int(year))
    has = np.array([k in known for k in keys], dtype=bool)
    ev.insert(ev.columns.get_loc("target"), "has_target", has)
    for c in ("target", "probability", "required_growth", "gap_pp"):
        ev[c] = ev[c].astype(float).where(has, np.nan)
    for c in ("kind", "target_status"):
        ev[c] = ev[c].astype(object).where(has, "")
    ev["status"] = ev["status"].astype(object).where(has, "no target")
    return ev


def overview_frame(run: Any, indicators: tuple[str, ...] = CARRIAGES) -> pd.DataFrame:
    """Every region × carriage of the run for its year: the evaluated target, or the figures without one.

    Rows come from ``run.targets`` unchanged (the batch's numbers); a series of the panel without a
    target row is evaluated on the run's forecasts (:func:`evaluate_series`). Catalogue order,
    province first.

    Examples
    --------
    >>> overview_frame(run)[["region", "indicator", "projected", "probability"]].head(3).round(1)
         region indicator  projected  probability
    0  liaoning    retail        2.5          0.0
    1  liaoning     trade        1.1          0.0
    2  shenyang    retail        1.2          0.0
    """
    year = run_year(run)
    tg = run.targets[(run.targets[YEAR].astype(int) == year) & run.targets[INDICATOR].isin(indicators)]
    in_panel = set(zip(run.panel[REGION], run.panel[INDICATOR], strict=True))
    have = tg[[k in in_panel for k in zip(tg[REGION], tg[INDICATOR], strict=True)]].copy()
    have.insert(have.columns.get_loc("target"), "has_target", True)
    done = set(zip(have[REGION], have[INDICATOR], strict=True))
    extra = [k for k in sorted(in_panel, key=lambda k: (REGION_ORDER.get(k[0], 99), INDICATOR_ORDER.get(k[1], 99)))
             if k[1] in indicators and k not in done]
    frames = [have]
    if extra:
        frames.append(evaluate_series(run.panel, run.forecasts, targets_input(run), extra, year))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else have
    out["base"] = [base_direction(run.panel, r, i, year) for r, i in zip(out[REGION], out[INDICATOR], strict=True)]
    return in_catalogue_order(out)


def base_direction(panel: pd.DataFrame, region: str, indicator: str, year: int) -> str:
    """``low``, ``high`` or ``usual`` base of the periods still to come; ``""`` when it cannot be said."""
    effect = panel_base_effect(panel, region, indicator, year)
    return "" if effect is None else effect.direction


def overview_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`overview_frame` with names, target wording and status in ``lang``; numbers stay numeric.

    The answer first (status, probability, target, projection and its band, what it would take, and
    whether last year's base for the rest of the year is unusually low or high), then where the year
    stands (YTD growth, latest period). Probability is shown in percent (× 100); other
    numbers as in the frame (%, 百分点).

    Examples
    --------
    >>> overview_table(overview_frame(run), "en").columns[:3].tolist()
    ['Region', 'Indicator', 'Status']
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_region"): [i18n.region_name(r, lang) for r in frame[REGION]],
        t("col_indicator"): [i18n.indicator_name(i, lang, short=True) for i in frame[INDICATOR]],
        t("col_status"): [i18n.status_label(s, lang) for s in frame["status"]],
        t("col_probability"): frame["probability"].astype(float).to_numpy() * 100,
        t("col_target_text"): [i18n.fmt_target(v, k, lang, s) if h else i18n.status_label("no target", lang)
                               for v, k, s, h in zip(frame["target"], frame["kind"], frame.get("target_status", ""),
                                                     frame["has_target"], strict=True)],
        t("col_projected"): frame["projected"].astype(float).to_numpy(),
        t("col_p10"): frame["p10"].astype(float).to_numpy(),
        t("col_p90"): frame["p90"].astype(float).to_numpy(),
        t("col_required"): frame["required_growth"].astype(float).to_numpy(),
        t("col_gap"): frame["gap_pp"].astype(float).to_numpy(),
        t("col_base"): [t(f"base_flag_{b}") if b in ("low", "high") else "" for b in frame.get("base", [""] * len(frame))],
        t("col_ytd_growth"): frame["ytd_growth"].astype(float).to_numpy(),
        t("col_period"): [i18n.fmt_period(p, lang) for p in frame["last_period"]],
        t("col_derived"): ["✓" if bool(d) else "" for d in frame["derived_from_index"]],
    })


def baseline_frame(run: Any) -> pd.DataFrame:
    """Every forecast series of the run evaluated for the run's year (targeted or not)."""
    keys = [k for k in run.forecasts if k[0] in REGIONS]
    return evaluate_series(run.panel, run.forecasts, targets_input(run), keys, run_year(run))


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Number of targets per status (``on_track``, ``at_risk``, ``off_track``, ``unknown``)."""
    have = frame[frame["has_target"].astype(bool)]
    return {s: int((have["status"] == s).sum()) for s in ("on_track", "at_risk", "off_track", "unknown")}


def probability_frame(frame: pd.DataFrame, indicator: str, lang: str = "zh") -> pd.DataFrame:
    """Rows of :func:`overview_frame` with a target for one indicator: label, probability, status."""
    rows = frame[(frame[INDICATOR] == indicator) & frame["has_target"].astype(bool)]
    return pd.DataFrame({"label": [i18n.region_name(r, lang) for r in rows[REGION]],
                         "probability": rows["probability"].astype(float).to_numpy(),
                         "status": rows["status"].astype(str).to_numpy()})
