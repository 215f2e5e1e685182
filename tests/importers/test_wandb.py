import json
import math
import sys

import pandas as pd
import pytest

from tunestats.errors import DataError, MissingDependencyError
from tunestats.importers import import_report, wandb
from tunestats.space import Param

SWEEP = """
method: random
metric:
  name: val/loss
  goal: minimize
parameters:
  lr:
    distribution: log_uniform_values
    min: 0.0001
    max: 0.1
  wd:
    distribution: log_uniform
    min: -9.21
    max: -2.3
  momentum:
    distribution: uniform
    min: 0.0
    max: 0.99
  batch_size:
    values: [32, 64]
  optimizer:
    values: [sgd, adam]
  epochs:
    value: 10
  noise:
    distribution: normal
    mu: 0
    sigma: 1
"""


@pytest.fixture
def export(tmp_path):
    """An API-style export: config/summary dict columns, histories per run, the sweep."""
    folder = tmp_path / "wandb"
    (folder / "history").mkdir(parents=True)
    runs = []
    for i, (state, opt) in enumerate([("finished", "sgd"), ("finished", "adam"),
                                      ("crashed", "sgd"), ("running", "adam"),
                                      ("finished", "adam")]):
        lr = 10.0 ** -(i % 3 + 1)
        config = {"lr": lr, "wd": 1e-3, "momentum": 0.5, "batch_size": 32, "optimizer": opt,
                  "epochs": 10}
        loss = [1.0 / (s + 1 + 10 * lr) for s in range(4)]
        summary = {"val/loss": loss[-1], "_runtime": 12.5 * (i + 1), "_step": 3,
                   "hist": {"_type": "histogram"}}
        runs.append({"id": f"run{i}", "name": f"glad-sun-{i}", "state": state,
                     "config": repr(config) if i % 2 else json.dumps(config),
                     "summary": json.dumps(summary)})
        if i != 4:
            pd.DataFrame({"_step": range(4), "_runtime": [1.0 * s for s in range(4)],
                          "val/loss": loss, "train/loss": [x / 2 for x in loss],
                          "_timestamp": 0}).to_csv(folder / "history" / f"run{i}.csv",
                                                   index=False)
    pd.DataFrame(runs).to_csv(folder / "runs.csv", index=False)
    (folder / "sweep.yaml").write_text(SWEEP)
    return folder


def test_runs_histories_and_sweep(export):
    study = wandb.read(export, mapping={"optimizer": "optimizer"},
                       constants={"workload": "cifar"})
    trials = study.trials.set_index("attr.run_id")
    assert set(trials.index) == {"run0", "run1", "run2", "run4"}
    assert trials.loc["run2", "status"] == "failed"
    assert trials.loc["run1", "optimizer"] == "adam" and "hp.optimizer" not in trials
    assert trials.loc["run1", "hp.lr"] == 0.01  # a Python-literal config cell
    assert trials.loc["run0", "duration_s"] == 12.5
    assert math.isclose(trials.loc["run0", "final.val_loss"], 1.0 / (4 + 1.0))
    space = study.spaces[("default", "sgd")]
    assert space["lr"] == Param("lr", "log", 1e-4, 0.1)
    assert math.isclose(space["wd"].low, math.exp(-9.21))
    assert space["momentum"] == Param("momentum", "linear", 0.0, 0.99)
    assert space["batch_size"].choices == (32, 64)
    assert space.fixed == {"epochs": 10} and "optimizer" not in space.names
    assert study.metric("val_loss").direction == "minimize"
    assert "stated by the format" in import_report(study).metrics["val_loss"]
    assert "inferred" in import_report(study).metrics["train_loss"]
    curve = study.curves[study.curves["trial"] == 0]
    assert curve["step"].tolist() == [0, 1, 2, 3] and curve["time_s"].tolist() == [0, 1, 2, 3]
    report = import_report(study)
    skipped = {(s.what, s.place) for s in report.skipped}
    assert ("parameter", "noise") in skipped
    assert ("column", "summary hist._type") in skipped
    assert any("status 'running'" in s.reason for s in report.skipped)
    assert any("no history file" in n for n in report.notes)


def test_prefixed_columns_and_unprefixed_with_mapping(tmp_path):
    table = pd.DataFrame({"ID": ["a", "b"], "State": ["finished", "finished"],
                          "config.lr": [0.1, 0.01], "summary.val_acc": [0.8, 0.9],
                          "GPU": ["A100", "A100"]})
    table.to_csv(tmp_path / "runs.csv", index=False)
    study = wandb.read(tmp_path / "runs.csv", constants={"optimizer": "adam"})
    assert study.trials["hp.lr"].tolist() == [0.1, 0.01]
    assert study.trials["final.val_acc"].tolist() == [0.8, 0.9]
    assert study.metric("val_acc").direction == "maximize"
    assert ("column", "GPU") in {(s.what, s.place) for s in import_report(study).skipped}
    bare = table.rename(columns={"config.lr": "lr", "summary.val_acc": "val_acc"})
    bare.to_csv(tmp_path / "runs.csv", index=False)
    with pytest.raises(DataError, match="cannot tell config from summary"):
        wandb.read(tmp_path)
    mapped = wandb.read(tmp_path, mapping={"hp": ["lr"], "metrics": ["val_acc"]})
    assert mapped.trials["final.val_acc"].tolist() == [0.8, 0.9]


def test_missing_yaml_names_the_extra(export, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(MissingDependencyError, match=r"tunestats\[importers\]"):
        wandb.read(export)
