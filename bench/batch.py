"""Batch benchmark: wall time and peak memory of ``forecast run`` on the bundled data.

    python bench/batch.py [--workers N] [--n-paths 1000] [--models ets,theta,sarimax,snaive]
                          [--regions liaoning,shenyang] [--data-dir DIR]

Runs the batch (ingest → fit/backtest → reconcile → targets → scenarios → commit) into a fresh store
in a temporary folder, runs it again (nothing changed: the skip path), reads the run back
(:func:`forecast.runs.results.load_latest_run`) and prints a table: wall time of each, peak resident
memory of the batch process and of its largest worker, per-series fitting time (mean, median, max,
summed), and the extrapolation to a national run of 1,500 series
(about 300 cities × 5 indicators) on 1, 2, 8, 32 and 128 workers:
``wall ≈ fixed + n_series × mean per-series time / workers``.
Figures vary with the machine and its load; bench/README.md records what they were and where.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _rss_mib(who: int) -> float:
    """Peak resident set size in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    from forecast.data.files import current_data_dir
    from forecast.runs.batch import BatchSettings, RunLog, run_batch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--n-paths", type=int, default=1000)
    ap.add_argument("--models", default=None, help="candidates of auto (default: the engine's)")
    ap.add_argument("--regions", default=None)
    ap.add_argument("--indicators", default=None)
    ap.add_argument("--data-dir", type=Path, default=None, help="default: data/ (or $TROIKA_DATA_DIR)")
    args = ap.parse_args(argv)
    data = args.data_dir or current_data_dir()

    def split(text: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in text.split(",") if x.strip())

    settings = BatchSettings(n_paths=args.n_paths, models=split(args.models) if args.models else None,
                             regions=split(args.regions) if args.regions else None,
                             indicators=split(args.indicators) if args.indicators else None)
    import forecast.runs.batch

    # the second run must see the same data and code: snapshot the inputs, pin the code version
    # (a commit made while the benchmark runs would otherwise start a new run)
    pinned = forecast.runs.batch.code_version()
    forecast.runs.batch.code_version = lambda: pinned
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "data"
        for name in ("observations", "scenarios"):
            if (data / name).is_dir():
                shutil.copytree(data / name, snap / name)
        shutil.copy(data / "targets.csv", snap / "targets.csv")
        log = open(Path(tmp) / "run.log", "w", encoding="utf-8")  # noqa: SIM115
        kw = dict(input_dir=snap / "observations", settings=settings, workers=args.workers,
                  models_dir=Path(tmp) / "models", targets_path=snap / "targets.csv",
                  scenarios_dir=snap / "scenarios", log=RunLog(log, progress=False))
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        first = run_batch(db, **kw)
        wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = run_batch(db, **kw)
        skip = time.perf_counter() - t0
        from forecast.runs.results import load_latest_run

        t0 = time.perf_counter()
        run = load_latest_run(db)
        load = time.perf_counter() - t0
        assert run is not None and run.run_id == first.run_id
        log.close()
        db_mib = db.stat().st_size / 2**20
    if first.status != "complete":
        print(f"batch {first.status}: {first.message}", file=sys.stderr)
        return 1
    secs = np.array([o["seconds"] for o in first.outcomes], float)
    n = len(secs)
    fixed = max(wall - secs.sum() / max(args.workers, 1), 0.0)
    rows = [
        ("machine", f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
                    f"Python {platform.python_version()}"),
        ("series", f"{n} ({sum(o['outcome'] != 'ok' for o in first.outcomes)} not ok), {args.n_paths} paths, "
                   f"models {settings.models or 'engine default'}, {args.workers} workers"),
        ("batch wall time", f"{wall:.1f} s (exit {first.exit_code})"),
        ("second run (nothing changed)", f"{skip:.2f} s ({second.status})"),
        ("peak RSS, batch process", f"{_rss_mib(resource.RUSAGE_SELF):.0f} MiB"),
        ("peak RSS, largest worker", f"{_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB"),
        ("store size after one run", f"{db_mib:.1f} MiB"),
        ("load_latest_run (what the app reads)", f"{load:.2f} s"),
        ("per-series fit+backtest", f"mean {secs.mean():.2f} s, median {np.median(secs):.2f} s, "
                                    f"max {secs.max():.2f} s, sum {secs.sum():.1f} s"),
        ("fixed cost (ingest, panel, reconcile, targets, commit)", f"≈ {fixed:.1f} s"),
    ]
    for workers in (1, 2, 8, 32, 128):
        est = fixed + 1500 * secs.mean() / workers
        rows.append((f"national run, 1500 series, {workers} workers", f"≈ {est / 60:.1f} min"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
