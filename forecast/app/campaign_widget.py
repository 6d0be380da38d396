"""The consumption-campaign builder of the Scenarios page (促消费活动): funds × gross leverage × additionality.

The analyst states the funds (亿元), picks a published gross leverage (shown with its source) and chooses the
additionality — the share of the driven sales that is new spending rather than pulled forward — which the
page says is the analyst's choice and starts at 0 (no effect until chosen). An optional payback takes a share
of the extra sales back in later months. The campaign becomes ``abs`` retail adjustments
(:func:`forecast.decisions.campaigns.campaign_scenario`) added to the draft scenario, so its effect, saving and
the pack work as for any other adjustment.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from forecast.app.scenario_tables import scenario_months
from forecast.data.catalog import CITIES
from forecast.data.errors import DataError
from forecast.decisions.campaigns import LEVERAGE, Campaign, campaign_scenario
from forecast.decisions.scenario_spec import adjustment_to_dict
from forecast.present import i18n, messages


def campaign_adjustments(cities: list[str], funds: float, leverage: str, additionality: float, months: str,
                         payback_share: float = 0.0, payback_months: str | None = None) -> list[dict]:
    """The draft's adjustments of one campaign run in each of ``cities`` with ``funds`` 亿元 each.

    Examples
    --------
    >>> [a["value"] for a in campaign_adjustments(["shenyang"], 2.0, "trade_in", 0.3, "2026-11..2026-12")]
    [5.867647]
    """
    campaigns = [Campaign(c, funds, months, additionality=additionality, leverage=leverage,
                          payback_share=payback_share, payback_months=payback_months if payback_share else None)
                 for c in cities]
    return [adjustment_to_dict(a) for a in campaign_scenario(campaigns, "campaign").adjustments]


def campaign_builder(run: Any, lang: str, T: Any, draft: list) -> None:
    """Render the builder in an expander; the button adds the campaign's adjustments to ``draft``."""
    with st.expander(T("cmp_header")):
        st.caption(T("cmp_help"))
        c1, c2 = st.columns(2)
        cities = c1.multiselect(T("pick_region"), list(CITIES), default=["shenyang"],
                                format_func=lambda r: i18n.region_name(r, lang), key="cmp_regions",
                                placeholder=T("placeholder_choose"))
        funds = c2.number_input(T("cmp_funds"), min_value=0.0, value=1.0, step=0.5, key="cmp_funds")
        c3, c4 = st.columns(2)
        kind = c3.selectbox(T("cmp_leverage"), list(LEVERAGE),
                            placeholder=T("placeholder_choose"), key="cmp_leverage",
                            format_func=lambda k: f"{LEVERAGE[k].value:.2f} — "
                                                  f"{LEVERAGE[k].what_zh if lang == 'zh' else LEVERAGE[k].what}")
        lev = LEVERAGE[kind]
        c3.caption(T("cmp_source", source=lev.source if lang == "zh" else (lev.source_en or lev.source)))
        additionality = c4.slider(T("cmp_additionality"), 0.0, 1.0, 0.0, 0.05, key="cmp_additionality")
        c4.caption(T("cmp_additionality_help"))
        months = [str(p) for p in scenario_months(run, "retail")]
        if not months:
            st.info(T("no_forecast"))
            return
        c5, c6, c7 = st.columns(3)
        lo = c5.selectbox(T("scn_from"), months, placeholder=T("placeholder_choose"), key="cmp_from")
        hi = c6.selectbox(T("scn_to"), months, index=min(1, len(months) - 1),
                          placeholder=T("placeholder_choose"), key="cmp_to")
        payback = c7.slider(T("cmp_payback"), 0.0, 1.0, 0.0, 0.05, key="cmp_payback")
        after = [m for m in months if m > hi]
        pay_to = st.selectbox(T("cmp_payback_to"), after, index=min(1, len(after) - 1),
                              placeholder=T("placeholder_choose"), key="cmp_payback_to") \
            if payback > 0 and after else None
        extra = funds * LEVERAGE[kind].value * additionality * max(len(cities), 1)
        st.caption(T("cmp_extra", extra=i18n.fmt_amount(extra, lang)))
        if st.button(T("cmp_add"), key="cmp_add_btn", disabled=not cities or additionality <= 0):
            try:
                draft.extend(campaign_adjustments(cities, funds, kind, additionality, f"{lo}..{hi}", payback,
                                                  f"{after[0]}..{pay_to}" if pay_to else None))
            except DataError as e:
                st.error(f"{T('scn_invalid')}: {messages.error_text(e, lang)}")
