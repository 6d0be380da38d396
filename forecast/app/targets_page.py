"""The Targets page (目标): the targets in force with kind, provenance and source, their history, and the
editor an analyst uses to set or end one (who, when and why are kept; every change is a new version).

A change takes effect at once: the run's stored paths are evaluated against the targets in force
(:func:`forecast.runs.results.with_targets_in_force`), so the overview, the series page and the pack show
it on the next page load, with no batch. Viewers see the tables only; the editor is shown to roles that
may change targets (:func:`forecast.app.access.can` ``target_change``), and the store refuses the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from forecast.app.access import Actor, can, require
from forecast.data.catalog import INDICATORS, REGIONS
from forecast.data.errors import DataError, StoreError
from forecast.present import i18n
from forecast.runs.store import Store

PROVENANCE_KEYS = ("published", "analyst", "reference")


def targets_frame(targets: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The targets in force as the page shows them: names, the target as worded, provenance, source, who, when.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["liaoning"], "indicator": ["retail"], "year": [2026], "value": [4.0],
    ...                   "kind": ["about"], "status": ["published"], "source": ["http://x"], "who": ["data/targets.csv"],
    ...                   "at": ["2026-12-06T00:00:00+00:00"], "id": [1]})
    >>> targets_frame(t, "en").iloc[0].astype(str).tolist()
    ['Liaoning', 'Retail sales of consumer goods', '2026', 'about 4%', 'published', 'http://x', 'data/targets.csv', '2026-12-06']
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_region"): [i18n.region_name(r, lang) for r in targets["region"]],
        t("col_indicator"): [i18n.indicator_name(i, lang, short=True) for i in targets["indicator"]],
        t("col_year"): targets["year"].astype(int).to_numpy(),
        t("col_target_text"): [i18n.fmt_target(v, k, lang) for v, k in zip(targets["value"], targets["kind"], strict=True)],
        t("col_provenance"): [t(f"provenance_{s}") if s in PROVENANCE_KEYS else s for s in targets["status"]],
        t("col_source"): targets["source"].astype(str).to_numpy(),
        t("col_who"): targets["who"].astype(str).to_numpy(),
        t("col_when"): [str(a)[:10] for a in targets["at"]],
    })


def history_frame(history: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Every version of one target, oldest first, as the page shows it."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_version"): history["id"].astype(int).to_numpy(),
        t("col_when"): history["at"].astype(str).to_numpy(),
        t("col_action"): [t(f"target_action_{a}") for a in history["action"]],
        t("col_target_text"): [i18n.fmt_target(v, k, lang) if a != "unset" else "—"
                               for v, k, a in zip(history["value"], history["kind"], history["action"], strict=True)],
        t("col_provenance"): [t(f"provenance_{s}") if s in PROVENANCE_KEYS else s for s in history["provenance"]],
        t("col_who"): history["who"].astype(str).to_numpy(),
        t("col_source"): history["source"].astype(str).to_numpy(),
    })


def set_target(db: Path, actor: Actor, region: str, indicator: str, year: int, value: float, kind: str,
               source: str) -> tuple[int, int | None]:
    """Set an analyst's target for ``actor`` (refused for a role that may not change targets)."""
    require(actor, "target_change")
    return Store(db).set_target(region, indicator, year, value, kind, source, actor.who)


def unset_target(db: Path, actor: Actor, region: str, indicator: str, year: int, source: str) -> tuple[int, int]:
    """End the target in force for ``actor`` (refused for a role that may not change targets)."""
    require(actor, "target_change")
    return Store(db).unset_target(region, indicator, year, source, actor.who)


def page_targets(run: Any, lang: str, actor: Actor, db: Path, T: Any, table: Any) -> None:
    """Render the page: targets in force, the editor (analysts and admins), the history of one target."""
    year = int(run.targets["year"].max()) if run is not None and len(run.targets) else None
    st.subheader(T("targets_header"))
    st.caption(T("targets_help"))
    current = Store(db, create=False).targets() if Path(db).exists() else pd.DataFrame()
    every_year = st.checkbox(T("targets_all_years"), key="tg_all_years") if year is not None else True
    if len(current) and not every_year:
        current = current[current["year"].astype(int) == year]
    if not len(current):
        st.info(T("targets_none"))
    else:
        table(targets_frame(current, lang), key="targets_table", rows=len(current))
    if can(actor.role, "target_change"):
        st.subheader(T("targets_edit"))
        region, indicator, yr = _pick_target(T, lang, year, "tg")
        c4, c5 = st.columns(2)
        value = c4.number_input(T("tg_value"), value=5.0, step=0.5, key="tg_value")
        kind = c5.selectbox(T("tg_kind"), ("about", "at_least"), format_func=lambda k: i18n.t(f"kind_{k}", lang),
                            placeholder=T("placeholder_choose"), key="tg_kind")
        source = st.text_input(T("tg_source"), key="tg_source")
        b1, b2 = st.columns(2)
        try:
            clicked = (b1.button(T("tg_set"), key="tg_set_btn"), b2.button(T("tg_unset"), key="tg_unset_btn"))
            if any(clicked) and not source.strip():
                st.error(f"{T('tg_refused')}: {T('tg_need_source')}")
                clicked = (False, False)
            if clicked[0]:
                new_id, _ = set_target(db, actor, region, indicator, int(yr), float(value), kind, source)
                st.success(T("tg_saved", version=new_id))
                st.cache_data.clear()
            if clicked[1]:
                new_id, _ = unset_target(db, actor, region, indicator, int(yr), source)
                st.success(T("tg_ended", version=new_id))
                st.cache_data.clear()
        except (DataError, StoreError) as e:
            st.error(f"{T('tg_refused')}: {getattr(e, 'summary', None) or e}")
    else:
        st.caption(T("targets_viewer"))
    with st.expander(T("targets_history")):
        region, indicator, yr = _pick_target(T, lang, year, "th")
        hist = Store(db, create=False).target_history(region, indicator, int(yr)) if Path(db).exists() else pd.DataFrame()
        if len(hist):
            table(history_frame(hist, lang), key="targets_history_table")
        else:
            st.caption(T("targets_history_none"))


def _pick_target(T: Any, lang: str, year: int | None, prefix: str) -> tuple[str, str, int]:
    """Region, indicator and year of one target, picked in a row of three widgets (keys ``{prefix}_region`` …)."""
    c1, c2, c3 = st.columns(3)
    region = c1.selectbox(T("pick_region"), list(REGIONS), format_func=lambda r: i18n.region_name(r, lang),
                          placeholder=T("placeholder_choose"), key=f"{prefix}_region")
    indicator = c2.selectbox(T("pick_indicator"), list(INDICATORS), format_func=lambda i: i18n.indicator_name(i, lang),
                             placeholder=T("placeholder_choose"), key=f"{prefix}_indicator")
    yr = c3.number_input(T("col_year"), min_value=2000, max_value=2100, value=year or 2026, step=1, key=f"{prefix}_year")
    return region, indicator, int(yr)
