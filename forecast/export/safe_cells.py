"""Safe output for the pack and the brief: text never a formula, no character a file's XML cannot hold.

Every text cell of the meeting pack goes through :func:`write_cell`: a text beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (a scenario description ``=1+2``, say) is stored as text with
Excel's quote prefix, so it is shown as typed and stays text when edited. Control characters, which the
XML of an .xlsx or a .docx cannot hold, are removed from every text (:func:`clean_text`). Sheet names are
made valid by :func:`sheet_title`: at most 31 characters, none of ``[]:*?/\\``, unique.
"""

from __future__ import annotations

import re
from typing import Any

#: Characters Excel's XML cannot hold (C0 controls but tab, line feed and carriage return; DEL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A text beginning with one of these could be taken for a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters a sheet name cannot hold, and its longest length (Excel's rules).
SHEET_FORBIDDEN = "[]:*?/\\"
SHEET_MAX = 31


def clean_text(text: str) -> str:
    r"""``text`` without the control characters an Excel workbook cannot hold (tab and line breaks kept).

    Examples
    --------
    >>> clean_text("促消费\x07活动\tA")
    '促消费活动\tA'
    """
    return _CONTROL.sub("", text)


def write_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to a cell and return the cell; a text is cleaned and always stored as text.

    A text beginning with any of :data:`FORMULA_START` gets ``data_type 's'`` (openpyxl would make
    ``'=…'`` a formula) and Excel's quote prefix (so it stays text when someone edits the cell).
    """
    if isinstance(value, str):
        value = clean_text(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique sheet name from ``text``; adds it to ``used`` (names in ``str.casefold`` form).

    Control characters are removed, each of ``[]:*?/\\`` becomes ``_``, apostrophes and spaces at either
    end are dropped (Excel refuses them there), ``History`` (reserved) gets a ``_``, the name is cut to 31
    characters and, if a sheet of the same name exists (Excel ignores case), ends in ``-2``, ``-3``, …

    Examples
    --------
    >>> used = set()
    >>> sheet_title("情景-a/b:c", used), sheet_title("情景-A/B:C", used)
    ('情景-a_b_c', '情景-A_B_C-2')
    >>> len(sheet_title("x" * 40, used))
    31
    """
    base = clean_text(text).translate(str.maketrans({c: "_" for c in SHEET_FORBIDDEN}))
    base = base.strip(" '")[:SHEET_MAX].strip(" '") or "Sheet"
    if base.casefold() == "history":  # reserved by Excel
        base += "_"
    out, n = base, 2
    while out.casefold() in used:
        suffix = f"-{n}"
        out = base[:SHEET_MAX - len(suffix)] + suffix
        n += 1
    used.add(out.casefold())
    return out
