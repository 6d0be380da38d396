"""Labels of the Excel meeting pack (:mod:`forecast.export.pack`), in Chinese and English.

:mod:`forecast.present.i18n` merges :data:`EXPORT_LABELS` with the app's labels (:mod:`forecast.present.labels`)
into its :data:`~forecast.present.i18n.LABELS`, so every key here is read with :func:`forecast.present.i18n.t` like any
other label. Keys start with ``pack_`` (the workbook) or ``brief_`` (the monthly brief,
:mod:`forecast.export.brief`). The Chinese texts are the workbook's original ones (its tests
compare them exactly); the English ones write 亿元 as "100 million yuan" and 百分点 as "percentage
points".

Examples
--------
>>> from forecast.present.i18n import t
>>> t("pack_col_gap"), t("pack_col_gap", "en")
('差距(百分点)', 'Gap (percentage points)')
"""

from __future__ import annotations

#: Label key → (zh, en).
EXPORT_LABELS: dict[str, tuple[str, str]] = {
    # sheets
    "pack_sheet_notes": ("说明", "Notes"),
    "pack_sheet_scenario": ("情景-{name}", "Scenario-{name}"),
    "pack_sheet_gap": ("缺口分解-{indicator}", "Gap by city-{indicator}"),
    "pack_sheet_changes": ("较上期", "Since last run"),
    "pack_chg_growth_prev": ("上期预计全年增长(%)", "Previous projected growth (%)"),
    "pack_chg_growth_now": ("本期预计全年增长(%)", "Projected growth now (%)"),
    "pack_chg_d_growth": ("增速变化(百分点)", "Change in growth (pp)"),
    "pack_chg_d_p": ("达标概率变化(百分点)", "Change in probability (pp)"),
    "pack_chg_p_new": ("概率：新发布月份(百分点)", "Probability: new months (pp)"),
    "pack_chg_p_revisions": ("概率：数据修订(百分点)", "Probability: revisions (pp)"),
    "pack_chg_p_target": ("概率：目标调整(百分点)", "Probability: target change (pp)"),
    "pack_chg_p_model": ("概率：模型重估(百分点)", "Probability: re-estimation (pp)"),
    "pack_chg_months": ("新发布/修订月份", "New / revised months"),
    # carriage sheet columns
    "pack_col_region": ("地区", "Region"),
    "pack_col_indicator": ("指标", "Indicator"),
    "pack_col_period": ("最新时期", "Latest period"),
    "pack_col_ytd_value": ("累计值(亿元)", "YTD value (100 million yuan)"),
    "pack_col_ytd_growth": ("累计增长(%)", "YTD growth (%)"),
    "pack_col_target": ("年度目标(%)", "Annual target (%)"),
    "pack_col_kind": ("目标类型", "Target kind"),
    "pack_col_projected": ("预计全年增长(%)", "Projected full-year growth (%)"),
    "pack_col_p10": ("预计区间下限(%)", "80% band low (%)"),
    "pack_col_p90": ("预计区间上限(%)", "80% band high (%)"),
    "pack_col_probability": ("达标概率(%)", "Probability of meeting the target (%)"),
    "pack_col_required": ("其余月份所需增长(%)", "Growth needed in the remaining months (%)"),
    "pack_col_gap": ("差距(百分点)", "Gap (percentage points)"),
    "pack_col_status": ("状态", "Status"),
    "pack_col_note": ("备注", "Note"),
    # scenario sheet columns
    "pack_col_base_projected": ("基准预计全年增长(%)", "Baseline projected full-year growth (%)"),
    "pack_col_scn_projected": ("情景预计全年增长(%)", "Scenario projected full-year growth (%)"),
    "pack_col_delta": ("变化(百分点)", "Change (percentage points)"),
    "pack_col_base_probability": ("基准达标概率(%)", "Baseline probability of meeting the target (%)"),
    "pack_col_scn_probability": ("情景达标概率(%)", "Scenario probability of meeting the target (%)"),
    "pack_col_delta_probability": ("概率变化(百分点)", "Change of probability (percentage points)"),
    # verdicts the app words differently ("unknown" is 无法判断 there)
    "pack_status_unknown": ("无法测算", "cannot be assessed"),
    # notes of forecast.decisions.targets.evaluate_targets (English is their original wording)
    "pack_note_derived": ("由累计增长率链接的指数推算（累计值未公布）",
                          "derived from the chained growth index (levels not published)"),
    "pack_note_no_data": ("无该序列数据", "no data for this series"),
    "pack_note_base_low": ("剩余期基数偏低：{months}占当年全年的{share}，此前{n}年同期平均为{usual}",
                           "low base for the rest of the year: {months} made up {share} of that year, {usual} on "
                           "average in the {n} years before"),
    "pack_note_base_high": ("剩余期基数偏高：{months}占当年全年的{share}，此前{n}年同期平均为{usual}",
                            "high base for the rest of the year: {months} made up {share} of that year, {usual} on "
                            "average in the {n} years before"),
    "pack_note_decided": ("全年已定（12月数据已公布）", "year decided: December released"),
    # the notes sheet: (heading, text)
    "pack_report": ("报告", "Report"),
    "pack_report_text": ("辽宁“三驾马车”预测与目标完成情况（会议材料）",
                         "Liaoning's three carriages: forecasts and progress towards the targets (meeting pack)"),
    "pack_run_id": ("运行编号", "Run"),
    "pack_vintage": ("数据截至", "Data up to"),
    "pack_finished": ("运行完成时间(UTC)", "Run finished (UTC)"),
    "pack_n_paths": ("样本路径数", "Sample paths"),
    "pack_units": ("单位", "Units"),
    "pack_units_text": ("累计值：亿元；增长率、目标：%；差距、变化：百分点；概率：%",
                        "YTD values: 100 million yuan; growth rates and targets: %; gaps and changes: "
                        "percentage points; probabilities: %"),
    "pack_projected": ("预计全年增长", "Projected full-year growth"),
    "pack_projected_text": ("样本路径全年增长的中位数；区间为第10至第90百分位（80%区间）",
                            "Median of the full-year growth over the sample paths; the band runs from the "
                            "10th to the 90th percentile (80% band)"),
    "pack_probability": ("达标概率", "Probability of meeting the target"),
    "pack_probability_text": ("全年增长不低于目标的样本路径占比（“左右”与“以上”均按不低于目标计算）",
                              "Share of the sample paths whose full-year growth is at least the target "
                              "(targets of \"about\" and \"at least\" are both counted as at least)"),
    "pack_required": ("其余月份所需增长", "Growth needed in the remaining months"),
    "pack_required_text": ("为完成全年目标，其余月份合计须比上年同期增长的幅度",
                           "Growth over the same months of last year that the remaining months together "
                           "need for the full-year target to be met"),
    "pack_fai_text": ("累计值不公布，相关数据由累计增长率链接的指数推算",
                      "YTD values are not published: its figures come from an index chained from the YTD "
                      "growth rates"),
    "pack_colours": ("状态颜色", "Status colours"),
    "pack_colours_text": ("绿色：有望完成（达标概率≥70%）；黄色：存在风险（30%–70%）；红色：难以完成（<30%）；灰色：无法测算；"
                          "未设目标及参考目标不着色、不作判断",
                          "green: on track (probability ≥ 70%); amber: at risk (30%–70%); red: off track (< 30%); "
                          "grey: cannot be assessed; no target and reference targets stay neutral: no verdict"),
    "pack_chart_probability": ("达标概率(%)", "Probability of meeting the target (%)"),
    "pack_chart_projected": ("预计全年增长及80%区间与目标(%)", "Projected full-year growth, 80% band and target (%)"),
    "pack_code_version": ("代码版本", "Code version"),
    # the monthly brief (forecast.export.brief): headings, sentences, table, figures
    "brief_title": ("辽宁“三驾马车”月度分析简报", "Liaoning's three carriages: monthly brief"),
    "brief_lead": ("数据截至{period}；运行编号{run}（完成于{time}）。本简报为初稿，文中数字均取自该次运行。",
                   "Data up to {period}; run {run} (finished {time}). This brief is a draft; every figure in it "
                   "comes from that run."),
    "brief_h_province": ("一、全省总体情况", "1. The province"),
    "brief_h_cities": ("二、需关注的城市", "2. Cities at risk"),
    "brief_h_changes": ("三、较上月变化", "3. Since last month"),
    "brief_h_scenarios": ("四、情景影响", "4. What the scenarios change"),
    "brief_h_table": ("五、主要指标表", "5. Table of the main figures"),
    "brief_h_charts": ("六、图表", "6. Charts"),
    "brief_position": ("{indicator}：{period}累计增长{ytd}；预计全年增长{projected}（80%区间{p10}至{p90}）。",
                       "{indicator}: YTD growth {ytd} in {period}; projected full-year growth {projected} "
                       "(80% band {p10} to {p90})."),
    "brief_verdict": ("年度目标{target}，达标概率{probability}，{status}。",
                      "Target {target}: probability of meeting it {probability}, {status}."),
    "brief_required": ("其余月份需增长{required}。", "The remaining months need growth of {required}."),
    "brief_no_target": ("未设目标，不作判断。", "No target: no verdict."),
    "brief_reference": ("未设本级目标（全省目标{target}仅供参考），不作判断。",
                        "No target of its own (the province's {target} only for reference): no verdict."),
    "brief_no_data": ("{indicator}：本次运行无该序列的预测，无法测算。",
                      "{indicator}: this run has no forecast of the series; it cannot be assessed."),
    "brief_city": ("{region}{indicator}：预计全年增长{projected}（80%区间{p10}至{p90}），目标{target}，"
                   "达标概率{probability}，{status}。",
                   "{region}, {indicator}: projected full-year growth {projected} (80% band {p10} to {p90}), "
                   "target {target}, probability of meeting it {probability}, {status}."),
    "brief_no_risk": ("有本级目标的{n}个城市序列中，没有存在风险或难以完成的。",
                      "None of the {n} city series with a target of their own is at risk or off track."),
    "brief_no_city_target": ("本次运行中没有城市设有本级目标，不作判断。",
                             "No city has a target of its own in this run: no verdict."),
    "brief_first_run": ("本次运行是库中第一次完整运行，没有上期可比。",
                        "This run is the store's first complete run: there is nothing to compare with."),
    "brief_changes_lead": ("与上期运行{prev}相比：", "Compared with the previous run {prev}:"),
    "brief_change": ("{region}{indicator}：预计全年增长由{prev}调整为{now}（{delta}；其中新发布月份{new}，"
                     "往期数据修订{revisions}，模型重新估计{model}）。",
                     "{region}, {indicator}: projected full-year growth from {prev} to {now} ({delta}; new months "
                     "{new}, revisions {revisions}, re-estimation {model})."),
    "brief_change_p": ("达标概率由{prev}变为{now}（{delta}）。",
                       "Probability of meeting the target from {prev} to {now} ({delta})."),
    "brief_change_new": ("{region}{indicator}：新序列，上期无此序列。",
                         "{region}, {indicator}: a new series, not in the previous run."),
    "brief_changes_more": ("其余{n}个城市序列的变化见会议材料“较上期”表。",
                           "The changes of the other {n} city series are in the pack's Since last run sheet."),
    "brief_no_scenarios": ("本期没有保存的情景。", "No scenario is saved for this run."),
    "brief_scenario": ("情景“{name}”：{description}", "Scenario \"{name}\": {description}"),
    "brief_scenario_row": ("{region}{indicator}：预计全年增长由{base}变为{scenario}（{delta}）。",
                           "{region}, {indicator}: projected full-year growth from {base} to {scenario} ({delta})."),
    "brief_scenario_row_p": ("达标概率由{base}变为{scenario}（{delta}）。",
                             "Probability of meeting the target from {base} to {scenario} ({delta})."),
    "brief_scenario_none": ("该情景不改变任何序列的预计全年增长。",
                            "The scenario changes no series' projected full-year growth."),
    "brief_scenario_failed": ("情景“{name}”未能用于本次运行：{error}", "Scenario \"{name}\" could not be used in "
                              "this run: {error}"),
    "brief_table_caption": ("表1 各地区三驾马车主要指标（{period}）", "Table 1. The main figures by region ({period})"),
    "brief_col_band": ("80%区间(%)", "80% band (%)"),
    "brief_band": ("{p10}至{p90}", "{p10} to {p90}"),
    "brief_col_target": ("年度目标(%)", "Annual target (%)"),
    "brief_fig_probability": ("图{n} 有目标序列的达标概率(%)", "Figure {n}. Probability of meeting the target (%)"),
    "brief_fig_fan": ("图{n} 全省{indicator}当期值及预测", "Figure {n}. Province, {indicator}: period values "
                      "and forecast"),
    "brief_fig_scenario": ("图{n} 情景“{name}”与基准的预计全年增长(%)",
                           "Figure {n}. Scenario \"{name}\" against the baseline: projected full-year growth (%)"),
    "brief_cli_done": ("{path}：月度分析简报（中文），运行{run}（数据截至{period}）",
                       "{path}: monthly brief (English) of run {run} (data up to {period})"),
    "pack_scenario": ("情景：{name}", "Scenario: {name}"),
    "pack_scenario_failed": ("未能用于本次运行：{error}", "Could not be used in this run: {error}"),
}
