"""Uploaded files: kept private under the data folder, for a limited time.

An upload is written once to ``<data dir>/uploads/<upload id>/<file name>`` (folders ``0700``, files
``0600``: readable by the server's account only, never in a shared temporary folder), validated and,
on confirmation, ingested from there (:func:`forecast.app.storage.ingest_upload`). Each new upload first
deletes the uploads older than the retention period (:func:`retention_days`: ``$TROIKA_UPLOAD_DAYS``,
default 30 days). The store keeps each ingested file's sha256 and name for good, so deleting the file
loses nothing the store needs.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from forecast.app.access import Actor, require
from forecast.data.files import resolve_data_path
from forecast.runs.store import Store, file_sha256
from forecast.runs.store.audit import record

#: Environment variable: days an upload is kept (a whole number ≥ 0; 0 deletes older uploads at each upload).
ENV_UPLOAD_DAYS = "TROIKA_UPLOAD_DAYS"
DEFAULT_UPLOAD_DAYS = 30
DIR_MODE, FILE_MODE = 0o700, 0o600


def retention_days() -> int:
    """Days an upload is kept: ``$TROIKA_UPLOAD_DAYS``, default 30.

    Raises
    ------
    ValueError
        When the variable is not a whole number ≥ 0 (saying what it holds).
    """
    raw = os.environ.get(ENV_UPLOAD_DAYS, "").strip()
    if not raw:
        return DEFAULT_UPLOAD_DAYS
    if not raw.isdigit():
        raise ValueError(f"{ENV_UPLOAD_DAYS}={raw!r}; expected a whole number of days ≥ 0 (default {DEFAULT_UPLOAD_DAYS})")
    return int(raw)


def uploads_folder() -> Path:
    """``uploads/`` in the data folder (``$TROIKA_DATA_DIR`` or the repository's ``data/``)."""
    return resolve_data_path("uploads")


def private_folder(path: Any) -> Path:
    """Create ``path`` (and its missing parents) and make it ``0700``, also when it existed with wider rights."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def safe_name(name: str, default: str = "upload") -> str:
    """A file or folder name made of ``name``'s letters, digits, ``.``, ``-`` and ``_`` (no path, no leading dot).

    Examples
    --------
    >>> safe_name("../../etc/passwd"), safe_name("锦州 2026.csv"), safe_name("..")
    ('passwd', '锦州_2026.csv', 'upload')
    """
    base = re.split(r"[\\/]", str(name))[-1]
    cleaned = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).lstrip(".")[:120]
    return cleaned or default


def prune_uploads(folder: Any, keep_days: int, now: float | None = None) -> list[Path]:
    """Delete the files of ``folder`` last changed more than ``keep_days`` days ago, and its old empty sub-folders.

    Symbolic links are removed as links, never followed. Returns the files deleted.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - keep_days * 86400
    gone: list[Path] = []
    emptied: set[str] = set()
    for root, dirs, files in os.walk(folder, topdown=False, followlinks=False):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            p = Path(root) / name
            if p.lstat().st_mtime < cutoff:
                p.unlink()
                gone.append(p)
                emptied.add(root)
        here = Path(root)
        # an empty folder goes when this pruning emptied it or it is old (not one another session just made)
        if here != folder and not any(here.iterdir()) and (root in emptied or here.lstat().st_mtime < cutoff):
            here.rmdir()
            emptied.add(str(here.parent))
    return gone


def save_upload(data: bytes, name: str, upload_id: str, *, actor: Actor, db: Any, folder: Any = None,
                keep_days: int | None = None) -> Path:
    """Keep an uploaded file privately as ``<folder>/<upload_id>/<name>`` and return its path.

    Written once per ``upload_id`` (Streamlit's id of the uploaded file; the page reruns with the same
    one): a new file first prunes uploads older than ``keep_days`` (default :func:`retention_days`) and is
    recorded in the audit trail (``upload``: the name, ``after`` the file's sha256).

    Raises
    ------
    AccessDenied
        When ``actor`` may not upload (a viewer); nothing is written.
    """
    require(actor, "upload")
    folder = private_folder(folder if folder is not None else uploads_folder())
    sub = folder / safe_name(upload_id)
    path = sub / safe_name(name)
    if path.exists():
        return path
    prune_uploads(folder, retention_days() if keep_days is None else keep_days)
    private_folder(sub)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as out:
            os.fchmod(out.fileno(), FILE_MODE)  # whatever the umask
            out.write(data)
    except FileExistsError:  # another session saved the same upload a moment ago
        return path
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    record(Store(db), actor.who, "upload", name, after=file_sha256(path))
    return path
