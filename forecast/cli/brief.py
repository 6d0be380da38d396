"""``forecast brief --docx PATH [--lang en]``: the draft monthly brief (月度分析简报) of a run, as a Word document.

Registered by :mod:`forecast.cli.main` (see :data:`forecast.cli.main.COMMANDS`); the brief's module is imported
when the command runs. A bad path (no such folder, a folder, not ``.docx``, not writable) is refused before the
run is read, with exit 2; the file is written to a temp file beside it and renamed, so a crash leaves nothing
half-written (:func:`forecast.export.brief.write_brief`).
"""

from __future__ import annotations

import argparse
from typing import Any

from forecast.cli.commands import add_run_source


def add_brief(sub: Any) -> None:
    """Register ``forecast brief``."""
    p = sub.add_parser(
        "brief", help="write the draft monthly brief (Word .docx) of a run, in Chinese or English",
        description=("Write the draft monthly brief (月度分析简报) of a run: the province's position in each "
                     "carriage against its target, the cities at risk, what changed since the previous run, "
                     "what the saved scenarios change, a table and the key charts. Every figure comes from the "
                     "run. Exit codes: 0 written; 2 bad path or input; 1 no such run or store."),
    )
    p.add_argument("--docx", required=True, metavar="FILE", help="the document to write (.docx)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the brief (default zh)")
    add_run_source(p)
    p.set_defaults(func=cmd_brief)


def cmd_brief(args: argparse.Namespace) -> int:
    """Body of ``forecast brief``."""
    from forecast.decisions.scenario_files import scan_scenarios
    from forecast.export.brief import check_brief_path, write_brief
    from forecast.present import i18n
    from forecast.runs.results import changes_since_previous, load_run, with_saved_scenarios

    check_brief_path(args.docx)                         # a bad path fails before the run is read
    run = load_run(args.run, args.db)
    run = with_saved_scenarios(run, *scan_scenarios(args.scenarios))
    path = write_brief(run, args.docx, lang=args.lang, changes=changes_since_previous(run, args.db))
    print(i18n.t("brief_cli_done", args.lang, path=path, run=run.run_id,
                 period=i18n.fmt_period(run.data_vintage, args.lang)))
    return 0


#: Registration functions of this module, in ``--help`` order.
COMMANDS = (add_brief,)
