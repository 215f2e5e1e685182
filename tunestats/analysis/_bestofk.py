"""The thin adapter between the analyses and the exact best-of-k kernels.

Everything the comparison analyses need from :mod:`tunestats.kernels` goes
through here: the diverged/failed policy, the exact distribution of the
reported value of the best of ``k`` trials (optionally for bootstrap
replicates of the pool), and its summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_positive_int_array
from .._columns import quantile_column
from ..kernels import (
    apply_diverged_policy,
    bootstrap_indices,
    doubling_ladder,
    resampled_selection_probabilities,
    selection_probabilities,
    weighted_mean,
    weighted_quantiles,
)

__all__ = ["Outcomes", "budget_ladder", "pool_outcomes", "quantile_columns"]


@dataclass(frozen=True, eq=False)
class Outcomes:
    """The exact best-of-k distributions of one pool, over its trials.

    Attributes
    ----------
    values : ndarray, shape (..., N)
        The reported value of each trial (after the diverged policy), in trial
        order.
    probs : ndarray, shape (..., K, N)
        The probability that each trial is the best of k.
    n_trials : int
        Trials in the pool.
    n_touched : int
        Trials the diverged/failed policy changed or removed.
    select : ndarray, shape (N,)
        The selection value of each trial (after the policy).
    lost : ndarray of bool, shape (N,)
        Trials the policy counted as the worst outcome.
    """

    values: np.ndarray
    probs: np.ndarray
    n_trials: int
    n_touched: int
    select: np.ndarray
    lost: np.ndarray

    def mean(self) -> np.ndarray:
        """Mean reported value, shape (..., K)."""
        return weighted_mean(self.values, self.probs)

    def quantiles(self, quantiles: Sequence[float]) -> np.ndarray:
        """Quantiles (inverted CDF) at the levels ``quantiles``, shape (..., K, Q)."""
        return weighted_quantiles(self.values, self.probs, np.asarray(quantiles, dtype=float))

    def prob_finite(self) -> np.ndarray:
        """Probability that the reported value is finite, shape (..., K)."""
        return np.sum(np.where(np.isfinite(self.values)[..., None, :], self.probs, 0.0),
                      axis=-1)


def budget_ladder(k: Any, n_min: int) -> np.ndarray:
    """The budgets of an analysis: ``k`` as a 1-d int64 array, or for ``None`` the
    default ladder: the powers of two up to ``n_min`` and ``n_min`` itself (the full
    budget)."""
    if k is None:
        ladder = doubling_ladder(n_min)
        return ladder if ladder[-1] == n_min else np.append(ladder, n_min)
    return np.atleast_1d(check_positive_int_array("k", k))


def pool_outcomes(select: np.ndarray, report: np.ndarray, k: np.ndarray, *, replace: bool,
                  select_direction: str, report_direction: str, policy: str,
                  lost: np.ndarray | None = None,
                  resample: np.random.Generator | None = None, n_resamples: int = 0
                  ) -> Outcomes:
    """Exact best-of-k probabilities of one pool's trials (and of bootstrap replicates).

    Parameters
    ----------
    select, report : ndarray, shape (N,)
        Selection and reported values; NaN where missing.
    k : ndarray of int, shape (K,)
    replace : bool
    select_direction, report_direction : {"minimize", "maximize"}
    policy : {"worst", "exclude"}
        For diverged/failed trials (see :func:`tunestats.kernels.apply_diverged_policy`).
    lost : ndarray of bool, shape (N,), optional
        Trials whose status is not ``completed``.
    resample : Generator, optional
        With ``n_resamples``, resample the (policy-applied) trials with
        replacement ``n_resamples`` times: ``probs`` gets a leading axis of
        that length (an outer bootstrap over trials), still over the original
        trials (a trial drawn twice adds up the probabilities of its copies),
        so that every replicate shares the support ``values``.
    """
    clean = apply_diverged_policy(select, report, policy=policy, lost=lost,
                                  select_direction=select_direction,
                                  report_direction=report_direction)
    s, r = clean.select, clean.report
    if resample is None:
        probs = selection_probabilities(s, k, replace=replace, direction=select_direction)
        return Outcomes(r, probs, int(np.shape(select)[-1]), clean.n_touched, s, clean.touched)
    # resampled pools: the probability of each drawn slot, added up per original trial
    n = s.shape[-1]
    index = bootstrap_indices(resample, n_resamples, n)
    probs = resampled_selection_probabilities(s, index, k, replace=replace,
                                              direction=select_direction)
    return Outcomes(r, probs, int(np.shape(select)[-1]), clean.n_touched, s, clean.touched)


def quantile_columns(q: Sequence[float]) -> list[str]:
    """Column names ``q05``, ``q50``, ``q95``, … of quantile levels."""
    return [quantile_column(level) for level in q]
