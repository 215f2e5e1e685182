"""Performance profiles and scores on a hand-computed example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import DataError, Metric, ParameterError, Study, performance_profile

INF = np.inf
STEPS = np.arange(5, 505, 5)
# fastest trial of each repeat (two repeats) per workload and algorithm
FASTEST = {
    "w1": {"a": (100, 100), "b": (150, 250), "c": (INF, 100)},
    "w2": {"a": (80, 120), "b": (50, 50), "c": (500, 500)},
    "w3": {"a": (INF, INF), "b": (INF, INF), "c": (INF, INF)},  # nobody solves it
    "w4": {"a": (30, 30), "b": (60, 60), "c": (45, 45)},
}


def profile_study() -> Study:
    """Each repeat has two trials: the fastest one and one that never reaches 0.5."""
    trials, curves = [], []
    for workload, algos in FASTEST.items():
        for algo, repeats in algos.items():
            for repeat, fastest in enumerate(repeats):
                for trial, reach in enumerate((fastest, INF)):
                    key = {"workload": workload, "protocol": "p", "optimizer": algo,
                           "repeat": repeat, "trial": trial}
                    valid = np.where(STEPS >= reach, 0.0, 1.0)
                    trials.append({**key, "status": "completed",
                                   "final.valid_error": valid[-1]})
                    curves.append(pd.DataFrame({**key, "step": STEPS, "valid_error": valid}))
    return Study.from_frames(pd.DataFrame(trials), pd.concat(curves, ignore_index=True),
                             metrics={"valid_error": Metric("valid_error", "minimize",
                                                            "valid")},
                             targets={w: {"valid_error": 0.5} for w in FASTEST})


def test_hand_computed_scores_and_profile():
    result = performance_profile(profile_study(), tau_max=4.0)
    scores = result.scores.set_index("optimizer")["score"]
    # a: ratios 1, 2, inf, 1 -> (3 + 2 + 0 + 3) / 3 / 4
    assert scores["a"] == pytest.approx(2 / 3)
    # b: ratios 2, 1, inf, 2 -> (2 + 3 + 0 + 2) / 3 / 4
    assert scores["b"] == pytest.approx(7 / 12)
    # c: ratios inf (median of 100 and a miss), 10 > tau_max, inf, 1.5 -> 2.5 / 3 / 4
    assert scores["c"] == pytest.approx(5 / 24)
    ratios = result.ratios.set_index(["workload", "optimizer"])
    assert ratios.loc[("w1", "b"), "time"] == 200.0
    assert ratios.loc[("w1", "c"), "time"] == INF
    assert ratios.loc[("w2", "c"), "ratio"] == INF and ratios.loc[("w2", "c"), "failed"]
    assert ratios.loc[("w4", "c"), "ratio"] == pytest.approx(1.5)
    assert ratios.xs("w3", level="workload")["failed"].all()
    curve = result.curves[result.curves["optimizer"] == "a"].set_index("tau")["rho"]
    assert curve.loc[1.0] == 0.5 and curve.loc[2.0] == 0.75 and curve.loc[4.0] == 0.75
    times = result.times.set_index(["workload", "optimizer", "repeat"])["time"]
    assert times.loc[("w1", "b", 1)] == 250.0


def test_uncapped_ratios_and_the_variant_rule():
    study = profile_study()
    uncapped = performance_profile(study, tau_max=4.0, cap_failures=False)
    ratios = uncapped.ratios.set_index(["workload", "optimizer"])
    assert ratios.loc[("w2", "c"), "ratio"] == pytest.approx(10.0)
    assert uncapped.scores["score"].tolist() == pytest.approx([2 / 3, 7 / 12, 5 / 24])
    # w3 as a held-out variant of w4: everybody misses it, so w4 fails for all
    varied = performance_profile(study, tau_max=4.0, variants={"w4": ["w3"]})
    scores = varied.scores.set_index("optimizer")["score"]
    assert set(varied.ratios["workload"]) == {"w1", "w2", "w4"}
    assert scores["a"] == pytest.approx((1 + 2 / 3) / 3)
    assert scores["c"] == 0.0


def test_expected_counts_and_bad_arguments():
    study = profile_study()
    performance_profile(study, n_trials=2, n_repeats=2)
    with pytest.raises(DataError, match="`n_trials` expects 3"):
        performance_profile(study, n_trials=3)
    with pytest.raises(DataError, match="`n_repeats` expects 5"):
        performance_profile(study, n_repeats=5)
    for bad in (1.0, 0.5):
        with pytest.raises(ParameterError, match="`tau_max` must be a finite number in"):
            performance_profile(study, tau_max=bad)
    with pytest.raises(ParameterError, match="'w9', which is not in the study"):
        performance_profile(study, variants={"w4": ["w9"]})
