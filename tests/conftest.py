"""Shared test set-up.

BLAS is limited to one thread before numpy is imported: statsmodels fits many tiny problems, and on a
2-core machine a multi-threaded BLAS makes each of them 5-10x slower (see bench/README.md).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
