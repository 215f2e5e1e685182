"""The screened permutation test: the same numbers as the one-stage tests it is made of,
the bound from the binomial tail, and super-uniform p-values under the null."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from tunestats import ParameterError
from tunestats.kernels import apply_diverged_policy
from tunestats.kernels.permutation import SIDES, permutation_pair_test, screen_bound

FIELDS = {"two-sided": ("p_two_sided", "wy_two_sided", "n_permutations"),
          "a": ("p_a", "wy_a", "n_permutations_a"), "b": ("p_b", "wy_b", "n_permutations_b")}


def accuracy_pool(rng, n, shift=0.0):
    acc = rng.binomial(300, np.clip(0.92 + shift - 0.15 * rng.random(n) ** 2, 0, 1)) / 300
    acc = np.where(rng.random(n) < 0.2, np.nan, acc)
    out = apply_diverged_policy(acc, acc, select_direction="maximize",
                                report_direction="maximize")
    return out.select, out.report, out.touched


def pair(a, b, ks, seed, **options):
    return permutation_pair_test(*a[:2], *b[:2], ks, select_direction="maximize",
                                 report_sign=-1.0, seed=seed, lost_a=a[2], lost_b=b[2],
                                 **options)


def test_each_side_is_the_one_stage_test_with_the_full_or_the_screen_count():
    """A refined side equals the one-stage test with P permutations, a stopped side the
    one-stage test with P0 (the same seed: the stream of P begins with the P0), and a side
    is refined exactly when its stage-1 adjusted p-value is at most the bound."""
    rng = np.random.default_rng(4)
    ks = [1, 2, 4, 8, 20]
    bound = screen_bound(49, 0.05)
    seen = {"refined": 0, "stopped": 0}
    for case in range(24):
        a, b = accuracy_pool(rng, 20, 0.03 * (case % 3)), accuracy_pool(rng, 20)
        refine = SIDES if case % 2 else ("two-sided", "a")
        screened = pair(a, b, ks, case, n_permutations=499, n_screen=49, refine=refine)
        full = pair(a, b, ks, case, n_permutations=499)
        stage1 = pair(a, b, ks, case, n_permutations=49)
        np.testing.assert_array_equal(screened.p_a_better, full.p_a_better)
        for side, (raw, wy, count) in FIELDS.items():
            refined = side in refine and getattr(stage1, wy).min() <= bound
            reference = full if refined else stage1
            seen["refined" if refined else "stopped"] += 1
            np.testing.assert_array_equal(getattr(screened, raw), getattr(reference, raw))
            np.testing.assert_array_equal(getattr(screened, wy), getattr(reference, wy))
            assert getattr(screened, count) == (499 if refined else 49)
    assert min(seen.values()) >= 10, seen  # both branches exercised


def test_no_screen_when_it_would_not_save_anything():
    rng = np.random.default_rng(1)
    a, b = accuracy_pool(rng, 12), accuracy_pool(rng, 12)
    for n_screen in (0, 199, 400):
        t = pair(a, b, [1, 4], 3, n_permutations=199, n_screen=n_screen)
        assert (t.n_permutations, t.n_permutations_a, t.n_permutations_b) == (199, 199, 199)
    with pytest.raises(ParameterError, match="`n_screen` must be a non-negative integer"):
        pair(a, b, [1], 0, n_screen=-1)
    with pytest.raises(ParameterError, match="`refine` must be one of"):
        pair(a, b, [1], 0, n_screen=9, refine=("left",))


def test_screen_bound_is_the_binomial_upper_quantile_at_alpha():
    """c = (1 + x) / (P0 + 1) with x the smallest count whose upper tail P(X > x) under
    Binomial(P0, alpha) is at most the miss probability (summed by hand)."""
    for n_screen, alpha, miss in ((199, 0.05, 1e-3), (499, 0.05, 1e-3), (99, 0.01, 1e-2),
                                  (39, 0.2, 1e-3)):
        pmf = [comb(n_screen, j) * alpha**j * (1 - alpha) ** (n_screen - j)
               for j in range(n_screen + 1)]
        tail = [sum(pmf[j + 1:]) for j in range(n_screen + 1)]  # P(X > j)
        x = next(j for j in range(n_screen + 1) if tail[j] <= miss)
        assert screen_bound(n_screen, alpha, miss) == pytest.approx(
            max(alpha, (1 + x) / (n_screen + 1)), rel=1e-12)


@pytest.mark.slow
def test_screened_p_values_are_super_uniform_under_the_null():
    """1,500 null pairs (N = 20, 20 % diverged), P0 = 39 screen, P = 399: the smallest
    adjusted p-value over k of each side is <= u in at most u of the pairs (3 binomial s.d.)
    at levels below and above the bound c = 0.2, and every adjusted p-value at each k is
    <= u at most that often for u <= c."""
    rng = np.random.default_rng(12)
    ks = [1, 2, 4, 8, 20]
    levels = np.array([0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5])
    reps = 1500
    low = np.zeros((3, levels.size))
    per_k = np.zeros((3, len(ks)))
    refined = 0
    for _ in range(reps):
        t = pair(accuracy_pool(rng, 20), accuracy_pool(rng, 20), ks,
                 int(rng.integers(2**63)), n_permutations=399, n_screen=39)
        for row, wy in enumerate((t.wy_two_sided, t.wy_a, t.wy_b)):
            low[row] += wy.min() <= levels
            per_k[row] += wy <= 0.1
        refined += t.n_permutations == 399
    tol = 3 * np.sqrt(levels * (1 - levels) / reps)
    assert np.all(low / reps <= levels + tol), low / reps
    assert np.all(per_k / reps <= 0.1 + 3 * np.sqrt(0.09 / reps)), per_k / reps
    assert 0.05 < refined / reps < 0.5  # the screen both stops and refines
