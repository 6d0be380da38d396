"""troika — Streamlit front end (placeholder until the app issue lands).

Thin by design: every number comes from the `forecast` package; nothing fits a model on page load.
"""

from __future__ import annotations

import streamlit as st

import forecast
from forecast import catalog

st.set_page_config(page_title="troika 三驾马车", layout="wide")
st.title("troika · 辽宁“三驾马车”预测与情景分析")
st.caption("Forecasts and what-if scenarios for Liaoning's investment, consumption and trade, per city.")

try:
    obs = forecast.load_bundled()
except forecast.DataError as exc:  # a readable report instead of a traceback
    st.error(str(exc))
    st.stop()

latest = obs.sort_values("period").groupby(["region", "indicator"]).tail(1)
latest = latest[latest["indicator"].isin(catalog.CARRIAGES)]
table = latest.assign(
    地区=latest["region"].map(lambda c: catalog.REGIONS[c].zh),
    指标=latest["indicator"].map(lambda c: catalog.INDICATORS[c].zh),
    时期=latest["period"].astype(str),
)[["地区", "指标", "时期", "ytd_value", "ytd_yoy"]].rename(
    columns={"ytd_value": "累计值(亿元)", "ytd_yoy": "累计增长(%)"}
)
st.dataframe(table, hide_index=True)
