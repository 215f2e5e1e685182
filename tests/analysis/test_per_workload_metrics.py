"""Every analysis defaults to each workload's own headline metric (a study mixing
workloads with different metrics: real AlgoPerf v0.6 logs, ogbg and fastmri)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tunestats
from tunestats.errors import ParameterError
from tunestats.importers import algoperf

DATA = Path(__file__).parents[1] / "data" / "algoperf_v06"
WORKLOADS = ("ogbg", "fastmri")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tunestats.Study:
    root = tmp_path_factory.mktemp("logs") / "external_tuning"
    for source in (DATA / "logs" / "external_tuning").glob("*/study_*/*"):
        if source.name.rsplit("_", 1)[0] in WORKLOADS:
            shutil.copytree(source, root / source.relative_to(DATA / "logs" / "external_tuning"))
    return algoperf.read(root, targets=DATA / "workload_targets_v06.json")


def test_best_of_k_picks_each_workloads_metrics(mixed):
    frame = tunestats.best_of_k(mixed, k=[1, 4], confidence=None)
    by_workload = frame.groupby("workload")[["select", "report"]].first()
    assert by_workload.loc["ogbg"].tolist() == ["validation_mean_average_precision",
                                                "test_mean_average_precision"]
    assert by_workload.loc["fastmri"].tolist() == ["validation_ssim", "test_ssim"]
    for workload in WORKLOADS:
        sub = mixed.select(workload=workload)
        m = mixed.workload_metrics(workload)
        alone = tunestats.best_of_k(sub, select=m.valid, report=m.test, k=[1, 4], confidence=None)
        got = frame[frame["workload"] == workload].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone, check_categorical=False)


def test_roles_resolve_per_workload(mixed):
    frame = tunestats.best_of_k(mixed, select="train", report="valid", k=[2], confidence=None)
    pairs = frame.groupby("workload")[["select", "report"]].first()
    assert pairs.loc["fastmri"].tolist() == ["train_ssim", "validation_ssim"]
    with pytest.raises(ParameterError, match="workload 'fastmri' does not log"):
        tunestats.best_of_k(mixed, select="validation_mean_average_precision", confidence=None)


def test_error_context_keeps_the_original_exception(mixed):
    with pytest.raises(ParameterError) as info:
        tunestats.best_of_k(mixed, select="validation_mean_average_precision", confidence=None)
    assert str(info.value).startswith("pool fastmri/external_tuning/baseline: ")
    assert isinstance(info.value.__cause__, ParameterError)


def test_steps_and_profiles_use_each_workloads_target_metric(mixed):
    steps = tunestats.steps_to_target(mixed, time="time_s")
    metrics = steps.groupby("workload")["metric"].first()
    assert metrics.to_dict() == {"fastmri": "validation_ssim",
                                 "ogbg": "validation_mean_average_precision"}
    ogbg = steps[steps["workload"] == "ogbg"]
    assert (ogbg["target"] == mixed.targets["ogbg"]["validation_mean_average_precision"]).all()
    # by hand: a maximised metric reaches its target at the first value >= it
    curve = mixed.curves[(mixed.curves["workload"] == "ogbg")
                         & (mixed.curves["optimizer"] == "shampoo")
                         & (mixed.curves["repeat"] == 0) & (mixed.curves["trial"] == 4)]
    hit = curve["validation_mean_average_precision"].to_numpy() >= 0.28098
    row = ogbg[(ogbg["optimizer"] == "shampoo") & (ogbg["repeat"] == 0) & (ogbg["trial"] == 4)]
    assert row["to_target"].item() == curve["time_s"].to_numpy()[np.argmax(hit)]
    profile = tunestats.performance_profile(mixed, time="time_s")
    assert set(profile.ratios["metric"]) == {"validation_ssim",
                                             "validation_mean_average_precision"}


def test_check_space_judges_each_workload_by_its_metric(mixed):
    result = tunestats.check_space(mixed, n_resamples=20, seed=0)
    assert {w: m.name for w, m in result.metrics.items()} == {
        "fastmri": "validation_ssim", "ogbg": "validation_mean_average_precision"}


def test_compare_ranks_each_workload_by_its_metric(mixed):
    from tunestats.analysis import compare_protocols

    result = compare_protocols(mixed, n_resamples=20, seed=0)
    assert result.rankings.groupby("workload")["select"].first().to_dict() == {
        "fastmri": "validation_ssim", "ogbg": "validation_mean_average_precision"}
