import csv
import json
import math

import numpy as np
import pytest

from tunestats import load_study
from tunestats.errors import DataError, ParameterError, StudyFileError
from tunestats.importers import algoperf, import_report
from tunestats.space import Param

from .conftest import algoperf_rows, write_algoperf_trial


def test_layout_maps_onto_the_trial_key(algoperf_logs):
    study = algoperf.read(algoperf_logs)
    trials = study.trials
    assert len(trials) == 2 * 2 * 2 * 3
    assert sorted(trials["optimizer"].unique()) == ["adamw", "sgd"]
    assert sorted(trials["workload"].unique()) == ["mnist", "wmt"]
    assert set(trials["protocol"]) == {"external_tuning"}
    assert sorted(trials["repeat"].unique()) == [0, 1]
    assert sorted(trials["trial"].unique()) == [1, 2, 3]
    framework = dict(zip(trials["workload"], trials["attr.framework"], strict=True))
    assert framework == {"mnist": "jax", "wmt": "pytorch"}


def test_curves_equal_the_csv_read_by_the_csv_module(algoperf_logs):
    study = algoperf.read(algoperf_logs)
    path = algoperf_logs / "adamw" / "study_0" / "mnist_jax" / "trial_2" / "eval_measurements.csv"
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    curve = study.curves[(study.curves["optimizer"] == "adamw") & (study.curves["repeat"] == 0)
                         & (study.curves["workload"] == "mnist") & (study.curves["trial"] == 2)]
    assert curve["step"].tolist() == [int(r["global_step"]) for r in rows]
    assert curve["time_s"].tolist() == [float(r["accumulated_submission_time"]) for r in rows]
    assert curve["validation_loss"].tolist() == [float(r["validation/loss"]) for r in rows]
    trial = study.trials[(study.trials["optimizer"] == "adamw") & (study.trials["repeat"] == 0)
                         & (study.trials["workload"] == "mnist") & (study.trials["trial"] == 2)]
    assert trial["final.validation_loss"].item() == float(rows[-1]["validation/loss"])
    assert trial["hp.learning_rate"].item() == 1e-2
    assert trial["duration_s"].item() == float(rows[-1]["total_duration"])
    assert trial["attr.preemption_count"].item() == 0


def test_metric_directions_and_splits(algoperf_logs):
    study = algoperf.read(algoperf_logs)
    assert study.metric("validation_accuracy").direction == "maximize"
    assert study.metric("validation_accuracy").split == "valid"
    assert study.metric("train_loss").direction == "minimize"
    assert study.metric("test_loss").split == "test"
    report = import_report(study)
    assert all("inferred from the name" in how for how in report.metrics.values())
    assert "test_num_examples" not in study.metrics  # a count, kept as an attribute
    over = algoperf.read(algoperf_logs, metrics={"validation_loss": "maximize"})
    assert over.metric("validation_loss").direction == "maximize"
    assert "given by option" in import_report(over).metrics["validation_loss"]


def test_missing_eval_file_is_a_failed_trial_and_nan_loss_a_diverged_one(algoperf_logs):
    study = algoperf.read(algoperf_logs)
    trials = study.trials
    failed = trials[trials["status"] == "failed"]
    assert len(failed) == 4
    assert set(failed["repeat"]) == {1} and set(failed["trial"]) == {3}
    assert failed["message"].str.contains("no eval_measurements.csv").all()
    diverged = trials[trials["status"] == "diverged"]
    assert len(diverged) == 1
    row = diverged.iloc[0]
    assert (row["optimizer"], row["repeat"], row["workload"], row["trial"]) == ("sgd", 0, "wmt", 2)
    notes = " ".join(import_report(study).notes)
    assert "4 trial folder(s) without evaluations" in notes and "1 trial(s)" in notes


def test_search_space_conversion(algoperf_logs, tmp_path):
    study = algoperf.read(algoperf_logs)
    space = study.spaces[("external_tuning", "adamw")]
    assert space["learning_rate"] == Param("learning_rate", "log", 1e-4, 1e-1)
    assert space["weight_decay"] == Param("weight_decay", "linear", 0.0, 0.5)
    assert space.fixed == {"one_minus_beta1": 0.1}
    points = tmp_path / "points.json"
    points.write_text(json.dumps([{"learning_rate": 0.1, "dropout": 0.0},
                                  {"learning_rate": 0.01, "dropout": 0.0}]))
    listed = algoperf.read_search_space(points)
    # a list of joint points stays one: no per-coordinate choices (issue 10)
    assert listed.listed == ({"learning_rate": 0.1, "dropout": 0.0},
                             {"learning_rate": 0.01, "dropout": 0.0})
    assert listed.names == ["learning_rate"]  # dropout is 0.0 in every point
    assert listed.listed_values("learning_rate") == [0.1, 0.01]
    with pytest.raises(ParameterError, match="finite list of 2 points"):
        listed["learning_rate"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lr": {"min": 1, "max": 2, "scaling": "cubic"}}))
    with pytest.raises(DataError, match=r"bad\.json: lr: `scaling`"):
        algoperf.read_search_space(bad)
    bad.write_text(json.dumps({"lr": {"min": 0, "max": 2, "scaling": "log"}}))
    with pytest.raises(DataError, match=r"bad\.json.*log scale needs `low` > 0"):
        algoperf.read_search_space(bad)


def test_self_tuning_layout_without_hparams(tmp_path):
    root = tmp_path / "self"
    for study in (0, 1):
        write_algoperf_trial(root / "mysub" / f"study_{study}" / "ogbg_jax" / "trial_1",
                             algoperf_rows(3, lr=0.1), None)
    study = algoperf.read(root)
    assert set(study.trials["protocol"]) == {"self_tuning"}
    assert study.trials["repeat"].tolist() == [0, 1]
    assert study.hyperparameters == []
    assert algoperf.read(root, ruleset="external").trials["protocol"].iloc[0] == "external_tuning"


def test_root_may_be_a_single_study_folder(algoperf_logs):
    study = algoperf.read(algoperf_logs / "sgd" / "study_1")
    assert set(study.trials["optimizer"]) == {"sgd"}
    assert set(study.trials["repeat"]) == {1}


def test_malformed_trials_are_listed_skips(algoperf_logs):
    trial = algoperf_logs / "adamw" / "study_0" / "mnist_jax" / "trial_1"
    (trial / "hparams.json").write_text('{"learning_rate": 0.0')  # truncated JSON
    other = algoperf_logs / "adamw" / "study_0" / "wmt_pytorch" / "trial_1"
    text = (other / "eval_measurements.csv").read_text()
    (other / "eval_measurements.csv").write_text(text + '1,2,"unterminated\n')
    study = algoperf.read(algoperf_logs)
    report = import_report(study)
    places = {s.place: s.reason for s in report.skipped}
    assert str(trial) in places and "malformed JSON" in places[str(trial)]
    assert str(other) in places and "cannot read the CSV" in places[str(other)]
    assert len(study.trials) == 24 - 2
    with pytest.raises(DataError, match="strict import"):
        algoperf.read(algoperf_logs, strict=True)


def test_unexpected_column_and_all_nan_metric(tmp_path):
    root = tmp_path / "logs"
    folder = root / "sub" / "study_0" / "mnist_jax" / "trial_1"
    folder.mkdir(parents=True)
    lines = ["global_step,accumulated_submission_time,validation/loss,validation/bleu,gpu_temp"]
    lines += [f"{s},{s * 2.0},{1.0 / (s + 1)},nan,{40 + s}" for s in range(1, 4)]
    (folder / "eval_measurements.csv").write_text("\n".join(lines) + "\n")
    study = algoperf.read(root)
    report = import_report(study)
    assert "validation_bleu" not in study.metrics
    assert any(s.what == "metric" and s.place == "validation_bleu" for s in report.skipped)
    assert study.trials["attr.gpu_temp"].item() == 43.0
    assert any("gpu_temp" in note for note in report.notes)


def test_targets_are_checked_and_stored(algoperf_logs, tmp_path):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"mnist": {"validation_accuracy": 0.9}}))
    study = algoperf.read(algoperf_logs, targets=targets)
    assert study.targets == {"mnist": {"validation_accuracy": 0.9}}
    with pytest.raises(Exception, match="validation_bleu"):
        algoperf.read(algoperf_logs, targets={"mnist": {"validation_bleu": 30.0}})


def test_saved_study_validates_and_round_trips(algoperf_logs, tmp_path):
    study = algoperf.read(algoperf_logs)
    study.save(tmp_path / "s")
    again = load_study(tmp_path / "s")
    assert again.trials.equals(study.trials)
    assert import_report(again).read["trial folders"] == 24


def test_missing_root_and_empty_root(tmp_path):
    with pytest.raises(StudyFileError, match="no such AlgoPerf logs folder"):
        algoperf.read(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no trials found"):
        algoperf.read(tmp_path / "empty")


def test_restarted_trial_keeps_the_last_row_of_each_step(tmp_path):
    rows = algoperf_rows(3, lr=0.1)
    again = list(rows[-1])
    again[11] = 0.123  # train/loss logged again after a preemption
    write_algoperf_trial(tmp_path / "l" / "s" / "study_0" / "mnist_jax" / "trial_1",
                         [*rows, again], {"learning_rate": 0.1})
    study = algoperf.read(tmp_path / "l")
    assert study.curves["step"].tolist() == [1, 101, 201]
    assert math.isclose(study.trials["final.train_loss"].item(), 0.123)
    assert np.any(["repeat an earlier step" in s.reason for s in import_report(study).skipped])


def _csv_module_table(path, columns=None):
    """A CSV file read by the csv module and ``float``: (header, values, cells that are
    not numbers), as :func:`algoperf.read_tables` documents it."""
    with path.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if r]
    header, body = rows[0], rows[1:]
    names = header if columns is None else list(columns)
    values, bad = np.full((len(body), len(names)), np.nan), 0
    for j, name in enumerate(names):
        if name not in header:
            continue
        for i, row in enumerate(body):
            cell = row[header.index(name)]
            try:
                values[i, j] = float(cell) if cell else np.nan
            except ValueError:
                bad += 1
    return tuple(names), values, bad


def test_many_tables_read_together_equal_each_file_read_by_the_csv_module(tmp_path):
    # files with one header are parsed together; irregular ones (text cells, a float
    # column that is whole numbers elsewhere, quotes, CRLF, blank lines, no final
    # newline, no rows) must give what each file gives on its own
    head = "global_step,score,validation/loss\n"
    texts = {
        "plain": head + "1,0.5,2.25\n2,1.5,1e-3\n",
        "whole_numbers": head + "3,2,4\n4,3,5\n",
        "no_final_newline": head + "5,0.25,nan\n6,0.75,inf",
        "text_cell": head + "7,0.1,abc\n8,0.2,0.3\n",
        "quoted": head + '9,"0.5",0.4\n',
        "crlf": head.replace("\n", "\r\n") + "10,0.5,0.6\r\n",
        "blank_line": head + "11,0.5,0.7\n\n12,0.5,0.8\n",
        "no_rows": head,
        "empty_cells": head + "13,,0.9\n",
        "other_header": "global_step,validation/accuracy\n1,0.9\n",
    }
    paths = []
    for name, text in texts.items():
        paths.append(tmp_path / f"{name}.csv")
        paths[-1].write_bytes(text.encode())
    bad = tmp_path / "text_cell.csv"
    # with the text cell, its header's files are read one by one; without, together
    for files in (paths, [p for p in paths if p != bad]):
        for columns in (None, [("validation/loss", "global_step", "absent")] * len(files)):
            together = list(algoperf.read_tables(files, columns))
            for i, path in enumerate(files):
                want = _csv_module_table(path, None if columns is None else columns[i])
                alone = next(algoperf.read_tables([path],
                                                  None if columns is None else [columns[i]]))
                for got in (together[i], alone):
                    assert got[0] == want[0], path.name
                    assert got[2] == want[2], path.name
                    np.testing.assert_array_equal(got[1], want[1], err_msg=path.name)
    assert want[2] == 0
    assert next(algoperf.read_tables([bad]))[2] == 1
    # in processes, each a share of the files: the same tables
    for one, two in zip(algoperf.read_tables(paths), algoperf.read_tables(paths, workers=2),
                        strict=True):
        assert one[0] == two[0] and one[2] == two[2]
        np.testing.assert_array_equal(one[1], two[1])


def test_many_tables_missing_empty_and_malformed_files(tmp_path):
    head = "global_step,validation/loss\n"
    good, short, empty = tmp_path / "good.csv", tmp_path / "short.csv", tmp_path / "empty.csv"
    good.write_text(head + "1,0.5\n")
    short.write_text(head + "1,0.5\n2\n")  # a truncated row
    empty.write_text("")
    missing = tmp_path / "trial" / "eval_measurements.csv"
    got = list(algoperf.read_tables([good, short, missing, empty]))
    assert got[0][0] == ("global_step", "validation/loss") and got[0][1].tolist() == [[1, 0.5]]
    assert isinstance(got[1], StudyFileError) and str(short) in str(got[1])
    assert "cannot read the CSV" in str(got[1])
    assert got[2][0] == () and got[2][1].shape == (0, 0)
    assert isinstance(got[3], StudyFileError) and f"{empty}: empty file" in str(got[3])
