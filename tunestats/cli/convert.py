"""``tunestats convert SRC DST``: between Parquet, CSV and JSON Lines study folders."""

from __future__ import annotations

import argparse

from ..study import load_study
from ..study.schema import TABLE_FORMATS

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("convert", help="convert a study between Parquet, CSV and JSONL",
                            description="Read the study folder SRC (any format, including "
                            "runner records) and write it to DST in the chosen table format.")
    parser.add_argument("src", help="study folder to read")
    parser.add_argument("dst", help="study folder to write")
    parser.add_argument("--to", choices=TABLE_FORMATS, default="parquet",
                        help="table format of DST (default: parquet)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.src)
    study.save(args.dst, format=args.to)
    print(f"wrote {len(study.trials)} trials and {len(study.curves)} curve rows to "
          f"{args.dst} ({args.to})")
    return 0
