"""The ``tunestats`` command: parse arguments, call the API, print or write.

Each verb lives in its own module of :mod:`tunestats.cli` with a
``register(subparsers)`` function that adds its parser and sets
``handler``. Exit codes: 0 ok, 1 data problem or failed check, 2 usage error.
Errors print one line (``--debug``, before or after the verb, shows the
traceback): the package's own errors, in the verb's words (an API parameter
named in a message, ```n_resamples```, becomes its flag, ```--resamples```),
and every failure of the operating system (a permission, a full disk, a folder where a file was expected), named
with its file. Anything else is a bug and is reported as one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import MissingDependencyError, TunestatsError
from . import (
    best_of_k,
    check_space,
    compare,
    convert,
    figures,
    import_,
    info,
    leaderboard,
    profile,
    report,
    run,
    steps_to_target,
    validate,
)
from ._output import Heartbeat, check_out

__all__ = ["main"]

COMMANDS = (info, validate, convert, import_, best_of_k, compare, steps_to_target, profile,
            leaderboard, check_space, figures, report, run)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit with 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def format_help(self) -> str:
        api = self.get_default("api")
        if api is not None:  # a verb's defaults, read from its API when help is shown
            try:
                api.complete_help()
            except MissingDependencyError:  # `run` without torch: help without defaults
                pass
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tunestats",
                     description="Statistics of hyperparameter-tuning studies.")
    parser.add_argument("--version", action="version", version=f"tunestats {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback when something fails")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
    for verb in sub.choices.values():  # `tunestats VERB ... --debug` works too
        verb.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                          help="show the full traceback when something fails")
    return parser


def _os_message(exc: OSError) -> str:
    """``file: reason`` for an operating-system error (``file → other`` for a rename)."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    where = str(exc.filename)
    if getattr(exc, "filename2", None) is not None:
        where += f" → {exc.filename2}"
    return f"{where}: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_out(args)
        with Heartbeat(args.command):
            return int(args.handler(args) or 0)
    except TunestatsError as exc:
        if args.debug:
            raise
        api = getattr(args, "api", None)  # API parameter names become the verb's flags
        message = str(exc) if api is None else api.words(str(exc))
        print(f"tunestats: error: {message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stderr.close()
        return 0
    except OSError as exc:  # permission, disk full, a folder where a file was expected ...
        if args.debug:
            raise
        print(f"tunestats: error: {_os_message(exc)}", file=sys.stderr)
        return 1
    except MemoryError:
        if args.debug:
            raise
        print("tunestats: error: out of memory", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tunestats: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
