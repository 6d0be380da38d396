"""Chinese throughout in zh mode, English throughout in en: every page of the app, word by word.

Each page of ``app.py`` is rendered through ``streamlit.testing.v1.AppTest`` on a real batch run (the one of
``tests/test_app.py``: seasonal naive on the bundled province, Shenyang and Dalian), in the states an analyst
meets: the Overview with its gap tables, the Series page (a level series and Dalian's chained fai index), the
Scenarios page with an ``abs`` adjustment on the fai index (its note), a saved scenario compared, an invalid
scenario file in the folder (its problems) and the inversion of a province target (its notes), the Projects,
Targets and Export pages, and the Data page with an upload that has problems. Every text a reader sees is
collected — titles, markdown, captions, alerts, metrics, buttons, widget labels, options and placeholders,
expander labels, table headers and cells, chart titles — and:

- in Chinese, no English word may be left outside :data:`ZH_ALLOWED` (units and codes such as MASE, sMAPE,
  CSV, PNG, ETS; product and method names) once run ids, file names, paths and environment variables are set
  aside;
- in English, no Chinese character may be left outside the names the English UI deliberately shows (the
  catalogue's Chinese region and indicator names where a table shows both, the language switch, the Chinese
  words an official table's header must contain, quoted from the file).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
BAD = ROOT / "tests" / "fixtures" / "bad"
SUBSET = ("liaoning", "shenyang", "dalian")
SCENARIO = "q4plan"
MISSING = "<no placeholder: Streamlit shows Choose options>"
HAN = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")

#: English words allowed in Chinese mode: units and codes, method and product names, file formats.
ZH_ALLOWED = {
    "MASE", "sMAPE", "MAE", "AvgRelMAE", "CSV", "PNG", "ETS", "CES", "ARIMA", "SARIMAX", "Theta", "Prophet",
    "LightGBM", "MinT", "Schäfer", "Strimmer", "UTC", "MB", "KB", "GB", "xlsx", "xls", "xlsm", "csv", "tsv", "txt",
    "yaml", "yml", "json", "docx", "YAML", "JSON", "Excel", "Word", "PDF", "UTF", "GBK", "NUL", "troika",
    "P10", "P90",
}
#: Chinese allowed in English mode besides the catalogue's names: the language switch and table words.
EN_ALLOWED = ["语言", "中文", "累计值", "累计增长", "地区", "指标", "时期", "亿元", "万元"]


# -- the run and the pages ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from forecast.app.storage import demo_store
    from forecast.runs.results import load_latest_run

    root = tmp_path_factory.mktemp("words")
    demo_store(root, SUBSET)
    return {"db": root / "troika.db", "run": load_latest_run(root / "troika.db")}


def _app(env, tmp_path, monkeypatch) -> AppTest:
    import sqlite3

    import streamlit as st

    db = tmp_path / "troika.db"
    with sqlite3.connect(env["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    data = tmp_path / "data"
    (data / "scenarios").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "scenarios_bad" / "unknown_region.yaml", data / "scenarios")
    monkeypatch.setenv("TROIKA_DB", str(db))
    monkeypatch.setenv("TROIKA_DATA_DIR", str(data))
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=120)


def _goto(at: AppTest, page: str, lang: str) -> AppTest:
    if at.radio(key="lang").value != lang:
        at = at.radio(key="lang").set_value(lang).run()
    at.radio(key="page").set_value(page)
    return at.run()


def _states(at: AppTest, env, lang: str):
    """(name, AppTest) for every page and state the test reads, in ``lang``."""
    run = env["run"]
    year = int(run.targets["year"].max())
    for page in ("overview", "series"):
        yield page, (at := _goto(at, page, lang))
    at.selectbox(key="series_region").set_value("dalian")
    at.selectbox(key="series_indicator").set_value("fai")
    yield "series: dalian fai (chained index)", (at := at.run())
    at = _goto(at, "scenarios", lang)
    yield "scenarios", at
    # an abs adjustment on the fai index (its note, or why it is refused) and a saved scenario
    at.selectbox(key="scn_kind").set_value("abs")
    at.selectbox(key="scn_indicator").set_value("fai")
    at = at.run()
    at.multiselect(key="scn_regions").set_value(["dalian"])
    at.selectbox(key="scn_from").set_value(pd.Period(f"{year}-12", "M"))
    at.selectbox(key="scn_to").set_value(pd.Period(f"{year}-12", "M"))
    at.number_input(key="scn_size").set_value(20.0)
    at = at.run()
    yield "scenarios: abs on the fai index", at
    at.selectbox(key="scn_kind").set_value("pp")
    at.selectbox(key="scn_indicator").set_value("retail")
    at = at.run()
    at.multiselect(key="scn_regions").set_value(["shenyang"])
    at.text_input(key="scn_name").set_value(SCENARIO)
    at = at.button(key="scn_save_btn").click().run()
    at.multiselect(key="scn_pick").set_value([SCENARIO])
    at.selectbox(key="inv_indicator").set_value("retail")
    at = at.run()
    at.number_input(key="inv_target_retail").set_value(6.0)
    yield "scenarios: saved, compared, inversion", (at := at.run())
    for page in ("projects", "targets", "export", "data"):
        yield page, (at := _goto(at, page, lang))
    at.file_uploader(key="upload").set_value(("bad.csv", (BAD / "long_utf8_unknown_region.csv").read_bytes(), "text/csv"))
    yield "data: an upload with problems", at.run()


# -- what a reader sees -----------------------------------------------------------------------------------
def _spec_titles(node, out: list[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "datasets" or k == "data":
                continue
            if k in ("title", "text") and isinstance(v, str | list):
                out += [v] if isinstance(v, str) else [x for x in v if isinstance(x, str)]
            else:
                _spec_titles(v, out)
    elif isinstance(node, list):
        for v in node:
            _spec_titles(v, out)


def page_texts(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of everything a reader of the page sees, the language switch itself left out."""
    out: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success",
                 "exception", "text"):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    for m in at.metric:
        out += [("metric", str(m.label)), ("metric", str(m.value)), ("metric", str(m.delta or ""))]
    for kind in ("button", "checkbox", "toggle", "number_input", "text_input", "text_area", "download_button",
                 "selectbox", "multiselect", "radio", "select_slider", "slider", "date_input", "file_uploader"):
        for w in at.get(kind) if kind in ("download_button", "file_uploader") else getattr(at, kind):
            if getattr(w, "key", None) == "lang":
                continue
            proto = getattr(w, "proto", None)
            out.append((kind, str(getattr(w, "label", "") or getattr(proto, "label", ""))))
            out += [(f"{kind} help", str(getattr(w, "help", "") or ""))]
            if kind in ("selectbox", "multiselect"):   # Streamlit's own "Choose options" shows when none is given
                out.append((f"{kind} placeholder", str(getattr(proto, "placeholder", "") or MISSING)))
            if kind in ("selectbox", "multiselect", "radio", "select_slider"):
                opts = list(w.options)
                out += [(f"{kind} option", str(o)) for o in opts]
    for e in at.get("expander"):
        out.append(("expander", str(e.proto.label)))
    for t in at.get("tab"):
        out.append(("tab", str(t.proto.label)))
    for d in list(at.dataframe) + list(at.table):
        frame = d.value
        out += [("table header", str(c)) for c in frame.columns]
        for c in frame.columns:
            if frame[c].dtype == object:
                out += [("table cell", str(v)) for v in frame[c].dropna().unique()]
    for kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
        for c in at.get(kind):
            titles: list[str] = []
            _spec_titles(json.loads(c.proto.spec), titles)
            out += [("chart", t) for t in titles]
    return [(k, t) for k, t in out if t and t != "None"]


def _strip(text: str, run_ids: list[str]) -> str:
    """``text`` without what is allowed in any language: run ids, file names, paths, URLs, commands,
    environment variables, the user's scenario name and quoted file text."""
    for r in run_ids:
        text = text.replace(r, " ")
    text = text.replace(SCENARIO, " ")
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"“[^”]*”|'[^']*'", " ", text)                             # quoted from a file or by a person
    text = re.sub(r"\b[0-9a-f]{16,}\b", " ", text)                           # sha256 of a file
    text = re.sub(r"\blocal:\w+|\S+@\S+", " ", text)                         # who did it (local user, e-mail)
    text = re.sub(r"\b[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*\[\d+\]\S*", " ", text)  # adjustments[1].regions[0]
    text = re.sub(r"[\w.\-]+/[\w./\-]+\.\w+", " ", text)                     # data/targets.csv
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"(?<![\w])[/~][\w./\-]+", " ", text)                      # paths
    text = re.sub(r"[\w\-\[\]]+\.(csv|xlsx|xls|xlsm|tsv|txt|yaml|yml|json|png|docx|db|log)\b", " ", text)
    text = re.sub(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", " ", text)           # TROIKA_DB, TROIKA_MAX_CELLS
    text = re.sub(r"\bforecast (?:run|ingest|targets|show|brief)\b.*", " ", text)
    return text


def english_words(text: str, run_ids: list[str]) -> list[str]:
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ_]+", _strip(text, run_ids))
    return [w for w in words if w not in ZH_ALLOWED]


def chinese_left(text: str, run_ids: list[str]) -> str:
    from forecast.data.catalog import INDICATORS, REGIONS

    text = _strip(text, run_ids)
    names = sorted([*(r.zh for r in REGIONS.values()), *(i.zh for i in INDICATORS.values()),
                    *(a for r in REGIONS.values() for a in getattr(r, "aliases", ()) if HAN.search(a)), *EN_ALLOWED],
                   key=len, reverse=True)
    for n in names:
        text = text.replace(n, " ")
    return "".join(HAN.findall(text))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_one_language(env, tmp_path, monkeypatch, lang):
    at = _app(env, tmp_path, monkeypatch).run()
    run_ids = [env["run"].run_id]
    leaks: list[str] = []
    seen_states = []
    for state, page in _states(at, env, lang):
        seen_states.append(state)
        assert not page.exception, (state, [e.value for e in page.exception])
        for kind, text in page_texts(page):
            bad = english_words(text, run_ids) if lang == "zh" else chinese_left(text, run_ids)
            if bad:
                leaks.append(f"[{state}] {kind}: {text[:160]!r} → {bad if lang == 'zh' else bad[:20]}")
    assert len(seen_states) == 11
    assert not leaks, f"{len(leaks)} leak(s) in {lang}:\n" + "\n".join(dict.fromkeys(leaks))


def test_the_word_checks_catch_a_leak_and_let_allowed_words_pass():
    ids = ["20261206T033140Z-10bbbf"]
    assert english_words("未知地区 unknown region", ids) == ["unknown", "region"]
    assert english_words("Choose options", ids) == ["Choose", "options"]
    assert english_words(MISSING, ids)
    assert not english_words("MASE(倍)、sMAPE(%)、指数平滑 ETS、下载PNG、运行 20261206T033140Z-10bbbf", ids)
    assert not english_words("已保存 data/scenarios/q4.yaml，文件 /tmp/x/upload.csv，哈希 " + "ab" * 32, ids)
    assert not english_words("未知地区“shenyan”；TROIKA_MAX_CELLS", ids)
    assert chinese_left("Region 沈阳: projected growth", ids) == ""
    assert chinese_left("Status: 有望完成", ids) == "有望完成"
    assert chinese_left("Shenyang — 34亿元 of sales", ids) == ""
