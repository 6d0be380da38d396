"""Where every series stands against its target, or without one: one row per region × indicator.

:func:`evaluate_series` evaluates any series, targeted or not (:func:`forecast.decisions.targets.evaluate_targets`
where a target exists; the projection, its band and the neutral reference probabilities where none does).
:func:`every_series` completes a run's evaluated targets with the series that have none, in catalogue
order, with the direction of the base effect: the table the app's overview, ``forecast show`` and the pack
all show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, INDICATORS, REGIONS
from forecast.data.schema import INDICATOR, REGION, YEAR
from forecast.decisions.position import panel_base_effect
from forecast.decisions.targets import evaluate_targets

REGION_ORDER = {r: i for i, r in enumerate(REGIONS)}
INDICATOR_ORDER = {k: i for i, k in enumerate(INDICATORS)}


def in_catalogue_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by region (province first, then cities) and indicator in catalogue order."""
    key = frame[REGION].map(REGION_ORDER).fillna(99) * 100 + frame[INDICATOR].map(INDICATOR_ORDER).fillna(99)
    return frame.assign(_k=key.to_numpy()).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def evaluate_series(panel: pd.DataFrame, forecasts: Mapping, targets: pd.DataFrame,
                    keys: Iterable[tuple[str, str]], year: int) -> pd.DataFrame:
    """:func:`forecast.decisions.targets.evaluate_targets` for the series ``keys`` only, targeted or not.

    Series without a target of ``year`` get the figures without one: ``has_target`` False, target
    columns NaN and status ``"no target"`` (as :func:`forecast.decisions.scenarios.compare_scenarios` does).

    Examples
    --------
    >>> keys = [("liaoning", "retail"), ("dalian", "exports")]      # dalian's exports have no target
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


def every_series(evaluated: pd.DataFrame, panel: pd.DataFrame, forecasts: Mapping, targets: pd.DataFrame,
                 year: int, indicators: tuple[str, ...] = CARRIAGES) -> pd.DataFrame:
    """Every region × indicator of ``panel`` for ``year``: its evaluated target, or the figures without one.

    Rows of ``evaluated`` (the run's :func:`~forecast.decisions.targets.evaluate_targets`) are kept unchanged;
    a series of the panel without a target row is evaluated on ``forecasts`` (:func:`evaluate_series`).
    Catalogue order, province first; ``base``: ``low``/``high``/``usual`` base of the rest of the year.

    Examples
    --------
    >>> out = every_series(run.targets, run.panel, run.forecasts, run.target_table, 2026)
    >>> out[["region", "indicator", "projected", "probability", "status"]].head(3).round(1)
         region indicator  projected  probability     status
    0  liaoning    retail        2.5          0.0  off_track
    1  liaoning     trade        1.1          NaN  no target
    2  shenyang    retail        1.2          0.0  reference
    """
    tg = evaluated[(evaluated[YEAR].astype(int) == int(year)) & evaluated[INDICATOR].isin(indicators)] \
        if len(evaluated) else evaluated
    in_panel = set(zip(panel[REGION], panel[INDICATOR], strict=True))
    have = tg[[k in in_panel for k in zip(tg[REGION], tg[INDICATOR], strict=True)]].copy() if len(tg) else tg.copy()
    if "has_target" not in have.columns:
        have.insert(have.columns.get_loc("target") if "target" in have.columns else 0, "has_target", True)
    done = set(zip(have[REGION], have[INDICATOR], strict=True)) if len(have) else set()
    extra = [k for k in sorted(in_panel, key=lambda k: (REGION_ORDER.get(k[0], 99), INDICATOR_ORDER.get(k[1], 99)))
             if k[1] in indicators and k not in done]
    frames = [f for f in (have, evaluate_series(panel, forecasts, targets, extra, year) if extra else None)
              if f is not None and len(f)]
    out = pd.concat(frames, ignore_index=True) if frames else have
    out["base"] = [base_direction(panel, r, i, year) for r, i in zip(out[REGION], out[INDICATOR], strict=True)]
    return in_catalogue_order(out)


def base_direction(panel: pd.DataFrame, region: str, indicator: str, year: int) -> str:
    """``low``, ``high`` or ``usual`` base of the periods still to come; ``""`` when it cannot be said."""
    effect = panel_base_effect(panel, region, indicator, year)
    return "" if effect is None else effect.direction
