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
