"""The language lookup and the widgets every page of the app uses (``app.py`` and :mod:`forecast.app.pages`).

- :func:`T`: the text of a label in the language picked in the sidebar;
- :func:`table`: a table with numbers formatted for people (growth to one decimal, or as many as a change needs
  to show, :mod:`forecast.app.formats`; counts as integers), pinned first columns, widths that fit the words,
  shorter headers with the full name on hover, a visible sideways scrollbar (:data:`SCROLLBAR_CSS`), and an
  optional selection of cells or rows;
- :func:`show_chart`: an interactive chart (:mod:`forecast.present.charts`) and its PNG twin's download;
- :func:`download`: a download whose bytes are made only when clicked, cached per run, language and
  scenario set (:func:`cached_bytes`), and whose click does not rerun the page;
- :func:`lang_key`: a widget key per language that carries the choice over when the language changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from forecast.app import access, formats
from forecast.present import i18n, plots


def T(key: str, **fields: Any) -> str:
    """The text ``key`` in the language picked in the sidebar (:func:`forecast.present.i18n.t`, or
    :func:`forecast.app.access.text` for the labels of access, uploads and the audit trail)."""
    lang = st.session_state.get("lang", i18n.DEFAULT_LANG)
    if key in access.LABELS:
        return access.text(key, lang, **fields)
    return i18n.t(key, lang, **fields)


def column_config(frame: pd.DataFrame, digits: dict[str, int] | None = None, pinned: tuple[str, ...] = (),
                  widths: dict[str, Any] | None = None, helps: dict[str, str] | None = None,
                  labels: dict[str, str] | None = None) -> dict[str, Any]:
    """``st.dataframe``'s column configuration: growth and other floats to one decimal (or ``digits[column]``),
    counts (integer columns) as integers, ``pinned`` columns kept in place when the table scrolls sideways,
    ``widths`` (``"small"``, ``"medium"``, ``"large"`` or pixels), header tooltips ``helps`` and shorter
    headers ``labels`` (the frame keeps its column names: what tests and downloads read)."""
    digits, widths, helps, labels = digits or {}, widths or {}, helps or {}, labels or {}
    config: dict[str, Any] = {}
    for c in frame.columns:
        kw: dict[str, Any] = {"pinned": True} if c in pinned else {}
        if c in widths:
            kw["width"] = widths[c]
        if c in helps:
            kw["help"] = helps[c]
        if c in labels:
            kw["label"] = labels[c]
        if pd.api.types.is_float_dtype(frame[c]):
            config[c] = st.column_config.NumberColumn(format=formats.printf(digits.get(c, 1)), **kw)
        elif pd.api.types.is_integer_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]):
            config[c] = st.column_config.NumberColumn(format="%d", **kw)
        elif kw:
            config[c] = st.column_config.Column(**kw)
    return config


def table(frame: pd.DataFrame, key: str | None = None, status_col: str | None = None, rows: int = 12,
          digits: dict[str, int] | None = None, pinned: tuple[str, ...] = (), widths: dict[str, Any] | None = None,
          helps: dict[str, str] | None = None, labels: dict[str, str] | None = None,
          column_order: list[str] | None = None, selection_mode: Any = None) -> Any:
    """A sortable table showing up to ``rows`` rows at once, numbers formatted by :func:`column_config`,
    status cells coloured; with ``selection_mode`` the reader can select rows or cells (the selection is
    returned, and kept in ``st.session_state[key + "_grid"]``).

    A missing number (a band of a published period, a probability without a target) shows as "—", not
    as "None".
    """
    config = column_config(frame, digits, pinned, widths, helps, labels)
    data = frame
    if status_col and status_col in frame:
        lang = st.session_state.get("lang", "zh")
        data = frame.style.map(lambda v: f"background-color: {i18n.status_colour(v, lang)}", subset=[status_col])
    extra: dict[str, Any] = {}
    if selection_mode is not None and key:
        extra = {"on_select": "rerun", "selection_mode": selection_mode, "key": f"{key}_grid"}
    with st.container(key=key) if key else st.container():
        return st.dataframe(data, hide_index=True, column_config=config, width="stretch", placeholder="—",
                            height=35 * (min(len(frame), rows) + 1) + 3 + 16, column_order=column_order, **extra)


def lang_key(base: str, lang: str, default: Any = None) -> str:
    """A widget key per language, carrying the other language's choice over (else ``default``): a multiselect
    shows its chosen options in the words they had when chosen, so a widget whose words change with the
    language is a new widget in each language (its values, label keys or codes, are the same in both).
    The widget is then made without a default of its own."""
    key = f"{base}_{lang}"
    if key not in st.session_state:
        was = [f"{base}_{o}" for o in i18n.LANGS if o != lang and f"{base}_{o}" in st.session_state]
        st.session_state[key] = st.session_state[was[0]] if was else default
    return key


#: Every table's sideways scrollbar stays visible (the grid's own is transparent until hovered), so a column
#: beyond the right edge is seen to be there.
SCROLLBAR_CSS = ("<style>[data-testid=stDataFrame] .dvn-scroller { scrollbar-width: auto !important; "
                 "scrollbar-color: #a0a0a0 #f0f0f0 !important; }</style>")


@st.cache_data(show_spinner=False, max_entries=64)
def cached_bytes(key: str, _build: Callable[[], bytes]) -> bytes:
    """The bytes ``_build()`` makes, once per ``key`` (a run key, the language, the series or scenario set …):
    a download made again, or the page shown again, does not redo the work."""
    return _build()


def png_of(build: Callable[[], Any]) -> Callable[[], bytes]:
    """PNG bytes of the matplotlib figure ``build()`` makes (:func:`forecast.present.plots.figure_png`)."""
    return lambda: plots.figure_png(build())


def download(label: str, key: str, cache_key: str, build: Callable[[], bytes], file_name: str, mime: str) -> None:
    """A download button whose bytes are made only when it is clicked (then cached per ``cache_key``), and
    whose click does not rerun the page (the page keeps its selection and does not redo its work)."""
    st.download_button(label, lambda: cached_bytes(cache_key, build), file_name=file_name, mime=mime, key=key,
                       on_click="ignore")


def text_width(values: Any, header: str, least: int = 60, most: int = 320) -> int:
    """Pixels a column needs for its header and its longest text (a Chinese character ≈ 14 px, others ≈ 7.5 px,
    plus the header's sort and menu marks), within ``least`` and ``most``.

    Examples
    --------
    >>> text_width(["沈阳"], "地区"), text_width(["Shenyang"], "Region")
    (60, 76)
    """
    def px(x: Any) -> float:
        text = str(x)
        return sum(14 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 7 for ch in text)
    widest = max([px(header) + 30] + [px(i18n.fmt_pct(v).rstrip("%")) + 20 if isinstance(v, float) else px(v) + 20
                                       for v in list(values)[:200]])
    return int(min(max(widest, least), most))


def show_chart(chart: Any, name: str, png: Callable[[], Any] | None = None, cache_key: str = "") -> None:
    """An interactive chart (a Vega-Lite spec from :mod:`forecast.present.charts`, or the Altair chart itself;
    hover for the values) and, with ``png`` (a function making the matplotlib twin), a PNG download made
    only when clicked."""
    if isinstance(chart, dict):
        st.vega_lite_chart(chart, width="stretch", key=f"chart_{name}")
    else:
        st.altair_chart(chart, width="stretch", key=f"chart_{name}")
    if png is not None:
        download(T("download_png"), f"png_{name}", f"png:{cache_key or name}:{st.session_state.get('lang')}",
                 png_of(png), f"{name}.png", "image/png")
