"""Steps-to-target on hand-built curves, best-of-k steps and the robustness grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import Metric, ParameterError, Study, steps_to_target
from tunestats.analysis import best_steps_to_target, target_robustness
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
    assert cells.loc[(0.1, 190), "ordering"] == "sgd < adam"
    # nobody reaches anything within 50 steps: all tie, trivially consistent
    assert cells.loc[(0.1, 50), "reached_by"] == 0 and cells.loc[(0.1, 50), "inclusion_consistent"]
    assert set(grid.outcomes["optimizer"]) == {"sgd", "adam"}
