"""Mean and inverted-CDF quantiles of discrete distributions."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats.kernels import weighted_mean, weighted_quantiles
from tunestats.kernels.discrete import table_quantile_positions


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


@pytest.mark.parametrize("block", [1, 2, 3, 5, 16, 1000])
def test_table_quantile_positions_equal_the_cumulative_sums(block):
    # Reference: weighted_quantiles, which forms every cumulative sum, on the values 0 .. N-1
    # (their positions). Zero weights, repeated table rows and levels on the jumps included.
    rng = np.random.default_rng(3)
    m, n, k = 9, 23, 5
    table = rng.dirichlet(np.ones(n), size=k).T  # (N, K)
    table[rng.random(table.shape) < 0.3] = 0.0
    table[:, 0] = 1 / n  # uniform: levels j / n fall on jumps
    columns = np.argsort(rng.random((m, n)), axis=-1)
    columns[0] = rng.integers(0, n, n)  # any table rows, repeated ones too
    q = np.array([0.0, 0.05, 1 / 23, 0.25, 5 / 23, 0.5, 0.75, 0.95, 1.0])
    positions = table_quantile_positions(columns, table, q, block=block)
    weights = np.moveaxis(table[columns], -1, -2)  # (M, K, N)
    expected = weighted_quantiles(np.arange(n, dtype=float), weights, q)
    np.testing.assert_array_equal(positions, expected)
