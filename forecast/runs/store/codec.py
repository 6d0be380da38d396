"""Frames and sample paths ↔ bytes the store keeps: JSON (optionally zlib-compressed) and float32 blobs.

Never pickle: a store must stay readable by any SQLite client and safe to open. A frame is stored as
a column spec (``[[name, dtype], …]``, dtypes as pandas prints them) and its rows or columns as JSON;
``Period`` values become ``'YYYY-MM'``, NaN/NaT become ``null``; decoding restores the dtypes, so
``decode(encode(frame))`` equals the frame.

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"p": pd.PeriodIndex(["2025-02"], freq="M"), "x": [1.5]})
>>> spec, data = encode_columns(f)
>>> decode_columns(spec, data).equals(f)
True
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

import numpy as np
import pandas as pd

PATH_DTYPE = "<f4"


def _plain(v: Any) -> Any:
    """A JSON-ready Python value (NaN/NaT → None, Period → 'YYYY-MM', numpy scalars → Python)."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Period):
        return str(v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def to_json(value: Any) -> str:
    """Compact JSON text of ``value`` (see :func:`_plain` for the conversions)."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def frame_spec(frame: pd.DataFrame) -> list[list[str]]:
    """``[[column, dtype], …]`` of a frame."""
    return [[str(c), str(frame[c].dtype)] for c in frame.columns]


def _restore(values: list, dtype: str) -> Any:
    if dtype.startswith("period"):
        return pd.PeriodIndex([None if v is None else v for v in values], freq="M")
    if dtype.startswith(("float", "Float")):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=dtype.lower())
    if dtype == "bool":
        return np.array([bool(v) for v in values], dtype=bool)
    if dtype.startswith("int"):
        return np.array(values, dtype=dtype)
    if dtype in ("str", "string"):
        return pd.array(values, dtype=dtype)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _frame(spec: list, columns: list[list]) -> pd.DataFrame:
    data = {name: _restore(vals, dtype) for (name, dtype), vals in zip(spec, columns, strict=True)}
    n = len(columns[0]) if columns else 0
    return pd.DataFrame(data, index=pd.RangeIndex(n), columns=[s[0] for s in spec])


def encode_rows(frame: pd.DataFrame) -> tuple[str, list[str]]:
    """(column spec JSON, one JSON object text per row) of a frame."""
    cols = [str(c) for c in frame.columns]
    rows = [to_json(dict(zip(cols, r, strict=True))) for r in frame.itertuples(index=False, name=None)]
    return to_json(frame_spec(frame)), rows


def decode_rows(spec_json: str, rows: list[str]) -> pd.DataFrame:
    """Inverse of :func:`encode_rows`."""
    spec = json.loads(spec_json)
    recs = [json.loads(r) for r in rows]
    return _frame(spec, [[r.get(name) for r in recs] for name, _ in spec])


def encode_columns(frame: pd.DataFrame) -> tuple[str, bytes]:
    """(column spec JSON, zlib-compressed JSON list of columns) of a frame."""
    columns = [[_plain(v) for v in frame[c].tolist()] for c in frame.columns]
    return to_json(frame_spec(frame)), zlib.compress(json.dumps(columns, ensure_ascii=False).encode(), 6)


def decode_columns(spec_json: str, data: bytes) -> pd.DataFrame:
    """Inverse of :func:`encode_columns`."""
    return _frame(json.loads(spec_json), json.loads(zlib.decompress(data).decode()))


def paths_blob(paths: np.ndarray) -> tuple[int, int, bytes]:
    """``(n_paths, h, bytes)`` of a 2-D array stored as little-endian float32."""
    arr = np.ascontiguousarray(np.asarray(paths, dtype=np.float64), dtype=PATH_DTYPE)
    if arr.ndim != 2:
        raise ValueError(f"sample paths must be 2-D (n_paths × h), got shape {arr.shape}")
    return int(arr.shape[0]), int(arr.shape[1]), arr.tobytes()


def paths_from_blob(data: bytes, n_paths: int, h: int, dtype: str = PATH_DTYPE) -> np.ndarray:
    """Float64 array ``(n_paths, h)`` from a stored blob (a fresh, writable copy)."""
    return np.frombuffer(data, dtype=dtype).reshape(n_paths, h).astype(np.float64)
