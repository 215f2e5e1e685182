"""``tunestats run CONFIG --out STUDY``: run or resume a tuning study (needs the runner extra)."""

from __future__ import annotations

import argparse
import shlex
import sys

from ..errors import require
from ._api import ApiOptions

__all__ = ["register", "run"]


def _api() -> tuple:
    """The runner's API (imported only for this verb: it needs torch)."""
    require("torch", "runner")
    from ..runner.execute import run_study

    return (run_study,)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run", help="run (or resume) a tuning study with the bundled PyTorch runner",
        description="Run every trial of a study config into a study folder, one record "
        "file per finished trial. Running the same command again resumes: finished trials "
        "are skipped. Ctrl-C stops and keeps what finished. At the end the study is "
        "compacted into Parquet tables and validated. Needs: pip install 'tunestats[runner]'.")
    parser.add_argument("config", help="study config (TOML)")
    parser.add_argument("--out", required=True, help="study folder to write (and resume)")
    api = ApiOptions(parser, load=_api)
    api.option("workers", "--workers", type=int, help="local worker processes",
               default_text="one per CPU core")
    api.option("scheduler", "--scheduler", metavar="ADDRESS",
               help="run on a Dask distributed scheduler at ADDRESS instead "
               "(e.g. tcp://host:8786)")
    api.option("threads", "--threads", type=int, help="torch threads per worker")
    api.option("progress", "--no-progress", action="store_false", help="no progress bar")
    api.option("fail_fast", "--fail-fast", action="store_true",
               help="stop at the first trial that raises and show its traceback "
               "(to debug a workload), instead of recording it as failed")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    api = args.api
    (run_study,) = api.functions  # requires torch
    from ..runner.config import load_config

    options = api.kwargs(args)
    config = load_config(args.config)
    scheduler = options.get("scheduler")
    command = shlex.join(["tunestats", "run", args.config, "--out", args.out]
                         + (["--scheduler", scheduler] if scheduler else []))
    summary = run_study(config, args.out, command=command, config_file=args.config, **options)
    done = summary.skipped + summary.ran
    print(f"{args.out}: {done} of {summary.planned} trials done ({summary.skipped} resumed, "
          f"{summary.ran} run now: {summary.diverged} diverged, {summary.failed} failed)")
    if summary.interrupted:
        print("tunestats: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    print(f"{args.out}: compacted and valid")
    return 0
