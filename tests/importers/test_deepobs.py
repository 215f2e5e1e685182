import json

import numpy as np
import pytest

from tunestats.importers import deepobs, import_report

from .conftest import deepobs_result, write_json

SETTING_A = "num_epochs__4__batch_size__128__lr__1.00e-01__momentum__9.00e-01"
SETTING_B = "num_epochs__4__batch_size__128__lr__1.00e-02__momentum__9.00e-01"


@pytest.fixture
def crowded_valley(tmp_path):
    """results/<budget>/<schedule>/<testproblem>/<Optimizer>/<setting>/<seed file>: two
    settings with seed 42, the best re-run with seeds 43 and 44; one diverged run."""
    root = tmp_path / "results"
    for budget, schedule in (("small_budget", "constant"), ("large_budget", "cosine")):
        base = root / budget / schedule / "mnist_mlp" / "MomentumOptimizer"
        write_json(base / SETTING_A / "random_seed__42__2020-01-01-00-00-00.json",
                   deepobs_result(seed=42, epochs=4, lr=0.1))
        write_json(base / SETTING_B / "random_seed__42__2020-01-01-00-00-01.json",
                   deepobs_result(seed=42, epochs=4, lr=0.01, diverge_after=1))
        for seed in (43, 44):
            write_json(base / SETTING_A / f"random_seed__{seed}__2020-01-02-00-00-00.json",
                       deepobs_result(seed=seed, epochs=4, lr=0.1))
    return root


def test_layout_protocols_repeats_and_trials(crowded_valley):
    study = deepobs.read(crowded_valley)
    trials = study.trials
    assert sorted(trials["protocol"].unique()) == [
        "large_budget-cosine", "large_budget-cosine-reruns", "small_budget-constant",
        "small_budget-constant-reruns"]
    assert set(trials["workload"]) == {"mnist_mlp"}
    assert set(trials["optimizer"]) == {"MomentumOptimizer"}
    both = trials[trials["protocol"].str.startswith("large_budget-cosine")]
    # seeds 42, 43, 44 → repeats 0, 1, 2; the settings in name order → trials 0 (lr 0.1), 1;
    # the re-runs of setting A (seeds 43, 44) are in their own protocol
    assert sorted(zip(both["protocol"], both["repeat"], both["trial"], both["seed"],
                      strict=True)) == [
        ("large_budget-cosine", 0, 0, 42), ("large_budget-cosine", 0, 1, 42),
        ("large_budget-cosine-reruns", 1, 0, 43), ("large_budget-cosine-reruns", 2, 0, 44)]
    assert both.set_index(["repeat", "trial"])["hp.lr"].to_dict() == {
        (0, 0): 0.1, (0, 1): 0.01, (1, 0): 0.1, (2, 0): 0.1}
    assert both.set_index("seed")["attr.role"].to_dict() == {
        42: "tuning", 43: "rerun", 44: "rerun"}
    pools = import_report(study).pools
    assert pools["mnist_mlp/large_budget-cosine-reruns/MomentumOptimizer"]["re-run"] == 2
    assert pools["mnist_mlp/large_budget-cosine/MomentumOptimizer"]["re-run"] == 0
    assert pools["mnist_mlp/large_budget-cosine/MomentumOptimizer"]["diverged"] == 1
    assert set(both["hp.nesterov"]) == {"false"}
    assert set(both["attr.batch_size"]) == {128.0}


def test_curves_have_n_plus_one_points_per_epoch(crowded_valley):
    study = deepobs.read(crowded_valley)
    curve = study.curves[(study.curves["protocol"] == "small_budget-constant")
                         & (study.curves["trial"] == 0) & (study.curves["repeat"] == 0)]
    expected = deepobs_result(seed=42, epochs=4, lr=0.1)
    assert curve["step"].tolist() == [0, 1, 2, 3, 4]
    assert curve["valid_loss"].tolist() == expected["valid_losses"]
    assert curve["test_accuracy"].tolist() == expected["test_accuracies"]
    assert study.metric("valid_accuracy").direction == "maximize"
    assert "stated by the format" in import_report(study).metrics["train_loss"]


def test_diverged_run_is_recognised_by_the_filled_tail(crowded_valley):
    study = deepobs.read(crowded_valley)
    row = study.trials[(study.trials["trial"] == 1)].iloc[0]
    assert row["status"] == "diverged"
    assert "after epoch 1" in row["message"]
    curve = study.curves[(study.curves["trial"] == 1)
                         & (study.curves["protocol"] == row["protocol"])]
    assert curve["step"].tolist() == [0, 1]  # the filled epochs 2..4 are left out


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
    bad = crowded_valley / "small_budget" / "constant" / "mnist_mlp" / "MomentumOptimizer" / (
        SETTING_A) / "random_seed__45__2020.json"
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
    assert len(study.trials) == 8
    pools = import_report(study).pools
    assert pools["mnist_mlp/small_budget-constant/MomentumOptimizer"]["skipped"] == 2


def test_a_rerun_of_the_same_seed_keeps_the_newest(crowded_valley):
    base = crowded_valley / "large_budget" / "cosine" / "mnist_mlp" / "MomentumOptimizer"
    newer = deepobs_result(seed=42, epochs=4, lr=0.1)
    newer["train_losses"] = list(np.array(newer["train_losses"]) / 2)
    write_json(base / SETTING_A / "random_seed__42__2021-01-01-00-00-00.json", newer)
    study = deepobs.read(crowded_valley)
    row = study.trials[(study.trials["protocol"] == "large_budget-cosine")
                       & (study.trials["repeat"] == 0) & (study.trials["trial"] == 0)]
    assert row["final.train_loss"].item() == newer["train_losses"][-1]
    assert any("older run" in s.reason for s in import_report(study).skipped)


def test_protocol_option_merges_the_layouts_protocols(crowded_valley):
    study = deepobs.read(crowded_valley, protocol="one")
    assert set(study.trials["protocol"]) == {"one", "one-reruns"}
    assert len(study.trials) == 8  # the settings of both budgets are distinct trials
    tuning = study.trials[study.trials["protocol"] == "one"]
    assert sorted(tuning["trial"]) == [0, 1, 2, 3] and set(tuning["repeat"]) == {0}


def test_a_multi_seed_design_keeps_its_seeds_as_repeats(tmp_path):
    """Every setting run with the same seeds: no re-runs, the seeds are repeats."""
    root = tmp_path / "results"
    for setting, lr in ((SETTING_A, 0.1), (SETTING_B, 0.01)):
        for seed in (42, 43, 44):
            write_json(root / "mnist_mlp" / "MomentumOptimizer" / setting /
                       f"random_seed__{seed}__x.json", deepobs_result(seed=seed, epochs=2, lr=lr))
    study = deepobs.read(root)
    assert set(study.trials["protocol"]) == {"default"}
    assert set(study.trials["attr.role"]) == {"tuning"}
    assert sorted(zip(study.trials["repeat"], study.trials["trial"], strict=True)) == [
        (r, t) for r in range(3) for t in range(2)]
    assert not any("re-runs" in n for n in import_report(study).notes)
