"""The national list of provinces and prefecture-level cities (GB/T 2260), to tell a region from a typo.

The catalogue (:mod:`forecast.data.catalog`) holds the regions troika forecasts: Liaoning and its 14 cities.
Downloads hold more: the national statistics database gives one row per province, all 31 of them. This
module reads ``data/regions_gbt2260.csv`` (code, name, short name, level, parent; the source and how complete it
is are in ``data/README.md``) so that a reader can skip a real region outside the catalogue and name it in a
note, and still refuse a name that is no region at all (沈杨市).

The file is read from the repository's ``data/`` folder (beside the package), not from ``$TROIKA_DATA_DIR``: it
is reference data that the code relies on, not input.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from forecast.data.catalog import REGIONS, is_region, normalise_name

#: The shipped list of GB/T 2260 provincial- and prefecture-level divisions.
REGIONS_FILE = Path(__file__).resolve().parents[2] / "data" / "regions_gbt2260.csv"


@dataclass(frozen=True)
class NationalRegion:
    """One division of the national list: ``level`` is 'province' or 'prefecture'; ``parent`` a province code."""

    code: str
    name: str
    short_name: str
    level: str
    parent: str | None


@functools.lru_cache(maxsize=4)
def national_regions(path: Path = REGIONS_FILE) -> dict[str, NationalRegion]:
    """Every division of the national list by its six-digit code ({} when the file is missing).

    Examples
    --------
    >>> regions = national_regions()
    >>> regions["110000"].name, regions["210100"].short_name, regions["210100"].parent
    ('北京市', '沈阳', '210000')
    """
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: NationalRegion(r["code"], r["name"], r["short_name"], r["level"], r["parent"] or None)
                for r in csv.DictReader(f)}


@functools.lru_cache(maxsize=4)
def _names(path: Path = REGIONS_FILE) -> dict[str, NationalRegion]:
    table: dict[str, NationalRegion] = {}
    for r in national_regions(path).values():   # provinces come first in the file: 吉林 is the province
        for n in (r.code, r.name, r.short_name):
            table.setdefault(normalise_name(n), r)
    return table


def national_region(name: object) -> NationalRegion | None:
    """The division of the national list that ``name`` (full name, short name or code) names, or None.

    Examples
    --------
    >>> national_region("内蒙古自治区").code, national_region("石家庄").name, national_region("沈杨市")
    ('150000', '石家庄市', None)
    """
    return _names().get(normalise_name(name))


def outside_catalogue(name: object) -> bool:
    """True when ``name`` is a real region (on the national list) that the catalogue does not hold.

    Examples
    --------
    >>> outside_catalogue("北京市"), outside_catalogue("辽宁省"), outside_catalogue("沈杨市")
    (True, False, False)
    """
    return not is_region(name) and national_region(name) is not None


def skipped_regions_message(names: list[str]) -> str:
    """The one note naming every region a file gave outside the catalogue, as the file wrote them.

    Examples
    --------
    >>> skipped_regions_message(["北京市", "天津市"])
    'skipped 2 regions outside Liaoning: 北京市, 天津市'
    """
    province = next(r for r in REGIONS.values() if r.is_province)
    return f"skipped {len(names)} region{'s' if len(names) != 1 else ''} outside {province.en}: {', '.join(names)}"
