import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tunestats.importers import deepobs, import_report

from .conftest import deepobs_result, write_json

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "deepobs"
#: The sample's settings folders (DeepOBS names them): SGD under small_budget/constant
SETTING = "num_epochs__5__batch_size__128__lr__{}__momentum__9.e-01__nesterov__False"
CONSTANT = Path("small_budget", "constant", "quadratic_deep", "SGD")
COSINE = Path("large_budget", "cosine", "quadratic_deep", "SGD")


@pytest.fixture
def crowded_valley(tmp_path):
    """A copy of the committed sample that DeepOBS 1.2.0b0's runners wrote
    (data/examples/make_deepobs.py): results/<budget>/<schedule>/quadratic_deep/
    <Optimizer>/<setting>/<seed file>; per layout 4 SGD settings and 3 Adam settings with
    seed 42, the best SGD setting re-run with seeds 43 and 44; under small_budget/constant
    the SGD rates 10 and 0.3 diverged."""
    root = tmp_path / "results"
    shutil.copytree(SAMPLE, root)
    return root


def raw(path: Path) -> dict:
    return json.loads(path.read_text())


def test_layout_protocols_repeats_and_trials(crowded_valley):
    study = deepobs.read(crowded_valley)
    trials = study.trials
    assert sorted(trials["protocol"].unique()) == [
        "large_budget-cosine", "large_budget-cosine-reruns", "small_budget-constant",
        "small_budget-constant-reruns"]
    assert set(trials["workload"]) == {"quadratic_deep"}
    assert set(trials["optimizer"]) == {"SGD", "Adam"}
    both = trials[trials["protocol"].str.startswith("large_budget-cosine")
                  & (trials["optimizer"] == "SGD")]
    # seeds 42, 43, 44 → repeats 0, 1, 2; the settings in name order → trials 0 (lr 1.e-02),
    # 1 (1.e-03), 2 (3.e-02), 3 (3.e-03); the re-runs of the best, lr 0.03 (trial 2, seeds
    # 43, 44), are in their own protocol
    assert sorted(zip(both["protocol"], both["repeat"], both["trial"], both["seed"],
                      strict=True)) == [
        ("large_budget-cosine", 0, 0, 42), ("large_budget-cosine", 0, 1, 42),
        ("large_budget-cosine", 0, 2, 42), ("large_budget-cosine", 0, 3, 42),
        ("large_budget-cosine-reruns", 1, 2, 43), ("large_budget-cosine-reruns", 2, 2, 44)]
    assert both.set_index(["repeat", "trial"])["hp.lr"].to_dict() == {
        (0, 0): 0.01, (0, 1): 0.001, (0, 2): 0.03, (0, 3): 0.003, (1, 2): 0.03, (2, 2): 0.03}
    assert both.set_index("seed")["attr.role"].to_dict() == {
        42: "tuning", 43: "rerun", 44: "rerun"}
    pools = import_report(study).pools
    assert pools["quadratic_deep/large_budget-cosine-reruns/SGD"]["re-run"] == 2
    assert pools["quadratic_deep/large_budget-cosine/SGD"]["re-run"] == 0
    assert pools["quadratic_deep/large_budget-cosine/SGD"]["diverged"] == 0
    assert pools["quadratic_deep/small_budget-constant/SGD"]["diverged"] == 2
    assert set(both["hp.nesterov"]) == {"false"}
    assert set(both["attr.batch_size"]) == {128.0}
    # the cosine schedule DeepOBS recorded, as JSON text
    schedule = json.loads(both["attr.training_params"].iloc[0])
    assert schedule["lr_sched_epochs"] == [1, 2, 3, 4]


def test_curves_have_n_plus_one_points_per_epoch(crowded_valley):
    study = deepobs.read(crowded_valley)
    curve = study.curves[(study.curves["protocol"] == "small_budget-constant")
                         & (study.curves["optimizer"] == "SGD")
                         & (study.curves["trial"] == 3) & (study.curves["repeat"] == 0)]
    (path,) = (crowded_valley / CONSTANT / SETTING.format("3.e-02")).glob("random_seed__42_*")
    expected = raw(path)
    assert curve["step"].tolist() == [0, 1, 2, 3, 4, 5]
    assert curve["valid_loss"].tolist() == expected["valid_losses"]
    assert curve["test_loss"].tolist() == expected["test_losses"]
    assert study.metric("valid_loss").direction == "minimize"
    assert "stated by the format" in import_report(study).metrics["train_loss"]
    # DeepOBS writes no accuracies for quadratic_deep (its runner drops all-zero ones)
    assert "train_accuracies" not in expected and "valid_accuracy" not in study.metrics


def test_accuracies_are_maximised_fractions(tmp_path):
    """The accuracy series of an image problem (a made-up mnist_mlp result)."""
    doc = deepobs_result(seed=42, epochs=4, lr=0.1)
    write_json(tmp_path / "mnist_mlp" / "MomentumOptimizer" / "lr__1" / "random_seed__42__x.json",
               doc)
    study = deepobs.read(tmp_path)
    assert study.curves["test_accuracy"].tolist() == doc["test_accuracies"]
    assert study.metric("valid_accuracy").direction == "maximize"


def test_diverged_run_is_recognised_by_the_filled_tail(crowded_valley):
    study = deepobs.read(crowded_valley)
    sgd = study.trials[(study.trials["protocol"] == "small_budget-constant")
                       & (study.trials["optimizer"] == "SGD")].set_index("trial")
    # DeepOBS's abort routine: lr 10 went inf in epoch 1, lr 0.3 blew up in epochs 1-2;
    # both files hold epoch 0's values from there to epoch 5
    for trial, lr, last in ((0, 10.0, 1), (2, 0.3, 2)):
        row = sgd.loc[trial]
        assert row["hp.lr"] == lr and row["status"] == "diverged"
        assert f"after epoch {last}" in row["message"]
        curve = study.curves[(study.curves["trial"] == trial) & (study.curves["repeat"] == 0)
                             & (study.curves["optimizer"] == "SGD")
                             & (study.curves["protocol"] == "small_budget-constant")]
        assert curve["step"].tolist() == list(range(last + 1))  # the filled epochs left out
    assert (sgd.loc[[1, 3], "status"] == "completed").all()


def test_older_generation_without_validation_set(tmp_path):
    root = tmp_path / "results"
    doc = deepobs_result(seed=1, epochs=2, lr=0.3, version="1.1")
    write_json(root / "mnist_mlp" / "MomentumOptimizer" / "lr__3.00e-01" / "random_seed__1__x.json",
               doc)
    study = deepobs.read(root)
    row = study.trials.iloc[0]
    assert row["hp.learning_rate"] == 0.3 and row["hp.momentum"] == 0.9
    assert row["attr.weight_decay"] == 0.0005
    assert row["protocol"] == "default"
    assert "valid_loss" not in study.metrics
    assert study.curves["train_loss"].tolist() == doc["train_losses"]
    skipped = {s.place for s in import_report(study).skipped}
    assert "minibatch_train_losses" in skipped


def test_zero_accuracies_left_out(tmp_path):
    root = tmp_path / "results"
    write_json(root / "quadratic_deep" / "SGD" / "lr__1" / "random_seed__42__x.json",
               deepobs_result(seed=42, epochs=3, lr=0.1, accuracy=False))
    study = deepobs.read(root)
    assert set(study.metrics) == {"train_loss", "valid_loss", "test_loss"}
    assert any("every value is 0" in n for n in import_report(study).notes)


def test_malformed_files_are_listed(crowded_valley):
    bad = crowded_valley / CONSTANT / SETTING.format("1.e-01") / "random_seed__45__2020.json"
    bad.write_text('{"train_losses": [1.0, 0.5')  # truncated JSON
    odd = bad.with_name("random_seed__46__2020.json")
    odd.write_text(json.dumps({"train_losses": [1, 2], "test_losses": [1]}))
    stray = crowded_valley / "notes.json"
    stray.write_text("{}")
    study = deepobs.read(crowded_valley)
    reasons = {s.place: s.reason for s in import_report(study).skipped}
    assert "malformed JSON" in reasons[str(bad)]
    assert "lengths [1, 2]" in reasons[str(odd)]
    assert "not in a <testproblem>" in reasons[str(stray)]
    assert len(study.trials) == 18
    pools = import_report(study).pools
    assert pools["quadratic_deep/small_budget-constant/SGD"]["skipped"] == 2


def test_a_rerun_of_the_same_seed_keeps_the_newest(crowded_valley):
    # DeepOBS names the settings folder with the schedule too (..._lr_sched_epochs__[1, ...)
    (path,) = (crowded_valley / COSINE).glob(SETTING.format("1.e-02") + "__*/random_seed__42_*")
    newer = raw(path)
    newer["train_losses"] = list(np.array(newer["train_losses"]) / 2)
    path.with_name("random_seed__42__2099-01-01-00-00-00.json").write_text(json.dumps(newer))
    study = deepobs.read(crowded_valley)
    row = study.trials[(study.trials["protocol"] == "large_budget-cosine")
                       & (study.trials["optimizer"] == "SGD")
                       & (study.trials["repeat"] == 0) & (study.trials["trial"] == 0)]
    assert row["final.train_loss"].item() == newer["train_losses"][-1]
    assert any("older run" in s.reason for s in import_report(study).skipped)


def test_protocol_option_merges_the_layouts_protocols(crowded_valley):
    study = deepobs.read(crowded_valley, protocol="one")
    assert set(study.trials["protocol"]) == {"one", "one-reruns"}
    assert len(study.trials) == 18  # the settings of both budgets are distinct trials
    tuning = study.trials[study.trials["protocol"] == "one"]
    sgd, adam = (tuning[tuning["optimizer"] == o] for o in ("SGD", "Adam"))
    assert sorted(sgd["trial"]) == list(range(8)) and set(sgd["repeat"]) == {0}
    assert sorted(adam["trial"]) == list(range(6)) and set(adam["repeat"]) == {0}


def test_a_multi_seed_design_keeps_its_seeds_as_repeats(tmp_path):
    """Every setting run with the same seeds: no re-runs, the seeds are repeats."""
    root = tmp_path / "results"
    for setting, lr in (("lr__1.e-01", 0.1), ("lr__1.e-02", 0.01)):
        for seed in (42, 43, 44):
            write_json(root / "mnist_mlp" / "MomentumOptimizer" / setting /
                       f"random_seed__{seed}__x.json", deepobs_result(seed=seed, epochs=2, lr=lr))
    study = deepobs.read(root)
    assert set(study.trials["protocol"]) == {"default"}
    assert set(study.trials["attr.role"]) == {"tuning"}
    assert sorted(zip(study.trials["repeat"], study.trials["trial"], strict=True)) == [
        (r, t) for r in range(3) for t in range(2)]
    assert not any("re-runs" in n for n in import_report(study).notes)


def test_headline_metric_is_the_one_deepobs_ranks_by(crowded_valley, tmp_path):
    """DeepOBS's analyzer ranks by valid_accuracies, falling back to valid_losses, then
    test_losses: quadratic_deep (no accuracies) by valid_loss, mnist_mlp by
    valid_accuracy, a DeepOBS 1.1 result (no validation set) by its test accuracy."""
    assert deepobs.read(crowded_valley).headline_metric("quadratic_deep").name == "valid_loss"
    for version, expected in (("1.2", "valid_accuracy"), ("1.1", "test_accuracy")):
        root = tmp_path / version
        write_json(root / "mnist_mlp" / "MomentumOptimizer" / "lr__1" / "random_seed__42__x.json",
                   deepobs_result(seed=42, epochs=2, lr=0.1, version=version))
        assert deepobs.read(root).headline_metric("mnist_mlp").name == expected
