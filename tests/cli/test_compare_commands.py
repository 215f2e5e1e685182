"""The compare, steps-to-target and profile commands: tables, files, exit codes."""

from __future__ import annotations

import json

import pytest

from tunestats.cli.main import main
from tunestats.synthetic import Bowl, synthetic_study


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    bowls = {("w", "narrow", "adam"): Bowl(floor=0.15), ("w", "narrow", "sgd"): Bowl(floor=0.08),
             ("w", "full", "adam"): Bowl(floor=0.03), ("w", "full", "sgd"): Bowl(floor=0.08)}
    study = synthetic_study(workloads=("w",), protocols=("narrow", "full"),
                            optimizers=("sgd", "adam"), n_trials=16, n_steps=10, bowls=bowls,
                            seed=0)
    folder = tmp_path_factory.mktemp("s") / "study"
    study.save(folder)
    return folder


def test_compare_lists_flips_and_violations_first(study_dir, capsys, tmp_path):
    out = tmp_path / "cmp.json"
    assert main(["compare", str(study_dir), "--k", "16", "--resamples", "50",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.index("== flips ==") < text.index("== violations ==") < text.index(
        "== rankings ==")
    payload = json.loads(out.read_text())
    assert payload["violations"][0]["protocol"] == "narrow"
    assert payload["violations"][0]["included"] == "sgd"
    assert {(f["a"], f["b"]) for f in payload["flips"]} == {("adam", "sgd")}


def test_steps_to_target_modes(study_dir, capsys, tmp_path):
    assert main(["steps-to-target", str(study_dir), "--target", "0.3", "--per-trial",
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["trials"]
    assert len(rows) == 64 and {"to_target", "reached"} <= set(rows[0])
    assert main(["steps-to-target", str(study_dir), "--target", "0.3", "--k", "4",
                 "--out", str(tmp_path / "s.csv")]) == 0
    assert (tmp_path / "s.csv").exists()
    assert main(["steps-to-target", str(study_dir), "--grid", "--targets", "0.2", "0.3",
                 "--budgets", "50", "90"]) == 0
    assert "cells inconsistent with inclusion" in capsys.readouterr().out


def test_profile_and_usage_errors(study_dir, capsys):
    assert main(["profile", str(study_dir), "--target", "0.3"]) == 0
    assert "== scores ==" in capsys.readouterr().out
    assert main(["profile", str(study_dir), "--target", "0.3", "--tau-max", "1"]) == 2
    assert "`--tau-max` must be" in capsys.readouterr().err
    assert main(["steps-to-target", str(study_dir), "--metric", "nope", "--target", "1"]) == 2
    assert main(["steps-to-target", str(study_dir)]) == 2
    assert "no target for workload 'w'" in capsys.readouterr().err
