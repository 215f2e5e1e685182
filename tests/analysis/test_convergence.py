"""tunestats.budget_convergence: one row per pool, against hand-computed gains."""

from __future__ import annotations

import numpy as np
import pytest

import tunestats
from tunestats import DataError, ParameterError

from .test_best_of_k import study_of

# error 0, 0, 0, 1: the mean error of the best of k (with replacement) is (1/4)^k, so
# doubling gains 3/16 from 1 to 2 trials and 15/256 from 2 to 4.
STUDY = study_of({"adam": ([1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], ["completed"] * 4),
                  "sgd": ([0.5, 0.6, np.nan, 0.6], [0.4, 0.3, np.nan, 0.35],
                          ["completed", "completed", "diverged", "completed"])})


def test_hand_computed_pool():
    frame = tunestats.budget_convergence(STUDY, select="accuracy", report="error", delta=0.1,
                                         statistic="mean", n_resamples=200)
    adam = frame.set_index("optimizer").loc["adam"]
    assert adam["converged"] and adam["k_converged"] == 2 and adam["k_max"] == 4
    assert adam["gain_last"] == pytest.approx(15 / 256)
    assert 0 <= adam["prob_doubling_helps"] <= 1
    assert list(frame.columns[:5]) == ["workload", "protocol", "optimizer", "select", "report"]
    strict = tunestats.budget_convergence(STUDY, select="accuracy", report="error", delta=0.01,
                                          statistic="mean", n_resamples=50)
    assert not strict.set_index("optimizer").loc["adam", "converged"]


def test_median_by_default_and_policies():
    frame = tunestats.budget_convergence(STUDY, select="accuracy", report="error", delta=0.02, n_resamples=50)
    sgd = frame.set_index("optimizer").loc["sgd"]
    assert sgd["statistic"] == "median" and sgd["n_diverged"] == 1 and sgd["n_trials"] == 4
    excluded = tunestats.budget_convergence(STUDY, select="accuracy", report="error", delta=0.02,
                                            diverged="exclude", n_resamples=50)
    assert excluded.set_index("optimizer").loc["sgd", "n_trials"] == 3


def test_bad_input():
    with pytest.raises(ParameterError, match="unknown metric 'nope'"):
        tunestats.budget_convergence(STUDY, select="nope", report="error", delta=0.1)
    with pytest.raises(ParameterError, match=r"^`delta` must be a finite number in \[0.0, inf\]"):
        tunestats.budget_convergence(STUDY, select="accuracy", report="error", delta=-0.1)
    lost = study_of({"sgd": ([np.nan] * 2, [np.nan] * 2, ["diverged"] * 2)})
    with pytest.raises(DataError, match=r"^pool w/p/sgd: every trial"):
        tunestats.budget_convergence(lost, select="accuracy", report="error", delta=0.1, diverged="exclude")
