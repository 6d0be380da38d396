"""Scenarios as data (DESIGN §5): the two dataclasses, their validation, and the plain-mapping round trip.

A scenario is a mapping (the content of a scenario file, see :mod:`forecast.decisions.scenario_files`)::

    name: consumption_campaign            # identifier (required)
    name_zh: 促消费活动                    # optional
    description: "..."                    # optional, also description_zh
    base_run: null                        # optional run id the scenario was written against
    adjustments:                          # required (may be empty: the identity scenario)
      - kind: pct                         # pp | pct | abs | set
        indicator: retail                 # code, Chinese name or alias
        regions: [shenyang, dalian]       # codes, Chinese names or aliases; a single name is accepted
        months: 2026-11..2026-12          # inclusive range of period-end months, or a list [2026-11, 2026-12]
        value: 3.0                        # pp / % / 亿元 (total over the months) / % growth
        note: "..."                       # optional

Every problem of a mapping (or file) is collected and raised as one :class:`~forecast.data.errors.DataError` whose
problems name the field, e.g. ``adjustments[1].regions[0]: unknown region 'shenyan'``. Months are
checked against a forecast's horizon when the scenario is applied (:func:`forecast.decisions.scenarios.apply_scenario`).
Names (``name``, ``name_zh``) are plain text on one line: a control character (tab, line break, BEL, …)
in one is a problem, since names become sheet names, file names and labels.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from forecast.data.catalog import INDICATORS, REGIONS, indicator_code, region_code
from forecast.data.errors import DataError, Problem

KINDS = ("pp", "pct", "abs", "set")
#: What ``value`` means for each kind.
KIND_UNITS = {"pp": "percentage points added to YoY growth", "pct": "% change of the level",
              "abs": "亿元 added in total over the months", "set": "YoY growth in %"}
_ADJ_REQUIRED = ("kind", "indicator", "regions", "months", "value")
_ADJ_FIELDS = (*_ADJ_REQUIRED, "note")
_SCN_FIELDS = ("name", "name_zh", "description", "description_zh", "base_run", "adjustments")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_RANGE = re.compile(r"^\s*(\d{4}-\d{1,2})\s*\.\.\s*(\d{4}-\d{1,2})\s*$")


def control_characters(text: str) -> list[tuple[int, str]]:
    r"""``(position, character)`` of every control character (Unicode category Cc) in ``text``, 0-based.

    Examples
    --------
    >>> control_characters("促消费\x07 a\tb")
    [(3, '\x07'), (6, '\t')]
    """
    return [(i, c) for i, c in enumerate(text) if unicodedata.category(c) == "Cc"]


def _check_name(value: Any, field: str, add) -> None:
    """Report a control character in a scenario name (``name``, ``name_zh``) under ``field``."""
    bad = control_characters(str(value)) if isinstance(value, str | int) else []
    if bad:
        where = ", ".join(f"U+{ord(c):04X} at character {i + 1}" for i, c in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        add(field, f"contains a control character ({where}{more}); a scenario name is plain text on one line "
                   "(it becomes a sheet name and a file name): remove it", "name_control", where=where, more=more)


def _month(x: Any) -> pd.Period | None:
    if isinstance(x, pd.Period):
        return x.asfreq("M") if x.freqstr != "M" else x
    if isinstance(x, dt.date):
        return pd.Period(year=x.year, month=x.month, freq="M")
    m = _MONTH.match(x) if isinstance(x, str) else None
    if m and 1 <= int(m.group(2)) <= 12:
        return pd.Period(year=int(m.group(1)), month=int(m.group(2)), freq="M")
    return None


def month_range(months: str) -> tuple[pd.Period, pd.Period]:
    """Bounds of a ``'YYYY-MM..YYYY-MM'`` range (inclusive).

    Examples
    --------
    >>> [str(p) for p in month_range("2026-11..2027-06")]
    ['2026-11', '2027-06']
    """
    m = _RANGE.match(months)
    if not m:
        raise DataError(f"months={months!r}; expected a range 'YYYY-MM..YYYY-MM'")
    start, end = _month(m.group(1)), _month(m.group(2))
    if start is None or end is None:
        raise DataError(f"months={months!r}: a month is not between 01 and 12")
    return start, end


def _check_months(raw: Any, at: str, add) -> tuple[pd.Period, ...] | str | None:
    if isinstance(raw, str) and ".." in raw:
        m = _RANGE.match(raw)
        start = _month(m.group(1)) if m else None
        end = _month(m.group(2)) if m else None
        if start is None or end is None:
            add(at, f"malformed range {raw!r}; expected 'YYYY-MM..YYYY-MM' (e.g. '2026-11..2027-06')", "scn_bad_range", value=raw)
            return None
        if start > end:
            add(at, f"range {raw!r} ends before it starts; expected start ≤ end", "scn_range_reversed", value=raw)
            return None
        return f"{start}..{end}"
    items = [raw] if isinstance(raw, str | pd.Period | dt.date) else raw
    if not isinstance(items, Sequence) or isinstance(items, bytes) or not len(items):
        add(at, f"got {raw!r}; expected a range 'YYYY-MM..YYYY-MM' or a non-empty list of 'YYYY-MM' months", "scn_bad_months", value=raw)
        return None
    out: list[pd.Period] = []
    for j, x in enumerate(items):
        p = _month(x)
        if p is None:
            add(f"{at}[{j}]", f"got {x!r}; expected a month 'YYYY-MM' (e.g. '2026-11')", "scn_bad_month", value=x)
        elif p in out:
            add(f"{at}[{j}]", f"month {p} is listed twice", "scn_month_twice", month=str(p))
        else:
            out.append(p)
    return tuple(sorted(out))


def _check_adjustment(raw: Any, where: str, add) -> dict | None:
    """Validated, normalised fields of one adjustment (None when it has problems, reported via ``add``)."""
    if not isinstance(raw, Mapping):
        add(where.rstrip("."), f"got {type(raw).__name__} {raw!r}; expected a mapping with fields {_ADJ_FIELDS}", "scn_adj_not_mapping",
            type=type(raw).__name__, value=raw, fields=_ADJ_FIELDS)
        return None
    n0 = add.count
    for k in raw:
        if k not in _ADJ_FIELDS:
            add(f"{where}{k}", f"unknown field {k!r}; expected one of {', '.join(_ADJ_FIELDS)}", "scn_unknown_field", name=k,
                expected=", ".join(_ADJ_FIELDS))
    for k in _ADJ_REQUIRED:
        if k not in raw or raw[k] is None:
            add(f"{where}{k}", f"missing field {k!r} ({'one of ' + '|'.join(KINDS) if k == 'kind' else 'required'})",
                "scn_missing_kind" if k == "kind" else "scn_missing_field", name=k, kinds="|".join(KINDS))
    out: dict[str, Any] = {}
    kind = raw.get("kind")
    if kind is not None:
        if isinstance(kind, str) and kind.strip().lower() in KINDS:
            out["kind"] = kind.strip().lower()
        else:
            add(f"{where}kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", "scn_unknown_kind", value=kind,
                expected=", ".join(KINDS))
    ind = raw.get("indicator")
    if ind is not None:
        try:
            out["indicator"] = indicator_code(ind)
        except DataError:
            add(f"{where}indicator", f"unknown indicator {ind!r}; expected one of {', '.join(INDICATORS)}", "scn_unknown_indicator",
                value=ind, expected=", ".join(INDICATORS))
    regs = raw.get("regions")
    if regs is not None:
        items = [regs] if isinstance(regs, str) else regs
        if not isinstance(items, Sequence) or not len(items):
            add(f"{where}regions", f"got {regs!r}; expected a non-empty list of regions", "scn_bad_regions", value=regs)
        else:
            codes: list[str] = []
            for j, r in enumerate(items):
                try:
                    c = region_code(r)
                except DataError:
                    add(f"{where}regions[{j}]", f"unknown region {r!r}; expected one of {', '.join(REGIONS)}", "scn_unknown_region",
                        value=r, expected=", ".join(REGIONS))
                    continue
                if c in codes:
                    add(f"{where}regions[{j}]", f"region {c!r} is listed twice", "scn_region_twice", region=c)
                codes.append(c)
            out["regions"] = tuple(codes)
    if raw.get("months") is not None:
        out["months"] = _check_months(raw["months"], f"{where}months", add)
    val = raw.get("value")
    if val is not None:
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            add(f"{where}value", f"got {val!r}; expected a finite number ({KIND_UNITS.get(out.get('kind'), 'see kind')})", "scn_bad_value",
                value=val, unit=KIND_UNITS.get(out.get("kind"), "see kind"))
        elif out.get("kind") in ("pct", "set") and val < -100:
            add(f"{where}value", f"{out['kind']} {val} would make the level negative; expected a value ≥ -100", "scn_negative_level",
                kind=out["kind"], value=val)
        else:
            out["value"] = float(val)
    note = raw.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        add(f"{where}note", f"got {note!r}; expected text", "scn_not_text", value=note)
    out["note"] = note if isinstance(note, str) else ""
    return out if add.count == n0 else None


class ProblemCollector(list):
    """Collects problems of one source; ``add(field, message)`` is the callback the checks use."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    @property
    def count(self) -> int:
        return len(self)

    def __call__(self, field: str | None, message: str, code: str = "", **fields: Any) -> None:
        self.append(Problem(self.source, None, field or None, message, code, fields))

    add = __call__

    def raise_if_any(self, what: str = "scenario") -> None:
        if self:
            first = self[0]
            more = f" (and {len(self) - 1} more problem(s))" if len(self) > 1 else ""
            where = f"{first.column}: " if first.column else ""
            raise DataError(f"{what} {self.source}: {where}{first.message}{more}", list(self))


@dataclass(frozen=True)
class Adjustment:
    """One what-if change: ``kind`` of ``value`` on ``indicator`` in ``regions`` over ``months``.

    ``kind``: ``pp`` adds ``value`` percentage points to each month's YoY growth; ``pct`` scales the
    level by ``value`` % (≥ −100); ``abs`` adds ``value`` 亿元 in total, spread over the months in
    proportion to the calendar months of each period (Jan–Feb counts two); ``set`` sets each month's YoY
    growth to ``value`` % (≥ −100). ``months`` is a tuple of ``Period[M]`` (strings ``'YYYY-MM'`` are
    converted, sorted) or an inclusive range string ``'YYYY-MM..YYYY-MM'`` selecting every forecast
    period whose period-end month lies in it. Names are normalised to catalogue codes.

    Raises
    ------
    DataError
        Naming each bad field.

    Examples
    --------
    >>> a = Adjustment("pct", "社零", ("沈阳",), "2026-11..2026-12", 3.0)
    >>> a.indicator, a.regions, a.months
    ('retail', ('shenyang',), '2026-11..2026-12')
    """

    kind: str
    indicator: str
    regions: tuple[str, ...]
    months: tuple[pd.Period, ...] | str
    value: float
    note: str = ""

    def __post_init__(self) -> None:
        probs = ProblemCollector("Adjustment")
        out = _check_adjustment({f.name: getattr(self, f.name) for f in fields(self)}, "", probs)
        probs.raise_if_any("invalid")
        for k, v in (out or {}).items():
            object.__setattr__(self, k, v)

    @property
    def is_range(self) -> bool:
        return isinstance(self.months, str)


@dataclass(frozen=True)
class Scenario:
    """A named list of adjustments (DESIGN §5), optionally tied to the run it was written against.

    Examples
    --------
    >>> s = Scenario("demo", [Adjustment("pp", "fai", ("dalian",), ("2026-12",), 1.0)])
    >>> len(s.adjustments), str(s.adjustments[0].months[0])
    (1, '2026-12')
    """

    name: str
    adjustments: tuple[Adjustment, ...]
    base_run: str | None = None
    description: str = ""
    name_zh: str = ""
    description_zh: str = ""

    def __post_init__(self) -> None:
        probs = ProblemCollector("Scenario")
        if not isinstance(self.name, str) or not self.name.strip():
            probs("name", f"got {self.name!r}; expected a non-empty name", "scn_empty_name", value=self.name)
        _check_name(self.name, "name", probs)
        _check_name(self.name_zh, "name_zh", probs)
        if self.base_run is not None and not isinstance(self.base_run, str):
            probs("base_run", f"got {self.base_run!r}; expected a run id (text) or null", "scn_bad_base_run", value=self.base_run)
        for f in ("description", "name_zh", "description_zh"):
            if not isinstance(getattr(self, f), str):
                probs(f, f"got {getattr(self, f)!r}; expected text", "scn_not_text", value=getattr(self, f))
        adjs = self.adjustments
        if isinstance(adjs, Mapping) or not isinstance(adjs, Sequence):
            probs("adjustments", f"got {type(adjs).__name__}; expected a list of adjustments", "scn_adjs_not_list",
                  type=type(adjs).__name__)
            adjs = ()
        norm = []
        for i, a in enumerate(adjs):
            if isinstance(a, Adjustment):
                norm.append(a)
            else:
                fields_ = _check_adjustment(a, f"adjustments[{i}].", probs)
                if fields_ is not None:
                    norm.append(Adjustment(**fields_))
        probs.raise_if_any("invalid")
        object.__setattr__(self, "adjustments", tuple(norm))


# -- dict round trip -----------------------------------------------------------------------------------
def adjustment_to_dict(a: Adjustment) -> dict:
    """Plain (YAML/JSON-ready) mapping of an adjustment."""
    months = a.months if isinstance(a.months, str) else [str(p) for p in a.months]
    out = {"kind": a.kind, "indicator": a.indicator, "regions": list(a.regions), "months": months,
           "value": a.value}
    if a.note:
        out["note"] = a.note
    return out


def scenario_to_dict(s: Scenario) -> dict:
    """Plain (YAML/JSON-ready) mapping of a scenario; :func:`scenario_from_dict` inverts it."""
    out: dict[str, Any] = {"name": s.name}
    for f in ("name_zh", "description", "description_zh"):
        if getattr(s, f):
            out[f] = getattr(s, f)
    out["base_run"] = s.base_run
    out["adjustments"] = [adjustment_to_dict(a) for a in s.adjustments]
    return out


def scenario_from_dict(data: Any, source: str = "<dict>") -> Scenario:
    """Validate a mapping and build a :class:`Scenario`; one DataError lists every problem.

    Examples
    --------
    >>> scenario_from_dict({"name": "empty", "adjustments": []}).adjustments
    ()
    """
    probs = ProblemCollector(source)
    if not isinstance(data, Mapping):
        probs(None, f"got {type(data).__name__}; expected a mapping with fields {', '.join(_SCN_FIELDS)}", "scn_not_mapping",
              type=type(data).__name__, expected=", ".join(_SCN_FIELDS))
        probs.raise_if_any()
    for k in data:
        if k not in _SCN_FIELDS:
            probs(str(k), f"unknown field {k!r}; expected one of {', '.join(_SCN_FIELDS)}", "scn_unknown_field", name=k,
                  expected=", ".join(_SCN_FIELDS))
    for k in ("name", "adjustments"):
        if data.get(k) is None:
            probs(k, f"missing field {k!r} (required)", "scn_missing_field", name=k, kinds="|".join(KINDS))
    name = data.get("name")
    if name is not None and (not isinstance(name, str | int) or not str(name).strip()):
        probs("name", f"got {name!r}; expected a non-empty name", "scn_empty_name", value=name)
    _check_name(name, "name", probs)
    _check_name(data.get("name_zh"), "name_zh", probs)
    for k in ("name_zh", "description", "description_zh", "base_run"):
        v = data.get(k)
        if v is not None and not isinstance(v, str):
            probs(k, f"got {v!r}; expected text", "scn_not_text", value=v)
    adjs = data.get("adjustments")
    norm: list[Adjustment] = []
    if adjs is not None and (isinstance(adjs, str | Mapping) or not isinstance(adjs, Sequence)):
        probs("adjustments", f"got {type(adjs).__name__}; expected a list of adjustments", "scn_adjs_not_list",
              type=type(adjs).__name__)
    elif adjs is not None:
        for i, a in enumerate(adjs):
            f = _check_adjustment(a, f"adjustments[{i}].", probs)
            if f is not None:
                norm.append(Adjustment(**f))
    probs.raise_if_any()
    return Scenario(str(name).strip(), tuple(norm), data.get("base_run"), data.get("description") or "",
                    data.get("name_zh") or "", data.get("description_zh") or "")
