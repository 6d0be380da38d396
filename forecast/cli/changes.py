"""``forecast changes``: what changed since the last run, series by series, and why.

    forecast changes [RUN] [--against RUN] [--db PATH] [--lang zh|en] [--format table|csv]

For each series of RUN (default: the latest complete run) against the complete run before it (or
``--against``): the change of the projected full-year growth (百分点 / pp) and of the probability of meeting
the target, split into the newly published months, revisions of earlier figures, target changes and model
re-estimation (:mod:`forecast.decisions.changes`, where the parts are defined; they add up to the change).
The earlier run is read with the targets it was evaluated against, RUN with the targets in force now.
Exit codes: 0 done; 2 no earlier complete run to compare with (or bad usage); 1 no store or no such run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from forecast.cli.tables import render_table

_DB_HELP = "SQLite store (default: $TROIKA_DB or data/troika.db)"
EXIT_NOTHING_TO_COMPARE = 2
DESCRIPTION = (
    "For each series of RUN (default: the latest complete run) against the complete run before it (or --against): "
    "the change of the projected full-year growth (百分点 / pp) and of the probability of meeting the target, split "
    "into the newly published months, revisions of earlier figures, target changes and model re-estimation; the "
    "parts add up to the change. The earlier run is read with the targets it was evaluated against, RUN with the "
    "targets in force now. Exit codes: 0 done; 2 no earlier complete run to compare with, or bad usage; 1 no "
    "store or no such run.")

_HEAD = {
    "zh": {
        "growth": ["地区", "指标", "新发布", "上期预计(%)", "本期预计(%)", "变化(百分点)", "新数据", "修订", "模型重估"],
        "p": ["地区", "指标", "目标 上期→本期", "上期达标概率(%)", "本期达标概率(%)", "变化(百分点)", "新数据", "修订",
              "目标调整", "模型重估"],
        "title": "本期 {run}（数据至{now}）对比 上期 {prev}（数据至{before}），{year}年",
        "growth_title": "预计全年增长的变化（百分点）：变化 = 新数据 + 修订 + 模型重估（目标调整不改变预计增长）",
        "p_title": "达标概率的变化（百分点）：变化 = 新数据 + 修订 + 目标调整 + 模型重估",
        "rounding": "各部分按定义相加恰等于变化；四舍五入后显示的数可能差一位。",
        "notes": "说明：",
        "revised": "修订：{months}",
        "sep": "、",
    },
    "en": {
        "growth": ["Region", "Indicator", "New", "Before (%)", "Now (%)", "Change (pp)", "New data", "Revisions",
                   "Model"],
        "p": ["Region", "Indicator", "Target before→now", "P(meet) before (%)", "P(meet) now (%)", "Change (pp)",
              "New data", "Revisions", "Target", "Model"],
        "title": "run {run} (data to {now}) against run {prev} (data to {before}), {year}",
        "growth_title": "Change of projected full-year growth (pp): change = new data + revisions + model "
                        "(a target change does not move the projection)",
        "p_title": "Change of P(meet target) (percentage points): change = new data + revisions + target + model",
        "rounding": "The parts add up to the change exactly; rounded for display they may differ in the last digit.",
        "notes": "Notes:",
        "revised": "revised: {months}",
        "sep": ", ",
    },
}


def add_changes(sub: Any) -> None:
    """Register ``forecast changes``."""
    p = sub.add_parser("changes", help="what changed since the last run: new months, revisions, targets, model",
                       description=DESCRIPTION)
    p.add_argument("run", nargs="?", default="latest", metavar="RUN",
                   help="run id, a unique prefix of one, or 'latest' (default)")
    p.add_argument("--against", metavar="RUN", help="the earlier run (default: the complete run before RUN)")
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table (default zh)")
    p.add_argument("--format", choices=("table", "csv"), default="table", help="table (default) or csv")
    p.set_defaults(func=cmd_changes)


def cmd_changes(args: argparse.Namespace) -> int:
    """Body of ``forecast changes``."""
    from forecast.decisions.changes import run_changes
    from forecast.runs.results import load_run, load_run_as_batched, previous_complete_run

    now = load_run(args.run, args.db)
    against = args.against or previous_complete_run(now.run_id, args.db)
    if against is None:
        print(f"forecast: error: run {now.run_id} is the first complete run of the store; there is no earlier run to "
              "compare it with (`forecast runs` lists the runs; --against RUN picks one)", file=sys.stderr)
        return EXIT_NOTHING_TO_COMPARE
    prev = load_run_as_batched(against, args.db)
    frame = run_changes(prev, now)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    print(changes_text(frame, lang=args.lang, now_vintage=now.data_vintage, prev_vintage=prev.data_vintage))
    return 0


def _pp(x: Any, digits: int) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    if v != v:
        return "—"
    v = round(v, digits) + 0.0
    return f"{v:+.{digits}f}" if v != 0 else f"{v:.{digits}f}"


def _num(x: Any, digits: int = 1, scale: float = 1.0) -> str:
    try:
        v = float(x) * scale
    except (TypeError, ValueError):
        return "—"
    return "—" if v != v else f"{round(v, digits) + 0.0:.{digits}f}"


def changes_text(frame: Any, lang: str = "zh", now_vintage: Any = None, prev_vintage: Any = None) -> str:
    """The :func:`forecast.decisions.changes.what_changed` frame as two aligned tables (growth, P(meet)) and notes.

    Growth changes in 百分点 / pp with two decimals; probabilities in whole %, their changes in percentage
    points with one decimal; region and indicator names from the catalogue.
    """
    import pandas as pd

    from forecast.decisions.changes import change_note
    from forecast.present import i18n

    h = _HEAD[lang]
    if frame.empty:
        return "no series to compare" if lang == "en" else "无可比较的序列"
    first = frame.iloc[0]
    lines = [h["title"].format(run=first["run"], prev=first["prev_run"], year=int(first["year"]),
                               now=i18n.fmt_month(now_vintage, lang) if now_vintage is not None else "—",
                               before=i18n.fmt_month(prev_vintage, lang) if prev_vintage is not None else "—"), ""]
    growth, prob, notes = [], [], []
    for r in frame.to_dict("records"):
        region, ind = i18n.region_name(r["region"], lang), i18n.indicator_name(r["indicator"], lang)
        new = h["sep"].join(i18n.fmt_month(pd.Period(p, freq="M"), lang)
                            for p in str(r["new_months"]).split(",") if p and p != "…")
        growth.append([region, ind, new or "—", _num(r["growth_prev"]), _num(r["growth_now"]),
                       *(_pp(r[c], 2) for c in ("d_growth", "d_growth_new", "d_growth_revisions", "d_growth_model"))])
        ref = "reference" if r["target_status"] == "reference" else "published"
        before = i18n.fmt_target(r["target_prev"], r["kind_prev"], lang, ref) if r["target_prev"] == r["target_prev"] \
            else i18n.status_label("no target", lang)
        after = i18n.fmt_target(r["target_now"], r["kind"], lang, r["target_status"]) \
            if r["target_now"] == r["target_now"] else i18n.status_label("no target", lang)
        prob.append([region, ind, before if before == after else f"{before}→{after}",
                     _num(r["p_prev"], 0, 100), _num(r["p_now"], 0, 100),
                     *(_pp(100 * r[c], 1) for c in ("d_p", "d_p_new", "d_p_revisions", "d_p_target", "d_p_model"))])
        said = [h["revised"].format(months=h["sep"].join(
            i18n.fmt_month(pd.Period(p, freq="M"), lang) for p in str(r["revised_months"]).split(",") if p and p != "…"))] \
            if r["revised_months"] else []
        said += [s for s in change_note(r, lang).split("; ") if s and s != i18n.status_label("no target", lang)]
        if said:
            notes.append(f"  {region} {ind}{'：' if lang == 'zh' else ': '}" + ("；" if lang == "zh" else "; ").join(said))
    lines += [h["growth_title"], render_table(h["growth"], growth, "lllrrrrrr"), "",
              h["p_title"], render_table(h["p"], prob, "lllrrrrrrr"), "", h["rounding"]]
    if notes:
        lines += [h["notes"], *notes]
    return "\n".join(lines)


COMMANDS = (add_changes,)
