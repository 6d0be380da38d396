"""The ``forecast`` command line: help, exit codes, one-line errors, ingest reports and the summary table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from common import BAD_FILES

from forecast.cli.main import main, period_label, render_table, summary_frame

HEADER = "地区,指标,时期,累计值,累计增长\n"
ROWS = [
    "辽宁,固定资产投资(不含农户),2025年1-9月,,-5.0",
    "辽宁,固定资产投资(不含农户),2025年1-10月,,-4.6",
    "辽宁,社会消费品零售总额,2025年1-9月,8100.0,3.4",
    "辽宁,社会消费品零售总额,2025年1-10月,9012.5,3.2",
    "辽宁,进出口总额,2025年1-10月,6100.0,1.5",
    "沈阳,社会消费品零售总额,2025年1-10月,3500.0,4.5",
]
TARGETS = """region,indicator,year,value,kind,status,source
liaoning,fai,2025,5.0,about,published,test
liaoning,retail,2025,4.0,about,published,test
liaoning,trade,2025,1.0,at_least,analyst,test: an analyst
liaoning,retail,2024,9.9,about,published,test
shenyang,retail,2025,5.5,at_least,published,test
"""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def targets(tmp_path: Path) -> Path:
    path = tmp_path / "targets.csv"
    path.write_text(TARGETS, encoding="utf-8")
    return path


def test_help_exits_0_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: forecast") and "ingest" in out and "summary" in out
    assert main(["ingest", "--help"]) == 0
    assert "--db" in capsys.readouterr().out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest"]) == 2  # FILE is required
    assert main(["frobnicate"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_console_script_help() -> None:
    exe = Path(sys.executable).parent / "forecast"
    done = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage: forecast" in done.stdout and "summary" in done.stdout


def test_ingest_reports_rows_then_no_change(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.db")
    assert main(["ingest", str(good), "--db", db]) == 0
    assert f"{good}: 6 rows added" in capsys.readouterr().out
    assert main(["ingest", str(good), "--db", db]) == 0
    assert f"{good}: no change" in capsys.readouterr().out


def test_bad_row_exits_2_naming_row_and_column(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROWS[0] + "\n辽宁,社会消费品零售总额,2025年1-10月,9012.5,abc\n", encoding="utf-8")
    db = tmp_path / "t.db"
    assert main(["ingest", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 3" in err and "累计增长" in err
    assert "Traceback" not in err


def test_conflicting_revision_exits_2(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.db")
    assert main(["ingest", str(good), "--db", db]) == 0
    revised = tmp_path / "revised.csv"
    revised.write_text(HEADER + ROWS[3].replace("3.2", "3.3") + "\n", encoding="utf-8")
    assert main(["ingest", str(revised), "--db", db]) == 2
    err = capsys.readouterr().err
    assert "revised.csv" in err and "发布日期" in err and "Traceback" not in err


@pytest.mark.parametrize("bad", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_every_bad_fixture_exits_2_without_traceback(bad: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(bad), "--db", str(tmp_path / "t.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("forecast: error:") and "Traceback" not in err


def test_store_error_exits_1_naming_the_file(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notdb = tmp_path / "notes.txt"
    notdb.write_bytes(b"these are not the droids you are looking for\n" * 100)
    assert main(["ingest", str(good), "--db", str(notdb)]) == 1
    err = capsys.readouterr().err
    assert "notes.txt" in err and "not a SQLite database" in err and "Traceback" not in err
    assert main(["summary", "--db", str(tmp_path / "missing.db")]) == 1
    assert "forecast ingest" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


def _summary_lines(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()]


def test_summary_province_rows_and_gaps(good: Path, targets: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.db")
    assert main(["ingest", str(good), "--db", db]) == 0
    capsys.readouterr()
    assert main(["summary", "--db", db, "--targets", str(targets)]) == 0
    out = capsys.readouterr().out
    lines = _summary_lines(out)
    assert lines[0] == ["地区", "指标", "最新时期", "累计值(亿元)", "累计增长(%)", "年度目标(%)", "差距(百分点)"]
    body = lines[2:]
    # province first, carriages in order fai, retail, trade; fai has no level (blank column)
    # fai: −4.6 − 5.0 = −9.6 pp
    assert body[0] == ["辽宁", "固定资产投资(不含农户)", "2025年1-10月", "-4.6", "5左右", "-9.6"]
    # retail: the 2025 target (4%), not 2024's; 3.2 − 4.0 = −0.8 pp
    assert body[1] == ["辽宁", "社会消费品零售总额", "2025年1-10月", "9012.5", "3.2", "4左右", "-0.8"]
    # trade: 1.5 − 1.0 = +0.5 pp; the target is an analyst's, marked * and explained below the table
    assert body[2] == ["辽宁", "进出口总额", "2025年1-10月", "6100.0", "1.5", "1以上*", "+0.5"]
    # then the cities in catalogue order: shenyang retail 4.5 − 5.5 = −1.0 pp
    assert body[3][:3] == ["沈阳", "固定资产投资(不含农户)", "无数据"]
    assert body[4] == ["沈阳", "社会消费品零售总额", "2025年1-10月", "3500.0", "4.5", "5.5以上", "-1.0"]
    assert [b[0] for b in body[6:9]] == ["大连"] * 3
    assert len([b for b in body if b and b[0] == "葫芦岛"]) == 3
    assert "分析员设定的目标" in out


def test_summary_in_english(good: Path, targets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.db")
    main(["ingest", str(good), "--db", db])
    capsys.readouterr()
    assert main(["summary", "--db", db, "--targets", str(targets), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "YTD growth (%)" in out and "Gap (pp)" in out and "Target (%)" in out
    retail = next(line for line in out.splitlines() if line.startswith("Liaoning") and "Retail" in line)
    assert retail.split()[-7:] == ["Jan–Oct", "2025", "9012.5", "3.2", "about", "4", "-0.8"]


def test_summary_frame_arithmetic() -> None:
    obs = pd.DataFrame({
        "region": ["liaoning", "dalian"], "indicator": ["retail", "trade"],
        "period": pd.PeriodIndex(["2025-10", "2025-02"], freq="M"),
        "ytd_value": [9012.5, 1000.0], "ytd_yoy": [3.2, -2.5],
    })
    tg = pd.DataFrame({"region": ["liaoning", "liaoning", "dalian"], "indicator": ["retail"] * 2 + ["trade"],
                       "year": [2025, 2025, 2025], "value": [9.0, 4.0, 3.0],
                       "kind": ["about", "about", "at_least"], "status": ["analyst", "published", "published"]})
    table = summary_frame(obs, tg)
    assert len(table) == 15 * 3
    row = table[(table.region == "liaoning") & (table.indicator == "retail")].iloc[0]
    assert row["target"] == 4.0  # the published target wins over the analyst's
    assert row["gap"] == pytest.approx(3.2 - 4.0)  # −0.8 pp
    row = table[(table.region == "dalian") & (table.indicator == "trade")].iloc[0]
    assert row["gap"] == pytest.approx(-2.5 - 3.0)  # −5.5 pp
    assert table["gap"].notna().sum() == 2


def test_period_label_and_wide_characters() -> None:
    assert period_label(pd.Period("2025-02", "M")) == "2025年1-2月"
    assert period_label(pd.Period("2024-12", "M"), "en") == "Jan–Dec 2024"
    # "沈阳" is two wide characters = 4 terminal columns, so "x" pads to 4 as well
    text = render_table(["地区", "n"], [["沈阳", "1"], ["x", "22"]], "lr")
    assert text.splitlines() == ["地区   n", "----  --", "沈阳   1", "x     22"]


# ---------------------------------------------------------------------- an unexpected error: one line and a log
def _boom(args) -> int:
    raise RuntimeError("boom: something nobody expected\nsecond line of the message")


def test_an_unexpected_error_is_one_line_and_a_log_with_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import re

    import forecast.cli.commands

    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(forecast.cli.commands, "cmd_runs", _boom)  # the parser binds it when main() builds it
    assert main(["runs", "--db", str(tmp_path / "t.db")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith("forecast: error: unexpected RuntimeError: boom: something nobody expected")
    log = Path(re.search(r"full traceback in (\S+\.log)", lines[0]).group(1))
    assert log.parent == tmp_path / "data" / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in _boom" in text
    assert "RuntimeError: boom: something nobody expected\nsecond line of the message" in text
    assert f"command: forecast runs --db {tmp_path / 't.db'}" in text


def test_the_crash_log_falls_back_to_the_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    import forecast.cli.commands

    (tmp_path / "a_file").write_text("the data folder cannot be made under a file\n")
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "a_file" / "data"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(forecast.cli.commands, "cmd_runs", _boom)
    assert main(["runs"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"full traceback in {tmp_path / 'tmp' / 'troika-logs'}" in err
    assert len(list((tmp_path / "tmp" / "troika-logs").glob("forecast-*.log"))) == 1


def test_help_says_where_the_crash_log_goes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "<data folder>/logs/forecast-<time>-<pid>.log" in out and "troika-logs/" in out
