"""Outer-bootstrap confidence bands of the best-of-k estimate."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats.errors import ParameterError
from tunestats.kernels import best_of_k_confidence, exact_best_of_k, outer_bootstrap_replicates


def pool(seed=0, n=30):
    rng = np.random.default_rng(seed)
    select = rng.random(n)
    return select, select + rng.normal(0, 0.1, n)


def test_replicates_equal_a_loop_over_the_same_resampled_pools():
    select, report = pool()
    ks, levels, n_resamples = [1, 2, 4, 8], [0.1, 0.5], 25
    means, quantiles = outer_bootstrap_replicates(select, report, ks, levels,
                                                  n_resamples=n_resamples, seed=3, replace=False)
    rng = np.random.default_rng(3)
    for b in range(n_resamples):
        index = np.minimum((rng.random(select.size) * select.size).astype(int), select.size - 1)
        alone = exact_best_of_k(select[index], report[index], ks, levels, replace=False)
        np.testing.assert_allclose(means[:, b], alone.mean, rtol=1e-13)
        np.testing.assert_array_equal(quantiles[:, :, b], alone.quantiles)


def test_same_seed_same_bytes_and_independent_of_the_chunk_size():
    select, report = pool(1)
    curves = np.stack([report, 2 * report, report - 1])
    runs = [outer_bootstrap_replicates(select, curves, [1, 4], n_resamples=40, seed=8,
                                       chunk_size=chunk) for chunk in (None, None, 1, 9)]
    for means, quantiles in runs[1:]:
        assert means.tobytes() == runs[0][0].tobytes()
        assert quantiles.tobytes() == runs[0][1].tobytes()
    assert runs[0][0].shape == (3, 2, 40) and runs[0][1].shape == (3, 2, 3, 40)


def test_bands_surround_the_estimate_and_narrow_with_more_trials():
    widths = []
    for n in (20, 400):
        select, report = pool(2, n)
        ci = best_of_k_confidence(select, report, [1, 2, 4], [0.5], confidence=0.9, seed=0,
                                  n_resamples=400)
        assert np.all(ci.mean_low <= ci.mean_high) and np.all(ci.quantiles_low <= ci.quantiles_high)
        assert np.all((ci.mean_low <= ci.estimate.mean) & (ci.estimate.mean <= ci.mean_high))
        assert ci.estimate.method == "exact" and ci.confidence == 0.9 and ci.n_resamples == 400
        widths.append(ci.mean_high - ci.mean_low)
    assert np.all(widths[1] < widths[0] / 2)


def test_scalar_shapes():
    select, report = pool(3)
    ci = best_of_k_confidence(select, report, 4, 0.5, seed=0, n_resamples=20)
    assert ci.mean_low.shape == () and ci.quantiles_high.shape == ()
    means, quantiles = outer_bootstrap_replicates(select, report, 4, 0.5, seed=0, n_resamples=20)
    assert means.shape == (20,) and quantiles.shape == (20,)


def test_bad_arguments():
    select, report = pool(4)
    with pytest.raises(ParameterError, match=r"`confidence` must be a finite number in \(0.0, 1.0\)"):
        best_of_k_confidence(select, report, 2, confidence=1.0, seed=0)
    with pytest.raises(ParameterError, match="`seed` must be a non-negative integer"):
        best_of_k_confidence(select, report, 2, seed=-1)


@pytest.mark.slow
def test_ninety_percent_band_covers_the_true_mean_curve():
    """Pools of N = 100 trials from a known population: selection values U(0, 1), reported
    value = selection value + N(0, 0.1²) noise. The best of k draws from the population
    has mean E[min of k uniforms] = 1/(k+1). The exact estimate without replacement is
    unbiased for it (Tang et al. 2020); its 90% band must cover it in 85–95% of pools."""
    rng = np.random.default_rng(20191005)
    ks = np.array([1, 2, 4, 8])
    truth = 1 / (ks + 1)
    repetitions, covered = 600, np.zeros(ks.size)
    for _ in range(repetitions):
        select = rng.random(100)
        report = select + rng.normal(0, 0.1, 100)
        ci = best_of_k_confidence(select, report, ks, (), confidence=0.9, n_resamples=400, seed=rng,
                                  replace=False)
        covered += (ci.mean_low <= truth) & (truth <= ci.mean_high)
    coverage = covered / repetitions
    assert np.all((coverage >= 0.85) & (coverage <= 0.95)), coverage
