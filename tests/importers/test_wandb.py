import importlib.util
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tunestats.cli.main import main
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
    assert report.pools["cifar/default/adam"] == {
        "trials": 2, "completed": 2, "diverged": 0, "failed": 0, "early-stopped": 0,
        "re-run": 0, "skipped": 1}
    assert report.pools["cifar/default/sgd"]["failed"] == 1


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


# -- real wandb output (tests/data/wandb, written by make_offline.py) -----------------------
DATA = Path(__file__).resolve().parents[1] / "data" / "wandb"
needs_wandb = pytest.mark.skipif(importlib.util.find_spec("wandb") is None,
                                 reason="needs the wandb extra")


def _by_run(study):
    return study.trials.set_index("attr.run_id")


@needs_wandb
def test_offline_runs_are_read_through_wandbs_reader():
    study = wandb.read(DATA / "offline" / "wandb", mapping={"optimizer": "optimizer"})
    trials = _by_run(study)
    assert sorted(trials.index) == [f"fixture{i}" for i in range(6)]
    # the run whose loss went NaN at step 3 is diverged, not completed with its step-2 loss
    assert trials.loc["fixture2", "status"] == "diverged"
    assert trials.loc["fixture5", "status"] == "failed"  # exit code 1
    assert trials.loc["fixture5", "message"] == "W&B state crashed"
    assert (trials.drop(["fixture2", "fixture5"])["status"] == "completed").all()
    assert trials.loc["fixture0", "optimizer"] == "sgd" and trials.loc["fixture3", "optimizer"] \
        == "adam"
    assert trials.loc["fixture0", "hp.nesterov"] == "true"
    assert trials.loc["fixture1", "hp.batch_size"] == 64
    # finals: the last logged value of the objective of make_offline.py
    lr, momentum, step = 0.05, 0.9, 5
    loss = (1.0 + 10 * lr) / (1 + step * lr * 100) + 0.1 * momentum
    assert math.isclose(trials.loc["fixture0", "final.val_loss"], loss)
    assert math.isclose(trials.loc["fixture0", "final.train_loss"], 0.9 * loss)
    curve = study.curves[study.curves["trial"] == trials.loc["fixture0", "trial"]]
    assert curve["step"].tolist() == list(range(6))
    crashed = study.curves[study.curves["trial"] == trials.loc["fixture5", "trial"]]
    assert crashed["step"].tolist() == [0, 1, 2]
    pools = import_report(study).pools
    assert pools["default/default/sgd"]["diverged"] == 1
    assert pools["default/default/adam"]["failed"] == 1


def test_offline_runs_without_the_extra_say_so_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "wandb", None)
    monkeypatch.setitem(sys.modules, "wandb.util", None)
    with pytest.raises(MissingDependencyError, match=r"tunestats\[wandb\]"):
        wandb.read(DATA / "offline" / "wandb")
    code = main(["import", "wandb", str(DATA / "offline" / "wandb"), "--out",
                 str(tmp_path / "s")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1 and "tunestats[wandb]" in err
    assert not (tmp_path / "s").exists()


def test_docs_export_recipe_with_nan_summaries():
    """runs.csv as W&B's docs recipe writes it: dict reprs, `nan` in a diverged run."""
    study = wandb.read(DATA / "export", mapping={"optimizer": "optimizer"})
    trials = _by_run(study)
    assert trials.loc["run-2", "status"] == "diverged"
    assert trials["status"].drop("run-2").eq("completed").all()
    assert "final.val_loss" in trials and trials["final.val_loss"].drop("run-2").notna().all()
    assert trials.loc["run-1", "final.val_loss"] == 0.56
    assert trials.loc["run-0", "hp.nesterov"] == "true"
    # the sweep's metric is the headline, before val_accuracy (also a validation metric)
    assert study.workload_metrics("default").valid == "val_loss"
    assert study.workload_metrics("default").train == "train_loss"
    space = study.spaces[("default", "sgd")]
    # the sweep's types survive: a bool, an integer range (issue 10)
    assert space["nesterov"] == Param("nesterov", "bool")
    assert space["batch_size"] == Param("batch_size", "int", 16, 128)
    # and the trials (booleans stored as "true"/"false") lie inside them
    assert space["nesterov"].contains(trials["hp.nesterov"].dropna()).all()
    assert space["batch_size"].contains(trials["hp.batch_size"].dropna()).all()
    assert not space["batch_size"].contains([16.5]).any()
    assert study.provenance["wandb_sweep_types"] == {
        "lr": "float", "momentum": "float", "nesterov": "bool", "batch_size": "int"}


def test_nan_and_inf_cells_parse(tmp_path):
    cells = pd.DataFrame({"summary": [{"loss": math.inf}, {"loss": 0.5}, {"loss": np.float64(0.25)}],
                          "config": [{"lr": 0.1}, {"lr": 0.01}, {"lr": np.float64(0.001)}],
                          "name": ["a", "b", "c"]})
    cells.to_csv(tmp_path / "runs.csv")
    study = wandb.read(tmp_path, constants={"optimizer": "sgd"})
    trials = _by_run(study)
    assert trials["status"].to_dict() == {"a": "diverged", "b": "completed", "c": "completed"}
    assert trials.loc["c", "final.loss"] == 0.25 and trials.loc["c", "hp.lr"] == 0.001


def test_sweep_space_only_for_pools_that_have_its_parameters(tmp_path):
    configs = [{"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True,
                "batch_size": 32},
               {"optimizer": "adam", "lr": 0.01, "beta1": 0.9}]
    summaries = [{"val/loss": 0.5}, {"val/loss": 0.4}]
    pd.DataFrame({"summary": summaries, "config": configs, "name": ["a", "b"]}).to_csv(
        tmp_path / "runs.csv")
    (tmp_path / "sweep.yaml").write_text((DATA / "export" / "sweep.yaml").read_text())
    study = wandb.read(tmp_path, mapping={"optimizer": "optimizer"})
    assert list(study.spaces) == [("default", "sgd")]
    skipped = {s.place: s.reason for s in import_report(study).skipped}
    assert "batch_size, momentum, nesterov" in skipped["default/adam"]


def test_map_names_a_column_of_a_ui_export(tmp_path):
    """The UI's CSV export: unprefixed config and summary columns."""
    pd.DataFrame({"Name": ["a", "b", "c"], "State": ["finished"] * 3,
                  "optimizer": ["sgd", "adam", "adam"], "lr": [0.1, 0.01, 0.001],
                  "val_loss": [0.3, 0.2, 0.1]}).to_csv(tmp_path / "runs.csv", index=False)
    study = wandb.read(tmp_path, mapping={"hp": ["lr"], "metrics": ["val_loss"],
                                          "optimizer": "optimizer"})
    assert _by_run(study)["optimizer"].to_dict() == {"a": "sgd", "b": "adam", "c": "adam"}
    assert "optimizer" not in {s.place for s in import_report(study).skipped}


def test_a_run_id_with_path_components_reads_nothing_outside(tmp_path):
    export = tmp_path / "export"
    (export / "history").mkdir(parents=True)
    outside = tmp_path / "secret.csv"
    pd.DataFrame({"_step": [0, 1], "val_loss": [9.0, 9.0]}).to_csv(outside, index=False)
    pd.DataFrame({"_step": [0, 1], "val_loss": [0.5, 0.4]}).to_csv(export / "history" / "ok.csv",
                                                                  index=False)
    pd.DataFrame({"id": ["ok", "../../secret"], "state": ["finished"] * 2,
                  "config.lr": [0.1, 0.2], "summary.val_loss": [0.4, 0.3]}).to_csv(
        export / "runs.csv", index=False)
    study = wandb.read(export, constants={"optimizer": "sgd"})
    assert len(study.curves) == 2 and (study.curves["val_loss"] < 1).all()
    reasons = [s.reason for s in import_report(study).skipped]
    assert any("'../../secret' is not a plain file name" in r for r in reasons)


@needs_wandb
def test_stray_and_malformed_offline_folders_are_listed(tmp_path):
    root = tmp_path / "wandb"
    shutil.copytree(DATA / "offline" / "wandb", root)
    (root / "offline-run-20260101_000000-empty").mkdir()
    bad = root / "offline-run-20260101_000001-bad"
    bad.mkdir()
    (bad / "run-bad.wandb").write_bytes(b"not a transaction log")
    (root / "debug-internal.log").write_text("")
    study = wandb.read(root, mapping={"optimizer": "optimizer"})
    assert len(study.trials) == 6
    report = import_report(study)
    skipped = {s.place: s.reason for s in report.skipped}
    assert "0 .wandb files" in skipped[str(root / "offline-run-20260101_000000-empty")]
    assert "wandb cannot read this run file" in skipped[str(bad)]
    assert report.pools["?"]["skipped"] == 2


TYPED_SWEEP = """
method: random
metric: {name: val_loss, goal: minimize}
parameters:
  layers: {distribution: int_uniform, min: 1, max: 6}
  depth: {min: 2, max: 12}
  width: {distribution: q_log_uniform_values, min: 16, max: 1024}
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  decay: {distribution: q_log_uniform_values, min: 0.001, max: 0.1}
  heads: {distribution: q_uniform, min: 2, max: 16, q: 2}
  dropout: {distribution: q_uniform, min: 0.0, max: 0.5, q: 0.1}
  momentum: {distribution: uniform, min: 0.0, max: 0.99}
  nesterov: {values: [true, false]}
  batch: {values: [32, 64, 128]}
"""


@pytest.mark.skipif(importlib.util.find_spec("wandb") is None, reason="needs the wandb extra")
def test_sweep_types_agree_with_wandbs_own_reading(tmp_path):
    """W&B's own optuna scheduler maps each sweep distribution onto an optuna
    distribution (wandb.sdk.sweeps.scheduler.optuna); the space read from the sweep
    must be the space tunestats reads from that optuna distribution."""
    yaml = pytest.importorskip("yaml")
    scheduler = pytest.importorskip("wandb.sdk.sweeps.scheduler.optuna")
    from tunestats.importers.optuna import space_entry

    path = tmp_path / "sweep.yaml"
    path.write_text(TYPED_SWEEP)
    entries, left_out, _, types = wandb.read_sweep(path)
    assert not left_out
    reference = scheduler.search_space_from_sweep_config(
        yaml.safe_load(TYPED_SWEEP)["parameters"])
    for name, distribution in reference.items():
        expected = space_entry(distribution)
        assert entries[name] == expected, name
    assert {n: e.get("scale") for n, e in entries.items()} == {
        "layers": "int", "depth": "int", "width": "int_log", "lr": "log", "decay": "log",
        "heads": "int", "dropout": "linear", "momentum": "linear", "nesterov": "bool",
        "batch": "choice"}
    assert types["width"] == "int" and types["decay"] == "float"
