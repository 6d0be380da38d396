"""Small, seeded input folders for the batch tests (official long layout, a few series, a few years).

Not a test module: ``tests/test_batch.py``, ``test_faults.py``, ``test_export.py`` and ``test_dask.py``
import it. Flows follow ``level × season × 1.04**years × lognormal noise`` (seeded), YTD is their
cumulative sum within the year on the 11-period year (Jan–Feb, Mar, …, Dec), growth is YTD over last
year's YTD; the first year has no growth (unpublished).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

HEADER = "地区,指标,时期,累计值,累计增长"
ZH = {"liaoning": "辽宁", "shenyang": "沈阳", "dalian": "大连"}
IND_ZH = {"retail": "社会消费品零售总额", "trade": "进出口总额"}
LEVEL = {"liaoning": 700.0, "shenyang": 260.0, "dalian": 250.0}
MONTHS = list(range(2, 13))  # period-end months of the 11-period year
SEASON = np.array([1.9, 1.0, 0.95, 1.0, 1.0, 0.95, 0.97, 1.0, 1.05, 1.08, 1.2])

TARGETS = """region,indicator,year,value,kind,status,source
liaoning,retail,2026,5,about,published,test
shenyang,retail,2026,5.5,at_least,published,test
dalian,retail,2026,4,about,analyst,test: set by an analyst
"""

SCENARIO = """name: shenyang_push
name_zh: 沈阳促消费
description: Shenyang retail 3% above the baseline for the rest of 2026.
base_run: null
adjustments:
  - kind: pct
    indicator: retail
    regions: [shenyang]
    months: 2026-08..2026-12
    value: 3
"""

REGIONS = ("liaoning", "shenyang")
#: Fast settings for tests: two cheap models, few paths.
FAST = ["--models", "theta,snaive", "--n-paths", "200", "--seed", "7"]


def ytd_rows(regions=REGIONS, indicators=("retail",), years=range(2019, 2027), last=(2026, 6), seed=0):
    """Rows ``(region, indicator, year, month, ytd_value, ytd_yoy)`` up to period ``last`` inclusive."""
    rng = np.random.default_rng(seed)
    rows = []
    for region in regions:
        for ind in indicators:
            prev = None
            for k, year in enumerate(years):
                flows = LEVEL[region] * SEASON * 1.04**k * np.exp(rng.normal(0, 0.03, len(MONTHS)))
                ytd = np.round(np.cumsum(flows), 1)
                for j, month in enumerate(MONTHS):
                    if (year, month) > last:
                        break
                    yoy = "" if prev is None else f"{(ytd[j] / prev[j] - 1) * 100:.1f}"
                    rows.append((region, ind, year, month, f"{ytd[j]:.1f}", yoy))
                prev = ytd
    return rows


def write_table(path: Path, rows) -> Path:
    """Write rows of :func:`ytd_rows` as an official long table (UTF-8 CSV)."""
    lines = [HEADER] + [f"{ZH[r]},{IND_ZH[i]},{y}年1-{m}月,{v},{g}" for r, i, y, m, v, g in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_workspace(root: Path, regions=REGIONS, last=(2026, 6)) -> dict[str, Path]:
    """An input folder (one table), targets, a scenario folder, a db path and a models folder under ``root``."""
    ws = {"root": root, "input": root / "in", "db": root / "data" / "t.db", "models": root / "models",
          "targets": root / "targets.csv", "scenarios": root / "scenarios"}
    rows = ytd_rows(regions=regions, last=last)
    write_table(ws["input"] / "a_history.csv", [r for r in rows if (r[2], r[3]) < last])
    write_table(ws["input"] / "b_latest.csv", [r for r in rows if (r[2], r[3]) == last])
    ws["targets"].write_text(TARGETS, encoding="utf-8")
    ws["scenarios"].mkdir(parents=True, exist_ok=True)
    (ws["scenarios"] / "shenyang_push.yaml").write_text(SCENARIO, encoding="utf-8")
    return ws


def add_month(ws: dict[str, Path], month: tuple[int, int], regions=REGIONS) -> Path:
    """Drop the release of ``month`` (same seeded history) into the input folder as a new file."""
    rows = [r for r in ytd_rows(regions=regions, last=month) if (r[2], r[3]) == month]
    return write_table(ws["input"] / f"c_{month[0]}_{month[1]:02d}.csv", rows)


def run_args(ws: dict[str, Path], *extra: str) -> list[str]:
    """``forecast run`` arguments for a workspace (fast settings, one worker unless overridden; no spread
    calibration, so the stored paths are the engine's: ``tests/test_calibration.py`` runs with one)."""
    return ["run", "--input", str(ws["input"]), "--db", str(ws["db"]), "--models-dir", str(ws["models"]),
            "--targets", str(ws["targets"]), "--scenarios", str(ws["scenarios"]), "--workers", "1",
            "--spread-table", "none", *FAST, *extra]


def forecast_exe() -> str:
    """The ``forecast`` console script of this interpreter's environment."""
    return str(Path(sys.executable).parent / "forecast")


def run_cli(args: list[str], env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``forecast ARGS`` in a subprocess and return the completed process (text output)."""
    return subprocess.run([forecast_exe(), *args], capture_output=True, text=True, timeout=timeout, env=env)
