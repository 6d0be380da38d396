"""Consumption campaigns (促消费) as retail scenarios (DESIGN §9).

A campaign puts ``funds`` (亿元 of public money: trade-in subsidies, vouchers) into a city over some months.
The extra retail sales it brings are::

    extra = funds × leverage × additionality            (亿元, spread over the campaign months)
    payback = − payback_share × extra                   (亿元, spread over the months after it)

- **leverage** is the retail sales per yuan of funds. The defaults (:data:`LEVERAGE`) are *gross* figures
  as published: sales "driven" by the programme, which include purchases people would have made anyway.
  Shenyang 2025 (沈阳市政府工作报告, 2026-01-14, reported by 香港商报 2026-01-15,
  http://hkcd.com/hkcdweb/content/2026/01/15/content_8735593.html): 34亿元 of trade-in funds drove 332.5亿元
  of sales → 332.5 / 34 = 9.78; 3.6亿元 of vouchers and car subsidies drove more than 136亿元 → 136 / 3.6 ≈ 37.8.
- **additionality** is the share of those sales that is new spending (neither pulled forward nor bought
  anyway). It is the analyst's choice and has **no default**: :class:`Campaign` requires it, and the
  scenario's description states it with the leverage and its source.
- **payback** (pull-forward): a share of the extra sales taken back from the months after the campaign
  (e.g. cars bought in December instead of in the spring).

Each campaign becomes ordinary ``abs`` retail adjustments (:mod:`forecast.decisions.scenario_spec`): ``abs``
spreads an amount over its months by calendar months (Jan–Feb counts two), and a city's change reaches the
province bottom-up when the scenario is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from forecast.data.catalog import REGIONS, region_code
from forecast.data.errors import DataError
from forecast.decisions.scenario_spec import Adjustment, Scenario, month_range


@dataclass(frozen=True)
class Leverage:
    """A published gross leverage: retail sales (亿元) per 亿元 of funds, with what it was measured on."""

    value: float
    funds: float
    sales: float
    what: str
    what_zh: str
    source: str
    #: The same source named in English (the document is Chinese).
    source_en: str = ""


_SY_2025 = ("沈阳市2026年政府工作报告 (2026-01-14), 香港商报 2026-01-15, "
            "http://hkcd.com/hkcdweb/content/2026/01/15/content_8735593.html")
_SY_2025_EN = ("Shenyang's 2026 government work report (2026-01-14), as reported by Hong Kong Commercial Daily "
               "(2026-01-15), http://hkcd.com/hkcdweb/content/2026/01/15/content_8735593.html")
#: Published gross leverages (sales driven per yuan of funds), with their source.
LEVERAGE = {
    "trade_in": Leverage(332.5 / 34.0, 34.0, 332.5, "Shenyang 2025 trade-in funds: 34亿元 drove 332.5亿元 of sales",
                         "沈阳2025年消费品以旧换新资金34亿元撬动消费332.5亿元", _SY_2025, _SY_2025_EN),
    "vouchers": Leverage(136.0 / 3.6, 3.6, 136.0,
                         "Shenyang 2025 vouchers and car subsidies: 3.6亿元 drove more than 136亿元 of sales",
                         "沈阳2025年惠民消费券及购车补贴3.6亿元拉动消费超136亿元", _SY_2025, _SY_2025_EN),
}


@dataclass(frozen=True)
class Campaign:
    """One campaign in one city.

    Parameters
    ----------
    region : city (name, alias or code).
    funds : 亿元 of funds over the campaign.
    months : ``'YYYY-MM..YYYY-MM'``, the campaign's months (period-end months of the 11-period year).
    additionality : share (0..1) of the driven sales that is new spending; required, no default.
    leverage : gross sales per yuan of funds, or a key of :data:`LEVERAGE` (default ``'trade_in'``).
    payback_share : share (0..1) of the extra sales taken back after the campaign (default 0).
    payback_months : ``'YYYY-MM..YYYY-MM'`` over which the payback falls (required when ``payback_share`` > 0).

    Examples
    --------
    >>> c = Campaign("沈阳", 2.0, "2026-11..2026-12", additionality=0.3)
    >>> c.region, round(c.extra, 4)         # 2 × 332.5/34 × 0.3
    ('shenyang', 5.8676)
    """

    region: str
    funds: float
    months: str
    additionality: float
    leverage: float | str = "trade_in"
    payback_share: float = 0.0
    payback_months: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "region", region_code(self.region))
        if isinstance(self.leverage, str):
            if self.leverage not in LEVERAGE:
                raise DataError(f"leverage {self.leverage!r}: expected a number or one of {', '.join(LEVERAGE)}")
        elif not self.leverage > 0:
            raise DataError(f"leverage {self.leverage!r}: expected sales per yuan of funds > 0")
        if not self.funds >= 0:
            raise DataError(f"funds {self.funds!r}: expected an amount ≥ 0 in 亿元")
        for f in ("additionality", "payback_share"):
            if not 0 <= getattr(self, f) <= 1:
                raise DataError(f"{f}={getattr(self, f)!r}: expected a share between 0 and 1 (0.3 = 30 %)")
        start, end = month_range(self.months)
        if start > end:
            raise DataError(f"months={self.months!r} ends before it starts")
        for rng in (self.months, self.payback_months):
            if rng is not None and all(p.month == 1 for p in month_range(rng)):
                raise DataError(f"months={rng!r} hold only January, which is published with February (Jan–Feb): "
                                f"write {rng[:7]}..{rng[:5]}02")
        if self.payback_share > 0:
            if self.payback_months is None:
                raise DataError("payback_share > 0 needs payback_months ('YYYY-MM..YYYY-MM' after the campaign)")
            p0, p1 = month_range(self.payback_months)
            if p0 <= end or p1 < p0:
                raise DataError(f"payback_months={self.payback_months!r} must start after the campaign ends ({end})")

    @property
    def leverage_value(self) -> float:
        return LEVERAGE[self.leverage].value if isinstance(self.leverage, str) else float(self.leverage)

    @property
    def extra(self) -> float:
        """Extra retail sales (亿元) over the campaign: funds × leverage × additionality."""
        return self.funds * self.leverage_value * self.additionality

    @property
    def payback(self) -> float:
        """Sales taken back (亿元, ≥ 0) over the payback months."""
        return self.extra * self.payback_share


def campaign_effects(campaigns: Sequence[Campaign]) -> pd.DataFrame:
    """One row per campaign: ``region, funds, leverage, additionality, extra, payback_share, payback, net`` (亿元).

    Examples
    --------
    >>> campaign_effects([Campaign("dalian", 1.0, "2026-12..2026-12", 0.5, leverage=10.0, payback_share=0.2,
    ...                            payback_months="2027-02..2027-03")])[["extra", "payback", "net"]].values.tolist()
    [[5.0, 1.0, 4.0]]
    """
    return pd.DataFrame([{"region": c.region, "funds": c.funds, "leverage": c.leverage_value,
                          "additionality": c.additionality, "extra": c.extra, "payback_share": c.payback_share,
                          "payback": c.payback, "net": c.extra - c.payback} for c in campaigns])


def _leverage_text(c: Campaign) -> tuple[str, str]:
    if isinstance(c.leverage, str):
        lv = LEVERAGE[c.leverage]
        return (f"gross leverage {lv.value:.2f} ({lv.what}; {lv.source})",
                f"总杠杆{lv.value:.2f}（{lv.what_zh}；来源：{lv.source}）")
    return f"gross leverage {c.leverage_value:.2f} (analyst's figure)", f"总杠杆{c.leverage_value:.2f}（分析员设定）"


def campaign_scenario(campaigns: Sequence[Campaign], name: str, *, name_zh: str = "", what: str = "",
                      what_zh: str = "") -> Scenario:
    """An ordinary scenario of ``abs`` retail adjustments (extra sales, then payback) for a list of campaigns.

    The description states, in Chinese and English, each campaign's funds, leverage with its source,
    additionality, extra sales and payback, all in 亿元.

    Examples
    --------
    >>> s = campaign_scenario([Campaign("沈阳", 2.0, "2026-11..2026-12", additionality=0.3)], "sy")
    >>> a = s.adjustments[0]
    >>> a.kind, a.indicator, a.regions, a.months, round(a.value, 4)
    ('abs', 'retail', ('shenyang',), '2026-11..2026-12', 5.8676)
    """
    if not campaigns:
        raise DataError("campaign_scenario: no campaign given")
    adjs, en, zh, sources = [], [], [], {}
    for c in campaigns:
        sources.setdefault(_leverage_text(c), None)
        city, city_zh = REGIONS[c.region].name("en"), REGIONS[c.region].zh
        adjs.append(Adjustment("abs", "retail", (c.region,), c.months, round(c.extra, 6),
                               f"促消费 funds {c.funds:g} 亿元 × leverage {c.leverage_value:.2f} × additionality "
                               f"{c.additionality:g}"))
        line = (f"{city} {c.months} {c.funds:g} 亿元 × {c.leverage_value:.2f} × {c.additionality:.0%} = "
                f"{c.extra:+.2f} 亿元")
        line_zh = f"{city_zh} {c.months} {c.funds:g}亿元 × {c.leverage_value:.2f} × {c.additionality:.0%} = {c.extra:+.2f}亿元"
        if c.payback_share > 0:
            adjs.append(Adjustment("abs", "retail", (c.region,), c.payback_months, round(-c.payback, 6),
                                   f"提前消费回落 payback {c.payback_share:g} of the extra sales"))
            line += f" (payback {c.payback_share:.0%}: {-c.payback:+.2f} 亿元 in {c.payback_months})"
            line_zh += f"（回落{c.payback_share:.0%}：{c.payback_months} {-c.payback:+.2f}亿元）"
        en.append(line)
        zh.append(line_zh)
    total = sum(c.extra - c.payback for c in campaigns)
    adds = ", ".join(f"{a:.0%}" for a in sorted({c.additionality for c in campaigns}))
    desc = (f"{what + '. ' if what else ''}Consumption campaign: extra retail sales = funds × gross leverage × "
            "additionality (the share of new spending, the analyst's choice); a payback share of them is taken back "
            "after the campaign (pull-forward). Leverage: " + "; ".join(e for e, _ in sources)
            + f". Additionality (the analyst's choice): {adds}. By city (funds × leverage × additionality): "
            + "; ".join(en) + f". Net retail sales change {total:+.2f} 亿元; the province follows "
            "bottom-up.")
    desc_zh = (f"{what_zh + '。' if what_zh else ''}促消费活动：新增社会消费品零售总额 = 资金 × 总杠杆 × 新增比例"
               "（真正新增的消费占比，由分析员设定）；活动后按回落比例扣回提前消费。杠杆：" + "；".join(z for _, z in sources)
               + f"。新增比例（分析员设定）：{adds}。分城市（资金 × 杠杆 × 新增比例）：" + "；".join(zh) + f"。社会消费品零售总额净增{total:+.2f}亿元，全省自下而上汇总。")
    return Scenario(name, tuple(adjs), None, desc, name_zh, desc_zh)
