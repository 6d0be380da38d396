"""Messages of the front ends in Chinese and English: input problems, notes and model names.

Every :class:`~forecast.data.errors.Problem` carries a ``code`` and the ``fields`` its English ``message`` was
made from; notes of the decision layer (scenarios, the inversion of a province target, gap shares,
reconciliation) are :class:`~forecast.data.errors.Coded` texts, English strings that carry theirs. This module
renders the template of every code in both languages (the templates: :mod:`forecast.present.problem_templates`
and :mod:`forecast.present.note_templates`):

- :func:`problem_text` — a problem in ``zh`` or ``en``;
- :func:`note_text` — a note (or several joined with ``'; '``) in ``zh`` or ``en``; a note read back from the
  store as plain text is recognised from its English template;
- :func:`model_name` — the display name of a model of the registry (``autoets`` → 指数平滑 ETS).

In Chinese, region and indicator codes in the fields become their catalogue names, and column roles, target
kinds and statuses their Chinese words. A problem whose code has no template falls back to its English
message in English, and to a general sentence followed by the original in Chinese.

Examples
--------
>>> from forecast.data.errors import Problem
>>> p = Problem("a.csv", 4, "地区", "unknown region '大莲'; …", "unknown_region", {"name": "大莲", "regions": "liaoning"})
>>> problem_text(p)[:9]
'未知地区“大莲”：'
>>> note_text("held at -1.3000% of the province (projected (median full-year levels))")
'统计差额保持在全省的-1.3000%(按预测(全年数值中位数))'
>>> model_name("autoets"), model_name("autoets", "en")
('指数平滑 ETS', 'ETS (exponential smoothing)')
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from typing import Any

from forecast.data.catalog import INDICATORS, REGIONS
from forecast.data.errors import Coded, Problem
from forecast.present.note_templates import FLAGS, MODEL_NAMES, NOTES, ZH_WORDS
from forecast.present.problem_templates import PROBLEMS

__all__ = ["FLAGS", "GENERIC_ZH", "MODEL_NAMES", "NOTES", "PROBLEMS", "error_text", "flag_text", "model_name",
           "note_text", "problem_text"]

#: The Chinese sentence before a problem's English text when its code has no template.
GENERIC_ZH = "输入有误(原文)："
_LANGS = ("zh", "en")


def _index(lang: str) -> int:
    if lang not in _LANGS:
        raise ValueError(f"lang={lang!r}; expected one of {_LANGS}")
    return _LANGS.index(lang)


class _Formatter(string.Formatter):
    """``str.format`` that writes a value as text when its format spec does not fit (a field read back from text)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


_FORMAT = _Formatter()


def _code_zh(token: str) -> str | None:
    if token in REGIONS:
        return REGIONS[token].name("zh")
    if token in INDICATORS:
        return INDICATORS[token].name("zh").split("(")[0].strip()
    return "统计差额" if token == "discrepancy" else None


def _word_zh(token: str, words: bool) -> str | None:
    """The Chinese of one token of a field: a catalogue code's name (``shenyang``, ``shenyang/fai``), a known
    word (``words``: the field names a role, a kind, …) or a note; None if none."""
    if "/" in token and all(_code_zh(x) for x in token.split("/")):
        return "/".join(_code_zh(x) for x in token.split("/"))
    if _code_zh(token):
        return _code_zh(token)
    if words and token in ZH_WORDS:
        return ZH_WORDS[token]
    return _parsed(token, "zh")


#: Fields that hold what a person wrote or a library said (never translated).
_LITERAL = frozenset({"name", "value", "error", "header", "path", "root", "suffix", "fields", "part", "last"})
#: Fields whose words (a column role, a target kind, a layout, …) have a Chinese name in ``ZH_WORDS``.
_WORDY = frozenset({"role", "what", "origin", "kind", "unit", "measure", "layout", "requirement", "method", "status", "rule"})


def _value(value: Any, lang: str, key: str = "") -> Any:
    """A field as the template of ``lang`` needs it (Coded parts rendered; codes and words in Chinese)."""
    if isinstance(value, Coded) and value.code:
        return note_text(value, lang)
    if lang == "en" or key in _LITERAL:
        return value
    if isinstance(value, list | tuple):
        return "、".join(str(_value(v, lang, key)) for v in value)
    if isinstance(value, str):
        tokens = value.split(", ")
        words = [_word_zh(x, key in _WORDY) for x in tokens]
        if any(w is not None for w in words):
            return "、".join(w if w is not None else x for w, x in zip(words, tokens, strict=True))
    return value


def _render(code: str, fields: Mapping[str, Any], lang: str) -> str | None:
    pair = PROBLEMS.get(code) or NOTES.get(code)
    if code == "joined" and "parts" in fields:
        return ("；" if lang == "zh" else "; ").join(note_text(p, lang) for p in fields["parts"])
    if pair is None:
        return None
    try:
        return _FORMAT.format(pair[_index(lang)], **{k: _value(v, lang, k) for k, v in fields.items()})
    except (KeyError, IndexError, ValueError, AttributeError):
        return None


_FIELD = re.compile(r"\{(\w+)(![rs])?(:[^}]*)?\}")


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    """The English template of every code as a regular expression that gives back its fields."""
    out = []
    for code, (_, en) in [*NOTES.items(), *PROBLEMS.items()]:
        rx, seen, pos = [], set(), 0
        for m in _FIELD.finditer(en):
            rx.append(re.escape(en[pos:m.start()]))
            name, quoted = m.group(1), m.group(2) == "!r"
            group = f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
            seen.add(name)
            rx.append(f"['\"]{group}['\"]" if quoted else group)
            pos = m.end()
        rx.append(re.escape(en[pos:]))
        if len(_FIELD.sub("", en)) >= 8:   # a template that is (nearly) only fields would match any text
            out.append((code, re.compile("".join(rx), re.DOTALL)))
    return out


def _parsed(text: str, lang: str) -> str | None:
    """``text`` rendered in ``lang`` when it is the English of one template, else None (fields of fields are
    looked at two levels deep at most)."""
    global _DEPTH
    if _DEPTH >= 2:
        return None
    _DEPTH += 1
    try:
        for code, rx in _patterns():
            m = rx.fullmatch(text)
            if m:
                return _render(code, m.groupdict(), lang)
        return None
    finally:
        _DEPTH -= 1


_DEPTH = 0


def note_text(note: Any, lang: str = "zh") -> str:
    """A note (or several joined with ``'; '``) in ``lang``; parts without a template are kept as they are.

    Examples
    --------
    >>> note_text("baseline = YTD growth (no forecast)"), note_text("something else", "zh")
    ('基准 = 累计增速(无预测)', 'something else')
    >>> note_text("includes cities left out: fushun (no forecast), dalian")
    '含未纳入的城市：抚顺(无预测)、大连'
    """
    _index(lang)
    if note is None or (not isinstance(note, str)) or not note:
        return "" if note is None or note != note else str(note)
    if lang == "en":   # a note is its English text
        return str(note)
    if isinstance(note, Coded) and note.code:
        out = _render(note.code, note.fields, lang)
        if out is not None:
            return out
    parts, out, i = note.split("; "), [], 0
    while i < len(parts):
        for j in range(i + 1, len(parts) + 1):   # the shortest run of parts that is one note
            text = _parsed("; ".join(parts[i:j]), lang)
            if text is not None:
                out.append(text)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "；".join(out)


def problem_text(problem: Problem, lang: str = "zh") -> str:
    """The message of ``problem`` in ``lang``, from its code and fields (see the module docstring).

    Examples
    --------
    >>> p = Problem("t.csv", 2, "时期", "period '2025年13月' names a month outside 1-12; …", "period_month",
    ...             {"value": "2025年13月"})
    >>> problem_text(p)[:24]
    '时期“2025年13月”的月份不在1-12之间；'
    >>> problem_text(Problem("t.csv", None, None, "something odd")), problem_text(Problem("t.csv", None, None, "odd"), "en")
    ('输入有误(原文)：something odd', 'odd')
    """
    _index(lang)
    out = _render(problem.code, problem.fields, lang) if problem.code else None
    if out is not None:
        return out
    if lang == "en":
        return problem.message
    return _parsed(problem.message, lang) or GENERIC_ZH + problem.message


def error_text(error: Exception, lang: str = "zh") -> str:
    """What a :class:`~forecast.data.errors.DataError` says, in ``lang``: its summary in English; in Chinese its
    problems (the first three, and how many more), or the general sentence and the summary without any.

    Examples
    --------
    >>> from forecast.data.errors import DataError
    >>> e = DataError("scenario 'x': months: month 2026-03 is listed twice",
    ...               [Problem("x", None, "months", "month 2026-03 is listed twice", "scn_month_twice", {"month": "2026-03"})])
    >>> error_text(e), error_text(e, "en")
    ('“months”：月份2026-03列了两次', "scenario 'x': months: month 2026-03 is listed twice")
    """
    _index(lang)
    summary = getattr(error, "summary", None) or str(error)
    if lang == "en":
        return summary
    problems = list(getattr(error, "problems", ()) or ())
    if not problems:
        return _parsed(summary, lang) or GENERIC_ZH + summary
    lines = [(f"“{p.column}”：" if p.column else "") + problem_text(p, lang) for p in problems[:3]]
    more = f"(另有{len(problems) - 3}个问题)" if len(problems) > 3 else ""
    return "；".join(lines) + more


def flag_text(flag: str, lang: str = "zh") -> str:
    """A forecast's flag in words (``failed…`` flags and unknown ones as they are).

    Examples
    --------
    >>> flag_text("few_origins"), flag_text("few_origins", "en")
    ('回测起点较少', 'few backtest origins')
    """
    flag = str(flag)
    pair = FLAGS.get(flag)
    if pair:
        return pair[_index(lang)]
    if flag.startswith("filled_gaps:"):
        n = flag.split(":", 1)[1]
        return f"补齐了{n}个缺失时期" if lang == "zh" else f"{n} missing period(s) filled"
    if flag.startswith("failed: ") and lang == "zh":
        return "预测失败：" + flag[len("failed: "):]
    return flag


def model_name(name: str, lang: str = "zh") -> str:
    """The display name of a model of the registry in ``lang`` (unknown names as they are).

    Examples
    --------
    >>> model_name("dotm"), model_name("ces", "en"), model_name("my_model")
    ('动态优化Theta', 'CES (complex exponential smoothing)', 'my_model')
    """
    pair = MODEL_NAMES.get(str(name))
    return pair[_index(lang)] if pair else str(name)
