"""Problems and notes in Chinese and English (:mod:`forecast.present.messages`).

Every code the source gives a Problem or a note has a template in both languages; the English template, filled
with a problem's fields, is the problem's own English message (checked on every problem the bad fixtures raise,
so the app's English is the CLI's); the Chinese renders with no English sentence left; a note read back from
the store as plain text is still recognised.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from forecast.data.errors import Coded, DataError, Problem, joined
from forecast.present.messages import MODEL_NAMES, NOTES, PROBLEMS, model_name, note_text, problem_text

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
HAN = re.compile(r"[\u4e00-\u9fff]")
#: The argument that holds the code, by the name of the function that makes a Problem or a coded text.
CODE_ARG = {"Problem": 4, "Coded": 1, "CodedError": 1, "refuse": 4, "_problem": 2, "_refused": 2, "bad": 2,
            "probs": 2, "add": 2, "of_error": 4}
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _constants(node: ast.expr) -> list[str]:
    """Codes an argument can be: a literal, both branches of ``a if c else b``, an f-string's prefix + ``*``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        return [node.values[0].value + "*"]
    return []


def codes_in_source() -> dict[str, str]:
    """Every code the package passes to a Problem, a CodedError or a Coded text → the file it is in."""
    out = {}
    for path in (ROOT / "forecast").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _name(node.func) not in CODE_ARG:
                continue
            args = list(node.args)
            code_args = [k.value for k in node.keywords if k.arg == "code"]
            i = CODE_ARG[_name(node.func)]
            if i < len(args) and not isinstance(args[i], ast.Starred):
                code_args.append(args[i])
            for arg in code_args:
                for c in _constants(arg):
                    if CODE.match(c.rstrip("*")):
                        out[c] = str(path.relative_to(ROOT))
    return out


def test_the_source_gives_codes_and_every_code_has_both_templates():
    found = codes_in_source()
    assert len(found) > 150, sorted(found)   # the scan sees the call sites (guards against a scan that finds nothing)
    tables = {**PROBLEMS, **NOTES}
    missing = {c: f for c, f in found.items() if not (c.endswith("*") and any(k.startswith(c[:-1]) for k in tables))
               and not c.endswith("*") and c not in tables and c not in ("joined", "")}
    assert not missing, f"codes without a template: {missing}"
    for prefix in (c[:-1] for c in found if c.endswith("*")):
        assert any(k.startswith(prefix) for k in tables), prefix


def test_no_problem_is_made_without_a_code():
    """Every ``Problem(...)`` in the package passes a code (or is made from an exception by ``of_error``)."""
    bare = []
    for path in (ROOT / "forecast").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) == "Problem" and len(node.args) < 5 \
                    and not any(k.arg == "code" for k in node.keywords) and "message, code" not in ast.unparse(node):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, bare


@pytest.mark.parametrize("code", sorted({**PROBLEMS, **NOTES}))
def test_both_templates_take_the_same_fields_and_chinese_quotes_instead_of_repr(code):
    zh, en = {**PROBLEMS, **NOTES}[code]
    assert zh and en, code
    fields = lambda t: {f for _, f, _, _ in string.Formatter().parse(t) if f}  # noqa: E731
    assert fields(zh) == fields(en), code
    assert "!r" not in zh, code
    assert HAN.search(zh), code


def fixture_problems() -> list[Problem]:
    """Every problem the bad fixtures raise: tables, national exports, project lists, scenario files."""
    from forecast.data.files import read_table
    from forecast.data.project_list import load_project_list
    from forecast.decisions.scenario_files import load_scenario

    out = []
    readers = [(read_table, sorted((FIXTURES / "bad").glob("*.*"))),
               (read_table, sorted((FIXTURES / "national" / "bad").glob("*.*"))),
               (load_project_list, sorted((FIXTURES / "projects" / "bad").glob("*.*"))),
               (load_scenario, sorted((FIXTURES / "scenarios_bad").glob("*.*")))]
    for reader, paths in readers:
        for path in paths:
            if path.suffix in (".md", ".json") and reader is not load_scenario or path.name == "EXPECTED.csv":
                continue
            try:
                reader(path)
            except DataError as e:
                out += e.problems
    return out


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    return fixture_problems()


def test_the_english_template_is_the_message(problems):
    assert len(problems) > 60
    codes = {p.code for p in problems}
    assert len(codes) > 40, sorted(codes)
    for p in problems:
        assert p.code in PROBLEMS, (p.code, p.message)
        assert problem_text(p, "en") == p.message, p.code


#: Codes whose field is a library's own English error text (a JSON parser's, a zip reader's): kept as it is.
LIBRARY_TEXT = {"bad_json", "bad_yaml", "error", "scn_file_unreadable", "bad_csv", "cannot_decode", "not_xlsx",
                "xls_unreadable", "cannot_read", "bad_series_setting", "read_stopped"}


def test_the_chinese_of_every_fixture_problem_is_a_chinese_sentence(problems):
    for p in problems:
        if p.code in LIBRARY_TEXT:
            assert HAN.search(problem_text(p)), p.code
            continue
        zh = problem_text(p)
        assert HAN.search(zh) and not zh.startswith("输入有误"), (p.code, zh)
        # English left is what the file wrote (a value, a header) or a code: never a sentence of English words
        words = re.findall(r"[A-Za-z]{4,}(?:\s+[A-Za-z]{3,}){3,}", zh)
        assert not words, (p.code, zh, words)


def test_an_unknown_region_reads_as_the_issue_wants_it():
    from forecast.data.catalog import REGIONS

    p = Problem("a.csv", 4, "地区", "unknown region '大莲': …", "unknown_region",
                {"name": "大莲", "regions": ", ".join(REGIONS)})
    zh = problem_text(p)
    assert zh.startswith("未知地区“大莲”：") and "沈阳" in zh and "shenyang" not in zh
    assert problem_text(p, "en").startswith("unknown region '大莲': not in the catalogue")


def test_a_problem_without_a_code_falls_back():
    p = Problem("a.csv", None, None, "something new went wrong")
    assert problem_text(p, "en") == "something new went wrong"
    assert problem_text(p) == "输入有误(原文)：something new went wrong"
    # a message of a known template is recognised even without its code
    q = Problem("a.csv", None, None, "file is empty; expected a table with a header row such as 地区,指标,时期,累计值,累计增长")
    assert problem_text(q).startswith("文件为空")


def test_coded_errors_travel_into_problems_and_across_processes():
    import pickle

    from forecast.data.cells import parse_number

    with pytest.raises(ValueError) as info:
        parse_number("12x")
    p = Problem.of_error("t.csv", 3, "累计值", info.value)
    assert (p.code, p.fields, p.message) == ("bad_number", {"value": "12x"}, str(info.value))
    e = DataError("bad", [p])
    assert pickle.loads(pickle.dumps(e)).problems == [p]
    assert pickle.loads(pickle.dumps(info.value)).code == "bad_number"


def test_scenario_and_inversion_notes_render_in_both_languages():
    from forecast.decisions.inversion import left_out_note

    held = Coded("held at -1.3000% of the province (last year (2025-12))", "inv_held_at",
                 {"share": "-1.3000%", "basis": Coded("last year (2025-12)", "basis_last_year", {"year": 2025})})
    note = joined([held, left_out_note(["fushun", Coded("tieling (no forecast)", "city_no_forecast",
                                                        {"region": "tieling"})])])
    assert note_text(note, "en") == str(note)
    assert note_text(note) == "统计差额保持在全省的-1.3000%(按上年(2025-12))；含未纳入的城市：抚顺、铁岭(无预测)"
    # read back from the store as plain text: the same Chinese
    assert note_text(str(note)) == note_text(note)
    abs_note = ("abs on shenyang/fai: its levels are estimates chained from published growth rates, anchored on the "
                "published level of 2024-12 (6241.5 亿元); the amount was added to that estimate")
    assert note_text(abs_note).startswith("沈阳/固定资产投资的绝对额调整") or note_text(abs_note).startswith("shenyang/fai")
    assert HAN.search(note_text(abs_note)) and "estimates" not in note_text(abs_note)


def test_the_notes_the_decision_layer_makes_are_coded():
    import numpy as np
    import pandas as pd

    from forecast.decisions.scenarios import level_scale

    p = pd.DataFrame({"region": "dalian", "indicator": "fai", "period": pd.PeriodIndex(["2024-12", "2025-12"], freq="M"),
                      "ytd_value": [100.0, 110.0], "value": [10.0, 10.0], "is_index": [False, True]})
    _, note = level_scale(p, "dalian", "fai")
    assert isinstance(note, Coded) and note.code == "abs_estimated_levels"
    assert note_text(note, "en") == note and "估计值" in note_text(note)
    assert not np.isnan(110.0)


def test_model_names():
    from forecast.engine.models import MODELS

    for name in MODELS:
        assert name in MODEL_NAMES, name
        assert HAN.search(model_name(name)) or model_name(name) in ("Theta", "ARIMA", "Prophet"), name
        assert not HAN.search(model_name(name, "en")), name
    assert model_name("autoets") == "指数平滑 ETS" and model_name("ces") == "复杂指数平滑 CES"
    assert model_name("dotm") == "动态优化Theta" and model_name("global_gbm") == "LightGBM 全局模型"


def test_flags_and_the_packs_notes_in_both_languages():
    from forecast.export.pack import note_text as pack_note
    from forecast.present.messages import flag_text

    assert flag_text("fallback_snaive") == "所有候选模型均失败，改用季节朴素" and flag_text("filled_gaps:2") == "补齐了2个缺失时期"
    assert flag_text("few_origins", "en") == "few backtest origins"
    note = "year decided: December released; forecast made at 2026-09, data now at 2026-10"
    assert pack_note(note, "en") == note
    assert not re.search(r"[A-Za-z]{3,}", pack_note(note, "zh")), pack_note(note, "zh")
