"""Calibrated best-of-k bands: hand-checked order statistics, the DKW half-width, and
(slow) coverage on known populations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tunestats.errors import ParameterError
from tunestats.kernels.bands import (
    best_of_k_bands,
    dkw_epsilon,
    jeffreys_interval,
    mean_band_limit,
)


def test_simultaneous_band_is_the_dkw_band_read_at_the_best_of_k_levels():
    x = np.arange(1.0, 101.0)  # X_(j) = j
    b = best_of_k_bands(x, x, [1, 2], 0.5, bounds=(0.0, 101.0))
    eps = dkw_epsilon(100, 0.1)
    for i, k in enumerate((1, 2)):
        pi = 1 - 0.5 ** (1 / k)
        assert b.sim_quantiles_low[i, 0] == np.floor(100 * (pi - eps)) + 1
        assert b.sim_quantiles_high[i, 0] == np.ceil(100 * (pi + eps))
    # the mean band holds the empirical best-of-k mean (without replacement estimate)
    assert b.sim_mean_low[0] < x.mean() < b.sim_mean_high[0]


def test_pointwise_quantile_band_brackets_the_exact_order_statistic_interval():
    x = np.arange(1.0, 51.0)
    b = best_of_k_bands(x, x, [1], 0.5)
    # exact equal-tailed order statistics for the median of 50: binomial tails
    cdf = stats.binom.cdf(np.arange(51), 50, 0.5)
    low = int(np.searchsorted(cdf, 0.05))  # smallest m with P(B <= m) >= 0.05
    high = int(np.searchsorted(cdf, 0.95)) + 1
    assert low <= b.quantiles_low[0, 0] <= low + 1
    assert high - 1 <= b.quantiles_high[0, 0] <= high


def test_nan_with_a_reason_and_a_maximised_metric():
    x = np.linspace(0.0, 1.0, 20)
    b = best_of_k_bands(x, x, [1, 20], 0.5)
    assert np.isnan(b.quantiles_low[1, 0]) and "below the best trial" in b.notes[1]
    assert np.isnan(b.mean_low[1]) and "sqrt(N)" in b.notes[1]
    assert "bounds" in b.notes[0]
    flipped = best_of_k_bands(-x, -x, [1, 2], 0.5, direction="maximize")
    np.testing.assert_allclose(flipped.quantiles_low, -best_of_k_bands(x, x, [1, 2],
                                                                       0.5).quantiles_high)
    other = best_of_k_bands(x, x[::-1], [1], 0.5, same_metric=False)
    assert np.isnan(other.quantiles_low).all() and "select == report" in other.notes[0]
    assert mean_band_limit(20) == 4
    with pytest.raises(ParameterError, match="`bounds`"):
        best_of_k_bands(x, x, [1], bounds=(0.5, 1.0))


@pytest.mark.slow
def test_coverage_on_a_known_population():
    """Pools of N = 50 from Beta(2, 5) (select = report): the pointwise 90% band of the
    best-of-k median covers the truth in 90% of pools up to binomial noise, and the
    simultaneous band covers every k at once in at least 90%."""
    rng = np.random.default_rng(14)
    ks = np.array([1, 2, 4, 8, 16, 32, 50])
    truth = stats.beta.ppf(1 - 0.5 ** (1 / ks), 2, 5)
    reps = 300
    hit, shown, joint = np.zeros(ks.size), np.zeros(ks.size), 0
    for _ in range(reps):
        x = rng.beta(2, 5, 50)
        b = best_of_k_bands(x, x, ks, [0.5], bounds=(0.0, 1.0))
        low, high = b.quantiles_low[:, 0], b.quantiles_high[:, 0]
        ok = np.isfinite(low) & np.isfinite(high)
        shown += ok
        hit += ok & (low <= truth) & (truth <= high)
        joint += bool(np.all(~(b.sim_quantiles_low[:, 0] > truth)
                             & ~(b.sim_quantiles_high[:, 0] < truth)))
    reported = shown > 0
    coverage = hit[reported] / shown[reported]
    tolerance = 3 * np.sqrt(0.09 / shown[reported]) + 0.01  # 3 binomial s.d. + interpolation
    assert np.all(np.abs(coverage - 0.9) <= tolerance), coverage
    assert joint / reps >= 0.9 - 3 * np.sqrt(0.09 / reps)


def test_permutation_subsets_equal_the_selection_probabilities_of_the_subpools():
    from tunestats.kernels import resampled_selection_probabilities, selection_probabilities
    from tunestats.kernels.resample import permutation_indices

    rng = np.random.default_rng(0)
    values = rng.random(12)
    rows = permutation_indices(1, 5, 12)[:, :7]  # subsets without copies: no tie anywhere
    got = resampled_selection_probabilities(values, rows, [1, 3, 7], replace=False)
    for b, row in enumerate(rows):
        alone = selection_probabilities(values[row], [1, 3, 7], replace=False)
        expected = np.zeros((3, 12))
        expected[:, row] = alone
        np.testing.assert_allclose(got[b], expected, atol=1e-15)


@pytest.mark.slow
def test_permutation_check_has_its_level_at_every_k_including_n():
    """Null pairs of pools of 20 accuracies on 300 images from one population, 20 %
    diverged: the one-sided permutation p-value is <= 0.05 in at most 5% of pairs at every
    k (3 binomial s.d. of tolerance), k = N included."""
    from tunestats.kernels import apply_diverged_policy
    from tunestats.kernels.permutation import permutation_pair_test

    rng = np.random.default_rng(7)
    ks = [1, 2, 4, 8, 16, 20]
    reps, hits = 150, np.zeros(6)

    def pool():
        acc = rng.binomial(300, 0.92 - 0.15 * rng.random(20) ** 2) / 300
        acc = np.where(rng.random(20) < 0.2, np.nan, acc)
        out = apply_diverged_policy(acc, acc, select_direction="maximize",
                                    report_direction="maximize")
        return out.select, out.report, out.touched

    for _ in range(reps):
        a, b = pool(), pool()
        t = permutation_pair_test(*a[:2], *b[:2], ks, select_direction="maximize",
                                  report_sign=-1.0, n_permutations=199,
                                  seed=int(rng.integers(2**63)), lost_a=a[2], lost_b=b[2])
        hits += t.p_a <= 0.05
        assert np.all(t.wy_a >= t.p_a - 1e-12)  # adjusting over k never lowers a p-value
    assert np.all(hits / reps <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / reps)), hits / reps


def test_mean_band_jackknife_equals_brute_force_leave_one_out():
    from tunestats.kernels import exact_best_of_k
    from tunestats.kernels.bands import _u_and_jackknife, _u_weights

    rng = np.random.default_rng(3)
    r = rng.random(9)  # already in selection order (select = rank)
    for k in (1, 2, 3):
        theta, se = _u_and_jackknife(r, *_u_weights(9, k))
        ranks = np.arange(9.0)
        assert theta == pytest.approx(
            exact_best_of_k(ranks, r, k, (), replace=False).mean, rel=1e-12)
        loo = np.array([exact_best_of_k(np.delete(ranks, j), np.delete(r, j), k, (),
                                        replace=False).mean for j in range(9)])
        assert se == pytest.approx(np.sqrt(8 / 9 * np.sum((loo - loo.mean()) ** 2)), rel=1e-10)


def test_mean_band_with_lost_trials_is_the_jeffreys_interval_pushed_through_the_mixture():
    # 30 completed trials at 0.1 (no spread: the completed part is exact) and 3 lost at 1.0:
    # the best of k is lost only if all k draws are, theta_k(d) = 0.1 (1 - d^k) + 1.0 d^k,
    # and the band is theta_k at the ends of the Jeffreys interval of d (3 of 33), by hand
    x = np.concatenate([np.full(30, 0.1), [1.0, 1.0, 1.0]])
    lost = np.arange(33) >= 30
    b = best_of_k_bands(x, x, [1, 2, 4], lost=lost, seed=0)
    d_low, d_high = stats.beta.ppf([0.05, 0.95], 3.5, 30.5)
    for i, k in enumerate((1, 2, 4)):
        assert b.mean_low[i] == pytest.approx(0.1 + 0.9 * d_low**k, rel=1e-12)
        assert b.mean_high[i] == pytest.approx(0.1 + 0.9 * d_high**k, rel=1e-12)
    assert jeffreys_interval(3, 33, 0.1) == pytest.approx((d_low, d_high), rel=1e-12)
    # without a mask, the trials tied at the worst value are the lost ones
    same = best_of_k_bands(x, x, [1, 2, 4], seed=0)
    np.testing.assert_array_equal(same.mean_low, b.mean_low)
    # too few completed trials for k: NaN with the reason
    few = best_of_k_bands(x[28:], x[28:], [1, 2], lost=lost[28:], seed=0)
    assert np.isnan(few.mean_low).all() and all("too few completed" in n for n in few.notes)
    with pytest.raises(ParameterError, match="`lost`"):
        best_of_k_bands(x, x, [1], lost=lost[:5])


def test_mean_band_with_lost_trials_combines_both_parts_by_mover():
    # a completed part with spread: the ends are the estimate minus/plus the root sum of
    # squares of the d-part and the completed part's bootstrap-t half-widths (Zou & Donner)
    from tunestats.kernels.bands import _sorted_resamples, _studentized, _u_weights

    rng = np.random.default_rng(5)
    done = np.sort(0.08 + 0.02 * np.abs(rng.standard_t(3, 40)))
    x = np.concatenate([done, np.full(10, 1.0)])
    lost = np.arange(50) >= 40
    b = best_of_k_bands(x, x, [1], lost=lost, seed=4)
    d_low, d_high = jeffreys_interval(10, 50, 0.1)
    part, part_low, part_high = _studentized(
        done, _sorted_resamples(done, done, 999, 4), *_u_weights(40, 1), 0.1)
    assert part == pytest.approx(done.mean())
    centre = 0.8 * done.mean() + 0.2
    assert b.mean_low[0] == pytest.approx(centre - np.hypot(
        (0.2 - d_low) * (1.0 - done.mean()), 0.8 * (part - part_low)), rel=1e-10)
    assert b.mean_high[0] == pytest.approx(centre + np.hypot(
        (d_high - 0.2) * (1.0 - done.mean()), 0.8 * (part_high - part)), rel=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("n", [20, 50])
def test_mean_band_coverage_on_a_skewed_population(n):
    """Population A (0.06 + 0.04 exp(0.9 z), select = report): the studentized-bootstrap
    90% band of the best-of-k mean covers the truth in 90% of pools at every k <= sqrt(N)
    up to 3 binomial s.d. (the Student-t jackknife band it replaces covered 0.79-0.86 at
    k = 1)."""
    rng = np.random.default_rng(21 + n)
    ks = np.array([1, 2, 4])
    grid = np.linspace(0, 1, 100_001)[1:-1]
    values = 0.06 + 0.04 * np.exp(0.9 * stats.norm.ppf(grid))
    truth = np.array([np.trapezoid(values * k * (1 - grid) ** (k - 1), grid) for k in ks])
    reps = 240
    hit = np.zeros(ks.size)
    for rep in range(reps):
        x = 0.06 + 0.04 * np.exp(0.9 * rng.standard_normal(n))
        b = best_of_k_bands(x, x, ks, [0.5], n_resamples=499, seed=rep)
        assert np.isfinite(b.mean_low).all()
        hit += (b.mean_low <= truth) & (truth <= b.mean_high)
    assert np.all(np.abs(hit / reps - 0.9) <= 3 * np.sqrt(0.09 / reps)), hit / reps


@pytest.mark.slow
@pytest.mark.parametrize("n", [20, 50])
def test_mean_band_coverage_with_lost_trials(n):
    """Population B (0.08 + 0.02 |t_3|, 20% of trials lost, reported at 1.0 and passed as
    `lost`): the 90% band of the best-of-k mean covers the truth in 90% of pools at every
    k <= sqrt(N) up to 3 binomial s.d. (bootstrap-t alone covered 0.78-0.82 at k >= 2, and
    0.04-0.07 in pools with one lost trial)."""
    rng = np.random.default_rng(40 + n)
    ks = np.array([1, 2, 4])
    grid = np.linspace(0, 1, 200_001)[1:-1]
    values = np.where(grid <= 0.8, 0.08 + 0.02 * stats.t.ppf(0.5 + np.clip(grid / 0.8, 0, 1
                                                                            - 1e-15) / 2, 3),
                      1.0)
    truth = np.array([np.trapezoid(values * k * (1 - grid) ** (k - 1), grid) for k in ks])
    reps = 240
    hit = np.zeros(ks.size)
    for rep in range(reps):
        lost = rng.random(n) < 0.2
        x = np.where(lost, 1.0, 0.08 + 0.02 * np.abs(rng.standard_t(3, n)))
        b = best_of_k_bands(x, x, ks, [0.5], lost=lost, n_resamples=499, seed=rep)
        assert np.isfinite(b.mean_low).all()
        hit += (b.mean_low <= truth) & (truth <= b.mean_high)
    assert np.all(np.abs(hit / reps - 0.9) <= 3 * np.sqrt(0.09 / reps)), hit / reps
