"""The budget verdict of a pool against hand-computed best-of-k means and the kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import Metric, Study
from tunestats.analysis import check_space
from tunestats.kernels import budget_convergence

METRIC = {"valid_error": Metric("valid_error", "minimize", "valid")}


def pool_study(values, status=None) -> Study:
    n = len(values)
    trials = pd.DataFrame({
        "workload": "w", "protocol": "p", "optimizer": "o", "repeat": 0, "trial": np.arange(n),
        "status": status if status is not None else "completed",
        "hp.learning_rate": np.geomspace(1e-3, 1e-1, n), "final.valid_error": values})
    return Study.from_frames(trials, metrics=METRIC)


def test_hand_computed_mean_gains():
    # Three trials at 0, one at 1: the mean best of k (with replacement) is (1/4)^k, so
    # doubling gains 3/16 (1 → 2) and 15/256 (2 → 4).
    study = pool_study([0.0, 0.0, 0.0, 1.0])
    options = {"statistic": "mean", "relative": False, "seed": 0, "n_resamples": 50}
    loose = check_space(study, tolerance=0.1, **options)
    row = loose.budgets.iloc[0]
    assert row["verdict"] == "converged" and row["k_converged"] == 2 and row["k_max"] == 4
    assert row["gain_last"] == pytest.approx(15 / 256, rel=1e-12)
    strict = check_space(study, tolerance=0.01, **options)
    assert strict.budgets.iloc[0]["verdict"] == "not converged" and not strict.adequate
    assert strict.reasons["reason"].iloc[0] == (
        "budget not converged: doubling to 4 trials still improves the best-of-k mean by "
        "0.0586, more than the tolerance 0.01")


def test_diverged_trials_count_as_worst_like_the_kernel():
    values = [0.3, np.nan, 0.25, 0.2, np.nan, 0.4, 0.35, 0.1]
    status = ["diverged" if np.isnan(v) else "completed" for v in values]
    result = check_space(pool_study(values, status), seed=3, n_resamples=100)
    row = result.budgets.iloc[0]
    worst = np.where(np.isnan(values), np.inf, values)
    direct = budget_convergence(worst, worst, delta=0.02, relative=True, statistic="median",
                                n_resamples=100, seed=3)
    assert row["n_diverged"] == 2 and row["statistic"] == "median"
    assert row["gain_last"] == direct.gain[-1]
    assert row["verdict"] == ("converged" if direct.k_converged else "not converged")


def test_pools_with_fewer_than_three_completed_trials_are_not_budget_checked():
    values = [0.3, np.nan, np.nan, 0.2]
    status = ["completed", "diverged", "failed", "completed"]
    result = check_space(pool_study(values, status), seed=0)
    row = result.budgets.iloc[0]
    assert row["verdict"] == "insufficient data" and row["workload"] == "w"
    assert result.reasons["reason"].tolist() == [
        "insufficient data: 2 completed trial(s) with a value; at least 3 needed"]
