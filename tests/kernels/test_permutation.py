"""The closed-test step-down over groups, against brute-force closed testing."""

from __future__ import annotations

import itertools

import numpy as np

from tunestats.kernels.permutation import holm, holm_over_groups, permutations_for


def brute_force_closed_test(p, groups, alpha):
    """Reject h iff every intersection S containing h is rejected by the local test
    min over the groups g of S of |G_S| * min_{h' in S, g} p_h' <= alpha."""
    m = len(p)
    rejected = np.ones(m, dtype=bool)
    for size in range(1, m + 1):
        for subset in itertools.combinations(range(m), size):
            touched = {groups[i] for i in subset}
            local = min(len(touched) * min(p[i] for i in subset if groups[i] == g)
                        for g in touched)
            if local > alpha:
                rejected[list(subset)] = False
    return rejected


def test_equals_brute_force_closed_testing_on_random_families():
    rng = np.random.default_rng(5)
    for _ in range(60):
        m = int(rng.integers(1, 7))
        groups = [str(g) for g in rng.integers(0, 3, m)]
        p = np.round(rng.random(m) ** 3, 3)
        adjusted = holm_over_groups(p, groups)
        for alpha in (0.01, 0.05, 0.1, 0.2):
            np.testing.assert_array_equal(adjusted <= alpha,
                                          brute_force_closed_test(p, groups, alpha))
        g = len(set(groups))
        assert np.all(adjusted <= np.minimum(g * p, 1.0) + 1e-15)  # never above Bonferroni


def test_one_check_per_group_is_holm():
    p = np.array([0.001, 0.04, 0.012, 0.3, 0.02])
    np.testing.assert_allclose(holm_over_groups(p, list("abcde")), holm(p), atol=1e-15)


def test_default_permutations_let_the_smallest_p_survive_the_family():
    for groups in (1, 7, 28, 60, 500):
        p = permutations_for(groups, 0.05)
        assert p >= 1999 and groups / (p + 1) <= 0.05 / 4


def _direct_statistic(s, r, row, n_a, k, replace, direction):
    """P(A's best of k beats B's) of one split, from each pool's selection probabilities and
    the double sum over its trials (ties in the reported value counted half)."""
    from tunestats.kernels import selection_probabilities

    a, b = row[:n_a], row[n_a:]
    p_a = selection_probabilities(s[a], k, replace=replace, direction=direction)
    p_b = selection_probabilities(s[b], k, replace=replace, direction=direction)
    wins = (r[a][:, None] < r[b][None, :]) + 0.5 * (r[a][:, None] == r[b][None, :])
    return np.einsum("ki,ij,kj->k", p_a, wins, p_b)


def test_permuted_statistic_equals_each_split_computed_directly():
    # every split of the permutation test, against the selection probabilities of the
    # split's two pools and the O(N_a N_b) double sum; ties in selection and report values
    from tunestats.kernels.permutation import _permuted_statistic
    from tunestats.kernels.resample import permutation_indices

    rng = np.random.default_rng(11)
    for case in range(40):
        n_a, n_b = (int(x) for x in rng.integers(1, 12, 2))
        n = n_a + n_b
        s = rng.random(n) if case % 3 == 0 else np.round(rng.random(n), 1)
        r = s if case % 2 else np.round(rng.random(n) * 4) * (1 if case % 3 else 0.25)
        replace = case % 4 != 1
        k = np.unique(rng.integers(1, (max(n_a, n_b) + 2 if replace else min(n_a, n_b)) + 1, 3))
        direction = "minimize" if case % 5 else "maximize"
        rows = np.concatenate([np.arange(n)[None], permutation_indices(case, 30, n)])
        got = _permuted_statistic(s, r, rows, n_a, k, replace=replace, direction=direction)
        for b, row in enumerate(rows):
            expected = _direct_statistic(s, r, row, n_a, k, replace, direction)
            np.testing.assert_allclose(got[b], expected, rtol=0, atol=1e-12)
