"""``tunestats import FORMAT SRC --out STUDY_DIR``: read tuning logs into a study."""

from __future__ import annotations

import argparse
import inspect
import json
import sys

from ..errors import ParameterError
from ..importers import FORMATS, import_options, import_report
from ..study import save_study
from ..study.schema import TABLE_FORMATS
from ._api import ApiOptions
from ._output import ProgressLine, add_force_option, check_study_folder

__all__ = ["API", "register", "run"]

#: The API of the verb: the options every importer takes, the study writer, and each
#: format's ``read`` (its own options, e.g. algoperf's ``ruleset``).
API = (import_options, save_study, *(module.read for module in FORMATS.values()))
#: Options given as repeated ``NAME=VALUE`` words: parameter → how a value is split.
_PAIRS = {"mapping": lambda value: value.split(","), "constants": str, "metrics": str}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import", help="read the logs of a tuning tool or paper into a study",
        description="Read tuning logs (FORMAT: " + ", ".join(FORMATS) + ") from SRC and write "
        "a study folder. Prints what was read, what was skipped and why, and how each metric's "
        "direction is known.")
    parser.add_argument("source_format", choices=list(FORMATS), metavar="FORMAT",
                        help="the format of SRC: " + ", ".join(FORMATS))
    parser.add_argument("src", help="the logs: a folder, a file or (optuna) a storage URL")
    parser.add_argument("--out", required=True, metavar="STUDY_DIR",
                        help="the study folder to write")
    api = ApiOptions(parser, *API)
    api.option("mapping", "--map", action="append", metavar="FIELD=COLUMN[,COLUMN]",
               help="where a field comes from (generic tables: workload, protocol, "
               "optimizer, repeat, trial, seed, status, message, duration, step, "
               "time, metric, value, hp, metrics, attrs; optuna/wandb/raytune: "
               "workload, protocol or optimizer from a hyperparameter; wandb also "
               "hp and metrics columns); repeatable")
    api.option("constants", "--set", action="append", metavar="FIELD=VALUE",
               help="name the workload, protocol or optimizer of every trial; repeatable")
    api.option("protocol", "--protocol", help="protocol name for every trial")
    api.option("metrics", "--metric", action="append", metavar="NAME=DIRECTION[:SPLIT]",
               help="declare a metric (minimize|maximize, split train|valid|test), "
               "overriding the format and the name; repeatable")
    api.option("targets", "--targets", metavar="FILE.json",
               help="targets: a JSON object {workload: {metric: value}}")
    api.option("search_space", "--space", metavar="FILE",
               help="search space (algoperf: tuning_search_space.json; wandb: sweep YAML)")
    api.option("history", "--history", metavar="DIR", help="wandb: folder of per-run histories")
    api.option("study_name", "--study-name", help="optuna: only this study of the storage")
    api.option("layout", "--layout", choices=("auto", "long", "wide"),
               help="generic: long (metric/value columns) or wide table")
    api.option("ruleset", "--ruleset", choices=("external", "self"),
               help="algoperf: the tuning ruleset", default_text="from hparams.json")
    api.option("strict", "--strict", action="store_true",
               help="fail on the first thing that would be skipped")
    api.option("format", "--to", choices=TABLE_FORMATS, help="table format of the study")
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
    api, fmt = args.api, args.source_format
    module = FORMATS[fmt]
    given = api.given(args)
    save = {"format": given.pop("format")} if "format" in given else {}
    common = inspect.signature(import_options).parameters
    accepted = inspect.signature(module.read).parameters
    for name in given:
        if name not in common and name not in accepted:
            raise ParameterError(f"`{name}` does not apply to the {fmt} format.")
    for name, split in _PAIRS.items():
        if name in given:
            given[name] = {field: split(value)
                           for field, value in _pairs(api.flags[name], given[name]).items()}
    study = module.read(args.src, progress=ProgressLine("reading"), **given)
    table_format = save.get("format", api.default("format"))
    study.save(args.out, **save)
    report = import_report(study)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n".join(report.lines()))
        print(f"wrote {args.out} ({table_format}): {len(study.trials)} trials in "
              f"{len(study.pool_keys())} pools, {len(study.curves)} curve rows")
    return 0
