"""The app in a real browser: ``streamlit run app.py`` on a loopback port, driven by Debian's chromium.

The tests run the real batch on a small subset into a temporary store, start the app on it
(``TROIKA_DB``) and open it headless. One checks the Chinese overview, switches to English, builds a scenario
and checks the result text against :func:`forecast.decisions.scenarios.compare_scenarios`. The other, at
1280×800 and 1440×900 in both languages, checks that the overview's key columns are in view or behind the
table's own visible scrollbar, and that a click on a cell of the matrix opens that series. Screenshots go to
``tests/output/`` (``overview_top_zh_1440.png`` is the README's ``docs/screenshot.png``, copied by hand: a
test never rewrites a tracked file).
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
            page.wait_for_function("() => { const t = document.querySelector('.st-key-overview_table [data-testid=stDataFrame]');"
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
            from forecast.app.formats import change_digits, pair_digits

            delta = i18n.fmt_pp(row["delta_projected"], "en", digits=change_digits([row["delta_projected"]]))
            assert delta.endswith(" pp") and delta != "0.0 pp"
            page.get_by_text(delta, exact=True).wait_for()
            label = i18n.t("scn_metric", "en", region="Shenyang", indicator="Retail sales of consumer goods")
            metric = page.get_by_test_id("stMetric").filter(has_text=label).first
            metric.wait_for()
            text = metric.inner_text()
            base = api[(api["scenario"] == "baseline") & (api["region"] == "shenyang") & (api["indicator"] == "retail")]
            digits = pair_digits(base["projected"].to_numpy(float), [row["projected"]])
            assert i18n.fmt_pct(row["projected"], "en", digits=digits) in text
            page.wait_for_timeout(1000)
            page.screenshot(path=OUTPUT / "scenario_en.png", full_page=True)
        finally:
            browser.close()
    assert pd.notna(row["projected"])


def grid_headers(grid) -> dict[str, int]:
    """The headers the table's grid renders now (every column at least partly in its visible area, as the
    grid's accessible table lists them): text → column index (1-based)."""
    return {h: int(i) for i, h in grid.evaluate(
        "d => [...d.querySelectorAll('[role=columnheader]')].map(h => [h.getAttribute('aria-colindex'), h.textContent])")}


def fully_shown(headers: dict[str, int], label: str, n_columns: int) -> bool:
    """A column is wholly in view when the grid also renders the column after it (the grid renders every
    column that reaches into view, so the next one starting inside means this one ends inside), or it is the last."""
    i = headers.get(label)
    return i is not None and (i == n_columns or i + 1 in headers.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width, height", [(1280, 800), (1440, 900)])
def test_overview_key_columns_are_in_view_or_behind_a_visible_scroll_and_a_cell_opens_the_series(server, width, height,
                                                                                                lang):
    """At 1280 and 1440 px, in both languages: region, indicator, status, probability, target, projection and
    YTD growth of the detailed table are in view, or reachable by the table's own visible scrollbar; clicking
    a cell of the matrix opens that series on the Series page."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from forecast.app import overview_tables, widgets
    from forecast.present import i18n
    from forecast.runs.results import load_latest_run

    run = load_latest_run(server["db"])
    year = int(run.targets["year"].max())
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    # the headers as the table shows them (a shorter label where the app gives one, the full name on hover)
    shown = [t(f"short_{k}") if f"short_{k}" in i18n.LABELS else t(k) for k in overview_tables.KEY_COLUMNS]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        # scrollbars drawn as a person's browser draws them (headless chromium hides them by default)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, ignore_default_args=["--hide-scrollbars"],
                                    env={**os.environ, "FONTCONFIG_FILE": str(server["fontconfig"])})
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            page.goto(server["url"], wait_until="domcontentloaded")
            page.get_by_text(i18n.t("overview_header", "zh", year=year)).wait_for()
            if lang == "en":
                page.get_by_text("English", exact=True).click()
                page.get_by_text(i18n.t("overview_header", "en", year=year)).wait_for()
            page.get_by_text(t("mx_header"), exact=True).wait_for()
            page.locator(".st-key-overview_matrix [data-testid=stDataFrame]").wait_for()
            page.wait_for_timeout(1500)
            page.screenshot(path=OUTPUT / f"overview_top_{lang}_{width}.png")  # the README's: overview_top_zh_1440
            grid = page.locator(".st-key-overview_table [data-testid=stDataFrame]")
            grid.wait_for()
            page.wait_for_function("() => { const t = document.querySelector('.st-key-overview_table [data-testid=stDataFrame]');"
                                   " return t && t.getBoundingClientRect().width > 600 && t.querySelector('[role=columnheader]'); }")
            grid.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            box = grid.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width  # the table itself is inside the page
            page.screenshot(path=OUTPUT / f"overview_table_{lang}_{width}.png")
            n_columns = int(grid.evaluate("d => d.querySelector('[aria-colcount]').getAttribute('aria-colcount')"))
            headers = grid_headers(grid)
            hidden = [c for c in shown if not fully_shown(headers, c, n_columns)]
            if hidden:
                # the rest must be behind a scrollbar a person can see, and reachable with it
                bar = grid.evaluate("""d => { const s = d.querySelector('.dvn-scroller');
                    return [s.offsetHeight - s.clientHeight, s.scrollWidth - s.clientWidth,
                            getComputedStyle(s).scrollbarColor]; }""")
                assert bar[0] >= 6 and bar[1] > 0, f"{hidden} out of view and no visible scrollbar: {bar}"
                assert not bar[2].startswith("rgba(0, 0, 0, 0)"), f"the scrollbar is transparent: {bar}"
                seen = []
                for _ in range(40):
                    now = grid_headers(grid)
                    seen.append(now)
                    hidden = [c for c in hidden if not fully_shown(now, c, n_columns)]
                    if not hidden:
                        break
                    grid.evaluate("d => { d.querySelector('.dvn-scroller').scrollLeft += 120; }")
                    page.wait_for_timeout(300)
                assert not hidden, f"{hidden}: not reachable by scrolling the table; {seen[:4]}"
            if lang == "zh":  # the Chinese table holds every key column in view at both widths
                assert all(fully_shown(headers, c, n_columns) for c in shown), headers

            # a click on the matrix: Shenyang's retail sales (row 2, the second carriage) opens that series
            text, _, regions = overview_tables.matrix_frame(overview_tables.overview_frame(run), lang)
            widths = [widgets.text_width(text[c], c) for c in text.columns]
            matrix = page.locator(".st-key-overview_matrix [data-testid=stDataFrame]")
            col = text.columns.get_loc(i18n.indicator_name("retail", lang, short=True))
            row = regions.index("shenyang")
            opened = page.get_by_text(t("growth_mode"), exact=True)
            for _ in range(3):  # the page may still be settling from the table's scrolling: look again, click again
                matrix.scroll_into_view_if_needed()
                page.wait_for_timeout(800)
                mbox = matrix.bounding_box()
                page.mouse.click(mbox["x"] + sum(widths[:col]) + widths[col] / 2, mbox["y"] + 35 * (row + 1) + 17)
                try:
                    opened.wait_for(timeout=15_000)
                    break
                except sync_api.TimeoutError:
                    page.screenshot(path=OUTPUT / f"click_missed_{lang}_{width}.png")
            opened.wait_for(timeout=5_000)
            boxes = page.get_by_test_id("stSelectbox")
            assert [boxes.nth(i).inner_text().splitlines()[0] for i in (0, 1)] == [t("pick_region"), t("pick_indicator")]
            # the pickers are combo boxes: what they show is their input's value
            page.wait_for_function("([r, i]) => { const v = [...document.querySelectorAll('[data-testid=stSelectbox] input')]"
                                   ".map(x => x.value); return v[0] === r && v[1] === i; }",
                                   arg=[i18n.region_name("shenyang", lang), i18n.indicator_name("retail", lang)], timeout=20_000)
            page.get_by_test_id("stVegaLiteChart").first.wait_for()
            page.wait_for_timeout(1500)
            page.screenshot(path=OUTPUT / f"series_from_click_{lang}_{width}.png")
            # and back on the overview, the matrix comes up unselected, ready for the next click
            page.get_by_text(t("page_overview"), exact=True).click()
            page.get_by_text(t("mx_header"), exact=True).wait_for()
            page.wait_for_timeout(1500)
            page.screenshot(path=OUTPUT / f"overview_{lang}_{width}.png")
        finally:
            browser.close()
