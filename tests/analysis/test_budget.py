"""The budget verdict of a pool against hand-computed best-of-k means and the kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import tunestats
from tunestats import Metric, Study
from tunestats._random import keyed_generator
from tunestats.analysis import check_space
from tunestats.errors import ParameterError
from tunestats.kernels import budget_verdict, expected_max_normal, seed_noise

METRIC = {"valid_error": Metric("valid_error", "minimize", "valid")}


def pool_study(values, status=None) -> Study:
    n = len(values)
    trials = pd.DataFrame({
        "workload": "w", "protocol": "p", "optimizer": "o", "repeat": 0, "trial": np.arange(n),
        "status": status if status is not None else "completed",
        "hp.learning_rate": np.geomspace(1e-3, 1e-1, n), "final.valid_error": values})
    return Study.from_frames(trials, metrics=METRIC)


def rerun_study():
    """8 configurations, each run with two seeds (s.d. 0.01): the runs and their study."""
    rng = np.random.default_rng(2)
    base = np.linspace(0.1, 0.3, 8)
    runs = np.stack([base + rng.normal(0, 0.01, 8), base + rng.normal(0, 0.01, 8)])
    trials = pd.DataFrame({
        "workload": "w", "protocol": "p", "optimizer": "o", "repeat": 0,
        "trial": np.arange(16), "seed": np.arange(16), "status": "completed",
        "hp.learning_rate": np.tile(np.geomspace(1e-3, 1e-1, 8), 2),
        "final.valid_error": runs.ravel()})
    return runs, Study.from_frames(trials, metrics=METRIC)


def flat_rerun_pool():
    """8 trials of a response flat within noise (a needle all trials missed): 6
    configurations at 0.58 + 0.01 z, z the normal quantiles at (i + 1/2)/6, and configurations
    0 and 5 rerun 0.01 sqrt(2) away (seed-to-seed s.d. 0.01 on 2 degrees of freedom)."""
    v = 0.58 + 0.01 * stats.norm.ppf((np.arange(6) + 0.5) / 6)
    values = np.concatenate([v, [v[0] + 0.01 * np.sqrt(2), v[5] - 0.01 * np.sqrt(2)]])
    return values, np.array([0, 1, 2, 3, 4, 5, 0, 5])


def test_hand_computed_gain_delta_and_probability():
    # Trials [0, 1, 1, 1], best of k without replacement: m(1) = 3/4, m(2) = C(3,2)/C(4,2)
    # = 1/2 (no 0 among the two), m(4) = 0. The last doubling 2 -> 4 gains 1/2; delta =
    # 0.1 * (m(1) - m(4)) = 0.075. A resampled pool with c copies of the 0 gains
    # C(4 - c, 2)/6 (0 when c = 0): more than delta iff c is 1 or 2, c ~ Bin(4, 1/4).
    study = pool_study([0.0, 1.0, 1.0, 1.0])
    result = check_space(study, seed=0, n_resamples=4000)
    row = result.budgets.iloc[0]
    assert row["gain_last"] == pytest.approx(0.5, rel=1e-12)
    assert row["delta"] == pytest.approx(0.075, rel=1e-12) and row["k_half"] == 2
    p = 4 * 0.25 * 0.75**3 + 6 * 0.25**2 * 0.75**2
    assert abs(row["prob_gain_exceeds"] - p) <= 4 * np.sqrt(p * (1 - p) / 4000)
    assert row["verdict"] == "not enough trials" and not result.adequate
    assert result.reasons["reason"].iloc[-1] == (
        "not enough trials: doubling from 2 to 4 trials gained 0.5 in the best-of-k mean, "
        f"and a gain above delta = 0.075 has bootstrap probability "
        f"{row['prob_gain_exceeds']:.2f} > 0.5")
    # an absolute tolerance above the gain: enough trials
    loose = check_space(study, tolerance=0.6, relative=False, seed=0, n_resamples=200)
    assert loose.budgets.iloc[0]["verdict"] == "enough trials"
    # the same trials written as accuracy = 1 - error: the same verdict and numbers
    flipped = Study.from_frames(study.trials.assign(**{
        "final.valid_error": 1 - study.trials["final.valid_error"]}), metrics={
        "valid_error": Metric("valid_error", "maximize", "valid")})
    again = check_space(flipped, seed=0, n_resamples=4000).budgets.iloc[0]
    for column in ("gain_last", "delta", "prob_gain_exceeds", "verdict"):
        assert again[column] == pytest.approx(row[column]) if column != "verdict" else (
            again[column] == row[column])


def test_seed_to_seed_noise_is_delta_where_configurations_were_rerun():
    # 8 configurations, each run with two seeds: pooled within-configuration s.d. by hand
    runs, reruns = rerun_study()
    row = check_space(reruns, seed=0,
                      n_resamples=200).budgets.iloc[0]
    by_hand = np.sqrt(np.sum((runs - runs.mean(axis=0)) ** 2) / 8)
    assert row["delta"] == pytest.approx(by_hand, rel=1e-12)
    assert row["delta_source"] == "seed-to-seed noise" and row["noise_df"] == 8
    # no configuration run twice: the tolerance
    single = check_space(pool_study(runs[0]), seed=0, n_resamples=200).budgets.iloc[0]
    assert single["delta_source"] == "tolerance" and single["noise_df"] == 0


def test_diverged_trials_count_as_worst_like_the_kernel():
    values = [0.3, np.nan, 0.25, 0.2, np.nan, 0.4, 0.35, 0.1]
    status = ["diverged" if np.isnan(v) else "completed" for v in values]
    result = check_space(pool_study(values, status), seed=3, n_resamples=100)
    row = result.budgets.iloc[0]
    worst = np.where(np.isnan(values), 0.4, values)  # the pool's worst finite value
    direct = budget_verdict(worst, worst, n_resamples=100,
                            seed=keyed_generator(3, ("w", "p", "o")))
    assert row["n_diverged"] == 2
    assert row["gain_last"] == direct.gain and row["delta"] == direct.delta
    assert row["prob_gain_exceeds"] == direct.prob_gain_exceeds
    assert row["verdict"] == ("enough trials" if direct.enough else "not enough trials")


def test_pools_with_fewer_than_three_completed_trials_are_not_budget_checked():
    values = [0.3, np.nan, np.nan, 0.2]
    status = ["completed", "diverged", "failed", "completed"]
    result = check_space(pool_study(values, status), seed=0)
    row = result.budgets.iloc[0]
    assert row["verdict"] == "insufficient data" and row["workload"] == "w"
    assert result.reasons["reason"].tolist() == [
        "insufficient data: 2 completed trial(s) with a value; at least 3 needed"]


@pytest.mark.slow
def test_adequately_tuned_pools_are_rarely_called_short_of_trials():
    """valid error = 0.08 + 0.03 (log10 lr + 2)^2 + N(0, 0.01^2), log10 lr on [-4, 0]:
    at N = 32 at most 10% "not enough trials" (3 binomial s.d. of tolerance), and the
    same verdict for 1 - error."""
    rng = np.random.default_rng(32)
    reps, short = 80, 0
    for _ in range(reps):
        error = 0.08 + 0.03 * (rng.uniform(-4, 0, 32) + 2) ** 2 + rng.normal(0, 0.01, 32)
        verdict = budget_verdict(error, error, n_resamples=200, seed=1)
        flipped = budget_verdict(1 - error, 1 - error, select_direction="maximize",
                                 report_direction="maximize", n_resamples=200, seed=1)
        assert verdict.enough == flipped.enough
        short += not verdict.enough
    assert short / reps <= 0.10 + 3 * np.sqrt(0.1 * 0.9 / reps)


@pytest.mark.slow
def test_seed_noise_delta_calls_under_budgeted_pools_short_and_tuned_pools_enough():
    """delta = sigma, the seed-to-seed noise: under-budgeted pools (curvature 1.0 per
    decade^2 at N = 8, where the population best-of-16 beats best-of-8 by 6.4 sigma) are
    "not enough trials" in at least 80%, adequately tuned pools (curvature 0.03, N = 32,
    population gain of doubling 0.36 sigma) in at most 10% (3 binomial s.d. each), the same
    verdicts for 1 - error."""
    rng = np.random.default_rng(8)
    reps, short = 80, np.zeros(2)
    for _ in range(reps):
        for i, (n, curvature) in enumerate(((8, 1.0), (32, 0.03))):
            error = (0.08 + curvature * (rng.uniform(-4, 0, n) + 2) ** 2
                     + rng.normal(0, 0.01, n))
            verdict = budget_verdict(error, error, delta=0.01, n_resamples=200, seed=1)
            flipped = budget_verdict(1 - error, 1 - error, delta=0.01,
                                     select_direction="maximize",
                                     report_direction="maximize", n_resamples=200, seed=1)
            assert verdict.enough == flipped.enough
            short[i] += not verdict.enough
    assert short[0] / reps >= 0.8 - 3 * np.sqrt(0.8 * 0.2 / reps), short
    assert short[1] / reps <= 0.1 + 3 * np.sqrt(0.1 * 0.9 / reps), short


def test_one_delta_rule_for_the_kernel_check_space_and_budget_convergence():
    values = np.array([0.0, 1.0, 1.0, 1.0, 0.5, 0.25])
    tolerance = budget_verdict(values, values, n_resamples=50)
    means = tolerance.means  # m(1), m(N/2), m(N), by the kernel; delta = 0.1 (m(1) - m(N))
    assert tolerance.delta_source == "tolerance" and tolerance.noise_df == 0
    assert tolerance.delta == pytest.approx(0.1 * (values.mean() - 0.0)) == pytest.approx(
        0.1 * (means[0] - means[2]))
    noisy = budget_verdict(values, values, noise=(0.02, 3), n_resamples=50)
    assert (noisy.delta, noisy.delta_source, noisy.noise_df) == (0.02, "seed-to-seed noise", 3)
    assert budget_verdict(values, values, noise=(np.nan, 0), n_resamples=50).delta == (
        tolerance.delta)
    given = budget_verdict(values, values, delta=0.3, noise=(0.02, 3), n_resamples=50)
    assert (given.delta, given.delta_source) == (0.3, "given")
    # the study-level budget_convergence takes its default delta from the same rule as
    # check_space: with reruns the seed-to-seed noise, without them the tolerance
    runs, reruns = rerun_study()
    for study in (reruns, pool_study(runs[0])):
        space = check_space(study, seed=0, n_resamples=200).budgets.iloc[0]
        frame = tunestats.budget_convergence(study, n_resamples=200).iloc[0]
        assert frame["delta"] == pytest.approx(space["delta"], rel=1e-12)
        assert frame["delta_source"] == space["delta_source"]
        assert frame["noise_df"] == space["noise_df"]
        assert frame["enough"] == (space["verdict"] == "enough trials")
    with pytest.raises(ParameterError, match="explicit `delta`"):
        tunestats.budget_convergence(study, relative=True)


@pytest.mark.slow
def test_tolerance_delta_calls_a_needle_optimum_short_of_trials():
    """The tolerance branch of the delta rule (no reruns): a needle optimum (0.08 + 0.5 (1 -
    exp(-d^2 / 0.02)), d the distance to the optimum in decades, N(0, 0.01^2) noise) at
    N = 8, where the population best-of-16 beats best-of-8 by 6.2 delta, is "not enough
    trials" in at least 80% of pools (3 binomial s.d.), the same verdict for 1 - error."""
    rng = np.random.default_rng(88)
    reps, short = 100, 0
    for _ in range(reps):
        d = rng.uniform(-4, 0, 8) + 2
        error = 0.08 + 0.5 * (1 - np.exp(-d**2 / 0.02)) + rng.normal(0, 0.01, 8)
        verdict = budget_verdict(error, error, n_resamples=200, seed=1)
        flipped = budget_verdict(1 - error, 1 - error, select_direction="maximize",
                                 report_direction="maximize", n_resamples=200, seed=1)
        assert verdict.enough == flipped.enough
        short += not verdict.enough
    assert short / reps >= 0.8 - 3 * np.sqrt(0.8 * 0.2 / reps), short


def test_expected_max_normal_against_closed_forms():
    # Bose & Gupta (1959): e_2 = 1/sqrt(pi), e_3 = 3/(2 sqrt(pi)), e_4 = 3/(2 sqrt(pi)) (1 +
    # 2 asin(1/3)/pi), e_5 = 5/(4 sqrt(pi)) (1 + 6 asin(1/3)/pi); e_1 = 0
    a = np.arcsin(1 / 3)
    closed = {1: 0.0, 2: 1 / np.sqrt(np.pi), 3: 1.5 / np.sqrt(np.pi),
              4: 1.5 / np.sqrt(np.pi) * (1 + 2 * a / np.pi),
              5: 1.25 / np.sqrt(np.pi) * (1 + 6 * a / np.pi)}
    for n, value in closed.items():
        assert expected_max_normal(n) == pytest.approx(value, abs=1e-12)
    # large n against Monte Carlo: 4,000 maxima of 1,000 normals (s.d. of the mean ~ 0.007)
    z = np.random.default_rng(5).standard_normal((4000, 1000)).max(axis=1)
    assert abs(expected_max_normal(1000) - z.mean()) <= 4 * z.std() / np.sqrt(4000)
    with pytest.raises(ParameterError):
        expected_max_normal(0)


def test_delta_rule_picks_the_noise_only_where_the_tuning_gain_resolves_it():
    # [0, 1, 1, 1]: m(1) = 3/4, m(4) = 0, tuning gain 3/4; pure noise of s.d. sigma would
    # gain sigma e_4 = 1.02938 sigma; the noise is delta iff 3/4 > 2 sigma e_4, i.e.
    # sigma < 0.3643; otherwise the tolerance, 0.1 x 3/4.
    values = np.array([0.0, 1.0, 1.0, 1.0])
    e4 = 1.5 / np.sqrt(np.pi) * (1 + 2 * np.arcsin(1 / 3) / np.pi)
    assert 0.75 / (2 * e4) == pytest.approx(0.36430, abs=1e-5)
    for sigma, delta, source in ((0.36, 0.36, "seed-to-seed noise"),
                                 (0.37, 0.075, "tolerance, flat within noise")):
        for v, direction in ((values, "minimize"), (1 - values, "maximize")):
            verdict = budget_verdict(v, v, noise=(sigma, 2), select_direction=direction,
                                     report_direction=direction, n_resamples=50)
            assert verdict.delta == pytest.approx(delta, rel=1e-12)
            assert verdict.delta_source == source and verdict.noise_df == 2


def test_a_pool_flat_within_noise_with_reruns_is_called_short_of_trials():
    """A needle all 8 trials missed: the pool's tuning gain (mean minus best, 0.0138) is below
    twice what 8 trials of pure noise gain (2 x 0.01 x 1.4236), so delta is the tolerance,
    0.1 x 0.0138, not sigma = 0.01 (the last doubling gains about 0.45 sigma), and the pool is
    not enough trials, by the kernel and by check_space, for error and 1 - error."""
    values, configs = flat_rerun_pool()
    noise = seed_noise(values, configs)
    assert noise[0] == pytest.approx(0.01, rel=1e-12) and noise[1] == 2
    tuning = values.mean() - values.min()
    assert tuning < 2 * 0.01 * expected_max_normal(8)
    for v, direction in ((values, "minimize"), (1 - values, "maximize")):
        verdict = budget_verdict(v, v, noise=noise, select_direction=direction,
                                 report_direction=direction, n_resamples=1000)
        assert verdict.delta == pytest.approx(0.1 * tuning, rel=1e-9)
        assert verdict.delta_source == "tolerance, flat within noise"
        assert verdict.gain > 0.4 * 0.01 and not verdict.enough
    trials = pd.DataFrame({
        "workload": "w", "protocol": "p", "optimizer": "o", "repeat": 0, "trial": np.arange(8),
        "seed": np.arange(8), "status": "completed",
        "hp.learning_rate": np.geomspace(1e-3, 1e-1, 6)[configs], "final.valid_error": values})
    result = check_space(Study.from_frames(trials, metrics=METRIC), seed=0, n_resamples=1000)
    row = result.budgets.iloc[0]
    assert row["delta_source"] == "tolerance, flat within noise" and row["noise_df"] == 2
    assert row["delta"] == pytest.approx(0.1 * tuning, rel=1e-9)
    assert row["verdict"] == "not enough trials" and not result.adequate


def rerun_pool(rng, n, curvature=0.0, width=None):
    """benchmarks/calibration.py's tuned pool: valid error = 0.08 + curvature (log10 lr + 2)^2
    (or a needle of ``width`` decades) + N(0, 0.01^2), log10 lr uniform on [-4, 0], the last
    max(2, N // 8) trials rerunning the first configurations; errors and seed noise."""
    reruns = max(2, n // 8)
    d = rng.uniform(-4, 0, n) + 2
    d[n - reruns:] = d[:reruns]
    configs = np.arange(n)
    configs[n - reruns:] = configs[:reruns]
    f = curvature * d**2 if width is None else 0.5 * (1 - np.exp(-d**2 / (2 * width**2)))
    error = 0.08 + f + rng.normal(0, 0.01, n)
    return error, seed_noise(error, configs)


@pytest.mark.slow
def test_delta_rule_with_reruns_calls_under_budgeted_pools_short_and_tuned_pools_enough():
    """The delta rule given the seed-to-seed noise of reruns: a needle (0.1 decade) at N = 8
    (population best-of-16 beats best-of-8 by 10 sigma) and a narrow optimum (curvature 1.0,
    N = 8, 6.4 sigma) are "not enough trials" in at least 80% of pools; adequately tuned pools
    (curvature 0.03, N = 32) in at most 10% (3 binomial s.d. each); the same verdicts for
    1 - error."""
    rng = np.random.default_rng(14)
    reps, short = 100, np.zeros(3)
    for _ in range(reps):
        for i, (n, space) in enumerate(((8, {"width": 0.1}), (8, {"curvature": 1.0}),
                                        (32, {"curvature": 0.03}))):
            error, noise = rerun_pool(rng, n, **space)
            verdict = budget_verdict(error, error, noise=noise, n_resamples=200, seed=1)
            flipped = budget_verdict(1 - error, 1 - error, noise=noise,
                                     select_direction="maximize",
                                     report_direction="maximize", n_resamples=200, seed=1)
            assert verdict.enough == flipped.enough
            assert verdict.delta_source == flipped.delta_source
            short[i] += not verdict.enough
    assert np.all(short[:2] / reps >= 0.8 - 3 * np.sqrt(0.8 * 0.2 / reps)), short
    assert short[2] / reps <= 0.1 + 3 * np.sqrt(0.1 * 0.9 / reps), short
