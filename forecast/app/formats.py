"""How many decimals a table column needs so that a change shown is never hidden by rounding (no Streamlit).

Growth is shown to one decimal; a column of changes gets as many decimals as it takes for every change that
is not zero to show as not zero (up to :data:`MOST`), and two figures whose change is shown as not zero get
as many decimals as it takes to look different (a scenario moving 2.66 % to 2.74 % is not "2.7 % → 2.7 %,
change 0.1"). The app turns the digits into ``st.column_config.NumberColumn`` formats.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

#: The most decimals a growth or a change is ever shown with.
MOST = 3
#: A change smaller than this is noise of floating point, shown as zero.
NOISE = 0.5 * 10 ** -MOST


def _arr(values: Iterable[float]) -> np.ndarray:
    return np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)


def change_digits(delta: Iterable[float], digits: int = 1) -> int:
    """The fewest decimals (at least ``digits``) at which every change of at least :data:`NOISE` shows as
    not zero.

    Examples
    --------
    >>> change_digits([0.4, -1.2]), change_digits([0.04, 1.0]), change_digits([0.0, 1e-15])
    (1, 2, 1)
    """
    d = _arr(delta)
    d = d[np.isfinite(d) & (np.abs(d) >= NOISE)]
    for n in range(digits, MOST + 1):
        if not len(d) or np.all(np.round(d, n) != 0):
            return n
    return MOST


def pair_digits(a: Iterable[float], b: Iterable[float], digits: int = 1, delta_digits: int | None = None) -> int:
    """The fewest decimals (at least ``digits``) at which ``a`` and ``b`` look different on every row whose
    change ``b − a`` is shown as not zero (at ``delta_digits``, default :func:`change_digits`).

    Examples
    --------
    >>> pair_digits([2.66, 1.0], [2.74, 2.0])      # 2.7 and 2.7 would hide a change of 0.1
    2
    >>> pair_digits([1.0], [2.0]), pair_digits([2.7], [2.7])
    (1, 1)
    """
    x, y = _arr(a), _arr(b)
    delta = y - x
    dd = change_digits(delta, digits) if delta_digits is None else delta_digits
    shown = np.isfinite(delta) & (np.round(np.nan_to_num(delta), dd) != 0)
    for n in range(digits, MOST + 1):
        if np.all(np.round(x[shown], n) != np.round(y[shown], n)):
            return n
    return MOST


def printf(digits: int) -> str:
    """The ``NumberColumn`` format of ``digits`` decimals.

    Examples
    --------
    >>> printf(1), printf(0)
    ('%.1f', '%d')
    """
    return "%d" if digits == 0 else f"%.{digits}f"
