import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunestats.errors import DataError, ParameterError
from tunestats.importers import generic, import_report


def wide_table():
    rows = []
    for opt, shift in (("sgd", 0.1), ("adam", 0.0)):
        for trial, lr in enumerate((0.1, 0.01, 0.001)):
            for step in (0, 10, 20):
                rows.append({"task": "mnist", "opt": opt, "run": trial, "step": step,
                             "lr": lr, "state": "COMPLETE" if trial != 2 else "FAIL",
                             "val_loss": shift + lr + 1.0 / (step + 1),
                             "train_acc": 1 - 1.0 / (step + 2)})
    return pd.DataFrame(rows)


MAP = {"workload": "task", "optimizer": "opt", "trial": "run", "hp": ["lr"], "status": "state"}


def test_wide_table_with_steps():
    study = generic.read(wide_table(), mapping=MAP)
    trials = study.trials
    assert len(trials) == 6
    assert trials.set_index(["optimizer", "trial"])["status"].to_dict()[("sgd", 2)] == "failed"
    sgd0 = trials[(trials["optimizer"] == "sgd") & (trials["trial"] == 0)]
    assert sgd0["final.val_loss"].item() == pytest.approx(0.1 + 0.1 + 1 / 21)
    assert sgd0["hp.lr"].item() == 0.1
    assert study.metric("train_acc").split == "train"
    assert study.curves["step"].tolist()[:3] == [0, 10, 20]


def test_long_table_equals_the_wide_one_in_any_row_order():
    wide = wide_table()
    long = wide.melt(id_vars=["task", "opt", "run", "step", "lr", "state"],
                     var_name="metric", value_name="value")
    a = generic.read(wide, mapping=MAP)
    b = generic.read(long.sample(frac=1.0, random_state=0), mapping=MAP)
    pd.testing.assert_frame_equal(a.trials, b.trials, check_like=True)
    pd.testing.assert_frame_equal(a.curves, b.curves, check_like=True)


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(18)))
def test_import_is_invariant_to_row_order(order):
    table = wide_table()
    a = generic.read(table, mapping=MAP)
    b = generic.read(table.iloc[list(order)], mapping=MAP)
    pd.testing.assert_frame_equal(a.trials, b.trials)
    pd.testing.assert_frame_equal(a.curves, b.curves)


def test_one_row_per_trial_and_files(tmp_path):
    table = pd.DataFrame({"optimizer": ["sgd", "sgd", "adam"], "trial": ["x1", "x2", "x1"],
                          "hp.lr": [0.1, 0.2, 0.3], "valid_error": [0.3, 0.2, 0.1],
                          "comment": ["a", "b", "c"]})
    for suffix, write in ((".csv", table.to_csv), (".parquet", table.to_parquet),
                          (".jsonl", lambda p, **k: table.to_json(p, orient="records",
                                                                  lines=True))):
        path = tmp_path / f"t{suffix}"
        write(path, index=False) if suffix != ".jsonl" else write(path)
        study = generic.read(path, constants={"workload": "w"})
        assert len(study.curves) == 0
        assert study.trials.set_index(["optimizer", "trial"])["final.valid_error"].to_dict() == {
            ("adam", 0): 0.1, ("sgd", 0): 0.3, ("sgd", 1): 0.2}
        assert set(study.trials["attr.trial_id"]) == {"x1", "x2"}
        report = import_report(study)
        assert ("column", "comment") in {(s.what, s.place) for s in report.skipped}


def test_errors_name_the_column_and_the_trial():
    table = wide_table()
    with pytest.raises(ParameterError, match=r"'learning_rate'.*does not have"):
        generic.read(table, mapping={**MAP, "hp": ["learning_rate"]})
    changing = table.assign(lr=np.arange(len(table)) * 1.0)
    with pytest.raises(DataError, match="column 'lr' changes within the trial"):
        generic.read(changing, mapping=MAP)
    with pytest.raises(ParameterError, match="name the trial column"):
        generic.read(table, mapping={"optimizer": "opt"})
    doubled = pd.DataFrame({"trial": [0, 0], "loss": [1.0, 2.0]})
    with pytest.raises(DataError, match="2 rows for one trial"):
        generic.read(doubled)


def test_unknown_direction_and_status_are_listed_skips():
    table = wide_table().assign(lr_scale=1.0)
    table.loc[table["run"] == 1, "state"] = "exploded"
    study = generic.read(table, mapping=MAP)
    skipped = {(s.what, s.place.split(": ")[-1]) for s in import_report(study).skipped}
    assert ("metric", "lr_scale") in skipped
    assert ("trial", "trial mnist/sgd/1") in skipped
    kept = generic.read(table, mapping=MAP, metrics={"lr_scale": "minimize:train"})
    assert kept.metric("lr_scale").split == "train"


def test_time_varying_between_metric_rows_of_one_step(tmp_path):
    """A notebook's long log: each metric row of a step has its own wall time."""
    rows = []
    for trial in (0, 1):
        for step in (0, 100, 200):
            for offset, metric in enumerate(("train_loss", "val_loss")):
                rows.append({"trial": trial, "step": step, "time_s": step * 0.5 + offset * 0.1,
                             "metric": metric, "value": (trial + 1) / (step + 1) + offset})
    pd.DataFrame(rows).to_csv(tmp_path / "log.csv", index=False)
    study = generic.read(tmp_path / "log.csv", constants={"optimizer": "sgd"})
    curve = study.curves[study.curves["trial"] == 1]
    assert curve["step"].tolist() == [0, 100, 200]
    assert curve["train_loss"].tolist() == [2 / 1, 2 / 101, 2 / 201]
    assert curve["val_loss"].tolist() == [3 / 1, 1 + 2 / 101, 1 + 2 / 201]
    assert curve["time_s"].tolist() == [0.1, 50.1, 100.1]  # the step's latest time
    assert study.trials.set_index("trial")["final.val_loss"].to_dict() == {
        0: 1 + 1 / 201, 1: 1 + 2 / 201}
    assert not [s for s in import_report(study).skipped if s.what == "rows"]


def test_blank_status_cells_are_not_diverged(tmp_path):
    pd.DataFrame({"trial": [0, 1, 2], "status": ["completed", "", "failed"],
                  "val_loss": [0.5, 0.4, np.nan]}).to_csv(tmp_path / "t.csv", index=False)
    study = generic.read(tmp_path / "t.csv", constants={"optimizer": "sgd"})
    assert study.trials.set_index("trial")["status"].to_dict() == {
        0: "completed", 1: "completed", 2: "failed"}
    assert any("blank 'status'" in n for n in import_report(study).notes)


def test_trial_names_without_a_pool_column():
    table = pd.DataFrame({"run": ["brisk-owl", "calm-fox", "brisk-owl", "calm-fox"],
                          "step": [0, 0, 1, 1], "val_loss": [0.9, 0.8, 0.5, 0.6]})
    study = generic.read(table, mapping={"trial": "run"})
    trials = study.trials.set_index("attr.trial_id")
    assert trials["trial"].to_dict() == {"brisk-owl": 0, "calm-fox": 1}
    assert trials["final.val_loss"].to_dict() == {"brisk-owl": 0.5, "calm-fox": 0.6}


def test_rows_of_one_step_that_log_different_metrics_are_merged(tmp_path):
    """PyTorch Lightning's CSVLogger (metrics.csv): a train row and a validation row per
    logged step, each with the other's columns empty."""
    lines = ["epoch,step,train_loss,val_loss,val_acc"]
    for epoch in range(3):
        step = 100 * (epoch + 1) - 1
        lines.append(f"{epoch},{step},{1.0 / (epoch + 1)},,")
        lines.append(f"{epoch},{step},,{1.2 / (epoch + 1)},{0.5 + 0.1 * epoch}")
    (tmp_path / "metrics.csv").write_text("\n".join(lines) + "\n")
    study = generic.read(tmp_path / "metrics.csv", constants={"optimizer": "adam"})
    curve = study.curves
    assert curve["step"].tolist() == [99, 199, 299]
    assert curve["train_loss"].tolist() == [1.0 / (e + 1) for e in range(3)]
    assert curve["val_loss"].tolist() == [1.2 / (e + 1) for e in range(3)]
    assert study.trials["final.val_acc"].item() == 0.5 + 0.1 * 2
    report = import_report(study)
    assert any("3 curve row(s) of 1 trial(s) share a step" in n for n in report.notes)
    assert any("the log of one trial" in n for n in report.notes)
    assert ("metric", "epoch") in {(s.what, s.place) for s in report.skipped}  # no direction
