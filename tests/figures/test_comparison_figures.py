"""The comparison figures render for the bundled study and skip cleanly otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunestats import load_study
from tunestats.figures import render_figures
from tunestats.synthetic import synthetic_study

NAMES = ["best-trial", "rank-flips", "steps-to-target", "robustness", "performance-profile"]
BUNDLED = Path(__file__).resolve().parents[2] / "data" / "study"


@pytest.mark.slow
def test_bundled_study_renders_every_comparison_figure(tmp_path):
    report = render_figures(load_study(BUNDLED), tmp_path, names=NAMES)
    assert not report.skipped
    assert sorted(p.name for p in report.written) == sorted(f"{n}.png" for n in NAMES)


def test_single_protocol_without_targets_is_skipped(tmp_path):
    study = synthetic_study(optimizers=("sgd", "adam"), n_trials=4, n_steps=3, seed=0)
    report = render_figures(study, tmp_path, names=NAMES)
    assert [p.name for p in report.written] == ["best-trial.png"]
    assert report.skipped["rank-flips"] == "the study has a single protocol"
    assert "declares no target" in report.skipped["steps-to-target"]
