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


def test_an_algoperf_import_is_profiled_with_the_leaderboards_rule_and_scores():
    """`profile` and `leaderboard` on the same v0.6 logs give one AlgoPerf score."""
    from pathlib import Path

    from tunestats.analysis.leaderboard import leaderboard
    from tunestats.importers import algoperf

    data = Path(__file__).parents[1] / "data" / "algoperf_v06"
    logs, targets = data / "logs" / "external_tuning", data / "workload_targets_v06.json"
    study = algoperf.read(logs, targets=targets)
    result = performance_profile(study)
    assert (result.rule, result.time, result.integral) == ("algoperf", "time_s", "grid")
    assert "earliest evaluation" in result.description
    board = leaderboard(logs, targets=targets)
    ours = result.scores.set_index("optimizer")["score"]
    theirs = board.scores.set_index("submission")["score"]
    for name in ("shampoo", "baseline"):
        assert f"{ours[name]:.4f}" == f"{theirs[name]:.4f}"
    assert f"{ours['shampoo']:.4f}" == "0.6244" and f"{ours['baseline']:.4f}" == "0.4590"
    # each repeat's time is that of the leaderboard's study (earliest evaluation)
    studies = board.studies.rename(columns={"submission": "optimizer", "study": "repeat"})
    merged = result.times.merge(studies, on=["workload", "optimizer", "repeat"])
    assert len(merged) == len(result.times) == 48
    np.testing.assert_array_equal(merged["time_x"], merged["time_y"])
    # the other rule, asked for, still gives the fastest trial's steps (the old numbers)
    fastest = performance_profile(study, rule="fastest").scores.set_index("optimizer")
    assert f"{fastest.loc['baseline', 'score']:.4f}" == "0.4278"


def test_earliest_evaluation_and_fastest_trial_rules_differ_as_computed_by_hand():
    """Trial 0 reaches the target at its 3rd evaluation (t = 300), trial 1 at its 5th
    (t = 250: faster evaluations): the AlgoPerf rule takes 300, the fastest-trial rule
    250. Optimizer b reaches it at t = 200 in one trial."""
    rows, curves = [], []
    plan = {("a", 0): ([100, 200, 300, 400], [1, 1, 0, 0]),
            ("a", 1): ([50, 100, 150, 200, 250], [1, 1, 1, 1, 0]),
            ("b", 0): ([100, 200], [1, 0]), ("b", 1): ([100, 200], [1, 1])}
    for (opt, trial), (times, values) in plan.items():
        key = {"workload": "w", "protocol": "p", "optimizer": opt, "repeat": 0,
               "trial": trial}
        rows.append({**key, "status": "completed", "final.valid_error": float(values[-1])})
        curves.append(pd.DataFrame({**key, "step": np.arange(1, len(times) + 1),
                                    "time_s": np.array(times, dtype=float),
                                    "valid_error": np.array(values, dtype=float)}))
    study = Study.from_frames(pd.DataFrame(rows), pd.concat(curves, ignore_index=True),
                              metrics=[Metric("valid_error", "minimize", "valid")],
                              targets={"w": {"valid_error": 0.5}})
    algoperf_rule = performance_profile(study, rule="algoperf")
    fastest = performance_profile(study, rule="fastest", time="time_s")
    assert algoperf_rule.times.set_index("optimizer")["time"].to_dict() == {"a": 300.0,
                                                                            "b": 200.0}
    assert fastest.times.set_index("optimizer")["time"].to_dict() == {"a": 250.0, "b": 200.0}
    # a: ratio 1.5 -> exact score (4 - 1.5) / 3; on the grid the trapezoids around 1.5
    grid = np.linspace(1.0, 4.0, 100)
    rho = (1.5 <= grid).astype(float)
    expected = ((rho[1:] + rho[:-1]) / 2 * np.diff(grid)).sum() / 3
    scores = algoperf_rule.scores.set_index("optimizer")["score"]
    assert scores["a"] == pytest.approx(expected) and scores["b"] == pytest.approx(1.0)
    assert fastest.scores.set_index("optimizer")["score"]["a"] == pytest.approx(2.75 / 3)
    assert fastest.integral == "exact"
    with pytest.raises(ParameterError, match="rule"):
        performance_profile(study, rule="median")
