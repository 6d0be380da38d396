"""Reading files in a child process with a memory and a time limit: for files from a stranger (the app's uploads).

The readers of :mod:`forecast.data.grids` refuse the hostile files we know of within the limits of
:mod:`forecast.data.limits`, but a file nobody has thought of yet must not take the server down with it.
:func:`read_files_bounded` parses in a child process, a fresh interpreter (``python -m
forecast.data.bounded``: nothing is forked from the server, and unlike a ``multiprocessing`` spawn it never
runs the parent's main script again, which under Streamlit would be the whole app), whose address space is
capped with ``resource.setrlimit(RLIMIT_AS, …)`` and which is killed past a wall time. What comes back is
what :func:`forecast.data.files.read_files` gives (the observations of each file, with their notes in
``frame.attrs``, and the line of each row), or the DataError it raised, pickled back unchanged; a child that
runs out of memory, is killed or takes too long becomes a DataError naming the file it was reading.

The memory limit counts what reading needs: it is set once the child has imported pandas and the readers,
at their address space plus ``memory_mb``. The time limit counts from then too (the child's start, about a
second, is not the file's). Linux (``/proc/self/statm``); elsewhere the time limit alone holds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path

from forecast.data.errors import DataError, Problem
from forecast.data.files import raise_problems, read_files
from forecast.data.processes import exit_with_parent
from forecast.data.project_list import load_project_list

#: How long the child may take to start (import pandas and the readers) before it counts as stuck.
STARTUP_SECONDS = 120


def _address_space() -> int | None:
    """This process's address space in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _read_one(kind: str, path: str, encoding: str | None, today: dt.date | None) -> list:
    """One file read as ``kind``: observation tables (:func:`read_files`) or a project list."""
    if kind == "projects":
        return [load_project_list(path, encoding=encoding)]
    return read_files([path], encoding=encoding, today=today)


def _child(conn: Connection, paths: list[str], encoding: str | None, memory_mb: int, today: dt.date | None,
           kind: str = "observations") -> None:
    """The child's work: cap its memory, then read each file on its own, telling the parent which one it is at."""
    import openpyxl  # noqa: F401 - heavy: imported before the cap, so that the cap counts the reading only

    base = _address_space()
    if base is not None:
        cap = base + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    conn.send(("ready", None))
    out, problems = [], []
    try:
        for i, path in enumerate(paths):
            conn.send(("file", i))
            try:
                out += _read_one(kind, path, encoding, today)
            except DataError as e:
                problems += e.problems
        try:
            raise_problems(problems)
        except DataError as e:
            conn.send(("error", e))
            return
        conn.send(("ok", out))
    except MemoryError:
        out = problems = []
        conn.send(("memory", None))
    except Exception:   # a bug, not the file: the parent raises it with this traceback
        conn.send(("crash", traceback.format_exc()))


def _main() -> None:
    """``python -m forecast.data.bounded FD``: the arguments come as JSON on stdin, the answers go to FD."""
    exit_with_parent(os.getppid())   # a reader whose app (or test) died must not go on reading
    conn = Connection(int(sys.argv[1]), readable=False)
    args = json.load(sys.stdin)
    today = dt.date.fromisoformat(args["today"]) if args["today"] else None
    _child(conn, args["paths"], args["encoding"], int(args["memory_mb"]), today, args["kind"])
    conn.close()


def _refused(path: str, message: str, code: str, **fields: object) -> DataError:
    return DataError(f"{path}: cannot read; nothing was read", [Problem(path, None, None, message, code, fields)])


def read_files_bounded(paths: Iterable[str | os.PathLike], *, encoding: str | None = None,
                       memory_mb: int = 500, seconds: float = 30,
                       today: dt.date | None = None, kind: str = "observations") -> list:
    """:func:`forecast.data.files.read_files` in a child process with a memory and a time limit.

    Parameters
    ----------
    paths : iterable of path
        The files, read each on its own as :func:`~forecast.data.files.read_files` does.
    encoding : str, optional
        Text encoding of CSV files (default: UTF-8, then GBK).
    memory_mb : int
        Memory the child may use for reading, in MB, on top of what it needs to start.
    seconds : float
        Wall time the reading may take, in seconds.
    today : date, optional
        As in :func:`~forecast.data.files.read_files` (periods later than this month refused when a row has no
        release date).
    kind : {"observations", "projects"}
        What the files are: official tables (default) or project lists
        (:func:`forecast.data.project_list.load_project_list`: one frame per file is returned).

    Returns
    -------
    list of (DataFrame, list)
        For each file, its observations (notes in ``frame.attrs``) and the line in the file of each row.

    Raises
    ------
    DataError
        The problems of the files, as :func:`~forecast.data.files.read_files` raises them; or, naming the file
        being read, "the file needs more than 500 MB to read" (a MemoryError, or the child killed) or
        "reading it took longer than 30 s".

    Examples
    --------
    >>> [(obs, lines)] = read_files_bounded(["tests/fixtures/good/long_utf8.csv"])
    >>> len(obs), lines[:2]
    (39, [2, 3])
    """
    paths = [str(p) for p in paths]
    if not paths:
        return []
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])   # the folder holding the forecast package
    env["PYTHONPATH"] = os.pathsep.join([root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    rfd, wfd = os.pipe()
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen([sys.executable, "-m", "forecast.data.bounded", str(wfd)], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=err, pass_fds=(wfd,), env=env)
        finally:
            os.close(wfd)
        conn = Connection(rfd, writable=False)
        try:
            if kind not in ("observations", "projects"):
                raise ValueError(f"kind={kind!r}; expected 'observations' or 'projects'")
            proc.stdin.write(json.dumps({"paths": paths, "encoding": encoding, "memory_mb": memory_mb,
                                         "today": today.isoformat() if today else None, "kind": kind}).encode())
            proc.stdin.close()
            return _answer(conn, proc, paths, memory_mb, seconds, err)
        finally:
            conn.close()
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def _answer(conn: Connection, proc: subprocess.Popen, paths: list[str], memory_mb: int, seconds: float, err):
    """Wait for the child's answer: the observations, or the DataError to raise."""
    current, deadline = None, time.monotonic() + STARTUP_SECONDS
    while True:
        what = paths[current] if current is not None else ", ".join(paths)
        if not conn.poll(max(deadline - time.monotonic(), 0)):
            raise _refused(what, f"reading it took longer than {seconds:g} s, the most troika allows for an "
                           "upload; is this an official table? Split it, or export the table as CSV", "read_too_slow",
                           seconds=f"{seconds:g}")
        try:
            kind, payload = conn.recv()
        except EOFError:   # the child died without a word: killed (out of memory) or crashed
            proc.wait()
            err.seek(0)
            last = (err.read().decode(errors="replace").strip().splitlines() or [""])[-1]
            message, code, fields = _death(proc.returncode, memory_mb, last)
            raise _refused(what, message, code, **fields) from None
        if kind == "ready":
            deadline = time.monotonic() + seconds
        elif kind == "file":
            current = payload
        elif kind == "memory":
            raise _refused(paths[current], f"the file needs more than {memory_mb:,} MB to read, the most troika "
                           "allows for an upload; is this an official table? Split it, or export it as CSV",
                           "read_memory", mb=memory_mb)
        elif kind == "error":
            raise payload
        elif kind == "crash":
            raise RuntimeError(f"reading {what} failed in the child process:\n{payload}")
        else:
            return payload


def _death(exitcode: int | None, memory_mb: int, last: str) -> tuple[str, str, dict]:
    """The message, code and fields of the problem of a reader that died."""
    if exitcode is not None and exitcode < 0 and -exitcode in (signal.SIGKILL, signal.SIGABRT, signal.SIGSEGV,
                                                                 signal.SIGBUS):
        return (f"the reader was stopped by signal {signal.Signals(-exitcode).name} while reading it: the file "
                f"needs more than {memory_mb:,} MB to read, the most troika allows for an upload; is this an "
                "official table? Split it, or export it as CSV", "read_killed",
                {"signal": signal.Signals(-exitcode).name, "mb": memory_mb})
    if "MemoryError" in last:
        return (f"the file needs more than {memory_mb:,} MB to read, the most troika allows for an upload; is this "
                "an official table? Split it, or export it as CSV", "read_memory", {"mb": memory_mb})
    return (f"the reader stopped (exit code {exitcode}{': ' + last if last else ''}) while reading it", "read_stopped",
            {"exitcode": exitcode, "last": ": " + last if last else ""})


if __name__ == "__main__":
    _main()
