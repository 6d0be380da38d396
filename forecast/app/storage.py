"""What the app reads and writes besides the run: uploads, the store's contents, saved scenarios, exports.

Pure helpers (no Streamlit): :func:`validate_upload` gives the same report as ``forecast ingest``
(every problem with file, row and column, never a traceback); :func:`store_contents` summarises the
store by series and vintage; saved scenarios are validated YAML files under ``<data dir>/scenarios``
(:func:`saved_scenarios`, :func:`save_named_scenario`, :func:`delete_named_scenario`) read and written
through :mod:`forecast.decisions.scenarios`; :func:`meeting_pack` is the Excel workbook of the Export page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.app.overview_tables import in_catalogue_order
from forecast.data.catalog import REGIONS
from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir, read_table, resolve_data_path
from forecast.data.schema import INDICATOR, PERIOD, REGION
from forecast.decisions.scenario_files import SUFFIXES, scan_scenarios
from forecast.decisions.scenarios import load_scenario, save_scenario
from forecast.export.pack import export_meeting_pack
from forecast.present import i18n
from forecast.runs import results
from forecast.runs.batch import BatchSettings, RunLog, run_batch
from forecast.runs.store import Store


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


def problems_frame(problems: Iterable[Problem], rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Problems as a table: file, row, column, message (``rename`` maps temporary paths to names)."""
    rename = rename or {}

    def named(text: str) -> str:
        for old, new in rename.items():
            text = text.replace(old, new)
        return text

    rows = [(rename.get(p.file, p.file), p.row, p.column or "", named(p.message)) for p in problems]
    out = pd.DataFrame(rows, columns=["file", "row", "column", "message"])
    out["row"] = out["row"].astype("Int64")
    return out


def validate_upload(path: Any, name: str | None = None) -> ValidationReport:
    """Read an uploaded table like ``forecast ingest`` does and report every problem (never raises).

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
        obs = read_table(path)
    except DataError as e:
        probs = e.problems or [Problem(name, None, None, e.summary)]
        return ValidationReport(name, None, problems_frame(probs, rename), e.summary.replace(str(path), name))
    except Exception as e:  # noqa: BLE001 - an upload must never show a traceback
        msg = f"cannot read the file: {type(e).__name__}: {e}".replace(str(path), name)
        return ValidationReport(name, None, problems_frame([Problem(name, None, None, msg)]), msg)
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
        t("col_first"): [str(p) for p in contents["first"]],
        t("col_last"): [str(p) for p in contents["last"]],
        t("col_published"): contents["published"].astype(int).to_numpy(),
        t("col_generated"): contents["generated"].astype(int).to_numpy(),
    })




# -- saved scenarios (files under <data dir>/scenarios until the store keeps them) -------------------------
def scenarios_folder() -> Any:
    """``scenarios/`` in the data directory (``$TROIKA_DATA_DIR`` or the repository's ``data/``)."""
    return resolve_data_path("scenarios")


def _slug(name: str) -> str:
    import hashlib
    import re

    slug = re.sub(r"[^\w\-]+", "_", name.strip(), flags=re.UNICODE).strip("_")[:60]
    return slug or hashlib.sha1(name.encode()).hexdigest()[:12]


def saved_scenarios(folder: Any = None) -> tuple[dict[str, Any], list[Problem]]:
    """Every valid scenario file of ``folder`` by name, and the problems of the invalid ones.

    Unlike :func:`forecast.decisions.scenarios.list_scenarios` one bad file does not hide the others.

    Examples
    --------
    >>> found, problems = saved_scenarios("data/scenarios")
    >>> sorted(found), problems
    (['consumption_campaign', 'export_shock', 'major_projects'], [])
    """
    scenarios, problems = scan_scenarios(folder if folder is not None else scenarios_folder())
    return {sc.name: sc for sc in scenarios}, problems


def save_named_scenario(scenario: Any, folder: Any = None) -> Any:
    """Save a scenario as ``<folder>/<name>.yaml`` (validated by :func:`forecast.decisions.scenarios.save_scenario`).

    A file of another scenario under the same file name is never overwritten: the name gets a suffix.
    """
    from pathlib import Path


    folder = Path(folder) if folder is not None else scenarios_folder()
    base = _slug(scenario.name)
    for n in range(1000):
        path = folder / (f"{base}.yaml" if n == 0 else f"{base}_{n}.yaml")
        if not path.exists():
            break
        try:
            if load_scenario(path).name == scenario.name:
                break
        except DataError:
            continue
    return save_scenario(scenario, path)


def delete_named_scenario(name: str, folder: Any = None) -> bool:
    """Delete the file(s) of the scenario called ``name``; True when one was deleted."""
    from pathlib import Path


    folder = Path(folder) if folder is not None else scenarios_folder()
    gone = False
    for f in sorted(folder.glob("*")) if folder.is_dir() else []:
        if f.suffix.lower() not in SUFFIXES:
            continue
        try:
            if load_scenario(f).name == name:
                f.unlink()
                gone = True
        except DataError:
            continue
    return gone


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
        t("col_last"): [str(x or "") for x in runs["data_vintage"]],
        t("col_n_series"): pd.to_numeric(runs["n_series"]).to_numpy(),
        t("col_n_fallback"): pd.to_numeric(runs["n_fallback"]).to_numpy(),
        t("col_n_failed"): pd.to_numeric(runs["n_failed"]).to_numpy(),
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
    import json

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


def meeting_pack(run: Any, lang: str = "zh") -> bytes:
    """The Excel meeting pack of a run (:func:`forecast.export.pack.export_meeting_pack`) in ``lang``, as bytes.

    Examples
    --------
    >>> pack = meeting_pack(run, lang="en")
    >>> pack[:2]                                                   # an .xlsx file is a zip archive
    b'PK'
    """
    import tempfile


    with tempfile.TemporaryDirectory(prefix="troika-pack-") as tmp:
        return export_meeting_pack(run, Path(tmp) / "pack.xlsx", lang=lang).read_bytes()


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
    import io as _io

    folder = Path(folder)
    src = current_data_dir() / "observations" / "liaoning_ytd.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    names = {REGIONS[r].zh for r in regions}
    (folder / "in").mkdir(parents=True, exist_ok=True)
    (folder / "no_scenarios").mkdir(exist_ok=True)
    (folder / "in" / "subset.csv").write_text(
        "\n".join([lines[0], *(x for x in lines[1:] if x.split(",", 1)[0] in names)]) + "\n", encoding="utf-8")
    report = run_batch(folder / "troika.db", input_dir=folder / "in",
                       settings=BatchSettings(n_paths=n_paths, method=method, regions=tuple(regions), artifacts=False),
                       targets_path=current_data_dir() / "targets.csv", scenarios_dir=folder / "no_scenarios",
                       models_dir=folder / "models", log=RunLog(_io.StringIO(), progress=False))
    if report.status not in ("complete", "unchanged"):
        raise DataError(f"demo_store: the batch did not complete: {report.message}")
    return folder / "troika.db"
