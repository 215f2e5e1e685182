"""One failed-trial policy in every analysis: a failed trial (a crash, or a trial pruned by
the tuner) is lost exactly like a diverged one, and counts as the pool's worst outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tunestats
from tunestats import Metric, Study
from tunestats.analysis import check_space, isolation

METRIC = {"valid_error": Metric("valid_error", "minimize", "valid")}


def cliff_study(lost_status: str) -> Study:
    # 51 trials evenly along log10 lr in [-4, 0]: the error falls towards the high edge, the
    # best completed trial lies in the edge band (position 0.96), and the two trials beyond
    # it and three interior ones did not complete (no value)
    u = np.linspace(0.0, 1.0, 51)
    lr = 10 ** (-4 + 4 * u)
    error = 0.5 - 0.3 * u + 0.01 * np.sin(7 * np.arange(51))
    error[48] = 0.1
    status = np.where(np.isin(np.arange(51), [5, 20, 35, 49, 50]), lost_status, "completed")
    trials = pd.DataFrame({
        "workload": "w", "protocol": "p", "optimizer": "o", "repeat": 0, "trial": np.arange(51),
        "status": status, "hp.learning_rate": lr,
        "final.valid_error": np.where(status == "completed", error, np.nan)})
    return Study.from_frames(trials, metrics=METRIC)


def test_failed_trials_are_lost_like_diverged_ones_in_every_analysis():
    failed, diverged = cliff_study("failed"), cliff_study("diverged")
    a, b = check_space(failed, seed=0), check_space(diverged, seed=0)
    high_a = a.boundaries.query("side == 'high'").iloc[0]
    high_b = b.boundaries.query("side == 'high'").iloc[0]
    # the best trial is at the high edge and the two trials beyond it are lost: a divergence
    # cliff, not an open edge (leaving failed trials out would leave nothing beyond the best)
    assert high_b["verdict"] == "best at edge"
    assert high_b["edge_kind"] == "divergence cliff" and high_b["n_beyond_bad"] == 2
    for column in ("verdict", "edge_kind", "best_position", "top_n", "p_value", "n_beyond",
                   "n_beyond_bad", "n_completed", "n_lost", "n_trials"):
        assert high_a[column] == high_b[column], column
    assert high_a["n_lost"] == 5 and high_a["n_failed"] == 5 and high_b["n_failed"] == 0
    pd.testing.assert_frame_equal(a.budgets, b.budgets)
    assert a.adequate == b.adequate
    np.testing.assert_array_equal(a.positions["lost"], b.positions["lost"])
    bins_a, bins_b = isolation(a, bins=4), isolation(b, bins=4)
    pd.testing.assert_frame_equal(bins_a, bins_b)
    assert bins_a["n_lost"].sum() == 5 and bins_a["n_trials"].sum() == 51
    # best-of-k: both count as the worst finite value, the same numbers
    curve_a = tunestats.best_of_k(failed, k=[1, 2, 51], confidence=None)
    curve_b = tunestats.best_of_k(diverged, k=[1, 2, 51], confidence=None)
    np.testing.assert_array_equal(curve_a["mean"], curve_b["mean"])
    assert curve_a["n_diverged"].tolist() == [5, 5, 5]
    worst = failed.trials["final.valid_error"].max()
    done = failed.trials["final.valid_error"].dropna().to_numpy()
    assert curve_a["mean"].iloc[0] == pytest.approx((done.sum() + 5 * worst) / 51)
