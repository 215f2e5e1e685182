"""Budget convergence against hand-computed gains."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats.errors import ParameterError
from tunestats.kernels import budget_convergence, doubling_ladder

# Three trials at 0 and one at 1: the best of k draws (with replacement) is 1 only if
# every draw is that trial, so the mean is (1/4)^k and doubling from k gains
# (1/4)^k - (1/4)^(2k): 3/16 from 1 to 2, 15/256 from 2 to 4.
POOL = np.array([0.0, 0.0, 0.0, 1.0])


def test_hand_computed_gains_and_converged_budget():
    result = budget_convergence(POOL, POOL, delta=0.1, seed=0, n_resamples=200)
    np.testing.assert_array_equal(result.k, [1, 2, 4])
    np.testing.assert_allclose(result.values, [1 / 4, 1 / 16, 1 / 256], rtol=1e-14)
    np.testing.assert_allclose(result.gain, [3 / 16, 15 / 256], rtol=1e-14)
    assert result.k_converged == 2
    assert result.prob_at_converged == result.prob_gain_exceeds[1]
    assert budget_convergence(POOL, POOL, delta=0.01, seed=0).k_converged is None
    assert np.isnan(budget_convergence(POOL, POOL, delta=0.01, seed=0).prob_at_converged)
    assert budget_convergence(POOL, POOL, delta=0.2, seed=0).k_converged == 1


def test_relative_gains_and_a_maximised_reported_metric():
    result = budget_convergence(POOL, POOL, delta=0.5, relative=True, seed=0, n_resamples=50)
    np.testing.assert_allclose(result.gain, [3 / 4, 15 / 16], rtol=1e-14)
    assert result.k_converged is None and result.relative
    # Selecting the highest and reporting a maximised metric: the same gains, positive.
    flipped = budget_convergence(-POOL, -POOL, delta=0.1, seed=0, n_resamples=50,
                                 select_direction="maximize", report_direction="maximize")
    np.testing.assert_allclose(flipped.gain, [3 / 16, 15 / 256], rtol=1e-14)


def test_probability_that_doubling_helps():
    # A constant pool never improves; every resample agrees.
    flat = budget_convergence(np.ones(16), np.ones(16), delta=1e-12, seed=0, n_resamples=100)
    assert flat.k_converged == 1
    np.testing.assert_array_equal(flat.prob_gain_exceeds, 0.0)
    # A wide pool: doubling from 1 to 2 trials always helps by more than a tiny delta.
    rng = np.random.default_rng(0)
    values = rng.random(200)
    wide = budget_convergence(values, values, delta=1e-3, seed=1, n_resamples=200)
    assert wide.prob_gain_exceeds[0] == 1.0
    assert np.all(np.diff(wide.values) < 0)


def test_median_statistic_is_robust_to_infinite_reports():
    select = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, np.inf])
    report = np.where(np.isinf(select), np.inf, select)
    mean = budget_convergence(select, report, delta=0.01, seed=0, n_resamples=50)
    assert mean.k_converged is None  # inf - inf is not a small gain
    median = budget_convergence(select, report, delta=0.01, statistic="median", seed=0,
                                n_resamples=50)
    np.testing.assert_array_equal(median.k, [1, 2, 4, 8])
    assert median.statistic == "median" and np.isfinite(median.values).all()


def test_doubling_ladder():
    np.testing.assert_array_equal(doubling_ladder(1), [1])
    np.testing.assert_array_equal(doubling_ladder(64), [1, 2, 4, 8, 16, 32, 64])


def test_bad_arguments():
    with pytest.raises(ParameterError, match=r"`k_max` must be ≥ 2 to compare a budget with its "
                                             r"double \(the pool has 1 trial\); got 1"):
        budget_convergence([0.1], [0.1], delta=0.1, seed=0)
    with pytest.raises(ParameterError, match="`k_max` must be a positive integer ≤ the pool size "
                                             r"\(4\); got 8"):
        budget_convergence(POOL, POOL, delta=0.1, k_max=8, replace=False, seed=0)
    with pytest.raises(ParameterError, match=r"`delta` must be a finite number in \[0.0, inf\]"):
        budget_convergence(POOL, POOL, delta=-1, seed=0)
    with pytest.raises(ParameterError, match="`statistic` must be one of 'mean', 'median'"):
        budget_convergence(POOL, POOL, delta=0.1, statistic="mode", seed=0)
    with pytest.raises(ParameterError, match="must be the 1-d values of one pool"):
        budget_convergence(np.zeros((2, 4)), np.zeros((2, 4)), delta=0.1, seed=0)
