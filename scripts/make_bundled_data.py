"""Write troika's bundled sample data: official-format YTD tables for Liaoning and its 14 cities.

``python scripts/make_bundled_data.py`` reads the real figures in ``data/published_figures.csv`` and
rewrites ``data/observations/liaoning_ytd.csv`` and ``data/targets.csv``, byte for byte identically on
every run (NumPy ``default_rng`` seeded from ``SEED``; nothing depends on the clock; a different BLAS
build could in principle change a last bit and so a rounding, which the tests would catch).
``--facts-from DIR`` first rebuilds ``data/published_figures.csv`` from the reference collection in DIR
(see :func:`extract_facts` for the rules: doubtful rows, 亿美元 and rows without a URL are skipped).

Generative model
----------------
Four series are modelled per region: ``fai``, ``retail``, ``exports``, ``imports``; ``trade`` is
exports + imports (levels exactly, growth against the summed comparable bases). Years 2014–2026 on the
11-period year (Jan–Feb, Mar, …, Dec); 2014 is only the base of 2015's growth. Per series:

* Level ``V[y,s] = A[y] · W[y,s]``: the annual (December YTD) level ``A`` times the cumulative
  seasonal share ``W`` (``W[y,11] = 1``).
* Seasonal shares come from period weights = indicator profile (fai: Jan–Feb and March small, December
  the largest period — Northeast winter and year-end booking; retail: Jan–Feb (Spring Festival),
  Oct–Dec (golden week, Double 11, year end) high) × a Spring Festival shift × shocks × log-normal
  noise. Spring Festival dates come from ``holidays.China``: ``z`` = standardised days from the festival
  to 1 March; a fraction ``SF_SHIFT[ind] · z`` of Jan–Feb's weight moves between Jan–Feb and March (a
  late festival leaves less post-holiday working time inside Jan–Feb, so activity moves to March).
  Shocks: 2020 (Jan–Feb deep fall, recovery through the year), 2022 (April–May lockdown dip, a weak
  December), ramps for fai 2015, 2023 and 2025 (2025: strong Q1 then a collapse deepening to
  −19.0% for the year) and retail 2025 (subsidy-driven first half).
* Comparable growth (按可比口径): ``1 + g[y,s] = V[y,s] / (rev[y] · V[y-1,s])``; ``rev[y]`` is the
  year's base revision factor. Published growth is ``V / B − 1`` with the comparable base
  ``B[y,s] = rev[y] · V[y-1,s] · exp(ε)``, ``ε ~ N(0, 0.25%)`` (revision noise), so ``ytd_yoy`` differs
  from the level ratio as in real releases. Where a growth figure is published, ``B = V / (1 + g)``.
* Annual plan: growth of years without a published figure is set by hand in ``PROVINCE_GROWTH``
  (plausible values for the period, *not* published figures), ``rev`` ~ 1 + N(0, 0.4%). Levels are
  chained from published levels; between two published levels the gap goes to the generated growth
  rates of the years in between, or to ``rev`` when every growth is published (e.g. retail 2018:
  14142.8 亿元 and +6.7% on 13807 亿元 imply rev = 0.96), or to the designated break year (retail 2020,
  the 2019 economic-census revision that cut Liaoning's retail level by about a third).
* Fit: a weighted least-squares problem in logs (log A, log rev, log W) pulls the plan towards every
  published figure: published levels and growth rates are (nearly) hard constraints, the plan is a
  soft prior, seasonal deviations are smoothed across neighbouring months. Published figures are then
  set exactly.
* Cities: seasonal weights = the province's fitted weights × city noise that nets out across cities
  (share-weighted mean zero). Each city chains annual levels from its published levels (else from
  ``BASE_SHARES`` × province in 2015) with growth = province growth × noise, its published growth where
  it exists, rev = province rev + noise. Then one least-squares step shifts the city levels so that
  they sum to ``(1 + d[y]) · province``, ``d[y]`` a statistical discrepancy (about +1%, AR(1), within
  −2% … +3.5%): published levels stay put, years with a published growth keep it, the other city-years
  move together in proportion to size (at the retail break year the shift goes to rev, not growth).
  Each city series is then fitted like the province, with its annual levels as a strong prior.
* Trade: a published trade level without published parts is split by the export share (province:
  fitted; cities: ``BASE_SHARES``), or the missing part is the difference where one part is published.
  A published trade growth becomes growth targets for the parts without a published growth (province:
  re-solved three times; cities: the province's export–import gap, recentred on the published rate),
  and the unpublished parts' bases are then scaled (by < 3%) so trade's growth is exact.

fai is written growth-only (累计值 blank) from 2018, as in real releases; its levels 2015–2017 anchor
the chained index. Levels are rounded to 0.1 亿元 and growth to 0.1%, as releases are.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from forecast.data.catalog import CITIES, INDICATORS, PROVINCE, REGIONS

SEED = 20251127
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FACTS_PATH = DATA / "published_figures.csv"
OUT_PATH = DATA / "observations" / "liaoning_ytd.csv"
TARGETS_PATH = DATA / "targets.csv"
GENERATED = f"generated: scripts/make_bundled_data.py seed {SEED}"
HEADER = ["地区", "指标", "时期", "累计值", "累计增长", "状态", "来源"]
FACT_COLUMNS = ["region", "year", "period", "indicator", "value", "unit", "kind", "source", "snippet"]

Y0, Y1 = 2014, 2026
YEARS = list(range(Y0, Y1 + 1))
NY, NS = len(YEARS), 11
FIRST_OUT = 2015
LAST = (2026, 8)  # 2026年1-10月 (0-based period index: 0 = Jan–Feb … 8 = October)
FAI_LEVELS_UNTIL = 2017
SERIES = ("fai", "retail", "exports", "imports")
OUTPUT = ("fai", "retail", "trade", "exports", "imports")
REGION_ORDER = (PROVINCE, *CITIES)

# --- the annual plan --------------------------------------------------------------------------------
#: Province growth (%) of years with no published December figure: hand-set plausible values.
PROVINCE_GROWTH = {
    "fai": [-27.0, -62.0, 0.1, 3.7, 0.5, 2.6, 2.6, 3.6, 4.0, 5.3, -19.0, -7.5],
    "retail": [7.7, 4.9, 2.9, 6.7, 6.1, -7.9, 9.2, -2.6, 8.8, 4.0, 1.4, 3.2],
    "exports": [-6.0, -5.0, 11.0, 5.7, 1.0, -13.0, 20.0, 8.0, 3.0, 6.8, 9.5, 4.0],
    "imports": [-15.0, 2.0, 28.0, 16.8, -7.0, -8.0, 15.0, -2.0, -7.0, -6.0, -11.0, -2.0],
}  # 2015 … 2026
BREAK_YEAR = {"retail": 2020}
#: Generated YTD growth paths (%) for the latest year, soft targets (+ noise): fai opens weak
#: (Jan–Feb 2026: Northeast −11.4%, national +1.8%) and eases slowly; the others run near trend.
PATH_2026 = {
    "fai": [-12.0, -11.0, -10.5, -10.0, -9.5, -9.0, -8.5, -8.0, -8.0, -7.5, -7.5],
    "retail": [2.0, 2.3, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.0, 3.1, 3.2],
    "exports": [6.0, 5.5, 5.0, 5.0, 4.8, 4.5, 4.5, 4.3, 4.2, 4.0, 4.0],
    "imports": [-6.0, -5.0, -4.5, -4.0, -3.5, -3.0, -3.0, -2.5, -2.5, -2.0, -2.0],
}

# --- seasonality -----------------------------------------------------------------------------------
PROFILE = {  # share of the year in each period: Jan–Feb, Mar, …, Dec
    "fai": [0.055, 0.085, 0.085, 0.095, 0.110, 0.090, 0.095, 0.105, 0.085, 0.065, 0.130],
    "retail": [0.160, 0.077, 0.075, 0.081, 0.084, 0.078, 0.081, 0.087, 0.091, 0.090, 0.096],
    "exports": [0.135, 0.092, 0.084, 0.086, 0.086, 0.086, 0.086, 0.088, 0.083, 0.086, 0.088],
    "imports": [0.148, 0.090, 0.082, 0.084, 0.084, 0.085, 0.083, 0.086, 0.081, 0.086, 0.091],
}
SF_SHIFT = {"fai": 0.06, "retail": 0.01, "exports": 0.05, "imports": 0.04}
NOISE = {"fai": 0.04, "retail": 0.012, "exports": 0.04, "imports": 0.05}  # province weights, log sd
CITY_NOISE = {"fai": 0.08, "retail": 0.02, "exports": 0.07, "imports": 0.08}  # on top, per city
CITY_GROWTH_NOISE = {"fai": 0.04, "retail": 0.012, "exports": 0.05, "imports": 0.06}
REV_NOISE, CITY_REV_NOISE, BASE_NOISE = 0.004, 0.003, 0.0025

_COVID = {
    "fai": [0.55, 0.80, 0.92, 0.98, 1, 1.03, 1.03, 1.03, 1.03, 1.03, 1.03],
    "retail": [0.78, 0.82, 0.90, 0.95, 0.98, 1, 1, 1, 1.02, 1.02, 1.02],
    "exports": [0.80, 0.92, 0.97, 1, 1, 1, 1, 1.02, 1.02, 1.02, 1.02],
    "imports": [0.85, 0.95, 1, 1, 1, 1, 1, 1, 1, 1, 1],
}
_LOCKDOWN = {
    "fai": [1, 0.97, 0.85, 0.92, 1, 1, 1, 1, 1, 1, 0.97],
    "retail": [1, 0.93, 0.82, 0.88, 0.97, 1, 1, 1, 1, 0.98, 0.90],
    "exports": [1, 0.97, 0.88, 0.92, 1, 1, 1, 1, 1, 1, 0.90],
    "imports": [1, 0.97, 0.88, 0.92, 1, 1, 1, 1, 1, 1, 0.90],
}
_RAMPS = {("fai", 2015): (0.10, -0.10), ("fai", 2023): (0.05, -0.03), ("fai", 2025): (0.25, -0.30),
          ("retail", 2025): (0.02, -0.05)}


def shocks(ind: str, year: int) -> np.ndarray:
    """Multipliers on the 11 period weights of ``year`` (1 = no shock)."""
    m = np.ones(NS)
    if year == 2020:
        m *= _COVID[ind]
    if year == 2022:
        m *= _LOCKDOWN[ind]
    if (ind, year) in _RAMPS:
        m *= np.exp(np.linspace(*_RAMPS[(ind, year)], NS))
    return m


def spring_festival_z() -> np.ndarray:
    """Standardised days from New Year's day (``holidays.China``) to 1 March, per year of ``YEARS``."""
    cal = holidays.China(years=YEARS, language="en_US")
    days = {}
    for day, name in sorted(cal.items()):
        if "Spring Festival" in name and "observed" not in name and day.year not in days:
            days[day.year] = (pd.Timestamp(day.year, 3, 1) - pd.Timestamp(day)).days
    d = np.array([days[y] for y in YEARS], dtype=float)
    return (d - d.mean()) / d.std()


def weights(ind: str, rng: np.random.Generator, noise: float, base: np.ndarray | None = None) -> np.ndarray:
    """Period weights (NY × 11, rows sum to 1): profile (or ``base``) × festival × shocks × noise."""
    if base is None:
        z = spring_festival_z()
        w = np.tile(np.array(PROFILE[ind]), (NY, 1))
        move = SF_SHIFT[ind] * z * w[:, 0]
        w[:, 0] += move
        w[:, 1] -= move
        w *= np.array([shocks(ind, y) for y in YEARS])
    else:
        w = base.copy()
    w *= np.exp(rng.normal(0.0, noise, w.shape))
    return w / w.sum(axis=1, keepdims=True)


def log_cum(w: np.ndarray) -> np.ndarray:
    """log of the cumulative shares (the last column is 0)."""
    return np.log(np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True))


# --- published figures -----------------------------------------------------------------------------
_DOUBT = ("LOW CONFIDENCE", "CAUTION", "CONFLICT", "YEAR INFERRED", "USD basis")
_KINDS = ("level", "growth_pct", "est_level", "est_growth_pct", "target_growth_pct")
#: Figures quoted in a reference row's snippet without a row of their own: (region, period,
#: indicator, value, kind) and the (region, period, indicator, value) of the row quoting them.
SNIPPET_FACTS = [
    (("liaoning", "2018-03", "exports", "719.5", "level"), ("liaoning", "2018-03", "trade", "1665.8")),
    (("liaoning", "2018-03", "exports", "-4.0", "growth_pct"), ("liaoning", "2018-03", "trade", "1665.8")),
    (("liaoning", "2018-03", "imports", "946.3", "level"), ("liaoning", "2018-03", "trade", "1665.8")),
    (("liaoning", "2018-03", "imports", "1.1", "growth_pct"), ("liaoning", "2018-03", "trade", "1665.8")),
    (("liaoning", "2018-09", "exports", "5.3", "growth_pct"), ("liaoning", "2018-09", "exports", "2378.7")),
    (("liaoning", "2018-09", "imports", "12.0", "growth_pct"), ("liaoning", "2018-09", "imports", "3112.7")),
    (("liaoning", "2022-02", "exports", "17.8", "growth_pct"), ("liaoning", "2022-02", "exports", "526.1")),
    (("liaoning", "2022-02", "imports", "2.1", "growth_pct"), ("liaoning", "2022-02", "imports", "687.8")),
    (("dalian", "2019-06", "exports", "933.6", "level"), ("dalian", "2019-06", "trade", "2087.5")),
    (("dalian", "2019-06", "exports", "5.8", "growth_pct"), ("dalian", "2019-06", "trade", "2087.5")),
    (("dalian", "2019-06", "imports", "1153.9", "level"), ("dalian", "2019-06", "trade", "2087.5")),
    (("dalian", "2019-06", "imports", "-15.4", "growth_pct"), ("dalian", "2019-06", "trade", "2087.5")),
    (("panjin", "2021-06", "exports", "50.9", "growth_pct"), ("panjin", "2021-06", "exports", "10.7")),
    (("panjin", "2021-06", "imports", "90.0", "growth_pct"), ("panjin", "2021-06", "imports", "170.1")),
]


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def extract_facts(reference_dir: Path) -> pd.DataFrame:
    """The clean figures of the reference collection that the bundled table can carry.

    Kept: indicators fai/retail/trade/exports/imports; units 亿元 and %; kinds level, growth_pct,
    est_level, est_growth_pct, target_growth_pct; a URL source; YTD periods from 2015 on (annual rows
    become December YTD). Dropped: snippets that start with (or flag in brackets) LOW CONFIDENCE /
    CAUTION / CONFLICT / YEAR INFERRED, 亿美元 and growth on a USD basis, single-month figures, fai
    levels from 2018 (the table is growth-only there),
    preliminary (est_*) figures where a final one exists, and rounded duplicates of a more precise
    figure (e.g. 14143 and 14100 for 14142.8). ``SNIPPET_FACTS`` adds figures quoted in snippets.
    """
    ann = pd.read_csv(reference_dir / "liaoning_annual.csv", dtype=str, keep_default_na=False)
    mon = pd.read_csv(reference_dir / "liaoning_monthly.csv", dtype=str, keep_default_na=False)
    ann["period"] = ann["year"] + "-12"
    mon = mon[mon["period"].str.endswith(" YTD")].copy()
    mon["period"] = mon["period"].str.replace(r"^(\d{4})-01\.\.(\d{2}) YTD$", r"\1-\2", regex=True)
    ref = pd.concat([ann, mon], ignore_index=True)[FACT_COLUMNS]
    extra = []
    for (region, period, ind, value, kind), key in SNIPPET_FACTS:
        host = ref[(ref["region"] == key[0]) & (ref["period"] == key[1]) & (ref["indicator"] == key[2])
                   & (ref["value"] == key[3])].iloc[0]
        unit = "%" if kind == "growth_pct" else "亿元"
        extra.append([region, period[:4], period, ind, value, unit, kind, host["source"], host["snippet"]])
    ref = pd.concat([ref, pd.DataFrame(extra, columns=FACT_COLUMNS)], ignore_index=True)
    keep = (ref["indicator"].isin(OUTPUT) & ref["unit"].isin(["亿元", "%"]) & ref["kind"].isin(_KINDS)
            & ref["source"].str.startswith("http") & ~ref["snippet"].str.contains("|".join(_DOUBT))
            & (ref["year"].astype(int) >= FIRST_OUT))
    ref = ref[keep]
    ref = ref[~((ref["indicator"] == "fai") & ref["kind"].str.endswith("level")
                & (ref["year"].astype(int) > FAI_LEVELS_UNTIL))]
    ref = ref.assign(measure=ref["kind"].str.replace("est_", "").str.replace("_pct", ""))
    rows = []
    for _, grp in ref.groupby(["region", "indicator", "period", "measure"], sort=False):
        final = grp[~grp["kind"].str.startswith("est_")]
        grp = final if len(final) else grp
        best = grp.loc[grp["value"].map(lambda v: (_decimals(v), len(v.replace("-", "")))).idxmax()]
        for v in grp["value"]:  # every other figure must be the best one at its own precision
            b, x = float(best["value"]), float(v)
            if not (math.isclose(round(b, _decimals(v)), x) or math.isclose(float(f"{b:.3g}"), x)):
                raise ValueError(f"conflicting clean figures {grp.to_dict('records')}")
        rows.append(best[FACT_COLUMNS])
    out = pd.DataFrame(rows)
    order = {r: i for i, r in enumerate(REGION_ORDER)}
    ind_order = {k: i for i, k in enumerate(OUTPUT)}
    out = out.assign(_r=out["region"].map(order), _i=out["indicator"].map(ind_order))
    return out.sort_values(["_r", "_i", "period", "kind"]).drop(columns=["_r", "_i"]).reset_index(drop=True)


def read_facts(path: Path = FACTS_PATH) -> pd.DataFrame:
    """``data/published_figures.csv`` as strings (values keep their published precision)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class Fact:
    """One published figure as the generator uses it."""

    value: float
    source: str
    preliminary: bool


def _pins(facts: pd.DataFrame) -> dict[tuple[str, str, str], dict[tuple[int, int], Fact]]:
    """{(region, indicator, 'level'|'growth'): {(year index, season): Fact}} from the fact table."""
    out: dict = {}
    for f in facts[facts["kind"] != "target_growth_pct"].itertuples():
        year, month = int(f.period[:4]), int(f.period[5:])
        measure = "level" if f.kind.endswith("level") else "growth"
        key = (f.region, f.indicator, measure)
        out.setdefault(key, {})[(year - Y0, month - 2)] = Fact(float(f.value), f.source,
                                                              f.kind.startswith("est_"))
    return out


# --- fitting one series ----------------------------------------------------------------------------
@dataclass
class Plan:
    """Prior for one series: log annual level, log rev, log(1+growth), log cumulative shares, pins."""

    la: np.ndarray
    r: np.ndarray
    lg: np.ndarray
    c: np.ndarray
    levels: dict[tuple[int, int], float] = field(default_factory=dict)
    growth: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)  # value %, weight
    w: tuple[float, float, float, float, float] = (1.0, 400.0, 100.0, 20.0, 60.0)  # a, r, g, c, smooth


def annual_plan(growth_pct: np.ndarray, r: np.ndarray, anchors: dict[int, float], pinned: set[int],
                break_year: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chain annual levels through the anchors (year index → level); returns log A, r, log(1+g)."""
    lg = np.concatenate([[np.nan], np.log1p(np.asarray(growth_pct, float) / 100)])
    r = r.copy()
    la = np.full(NY, np.nan)
    ys = sorted(anchors)
    la[ys[0]] = math.log(anchors[ys[0]])
    for i in range(ys[0] - 1, -1, -1):
        la[i] = la[i + 1] - lg[i + 1] - r[i + 1]
    for i in range(ys[0] + 1, NY):
        la[i] = la[i - 1] + lg[i] + r[i]
    for prev, i1 in zip(ys, ys[1:], strict=False):
        gap = math.log(anchors[i1]) - la[i1]
        span = range(prev + 1, i1 + 1)
        free = [i for i in span if i not in pinned]
        if break_year is not None and prev < break_year - Y0 <= i1:
            r[break_year - Y0] += gap
        elif free:
            lg[free] += gap / len(free)
        else:
            r[list(span)] += gap / len(span)
        for i in range(prev + 1, NY):
            la[i] = la[i - 1] + lg[i] + r[i]
    return la, r, lg


def _cholesky_solve(n: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``n x = b`` for a small symmetric positive definite ``n`` (plain NumPy: LAPACK's threaded
    solvers crawl on a busy two-core machine, this takes milliseconds)."""
    k = len(b)
    low = np.zeros_like(n)
    for j in range(k):
        v = n[j:, j] - low[j:, :j] @ low[j, :j]
        low[j, j] = math.sqrt(v[0])
        low[j + 1:, j] = v[1:] / low[j, j]
    y = np.zeros(k)
    for i in range(k):
        y[i] = (b[i] - low[i, :i] @ y[:i]) / low[i, i]
    x = np.zeros(k)
    for i in range(k - 1, -1, -1):
        x[i] = (y[i] - low[i + 1:, i] @ x[i + 1:]) / low[i, i]
    return x


def lsq(m: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares through the normal equations, with one refinement step."""
    n = m.T @ m
    x = _cholesky_solve(n, m.T @ b)
    return x + _cholesky_solve(n, m.T @ (b - m @ x))


def solve(p: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least squares in logs; returns levels V (NY × 11), log rev r and log cum shares c."""
    nv = NY + (NY - 1) + NY * (NS - 1)
    ia = lambda i: i  # noqa: E731
    ir = lambda i: NY + i - 1  # noqa: E731
    ic = lambda i, s: 2 * NY - 1 + i * (NS - 1) + s if s < NS - 1 else None  # noqa: E731
    rows: list[tuple[dict[int, float], float, float]] = []

    def add(coefs: dict, target: float, weight: float) -> None:
        rows.append(({k: v for k, v in coefs.items() if k is not None}, target, weight))

    wa, wr, wg, wc, wsm = p.w
    for i in range(NY):
        add({ia(i): 1}, p.la[i], wa)
        for s in range(NS - 1):
            add({ic(i, s): 1}, p.c[i, s], wc)
        for s in range(1, NS):
            add({ic(i, s): 1, ic(i, s - 1): -1} if ic(i, s) is not None else {ic(i, s - 1): -1},
                p.c[i, s] - p.c[i, s - 1], wsm)
        if i:
            add({ir(i): 1}, p.r[i], wr)
            add({ia(i): 1, ir(i): -1, ia(i - 1): -1}, p.lg[i], wg)
    for (i, s), level in p.levels.items():
        add({ia(i): 1, ic(i, s): 1}, math.log(level), 1e5)
    for (i, s), (g, weight) in p.growth.items():
        coefs = {ia(i): 1, ir(i): -1, ia(i - 1): -1}
        if s < NS - 1:
            coefs.update({ic(i, s): 1, ic(i - 1, s): -1})
        add(coefs, math.log1p(g / 100), weight)
    m = np.zeros((len(rows), nv))
    b = np.zeros(len(rows))
    for k, (coefs, target, weight) in enumerate(rows):
        for j, v in coefs.items():
            m[k, j] = v * weight
        b[k] = target * weight
    x = lsq(m, b)
    c = np.zeros((NY, NS))
    c[:, : NS - 1] = x[2 * NY - 1:].reshape(NY, NS - 1)
    r = np.concatenate([[np.nan], x[NY: 2 * NY - 1]])
    v = np.exp(x[:NY, None] + c)
    for (i, s), level in p.levels.items():
        v[i, s] = level
    flows = np.diff(v, axis=1, prepend=0.0)
    if (flows <= 0).any():
        raise ValueError(f"non-positive flow in fitted series at {np.argwhere(flows <= 0)[:3].tolist()}")
    return v, r, c


@dataclass
class Fit:
    """A fitted series: levels, comparable bases, published-style growth and where figures are real."""

    v: np.ndarray
    base: np.ndarray
    r: np.ndarray
    c: np.ndarray
    level_src: dict[tuple[int, int], str] = field(default_factory=dict)
    growth_src: dict[tuple[int, int], str] = field(default_factory=dict)
    level_note: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def growth(self) -> np.ndarray:
        return (self.v / self.base - 1) * 100

    @property
    def annual_lg(self) -> np.ndarray:
        """Realised log(1 + December comparable growth), before revision noise."""
        la = np.log(self.v[:, -1])
        return np.concatenate([[np.nan], la[1:] - la[:-1] - self.r[1:]])


def _source(f: Fact) -> str:
    return f"preliminary (预计) {f.source}" if f.preliminary else f.source


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *keys])


def _anchors(levels: dict[tuple[int, int], float], c: np.ndarray, growth: dict | None = None,
             r: np.ndarray | None = None) -> dict[int, float]:
    """Annual levels implied by published YTD levels: December directly; else the latest month through
    the planned shares, unless a neighbouring year has a December level (the growth plan links them).
    A level with a growth rate (after Jan–Feb) also dates the year before, if that year has no level."""
    levels = dict(levels)
    for (i, s), lv in list(levels.items()):
        if growth and r is not None and (i, s) in growth and 0 < s and i > 0 \
                and not any(j == i - 1 for j, _ in levels):
            levels[(i - 1, s)] = lv / (1 + growth[(i, s)][0] / 100) / math.exp(r[i])
    out: dict[int, float] = {}
    for i in sorted({i for i, _ in levels}):
        pts = {s: v for (j, s), v in levels.items() if j == i}
        if NS - 1 in pts:
            out[i] = pts[NS - 1]
        elif (i - 1, NS - 1) not in levels and (i + 1, NS - 1) not in levels:
            s = max(pts)
            out[i] = math.exp(math.log(pts[s]) - c[i, s])
    return out


def finish(p: Plan, growth_facts: dict[tuple[int, int], Fact], level_facts: dict[tuple[int, int], Fact],
           rng: np.random.Generator) -> Fit:
    """Solve a plan and attach comparable bases (revision noise; published growth where it exists)."""
    v, r, c = solve(p)
    eps = rng.normal(0.0, BASE_NOISE, (NY, NS))
    base = np.full((NY, NS), np.nan)
    base[1:] = np.exp(r[1:, None] + eps[1:]) * v[:-1]
    for (i, s), f in growth_facts.items():
        base[i, s] = v[i, s] / (1 + f.value / 100)
    return Fit(v, base, r, c, {k: _source(f) for k, f in level_facts.items()},
               {k: _source(f) for k, f in growth_facts.items()})


def _run(region: str, ind: str, pins: dict, make_plan, key: int, extra_l: dict | None = None,
         extra_g: dict | None = None) -> Fit:
    """Fit one series: its published figures (hard) plus any pins derived from trade figures."""
    lf, gf = pins.get((region, ind, "level"), {}), pins.get((region, ind, "growth"), {})
    levels = {k: f.value for k, f in lf.items()} | (extra_l or {})
    growth = {k: (f.value, 1e4) for k, f in gf.items()} | (extra_g or {})
    return finish(make_plan(ind, levels, growth), gf, lf, _rng(key, SERIES.index(ind), 1))


PARTS = ("exports", "imports")


def split_trade_levels(region: str, pins: dict, export_share) -> tuple[dict, dict]:
    """Part levels implied by published trade levels: the other part where one part is published,
    else a split by ``export_share(k)``. Returns ({part: {k: level}}, {part: {k: note}})."""
    levels: dict[str, dict] = {p: {} for p in PARTS}
    notes: dict[str, dict] = {p: {} for p in PARTS}
    other = dict(zip(PARTS, PARTS[::-1], strict=True))
    for k, f in pins.get((region, "trade", "level"), {}).items():
        have = {p: pins.get((region, p, "level"), {}).get(k) for p in PARTS}
        if all(have.values()):
            if abs(have["exports"].value + have["imports"].value - f.value) > 0.05:
                raise ValueError(f"{region} {k}: published parts do not add up to trade {f.value}")
        elif any(have.values()):
            known = next(p for p in PARTS if have[p])
            levels[other[known]][k] = round(f.value - have[known].value, 1)
            srcs = ", ".join(dict.fromkeys([_source(f), _source(have[known])]))
            notes[other[known]][k] = f"累计值 = 进出口总额 − {INDICATORS[known].zh}, both published: {srcs}"
        else:
            e = round(f.value * export_share(k), 1)
            levels["exports"][k], levels["imports"][k] = e, round(f.value - e, 1)
            for p in PARTS:
                notes[p][k] = f"累计值 split from published 进出口总额 {f.value:g} by the generated export share: {_source(f)}"
    return levels, notes


def part_growth(fits: dict[str, Fit], region: str, pins: dict, k: tuple[int, int], g: float,
                extra_l: dict) -> dict[str, float]:
    """Growth targets for the parts without a published growth so that trade grows by ``g``."""
    gp = {p: pins.get((region, p, "growth"), {}) for p in PARTS}
    lp = {p: pins.get((region, p, "level"), {}) for p in PARTS}
    v = {p: lp[p][k].value if k in lp[p] else extra_l[p].get(k, fits[p].v[k]) for p in PARTS}
    base = {p: v[p] / (1 + gp[p][k].value / 100) if k in gp[p] else fits[p].base[k] for p in PARTS}
    free = [p for p in PARTS if k not in gp[p]]
    if not free:
        return {}
    need = sum(v.values()) / (1 + g / 100) - sum(base[p] for p in PARTS if p not in free)
    scale = need / sum(base[p] for p in free)
    return {p: (v[p] / (base[p] * scale) - 1) * 100 for p in free}


def exact_trade_growth(fits: dict[str, Fit], region: str, pins: dict) -> None:
    """Scale the unpublished parts' bases so trade's growth equals every published trade growth."""
    for k, f in pins.get((region, "trade", "growth"), {}).items():
        free = [p for p in PARTS if k not in pins.get((region, p, "growth"), {})]
        if not free:
            continue
        fixed = sum(fits[p].base[k] for p in PARTS if p not in free)
        vt = fits["exports"].v[k] + fits["imports"].v[k]
        scale = (vt / (1 + f.value / 100) - fixed) / sum(fits[p].base[k] for p in free)
        if not 0.97 < scale < 1.03:
            raise ValueError(f"{region} {k}: trade growth {f.value} needs a base revision of {scale:.3f}")
        for p in free:
            fits[p].base[k] *= scale


# --- the province and the cities --------------------------------------------------------------------
BASE_SHARES = {  # rough city shares before any published figure is applied (normalised)
    "fai": [0.24, 0.22, 0.07, 0.035, 0.03, 0.04, 0.05, 0.06, 0.025, 0.035, 0.07, 0.035, 0.04, 0.04],
    "retail": [0.28, 0.26, 0.075, 0.035, 0.025, 0.04, 0.05, 0.035, 0.02, 0.025, 0.028, 0.03, 0.035, 0.03],
    "exports": [0.15, 0.55, 0.04, 0.01, 0.01, 0.04, 0.04, 0.07, 0.005, 0.015, 0.01, 0.01, 0.01, 0.015],
    "imports": [0.20, 0.50, 0.03, 0.015, 0.01, 0.02, 0.02, 0.06, 0.003, 0.01, 0.09, 0.005, 0.005, 0.007],
}


def base_share(ind: str) -> np.ndarray:
    b = np.array(BASE_SHARES[ind])
    return b / b.sum()


def fit_province(pins: dict) -> dict[str, Fit]:
    """Fit the province's four series to its published figures (trade figures through the parts)."""
    ws = {ind: weights(ind, _rng(0, j, 0), NOISE[ind]) for j, ind in enumerate(SERIES)}

    def make_plan(ind: str, levels: dict, growth: dict) -> Plan:
        c = log_cum(ws[ind])
        g = np.array(PROVINCE_GROWTH[ind], float)
        for (i, s), (val, _) in growth.items():
            if s == NS - 1:
                g[i - 1] = val
        r = np.concatenate([[np.nan], _rng(0, SERIES.index(ind), 2).normal(0, REV_NOISE, NY - 1)])
        pinned = {i for i, s in growth if s == NS - 1}
        la, r, lg = annual_plan(g, r, _anchors(levels, c, growth, r), pinned, BREAK_YEAR.get(ind))
        noise = _rng(0, SERIES.index(ind), 3).normal(0, 0.4, NS)
        growth = {(Y1 - Y0, s): (g26 + e, 300.0) for s, (g26, e) in enumerate(zip(PATH_2026[ind], noise, strict=True))} | growth
        return Plan(la, r, lg, c, levels, growth)

    fits = {ind: _run(PROVINCE, ind, pins, make_plan, 0) for ind in SERIES}
    share = lambda k: fits["exports"].v[k] / (fits["exports"].v[k] + fits["imports"].v[k])  # noqa: E731
    extra_l, notes = split_trade_levels(PROVINCE, pins, share)
    for _ in range(3):  # growth targets for the parts, recomputed on the refitted parts
        extra_g: dict[str, dict] = {p: {} for p in PARTS}
        for k, f in pins.get((PROVINCE, "trade", "growth"), {}).items():
            for p, g in part_growth(fits, PROVINCE, pins, k, f.value, extra_l).items():
                extra_g[p][k] = (g, 300.0)
        for p in PARTS:
            fits[p] = _run(PROVINCE, p, pins, make_plan, 0, extra_l[p], extra_g[p])
    exact_trade_growth(fits, PROVINCE, pins)
    for p in PARTS:
        fits[p].level_note = notes[p]
    return fits


def discrepancy(ind: str) -> np.ndarray:
    """Cities' sum over the province, minus 1, per year: about +1%, AR(1), within −2% … +3.5%."""
    e = _rng(99, SERIES.index(ind)).normal(0, 0.006, NY)
    d = np.zeros(NY)
    for i in range(NY):
        d[i] = 0.6 * (d[i - 1] if i else 0.0) + e[i]
    return np.clip(0.012 + d, -0.02, 0.035)


def city_weights(prov: dict[str, Fit]) -> dict[tuple[str, str], np.ndarray]:
    """Each city's period weights: the province's fitted weights × city noise that nets out across
    cities (share-weighted mean zero), so the cities' seasonal patterns add up to the province's."""
    out = {}
    for j, ind in enumerate(SERIES):
        prov_w = np.diff(prov[ind].v, axis=1, prepend=0.0)
        bs = base_share(ind)
        e = _rng(60, j).normal(0, CITY_NOISE[ind], (len(CITIES), NY, NS))
        e -= np.tensordot(bs, e, axes=1)[None]
        for k, c in enumerate(CITIES):
            w = prov_w * np.exp(e[k])
            out[(c, ind)] = w / w.sum(axis=1, keepdims=True)
    return out


def city_trade_pins(city: str, k: int, pins: dict, prov: dict[str, Fit]) -> tuple[dict, dict, dict]:
    """A city's part pins derived from its trade figures: levels split by the base export share; a
    trade growth becomes part growth rates that differ as the province's parts do that period
    (recentred so that their base-weighted mean is the published trade rate)."""
    def share(key: tuple[int, int]) -> float:
        e = base_share("exports")[k] * prov["exports"].v[key]
        return e / (e + base_share("imports")[k] * prov["imports"].v[key])

    levels, notes = split_trade_levels(city, pins, share)
    growth: dict[str, dict] = {p: {} for p in PARTS}
    for key, f in sorted(pins.get((city, "trade", "growth"), {}).items()):
        if any(key in pins.get((city, p, "growth"), {}) for p in PARTS):
            continue
        w = share(key)
        ge, gi = (prov[p].growth[key] for p in PARTS)
        spread = ge - gi
        growth["exports"][key] = (f.value + spread * (1 - w), 1e4)
        growth["imports"][key] = (f.value - spread * w, 1e4)
    return levels, growth, notes


def allocate(la: np.ndarray, fixed: np.ndarray, tied: np.ndarray, target: np.ndarray,
             break_i: int | None) -> np.ndarray:
    """Shift city log levels (cities × years) so they sum to ``target`` each year.

    Anchored city-years stay put, years with a published growth keep it (shift equal to the year
    before's), other years move together in proportion to size; at a break year the shift is free.
    Returns the shifted log levels.
    """
    n = la.shape[0]
    mu = np.zeros_like(la)
    idx = lambda c, i: c * NY + i  # noqa: E731
    for _ in range(4):
        a = np.exp(la + mu)
        share = a / a.sum(axis=0)
        rows: list[np.ndarray] = []
        rhs: list[float] = []

        def add(coefs: dict, value: float, weight: float, rows=rows, rhs=rhs) -> None:
            row = np.zeros(n * NY)
            for j, v in coefs.items():
                row[j] = v * weight
            rows.append(row)
            rhs.append(value * weight)

        for c in range(n):
            for i in range(NY):
                wsh = math.sqrt(share[c, i])
                if fixed[c, i]:
                    add({idx(c, i): 1}, 0.0, 1e4)
                add({idx(c, i): wsh}, 0.0, 0.1)
                if i and tied[c, i]:
                    add({idx(c, i): 1, idx(c, i - 1): -1}, 0.0, 1e4)
                elif i and i != break_i:
                    add({idx(c, i): wsh, idx(c, i - 1): -wsh}, 0.0, 1.0)
        for i in range(NY):
            gap = math.log(target[i] / a[:, i].sum()) + float(share[:, i] @ mu[:, i])
            add({idx(c, i): share[c, i] for c in range(n)}, gap, 1e3)
        mu = lsq(np.array(rows), np.array(rhs)).reshape(n, NY)
    return la + mu


def fit_cities(pins: dict, prov: dict[str, Fit]) -> dict[str, dict[str, Fit]]:
    """Fit every city: own figures first, the province total (plus a discrepancy) shared out after."""
    ws = city_weights(prov)
    derived = {c: city_trade_pins(c, k, pins, prov) for k, c in enumerate(CITIES)}
    plans: dict[tuple[str, str], Plan] = {}
    for j, ind in enumerate(SERIES):
        d = discrepancy(ind)
        chains, fixed, tied = [], np.zeros((len(CITIES), NY), bool), np.zeros((len(CITIES), NY), bool)
        for k, city in enumerate(CITIES):
            lf, gf = pins.get((city, ind, "level"), {}), pins.get((city, ind, "growth"), {})
            ex_l, ex_g, _ = derived[city]
            levels = {kk: f.value for kk, f in lf.items()} | ex_l.get(ind, {})
            growth = {kk: (f.value, 1e4) for kk, f in gf.items()} | ex_g.get(ind, {})
            c = log_cum(ws[(city, ind)])
            rng = _rng(k + 1, j, 2)
            g = (np.exp(prov[ind].annual_lg[1:] + rng.normal(0, CITY_GROWTH_NOISE[ind], NY - 1)) - 1) * 100
            for (i, s), (val, _) in growth.items():
                if s == NS - 1:
                    g[i - 1] = val
                    tied[k, i] = True
            r = prov[ind].r + np.concatenate([[np.nan], rng.normal(0, CITY_REV_NOISE, NY - 1)])
            anchors = _anchors(levels, c, growth, r)
            fixed[k, list(anchors)] = True
            anchors = anchors or {1: base_share(ind)[k] * (1 + d[1]) * prov[ind].v[1, -1]}
            la, r, lg = annual_plan(g, r, anchors, set(np.flatnonzero(tied[k])), BREAK_YEAR.get(ind))
            chains.append((la, r, lg))
            plans[(city, ind)] = Plan(la, r, lg, c, levels, growth, w=(50.0, 400.0, 20.0, 20.0, 60.0))
        brk = BREAK_YEAR[ind] - Y0 if ind in BREAK_YEAR else None
        la_all = allocate(np.array([ch[0] for ch in chains]), fixed, tied, (1 + d) * prov[ind].v[:, -1], brk)
        for k, city in enumerate(CITIES):
            p, la = plans[(city, ind)], la_all[k]
            lg = np.concatenate([[np.nan], la[1:] - la[:-1] - p.r[1:]])
            r = p.r.copy()
            for i in range(1, NY):
                if tied[k, i] or i == brk:  # growth stays; the revision absorbs the shift
                    lg[i] = p.lg[i]
                    r[i] = la[i] - la[i - 1] - lg[i]
            p.la, p.lg, p.r = la, lg, r
    fits: dict[str, dict[str, Fit]] = {}
    for k, city in enumerate(CITIES):
        notes = derived[city][2]
        fits[city] = {ind: finish(plans[(city, ind)], pins.get((city, ind, "growth"), {}),
                                  pins.get((city, ind, "level"), {}), _rng(k + 1, j, 1))
                      for j, ind in enumerate(SERIES)}
        exact_trade_growth(fits[city], city, pins)
        for p in PARTS:
            fits[city][p].level_note = notes[p]
    return fits


# --- the table ---------------------------------------------------------------------------------------
def round1(x: float) -> float:
    """Round half away from zero to one decimal, as releases do (no negative zero)."""
    y = math.floor(abs(x) * 10 + 0.5 + 1e-9) / 10
    return math.copysign(y, x) if y else 0.0


def _trade(fe: Fit, fi: Fit, pins: dict, region: str) -> Fit:
    lv = pins.get((region, "trade", "level"), {})
    gr = pins.get((region, "trade", "growth"), {})
    return Fit(fe.v + fi.v, fe.base + fi.base, fe.r, fe.c, {k: _source(f) for k, f in lv.items()},
               {k: _source(f) for k, f in gr.items()})


def _rows(region: str, ind: str, fit: Fit, parts: tuple[Fit, Fit] | None, pins: dict) -> list[list[str]]:
    rows = []
    growth_facts = pins.get((region, ind, "growth"), {})
    for i in range(FIRST_OUT - Y0, NY):
        for s in range(NS):
            if (Y0 + i, s) > LAST:
                break
            show_level = not (ind == "fai" and Y0 + i > FAI_LEVELS_UNTIL)
            if parts:
                level = round1(round1(parts[0].v[i, s]) + round1(parts[1].v[i, s]))
            else:
                level = round1(fit.v[i, s])
            g = growth_facts[(i, s)].value if (i, s) in growth_facts else round1(fit.growth[i, s])
            k = (i, s)
            real = [x for x, shown in ((fit.level_src.get(k), show_level), (fit.growth_src.get(k), True)) if shown]
            if all(real):
                srcs = list(dict.fromkeys(real))
                source = srcs[0] if len(srcs) == 1 else f"{real[0]} (累计值); {real[1]} (累计增长)"
                status = "published"
            else:
                status, notes = "generated", [GENERATED]
                if show_level and k in fit.level_src:
                    notes.append(f"累计值 published: {fit.level_src[k]}")
                if show_level and k in fit.level_note:
                    notes.append(fit.level_note[k])
                if k in fit.growth_src:
                    notes.append(f"累计增长 published: {fit.growth_src[k]}")
                source = "; ".join(notes)
            rows.append([REGIONS[region].zh, INDICATORS[ind].zh, f"{Y0 + i}年1-{s + 2}月",
                         f"{level:.1f}" if show_level else "", f"{g:.1f}", status, source])
    return rows


def _target_kind(value: float, snippet: str) -> str:
    """左右 → about, 以上 → at_least, a plain figure → about."""
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:%|percent)\s*(以上|左右)?", snippet):
        if math.isclose(float(m.group(1)), value):
            if m.group(2) == "以上" or "at least" in snippet[max(0, m.start() - 12): m.start()]:
                return "at_least"
            return "about"
    raise ValueError(f"target {value} not found in snippet {snippet!r}")


def make_targets(facts: pd.DataFrame) -> pd.DataFrame:
    """The published targets, each with its source; nothing is assumed where nobody published a target.

    (Until 2026-12 this also wrote an assumed 2026 target for every region × carriage; a verdict against
    a figure nobody published loses the room, so those rows are gone: see data/README.md.)
    """
    pub = facts[facts["kind"] == "target_growth_pct"]
    rows = [[f.region, f.indicator, int(f.year), float(f.value), _target_kind(float(f.value), f.snippet),
             "published", f.source] for f in pub.itertuples()]
    out = pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "kind", "status", "source"])
    order = {r: i for i, r in enumerate(REGION_ORDER)}
    out = out.assign(_r=out["region"].map(order), _i=out["indicator"].map({k: i for i, k in enumerate(OUTPUT)}))
    out = out.sort_values(["_r", "_i", "year"]).drop(columns=["_r", "_i"]).reset_index(drop=True)
    out["value"] = out["value"].map(lambda v: f"{v:g}")
    return out


REGION_BY_ZH = {r.zh: code for code, r in REGIONS.items()}
IND_BY_ZH = {x.zh: code for code, x in INDICATORS.items()}


def fit_all(facts: pd.DataFrame) -> tuple[dict[str, dict[str, Fit]], dict]:
    """Every region's fitted series, trade included; and the pins they were fitted to."""
    pins = _pins(facts)
    prov = fit_province(pins)
    fits = {PROVINCE: prov} | fit_cities(pins, prov)
    for region, f in fits.items():
        f["trade"] = _trade(f["exports"], f["imports"], pins, region)
    return fits, pins


def build(facts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled YTD table and the targets table, as the strings written to disk.

    Examples
    --------
    >>> table, targets = build()  # doctest: +SKIP
    >>> list(table.columns)  # doctest: +SKIP
    ['地区', '指标', '时期', '累计值', '累计增长', '状态', '来源']
    """
    facts = read_facts() if facts is None else facts
    fits, pins = fit_all(facts)
    rows = []
    for region in REGION_ORDER:
        for ind in OUTPUT:
            parts = (fits[region]["exports"], fits[region]["imports"]) if ind == "trade" else None
            rows += _rows(region, ind, fits[region][ind], parts, pins)
    table = pd.DataFrame(rows, columns=HEADER, dtype=str)
    check_facts(table, facts)
    return table, make_targets(facts)


def check_facts(table: pd.DataFrame, facts: pd.DataFrame) -> None:
    """Raise unless every published figure appears on its row, exactly, with its source."""
    idx = {(a, b, t): (v, g, src) for a, b, t, v, g, src in
           zip(table["地区"], table["指标"], table["时期"], table["累计值"], table["累计增长"], table["来源"],
               strict=True)}
    for f in facts[facts["kind"] != "target_growth_pct"].itertuples():
        key = (REGIONS[f.region].zh, INDICATORS[f.indicator].zh, f"{f.period[:4]}年1-{int(f.period[5:])}月")
        level, growth, source = idx[key]
        shown = level if f.kind.endswith("level") else growth
        if not shown or float(shown) != float(f.value) or f.source not in source:
            raise ValueError(f"published figure not reproduced: {f}")


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text with ``\\n`` line ends, minimal quoting (deterministic)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(frame.columns))
    writer.writerows(frame.astype(str).itertuples(index=False, name=None))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command line: optionally refresh the facts, then write the table and the targets."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts-from", type=Path, help="rebuild data/published_figures.csv from this reference dir")
    args = ap.parse_args(argv)
    if args.facts_from:
        FACTS_PATH.write_text(to_csv_text(extract_facts(args.facts_from)), encoding="utf-8")
    table, targets = build()
    OUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    OUT_PATH.write_text(to_csv_text(table), encoding="utf-8")
    TARGETS_PATH.write_text(to_csv_text(targets), encoding="utf-8")
    counts = table.groupby("状态").size().to_dict()
    print(f"wrote {OUT_PATH.relative_to(ROOT)}: {len(table)} rows {counts}; "
          f"{TARGETS_PATH.relative_to(ROOT)}: {len(targets)} targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
