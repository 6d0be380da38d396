"""The sentences and the table of the monthly brief (:mod:`forecast.export.brief`), from a run's frames.

Each function takes rows of the run's frames (:func:`standing`: :func:`forecast.decisions.standing.every_series`;
the changes frame of :func:`forecast.decisions.changes.run_changes`; a scenario table of
:func:`forecast.decisions.scenarios.compare_scenarios`) and returns text in Chinese or English with the number
formats of :mod:`forecast.present.i18n`. A series gets a verdict only against a published or analyst's target
(:data:`VERDICT_TARGETS`); growth is shown with one decimal, or two where one would hide a change or parts that
do not add up; probabilities in whole percent, or with one decimal where whole ones would not add up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, PROVINCE
from forecast.decisions.standing import every_series
from forecast.decisions.targets import latest_year
from forecast.present import i18n

#: Target statuses that carry a verdict; any other target (a province's shown against a city) is a reference.
VERDICT_TARGETS = ("published", "analyst")
#: Cities whose change is written out in the changes part (the largest moves); the pack lists every one.
MAX_CITY_CHANGES = 6


def finite(x: Any) -> bool:
    """True for a finite number (False for None, NaN, text).

    Examples
    --------
    >>> finite(1.5), finite(float("nan")), finite(None)
    (True, False, False)
    """
    try:
        return x is not None and bool(np.isfinite(float(x)))
    except (TypeError, ValueError):
        return False


def run_year(run: Any) -> int:
    """The year the run's targets are evaluated for (the latest release's year when it has none)."""
    return int(run.targets["year"].max()) if len(run.targets) else latest_year(run.panel)


def standing(run: Any) -> pd.DataFrame:
    """Every region × carriage of the run with or without a target (the rows the brief speaks of), with
    ``verdict`` True where a published or analyst's target allows one."""
    rows = every_series(run.targets, run.panel, run.forecasts, run.target_table, run_year(run))
    has = rows["has_target"].astype(bool) if "has_target" in rows else pd.Series(True, index=rows.index)
    kind = rows["target_status"].fillna("published") if "target_status" in rows else "published"
    return rows.assign(verdict=has & pd.Series(kind, index=rows.index).isin(VERDICT_TARGETS)
                       & rows["projected"].notna())


def _names(r: dict, lang: str) -> dict[str, str]:
    return {"region": i18n.region_name(r["region"], lang), "indicator": i18n.indicator_name(r["indicator"], lang, True)}


def _target(r: dict, lang: str) -> str:
    return i18n.fmt_target(r["target"], r.get("kind", ""), lang, r.get("target_status") or "published")


def _digits(a: Any, b: Any, digits: int = 1) -> int:
    """``digits``, or one more when the values shown with ``digits`` would not differ by the change shown
    with ``digits`` (2.74 → 2.66 shown as 2.7 → 2.7, −0.1; 1.64 → 2.16 as 1.6 → 2.2, +0.5).

    Examples
    --------
    >>> _digits(1.56, 2.07), _digits(2.74, 2.66), _digits(1.64, 2.16), _digits(48.5, 93.5, 0)
    (1, 2, 2, 1)
    """
    if not (finite(a) and finite(b)):
        return digits
    a, b = float(a), float(b)
    shown = round(round(b, digits) - round(a, digits), digits + 2)
    return digits if abs(shown - round(b - a, digits)) < 1e-9 else digits + 1


def _probs(a: Any, b: Any, delta: Any, lang: str) -> dict[str, str]:
    """Two probabilities (0–1) and their change, in whole percent unless that would not add up (48.5% → 93.5%)."""
    d = _digits(100 * float(a), 100 * float(b), 0)
    pct = (lambda p: i18n.fmt_prob(p, lang)) if d == 0 else (lambda p: i18n.fmt_pct(100 * float(p), lang, d))  # noqa: E731
    return {"prev": pct(a), "now": pct(b), "delta": i18n.fmt_pp(100 * float(delta), lang, d)}


def _join(parts: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(p for p in parts if p)


def position_sentence(r: dict, lang: str) -> str:
    """The headline sentence(s) of one series (a row of :func:`standing`): where it stands, where it is going, against what."""
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    if not finite(r["projected"]):
        return t("brief_no_data", **_names(r, lang))
    text = t("brief_position", **_names(r, lang), period=i18n.fmt_period(r["last_period"], lang),
             ytd=i18n.fmt_pct(r["ytd_growth"], lang), projected=i18n.fmt_pct(r["projected"], lang),
             p10=i18n.fmt_pct(r["p10"], lang), p90=i18n.fmt_pct(r["p90"], lang))
    parts = [text]
    if r["verdict"]:
        parts.append(t("brief_verdict", target=_target(r, lang), probability=i18n.fmt_prob(r["probability"], lang),
                  status=i18n.status_label(r["status"], lang)))
        if finite(r["required_growth"]):
            parts.append(t("brief_required", required=i18n.fmt_pct(r["required_growth"], lang)))
    elif bool(r.get("has_target")) and finite(r["target"]):
        parts.append(t("brief_reference", target=i18n.fmt_target(r["target"], r.get("kind", ""), lang)))
    else:
        parts.append(t("brief_no_target"))
    return _join(parts, lang)


def city_sentence(r: dict, lang: str) -> str:
    """A city at risk: its projection and band, the target, the probability and the verdict."""
    return i18n.t("brief_city", lang, **_names(r, lang), projected=i18n.fmt_pct(r["projected"], lang),
                  p10=i18n.fmt_pct(r["p10"], lang), p90=i18n.fmt_pct(r["p90"], lang), target=_target(r, lang),
                  probability=i18n.fmt_prob(r["probability"], lang), status=i18n.status_label(r["status"], lang))


def _change(r: dict, lang: str) -> str:
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    if not finite(r["growth_prev"]) or not finite(r["growth_now"]):
        return t("brief_change_new", **_names(r, lang))
    d = _digits(r["growth_prev"], r["growth_now"])
    parts = {k: float(r[f"d_growth_{k}"]) for k in ("new", "revisions", "model")}
    dp = d if round(sum(round(v, d) for v in parts.values()) - round(float(r["d_growth"]), d), d + 2) == 0 else d + 1
    d = max(d, dp)     # two decimals where one would not add up (parts to the change, values to their change)
    text = t("brief_change", **_names(r, lang), prev=i18n.fmt_pct(r["growth_prev"], lang, d),
             now=i18n.fmt_pct(r["growth_now"], lang, d), delta=i18n.fmt_pp(r["d_growth"], lang, d),
             **{k: i18n.fmt_pp(v, lang, d) for k, v in parts.items()})
    # a probability only against a target of the series' own (a city's reference target gets no verdict)
    if finite(r["p_prev"]) and finite(r["p_now"]) and r.get("target_status") in VERDICT_TARGETS:
        text = _join([text, t("brief_change_p", **_probs(r["p_prev"], r["p_now"], r["d_p"], lang))], lang)
    return text


def changes_blocks(changes: pd.DataFrame | None, lang: str) -> list[tuple]:
    """The paragraphs of the changes part: the province's carriages, then the cities that moved most."""
    if changes is None or not len(changes):
        return [("p", i18n.t("brief_first_run", lang))]
    rows = changes[changes["indicator"].isin(CARRIAGES)]
    province = rows[rows["region"] == PROVINCE]
    cities = rows[rows["region"] != PROVINCE]
    moved = cities.assign(_m=cities["d_growth"].abs().fillna(np.inf)).sort_values("_m", ascending=False,
                                                                                  kind="stable")
    shown = moved.iloc[:MAX_CITY_CHANGES].drop(columns="_m")
    out = [("p", i18n.t("brief_changes_lead", lang, prev=str(rows["prev_run"].iloc[0]) if len(rows) else ""))]
    out += [("p", _change(r, lang)) for r in pd.concat([province, shown]).to_dict("records")]
    if len(cities) > len(shown):
        out.append(("p", i18n.t("brief_changes_more", lang, n=len(cities) - len(shown))))
    return out


def scenario_name(name: str, spec: dict, lang: str) -> str:
    """A scenario's name in ``lang`` (its Chinese name in Chinese when it has one)."""
    return (spec.get("name_zh") or name) if lang == "zh" else name


def _scenario_text(spec: dict, lang: str) -> str:
    first, then = ("description_zh", "description") if lang == "zh" else ("description", "description_zh")
    return spec.get(first) or spec.get(then) or ""


def scenario_blocks(name: str, table: pd.DataFrame, spec: dict, lang: str) -> list[tuple]:
    """The paragraphs of one scenario: its description, then each series whose projection it moves."""
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    base = table[table["scenario"] == "baseline"].set_index(["region", "indicator"])
    out = [("p", t("brief_scenario", name=scenario_name(name, spec, lang), description=_scenario_text(spec, lang)))]
    n = 0
    for r in table[table["scenario"] == name].to_dict("records"):
        if not finite(r["delta_projected"]) or round(float(r["delta_projected"]), 2) == 0:
            continue
        b = base.loc[(r["region"], r["indicator"])]
        d = _digits(b["projected"], r["projected"])
        text = t("brief_scenario_row", **_names(r, lang), base=i18n.fmt_pct(b["projected"], lang, d),
                 scenario=i18n.fmt_pct(r["projected"], lang, d), delta=i18n.fmt_pp(r["delta_projected"], lang, d))
        if r.get("target_status") in VERDICT_TARGETS and finite(r["probability"]) and finite(b["probability"]):
            p = _probs(b["probability"], r["probability"], r["delta_probability"], lang)
            text = _join([text, t("brief_scenario_row_p", base=p["prev"], scenario=p["now"], delta=p["delta"])], lang)
        out.append(("p", text))
        n += 1
    if not n:
        out.append(("p", t("brief_scenario_none")))
    return out


def main_table(rows: pd.DataFrame, lang: str) -> tuple:
    """``("table", header, rows, caption)``: every series of :func:`standing` with its main figures as text."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    head = [t("pack_col_region"), t("pack_col_indicator"), t("pack_col_period"), t("pack_col_ytd_growth"),
            t("brief_col_target"), t("pack_col_projected"), t("brief_col_band"), t("pack_col_probability"),
            t("pack_col_status")]
    body = []
    for r in rows.to_dict("records"):
        num = lambda x: "—" if not finite(x) else f"{round(float(x), 1) + 0.0:.1f}"  # noqa: E731
        verdict = bool(r["verdict"])
        target = i18n.fmt_target(r["target"], r.get("kind", ""), lang, r.get("target_status") or "published") \
            if bool(r.get("has_target")) else i18n.status_label("no target", lang)
        body.append([i18n.region_name(r["region"], lang), i18n.indicator_name(r["indicator"], lang, True),
                     i18n.fmt_period(r["last_period"], lang) if r.get("last_period") is not None else "—",
                     num(r["ytd_growth"]), target, num(r["projected"]),
                     t("brief_band").format(p10=num(r["p10"]), p90=num(r["p90"])) if finite(r["p10"]) else "—",
                     f"{round(100 * float(r['probability'])):.0f}" if verdict and finite(r["probability"]) else "—",
                     i18n.status_label(r["status"] if verdict else ("reference" if r.get("has_target") else
                                                                    "no target"), lang)])
    period = i18n.fmt_period(rows["last_period"].dropna().max(), lang) if rows["last_period"].notna().any() else "—"
    return ("table", head, body, t("brief_table_caption").format(period=period))
