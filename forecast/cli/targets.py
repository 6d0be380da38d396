"""``forecast targets``: the targets in force, an analyst's change, and the history of one target.

    forecast targets list [--year Y] [--format table|csv]
    forecast targets set REGION INDICATOR YEAR VALUE --kind about|at_least --source TEXT [--who NAME]
    forecast targets unset REGION INDICATOR YEAR --source TEXT [--who NAME]
    forecast targets history REGION INDICATOR YEAR

Targets live in the store with their whole history (:mod:`forecast.runs.store.targets`); ``data/targets.csv``
seeds it. A change takes effect at once: ``forecast show``, the app and the pack evaluate the latest run's
stored paths against the targets in force (no refit, no batch). Region and indicator accept the names and
aliases of ingest (沈阳, 沈阳市, shenyang; 社零, retail). Bad input exits 2 with a message.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from forecast.cli.tables import render_table

_DB_HELP = "SQLite store (default: $TROIKA_DB or data/troika.db)"
PROVENANCE_ZH = {"published": "公布", "analyst": "分析员设定", "reference": "参考"}
KIND_ZH = {"about": "左右", "at_least": "以上"}


def cli_user() -> str:
    """Who is running the command line, as the audit trail writes it: ``cli:<login name>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (a container without passwd entry)
        name = os.environ.get("USER") or "unknown"
    return f"cli:{name}"


def _who(args: argparse.Namespace) -> str:
    return args.who or cli_user()


def add_targets(sub: Any) -> None:
    """Register ``forecast targets`` and its four subcommands."""
    p = sub.add_parser("targets", help="targets in force, set or unset one (kept with its history)",
                       description=__doc__.split("\n\n")[0])
    tsub = p.add_subparsers(dest="targets_command", metavar="ACTION", required=True)
    ls = tsub.add_parser("list", help="the targets in force (published, analyst), with kind and source")
    ls.add_argument("--year", type=int, metavar="Y", help="only this year")
    ls.add_argument("--format", choices=("table", "csv"), default="table", help="table (default) or csv")
    ls.add_argument("--db", metavar="PATH", help=_DB_HELP)
    ls.set_defaults(func=cmd_list)
    st = tsub.add_parser("set", help="set an analyst's target (who, when and source are kept)")
    st.add_argument("region", help="region name, alias or code (辽宁, 沈阳市, shenyang)")
    st.add_argument("indicator", help="indicator name, alias or code (社零, retail, fai, trade)")
    st.add_argument("year", type=int)
    st.add_argument("value", type=float, help="growth target in % (4.5 means +4.5 %)")
    st.add_argument("--kind", required=True, choices=("about", "at_least"), help="about (左右) or at_least (以上)")
    st.add_argument("--source", required=True, help="the document, or who decided it and why")
    st.add_argument("--who", help="who makes the change (default: the login name)")
    st.add_argument("--db", metavar="PATH", help=_DB_HELP)
    st.set_defaults(func=cmd_set)
    un = tsub.add_parser("unset", help="end a target (kept in the history with the reason)")
    un.add_argument("region")
    un.add_argument("indicator")
    un.add_argument("year", type=int)
    un.add_argument("--source", required=True, help="why the target no longer holds")
    un.add_argument("--who", help="who makes the change (default: the login name)")
    un.add_argument("--db", metavar="PATH", help=_DB_HELP)
    un.set_defaults(func=cmd_unset)
    hi = tsub.add_parser("history", help="every version of one target, oldest first")
    hi.add_argument("region")
    hi.add_argument("indicator")
    hi.add_argument("year", type=int)
    hi.add_argument("--db", metavar="PATH", help=_DB_HELP)
    hi.set_defaults(func=cmd_history)


def _store(args: argparse.Namespace, create: bool) -> Any:
    from forecast.runs.store import Store

    return Store(args.db, create=create)


def _codes(args: argparse.Namespace) -> tuple[str, str]:
    from forecast.data.catalog import indicator_code, region_code

    return region_code(args.region), indicator_code(args.indicator)


def _fmt(value: Any, kind: Any) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:g}%{KIND_ZH.get(kind, '')}"


def cmd_list(args: argparse.Namespace) -> int:
    store = _store(args, create=False)
    table = store.targets()
    if args.year is not None:
        table = table[table["year"] == int(args.year)]
    if args.format == "csv":
        table.drop(columns=["id"]).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    rows = [[r["region"], r["indicator"], str(r["year"]), _fmt(r["value"], r["kind"]),
             PROVENANCE_ZH.get(r["status"], r["status"]), r["who"], r["at"][:10], r["source"]]
            for r in table.to_dict("records")]
    print(render_table(["地区", "指标", "年份", "目标", "来源类型", "录入人", "日期", "来源"], rows, "lllrllll"))
    print(f"{len(rows)} target(s) in force; series without one show 未设目标 / no target")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    region, indicator = _codes(args)
    store = _store(args, create=True)
    new_id, before = store.set_target(region, indicator, args.year, args.value, args.kind, args.source, _who(args))
    print(f"{region} {indicator} {args.year}: target {_fmt(args.value, args.kind)} set (version {new_id}"
          f"{f', replaces {before}' if before else ''}); `forecast show` evaluates the latest run against it")
    return 0


def cmd_unset(args: argparse.Namespace) -> int:
    region, indicator = _codes(args)
    store = _store(args, create=True)
    new_id, before = store.unset_target(region, indicator, args.year, args.source, _who(args))
    print(f"{region} {indicator} {args.year}: target unset (version {new_id}, ends {before}); the series now "
          "shows 未设目标 / no target")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    region, indicator = _codes(args)
    store = _store(args, create=False)
    hist = store.target_history(region, indicator, args.year)
    if hist.empty:
        print(f"no target was ever recorded for {region} {indicator} {args.year}")
        return 0
    rows = [[str(r["id"]), r["at"], r["action"], _fmt(r["value"], r["kind"]),
             PROVENANCE_ZH.get(r["provenance"], r["provenance"]), r["who"], r["source"]]
            for r in hist.to_dict("records")]
    print(render_table(["版本", "时间 (UTC)", "操作", "目标", "来源类型", "录入人", "来源/理由"], rows, "rllrlll"))
    return 0


COMMANDS = (add_targets,)
