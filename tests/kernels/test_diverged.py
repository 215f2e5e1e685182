"""The diverged-trial policy: what it replaces or removes, and what it counts."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats.errors import DataError, ParameterError
from tunestats.kernels import apply_diverged_policy


def test_worst_replaces_missing_values_by_the_worst_of_each_direction():
    out = apply_diverged_policy([0.9, np.nan, 0.7], [0.1, np.nan, 0.3], lost_value=np.inf,
                                select_direction="maximize", report_direction="minimize")
    np.testing.assert_array_equal(out.select, [0.9, -np.inf, 0.7])
    np.testing.assert_array_equal(out.report, [0.1, np.inf, 0.3])
    assert out.n_touched == 1
    assert out.kept.all()
    assert out.policy == "worst"


def test_flagged_trials_lose_their_recorded_values_under_worst():
    out = apply_diverged_policy([0.2, 0.1, 0.3], [1.0, 2.0, 3.0],
                                lost=np.array([False, True, False]), report_direction="maximize",
                                lost_value=-np.inf)
    np.testing.assert_array_equal(out.select, [0.2, np.inf, 0.3])
    np.testing.assert_array_equal(out.report, [1.0, -np.inf, 3.0])
    assert out.n_touched == 1


def test_a_missing_reported_value_alone_touches_the_trial():
    out = apply_diverged_policy([0.2, 0.1, 0.3], [1.0, np.nan, 3.0], lost_value=np.inf)
    np.testing.assert_array_equal(out.select, [0.2, 0.1, 0.3])
    np.testing.assert_array_equal(out.report, [1.0, np.inf, 3.0])
    assert out.n_touched == 1


def test_the_default_lost_value_is_the_worst_finite_value_of_the_untouched_trials():
    out = apply_diverged_policy([0.9, np.nan, 0.7, 0.8], [0.1, np.nan, 0.3, 0.2],
                                select_direction="maximize", report_direction="minimize")
    np.testing.assert_array_equal(out.report, [0.1, 0.3, 0.3, 0.2])
    assert out.lost_value == 0.3
    # a maximised report: the smallest; per step of a curve; flagged values do not count
    curves = np.array([[0.5, 0.9, 0.7], [0.6, 0.1, np.nan]])
    out = apply_diverged_policy([0.1, 0.2, 0.3], curves, report_direction="maximize",
                                lost=np.array([False, True, False]))
    np.testing.assert_array_equal(out.report, [[0.5, 0.5, 0.7], [0.6, 0.6, 0.6]])
    # no finite value anywhere: the worst of the direction
    out = apply_diverged_policy([0.1, np.nan], [np.nan, np.nan])
    np.testing.assert_array_equal(out.report, [np.inf, np.inf])


def test_exclude_removes_and_counts_trials_with_any_missing_step():
    curves = np.array([[1.0, 2.0, 3.0, 4.0],
                       [1.0, np.nan, 3.0, 4.0]])
    out = apply_diverged_policy([0.1, 0.2, np.nan, 0.4], curves, policy="exclude",
                                lost=np.array([False, False, False, True]))
    np.testing.assert_array_equal(out.select, [0.1])
    np.testing.assert_array_equal(out.report, [[1.0], [1.0]])
    np.testing.assert_array_equal(out.kept, [True, False, False, False])
    assert out.n_touched == 3


def test_inputs_are_not_modified():
    select = np.array([0.2, np.nan])
    apply_diverged_policy(select, select)
    assert np.isnan(select[1])


def test_empty_pool_and_nothing_left_are_data_errors():
    with pytest.raises(DataError, match=r"the pool is empty: `select` holds no trial; got shape "
                                        r"\(0,\)"):
        apply_diverged_policy([], [])
    with pytest.raises(DataError, match=r"every trial of the pool is diverged, failed or missing "
                                        r"a value \(2 of 2\); the policy diverged='exclude'"):
        apply_diverged_policy([np.nan, 0.1], [1.0, 2.0], policy="exclude",
                              lost=np.array([False, True]))


def test_bad_arguments():
    with pytest.raises(ParameterError, match="`policy` must be one of 'worst', 'exclude'; "
                                             "got 'drop'"):
        apply_diverged_policy([0.1], [0.1], policy="drop")
    with pytest.raises(ParameterError, match="`lost` must be a boolean array with one entry "
                                             "per trial"):
        apply_diverged_policy([0.1, 0.2], [0.1, 0.2], lost=[0, 1])
    with pytest.raises(ParameterError, match="same trials on their last axis; got 2 and 3"):
        apply_diverged_policy([0.1, 0.2], [0.1, 0.2, 0.3])


def test_lost_value_sets_what_a_lost_trial_reports_not_how_it_is_selected() -> None:
    from tunestats.kernels import exact_best_of_k

    select = np.array([0.2, np.nan, 0.1, 0.3])
    report = np.array([0.25, np.nan, 0.15, 0.35])
    out = apply_diverged_policy(select, report, lost=np.array([False, True, False, False]),
                                lost_value=1.0)
    assert out.select.tolist() == [0.2, np.inf, 0.1, 0.3]
    assert out.report.tolist() == [0.25, 1.0, 0.15, 0.35]
    # k = 1 with replacement: the mean is the plain average with the lost trial at 1.0
    mean = exact_best_of_k(out.select, out.report, 1).mean
    assert mean == pytest.approx((0.25 + 1.0 + 0.15 + 0.35) / 4, abs=1e-15)
    with pytest.raises(ParameterError, match=r"`lost_value` must be a real number \(±inf allowed\); got nan"):
        apply_diverged_policy(select, report, lost_value=float("nan"))
