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

from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, REGIONS
from forecast.data.schema import INDICATOR, PERIOD, REGION, YEAR
from forecast.decisions.gap_shares import gap_shares
from forecast.decisions.standing import (  # noqa: F401 - evaluate_series, base_direction: the page tables' API
    INDICATOR_ORDER,
    REGION_ORDER,
    base_direction,
    evaluate_series,
    every_series,
    in_catalogue_order,
)
from forecast.decisions.targets import latest_year, verdict_counts
from forecast.present import i18n

#: Label keys of the overview table's columns an analyst must always see (the first seven, in this order).
KEY_COLUMNS = ("col_region", "col_indicator", "col_status", "col_probability", "col_target_text", "col_projected",
               "col_ytd_growth")
#: Region groups of the overview's filter: the province, the cities, and the groupings of the province's
#: regional strategy (沈阳现代化都市圈, 沿海经济带, 辽西北; Tieling belongs to two of them).
REGION_GROUPS: dict[str, tuple[str, ...]] = {
    "all": tuple(REGIONS),
    "province": tuple(r for r in REGIONS if REGIONS[r].is_province),
    "cities": tuple(r for r in REGIONS if not REGIONS[r].is_province),
    "shenyang_metro": ("shenyang", "anshan", "fushun", "benxi", "liaoyang", "tieling"),
    "coastal": ("dalian", "dandong", "jinzhou", "yingkou", "panjin", "huludao"),
    "northwest": ("fuxin", "chaoyang", "tieling"),
}
#: Status codes of :func:`overview_frame` in the order the filter lists them.
STATUSES = ("on_track", "at_risk", "off_track", "unknown", "reference", "no target")
SORTS = ("catalogue", "risk", "projected", "gap")

#: Columns of :func:`overview_frame` (evaluate_targets' columns plus ``has_target``).
OVERVIEW_NUMBERS = ["ytd_growth", "target", "projected", "p10", "p90", "probability", "required_growth", "gap_pp"]


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


def overview_frame(run: Any, indicators: tuple[str, ...] = CARRIAGES) -> pd.DataFrame:
    """Every region × carriage of the run for its year: the evaluated target, or the figures without one
    (:func:`forecast.decisions.standing.every_series` of the run).

    Examples
    --------
    >>> overview_frame(run)[["region", "indicator", "projected", "probability", "status"]].head(3).round(1)
         region indicator  projected  probability     status
    0  liaoning    retail        2.5          0.0  off_track
    1  liaoning     trade        1.1          NaN  no target
    2  shenyang    retail        1.2          0.0  reference
    """
    return every_series(run.targets, run.panel, run.forecasts, targets_input(run), run_year(run), indicators)


def overview_table(frame: pd.DataFrame, lang: str = "zh", changes: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`overview_frame` with names, target wording and status in ``lang``; numbers stay numeric.

    The answer first (status, probability, target, projection, where the year stands (YTD growth), the
    projection's change and band, what it would take, and whether last year's base for the rest of the
    year is unusually low or high), then the latest period and the reference probabilities: the key
    columns (:data:`KEY_COLUMNS`) are the first seven. Probability is shown in percent (× 100); other
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
        # change of the projected full-year growth since the previous run (百分点), when there is one
        t("col_ytd_growth"): frame["ytd_growth"].astype(float).to_numpy(),
        t("col_change"): change_column(frame, changes),
        t("col_p10"): frame["p10"].astype(float).to_numpy(),
        t("col_p90"): frame["p90"].astype(float).to_numpy(),
        t("col_required"): frame["required_growth"].astype(float).to_numpy(),
        t("col_gap"): frame["gap_pp"].astype(float).to_numpy(),
        t("col_base"): [t(f"base_flag_{b}") if b in ("low", "high") else "" for b in frame.get("base", [""] * len(frame))],
        t("col_period"): [i18n.fmt_period(p, lang) for p in frame["last_period"]],
        t("col_derived"): ["✓" if bool(d) else "" for d in frame["derived_from_index"]],
        t("col_last_growth"): frame["last_growth"].astype(float).to_numpy(),
        t("col_p_nonneg"): frame["p_nonneg"].astype(float).to_numpy() * 100,
        t("col_p_ge_last"): frame["p_ge_last"].astype(float).to_numpy() * 100,
    })


def baseline_frame(run: Any) -> pd.DataFrame:
    """Every forecast series of the run evaluated for the run's year (targeted or not)."""
    keys = [k for k in run.forecasts if k[0] in REGIONS]
    return evaluate_series(run.panel, run.forecasts, targets_input(run), keys, run_year(run))


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Verdicts per status among published and analyst's targets, and ``no_target``: the other series
    (no target, or only a reference) (:func:`forecast.decisions.targets.verdict_counts`)."""
    return verdict_counts(frame.assign(target_status=frame["target_status"].where(frame["has_target"].astype(bool), "")))


def probability_frame(frame: pd.DataFrame, indicator: str, lang: str = "zh") -> pd.DataFrame:
    """Rows of :func:`overview_frame` with a target for one indicator: label, probability, status."""
    rows = frame[(frame[INDICATOR] == indicator) & frame["has_target"].astype(bool)]
    return pd.DataFrame({"label": [i18n.region_name(r, lang) for r in rows[REGION]],
                         "probability": rows["probability"].astype(float).to_numpy(),
                         "status": rows["status"].astype(str).to_numpy()})


def gap_table(run: Any, indicator: str, lang: str = "zh") -> pd.DataFrame:
    """Each city's share of the province's gap to its target (:func:`forecast.decisions.gap_shares.gap_shares`
    on the run's reconciled paths and targets in force), with names and units in ``lang``.

    Raises
    ------
    DataError
        When the province has no published or analyst's target for the indicator in the run's year, or the
        indicator is growth-only (fai): its message says which.

    Examples
    --------
    >>> gap_table(run, "retail", "en").columns[:4].tolist()
    ['Region', 'Gap to province target (100 mn yuan, + = surplus)', 'Effect on province growth (pp)', 'Share of province gap (%)']
    """
    shares = gap_shares(run.panel, run.forecasts, getattr(run, "discrepancies", {}) or {}, targets_input(run),
                        indicator, run_year(run))
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    names = [t("gap_discrepancy") if role == "discrepancy" else t("gap_total") if role == "province"
             else i18n.region_name(r, lang) for r, role in zip(shares[REGION], shares["role"], strict=True)]
    return pd.DataFrame({
        t("col_region"): names,
        t("gap_col_gap_yuan"): shares["gap_yuan"].astype(float).to_numpy(),
        t("gap_col_gap_pp"): shares["gap_pp"].astype(float).to_numpy(),
        t("gap_col_share"): shares["share_pct"].astype(float).to_numpy(),
        t("gap_col_growth"): shares["city_growth"].astype(float).to_numpy(),
        t("gap_col_above"): ["✓" if bool(a) else "" for a in shares["above_target"]],
    })


def change_column(frame: pd.DataFrame, changes: pd.DataFrame | None) -> np.ndarray:
    """``d_growth`` of :func:`forecast.decisions.changes.run_changes` for each row of ``frame`` (NaN without one)."""
    if changes is None or not len(changes):
        return np.full(len(frame), np.nan)
    d = {(r, i): v for r, i, v in zip(changes[REGION], changes[INDICATOR], changes["d_growth"].astype(float), strict=True)}
    return np.array([d.get(k, np.nan) for k in zip(frame[REGION], frame[INDICATOR], strict=True)], dtype=float)


def change_parts(changes: pd.DataFrame, region: str, indicator: str, lang: str = "zh") -> pd.DataFrame | None:
    """The parts of one series' change since the previous run, as the series page shows them: one row per part
    (new months, revisions, target, model, total), growth and probability in 百分点; None when not compared.

    Examples
    --------
    >>> ch = pd.DataFrame({"region": ["x"], "indicator": ["retail"], "d_growth": [0.5], "d_growth_new": [0.3],
    ...                    "d_growth_revisions": [0.1], "d_growth_target": [0.0], "d_growth_model": [0.1],
    ...                    "d_p": [0.2], "d_p_new": [0.1], "d_p_revisions": [0.0], "d_p_target": [0.05],
    ...                    "d_p_model": [0.05]})
    >>> change_parts(ch, "x", "retail", "en").round(2).values.tolist()[-1]
    ['Total', 0.5, 20.0]
    """
    rows = changes[(changes[REGION] == region) & (changes[INDICATOR] == indicator)] if changes is not None else None
    if rows is None or not len(rows):
        return None
    r = rows.iloc[0]
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    parts = ["new", "revisions", "target", "model"]
    return pd.DataFrame({
        t("chg_part"): [t(f"chg_part_{p}") for p in parts] + [t("chg_part_total")],
        t("chg_col_growth"): [float(r[f"d_growth_{p}"]) for p in parts] + [float(r["d_growth"])],
        t("chg_col_p"): [100 * float(r[f"d_p_{p}"]) for p in parts] + [100 * float(r["d_p"])],
    })


# -- the overview matrix: filters, sort, one cell per region × carriage ------------------------------------------
def filter_overview(frame: pd.DataFrame, carriages: tuple[str, ...] | list[str] = CARRIAGES,
                    statuses: tuple[str, ...] | list[str] = (), group: str = "all",
                    sort: str = "catalogue") -> pd.DataFrame:
    """The rows of :func:`overview_frame` for the chosen carriages, statuses (none chosen: every status) and
    region group (:data:`REGION_GROUPS`), sorted by ``sort`` (:data:`SORTS`): catalogue order, probability
    lowest first, projected growth lowest first, or gap to target largest first (missing values last).

    Examples
    --------
    >>> f = filter_overview(overview_frame(run), ["retail"], group="cities", sort="risk")
    >>> f["region"].tolist()[:2], set(f["indicator"])
    (['shenyang', 'dalian'], {'retail'})
    """
    if sort not in SORTS:
        raise ValueError(f"sort={sort!r}; expected one of {SORTS}")
    regions = set(REGION_GROUPS[group])
    keep = frame[INDICATOR].isin(list(carriages)) & frame[REGION].isin(regions)
    if statuses:
        keep &= frame["status"].astype(str).isin(list(statuses))
    out = frame[keep]
    if sort == "catalogue":
        return out.reset_index(drop=True)
    col, ascending = {"risk": ("probability", True), "projected": ("projected", True), "gap": ("gap_pp", True)}[sort]
    # gap_pp is the projection minus the target: the largest shortfall is the most negative
    return out.sort_values(col, ascending=ascending, na_position="last", kind="stable").reset_index(drop=True)


def matrix_cell(row: Any, lang: str = "zh") -> str:
    """The text of one overview cell: probability, status and projection (a reference target says so).

    Examples
    --------
    >>> matrix_cell({"status": "on_track", "has_target": True, "probability": 0.78, "projected": 4.2}, "en")
    '78% on track · proj. 4.2%'
    >>> matrix_cell({"status": "no target", "has_target": False, "probability": float("nan"), "projected": 3.14})
    '未设目标 · 预计3.1%'
    """
    status = str(row["status"])
    fields = {"p": i18n.fmt_prob(row["probability"], lang), "proj": i18n.fmt_pct(row["projected"], lang),
              "status": i18n.status_label(status, lang)}
    if status == "reference":
        return i18n.t("mx_cell_reference", lang, **fields)
    if status in ("on_track", "at_risk", "off_track"):
        return i18n.t("mx_cell_verdict", lang, **fields)
    if status == "unknown":
        return i18n.t("mx_cell_unknown", lang, **fields)
    return i18n.t("mx_cell_no_target", lang, **fields)


def matrix_frame(frame: pd.DataFrame, lang: str = "zh",
                 carriages: tuple[str, ...] | list[str] = CARRIAGES) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The region × carriage matrix of a (filtered) :func:`overview_frame`: ``(text, status, regions)``.

    ``text`` has the region's name and one column per carriage (its short name) holding
    :func:`matrix_cell`; ``status`` the same shape with the status codes (for the colours; ``""`` where the
    filters left no series); ``regions`` the region code of each row. Rows follow the first appearance of
    each region in ``frame`` (so a sorted frame gives a sorted matrix).

    Examples
    --------
    >>> text, status, regions = matrix_frame(overview_frame(run), "en")
    >>> text.columns.tolist()
    ['Region', 'Fixed-asset investment', 'Retail sales of consumer goods', 'Foreign trade']
    """
    regions = list(dict.fromkeys(frame[REGION]))
    carriages = [c for c in CARRIAGES if c in carriages]
    names = {c: i18n.indicator_name(c, lang, short=True) for c in carriages}
    cells = {(r, i): row for r, i, row in zip(frame[REGION], frame[INDICATOR], frame.to_dict("records"), strict=True)}
    text = pd.DataFrame({i18n.t("mx_col_region", lang): [i18n.region_name(r, lang) for r in regions]})
    status = pd.DataFrame({i18n.t("mx_col_region", lang): [""] * len(regions)})
    for c in carriages:
        text[names[c]] = [matrix_cell(cells[(r, c)], lang) if (r, c) in cells else "" for r in regions]
        status[names[c]] = [str(cells[(r, c)]["status"]) if (r, c) in cells else "" for r in regions]
    return text, status, regions


def matrix_pick(selection: Any, text: pd.DataFrame, regions: list[str], lang: str = "zh") -> tuple[str, str] | None:
    """The ``(region, indicator)`` a click on the matrix chose, from ``st.dataframe``'s selection (a cell
    ``[row, column]``, or a row: its first carriage with a series); None when nothing usable is selected.

    Examples
    --------
    >>> text, _, regions = matrix_frame(overview_frame(run), "zh")
    >>> matrix_pick({"cells": [[1, "社会消费品零售总额"]], "rows": []}, text, regions)
    ('shenyang', 'retail')
    """
    sel = dict(selection or {})
    by_name = {i18n.indicator_name(c, lang, short=True): c for c in CARRIAGES}
    for row, col in sel.get("cells") or []:
        if 0 <= int(row) < len(regions) and col in by_name and str(text.iloc[int(row)][col]):
            return regions[int(row)], by_name[col]
    for row in sel.get("rows") or []:
        if 0 <= int(row) < len(regions):
            first = next((c for c in text.columns[1:] if str(text.iloc[int(row)][c])), None)
            if first is not None:
                return regions[int(row)], by_name[first]
    return None


def row_pick(selection: Any, frame: pd.DataFrame) -> tuple[str, str] | None:
    """The ``(region, indicator)`` of the detailed table's selected cell or row (``frame`` is what it shows).

    Examples
    --------
    >>> row_pick({"cells": [[2, "Status"]]}, overview_frame(run))
    ('shenyang', 'retail')
    """
    sel = dict(selection or {})
    rows = [c[0] for c in sel.get("cells") or []] + list(sel.get("rows") or [])
    if rows and 0 <= int(rows[0]) < len(frame):
        r = frame.iloc[int(rows[0])]
        return str(r[REGION]), str(r[INDICATOR])
    return None
