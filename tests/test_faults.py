"""Faults the batch survives: kill -9 anywhere, readers during a commit, failing models, bad store files,
overlapping runs, and a second run with nothing new.

The kill tests run ``forecast run`` in a subprocess with ``TROIKA_TEST_PAUSE_AT=<stage>``: the batch
prints ``TROIKA_PAUSED <stage>`` and sleeps there, and the test kills its whole process group with
SIGKILL (as a crash or the OOM killer would). Stages cover the whole run: lock taken, input ingested,
half the series fitted, artifacts written (temp folder), artifacts renamed, inside the commit
transaction (rows written, not committed), and after the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_helpers import add_month, forecast_exe, make_workspace, run_args, run_cli

from forecast.cli.main import main
from forecast.runs.results import load_latest_run
from forecast.runs.store import RunLock, Store
from forecast.runs.store.runs import STALE_MESSAGE


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A workspace after one complete run (data to 2026-06)."""
    ws = make_workspace(tmp_path_factory.mktemp("faults-base"))
    assert main(run_args(ws)) == 0
    Store(ws["db"]).checkpoint()
    return ws


def clone(ws: dict, root: Path) -> dict:
    """Copy a workspace folder; the copy's paths point into ``root``."""
    shutil.copytree(ws["root"], root, dirs_exist_ok=True)
    return {k: root / Path(v).relative_to(ws["root"]) for k, v in ws.items()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_paused(ws: dict, stage: str, *extra: str, seconds: float = 300) -> tuple[subprocess.Popen, list[str]]:
    """Start ``forecast run`` paused at ``stage``; return once it is there, with its stderr lines so far."""
    env = {**os.environ, "TROIKA_TEST_PAUSE_AT": stage, "TROIKA_TEST_PAUSE_SECONDS": str(seconds)}
    proc = subprocess.Popen([forecast_exe(), *run_args(ws, *extra)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr] and lines.put(None), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        if line.strip() == f"TROIKA_PAUSED {stage}":
            return proc, seen
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    raise AssertionError(f"the batch never reached stage {stage!r}; stderr: {''.join(seen)[-2000:]}")


def kill9(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL


def run_id_of(lines: list[str]) -> str | None:
    for line in lines:
        if line.startswith("{") and '"run_start"' in line:
            return json.loads(line)["run_id"]
    return None


# ---------------------------------------------------------------------- kill -9 at seven points
@pytest.mark.slow
@pytest.mark.parametrize("stage", ["locked", "ingested", "fitting", "artifacts", "renamed", "commit"])
def test_kill9_before_commit_keeps_the_previous_run(stage: str, base: dict, tmp_path: Path) -> None:
    ws = clone(base, tmp_path)
    previous = load_latest_run(ws["db"]).run_id
    add_month(ws, (2026, 7))  # new data: the batch has work to do
    proc, lines = start_paused(ws, stage)
    killed = run_id_of(lines)
    if stage == "commit":  # paused inside the write transaction: a reader still sees the old run, whole
        seen = load_latest_run(ws["db"])
        assert seen.run_id == previous and len(seen.forecasts) == 2
    kill9(proc)
    store = Store(ws["db"])
    assert store.integrity_check() == "ok"
    assert load_latest_run(store).run_id == previous
    runs = store.runs().set_index("id")
    assert (runs["status"] == "complete").sum() == 1
    if killed is not None:
        assert runs.loc[killed, "status"] == "running"  # left behind by the killed batch
    # the next run cleans up and completes on the new data
    assert main(run_args(ws)) == 0
    latest = load_latest_run(store)
    assert latest.run_id not in (previous, killed) and latest.data_vintage == pd.Period("2026-07", "M")
    runs = store.runs().set_index("id")
    if killed is not None:
        assert (runs.loc[killed, "status"], runs.loc[killed, "message"]) == ("failed", STALE_MESSAGE)
        assert not (ws["models"] / killed).exists()
    assert sorted(p.name for p in ws["models"].iterdir()) == sorted([previous, latest.run_id])
    assert store.integrity_check() == "ok"


@pytest.mark.slow
def test_kill9_after_commit_leaves_the_new_run_complete(base: dict, tmp_path: Path) -> None:
    ws = clone(base, tmp_path)
    add_month(ws, (2026, 7))
    proc, lines = start_paused(ws, "committed")
    kill9(proc)
    store = Store(ws["db"])
    assert store.integrity_check() == "ok"
    latest = load_latest_run(store)
    assert latest.run_id == run_id_of(lines) and latest.data_vintage == pd.Period("2026-07", "M")
    assert len(latest.forecasts) == 2 and (ws["models"] / latest.run_id / "manifest.json").is_file()
    assert main(run_args(ws)) == 0  # nothing changed since the committed run
    assert load_latest_run(store).run_id == latest.run_id


# ---------------------------------------------------------------------- readers during commits
def _check_snapshot(db: Path, seen: list, errors: list) -> None:
    run = load_latest_run(db)
    with sqlite3.connect(db) as conn:
        n_series = conn.execute("SELECT n_series FROM runs WHERE id = ?", (run.run_id,)).fetchone()[0]
        leaked = conn.execute("SELECT COUNT(*) FROM forecasts f JOIN runs r ON r.id = f.run_id "
                              "WHERE r.status != 'complete'").fetchone()[0]
    problems = []
    if run.status != "complete" or leaked:
        problems.append(f"status {run.status}, {leaked} rows of unfinished runs visible")
    if not (n_series == len(run.forecasts) == len(run.metrics) == 2):
        problems.append(f"{len(run.forecasts)} forecasts, {len(run.metrics)} metric rows, n_series {n_series}")
    for fc in run.forecasts.values():
        if fc.paths.shape != (run.settings["n_paths"], len(fc.periods)) or not np.isfinite(fc.paths).all():
            problems.append(f"{fc.region}: paths {fc.paths.shape}")
    if len(run.targets) != 3 or set(run.scenarios) != {"shenyang_push"}:
        problems.append(f"{len(run.targets)} target rows, scenarios {sorted(run.scenarios)}")
    seen.append(run.run_id)
    if problems:
        errors.append((run.run_id, problems))


@pytest.mark.slow
def test_a_polling_reader_sees_one_whole_run_at_a_time(base: dict, tmp_path: Path) -> None:
    ws = clone(base, tmp_path)
    seen: list[str] = []
    errors: list = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                _check_snapshot(ws["db"], seen, errors)
            except Exception as exc:  # noqa: BLE001 - any read error is a failure of the test
                errors.append(("read", repr(exc)))

    reader = threading.Thread(target=poll, daemon=True)
    reader.start()
    env = {**os.environ, "TROIKA_TEST_PAUSE_AT": "commit", "TROIKA_TEST_PAUSE_SECONDS": "1.5"}
    try:
        for _ in range(2):  # two commits, each holding its transaction open 1.5 s before COMMIT
            done = run_cli(run_args(ws, "--force"), env=env)
            assert done.returncode == 0, done.stderr[-2000:]
    finally:
        stop.set()
        reader.join(timeout=60)
    assert not errors, errors[:3]
    order = Store(ws["db"]).runs()["id"].tolist()
    assert len(order) == 3
    # every poll saw a complete run, never going back to an older one, and the polls span both commits
    ranks = [order.index(r) for r in seen]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2}


# ---------------------------------------------------------------------- every model of a series fails
def test_a_series_whose_every_model_fails_is_on_fallback_exit_3(base: dict, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    ws = clone(base, tmp_path)
    monkeypatch.setenv("TROIKA_TEST_FAIL_SERIES", "shenyang/retail")
    capsys.readouterr()
    assert main(run_args(ws)) == 3
    out = capsys.readouterr().out
    assert "0 failed" in out and "1 fallback" in out and "shenyang/retail (fallback)" in out
    run = load_latest_run(ws["db"])
    fc = run.forecasts[("shenyang", "retail")]
    assert fc.outcome == "fallback" and "fallback_snaive" in fc.flags
    assert set(fc.dropped) == {"theta", "snaive"}
    assert all("TypeError" in why and "_troika_fault_injected" in why for why in fc.dropped.values())
    assert fc.weights == {"snaive_fallback": 1.0} and np.isfinite(fc.paths).all()
    assert run.settings["fail_series"] == ["shenyang/retail"]
    assert run.forecasts[("liaoning", "retail")].outcome == "ok"
    # the run is complete and its targets use the fallback's paths
    assert np.isfinite(run.targets.set_index("region").loc["shenyang", "probability"])
    assert Store(ws["db"]).runs().iloc[-1][["status", "n_fallback"]].tolist() == ["complete", 1]


# ---------------------------------------------------------------------- bad store files
def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE sales (x INTEGER)")


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
        conn.execute("INSERT INTO schema_version VALUES (99, 'x')")


def _noise(path: Path) -> None:
    path.write_bytes(np.random.default_rng(3).bytes(16384))


@pytest.mark.parametrize(("make", "expected"), [(_noise, "not a SQLite database"), (_foreign, "not a troika store"),
                                                (_newer, "newer than this troika")],
                         ids=["random-bytes", "foreign-tables", "newer-schema"])
def test_corrupt_or_foreign_store_exits_1_and_is_untouched(make, expected: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    ws = make_workspace(tmp_path)
    ws["db"].parent.mkdir(parents=True, exist_ok=True)
    make(ws["db"])
    before = sha256(ws["db"])
    files_before = sorted(p.name for p in ws["db"].parent.iterdir())
    assert main(run_args(ws)) == 1
    err = capsys.readouterr().err
    assert str(ws["db"]) in err and expected in err and "Traceback" not in err
    assert sha256(ws["db"]) == before
    assert sorted(p.name for p in ws["db"].parent.iterdir()) == files_before  # no -wal, no lock, no new store
    assert not ws["models"].exists()


def test_random_bytes_in_the_middle_of_the_store_fail_the_run_with_exit_1(base: dict, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    ws = clone(base, tmp_path)
    conn = sqlite3.connect(ws["db"])  # pages of the stored sample paths, in the middle of the file: a batch
    pages = [r[0] for r in conn.execute(  # that finds nothing changed never reads them
        "SELECT pageno FROM dbstat WHERE name = 'sample_paths' AND pagetype = 'overflow' ORDER BY pageno")]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(ws["db"], "r+b") as f:
        for n in pages[len(pages) // 2 - 1: len(pages) // 2 + 2]:
            f.seek((n - 1) * page)
            f.write(np.random.default_rng(n).bytes(page))
    conn = sqlite3.connect(ws["db"])
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        verdict = [(str(e),)]
    finally:
        conn.close()
    assert verdict != [("ok",)]  # the hostile input is hostile
    before = sha256(ws["db"])
    capsys.readouterr()
    assert main(run_args(ws)) == 1  # was: "nothing changed since run …", exit 0
    err = capsys.readouterr().err
    assert str(ws["db"]) in err and "quick_check" in err and str(verdict[0][0])[:20] in err
    assert "nothing changed" not in err and "Traceback" not in err
    for argv in (["show"], ["runs"], ["export", "--xlsx", str(tmp_path / "p.xlsx")]):
        assert main([*argv, "--db", str(ws["db"])]) == 1
        err = capsys.readouterr().err
        assert str(ws["db"]) in err and "damaged" in err and "Traceback" not in err
    assert sha256(ws["db"]) == before and not (tmp_path / "p.xlsx").exists()


# ---------------------------------------------------------------------- overlap and repetition
def test_a_second_run_while_one_holds_the_lock_refuses_with_75(base: dict, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    ws = clone(base, tmp_path)
    add_month(ws, (2026, 7))
    before = Store(ws["db"]).dump()
    with RunLock(ws["db"]):
        assert main(run_args(ws)) == 75
    err = capsys.readouterr().err
    assert "another `forecast run` is in progress" in err and f"pid {os.getpid()}" in err
    assert Store(ws["db"]).dump() == before  # nothing ingested, no run recorded


@pytest.mark.slow
def test_run_twice_in_a_row_second_says_nothing_changed(base: dict, tmp_path: Path) -> None:
    ws = clone(base, tmp_path)
    add_month(ws, (2026, 7))
    first = run_cli(run_args(ws))
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_cli(run_args(ws))
    assert second.returncode == 0 and "nothing changed" in second.stdout
    assert '"event":"series"' in first.stderr and '"event":"series"' not in second.stderr  # no series refitted
    assert len(Store(ws["db"]).runs()) == 2  # the base run and the first one


# ---------------------------------------------------------------------- kill -9 leaves no process behind
def _proc_stat(pid: int) -> tuple[int, str, int] | None:
    """``(ppid, state, start time)`` of a process from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, …, start time (field 22)
    return int(fields[1]), fields[0], int(fields[19])


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` (children, their children, …): pid → start time (to tell a reused pid)."""
    stats = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (st := _proc_stat(int(d.name))) is not None:
            stats[int(d.name)] = st
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _, start) in stats.items():
            if ppid == parent and child not in found:
                found[child] = start
                todo.append(child)
    return found


def _alive(pid: int, start: int) -> bool:
    st = _proc_stat(pid)
    return st is not None and st[2] == start and st[1] != "Z"  # a zombie has exited; init reaps it


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc (Linux)")
def test_kill9_of_the_batch_takes_its_workers_and_resource_tracker_with_it(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    proc, lines = start_paused(ws, "fitting", "--workers", "2")  # paused after one series: the pool is up
    try:
        children = _descendants(proc.pid)
        cmdlines = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    for pid in children if Path(f"/proc/{pid}/cmdline").exists()}
        workers = [pid for pid, cmd in cmdlines.items() if "spawn_main" in cmd]
        assert len(workers) == 2, cmdlines  # the two pool workers (and the resource tracker) are running
        os.kill(proc.pid, signal.SIGKILL)  # the batch only, as the OOM killer would: not its process group
        assert proc.wait(timeout=60) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p, s) for p, s in children.items()):
            time.sleep(0.2)
        survivors = {p: cmdlines.get(p, "?") for p, s in children.items() if _alive(p, s)}
        assert not survivors, f"alive 10 s after the batch was killed: {survivors}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of this test's processes
        except ProcessLookupError:
            pass
