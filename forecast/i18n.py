"""Labels and number formats of the front ends, in Chinese (default) and English.

Every text the app shows goes through :func:`t` (labels) or one of the ``fmt_*`` functions (numbers with
their unit), so switching the language changes every label, number format and unit at once:

========================  =====================  ==========================
quantity                  zh                     en
========================  =====================  ==========================
level (:func:`fmt_amount`)  ``9948.8亿元``           ``9,948.8 (100 million yuan)``
growth (:func:`fmt_pct`)    ``3.6%``               ``3.6%``
change of growth          ``+0.2个百分点``         ``+0.2 pp``
probability               ``73%``                ``73%``
target (:func:`fmt_target`) ``5%左右`` / ``5%以上``   ``about 5%`` / ``at least 5%``
YTD window                ``2026年1-11月``         ``Jan-Nov 2026``
========================  =====================  ==========================

Region and indicator names come from the catalogue (:mod:`forecast.catalog`), never from here. The
Excel meeting pack's labels live in :mod:`forecast.i18n_export` and are merged into :data:`LABELS`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from forecast.catalog import INDICATORS, REGIONS, UNIT, UNIT_EN
from forecast.i18n_export import EXPORT_LABELS

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
#: Name of each language in its own script (the language switch shows these).
LANG_NAMES = {"zh": "中文", "en": "English"}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Label key → (zh, en). Keys are stable identifiers used by the app and its tests.
LABELS: dict[str, tuple[str, str]] = {
    # frame
    "app_title": ("辽宁“三驾马车”预测与情景分析", "Liaoning's three carriages: forecasts and scenarios"),
    "app_caption": ("投资、消费、外贸：全省及14个市的预测、目标完成概率与情景推演",
                    "Investment, consumption and trade: forecasts, target probabilities and what-ifs "
                    "for the province and its 14 cities"),
    "language": ("语言 / Language", "语言 / Language"),
    "page": ("页面", "Page"),
    "page_overview": ("总览", "Overview"),
    "page_series": ("单项序列", "Series"),
    "page_scenarios": ("情景", "Scenarios"),
    "page_data": ("数据", "Data"),
    "page_export": ("导出", "Export"),
    "no_run": ("尚无完整的预测批次。请在项目目录运行下面的命令生成一次（需几分钟），然后刷新本页：",
               "No complete forecast run yet. Run this command in the project folder (it takes a few "
               "minutes), then reload this page:"),
    "no_run_data_page": ("“数据”页可以上传数据并启动批次运行。",
                         "The Data page can upload data and start a batch run."),
    "store_error": ("无法读取数据库", "Cannot read the store"),
    "run_info": ("数据截至 {vintage} · 预测批次 {run_id} · 完成于 {finished}",
                 "Data up to {vintage} · run {run_id} · finished {finished}"),
    "run_settings": ("批次设置", "Run settings"),
    # overview
    "overview_header": ("{year}年目标完成情况", "Targets of {year}"),
    "overview_help": ("全年增速为预测样本路径的中位数，区间为80%预测区间；达标概率=全年增速不低于目标的路径占比。"
                      "固定资产投资只公布增速，其数值由增速链式指数推算。",
                      "Full-year growth is the median of the forecast sample paths, with its 80% band; "
                      "probability = share of paths whose full-year growth reaches the target. Fixed-asset "
                      "investment publishes growth only: its figures come from an index chained from "
                      "growth rates."),
    "col_region": ("地区", "Region"),
    "col_indicator": ("指标", "Indicator"),
    "col_period": ("最新时期", "Latest period"),
    "col_ytd_value": ("累计值(亿元)", "YTD value (100 million yuan)"),
    "col_ytd_growth": ("累计增长(%)", "YTD growth (%)"),
    "col_target": ("目标(%)", "Target (%)"),
    "col_kind": ("目标表述", "Target kind"),
    "col_target_text": ("目标", "Target"),
    "col_projected": ("预计全年增长(%)", "Projected full-year growth (%)"),
    "col_p10": ("80%区间下限(%)", "80% band low (%)"),
    "col_p90": ("80%区间上限(%)", "80% band high (%)"),
    "col_p2_5": ("95%区间下限", "95% band low"),
    "col_p97_5": ("95%区间上限", "95% band high"),
    "col_probability": ("达标概率(%)", "Probability of target (%)"),
    "col_required": ("剩余月份需增长(%)", "Growth needed in remaining months (%)"),
    "col_gap": ("与目标差距(百分点)", "Gap to target (pp)"),
    "col_status": ("状态", "Status"),
    "col_note": ("说明", "Note"),
    "col_periods_left": ("剩余期数", "Periods left"),
    "col_derived": ("由增速推算", "From growth index"),
    "metric_on_track": ("有望完成", "On track"),
    "metric_at_risk": ("存在风险", "At risk"),
    "metric_off_track": ("难以完成", "Off track"),
    # statuses and kinds
    "status_on_track": ("有望完成", "on track"),
    "status_at_risk": ("存在风险", "at risk"),
    "status_off_track": ("难以完成", "off track"),
    "status_unknown": ("无法判断", "unknown"),
    "status_no_target": ("无目标", "no target"),
    "kind_about": ("左右", "about"),
    "kind_at_least": ("以上", "at least"),
    "target_assumed": ("（假定）", " (assumed)"),
    "data_published": ("公布数", "published"),
    "data_generated": ("生成数", "generated"),
    # series
    "pick_region": ("地区", "Region"),
    "pick_indicator": ("指标", "Indicator"),
    "fan_values_title": ("{region}{indicator}：各期数值与预测", "{region}, {indicator}: period values and forecast"),
    "fan_growth_title": ("{region}{indicator}：{year}年累计增长与目标",
                         "{region}, {indicator}: YTD growth in {year} against the target"),
    "axis_value": ("当期值(亿元)", "Period value (100 million yuan)"),
    "axis_index": ("当期值(指数点)", "Period value (index points)"),
    "axis_growth": ("累计增长(%)", "YTD growth (%)"),
    "axis_period": ("时期", "Period"),
    "legend_history": ("实际", "history"),
    "legend_median": ("预测中位数", "median forecast"),
    "legend_band80": ("80%区间", "80% band"),
    "legend_band95": ("95%区间", "95% band"),
    "legend_target": ("目标", "target"),
    "legend_baseline": ("基准", "baseline"),
    "legend_scenario": ("情景", "scenario"),
    "col_median": ("中位数", "Median"),
    "col_value": ("数值", "Value"),
    "col_kind_row": ("类别", "Kind"),
    "row_history": ("实际", "history"),
    "row_forecast": ("预测", "forecast"),
    "col_model": ("模型", "Model"),
    "col_weight": ("权重", "Weight"),
    "col_dropped": ("未采用原因", "Why left out"),
    "col_metric": ("回测指标", "Backtest measure"),
    "weights_header": ("模型组合权重", "Model weights"),
    "accuracy_header": ("回测精度", "Backtest accuracy"),
    "data_flag_header": ("数据来源", "Where the data come from"),
    "data_flag_text": ("本序列共 {n} 期：公布数 {published} 期，生成数 {generated} 期。生成数是示例数据，不可作为官方统计引用。",
                       "This series has {n} periods: {published} published, {generated} generated. Generated "
                       "figures are sample data: do not quote them as official statistics."),
    "index_note": ("该指标只公布增速：数值为由增速链式推算的指数，单位为指数点。",
                   "This indicator publishes growth only: values are an index chained from growth rates "
                   "(index points)."),
    "flags": ("预测标记", "Forecast flags"),
    "no_forecast": ("该序列没有预测（批次中缺失或失败）。", "This series has no forecast in the run (missing or failed)."),
    "metric_mase": ("MASE（相对季节朴素）", "MASE (vs seasonal naive)"),
    "metric_smape": ("sMAPE(%)", "sMAPE (%)"),
    "metric_coverage80": ("80%区间覆盖率", "80% interval coverage"),
    "metric_growth_error_pp": ("全年增速误差(百分点)", "Full-year growth error (pp)"),
    "metric_n_origins": ("回测起点数", "Backtest origins"),
    "download_png": ("下载图表PNG", "Download chart as PNG"),
    # scenarios
    "scn_build": ("构建情景", "Build a scenario"),
    "scn_kind": ("调整方式", "Adjustment"),
    "kind_pp": ("同比增速加减(百分点)", "add to YoY growth (pp)"),
    "kind_pct": ("数值按比例调整(%)", "scale the level (%)"),
    "kind_abs": ("增加金额(亿元)", "add an amount (100 million yuan)"),
    "kind_set": ("同比增速设定为(%)", "set YoY growth to (%)"),
    "scn_regions": ("地区", "Regions"),
    "scn_indicator": ("指标", "Indicator"),
    "scn_from": ("起始月份", "From month"),
    "scn_to": ("结束月份", "To month"),
    "scn_size": ("幅度", "Size"),
    "scn_add": ("加入调整列表", "Add to the list"),
    "scn_clear": ("清空调整列表", "Clear the list"),
    "scn_list": ("已加入的调整", "Adjustments added"),
    "scn_current": ("当前调整（实时计算）", "Current adjustment (computed live)"),
    "scn_result": ("情景结果与基准对比", "Result against the baseline"),
    "scn_empty": ("调整幅度为0：情景与基准相同。", "Size 0: the scenario equals the baseline."),
    "scn_name": ("情景名称", "Scenario name"),
    "scn_save": ("保存情景", "Save scenario"),
    "scn_saved": ("已保存情景：{name}", "Saved scenario: {name}"),
    "scn_saved_list": ("已保存的情景", "Saved scenarios"),
    "scn_compare": ("对比所选情景", "Compare the selected scenarios"),
    "scn_pick": ("选择要对比的情景", "Scenarios to compare"),
    "scn_delete": ("删除情景", "Delete scenario"),
    "scn_delete_pick": ("要删除的情景", "Scenario to delete"),
    "scn_deleted": ("已删除情景：{name}", "Deleted scenario: {name}"),
    "scn_confirm": ("确认删除", "Confirm deletion"),
    "scn_invalid": ("情景无法应用", "The scenario cannot be applied"),
    "scn_none_saved": ("尚无保存的情景。", "No saved scenario yet."),
    "scn_need_name": ("请输入情景名称。", "Enter a name for the scenario."),
    "scn_col_scenario": ("情景", "Scenario"),
    "scn_col_baseline": ("基准全年增长(%)", "Baseline full-year growth (%)"),
    "scn_col_projected": ("情景全年增长(%)", "Scenario full-year growth (%)"),
    "scn_col_delta": ("变化(百分点)", "Change (pp)"),
    "scn_col_prob_base": ("基准达标概率(%)", "Baseline probability (%)"),
    "scn_col_prob": ("情景达标概率(%)", "Scenario probability (%)"),
    "scn_metric": ("{region}{indicator} 全年增长", "{region} {indicator}: full-year growth"),
    "scn_chart_title": ("情景与基准：预计全年增长", "Scenario against baseline: projected full-year growth"),
    "scn_storage_files": ("情景以YAML文件保存在 {path}", "Scenarios are saved as YAML files in {path}"),
    "scn_storage_store": ("情景保存在数据库 {path}", "Scenarios are saved in the store {path}"),
    "inv_header": ("全省目标倒推到各市", "Province target split over the cities"),
    "inv_help": ("为实现全省目标，各市剩余月份需要的增长；统计差额按其占全省的份额保持不变。",
                 "Growth each city's remaining months need so that the province reaches its target; the "
                 "statistical discrepancy keeps its share of the province."),
    "inv_target": ("全省目标(%)", "Province target (%)"),
    "inv_rule": ("分解规则", "Rule"),
    "rule_equal_pp": ("各市增加相同百分点", "same extra points for every city"),
    "rule_proportional_gap": ("按与进度差距分配", "in proportion to each city's gap"),
    "inv_col_role": ("类别", "Role"),
    "inv_col_baseline": ("基准增长(%)", "Baseline growth (%)"),
    "inv_col_required": ("需要增长(%)", "Growth needed (%)"),
    "inv_col_extra": ("需额外增加(百分点)", "Extra needed (pp)"),
    "inv_col_full_year": ("隐含全年增长(%)", "Implied full-year growth (%)"),
    "inv_col_share": ("占全省剩余量比重", "Share of the province's remaining flow"),
    "role_city": ("市", "city"),
    "role_discrepancy": ("统计差额", "discrepancy"),
    "role_province": ("全省", "province"),
    "inv_refused": ("无法倒推", "Cannot split"),
    # data
    "data_upload": ("上传数据表（CSV或Excel，最大20MB）", "Upload a data table (CSV or Excel, up to 20 MB)"),
    "data_report_ok": ("文件有效：{rows}行，{series}个序列，时期 {first} 至 {last}。",
                       "The file is valid: {rows} rows, {series} series, periods {first} to {last}."),
    "data_report_bad": ("文件有 {n} 处问题，未写入任何数据。请修改后重新上传：",
                        "The file has {n} problem(s); nothing was stored. Fix them and upload again:"),
    "col_file": ("文件", "File"),
    "col_row": ("行", "Row"),
    "col_column": ("列", "Column"),
    "col_message": ("问题", "Problem"),
    "data_ingest": ("确认写入数据库", "Confirm: store these figures"),
    "data_ingested": ("已写入：新增 {added} 行，补全 {filled} 行。", "Stored: {added} rows added, {filled} filled in."),
    "data_ingest_same": ("数据库中已有这些数据，没有变化。", "These figures are already stored: nothing changed."),
    "data_store": ("数据库内容（按序列和发布版本）", "Store contents (by series and vintage)"),
    "data_store_empty": ("数据库中还没有数据。", "The store holds no observations yet."),
    "col_vintage": ("发布版本", "Vintage"),
    "col_rows": ("期数", "Periods"),
    "col_first": ("起始时期", "First period"),
    "col_last": ("最新时期", "Latest period"),
    "col_published": ("公布数", "Published"),
    "col_generated": ("生成数", "Generated"),
    "data_ingests": ("导入记录", "Ingest log"),
    "data_run": ("批次运行", "Batch run"),
    "data_run_start": ("启动批次运行", "Start a batch run"),
    "data_run_started": ("批次已启动（进程 {pid}）。日志：{log}", "Run started (process {pid}). Log: {log}"),
    "data_run_running": ("批次运行中……", "The run is in progress…"),
    "data_run_done": ("批次已结束，退出码 {rc}。", "The run has ended with exit code {rc}."),
    "data_run_refresh": ("刷新进度", "Refresh progress"),
    "data_runs": ("运行记录", "Run history"),
    "data_runs_none": ("暂无运行记录。", "No run recorded yet."),
    "vintage_unknown": ("未注明", "not given"),
    "col_run": ("批次", "Run"),
    "col_started": ("开始", "Started"),
    "col_finished": ("结束", "Finished"),
    "col_run_status": ("结果", "Result"),
    "col_n_series": ("序列数", "Series"),
    "col_n_fallback": ("备用模型", "On fallback"),
    "col_n_failed": ("失败", "Failed"),
    "col_ingested_at": ("导入时间", "Ingested at"),
    "col_rows_added": ("新增行数", "Rows added"),
    "col_rows_filled": ("补全行数", "Rows filled in"),
    "run_complete": ("完成", "complete"),
    "run_running": ("运行中", "running"),
    "run_failed": ("失败", "failed"),
    # export
    "export_pack": ("下载会议材料（Excel）", "Download the meeting pack (Excel)"),
    "export_pack_note": ("会议材料（按当前界面语言）：每个“马车”一张表（各地区目标完成情况），每个已保存情景一张对比表。",
                         "The meeting pack (in the language chosen above): one sheet per carriage (every "
                         "region against its target) and one per saved scenario."),
    "export_charts": ("下载图表（PNG）", "Download charts (PNG)"),
    "export_overview_chart": ("达标概率图", "Probability chart"),
    "overview_chart_title": ("{year}年各地区达标概率：{indicator}", "Probability of reaching the {year} target: {indicator}"),
    "axis_probability": ("达标概率(%)", "Probability (%)"),
    "font_missing": ("未找到中文字体（fonts-noto-cjk），图中中文可能显示为方框。",
                     "No Chinese font found (fonts-noto-cjk): Chinese in charts may show as boxes."),
    "unexpected": ("出现意外错误（已记录）：{error}", "Unexpected error (logged): {error}"),
}
assert not LABELS.keys() & EXPORT_LABELS.keys(), "a meeting-pack label reuses an app label key"
LABELS.update(EXPORT_LABELS)  # the meeting pack's labels (forecast.i18n_export), read with t() too


def _lang(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}; expected one of {LANGS}")
    return LANGS.index(lang)


def t(key: str, lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``fields``.

    Raises
    ------
    KeyError
        For an unknown key (a typo in the app should fail its tests, not show a key).

    Examples
    --------
    >>> t("page_overview"), t("page_overview", "en")
    ('总览', 'Overview')
    >>> t("scn_saved", "en", name="q4")
    'Saved scenario: q4'
    """
    text = LABELS[key][_lang(lang)]
    return text.format(**fields) if fields else text


def region_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """Catalogue name of a region (``discrepancy`` is the statistical discrepancy).

    Examples
    --------
    >>> region_name("shenyang"), region_name("shenyang", "en"), region_name("discrepancy", "en")
    ('沈阳', 'Shenyang', 'discrepancy')
    """
    if code in REGIONS:
        return REGIONS[code].name(lang)
    if code == "discrepancy":
        return t("role_discrepancy", lang)
    return str(code)


def indicator_name(code: str, lang: str = DEFAULT_LANG, short: bool = False) -> str:
    """Catalogue name of an indicator; ``short`` drops the bracketed qualifier.

    Examples
    --------
    >>> indicator_name("fai", short=True), indicator_name("retail", "en")
    ('固定资产投资', 'Retail sales of consumer goods')
    """
    if code not in INDICATORS:
        return str(code)
    name = INDICATORS[code].name(lang)
    return name.split("(")[0].strip() if short else name


def _missing(x: Any) -> bool:
    try:
        return x is None or x is pd.NaT or math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _round(x: float, digits: int) -> float:
    return round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def fmt_pct(x: Any, lang: str = DEFAULT_LANG, digits: int = 1, sign: bool = False) -> str:
    """A growth rate in percent (``3.6%``); ``sign`` writes ``+`` on positive values; ``—`` when missing.

    Examples
    --------
    >>> fmt_pct(3.64), fmt_pct(-0.04), fmt_pct(2.0, sign=True), fmt_pct(float("nan"))
    ('3.6%', '0.0%', '+2.0%', '—')
    """
    _lang(lang)
    if _missing(x):
        return "—"
    v = _round(x, digits)
    return f"{v:+.{digits}f}%" if sign and v != 0 else f"{v:.{digits}f}%"


def fmt_pp(x: Any, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A change of a growth rate in percentage points, signed: ``+0.2个百分点`` / ``+0.2 pp``.

    Examples
    --------
    >>> fmt_pp(0.186), fmt_pp(-1.25, "en"), fmt_pp(0.0, "en")
    ('+0.2个百分点', '-1.2 pp', '0.0 pp')
    """
    if _missing(x):
        return "—"
    v = _round(x, digits)
    num = f"{v:+.{digits}f}" if v != 0 else f"{v:.{digits}f}"
    return f"{num}个百分点" if _lang(lang) == 0 else f"{num} pp"


def fmt_amount(x: Any, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A level in 亿元: ``9948.8亿元`` / ``9,948.8 (100 million yuan)``.

    Examples
    --------
    >>> fmt_amount(9948.8), fmt_amount(9948.8, "en")
    ('9948.8亿元', '9,948.8 (100 million yuan)')
    """
    if _missing(x):
        return "—"
    v = _round(x, digits)
    return f"{v:.{digits}f}{UNIT}" if _lang(lang) == 0 else f"{v:,.{digits}f} ({UNIT_EN})"


def fmt_prob(p: Any, lang: str = DEFAULT_LANG) -> str:
    """A probability (0–1) in whole percent.

    Examples
    --------
    >>> fmt_prob(0.735), fmt_prob(1.0, "en")
    ('74%', '100%')
    """
    _lang(lang)
    if _missing(p):
        return "—"
    return f"{_round(float(p) * 100, 0):.0f}%"


def fmt_target(value: Any, kind: str, lang: str = DEFAULT_LANG, status: str = "published") -> str:
    """A growth target as the work reports word it: ``5%左右`` / ``about 5%``, ``5%以上`` / ``at least 5%``.

    A target whose ``status`` is not ``published`` is marked as assumed.

    Examples
    --------
    >>> fmt_target(5, "about"), fmt_target(5.5, "at_least", "en"), fmt_target(4, "about", "zh", "assumed")
    ('5%左右', 'at least 5.5%', '4%左右（假定）')
    """
    if _missing(value):
        return "—"
    num = f"{float(value):g}%"
    word = t(f"kind_{kind}", lang) if kind in ("about", "at_least") else ""
    text = (num + word) if _lang(lang) == 0 else (f"{word} {num}".strip())
    return text + (t("target_assumed", lang) if status and status != "published" else "")


def fmt_period(period: Any, lang: str = DEFAULT_LANG) -> str:
    """The YTD window ending in ``period``: ``2026年1-11月`` / ``Jan-Nov 2026``.

    Examples
    --------
    >>> fmt_period(pd.Period("2026-02", "M")), fmt_period(pd.Period("2026-11", "M"), "en")
    ('2026年1-2月', 'Jan-Nov 2026')
    """
    if _missing(period):
        return "—"
    p = pd.Period(period, freq="M")
    if _lang(lang) == 0:
        return f"{p.year}年1月" if p.month == 1 else f"{p.year}年1-{p.month}月"
    return f"Jan {p.year}" if p.month == 1 else f"Jan-{_MONTHS_EN[p.month - 1]} {p.year}"


def fmt_month(period: Any, lang: str = DEFAULT_LANG) -> str:
    """One period-end month: ``2026年12月`` / ``Dec 2026`` (Jan–Feb: ``2027年1-2月`` / ``Jan-Feb 2027``).

    Examples
    --------
    >>> fmt_month(pd.Period("2026-12", "M")), fmt_month(pd.Period("2027-02", "M"), "en")
    ('2026年12月', 'Jan-Feb 2027')
    """
    p = pd.Period(period, freq="M")
    if p.month == 2:
        return fmt_period(p, lang)
    return f"{p.year}年{p.month}月" if _lang(lang) == 0 else f"{_MONTHS_EN[p.month - 1]} {p.year}"


def fmt_time(when: Any, lang: str = DEFAULT_LANG) -> str:
    """A run time (datetime or ISO text, UTC): ``2026-11-27 22:52 UTC``; ``—`` when missing.

    Examples
    --------
    >>> import datetime as dt
    >>> fmt_time(dt.datetime(2026, 11, 27, 22, 52, 44, tzinfo=dt.UTC))
    '2026-11-27 22:52 UTC'
    """
    _lang(lang)
    if _missing(when) or when == "":
        return "—"
    ts = pd.Timestamp(when)
    ts = ts.tz_convert("UTC") if ts.tzinfo is not None else ts
    return f"{ts:%Y-%m-%d %H:%M} UTC"


def status_label(status: str, lang: str = DEFAULT_LANG) -> str:
    """Name of a target status (``on_track``, ``at_risk``, ``off_track``, ``unknown``, ``no target``).

    Examples
    --------
    >>> status_label("on_track"), status_label("no target", "en")
    ('有望完成', 'no target')
    """
    key = "status_" + str(status).replace(" ", "_")
    return t(key, lang) if key in LABELS else str(status)


#: Background colour of each target status (traffic lights, light enough for black text).
STATUS_COLOURS = {"on_track": "#c8e6c9", "at_risk": "#fff3b0", "off_track": "#ffcdd2", "unknown": "#e0e0e0",
                  "no target": "#f5f5f5"}


def status_colour(label: str, lang: str = DEFAULT_LANG) -> str:
    """Background colour for a status given by its code or by its label in ``lang``.

    Examples
    --------
    >>> status_colour("on_track") == status_colour("有望完成") == STATUS_COLOURS["on_track"]
    True
    """
    for code, colour in STATUS_COLOURS.items():
        if label in (code, status_label(code, lang)):
            return colour
    return ""
