"""troika — the analysts' Streamlit front end (``streamlit run app.py``).

Thin by design: it reads the latest complete batch run from the store (:func:`forecast.runs.results.load_latest_run`,
cached with ``st.cache_data``), wires widgets to the ``forecast`` API and renders the tables of
:mod:`forecast.app.overview_tables` and the interactive charts of :mod:`forecast.present.charts` (their PNG twins,
:mod:`forecast.present.plots`, are made only when a download is clicked). Nothing fits a model on a page load;
scenarios are recomputed from the run's stored sample paths. Chinese by default, English on a switch.
The store is ``$TROIKA_DB`` (default ``data/troika.db``); the Data page's batch button runs
``forecast run`` with the extra arguments in ``$TROIKA_RUN_ARGS`` (e.g. ``--workers 4``), if any.
The cached loaders and the Data page live in :mod:`forecast.app.pages`, the Scenarios page in
:mod:`forecast.app.scenarios_page`;
this script holds the navigation, the Overview (region × carriage matrix, filters, probability charts, the
detailed table; a click on a cell opens that series), Series and Export pages, and the page dispatch.

Access (DESIGN §8, :mod:`forecast.app.access`, ``docs/deployment.md``): with no ``[auth]`` section in
``.streamlit/secrets.toml`` the app is in local mode (it listens on 127.0.0.1 only, ``.streamlit/config.toml``,
and everyone on the machine is admin); with one, a visitor sees only the login button (``st.login``) until
logged in, and the role file decides who may save, upload, ingest, start runs and delete.
"""

from __future__ import annotations

import hashlib
import json
import logging

import pandas as pd
import streamlit as st

from forecast.app import (
    formats,
    overview_tables,
    pages,
    projects_page,
    scenario_tables,
    scenarios_page,
    series_tables,
    storage,
    targets_page,
    widgets,
)
from forecast.app.widgets import T, show_chart, table
from forecast.data.catalog import CARRIAGES, INDICATORS, PROVINCE, REGIONS
from forecast.data.errors import DataError, StoreError
from forecast.decisions.changes import change_note
from forecast.decisions.position import BASE_EFFECT_MIN
from forecast.export import brief
from forecast.present import i18n, messages, plots

log = logging.getLogger("troika.app")
PAGES = ("overview", "series", "scenarios", "projects", "targets", "data", "export")
RUN_COMMAND = "forecast run        # or: make run"


# ---------------------------------------------------------------- pages (Scenarios and Data: forecast.app.pages)
def open_series(region: str, indicator: str) -> None:
    """Go to the Series page showing ``(region, indicator)`` (a click on the overview's matrix or table)."""
    st.session_state["nav_series"] = (region, indicator)
    st.session_state["overview_clicks"] = st.session_state.get("overview_clicks", 0) + 1  # fresh, unselected grids
    st.rerun()


def _overview_filters(lang: str) -> tuple[list[str], list[str], str, str]:
    c1, c2, c3, c4 = st.columns([5, 3, 2, 2])
    carriages = c1.multiselect(T("flt_carriages"), list(CARRIAGES), key=widgets.lang_key("flt_carriages", lang, list(CARRIAGES)),
                               format_func=lambda i: i18n.indicator_name(i, lang, short=True),
                               placeholder=T("placeholder_choose"))
    statuses = c2.multiselect(T("flt_status"), list(overview_tables.STATUSES), key=widgets.lang_key("flt_status", lang, []),
                              format_func=lambda s: i18n.status_label(s, lang), placeholder=T("flt_status_placeholder"))
    group = c3.selectbox(T("flt_group"), list(overview_tables.REGION_GROUPS),
                         placeholder=T("placeholder_choose"), key="flt_group",
                         format_func=lambda g: i18n.t(f"group_{g}", lang))
    sort = c4.selectbox(T("flt_sort"), overview_tables.SORTS,
                        placeholder=T("placeholder_choose"), key="flt_sort", format_func=lambda k: i18n.t(f"sort_{k}", lang))
    return carriages or list(CARRIAGES), statuses, group, sort


def _matrix(filtered: pd.DataFrame, lang: str, carriages: list[str]) -> None:
    text, status, regions = overview_tables.matrix_frame(filtered, lang, carriages)
    st.markdown(f"**{T('mx_header')}**")
    st.caption(T("mx_help"))
    if not len(text):
        st.info(T("mx_empty"))
        return

    def colours(_: pd.DataFrame) -> pd.DataFrame:
        css = status.map(lambda s: f"background-color: {i18n.STATUS_COLOURS.get(s, '#ffffff')}" if s else "")
        return css.mask(status == "reference", css + "; font-style: italic; color: #1f4f8a")
    widths = {c: widgets.text_width(text[c], c) for c in text.columns}
    config = {c: st.column_config.Column(width=w, pinned=c == text.columns[0]) for c, w in widths.items()}
    with st.container(key="overview_matrix"):
        # as wide as its columns (a compact grid, each cell where its width says)
        event = st.dataframe(text.style.apply(colours, axis=None), hide_index=True, column_config=config,
                             width=sum(widths.values()) + 2,
                             key=f"overview_matrix_{st.session_state.get('overview_clicks', 0)}", on_select="rerun",
                             selection_mode="single-cell", height=35 * (len(text) + 1) + 3)
    pick = overview_tables.matrix_pick(event.selection, text, regions, lang)
    if pick is not None:
        open_series(*pick)


def _probability_charts(frame: pd.DataFrame, run, lang: str, carriages: list[str]) -> None:
    key = pages.run_key(run)
    specs = [(ind, pages.probability_spec(key, ind, lang, T("overview_chart_title", year=overview_tables.run_year(run),
                                                            indicator=i18n.indicator_name(ind, lang, short=True)), frame))
             for ind in carriages]
    shown = [(ind, spec) for ind, spec in specs if spec is not None]
    with st.expander(T("prob_header"), expanded=bool(shown)):
        if not shown:
            st.caption(T("prob_none"))
        for ind, spec in shown:
            st.vega_lite_chart(spec, width="stretch", key=f"prob_chart_{ind}")


def _detail_table(filtered: pd.DataFrame, lang: str, changes: pd.DataFrame | None) -> None:
    st.markdown(f"**{T('detail_header')}**")
    detail = overview_tables.overview_table(filtered, lang, changes)
    fixed = [T("col_region"), T("col_indicator"), T("col_status")]
    # the picker's options are the label keys, so the choice survives a change of language
    keys = {i18n.t(k, lang): k for k in i18n.LABELS if k.startswith("col_") and i18n.t(k, lang) in detail.columns}
    optional = [keys[c] for c in detail.columns if c not in fixed]
    picked = st.multiselect(T("detail_columns"), optional, key=widgets.lang_key("detail_cols", lang, optional),
                            format_func=lambda k: i18n.t(k, lang), placeholder=T("placeholder_choose"))
    chosen = [i18n.t(k, lang) for k in picked]
    short = {T(k): T(f"short_{k}") for k in ("col_probability", "col_projected", "col_ytd_growth", "col_change",
                                             "col_required", "col_p_nonneg", "col_p_ge_last", "col_last_growth")}
    change = T("col_change")
    event = table(detail, key="overview_table", status_col=T("col_status"), rows=len(detail),
                  digits={change: formats.change_digits(detail[change]), T("col_probability"): 0,
                          T("col_p_nonneg"): 0, T("col_p_ge_last"): 0},
                  pinned=tuple(fixed[:2]), widths={c: widgets.text_width(detail[c], short.get(c, c)) for c in detail.columns},
                  labels=short, helps={c: c for c in short}, column_order=fixed + [c for c in detail.columns if c in chosen],
                  selection_mode="single-cell")
    st.caption(T("detail_help"))
    pick = overview_tables.row_pick(event.selection if event is not None else None, filtered)
    if pick is not None:
        open_series(*pick)


def page_overview(run, lang: str) -> None:
    frame = pages.overview(pages.run_key(run), run)
    st.subheader(T("overview_header", year=overview_tables.run_year(run)))
    counts = overview_tables.status_counts(frame)
    for col, s in zip(st.columns(4), ("on_track", "at_risk", "off_track", "no_target"), strict=True):
        col.metric(T(f"metric_{s}"), int(counts[s]), help=T("metric_no_target_help") if s == "no_target" else None)
    carriages, statuses, group, sort = _overview_filters(lang)
    filtered = overview_tables.filter_overview(frame, carriages, statuses, group, sort)
    _matrix(filtered, lang, carriages)
    _probability_charts(frame, run, lang, carriages)
    changes = pages.changes(pages.run_key(run), str(pages.db_path()), run)
    _detail_table(filtered, lang, changes)
    st.caption(T("overview_help", pct=round(100 * BASE_EFFECT_MIN)))
    # which cities carry the province's shortfall or surplus, for each carriage the province has a target for
    skipped = []
    for ind in CARRIAGES:
        name = i18n.indicator_name(ind, lang, short=True)
        gaps = pages.gap_table(pages.run_key(run), ind, lang, run)
        if gaps is None:  # no province target this year, or growth only (fai): nothing to split
            skipped.append(name)
            continue
        with st.expander(T("gap_header", indicator=name)):
            st.caption(T("gap_help"))
            table(gaps, key=f"gap_table_{ind}", rows=len(gaps), pinned=(T("col_region"),))
    if skipped:
        st.caption(T("gap_none", names=("、" if lang == "zh" else ", ").join(skipped)))


def _series_pickers(run, lang: str) -> tuple[str, str]:
    keys = sorted({k for k in run.forecasts if k[0] in REGIONS} | set(zip(run.panel["region"], run.panel["indicator"], strict=True)))
    regions = [r for r in REGIONS if any(k[0] == r for k in keys)]
    nav = st.session_state.pop("nav_series", None)
    chosen = nav or st.session_state.get("chosen_series")
    # a widget's state is dropped while its page is not shown: start from the series chosen last (or clicked)
    if chosen and (nav or "series_region" not in st.session_state) and chosen[0] in regions:
        st.session_state["series_region"], st.session_state["series_indicator"] = chosen
    c1, c2 = st.columns(2)
    region = c1.selectbox(T("pick_region"), regions, format_func=lambda r: i18n.region_name(r, lang),
                          placeholder=T("placeholder_choose"), key="series_region")
    inds = [i for i in INDICATORS if (region, i) in keys]
    if st.session_state.get("series_indicator") not in inds:
        st.session_state.pop("series_indicator", None)
    indicator = c2.selectbox(T("pick_indicator"), inds, format_func=lambda i: i18n.indicator_name(i, lang),
                             placeholder=T("placeholder_choose"), key="series_indicator")
    st.session_state["chosen_series"] = (region, indicator)
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
    table(parts, key="changes_table", digits={c: formats.change_digits(parts[c]) for c in parts.columns[1:]})
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
    mode = st.radio(T("growth_mode"), ("ytd", "period"), format_func=lambda m: i18n.t(f"growth_mode_{m}", lang), horizontal=True,
                    key="series_growth_mode", help=T("growth_mode_help"))
    key = pages.run_key(run)
    values_chart, growth_chart = pages.series_charts(key, region, indicator, lang, mode, run)

    def figure(n: int):
        return lambda: series_tables.series_figures(run, region, indicator, lang, mode)[n]
    c1, c2 = st.columns(2)
    with c1:
        show_chart(values_chart, f"fan_values_{region}_{indicator}", png=figure(0), cache_key=f"{key}:values:{region}:{indicator}")
        st.caption(T("values_jan_feb_note"))
        if fc is not None:
            table(series_tables.fan_table(series_tables.value_fan(fc).reset_index(),
                                          T("unit_index" if is_index else "unit_yi"), lang), key="value_fan_table")
    with c2:
        show_chart(growth_chart, f"fan_growth_{region}_{indicator}", png=figure(1),
                   cache_key=f"{key}:growth:{mode}:{region}:{indicator}")
        if mode == "ytd":
            gfan = series_tables.growth_fan(run, region, indicator)
            table(series_tables.fan_table(gfan, T("unit_pct"), lang), key="growth_fan_table")
        else:
            st.caption(T("period_growth_no_target"))
            gfan = series_tables.period_growth_fan(run, region, indicator)
            table(series_tables.fan_table(gfan, T("unit_pct"), lang, median_label=T("axis_period_growth")),
                  key="growth_fan_table")
    c3, c4 = st.columns(2)
    with c3:
        st.markdown(f"**{T('weights_header')}**")
        if fc is not None:
            table(series_tables.weights_table(fc, lang), key="weights_table")
            if getattr(fc, "flags", ()):
                st.caption(f"{T('flags')}: {('、' if lang == 'zh' else ', ').join(messages.flag_text(f, lang) for f in fc.flags)}")
    with c4:
        st.markdown(f"**{T('accuracy_header')}**")
        acc = series_tables.accuracy_table(series_tables.accuracy_frame(run, region, indicator), lang)
        table(acc, key="accuracy_table", digits={T("acc_coverage80"): 0, T("acc_mase"): 2, T("acc_rel_mae"): 2})
    _series_changes(run, region, indicator, lang)
    with st.expander(T("data_flag_header")):
        table(series_tables.history_table(hist, lang), key="history_table")


def _export_pickers(run, lang: str) -> tuple[str, str]:
    keys = [k for k in run.forecasts if k[0] in REGIONS]
    regions = [r for r in REGIONS if any(k[0] == r for k in keys)]
    chosen = st.session_state.get("chosen_series") or (PROVINCE, "retail")
    if "export_region" not in st.session_state and chosen[0] in regions:
        st.session_state["export_region"] = chosen[0]
    c1, c2 = st.columns(2)
    region = c1.selectbox(T("pick_region"), regions, format_func=lambda r: i18n.region_name(r, lang),
                          placeholder=T("placeholder_choose"), key="export_region")
    inds = [i for i in INDICATORS if (region, i) in run.forecasts]
    if st.session_state.get("export_indicator") not in inds:
        st.session_state["export_indicator"] = chosen[1] if chosen[1] in inds else inds[0]
    indicator = c2.selectbox(T("pick_indicator"), inds, format_func=lambda i: i18n.indicator_name(i, lang),
                             placeholder=T("placeholder_choose"), key="export_indicator")
    st.session_state["chosen_series"] = (region, indicator)
    return region, indicator


def page_export(run, lang: str) -> None:
    key = pages.run_key(run)
    saved = pages.saved_scenario_specs()
    scen_key = hashlib.sha256(json.dumps(saved, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    changes = pages.changes(key, str(pages.db_path()), run)

    def live():  # every scenario saved now, not only the last batch's (made once per run and scenario set)
        return pages.live_run(f"{key}:{scen_key}", run)
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    widgets.download(T("export_pack"), "pack", f"pack:{key}:{lang}:{scen_key}",
                   lambda: storage.meeting_pack(live(), lang, changes), f"troika_{run.run_id}_{lang}.xlsx", XLSX)
    st.caption(T("export_pack_note"))
    # the draft monthly brief (月度分析简报, .docx), from the same run, language and scenarios as the pack
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    widgets.download(T("export_brief"), "brief", f"brief:{key}:{lang}:{scen_key}",
                   lambda: brief.brief_docx(live(), lang=lang, changes=changes),
                   f"troika_brief_{run.run_id}_{lang}.docx", DOCX)
    names = "、".join(saved) if lang == "zh" else ", ".join(saved)
    st.caption(T("export_contents", run_id=run.run_id, vintage=i18n.fmt_period(run.data_vintage, lang),
                 scenarios=names or T("export_no_scenarios")))
    errors = live().scenario_errors if saved else {}
    if errors:
        st.caption(T("export_scenario_errors", names=("；" if lang == "zh" else ", ").join(
            f"{n} ({messages.note_text(e, lang)})" for n, e in errors.items())))
    st.subheader(T("export_charts"))
    frame = pages.overview(key, run)
    for ind in CARRIAGES:
        prob = overview_tables.probability_frame(frame, ind, lang)
        if len(prob):
            title = T("overview_chart_title", year=overview_tables.run_year(run), indicator=i18n.indicator_name(ind, lang, short=True))
            widgets.download(f"{T('export_overview_chart')}: {i18n.indicator_name(ind, lang, short=True)}", f"png_prob_{ind}",
                           f"png_prob:{key}:{lang}:{ind}",
                           widgets.png_of(lambda prob=prob, title=title: plots.probability_chart(prob, lang=lang, title=title)),
                           f"probability_{ind}.png", "image/png")
    st.markdown(f"**{T('export_series')}**")
    region, indicator = _export_pickers(run, lang)
    d = series_tables.series_charts_data(run, region, indicator, lang)
    for n, (name, title) in enumerate((("fan_values", d.values_title), ("fan_growth", d.growth_title))):
        widgets.download(f"{title} (PNG)", f"png_{name}", f"png:{key}:{lang}:{name}:{region}:{indicator}",
                       widgets.png_of(lambda n=n: series_tables.series_figures(run, region, indicator, lang)[n]),
                       f"{name}_{region}_{indicator}.png", "image/png")
    spec = st.session_state.get("scn_last_spec")
    if spec:
        def scenario_png():
            eff = pages.effect(key, spec, run)
            return plots.scenario_chart(eff.assign(label=scenario_tables.chart_labels(eff, lang)),
                                        title=T("scn_chart_title"), lang=lang)
        widgets.download(f"{T('scn_chart_title')} (PNG)", "export_png_scenario",
                       f"png_scn:{key}:{lang}:{json.dumps(spec, sort_keys=True, ensure_ascii=False)}",
                       widgets.png_of(scenario_png), "scenario.png", "image/png")


# ---------------------------------------------------------------- frame
def main() -> None:
    st.set_page_config(page_title="troika 三驾马车", layout="wide")
    with st.sidebar:
        lang = st.radio(i18n.t("language"), i18n.LANGS, format_func=i18n.LANG_NAMES.get, key="lang", horizontal=True)
    st.title(T("app_title"))
    st.caption(T("app_caption"))
    st.html(widgets.SCROLLBAR_CSS)
    actor = pages.acting_user(lang)
    if actor is None:  # login configured and nobody logged in (or login required and not configured)
        return
    if st.session_state.get("nav_series"):  # a click on the overview opens the series (before the radio exists)
        st.session_state["page"] = "series"
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
            scenarios_page.page_scenarios(run, lang, actor, db)
        elif page == "projects":
            projects_page.page_projects(run, lang)
        elif page == "targets":
            targets_page.page_targets(run, lang, actor, db, T, table)
        elif page == "export":
            page_export(run, lang)
    except (DataError, StoreError) as e:
        st.error(str(e) if lang == "en" else messages.error_text(e, lang))
    except Exception as e:  # noqa: BLE001 - the analyst sees a sentence, the log keeps the traceback
        log.exception("page %s failed", page)
        st.error(T("unexpected", error=f"{type(e).__name__}: {e}"))


main()
