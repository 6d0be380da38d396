"""The draft monthly brief (月度分析简报, .docx): every number in its text equals the run's, in Chinese and English.

The store holds two runs (data to June, then July): retail of the province and Shenyang (targets), Liaoning's
trade (no target) and the saved scenario of the batch helpers. The brief is read back with python-docx and its
sentences parsed; the figures they must show are computed here from the API (``every_series``,
``changes_since_previous``, the scenario table), not from the brief's own helpers.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest
from batch_helpers import add_month, make_workspace, run_args, write_table, ytd_rows

from forecast.cli.main import main
from forecast.data.errors import DataError
from forecast.decisions.standing import every_series
from forecast.export.brief import brief_blocks, brief_docx, write_brief
from forecast.present.i18n import fmt_period, status_label
from forecast.runs.results import changes_since_previous, load_latest_run

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
NUM = r"(-?\d+(?:\.\d+)?)"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ws = make_workspace(tmp_path_factory.mktemp("brief"))
    trade = ytd_rows(regions=("liaoning",), indicators=("trade",), last=(2026, 7), seed=3)
    write_table(ws["input"] / "trade_history.csv", [r for r in trade if (r[2], r[3]) < (2026, 7)])
    assert main(run_args(ws)) == 0
    add_month(ws, (2026, 7))
    write_table(ws["input"] / "trade_july.csv", [r for r in trade if (r[2], r[3]) == (2026, 7)])
    assert main(run_args(ws)) == 0
    run = load_latest_run(ws["db"])
    changes = changes_since_previous(run, ws["db"])
    out = {"ws": ws, "run": run, "changes": changes}
    for lang in ("zh", "en"):
        path = ws["root"] / f"brief_{lang}.docx"
        args = ["brief", "--docx", str(path), "--db", str(ws["db"]), "--scenarios", str(ws["scenarios"])]
        assert main(args + (["--lang", "en"] if lang == "en" else [])) == 0
        out[lang] = docx.Document(str(path))
    return out


def _paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def _section(doc, heading: str) -> list[str]:
    """Texts of the paragraphs under ``heading`` up to the next heading."""
    out, inside = [], False
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading"):
            inside = p.text == heading
        elif inside and p.text.strip():
            out.append(p.text)
    return out


def _api(run) -> pd.DataFrame:
    year = int(run.targets["year"].max())
    return every_series(run.targets, run.panel, run.forecasts, run.target_table, year).set_index(
        ["region", "indicator"])


def _close(shown: str, value: float, digits: int) -> None:
    """A figure shown with ``digits`` decimals is ``value`` rounded (to half a unit of its last digit)."""
    assert float(shown) == pytest.approx(value, abs=0.5 * 10 ** -digits + 1e-9), (shown, value)
    assert (len(shown.split(".")[1]) if "." in shown else 0) == digits, (shown, digits)


# ---------------------------------------------------------------------------- the province's headline
HEADLINE = {
    "zh": re.compile(rf"^社会消费品零售总额：(\d{{4}})年1-(\d+)月累计增长{NUM}%；预计全年增长{NUM}%（80%区间{NUM}%至{NUM}%）。"
                     rf"年度目标{NUM}%(左右|以上)，达标概率{NUM}%，(\S+?)。其余月份需增长{NUM}%。$"),
    "en": re.compile(rf"^Retail sales of consumer goods: YTD growth {NUM}% in Jan[-–](\w+) (\d{{4}}); projected full-year "
                     rf"growth {NUM}% \(80% band {NUM}% to {NUM}%\)\. Target (about|at least) {NUM}%: probability of "
                     rf"meeting it {NUM}%, ([a-z ]+)\. The remaining months need growth of {NUM}%\.$"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_province_headline_numbers_equal_the_api(two_runs: dict, lang: str) -> None:
    run, doc = two_runs["run"], two_runs[lang]
    r = _api(run).loc[("liaoning", "retail")]
    heading = "一、全省总体情况" if lang == "zh" else "1. The province"
    (line,) = [p for p in _section(doc, heading) if HEADLINE[lang].match(p)]
    g = HEADLINE[lang].match(line).groups()
    if lang == "zh":
        year, month, ytd, proj, p10, p90, target, kind, prob, status, req = g
        assert kind == {"about": "左右", "at_least": "以上"}[r["kind"]]
    else:
        ytd, month, year, proj, p10, p90, kind, target, prob, status, req = g
        assert kind == r["kind"].replace("_", " ")
        month = str(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"].index(month) + 1)
    assert pd.Period(f"{year}-{int(month):02d}", "M") == r["last_period"] == run.data_vintage
    _close(ytd, r["ytd_growth"], 1)
    _close(proj, r["projected"], 1)
    _close(p10, r["p10"], 1)
    _close(p90, r["p90"], 1)
    assert float(target) == r["target"] == 5.0
    _close(prob, 100 * r["probability"], 0)
    _close(req, r["required_growth"], 1)
    assert status == status_label(r["status"], lang)
    assert float(p10) <= float(proj) <= float(p90)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_series_without_a_target_gets_no_verdict(two_runs: dict, lang: str) -> None:
    run, doc = two_runs["run"], two_runs[lang]
    r = _api(run).loc[("liaoning", "trade")]
    assert not r["has_target"] and r["status"] == "no target" and np.isfinite(r["projected"])
    start = "进出口总额：" if lang == "zh" else "Foreign trade:"
    (line,) = [p for p in _paragraphs(doc) if p.startswith(start)]
    assert line.endswith("未设目标，不作判断。" if lang == "zh" else "No target: no verdict.")
    verdicts = [status_label(s, lang) for s in ("on_track", "at_risk", "off_track")]
    assert not any(v in line for v in verdicts) and ("达标概率" not in line and "probability" not in line)
    m = re.search(rf"{NUM}%（80%区间{NUM}%至{NUM}%）" if lang == "zh" else rf"{NUM}% \(80% band {NUM}% to {NUM}%\)", line)
    for shown, col in zip(m.groups(), ("projected", "p10", "p90"), strict=True):
        _close(shown, r[col], 1)
    # in the table: no target, no probability, no verdict
    table = doc.tables[0]
    head = [c.text for c in table.rows[0].cells]
    row = next(dict(zip(head, [c.text for c in x.cells], strict=True)) for x in table.rows[1:]
               if x.cells[1].text == ("进出口总额" if lang == "zh" else "Foreign trade"))
    assert row[head[4]] == status_label("no target", lang) and row[head[7]] == "—"
    assert row[head[8]] == status_label("no target", lang)


def test_cities_at_risk_are_the_api_s(two_runs: dict) -> None:
    run, doc = two_runs["run"], two_runs["zh"]
    api = _api(run).reset_index()
    risky = api[(api["region"] != "liaoning") & api["has_target"] & api["status"].isin(["at_risk", "off_track"])
                & api["target_status"].isin(["published", "analyst"])]
    lines = _section(doc, "二、需关注的城市")
    pattern = re.compile(rf"^(\S+?)社会消费品零售总额：预计全年增长{NUM}%（80%区间{NUM}%至{NUM}%），目标{NUM}%(以上|左右)，"
                         rf"达标概率{NUM}%，(存在风险|难以完成)。$")
    parsed = [pattern.match(x) for x in lines]
    assert len(risky) >= 1 and all(parsed) and len(parsed) == len(risky)   # shenyang is at risk in July
    for m in parsed:
        name, proj, p10, p90, target, _, prob, status = m.groups()
        r = api[api["region"] == {"沈阳": "shenyang", "大连": "dalian"}[name]].iloc[0]
        _close(proj, r["projected"], 1)
        _close(p10, r["p10"], 1)
        _close(p90, r["p90"], 1)
        _close(prob, 100 * r["probability"], 0)
        assert float(target) == r["target"] and status == status_label(r["status"])


# ---------------------------------------------------------------------------- since last month
def test_changes_since_last_month_equal_run_changes(two_runs: dict) -> None:
    changes = two_runs["changes"].set_index(["region", "indicator"])
    assert len(changes) == 3
    lines = _section(two_runs["zh"], "三、较上月变化")
    assert lines[0] == f"与上期运行{changes['prev_run'].iloc[0]}相比："
    pattern = re.compile(rf"^(\S+?)(社会消费品零售总额|进出口总额)：预计全年增长由{NUM}%调整为{NUM}%（([+-]?[\d.]+)个百分点；"
                         rf"其中新发布月份([+-]?[\d.]+)个百分点，往期数据修订([+-]?[\d.]+)个百分点，"
                         rf"模型重新估计([+-]?[\d.]+)个百分点）。(?:达标概率由{NUM}%变为{NUM}%（([+-]?[\d.]+)个百分点）。)?$")
    codes = {"辽宁": "liaoning", "沈阳": "shenyang", "社会消费品零售总额": "retail", "进出口总额": "trade"}
    seen = set()
    for line in lines[1:]:
        m = pattern.match(line)
        assert m, line
        region, ind, prev, now, d, new, rev, model, p_prev, p_now, dp = m.groups()
        r = changes.loc[(codes[region], codes[ind])]
        digits = len(prev.split(".")[1])
        for shown, col in ((prev, "growth_prev"), (now, "growth_now"), (d, "d_growth"), (new, "d_growth_new"),
                           (rev, "d_growth_revisions"), (model, "d_growth_model")):
            _close(shown, r[col], digits)
        if np.isfinite(r["p_prev"]) and np.isfinite(r["p_now"]) and r["target_status"] in ("published", "analyst"):
            pd_digits = len(p_prev.split(".")[1]) if "." in p_prev else 0
            _close(p_prev, 100 * r["p_prev"], pd_digits)
            _close(p_now, 100 * r["p_now"], pd_digits)
            _close(dp, 100 * r["d_p"], pd_digits)
            # the change shown is the difference of the values shown
            assert float(dp) == pytest.approx(float(p_now) - float(p_prev), abs=1e-9)
        else:
            assert p_prev is None     # no target (trade): no probability
        seen.add((codes[region], codes[ind]))
    assert seen == set(changes.index)


def test_a_first_run_says_there_is_nothing_to_compare(two_runs: dict) -> None:
    blocks = brief_blocks(two_runs["run"], "en", changes=None, charts=False)
    assert ("p", "This run is the store's first complete run: there is nothing to compare with.") in blocks


# ---------------------------------------------------------------------------- scenarios, table, charts
def test_scenario_effects_equal_the_scenario_table(two_runs: dict) -> None:
    run = two_runs["run"]
    table = run.scenarios["shenyang_push"]
    base = table[table["scenario"] == "baseline"].set_index("region")
    scen = table[table["scenario"] == "shenyang_push"].set_index("region")
    lines = _section(two_runs["en"], "4. What the scenarios change")
    assert lines[0] == 'Scenario "shenyang_push": Shenyang retail 3% above the baseline for the rest of 2026.'
    pattern = re.compile(rf"^(\w+), Retail sales of consumer goods: projected full-year growth from {NUM}% to {NUM}% "
                         rf"\(([+-][\d.]+) pp\)\.(?: Probability of meeting the target from {NUM}% to {NUM}% "
                         rf"\(([+-]?[\d.]+) pp\)\.)?$")
    found = {}
    for line in lines[1:]:
        m = pattern.match(line)
        assert m, line
        found[m.group(1)] = m.groups()[1:]
    assert set(found) == {"Liaoning", "Shenyang"}    # both retail series move (the province is their sum)
    b, s, d, pb, ps, dp = found["Shenyang"]
    digits = len(b.split(".")[1])
    _close(b, base.loc["shenyang", "projected"], digits)
    _close(s, scen.loc["shenyang", "projected"], digits)
    _close(d, scen.loc["shenyang", "delta_projected"], digits)
    assert float(d) > 0
    p_digits = len(pb.split(".")[1]) if "." in pb else 0
    _close(pb, 100 * base.loc["shenyang", "probability"], p_digits)
    _close(ps, 100 * scen.loc["shenyang", "probability"], p_digits)
    assert float(dp) == pytest.approx(float(ps) - float(pb), abs=1e-9)


def test_the_table_holds_every_series_with_the_api_numbers(two_runs: dict) -> None:
    run = two_runs["run"]
    api = _api(run)
    table = two_runs["en"].tables[0]
    head = [c.text for c in table.rows[0].cells]
    assert head == ["Region", "Indicator", "Latest period", "YTD growth (%)", "Annual target (%)",
                    "Projected full-year growth (%)", "80% band (%)", "Probability of meeting the target (%)", "Status"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [(r[0], r[1]) for r in rows] == [("Liaoning", "Retail sales of consumer goods"), ("Liaoning", "Foreign trade"),
                                            ("Shenyang", "Retail sales of consumer goods")]
    codes = {"Liaoning": "liaoning", "Shenyang": "shenyang", "Retail sales of consumer goods": "retail",
             "Foreign trade": "trade"}
    for r in rows:
        a = api.loc[(codes[r[0]], codes[r[1]])]
        assert r[2] == fmt_period(a["last_period"], "en")
        _close(r[3], a["ytd_growth"], 1)
        _close(r[5], a["projected"], 1)
        lo, hi = r[6].split(" to ")
        _close(lo, a["p10"], 1)
        _close(hi, a["p90"], 1)
        if a["has_target"]:
            _close(r[7], 100 * a["probability"], 0)
            assert r[8] == status_label(a["status"], "en")


def test_the_key_charts_are_embedded(two_runs: dict) -> None:
    for lang in ("zh", "en"):
        doc = two_runs[lang]
        # the probability chart, a fan chart per province carriage (retail, trade), the scenario's chart
        assert len(doc.inline_shapes) == 4
        captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
        assert len(captions) == 5    # the table's and the four figures'
    images = [rel.target_part.blob for rel in two_runs["zh"].part.rels.values() if "image" in rel.reltype]
    assert len(images) == 4 and all(b.startswith(b"\x89PNG") for b in images)


def test_english_brief_has_no_chinese_and_chinese_brief_speaks_chinese(two_runs: dict) -> None:
    en = _paragraphs(two_runs["en"]) + [c.text for r in two_runs["en"].tables[0].rows for c in r.cells]
    assert [x for x in en if CJK.search(x)] == []
    zh = _paragraphs(two_runs["zh"]) + [c.text for r in two_runs["zh"].tables[0].rows for c in r.cells]
    run = two_runs["run"]
    allowed = [run.run_id, two_runs["changes"]["prev_run"].iloc[0], "UTC",
               run.scenario_specs["shenyang_push"]["description"]]   # the scenario has no Chinese description
    stray = []
    for text in zh:
        for a in allowed:
            text = text.replace(a, "")
        stray += re.findall(r"[A-Za-z]+", text)
    assert stray == []
    assert sum(len(CJK.findall(x)) for x in zh) > 500


# ---------------------------------------------------------------------------- the function and the command
def test_brief_docx_returns_the_document_bytes_and_refuses_a_bad_language(two_runs: dict) -> None:
    import io

    run = two_runs["run"]
    data = brief_docx(run, lang="en", scenarios=[], changes=two_runs["changes"])
    doc = docx.Document(io.BytesIO(data))
    assert "No scenario is saved for this run." in _paragraphs(doc)   # none chosen
    assert len(doc.inline_shapes) == 3
    with pytest.raises(DataError, match="'fr'"):
        brief_docx(run, lang="fr")


def test_cli_refuses_a_bad_path_with_exit_2_and_writes_nothing(two_runs: dict, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = str(two_runs["ws"]["db"])
    for bad, why in ((tmp_path / "no" / "such" / "b.docx", "does not exist"), (tmp_path / "b.txt", "must end in .docx"),
                     (tmp_path / "folder.docx", "is a folder")):
        if bad.name == "folder.docx":
            bad.mkdir()
        assert main(["brief", "--docx", str(bad), "--db", db]) == 2
        err = capsys.readouterr().err
        assert err.startswith("forecast: error: cannot write the brief to") and why in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.docx"]
    assert main(["brief", "--docx", str(tmp_path / "b.docx"), "--lang", "fr", "--db", db]) == 2
    assert main(["brief", "--docx", str(tmp_path / "b.docx"), "--run", "nope", "--db", db]) == 1
    assert not (tmp_path / "b.docx").exists()


def test_a_crash_while_writing_leaves_the_old_file_and_no_temp_file(two_runs: dict, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import forecast.export.brief as brief

    path = tmp_path / "brief.docx"
    path.write_bytes(b"the previous brief")

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(brief.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_brief(two_runs["run"], path, lang="en")
    assert path.read_bytes() == b"the previous brief"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.docx"]
    monkeypatch.undo()
    write_brief(two_runs["run"], path, lang="en")
    assert path.read_bytes()[:2] == b"PK" and [p.name for p in tmp_path.iterdir()] == ["brief.docx"]


def test_a_city_against_the_province_s_target_gets_no_verdict(two_runs: dict) -> None:
    """Without a target of its own, Shenyang is shown against the province's 5% for reference only."""
    from forecast.decisions.scenarios import load_scenario
    from forecast.runs.results import with_saved_scenarios, with_targets_in_force

    run, ws = two_runs["run"], two_runs["ws"]
    table = run.target_table[run.target_table["region"] != "shenyang"]
    ref = with_targets_in_force(run, table)
    ref = with_saved_scenarios(ref, [load_scenario(ws["scenarios"] / "shenyang_push.yaml")])  # as saved now
    row = _api(ref).loc[("shenyang", "retail")]
    assert row["target_status"] == "reference" and np.isfinite(row["probability"])   # the API computes one ...
    changes = changes_since_previous(ref, ws["db"])
    assert np.isfinite(changes.set_index("region").loc["shenyang", "p_now"])
    blocks = brief_blocks(ref, "zh", changes=changes, charts=False)
    texts = [b[1] for b in blocks if b[0] == "p"]
    shenyang = [x for x in texts if x.startswith("沈阳社会消费品零售总额")]
    assert len(shenyang) == 2 and all("达标概率" not in x for x in shenyang)    # its change and its scenario row
    assert "有本级目标的0个城市序列中" not in " ".join(texts)
    assert "本次运行中没有城市设有本级目标，不作判断。" in texts          # ... the brief gives no verdict
    (_, head, rows, _), = [b for b in blocks if b[0] == "table"]
    sy = dict(zip(head, next(r for r in rows if r[0] == "沈阳"), strict=True))
    assert sy["达标概率(%)"] == "—" and sy["状态"] == status_label("reference") and sy["年度目标(%)"] == "5%左右（参考）"
