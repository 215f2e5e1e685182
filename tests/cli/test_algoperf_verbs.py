"""Every verb and every figure family on imported real AlgoPerf v0.6 logs (two workloads
with different metrics), with the benchmark's targets file as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tunestats.cli.main import main

DATA = Path(__file__).parents[1] / "data" / "algoperf_v06"
VERBS = ("info", "validate", "best-of-k", "compare", "steps-to-target", "profile",
         "check-space")


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("v06")
    logs = base / "logs" / "external_tuning"
    for source in (DATA / "logs" / "external_tuning").glob("*/study_*/*"):
        if source.name.rsplit("_", 1)[0] in ("ogbg", "fastmri"):
            shutil.copytree(source, logs / source.relative_to(DATA / "logs" / "external_tuning"))
    shutil.copytree(DATA / "submissions", base / "submissions")  # found next to logs/
    out = base / "study"
    assert main(["import", "algoperf", str(logs), "--out", str(out), "--targets",
                 str(DATA / "workload_targets_v06.json")]) == 0
    return out


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_runs_with_defaults(study_dir, verb, capsys):
    assert main([verb, str(study_dir)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "error" not in captured.err


def test_check_space_gives_its_verdict(study_dir, capsys):
    """The submissions' spaces are lists of 5 joint points, each run by trial_1..5 of
    every study: no edges to flag, the list exhausted, exit 0."""
    code = main(["check-space", str(study_dir)])
    out = capsys.readouterr().out
    assert "validation_ssim" in out and "validation_mean_average_precision" in out
    assert code == 0
    assert out.splitlines()[0] == ("verdict: adequate; 4 pool(s) search a finite list of "
                                   "points: boundary check not applicable there (see notes)")
    assert out.count("space is a finite list of 5 points: boundary check not applicable; "
                     "5 of 5 tried (list exhausted)") == 4
    assert "open edge" not in out


def test_figures_write_every_family_with_data_and_say_why_others_are_skipped(
        study_dir, tmp_path, capsys):
    assert main(["figures", str(study_dir), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = {p.stem.split("-fastmri")[0].split("-ogbg")[0] for p in tmp_path.glob("*.png")}
    assert {"overview", "best-of-k", "best-of-k-confidence", "best-of-k-train-selection",
            "best-of-k-curve", "best-trial", "steps-to-target", "robustness",
            "performance-profile", "space-axes", "space-isolation", "space-pairs"} <= written
    skipped = [line for line in out.splitlines() if line.startswith("skipped ")]
    assert sorted(line.split(":")[0] for line in skipped) == ["skipped rank-flips"]
    assert all(len(line.split(": ", 1)[1]) > 10 for line in skipped)


def test_profile_says_first_that_it_applies_the_leaderboards_rule(study_dir, capsys):
    assert main(["profile", str(study_dir)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("rule: AlgoPerf's rule (as `tunestats leaderboard`)")
    assert "time: time_s; grid integral" in first
