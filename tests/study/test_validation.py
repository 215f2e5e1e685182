"""Every bad input of the study format gets an error naming the offending place."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tunestats
from tunestats.cli.main import main
from tunestats.errors import StudyFileError, StudyValidationError, StudyWarning

from ..conftest import edit_json


def _edit_table(folder: Path, name: str, change) -> None:
    path = folder / f"{name}.parquet"
    frame = pd.read_parquet(path)
    frame = change(frame)
    frame.to_parquet(path, index=False)


def _set(frame: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    if isinstance(value, str):  # a text value turns the whole column into text
        frame = frame.astype({column: str})
    frame.loc[row, column] = value
    return frame


# Each case: how to break a valid study, then strings the error must contain (the file,
# the column, the trial key or the value, what was expected).
TABLE_CASES = {
    "missing required column": (
        lambda d: _edit_table(d, "trials", lambda f: f.drop(columns="status")),
        ["trials.parquet", "'status'", "missing required column"]),
    "text where numbers belong": (
        lambda d: _edit_table(d, "trials", lambda f: _set(f, 2, "final.valid_error", "oops")),
        ["trials.parquet", "'final.valid_error'", "w/paper/sgd/0/2", "'oops'", "a number"]),
    "unknown status": (
        lambda d: _edit_table(d, "trials", lambda f: _set(f, 1, "status", "done")),
        ["trials.parquet", "'status'", "w/paper/sgd/0/1", "'done'",
         "completed | diverged | failed"]),
    "duplicate trial key": (
        lambda d: _edit_table(d, "trials", lambda f: f.assign(trial=[0, 1, 1, 3])),
        ["trials.parquet", "duplicate trial key", "w/paper/sgd/0/1"]),
    "curve rows of an unknown trial": (
        lambda d: _edit_table(d, "curves", lambda f: f.assign(
            trial=np.where(f["trial"] == 3, 7, f["trial"]))),
        ["curves.parquet", "not in the trials table", "w/paper/sgd/0/7"]),
    "decreasing step": (
        lambda d: _edit_table(d, "curves", lambda f: _set(f, 4, "step", 0)),
        ["curves.parquet", "'step'", "w/paper/sgd/0/1", "decreasing step"]),
    "duplicate step": (
        lambda d: _edit_table(d, "curves", lambda f: _set(f, 5, "step", 10)),
        ["curves.parquet", "'step'", "w/paper/sgd/0/1", "duplicate or decreasing"]),
    "negative step": (
        lambda d: _edit_table(d, "curves", lambda f: _set(f, 0, "step", -5)),
        ["curves.parquet", "'step'", "w/paper/sgd/0/0", "-5", "step ≥ 0"]),
    "undeclared metric in curves": (
        lambda d: _edit_table(d, "curves", lambda f: f.assign(valid_loss=1.0)),
        ["curves.parquet", "'valid_loss'", "not declared"]),
    "undeclared metric in trials": (
        lambda d: _edit_table(d, "trials", lambda f: f.assign(**{"final.bleu": 1.0})),
        ["trials.parquet", "'final.bleu'", "not declared"]),
    "hyperparameter of the space missing": (
        lambda d: _edit_table(d, "trials", lambda f: f.drop(columns="hp.momentum")),
        ["trials.parquet", "'hp.momentum'", "paper/sgd", "missing"]),
    "non-finite final metric in a completed trial": (
        lambda d: _edit_table(d, "trials", lambda f: _set(f, 3, "final.train_loss", np.inf)),
        ["trials.parquet", "'final.train_loss'", "w/paper/sgd/0/3", "inf", "diverged"]),
    "NaN final metric in a completed trial": (
        lambda d: _edit_table(d, "trials", lambda f: _set(f, 0, "final.valid_error", np.nan)),
        ["trials.parquet", "'final.valid_error'", "w/paper/sgd/0/0", "nan"]),
    "empty study": (
        lambda d: _edit_table(d, "trials", lambda f: f.iloc[:0]),
        ["trials.parquet", "empty study"]),
    "metric without a valid direction": (
        lambda d: edit_json(d / "study.json",
                            lambda j: j["metrics"]["valid_error"].update(direction="down")),
        ["study.json", "metrics.valid_error.direction", "'down'", "'minimize' or 'maximize'"]),
    "unsupported schema version": (
        lambda d: edit_json(d / "study.json", lambda j: j.update(schema_version=99)),
        ["study.json", "schema_version", "99", "unsupported"]),
    "low >= high": (
        lambda d: edit_json(d / "study.json", lambda j: j["spaces"][0]["params"][
            "learning_rate"].update(low=1.0, high=0.1)),
        ["study.json", "spaces[paper/sgd].params.learning_rate", "`low` must be < `high`"]),
    "log scale with low <= 0": (
        lambda d: edit_json(d / "study.json", lambda j: j["spaces"][0]["params"][
            "learning_rate"].update(low=0.0)),
        ["study.json", "learning_rate", "log scale needs `low` > 0"]),
    "reverse_log outside (0, 1)": (
        lambda d: edit_json(d / "study.json", lambda j: j["spaces"][0]["params"][
            "momentum"].update(high=1.0)),
        ["study.json", "momentum", "0 < low < high < 1"]),
}


@pytest.mark.parametrize("case", list(TABLE_CASES))
def test_bad_study_is_refused_naming_the_place(study_dir: Path, case: str) -> None:
    breaker, expected = TABLE_CASES[case]
    breaker(study_dir)
    with pytest.raises(StudyValidationError) as info:
        tunestats.load_study(study_dir)
    text = "\n".join(str(p) for p in info.value.problems)
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in {text!r}"


@pytest.mark.parametrize("case", list(TABLE_CASES))
def test_validate_command_prints_one_line_per_problem(study_dir: Path, case: str,
                                                      capsys) -> None:
    breaker, expected = TABLE_CASES[case]
    breaker(study_dir)
    assert main(["validate", str(study_dir)]) == 1
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("error: ")]
    assert lines, out.out
    assert any(expected[-1] in line for line in lines)
    assert "Traceback" not in out.out + out.err


def test_all_problems_are_reported_at_once(study_dir: Path) -> None:
    _edit_table(study_dir, "trials", lambda f: _set(_set(f, 1, "status", "done"), 2,
                                                    "final.valid_error", "oops"))
    _edit_table(study_dir, "curves", lambda f: _set(f, 0, "step", -1))
    with pytest.raises(StudyValidationError) as info:
        tunestats.load_study(study_dir)
    messages = [p.message for p in info.value.problems]
    assert any("unknown status" in m for m in messages)
    assert any("text where numbers belong" in m for m in messages)
    assert any("negative step" in m for m in messages)


def test_many_bad_rows_are_listed_then_counted(study_dir: Path) -> None:
    _edit_table(study_dir, "trials", lambda f: f.assign(status="finished"))
    trials, _ = pd.read_parquet(study_dir / "trials.parquet"), None
    assert len(trials) == 4
    with pytest.raises(StudyValidationError) as info:
        tunestats.load_study(study_dir)
    assert sum("unknown status" in p.message for p in info.value.problems) == 4


def test_value_outside_bounds_is_a_warning_with_the_count(study_dir: Path) -> None:
    _edit_table(study_dir, "trials", lambda f: f.assign(
        **{"hp.learning_rate": [1e-5, 1e-3, 2.0, 1e-2]}))
    with pytest.warns(StudyWarning, match=r"2 of 4 trials of paper/sgd have values outside"):
        study = tunestats.load_study(study_dir)
    assert len(study.trials) == 4  # nothing dropped
    assert [p.severity for p in study.problems] == ["warning"]


# -- file-level problems ------------------------------------------------------------------

def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match=r"nowhere: no such study folder"):
        tunestats.load_study(tmp_path / "nowhere")


def test_folder_without_study_json(study_dir: Path) -> None:
    (study_dir / "study.json").unlink()
    with pytest.raises(StudyFileError, match=r"no study.json in the study folder"):
        tunestats.load_study(study_dir)


def test_malformed_json_names_line_and_column(study_dir: Path) -> None:
    (study_dir / "study.json").write_text('{\n  "schema_version": 1,\n  "metrics": {,}\n}')
    with pytest.raises(StudyFileError, match=r"study.json: malformed JSON at line 3, column 15"):
        tunestats.load_study(study_dir)


def test_truncated_parquet(study_dir: Path) -> None:
    path = study_dir / "curves.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(StudyFileError, match=r"curves.parquet: cannot read the Parquet file"):
        tunestats.load_study(study_dir)


def test_missing_table(study_dir: Path) -> None:
    (study_dir / "curves.parquet").unlink()
    with pytest.raises(StudyFileError, match=r"no curves.parquet"):
        tunestats.load_study(study_dir)


def test_file_errors_are_one_line_with_exit_1(tmp_path: Path, capsys) -> None:
    assert main(["info", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such study folder" in err


# -- valid edge cases ---------------------------------------------------------------------

def test_valid_edge_cases_load_without_complaint(tmp_path: Path) -> None:
    from ..conftest import METRICS, small_frames

    trials, curves = small_frames(n_trials=3)
    # a pool with one trial, a pool whose every trial diverged, non-ASCII names
    trials["workload"] = ["wörk", "wörk", "日本語"]
    trials["optimizer"] = ["адам", "sgd", "sgd"]
    trials.loc[trials["workload"] == "wörk", ["status", "final.train_loss",
                                              "final.valid_error"]] = ["diverged", np.nan, np.nan]
    curves["workload"] = np.repeat(trials["workload"].to_numpy(), 3)
    curves["optimizer"] = np.repeat(trials["optimizer"].to_numpy(), 3)
    curves.loc[curves["trial"] == 0, "valid_error"] = np.nan
    study = tunestats.Study.from_frames(trials, curves, metrics=METRICS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study.save(tmp_path / "s")
        loaded = tunestats.load_study(tmp_path / "s")
    pd.testing.assert_frame_equal(study.trials, loaded.trials)
    assert {str(p) for p in loaded.pool_keys()} == {"wörk/paper/адам", "wörk/paper/sgd",
                                                    "日本語/paper/sgd"}
    assert loaded.problems == []
