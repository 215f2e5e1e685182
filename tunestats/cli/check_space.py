"""``tunestats check-space STUDY``: is every search space adequate? Exit 0 if so, 1 if not."""

from __future__ import annotations

import argparse

from ..analysis import check_space
from ..study import load_study
from ._options import add_metric_option, add_study_argument
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: Columns of the printed boundary table (the Python API returns more).
BOUNDARY_COLUMNS = ["workload", "protocol", "optimizer", "param", "bounds", "side", "verdict",
                    "edge_kind", "best_value", "best_position", "top_in_band", "top_n",
                    "p_value", "proposed_low", "proposed_high"]
BUDGET_COLUMNS = ["workload", "protocol", "optimizer", "n_trials", "n_diverged", "k_half",
                  "gain_last", "delta", "prob_gain_exceeds", "verdict"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check-space", help="check that every search space is adequate (exit 1 if not)",
        description="Boundary checks (is each pool's best region away from the edges of every "
        "tuned range?) and budget checks (would doubling the pool's trials change its "
        "best-of-k mean by more than the tolerance?), after Choi et al. (2019), Appendices D-E. Prints the verdict "
        "with every reason; exits 0 when the study's search spaces are adequate, 1 when not, "
        "2 on a usage error.")
    add_study_argument(parser)
    add_metric_option(parser, "metric the trials are judged by")
    parser.add_argument("--param", action="append", metavar="NAME",
                        help="check only this hyperparameter; repeat for several")
    parser.add_argument("--top-q", type=float, default=0.1, metavar="Q",
                        help="fraction of each pool's completed trials that are its top trials, "
                        "in (0, 1] (default: 0.1)")
    parser.add_argument("--edge", type=float, default=0.05, metavar="EPS",
                        help="width of each edge band as a fraction of the range in the "
                        "parameter's own scale, in (0, 0.5) (default: 0.05)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="level of the crowding and trend tests (default: 0.05)")
    parser.add_argument("--extend-decades", type=float, default=1.0, metavar="D",
                        help="proposed widening of an open edge of a log-scaled parameter, in "
                        "decades (default: 1)")
    parser.add_argument("--extend-fraction", type=float, default=0.5, metavar="F",
                        help="proposed widening of an open edge of a linear parameter, as a "
                        "fraction of its range (default: 0.5)")
    parser.add_argument("--tolerance", type=float, default=0.1, metavar="DELTA",
                        help="budget check: the gain of doubling the trials that counts, as a "
                        "fraction of what tuning achieved in the pool (best of 1 minus best "
                        "of N; default: 0.1)")
    parser.add_argument("--absolute", action="store_true",
                        help="read --tolerance in the metric's units instead of relative")
    parser.add_argument("--resamples", type=int, default=200,
                        help="bootstrap resamples for the probability that doubling gains "
                        "more than the tolerance (default: 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of that bootstrap (default: 0)")
    add_output_options(parser, ("boundaries", "budgets", "reasons"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    result = check_space(study, metric=args.metric, params=args.param, top_q=args.top_q,
                         edge=args.edge, alpha=args.alpha, extend_decades=args.extend_decades,
                         extend_fraction=args.extend_fraction, tolerance=args.tolerance,
                         relative=not args.absolute, n_resamples=args.resamples,
                         seed=args.seed)
    tables = {"boundaries": result.boundaries[BOUNDARY_COLUMNS],
              "budgets": result.budgets[BUDGET_COLUMNS], "reasons": result.reasons}
    if not args.json:  # the verdict first: the tables below are its evidence
        count = len(result.reasons)
        print("verdict: adequate" if result.adequate else
              f"verdict: NOT adequate ({count} reason{'s' if count != 1 else ''})")
        judged = {f"{m.name} ({m.direction})" for m in result.metrics.values()}
        print(f"{study.source}: search spaces judged by " + (
            judged.pop() if len(judged) == 1 else "each workload's headline metric: " + ", ".join(
                f"{w} {m.name} ({m.direction})" for w, m in result.metrics.items())))
    emit(args, tables, extra={"adequate": result.adequate, "metric": result.metric.name,
                              "metrics": {w: m.name for w, m in result.metrics.items()}})
    return 0 if result.adequate else 1
