"""The binomial distribution from :mod:`scipy.special`: cdf, survival function, pmf and
the discrete quantile, with the conventions of :data:`scipy.stats.binom` (0 and 1
outside the support, ``ppf(0) = -1``, ``ppf(1) = n``) without importing
:mod:`scipy.stats` (most of a second of start-up)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

__all__ = ["binom_cdf", "binom_pmf", "binom_ppf", "binom_sf"]


def _tail(function: Any, k: Any, n: Any, p: Any, below: float, above: float) -> np.ndarray:
    """``function(k, n, p)`` (:func:`scipy.special.bdtr` or ``bdtrc``) on the support
    0 <= k < n, ``below`` for k < 0 and ``above`` for k >= n, broadcast."""
    k, n, p = np.broadcast_arrays(np.floor(np.asarray(k, float)), np.asarray(n, float),
                                  np.asarray(p, float))
    with np.errstate(invalid="ignore"):
        inside = function(np.clip(k, 0, n), n.astype(np.int64), p)
    return np.where(k < 0, below, np.where(k >= n, above, inside))


def binom_cdf(k: Any, n: Any, p: Any) -> np.ndarray:
    """``P(B <= k)`` for ``B ~ Bin(n, p)``, broadcast: 0 below 0, 1 from ``n`` on.

    Examples
    --------
    >>> binom_cdf([-1, 0, 1, 2], 2, 0.5).tolist()
    [0.0, 0.25, 0.75, 1.0]
    """
    return _tail(special.bdtr, k, n, p, 0.0, 1.0)


def binom_sf(k: Any, n: Any, p: Any) -> np.ndarray:
    """``P(B > k)`` for ``B ~ Bin(n, p)``, broadcast: 1 below 0, 0 from ``n`` on.

    Examples
    --------
    >>> binom_sf([-1, 0, 1, 2], 2, 0.5).tolist()
    [1.0, 0.75, 0.25, 0.0]
    """
    return _tail(special.bdtrc, k, n, p, 1.0, 0.0)


def binom_pmf(k: Any, n: Any, p: Any) -> np.ndarray:
    """``P(B = k)`` for ``B ~ Bin(n, p)``, broadcast: 0 off the integers 0..n.

    The product ``C(n, k) p^k (1 - p)^(n - k)`` (``0^0 = 1``, so ``p`` = 0 or 1 puts the
    whole mass on 0 or ``n``); ``C(n, k)`` is a float, finite for ``n`` up to about 1000.

    Examples
    --------
    >>> binom_pmf([0, 1, 2, 3], 2, 0.5).tolist()
    [0.25, 0.5, 0.25, 0.0]
    """
    k, n, p = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float),
                                  np.asarray(p, float))
    inside = (k >= 0) & (k <= n) & (k == np.floor(k))
    kk = np.where(inside, k, 0.0)
    mass = special.comb(n, kk) * p**kk * (1.0 - p) ** (n - kk)
    return np.where(inside, mass, 0.0)


def binom_ppf(q: Any, n: Any, p: Any) -> np.ndarray:
    """The smallest ``k`` in 0..n with ``P(B <= k) >= q``, ``B ~ Bin(n, p)``, as a float
    array (``-1`` at ``q = 0``, ``n`` at ``q = 1``, as :data:`scipy.stats.binom`).

    The continuous inverse of the cdf in ``k`` (:func:`scipy.special.bdtrik`) rounded
    up is the start; the quantile is then found by stepping up while the cdf is below
    ``q`` and down while the cdf one below already reaches it, so the rounding of the
    inverse never decides the answer.

    Examples
    --------
    >>> binom_ppf([0.0, 0.25, 0.26, 1.0], 2, 0.5).tolist()
    [-1.0, 0.0, 1.0, 2.0]
    """
    q, n, p = np.broadcast_arrays(np.asarray(q, float), np.asarray(n, float),
                                  np.asarray(p, float))
    inner = (q > 0) & (q < 1) & (p > 0) & (p < 1) & (n > 0)
    with np.errstate(invalid="ignore"):
        start = np.ceil(special.bdtrik(np.where(inner, q, 0.5), n, np.where(inner, p, 0.5)))
    k = np.where(inner, np.clip(np.nan_to_num(start), 0, n), 0.0)
    for _ in range(int(np.max(n, initial=0)) + 1):  # steps of one; the start is close
        up = inner & (binom_cdf(k, n, p) < q)
        down = inner & ~up & (k > 0) & (binom_cdf(k - 1, n, p) >= q)
        if not (up.any() or down.any()):
            break
        k = k + up - down
    edge = np.where(p >= 1, n, 0.0)  # p = 0: all mass at 0; p = 1: at n; n = 0: at 0
    k = np.where(inner, k, edge)
    return np.where(q <= 0, -1.0, np.where(q >= 1, n, k))
