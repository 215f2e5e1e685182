"""``tunestats check-space STUDY``: is every search space adequate? Exit 0 if so, 1 if not."""

from __future__ import annotations

import argparse

from ..analysis import check_space
from ..study import load_study
from ._api import ApiOptions
from ._options import add_metric_option, add_study_argument
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (check_space,)

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
        "best-of-k mean by more than the tolerance?), after Choi et al. (2019), Appendices D-E. A "
        "search space that is a finite list of points (AlgoPerf's list form) has no edges: "
        "its pools get which points were tried and won, and whether the list is exhausted. "
        "Prints the verdict with every reason; exits 0 when the study's search spaces are adequate, 1 when not, "
        "2 on a usage error.")
    api = ApiOptions(parser, *API)
    add_study_argument(parser)
    add_metric_option(api, "metric the trials are judged by")
    api.option("params", "--param", action="append", metavar="NAME",
               help="check only this hyperparameter; repeat for several",
               default_text="every tuned one")
    api.option("top_q", "--top-q", type=float, metavar="Q",
               help="fraction of each pool's completed trials that are its top trials, in "
               "(0, 1]")
    api.option("edge", "--edge", type=float, metavar="EPS",
               help="width of each edge band as a fraction of the range in the parameter's "
               "own scale, in (0, 0.5)")
    api.option("alpha", "--alpha", type=float, help="level of the crowding and trend tests")
    api.option("extend_decades", "--extend-decades", type=float, metavar="D",
               help="proposed widening of an open edge of a log-scaled parameter, in decades")
    api.option("extend_fraction", "--extend-fraction", type=float, metavar="F",
               help="proposed widening of an open edge of a linear parameter, as a fraction "
               "of its range")
    api.option("tolerance", "--tolerance", type=float, metavar="DELTA",
               help="budget check: the gain of doubling the trials that counts, as a "
               "fraction of what tuning achieved in the pool (best of 1 minus best of N)")
    api.option("relative", "--absolute", action="store_false",
               help="read --tolerance in the metric's units instead of relative",
               default_text="relative")
    api.option("n_resamples", "--resamples", type=int, metavar="N",
               help="bootstrap resamples for the probability that doubling gains more than "
               "the tolerance")
    api.option("seed", "--seed", type=int, help="seed of that bootstrap")
    add_output_options(parser, ("boundaries", "budgets", "reasons", "points", "notes"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    result = check_space(study, **args.api.kwargs(args))
    listed = len(result.notes)  # pools whose space is a finite list of points
    budget_columns = BUDGET_COLUMNS + (["n_points", "n_points_tried"] if listed else [])
    tables = {"boundaries": result.boundaries[BOUNDARY_COLUMNS],
              "budgets": result.budgets[budget_columns], "reasons": result.reasons,
              "points": result.points, "notes": result.notes}
    if not args.json:  # the verdict first: the tables below are its evidence
        count = len(result.reasons)
        print("verdict: adequate" if result.adequate else
              f"verdict: NOT adequate ({count} reason{'s' if count != 1 else ''})", end="")
        print(f"; {listed} pool(s) search a finite list of points: boundary check not "
              "applicable there (see notes)" if listed else "")
        judged = {f"{m.name} ({m.direction})" for m in result.metrics.values()}
        print(f"{study.source}: search spaces judged by " + (
            judged.pop() if len(judged) == 1 else "each workload's headline metric: " + ", ".join(
                f"{w} {m.name} ({m.direction})" for w, m in result.metrics.items())))
    emit(args, tables, extra={"adequate": result.adequate, "metric": result.metric.name,
                              "metrics": {w: m.name for w, m in result.metrics.items()}},
         shown=_shown(tables) if listed else {
             name: frame for name, frame in tables.items() if name not in ("points", "notes")})
    return 0 if result.adequate else 1


def _shown(tables: dict) -> dict:
    """The printed tables when some space is a finite list of points: boundary rows only
    where a boundary check applies, the points without their (long) values."""
    boundaries = tables["boundaries"]
    return {**tables, "boundaries": boundaries[boundaries["verdict"] != "not applicable"],
            "points": tables["points"].drop(columns="values")}
