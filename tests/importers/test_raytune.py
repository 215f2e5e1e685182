import json

import pandas as pd
import pytest

from tunestats.importers import import_report, raytune


@pytest.fixture
def experiment(tmp_path):
    root = tmp_path / "train_fn_2024"
    for i, lr in enumerate((0.1, 0.01, 0.001)):
        folder = root / f"train_fn_5a2b3_{i:05d}_{i}_lr={lr}_2024-01-01_00-00-0{i}"
        folder.mkdir(parents=True)
        (folder / "params.json").write_text(json.dumps({"lr": lr, "optim": {"name": "sgd",
                                                                             "momentum": 0.9}}))
        rows = [{"mean_loss": 1.0 / (it + 10 * lr), "mean_accuracy": 0.5 + 0.1 * it,
                 "training_iteration": it, "time_total_s": 2.0 * it, "done": it == 3,
                 "experiment_tag": f"{i}_lr={lr}", "trial_id": f"5a2b3_{i:05d}",
                 "hostname": "node1", "config/lr": lr, "phase": "train"} for it in range(1, 4)]
        if i == 1:
            with (folder / "result.json").open("w") as handle:
                for row in rows:
                    handle.write(json.dumps({**row, "config": {"lr": lr}}) + "\n")
        else:
            pd.DataFrame(rows).to_csv(folder / "progress.csv", index=False)
        if i == 2:
            (folder / "error.txt").write_text("Traceback ...\nRuntimeError: CUDA out of memory\n")
    return root


def test_trials_curves_and_status(experiment):
    study = raytune.read(experiment, mapping={"optimizer": "optim/name"},
                         constants={"workload": "mnist"})
    trials = study.trials.set_index("trial")
    assert list(trials.index) == [0, 1, 2]
    assert set(trials["optimizer"]) == {"sgd"}
    assert trials["hp.lr"].tolist() == [0.1, 0.01, 0.001]
    assert trials["hp.optim/momentum"].tolist() == [0.9] * 3
    assert trials.loc[2, "status"] == "failed"
    assert "CUDA out of memory" in trials.loc[2, "message"]
    curve = study.curves[study.curves["trial"] == 1]
    assert curve["step"].tolist() == [1, 2, 3] and curve["time_s"].tolist() == [2.0, 4.0, 6.0]
    assert curve["mean_loss"].tolist() == [1.0 / (it + 0.1) for it in (1, 2, 3)]
    assert study.metric("mean_accuracy").direction == "maximize"
    report = import_report(study)
    assert "phase" in {s.place for s in report.skipped}
    assert any("hostname" in note for note in report.notes)


def test_truncated_result_json_is_a_listed_skip(experiment):
    folder = next(p for p in sorted(experiment.iterdir()) if (p / "result.json").exists())
    text = (folder / "result.json").read_text()
    (folder / "result.json").write_text(text[: len(text) // 2])
    study = raytune.read(experiment)
    skip = [s for s in import_report(study).skipped if s.what == "trial"]
    assert len(skip) == 1 and "malformed JSON" in skip[0].reason
    assert len(study.trials) == 2
