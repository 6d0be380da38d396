"""The Streamlit pieces that ``app.py`` wires together (``streamlit run app.py``).

- the cached loaders: the latest complete run and the observations, read from the store (nothing fits a
  model on a page load), the overview frame and the scenario recompute on the run's stored sample paths;
- the language lookup and the widgets every page uses come from :mod:`forecast.app.widgets`;
- who is acting (:func:`acting_user`): local mode, or ``st.login`` and the role file
  (:mod:`forecast.app.access`);
- the two pages with the most machinery: Scenarios (:func:`page_scenarios`: builder, saved scenarios,
  province target split) and Data (:func:`page_data`: upload and validate, ingest, batch run, run history).
  A control that writes is shown only to a role that may use it; the function behind it checks again.

The tables come from :mod:`forecast.app.overview_tables`, :mod:`forecast.app.scenario_tables` and :mod:`forecast.app.storage`,
the figures from :mod:`forecast.present.plots`; this module only renders them. The batch button runs
``forecast run`` with the extra arguments in ``$TROIKA_RUN_ARGS`` (e.g. ``--workers 4``), if any.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitMissingAuthlibError

from forecast.app import (
    access,
    formats,
    overview_tables,
    saved_scenarios,
    scenario_tables,
    series_tables,
    storage,
    uploads,
)
from forecast.app.access import AccessDenied, Actor, can
from forecast.app.campaign_widget import campaign_builder
from forecast.app.widgets import T, show_chart, table
from forecast.data.catalog import INDICATORS, PROVINCE, REGIONS
from forecast.data.errors import DataError
from forecast.decisions.scenarios import scenario_from_dict, scenario_to_dict
from forecast.present import charts, i18n, messages, plots
from forecast.runs import results
from forecast.runs.store import Store, default_path


# ---------------------------------------------------------------- cached loaders (no model is ever fitted here)
def db_path() -> Path:
    """The store: ``$TROIKA_DB`` (default ``data/troika.db``)."""
    return default_path()


def db_stamp(path: Path) -> tuple:
    """Changes whenever the store is written (WAL: the -wal file changes first)."""
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (path, Path(f"{path}-wal")))


@st.cache_data(show_spinner=False, max_entries=2)
def load_run(db: str, stamp: tuple) -> Any:
    """The latest complete run in the store, or None (no store or no run)."""
    if not Path(db).exists():
        return None
    return results.load_latest_run(Store(db, create=False))


@st.cache_data(show_spinner=False, max_entries=4)
def load_observations(db: str, stamp: tuple) -> pd.DataFrame:
    """Every vintage of every observation in the store (an empty frame when there is no store)."""
    if not Path(db).exists():
        return pd.DataFrame(columns=["region", "indicator", "period", "vintage", "status"])
    return Store(db, create=False).observations(latest_vintage=False)


def run_key(run: Any) -> str:
    """A run's cache key: its id and a digest of the targets in force (a target change needs no new run, but
    every cached table of the run must be made again)."""
    table = getattr(run, "target_table", None)
    digest = hashlib.sha256(table.to_csv(index=False).encode()).hexdigest()[:16] if table is not None else ""
    return f"{run.run_id}:{digest}"


@st.cache_data(show_spinner=False, max_entries=4)
def changes(key: str, db: str, _run: Any) -> pd.DataFrame | None:
    """What changed since the previous complete run (:func:`forecast.runs.results.changes_since_previous`)."""
    return results.changes_since_previous(_run, db)


@st.cache_data(show_spinner=False, max_entries=4)
def overview(run_id: str, _run: Any) -> pd.DataFrame:
    """:func:`forecast.app.overview_tables.overview_frame` of the run, once per run and targets
    (``run_id`` is :func:`run_key`)."""
    return overview_tables.overview_frame(_run)


@st.cache_resource(show_spinner=False, max_entries=2)
def scenario_context(run_id: str, _run: Any) -> scenario_tables.ScenarioContext:
    """The run's scenario positions (:func:`forecast.app.scenario_tables.scenario_context`), once per run.

    One shared object, not a copy per rerun: scenarios read it and add to its cache of bases only.
    """
    return scenario_tables.scenario_context(_run)


@st.cache_data(show_spinner=False, max_entries=64)
def effect(run_id: str, spec: dict, _run: Any) -> pd.DataFrame:
    """The effect of the scenario ``spec`` (a scenario as a dict) on the run's stored sample paths."""
    return scenario_tables.scenario_effect(_run, scenario_from_dict(spec), scenario_context(run_id, _run))


@st.cache_data(show_spinner=False, max_entries=64)
def series_charts(run_id: str, region: str, indicator: str, lang: str, mode: str, _run: Any) -> tuple[dict, dict]:
    """The Vega-Lite specs of a series' two charts (:func:`forecast.app.series_tables.series_charts`), once per
    run, series, language and growth mode: switching back to a page redraws without rebuilding them."""
    values, growth = series_tables.series_charts(_run, region, indicator, lang, mode)
    return values.to_dict(), growth.to_dict()


@st.cache_data(show_spinner=False, max_entries=16)
def gap_table(run_id: str, indicator: str, lang: str, _run: Any) -> pd.DataFrame | None:
    """:func:`forecast.app.overview_tables.gap_table`, once per run, indicator and language; None when there is
    nothing to split (no province target this year, or growth only: its ``DataError``)."""
    try:
        return overview_tables.gap_table(_run, indicator, lang)
    except DataError:
        return None


@st.cache_data(show_spinner=False, max_entries=16)
def probability_spec(run_id: str, indicator: str, lang: str, title: str, _frame: pd.DataFrame) -> dict | None:
    """The Vega-Lite spec of one carriage's probability chart (:func:`forecast.present.charts.probability_chart`
    of :func:`forecast.app.overview_tables.probability_frame`), once per run, carriage and language; None
    when no region has a target for it."""
    prob = overview_tables.probability_frame(_frame, indicator, lang)
    return charts.probability_chart(prob, title=title, lang=lang).to_dict() if len(prob) else None


def saved_scenario_specs() -> dict[str, dict]:
    """The scenarios saved now (:func:`forecast.app.saved_scenarios.saved_scenarios`) as dicts, by name."""
    saved, _ = saved_scenarios.saved_scenarios(saved_scenarios.scenarios_folder())
    return {n: scenario_to_dict(s) for n, s in saved.items()}


@st.cache_resource(show_spinner=False, max_entries=4)
def live_run(key: str, _run: Any) -> Any:
    """The run with every scenario saved now (:func:`forecast.app.saved_scenarios.with_saved_scenarios_now`),
    once per run and set of saved scenarios (``key``); shared, read only."""
    return saved_scenarios.with_saved_scenarios_now(_run)


# ---------------------------------------------------------------- language and the widgets every page uses
# ---------------------------------------------------------------- who is acting
def login_configured() -> bool:
    """True when the secrets (``.streamlit/secrets.toml``) have an ``[auth]`` section: ``st.login`` is set up."""
    return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)


def acting_user(lang: str) -> Actor | None:
    """The person using the app, or None when nobody may see the pages (the caller stops there).

    - No login configured: local mode, everyone on the machine is admin (said in a caption), unless
      ``$TROIKA_REQUIRE_LOGIN`` demands login: then an error and None.
    - Login configured, nobody logged in: only the login button; None.
    - Logged in: the role from the role file (a viewer when missing from it; everyone a viewer while the
      file is invalid), shown in the sidebar with the logout button.
    """
    if not login_configured():
        if access.login_required():
            st.error(T("login_required_missing"))
            return None
        st.caption(T("local_mode"))
        return access.local_actor()
    user = dict(st.user.to_dict())
    if not user.get("is_logged_in"):
        st.info(T("login_prompt"))
        if st.button(T("login_button"), key="login_btn", type="primary"):
            try:
                st.login()
            except StreamlitMissingAuthlibError:
                st.error(T("login_unavailable"))
            except StreamlitAuthError as e:  # an incomplete [auth] section: the message names the missing key
                st.error(T("login_failed", error=e))
        return None
    try:
        role = access.role_of(user)
    except access.RoleFileError as e:
        st.error(T("role_file_error", error=e))
        role = access.Role.VIEWER
    who = access.user_email(user) or f"sub:{user.get('sub', '?')}"
    with st.sidebar:
        st.caption(T("signed_in", who=who, role=role.label(lang)))
        if st.button(T("logout_button"), key="logout_btn"):
            st.logout()
    return Actor(who, role)


# ---------------------------------------------------------------- Scenarios page
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


# ---------------------------------------------------------------- Data page
def uploader_css(button: str, limits: str) -> str:
    """A style sheet that replaces the words of Streamlit's upload widget (its button, its limits line).

    Examples
    --------
    >>> print(uploader_css("选择文件", "最大20MB").splitlines()[2])
    [data-testid="stFileUploaderDropzone"] button p::after { content: "选择文件"; font-size: 0.875rem; }
    """
    button_p = '[data-testid="stFileUploaderDropzone"] button p'
    limits_span = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    return "\n".join([
        "<style>",
        f"{button_p} {{ font-size: 0; }}",
        f"{button_p}::after {{ content: {json.dumps(button, ensure_ascii=False)}; font-size: 0.875rem; }}",
        f"{limits_span} {{ font-size: 0; }}",
        f"{limits_span}::after {{ content: {json.dumps(limits, ensure_ascii=False)}; font-size: 0.875rem; }}",
        "</style>",
    ])


def page_data(lang: str, db: Path, actor: Actor) -> None:
    """Upload and validate a file, ingest it on confirmation, show the store, start and follow a batch run.

    Viewers see the store, the ingests and the runs only; analysts upload and ingest; admins also start
    runs and read the audit trail.
    """
    if can(actor.role, "upload"):
        _upload(lang, db, actor)
    else:
        st.caption(T("viewer_note"))
    st.subheader(T("data_store"))
    obs = load_observations(str(db), db_stamp(db))
    if not len(obs):
        st.info(T("data_store_empty"))
    else:
        table(storage.store_contents_table(storage.store_contents(obs), lang), key="store_table")

        with st.expander(T("data_ingests")):
            table(storage.ingest_table(Store(db, create=False).ingest_log(), lang), key="ingest_log")
    _batch(db, lang, actor)
    if can(actor.role, "audit_read"):
        with st.expander(T("audit_header")):
            audit = storage.audit_table(db, lang, actor=actor)
            if len(audit):
                table(audit, key="audit_table")
            else:
                st.caption(T("audit_none"))


def _upload(lang: str, db: Path, actor: Actor) -> None:
    if lang != "en":  # Streamlit writes the upload widget's own words in English only
        st.html(uploader_css(T("upload_button"), T("upload_limits")))
    up = st.file_uploader(T("data_upload"), type=["csv", "xlsx", "xls"], key="upload")
    days = uploads.retention_days()
    st.caption(T("uploads_kept", path=uploads.uploads_folder(), days=days))
    if up is not None:
        # one private folder per uploaded file (not per rerun), the file named as the analyst named it
        path = uploads.save_upload(up.getvalue(), up.name, str(up.file_id), actor=actor, db=db, keep_days=days)
        report = storage.validate_upload(path, up.name, lang)
        if report.ok:
            obs = report.observations
            st.success(T("data_report_ok", rows=len(obs), series=obs.groupby(["region", "indicator"]).ngroups,
                         first=obs["period"].min(), last=obs["period"].max()))
            if can(actor.role, "ingest") and st.button(T("data_ingest"), key="ingest_btn"):
                _ingest(path, up.name, db, actor)
        else:
            st.error(T("data_report_bad", n=len(report.problems)))
            table(report.problems.rename(columns={"file": T("col_file"), "row": T("col_row"), "column": T("col_column"),
                                                  "message": T("col_message")}), key="upload_report")


def _ingest(path: Path, name: str, db: Path, actor: Actor) -> None:
    try:
        rep = storage.ingest_upload(path, actor=actor, db=db, name=name)
    except AccessDenied as e:
        st.error(e.text(st.session_state.get("lang", i18n.DEFAULT_LANG)))
        return
    except DataError as e:
        st.error(T("data_report_bad", n=len(e.problems)))
        table(storage.problems_table(e.problems, st.session_state.get("lang", i18n.DEFAULT_LANG), {str(path): name}),
              key="ingest_report")
        return
    if rep.changed:
        st.success(T("data_ingested", added=rep.rows_added, filled=rep.rows_filled))
    else:
        st.info(T("data_ingest_same"))


def _batch(db: Path, lang: str, actor: Actor) -> None:
    st.subheader(T("data_run"))
    job = st.session_state.get("batch_job")
    running = job is not None and job.proc.poll() is None
    if can(actor.role, "run_start") and st.button(T("data_run_start"), key="run_btn", disabled=running):
        try:
            job = storage.start_run(db, actor=actor, args=shlex.split(os.environ.get("TROIKA_RUN_ARGS", "")))
        except AccessDenied as e:
            st.error(e.text(lang))
        else:
            st.session_state["batch_job"] = job
            st.success(T("data_run_started", pid=job.proc.pid, log=job.log))
    if job is not None:
        rc = storage.finish_run(job, db)
        text = job.log.read_text(encoding="utf-8", errors="replace") if job.log.exists() else ""
        done, total = storage.run_progress(text)
        if total:
            st.progress(done / total, text=f"{done}/{total}")
        st.write(T("data_run_running") if rc is None else T("data_run_done", rc=rc))
        st.code("\n".join(text.splitlines()[-12:]) or "…")
        st.button(T("data_run_refresh"), key="run_refresh")
    st.markdown(f"**{T('data_runs')}**")
    runs = storage.run_history(db)
    if runs is None or not len(runs):
        st.caption(T("data_runs_none"))
    else:
        table(storage.runs_table(runs, lang), key="runs_table")
