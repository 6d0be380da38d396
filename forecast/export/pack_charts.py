"""What makes a sheet of the meeting pack readable at a glance: status colours and native charts.

Both are plain openpyxl features that Excel and LibreOffice open alike:

- **Status colours** are conditional formats (:func:`colour_statuses`): the region (or indicator), the
  probability and the status cells of a row take the colour of its status (有望完成 green, 存在风险 amber,
  难以完成 red, 无法测算 grey; 未设目标 and 参考 neutral, never a verdict colour). The rule compares the
  status cell with the label in the sheet's language, so the colour follows the figure if someone edits it.
- **Charts** are native Excel charts drawn from the table's own cells, under the table
  (:func:`add_standing_charts`): the probability of meeting the target per row, and the projected full-year
  growth with its 80% band (10th and 90th percentile) and the target. No cell is added for them, so the
  sheet's table is exactly what :func:`pandas.read_excel` reads.

openpyxl is imported inside the functions: it is needed only when a pack is written.
"""

from __future__ import annotations

from typing import Any

from forecast.present import i18n

#: Order of the statuses whose colour is set (the codes of :data:`forecast.present.i18n.STATUS_COLOURS`).
STATUSES = ("on_track", "at_risk", "off_track", "unknown", "no target", "reference")
#: Columns (source names of a standing sheet) coloured by the row's status.
COLOURED = ("region_name", "indicator_name", "probability_pct", "status_label")


def _column(columns: list[tuple[str, str, str | None]], src: str) -> int | None:
    return next((j for j, (_, s, _) in enumerate(columns, start=1) if s == src), None)


def colour_statuses(ws: Any, n_rows: int, columns: list[tuple[str, str, str | None]],
                    labels: dict[str, str]) -> int:
    """Colour the rows 2 … ``n_rows + 1`` of ``ws`` by their status label; return the number of rules added.

    Parameters
    ----------
    ws : Worksheet
    n_rows : int
        Rows of the table under its header.
    columns : list
        The sheet's columns ``(header, source, number format)``; ``status_label`` must be one of them.
    labels : dict
        Status code → its label in the sheet's language (the text of the status cells).
    """
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    status = _column(columns, "status_label")
    if status is None or n_rows <= 0:
        return 0
    letter = get_column_letter(status)
    cols = [j for src in COLOURED if (j := _column(columns, src)) is not None]
    ranges = " ".join(f"{get_column_letter(j)}2:{get_column_letter(j)}{n_rows + 1}" for j in cols)
    n = 0
    for code in STATUSES:
        label = labels.get(code)
        colour = i18n.STATUS_COLOURS.get(code, "").lstrip("#").upper()
        if not label or not colour:
            continue
        text = label.replace('"', '""')
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        ws.conditional_formatting.add(ranges, FormulaRule(formula=[f'${letter}2="{text}"'], fill=fill))
        n += 1
    return n


def _axes(chart: Any, x_title: str, y_title: str) -> None:
    chart.x_axis.title, chart.y_axis.title = x_title, y_title
    chart.x_axis.delete = chart.y_axis.delete = False   # openpyxl 3.1 leaves them hidden in Excel otherwise
    chart.legend.position = "b"
    chart.height, chart.width = 7.5, 16.0


def add_standing_charts(ws: Any, n_rows: int, columns: list[tuple[str, str, str | None]], *, category: str,
                        lang: str = "zh", anchor_row: int | None = None) -> int:
    """Add the probability chart and the projection chart of a standing sheet under its table.

    Parameters
    ----------
    ws : Worksheet
        A carriage sheet (``category`` ``region_name``) or a region sheet (``indicator_name``).
    n_rows : int
        Rows of the table under its header (no chart when 0).
    columns : list
        The sheet's columns; ``probability_pct``, ``projected``, ``p10``, ``p90`` and ``target`` are drawn.
    category : str
        Source column of the category labels.
    lang : {"zh", "en"}
        Language of titles, axis titles and series names.
    anchor_row : int, optional
        Row of the charts' top edge (default two rows under the table).

    Returns
    -------
    int
        The number of charts added.
    """
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    cat = _column(columns, category)
    if n_rows <= 0 or cat is None:
        return 0
    last = n_rows + 1
    cats = Reference(ws, min_col=cat, min_row=2, max_row=last)
    x_title = i18n.t("pack_col_region" if category == "region_name" else "pack_col_indicator", lang)
    row = anchor_row or last + 3
    added = 0
    prob = _column(columns, "probability_pct")
    if prob is not None:
        bar = BarChart()
        bar.type, bar.style = "col", 10
        bar.title = i18n.t("pack_chart_probability", lang)
        bar.add_data(Reference(ws, min_col=prob, min_row=1, max_row=last), titles_from_data=True)
        bar.set_categories(cats)
        bar.y_axis.scaling.min, bar.y_axis.scaling.max = 0, 100
        _axes(bar, x_title, i18n.t("pack_col_probability", lang))
        bar.legend = None
        ws.add_chart(bar, f"A{row}")
        added += 1
    line = LineChart()
    line.title = i18n.t("pack_chart_projected", lang)
    symbols = {"p10": ("triangle", "1F5FA8"), "projected": ("circle", "1F5FA8"), "p90": ("triangle", "1F5FA8"),
               "target": ("diamond", "C62828")}
    for src, (symbol, colour) in symbols.items():
        j = _column(columns, src)
        if j is None:
            continue
        line.add_data(Reference(ws, min_col=j, min_row=1, max_row=last), titles_from_data=True)
        s = line.series[-1]
        s.marker.symbol, s.marker.size = symbol, 8
        s.marker.graphicalProperties.solidFill = colour
        s.marker.graphicalProperties.line.solidFill = colour
        s.graphicalProperties.line.noFill = True          # markers only: a dot per row, its band above and below
    if line.series:
        line.set_categories(cats)
        _axes(line, x_title, i18n.t("pack_col_projected", lang))
        ws.add_chart(line, f"{get_column_letter(9)}{row}")
        added += 1
    return added
