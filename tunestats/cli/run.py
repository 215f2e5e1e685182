"""``tunestats run CONFIG --out STUDY``: run or resume a tuning study (needs the runner extra)."""

from __future__ import annotations

import argparse
import shlex
import sys

from ..errors import require

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run", help="run (or resume) a tuning study with the bundled PyTorch runner",
        description="Run every trial of a study config into a study folder, one record "
        "file per finished trial. Running the same command again resumes: finished trials "
        "are skipped. Ctrl-C stops and keeps what finished. At the end the study is "
        "compacted into Parquet tables and validated. Needs: pip install 'tunestats[runner]'.")
    parser.add_argument("config", help="study config (TOML)")
    parser.add_argument("--out", required=True, help="study folder to write (and resume)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: one per CPU core)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask distributed scheduler at ADDRESS instead "
                        "(e.g. tcp://host:8786)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads per worker (default: 1)")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop at the first trial that raises and show its traceback "
                        "(to debug a workload), instead of recording it as failed")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    require("torch", "runner")
    from ..runner.config import load_config
    from ..runner.execute import run_study

    config = load_config(args.config)
    command = shlex.join(["tunestats", "run", args.config, "--out", args.out]
                         + (["--scheduler", args.scheduler] if args.scheduler else []))
    summary = run_study(config, args.out, workers=args.workers, scheduler=args.scheduler,
                        progress=args.progress, command=command, config_file=args.config,
                        threads=args.threads, fail_fast=args.fail_fast)
    done = summary.skipped + summary.ran
    print(f"{args.out}: {done} of {summary.planned} trials done ({summary.skipped} resumed, "
          f"{summary.ran} run now: {summary.diverged} diverged, {summary.failed} failed)")
    if summary.interrupted:
        print("tunestats: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    print(f"{args.out}: compacted and valid")
    return 0
