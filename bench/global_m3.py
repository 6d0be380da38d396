"""M3 monthly: what a global (cross-series) model adds to a median of local models.

Usage::

    python bench/global_m3.py                 # all 1,428 series (about 4 min on 2 cores)
    python bench/global_m3.py --every 4       # a quarter of them

``auto`` (``forecast_series``) sees one series at a time, and no combination of local models measured
in ``bench/README.md`` got below 0.958 x statsmodels Theta's sMAPE on M3 monthly. This script measures
the one route found to the issue's 0.95: add a *global* model, trained across every series' in-sample
part, to the plain median of the best local set. It is an experiment: ``auto`` does not use the global
model yet.

1. Local models (troika's registry, one fit on each training part ``x``): AutoETS restricted to damped
   trends, AutoCES, dynamic optimised Theta, seasonal naive; and statsmodels ``ThetaModel(period=12)``
   as the reference, in the same run.
2. The global model, :class:`forecast.engine.models.global_gbm.GlobalGBM`: one LightGBM regressor for all
   series and horizons. Inputs: the last ``--lags`` log values before an origin minus their last-12
   mean (so the level is divided out), and the horizon; target: the log value at that horizon minus the
   same mean (the "window normalisation" of Montero-Manso & Hyndman 2021, IJF 37(4), and of N-BEATS).
   Training windows: origins in the last ``--windows`` periods of every series' **training part
   only**; the test parts ``xx`` are never seen. Point forecasts only, so no coverage is reported.
3. Printed: mean sMAPE (0-200) and MASE (m = 12) of every member, of the median of the local models,
   of the global model, and of the median with the global model added, with the ratio to statsmodels
   Theta.

Needs ``lightgbm`` (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from accuracy_m3 import H, M, load

LOCAL = {"autoets_damped": ("autoets", {"damped": True}), "ces": ("ces", {}), "dotm": ("dotm", {}),
         "snaive": ("snaive", {})}
SEED = 0


def local_forecasts(args: tuple[int, np.ndarray]) -> dict[str, np.ndarray]:
    """Point forecasts of statsmodels Theta and of every local member for one training part."""
    warnings.filterwarnings("ignore")
    from statsmodels.tsa.forecasting.theta import ThetaModel

    from forecast.engine.auto import single_threaded_blas
    from forecast.engine.models import MODELS

    _, x = args
    out = {}
    with single_threaded_blas():
        out["sm_theta"] = np.asarray(ThetaModel(x, period=M).fit().forecast(H), dtype=float)
        for label, (name, params) in LOCAL.items():
            try:
                out[label] = MODELS[name](season_length=M, **params).fit(x).predict(H)
            except Exception:  # noqa: BLE001 - an experiment: a failed member falls back to seasonal naive
                out[label] = np.tile(x[-M:], 2)[:H]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1, help="every k-th series")
    ap.add_argument("--lags", type=int, default=36, help="input window of the global model (periods)")
    ap.add_argument("--windows", type=int, default=60, help="training origins per series (the last ones)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    from forecast.data.errors import ModelError
    from forecast.engine.evaluation import mase, smape
    from forecast.engine.models.global_gbm import GlobalGBM

    series = load(None, args.every)
    assert all(np.all(x > 0) for _, x, _ in series), "M3 monthly values are positive (log inputs)"
    print(f"M3 monthly: {len(series)} series, horizon {H}; global model: LightGBM, {args.lags} lags, "
          f"last {args.windows} origins per training part")

    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        local = list(pool.map(local_forecasts, [(k, x) for k, x, _ in series], chunksize=8))
    t_local = time.perf_counter() - start

    start = time.perf_counter()
    glob = GlobalGBM(season_length=M, lags=args.lags, n_windows=args.windows, seed=SEED, threads=args.workers)
    try:
        glob.fit([x for _, x, _ in series], h=H)
    except ModelError as exc:
        ap.error(str(exc))
    t_train = time.perf_counter() - start
    for (_, x, _), out in zip(series, local, strict=True):
        out["global"] = glob.predict(x, H)
        members = [out[name] for name in LOCAL]
        out["median (local)"] = np.median(members, axis=0)
        out["median (local + global)"] = np.median(members + [out["global"]], axis=0)

    names = ["sm_theta", *LOCAL, "global", "median (local)", "median (local + global)"]
    scores = {n: (np.mean([smape(xx, out[n]) for (_, _, xx), out in zip(series, local, strict=True)]),
                  np.mean([mase(xx, out[n], x, M) for (_, x, xx), out in zip(series, local, strict=True)])) for n in names}
    ref = scores["sm_theta"][0]
    print(f"{'forecast':<26}{'sMAPE':>8}{'MASE':>8}{'/ Theta sMAPE':>15}")
    for n in names:
        s, m = scores[n]
        print(f"{n:<26}{s:8.2f}{m:8.3f}{s / ref:15.3f}")
    print(f"local models {t_local:.0f} s wall; global model: {glob.n_rows_:,} training rows, trained in {t_train:.0f} s wall")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    raise SystemExit(main())
