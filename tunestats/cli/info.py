"""``tunestats info STUDY``: one row per pool."""

from __future__ import annotations

import argparse

from ..study import load_study
from ._options import add_study_argument
from ._output import add_output_options, emit

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("info", help="summarise a study: one row per pool",
                            description="One row per (workload, protocol, optimizer) pool: "
                            "trials by status, best final value of each metric, "
                            "hyperparameters tuned.")
    add_study_argument(parser)
    add_output_options(parser, ("pools",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    if not args.json:
        print(f"{study.source}: {len(study.trials)} trials, {len(study.pool_keys())} pools, "
              f"{len(study.curves)} curve rows; metrics: "
              + ", ".join(f"{m.name} ({m.direction}, {m.split})" for m in study.metrics.values()))
    emit(args, {"pools": study.summary()})
    return 0
