"""``tunestats convert SRC DST``: between Parquet, CSV and JSON Lines study folders."""

from __future__ import annotations

import argparse

from ..study import load_study, save_study
from ..study.schema import TABLE_FORMATS
from ._api import ApiOptions
from ._output import add_force_option, check_study_folder, stage

__all__ = ["API", "register", "run"]

#: The API of the verb.
API = (save_study,)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("convert", help="convert a study between Parquet, CSV and JSONL",
                            description="Read the study folder SRC (any format, including "
                            "runner records) and write it to DST in the chosen table format.")
    parser.add_argument("src", help="study folder to read")
    parser.add_argument("dst", help="study folder to write")
    ApiOptions(parser, *API).option("format", "--to", choices=TABLE_FORMATS,
                                    help="table format of DST")
    add_force_option(parser, "the study or folder DST")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_study_folder(args.dst, force=args.force, option="DST")
    stage(f"reading {args.src}")
    study = load_study(args.src)
    stage(f"writing {args.dst}")
    api = args.api
    options = api.kwargs(args)
    save_study(study, args.dst, **options)
    print(f"wrote {len(study.trials)} trials and {len(study.curves)} curve rows to "
          f"{args.dst} ({options.get('format', api.default('format'))})")
    return 0
