"""A child process that ends with its parent: the batch's pool workers and the bounded reader's child.

A worker left behind by a killed parent holds memory and CPU for nothing (under cron, one leak per crash):
:func:`exit_with_parent` arms the kernel's parent-death signal on Linux and a watchdog thread everywhere.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

#: ``prctl`` option: the signal the kernel sends this process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int, poll_seconds: float = 1.0) -> None:
    """Make this process (a local worker) end when ``parent_pid``, the batch, dies; the pool's initializer.

    On Linux the kernel sends SIGKILL to the worker when its parent dies (``prctl(PR_SET_PDEATHSIG)``,
    through libc); on every system a daemon thread checks ``os.getppid()`` every ``poll_seconds`` and
    exits the worker once its parent has changed (the worker was re-parented: the batch is gone). A
    worker whose parent is already gone when this runs exits at once.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the watchdog alone
            pass
    if os.getppid() != parent_pid:  # the batch died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid, poll_seconds), name="troika-watch-parent",
                     daemon=True).start()


def _watch_parent(parent_pid: int, poll_seconds: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll_seconds)
    os._exit(1)  # no cleanup: the batch that would read our results is gone
