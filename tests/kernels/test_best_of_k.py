"""Exact best-of-k against brute-force enumeration, closed forms and invariants."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunestats.errors import ParameterError
from tunestats.kernels import (
    apply_diverged_policy,
    best_of_k_distribution,
    exact_best_of_k,
    rank_probabilities,
    resampled_selection_probabilities,
    selection_probabilities,
)
from tunestats.kernels import best_of_k as best_of_k_module

from .reference import brute_force_probabilities, exact_cdf, exact_mean, exact_quantile

LEVELS = (0.0, 0.05, 0.1, 0.125, 0.25, 1 / 3, 0.375, 0.5, 0.6, 0.75, 0.9, 0.95, 1.0)

POOLS = {
    "distinct": ([0.31, 0.12, 0.25, 0.4, 0.05, 0.33, 0.2, 0.18],
                 [1.2, 0.4, 0.9, 1.6, 0.7, 1.1, 0.3, 0.8]),
    "ties": ([0.9, 0.8, 0.9, 0.8, 0.95, 0.9], [3.0, 1.0, 2.0, 5.0, 4.0, 2.5]),
    "all tied": ([1.0, 1.0, 1.0, 1.0], [4.0, 3.0, 2.0, 1.0]),
    "one trial": ([0.5], [2.0]),
    "repeated reports": ([0.1, 0.2, 0.3, 0.4, 0.5], [1.0, 1.0, 2.0, 2.0, 1.0]),
}


def cases():
    for name, (select, report) in POOLS.items():
        n = len(select)
        for direction in ("minimize", "maximize"):
            for k in range(1, min(n, 5) + 1 if n > 6 else 6):
                yield pytest.param(select, report, k, True, direction,
                                   id=f"{name}-{direction}-k{k}-replace")
            for k in range(1, n + 1):
                yield pytest.param(select, report, k, False, direction,
                                   id=f"{name}-{direction}-k{k}-without")


def assert_matches_brute_force(select, report, k, replace, direction, lost=None):
    exact = brute_force_probabilities(select, k, replace=replace, direction=direction,
                                      lost=lost)
    if lost is not None:
        prepared = apply_diverged_policy(select, report, lost=np.asarray(lost),
                                         select_direction=direction)
        select, report = prepared.select, prepared.report
    probabilities = selection_probabilities(select, k, replace=replace, direction=direction)
    np.testing.assert_allclose(probabilities, [float(p) for p in exact], rtol=0, atol=1e-12)
    finite = np.isfinite(report)
    estimate = exact_best_of_k(select, report, k, LEVELS, replace=replace,
                               select_direction=direction)
    if finite.all():
        assert estimate.mean == pytest.approx(float(exact_mean(report, exact)), rel=1e-12,
                                              abs=1e-12)
    else:
        reaches_infinity = any(p > 0 for p, ok in zip(exact, finite, strict=True) if not ok)
        assert (estimate.mean == np.inf) == reaches_infinity
    expected = [exact_quantile(report, exact, q) for q in LEVELS]
    np.testing.assert_array_equal(estimate.quantiles, expected)
    distribution = best_of_k_distribution(select, report, k, replace=replace,
                                          select_direction=direction)
    support = np.sort(report)
    np.testing.assert_array_equal(distribution.values, support)
    last = np.append(support[1:] != support[:-1], True)  # last of each run of equal values
    np.testing.assert_allclose(distribution.cdf()[last], exact_cdf(report, exact, support[last]),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize(("select", "report", "k", "replace", "direction"), list(cases()))
def test_equals_brute_force(select, report, k, replace, direction):
    assert_matches_brute_force(select, report, k, replace, direction)


@pytest.mark.parametrize("replace", [True, False])
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_diverged_trials_counted_as_worst_equal_brute_force(replace, direction):
    select = [0.3, np.nan, 0.1, 0.3, 0.7, np.nan, 0.2]
    report = [1.0, np.nan, 2.0, 3.0, 4.0, np.nan, 5.0]
    diverged = [False, True, False, False, False, True, False]
    for k in (1, 2, 3, 4) if replace else range(1, 8):
        assert_matches_brute_force(select, report, k, replace, direction, diverged)


pools = st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0, np.inf]), min_size=n, max_size=n),
    st.lists(st.floats(-10, 10, allow_nan=False), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(pools, st.integers(1, 4), st.booleans(), st.sampled_from(["minimize", "maximize"]))
def test_random_pools_equal_brute_force(pool, k, replace, direction):
    select, report = pool
    k = min(k, len(select)) if not replace else k
    diverged = np.isinf(select)
    select = np.where(diverged, np.nan, select)
    assert_matches_brute_force(select, report, k, replace, direction, diverged.tolist())


@pytest.mark.parametrize("replace", [True, False])
def test_rank_probabilities_closed_forms(replace):
    n = 9
    ks = np.arange(1, n + 1)
    table = rank_probabilities(n, ks, replace=replace)
    for k, row in zip(ks, table, strict=True):
        for r in range(1, n + 1):
            if replace:
                exact = Fraction((n - r + 1) ** k - (n - r) ** k, n**k)
            else:
                exact = Fraction(math.comb(n - r, k - 1), math.comb(n, k))
            assert row[r - 1] == pytest.approx(float(exact), rel=1e-12, abs=1e-15)


def test_without_replacement_large_pool_does_not_overflow():
    n = 3000
    ks = np.array([1, 2, 10, 100, 1000, 2999, 3000])
    table = rank_probabilities(n, ks, replace=False)
    assert np.isfinite(table).all()
    np.testing.assert_allclose(table.sum(axis=-1), 1.0, rtol=1e-9)
    for k, row in zip(ks, table, strict=True):
        for r in (1, 2, 50, n - k + 1):
            exact = Fraction(math.comb(n - r, int(k) - 1), math.comb(n, int(k)))
            assert row[r - 1] == pytest.approx(float(exact), rel=1e-9)
        assert (row[n - k + 1:] == 0).all()


def test_hand_computed_tie_split():
    # Ranks 1-2 tied: the group is selected when the best of 2 draws falls in it,
    # probability 1 - (2/4)^2 = 3/4, split 3/8 + 3/8; rank 3: (2/4)^2 - (1/4)^2 = 3/16.
    probabilities = selection_probabilities([1.0, 0.0, 0.0, 2.0], 2)
    np.testing.assert_allclose(probabilities, [3 / 16, 3 / 8, 3 / 8, 1 / 16], atol=1e-15)


def test_shapes_scalar_and_sequence_budgets():
    rng = np.random.default_rng(0)
    select, report = rng.random(10), rng.random((3, 10))
    assert exact_best_of_k(select, report, 2, 0.5).mean.shape == (3,)
    assert exact_best_of_k(select, report, 2, 0.5).quantiles.shape == (3,)
    assert exact_best_of_k(select, report, [1, 2], 0.5).quantiles.shape == (3, 2)
    assert exact_best_of_k(select, report, 2, [0.5, 0.9]).quantiles.shape == (3, 2)
    assert exact_best_of_k(select, report, [1, 2, 4]).quantiles.shape == (3, 3, 3)
    assert exact_best_of_k(select[0:1], 1.0 * np.ones(1), 3).mean.shape == ()
    assert selection_probabilities(select, [1, 2]).shape == (2, 10)
    assert selection_probabilities(select, 1).shape == (10,)
    assert best_of_k_distribution(select, report, [1, 2]).values.shape == (3, 2, 10)


@pytest.mark.parametrize("replace", [True, False])
def test_curves_selected_by_final_value_equal_a_loop_over_steps(replace):
    rng = np.random.default_rng(1)
    select, curves = rng.random(40), rng.random((7, 40))
    select[[3, 9, 12]] = select[0]
    ks = [1, 2, 4, 8, 40] if not replace else [1, 2, 4, 8, 64]
    batched = exact_best_of_k(select, curves, ks, replace=replace)
    for step in range(curves.shape[0]):
        alone = exact_best_of_k(select, curves[step], ks, replace=replace)
        np.testing.assert_allclose(batched.mean[step], alone.mean, rtol=1e-14)
        np.testing.assert_array_equal(batched.quantiles[step], alone.quantiles)


@pytest.mark.parametrize("replace", [True, False])
def test_curves_selected_at_each_step_equal_a_loop_over_steps(replace):
    rng = np.random.default_rng(2)
    select = rng.integers(0, 5, (6, 30)).astype(float)  # many ties
    curves = rng.random((6, 30))
    batched = exact_best_of_k(select, curves, [1, 3, 9], replace=replace,
                              select_direction="maximize")
    probabilities = selection_probabilities(select, [1, 3, 9], replace=replace,
                                            direction="maximize")
    for step in range(6):
        alone = exact_best_of_k(select[step], curves[step], [1, 3, 9], replace=replace,
                                select_direction="maximize")
        np.testing.assert_allclose(batched.mean[step], alone.mean, rtol=1e-14)
        np.testing.assert_allclose(batched.mean[step], probabilities[step] @ curves[step],
                                   rtol=1e-12)
        np.testing.assert_array_equal(batched.quantiles[step], alone.quantiles)


def test_infinite_report_makes_the_mean_infinite_but_not_the_median():
    select = [0.1, 0.2, np.inf, 0.3]
    report = [1.0, 2.0, np.inf, 3.0]
    estimate = exact_best_of_k(select, report, [1, 2, 4], 0.5)
    assert (estimate.mean == np.inf).all()
    # P(best of k is the best trial) = 1 - (3/4)^k: 1/4, 7/16, 175/256.
    np.testing.assert_array_equal(estimate.quantiles, [2.0, 2.0, 1.0])
    # Without replacement, 2 draws never both land on the one diverged trial.
    assert np.isfinite(exact_best_of_k(select, report, 2, replace=False).mean)


# -- properties ------------------------------------------------------------------

values = st.lists(st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.floats(-1e3, 1e3)),
                  min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(values, st.booleans())
def test_mean_is_non_increasing_in_k_for_a_minimised_metric(pool, replace):
    pool = np.array(pool)
    ks = np.arange(1, (60 if replace else len(pool)) + 1)
    mean = exact_best_of_k(pool, pool, ks, replace=replace).mean
    assert np.all(np.diff(mean) <= 1e-9 * (1 + np.abs(mean[1:])))
    # Each quantile too, and so is the whole distribution (stochastic order).
    quantiles = exact_best_of_k(pool, pool, ks, [0.1, 0.5, 0.9], replace=replace).quantiles
    assert np.all(np.diff(quantiles, axis=0) <= 0)


@settings(max_examples=60, deadline=None)
@given(values, st.randoms(use_true_random=False), st.booleans(),
       st.sampled_from(["minimize", "maximize"]))
def test_invariant_to_the_order_of_trials(pool, random, replace, direction):
    select = np.array(pool)
    report = np.arange(select.size) * 0.37 - 2.0
    permutation = np.array(random.sample(range(select.size), select.size))
    ks = [1, 2, 3] if replace or select.size >= 3 else [1]
    options = {"replace": replace, "select_direction": direction}
    a = exact_best_of_k(select, report, ks, LEVELS, **options)
    b = exact_best_of_k(select[permutation], report[permutation], ks, LEVELS, **options)
    np.testing.assert_allclose(a.mean, b.mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(a.quantiles, b.quantiles)
    np.testing.assert_allclose(
        selection_probabilities(select, ks, replace=replace, direction=direction)[:, permutation],
        selection_probabilities(select[permutation], ks, replace=replace, direction=direction),
        atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(values, st.booleans())
def test_k_equal_1_is_the_plain_distribution(pool, replace):
    select = np.array(pool)
    report = np.cos(np.arange(select.size))  # unrelated to the selection values
    estimate = exact_best_of_k(select, report, 1, LEVELS, replace=replace)
    np.testing.assert_allclose(selection_probabilities(select, 1, replace=replace),
                               1 / select.size, rtol=1e-14)
    assert estimate.mean == pytest.approx(report.mean(), rel=1e-12, abs=1e-12)
    uniform = [Fraction(1, select.size)] * select.size
    np.testing.assert_array_equal(estimate.quantiles,
                                  [exact_quantile(report, uniform, q) for q in LEVELS])


@settings(max_examples=60, deadline=None)
@given(values, st.sampled_from(["minimize", "maximize"]))
def test_large_k_with_replacement_puts_all_mass_on_the_best(pool, direction):
    select = np.array(pool)
    best = select.min() if direction == "minimize" else select.max()
    is_best = select == best
    probabilities = selection_probabilities(select, 10**6, direction=direction)
    np.testing.assert_allclose(probabilities, is_best / is_best.sum(), atol=1e-12)


# -- bad input -------------------------------------------------------------------

@pytest.mark.parametrize(("k", "replace", "message"), [
    (0, True, "`k` must be a positive integer; got 0."),
    (-2, True, "`k` must be a positive integer; got -2."),
    (2.5, True, "`k` must be a positive integer; got 2.5."),
    (2.0, True, "`k` must be a positive integer; got 2.0."),
    ([1, 2, 0], True, "`k` must be a positive integer; got 0."),
    (5, False, "`k` must be a positive integer ≤ the pool size (4); got 5."),
    ([[1, 2]], True, "`k` must be a scalar or a 1-d sequence; got an array of shape (1, 2)."),
    ([], True, "`k` must hold at least one positive integer; got an empty sequence."),
])
def test_bad_budgets(k, replace, message):
    with pytest.raises(ParameterError) as error:
        exact_best_of_k([0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], k, replace=replace)
    assert str(error.value) == message


def test_bad_values():
    with pytest.raises(ParameterError, match=r"`select` must be real numbers \(no NaN\); got "
                                             r"nan at index \(1,\)\. Apply a policy"):
        exact_best_of_k([0.1, np.nan], [1.0, 2.0], 1)
    with pytest.raises(ParameterError, match="the pool is empty"):
        exact_best_of_k([], [], 1)
    with pytest.raises(ParameterError, match="same trials on their last axis; got 2 and 3"):
        exact_best_of_k([0.1, 0.2], [1.0, 2.0, 3.0], 1)
    with pytest.raises(ParameterError, match="must broadcast"):
        exact_best_of_k(np.zeros((2, 3)), np.zeros((4, 3)), 1)
    with pytest.raises(ParameterError, match=r"`quantiles` must be finite numbers in \[0.0, 1.0\]; "
                                             r"got 1.5 at index \(1,\)"):
        exact_best_of_k([0.1, 0.2], [1.0, 2.0], 1, [0.5, 1.5])
    with pytest.raises(ParameterError, match="`select_direction` must be one of 'minimize', "
                                             "'maximize'; got 'max'"):
        exact_best_of_k([0.1, 0.2], [1.0, 2.0], 1, select_direction="max")
    with pytest.raises(ParameterError, match="`replace` must be True or False; got 'yes'"):
        exact_best_of_k([0.1, 0.2], [1.0, 2.0], 1, replace="yes")
    with pytest.raises(ParameterError, match="must be real numbers; got an array of dtype"):
        exact_best_of_k(["a", "b"], [1.0, 2.0], 1)


@pytest.mark.parametrize("seed", range(6))
def test_resampled_pools_equal_selection_probabilities_added_up_per_trial(seed):
    # Reference: the resampled pools themselves, each copy a trial of its own, and the
    # probabilities of a trial's copies added up one after the other; bit for bit.
    rng = np.random.default_rng(seed)
    n = 17
    select = rng.integers(0, 5, n).astype(float) if seed % 2 else rng.random(n)
    select[rng.random(n) < 0.2] = np.inf  # diverged trials, tied at the bottom
    index = rng.integers(0, n, (12, n))
    if seed == 4:  # permutations: no tie in any pool (the rank-weight branch)
        select, index = rng.random(n), np.array([rng.permutation(n) for _ in range(12)])
    replace = seed != 3
    ks = [1, 2, 5, 17] if not replace else [1, 3, 40]
    direction = "maximize" if seed == 5 else "minimize"
    got = resampled_selection_probabilities(select, index, ks, replace=replace,
                                            direction=direction)
    slots = selection_probabilities(select[index], ks, replace=replace, direction=direction)
    expected = np.zeros_like(got)
    for b, k, slot in np.ndindex(*slots.shape):
        expected[b, k, index[b, slot]] += slots[b, k, slot]
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, rtol=1e-12)


def test_resampled_pools_bad_index():
    with pytest.raises(ParameterError, match=r"`index` must be a 2-d array of trial positions "
                                             r"in \[0, 3\)"):
        resampled_selection_probabilities([0.1, 0.2, 0.3], [[0, 3, 1]], 1)
    with pytest.raises(ParameterError, match="`index` must be a 2-d array"):
        resampled_selection_probabilities([0.1, 0.2, 0.3], [0, 1, 2], 1)
    with pytest.raises(ParameterError, match="`index` must be a 2-d array"):
        resampled_selection_probabilities([0.1, 0.2, 0.3], [[0.0, 1.0, 2.0]], 1)
    with pytest.raises(ParameterError, match="`select` must be one pool"):
        resampled_selection_probabilities([[0.1, 0.2, 0.3]], [[0, 1, 2]], 1)
    with pytest.raises(ParameterError, match=r"`k` must be a positive integer ≤ the pool size"):
        resampled_selection_probabilities([0.1, 0.2, 0.3], [[0, 1, 2]], 4, replace=False)


@pytest.mark.parametrize("per_step", [False, True])
def test_curves_do_not_depend_on_the_chunk_of_rows(per_step, monkeypatch):
    rng = np.random.default_rng(4)
    select = rng.integers(0, 6, (11, 25)).astype(float)  # ties in some steps
    select[3] = rng.random(25)  # and none in others
    curves = rng.random((11, 25))
    chosen = select if per_step else select[-1]
    whole = exact_best_of_k(chosen, curves, [1, 2, 8, 30])
    monkeypatch.setattr(best_of_k_module, "CHUNK_VALUES", 60)  # two rows a chunk
    chunked = exact_best_of_k(chosen, curves, [1, 2, 8, 30])
    np.testing.assert_array_equal(chunked.mean, whole.mean)
    np.testing.assert_array_equal(chunked.quantiles, whole.quantiles)
