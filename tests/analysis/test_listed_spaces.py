"""check_space on real AlgoPerf v0.6 logs, whose submissions' search spaces are
lists of joint points (tests/data/algoperf_v06)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tunestats.analysis import check_space
from tunestats.importers import algoperf
from tunestats.study import Study
from tunestats.study.validate import validate_tables

DATA = Path(__file__).parents[1] / "data" / "algoperf_v06"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    """ogbg (maximised mean average precision) for both submissions, 3 studies × 5 trials."""
    base = tmp_path_factory.mktemp("listed")
    logs = base / "logs" / "external_tuning"
    for source in (DATA / "logs" / "external_tuning").glob("*/study_*/ogbg_*"):
        shutil.copytree(source, logs / source.relative_to(DATA / "logs" / "external_tuning"))
    shutil.copytree(DATA / "submissions", base / "submissions")
    return algoperf.read(logs, targets=DATA / "workload_targets_v06.json")


def test_list_spaces_get_no_edges_and_an_exhausted_list(study):
    assert all(space.is_listed for space in study.spaces.values())
    result = check_space(study, seed=0)
    assert result.adequate and result.reasons.empty
    assert set(result.boundaries["verdict"]) == {"not applicable"}
    assert not result.boundaries["edge_kind"].notna().any()
    budgets = result.budgets.set_index("optimizer")
    assert set(budgets["verdict"]) == {"list exhausted"}
    assert (budgets["n_points"] == 5).all() and (budgets["n_points_tried"] == 5).all()
    assert len(result.notes) == 2
    assert result.notes["note"].str.startswith(
        "space is a finite list of 5 points: boundary check not applicable; 5 of 5 tried "
        "(list exhausted)").all()


def test_points_are_the_trials_folders_and_the_best_is_the_best_trials_point(study):
    """AlgoPerf's runner gives trial_<i> the i-th listed point: every point is run once per
    study, and the winning point is the one of the best trial (found here from the trials)."""
    result = check_space(study, seed=0)
    trials = study.trials
    for optimizer, points in result.points.groupby("optimizer", observed=True):
        assert points["point"].tolist() == [0, 1, 2, 3, 4]
        assert (points["n_trials"] == 3).all()  # study_0, study_1, study_2
        mine = trials[trials["optimizer"] == optimizer]
        final = mine["final.validation_mean_average_precision"].to_numpy(dtype=float)
        best_trial = int(mine["trial"].to_numpy()[np.nanargmax(final)])
        assert points.loc[points["best"], "point"].tolist() == [best_trial - 1]
        assert points["best_value"].max() == np.nanmax(final)


def test_an_untried_point_is_a_budget_reason(study):
    fewer = study.subset(study.trials["trial"] != 3)
    result = check_space(fewer, seed=0)
    assert not result.adequate
    assert set(result.budgets["verdict"]) == {"points untried"}
    assert set(result.reasons["reason"]) == {
        "not enough trials: 1 of the 5 listed points never tried"}
    untried = result.points[~result.points["tried"]]
    assert untried["point"].tolist() == [2, 2]
    assert result.notes["note"].str.contains(r"4 of 5 tried \(untried: 2\)").all()


def test_validation_warns_about_trials_that_ran_no_listed_point(study):
    trials = study.trials.copy()
    first = trials.index[0]
    trials.loc[first, "hp.learning_rate"] *= 2
    problems = validate_tables(trials, study.curves, study.meta).problems
    listed = [p for p in problems if "ran none of the 5 points" in p.message]
    assert len(listed) == 1 and listed[0].severity == "warning"
    assert listed[0].message.startswith("1 of 15 trials of external_tuning/")
    assert not [p for p in validate_tables(study.trials, study.curves, study.meta).problems
                if "ran none" in p.message]
