import json

import pytest

from tunestats.errors import DataError
from tunestats.importers import import_report, shallue
from tunestats.space import Param

STUDY = {"batch_size": 256, "dataset": "cifar_10", "model": "resnet_8",
         "optimizer": "nesterov_momentum", "early_stopping": False, "train_steps": 300,
         "parameter_configs": {
             "learning_rate": {"type": "DOUBLE", "scale": "LOG_SCALE", "min_value": 1e-4,
                               "max_value": 10.0},
             "momentum": {"type": "DOUBLE", "scale": "REVERSE_LOG_SCALE", "min_value": 0.9,
                          "max_value": 0.9999},
             "decay_steps": {"type": "INTEGER", "scale": "", "min_value": 100,
                             "max_value": 300},
             "label_smoothing": {"type": "DISCRETE", "feasible_points": [0.0, 0.01, 0.1]}}}


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "batch_science"
    for bs in (256, 1024):
        folder = root / "cifar_10" / "resnet_8" / "nesterov_momentum" / str(bs)
        folder.mkdir(parents=True)
        (folder / "study.json").write_text(json.dumps({**STUDY, "batch_size": bs}))
        for trial_id, status in ((1, "COMPLETE"), (2, "INFEASIBLE"), (3, "INCOMPLETE")):
            trial = folder / str(trial_id)
            trial.mkdir()
            (trial / "metadata.json").write_text(json.dumps({
                "_internal_study_name": "x", "_internal_trial_id": trial_id,
                "parameters": {"learning_rate": 0.1 * trial_id, "momentum": 0.99,
                               "decay_steps": 200, "label_smoothing": 0.01},
                "status": status, "steps": 300, "trial_id": trial_id}))
            lines = ["step,train/cross_entropy_error,val/classification_error"]
            for step in (0, 100, 200, 300):
                err = "nan" if status == "INFEASIBLE" and step >= 200 else 1.0 / (step + 1)
                lines.append(f"{step},{err},{err}")
            (trial / "measurements.csv").write_text("\n".join(lines) + "\n")
    return root


def test_studies_spaces_and_statuses(data):
    study = shallue.read(data)
    trials = study.trials
    assert set(trials["workload"]) == {"cifar_10-resnet_8"}
    assert sorted(trials["protocol"].unique()) == ["batch_size_1024", "batch_size_256"]
    assert set(trials["optimizer"]) == {"nesterov_momentum"}
    status = trials[trials["protocol"] == "batch_size_256"].set_index("trial")["status"]
    assert status.to_dict() == {1: "completed", 2: "diverged", 3: "failed"}
    space = study.spaces[("batch_size_256", "nesterov_momentum")]
    assert space["learning_rate"] == Param("learning_rate", "log", 1e-4, 10.0)
    assert space["momentum"] == Param("momentum", "reverse_log", 0.9, 0.9999)
    assert space["decay_steps"] == Param("decay_steps", "linear", 100, 300)
    assert space["label_smoothing"].choices == (0.0, 0.01, 0.1)
    assert study.metric("val_classification_error").split == "valid"
    assert study.metric("val_classification_error").direction == "minimize"
    curve = study.curves[(study.curves["trial"] == 1) & (study.curves["protocol"]
                                                        == "batch_size_256")]
    assert curve["step"].tolist() == [0, 100, 200, 300]
    assert curve["train_cross_entropy_error"].tolist() == [1.0, 1 / 101, 1 / 201, 1 / 301]


def test_bad_space_and_missing_measurements(data):
    folder = data / "cifar_10" / "resnet_8" / "nesterov_momentum" / "256"
    (folder / "1" / "measurements.csv").unlink()
    (folder / "2" / "metadata.json").write_text('{"status": "COMPL')
    study = shallue.read(data)
    row = study.trials[(study.trials["protocol"] == "batch_size_256")
                       & (study.trials["trial"] == 1)].iloc[0]
    assert row["status"] == "failed" and "no measurements.csv" in row["message"]
    assert any(s.place == str(folder / "2") for s in import_report(study).skipped)
    doc = json.loads((folder / "study.json").read_text())
    doc["parameter_configs"]["momentum"]["scale"] = "CUBE_SCALE"
    (folder / "study.json").write_text(json.dumps(doc))
    with pytest.raises(DataError, match="momentum: unknown scale 'CUBE_SCALE'"):
        shallue.read(data)
