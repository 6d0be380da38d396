"""The ``forecast`` command line: ``ingest``, ``summary``, and the batch commands of :mod:`forecast.cli.commands`
(``run``, ``runs``, ``show``, ``export``, ``scenario run``) and ``brief`` (:mod:`forecast.cli.brief`).

Exit codes: 0 success, 2 bad input or usage (a :class:`~forecast.data.errors.DataError`, an argparse error),
1 any other failure (store, file system), 3 (``run``) complete with series on the fallback model,
75 (``run``) another batch holds the lock. Errors print one readable message on stderr, never a
traceback. An unexpected error (a bug) prints one line naming the error and a crash log, and exits 1;
the log, with the full traceback, is ``<data folder>/logs/forecast-<UTC time>-<pid>.log`` (the data
folder is ``$TROIKA_DATA_DIR`` or ``data/``), or ``troika-logs/`` in the temp folder when that cannot be
written (:data:`CRASH_LOG_HELP`).
Heavy modules (pandas, the store) are imported inside the commands so ``forecast --help`` stays fast.

Adding a command: write ``_add_<name>(subparsers)`` that creates its parser and sets ``func`` (a function
``args -> int``) with ``set_defaults``, then append it to :data:`COMMANDS`.

Examples
--------
>>> main(["ingest", "tests/fixtures/good/long_utf8.csv"])   # doctest: +ELLIPSIS
tests/fixtures/good/long_utf8.csv: 39 rows added (39 read)
store ...troika.db: 39 observations in 13 series
0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.cli.brief import COMMANDS as BRIEF_COMMANDS
from forecast.cli.changes import COMMANDS as CHANGES_COMMANDS
from forecast.cli.commands import COMMANDS as BATCH_COMMANDS
from forecast.cli.projects import COMMANDS as PROJECT_COMMANDS
from forecast.cli.tables import (  # noqa: F401 - summary_frame and period_label are part of the CLI's API
    format_summary,
    period_label,
    render_table,
    summary_frame,
)
from forecast.cli.targets import COMMANDS as TARGET_COMMANDS
from forecast.cli.targets import cli_user
from forecast.data.errors import DataError, StoreError

if TYPE_CHECKING:
    pass

MAX_PROBLEMS_SHOWN = 40

_DB_HELP = "SQLite store (default: $TROIKA_DB or data/troika.db)"
#: Where an unexpected error's traceback goes (shown by ``forecast --help``).
CRASH_LOG_HELP = ("Errors print one line on stderr. An unexpected error (a bug) also writes its full traceback "
                  "to a log file named in that line: <data folder>/logs/forecast-<time>-<pid>.log (data folder: "
                  "$TROIKA_DATA_DIR or data/), or troika-logs/ in the temp folder when that cannot be written.")


# ---------------------------------------------------------------------- commands
def _add_ingest(sub: Any) -> None:
    p = sub.add_parser(
        "ingest",
        help="validate input tables and add their observations to the store",
        description=(
            "Validate official tables (CSV or Excel, UTF-8 or GBK, Chinese or English headers) and add "
            "their observations to the store in one transaction. Any problem in any file: nothing is "
            "written and every problem is listed. Re-ingesting a file already stored changes nothing."
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="input table(s)")
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.set_defaults(func=_cmd_ingest)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from forecast.runs.store import Store
    from forecast.runs.store.audit import record

    store = Store(args.db)
    report = store.ingest(args.files)
    added = [f for f in report.files if not f.skipped]
    if added:  # every write is audited, from the app and from the command line
        record(store, cli_user(), "ingest", ", ".join(Path(f.file).name for f in added),
               after=f"{sum(f.rows_added for f in added)} rows added")
    for f in report.files:
        if f.skipped:
            print(f"{f.file}: no change (already ingested)")
        elif not f.changed:
            print(f"{f.file}: no change ({f.rows_read} rows already stored)")
        else:
            filled = f", {f.rows_filled} filled in" if f.rows_filled else ""
            print(f"{f.file}: {f.rows_added} rows added{filled} ({f.rows_read} read)")
        for note in f.notes:
            print(f"{f.file}: note: {note}")
    counts = store.counts()
    print(f"store {store.path}: {counts['observations']} observations in {counts['series']} series")
    return 0


def _add_summary(sub: Any) -> None:
    p = sub.add_parser(
        "summary",
        help="latest YTD figures of every region and carriage against the year's targets",
        description=(
            "Print, for the province and each city and each carriage (investment, retail sales, "
            "foreign trade), the latest period, its YTD level and growth, the year's target and the gap "
            "(YTD growth minus target, percentage points)."
        ),
    )
    p.add_argument("--db", metavar="PATH", help=_DB_HELP)
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the table (default zh)")
    p.add_argument("--targets", metavar="PATH", help="targets table (default: data/targets.csv)")
    p.set_defaults(func=_cmd_summary)


def _cmd_summary(args: argparse.Namespace) -> int:
    from forecast.data.catalog import CARRIAGES
    from forecast.data.target_table import load_targets
    from forecast.runs.store import Store

    store = Store(args.db, create=False)
    latest = store.latest(list(CARRIAGES))
    if latest.empty:
        _error(f"the store {store.path} holds no observations; run `forecast ingest FILE…` first")
        return 1
    table = summary_frame(latest, load_targets(args.targets))
    print(format_summary(table, lang=args.lang))
    return 0


#: Subcommand registration functions, in the order ``--help`` lists them.
COMMANDS: tuple[Callable[[Any], None], ...] = (_add_ingest, _add_summary, *BATCH_COMMANDS, *BRIEF_COMMANDS,
                                                  *TARGET_COMMANDS, *CHANGES_COMMANDS, *PROJECT_COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``forecast`` argument parser with every command of :data:`COMMANDS`."""
    from forecast import __version__

    parser = argparse.ArgumentParser(
        prog="forecast",
        description="troika: forecasts and what-if scenarios for Liaoning's three carriages "
        "(investment, retail sales, foreign trade), per city, against annual targets.",
        epilog=CRASH_LOG_HELP,
    )
    parser.add_argument("--version", action="version", version=f"troika {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def _error(message: str) -> None:
    print(f"forecast: error: {message}", file=sys.stderr)


def _data_error_message(e: DataError) -> str:
    lines = [getattr(e, "summary", None) or str(e).splitlines()[0]]
    lines += [f"  - {p}" for p in e.problems[:MAX_PROBLEMS_SHOWN]]
    if len(e.problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  … and {len(e.problems) - MAX_PROBLEMS_SHOWN} more problem(s)")
    return "\n".join(lines)


def _crash_log(argv: Sequence[str] | None) -> Path | None:
    """Write the traceback being handled to a new log file and return its path (None if none could be written)."""
    import platform
    import tempfile
    import traceback
    from datetime import UTC, datetime

    stamp = datetime.now(UTC)
    text = "\n".join([
        f"forecast crashed at {stamp.isoformat(timespec='seconds')}",
        f"command: forecast {' '.join(sys.argv[1:] if argv is None else argv)}",
        f"working directory: {os.getcwd()}",
        f"python {platform.python_version()} on {platform.platform()}",
        "",
        traceback.format_exc(),
    ])
    folders = []
    try:
        from forecast.data.files import current_data_dir

        folders.append(current_data_dir() / "logs")
    except Exception:  # noqa: BLE001 - the bug may be right there: the temp folder still works
        pass
    folders.append(Path(tempfile.gettempdir()) / "troika-logs")
    name = f"forecast-{stamp.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}.log"
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / name, "x", encoding="utf-8") as f:
                f.write(text)
            return folder / name
        except OSError:
            continue
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``forecast`` command line and return its exit code (never raises on bad input).

    Examples
    --------
    >>> main(["--version"])
    troika 0.1.0
    0
    """
    # One BLAS thread per process: statsmodels fits many tiny problems, and a multi-threaded BLAS makes
    # each 5-10x slower on a small machine (bench/README.md). Must happen before numpy is imported;
    # worker processes inherit it. An explicit setting in the environment wins.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version (0) and usage errors (2)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    try:
        return int(args.func(args))
    except DataError as e:
        _error(_data_error_message(e))
        return 2
    except StoreError as e:
        _error(str(e))
        from forecast.runs.store import RunLocked

        return 75 if isinstance(e, RunLocked) else 1
    except BrokenPipeError:  # `forecast summary | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        _error(f"{e.strerror or e}{f': {e.filename}' if e.filename else ''}")
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as e:  # noqa: BLE001 - a bug: one line here, the whole traceback in a log file
        log = _crash_log(argv)
        what = str(e).strip().splitlines()[0] if str(e).strip() else "(no message)"
        where = f"full traceback in {log}" if log else "no log file could be written"
        _error(f"unexpected {type(e).__name__}: {what} ({where}; please report it)")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
