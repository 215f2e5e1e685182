"""Mean and inverted-CDF quantiles of discrete distributions."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats.kernels import weighted_mean, weighted_quantiles


def test_equal_weights_give_numpy_inverted_cdf_quantiles():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 37))
    weights = np.full((1, 37), 1 / 37)
    q = np.array([0.01, 0.2, 0.5, 0.77, 0.99])  # q * 37 is not an integer: no jump
    expected = np.quantile(values, q, axis=-1, method="inverted_cdf").T
    np.testing.assert_array_equal(weighted_quantiles(values, weights, q)[:, 0, :], expected)


def test_levels_on_a_jump_pick_the_value_at_the_jump():
    values = np.arange(20.0)[::-1]
    weights = np.full((1, 20), 0.05)  # cumulative sums of 0.05 carry round-off
    q = np.arange(1, 21) / 20
    np.testing.assert_array_equal(weighted_quantiles(values, weights, q)[0], np.arange(20.0))


def test_zero_probability_values_are_never_a_quantile():
    values = np.array([-5.0, 1.0, 2.0, 9.0])
    weights = np.array([[0.0, 0.5, 0.5, 0.0]])
    np.testing.assert_array_equal(weighted_quantiles(values, weights, [0.0, 0.5, 1.0])[0],
                                  [1.0, 1.0, 2.0])


def test_mean_with_infinite_values():
    values = np.array([1.0, 3.0, np.inf, -np.inf])
    weights = np.array([[0.5, 0.5, 0.0, 0.0],
                        [0.5, 0.25, 0.25, 0.0],
                        [0.5, 0.25, 0.0, 0.25],
                        [0.5, 0.0, 0.25, 0.25]])
    np.testing.assert_array_equal(weighted_mean(values, weights), [2.0, np.inf, -np.inf, np.nan])


def test_batched_weights_broadcast_against_values():
    rng = np.random.default_rng(1)
    values = rng.random((4, 6))
    weights = rng.dirichlet(np.ones(6), size=(4, 3))
    expected = np.einsum("sn,skn->sk", values, weights)
    assert weighted_mean(values, weights) == pytest.approx(expected, rel=1e-12)
