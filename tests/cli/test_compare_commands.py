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


def test_compare_screen_option(study_dir, capsys, tmp_path):
    """--n-screen 0 (one stage) and the default screen report the same flips and
    violations; the violations say how many permutations their p-values rest on; a
    negative count is refused in the flag's words."""
    payloads = {}
    for name, extra in (("screened", []), ("one-stage", ["--n-screen", "0"])):
        out = tmp_path / f"{name}.json"
        assert main(["compare", str(study_dir), "--k", "16", "--resamples", "50",
                     "--out", str(out), *extra]) == 0
        payloads[name] = json.loads(out.read_text())
    capsys.readouterr()
    for key in ("flips", "violations"):
        def strip(rows):
            return [{c: v for c, v in row.items() if c not in ("p_value", "p_adjusted",
                                                               "n_permutations")}
                    for row in rows]
        assert strip(payloads["screened"][key]) == strip(payloads["one-stage"][key])
    assert payloads["screened"]["violations"], "the planted violation is found"
    assert {v["n_permutations"] for v in payloads["screened"]["violations"]} == {1999}
    assert main(["compare", str(study_dir), "--n-screen", "-1"]) == 2
    assert "`--n-screen` must be a non-negative integer" in capsys.readouterr().err
