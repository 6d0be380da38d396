"""The app in a real browser: ``streamlit run app.py`` on a loopback port, driven by Debian's chromium.

The test runs the real batch on a small subset into a temporary store, starts the app on it
(``TROIKA_DB``), opens it headless, checks the Chinese overview, switches to English, builds a scenario
and checks the result text against :func:`forecast.decisions.scenarios.compare_scenarios`. Screenshots go to
``tests/output/`` (``overview_zh.png`` is the README's ``docs/screenshot.png``, copied by hand: a test
never rewrites a tracked file).
Chromium sets the page's Chinese in the font the charts use (the ``noto-cjk-sans-otc`` package, handed to it
through a fontconfig file), so the screenshots need no system font package.
Skipped only when ``/usr/bin/chromium`` is missing (``scripts/install_browser.sh`` installs it).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "tests" / "output"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUBSET = ("liaoning", "shenyang", "dalian")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (scripts/install_browser.sh installs "
                                                           "Debian's chromium; CI does)"),
]


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file that adds the bundled CJK font's folder to the system's configuration."""
    from forecast.present import plots

    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"  <dir>{plots.cjk_font_path().parent}</dir>\n"
                    f"  <cachedir>{folder / 'fontcache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    return conf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from forecast.app.storage import demo_store

    root = tmp_path_factory.mktemp("browser")
    db = demo_store(root, SUBSET)
    (root / "data" / "scenarios").mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "TROIKA_DB": str(db), "TROIKA_DATA_DIR": str(root / "data"),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = open(root / "streamlit.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start: " + (root / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.3)
        yield {"url": url, "db": db, "fontconfig": fontconfig_file(root)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_switch_language_run_a_scenario_and_read_the_result(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    import pandas as pd

    from forecast.decisions.scenarios import Adjustment, Scenario, compare_scenarios
    from forecast.present import i18n
    from forecast.runs.results import load_latest_run

    run = load_latest_run(server["db"])
    year = int(run.targets["year"].max())
    # the app's default months: the first forecast period to December of its year
    first = run.forecasts[("shenyang", "retail")].periods[0]
    scenario = Scenario("draft", (Adjustment("pp", "retail", ("shenyang",), f"{first}..{first.year}-12", 2.0),))
    api = compare_scenarios(run.panel, run.scenario_inputs(), run.target_table, [scenario], year=year)
    row = api[(api["scenario"] == "draft") & (api["region"] == "shenyang") & (api["indicator"] == "retail")].iloc[0]
    OUTPUT.mkdir(parents=True, exist_ok=True)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                    env={**os.environ, "FONTCONFIG_FILE": str(server["fontconfig"])})
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(60_000)
            page.goto(server["url"], wait_until="domcontentloaded")
            page.get_by_text(i18n.t("overview_header", "zh", year=year)).wait_for()
            page.get_by_text(run.run_id).first.wait_for()
            # the table is a canvas grid: wait until it has its full width, then let it paint
            page.wait_for_function("() => { const t = document.querySelector('[data-testid=stDataFrame]');"
                                   " return t && t.getBoundingClientRect().width > 600; }")
            page.wait_for_timeout(1500)
            page.screenshot(path=OUTPUT / "overview_zh.png")

            # the upload widget speaks Chinese too: its button and limits line are replaced by the app's words
            page.get_by_text(i18n.t("page_data", "zh"), exact=True).click()
            dropzone = page.get_by_test_id("stFileUploaderDropzone")
            dropzone.wait_for()
            shown = dropzone.evaluate("""z => [z.querySelector('button p'), z.querySelector(
                '[data-testid=stFileUploaderDropzoneInstructions] span')].map(e => [
                getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content])""")
            assert shown == [["0px", json.dumps(i18n.t("upload_button", "zh"), ensure_ascii=False)],
                             ["0px", json.dumps(i18n.t("upload_limits", "zh"), ensure_ascii=False)]]
            # the Projects page: the bundled example list, its summary by city and its tracking against plan
            from forecast.app.projects_page import LABELS as PROJECT_LABELS

            page.get_by_text(i18n.t("page_projects", "zh"), exact=True).click()
            page.get_by_text(PROJECT_LABELS["zh"]["summary"], exact=True).wait_for()
            page.get_by_text(PROJECT_LABELS["zh"]["tracking"], exact=True).wait_for()
            page.screenshot(path=OUTPUT / "projects_zh.png")
            page.get_by_text(i18n.t("page_overview", "zh"), exact=True).click()

            page.get_by_text("English", exact=True).click()
            page.get_by_text(i18n.t("overview_header", "en", year=year)).wait_for()
            page.get_by_text("Scenarios", exact=True).click()
            page.get_by_text(i18n.t("scn_result", "en")).wait_for()
            size = page.get_by_label(f"{i18n.t('scn_size', 'en')} ({i18n.t('kind_pp', 'en')})")
            size.fill("2")
            size.press("Enter")
            delta = i18n.fmt_pp(row["delta_projected"], "en")
            assert delta.endswith(" pp") and delta != "0.0 pp"
            page.get_by_text(delta, exact=True).wait_for()
            label = i18n.t("scn_metric", "en", region="Shenyang", indicator="Retail sales of consumer goods")
            metric = page.get_by_test_id("stMetric").filter(has_text=label).first
            metric.wait_for()
            text = metric.inner_text()
            assert i18n.fmt_pct(row["projected"], "en") in text
            page.wait_for_timeout(1000)
            page.screenshot(path=OUTPUT / "scenario_en.png", full_page=True)
        finally:
            browser.close()
    assert pd.notna(row["projected"])
