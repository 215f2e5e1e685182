"""Curves as (trials, steps) matrices, against a pivot of the long table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import Metric, Study
from tunestats.analysis._curves import curve_matrix

METRICS = {"valid_error": Metric("valid_error", "minimize", "valid")}


def ragged_study(step_scale: int) -> Study:
    """Trials evaluated at different steps (some absent), with NaN evaluations."""
    rng = np.random.default_rng(0)
    trials, curves = [], []
    for optimizer in ("adam", "sgd"):
        for trial in range(4):
            key = {"workload": "w", "protocol": "p", "optimizer": optimizer, "repeat": 0,
                   "trial": trial}
            steps = np.sort(rng.choice(np.arange(6) * step_scale, size=3 + trial % 3,
                                       replace=False))
            values = rng.random(steps.size)
            values[rng.random(steps.size) < 0.2] = np.nan
            trials.append({**key, "seed": trial,
                           "status": "completed" if np.isfinite(values[-1]) else "diverged",
                           "final.valid_error": values[-1]})
            curves.append(pd.DataFrame({**key, "step": steps, "time_s": steps / 7.0,
                                        "valid_error": values}))
    return Study.from_frames(pd.DataFrame(trials), pd.concat(curves, ignore_index=True),
                             metrics=METRICS)


@pytest.mark.parametrize("step_scale", [1, 10**9])  # a lookup table, and numpy.unique
@pytest.mark.parametrize("time", ["step", "time_s"])
def test_matrix_equals_a_pivot_of_the_curves(step_scale, time):
    study = ragged_study(step_scale)
    matrix = curve_matrix(study, ["valid_error"], time=time)
    key = ["workload", "protocol", "optimizer", "repeat", "trial"]
    pivot = study.curves.pivot_table(index=key, columns="step", values="valid_error",
                                     dropna=False, observed=True, aggfunc="first")
    pivot = pivot.reindex(pd.MultiIndex.from_frame(study.trials[key]))
    np.testing.assert_array_equal(matrix.steps, pivot.columns.to_numpy())
    np.testing.assert_array_equal(matrix.values["valid_error"], pivot.to_numpy())
    present = study.curves.assign(one=True).pivot_table(
        index=key, columns="step", values="one", observed=True, aggfunc="first")
    present = present.reindex(pd.MultiIndex.from_frame(study.trials[key]),
                              columns=pivot.columns).notna().to_numpy()
    np.testing.assert_array_equal(matrix.present, present)
    stamps = np.where(present, matrix.steps / (7.0 if time == "time_s" else 1.0), np.nan)
    np.testing.assert_allclose(matrix.time, stamps, rtol=1e-15)


def test_last_value_is_the_last_evaluation_within_the_budget():
    study = ragged_study(10)
    matrix = curve_matrix(study, ["valid_error"])
    for budget in (None, -1, 0, 15, 30, 50, 1000):
        got = matrix.last_value("valid_error", budget)
        for row in range(len(matrix.trials)):
            inside = matrix.present[row] & (True if budget is None
                                            else matrix.time[row] <= budget)
            last = np.flatnonzero(inside)
            expected = matrix.values["valid_error"][row, last[-1]] if last.size else np.nan
            np.testing.assert_array_equal(got[row], expected)
