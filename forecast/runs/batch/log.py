"""Progress and structured logs of a batch run: one JSON line per event, a progress bar on a terminal."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import IO, Any

from forecast.runs.store.codec import to_json


class RunLog:
    """One JSON line per event (per series, run start and end) and a progress bar on a terminal.

    JSON lines go to ``log`` (a file opened for append) or stderr; the bar (``\\r`` redrawn) goes to
    stderr only when stderr is a terminal.
    """

    def __init__(self, log: IO[str] | None = None, progress: bool | None = None):
        self.stream = log or sys.stderr
        self.tty = sys.stderr.isatty() if progress is None else progress
        self.total = self.done = 0
        self._label = ""
        self._bar = False  # a bar is on the terminal's current line

    def event(self, event: str, **fields: Any) -> None:
        """Write one JSON line ``{"time", "event", **fields}``."""
        shared = self._bar and self.stream is sys.stderr
        if shared:
            sys.stderr.write("\r\033[K")
        rec = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, **fields}
        print(to_json(rec), file=self.stream, flush=True)
        if shared:
            self._draw()

    def _draw(self) -> None:
        if not self.tty or not self.total:
            return
        width = 30
        filled = int(width * self.done / self.total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {self._label}"[:100])
        sys.stderr.write("\033[K")
        sys.stderr.flush()
        self._bar = True

    def step(self, label: str) -> None:
        """One more series done: redraw the bar."""
        self.done += 1
        self._label = label
        self._draw()

    def close(self) -> None:
        """End the bar's line; later events print plainly."""
        if self._bar:
            sys.stderr.write("\n")
            sys.stderr.flush()
        self._bar = False
        self.total = 0
