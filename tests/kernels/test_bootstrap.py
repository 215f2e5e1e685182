"""Monte-Carlo best-of-k against the exact method, within its own Monte-Carlo error."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats.errors import ParameterError
from tunestats.kernels import (
    best_of_k_distribution,
    bootstrap_best_of_k,
    bootstrap_best_of_k_samples,
    exact_best_of_k,
)

B = 20_000
Z = 4.5  # |error| < 4.5 standard errors: a false alarm once in ~150,000 checks
KS = [1, 2, 3, 8, 20]
LEVELS = [0.05, 0.25, 0.5, 0.9]


def pool(seed=0, n=20, ties=True):
    rng = np.random.default_rng(seed)
    select = rng.integers(0, 8, n).astype(float) if ties else rng.random(n)
    return select, select + rng.normal(0, 1, n)


def assert_agrees_with_exact(estimate, select, report, ks, levels, n_resamples, **options):
    """Mean within Z standard errors; each quantile q̂ has exact CDF F(q̂-) ≤ q + tol and
    F(q̂) ≥ q - tol, with tol = Z sqrt(q (1 - q) / B) (the error of an empirical CDF)."""
    exact = exact_best_of_k(select, report, ks, **options, quantiles=levels)
    distribution = best_of_k_distribution(select, report, ks, **options)
    values, probabilities = distribution.values, distribution.probabilities
    second_moment = (probabilities * values**2).sum(-1)
    sd = np.sqrt(np.maximum(second_moment - exact.mean**2, 0))
    np.testing.assert_array_less(np.abs(estimate.mean - exact.mean),
                                 Z * sd / np.sqrt(n_resamples) + 1e-12)
    for j, q in enumerate(levels):
        tol = Z * np.sqrt(q * (1 - q) / n_resamples)
        found = estimate.quantiles[..., j][..., None]
        below = (probabilities * (values < found)).sum(-1)
        at_or_below = (probabilities * (values <= found)).sum(-1)
        assert np.all(below <= q + tol) and np.all(at_or_below >= q - tol)


@pytest.mark.parametrize("replace", [True, False])
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_agrees_with_exact_within_monte_carlo_error(replace, direction):
    select, report = pool()
    options = {"replace": replace, "select_direction": direction}
    estimate = bootstrap_best_of_k(select, report, KS, LEVELS, n_resamples=B, seed=42, **options)
    assert estimate.method == "bootstrap" and estimate.n_resamples == B
    assert_agrees_with_exact(estimate, select, report, KS, LEVELS, B, **options)


def test_curves_agree_with_exact_at_every_step():
    rng = np.random.default_rng(3)
    select = rng.random(15)
    curves = np.cumsum(rng.random((6, 15)), axis=0)[::-1]
    for by_step in (select, curves):
        estimate = bootstrap_best_of_k(by_step, curves, [1, 4], [0.5], n_resamples=B, seed=7)
        assert estimate.mean.shape == (6, 2)
        assert_agrees_with_exact(estimate, by_step, curves, [1, 4], [0.5], B)


def test_same_seed_same_bytes_and_independent_of_the_chunk_size():
    select, report = pool(1)
    for replace in (True, False):
        runs = [bootstrap_best_of_k_samples(select, report, KS, n_resamples=1000, seed=5,
                                            replace=replace, chunk_size=chunk)
                for chunk in (None, None, 1, 7, 999)]
        for run in runs[1:]:
            assert run.tobytes() == runs[0].tobytes()
    a = bootstrap_best_of_k(select, report, KS, n_resamples=500, seed=np.random.SeedSequence(9))
    b = bootstrap_best_of_k(select, report, KS, n_resamples=500, seed=np.random.SeedSequence(9),
                            chunk_size=3)
    assert a.mean.tobytes() == b.mean.tobytes()
    assert a.quantiles.tobytes() == b.quantiles.tobytes()
    c = bootstrap_best_of_k(select, report, KS, n_resamples=500, seed=10)
    assert a.mean.tobytes() != c.mean.tobytes()


def test_budgets_are_paired_so_a_resample_never_gets_worse_with_more_trials():
    select, _ = pool(2, ties=False)
    samples = bootstrap_best_of_k_samples(select, select, [1, 2, 4, 8], n_resamples=2000, seed=0)
    assert np.all(np.diff(samples, axis=0) <= 0)


def test_custom_rules():
    select, report = pool(4)
    # Picking the largest value is the exact result for a maximised metric.
    estimate = bootstrap_best_of_k(select, report, KS, LEVELS, n_resamples=B, seed=1,
                                   rule=lambda drawn: np.argmax(drawn, axis=-1))
    assert_agrees_with_exact(estimate, select, report, KS, LEVELS, B,
                             select_direction="maximize")
    # Ignoring the selection values (keep the first draw) gives the plain distribution.
    first = bootstrap_best_of_k(select, report, KS, LEVELS, n_resamples=B, seed=1,
                                rule=lambda drawn: np.zeros(drawn.shape[:-1], dtype=int))
    assert_agrees_with_exact(first, select, report, np.ones(len(KS), dtype=int), LEVELS, B)


def test_scalar_budget_and_level_shapes():
    select, report = pool(5)
    estimate = bootstrap_best_of_k(select, report, 3, 0.5, n_resamples=10, seed=0)
    assert estimate.mean.shape == () and estimate.quantiles.shape == ()
    assert bootstrap_best_of_k_samples(select, report, 3, n_resamples=10, seed=0).shape == (10,)


def test_bad_arguments():
    select, report = pool(6)
    with pytest.raises(ParameterError, match="`seed` must be a non-negative integer"):
        bootstrap_best_of_k(select, report, 2, seed=None)
    with pytest.raises(ParameterError, match="`n_resamples` must be a positive integer; got 0"):
        bootstrap_best_of_k(select, report, 2, n_resamples=0, seed=0)
    with pytest.raises(ParameterError, match="`chunk_size` must be a positive integer; got 0"):
        bootstrap_best_of_k(select, report, 2, seed=0, chunk_size=0)
    with pytest.raises(ParameterError, match="`rule` must be a callable or None"):
        bootstrap_best_of_k(select, report, 2, seed=0, rule="argmin")
    with pytest.raises(ParameterError, match=r"`rule` must return integer positions in \[0, 2\)"):
        bootstrap_best_of_k(select, report, 2, seed=0, n_resamples=10,
                            rule=lambda drawn: np.full(drawn.shape[:-1], 2))
    with pytest.raises(ParameterError, match="`k` must be a positive integer ≤ the pool size"):
        bootstrap_best_of_k(select, report, 21, replace=False, seed=0)
