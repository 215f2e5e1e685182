"""``tunestats best-of-k STUDY``: what a tuning budget of k trials buys, per pool."""

from __future__ import annotations

import argparse

from .._columns import band_label, estimator_label, quantile_levels
from ..analysis import best_of_k
from ..analysis.best_of_k import METHODS
from ..study import load_study
from ._api import ApiOptions
from ._options import add_best_of_k_options, add_study_argument, numbers, warn_test_selection
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (best_of_k,)

KEYS = ["workload", "protocol", "optimizer", "k"]


def _pair(text: str) -> tuple[float | int, ...]:
    """``LOW,HIGH`` (the API checks that there are two)."""
    return tuple(numbers(text))


def _level(text: str) -> float | None:
    """A confidence level; 0 means none (no bands)."""
    value = float(text)
    return None if value == 0 else value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "best-of-k", help="what a tuning budget of k trials buys, per pool",
        description="For each (workload, protocol, optimizer) pool: the reported metric of "
        "the best of k trials drawn at random from the pool (exact by default; Choi et al. "
        "2019, Figures 6-9). q05..q95: spread of best-of-k outcomes; ci_low..ci_high: "
        "pointwise confidence band of the population mean; *_sim_*: simultaneous bands.")
    api = ApiOptions(parser, *API)
    add_study_argument(parser)
    api.option("select", "--select",
               help="metric (or role valid/test/train) that picks the best trial",
               default_text="each workload's headline metric")
    api.option("report", "--report", help="metric (or role) reported for the picked trial",
               default_text="each workload's test metric, else --select")
    add_best_of_k_options(api, quantiles=True)
    api.option("method", "--method", choices=METHODS,
               help="exact closed form or Monte-Carlo bootstrap")
    api.option("lost_value", "--lost-value", type=float, metavar="X",
               help="reported value of a trial counted as worst, e.g. 1.0 for an error rate",
               default_text="the worst finite reported value of the pool")
    api.option("confidence", "--confidence", type=_level, metavar="LEVEL",
               help="confidence level of the bands of the estimate; 0 skips them")
    api.option("bounds", "--bounds", type=_pair, metavar="LOW,HIGH",
               help="range of the reported metric, e.g. 0,1 for an error rate (the "
               "simultaneous band of the mean needs it)", default_text="none")
    api.option("n_resamples", "--resamples", type=int, metavar="N",
               help="Monte-Carlo resamples of --method bootstrap")
    api.option("seed", "--seed", type=int, help="random seed")
    add_output_options(parser, ("best_of_k",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    options = args.api.effective(args)
    warn_test_selection(study, options["select"])
    frame = best_of_k(study, **args.api.kwargs(args))
    lost_value, confidence = options["lost_value"], options["confidence"]
    if not args.json:
        pairs = frame[["select", "report"]].drop_duplicates()
        print("best of k trials per pool: " + "; ".join(
            f"selected by {s} ({study.metric(s).direction}), reporting {r} "
            f"({study.metric(r).direction})" for s, r in pairs.itertuples(index=False))
            + (" (per workload: see the select and report columns)" if len(pairs) > 1
               else ""))
        print(f"estimator: {estimator_label(frame)}; diverged/failed trials: "
              + (f"counted as the worst outcome, reporting {lost_value:g}"
                 if options["diverged"] == "worst" and lost_value is not None else
                 "counted as the worst outcome, reporting the worst finite value of their "
                 "pool (column lost_value; --lost-value sets it)" if options["diverged"] == "worst"
                 else "excluded"))
        print(band_label(frame, "spread").replace("band: ", "q columns: "))
        if confidence is not None:
            print(band_label(frame, "confidence", "mean").replace("band: ", "ci_low..ci_high: ")
                  + "; q50_ci_low..q50_ci_high: the same for the median; sim_low..sim_high: "
                  "simultaneous over every k; NaN where no band is calibrated (ci_note says "
                  "why)")
    spread = quantile_levels(frame.columns)
    bands = ["ci_low", "ci_high", "q50_ci_low", "q50_ci_high", "q50_sim_low", "q50_sim_high"]
    named = ["select", "report"] if len(frame[["select", "report"]].drop_duplicates()) > 1 else []
    shown = frame[[*KEYS, *named, "mean", *spread,
                   *(c for c in bands if c in frame and confidence is not None),
                   "n_trials", "n_diverged"]]
    emit(args, {"best_of_k": frame}, shown={"best_of_k": shown})
    return 0
