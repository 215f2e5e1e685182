"""``tunestats profile STUDY``: performance profiles and scores across workloads."""

from __future__ import annotations

import argparse

from ..analysis import performance_profile
from ..analysis.profiles import RULES
from ..errors import ParameterError
from ..study import load_study
from ._options import add_metric_option, add_study_argument, add_target_options
from ._output import add_output_options, emit

__all__ = ["register", "run"]


def _variant(text: str) -> tuple[str, list[str]]:
    base, sep, names = text.partition("=")
    if not sep or not base or not names:
        raise argparse.ArgumentTypeError(f"expected BASE=VARIANT[,VARIANT...]; got {text!r}")
    return base, names.split(",")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("profile", help="performance profiles and scores (AlgoPerf style)",
                            description="Per workload, each optimizer's time to target (per "
                            "repeat one trial's, median over repeats), its ratio to the "
                            "fastest optimizer, the profile rho(tau) and the score (area under "
                            "rho over [1, tau_max], normalised). On AlgoPerf imports the "
                            "benchmark's rule (the trial reaching the target at the earliest "
                            "evaluation, time_s, grid integral: the scores of `tunestats "
                            "leaderboard`); elsewhere the fastest trial of each repeat, in "
                            "steps, exact integral. The first line says which.")
    add_study_argument(parser)
    add_metric_option(parser, "metric of the curves")
    add_target_options(parser)
    parser.set_defaults(time=None)  # the rule's: time_s on AlgoPerf imports, else step
    parser.add_argument("--rule", choices=tuple(RULES),
                        help="which trial of a repeat counts (default: algoperf on AlgoPerf "
                        "imports, else fastest)")
    parser.add_argument("--tau-max", type=float, default=4.0, help="upper end (default: 4)")
    parser.add_argument("--keep-large-ratios", dest="cap_failures", action="store_false",
                        help="report ratios above tau_max as they are, not as failures")
    parser.add_argument("--n-trials", type=int, help="trials every repeat must have")
    parser.add_argument("--n-repeats", type=int, help="repeats every pool must have")
    parser.add_argument("--variant", type=_variant, action="append", metavar="BASE=V1,V2",
                        help="mark BASE failed for an optimizer that misses a variant's target")
    add_output_options(parser, ("scores", "ratios"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    variants = dict(args.variant) if args.variant else None
    if variants is not None and len(variants) != len(args.variant):
        raise ParameterError("`--variant` names the same base workload twice.")
    result = performance_profile(study, metric=args.metric, target=args.target, time=args.time,
                                 tau_max=args.tau_max, cap_failures=args.cap_failures,
                                 n_trials=args.n_trials, n_repeats=args.n_repeats,
                                 variants=variants, rule=args.rule)
    if not args.json:
        print(f"rule: {result.description}")
    emit(args, {"scores": result.scores, "ratios": result.ratios},
         extra={"rule": result.description})
    return 0
