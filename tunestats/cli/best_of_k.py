"""``tunestats best-of-k STUDY``: what a tuning budget of k trials buys, per pool."""

from __future__ import annotations

import argparse

from ..analysis import best_of_k
from ..analysis.best_of_k import METHODS, band_label, estimator_label
from ..kernels import POLICIES
from ..study import load_study
from ._options import add_study_argument, warn_test_selection
from ._output import add_output_options, emit

__all__ = ["register", "run"]

KEYS = ["workload", "protocol", "optimizer", "k"]


def _numbers(text: str) -> list[float | int]:
    """A comma-separated list of numbers (``1,2,4``); the API checks the values."""
    try:
        return [int(part) if part.strip().lstrip("+-").isdigit() else float(part)
                for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers; got {text!r}"
                                         ) from None


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "best-of-k", help="what a tuning budget of k trials buys, per pool",
        description="For each (workload, protocol, optimizer) pool: the reported metric of "
        "the best of k trials drawn at random from the pool (exact by default; Choi et al. "
        "2019, Figures 6-9). q05..q95: spread of best-of-k outcomes; ci_low..ci_high: "
        "pointwise confidence band of the population mean; *_sim_*: simultaneous bands.")
    add_study_argument(parser)
    parser.add_argument("--select",
                        help="metric (or role valid/test/train) that picks the best trial "
                        "(default: each workload's headline metric)")
    parser.add_argument("--report",
                        help="metric (or role) reported for the picked trial (default: each "
                        "workload's test metric, else --select)")
    parser.add_argument("--k", type=_numbers, metavar="K[,K...]",
                        help="budgets (default: powers of two up to each pool's size)")
    parser.add_argument("--method", choices=METHODS, default="exact",
                        help="exact closed form or Monte-Carlo bootstrap (default: exact)")
    parser.add_argument("--replace", action=argparse.BooleanOptionalAction, default=True,
                        help="draw the k trials with replacement (default) or without")
    parser.add_argument("--quantiles", type=_numbers, default=[0.05, 0.5, 0.95],
                        metavar="Q[,Q...]", help="levels of the spread (default: 0.05,0.5,0.95)")
    parser.add_argument("--diverged", choices=POLICIES, default="worst",
                        help="trials that did not complete: count as worst (default) or "
                        "exclude")
    parser.add_argument("--lost-value", type=float, default=None, metavar="X",
                        help="reported value of a trial counted as worst, e.g. 1.0 for an error "
                        "rate (default: inf, which makes the mean inf where such trials can be "
                        "picked)")
    parser.add_argument("--ci", type=float, default=0.9,
                        help="confidence level of the bands of the estimate; 0 skips them "
                        "(default: 0.9)")
    parser.add_argument("--bounds", type=_numbers, default=None, metavar="LOW,HIGH",
                        help="range of the reported metric, e.g. 0,1 for an error rate (the "
                        "simultaneous band of the mean needs it)")
    parser.add_argument("--resamples", type=int, default=None,
                        help="Monte-Carlo resamples of --method bootstrap (default: 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    add_output_options(parser, ("best_of_k",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    resamples = {} if args.resamples is None else {"n_resamples": args.resamples}
    bounds = None if args.bounds is None else tuple(args.bounds)
    warn_test_selection(study, args.select)
    frame = best_of_k(study, args.select, args.report, args.k, method=args.method,
                      replace=args.replace, quantiles=args.quantiles, diverged=args.diverged,
                      lost_value=args.lost_value, ci=args.ci or None, bounds=bounds,
                      seed=args.seed,
                      **resamples)
    if not args.json:
        pairs = frame[["select", "report"]].drop_duplicates()
        print("best of k trials per pool: " + "; ".join(
            f"selected by {s} ({study.metric(s).direction}), reporting {r} "
            f"({study.metric(r).direction})" for s, r in pairs.itertuples(index=False))
            + (" (per workload: see the select and report columns)" if len(pairs) > 1
               else ""))
        print(f"estimator: {estimator_label(frame)}; diverged/failed trials: "
              + (f"counted as the worst outcome, reporting {args.lost_value:g}"
                 if args.diverged == "worst" and args.lost_value is not None else
                 "counted as the worst outcome, reporting the worst finite value of their "
                 "pool (column lost_value; --lost-value sets it)" if args.diverged == "worst"
                 else "excluded"))
        print(band_label(frame, "spread").replace("band: ", "q columns: "))
        if args.ci:
            print(band_label(frame, "confidence", "mean").replace("band: ", "ci_low..ci_high: ")
                  + "; q50_ci_low..q50_ci_high: the same for the median; sim_low..sim_high: "
                  "simultaneous over every k; NaN where no band is calibrated (ci_note says "
                  "why)")
    spread = [c for c in frame.columns if c.startswith("q") and "_" not in c]
    confidence = ["ci_low", "ci_high", "q50_ci_low", "q50_ci_high", "q50_sim_low",
                  "q50_sim_high"]
    named = ["select", "report"] if len(frame[["select", "report"]].drop_duplicates()) > 1 else []
    shown = frame[[*KEYS, *named, "mean", *spread, *(c for c in confidence if c in frame),
                   "n_trials", "n_diverged"]]
    if not args.ci:
        shown = shown.drop(columns=[c for c in confidence if c in shown])
    emit(args, {"best_of_k": frame}, shown={"best_of_k": shown})
    return 0
