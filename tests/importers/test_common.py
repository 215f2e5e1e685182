import pytest

from tunestats.errors import DataError, ParameterError
from tunestats.importers import ImportReport, import_options, import_report
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
