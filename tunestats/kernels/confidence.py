"""Confidence in the best-of-k estimate: an outer bootstrap over the pool's trials.

The exact best-of-k result is exact *for the pool*; the pool itself is a
sample of N trials from the search space. Resampling the N trials with
replacement and recomputing the exact result on every resampled pool gives
the sampling distribution of the estimate, and percentile confidence bands.

Two kinds of band are kept apart throughout tunestats:

* the *spread of best-of-k outcomes* — quantiles of the reported value of the
  best of k trials (``BestOfKEstimate.quantiles``): how lucky or unlucky one
  tuning run with k trials can be;
* the *confidence in the estimate* — this module (``ci_low``/``ci_high``):
  how well N trials pin down the mean or a quantile of that distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_fraction
from .._random import DEFAULT_SEED
from ._inputs import budgets, drop_scalar_axes, levels, oriented, paired_pool
from .best_of_k import BestOfKEstimate, _summary
from .resample import outer_bootstrap_replicates

__all__ = ["BestOfKConfidence", "best_of_k_confidence"]


@dataclass(frozen=True, eq=False)
class BestOfKConfidence:
    """Percentile confidence bands of the exact best-of-k mean and quantiles.

    Attributes
    ----------
    estimate : BestOfKEstimate
        The exact result on the whole pool.
    confidence : float
        Confidence level of the bands, e.g. 0.9.
    n_resamples : int
        Number of outer-bootstrap resamples of the pool.
    mean_low, mean_high : ndarray, shape (..., *k.shape)
        Band of the mean.
    quantiles_low, quantiles_high : ndarray, shape (..., *k.shape, *estimate.levels.shape)
        Band of each quantile.
    """

    estimate: BestOfKEstimate
    confidence: float
    n_resamples: int
    mean_low: np.ndarray
    mean_high: np.ndarray
    quantiles_low: np.ndarray
    quantiles_high: np.ndarray


def best_of_k_confidence(select: Any, report: Any, k: Any,
                         quantiles: Any = (0.05, 0.5, 0.95), *, confidence: float = 0.9, n_resamples: int = 1000, seed: Any = DEFAULT_SEED,
                         replace: bool = True, select_direction: str = "minimize",
                         chunk_size: int | None = None) -> BestOfKConfidence:
    """Exact best-of-k estimate with outer-bootstrap confidence bands.

    Parameters
    ----------
    select, report, k, quantiles, n_resamples, seed, replace, select_direction, chunk_size
        As for :func:`~tunestats.kernels.resample.outer_bootstrap_replicates`.
    confidence : float, default 0.9
        Confidence level of the bands, in (0, 1).

    Returns
    -------
    BestOfKConfidence

    Notes
    -----
    Percentile bootstrap (Efron & Tibshirani 1993, ch. 13): with
    :math:`\\hat\\theta^{*}_1, \\dots, \\hat\\theta^{*}_B` the replicates of a
    statistic (the mean or a quantile, for one budget), the band is
    :math:`[\\hat\\theta^{*}_{((1-\\gamma)/2)}, \\hat\\theta^{*}_{((1+\\gamma)/2)}]`
    for confidence level :math:`\\gamma`, with inverted-CDF sample quantiles.
    This is a band for the pool-independent quantity the best-of-k estimate
    targets (the expected outcome of k trials drawn from the search space);
    it is pointwise in k. Without replacement the exact estimate is unbiased
    for that quantity (Tang et al. 2020) and the band's coverage is close to
    nominal while k is small against N (about 88% for a nominal 90% with
    N = 100 and k ≤ 8 in ``tests/kernels/test_confidence.py``); as k nears N
    the estimate leans on the few best trials, the bootstrap of such extremes
    is unreliable and the band under-covers (about 85% at k = 16, N = 100).

    References
    ----------
    .. [1] Efron, B. and Tibshirani, R. J. (1993). An Introduction to the
       Bootstrap. Chapman & Hall.
    .. [2] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Appendix C.

    Examples
    --------
    >>> ci = best_of_k_confidence(np.arange(20.0), np.arange(20.0), [1, 4], quantiles=0.5, seed=0)
    >>> bool(np.all(ci.mean_low <= ci.estimate.mean)), bool(np.all(ci.estimate.mean <= ci.mean_high))
    (True, True)
    """
    confidence = check_fraction("confidence", confidence, high_open=True)
    s, r = paired_pool(select, report)
    kk, qq = budgets(k, s.shape[-1], replace), levels(quantiles)
    v = oriented(s, "select_direction", select_direction)
    mean, values = _summary(v, r, kk.ravel(), qq.ravel(), bool(replace))
    estimate = BestOfKEstimate(kk, qq, *drop_scalar_axes(mean, values, kk, qq), "exact",
                               bool(replace))
    rep_means, rep_quantiles = outer_bootstrap_replicates(
        s, r, kk.ravel(), qq.ravel(), n_resamples=n_resamples, seed=seed, replace=replace,
        select_direction=select_direction, chunk_size=chunk_size)
    tails = [(1 - confidence) / 2, (1 + confidence) / 2]
    mean_band = np.quantile(rep_means, tails, axis=-1, method="inverted_cdf")
    quantile_band = np.quantile(rep_quantiles, tails, axis=-1, method="inverted_cdf")
    mean_low, quantiles_low = drop_scalar_axes(mean_band[0], quantile_band[0], kk, qq)
    mean_high, quantiles_high = drop_scalar_axes(mean_band[1], quantile_band[1], kk, qq)
    return BestOfKConfidence(estimate, confidence, rep_means.shape[-1], mean_low, mean_high,
                             quantiles_low, quantiles_high)
