import json
import shutil
from pathlib import Path

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


# -- a real ASHA experiment (tests/data/raytune, written by make_asha.py) -------------------
ASHA = Path(__file__).resolve().parents[1] / "data" / "raytune" / "asha"


def test_asha_stopped_trials_carry_their_stopping():
    study = raytune.read(ASHA, mapping={"optimizer": "optimizer"})
    trials = study.trials.set_index("trial")
    # the trial folders as Ray wrote them: iterations each trial reached
    reached = {}
    for folder in ASHA.iterdir():
        if (folder / "progress.csv").exists():
            tag = int(folder.name.split("_")[3])
            reached[tag] = int(pd.read_csv(folder / "progress.csv")["training_iteration"].max())
    assert sorted(reached) == list(range(8)) and max(reached.values()) == 20
    stopped = {t for t, n in reached.items() if n < 20}
    assert stopped  # ASHA stopped some trials at rungs 2, 4, 8 or 16
    assert set(trials.index[trials["status"] == "failed"]) == stopped
    assert set(trials.index[trials["status"] == "completed"]) == set(reached) - stopped
    assert set(trials.loc[sorted(stopped), "attr.stopped_early"]) == {"true"}  # hp_value text
    assert trials.loc[sorted(stopped), "attr.stopped_at"].to_dict() == {
        t: reached[t] for t in sorted(stopped)}
    assert all("stopped early by the scheduler" in m
               for m in trials.loc[sorted(stopped), "message"])
    pools = import_report(study).pools
    assert sum(c["early-stopped"] for c in pools.values()) == len(stopped)
    # the experiment's metric and mode (TuneConfig(metric="val_loss", mode="min"))
    assert study.metric("val_loss").direction == "minimize"
    assert "stated by the format" in import_report(study).metrics["val_loss"]
    assert study.workload_metrics("default").valid == "val_loss"  # the headline metric
    assert study.workload_metrics("default").train == "train_loss"  # same quantity, train split


def test_asha_mode_read_from_tuner_pickle_without_unpickling(tmp_path):
    assert raytune._pickled_mode(ASHA / "tuner.pkl") == "min"
    damaged = tmp_path / "tuner.pkl"
    damaged.write_bytes((ASHA / "tuner.pkl").read_bytes()[:40])
    assert raytune._pickled_mode(damaged) is None


def test_stray_folders_are_counted_and_listed(tmp_path):
    root = tmp_path / "asha"
    shutil.copytree(ASHA, root)
    (root / "notes").mkdir()
    broken = next(p for p in sorted(root.iterdir()) if p.name.startswith("objective_"))
    (broken / "params.json").write_text("{not json")
    study = raytune.read(root)
    skipped = {s.place: s.reason for s in import_report(study).skipped}
    assert "no params.json" in skipped[str(root / "notes")]
    assert str(broken) in skipped
    assert len(study.trials) == 7
    assert import_report(study).pools["?"]["skipped"] == 1
