"""troika — the analysts' Streamlit front end (``streamlit run app.py``).

Thin by design: it reads the latest complete batch run from the store (:func:`forecast.runs.results.load_latest_run`,
cached with ``st.cache_data``), wires widgets to the ``forecast`` API and renders the tables of
:mod:`forecast.app.overview_tables` and the figures of :mod:`forecast.present.plots`. Nothing fits a model on a page load;
scenarios are recomputed from the run's stored sample paths. Chinese by default, English on a switch.
The store is ``$TROIKA_DB`` (default ``data/troika.db``); the Data page's batch button runs
``forecast run`` with the extra arguments in ``$TROIKA_RUN_ARGS`` (e.g. ``--workers 4``), if any.
The cached loaders, the shared widgets and the Scenarios and Data pages live in :mod:`forecast.app.pages`;
this script holds the navigation, the Overview, Series and Export pages, and the page dispatch.

Access (DESIGN §8, :mod:`forecast.app.access`, ``docs/deployment.md``): with no ``[auth]`` section in
``.streamlit/secrets.toml`` the app is in local mode (it listens on 127.0.0.1 only, ``.streamlit/config.toml``,
and everyone on the machine is admin); with one, a visitor sees only the login button (``st.login``) until
logged in, and the role file decides who may save, upload, ingest, start runs and delete.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from forecast.app import (
    overview_tables,
    pages,
    projects_page,
    saved_scenarios,
    series_tables,
    storage,
    targets_page,
)
from forecast.app.pages import T, show_chart, table
from forecast.data.catalog import CARRIAGES, INDICATORS, PROVINCE, REGIONS
from forecast.data.errors import DataError, StoreError
from forecast.decisions.changes import change_note
from forecast.decisions.position import BASE_EFFECT_MIN
from forecast.present import i18n, plots

log = logging.getLogger("troika.app")
PAGES = ("overview", "series", "scenarios", "projects", "targets", "data", "export")
RUN_COMMAND = "forecast run        # or: make run"


# ---------------------------------------------------------------- pages (Scenarios and Data: forecast.app.pages)
def page_overview(run, lang: str) -> None:
    frame = pages.overview(pages.run_key(run), run)
    st.subheader(T("overview_header", year=overview_tables.run_year(run)))
    counts = overview_tables.status_counts(frame)
    for col, s in zip(st.columns(4), ("on_track", "at_risk", "off_track", "no_target"), strict=True):
        col.metric(T(f"metric_{s}"), counts[s], help=T("metric_no_target_help") if s == "no_target" else None)
    changes = pages.changes(pages.run_key(run), str(pages.db_path()), run)
    table(overview_tables.overview_table(frame, lang, changes), key="overview_table", status_col=T("col_status"),
          rows=len(frame))
    st.caption(T("overview_help", pct=round(100 * BASE_EFFECT_MIN)))
    # which cities carry the province's shortfall or surplus, for each carriage the province has a target for
    skipped = []
    for ind in CARRIAGES:
        name = i18n.indicator_name(ind, lang, short=True)
        try:
            gaps = overview_tables.gap_table(run, ind, lang)
        except DataError:  # no province target this year, or growth only (fai): nothing to split
            skipped.append(name)
            continue
        with st.expander(T("gap_header", indicator=name)):
            st.caption(T("gap_help"))
            table(gaps, key=f"gap_table_{ind}", rows=len(gaps))
    if skipped:
        st.caption(T("gap_none", names=("、" if lang == "zh" else ", ").join(skipped)))


def _series_pickers(run, lang: str) -> tuple[str, str]:
    keys = sorted({k for k in run.forecasts if k[0] in REGIONS} | set(zip(run.panel["region"], run.panel["indicator"], strict=True)))
    regions = [r for r in REGIONS if any(k[0] == r for k in keys)]
    c1, c2 = st.columns(2)
    region = c1.selectbox(T("pick_region"), regions, format_func=lambda r: i18n.region_name(r, lang), key="series_region")
    inds = [i for i in INDICATORS if (region, i) in keys]
    indicator = c2.selectbox(T("pick_indicator"), inds, format_func=lambda i: i18n.indicator_name(i, lang),
                             key="series_indicator")
    return region, indicator


def _series_changes(run, region: str, indicator: str, lang: str) -> None:
    """The series' change since the previous run, split into parts that add up (newly published months,
    revisions, target change, model re-estimation)."""
    changes = pages.changes(pages.run_key(run), str(pages.db_path()), run)
    if changes is None:
        st.caption(T("chg_first_run"))
        return
    parts = overview_tables.change_parts(changes, region, indicator, lang)
    if parts is None:
        return
    row = changes[(changes["region"] == region) & (changes["indicator"] == indicator)].iloc[0]
    st.markdown(f"**{T('chg_header', prev=row['prev_run'], vintage=i18n.fmt_period(row['last_period_prev'], lang))}**")
    st.caption(T("chg_help"))
    table(parts, key="changes_table")
    months = T("chg_months", new=row["new_months"] or "—", revised=row["revised_months"] or "—")
    note = change_note(row.to_dict(), lang)
    st.caption(f"{months}{'；' if lang == 'zh' else '; '}{note}" if note else months)


def page_series(run, lang: str, observations: pd.DataFrame) -> None:
    region, indicator = _series_pickers(run, lang)
    hist = series_tables.history_frame(run, region, indicator, observations)
    flags = series_tables.data_flags(hist)
    st.caption(T("data_flag_text", **flags))
    is_index = bool(len(hist) and hist["is_index"].iloc[-1])
    if is_index:
        st.info(T("index_note"))
    base_note = series_tables.base_effect_note(run, region, indicator, lang)
    if base_note:
        st.info(base_note)
    fc = run.forecasts.get((region, indicator))
    if fc is None:
        st.warning(T("no_forecast"))
    fig1, fig2, vfan, gfan = series_tables.series_figures(run, region, indicator, lang)
    c1, c2 = st.columns(2)
    with c1:
        show_chart(fig1, f"fan_values_{region}_{indicator}")
        if vfan is not None:
            table(series_tables.fan_table(vfan.reset_index(), T("unit_index" if is_index else "unit_yi"), lang),
                  key="value_fan_table")
    with c2:
        show_chart(fig2, f"fan_growth_{region}_{indicator}")
        table(series_tables.fan_table(gfan, T("unit_pct"), lang), key="growth_fan_table")
    c3, c4 = st.columns(2)
    with c3:
        st.markdown(f"**{T('weights_header')}**")
        if fc is not None:
            w = series_tables.weights_frame(fc)
            table(w.rename(columns={"model": T("col_model"), "weight": T("col_weight"), "dropped": T("col_dropped")}),
                  key="weights_table")
            if getattr(fc, "flags", ()):
                st.caption(f"{T('flags')}: {', '.join(fc.flags)}")
    with c4:
        st.markdown(f"**{T('accuracy_header')}**")
        acc = series_tables.accuracy_frame(run, region, indicator)
        acc["metric"] = [T(f"metric_{m}") for m in acc["metric"]]
        table(acc.rename(columns={"metric": T("col_metric"), "value": T("col_value")}), key="accuracy_table")
    _series_changes(run, region, indicator, lang)
    with st.expander(T("data_flag_header")):
        ht = hist.assign(period=[str(p) for p in hist["period"]],
                         status=[T(f"data_{s}") if s else "" for s in hist["status"]])
        table(ht, key="history_table")



def page_export(run, lang: str) -> None:
    live = saved_scenarios.with_saved_scenarios_now(run)        # every scenario saved now, not only the last batch's
    changes = pages.changes(pages.run_key(run), str(pages.db_path()), run)
    st.download_button(T("export_pack"), storage.meeting_pack(live, lang, changes), file_name=f"troika_{run.run_id}_{lang}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="pack")
    st.caption(T("export_pack_note"))
    names = "、".join(live.scenarios) if lang == "zh" else ", ".join(live.scenarios)
    st.caption(T("export_contents", run_id=run.run_id, vintage=i18n.fmt_period(run.data_vintage, lang),
                 scenarios=names or T("export_no_scenarios")))
    if live.scenario_errors:
        st.caption(T("export_scenario_errors", names=", ".join(f"{n} ({e})" for n, e in live.scenario_errors.items())))
    st.subheader(T("export_charts"))
    frame = pages.overview(pages.run_key(run), run)
    for ind in CARRIAGES:
        prob = overview_tables.probability_frame(frame, ind, lang)
        if len(prob):
            fig = plots.probability_chart(prob, lang=lang, title=T("overview_chart_title", year=overview_tables.run_year(run),
                                                                   indicator=i18n.indicator_name(ind, lang, short=True)))
            st.download_button(f"{T('export_overview_chart')}: {i18n.indicator_name(ind, lang, short=True)}",
                               plots.figure_png(fig), file_name=f"probability_{ind}.png", mime="image/png", key=f"png_prob_{ind}")
    region = st.session_state.get("series_region", PROVINCE)
    indicator = st.session_state.get("series_indicator", "retail")
    if (region, indicator) in run.forecasts:
        fig1, fig2, _, _ = series_tables.series_figures(run, region, indicator, lang)
        for fig, name in ((fig1, "fan_values"), (fig2, "fan_growth")):
            st.download_button(f"{fig.axes[0].get_title()} (PNG)", plots.figure_png(fig),
                               file_name=f"{name}_{region}_{indicator}.png", mime="image/png", key=f"png_{name}")
    if st.session_state.get("scn_last_png"):
        st.download_button(f"{T('scn_chart_title')} (PNG)", st.session_state["scn_last_png"], file_name="scenario.png",
                           mime="image/png", key="export_png_scenario")


# ---------------------------------------------------------------- frame
def main() -> None:
    st.set_page_config(page_title="troika 三驾马车", layout="wide")
    with st.sidebar:
        lang = st.radio(i18n.t("language"), i18n.LANGS, format_func=i18n.LANG_NAMES.get, key="lang", horizontal=True)
    st.title(T("app_title"))
    st.caption(T("app_caption"))
    actor = pages.acting_user(lang)
    if actor is None:  # login configured and nobody logged in (or login required and not configured)
        return
    with st.sidebar:
        page = st.radio(T("page"), PAGES, format_func=lambda p: i18n.t(f"page_{p}", lang), key="page")
    db = pages.db_path()
    try:
        run = pages.load_run(str(db), pages.db_stamp(db))
    except (StoreError, DataError) as e:
        st.error(f"{T('store_error')} {db}: {e}")
        run = None
    if run is not None:
        st.caption(T("run_info", vintage=i18n.fmt_period(run.data_vintage, lang), run_id=run.run_id,
                     finished=i18n.fmt_time(run.finished, lang)))
    try:
        if page == "data":
            pages.page_data(lang, db, actor)
        elif run is None:
            st.warning(T("no_run"))
            st.code(RUN_COMMAND, language="bash")
            st.caption(T("no_run_data_page"))
        elif page == "overview":
            page_overview(run, lang)
        elif page == "series":
            page_series(run, lang, pages.load_observations(str(db), pages.db_stamp(db)))
        elif page == "scenarios":
            pages.page_scenarios(run, lang, actor, db)
        elif page == "projects":
            projects_page.page_projects(run, lang)
        elif page == "targets":
            targets_page.page_targets(run, lang, actor, db, T, table)
        elif page == "export":
            page_export(run, lang)
    except (DataError, StoreError) as e:
        st.error(str(e))
    except Exception as e:  # noqa: BLE001 - the analyst sees a sentence, the log keeps the traceback
        log.exception("page %s failed", page)
        st.error(T("unexpected", error=f"{type(e).__name__}: {e}"))


main()
