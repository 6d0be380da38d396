"""Labels of the Excel meeting pack (:mod:`forecast.export.pack`), in Chinese and English.

:mod:`forecast.present.i18n` merges :data:`EXPORT_LABELS` with the app's labels (:mod:`forecast.present.labels`)
into its :data:`~forecast.present.i18n.LABELS`, so every key here is read with :func:`forecast.present.i18n.t` like any
other label. Keys start with ``pack_``. The Chinese texts are the workbook's original ones (its tests
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
    "pack_code_version": ("代码版本", "Code version"),
    "pack_scenario": ("情景：{name}", "Scenario: {name}"),
    "pack_scenario_failed": ("未能用于本次运行：{error}", "Could not be used in this run: {error}"),
}
