"""The pack's sheet of what changed since the previous run (较上期, Since last run): per series the change of
projected full-year growth and of the probability of meeting the target, split into parts that add up
(:func:`forecast.decisions.changes.run_changes`)."""

from __future__ import annotations

import pandas as pd

from forecast.decisions.changes import change_note
from forecast.present import i18n


def changes_sheet_name(lang: str = "zh") -> str:
    """``较上期`` / ``Since last run``."""
    return i18n.t("pack_sheet_changes", lang)


def changes_columns(lang: str = "zh") -> list[tuple[str, str, str | None]]:
    """(header, source column of :func:`changes_frame`, number format) in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return [(t("col_region"), "region_name", None), (t("col_indicator"), "indicator_name", None),
            (t("pack_chg_growth_prev"), "growth_prev", "0.0"), (t("pack_chg_growth_now"), "growth_now", "0.0"),
            (t("pack_chg_d_growth"), "d_growth", "0.00"), (t("chg_part_new"), "d_growth_new", "0.00"),
            (t("chg_part_revisions"), "d_growth_revisions", "0.00"), (t("chg_part_model"), "d_growth_model", "0.00"),
            (t("pack_chg_d_p"), "d_p_pp", "0.0"), (t("pack_chg_p_new"), "d_p_new_pp", "0.0"),
            (t("pack_chg_p_revisions"), "d_p_revisions_pp", "0.0"), (t("pack_chg_p_target"), "d_p_target_pp", "0.0"),
            (t("pack_chg_p_model"), "d_p_model_pp", "0.0"), (t("pack_chg_months"), "months", None),
            (t("pack_col_note"), "note", None)]


def month_list(months: str, lang: str = "zh") -> str:
    """Comma-separated periods of :func:`forecast.decisions.changes.what_changed` (``"2026-02,2026-03"``) as people
    write them: ``2026年1-2月、2026年3月`` / ``Jan–Feb 2026, Mar 2026`` (the Jan–Feb period is one period).

    Examples
    --------
    >>> month_list("2026-02,2026-03"), month_list("2026-11", "en"), month_list("")
    ('2026年1-2月、2026年3月', 'Nov 2026', '')
    """
    parts = [m.strip() for m in str(months or "").split(",") if m.strip()]
    out = []
    for m in parts:
        try:
            out.append(i18n.fmt_month(pd.Period(m, freq="M"), lang))
        except ValueError:          # not a period: keep it as written
            out.append(m)
    return ("、" if lang == "zh" else ", ").join(out)


def changes_frame(changes: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Rows of the sheet from a :func:`forecast.decisions.changes.run_changes` frame (growth in %, its changes
    in 百分点; probabilities' changes in 百分点).

    Examples
    --------
    >>> ch = pd.DataFrame({"region": ["dalian"], "indicator": ["retail"], "growth_prev": [1.0], "growth_now": [1.5],
    ...                    "d_growth": [0.5], "d_growth_new": [0.3], "d_growth_revisions": [0.1], "d_growth_model": [0.1],
    ...                    "d_p": [0.2], "d_p_new": [0.1], "d_p_revisions": [0.0], "d_p_target": [0.05],
    ...                    "d_p_model": [0.05], "new_months": ["2026-11"], "revised_months": [""], "flags": [""]})
    >>> changes_frame(ch, "en")[["region_name", "d_growth", "d_p_pp", "months"]].values.tolist()
    [['Dalian', 0.5, 20.0, 'new: Nov 2026']]
    """
    zh = lang == "zh"
    months = []
    for new, rev in zip(changes["new_months"].fillna(""), changes["revised_months"].fillna(""), strict=True):
        new, rev = month_list(new, lang), month_list(rev, lang)
        parts = [(("新发布：" if zh else "new: ") + new) if new else "", (("修订：" if zh else "revised: ") + rev) if rev else ""]
        months.append(("；" if zh else "; ").join(p for p in parts if p))
    out = pd.DataFrame({
        "region_name": [i18n.region_name(r, lang) for r in changes["region"]],
        "indicator_name": [i18n.indicator_name(i, lang, short=True) for i in changes["indicator"]],
        **{c: changes[c].astype(float) for c in ("growth_prev", "growth_now", "d_growth", "d_growth_new",
                                                  "d_growth_revisions", "d_growth_model")},
        **{f"{c}_pp": 100 * changes[c].astype(float) for c in ("d_p", "d_p_new", "d_p_revisions", "d_p_target",
                                                                "d_p_model")},
        "months": months,
        "note": [change_note(r, lang) for r in changes.to_dict("records")],
    })
    return out.reset_index(drop=True)
