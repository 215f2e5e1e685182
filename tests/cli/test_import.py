"""``tunestats import``: every format end to end, then validate, info and figures."""

import json
from pathlib import Path

import pandas as pd
import pytest

from tunestats.cli.main import main
from tunestats.importers import import_report
from tunestats.study import load_study

from ..importers.conftest import algoperf_logs  # noqa: F401

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


def run(*argv):
    return main([str(a) for a in argv])


def check_study(folder, capsys, tmp_path):
    """The imported study passes validate and feeds info and figures."""
    assert run("validate", folder) == 0
    assert run("info", folder) == 0
    assert run("figures", folder, "--out", tmp_path / "fig") == 0
    out = capsys.readouterr().out
    assert "valid (" in out and "0 file(s) written" not in out
    assert (tmp_path / "fig" / "overview.png").exists()
    study = load_study(folder)
    assert study.metrics and len(study.trials)
    return study


def test_algoperf(algoperf_logs, tmp_path, capsys):  # noqa: F811
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"mnist": {"validation_accuracy": 0.7}}))
    out_dir = tmp_path / "study"
    assert run("import", "algoperf", algoperf_logs, "--out", out_dir, "--targets", targets) == 0
    captured = capsys.readouterr()
    assert "read algoperf from" in captured.out and "skipped 0" in captured.out
    assert "reading 24/24" in captured.err
    study = check_study(out_dir, capsys, tmp_path)
    assert study.targets == {"mnist": {"validation_accuracy": 0.7}}
    assert "time_s" in study.curves and study.spaces


def test_deepobs(tmp_path, capsys):
    # the Crowded Valley tree DeepOBS's own runners wrote (data/examples/make_deepobs.py)
    assert run("import", "deepobs", EXAMPLES / "deepobs", "--out", tmp_path / "s", "--protocol",
               "paper") == 0
    study = check_study(tmp_path / "s", capsys, tmp_path)
    assert set(study.trials["protocol"]) == {"paper", "paper-reruns"}
    assert set(study.trials["optimizer"]) == {"SGD", "Adam"}


def test_optuna(tmp_path, capsys):
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{tmp_path / 'o.db'}"
    s = optuna.create_study(study_name="adam", storage=url,
                            sampler=optuna.samplers.RandomSampler(seed=0))
    s.optimize(lambda t: t.suggest_float("lr", 1e-3, 1.0, log=True), n_trials=5)
    assert run("import", "optuna", url, "--out", tmp_path / "s", "--set", "workload=toy",
               "--metric", "objective=minimize:valid") == 0
    study = check_study(tmp_path / "s", capsys, tmp_path)
    assert "given by option" in import_report(study).metrics["objective"]


def test_generic_csv_with_map_and_json_report(tmp_path, capsys):
    table = pd.DataFrame({"opt": ["sgd"] * 4 + ["adam"] * 4, "id": [0, 0, 1, 1] * 2,
                          "epoch": [0, 1] * 4, "learning_rate": [0.1, 0.1, 0.01, 0.01] * 2,
                          "val_error": [0.9, 0.5, 0.9, 0.4, 0.9, 0.3, 0.9, 0.35]})
    table.to_csv(tmp_path / "t.csv", index=False)
    assert run("import", "generic", tmp_path / "t.csv", "--out", tmp_path / "s",
               "--map", "optimizer=opt", "--map", "trial=id", "--map", "step=epoch",
               "--map", "hp=learning_rate", "--set", "workload=mnist", "--json",
               "--to", "csv") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "generic" and report["read"]["trials"] == 4
    check_study(tmp_path / "s", capsys, tmp_path)


def test_usage_and_data_errors_exit_codes(tmp_path, capsys):
    assert run("import", "deepobs", tmp_path / "missing", "--out", tmp_path / "s") == 1
    assert "no such DeepOBS results folder" in capsys.readouterr().err
    (tmp_path / "r").mkdir()
    assert run("import", "deepobs", tmp_path / "r", "--out", tmp_path / "s",
               "--space", "x.json") == 2
    assert "`--space` does not apply to the deepobs format" in capsys.readouterr().err
    assert run("import", "generic", tmp_path / "r", "--out", tmp_path / "s", "--map", "trial") == 2
    assert run("import", "algoperf", tmp_path / "r", "--out", tmp_path / "s", "--metric",
               "x=sideways") == 2
