"""The Streamlit pieces that ``app.py`` wires together (``streamlit run app.py``).

- the cached loaders: the latest complete run and the observations, read from the store (nothing fits a
  model on a page load), the overview frame and the scenario recompute on the run's stored sample paths;
- the language lookup and the widgets every page uses come from :mod:`forecast.app.widgets`;
- who is acting (:func:`acting_user`): local mode, or ``st.login`` and the role file
  (:mod:`forecast.app.access`);
- the Data page (:func:`page_data`: upload and validate, ingest, batch run, run history); the Scenarios page
  is :mod:`forecast.app.scenarios_page`. A control that writes is shown only to a role that may use it; the
  function behind it checks again.

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
    overview_tables,
    saved_scenarios,
    scenario_tables,
    series_tables,
    storage,
    uploads,
)
from forecast.app.access import AccessDenied, Actor, can
from forecast.app.widgets import T, table
from forecast.data.errors import DataError
from forecast.decisions.scenarios import scenario_from_dict, scenario_to_dict
from forecast.present import charts, i18n
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
