"""Reports shared by the report tests: the bundled study's and an imported AlgoPerf
study's, each written once per test session (across xdist workers too)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from tunestats import load_study, report
from tunestats.importers import algoperf

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "study"
ALGOPERF = ROOT / "tests" / "data" / "algoperf_v06"
#: The subset of the real AlgoPerf v0.6 logs the imported study is made of.
SUBMISSIONS = ("baseline", "shampoo")
WORKLOADS = ("ogbg", "fastmri")
TRIALS = ("trial_1", "trial_2")


def _shared(tmp_path_factory, worker_id: str, name: str, write: Callable[[Path], None]) -> Path:
    """The folder ``name``, written once by ``write`` for every xdist worker of the run."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    folder = root / name
    with FileLock(str(folder) + ".lock"):
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            write(folder)
            (folder / "done").touch()
    return folder


def _write_report(study_dir: Path, folder: Path) -> None:
    report(load_study(study_dir), folder / "report.html")


def copy_algoperf_subset(dst: Path) -> dict[str, dict[str, float]]:
    """Copy 2 trial folders per study of 2 workloads of 2 submissions (3 studies each)
    from the real logs, with the submissions' search spaces; return the targets."""
    logs = ALGOPERF / "logs" / "external_tuning"
    for submission in SUBMISSIONS:
        for study in sorted((logs / submission).glob("study_*")):
            for workload in WORKLOADS:
                (folder,) = study.glob(f"{workload}_*")
                for trial in TRIALS:
                    shutil.copytree(folder / trial,
                                    dst / submission / study.name / folder.name / trial)
        shutil.copy(ALGOPERF / "submissions" / "external_tuning" / submission
                    / "tuning_search_space.json", dst / submission)
    doc = json.loads((ALGOPERF / "workload_targets_v06.json").read_text())["workloads"]
    return {w: {f"validation_{doc[w]['target_metric_name']}": doc[w]["validation_target_value"]}
            for w in WORKLOADS}


@pytest.fixture(scope="session")
def bundled_report(tmp_path_factory, worker_id) -> Path:
    """The folder holding ``report.html`` of data/study."""
    return _shared(tmp_path_factory, worker_id, "report-bundled",
                   lambda folder: _write_report(BUNDLED, folder))


@pytest.fixture(scope="session")
def algoperf_study(tmp_path_factory, worker_id) -> Path:
    """A study imported from a subset of the real AlgoPerf v0.6 logs (``study/``), and
    its report (``report.html``)."""
    if not ALGOPERF.is_dir():
        pytest.skip(f"{ALGOPERF.relative_to(ROOT)} (the real AlgoPerf logs) is not here")

    def write(folder: Path) -> None:
        targets = copy_algoperf_subset(folder / "logs")
        algoperf.read(folder / "logs", targets=targets).save(folder / "study")
        _write_report(folder / "study", folder)

    return _shared(tmp_path_factory, worker_id, "report-algoperf", write)
