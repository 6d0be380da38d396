"""The Scenarios page: build a scenario and see its effect, save and compare scenarios (analysts save, admins
delete, each write audited), and split a province target among the cities (the inversion).

The cached work (effects, the scenario context, the run with every scenario saved now) is in
:mod:`forecast.app.pages`; the tables in :mod:`forecast.app.scenario_tables`; this module only renders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st

from forecast.app import formats, saved_scenarios, scenario_tables, storage
from forecast.app.access import AccessDenied, Actor, can
from forecast.app.campaign_widget import campaign_builder
from forecast.app.pages import effect, run_key, scenario_context
from forecast.app.widgets import T, show_chart, table
from forecast.data.catalog import INDICATORS, PROVINCE, REGIONS
from forecast.data.errors import DataError
from forecast.decisions.scenarios import scenario_from_dict, scenario_to_dict
from forecast.present import charts, i18n, messages, plots


def _current_adjustment(run: Any, lang: str) -> dict | None:
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(T("scn_kind"), ("pp", "pct", "abs", "set"), format_func=lambda k: i18n.t(f"kind_{k}", lang),
                        placeholder=T("placeholder_choose"), key="scn_kind")
    inds = [i for i in INDICATORS if scenario_tables.scenario_months(run, i)]
    indicator = c2.selectbox(T("scn_indicator"), inds, index=inds.index("retail") if "retail" in inds else 0,
                             format_func=lambda i: i18n.indicator_name(i, lang),
                             placeholder=T("placeholder_choose"), key="scn_indicator")
    regions_all = [r for r in REGIONS if (r, indicator) in run.forecasts]
    default = [r for r in regions_all if r != PROVINCE][:1] or regions_all[:1]
    regions = c3.multiselect(T("scn_regions"), regions_all, default=default, format_func=lambda r: i18n.region_name(r, lang),
                             key="scn_regions", placeholder=T("placeholder_choose"))
    months = scenario_tables.scenario_months(run, indicator)
    c4, c5, c6 = st.columns(3)
    year_end = [p for p in months if p.year == months[0].year]
    start = c4.selectbox(T("scn_from"), months, format_func=lambda p: i18n.fmt_month(p, lang),
                         placeholder=T("placeholder_choose"), key="scn_from")
    end = c5.selectbox(T("scn_to"), months, index=months.index(year_end[-1]) if year_end else len(months) - 1,
                       format_func=lambda p: i18n.fmt_month(p, lang),
                       placeholder=T("placeholder_choose"), key="scn_to")
    size = c6.number_input(f"{T('scn_size')} ({T(f'kind_{kind}')})", value=1.0, step=0.5, key="scn_size")
    if not regions or not size and kind != "set":
        return None
    lo, hi = min(start, end), max(start, end)
    return {"kind": kind, "indicator": indicator, "regions": list(regions), "months": f"{lo}..{hi}", "value": float(size)}


def page_scenarios(run: Any, lang: str, actor: Actor, db: Path) -> None:
    """Build a scenario, see its effect, save (analysts) and compare scenarios, split the province target."""
    st.subheader(T("scn_build"))
    draft = st.session_state.setdefault("scn_draft", [])
    current = _current_adjustment(run, lang)
    b1, b2 = st.columns(2)
    if b1.button(T("scn_add"), key="scn_add_btn", disabled=current is None):
        draft.append(current)
    if b2.button(T("scn_clear"), key="scn_clear_btn"):
        draft.clear()
    campaign_builder(run, lang, T, draft)
    if draft:
        st.markdown(f"**{T('scn_list')}**")
        table(scenario_tables.adjustments_table(draft, lang), key="scn_draft_table")
    adjustments = draft + ([current] if current is not None and current not in draft else [])
    may_save = can(actor.role, "scenario_save")
    name = st.text_input(T("scn_name"), key="scn_name").strip() if may_save else ""
    spec = {"name": name or "draft", "adjustments": adjustments}
    st.markdown(f"**{T('scn_result')}**")
    if not adjustments:
        st.info(T("scn_empty"))
    else:
        try:
            eff = effect(run_key(run), spec, run)
        except DataError as e:
            st.error(f"{T('scn_invalid')}: {messages.error_text(e, lang)}")
            if e.problems:
                table(storage.problems_table(e.problems, lang), key="scn_problems")
        else:
            mine = eff[(eff["region"] == adjustments[-1]["regions"][0]) & (eff["indicator"] == adjustments[-1]["indicator"])]
            first = (mine if len(mine) else eff).iloc[0]
            st.metric(T("scn_metric", region=i18n.region_name(first["region"], lang),
                        indicator=i18n.indicator_name(first["indicator"], lang, short=True)),
                      # as many decimals as the change needs to show (a change of 0.04 is no "+0.0")
                      i18n.fmt_pct(first["scenario"], lang, digits=formats.pair_digits([first["baseline"]], [first["scenario"]])),
                      i18n.fmt_pp(first["delta_pp"], lang, digits=formats.change_digits([first["delta_pp"]])))
            shown = scenario_tables.scenario_table(eff, lang)
            table(shown, key="scn_result_table", digits=scenario_tables.effect_digits(shown, lang),
                  pinned=(T("col_region"), T("col_indicator")))
            labelled = eff.assign(label=scenario_tables.chart_labels(eff, lang))
            # the export page offers this chart's PNG too: it keeps the spec, not the picture
            st.session_state["scn_last_spec"] = spec
            show_chart(charts.scenario_chart(labelled, title=T("scn_chart_title"), lang=lang), "scenario",
                       png=lambda: plots.scenario_chart(labelled, title=T("scn_chart_title"), lang=lang),
                       cache_key=f"scenario:{run_key(run)}:{json.dumps(spec, sort_keys=True, ensure_ascii=False)}")
    folder = saved_scenarios.scenarios_folder()
    if not may_save:
        st.caption(T("viewer_note"))
    elif st.button(T("scn_save"), key="scn_save_btn", disabled=not adjustments):
        if not name:
            st.warning(T("scn_need_name"))
        else:
            try:
                saved_scenarios.save_named_scenario(scenario_from_dict(spec), folder, actor=actor, db=db)
                st.success(T("scn_saved", name=name))
            except AccessDenied as e:
                st.error(e.text(lang))
            except saved_scenarios.ScenarioFileTaken as e:
                st.error(T("scn_file_taken", file=e.path.name, other=e.other))
            except DataError as e:
                st.error(f"{T('scn_invalid')}: {messages.error_text(e, lang)}")
    _saved_scenarios(run, lang, folder, actor, db)
    _inversion(run, lang)


def _saved_scenarios(run: Any, lang: str, folder: Path, actor: Actor, db: Path) -> None:
    st.subheader(T("scn_saved_list"))
    st.caption(T("scn_storage_files", path=folder))
    saved, problems = saved_scenarios.saved_scenarios(folder)
    if problems:
        table(storage.problems_table(problems, lang), key="scn_file_problems")
    if not saved:
        st.info(T("scn_none_saved"))
        return
    picked = st.multiselect(T("scn_pick"), list(saved), key="scn_pick", placeholder=T("placeholder_choose"))
    if picked:
        try:
            # each scenario's effect on the stored paths, cached per scenario: comparing three is three lookups
            effects = {n: effect(run_key(run), scenario_to_dict(saved[n]), run) for n in picked}
            wide = scenario_tables.compare_wide(
                scenario_tables.compare_effects(effects, scenario_context(run_key(run), run)), lang)
            table(wide, key="scn_compare_table", digits=scenario_tables.compare_digits(wide, lang),
                  pinned=(T("col_region"), T("col_indicator")), rows=len(wide))
            st.caption(T("scn_compare_digits"))
        except DataError as e:
            st.error(f"{T('scn_invalid')}: {messages.error_text(e, lang)}")
    if not can(actor.role, "scenario_delete"):
        return
    done = st.session_state.pop("scn_delete_done", None)
    if done:
        st.success(T("scn_deleted", name=done))
    c1, c2, c3 = st.columns(3)
    victim = c1.selectbox(T("scn_delete_pick"), list(saved),
                          placeholder=T("placeholder_choose"), key="scn_delete_pick")
    sure = c2.checkbox(T("scn_confirm"), key="scn_confirm", help=T("scn_delete_help"))
    c3.button(T("scn_delete"), key="scn_delete_btn", disabled=not sure, on_click=_delete_scenario,
              args=(victim, folder, actor, db, lang))
    problem = st.session_state.pop("scn_delete_error", None)
    if problem:
        st.error(problem)


def _delete_scenario(victim: str, folder: Path, actor: Actor, db: Path, lang: str) -> None:
    """The delete button's callback (it runs before the page): delete, remember the message for the page, and
    untick 确认删除 so that the next deletion needs its own confirmation."""
    st.session_state["scn_confirm"] = False
    try:
        if saved_scenarios.delete_named_scenario(victim, folder, actor=actor, db=db):
            st.session_state["scn_delete_done"] = victim
    except AccessDenied as e:
        st.session_state["scn_delete_error"] = e.text(lang)


def _inversion(run: Any, lang: str) -> None:
    st.subheader(T("inv_header"))
    st.caption(T("inv_help"))
    inds = [i for i in INDICATORS if (PROVINCE, i) in run.forecasts and i != "fai"]
    if not inds:
        return
    c1, c2, c3 = st.columns(3)
    ind = c1.selectbox(T("pick_indicator"), inds, format_func=lambda i: i18n.indicator_name(i, lang),
                       placeholder=T("placeholder_choose"), key="inv_indicator")
    # the run year's province target (never another year's); without one, the province's projection
    default, has_target = scenario_tables.province_target_default(run, ind)
    target = c2.number_input(T("inv_target"), value=default, step=0.5, key=f"inv_target_{ind}",
                             help=None if has_target else T("inv_no_target"))
    rule = c3.selectbox(T("inv_rule"), ("equal_pp", "proportional_gap"), format_func=lambda r: i18n.t(f"rule_{r}", lang),
                        placeholder=T("placeholder_choose"), key="inv_rule")
    try:
        inv = scenario_tables.inversion_table(scenario_tables.inversion_frame(run, ind, target, rule), lang)
        table(inv, key="inv_table", rows=len(inv))
    except DataError as e:
        st.warning(f"{T('inv_refused')}: {messages.error_text(e, lang)}")
