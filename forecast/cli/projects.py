"""``forecast projects``: check a major-project list, and turn it into a fai scenario file.

    forecast projects check FILE [--year Y] [--encoding ENC] [--lang zh|en]
    forecast projects scenario FILE --name NAME [--slip MONTHS] [--share FRACTION] [--out PATH] [--force]
                                    [--name-zh TEXT] [--db PATH]

``check`` validates the list (:func:`forecast.data.project_list.load_project_list`) and prints a per-city summary;
bad input lists every problem with file, row and column and exits 2. ``scenario`` writes a scenario YAML file
(:func:`forecast.decisions.projects.project_scenario`: incremental projects added; with ``--slip K`` a share
``--share S`` (default 1) of new starts slips K months) that ``forecast scenario run PATH`` accepts. Its
construction-season profiles come from the latest run's panel of ``--db`` or, by default, from the data folder's
observations; only the months after the last published fai month up to December next year are written. The
default path is the scenarios folder (``<data folder>/scenarios/``); an existing file is never replaced
unless ``--force`` is given, and then the command says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from forecast.cli.tables import render_table

_HEAD = {"zh": ["地区", "项目数(个)", "新开工(个)", "总投资(亿元)", "年度计划投资(亿元)", "其中新增项目(亿元)"],
         "en": ["Region", "Projects", "New starts", "Total (亿元)", "Planned this year (亿元)",
                "Of which incremental (亿元)"]}


def add_projects(sub: Any) -> None:
    """Register ``forecast projects check`` and ``forecast projects scenario``."""
    p = sub.add_parser("projects", help="check a major-project list (重大项目清单), or make a fai scenario from it",
                       description=__doc__.split("\n\n")[0])
    psub = p.add_subparsers(dest="projects_command", metavar="ACTION", required=True)
    ck = psub.add_parser("check", help="validate a project list and print a per-city summary (exit 2 on bad input)")
    ck.add_argument("file", metavar="FILE", help="project list (CSV or Excel, UTF-8 or GBK)")
    ck.add_argument("--year", type=int, metavar="Y", help="plan year when the file states none")
    ck.add_argument("--encoding", metavar="ENC", help="CSV encoding (default: UTF-8, then GBK)")
    ck.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table (default zh)")
    ck.set_defaults(func=cmd_check)
    sc = psub.add_parser("scenario", help="write a fai scenario file from a project list",
                         description="Write a scenario YAML file that `forecast scenario run PATH` accepts: "
                                     "incremental projects (是否新增 = 是) add their phased plan; --slip K moves "
                                     "a share --share of new starts K months later.")
    sc.add_argument("file", metavar="FILE", help="project list (CSV or Excel, UTF-8 or GBK)")
    sc.add_argument("--name", required=True, help="scenario name")
    sc.add_argument("--name-zh", default="", help="Chinese name (default: 项目清单情景)")
    sc.add_argument("--slip", type=int, default=0, metavar="MONTHS", help="months new starts slip (default 0)")
    sc.add_argument("--share", type=float, default=1.0, metavar="FRACTION",
                    help="share of new starts that slip, 0..1 (default 1)")
    sc.add_argument("--out", metavar="PATH", help="output file (.yaml or .json; default: the scenarios folder)")
    sc.add_argument("--force", action="store_true", help="replace an existing output file")
    sc.add_argument("--year", type=int, metavar="Y", help="plan year when the file states none")
    sc.add_argument("--db", metavar="PATH", help="take profiles and months from the latest run of this store")
    sc.set_defaults(func=cmd_scenario)


def cmd_check(args: argparse.Namespace) -> int:
    from forecast.data.catalog import REGIONS
    from forecast.data.project_list import load_project_list, project_summary

    projects = load_project_list(args.file, encoding=args.encoding, year=args.year)
    summary = project_summary(projects)
    rows = [[REGIONS[r["region"]].name(args.lang), str(r["projects"]), str(r["new"]), f"{r['total']:,.2f}",
             f"{r['planned']:,.2f}", f"{r['incremental_planned']:,.2f}"] for r in summary.to_dict("records")]
    rows.append(["合计" if args.lang == "zh" else "Total", str(len(projects)), str(int(summary["new"].sum())),
                 f"{summary['total'].sum():,.2f}", f"{summary['planned'].sum():,.2f}",
                 f"{summary['incremental_planned'].sum():,.2f}"])
    years = sorted(set(projects["plan_year"]))
    print(f"{args.file}: {len(projects)} 个项目 / projects, 计划年度 / plan year {', '.join(map(str, years))}")
    print(render_table(_HEAD[args.lang], rows, "lrrrrr"))
    return 0


def _panel(args: argparse.Namespace) -> Any:
    if args.db:
        from forecast.runs.results import load_latest_run

        run = load_latest_run(args.db)
        if run is None:
            print(f"forecast: error: the store {args.db} has no complete run", file=sys.stderr)
            return None
        return run.panel
    from forecast.data.files import load_bundled
    from forecast.data.panel import build_panel

    return build_panel(load_bundled())


def cmd_scenario(args: argparse.Namespace) -> int:
    from forecast.data.project_list import load_project_list
    from forecast.decisions.projects import project_scenario
    from forecast.decisions.scenario_files import save_scenario, scenario_file_name, scenarios_dir

    out = Path(args.out) if args.out else scenarios_dir() / scenario_file_name(args.name)
    if out.exists() and not args.force:
        print(f"forecast: error: {out} already exists; choose another --out or --name, or add --force to replace it",
              file=sys.stderr)
        return 2
    projects = load_project_list(args.file, year=args.year)
    panel = _panel(args)
    if panel is None:
        return 1
    scenario = project_scenario(projects, panel, args.name, slip=args.slip, share=args.share,
                                name_zh=args.name_zh or "项目清单情景")
    existed = out.exists()
    save_scenario(scenario, out)
    print(f"{'replaced' if existed else 'wrote'} {out}: {len(scenario.adjustments)} adjustment(s) (abs, fai, 亿元)")
    print(scenario.description_zh)
    print(scenario.description)
    print(f"apply it with: forecast scenario run {out}")
    return 0


COMMANDS = (add_projects,)
