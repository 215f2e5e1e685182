import numpy as np
import pandas as pd
import pytest

from tunestats.errors import DataError, ParameterError
from tunestats.importers import ImportReport, generic, import_options, import_report
from tunestats.importers._builder import StudyBuilder
from tunestats.importers._metrics import infer_metric, metric_column, parse_metric_option
from tunestats.synthetic import synthetic_study


@pytest.mark.parametrize(("name", "direction", "split"), [
    ("validation/accuracy", "maximize", "valid"), ("train_loss", "minimize", "train"),
    ("val_top1_error", "minimize", "valid"), ("test/mean_average_precision", "maximize", "test"),
    ("eval_bleu", "maximize", "valid"), ("test/wer", "minimize", "test"),
    ("train/cross_entropy_error", "minimize", "train"), ("ssim", "maximize", "valid"),
    ("dev-perplexity", "minimize", "valid"), ("mean_accuracy", "maximize", "valid"),
])
def test_infer_metric(name, direction, split):
    metric, _ = infer_metric(name)
    assert (metric.direction, metric.split) == (direction, split)


def test_names_without_a_direction_word_and_without_a_split():
    assert infer_metric("score") == (None, False)
    assert infer_metric("objective") == (None, False)
    assert infer_metric("loss")[1] is True  # split assumed
    assert metric_column("validation/accuracy") == "validation_accuracy"
    assert metric_column("val loss (avg)") == "val_loss_avg"


def test_metric_option_forms():
    assert parse_metric_option("x", "maximize:test").split == "test"
    assert parse_metric_option("train_x", "minimize").split == "train"
    assert parse_metric_option("x", {"direction": "minimize", "unit": "nats"}).unit == "nats"
    with pytest.raises(ParameterError, match="must give a direction"):
        parse_metric_option("x", "smaller")
    with pytest.raises(ParameterError, match="split must be one of"):
        parse_metric_option("x", "minimize:holdout")


def test_options_are_checked_at_the_door():
    with pytest.raises(ParameterError, match="unknown field 'step'"):
        import_options(mapping={"step": "s"})
    with pytest.raises(ParameterError, match=r"`constants`.*unknown field 'trial'"):
        import_options(constants={"trial": "1"})
    with pytest.raises(ParameterError, match="finite number"):
        import_options(targets={"w": {"m": "high"}})
    with pytest.raises(ParameterError, match="callable"):
        import_options(progress=3)


def test_report_round_trip_lines_and_strict():
    report = ImportReport("x", "src")
    report.count("files", 3)
    for i in range(12):
        report.skip("trial", f"t{i}", "bad")
    report.note("n")
    again = ImportReport.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
    lines = report.lines()
    assert lines[0] == "read x from src: 3 files"
    assert "skipped 12 (12 trial)" in lines
    assert any("and 2 more trial skips" in line for line in lines)
    strict = ImportReport("x", "src", strict=True)
    with pytest.raises(DataError, match="strict import"):
        strict.skip("trial", "t", "bad")


def test_import_report_of_a_study_not_imported():
    with pytest.raises(ParameterError, match="not made by a tunestats importer"):
        import_report(synthetic_study(n_trials=2, n_steps=2, seed=0))


def _mixed_workloads():
    """Two workloads that log different metrics (as AlgoPerf's do)."""
    rows = []
    for trial in range(3):
        rows.append({"workload": "imagenet", "trial": trial, "optimizer": "adam",
                     "validation_accuracy": 0.7 + 0.01 * trial,
                     "test_accuracy": 0.69 + 0.01 * trial, "train_loss": 1.0 - 0.1 * trial})
        rows.append({"workload": "librispeech", "trial": trial, "optimizer": "adam",
                     "validation_wer": 0.2 - 0.01 * trial, "train_loss": 0.5})
    return pd.DataFrame(rows)


def test_each_workload_declares_the_metrics_its_trials_log():
    builder_section = {}
    original = StudyBuilder._workloads

    def spy(self, *args):
        builder_section.update(original(self, *args))
        return builder_section

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StudyBuilder, "_workloads", spy)
        study = generic.read(_mixed_workloads())
    assert builder_section == {
        "imagenet": {"metrics": ["validation_accuracy", "test_accuracy", "train_loss"],
                     "valid": "validation_accuracy", "test": "test_accuracy"},
        "librispeech": {"metrics": ["train_loss", "validation_wer"], "valid": "validation_wer"}}
    assert "final.train_loss" in study.trials  # logged by every workload


def test_no_final_column_is_dropped_because_a_workload_lacks_it():
    study = generic.read(_mixed_workloads())
    trials = study.trials.set_index(["workload", "trial"])
    assert trials.loc[("imagenet", 2), "final.validation_accuracy"] == 0.7 + 0.01 * 2
    assert np.isnan(trials.loc[("librispeech", 2), "final.validation_accuracy"])
    assert trials.loc[("librispeech", 2), "final.validation_wer"] == 0.2 - 0.01 * 2
    assert (trials["status"] == "completed").all()
    assert study.meta.workloads["librispeech"].valid == "validation_wer"
    assert study.meta.workloads["imagenet"].test == "test_accuracy"
