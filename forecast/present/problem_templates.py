"""The template of every input problem, in Chinese and English (rendered by :mod:`forecast.present.messages`).

A :class:`~forecast.data.errors.Problem` carries a ``code`` and the ``fields`` its English ``message`` was made
from; :data:`PROBLEMS` maps each code to its two ``str.format`` templates, grouped by the reader that raises it.
A new code needs both here (``tests/test_messages.py`` checks every code in the source, and that the English
template reproduces the message).
"""

from __future__ import annotations

from forecast.data.cells import PERIOD_FORMS as _PERIOD_FORMS

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
