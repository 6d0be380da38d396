"""Global members of ``auto``: models trained across a whole panel, and the panel-wide gate that admits them.

Every candidate of :data:`forecast.engine.auto.DEFAULT_MODELS` fits one series. A panel of many series can
also train *global* models (:class:`forecast.engine.models.global_gbm.GlobalGBM`, one LightGBM regressor for all
its series) and offer them to each series as extra members of its combination. They have a backtest
like any candidate, so the series' own weights learn how much to trust them:

1. :func:`global_members`: each global model is trained twice. Once on every series cut at its *first*
   backtest origin (:func:`forecast.engine.auto.auto_origins`), and that model forecasts all the series'
   origins: no training window reaches past the first origin, so the backtest never sees the values it
   is scored on (it is a little pessimistic at the later origins). And once on the whole series, for
   the final forecast. A model that cannot be trained (lightgbm missing, too few usable series) is left
   out everywhere, with the reason; a series it cannot forecast (values ≤ 0: it works on logs) runs
   without it.
2. :func:`forecast.engine.auto.run_series_variants`: each series is combined twice from one run of its
   candidates, without and with the global members.
3. :func:`choose_variants`, the gate: the panel publishes the variants *with* the global members only if
   they beat the variants without on the backtest, pooled over the whole panel: the geometric mean over
   series of the combination's MAE relative to seasonal naive (AvgRelMAE, Davydenko & Fildes 2013, IJF
   29(3); :func:`forecast.engine.evaluation.relative_mae`) must be lower, with a paired t statistic of the
   series' log ratios at most -1.645 (``AutoConfig.gate_t``), so that a small panel does not admit them
   on noise. A panel-wide choice rests on hundreds of backtest errors where one series has a few dozen.

Measured (bench/README.md): on M3 monthly (1,428 series) the gate admits them (backtest AvgRelMAE
0.740 with, 0.744 without, t = -2.46) and the test sMAPE falls from 13.53 to 13.21; replayed on the bundled
Liaoning panel at 12 cut-offs it rejects them at every cut-off, rightly: with them auto would beat
seasonal naive on full-year growth for 60 % of the series instead of 81 %. Panels of fewer than
``AutoConfig.global_min_series`` series (the bundled 75) do not train them at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from forecast.engine.auto import AutoConfig, ForecastResult, auto_origins
from forecast.engine.candidates import failure_reason
from forecast.engine.models.global_gbm import GlobalGBM

#: Extra members of one series: label → (backtest forecasts origins × bt_h, final mean (h,), description).
Extra = dict[str, tuple[np.ndarray, np.ndarray, dict]]


def wants_globals(n_series: int, method: str, config: AutoConfig) -> bool:
    """Whether a panel of ``n_series`` series trains global members (auto, enough series, any configured).

    Examples
    --------
    >>> wants_globals(1428, "auto", AutoConfig()), wants_globals(75, "auto", AutoConfig())
    (True, False)
    """
    return method == "auto" and bool(config.global_models) and n_series >= max(2, config.global_min_series)


def _positive(y: np.ndarray) -> bool:
    return bool(y.size) and bool(np.all(np.isfinite(y))) and bool(np.all(y > 0))


def attach_global_members(tasks: list[dict], ys: Sequence[np.ndarray | None], hs: Sequence[int], season_length: int,
                          method: str, config: AutoConfig) -> dict[str, str] | None:
    """Train the global members over ``ys`` and put each series' share in its task's ``"extra"``.

    Returns the global models that failed to train (label → reason), or None when the panel does not
    use global members (:func:`wants_globals`); the tasks are then unchanged.
    """
    if not wants_globals(len(tasks), method, config):
        return None
    extras, failed = global_members(ys, hs, season_length, config)
    for t, e in zip(tasks, extras, strict=True):
        t["extra"] = e
    return failed


def global_members(ys: Sequence[np.ndarray | None], hs: Sequence[int], season_length: int,
                   config: AutoConfig) -> tuple[list[Extra], dict[str, str]]:
    """Backtest and final forecasts of every global model for every series (see the module docstring).

    Parameters
    ----------
    ys : sequence of arrays (None for a series that cannot be prepared)
        The series as the engine will see them (gaps filled).
    hs : sequence of int
        Each series' horizon.
    season_length : int
    config : AutoConfig
        ``global_models``, ``global_threads`` and the backtest plan.

    Returns
    -------
    (list of Extra, dict)
        Per series its extra members; and label → reason for a global model that could not be trained.
    """
    plans = [auto_origins(y.size, h, season_length, config) if y is not None else (0, []) for y, h in zip(ys, hs, strict=True)]
    extras: list[Extra] = [{} for _ in ys]
    failed: dict[str, str] = {}
    usable = [i for i, y in enumerate(ys) if y is not None and _positive(y)]
    with_bt = [i for i in usable if plans[i][1]]
    if not usable:
        return extras, {label: "ModelError: no series with positive, finite values to train on"
                        for label, _ in config.global_models}
    for label, params in config.global_models:
        kw = {"season_length": season_length, "threads": config.global_threads, **params}
        try:
            final = GlobalGBM(**kw).fit([ys[i] for i in usable], h=max(hs[i] for i in usable))
            early = GlobalGBM(**kw).fit([ys[i][: plans[i][1][0]] for i in with_bt],
                                        h=max(plans[i][0] for i in with_bt)) if with_bt else None
        except Exception as exc:  # noqa: BLE001 - a global model that cannot train is left out everywhere

            failed[label] = failure_reason(exc)
            continue
        # one booster call per model for every series (and origin): far cheaper than one per forecast
        finals = final.predict_many([ys[i] for i in usable], [hs[i] for i in usable])
        cuts = [(i, t) for i in with_bt for t in plans[i][1]]
        early_fc = dict(zip(cuts, early.predict_many([ys[i][:t] for i, t in cuts], [plans[i][0] for i, _ in cuts]),
                            strict=True)) if cuts else {}
        description = final.to_dict()
        for i, mean in zip(usable, finals, strict=True):
            bt_h, origins = plans[i]
            backtest = np.array([early_fc[(i, t)] for t in origins]).reshape(len(origins), bt_h)
            if np.all(np.isfinite(backtest)) and np.all(np.isfinite(mean)):
                extras[i][label] = (backtest, mean, description)
    return extras, failed


def avg_rel_mae(results: Sequence[ForecastResult]) -> float:
    """Geometric mean of the results' ``rel_mae`` (finite, positive ones); NaN when there are none.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> round(avg_rel_mae([R(metrics={"rel_mae": 0.5}), R(metrics={"rel_mae": 2.0}), R(metrics={})]), 6)
    1.0
    """
    v = np.array([r.metrics.get("rel_mae", np.nan) for r in results], dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.mean(np.log(v)))) if v.size else float("nan")


def choose_variants(pairs: Sequence[tuple[Any, Any]], failed: dict[str, str] | None = None,
                    labels: Sequence[str] = (), t_crit: float = 1.645) -> tuple[list[Any], dict[str, Any]]:
    """The gate: the panel's published results, and what decided them.

    ``pairs`` are ``(without, with or None)`` per series (:func:`forecast.engine.auto.run_series_variants`).
    Over the series with both variants (and a usable ``rel_mae`` in each), ``d = log(rel_mae with) -
    log(rel_mae without)``. The variants with the global members are published when they are better on
    the pooled backtest with some confidence: the paired t statistic of ``d`` is at most ``-t_crit``
    (default 1.645, one-sided 5 %), i.e. their AvgRelMAE is lower and not by chance alone. Otherwise
    every series publishes its variant without, and its ``dropped`` names each global member with the
    panel's figures as the reason: the simpler combination stands unless the evidence is against it.

    Returns
    -------
    (list, dict)
        The chosen results in order; ``{"admitted": bool, "avg_rel_mae_with": float,
        "avg_rel_mae_without": float, "t_statistic": float, "series_compared": int,
        "failed": {label: reason}}``.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> pairs = [(R(metrics={"rel_mae": a}), R(metrics={"rel_mae": b})) for a, b in [(1.0, 0.8), (0.5, 0.45), (0.9, 0.8)]]
    >>> chosen, info = choose_variants(pairs)
    >>> info["admitted"], round(info["t_statistic"], 2), chosen[0] is pairs[0][1]
    (True, -3.98, True)
    """
    both = [(a, b) for a, b in pairs if b is not None]
    rel = np.array([[x.metrics.get("rel_mae", np.nan) for x in pair] for pair in both], dtype=float).reshape(-1, 2)
    rel = rel[np.all(np.isfinite(rel) & (rel > 0), axis=1)]
    d = np.log(rel[:, 1]) - np.log(rel[:, 0])
    without, with_ = (float(np.exp(np.mean(np.log(rel[:, j])))) if rel.size else float("nan") for j in (0, 1))
    t = float("nan")
    if d.size >= 2:
        sd = float(d.std(ddof=1))
        t = float(d.mean() / (sd / np.sqrt(d.size))) if sd > 0 else (-np.inf if d.mean() < 0 else np.inf)
    admitted = bool(np.isfinite(with_) and t <= -t_crit)
    info = {"admitted": admitted, "avg_rel_mae_with": with_, "avg_rel_mae_without": without, "t_statistic": t,
            "series_compared": int(d.size), "failed": dict(failed or {})}
    if admitted:
        chosen = [b if b is not None else a for a, b in pairs]
    else:
        why = (f"panel gate: backtest AvgRelMAE {with_:.3f} with the global models, {without:.3f} without "
               f"({d.size} series, paired t {t:.2f}; admitted at t <= -{t_crit:g})")
        chosen = [replace(a, dropped={**a.dropped, **{lb: why for lb in labels}}) if b is not None else a
                  for a, b in pairs]
    for_failed = {lb: f"global model not trained: {reason}" for lb, reason in (failed or {}).items()}
    if for_failed:
        chosen = [replace(r, dropped={**r.dropped, **for_failed}) for r in chosen]
    return chosen, info


def gate_panel(pairs: Sequence[tuple[Any, Any]], failed: dict[str, str], config: AutoConfig) -> tuple[list[Any], dict]:
    """:func:`choose_variants` with the labels and threshold of ``config``."""
    return choose_variants(pairs, failed, [lb for lb, _ in config.global_models], config.gate_t)
