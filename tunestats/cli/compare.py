"""``tunestats compare STUDY``: rankings per protocol, rank flips, inclusion violations."""

from __future__ import annotations

import argparse

from ..analysis import compare_protocols
from ..study import load_study
from ._api import ApiOptions
from ._options import add_best_of_k_options, add_study_argument, warn_test_selection
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (compare_protocols,)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compare", help="rank optimizers per protocol; rank flips and "
                            "inclusion violations",
                            description="Rank the optimizers of each workload and protocol by "
                            "their best-of-k outcome, with exact pairwise and rank "
                            "probabilities and outer-bootstrap confidences; list rank flips "
                            "between protocols and violations of the inclusion graph first.")
    api = ApiOptions(parser, *API)
    add_study_argument(parser)
    api.option("protocols", "--protocol", action="append", metavar="NAME",
               help="protocol to compare; repeat for several", default_text="all")
    api.option("select", "--select", help="metric (or role) that picks the best trial",
               default_text="each workload's headline metric")
    api.option("report", "--report", help="metric (or role) reported for it",
               default_text="--select")
    add_best_of_k_options(api, k_default="powers of two up to the smallest pool of each "
                          "workload and protocol, and that size")
    api.option("alpha", "--alpha", type=float,
               help="family-wise error level at which orders are resolved and violations "
               "reported")
    api.option("n_permutations", "--n-permutations", type=int, metavar="N",
               help="permutations per pair for the p-values",
               default_text="max(1999, 4 x pairs / alpha)")
    api.option("n_screen", "--n-screen", type=int, metavar="N",
               help="screening permutations per pair; only sides whose within-pair "
               "adjusted p-value is near alpha get --n-permutations (0: every pair does)")
    api.option("n_resamples", "--resamples", type=int, metavar="N",
               help="outer-bootstrap replicates")
    api.option("seed", "--seed", type=int, help="bootstrap seed")
    api.option("graph", "--graph", metavar="FILE", help="inclusion graph JSON file",
               default_text="the study's, else the paper's")
    parser.add_argument("--all-flips", action="store_true",
                        help="list unresolved flips too (default: resolved ones only)")
    add_output_options(parser, ("flips", "violations", "agreement", "rankings"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    options = args.api.effective(args)
    warn_test_selection(study, options["select"])
    result = compare_protocols(study, **args.api.kwargs(args))
    flips = result.flips if args.all_flips else result.flips[result.flips["resolved"]]
    violations = result.violations[result.violations["violation"]]
    rankings = result.rankings[["workload", "protocol", "k", "rank", "optimizer",
                                "expected_rank", "q05", "q50", "q95", "n_trials",
                                "n_diverged"]]
    if not args.json:
        resolved = int(result.flips["resolved"].sum())
        n_pairs = int(result.pairs["family_size"].iloc[0]) if len(result.pairs) else 0
        n_checks = (int(result.violations["family_size"].iloc[0])
                    if len(result.violations) else 0)
        print(f"{resolved} resolved rank flip(s) and {len(violations)} inclusion violation(s) "
              f"surviving family-wise error control at alpha = {result.alpha} (permutation "
              f"tests; families: {n_pairs} pair checks, {n_checks} inclusion checks; best of k "
              f"by {result.rankings['select'].iloc[0]}, "
              f"{'with' if options['replace'] else 'without'} replacement)")
    emit(args, {"flips": flips, "violations": violations, "agreement": result.agreement,
                "rankings": rankings})
    return 0
