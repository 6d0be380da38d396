"""The batch lock: one ``forecast run`` per store at a time (``fcntl.flock`` on ``<db>.lock``).

The lock is advisory and held by the open file: it is released when the holder exits for any reason,
``kill -9`` and power loss included, so a crashed batch never leaves a stale lock behind. A second
batch does not wait: it fails at once with :class:`RunLocked` (``forecast run`` exits 75, EX_TEMPFAIL,
so a scheduler retries later). The lock file holds the holder's pid and start time for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from forecast.data.errors import StoreError
from forecast.runs.store.schema import now


class RunLocked(StoreError):
    """Another batch holds the store's lock."""


def lock_path(db: str | os.PathLike) -> Path:
    """``<db>.lock`` beside the store file."""
    p = Path(db)
    return p.with_name(p.name + ".lock")


class RunLock:
    """Exclusive, non-blocking lock of a store for one batch run (a context manager).

    Examples
    --------
    >>> import tempfile, os
    >>> db = os.path.join(tempfile.mkdtemp(), "t.db")
    >>> with RunLock(db):
    ...     try:
    ...         RunLock(db).acquire()
    ...     except RunLocked:
    ...         print("refused")
    refused
    """

    def __init__(self, db: str | os.PathLike):
        self.path = lock_path(db)
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock or raise :class:`RunLocked` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown process"
            os.close(fd)
            raise RunLocked(
                f"another `forecast run` is in progress on this store ({holder}; lock {self.path}); "
                "nothing was done. Try again when it has finished."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {now()}".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock (the file stays: removing it would race with a new holder)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
