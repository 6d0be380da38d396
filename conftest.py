"""pytest set-up for the whole repository: tests/ and the Examples of forecast/ run as doctests.

BLAS is limited to one thread before numpy is imported (as in ``tests/conftest.py``): statsmodels fits
many tiny problems, and a multi-threaded BLAS makes each of them 5-10x slower on a small machine.

Every doctest runs in a scratch folder, made afresh for it and deleted after it: the current directory
holds a copy of the bundled ``data/`` (observations, ``targets.csv``, ``scenarios/``; plus
``tests/fixtures/`` when the example names it), ``TROIKA_DATA_DIR`` and ``TROIKA_MODELS_DIR`` point into
it and ``TROIKA_DB`` is unset, so ``Store()``, ``Store("data/troika.db")`` and ``run_batch()`` use a new,
empty store there. No doctest writes into the repository's ``data/``, ``models/`` or the user's store.

Names an example may use without defining them (:data:`DOCTEST_NAMES`), built once per session and only
when a doctest uses them:

``store``
    A :class:`forecast.runs.store.Store` (in a temporary folder) holding the bundled observations and one
    complete batch run: every region, ``retail`` and ``trade``, a combination of the naive and
    seasonal naive models, 200 paths, the bundled targets and saved scenarios (~2 s). Examples only
    read it.
``panel``
    ``build_panel(load_bundled())``: the bundled table, every region and indicator (built from the
    store's observations, which are the same rows).
``run``
    ``load_latest_run(store)``: that run.
``targets``
    ``load_targets()``: the bundled targets table.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from pathlib import Path

import pytest

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # none of the above imports numpy
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures"

#: Name an example may use → the session fixture that makes it.
DOCTEST_NAMES = {"panel": "doctest_panel", "store": "doctest_store", "run": "doctest_run",
                 "targets": "doctest_targets"}


def _copy_data(root: Path) -> Path:
    """Copy the bundled inputs (not the store) to ``root/data`` and return that folder."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DATA / "observations", data / "observations")
    shutil.copytree(DATA / "scenarios", data / "scenarios")
    shutil.copy2(DATA / "targets.csv", data / "targets.csv")
    return data


def _free_names(dtest) -> set[str]:
    """Names the examples of a doctest read but never bind themselves."""
    loaded, bound = set(), set()
    for example in dtest.examples:
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                bound.add(node.name)
    return loaded - bound


@pytest.fixture(scope="session")
def doctest_store(tmp_path_factory):
    """A store with the bundled observations and one complete, quick batch run (built once)."""
    import io

    from forecast.runs.batch import BatchSettings, RunLog, run_batch
    from forecast.runs.store import Store

    root = tmp_path_factory.mktemp("doctest-store")
    data = _copy_data(root)
    store = Store(data / "troika.db")
    report = run_batch(store, input_dir=data / "observations", targets_path=data / "targets.csv",
                       scenarios_dir=data / "scenarios", models_dir=root / "models",
                       settings=BatchSettings(n_paths=200, models=("naive", "snaive"),
                                              indicators=("retail", "trade"), artifacts=False),
                       log=RunLog(io.StringIO(), progress=False),
                       spread_path="none")  # examples show the engine's own paths: stable when the table is relearnt
    assert report.status == "complete", report.message
    return store


@pytest.fixture(scope="session")
def doctest_run(doctest_store):
    """The run of :func:`doctest_store`."""
    from forecast.runs.results import load_latest_run

    return load_latest_run(doctest_store)


@pytest.fixture(scope="session")
def doctest_panel(doctest_store):
    """The panel of the bundled table: ``build_panel(load_bundled())``, from the store's copy of the rows."""
    from forecast.data.panel import build_panel

    return build_panel(doctest_store.observations())


@pytest.fixture(scope="session")
def doctest_targets():
    """The bundled targets table."""
    from forecast.data.target_table import load_targets

    return load_targets(DATA / "targets.csv")


@pytest.fixture(autouse=True)
def _doctest_workspace(request):
    """For a doctest: a scratch folder as the current and data directory, and the names it uses."""
    dtest = getattr(request.node, "dtest", None)
    if dtest is None:  # not a doctest
        yield
        return
    namespace = request.getfixturevalue("doctest_namespace")
    monkeypatch = request.getfixturevalue("monkeypatch")
    with tempfile.TemporaryDirectory(prefix="troika-doctest-") as tmp:
        root = Path(tmp)
        data = _copy_data(root)
        if any("tests/fixtures" in example.source for example in dtest.examples):
            shutil.copytree(FIXTURES, root / "tests" / "fixtures")
        monkeypatch.setenv("TROIKA_DATA_DIR", str(data))
        monkeypatch.setenv("TROIKA_MODELS_DIR", str(root / "models"))
        monkeypatch.delenv("TROIKA_DB", raising=False)
        monkeypatch.chdir(root)
        # a name the module itself defines is left alone
        added = [n for n in sorted(_free_names(dtest)) if n in DOCTEST_NAMES and n not in dtest.globs]
        for name in added:
            namespace[name] = request.getfixturevalue(DOCTEST_NAMES[name])
        try:
            yield
        finally:
            for name in added:
                namespace.pop(name, None)
            monkeypatch.undo()  # leave the folder before it is deleted
