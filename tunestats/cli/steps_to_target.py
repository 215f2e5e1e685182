"""``tunestats steps-to-target STUDY``: time to a target, per trial, best of k, or over a grid."""

from __future__ import annotations

import argparse

from ..analysis import best_steps_to_target, steps_to_target, target_robustness
from ..study import load_study
from ._options import (
    add_best_of_k_options,
    add_metric_option,
    add_study_argument,
    add_target_options,
    warn_test_selection,
)
from ._output import add_output_options, emit

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("steps-to-target", help="steps (or seconds) to reach a target",
                            description="First evaluation step at which a metric reaches the "
                            "target (<= when minimised, >= when maximised; inf when never). "
                            "Default: the best-of-k time to target of every pool; --per-trial "
                            "lists every trial; --grid checks the ordering over targets and "
                            "step budgets.")
    add_study_argument(parser)
    add_metric_option(parser, "metric of the curves")
    add_target_options(parser)
    parser.add_argument("--budget", type=float, help="truncate the curves at this step/time")
    parser.add_argument("--select", help="pick the best of k by this metric, or 'speed' for "
                        "the fastest (default: the first validation metric)")
    add_best_of_k_options(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--per-trial", action="store_true", help="one row per trial")
    mode.add_argument("--grid", action="store_true",
                      help="ordering and inclusion consistency over targets x budgets")
    parser.add_argument("--targets", type=float, nargs="+", help="target grid for --grid")
    parser.add_argument("--budgets", type=float, nargs="+", help="budget grid for --grid")
    add_output_options(parser, ("table",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    warn_test_selection(study, args.select)
    if args.per_trial:
        table = steps_to_target(study, metric=args.metric, target=args.target, time=args.time,
                                budget=args.budget)
        emit(args, {"trials": table})
    elif args.grid:
        k = None if not args.k else args.k[-1]
        grid = target_robustness(study, metric=args.metric, targets=args.targets,
                                 budgets=args.budgets, target=args.target, k=k,
                                 select=args.select, time=args.time, replace=args.replace,
                                 diverged=args.diverged)
        if not args.json:
            cells = grid.cells
            print(f"{int((~cells['inclusion_consistent']).sum())} of {len(cells)} cells "
                  f"inconsistent with inclusion; {int((~cells['same_as_reference']).sum())} "
                  "with another ordering than at the reference target and full budget")
        emit(args, {"cells": grid.cells})
    else:
        table = best_steps_to_target(study, metric=args.metric, target=args.target, k=args.k,
                                     select=args.select, time=args.time, budget=args.budget,
                                     replace=args.replace, diverged=args.diverged)
        emit(args, {"best_of_k": table})
    return 0
