"""Command-line options shared by several verbs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..kernels import POLICIES

__all__ = ["add_best_of_k_options", "add_metric_option", "add_study_argument",
           "add_target_options", "warn_test_selection"]


def add_study_argument(parser: argparse.ArgumentParser) -> None:
    """The positional ``STUDY`` folder."""
    parser.add_argument("study", help="study folder")


def add_metric_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--metric``: ``what`` the metric is (a name or a role), defaulting to each
    workload's headline metric."""
    parser.add_argument("--metric", help=f"{what}: a metric name or a role valid/test/train "
                        "(default: each workload's headline metric)")


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """``--target`` (default: the study's) and ``--time`` (step or time_s)."""
    parser.add_argument("--target", type=float, help="target value (default: the study's)")
    parser.add_argument("--time", choices=("step", "time_s"), default="step",
                        help="measure in steps or seconds (default: step)")


def add_best_of_k_options(parser: argparse.ArgumentParser) -> None:
    """Budgets, sampling scheme and the diverged policy."""
    parser.add_argument("--k", type=int, action="append", metavar="K",
                        help="budget of trials; repeat for several (default: powers of two "
                        "up to the pool size, and the pool size)")
    parser.add_argument("--without-replacement", dest="replace", action="store_false",
                        help="draw the k trials without replacement (default: with)")
    parser.add_argument("--diverged", choices=POLICIES, default="worst",
                        help="diverged/failed trials: count as worst or exclude (default: worst)")


def warn_test_selection(study: Any, select: str | None) -> None:
    """Warn on stderr when ``select`` names a metric of the test split: the test set
    then picks the trial, and what is reported for it is optimistic."""
    metric = study.metrics.get(select) if isinstance(select, str) else None
    if metric is not None and metric.split == "test":
        print(f"tunestats: warning: selecting by {select}, a metric of the test split: the "
              "test set picks the trial, so its reported outcome is optimistic (select by a "
              "validation metric)", file=sys.stderr)
