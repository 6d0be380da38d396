"""Annual growth targets (``data/targets.csv``) → a validated targets frame.

Targets come from each government work report: "增长5%左右" (about 5%) or "增长5%以上" (at least 5%).
The file is read with the same machinery as observation tables (CSV or Excel, UTF-8 or GBK, Chinese or
English headers) and every problem is reported at once with file, row and column.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from forecast.data import schema
from forecast.data.catalog import INDICATORS, REGIONS, indicator_code, region_code
from forecast.data.cells import fold, parse_number, text
from forecast.data.errors import DataError, Problem
from forecast.data.files import current_data_dir
from forecast.data.grids import Line, read_grids
from forecast.data.schema import KIND, TARGET_COLUMNS

_TARGET_ROLES = {"region": ("地区", "region"), "indicator": ("指标", "indicator"), "year": ("年份", "年度", "year"),
                 "value": ("目标", "目标值", "目标增速", "增长目标", "value", "target"),
                 "kind": ("类型", "目标类型", "kind"), "status": ("状态", "status"), "source": ("来源", "source")}
_TARGET_ROLE = {fold(n): r for r, names in _TARGET_ROLES.items() for n in names}
_KINDS = {"about": "about", "左右": "about", "约": "about", "around": "about", "at_least": "at_least",
          "atleast": "at_least", "以上": "at_least", "不低于": "at_least", "至少": "at_least", ">=": "at_least"}
_TARGET_STATUS = {"": "published", "published": "published", "公布": "published", "公开": "published",
                  "analyst": "analyst", "分析员": "analyst", "reference": "reference", "参考": "reference"}
#: Statuses retired: a guessed target gave red verdicts against figures nobody published.
_RETIRED_STATUS = {"assumed", "假设", "设定"}


def _target_row(line: Line, cols: dict[str, int], header: Line, file: str, probs: list[Problem]) -> dict:
    def bad(role: str, message: str, code: str, **fields: object) -> None:
        probs.append(Problem(file, line.row, text(header.get(cols[role])), message, code, fields))

    out, val = {}, text(line.get(cols["value"]))
    raw_kind = fold(line.get(cols["kind"])) if "kind" in cols else ""
    for word in ("左右", "以上"):   # '5左右' in the value cell names the kind
        if val.endswith(word):
            val, raw_kind = val[: -len(word)], raw_kind or word
    for role, parse in ((schema.REGION, region_code), (schema.INDICATOR, indicator_code)):
        try:
            out[role] = parse(text(line.get(cols[role])))
        except DataError as e:
            known = ", ".join(REGIONS if role == schema.REGION else INDICATORS)
            bad(role, e.summary if hasattr(e, "summary") else str(e), f"target_unknown_{role}",
                name=text(line.get(cols[role])), codes=known)
    m = re.fullmatch(r"(\d{4})年?", fold(line.get(cols["year"])))
    if m and 1949 <= int(m.group(1)) <= 2100:
        out[schema.YEAR] = int(m.group(1))
    else:
        bad("year", f"cannot read year {text(line.get(cols['year']))!r}; expected e.g. 2025", "bad_year",
            value=text(line.get(cols["year"])))
    try:
        number = parse_number(val)
        out[schema.VALUE] = float(number) if number is not None else None
        if number is None:
            bad("value", "target value is empty; expected a growth rate in %, e.g. 5", "target_empty")
    except ValueError as e:
        probs.append(Problem.of_error(file, line.row, text(header.get(cols["value"])), e))
    out[KIND] = _KINDS.get(raw_kind)
    if out[KIND] is None:
        probs.append(Problem(file, line.row, text(header.get(cols["kind"])) if "kind" in cols else "kind",
                             f"unknown target kind {raw_kind!r}; expected about (左右) or at_least (以上)",
                             "target_kind", {"value": raw_kind}))
    raw_status = fold(line.get(cols["status"])) if "status" in cols else ""
    out[schema.STATUS] = _TARGET_STATUS.get(raw_status)
    if raw_status in _RETIRED_STATUS:
        bad("status", "assumed targets are no longer accepted: keep published targets here (with their source), "
            "and enter an analyst's target with `forecast targets set … --source TEXT` (who, when and why are kept)",
            "target_assumed")
    elif out[schema.STATUS] is None:
        bad("status", f"unknown status {text(line.get(cols['status']))!r}; expected published, analyst or reference",
            "target_status", value=text(line.get(cols["status"])))
    out[schema.SOURCE] = text(line.get(cols["source"])) if "source" in cols else ""
    if out[schema.STATUS] in ("analyst", "reference") and not out[schema.SOURCE].strip():
        bad("source" if "source" in cols else "status",
            f"a {out[schema.STATUS]} target needs its source (the document, the person and reason, or the rule)",
            "target_source", status=out[schema.STATUS])
    return out


def load_targets(path: str | os.PathLike | None = None, *, encoding: str | None = None) -> pd.DataFrame:
    """Read annual targets (``data/targets.csv`` by default).

    Columns ``region, indicator, year, value, kind, status, source`` (or 地区, 指标, 年份, 目标, 类型,
    状态, 来源). ``value`` is growth in %; ``kind`` is ``about`` (左右) or ``at_least`` (以上), also read
    from a value such as ``5左右``; ``status`` (provenance) is ``published`` (default: a source document is
    named), ``analyst`` (entered by a person; the source says who and why) or ``reference`` (derived by a
    stated rule); ``analyst`` and ``reference`` rows need a ``source``. ``assumed`` is refused: troika gives no verdict against a
    target nobody set.

    Raises
    ------
    DataError
        Listing every unknown region/indicator, unreadable year/value, unknown kind/status and
        duplicate (region, indicator, year), with file, row and column.

    Examples
    --------
    >>> targets = load_targets()
    >>> targets.columns.tolist()
    ['region', 'indicator', 'year', 'value', 'kind', 'status', 'source']
    """
    path = Path(path) if path is not None else current_data_dir() / "targets.csv"
    file, probs, rows, seen = str(path), [], [], {}
    for label, _, lines in read_grids(path, encoding):
        hi = next((i for i, ln in enumerate(lines[:20]) if sum(fold(c) in _TARGET_ROLE for c in ln.cells) >= 3), None)
        if hi is None:
            raise DataError(f"{label}: no targets header", [Problem(label, None, None, "no header row found; "
                            f"expected columns {', '.join(TARGET_COLUMNS)}", "targets_no_header",
                            {"columns": ", ".join(TARGET_COLUMNS)})])
        header = lines[hi]
        cols = {_TARGET_ROLE[fold(c)]: j for j, c in enumerate(header.cells) if fold(c) in _TARGET_ROLE}
        missing = [r for r in ("region", "indicator", "year", "value") if r not in cols]
        probs += [Problem(label, header.row, r, "required column is missing", "required_column") for r in missing]
        if missing:
            continue
        for line in lines[hi + 1:]:
            if line.is_blank():
                continue
            n = len(probs)
            row = _target_row(line, cols, header, label, probs)
            key = (row.get(schema.REGION), row.get(schema.INDICATOR), row.get(schema.YEAR))
            if len(probs) == n and key in seen:
                probs.append(Problem(label, line.row, None, f"duplicate target for {key}: already at row {seen[key]}",
                                     "target_duplicate", {"key": key, "row": seen[key]}))
            elif len(probs) == n:
                seen[key] = line.row
                rows.append(row)
    if probs:
        raise DataError(f"{len(probs)} problem(s) in {file}; no target was read", probs)
    frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    return frame.astype({schema.REGION: object, schema.INDICATOR: object, schema.YEAR: "int64", schema.VALUE: "float64",
                         KIND: object, schema.STATUS: object, schema.SOURCE: object})
