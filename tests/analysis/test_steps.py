"""Steps-to-target on hand-built curves, best-of-k steps and the robustness grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import Metric, ParameterError, Study, steps_to_target
from tunestats.analysis import best_steps_to_target, target_robustness
from tunestats.analysis._curves import curve_matrix
from tunestats.analysis.steps import first_reach, time_to_target
from tunestats.synthetic import Bowl, synthetic_study

NAN = np.nan
METRICS = {"valid_error": Metric("valid_error", "minimize", "valid"),
           "accuracy": Metric("accuracy", "maximize", "valid"),
           "train_loss": Metric("train_loss", "minimize", "train")}
# trial: (status, valid_error curve, accuracy curve) at steps 0, 10, 20
CURVES = {
    0: ("completed", [0.35, 0.2, 0.1], [0.5, 0.9, 0.95]),   # reached at the first step
    1: ("completed", [0.9, 0.8, 0.7], [0.5, 0.6, 0.7]),     # never reached
    2: ("completed", [0.9, 0.4, 0.3], [0.5, 0.8, 0.9]),     # exactly at the target at 10
    3: ("diverged", [0.9, NAN, NAN], [0.5, NAN, NAN]),      # diverged before reaching
    4: ("diverged", [0.5, 0.39, NAN], [0.95, NAN, NAN]),    # reached, then diverged
    5: ("completed", [0.9, 0.8, 0.2], [0.5, 0.6, 0.91]),    # reached at 20 (after a budget of 15)
}


def hand_study() -> Study:
    trials, curves = [], []
    for trial, (status, valid, acc) in CURVES.items():
        key = {"workload": "w", "protocol": "p", "optimizer": "sgd", "repeat": 0,
               "trial": trial}
        trials.append({**key, "seed": trial, "status": status,
                       "final.valid_error": valid[-1], "final.accuracy": acc[-1]})
        curves.append(pd.DataFrame({**key, "step": [0, 10, 20], "time_s": [0.0, 1.5, 3.0],
                                    "valid_error": valid, "accuracy": acc}))
    return Study.from_frames(pd.DataFrame(trials), pd.concat(curves, ignore_index=True),
                             metrics=METRICS, targets={"w": {"valid_error": 0.4}})


def test_documented_values_minimised():
    out = steps_to_target(hand_study(), metric="valid_error")
    assert out["to_target"].tolist() == [0.0, np.inf, 10.0, np.inf, 10.0, 20.0]
    assert out["reached"].tolist() == [True, False, True, False, True, True]
    assert (out["target"] == 0.4).all()


def test_budget_truncates_and_time_axis():
    study = hand_study()
    out = steps_to_target(study, metric="valid_error", budget=15)
    assert out["to_target"].tolist() == [0.0, np.inf, 10.0, np.inf, 10.0, np.inf]
    out = steps_to_target(study, metric="valid_error", time="time_s")
    assert out["to_target"].tolist() == [0.0, np.inf, 1.5, np.inf, 1.5, 3.0]


def test_documented_values_maximised():
    out = steps_to_target(hand_study(), metric="accuracy", target=0.9)
    assert out["to_target"].tolist() == [10.0, np.inf, 20.0, np.inf, 0.0, 20.0]


def test_best_of_k_by_speed_and_by_validation():
    study = hand_study()
    by_speed = best_steps_to_target(study, metric="valid_error", k=1, select="speed")
    # k = 1: the plain distribution of the six trials
    assert by_speed["p_reached"].item() == pytest.approx(4 / 6)
    # times 0, 10, 10, 20, inf, inf: F(10) = 3/6 reaches the level 0.5 (inverted CDF)
    assert by_speed["q50"].item() == 10.0 and by_speed["q95"].item() == np.inf
    big = best_steps_to_target(study, metric="valid_error", k=64, select="speed")
    assert big["q50"].item() == 0.0 and big["p_reached"].item() == pytest.approx(1.0)
    # by validation with k = 6 without replacement: the trial with the lowest final
    # valid_error (trial 0) is always chosen; diverged ones count as worst
    by_valid = best_steps_to_target(study, metric="valid_error", k=6, replace=False)
    assert by_valid["mean"].item() == 0.0 and by_valid["n_diverged"].item() == 2


def test_unknown_metric_and_metric_not_in_curves():
    study = hand_study()
    with pytest.raises(ParameterError, match="unknown metric 'nope'"):
        steps_to_target(study, metric="nope")
    with pytest.raises(ParameterError, match="'train_loss' is not in the curves"):
        steps_to_target(study, metric="train_loss", target=1.0)
    with pytest.raises(ParameterError, match="no target for workload 'w'"):
        steps_to_target(study, metric="accuracy")


def test_robustness_grid_flags_the_inconsistent_cells():
    bowls = {("w", "paper", "sgd"): Bowl(floor=0.05), ("w", "paper", "adam"): Bowl(floor=0.15)}
    study = synthetic_study(workloads=("w",), optimizers=("sgd", "adam"), n_trials=16,
                            bowls=bowls, seed=0)
    grid = target_robustness(study, metric="valid_error", targets=[0.1, 0.2, 0.5],
                             budgets=[50, 100, 190], k=16)
    cells = grid.cells.set_index(["target", "budget"])
    assert len(cells) == 9
    # adam (which includes sgd) never reaches 0.1: sgd is faster, inconsistent
    assert not cells.loc[(0.1, 190), "inclusion_consistent"]
    assert cells.loc[(0.1, 190), "ordering"] == "sgd; not reached: adam"
    # nobody reaches anything within 50 steps: all tie, trivially consistent
    assert cells.loc[(0.1, 50), "reached_by"] == 0 and cells.loc[(0.1, 50), "inclusion_consistent"]
    assert set(grid.outcomes["optimizer"]) == {"sgd", "adam"}


@pytest.mark.parametrize("metric", ["valid_error", "accuracy"])
def test_first_reach_equals_time_to_target_for_each_target(metric):
    study = hand_study()
    matrix = curve_matrix(study, [metric])
    chosen = study.metric(metric)
    rows = np.array([5, 0, 3, 4, 2, 1])
    targets = np.array([0.1, 0.2, 0.39, 0.4, 0.5, 0.9, 0.95, 1.0])
    expected = np.stack([time_to_target(matrix, chosen, t, rows=rows) for t in targets])
    np.testing.assert_array_equal(first_reach(matrix, chosen, targets, rows), expected)


def three_optimizers(curves: dict | None = None) -> Study:
    """One trial per optimizer, valid_error at steps 0, 10, 20, 30 (by default: at target 0.5
    and the full budget a (step 10) < b (20) < c (30))."""
    curves = curves or {"a": [1.0, 0.2, 0.1, 0.1], "b": [1.0, 0.6, 0.3, 0.1],
                        "c": [1.0, 0.9, 0.6, 0.4]}
    trials, frames = [], []
    for optimizer, valid in curves.items():
        key = {"workload": "w", "protocol": "p", "optimizer": optimizer, "repeat": 0,
               "trial": 0}
        trials.append({**key, "seed": 0, "status": "completed", "final.valid_error": valid[-1]})
        frames.append(pd.DataFrame({**key, "step": [0, 10, 20, 30], "valid_error": valid}))
    return Study.from_frames(pd.DataFrame(trials), pd.concat(frames, ignore_index=True),
                             metrics={"valid_error": METRICS["valid_error"]},
                             targets={"w": {"valid_error": 0.5}})


def test_robustness_default_budgets_start_after_the_first_evaluation():
    grid = target_robustness(three_optimizers(), targets=[0.5], k=1)
    # evaluations at 0, 10, 20, 30: a budget of 0 steps trains nothing and is no column
    assert sorted(grid.cells["budget"]) == [10, 20, 30]
    assert sorted(grid.outcomes["budget"].unique()) == [10, 20, 30]
    with pytest.raises(ParameterError, match="`budgets` must be positive"):
        target_robustness(three_optimizers(), targets=[0.5], budgets=[0, 10])


def test_robustness_unreached_pools_are_not_ranked_and_their_ties_change_nothing():
    grid = target_robustness(three_optimizers(), targets=[0.05, 0.15, 0.5, 0.95],
                             budgets=[10, 20, 30], k=1)
    cells = grid.cells.set_index(["target", "budget"])
    assert grid.reference["w"] == 0.5
    assert cells.loc[(0.5, 30), "ordering"] == "a < b < c"
    # only a reaches 0.5 within 10 steps: b and c are not reached, not tied
    assert cells.loc[(0.5, 10), "ordering"] == "a; not reached: b, c"
    assert cells.loc[(0.15, 30), "ordering"] == "a < b; not reached: c"
    assert cells.loc[(0.05, 30), "ordering"] == "not reached: a, b, c"
    # ... and agree with the reference a < b < c: no pair is ordered the other way round
    for cell in ((0.5, 10), (0.5, 20), (0.15, 30), (0.05, 30), (0.5, 30)):
        assert cells.loc[cell, "same_as_reference"], cell
    # every pool reaches 0.95 at step 10: a tie of reached pools is a change from a < b < c
    assert cells.loc[(0.95, 10), "ordering"] == "a = b = c"
    assert not cells.loc[(0.95, 10), "same_as_reference"]
    assert cells.loc[(0.95, 10), "pairs_changed"] == 3  # a-b, a-c, b-c all tied
    assert cells["pairs_changed"].eq(0).eq(cells["same_as_reference"]).all()
    assert cells.loc[(0.05, 30), "reached_by"] == 0


def test_robustness_a_reached_pool_beats_an_unreached_one():
    """x reaches 0.5 first (step 10, y at 20), but never 0.25, which y reaches at 20: in
    that cell y is ahead of x, the other way round than at the reference."""
    study = three_optimizers({"x": [1.0, 0.3, 0.3, 0.3], "y": [1.0, 0.9, 0.2, 0.1]})
    grid = target_robustness(study, targets=[0.25, 0.5], budgets=[10, 30], k=1)
    cells = grid.cells.set_index(["target", "budget"])
    assert cells.loc[(0.5, 30), "ordering"] == "x < y"
    assert cells.loc[(0.25, 30), "ordering"] == "y; not reached: x"
    assert not cells.loc[(0.25, 30), "same_as_reference"]
    assert cells.loc[(0.25, 30), "pairs_changed"] == 1
    # within 10 steps x reaches 0.5 and y does not: x ahead, as in the reference
    assert cells.loc[(0.5, 10), "ordering"] == "x; not reached: y"
    assert cells.loc[(0.5, 10), "same_as_reference"]
    # neither reaches 0.25 within 10 steps: nothing is ordered, nothing changed
    assert cells.loc[(0.25, 10), "same_as_reference"]
