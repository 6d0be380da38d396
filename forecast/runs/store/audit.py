"""The audit trail (DESIGN §8): who wrote what to troika, and when.

Every write a person makes — an upload, an ingest, a target change, a scenario saved or deleted, a batch
run started (and seen to finish) — adds one row to the store's ``audit`` table (schema version 3, see
:mod:`forecast.runs.store.schema`). The table is append-only: triggers refuse ``UPDATE`` and ``DELETE``.

Columns
    ``id`` (order of writing), ``at`` (UTC, ISO 8601 to the second), ``who`` (the OIDC e-mail of the
    logged-in user, or ``local:<os user>`` in local mode), ``action`` (one of :data:`ACTIONS`), ``what``
    (a scenario name, a file name, a target's key, …), ``before`` and ``after`` (what identifies the state
    before and after the write, as text: the previous and the new run id, the previous and the new ingest
    id, the sha256 of a scenario file; NULL when there is none).

Call :func:`record` right after the write succeeds, or inside the write's own transaction by passing its
connection, so that the row and the write are committed together. Read with :func:`audit_log`, or from a
shell: ``sqlite3 data/troika.db "SELECT at, who, action, what, before, after FROM audit ORDER BY id"``.

Examples
--------
>>> import os, tempfile
>>> from forecast.runs.store import Store
>>> store = Store(os.path.join(tempfile.mkdtemp(), "t.db"))
>>> record(store, "li.lei@example.gov.cn", "scenario_save", "沈阳促消费", after="ab12")
1
>>> audit_log(store)[["who", "action", "what", "before", "after"]]
                     who         action   what before after
0  li.lei@example.gov.cn  scenario_save  沈阳促消费   None  ab12
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pandas as pd

from forecast.runs.store.schema import now

#: The audit table's name and columns, in order.
AUDIT_TABLE = "audit"
AUDIT_COLUMNS = ("id", "at", "who", "action", "what", "before", "after")

#: The writes the trail knows. ``target_change``: a target set or changed (``what`` names the target, e.g.
#: ``"2026 shenyang retail"``; ``before``/``after`` the old and new value). ``run_finish`` is written by the
#: session that started a run when it sees the run end (``after``: the new latest run id).
ACTIONS = ("upload", "ingest", "target_change", "scenario_save", "scenario_delete", "run_start", "run_finish")

_INSERT = f"INSERT INTO {AUDIT_TABLE} (at, who, action, what, before, after) VALUES (?, ?, ?, ?, ?, ?)"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _check(who: str, action: str, what: str) -> None:
    if not isinstance(who, str) or not who.strip():
        raise ValueError(f"audit record: who={who!r}; expected the acting user's name or e-mail")
    if action not in ACTIONS:
        raise ValueError(f"audit record: unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if not isinstance(what, str):
        raise ValueError(f"audit record: what={what!r}; expected text (a scenario name, a file name, …)")


def record(store_or_conn: Any, who: str, action: str, what: str, before: Any = None, after: Any = None) -> int:
    """Add one row to the audit trail and return its id.

    Parameters
    ----------
    store_or_conn : Store or sqlite3.Connection
        A :class:`~forecast.runs.store.Store` (the row is written in a transaction of its own), or a
        connection (the row joins the caller's transaction and commits with it).
    who : str
        The acting user: the OIDC e-mail, or ``local:<os user>`` in local mode.
    action : str
        One of :data:`ACTIONS`.
    what : str
        What was written: a scenario name, a file name, a target's key.
    before, after : optional
        What identifies the state before and after (run ids, ingest ids, file hashes, values); stored as
        text, NULL when None.

    Raises
    ------
    ValueError
        For an empty ``who``, an unknown ``action`` or a ``what`` that is not text.
    StoreError
        When the store cannot be written.

    Examples
    --------
    >>> import os, tempfile
    >>> from forecast.runs.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "t.db"))
    >>> with store.transaction() as conn:                      # one commit for the write and its record
    ...     record(conn, "local:wang", "target_change", "2026 shenyang retail", before=5.0, after=5.5)
    1
    >>> record(store, "local:wang", "renamed", "x")
    Traceback (most recent call last):
    ...
    ValueError: audit record: unknown action 'renamed'; expected one of upload, ingest, target_change, scenario_save, scenario_delete, run_start, run_finish
    """
    _check(who, action, what)
    row = (now(), who.strip(), action, what, _text(before), _text(after))
    if isinstance(store_or_conn, sqlite3.Connection):
        return int(store_or_conn.execute(_INSERT, row).lastrowid)
    store = _store(store_or_conn)
    with store.transaction() as conn:
        return int(conn.execute(_INSERT, row).lastrowid)


def audit_log(store_or_conn: Any, action: str | None = None, who: str | None = None) -> pd.DataFrame:
    """The audit trail, oldest first: columns :data:`AUDIT_COLUMNS` (``at`` as ISO text, UTC).

    Parameters
    ----------
    store_or_conn : Store or sqlite3.Connection
        The store, e.g. ``Store("data/troika.db", create=False)``.
    action, who : str, optional
        Keep only the rows of this action, or of this user.
    """
    sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM {AUDIT_TABLE}"
    where, params = [], []
    for col, value in (("action", action), ("who", who)):
        if value is not None:
            where.append(f"{col} = ?")
            params.append(value)
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    if isinstance(store_or_conn, sqlite3.Connection):
        rows = store_or_conn.execute(sql, params).fetchall()
    else:
        with _store(store_or_conn).connect() as conn:
            rows = conn.execute(sql, params).fetchall()
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))


def _store(store: Any) -> Any:
    """``store`` when it is a Store (it has ``transaction`` and ``connect``); this module never opens one itself,
    so that the store package may import it without a cycle."""
    if hasattr(store, "transaction") and hasattr(store, "connect"):
        return store
    raise TypeError(f"expected a Store or a sqlite3.Connection; got {type(store).__name__}: {store!r}")
