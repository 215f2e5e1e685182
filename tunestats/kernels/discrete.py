"""Mean, quantiles and cumulative distribution of discrete distributions over trials.

The exact best-of-k result is a discrete distribution: trial ``i`` of a pool
is the selected one with probability ``w[..., i]`` and then the reported
value is ``x[..., i]``. The functions here summarise such distributions, for
several probability vectors at once: ``weights`` has shape ``(..., K, N)``
(one distribution per budget, trials last) and ``values`` has shape
``(..., N)``, broadcast against the leading axes of ``weights``.
"""

from __future__ import annotations

import numpy as np

from .._checks import all_finite
from ._inputs import aligned

__all__ = ["CDF_RTOL", "sorted_distribution", "weighted_mean", "weighted_quantiles"]

#: Relative tolerance of the comparison of a cumulative probability with a
#: quantile level: ``F(x) >= q`` is decided as ``F(x) >= q * (1 - CDF_RTOL)``,
#: so that a level that falls on a jump of the CDF (``q = 0.05`` with 20
#: equally likely trials) is not pushed to the next value by round-off.
CDF_RTOL = 1e-9


def _contract(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_i weights[..., k, i] * values[..., i]`` as one (stacked) matrix product.

    Stacked row by row so that a row's result does not depend on how many
    rows are computed together (BLAS blocking would change the rounding).
    """
    if weights.ndim == 2:
        return np.matmul(values[..., None, :], weights.T)[..., 0, :]
    return np.matmul(weights, values[..., :, None])[..., 0]


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean of each discrete distribution, safe with infinite values.

    Parameters
    ----------
    values : ndarray, shape (..., N)
        The value of each trial.
    weights : ndarray, shape (..., K, N)
        Probabilities of the trials, one distribution per row ``K``.

    Returns
    -------
    ndarray, shape (..., K)
        ``sum_i weights[..., i] * values[..., i]``.

    Notes
    -----
    A trial of probability zero does not count, even if its value is
    infinite (``0 * inf`` is taken as 0): the mean is ``+inf`` (``-inf``) when
    a trial of value ``+inf`` (``-inf``) has positive probability and NaN when
    both have.
    """
    if all_finite(values):
        return _contract(values, weights)
    finite = np.isfinite(values)
    mean = _contract(np.where(finite, values, 0.0), weights)
    up = _contract((values == np.inf).astype(float), weights) > 0
    down = _contract((values == -np.inf).astype(float), weights) > 0
    return np.select([up & down, up, down], [np.nan, np.inf, -np.inf], mean)


def sorted_distribution(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The support in ascending order with the probabilities that go with it.

    Parameters
    ----------
    values : ndarray, shape (..., N)
    weights : ndarray, shape (..., K, N)

    Returns
    -------
    support : ndarray, shape (..., 1, N)
        ``values`` sorted ascending on the last axis (ties in any order).
    probabilities : ndarray, shape (..., K, N)
        ``weights`` reordered like ``support``.
    """
    order = np.argsort(values, axis=-1)
    support = np.take_along_axis(values, order, axis=-1)[..., None, :]
    if weights.ndim == 2:  # one distribution per row K, shared by every leading index
        return support, np.moveaxis(np.take(weights, order, axis=1), 0, -2)
    ndim = max(order.ndim + 1, weights.ndim)
    order = aligned(order[..., None, :], ndim)
    return aligned(support, ndim), np.take_along_axis(aligned(weights, ndim), order, axis=-1)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantiles of each discrete distribution (inverted-CDF definition).

    Parameters
    ----------
    values : ndarray, shape (..., N)
    weights : ndarray, shape (..., K, N)
        Probabilities; each row sums to 1 up to round-off.
    q : ndarray, shape (Q,)
        Levels in [0, 1].

    Returns
    -------
    ndarray, shape (..., K, Q)

    Notes
    -----
    The quantile of level ``q`` is the smallest value ``x`` of positive
    probability with ``F(x) >= q``, where ``F(x) = sum_{i: x_i <= x} w_i``
    (the inverted CDF, ``method="inverted_cdf"`` of :func:`numpy.quantile`;
    Hyndman & Fan 1996, definition 1). Cumulative sums carry round-off, so the
    comparison is made with the relative tolerance :data:`CDF_RTOL`:
    ``F(x) >= q * (1 - CDF_RTOL) * F(max)``. Levels that differ from a jump of
    the CDF by less than that are taken to be on the jump. ``q = 0`` gives
    the smallest value of positive probability.
    """
    support, probabilities = sorted_distribution(values, weights)
    cumulative = np.cumsum(probabilities, axis=-1)
    total = cumulative[..., -1:]
    thresholds = np.maximum(np.asarray(q, dtype=float) * (1 - CDF_RTOL), np.finfo(float).tiny)
    index = np.stack([np.count_nonzero(cumulative < level * total, axis=-1)
                      for level in thresholds], axis=-1)
    index = np.minimum(index, support.shape[-1] - 1)
    return np.take_along_axis(support, index, axis=-1)
