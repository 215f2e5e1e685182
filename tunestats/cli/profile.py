"""``tunestats profile STUDY``: performance profiles and scores across workloads."""

from __future__ import annotations

import argparse

from ..analysis import performance_profile
from ..analysis.profiles import RULES
from ..errors import ParameterError
from ..study import load_study
from ._api import ApiOptions
from ._options import add_metric_option, add_study_argument, add_target_options
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (performance_profile,)


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
    api = ApiOptions(parser, *API)
    add_study_argument(parser)
    add_metric_option(api, "metric of the curves")
    add_target_options(api)
    api.option("rule", "--rule", choices=tuple(RULES), help="which trial of a repeat counts",
               default_text="algoperf on AlgoPerf imports, else fastest")
    api.option("tau_max", "--tau-max", type=float, help="upper end of the profile")
    api.option("cap_failures", "--keep-large-ratios", action="store_false",
               help="report ratios above tau_max as they are, not as failures",
               default_text="as failures")
    api.option("n_trials", "--n-trials", type=int, help="trials every repeat must have",
               default_text="no check")
    api.option("n_repeats", "--n-repeats", type=int, help="repeats every pool must have",
               default_text="no check")
    api.option("variants", "--variant", type=_variant, action="append", metavar="BASE=V1,V2",
               help="mark BASE failed for an optimizer that misses a variant's target",
               default_text="none")
    add_output_options(parser, ("scores", "ratios"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    options = args.api.kwargs(args)
    if "variants" in options:
        variants = dict(options["variants"])
        if len(variants) != len(options["variants"]):
            raise ParameterError("`--variant` names the same base workload twice.")
        options["variants"] = variants
    result = performance_profile(study, **options)
    if not args.json:
        print(f"rule: {result.description}")
    emit(args, {"scores": result.scores, "ratios": result.ratios},
         extra={"rule": result.description})
    return 0
