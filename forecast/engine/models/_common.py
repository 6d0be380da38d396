"""Guard rails and helpers shared by the model families (private; the interface is ``base.Forecaster``).

- :func:`explosion_bound` / :func:`check_forecast`: a point forecast that is non-finite, or reaches
  beyond ``EXPLOSION_FACTOR`` times the largest absolute value in the history, is rejected with
  :class:`~forecast.data.errors.ModelError` (the engine then drops the model for that series);
- :func:`seasonal_walk` / :func:`guard_paths`: Gaussian paths whose spread grows with the square root of
  the number of seasonal steps, used as the fallback when a family's own simulation misbehaves;
- :func:`artifact`: the JSON-safe dictionary every model's ``to_dict()`` returns.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from forecast.data.errors import ModelError

logger = logging.getLogger("forecast.engine.models")

#: A forecast whose absolute value exceeds this multiple of the history's largest absolute value is
#: treated as exploding.
EXPLOSION_FACTOR = 10.0

#: Share of simulated paths that may be non-finite or exploding before all paths are replaced by the
#: Gaussian fallback; below it, only the offending paths are replaced.
MAX_BAD_PATH_SHARE = 0.05


def explosion_bound(y: np.ndarray) -> float:
    """Largest absolute forecast value accepted for a series ``y``.

    Examples
    --------
    >>> explosion_bound(np.array([1.0, -4.0, 2.0]))
    40.0
    """
    scale = float(np.max(np.abs(y)))
    return EXPLOSION_FACTOR * scale if scale > 0 else EXPLOSION_FACTOR


def check_forecast(values: Any, bound: float, model: str) -> np.ndarray:
    """Return ``values`` as floats, or raise ModelError when non-finite or beyond ``bound``.

    Examples
    --------
    >>> check_forecast([1.0, 2.0], bound=10.0, model="ets")
    array([1., 2.])
    """
    arr = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"{model} produced non-finite forecasts; the fit is unusable on this series")
    worst = float(np.max(np.abs(arr))) if arr.size else 0.0
    if worst > bound:
        raise ModelError(
            f"{model} forecast reaches {worst:.4g}, beyond {EXPLOSION_FACTOR:g}x the largest absolute "
            f"value of the history (limit {bound:.4g}); the fit is unstable on this series"
        )
    return arr


def seasonal_walk(
    mean: np.ndarray, sigma: float, n_paths: int, rng: np.random.Generator, step: int = 1
) -> np.ndarray:
    """Gaussian paths around ``mean``: each season position is a random walk with innovation ``sigma``.

    Position ``j`` (0-based) has standard deviation ``sigma * sqrt(j // step + 1)``.

    Examples
    --------
    >>> p = seasonal_walk(np.zeros(4), 1.0, 2, np.random.default_rng(0), step=2)
    >>> p.shape
    (2, 4)
    """
    h = mean.shape[0]
    shocks = rng.standard_normal((n_paths, h)) * float(sigma)
    for j in range(step, h):
        shocks[:, j] += shocks[:, j - step]
    return mean[None, :] + shocks


def guard_paths(
    paths: np.ndarray,
    mean: np.ndarray,
    bound: float,
    sigma: float,
    seed: int,
    model: str,
    step: int = 1,
) -> np.ndarray:
    """Replace non-finite or exploding simulated paths by Gaussian ones (:func:`seasonal_walk`).

    Up to ``MAX_BAD_PATH_SHARE`` of the paths are replaced one by one; beyond that every path is
    replaced, since the simulation as a whole cannot be trusted.
    """
    paths = np.asarray(paths, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.all(np.isfinite(paths), axis=1) | np.any(np.abs(paths) > bound, axis=1)
    if not bad.any():
        return paths
    # An independent stream, still reproducible for a given seed.
    rng = np.random.default_rng([int(seed), 1])
    if bad.mean() > MAX_BAD_PATH_SHARE:
        logger.debug("%s: %d of %d paths exploded; using Gaussian paths", model, bad.sum(), bad.size)
        return seasonal_walk(mean, sigma, paths.shape[0], rng, step)
    out = paths.copy()
    out[bad] = seasonal_walk(mean, sigma, int(bad.sum()), rng, step)
    return out


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays (also nested in dicts, lists and tuples) to plain Python."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())  # a NaN float64 becomes None like a NaN float
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def artifact(model: Any, fitted: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe description of a fitted model: its name, constructor arguments and fitted state."""
    return {"model": model.name, "params": jsonable(model.get_params()), "fitted": jsonable(fitted)}
