"""``tunestats steps-to-target STUDY``: time to a target, per trial, best of k, or over a grid."""

from __future__ import annotations

import argparse

from ..analysis import best_steps_to_target, steps_to_target, target_robustness
from ..errors import ParameterError
from ..study import load_study
from ._api import ApiOptions
from ._options import (
    add_best_of_k_options,
    add_metric_option,
    add_study_argument,
    add_target_options,
    warn_test_selection,
)
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (best_steps_to_target, steps_to_target, target_robustness)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("steps-to-target", help="steps (or seconds) to reach a target",
                            description="First evaluation step at which a metric reaches the "
                            "target (<= when minimised, >= when maximised; inf when never). "
                            "Default: the best-of-k time to target of every pool; --per-trial "
                            "lists every trial; --grid checks the ordering over targets and "
                            "step budgets.")
    api = ApiOptions(parser, *API)
    add_study_argument(parser)
    add_metric_option(api, "metric of the curves")
    add_target_options(api)
    api.option("budget", "--budget", type=float, help="truncate the curves at this step/time",
               default_text="no truncation")
    api.option("select", "--select", help="pick the best of k by this metric, or 'speed' for "
               "the fastest", default_text="each workload's headline metric")
    add_best_of_k_options(api, quantiles=True, k_default="powers of two up to each pool's "
                          "size N, and N; with --grid one budget, the smallest pool size")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--per-trial", action="store_true", help="one row per trial")
    mode.add_argument("--grid", action="store_true",
                      help="ordering and inclusion consistency over targets x budgets")
    api.option("targets", "--targets", type=float, nargs="+", help="target grid for --grid",
               default_text="a grid between the pools' best final values")
    api.option("budgets", "--budgets", type=float, nargs="+", help="budget grid for --grid",
               default_text="a grid of evaluation times up to the last one")
    add_output_options(parser, ("table",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    warn_test_selection(study, getattr(args, "select", None))
    if args.per_trial:
        table = steps_to_target(study, **args.api.kwargs(args, steps_to_target,
                                                         mode="--per-trial"))
        emit(args, {"trials": table})
    elif args.grid:
        options = args.api.kwargs(args, target_robustness, mode="--grid")
        if "k" in options:  # the grid orders the optimizers at one budget
            if len(options["k"]) != 1:
                raise ParameterError(f"`--k` takes one budget with --grid; got "
                                     f"{','.join(map(str, options['k']))}.")
            options["k"] = options["k"][0]
        grid = target_robustness(study, **options)
        if not args.json:
            cells = grid.cells
            print(f"{int((~cells['inclusion_consistent']).sum())} of {len(cells)} cells "
                  f"inconsistent with inclusion; {int((~cells['same_as_reference']).sum())} "
                  "with another ordering than at the reference target and full budget")
        emit(args, {"cells": grid.cells})
    else:
        table = best_steps_to_target(study, **args.api.kwargs(args))
        emit(args, {"best_of_k": table})
    return 0
