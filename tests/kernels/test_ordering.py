"""Pairwise and rank probabilities of best-of-k outcomes against brute force,
Monte Carlo and scipy."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations, permutations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from tunestats.errors import ParameterError
from tunestats.kernels import (
    best_of_k_distribution,
    kendall_tau,
    kendall_test,
    pairwise_matrix,
    prob_better,
    rank_distribution,
)


def _draw_outcomes(select, report, k, replace):
    """Every equally likely draw's outcome: a list of (reported value, weight)."""
    n = len(select)
    draws = product(range(n), repeat=k) if replace else combinations(range(n), k)
    out = []
    for draw in draws:
        best = min(select[i] for i in draw)
        tied = [i for i in draw if select[i] == best]
        out.append([(report[i], Fraction(1, len(tied))) for i in tied])
    return out


def brute_force_better(pool_a, pool_b, k, replace):
    """P(A's best-of-k report < B's) + P(equal)/2, by enumerating both pools' draws."""
    draws_a = _draw_outcomes(*pool_a, k, replace)
    draws_b = _draw_outcomes(*pool_b, k, replace)
    total = Fraction(0)
    for da in draws_a:
        for db in draws_b:
            for xa, wa in da:
                for xb, wb in db:
                    total += wa * wb * (1 if xa < xb else Fraction(1, 2) if xa == xb else 0)
    return total / (len(draws_a) * len(draws_b))


def _exact(pool, k, replace):
    dist = best_of_k_distribution(pool[0], pool[1], k, replace=replace)
    return dist.values, dist.probabilities


POOLS = [
    # distinct values
    (([0.3, 0.1, 0.2, 0.5], [0.3, 0.1, 0.2, 0.5]), ([0.25, 0.15, 0.4], [0.25, 0.15, 0.4])),
    # ties within and across pools, selection differs from report
    (([1.0, 1.0, 2.0, 3.0, 0.5], [0.2, 0.4, 0.2, 0.1, 0.3]),
     ([1.0, 0.5, 0.5, 4.0, 2.0, 3.0], [0.2, 0.3, 0.1, 0.2, 0.4, 0.2])),
    # diverged trials counted as worst (+inf), tying with each other
    (([0.1, np.inf, 0.3], [0.1, np.inf, 0.3]), ([np.inf, 0.2, np.inf, 0.05], [np.inf, 0.2,
                                                                              np.inf, 0.05])),
]


@pytest.mark.parametrize("replace", [True, False])
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("pools", POOLS)
def test_prob_better_equals_brute_force(pools, k, replace):
    pool_a, pool_b = pools
    if not replace and k > min(len(pool_a[0]), len(pool_b[0])):
        pytest.skip("k larger than a pool without replacement")
    va, pa = _exact(pool_a, k, replace)
    vb, pb = _exact(pool_b, k, replace)
    expected = brute_force_better(pool_a, pool_b, k, replace)
    assert prob_better(va, pa, vb, pb) == pytest.approx(float(expected), abs=1e-12)


def test_prob_better_many_budgets_at_once():
    (a, b) = POOLS[1]
    ks = [1, 2, 4]
    va, pa = _exact(a, ks, True)
    vb, pb = _exact(b, ks, True)
    got = prob_better(va[0], pa, vb[0], pb)  # the support is shared by the budgets
    assert got.shape == (3,)
    for i, k in enumerate(ks):
        assert got[i] == pytest.approx(float(brute_force_better(a, b, k, True)), abs=1e-12)


def test_prob_better_agrees_with_monte_carlo():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 40), rng.normal(0.1, 1, 30)
    k, n = 4, 200_000
    va, pa = _exact((a, a), k, True)
    vb, pb = _exact((b, b), k, True)
    exact = float(prob_better(va, pa, vb, pb))
    best_a = a[rng.integers(0, a.size, (n, k))].min(axis=1)
    best_b = b[rng.integers(0, b.size, (n, k))].min(axis=1)
    mc = np.mean(best_a < best_b)
    assert abs(exact - mc) < 4 * np.sqrt(exact * (1 - exact) / n)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=6),
       st.lists(st.integers(0, 5), min_size=1, max_size=6), st.integers(1, 4))
def test_prob_better_is_antisymmetric(a, b, k):
    va, pa = _exact((np.array(a, float), np.array(a, float)), k, True)
    vb, pb = _exact((np.array(b, float), np.array(b, float)), k, True)
    assert prob_better(va, pa, vb, pb) + prob_better(vb, pb, va, pa) == pytest.approx(1.0)
    assert prob_better(va, pa, va, pa) == pytest.approx(0.5)


def brute_force_ranks(values, probs):
    """Enumerate every joint outcome and every order of the ties."""
    m = len(values)
    out = np.zeros((m, m))
    for combo in product(*[range(len(v)) for v in values]):
        weight = np.prod([probs[i][c] for i, c in enumerate(combo)])
        x = [values[i][c] for i, c in enumerate(combo)]
        orders = list(permutations(range(m)))
        valid = [o for o in orders if all(x[o[j]] <= x[o[j + 1]] for j in range(m - 1))]
        for order in valid:
            for rank, i in enumerate(order):
                out[i, rank] += weight / len(valid)
    return out


def test_rank_distribution_equals_brute_force():
    values = [np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 5.0]), np.array([0.0, np.inf]),
              np.array([2.0, 3.0])]
    probs = [np.array([0.2, 0.3, 0.5]), np.array([0.5, 0.25, 0.25]), np.array([0.5, 0.5]),
             np.array([0.6, 0.4])]
    got = rank_distribution(values, probs)
    np.testing.assert_allclose(got, brute_force_ranks(values, probs), atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=0), 1.0)
    # expected rank = 1 + sum of the others' pairwise probabilities of winning
    ranks = np.arange(1, 5)
    for i in range(4):
        others = sum(prob_better(values[j], probs[j], values[i], probs[i])
                     for j in range(4) if j != i)
        assert got[i] @ ranks == pytest.approx(1 + others)


def test_pairwise_matrix_equals_pairwise_calls():
    rng = np.random.default_rng(0)
    values = [np.round(rng.normal(size=n), 1) for n in (5, 7, 4)]
    values[1][0] = values[2][1] = np.inf
    probs = [rng.dirichlet(np.ones(v.size), size=(3, 2)) for v in values]
    got = pairwise_matrix(values, probs)
    for i in range(3):
        for j in range(3):
            expected = 0.5 if i == j else prob_better(values[i], probs[i], values[j], probs[j])
            np.testing.assert_allclose(got[..., i, j], expected, atol=1e-12)


def test_rank_distribution_batched_and_single():
    values = [np.array([1.0, 2.0]), np.array([1.5, 3.0])]
    probs = [np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([[0.5, 0.5], [0.5, 0.5]])]
    got = rank_distribution(values, probs)
    assert got.shape == (2, 2, 2)
    np.testing.assert_allclose(got[1, 0], [1.0, 0.0])
    assert rank_distribution([np.array([1.0])], [np.array([1.0])]).tolist() == [[1.0]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=2, max_size=7), st.data())
def test_kendall_tau_matches_scipy(x, data):
    y = data.draw(st.lists(st.integers(0, 4), min_size=len(x), max_size=len(x)))
    got = kendall_tau(np.array(x, float), np.array(y, float))
    expected = kendalltau(x, y).statistic
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == pytest.approx(expected)


def _kendall_samples(rng):
    """Paired samples, n from 3 to 60: continuous (no ties), rounded (ties), and
    constant."""
    for n in [*range(3, 61), *rng.integers(3, 61, 80)]:
        x = rng.normal(size=n)
        y = 0.4 * x + rng.normal(size=n) * rng.choice([0.2, 1.0, 3.0])
        yield x, y
        yield np.round(x, 0), np.round(y * 2, 0)  # ties in both
        yield x, np.round(y, 0)  # ties in one
        yield -x + 0.01 * rng.normal(size=n), x  # nearly perfectly discordant


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_kendall_test_matches_scipy(alternative):
    rng = np.random.default_rng(21)
    for x, y in _kendall_samples(rng):
        ties = np.unique(x).size < x.size or np.unique(y).size < y.size
        methods = ["auto", "asymptotic"] + ([] if ties else ["exact"])
        for method in methods:
            tau, p = kendall_test(x, y, alternative=alternative, method=method)
            expected = kendalltau(x, y, alternative=alternative, method=method)
            if np.isnan(expected.statistic):  # one of the two rounded to a constant
                assert np.isnan(tau) and np.isnan(p) and np.isnan(expected.pvalue)
                continue
            assert tau == pytest.approx(expected.statistic, rel=1e-12, abs=1e-15)
            assert p == pytest.approx(expected.pvalue, rel=1e-12, abs=1e-300), \
                (x.size, method, ties)


def test_kendall_test_exact_corner_cases_match_scipy():
    # perfect (dis)agreement beyond n = 33: 'auto' still exact (at most one discordant)
    for n in (5, 34, 60, 200):
        x = np.arange(n, dtype=float)
        for y in (x, -x, np.r_[x[1], x[0], x[2:]]):
            for alternative in ("two-sided", "less", "greater"):
                got = kendall_test(x, y, alternative=alternative)
                expected = kendalltau(x, y, alternative=alternative)
                assert got == pytest.approx((expected.statistic, expected.pvalue),
                                            rel=1e-12, abs=1e-300)
    # the centre of the null distribution: n(n-1) = 4c
    x, y = np.arange(5.0), np.array([1.0, 4.0, 0.0, 3.0, 2.0])
    assert kendall_test(x, y)[1] == pytest.approx(kendalltau(x, y).pvalue, rel=1e-12)


def test_kendall_test_hand_counted_exact_p():
    # n = 3: the 6 orders of y have 3, 2, 2, 1, 1, 0 concordant pairs; y = (1, 0, 2)
    # has 2, so P(C <= 2) = 5/6 and P(C >= 2) = 3/6
    x, y = [0.0, 1.0, 2.0], [1.0, 0.0, 2.0]
    assert kendall_test(x, y, alternative="less")[1] == pytest.approx(5 / 6, rel=1e-14)
    assert kendall_test(x, y, alternative="greater")[1] == pytest.approx(1 / 2, rel=1e-14)
    assert kendall_test(x, y)[0] == pytest.approx(1 / 3, rel=1e-14)


def test_kendall_test_constant_input_and_bad_arguments():
    assert all(np.isnan(kendall_test([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])))
    assert all(np.isnan(kendall_test([1.0], [2.0])))
    with pytest.raises(ParameterError, match="exact method needs scores without ties"):
        kendall_test([1.0, 1.0, 2.0], [1.0, 2.0, 3.0], method="exact")
    with pytest.raises(ParameterError, match="paired"):
        kendall_test([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="alternative"):
        kendall_test([1.0, 2.0], [1.0, 2.0], alternative="below")
