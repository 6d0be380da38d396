"""Messages of the front ends in Chinese and English: input problems, notes and model names.

Every :class:`~forecast.data.errors.Problem` carries a ``code`` and the ``fields`` its English ``message`` was
made from; notes of the decision layer (scenarios, the inversion of a province target, gap shares,
reconciliation) are :class:`~forecast.data.errors.Coded` texts, English strings that carry theirs. This module
holds the template of every code in both languages and renders them:

- :func:`problem_text` — a problem in ``zh`` or ``en``;
- :func:`note_text` — a note (or several joined with ``'; '``) in ``zh`` or ``en``; a note read back from the
  store as plain text is recognised from its English template;
- :func:`model_name` — the display name of a model of the registry (``autoets`` → 指数平滑 ETS).

In Chinese, region and indicator codes in the fields become their catalogue names, and column roles, target
kinds and statuses their Chinese words. A problem whose code has no template falls back to its English
message in English, and to a general sentence followed by the original in Chinese.

Examples
--------
>>> from forecast.data.errors import Problem
>>> p = Problem("a.csv", 4, "地区", "unknown region '大莲'; …", "unknown_region", {"name": "大莲", "regions": "liaoning"})
>>> problem_text(p)[:9]
'未知地区“大莲”：'
>>> note_text("held at -1.3000% of the province (projected (median full-year levels))")
'统计差额保持在全省的-1.3000%(按预测(全年数值中位数))'
>>> model_name("autoets"), model_name("autoets", "en")
('指数平滑 ETS', 'ETS (exponential smoothing)')
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from typing import Any

from forecast.data.catalog import INDICATORS, REGIONS
from forecast.data.cells import PERIOD_FORMS as _PERIOD_FORMS
from forecast.data.errors import Coded, Problem

_UNREADABLE = "re-save it from Excel as .xlsx, or export the table as CSV"

#: Code → (zh, en) template of every problem an input can have (``str.format`` fields of the Problem).
PROBLEMS: dict[str, tuple[str, str]] = {
    # one figure of a table (forecast.data.records)
    "no_value": ("没有数值：累计值和累计增长都为空；请填写其一，未公布的数字写“—”，或删除该行",
                 "no value: both 累计值 and 累计增长 are empty; fill one in, write — to mark an unpublished figure, "
                 "or delete the row"),
    "unknown_region": ("未知地区“{name}”：既不在目录中，也不在全国省级和地级行政区划名单(GB/T 2260)上；应为全省(辽宁)"
                       "或某个市，如沈阳、大连市、210200(可选：{regions})",
                       "unknown region {name!r}: not in the catalogue nor on the national list of provinces and "
                       "prefecture-level cities (GB/T 2260); expected the province (辽宁/liaoning) or a city such as 沈阳, "
                       "大连市, Dalian, 210200 (one of {regions})"),
    "region_empty": ("地区为空", "region is empty"),
    "unknown_indicator": ("未知指标“{name}”；应为以下之一：{expected}", "unknown indicator {name!r}; expected one of {expected}"),
    "bad_year": ("无法识别年份“{value}”；应如2025", "cannot read year {value!r}; expected e.g. 2025"),
    "period_empty": ("时期为空；应如2025年1-10月或2025-10", "period is empty; expected e.g. 2025年1-10月 or 2025-10"),
    "january_only": ("{indicator}的1月单月数字：该指标1-2月合并公布；请把1-2月数据写作{year}年1-2月(时期{year}-02)，或删除该行",
                     "January-only figure for {indicator}: it is published for January–February together (1-2月); "
                     "write the Jan–Feb release as {year}年1-2月 (period {year}-02) or drop this row"),
    "unit_usd": ("数值以美元计({unit})：troika以亿元(人民币)存储，外贸也按海关人民币口径计；请使用海关人民币口径数据——"
                 "美元与人民币数字及其增速不可混用",
                 "levels in US dollars ({unit}): troika stores 亿元 (RMB) and keeps trade in 亿元 as customs publish it "
                 "in yuan; use the customs release in yuan (人民币) — USD and RMB figures, and their growth rates, are "
                 "never mixed"),
    "unit_pct_level": ("单位为%，却给出了累计值；请写明累计值的单位(亿元或万元)",
                       "unit is % but a 累计值 level is given; give the level's unit (亿元 or 万元)"),
    "unknown_unit": ("未知单位“{unit}”；应为亿元或万元(增速为%)", "unknown unit {unit!r}; expected 亿元 or 万元 (or % for growth)"),
    "negative_level": ("累计值为负({value})；累计值不能小于0", "negative YTD level {value}; a cumulative value cannot be below 0"),
    "growth_below_minus_100": ("增速{value}%低于-100%，不可能；请检查符号或所在列",
                               "growth {value}% is below -100%, which is impossible; check the sign or the column"),
    "unknown_status": ("未知状态“{value}”；应为published(公布)或generated(生成)",
                       "unknown status {value!r}; expected published or generated"),
    "bad_vintage": ("无法识别发布日期“{value}”；应为YYYY-MM-DD", "cannot read release date {value!r}; expected YYYY-MM-DD"),
    "vintage_future": ("发布日期{vintage}晚于今天({today})；数字不可能在未来公布：请检查日期的年份",
                       "release date {vintage} is after today ({today}); a figure cannot be published in the future: "
                       "check the year of the date"),
    "period_after_vintage": ("时期{period}晚于其发布日期{vintage}：累计数在截止月份之后才公布，因此不可能是已公布数字；请检查时期的年份和月份",
                             "period {period} is later than its release date {vintage}: a year-to-date figure is "
                             "published after the month it ends, so this cannot be a published figure; check the year "
                             "and month of the period"),
    "period_future": ("时期{period}晚于今天({today})且该行没有发布日期：累计数在截止月份之后才公布，因此不可能是已公布数字；"
                      "请检查时期的年份和月份，或填写发布日期",
                      "period {period} is later than today ({today}) and the row has no release date: a year-to-date "
                      "figure is published after the month it ends, so this cannot be a published figure; check the "
                      "year and month of the period, or give its release date (发布日期)"),
    "duplicate_figure": ("({key}，发布日期“{vintage}”)的数字重复：第{row}行已给出；每个地区×指标×时期只保留一个",
                         "duplicate figure for ({key}, vintage {vintage!r}): already given at row {row}; keep one per "
                         "region × indicator × period"),
    "duplicate_figure_file": ("({key}，发布日期“{vintage}”)的数字重复：{other}第{row}行已给出；每个地区×指标×时期只保留一个",
                              "duplicate figure for ({key}, vintage {vintage!r}): already given at {other} row {row}; "
                              "keep one per region × indicator × period"),
    "ytd_falls": ("{year}年内累计值下降：{region}的{indicator}在{period}为{value}，而在{prev_period}为{prev_value}(第{row}行)；"
                  "累计数不会下降——请检查时期、单位(万元/亿元)或数值",
                  "YTD level falls within {year}: {indicator} {region} is {value} at {period} but was {prev_value} at "
                  "{prev_period} (row {row}); a year-to-date total cannot fall — check the period, the unit (万元/亿元) "
                  "or the value"),
    # one cell (forecast.data.cells)
    "not_a_number": ("应为数字，实际为{value}", "expected a number, got {value}"),
    "not_finite": ("{value}不是有限数字；请填写数字，未公布的数字写“—”",
                   "{value} is not a finite number; write the figure, or — for an unpublished one"),
    "not_finite_text": ("“{value}”不是有限数字；请填写数字，未公布的数字写“—”(或留空)",
                        "{value!r} is not a finite number; write the figure, or — (or leave the cell empty) for an "
                        "unpublished one"),
    "bad_number": ("无法识别数字“{value}”；应如1234.5、1,234.5、-3.2或6.7%，未公布的数字写“—”",
                   "cannot read number {value!r}; expected e.g. 1234.5, 1,234.5, -3.2 or 6.7%, or — for an "
                   "unpublished figure"),
    "bad_number_short": ("无法识别数字“{value}”", "cannot read number {value!r}"),
    "number_too_large": ("数字“{value}”太大，无法存储(最大约1.8e308)；请检查该单元格",
                         "number {value!r} is too large to store (the largest is about 1.8e308); check the cell"),
    "period_number": ("时期写成了数字{value}；请写成文本，如2025-10或2025年1-10月",
                      "period given as the number {value}; write it as text such as 2025-10 or 2025年1-10月"),
    "period_empty_forms": ("时期为空；应为2025-10、2025年1-10月、2025年1-2月、2025年10月，或1-10月并另设年份列",
                           "period is empty; expected " + _PERIOD_FORMS),
    "bad_period": ("无法识别时期“{value}”；应为2025-10、2025年1-10月、2025年1-2月、2025年10月，或1-10月并另设年份列",
                   "cannot read period {value!r}; expected " + _PERIOD_FORMS),
    "period_month": ("时期“{value}”的月份不在1-12之间；应为2025-10、2025年1-10月、2025年1-2月、2025年10月，或1-10月并另设年份列",
                     "period {value!r} names a month outside 1-12; expected " + _PERIOD_FORMS),
    "period_not_ytd": ("时期“{value}”不是累计区间：必须从1月开始(1-{month}月)",
                       "period {value!r} is not a year-to-date window: it must start in January (1-{month}月)"),
    "period_reversed": ("时期“{value}”的结束早于开始；应为如1-{month}月的区间",
                        "period {value!r} ends before it starts; expected a window such as 1-{month}月"),
    "period_year_mismatch": ("时期“{value}”写的是{period_year}年，但年份列为{year}年；请使两者一致",
                             "period {value!r} says {period_year} but the 年份/year column says {year}; make them agree"),
    "period_no_year": ("时期“{value}”没有年份；请写成2025年1-10月，或增加年份列",
                       "period {value!r} has no year; write 2025年1-10月 or add a 年份/year column"),
    "period_year_range": ("时期“{value}”的年份{year}不在1949-2100之间", "period {value!r} has year {year}, outside 1949-2100"),
    # the national statistics database's download (forecast.data.national_export)
    "export_unknown_indicator": ("未知指标“{name}”；应为以下之一：{expected}，并带累计值或累计增长，如社会消费品零售总额_累计值(亿元)",
                                 "unknown indicator {name!r}; expected one of {expected} with 累计值 or 累计增长, e.g. "
                                 "社会消费品零售总额_累计值(亿元)"),
    "export_monthly": ("“{name}”是当月数，不是累计数：troika读取累计值和累计增长；请从数据库下载这两项",
                       "{name!r} is a monthly figure, not year-to-date: troika reads 累计值 and 累计增长; download those "
                       "from the database"),
    "export_no_measure": ("“{name}”没有说明口径；应为…_累计值(亿元)或…_累计增长(%)",
                          "{name!r} names no measure; expected …_累计值(亿元) or …_累计增长(%)"),
    "export_no_region": ("表头每行列一个指标，但上方没有一行写明地区；应有如“{example}”的一行",
                         "the header lists one indicator per row but no line above it names the region; expected a "
                         "line such as {example}"),
    "export_no_indicator": ("表头每行列一个地区，但上方没有一行写明指标；应有如“{example}”的一行",
                            "the header lists one region per row but no line above it names the indicator; expected a "
                            "line such as {example}"),
    "row_cut_off": ("该行只有{n}列，而表头有{width}列：文件似乎不完整(下载中断？)；请重新下载",
                    "the row ends after {n} of the header's {width} columns: the file looks cut off (an interrupted "
                    "download?); download it again"),
    "export_no_indicator_name": ("该行有数字但没有指标名称；应如社会消费品零售总额_累计值(亿元)",
                                 "the row has figures but no indicator name; expected e.g. 社会消费品零售总额_累计值(亿元)"),
    # the layout of a table (forecast.data.layouts)
    "two_columns": ("两列都表示{role}(“{first}”和“{second}”)；只保留一列",
                    "two columns mean {role} ({first!r} and {second!r}); keep one"),
    "unknown_measure": ("未知口径“{value}”；应为累计值或累计增长(%)：troika只读取累计数",
                        "unknown measure {value!r}; expected 累计值 (the year-to-date value) or 累计增长 (its growth, %): "
                        "troika reads year-to-date figures only"),
    "measure_empty": ("口径为空；应为累计值或累计增长", "the measure is empty; expected 累计值 or 累计增长"),
    "column_missing_header": ("缺少必需的列；表头现有：{header}", "required column is missing; the header has {header}"),
    "measure_disagrees": ("该列为{column}，但该行的口径({measure})为{row}；请使两者一致",
                          "the column says {column} but the row's measure ({measure}) says {row}; make them agree"),
    "second_measure_column": ("{indicator}的{measure}列重复；只保留一列", "a second {measure} column for {indicator}; keep one"),
    "bulletin_no_period": ("该公报没有时期：请在表头上方的标题行写明(如2025年1-10月各市主要经济指标)，或增加时期列",
                           "no period found for this bulletin: put it in a title line above the header (e.g. "
                           "2025年1-10月各市主要经济指标) or add a 时期/period column"),
    "no_header": ("前{lines}行中没有找到表头；应为长表(地区、指标、时期、累计值、累计增长)、宽表(地区、指标，每个累计月份一列，"
                  "如2025年1-10月)、月度公报(地区及成对的列，如社会消费品零售总额 累计值 | 比上年同期增长%)或国家统计数据库导出表"
                  "(表头为指标或地区，后接月份如2025年10月)；若文字乱码，请指定编码(encoding=...)",
                  "no header row found in the first {lines} lines; expected a long table (地区/region, 指标/indicator, "
                  "时期/period, 累计值/ytd_value, 累计增长/ytd_yoy), a wide table (地区, 指标, one column per YTD month "
                  "such as 2025年1-10月) or a monthly bulletin (地区 and column pairs such as 社会消费品零售总额 累计值 | "
                  "比上年同期增长%) or a national statistics database export (a header 指标 or 地区 followed by months "
                  "such as 2025年10月); if the text looks garbled, pass encoding=..."),
    # the size limits of a read (forecast.data.limits, grids, xlsx, xls, bounded)
    "bad_limit": ("“{value}”不是正整数；删除该设置即使用默认值{default:,}",
                  "{value!r} is not a positive whole number; unset it to use the default {default:,}"),
    "past_rows": ("超过troika单表读取的上限{limit:,}行(TROIKA_MAX_ROWS)；请删除表格下方的内容，或拆分表格",
                  "past the {limit:,} rows troika reads in one table (TROIKA_MAX_ROWS); delete what lies below the "
                  "table, or split it"),
    "past_columns": ("超过troika单表读取的上限{limit:,}列(TROIKA_MAX_COLUMNS)；请删除表格右侧的内容",
                     "past the {limit:,} columns troika reads in one table (TROIKA_MAX_COLUMNS); delete what lies "
                     "right of the table"),
    "sheet_declares_past": ("工作表声明其单元格延伸到{cell}(范围{ref})，{past}；如果表格并不大，请在Excel中重新保存工作簿",
                            "the sheet declares that its cells reach {cell} (dimension {ref}), {past}; if the table is "
                            "small, re-save the workbook from Excel"),
    "value_past": ("位于{cell}的数值{past}", "a value at {cell} lies {past}"),
    "grid_reach": ("数值延伸到{cell}，自A1起共{cells:,}个单元格：", "the values reach {cell}, a grid of {cells:,} cells from A1: "),
    "too_many_cells": ("{why}文件超过{limit:,}个单元格，即troika单个文件读取的上限(TROIKA_MAX_CELLS)；这是官方表格吗？请拆分，"
                       "或删除表格以外的内容",
                       "{why}the file holds more than {limit:,} cells, the most troika reads in one file "
                       "(TROIKA_MAX_CELLS); is this an official table? Split it, or delete what lies outside it"),
    "table_goes_on": ("表格继续延伸，{past}", "the table goes on {past}"),
    "row_too_wide": ("该行有{width:,}个单元格，{past}；这是表格吗？", "the row has {width:,} cells, {past}; is this a table?"),
    "line_too_long": ("该行超过{limit:,}个字符(TROIKA_MAX_LINE_CHARS)；官方表格的行都很短：这是表格吗？",
                      "the line is longer than {limit:,} characters (TROIKA_MAX_LINE_CHARS); an official table's lines "
                      "are short: is this a table?"),
    "cell_too_long": ("某个单元格超过{limit:,}个字符(TROIKA_MAX_FIELD_CHARS)；官方表格的单元格都很短：这是表格吗？"
                      "(未闭合的引号\"会使文件其余部分变成一个单元格)",
                      "a cell is longer than {limit:,} characters (TROIKA_MAX_FIELD_CHARS); an official table's cells "
                      "are short: is this a table? (a quote \" left open makes the rest of the file one cell)"),
    "nul_byte": ("该行含有NUL字节：文件是二进制文件，不是文本表格；请另存为CSV(UTF-8或GBK)或.xlsx",
                 "the line holds a NUL byte: the file is binary, not a text table; save it as CSV (UTF-8 or GBK) or .xlsx"),
    "bad_csv": ("无法读取CSV文本({error})；请重新另存为CSV", "cannot read the CSV text ({error}); save the table again as CSV"),
    "file_empty": ("文件为空；应为带表头的表格，如 地区,指标,时期,累计值,累计增长",
                   "file is empty; expected a table with a header row such as 地区,指标,时期,累计值,累计增长"),
    "file_too_large": ("文件大小为{mb:,.0f} MB，超过troika读取的上限{limit:,} MB(TROIKA_MAX_FILE_MB)；官方表格要小得多：这是表格吗？",
                       "the file is {mb:,.0f} MB, past the {limit:,} MB troika reads (TROIKA_MAX_FILE_MB); an official "
                       "table is far smaller: is this a table?"),
    "not_text": ("文件是{what}，不是文本表格；请把表格另存为CSV(UTF-8或GBK)或.xlsx",
                 "file is {what}, not a text table; save the table as CSV (UTF-8 or GBK) or .xlsx"),
    "binary_file": ("文件是二进制文件(含NUL字节)，不是文本表格；请另存为CSV(UTF-8或GBK)或.xlsx",
                    "file is binary (NUL bytes), not a text table; save it as CSV (UTF-8 or GBK) or .xlsx"),
    "cannot_decode": ("无法按{encodings}解码文件({error})；请另存为UTF-8或GBK，或指定编码(encoding=)",
                      "cannot decode the file as {encodings} ({error}); save it as UTF-8 or GBK, or pass encoding="),
    "not_xls": ("不是可读取的旧版.xls工作簿：文件是{what}；请在Excel中打开并另存为.xlsx，或把表格导出为CSV",
                "not a readable old .xls workbook: the file is {what}; open it in Excel and save it as .xlsx, or export "
                "the table as CSV"),
    "workbook_empty": ("工作簿没有数据：每个工作表都是空的", "workbook has no data: every sheet is empty"),
    "not_a_file": ("找不到文件(或不是文件)", "file not found (or not a file)"),
    "file_not_found": ("找不到文件", "file not found"),
    "unsupported_type": ("不支持的文件类型“{suffix}”；应为.csv、.txt、.tsv、.xlsx或.xls",
                         "unsupported file type {suffix!r}; expected .csv, .txt, .tsv, .xlsx or .xls"),
    "zip_ratio": ("工作簿的部件{part}解压后膨胀{ratio:,.0f}倍({packed:,} → {size:,}字节)，超过troika接受的比例{limit}"
                  "(TROIKA_MAX_COMPRESSION_RATIO)：可能是压缩炸弹，或不是Office工作簿；请在Excel中另存为.xlsx，或把表格导出为CSV",
                  "the workbook's part {part} inflates {ratio:,.0f} times ({packed:,} → {size:,} bytes), past the ratio "
                  "of {limit} troika accepts (TROIKA_MAX_COMPRESSION_RATIO): a zip bomb, or not an office workbook; "
                  + _UNREADABLE),
    "zip_too_large": ("工作簿各部件解压后共{mb:,.0f} MB，超过troika读取的上限{limit:,} MB(TROIKA_MAX_FILE_MB)：可能是压缩炸弹，"
                      "或工作簿远大于官方表格；请把表格导出为CSV",
                      "the workbook's parts inflate to {mb:,.0f} MB, past the {limit:,} MB troika reads "
                      "(TROIKA_MAX_FILE_MB): a zip bomb, or a workbook far larger than an official table; export the "
                      "table as CSV"),
    "not_xlsx": ("不是可读取的.xlsx工作簿({error})；请在Excel中另存为.xlsx，或把表格导出为CSV",
                 "not a readable .xlsx workbook ({error}); " + _UNREADABLE),
    "xls_too_large": ("文件大小为{mb:,.0f} MB，超过troika读取的上限{limit:,} MB(TROIKA_MAX_FILE_MB)；请把表格导出为CSV",
                      "the file is {mb:,.0f} MB, past the {limit:,} MB troika reads (TROIKA_MAX_FILE_MB); export the "
                      "table as CSV"),
    "xls_unreadable": ("不是可读取的旧版.xls工作簿({error})；请在Excel中另存为.xlsx，或把表格导出为CSV",
                       "not a readable old .xls workbook ({error}); " + _UNREADABLE),
    "read_too_slow": ("读取时间超过{seconds} 秒，即上传文件允许的上限；这是官方表格吗？请拆分，或把表格导出为CSV",
                      "reading it took longer than {seconds} s, the most troika allows for an upload; is this an "
                      "official table? Split it, or export the table as CSV"),
    "read_memory": ("读取该文件需要超过{mb:,} MB内存，即上传文件允许的上限；这是官方表格吗？请拆分，或导出为CSV",
                    "the file needs more than {mb:,} MB to read, the most troika allows for an upload; is this an "
                    "official table? Split it, or export it as CSV"),
    "read_killed": ("读取过程被信号{signal}中止：读取该文件需要超过{mb:,} MB内存，即上传文件允许的上限；这是官方表格吗？请拆分，或导出为CSV",
                    "the reader was stopped by signal {signal} while reading it: the file needs more than {mb:,} MB to "
                    "read, the most troika allows for an upload; is this an official table? Split it, or export it "
                    "as CSV"),
    "read_stopped": ("读取过程中止(退出码{exitcode}{last})", "the reader stopped (exit code {exitcode}{last}) while reading it"),
    # frames and the data folder (forecast.data.ytd, panel, schema, files)
    "january_period": ("11期模式下出现1月时期{period}", "January period {period} in 11-period mode"),
    "panel_january": ("{where}：11期模式下出现1月时期", "{where}: January period in 11-period mode"),
    "panel_growth": ("{where}：增速{value} %不高于-100 %", "{where}: growth {value} % is at or below -100 %"),
    "column_missing": ("缺少该列", "column is missing"),
    "bad_dtype": ("数据类型应为{expected}，实际为{dtype}", "expected dtype {expected}, got {dtype}"),
    "unknown_region_code": ("未知地区代码“{code}”", "unknown region code {code!r}"),
    "unknown_indicator_code": ("未知指标代码“{code}”", "unknown indicator code {code!r}"),
    "bad_status_code": ("状态应为{expected}之一，实际为“{value}”", "expected one of {expected}, got {value!r}"),
    "duplicate_key": ("键重复({region}, {indicator}, {period}, “{vintage}”)",
                      "duplicate key ({region}, {indicator}, {period}, {vintage!r})"),
    "path_outside": ("路径指向{path}，在数据目录{root}之外；请给出目录内的名称，如“observations/liaoning_ytd.csv”",
                     "path resolves to {path}, outside the data directory {root}; give a name inside it such as "
                     "'observations/liaoning_ytd.csv'"),
    "no_figures": ("{layout}表头下方没有数字；至少应有一行累计值或增速",
                   "no figures found below the {layout}-layout header; expected at least one row with a value or a "
                   "growth rate"),
    "no_tables": ("没有找到.csv、.xlsx或.xls文件；请把官方表格放在data/observations/，或设置TROIKA_DATA_DIR",
                  "no .csv, .xlsx or .xls file found; put official tables in data/observations/ or set TROIKA_DATA_DIR"),
    # the targets table and the project list (forecast.data.target_table, project_list)
    "required_column": ("缺少必需的列", "required column is missing"),
    "second_column": ("{role}列重复；只保留一列", "second column for {role}; keep one"),
    "target_unknown_region": ("未知地区“{name}”；应为{codes}之一或其中文名称",
                              "unknown region {name!r}; expected one of {codes} or their Chinese names"),
    "target_unknown_indicator": ("未知指标“{name}”；应为{codes}之一或其中文名称",
                                 "unknown indicator {name!r}; expected one of {codes} or their Chinese names"),
    "target_empty": ("目标值为空；应为以%计的增速，如5", "target value is empty; expected a growth rate in %, e.g. 5"),
    "target_kind": ("未知目标类型“{value}”；应为about(左右)或at_least(以上)",
                    "unknown target kind {value!r}; expected about (左右) or at_least (以上)"),
    "target_assumed": ("不再接受假设目标：此处只保留公布目标(注明来源)，分析员设定的目标请用 `forecast targets set … --source TEXT` 录入"
                       "(保留录入人、时间和理由)",
                       "assumed targets are no longer accepted: keep published targets here (with their source), and "
                       "enter an analyst's target with `forecast targets set … --source TEXT` (who, when and why are kept)"),
    "target_status": ("未知状态“{value}”；应为published(公布)、analyst(分析员设定)或reference(参考)",
                      "unknown status {value!r}; expected published, analyst or reference"),
    "target_source": ("{status}目标需要注明来源(文件、录入人及理由，或推算规则)",
                      "a {status} target needs its source (the document, the person and reason, or the rule)"),
    "targets_no_header": ("没有找到表头；应有列{columns}", "no header row found; expected columns {columns}"),
    "target_duplicate": ("目标重复({key})：第{row}行已有", "duplicate target for {key}: already at row {row}"),
    "bad_month": ("无法识别月份“{value}”；应如2026-09或2026年9月", "cannot read month {value!r}; expected e.g. 2026-09 or 2026年9月"),
    "project_name_empty": ("项目名称为空", "project name is empty"),
    "project_province": ("“{name}”是全省；项目只属于一个市(沈阳、大连……)",
                         "{name!r} is the province; a project belongs to one city (沈阳, 大连, …)"),
    "project_unknown_city": ("未知城市“{name}”：应为{codes}之一或其中文名称",
                             "unknown city {name!r}: unknown region {name!r}; expected one of {codes} or their Chinese names"),
    "project_status": ("未知建设性质“{value}”；应为新开工、续建、前期或竣工",
                       "unknown status {value!r}; expected 新开工 (new), 续建 (continuing), 前期 (preparatory) or 竣工 "
                       "(completed)"),
    "project_amount": ("{error}(亿元)", "{error} (亿元)"),
    "project_amount_empty": ("金额为空；应为以亿元计的金额(没有则填0)", "amount is empty; expected an amount in 亿元 (0 if none)"),
    "project_negative": ("金额为负({value})；应为不小于0的亿元金额",
                         "negative amount {value}; expected an amount ≥ 0 in 亿元"),
    "project_year": ("无法识别年份“{value}”；应如2026", "cannot read year {value!r}; expected e.g. 2026"),
    "project_incremental": ("无法识别“{value}”；应为是/yes(不在基准中)或否/no(已在基准中)",
                            "cannot read {value!r}; expected 是/yes (not in the baseline) or 否/no (already in it)"),
    "project_planned_over": ("本年计划投资{planned}亿元超过总投资{total}亿元",
                             "this year's planned investment {planned} 亿元 exceeds the total {total} 亿元"),
    "project_done_over": ("已完成投资{done}亿元超过总投资{total}亿元", "completed investment {done} 亿元 exceeds the total {total} 亿元"),
    "project_done_no_period": ("给出了已完成投资却没有其截止时期(截至月份，如2026-06)",
                               "completed investment is given without its period (the month it runs to, e.g. 2026-06)"),
    "project_end_before_start": ("计划竣工{end}早于计划开工{start}", "planned end {end} is before the planned start {start}"),
    "project_outside_year": ("{year}年计划投资{planned}亿元，但项目建设期为{start}..{end}，不在{year}年内",
                             "{planned} 亿元 planned in {year}, but the project is active {start}..{end}, outside {year}"),
    "project_no_header": ("没有找到表头；应有列 项目名称、所在地区、建设性质、总投资(亿元)、年度计划投资(亿元)、计划开工、计划竣工",
                          "no header row found; expected columns 项目名称, 所在地区, 建设性质, 总投资(亿元), 年度计划投资(亿元), "
                          "计划开工, 计划竣工"),
    "bad_amount_unit": ("单位“{unit}”；应为亿元或万元", "unit {unit!r}; expected 亿元 or 万元"),
    "project_no_year": ("没有计划年度列，标题行中也没有年份(如2026年全省重大项目清单)",
                        "no 计划年度/plan_year column and no year in a title line (e.g. 2026年全省重大项目清单)"),
    "project_duplicate": ("{region}的项目“{name}”重复：第{row}行已有", "duplicate project {name!r} in {region}: already at row {row}"),
    # scenarios as data (forecast.decisions.scenario_spec, scenario_files, scenarios)
    "name_control": ("含有控制字符({where}{more})；情景名称是单行纯文本(会成为工作表名和文件名)：请删除",
                     "contains a control character ({where}{more}); a scenario name is plain text on one line (it "
                     "becomes a sheet name and a file name): remove it"),
    "scn_bad_range": ("月份范围“{value}”格式有误；应为“YYYY-MM..YYYY-MM”(如“2026-11..2027-06”)",
                      "malformed range {value!r}; expected 'YYYY-MM..YYYY-MM' (e.g. '2026-11..2027-06')"),
    "scn_range_reversed": ("月份范围“{value}”的结束早于开始；应为开始 ≤ 结束",
                           "range {value!r} ends before it starts; expected start ≤ end"),
    "scn_bad_months": ("实际为“{value}”；应为“YYYY-MM..YYYY-MM”范围，或非空的“YYYY-MM”月份列表",
                       "got {value!r}; expected a range 'YYYY-MM..YYYY-MM' or a non-empty list of 'YYYY-MM' months"),
    "scn_bad_month": ("实际为“{value}”；应为“YYYY-MM”格式的月份(如“2026-11”)",
                      "got {value!r}; expected a month 'YYYY-MM' (e.g. '2026-11')"),
    "scn_month_twice": ("月份{month}列了两次", "month {month} is listed twice"),
    "scn_adj_not_mapping": ("实际为{type} “{value}”；应为含字段{fields}的映射",
                            "got {type} {value!r}; expected a mapping with fields {fields}"),
    "scn_unknown_field": ("未知字段“{name}”；应为{expected}之一", "unknown field {name!r}; expected one of {expected}"),
    "scn_missing_kind": ("缺少字段“{name}”({kinds}之一)", "missing field {name!r} (one of {kinds})"),
    "scn_missing_field": ("缺少必需字段“{name}”", "missing field {name!r} (required)"),
    "scn_unknown_kind": ("未知调整方式“{value}”；应为{expected}之一", "unknown kind {value!r}; expected one of {expected}"),
    "scn_unknown_indicator": ("未知指标“{value}”；应为{expected}之一", "unknown indicator {value!r}; expected one of {expected}"),
    "scn_bad_regions": ("实际为“{value}”；应为非空的地区列表", "got {value!r}; expected a non-empty list of regions"),
    "scn_unknown_region": ("未知地区“{value}”；应为{expected}之一", "unknown region {value!r}; expected one of {expected}"),
    "scn_region_twice": ("地区“{region}”列了两次", "region {region!r} is listed twice"),
    "scn_bad_value": ("实际为“{value}”；应为有限数字({unit})", "got {value!r}; expected a finite number ({unit})"),
    "scn_negative_level": ("{kind} {value}会使数值为负；应为不小于-100的值",
                           "{kind} {value} would make the level negative; expected a value ≥ -100"),
    "scn_not_text": ("实际为“{value}”；应为文本", "got {value!r}; expected text"),
    "scn_empty_name": ("实际为“{value}”；名称不能为空", "got {value!r}; expected a non-empty name"),
    "scn_bad_base_run": ("实际为“{value}”；应为运行编号(文本)或null", "got {value!r}; expected a run id (text) or null"),
    "scn_adjs_not_list": ("实际为{type}；应为调整列表", "got {type}; expected a list of adjustments"),
    "scn_not_mapping": ("实际为{type}；应为含字段{expected}的映射", "got {type}; expected a mapping with fields {expected}"),
    "scn_range_outside": ("月份范围{months}超出{series}的预测期{horizon}",
                          "range {months} reaches outside the forecast horizon {horizon} of {series}"),
    "scn_range_empty": ("月份范围{months}不含{series}预测的任何期末月份",
                        "range {months} holds no period-end month of the forecast of {series}"),
    "scn_january": ("{month}不是{series}预测中的时期；1月与2月合并公布：请用{use}",
                    "{month} is not a period of the forecast of {series}; January is published with February: use {use}"),
    "scn_not_period": ("{month}不是{series}预测中的时期", "{month} is not a period of the forecast of {series}"),
    "scn_month_outside": ("{month}超出{series}的预测期{horizon}", "{month} is outside the forecast horizon {horizon} of {series}"),
    "scn_file_suffix": ("未知文件后缀“{suffix}”；应为{expected}之一", "unknown suffix {suffix!r}; expected one of {expected}"),
    "no_such_file": ("文件不存在", "no such file"),
    "scn_file_unreadable": ("无法按UTF-8文本读取：{error}", "{error}"),
    "bad_json": ("JSON格式有误：{error}", "malformed JSON: {error}"),
    "bad_yaml": ("YAML格式有误：{error}", "malformed YAML: {error}"),
    "scn_name_taken": ("情景名称“{name}”已被{other}使用", "scenario name {name!r} is also used by {other}"),
    "error": ("出现问题(原文)：{error}", "{error}"),
    "scn_no_forecast": ("{series}没有预测", "no forecast for {series}"),
    # the store, the batch and the app (forecast.runs.store.ingest, runs.batch, app)
    "stored_conflict": ("{region} {indicator} {period}(发布日期“{vintage}”)已以不同数值入库(库中：{stored}；本文件：{given})；"
                        "如为修订，请为该次发布注明发布日期",
                        "{region} {indicator} {period} (vintage {vintage!r}) is already stored with a different value "
                        "(stored: {stored}; this file: {given}); give the release a vintage (发布日期) to store a revision"),
    "bad_setting": ("实际为“{value}”；应为{requirement}", "got {value!r}; expected {requirement}"),
    "bad_series_setting": ("地区或指标设置有误：{error}", "{error}"),
    "store_empty": ("库中没有所选序列的观测值；请把表格放入输入文件夹，或运行 `forecast ingest FILE…`",
                    "the store holds no observations of the selected series; put tables in the input folder or run "
                    "`forecast ingest FILE…`"),
    "no_input_folder": ("应为存放官方表格(.csv/.xlsx)的文件夹；请传入 --input DIR",
                        "expected a folder of official tables (.csv/.xlsx); pass --input DIR"),
    "scn_file_taken": ("已被情景“{other}”占用", "held by scenario {other!r}"),
    "cannot_read": ("无法读取该文件：{error}", "cannot read the file: {error}"),
    # the full-year spread table (forecast.data.spread_table)
    "spread_too_large": ("{size}字节；离散度表最多{limit}字节", "{size} bytes; a spread table is at most {limit}"),
    "spread_columns": ("缺少列{missing}；应有{expected}", "missing column(s) {missing}; expected {expected}"),
    "spread_value": ("无法识别“{value}”；应为{expected}", "cannot read {value!r}; expected {expected}"),
    "spread_duplicate": ("{indicator}在起点{origin}出现两次", "{indicator} at origin {origin} appears twice"),
}

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
_ZH_WORDS: dict[str, str] = {
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
#: The Chinese sentence before a problem's English text when its code has no template.
GENERIC_ZH = "输入有误(原文)："
_LANGS = ("zh", "en")


def _index(lang: str) -> int:
    if lang not in _LANGS:
        raise ValueError(f"lang={lang!r}; expected one of {_LANGS}")
    return _LANGS.index(lang)


class _Formatter(string.Formatter):
    """``str.format`` that writes a value as text when its format spec does not fit (a field read back from text)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


_FORMAT = _Formatter()


def _code_zh(token: str) -> str | None:
    if token in REGIONS:
        return REGIONS[token].name("zh")
    if token in INDICATORS:
        return INDICATORS[token].name("zh").split("(")[0].strip()
    return "统计差额" if token == "discrepancy" else None


def _word_zh(token: str, words: bool) -> str | None:
    """The Chinese of one token of a field: a catalogue code's name (``shenyang``, ``shenyang/fai``), a known
    word (``words``: the field names a role, a kind, …) or a note; None if none."""
    if "/" in token and all(_code_zh(x) for x in token.split("/")):
        return "/".join(_code_zh(x) for x in token.split("/"))
    if _code_zh(token):
        return _code_zh(token)
    if words and token in _ZH_WORDS:
        return _ZH_WORDS[token]
    return _parsed(token, "zh")


#: Fields that hold what a person wrote or a library said (never translated).
_LITERAL = frozenset({"name", "value", "error", "header", "path", "root", "suffix", "fields", "part", "last"})
#: Fields whose words (a column role, a target kind, a layout, …) have a Chinese name in ``_ZH_WORDS``.
_WORDY = frozenset({"role", "what", "origin", "kind", "unit", "measure", "layout", "requirement", "method", "status", "rule"})


def _value(value: Any, lang: str, key: str = "") -> Any:
    """A field as the template of ``lang`` needs it (Coded parts rendered; codes and words in Chinese)."""
    if isinstance(value, Coded) and value.code:
        return note_text(value, lang)
    if lang == "en" or key in _LITERAL:
        return value
    if isinstance(value, list | tuple):
        return "、".join(str(_value(v, lang, key)) for v in value)
    if isinstance(value, str):
        tokens = value.split(", ")
        words = [_word_zh(x, key in _WORDY) for x in tokens]
        if any(w is not None for w in words):
            return "、".join(w if w is not None else x for w, x in zip(words, tokens, strict=True))
    return value


def _render(code: str, fields: Mapping[str, Any], lang: str) -> str | None:
    pair = PROBLEMS.get(code) or NOTES.get(code)
    if code == "joined" and "parts" in fields:
        return ("；" if lang == "zh" else "; ").join(note_text(p, lang) for p in fields["parts"])
    if pair is None:
        return None
    try:
        return _FORMAT.format(pair[_index(lang)], **{k: _value(v, lang, k) for k, v in fields.items()})
    except (KeyError, IndexError, ValueError, AttributeError):
        return None


_FIELD = re.compile(r"\{(\w+)(![rs])?(:[^}]*)?\}")


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    """The English template of every code as a regular expression that gives back its fields."""
    out = []
    for code, (_, en) in [*NOTES.items(), *PROBLEMS.items()]:
        rx, seen, pos = [], set(), 0
        for m in _FIELD.finditer(en):
            rx.append(re.escape(en[pos:m.start()]))
            name, quoted = m.group(1), m.group(2) == "!r"
            group = f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
            seen.add(name)
            rx.append(f"['\"]{group}['\"]" if quoted else group)
            pos = m.end()
        rx.append(re.escape(en[pos:]))
        if len(_FIELD.sub("", en)) >= 8:   # a template that is (nearly) only fields would match any text
            out.append((code, re.compile("".join(rx), re.DOTALL)))
    return out


def _parsed(text: str, lang: str) -> str | None:
    """``text`` rendered in ``lang`` when it is the English of one template, else None (fields of fields are
    looked at two levels deep at most)."""
    global _DEPTH
    if _DEPTH >= 2:
        return None
    _DEPTH += 1
    try:
        for code, rx in _patterns():
            m = rx.fullmatch(text)
            if m:
                return _render(code, m.groupdict(), lang)
        return None
    finally:
        _DEPTH -= 1


_DEPTH = 0


def note_text(note: Any, lang: str = "zh") -> str:
    """A note (or several joined with ``'; '``) in ``lang``; parts without a template are kept as they are.

    Examples
    --------
    >>> note_text("baseline = YTD growth (no forecast)"), note_text("something else", "zh")
    ('基准 = 累计增速(无预测)', 'something else')
    >>> note_text("includes cities left out: fushun (no forecast), dalian")
    '含未纳入的城市：抚顺(无预测)、大连'
    """
    _index(lang)
    if note is None or (not isinstance(note, str)) or not note:
        return "" if note is None or note != note else str(note)
    if lang == "en":   # a note is its English text
        return str(note)
    if isinstance(note, Coded) and note.code:
        out = _render(note.code, note.fields, lang)
        if out is not None:
            return out
    parts, out, i = note.split("; "), [], 0
    while i < len(parts):
        for j in range(i + 1, len(parts) + 1):   # the shortest run of parts that is one note
            text = _parsed("; ".join(parts[i:j]), lang)
            if text is not None:
                out.append(text)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "；".join(out)


def problem_text(problem: Problem, lang: str = "zh") -> str:
    """The message of ``problem`` in ``lang``, from its code and fields (see the module docstring).

    Examples
    --------
    >>> p = Problem("t.csv", 2, "时期", "period '2025年13月' names a month outside 1-12; …", "period_month",
    ...             {"value": "2025年13月"})
    >>> problem_text(p)[:24]
    '时期“2025年13月”的月份不在1-12之间；'
    >>> problem_text(Problem("t.csv", None, None, "something odd")), problem_text(Problem("t.csv", None, None, "odd"), "en")
    ('输入有误(原文)：something odd', 'odd')
    """
    _index(lang)
    out = _render(problem.code, problem.fields, lang) if problem.code else None
    if out is not None:
        return out
    if lang == "en":
        return problem.message
    return _parsed(problem.message, lang) or GENERIC_ZH + problem.message


def error_text(error: Exception, lang: str = "zh") -> str:
    """What a :class:`~forecast.data.errors.DataError` says, in ``lang``: its summary in English; in Chinese its
    problems (the first three, and how many more), or the general sentence and the summary without any.

    Examples
    --------
    >>> from forecast.data.errors import DataError
    >>> e = DataError("scenario 'x': months: month 2026-03 is listed twice",
    ...               [Problem("x", None, "months", "month 2026-03 is listed twice", "scn_month_twice", {"month": "2026-03"})])
    >>> error_text(e), error_text(e, "en")
    ('“months”：月份2026-03列了两次', "scenario 'x': months: month 2026-03 is listed twice")
    """
    _index(lang)
    summary = getattr(error, "summary", None) or str(error)
    if lang == "en":
        return summary
    problems = list(getattr(error, "problems", ()) or ())
    if not problems:
        return _parsed(summary, lang) or GENERIC_ZH + summary
    lines = [(f"“{p.column}”：" if p.column else "") + problem_text(p, lang) for p in problems[:3]]
    more = f"(另有{len(problems) - 3}个问题)" if len(problems) > 3 else ""
    return "；".join(lines) + more


def flag_text(flag: str, lang: str = "zh") -> str:
    """A forecast's flag in words (``failed…`` flags and unknown ones as they are).

    Examples
    --------
    >>> flag_text("few_origins"), flag_text("few_origins", "en")
    ('回测起点较少', 'few backtest origins')
    """
    flag = str(flag)
    pair = FLAGS.get(flag)
    if pair:
        return pair[_index(lang)]
    if flag.startswith("filled_gaps:"):
        n = flag.split(":", 1)[1]
        return f"补齐了{n}个缺失时期" if lang == "zh" else f"{n} missing period(s) filled"
    if flag.startswith("failed: ") and lang == "zh":
        return "预测失败：" + flag[len("failed: "):]
    return flag


def model_name(name: str, lang: str = "zh") -> str:
    """The display name of a model of the registry in ``lang`` (unknown names as they are).

    Examples
    --------
    >>> model_name("dotm"), model_name("ces", "en"), model_name("my_model")
    ('动态优化Theta', 'CES (complex exponential smoothing)', 'my_model')
    """
    pair = MODEL_NAMES.get(str(name))
    return pair[_index(lang)] if pair else str(name)
