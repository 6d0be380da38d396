"""The draft monthly brief (月度分析简报): a Word document (.docx) in Chinese or English, from one run.

What the monthly meeting reads first, in six parts: the province's position in each carriage (YTD growth,
projected full-year growth with its 80% band, the target and its kind, the probability of meeting it, the
growth the remaining months need), the cities at risk, what changed since the previous run and why
(:func:`forecast.decisions.changes.run_changes`), what each saved scenario changes, a table of every
region × carriage, and the key charts (:mod:`forecast.present.plots`, set in the bundled CJK font).

Every sentence is built from the run's numbers (:func:`forecast.decisions.standing.every_series`, the
changes frame, the scenario tables) with the number formats of :mod:`forecast.present.i18n`: growth with
one decimal (two where one would hide a change), probabilities in whole percent, periods as 2026年1-6月 /
Jan–Jun 2026. A series without a published or analyst's target never gets a verdict: it says 未设目标 /
no target (a city shown against the province's target says so, for reference only).

:func:`brief_blocks` is the brief as plain data (headings, paragraphs, a table, figures), which the tests
read; :func:`brief_docx` renders it with python-docx; :func:`write_brief` writes it to a file atomically
(a temp file beside it, then renamed: a crash leaves no half-written brief).

Examples
--------
>>> data = brief_docx(run, lang="en")
>>> data[:2]                                     # a .docx file is a zip archive
b'PK'
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, PROVINCE
from forecast.data.errors import DataError
from forecast.data.panel import series_flows
from forecast.export.brief_text import (
    VERDICT_TARGETS,
    changes_blocks,
    city_sentence,
    main_table,
    position_sentence,
    run_year,
    scenario_blocks,
    scenario_name,
    standing,
)
from forecast.export.safe_cells import clean_text
from forecast.present import i18n, plots
from forecast.present.messages import note_text


def _check(lang: str) -> str:
    if lang not in i18n.LANGS:
        raise DataError(f"lang={lang!r} is not a language of the brief; use one of "
                        f"{', '.join(repr(x) for x in i18n.LANGS)}")
    return lang


def _charts(run: Any, rows: pd.DataFrame, names: list[str], lang: str) -> list[tuple]:
    out: list[tuple] = []
    judged = rows[rows["verdict"]]
    if len(judged):
        table = pd.DataFrame({"label": [f"{i18n.region_name(r, lang)} {i18n.indicator_name(i, lang, True)}"
                                        for r, i in zip(judged["region"], judged["indicator"], strict=True)],
                              "probability": judged["probability"].astype(float), "status": judged["status"]})
        out.append(("image", plots.figure_png(plots.probability_chart(table, lang=lang)),
                    i18n.t("brief_fig_probability", lang, n=len(out) + 1)))
    year = run_year(run)
    for ind in CARRIAGES:
        fc = run.forecasts.get((PROVINCE, ind))
        if fc is None:
            continue
        history = series_flows(run.panel, PROVINCE, ind)
        history = history[pd.PeriodIndex(history.index, freq="M").year >= year - 2]
        index = bool(run.panel.loc[(run.panel["region"] == PROVINCE) & (run.panel["indicator"] == ind),
                                   "is_index"].any()) if "is_index" in run.panel else False
        keep = pd.PeriodIndex(fc.periods, freq="M").year <= year          # the rest of this year
        if not keep.any():
            continue
        this_year = SimpleNamespace(periods=pd.PeriodIndex(fc.periods, freq="M")[keep],
                                    paths=np.asarray(fc.paths)[:, keep])
        fig = plots.plot_fan(this_year, history, ylabel=i18n.t("axis_index" if index else "axis_value", lang),
                             lang=lang)
        out.append(("image", plots.figure_png(fig), i18n.t("brief_fig_fan", lang, n=len(out) + 1,
                                                           indicator=i18n.indicator_name(ind, lang, True))))
    for name in names:
        table = run.scenarios[name]
        base = table[table["scenario"] == "baseline"].set_index(["region", "indicator"])
        sc = table[(table["scenario"] == name) & table["projected"].notna()]
        if not len(sc):
            continue
        key = pd.MultiIndex.from_arrays([sc["region"], sc["indicator"]])
        frame = pd.DataFrame({
            "label": [f"{i18n.region_name(r, lang)} {i18n.indicator_name(i, lang, True)}"
                      for r, i in zip(sc["region"], sc["indicator"], strict=True)],
            **{col: base[src].reindex(key).to_numpy(float)
               for col, src in (("baseline", "projected"), ("baseline_p10", "p10"), ("baseline_p90", "p90"))},
            "scenario": sc["projected"].to_numpy(float), "scenario_p10": sc["p10"].to_numpy(float),
            "scenario_p90": sc["p90"].to_numpy(float),
            "target": sc["target"].where(sc["target_status"].isin(VERDICT_TARGETS)).to_numpy(float)})
        spec = run.scenario_specs.get(name, {})
        out.append(("image", plots.figure_png(plots.scenario_chart(frame, lang=lang)),
                    i18n.t("brief_fig_scenario", lang, n=len(out) + 1, name=scenario_name(name, spec, lang))))
    return out


def brief_blocks(run: Any, lang: str = "zh", scenarios: Sequence[str] | None = None,
                 changes: pd.DataFrame | None = None, charts: bool = True) -> list[tuple]:
    """The brief as data: ``("title" | "h" | "p", text)``, ``("table", header, rows, caption)`` and
    ``("image", png_bytes, caption)``, in reading order (see :func:`brief_docx` for the parameters;
    ``charts=False`` leaves the figures out)."""
    _check(lang)
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    rows = standing(run)
    names = [n for n in (run.scenarios if scenarios is None else scenarios) if n in run.scenarios]
    blocks: list[tuple] = [
        ("title", t("brief_title")),
        ("p", t("brief_lead", period=i18n.fmt_period(run.data_vintage, lang), run=run.run_id,
                time=i18n.fmt_time(run.finished, lang))),
        ("h", t("brief_h_province"))]
    blocks += [("p", position_sentence(r, lang)) for r in rows[rows["region"] == PROVINCE].to_dict("records")]
    blocks.append(("h", t("brief_h_cities")))
    cities = rows[(rows["region"] != PROVINCE) & rows["verdict"]]
    risk = cities[cities["status"].isin(("at_risk", "off_track"))].sort_values("probability", kind="stable")
    blocks += [("p", city_sentence(r, lang)) for r in risk.to_dict("records")]
    if not len(risk):
        blocks.append(("p", t("brief_no_risk", n=len(cities)) if len(cities) else t("brief_no_city_target")))
    blocks.append(("h", t("brief_h_changes")))
    blocks += changes_blocks(changes, lang)
    blocks.append(("h", t("brief_h_scenarios")))
    for name in names:
        blocks += scenario_blocks(name, run.scenarios[name], run.scenario_specs.get(name, {}), lang)
    failed = {n: e for n, e in run.scenario_errors.items() if scenarios is None or n in scenarios}
    blocks += [("p", t("brief_scenario_failed", name=name, error=note_text(err, lang))) for name, err in failed.items()]
    if not names and not failed:
        blocks.append(("p", t("brief_no_scenarios")))
    blocks += [("h", t("brief_h_table")), main_table(rows, lang)]
    if charts:
        figures = _charts(run, rows, names, lang)
        if figures:
            blocks += [("h", t("brief_h_charts")), *figures]
    return blocks


def _font(run_or_style: Any, east_asia: str = "SimSun") -> None:
    """Set the East Asian font of a run or style (python-docx sets only the Latin one)."""
    from docx.oxml.ns import qn

    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def brief_docx(run: Any, lang: str = "zh", scenarios: Sequence[str] | None = None,
               changes: pd.DataFrame | None = None) -> bytes:
    """The draft monthly brief of a run as .docx bytes.

    Parameters
    ----------
    run : RunResult
        From :func:`forecast.runs.results.load_run` (with the scenarios saved now:
        :func:`forecast.runs.results.with_saved_scenarios`).
    lang : {"zh", "en"}
        Language of every text; the numbers are the same in both.
    scenarios : sequence of str, optional
        Names of the run's scenarios to include (default: all of them).
    changes : DataFrame, optional
        What changed since the previous run (:func:`forecast.runs.results.changes_since_previous`); None says
        there is nothing to compare with.

    Returns
    -------
    bytes

    Raises
    ------
    DataError
        For a ``lang`` other than ``"zh"`` or ``"en"``.
    """
    from docx import Document
    from docx.shared import Cm, Pt

    blocks = brief_blocks(run, lang, scenarios, changes)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    _font(normal)
    for style in ("Title", "Heading 1", "Caption"):
        _font(doc.styles[style], "SimHei")
    for block in blocks:
        kind = block[0]
        if kind == "title":
            doc.add_heading(clean_text(block[1]), level=0)
        elif kind == "h":
            doc.add_heading(clean_text(block[1]), level=1)
        elif kind == "p":
            doc.add_paragraph(clean_text(block[1]))
        elif kind == "table":
            _, head, body, caption = block
            doc.add_paragraph(clean_text(caption), style="Caption")
            table = doc.add_table(rows=1, cols=len(head))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, head, strict=True):
                cell.text = clean_text(text)
                for r in cell.paragraphs[0].runs:
                    r.font.bold, r.font.size = True, Pt(9)
            for row in body:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = clean_text(str(text))
                    for r in cell.paragraphs[0].runs:
                        r.font.size = Pt(9)
        elif kind == "image":
            _, png, caption = block
            doc.add_picture(io.BytesIO(png), width=Cm(15.5))
            doc.add_paragraph(clean_text(caption), style="Caption")
    doc.core_properties.title = clean_text(blocks[0][1])
    doc.core_properties.subject = clean_text(f"{run.run_id}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def check_brief_path(path: str | os.PathLike) -> Path:
    """``path`` as a :class:`Path` if a brief can be written there, else a :class:`DataError` saying why.

    The name must end in ``.docx``; its folder must exist and be writable; it must not be a folder.

    Examples
    --------
    >>> check_brief_path("brief.docx").name
    'brief.docx'
    >>> check_brief_path("no/such/folder/brief.docx")
    Traceback (most recent call last):
    ...
    forecast.data.errors.DataError: cannot write the brief to no/such/folder/brief.docx: the folder no/such/folder does not exist; create it or choose another path
    """
    path = Path(path)
    where = f"cannot write the brief to {path}"
    if path.suffix.lower() != ".docx":
        raise DataError(f"{where}: the file name must end in .docx (a Word document)")
    if path.is_dir():
        raise DataError(f"{where}: it is a folder; give a file name such as {path / 'brief.docx'}")
    folder = path.parent
    if not folder.is_dir():
        raise DataError(f"{where}: the folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"{where}: the folder {folder} is not writable; choose another path")
    return path


def write_brief(run: Any, path: str | os.PathLike, *, lang: str = "zh", scenarios: Sequence[str] | None = None,
                changes: pd.DataFrame | None = None) -> Path:
    """Write :func:`brief_docx` to ``path`` atomically (a temp file in the same folder, then renamed).

    Raises
    ------
    DataError
        For a bad path (:func:`check_brief_path`) or language; nothing is written.
    """
    path = check_brief_path(path)
    data = brief_docx(run, lang, scenarios, changes)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
