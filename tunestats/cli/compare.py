"""``tunestats compare STUDY``: rankings per protocol, rank flips, inclusion violations."""

from __future__ import annotations

import argparse

from ..analysis import compare_protocols
from ..study import load_study
from ._options import add_best_of_k_options, add_study_argument, warn_test_selection
from ._output import add_output_options, emit

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compare", help="rank optimizers per protocol; rank flips and "
                            "inclusion violations",
                            description="Rank the optimizers of each workload and protocol by "
                            "their best-of-k outcome, with exact pairwise and rank "
                            "probabilities and outer-bootstrap confidences; list rank flips "
                            "between protocols and violations of the inclusion graph first.")
    add_study_argument(parser)
    parser.add_argument("--protocol", action="append", metavar="NAME",
                        help="protocol to compare; repeat for several (default: all)")
    parser.add_argument("--select", help="metric that picks the best trial (default: the "
                        "first validation metric)")
    parser.add_argument("--report", help="metric reported for it (default: --select)")
    add_best_of_k_options(parser)
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="family-wise error level at which orders are resolved and "
                        "violations reported (default: 0.05)")
    parser.add_argument("--n-permutations", type=int, default=None,
                        help="permutations per pair for the p-values (default: max(1999, "
                             "4 x pairs / alpha))")
    parser.add_argument("--n-boot", type=int, default=200,
                        help="outer-bootstrap replicates (default: 200)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    parser.add_argument("--graph", metavar="FILE", help="inclusion graph JSON file (default: "
                        "the study's, else the paper's)")
    parser.add_argument("--all-flips", action="store_true",
                        help="list unresolved flips too (default: resolved ones only)")
    add_output_options(parser, ("flips", "violations", "agreement", "rankings"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    warn_test_selection(study, args.select)
    result = compare_protocols(study, protocols=args.protocol, k=args.k, select=args.select,
                               report=args.report, replace=args.replace,
                               diverged=args.diverged, alpha=args.alpha, n_boot=args.n_boot,
                               graph=args.graph, seed=args.seed,
                               n_permutations=args.n_permutations)
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
              f"{'with' if args.replace else 'without'} replacement)")
    emit(args, {"flips": flips, "violations": violations, "agreement": result.agreement,
                "rankings": rankings})
    return 0
