"""Named points of a batch run, and the test hook that pauses a run at one of them.

The fault tests (tests/test_faults.py) set ``TROIKA_TEST_PAUSE_AT`` to a stage, wait for the run to print
``TROIKA_PAUSED <stage>`` and kill it there, to show that a killed run leaves the last good run intact.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO

PAUSE_ENV = "TROIKA_TEST_PAUSE_AT"
#: Named points of a run where ``TROIKA_TEST_PAUSE_AT`` can stop it, in order.
STAGES = ("locked", "ingested", "fitting", "artifacts", "renamed", "commit", "committed")


def pause_point(stage: str, stream: IO[str] | None = None) -> None:
    """Sleep here when ``TROIKA_TEST_PAUSE_AT`` names ``stage`` (a test kills the process meanwhile)."""
    wanted = [s.strip() for s in os.environ.get(PAUSE_ENV, "").split(",") if s.strip()]
    if stage in wanted:
        stream = stream or sys.stderr
        print(f"TROIKA_PAUSED {stage}", file=stream, flush=True)
        time.sleep(float(os.environ.get("TROIKA_TEST_PAUSE_SECONDS", "120")))
