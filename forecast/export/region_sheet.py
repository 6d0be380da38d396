"""The pack's sheet per region (辽宁, 沈阳, … / Liaoning, Shenyang, …): one row per carriage.

The carriage sheets read down one carriage across the regions; a region sheet reads across the three
carriages of one city, the page a city's analyst prints. Its rows are the carriage sheets' rows of that
region (:func:`forecast.export.pack.carriage_frame`), so both show the same figures; the columns are the
carriage sheet's with the indicator in place of the region.
"""

from __future__ import annotations

import pandas as pd

from forecast.data.catalog import REGIONS
from forecast.present import i18n


def region_columns(carriage_columns: list[tuple[str, str, str | None]],
                   lang: str = "zh") -> list[tuple[str, str, str | None]]:
    """A region sheet's columns: the carriage sheet's ``carriage_columns`` with the indicator first, no region.

    Examples
    --------
    >>> region_columns([("地区", "region_name", None), ("年度目标(%)", "target", "0.0")])
    [('指标', 'indicator_name', None), ('年度目标(%)', 'target', '0.0')]
    """
    return [(i18n.t("pack_col_indicator", lang), "indicator_name", None),
            *(c for c in carriage_columns if c[1] != "region_name")]


def region_frames(frames: dict[str, pd.DataFrame], lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Region code → its rows, one per carriage, from the carriage sheets' frames (carriage → frame).

    Each frame must hold the ``region`` code column of :func:`forecast.export.pack.carriage_frame`. Regions
    come in catalogue order (the province first); carriages in the order of ``frames``.

    Examples
    --------
    >>> f = {"retail": pd.DataFrame({"region": ["shenyang"], "region_name": ["沈阳"], "target": [5.5]}),
    ...      "trade": pd.DataFrame({"region": ["shenyang"], "region_name": ["沈阳"], "target": [float("nan")]})}
    >>> region_frames(f)["shenyang"][["indicator_name", "target"]].values.tolist()
    [['社会消费品零售总额', 5.5], ['进出口总额', nan]]
    """
    rows: dict[str, list[pd.DataFrame]] = {}
    for indicator, frame in frames.items():
        if not len(frame):
            continue
        name = i18n.indicator_name(indicator, lang, short=True)
        for region, part in frame.groupby("region", sort=False):
            rows.setdefault(region, []).append(part.assign(indicator_name=name))
    rank = {r: i for i, r in enumerate(REGIONS)}
    return {r: pd.concat(rows[r], ignore_index=True) for r in sorted(rows, key=lambda r: rank.get(r, len(rank)))}


def region_sheet_name(region: str, lang: str = "zh") -> str:
    """The region's name in ``lang`` (the pack makes it unique among the sheets).

    Examples
    --------
    >>> region_sheet_name("shenyang"), region_sheet_name("liaoning", "en")
    ('沈阳', 'Liaoning')
    """
    return i18n.region_name(region, lang)
