"""``tunestats import FORMAT SRC --out STUDY_DIR``: read tuning logs into a study."""

from __future__ import annotations

import argparse
import inspect
import json
import sys

from ..errors import ParameterError
from ..importers import FORMATS, import_report
from ..study.schema import TABLE_FORMATS
from ._output import ProgressLine, add_force_option, check_study_folder

__all__ = ["register", "run"]

#: Format-specific options: CLI destination → keyword of the format's ``read``.
_FORMAT_OPTIONS = {"space": "search_space", "history": "history", "study_name": "study_name",
                   "layout": "layout", "ruleset": "ruleset"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import", help="read the logs of a tuning tool or paper into a study",
        description="Read tuning logs (FORMAT: " + ", ".join(FORMATS) + ") from SRC and write "
        "a study folder. Prints what was read, what was skipped and why, and how each metric's "
        "direction is known.")
    parser.add_argument("format", choices=list(FORMATS), help="the format of SRC")
    parser.add_argument("src", help="the logs: a folder, a file or (optuna) a storage URL")
    parser.add_argument("--out", required=True, metavar="STUDY_DIR",
                        help="the study folder to write")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN[,COLUMN]",
                        help="where a field comes from (generic tables: workload, protocol, "
                        "optimizer, repeat, trial, seed, status, message, duration, step, "
                        "time, metric, value, hp, metrics, attrs; optuna/wandb/raytune: "
                        "workload, protocol or optimizer from a hyperparameter; wandb also "
                        "hp and metrics columns); repeatable")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="name the workload, protocol or optimizer of every trial; "
                        "repeatable")
    parser.add_argument("--protocol", help="protocol name for every trial")
    parser.add_argument("--metric", action="append", default=[],
                        metavar="NAME=DIRECTION[:SPLIT]",
                        help="declare a metric (minimize|maximize, split train|valid|test), "
                        "overriding the format and the name; repeatable")
    parser.add_argument("--targets", metavar="FILE.json",
                        help="targets: a JSON object {workload: {metric: value}}")
    parser.add_argument("--space", metavar="FILE",
                        help="search space (algoperf: tuning_search_space.json; wandb: sweep "
                        "YAML)")
    parser.add_argument("--history", metavar="DIR", help="wandb: folder of per-run histories")
    parser.add_argument("--study-name", help="optuna: only this study of the storage")
    parser.add_argument("--layout", choices=("auto", "long", "wide"),
                        help="generic: long (metric/value columns) or wide table")
    parser.add_argument("--ruleset", choices=("external", "self"),
                        help="algoperf: the tuning ruleset (default: from hparams.json)")
    parser.add_argument("--strict", action="store_true",
                        help="fail on the first thing that would be skipped")
    parser.add_argument("--to", choices=TABLE_FORMATS, default="parquet",
                        help="table format of the study (default: parquet)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_force_option(parser, "the study or folder STUDY_DIR")
    parser.set_defaults(handler=run)


def _pairs(option: str, items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ParameterError(f"`{option}` takes NAME=VALUE; got {item!r}.")
        out[name] = value
    return out


def run(args: argparse.Namespace) -> int:
    check_study_folder(args.out, force=args.force, option="--out")
    module = FORMATS[args.format]
    accepted = inspect.signature(module.read).parameters
    kwargs = {}
    for dest, keyword in _FORMAT_OPTIONS.items():
        value = getattr(args, dest)
        if value is None:
            continue
        if keyword not in accepted:
            raise ParameterError(f"`--{dest.replace('_', '-')}` does not apply to the "
                                 f"{args.format} format.")
        kwargs[keyword] = value
    mapping = {field: value.split(",") for field, value in _pairs("--map", args.map).items()}
    study = module.read(args.src, protocol=args.protocol, constants=_pairs("--set", args.set),
                        mapping=mapping, metrics=_pairs("--metric", args.metric),
                        targets=args.targets, progress=ProgressLine("reading"), strict=args.strict,
                        **kwargs)
    study.save(args.out, format=args.to)
    report = import_report(study)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n".join(report.lines()))
        print(f"wrote {args.out} ({args.to}): {len(study.trials)} trials in "
              f"{len(study.pool_keys())} pools, {len(study.curves)} curve rows")
    return 0
