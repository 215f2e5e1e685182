"""The AlgoPerf importer on real published logs (tests/data/algoperf_v06, v0.6 leaderboard)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tunestats.errors import DataError
from tunestats.importers import algoperf, import_report

DATA = Path(__file__).parents[1] / "data" / "algoperf_v06"
TARGETS = DATA / "workload_targets_v06.json"
EXTERNAL = DATA / "logs" / "external_tuning"


@pytest.fixture(scope="module")
def v06():
    return algoperf.read(EXTERNAL, targets=TARGETS)


def test_targets_file_is_read_as_it_is():
    targets = algoperf.read_targets(TARGETS)
    doc = json.loads(TARGETS.read_text())
    assert targets.base_workloads == tuple(doc["base_workloads"])
    assert targets.held_out_workloads == ()
    assert set(targets.workloads) == set(doc["workloads"])
    ogbg = targets.workloads["ogbg"]
    assert (ogbg.column, ogbg.metric.name, ogbg.metric.direction, ogbg.value) == (
        "validation/mean_average_precision", "validation_mean_average_precision", "maximize",
        doc["workloads"]["ogbg"]["validation_target_value"])
    assert targets.workloads["librispeech_conformer"].metric.direction == "minimize"
    assert targets.base_of("criteo1tb_layernorm") == "criteo1tb"
    assert targets.base_of("imagenet_resnet_silu") == "imagenet_resnet"


def test_each_workload_is_judged_by_its_own_target_metric(v06):
    doc = json.loads(TARGETS.read_text())["workloads"]
    for workload in v06.workloads():
        expected = "validation_" + doc[workload]["target_metric_name"]
        assert v06.headline_metric(workload).name == expected
        assert v06.targets[workload] == {expected: doc[workload]["validation_target_value"]}
    assert v06.resolve_metric("test", "wmt").name == "test_bleu"
    assert v06.resolve_metric("train", "criteo1tb").name == "train_loss"
    # a workload's finals exist for its metrics and are NaN for the others
    wmt = v06.trials[(v06.trials["workload"] == "wmt") & (v06.trials["status"] == "completed")]
    assert np.isfinite(wmt["final.validation_bleu"]).all()
    assert wmt["final.validation_ssim"].isna().all()


def test_finals_equal_the_last_row_read_by_the_csv_module(v06):
    path = EXTERNAL / "shampoo" / "study_1" / "ogbg_pytorch" / "trial_4" / "eval_measurements.csv"
    with path.open() as handle:
        last = list(csv.DictReader(handle))[-1]
    row = v06.trials[(v06.trials["optimizer"] == "shampoo") & (v06.trials["repeat"] == 1)
                     & (v06.trials["workload"] == "ogbg") & (v06.trials["trial"] == 4)]
    assert row["final.validation_mean_average_precision"].item() == float(
        last["validation/mean_average_precision"])
    assert row["attr.score"].item() == float(last["score"])


def test_targets_of_absent_workloads_are_ignored_with_a_note(v06):
    notes = " ".join(import_report(v06).notes)
    assert "targets of 28 workload(s) not in the logs ignored" in notes
    assert "cifar" in notes


def test_search_spaces_are_found_in_the_submissions_tree(v06):
    assert set(v06.spaces) == {("external_tuning", "baseline"), ("external_tuning", "shampoo")}
    shampoo = v06.spaces[("external_tuning", "shampoo")]
    # lists of joint points, kept as lists (booleans as booleans), never per-coordinate choices
    assert shampoo.is_listed and not shampoo.params and len(shampoo.listed) == 5
    assert {type(v) for v in shampoo.listed_values("use_momentum")} == {bool}
    assert not [p for p in v06.problems if "outside the declared range" in p.message]
    assert not [p for p in v06.problems if "ran none of the" in p.message]  # all trials listed


def test_trials_without_evaluations_are_failed_and_counted(v06):
    failed = v06.trials[v06.trials["status"] == "failed"]
    assert len(failed) == 4
    assert set(failed["workload"]) == {"imagenet_vit"}


def test_stray_trial_folders_inside_a_study_folder_are_skipped_and_counted(tmp_path):
    root = tmp_path / "external_tuning"
    shutil.copytree(EXTERNAL / "baseline" / "study_0" / "ogbg_jax",
                    root / "baseline" / "study_0" / "ogbg_jax")
    shutil.copytree(EXTERNAL / "baseline" / "study_0" / "ogbg_jax" / "trial_1",
                    root / "baseline" / "study_0" / "trial_1")
    study = algoperf.read(root, targets=TARGETS)
    assert study.workloads() == ["ogbg"]
    assert len(study.trials) == 5
    report = import_report(study)
    assert [(s.what, Path(s.place).parts[-2:]) for s in report.skipped] == [
        ("trial", ("study_0", "trial_1"))]
    assert "directly inside a study folder" in report.skipped[0].reason


def test_self_tuning_logs_have_one_trial_per_study_and_no_hparams():
    study = algoperf.read(DATA / "logs" / "self_tuning", targets=TARGETS)
    assert set(study.trials["protocol"]) == {"self_tuning"}
    assert (study.trials.groupby(["workload", "repeat"]).size() == 1).all()
    assert study.headline_metric("fastmri").name == "validation_ssim"


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["workloads"]["ogbg"].pop("validation_target_value"), "validation_target_value"),
    (lambda d: d["workloads"]["ogbg"].update(target_metric_name="speed"), "direction"),
    (lambda d: d["base_workloads"].append("cifar10"), "no entry under `workloads`"),
    (lambda d: d.update(held_out_workloads=["mnist"]), "not a variant"),
])
def test_malformed_targets_files_name_the_place(tmp_path, change, message):
    doc = json.loads(TARGETS.read_text())
    change(doc)
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=message) as info:
        algoperf.read_targets(path)
    assert str(path) in str(info.value)
