"""The one resampling kernel: index matrices of resampled pools and their selection probabilities.

Every band, budget verdict and comparison of tunestats that resamples a pool
goes through this module:

* :func:`bootstrap_indices` — the outer bootstrap over a pool's trials: ``B``
  resampled pools of ``N`` draws with replacement, indices ``floor(u * N)``
  from uniform doubles, row by row (so the stream does not depend on how the
  rows are chunked);
* :func:`permutation_indices` — ``B`` random orderings of ``N`` trials (the
  permutation tests of the comparisons split each row into two pools);
* :func:`resampled_selection_probabilities` — for any such index matrix, the
  exact probability that the best of ``k`` trials of each resampled pool is a
  copy of each original trial, without sorting any resampled pool;
* :func:`outer_bootstrap_replicates` — the exact best-of-k mean and quantiles
  of every resampled pool.

Randomness comes from a Generator (see :mod:`tunestats._random`; an analysis
passes each pool its own keyed stream).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_positive_int
from .._random import DEFAULT_SEED, as_generator
from ..errors import ParameterError
from ._inputs import budgets, drop_scalar_axes, levels, oriented, paired_pool, pool_values
from .best_of_k import _log_steps, _log_survival, _rank_weights, _summary

__all__ = ["CHUNK_ELEMENTS", "bootstrap_indices", "outer_bootstrap_replicates",
           "permutation_indices", "resampled_selection_probabilities", "selection_table",
           "uniform_indices"]

#: Default bound on the number of array elements a chunk of resamples works on.
CHUNK_ELEMENTS = 1 << 22


def uniform_indices(rng: np.random.Generator, count: int, n: int, size: int) -> np.ndarray:
    """``count`` rows of ``size`` indices drawn uniformly from ``[0, n)`` with replacement.

    Uses ``count * size`` uniform doubles from ``rng`` in row-major order,
    ``floor(u * n)`` (bias below ``n / 2**53``), so that consecutive chunks
    consume the stream exactly as one large draw.
    """
    return np.minimum((rng.random((count, size)) * n).astype(np.intp), n - 1)


def bootstrap_indices(seed: Any, n_resamples: int, n: int) -> np.ndarray:
    """Index matrix of an outer bootstrap: ``n_resamples`` pools of ``n`` draws with replacement.

    Parameters
    ----------
    seed : int, SeedSequence or Generator
    n_resamples : int
        Resampled pools B.
    n : int
        Trials in the pool.

    Returns
    -------
    ndarray of intp, shape (B, n)

    Examples
    --------
    >>> bootstrap_indices(0, 2, 3).shape
    (2, 3)
    """
    n_resamples = check_positive_int("n_resamples", n_resamples)
    n = check_positive_int("n", n)
    return uniform_indices(as_generator(seed), n_resamples, n, n)


def permutation_indices(seed: Any, n_resamples: int, n: int) -> np.ndarray:
    """``n_resamples`` independent uniformly random permutations of ``range(n)``, shape (B, n).

    Parameters
    ----------
    seed : int, SeedSequence or Generator
        The random stream (:mod:`tunestats._random`).
    n_resamples : int
        The number of permutations B.
    n : int
        The length of each permutation.

    Returns
    -------
    ndarray of intp, shape (n_resamples, n)
        One permutation per row.

    Examples
    --------
    >>> sorted(permutation_indices(0, 1, 4)[0].tolist())
    [0, 1, 2, 3]
    """
    n_resamples = check_positive_int("n_resamples", n_resamples)
    n = check_positive_int("n", n)
    rng = as_generator(seed)
    return rng.permuted(np.tile(np.arange(n, dtype=np.intp), (n_resamples, 1)), axis=1)


def _distinct(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct non-negative integers of ``key`` (ascending) and each entry's position among them."""
    space = int(key.max(initial=0)) + 1
    if space > 16 * key.size:
        keys, where = np.unique(key, return_inverse=True)
        return keys, where.reshape(key.shape)
    seen = np.zeros(space, dtype=bool)
    seen[key.ravel()] = True
    keys = np.flatnonzero(seen)
    position = np.empty(space, dtype=np.intp)
    position[keys] = np.arange(keys.size)
    return keys, position.take(key)


def resampled_selection_probabilities(select: Any, index: Any, k: Any, *, replace: bool = True,
                                      direction: str = "minimize") -> np.ndarray:
    """Selection probabilities in resampled pools, added up over the copies of each trial.

    Parameters
    ----------
    select : array_like, shape (N,)
        Selection values of the pool (no NaN; ``±inf`` counts as the worst value).
    index : array_like of int, shape (B, M)
        Resampled pools: row ``b`` draws the trials ``index[b]`` (e.g. an outer
        bootstrap, ``M = N`` draws with replacement).
    k : int or sequence of int
        Budgets (without replacement, every ``k <= M``).
    replace : bool, default True
        Draw the k trials of a resampled pool with or without replacement.
    direction : {"minimize", "maximize"}, default "minimize"

    Returns
    -------
    ndarray, shape (B, *k.shape, N)
        Entry ``[b, ..., i]``: the probability that the best of ``k`` trials of
        pool ``b`` is a copy of trial ``i`` (0 for a trial not drawn).

    Notes
    -----
    The numbers are those of :func:`selection_probabilities` on
    ``select[index]`` with the probabilities of the copies of a trial added
    up (one after the other), bit for bit, without sorting any resampled
    pool: sorted once, the pool gives every resampled pool's order, in which
    the ``c_i`` copies of trial ``i`` are adjacent. The copies of the trials
    of a tie group of values occupy the sorted slots ``a .. b - 1`` of their
    pool, with ``a`` and ``b`` cumulative copy counts, and each copy has the
    probability :math:`(C_a - C_b) / (b - a)` (see
    :func:`selection_probabilities`).

    Examples
    --------
    >>> p = resampled_selection_probabilities([0.3, 0.1, 0.2], [[0, 0, 2]], 1)
    >>> p.round(4).tolist()
    [[0.6667, 0.0, 0.3333]]
    """
    table, where, shape = selection_table(select, index, k, replace=replace, direction=direction)
    rows, n = where.shape
    probabilities = table.ravel().take(where[:, None, :]
                                       + (np.arange(table.shape[0]) * table.shape[1])[:, None])
    return probabilities.reshape((rows, *shape, n))


def selection_table(select: Any, index: Any, k: Any, *, replace: bool = True,
                    direction: str = "minimize") -> tuple[np.ndarray, np.ndarray, tuple]:
    """:func:`resampled_selection_probabilities` in compact form: a small table of the
    distinct probabilities and each entry's position in it.

    Parameters
    ----------
    select, index, k, replace, direction
        As for :func:`resampled_selection_probabilities`.

    Returns
    -------
    table : ndarray, shape (K, D)
        The D distinct probabilities at each of the K budgets (``k`` flattened).
    where : ndarray of intp, shape (B, N)
        Entry ``[b, i]``: the column of ``table`` holding the probability of
        trial ``i`` in pool ``b``, at every budget.
    shape : tuple
        The shape of ``k`` (``()`` for one budget).

    Notes
    -----
    ``table[j].take(where)`` is ``resampled_selection_probabilities(...)[:, j]``
    bit for bit; a caller that combines the probabilities with other
    quantities per budget (the permutation tests) reads them without
    materialising the ``(B, K, N)`` array.
    """
    s = pool_values("select", select)
    if s.ndim != 1:
        raise ParameterError(f"`select` must be one pool (1-d); got an array of shape {s.shape}.")
    n = s.size
    draws = np.asarray(index)
    if (draws.ndim != 2 or draws.shape[1] == 0 or draws.dtype.kind not in "iu"
            or (draws.size and (draws.min() < 0 or draws.max() >= n))):
        raise ParameterError(f"`index` must be a 2-d array of trial positions in [0, {n}) with at "
                             f"least one column; got dtype {draws.dtype} and shape "
                             f"{draws.shape}.")
    kk = budgets(k, draws.shape[1], replace)
    log_steps = _log_steps(draws.shape[1], kk.ravel(), replace)
    v = oriented(s, "direction", direction)
    order = np.argsort(v)
    sorted_position = np.empty(n, dtype=np.intp)
    sorted_position[order] = np.arange(n)
    rows, size = draws.shape
    copies = np.bincount((sorted_position[draws] + n * np.arange(rows)[:, None]).ravel(),
                         minlength=rows * n).reshape(rows, n)  # (B, N), sorted positions
    ends = np.zeros((rows, n + 1), dtype=np.intp)
    np.cumsum(copies, axis=1, out=ends[:, 1:])
    # the slots a .. b-1 of the tie group of each sorted position, in each pool
    v_sorted = v[order]
    new = np.append(True, v_sorted[1:] != v_sorted[:-1])
    if new.all():  # no tie: each position is its own group
        start, stop = ends[:, :-1], ends[:, 1:]
    else:
        firsts = np.flatnonzero(new)
        group = np.cumsum(new) - 1
        start = np.take(ends, firsts[group], axis=1)
        stop = np.take(ends, np.append(firsts[1:], n)[group], axis=1)
    # a trial's probability depends only on (a, b, its copies): computed once per distinct triple
    most = int(copies.max())
    key = (start * (size + 1) + stop) * (most + 1) + copies
    keys, where = _distinct(key)
    a, b = np.divmod(keys // (most + 1), size + 1)
    count = keys % (most + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if (b - a > 1).any():  # a tie in some pool: the tie group's share (_member_probabilities)
            log_c = _log_survival(log_steps)
            first = np.take(log_c, a, axis=1)
            slot = np.exp(first) * -np.expm1(np.take(log_c, b, axis=1) - first)
            slot = np.where(np.isneginf(first), 0.0, slot) / (b - a)
        else:  # no tie in any pool: the rank weights (a trial not drawn may sit at a = size)
            slot = np.take(_rank_weights(log_steps), np.minimum(a, size - 1), axis=1)
    # the copies added up one after the other from 0.0, as a scatter-add would
    value = np.where(count >= 1, 0.0 + slot, 0.0)
    for level in range(2, most + 1):
        value = np.where(count >= level, value + slot, value)
    return value, np.take(where, sorted_position, axis=1), kk.shape  # trial order


def outer_bootstrap_replicates(select: Any, report: Any, k: Any,
                               quantiles: Any = (0.05, 0.5, 0.95), *, n_resamples: int = 1000, seed: Any = DEFAULT_SEED,
                               replace: bool = True, select_direction: str = "minimize",
                               chunk_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact best-of-k mean and quantiles on pools resampled from the pool.

    Parameters
    ----------
    select, report, k, quantiles
        As for :func:`~tunestats.kernels.best_of_k.exact_best_of_k`: selection
        and reported values ``(..., N)``, budgets and quantile levels.
    n_resamples : int, default 1000
        Number of resampled pools B.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, default 0
        Source of randomness.
    replace : bool, default True
        Sampling scheme of the best-of-k draws inside each resampled pool.
    select_direction : {"minimize", "maximize"}, default "minimize"
    chunk_size : int, optional
        Resampled pools per chunk (bounds the memory; the result does not
        depend on it).

    Returns
    -------
    means : ndarray, shape (..., *k.shape, B)
    quantiles : ndarray, shape (..., *k.shape, *quantiles.shape, B)
        The replicates of each quantile.

    Notes
    -----
    Resample ``b`` is row ``b`` of :func:`bootstrap_indices` and the exact
    best-of-k result is computed on it: a trial drawn twice is two tied
    entries of the resampled pool. Every budget and every leading index (step
    of a curve) uses the same resampled pools, so differences between budgets
    are paired.
    """
    s, r = paired_pool(select, report)
    v = oriented(s, "select_direction", select_direction)
    kk, qq = budgets(k, s.shape[-1], replace), levels(quantiles)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    if chunk_size is not None:
        chunk_size = check_positive_int("chunk_size", chunk_size)
    rng = as_generator(seed)
    k1, q1 = kk.ravel(), qq.ravel()
    n = v.shape[-1]
    batch = np.broadcast_shapes(v.shape[:-1], r.shape[:-1])
    chunk = chunk_size or max(1, CHUNK_ELEMENTS // (n * k1.size * int(np.prod(batch))))
    means = np.empty((*batch, k1.size, n_resamples))
    values = np.empty((*batch, k1.size, q1.size, n_resamples))
    for start in range(0, n_resamples, chunk):
        count = min(chunk, n_resamples - start)
        index = uniform_indices(rng, count, n, n)
        mean, quantile = _summary(v[..., index], r[..., index], k1, q1, bool(replace))
        means[..., start:start + count] = np.moveaxis(mean, -2, -1)
        values[..., start:start + count] = np.moveaxis(quantile, -3, -1)
    return drop_scalar_axes(means, values, kk, qq, trailing=1)
