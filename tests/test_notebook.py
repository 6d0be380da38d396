"""``notebooks/quickstart.ipynb`` runs from top to bottom without an error (nbclient), on a small run.

The notebook works on three regions (its ``REGIONS`` cell); the store it reads is a small real batch run
made here (:func:`forecast.app.storage.demo_store`), passed to the kernel through ``TROIKA_DB``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


@pytest.mark.slow
def test_quickstart_notebook_executes_and_reads_the_latest_run(tmp_path, monkeypatch):
    from forecast.app.storage import demo_store
    from forecast.runs.results import load_latest_run

    db = demo_store(tmp_path)
    monkeypatch.setenv("TROIKA_DB", str(db))  # the kernel inherits the environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first cell that fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert load_latest_run(db).run_id in printed          # the store cell read this run
    assert "weights:" in printed                          # the auto combination reported its weights
    assert outputs[-1]["data"]["image/png"]               # the fan chart was drawn
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr                             # no warnings either
