"""Scale-out: the same per-series tasks on a Dask cluster and on a local process pool give exactly the
results of a run in one process, for the same seed (paths, targets, metrics, scenario tables)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from batch_helpers import make_workspace, run_args

from forecast.cli.main import main
from forecast.runs.results import load_latest_run


def _same_run(a, b) -> None:
    assert sorted(a.forecasts) == sorted(b.forecasts)
    for key, fc in a.forecasts.items():
        other = b.forecasts[key]
        assert np.array_equal(fc.paths, other.paths), key  # exactly, not approximately
        assert fc.weights == other.weights and fc.flags == other.flags
    pd.testing.assert_frame_equal(a.targets, b.targets)
    pd.testing.assert_frame_equal(a.metrics.drop(columns="seconds"), b.metrics.drop(columns="seconds"))
    for name, table in a.scenarios.items():
        pd.testing.assert_frame_equal(table, b.scenarios[name])
    assert a.data_hash == b.data_hash and a.settings == b.settings


@pytest.fixture(scope="module")
def sequential(tmp_path_factory: pytest.TempPathFactory):
    """The reference: the run in one process."""
    ws = make_workspace(tmp_path_factory.mktemp("seq"))
    assert main(run_args(ws)) == 0
    return load_latest_run(ws["db"])


@pytest.mark.slow
def test_dask_cluster_gives_the_local_results_exactly(sequential, tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    ws = make_workspace(tmp_path)
    log = tmp_path / "run.log"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert main(run_args(ws, "--dask-address", cluster.scheduler_address, "--log-file", str(log))) == 0
    run = load_latest_run(ws["db"])
    _same_run(run, sequential)
    # the series ran in the cluster's worker processes (host:pid in the log), not in this one
    workers = {json.loads(line)["worker"] for line in log.read_text().splitlines() if '"event":"series"' in line}
    assert len(workers) >= 1 and all(not w.endswith(f":{os.getpid()}") for w in workers)


@pytest.mark.slow
def test_local_process_pool_gives_the_local_results_exactly(sequential, tmp_path) -> None:
    ws = make_workspace(tmp_path)
    assert main(run_args(ws, "--workers", "2")) == 0
    _same_run(load_latest_run(ws["db"]), sequential)


def test_unreachable_scheduler_fails_without_committing(tmp_path, capsys) -> None:
    pytest.importorskip("distributed")
    ws = make_workspace(tmp_path)
    # nothing listens on port 9 of localhost (discard): the client gives up after its timeout
    code = main(run_args(ws, "--dask-address", "tcp://127.0.0.1:9", "--dask-timeout", "2"))
    assert code == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert load_latest_run(ws["db"]) is None


@pytest.mark.slow
def test_dask_with_global_members_gives_the_local_results_exactly(tmp_path) -> None:
    """Global members trained in the batch process travel with the tasks; the gate runs after the fits."""
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("lightgbm")
    args = ("--global-min-series", "2")
    ws_seq = make_workspace(tmp_path / "seq")
    assert main(run_args(ws_seq, *args)) == 0
    sequential = load_latest_run(ws_seq["db"])
    assert "global_gbm" in sequential.forecasts[("shenyang", "retail")].weights or \
        "panel gate" in sequential.forecasts[("shenyang", "retail")].dropped.get("global_gbm", "")
    ws = make_workspace(tmp_path / "dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert main(run_args(ws, *args, "--dask-address", cluster.scheduler_address)) == 0
    _same_run(load_latest_run(ws["db"]), sequential)
