"""What the app reads and writes besides the run and the saved scenarios: uploads, the store's contents,
runs, the audit trail, exports (saved scenarios: :mod:`forecast.app.saved_scenarios`).

Pure helpers (no Streamlit): :func:`validate_upload` gives the same report as ``forecast ingest``
(every problem with file, row and column, never a traceback); :func:`store_contents` summarises the
store by series and vintage; :func:`meeting_pack` is the Excel workbook of the Export page.

The writes — :func:`ingest_upload`, :func:`start_run` (and :func:`forecast.app.uploads.save_upload`,
:func:`forecast.app.saved_scenarios.save_named_scenario`) — take the acting
:class:`~forecast.app.access.Actor` and the store: they refuse a role that may not write
(:class:`~forecast.app.access.AccessDenied`) before touching anything, and add a row to the store's audit
trail (:mod:`forecast.runs.store.audit`) after the write.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.app import access
from forecast.app.access import Actor, require
from forecast.app.overview_tables import in_catalogue_order
from forecast.data.bounded import read_files_bounded
from forecast.data.catalog import REGIONS
from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir
from forecast.data.schema import INDICATOR, PERIOD, REGION
from forecast.export.pack import export_meeting_pack
from forecast.present import i18n
from forecast.present.messages import problem_text
from forecast.runs import results
from forecast.runs.store import IngestReport, Store
from forecast.runs.store.audit import AUDIT_COLUMNS, audit_log, record


# -- data -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate_upload` found: the observations read (None on failure) and every problem."""

    name: str
    observations: pd.DataFrame | None
    problems: pd.DataFrame
    summary: str

    @property
    def ok(self) -> bool:
        return self.observations is not None and not len(self.problems)


def problems_frame(problems: Iterable[Problem], rename: Mapping[str, str] | None = None,
                   lang: str = "en") -> pd.DataFrame:
    """Problems as a table: file, row, column, message in ``lang`` (:func:`forecast.present.messages.problem_text`;
    ``rename`` maps temporary paths to names)."""
    rename = rename or {}

    def named(text: str) -> str:
        for old, new in rename.items():
            text = text.replace(old, new)
        return text

    rows = [(rename.get(p.file, p.file), p.row, p.column or "", named(problem_text(p, lang))) for p in problems]
    out = pd.DataFrame(rows, columns=["file", "row", "column", "message"])
    out["row"] = out["row"].astype("Int64")
    return out


def problems_table(problems: Iterable[Problem], lang: str = "zh", rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """:func:`problems_frame` for display: messages and headers in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return problems_frame(problems, rename, lang).rename(columns={
        "file": t("col_file"), "row": t("col_row"), "column": t("col_column"), "message": t("col_message")})


def validate_upload(path: Any, name: str | None = None, lang: str = "en") -> ValidationReport:
    """Read an uploaded table like ``forecast ingest`` does and report every problem in ``lang`` (never raises).

    Parameters
    ----------
    path : path-like
        The uploaded bytes saved to a file whose suffix is the upload's (``.csv``, ``.xlsx``).
    name : str, optional
        The name the user knows the file by; replaces the temporary path in the report.

    Examples
    --------
    >>> rep = validate_upload("tests/fixtures/bad/long_utf8_unknown_region.csv", name="upload.csv")
    >>> rep.ok, rep.summary
    (False, '1 problem(s) in upload.csv; nothing was read')
    >>> rep.problems[["file", "row", "column"]]                 # line 4 of the file: region 沈杨
             file  row column
    0  upload.csv    4     地区
    """
    name = name or str(path)
    rename = {str(path): name}
    try:
        # parsed in a child process with memory and time limits: a hostile file never takes the server down
        [(obs, _)] = read_files_bounded([path])
    except DataError as e:
        probs = e.problems or [Problem.of_error(name, None, None, e)]
        return ValidationReport(name, None, problems_frame(probs, rename, lang), e.summary.replace(str(path), name))
    except Exception as e:  # noqa: BLE001 - an upload must never show a traceback
        error = f"{type(e).__name__}: {e}".replace(str(path), name)
        msg = f"cannot read the file: {error}"
        problem = Problem(name, None, None, msg, "cannot_read", {"error": error})
        return ValidationReport(name, None, problems_frame([problem], lang=lang), msg)
    return ValidationReport(name, obs, problems_frame([]), f"{len(obs)} rows")


def store_contents(observations: pd.DataFrame) -> pd.DataFrame:
    """The store's observations by series and vintage: periods, first and last, published, generated.

    Examples
    --------
    >>> store_contents(store.observations(latest_vintage=False)).head(3)
         region indicator vintage  rows    first     last  published  generated
    0  liaoning       fai           130  2015-02  2026-10         17        113
    1  liaoning    retail           130  2015-02  2026-10          8        122
    2  liaoning     trade           130  2015-02  2026-10         11        119
    """
    if not len(observations):
        return pd.DataFrame(columns=[REGION, INDICATOR, "vintage", "rows", "first", "last", "published", "generated"])
    g = observations.groupby([REGION, INDICATOR, "vintage"], sort=False)
    out = g.agg(rows=(PERIOD, "size"), first=(PERIOD, "min"), last=(PERIOD, "max"),
                published=("status", lambda s: int((s == "published").sum())),
                generated=("status", lambda s: int((s == "generated").sum()))).reset_index()
    return in_catalogue_order(out)


def store_contents_table(contents: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`store_contents` for display in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("col_region"): [i18n.region_name(r, lang) for r in contents[REGION]],
        t("col_indicator"): [i18n.indicator_name(i, lang, short=True) for i in contents[INDICATOR]],
        t("col_vintage"): [v or t("vintage_unknown") for v in contents["vintage"]],
        t("col_rows"): contents["rows"].astype(int).to_numpy(),
        t("col_first"): [i18n.fmt_month(p, lang) for p in contents["first"]],
        t("col_last"): [i18n.fmt_month(p, lang) for p in contents["last"]],
        t("col_published"): contents["published"].astype(int).to_numpy(),
        t("col_generated"): contents["generated"].astype(int).to_numpy(),
    })




# -- ingest, runs and the audit trail ------------------------------------------------------------------------
def ingest_upload(path: Any, *, actor: Actor, db: Any, name: str | None = None) -> IngestReport:
    """Ingest an uploaded file into the store (:meth:`forecast.runs.store.Store.ingest`) and record it.

    The audit row (``ingest``) names the file as the analyst knows it (``name``) and holds the latest
    ingest id before and the id of the ingest holding the file's bytes after (equal when nothing changed).

    Raises
    ------
    AccessDenied
        When ``actor`` may not ingest (a viewer); the store is not opened.
    DataError
        Every problem of the file; nothing is written (and nothing recorded).
    """
    require(actor, "ingest")
    store = Store(db)
    log = store.ingest_log()
    before = int(log["id"].max()) if len(log) else None
    report = store.ingest([path], reader=read_files_bounded)
    log = store.ingest_log()
    mine = log.loc[log["sha256"].isin([f.sha256 for f in report.files]), "id"]
    after = int(mine.max()) if len(mine) else None
    record(store, actor.who, "ingest", name or Path(path).name, before=before, after=after)
    return report


@dataclass
class RunJob:
    """A batch run started from the app: the process, its log file, who started it and the run before it."""

    proc: subprocess.Popen
    log: Path
    who: str
    before: str | None
    finished: bool = field(default=False)


def _latest_run_id(db: Path) -> str | None:
    return Store(db, create=False).latest_run_id() if Path(db).exists() else None


def start_run(db: Any, *, actor: Actor, args: Sequence[str] = (), log_dir: Any = None) -> RunJob:
    """Start ``forecast run`` on the store ``db`` in a child process; record ``run_start`` in the audit trail.

    The log goes to ``log_dir`` (default ``<db folder>/logs``); ``before`` in the audit row is the latest
    complete run before it. :func:`finish_run` records the run's end with the new run id.

    Raises
    ------
    AccessDenied
        When ``actor`` may not start runs (viewers and analysts); nothing is started.
    """
    require(actor, "run_start")
    db = Path(db)
    logs = Path(log_dir) if log_dir is not None else db.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}.log"
    before = _latest_run_id(db)
    cmd = [sys.executable, "-m", "forecast.cli.main", "run", *args]
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "TROIKA_DB": str(db)})
    record(Store(db), actor.who, "run_start", " ".join(["forecast run", *args, f"(log {log_path.name})"]), before=before)
    return RunJob(proc, log_path, actor.who, before)


def finish_run(job: RunJob, db: Any) -> int | None:
    """The run's exit code, or None while it runs; records ``run_finish`` once, when first seen ended.

    The audit row's ``after`` is the latest complete run then (the new run, or the old one when the run
    failed or found nothing changed).
    """
    rc = job.proc.poll()
    if rc is not None and not job.finished:
        job.finished = True
        record(Store(db), job.who, "run_finish", f"exit {rc}", before=job.before, after=_latest_run_id(Path(db)))
    return rc


def audit_table(db: Any, lang: str = "zh", *, actor: Actor, rows: int = 200) -> pd.DataFrame:
    """The store's audit trail for display, newest first (at most ``rows`` rows), in ``lang``; admins only."""
    require(actor, "audit_read")
    t = lambda k: access.text(k, lang)  # noqa: E731
    log = audit_log(Store(db, create=False)) if Path(db).exists() else pd.DataFrame(columns=list(AUDIT_COLUMNS))
    log = log.iloc[::-1].head(rows)
    return pd.DataFrame({
        t("col_audit_at"): [i18n.fmt_time(x, lang) for x in log["at"]],
        t("col_audit_who"): log["who"].astype(str).to_numpy(),
        t("col_audit_action"): [t(f"audit_{a}") if f"audit_{a}" in access.LABELS else str(a) for a in log["action"]],
        t("col_audit_what"): log["what"].astype(str).to_numpy(),
        t("col_audit_before"): log["before"].fillna("").astype(str).to_numpy(),
        t("col_audit_after"): log["after"].fillna("").astype(str).to_numpy(),
    })


# -- runs and exports --------------------------------------------------------------------------------------
def run_history(db: Any) -> pd.DataFrame | None:
    """The store's runs (newest first), or None when there is no store yet."""
    if not Path(db).exists():
        return None
    return results.list_runs(Store(db, create=False))


def runs_table(runs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The store's runs (:func:`forecast.runs.results.list_runs`) for display, newest first, in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    runs = runs.iloc[::-1]
    status = [t(f"run_{s}") if f"run_{s}" in i18n.LABELS else str(s) for s in runs.get("status", [])]
    return pd.DataFrame({
        t("col_run"): runs["id"].astype(str).to_numpy(),
        t("col_started"): [i18n.fmt_time(x, lang) for x in runs["started"]],
        t("col_finished"): [i18n.fmt_time(x, lang) if x else "" for x in runs["finished"]],
        t("col_run_status"): status,
        t("col_last"): [i18n.fmt_period(x, lang) if x else "" for x in runs["data_vintage"]],
        t("col_n_series"): pd.to_numeric(runs["n_series"]).astype("Int64").array,
        t("col_n_fallback"): pd.to_numeric(runs["n_fallback"]).astype("Int64").array,
        t("col_n_failed"): pd.to_numeric(runs["n_failed"]).astype("Int64").array,
        t("col_note"): runs["message"].fillna("").astype(str).to_numpy(),
    })


def ingest_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The store's ingest log (:meth:`forecast.runs.store.Store.ingest_log`) for display, newest first."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    log = log.iloc[::-1]
    return pd.DataFrame({
        t("col_file"): log["file"].astype(str).to_numpy(),
        t("col_ingested_at"): [i18n.fmt_time(x, lang) for x in log["ingested_at"]],
        t("col_rows_added"): log["rows_added"].astype(int).to_numpy(),
        t("col_rows_filled"): log["rows_filled"].astype(int).to_numpy(),
    })


def run_progress(log_text: str) -> tuple[int, int]:
    """``(done, total)`` series of a batch from its JSON log lines (``(0, 0)`` before the first one).

    Examples
    --------
    >>> run_progress('{"event": "series", "done": 3, "total": 15}\\nnot json')
    (3, 15)
    """
    done = total = 0
    for line in log_text.splitlines():
        if '"done"' not in line:
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and "done" in rec and "total" in rec:
            done, total = int(rec["done"]), int(rec["total"])
    return done, total


def meeting_pack(run: Any, lang: str = "zh", changes: pd.DataFrame | None = None) -> bytes:
    """The Excel meeting pack of a run (:func:`forecast.export.pack.export_meeting_pack`) in ``lang``, as bytes.

    Examples
    --------
    >>> pack = meeting_pack(run, lang="en")
    >>> pack[:2]                                                   # an .xlsx file is a zip archive
    b'PK'
    """
    with tempfile.TemporaryDirectory(prefix="troika-pack-") as tmp:
        return export_meeting_pack(run, Path(tmp) / "pack.xlsx", lang=lang, changes=changes).read_bytes()


def demo_store(folder: Any, regions: tuple[str, ...] = ("liaoning", "shenyang", "dalian"), *, n_paths: int = 200,
               method: str = "snaive") -> Path:
    """A store in ``folder`` holding one complete batch run on the bundled rows of ``regions``.

    For demos, tests and benchmarks of the front ends: writes the regions' rows of the bundled table to
    ``folder/in/``, runs the real batch (:func:`forecast.runs.batch.run_batch`, cheap settings, no model
    artifacts, no saved scenarios) into ``folder/troika.db`` and returns that path.

    Raises
    ------
    DataError
        When the batch does not complete (the message says why).

    Examples
    --------
    >>> from forecast.runs.results import load_latest_run
    >>> db = demo_store("demo", regions=("liaoning",))
    >>> db.as_posix(), load_latest_run(db).status
    ('demo/troika.db', 'complete')
    """
    folder = Path(folder)
    src = current_data_dir() / "observations" / "liaoning_ytd.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    names = {REGIONS[r].zh for r in regions}
    (folder / "in").mkdir(parents=True, exist_ok=True)
    (folder / "no_scenarios").mkdir(exist_ok=True)
    (folder / "in" / "subset.csv").write_text(
        "\n".join([lines[0], *(x for x in lines[1:] if x.split(",", 1)[0] in names)]) + "\n", encoding="utf-8")
    # the batch brings the engine (statsmodels, scipy: about a second to import): only demos, tests and
    # benchmarks make a demo store, so the app does not pay for it on its first page
    from forecast.runs.batch import BatchSettings, RunLog, run_batch

    report = run_batch(folder / "troika.db", input_dir=folder / "in",
                       settings=BatchSettings(n_paths=n_paths, method=method, regions=tuple(regions), artifacts=False),
                       targets_path=current_data_dir() / "targets.csv", scenarios_dir=folder / "no_scenarios",
                       models_dir=folder / "models", log=RunLog(io.StringIO(), progress=False))
    if report.status not in ("complete", "unchanged"):
        raise DataError(f"demo_store: the batch did not complete: {report.message}")
    return folder / "troika.db"
