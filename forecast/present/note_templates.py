"""Templates of the decision layer's notes, model display names, forecast flags, and the Chinese words a field
can hold (rendered by :mod:`forecast.present.messages`).
"""

from __future__ import annotations

#: Code → (zh, en) template of every note of the decision layer (:class:`~forecast.data.errors.Coded` texts).
NOTES: dict[str, tuple[str, str]] = {
    # a series against its target (forecast.decisions.targets)
    "no_data": ("该序列没有数据", "no data for this series"),
    "derived_from_index": ("由链式增长指数推算(未公布数值)", "derived from the chained growth index (levels not published)"),
    "forecast_stale": ("预测截至{made}，数据已更新到{now}", "forecast made at {made}, data now at {now}"),
    # scenarios (forecast.decisions.scenarios)
    "abs_index_converted": ("{series}的绝对额调整：指数按每指数点{k}亿元折算为亿元({year}年数值{level}亿元 / 指数{index})",
                            "abs on {series}: index converted to 亿元 at {k} 亿元 per index point (level {level} 亿元 "
                            "for {year} / index {index})"),
    "abs_estimated_levels": ("{series}的绝对额调整：其数值是由公布增速链式推算的估计值，以{period}的公布数值({level}亿元)为锚；"
                             "调整额加在该估计值上",
                             "abs on {series}: its levels are estimates chained from published growth rates, anchored on "
                             "the published level of {period} ({level} 亿元); the amount was added to that estimate"),
    "scn_adjusted": ("情景“{name}”：第{i}项调整 {kind} {value}", "scenario {name!r}: adjustments[{i}] {kind} {value}"),
    "scn_changed": ("情景“{name}”", "scenario {name!r}"),
    # the inversion of a province target and the gap shares (forecast.decisions.inversion, gap_shares)
    "basis_projected": ("按预测(全年数值中位数)", "projected (median full-year levels)"),
    "basis_last_year": ("按上年({year}-12)", "last year ({year}-12)"),
    "basis_ytd": ("按累计({period})", "year to date ({period})"),
    "inv_equal_pp_used": ("没有城市在所需方向上存在差距：改用等幅(百分点)分配",
                          "no city has a gap in the needed direction: equal_pp used"),
    "inv_baseline_ytd": ("基准 = 累计增速(无预测)", "baseline = YTD growth (no forecast)"),
    "cities_not_released": ("含{period}未公布的城市：{cities}", "includes cities not released at {period}: {cities}"),
    "growth_minus_100": ("增速为-100%：无法还原上年基数", "growth of -100 %: last year's base cannot be recovered"),
    "no_forecast": ("无预测", "no forecast"),
    "no_release_year": ("{year}年未公布", "no release in {year}"),
    "growth_only_excluded": ("只公布增速的序列(链式指数，非亿元)：不计入", "growth-only series (chained index, not 亿元): excluded"),
    "no_release_at": ("{period}未公布，该期为三驾马车共同的最新时期", "no release at {period}, the latest period common to the carriages"),
    "inv_province_row": ("目标{target}%，分配规则：{rule}", "target {target}%, rule {rule}"),
    "inv_held_at": ("统计差额保持在全省的{share}({basis})", "held at {share} of the province ({basis})"),
    "cities_left_out": ("含未纳入的城市：{cities}", "includes cities left out: {cities}"),
    "city_no_forecast": ("{region}(无预测)", "{region} (no forecast)"),
    "gap_discrepancy_row": ("全省 − 各市之和(统计差额)；基数 = 全省基数 − 各市基数之和",
                            "province − Σ cities (statistical discrepancy); base = province's base − cities' bases"),
    "gap_province_row": ("目标{target}%({origin})；{n}条路径的均值", "target {target}% ({origin}); means over {n} path(s)"),
    "year_decided": ("全年已定：12月数据已公布", "year decided: December released"),
    "gap_on_target": ("全省恰好达到目标：份额无定义", "the province is exactly on its target: shares undefined"),
    "coherence_no_paths": ("未提供统计差额路径：未检验路径的一致性", "no discrepancy paths given: coherence of the paths not checked"),
    "coherence_left_out": ("未检验一致性(有城市未纳入)", "coherence not checked (cities left out)"),
    "base_not_positive": ("全年基数{base} ≤ 0：无法计算增速", "full-year base {base} ≤ 0: no growth rate"),
    # reconciliation (forecast.decisions.reconcile, mint)
    "rec_discrepancy_history": ("统计差额 = 全省 − {cities}个市之和：取{periods}个历史时期中最近{years}年的同月均值，加自助抽样偏差",
                                "discrepancy = province − Σ {cities} cities: same-month mean of the last {years} years "
                                "of {periods} historical periods plus bootstrapped deviations"),
    "rec_large_gap": ("全省 − 各市之和的历史差额平均为全省流量的{share}：各市与全省可能口径不同(无数值的链式指数)",
                      "the historical gap province − Σ cities averages {share} of the province's flow: cities and "
                      "province may be on different scales (chained indices without a level)"),
    "rec_no_history": ("面板中没有全省 − 各市之和的历史：统计差额取各路径上预测隐含的差额(全省保留自身预测)",
                       "no history of province − Σ cities in the panel: the discrepancy is the gap the forecasts imply on "
                       "each path (the province keeps its own forecast)"),
    "rec_by_mean": ("按各市平均流量分配(各单元在路径间没有波动)",
                    "in proportion to their mean flow (no cell varies across paths)"),
    "rec_by_variance": ("按各市各期在路径间的方差分配", "in proportion to each city-period's variance across paths"),
    "rec_pinned_share": ("锁定：承担{region}{indicator}{year}年总量差额的{share}",
                         "pinned: carries {share} of the gap to the {region} {indicator} {year} total"),
    "rec_pinned_total": ("锁定：每条路径上{year}年全年总量为{total}；差额{how}，分摊到各市的{indicators}",
                         "pinned: {year} full-year total {total} on every path; the gap is spread over the cities' "
                         "{indicators} {how}"),
    "rec_reconciled": ("已协调({method})", "reconciled ({method})"),
    "rec_trade_not_enforced": ("未强制外贸 = 出口 + 进口：出口和进口的预测地区与外贸不同",
                               "trade = exports + imports not enforced: exports and imports are not forecast for the "
                               "same regions as trade"),
    "rec_trade_parts": ("外贸 = 出口 + 进口(协调后的分项)", "trade = exports + imports (reconciled parts)"),
    "rec_mint": ("MinT协调，Schäfer–Strimmer收缩(预测期内λ为{low}–{high})",
                 "MinT with Schäfer–Strimmer shrinkage (λ {low}–{high} over the horizon)"),
}

#: Registry name → (zh, en) display name of each model (:data:`forecast.engine.models.MODELS`, the
#: built-in fallback of :mod:`forecast.engine.candidates` and the global LightGBM member).
MODEL_NAMES: dict[str, tuple[str, str]] = {
    "naive": ("朴素", "Naive"),
    "snaive": ("季节朴素", "Seasonal naive"),
    "snaive_fallback": ("季节朴素(备用)", "Seasonal naive (fallback)"),
    "ets": ("指数平滑", "Exponential smoothing"),
    "autoets": ("指数平滑 ETS", "ETS (exponential smoothing)"),
    "ces": ("复杂指数平滑 CES", "CES (complex exponential smoothing)"),
    "dotm": ("动态优化Theta", "Dynamic optimised Theta"),
    "theta": ("Theta", "Theta"),
    "sarimax": ("ARIMA", "ARIMA"),
    "arima": ("ARIMA", "ARIMA"),
    "prophet": ("Prophet", "Prophet"),
    "global_gbm": ("LightGBM 全局模型", "LightGBM global model"),
}

#: Flag of a forecast (:class:`forecast.engine.result.SeriesForecast` ``flags``) → (zh, en) words.
FLAGS: dict[str, tuple[str, str]] = {
    "no_backtest": ("序列太短，未做回测", "too short for a backtest"),
    "few_origins": ("回测起点较少", "few backtest origins"),
    "fallback_snaive": ("所有候选模型均失败，改用季节朴素", "every candidate failed: seasonal naive used"),
}

#: English words a field can hold → Chinese (column roles, target kinds and statuses, file kinds, …).
ZH_WORDS: dict[str, str] = {
    "region": "地区", "indicator": "指标", "period": "时期", "value": "累计值", "yoy": "累计增长", "year": "年份",
    "unit": "单位", "status": "状态", "source": "来源", "vintage": "发布日期", "measure": "口径", "kind": "类型",
    "name": "项目名称", "sector": "行业", "total": "总投资", "planned": "年度计划投资", "completed": "已完成投资",
    "start": "计划开工", "end": "计划竣工", "plan_year": "计划年度", "incremental": "是否新增",
    "about": "左右", "at_least": "以上", "published": "公布", "analyst": "分析员设定", "reference": "参考",
    "given": "给定", "generated": "生成", "(none)": "(无)", "see kind": "见调整方式",
    "pp": "增速加减(百分点)", "pct": "数值按比例调整(%)", "abs": "绝对额调整(亿元)", "set": "设定增速(%)",
    "percentage points added to YoY growth": "加到同比增速上的百分点", "% change of the level": "数值的百分比变化",
    "亿元 added in total over the months": "各月合计增加的亿元", "YoY growth in %": "同比增速(%)",
    "equal_pp": "各市增加相同百分点", "proportional_gap": "按与进度差距分配", "bottom_up": "自下而上", "mint_shrink": "MinT收缩", "pin": "锁定",
    "a PNG image": "PNG图片", "a zip archive (an .xlsx workbook renamed?)": "zip压缩包(改了名的.xlsx工作簿？)",
    "a PDF document": "PDF文档", "an old Excel workbook (name it .xls to read it)": "旧版Excel工作簿(改名为.xls即可读取)",
    "a gzip archive": "gzip压缩包", "a JPEG image": "JPEG图片", "a GIF image": "GIF图片", "empty": "空文件",
    "text (an HTML or text table saved as .xls?)": "文本(另存为.xls的HTML或文本表格？)",
    "not an Excel workbook": "不是Excel工作簿", "a whole number ≥ 2": "不小于2的整数", "a whole number ≥ 1": "不小于1的整数",
    "11 or 12": "11或12", "bottom_up, mint_shrink or none": "bottom_up、mint_shrink或none",
    "a month number 1-12": "1-12的月份数", "long": "长表", "wide": "宽表", "bulletin": "公报",
    "export": "数据库导出表",
}
