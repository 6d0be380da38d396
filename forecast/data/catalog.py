"""The one catalogue of regions and indicators: codes, Chinese and English names, aliases, units.

Region codes are lower-case pinyin; ``admin_code`` is the GB/T 2260 administrative division code.
Every name a table may use (Chinese name with or without 市/省, English name in any case, admin code)
resolves through :func:`region_code` and :func:`indicator_code`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from forecast.data.errors import DataError

PROVINCE = "liaoning"
UNIT = "亿元"
UNIT_EN = "100 million yuan"


@dataclass(frozen=True)
class Region:
    """A region of the hierarchy: the province or one of its cities."""

    code: str
    zh: str
    en: str
    admin_code: str
    parent: str | None
    aliases: tuple[str, ...] = ()

    @property
    def is_province(self) -> bool:
        return self.parent is None

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Indicator:
    """A published indicator ("carriage" or one of its parts)."""

    code: str
    zh: str
    en: str
    levels_published: bool
    parts: tuple[str, ...] = ()
    jan_feb_combined: bool = True
    aliases: tuple[str, ...] = ()
    unit: str = UNIT

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


_CITIES = [
    # code, zh, en, GB/T 2260
    ("shenyang", "沈阳", "Shenyang", "210100"),
    ("dalian", "大连", "Dalian", "210200"),
    ("anshan", "鞍山", "Anshan", "210300"),
    ("fushun", "抚顺", "Fushun", "210400"),
    ("benxi", "本溪", "Benxi", "210500"),
    ("dandong", "丹东", "Dandong", "210600"),
    ("jinzhou", "锦州", "Jinzhou", "210700"),
    ("yingkou", "营口", "Yingkou", "210800"),
    ("fuxin", "阜新", "Fuxin", "210900"),
    ("liaoyang", "辽阳", "Liaoyang", "211000"),
    ("panjin", "盘锦", "Panjin", "211100"),
    ("tieling", "铁岭", "Tieling", "211200"),
    ("chaoyang", "朝阳", "Chaoyang", "211300"),
    ("huludao", "葫芦岛", "Huludao", "211400"),
]

REGIONS: dict[str, Region] = {
    PROVINCE: Region(
        PROVINCE, "辽宁", "Liaoning", "210000", None,
        ("辽宁省", "全省", "辽宁全省", "Liaoning Province", "province"),
    )
}
for _code, _zh, _en, _admin in _CITIES:
    REGIONS[_code] = Region(_code, _zh, _en, _admin, PROVINCE, (f"{_zh}市", f"{_en} City", f"{_en} Shi"))

CITIES: tuple[str, ...] = tuple(c[0] for c in _CITIES)

INDICATORS: dict[str, Indicator] = {
    "fai": Indicator(
        "fai", "固定资产投资(不含农户)", "Fixed-asset investment (excl. rural households)",
        levels_published=False,
        aliases=("固定资产投资", "固定资产投资（不含农户）", "固投", "FAI", "fixed-asset investment",
                 "fixed asset investment", "fixed assets investment", "investment"),
    ),
    "retail": Indicator(
        "retail", "社会消费品零售总额", "Retail sales of consumer goods",
        levels_published=True,
        aliases=("社零", "社零额", "社会消费品零售额", "retail sales", "retail",
                 "total retail sales of consumer goods"),
    ),
    "trade": Indicator(
        "trade", "进出口总额", "Foreign trade (imports and exports)",
        levels_published=True, parts=("exports", "imports"),
        aliases=("进出口", "外贸进出口总额", "货物进出口总额", "外贸进出口", "foreign trade", "trade",
                 "total trade", "imports and exports", "exports and imports"),
    ),
    "exports": Indicator(
        "exports", "出口总额", "Exports", levels_published=True,
        aliases=("出口", "出口额", "出口值", "exports", "export"),
    ),
    "imports": Indicator(
        "imports", "进口总额", "Imports", levels_published=True,
        aliases=("进口", "进口额", "进口值", "imports", "import"),
    ),
}

#: The three carriages, in the order reports list them.
CARRIAGES: tuple[str, ...] = ("fai", "retail", "trade")

#: Identities that hold on levels and on every sample path: total = sum of parts.
IDENTITIES: dict[str, tuple[str, ...]] = {k: v.parts for k, v in INDICATORS.items() if v.parts}


def normalise_name(text: object) -> str:
    """Fold a name for lookup: NFKC (full-width → ASCII), case-fold, drop spaces and brackets' style.

    Examples
    --------
    >>> normalise_name(" Shen Yang ")
    'shenyang'
    >>> normalise_name("固定资产投资（不含农户）")
    '固定资产投资(不含农户)'
    """
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s_\-·]+", "", s)


def _lookup(entries: dict) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, e in entries.items():
        names = [code, e.zh, e.en, *e.aliases]
        if hasattr(e, "admin_code"):
            names.append(e.admin_code)
        for n in names:
            table[normalise_name(n)] = code
    return table


_REGION_LOOKUP = _lookup(REGIONS)
_INDICATOR_LOOKUP = _lookup(INDICATORS)


def region_code(name: object) -> str:
    """Resolve a region name, alias or code to its catalogue code.

    Raises
    ------
    DataError
        When the name is not in the catalogue.

    Examples
    --------
    >>> region_code("沈阳市"), region_code("Shenyang"), region_code("210200")
    ('shenyang', 'shenyang', 'dalian')
    """
    code = _REGION_LOOKUP.get(normalise_name(name))
    if code is None:
        raise DataError(f"unknown region {name!r}; expected one of {', '.join(REGIONS)} or their Chinese names")
    return code


def indicator_code(name: object) -> str:
    """Resolve an indicator name, alias or code to its catalogue code.

    Examples
    --------
    >>> indicator_code("社会消费品零售总额"), indicator_code("出口")
    ('retail', 'exports')
    """
    code = _INDICATOR_LOOKUP.get(normalise_name(name))
    if code is None:
        raise DataError(f"unknown indicator {name!r}; expected one of {', '.join(INDICATORS)} or their Chinese names")
    return code


def is_region(name: object) -> bool:
    """True when ``name`` resolves to a region."""
    return normalise_name(name) in _REGION_LOOKUP


def is_indicator(name: object) -> bool:
    """True when ``name`` resolves to an indicator."""
    return normalise_name(name) in _INDICATOR_LOOKUP


def series_keys(indicators: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """Every (region, indicator) pair of the catalogue, province first."""
    inds = indicators or tuple(INDICATORS)
    return [(r, i) for r in REGIONS for i in inds]
