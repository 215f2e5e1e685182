"""Command-line options shared by several verbs.

Options that are parameters of the API are declared through
:class:`tunestats.cli._api.ApiOptions`, so their defaults are the API's. One
syntax each across verbs: ``--k 1,4,16`` (a comma-separated list; repeating
``--k`` adds budgets), ``--replace/--no-replace``, ``--diverged worst|exclude``,
``--resamples N``, ``--confidence LEVEL``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..kernels import POLICIES
from ._api import ApiOptions

__all__ = ["add_best_of_k_options", "add_metric_option", "add_study_argument",
           "add_target_options", "numbers", "warn_test_selection"]


def numbers(text: str) -> list[float | int]:
    """A comma-separated list of numbers (``1,2,4``); the API checks the values."""
    try:
        return [int(part) if part.strip().lstrip("+-").isdigit() else float(part)
                for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers; got {text!r}"
                                         ) from None


def add_study_argument(parser: argparse.ArgumentParser) -> None:
    """The positional ``STUDY`` folder."""
    parser.add_argument("study", help="study folder")


def add_metric_option(api: ApiOptions, what: str) -> None:
    """``--metric``: ``what`` the metric is (a name or a role), defaulting to each
    workload's headline metric."""
    api.option("metric", "--metric", help=f"{what}: a metric name or a role valid/test/train",
               default_text="each workload's headline metric")


def add_target_options(api: ApiOptions) -> None:
    """``--target`` (default: the study's) and ``--time`` (step or time_s)."""
    api.option("target", "--target", type=float, help="target value",
               default_text="the study's")
    api.option("time", "--time", choices=("step", "time_s"), help="measure in steps or seconds")


def add_best_of_k_options(api: ApiOptions, *, quantiles: bool = False,
                          k_default: str = "powers of two up to each pool's size N, and N",
                          ) -> None:
    """Budgets, sampling scheme and the diverged policy (and the spread's levels);
    ``k_default`` says what the API's default budgets are."""
    api.option("k", "--k", type=numbers, action="extend", metavar="K[,K...]",
               help="budgets of trials, comma-separated", default_text=k_default)
    api.option("replace", "--replace", action=argparse.BooleanOptionalAction,
               help="draw the k trials with replacement, or without")
    api.option("diverged", "--diverged", choices=POLICIES,
               help="diverged/failed trials: count as the worst outcome or exclude them")
    if quantiles:
        api.option("quantiles", "--quantiles", type=numbers, metavar="Q[,Q...]",
                   help="levels of the spread of best-of-k outcomes")


def warn_test_selection(study: Any, select: str | None) -> None:
    """Warn on stderr when ``select`` names a metric of the test split: the test set
    then picks the trial, and what is reported for it is optimistic."""
    metric = study.metrics.get(select) if isinstance(select, str) else None
    if metric is not None and metric.split == "test":
        print(f"tunestats: warning: selecting by {select}, a metric of the test split: the "
              "test set picks the trial, so its reported outcome is optimistic (select by a "
              "validation metric)", file=sys.stderr)
