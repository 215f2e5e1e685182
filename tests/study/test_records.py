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


# -- the record module is a leaf; done_keys reads every table format ---------------

def test_records_module_is_a_leaf() -> None:
    import ast

    import tunestats.study.records as records

    tree = ast.parse(Path(records.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert imported.isdisjoint({"io", "model", "validate", "meta"})  # record files only


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_done_keys_reads_the_tables_in_their_format(tmp_path: Path, fmt: str) -> None:
    study = make_small_study()
    study.save(tmp_path / "s", format=fmt)
    write_record(tmp_path / "s", _record(99))
    expected = {tuple(row) for row in study.trials[["workload", "protocol", "optimizer",
                                                    "repeat", "trial"]].astype(object)
                .itertuples(index=False, name=None)}
    assert done_keys(tmp_path / "s") == expected | {("w", "paper", "sgd", 0, 99)}


def test_compaction_keeps_the_table_format(running_study: Path) -> None:
    study = make_small_study()
    study.save(running_study, format="csv")
    write_record(running_study, {**_record(50), "hp": {"learning_rate": 0.01, "momentum": 0.9}})
    compacted = compact_study(running_study)
    assert (running_study / "trials.csv").exists() and not (running_study / "records").exists()
    assert not (running_study / "trials.parquet").exists()
    assert len(compacted.trials) == len(study.trials) + 1


# -- one trial-key coder -------------------------------------------------------------

def _brute_order(frame: pd.DataFrame, columns: list[str]) -> list[int]:
    rows = [tuple(r) for r in frame[columns].astype(object).itertuples(index=False, name=None)]
    return sorted(range(len(rows)), key=lambda i: (rows[i], i))


@pytest.mark.parametrize("big", [False, True])
def test_key_codes_order_like_the_key_across_tables(big: bool) -> None:
    from tunestats.study.keys import key_codes

    rng = np.random.default_rng(3)
    columns = ["workload", "protocol", "optimizer", "repeat", "trial"]

    def table(n: int) -> pd.DataFrame:
        trial = rng.integers(0, 50, size=n)
        if big:  # ids near 2**62: the mixed-radix product overflows, the coder falls back
            trial = trial + 2**62 - 100
        return pd.DataFrame({"workload": rng.choice(["b", "a", "c"], n),
                             "protocol": pd.Categorical(rng.choice(["x", "y"], n)),
                             "optimizer": rng.choice(["sgd", "adam"], n),
                             "repeat": rng.integers(-1, 2, size=n), "trial": trial})

    a, b = table(300), table(200)
    code_a, code_b = key_codes([a, b], columns)
    assert list(np.argsort(code_a, kind="stable")) == _brute_order(a, columns)
    # equal keys get equal codes across the two tables, different keys different codes
    keys_a = [tuple(r) for r in a[columns].astype(object).itertuples(index=False, name=None)]
    keys_b = [tuple(r) for r in b[columns].astype(object).itertuples(index=False, name=None)]
    by_key = dict(zip(keys_a, code_a.tolist(), strict=True))
    for key, code in zip(keys_b, code_b.tolist(), strict=True):
        if key in by_key:
            assert by_key[key] == code
    assert len(set(keys_a) | set(keys_b)) == len(set(code_a.tolist()) | set(code_b.tolist()))


def test_a_study_with_trial_ids_near_two_to_the_62_loads_in_key_order() -> None:
    study = make_small_study()
    # two repeats and trial ids near 2**62: radix 2 × 2**62 overflows int64
    trials = study.trials.copy()
    trials["repeat"] = trials["trial"] % 2
    trials["trial"] = trials["trial"] + 2**62 + 2**60
    curves = study.curves.copy()
    curves["repeat"] = curves["trial"] % 2
    curves["trial"] = curves["trial"] + 2**62 + 2**60
    study = tunestats.Study(study.trials.assign(repeat=study.trials["trial"] % 2),
                            study.curves.assign(repeat=study.curves["trial"] % 2), study.meta)
    shifted = tunestats.Study(trials.iloc[::-1], curves, study.meta)
    pd.testing.assert_frame_equal(
        shifted.trials.assign(trial=shifted.trials["trial"] - (2**62 + 2**60)), study.trials)
    # the curve matrices (once coded without the overflow guard) match the unshifted study
    from tunestats.analysis._curves import curve_matrix

    metric = next(iter(study.metrics))
    got, want = curve_matrix(shifted, [metric]), curve_matrix(study, [metric])
    np.testing.assert_array_equal(got.present, want.present)
    np.testing.assert_array_equal(got.values[metric], want.values[metric])


# -- the study is read-only and every construction validates --------------------------

def test_a_study_is_read_only_and_pickles() -> None:
    import pickle

    study = make_small_study()
    with pytest.raises(AttributeError, match="read-only"):
        study.trials = study.trials.head(1)
    with pytest.raises(AttributeError, match="read-only"):
        study.meta = None
    again = pickle.loads(pickle.dumps(study))
    pd.testing.assert_frame_equal(again.trials, study.trials)
    assert again.meta == study.meta


def test_the_constructor_validates() -> None:
    study = make_small_study()
    orphan = study.curves.copy()
    orphan.loc[0, "trial"] = 9999  # a curve row of a trial that does not exist
    with pytest.raises(tunestats.StudyValidationError, match="not in the trials table"):
        tunestats.Study(study.trials, orphan, study.meta)
    subset = study.subset(study.trials["optimizer"].astype(str).eq("sgd").to_numpy())
    assert set(subset.trials["optimizer"].astype(str)) == {"sgd"}
    assert set(subset.curves["optimizer"].astype(str)) <= {"sgd"}
