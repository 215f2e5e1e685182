"""Monte-Carlo best-of-k: draw k trials, keep the best, repeat B times.

The bootstrap of Choi et al. (2019, Appendix C), with the inputs and outputs
of :func:`tunestats.kernels.best_of_k.exact_best_of_k`. It serves two
purposes: a cross-check of the exact method, and selection rules that have no
closed form (any callable that picks one of the k drawn trials).

Vectorised over resamples (no Python loop over them); the resamples are
processed in chunks whose size bounds the working memory and does not change
the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._checks import check_positive_int
from .._random import DEFAULT_SEED, as_generator
from ..errors import ParameterError
from ._inputs import aligned, budgets, drop_scalar_axes, levels, oriented, paired_pool
from .best_of_k import BestOfKEstimate
from .resample import CHUNK_ELEMENTS, uniform_indices

__all__ = ["SelectionRule", "bootstrap_best_of_k",
           "bootstrap_best_of_k_samples"]

#: A selection rule: given drawn selection values of shape ``(..., k)`` (the
#: values as passed, not oriented), return the position in ``[0, k)`` of the
#: chosen draw, shape ``(...)``.
SelectionRule = Callable[[np.ndarray], np.ndarray]

def _draw(rng: np.random.Generator, count: int, n: int, k: int, replace: bool) -> np.ndarray:
    """Trial indices of ``count`` resamples of ``k`` draws, shape ``(count, k)``.

    Uses ``count * k`` uniform doubles from ``rng`` in row-major order, so
    that consecutive chunks consume the stream exactly as one large draw.
    """
    if replace:
        return uniform_indices(rng, count, n, k)
    uniform = rng.random((count, k))
    # Partial Fisher–Yates shuffle, vectorised over the resamples: the first
    # k entries of each row become a uniformly random ordered k-subset.
    permutation = np.tile(np.arange(n), (count, 1))
    rows = np.arange(count)
    for j in range(k):
        pick = np.minimum(j + (uniform[:, j] * (n - j)).astype(np.intp), n - 1)
        chosen = permutation[rows, pick]
        permutation[rows, pick] = permutation[rows, j]
        permutation[rows, j] = chosen
    return permutation[:, :k]


def _first_best(drawn: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Position of the first minimum among the first ``k`` draws, for every ``k``.

    ``drawn`` has shape ``(..., k_max)``; the result ``(..., K)``. Draws are
    exchangeable, so taking the first of tied minima splits ties evenly.
    """
    running = np.minimum.accumulate(drawn, axis=-1)
    improved = np.empty(drawn.shape, dtype=bool)
    improved[..., 0] = True
    np.less(drawn[..., 1:], running[..., :-1], out=improved[..., 1:])
    position = np.where(improved, np.arange(drawn.shape[-1]), 0)
    return np.maximum.accumulate(position, axis=-1)[..., k - 1]


def _ruled(rule: SelectionRule, drawn: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Positions chosen by a user rule among the first ``k`` draws, ``(..., K)``."""
    chosen = []
    for budget in k.tolist():
        position = np.asarray(rule(drawn[..., :budget]))
        if (position.shape != drawn.shape[:-1] or position.dtype.kind not in "iu"
                or position.min() < 0 or position.max() >= budget):
            raise ParameterError(
                f"`rule` must return integer positions in [0, {budget}) of shape "
                f"{drawn.shape[:-1]} for drawn values of shape {(*drawn.shape[:-1], budget)}; "
                f"got dtype {position.dtype} and shape {position.shape}.")
        chosen.append(position)
    return np.stack(chosen, axis=-1)


def _prepare(select: Any, report: Any, k: Any, n_resamples: Any, seed: Any, replace: Any,
             select_direction: Any, rule: Any,
             chunk_size: Any) -> tuple[dict[str, Any], np.ndarray]:
    """Validate the arguments shared by the bootstrap functions (at the door)."""
    s, r = paired_pool(select, report)
    kk = budgets(k, s.shape[-1], replace)
    v = oriented(s, "select_direction", select_direction)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    if chunk_size is not None:
        chunk_size = check_positive_int("chunk_size", chunk_size)
    if rule is not None and not callable(rule):
        raise ParameterError(f"`rule` must be a callable or None; got {rule!r}.")
    return {"select": s, "v": v, "report": r, "k": kk.ravel(), "n_resamples": n_resamples,
            "rng": as_generator(seed), "replace": bool(replace), "rule": rule,
            "chunk_size": chunk_size}, kk


def _samples(*, select: np.ndarray, v: np.ndarray, report: np.ndarray, k: np.ndarray,
             n_resamples: int, rng: np.random.Generator, replace: bool,
             rule: SelectionRule | None, chunk_size: int | None) -> np.ndarray:
    """Reported values of the selected trials, shape ``(..., K, n_resamples)``."""
    n = v.shape[-1]
    k_max = int(k.max())
    batch = np.broadcast_shapes(v.shape[:-1], report.shape[:-1])
    per_resample = max(n, int(np.prod(v.shape[:-1])) * k_max, int(np.prod(batch)) * k.size)
    chunk = chunk_size or max(1, CHUNK_ELEMENTS // per_resample)
    samples = np.empty((*batch, k.size, n_resamples))
    ndim = len(batch) + 1
    for start in range(0, n_resamples, chunk):
        count = min(chunk, n_resamples - start)
        index = _draw(rng, count, n, k_max, replace)
        if rule is None:
            position = _first_best(v[..., index], k)
        else:
            position = _ruled(rule, select[..., index], k)
        trial = np.take_along_axis(aligned(index, position.ndim), position, axis=-1)
        flat = aligned(trial.reshape((*trial.shape[:-2], -1)), ndim)
        chosen = np.take_along_axis(aligned(report, ndim), flat, axis=-1)
        samples[..., start:start + count] = np.swapaxes(
            chosen.reshape((*chosen.shape[:-1], count, k.size)), -1, -2)
    return samples


def bootstrap_best_of_k_samples(select: Any, report: Any, k: Any, *, n_resamples: int,
                                seed: Any = DEFAULT_SEED, replace: bool = True,
                                select_direction: str = "minimize",
                                rule: SelectionRule | None = None,
                                chunk_size: int | None = None) -> np.ndarray:
    """Monte-Carlo draws of the reported value of the best of ``k`` trials.

    Parameters
    ----------
    select : array_like, shape (..., N)
        Selection values (no NaN).
    report : array_like, shape (..., N)
        Reported values, broadcast against ``select``.
    k : int or sequence of int
        Budgets.
    n_resamples : int
        Number of resamples B.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness (same seed, same bytes); default 0
        (:mod:`tunestats._random`).
    replace : bool, default True
        Draw the k trials with or without replacement.
    select_direction : {"minimize", "maximize"}, default "minimize"
        Which selection values are better (used by the default rule).
    rule : callable, optional
        Selection rule: ``rule(values)`` gets the drawn selection values, shape
        ``(..., k)`` as passed in ``select``, and returns the position in
        ``[0, k)`` of the chosen draw, shape ``(...)``. Default: the first
        best value in ``select_direction``.
    chunk_size : int, optional
        Resamples per chunk; by default chosen so that a chunk works on about
        :data:`CHUNK_ELEMENTS` array elements. Does not change the result.

    Returns
    -------
    ndarray, shape (..., *k.shape, n_resamples)
        One reported value per resample.

    Notes
    -----
    Each resample draws ``max(k)`` trials (uniformly with replacement, or a
    uniformly random ordered subset without) and the budget ``k`` uses its
    first ``k`` draws, so that the budgets are paired (common random
    numbers): with the default rule a resample's best of ``2k`` is never
    worse than its best of ``k``. The same draws serve every leading index
    of ``select`` and ``report`` (every step of a curve).

    Indices come from uniform doubles, ``floor(u * N)``, drawn resample by
    resample, so the stream does not depend on the chunking; the bias of
    that map is below ``N / 2**53``.
    """
    arguments, kk = _prepare(select, report, k, n_resamples, seed, replace, select_direction,
                             rule, chunk_size)
    samples = _samples(**arguments)
    return samples[..., 0, :] if kk.ndim == 0 else samples


def bootstrap_best_of_k(select: Any, report: Any, k: Any, quantiles: Any = (0.05, 0.5, 0.95), *,
                        n_resamples: int = 10_000, seed: Any = DEFAULT_SEED, replace: bool = True,
                        select_direction: str = "minimize", rule: SelectionRule | None = None,
                        chunk_size: int | None = None) -> BestOfKEstimate:
    """Monte-Carlo mean and quantiles of the reported value of the best of ``k`` trials.

    Parameters
    ----------
    select, report, k, n_resamples, seed, replace, select_direction, rule, chunk_size
        As for :func:`bootstrap_best_of_k_samples`.
    quantiles : float or sequence of float, default (0.05, 0.5, 0.95)
        Quantile levels in [0, 1].

    Returns
    -------
    BestOfKEstimate
        Same shapes as :func:`~tunestats.kernels.best_of_k.exact_best_of_k`,
        ``method="bootstrap"``.

    Notes
    -----
    The mean is the sample mean of the B draws, with Monte-Carlo standard
    error :math:`\\sigma / \\sqrt{B}` (σ the standard deviation of the exact
    distribution); the quantiles are the inverted-CDF sample quantiles
    (:func:`numpy.quantile`, ``method="inverted_cdf"``).

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Appendix C.

    Examples
    --------
    >>> est = bootstrap_best_of_k([0.3, 0.1, 0.2], [3.0, 1.0, 2.0], [1, 2], 0.5, seed=0)
    >>> est.mean.round(2).tolist(), est.quantiles.tolist()  # exact: [2.0, 1.5556]
    ([1.99, 1.54], [2.0, 1.0])
    """
    arguments, kk = _prepare(select, report, k, n_resamples, seed, replace, select_direction,
                             rule, chunk_size)
    qq = levels(quantiles)
    samples = _samples(**arguments)
    values = np.moveaxis(np.quantile(samples, qq.ravel(), axis=-1, method="inverted_cdf"), 0, -1)
    mean, values = drop_scalar_axes(samples.mean(axis=-1), values, kk, qq)
    return BestOfKEstimate(kk, qq, mean, values, "bootstrap", bool(replace), n_resamples)
