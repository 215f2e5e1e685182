"""Per-trial records: atomic files, merged by the reader, compacted into the tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tunestats
from tunestats.errors import StudyFileError
from tunestats.study import compact_study, done_keys, write_record
from tunestats.study.io import write_meta

from ..conftest import make_small_study


def _record(trial: int, status: str = "completed") -> dict:
    steps = [0, 10, 20]
    return {"workload": "w", "protocol": "paper", "optimizer": "sgd", "repeat": 0,
            "trial": trial, "seed": 100 + trial, "status": status,
            "hp": {"learning_rate": 10.0 ** -(trial + 1), "momentum": 0.9},
            "final": {"train_loss": 0.5 / (trial + 1),
                      "valid_error": float("nan") if status == "diverged" else 0.1 * trial},
            "duration_s": 1.5, "message": None,
            "curve": {"step": steps, "train_loss": [1.0, 0.7, 0.5 / (trial + 1)],
                      "valid_error": [1.0, float("nan"), 0.1 * trial]}}


@pytest.fixture
def running_study(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    write_meta(folder, make_small_study().meta)
    return folder


def test_records_are_read_as_a_study(running_study: Path) -> None:
    for trial in range(3):
        write_record(running_study, _record(trial, "diverged" if trial == 2 else "completed"))
    study = tunestats.load_study(running_study)
    assert list(study.trials["trial"]) == [0, 1, 2]
    assert list(study.trials["status"]) == ["completed", "completed", "diverged"]
    assert study.trials.loc[1, "hp.learning_rate"] == 1e-2
    assert len(study.curves) == 9 and np.isnan(study.curves.loc[1, "valid_error"])


def test_compaction_folds_records_into_tables_and_removes_them(running_study: Path) -> None:
    for trial in range(3):
        write_record(running_study, _record(trial))
    before = tunestats.load_study(running_study)
    compact_study(running_study)
    assert not (running_study / "records").exists()
    after = tunestats.load_study(running_study)
    pd.testing.assert_frame_equal(before.trials, after.trials)
    pd.testing.assert_frame_equal(before.curves, after.curves)
    # more records after a compaction are merged with the tables
    write_record(running_study, _record(3))
    merged = tunestats.load_study(running_study)
    assert list(merged.trials["trial"]) == [0, 1, 2, 3]
    assert done_keys(running_study) == {("w", "paper", "sgd", 0, t) for t in range(4)}


def test_records_already_compacted_are_not_counted_twice(running_study: Path) -> None:
    """A compaction interrupted after writing the tables, before removing the records."""
    for trial in range(2):
        write_record(running_study, _record(trial))
    tunestats.load_study(running_study).save(running_study)  # tables written ...
    for trial in range(2):  # ... and the records come back as if not yet removed
        write_record(running_study, _record(trial))
    study = tunestats.load_study(running_study)
    assert list(study.trials["trial"]) == [0, 1]
    assert len(study.curves) == 6


def test_leftover_temporary_files_are_ignored(running_study: Path) -> None:
    write_record(running_study, _record(0))
    (running_study / "records" / ".r0-t1-abc.json.12345.tmp").write_text('{"workload": "w", "tr')
    study = tunestats.load_study(running_study)
    assert list(study.trials["trial"]) == [0]
    compact_study(running_study)
    assert not (running_study / "records").exists()


def test_a_corrupt_record_names_its_file(running_study: Path) -> None:
    path = write_record(running_study, _record(0))
    path.write_text(path.read_text()[:-20])
    with pytest.raises(StudyFileError, match=rf"{path.name}: malformed JSON at line 1"):
        tunestats.load_study(running_study)


def test_a_record_lacking_its_key_is_refused(running_study: Path) -> None:
    record = _record(0)
    del record["trial"]
    with pytest.raises(StudyFileError, match="lacks field"):
        write_record(running_study, record)
    path = write_record(running_study, _record(1))
    doc = json.loads(path.read_text())
    del doc["status"]
    path.write_text(json.dumps(doc))
    with pytest.raises(StudyFileError, match=r"lacks field.*status"):
        tunestats.load_study(running_study)
