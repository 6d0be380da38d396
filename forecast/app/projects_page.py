"""The Projects page (项目): a major-project list tracked against its plan, and the fai scenario it implies.

The list is the bundled example (illustrative, generated, not official) or an uploaded file, read and
validated by :func:`forecast.data.project_list.load_project_list` (every problem with row and column, shown in
the page's language). The page shows the per-city summary, the tracking table of
:func:`forecast.decisions.project_tracking.track_projects` (the pack's 项目跟踪 sheet, same frame) and the effect
of the list's scenario (incremental projects, slippage) on the run's stored paths, with no refit
(:func:`forecast.app.scenario_tables.scenario_effect`). Saving the scenario is ``forecast projects scenario``.

Not yet wired into ``app.py``: the page function is :func:`page_projects`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from forecast.app import pages
from forecast.app.scenario_tables import scenario_effect, scenario_table
from forecast.data.bounded import read_files_bounded
from forecast.data.catalog import REGIONS
from forecast.data.errors import DataError
from forecast.data.project_list import example_list_path, load_project_list, project_summary
from forecast.decisions.project_tracking import track_projects
from forecast.decisions.projects import project_scenario
from forecast.decisions.scenarios import scenario_from_dict, scenario_to_dict
from forecast.export.projects_sheet import projects_columns, projects_frame
from forecast.present import messages

LABELS = {
    "zh": {"header": "重大项目", "source": "项目清单", "example": "内置示例清单（随机生成，非官方数据）",
           "upload": "上传清单（CSV 或 Excel）", "file": "项目清单文件", "bad": "项目清单有 {n} 个问题，未读取任何项目：",
           "summary": "各市项目汇总", "tracking": "计划执行跟踪", "scenario": "项目清单情景（固定资产投资）",
           "incremental": "计入新增项目（未计入基准）", "slip": "新开工项目推迟（月）", "share": "推迟的新开工项目占比",
           "no_change": "此设置下没有变化。", "no_run": "尚无完整的预测运行。",
           "missing": "本次运行没有以下城市的固定资产投资预测，其项目未计入情景：{cities}",
           "sum_cols": ["地区", "项目数(个)", "新开工(个)", "总投资(亿元)", "年度计划投资(亿元)", "其中新增项目(亿元)"]},
    "en": {"header": "Major projects", "source": "Project list", "example": "Bundled example (generated, not official)",
           "upload": "Upload a list (CSV or Excel)", "file": "Project list file",
           "bad": "The project list has {n} problem(s); no project was read:",
           "summary": "Projects by city", "tracking": "Tracking against plan", "scenario": "Project-list scenario (FAI)",
           "incremental": "Add incremental projects (not in the baseline)", "slip": "New starts slip (months)",
           "share": "Share of new starts that slip", "no_change": "No change with these settings.",
           "no_run": "No complete forecast run yet.",
           "missing": "This run has no FAI forecast for these cities; their projects are left out: {cities}",
           "sum_cols": ["Region", "Projects", "New starts", "Total (100 mn yuan)", "Planned this year (100 mn yuan)",
                        "Of which incremental (100 mn yuan)"]},
}


def summary_frame(projects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`forecast.data.project_list.project_summary` with headers (units) and region names in ``lang``."""
    s = project_summary(projects)
    cols = LABELS[lang]["sum_cols"]
    return pd.DataFrame({cols[0]: [REGIONS[r].name(lang) for r in s["region"]], cols[1]: s["projects"],
                         cols[2]: s["new"], cols[3]: s["total"].round(2), cols[4]: s["planned"].round(2),
                         cols[5]: s["incremental_planned"].round(2)})


# cached per run and list (a page switch does not phase the projects or evaluate the scenario again)
@st.cache_data(show_spinner=False, max_entries=2)
def _example_list() -> pd.DataFrame:
    return load_project_list(example_list_path())


@st.cache_data(show_spinner=False, max_entries=8)
def _tracking(run_key: str, projects: pd.DataFrame, lang: str, _run: Any) -> pd.DataFrame:
    return projects_frame(track_projects(projects, _run.panel, targets=_run.target_table), lang)


@st.cache_data(show_spinner=False, max_entries=32)
def _scenario(run_key: str, projects: pd.DataFrame, slip: int, share: float, incremental: bool, _run: Any) -> Any:
    return project_scenario(projects, _run.panel, "project_list", slip=slip, share=share, incremental=incremental,
                            name_zh="项目清单情景")


@st.cache_data(show_spinner=False, max_entries=32)
def _effect(run_key: str, spec: dict, _run: Any) -> pd.DataFrame:
    """The list's scenario on the run's stored paths, with the run's shared scenario context."""
    return scenario_effect(_run, scenario_from_dict(spec), pages.scenario_context(run_key, _run))


def _where(problem: Any, lang: str) -> str:
    """Where a problem is, before its message: ``file, row 3, column '计划开工': `` / ``file，第3行，“计划开工”列：``."""
    if lang == "en":
        return str(problem)[: -len(problem.message)] if str(problem).endswith(problem.message) else ""
    where = [problem.file] + ([f"第{problem.row}行"] if problem.row is not None else []) + \
        ([f"“{problem.column}”列"] if problem.column else [])
    return "，".join(where) + "："


def _read_upload(upload: Any) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        # parsed in a child process with memory and time limits, like every upload of the app
        [projects] = read_files_bounded([path], kind="projects")
        return projects


def page_projects(run: Any, lang: str) -> None:
    """Render the page for ``run`` (the latest complete run, or None) in ``lang``."""
    lab = LABELS[lang]
    st.subheader(lab["header"])
    choice = st.radio(lab["source"], [lab["example"], lab["upload"]], key="pj_source", horizontal=True)
    try:
        if choice == lab["upload"]:
            upload = st.file_uploader(lab["file"], type=["csv", "xlsx", "xls"], key="pj_file")
            if upload is None:
                return
            projects = _read_upload(upload)
        else:
            projects = _example_list()
    except DataError as e:
        st.error(lab["bad"].format(n=len(e.problems) or 1) + "\n\n" +
                 "\n".join(f"- {_where(p, lang)}{messages.problem_text(p, lang)}" for p in e.problems[:40])
                 if e.problems else messages.error_text(e, lang))
        return
    st.markdown(f"**{lab['summary']}**")
    st.dataframe(summary_frame(projects, lang), hide_index=True, key="pj_summary")
    if run is None:
        st.info(lab["no_run"])
        return
    st.markdown(f"**{lab['tracking']}**")
    key = pages.run_key(run)
    frame = _tracking(key, projects, lang, run)
    st.dataframe(frame.rename(columns={c: h for h, c, _ in projects_columns(lang)}), hide_index=True,
                 key="pj_tracking")
    st.markdown(f"**{lab['scenario']}**")
    incremental = st.checkbox(lab["incremental"], value=True, key="pj_incremental")
    slip = int(st.number_input(lab["slip"], min_value=0, max_value=24, value=0, step=1, key="pj_slip"))
    share = float(st.slider(lab["share"], 0.0, 1.0, 1.0, 0.05, key="pj_share"))
    forecast_cities = {r for r, i in run.forecasts if i == "fai"}
    missing = sorted(set(projects["region"]) - forecast_cities, key=list(REGIONS).index)
    scenario = _scenario(key, projects[projects["region"].isin(forecast_cities)], slip, share, incremental, run)
    st.caption(scenario.description_zh if lang == "zh" else scenario.description)
    if missing:
        st.caption(lab["missing"].format(cities=("、" if lang == "zh" else ", ").join(
            REGIONS[r].name(lang) for r in missing)))
    if not scenario.adjustments:
        st.info(lab["no_change"])
        return
    try:
        effect = _effect(key, scenario_to_dict(scenario), run)
    except DataError as e:
        st.error(messages.error_text(e, lang))
        return
    st.dataframe(scenario_table(effect, lang), hide_index=True, key="pj_effect")
