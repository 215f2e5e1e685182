"""Per-workload metrics (``workloads`` in study.json): parsing, validation, roles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tunestats import Metric, Study, load_study
from tunestats.errors import ParameterError, StudyValidationError
from tunestats.study import WorkloadMetrics
from tunestats.study.meta import parse_meta

METRICS = {"validation_accuracy": Metric("validation_accuracy", "maximize", "valid"),
           "test_accuracy": Metric("test_accuracy", "maximize", "test"),
           "validation_ssim": Metric("validation_ssim", "maximize", "valid"),
           "train_loss": Metric("train_loss", "minimize", "train")}
WORKLOADS = {"imagenet": {"metrics": ["validation_accuracy", "test_accuracy", "train_loss"],
                          "valid": "validation_accuracy", "test": "test_accuracy",
                          "train": "train_loss"},
             "fastmri": {"metrics": ["validation_ssim", "train_loss"],
                         "valid": "validation_ssim"}}


def mixed_trials() -> pd.DataFrame:
    """Two workloads with different metrics: NaN where a workload does not log one."""
    nan = np.nan
    return pd.DataFrame({
        "workload": ["imagenet"] * 3 + ["fastmri"] * 3, "protocol": "p", "optimizer": "adam",
        "repeat": 0, "trial": [0, 1, 2] * 2, "status": "completed",
        "final.validation_accuracy": [0.7, 0.75, 0.72, nan, nan, nan],
        "final.test_accuracy": [0.6, 0.65, 0.61, nan, nan, nan],
        "final.validation_ssim": [nan, nan, nan, 0.71, 0.73, 0.72],
        "final.train_loss": [1.0, 0.9, 0.95, 0.2, 0.1, 0.15]})


def mixed_study(**kws) -> Study:
    return Study.from_frames(mixed_trials(), metrics=METRICS, workloads=WORKLOADS, **kws)


def test_mixed_workloads_validate_and_resolve_roles_per_workload():
    study = mixed_study()
    assert study.headline_metric("imagenet").name == "validation_accuracy"
    assert study.headline_metric("fastmri").name == "validation_ssim"
    assert study.resolve_metric("valid", "fastmri").name == "validation_ssim"
    assert study.resolve_metric("test", "imagenet").name == "test_accuracy"
    assert study.resolve_metric("train", "imagenet").name == "train_loss"
    assert study.resolve_metric("train_loss", "fastmri").name == "train_loss"
    with pytest.raises(ParameterError, match="'fastmri' has no metric playing the role 'test'"):
        study.resolve_metric("test", "fastmri")
    with pytest.raises(ParameterError, match="does not log the metric 'validation_accuracy'"):
        study.resolve_metric("validation_accuracy", "fastmri")
    with pytest.raises(ParameterError, match="unknown workload 'cifar'"):
        study.workload_metrics("cifar")


def test_study_level_rule_is_unchanged_without_the_section():
    trials = mixed_trials().fillna(0.5)
    study = Study.from_frames(trials, metrics=METRICS)
    derived = study.workload_metrics("fastmri")
    assert derived == WorkloadMetrics(tuple(METRICS), "validation_accuracy", "test_accuracy",
                                      "train_loss")
    assert study.headline_metric().name == "validation_accuracy"
    assert study.headline_metric("fastmri").name == "validation_accuracy"
    assert study.resolve_metric("validation_ssim", "fastmri").name == "validation_ssim"


def test_missing_final_is_refused_only_where_the_workload_declares_the_metric():
    trials = mixed_trials()
    trials.loc[4, "final.validation_ssim"] = np.nan  # fastmri logs it: refused
    with pytest.raises(StudyValidationError) as info:
        Study.from_frames(trials, metrics=METRICS, workloads=WORKLOADS)
    problems = [p for p in info.value.problems if p.severity == "error"]
    assert len(problems) == 1
    assert problems[0].column == "final.validation_ssim"
    assert problems[0].key == ("fastmri", "p", "adam", 0, 1)
    # the same NaN in a workload that does not log the metric is fine (rows 0-2 above)
    assert mixed_study().trials["final.validation_ssim"].isna().sum() == 3


def test_a_value_where_the_workload_logs_no_such_metric_is_an_error():
    trials = mixed_trials()
    trials.loc[0, "final.validation_ssim"] = 0.5
    with pytest.raises(StudyValidationError, match="does not log"):
        Study.from_frames(trials, metrics=METRICS, workloads=WORKLOADS)


def test_a_declared_metric_without_a_final_column_is_an_error():
    trials = mixed_trials().drop(columns="final.validation_ssim")
    with pytest.raises(StudyValidationError, match="declares the metric 'validation_ssim'"):
        Study.from_frames(trials, metrics=METRICS, workloads=WORKLOADS)


def test_a_workload_without_an_entry_is_an_error():
    workloads = {"imagenet": WORKLOADS["imagenet"]}
    trials = mixed_trials()
    trials["final.validation_ssim"] = np.nan
    with pytest.raises(StudyValidationError, match="without an entry under `workloads`"):
        Study.from_frames(trials, metrics=METRICS, workloads=workloads)


def test_round_trip_keeps_the_section(tmp_path):
    study = mixed_study()
    study.save(tmp_path / "s")
    doc = json.loads((tmp_path / "s" / "study.json").read_text())
    assert doc["workloads"] == WORKLOADS
    again = load_study(tmp_path / "s")
    assert again.meta.workloads == study.meta.workloads
    assert again.headline_metric("fastmri").name == "validation_ssim"


@pytest.mark.parametrize(("change", "path", "message"), [
    (lambda w: w["fastmri"].pop("valid"), "workloads.fastmri.valid", "headline metric"),
    (lambda w: w["fastmri"].update(valid="validation_accuracy"), "workloads.fastmri.valid",
     "not among the workload's metrics"),
    (lambda w: w["imagenet"].update(test="validation_accuracy"), "workloads.imagenet.test",
     "has split 'valid'"),
    (lambda w: w["fastmri"]["metrics"].append("bleu"), "workloads.fastmri.metrics",
     "not declared"),
    (lambda w: w["fastmri"].update(metrics="validation_ssim"), "workloads.fastmri.metrics",
     "non-empty list"),
    (lambda w: w["fastmri"].update(target=1), "workloads.fastmri.target", "unknown field"),
])
def test_malformed_sections_name_the_json_path(change, path, message):
    workloads = json.loads(json.dumps(WORKLOADS))
    change(workloads)
    doc = {"schema_version": 1, "metrics": {n: m.to_dict() for n, m in METRICS.items()},
           "workloads": workloads}
    meta, problems = parse_meta(doc)
    errors = [p for p in problems if p.severity == "error"]
    assert meta is None
    assert [p.column for p in errors] == [path]
    assert message in errors[0].message
