"""Fixture writers for the importer tests.

Each writes a small tree in a format's documented layout (from the format's
public documentation and source), with values made up here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ALGOPERF_HEADER = ("accumulated_eval_time,accumulated_logging_time,accumulated_submission_time,"
                   "global_step,preemption_count,score,test/accuracy,test/loss,test/num_examples,"
                   "total_duration,train/accuracy,train/loss,validation/accuracy,validation/loss,"
                   "validation/num_examples")


def algoperf_rows(n: int, *, lr: float, diverge_at: int | None = None) -> list[list[float]]:
    """Evaluation rows of one made-up trial: losses fall as 1/(i+1) scaled by lr."""
    rows = []
    for i in range(n):
        loss = (1.0 + lr) / (i + 1)
        if diverge_at is not None and i >= diverge_at:
            loss = float("nan")
        acc = 1.0 - loss / 4
        rows.append([0.5 * i, 0.01 * i, 30.0 * i, 100 * i + 1, 0, 30.0 * i, acc, loss, 1000,
                     31.0 * i, acc, loss, acc - 0.01, loss + 0.01, 1000])
    return rows


def write_algoperf_trial(folder: Path, rows: list[list[float]] | None,
                         hparams: dict | None) -> None:
    folder.mkdir(parents=True)
    if hparams is not None:
        (folder / "hparams.json").write_text(json.dumps(hparams))
    if rows is not None:
        lines = [ALGOPERF_HEADER] + [",".join(repr(float(v)) if isinstance(v, float) else str(v)
                                              for v in row) for row in rows]
        (folder / "eval_measurements.csv").write_text("\n".join(lines) + "\n")


@pytest.fixture
def algoperf_logs(tmp_path: Path) -> Path:
    """Two submissions × 2 studies × 2 workloads × 3 trials (external tuning); in
    study_1 trial_3 of each workload has no eval file; sgd/study_0/wmt trial_2 diverges."""
    root = tmp_path / "logs"
    space = {"learning_rate": {"min": 1e-4, "max": 1e-1, "scaling": "log"},
             "one_minus_beta1": {"feasible_points": [0.1]},
             "weight_decay": {"min": 0.0, "max": 0.5, "scaling": "linear"}}
    for s_index, submission in enumerate(("adamw", "sgd")):
        (root / submission).mkdir(parents=True)
        (root / submission / "tuning_search_space.json").write_text(json.dumps(space))
        for study in (0, 1):
            for workload in ("mnist_jax", "wmt_pytorch"):
                for trial in (1, 2, 3):
                    lr = 10.0 ** -(trial + s_index)
                    folder = root / submission / f"study_{study}" / workload / f"trial_{trial}"
                    diverge = 2 if (submission, study, workload, trial) == (
                        "sgd", 0, "wmt_pytorch", 2) else None
                    rows = None if (study, trial) == (1, 3) else algoperf_rows(
                        4, lr=lr, diverge_at=diverge)
                    write_algoperf_trial(folder, rows, {"learning_rate": lr,
                                                        "one_minus_beta1": 0.1,
                                                        "weight_decay": 0.1 * trial})
    return root


def deepobs_result(*, seed: int, epochs: int, lr: float, version: str = "1.2",
                   diverge_after: int | None = None, accuracy: bool = True) -> dict:
    """A made-up DeepOBS result JSON of the given generation."""
    n = epochs + 1
    losses = [2.0 / (1 + lr * 10 * e) for e in range(n)]
    accs = [0.1 + 0.8 * (1 - loss / 2.0) for loss in losses] if accuracy else [0.0] * n
    series = {"train_losses": losses, "test_losses": [x + 0.1 for x in losses],
              "train_accuracies": accs, "test_accuracies": [a - 0.05 if accuracy else 0.0
                                                            for a in accs],
              "minibatch_train_losses": [x + 0.2 for x in losses for _ in range(3)]}
    if version == "1.2":
        series["valid_losses"] = [x + 0.05 for x in losses]
        series["valid_accuracies"] = [a - 0.02 if accuracy else 0.0 for a in accs]
    if diverge_after is not None:  # DeepOBS fills later epochs with the values of epoch 0
        for name, values in series.items():
            if name != "minibatch_train_losses":
                series[name] = values[: diverge_after + 1] + [values[0]] * (
                    epochs - diverge_after)
    meta = {"testproblem": "quadratic_deep" if not accuracy else "mnist_mlp",
            "batch_size": 128, "num_epochs": epochs, "random_seed": seed}
    if version == "1.2":
        meta.update(optimizer_name="MomentumOptimizer", l2_reg=None,
                    optimizer_hyperparams={"lr": lr, "momentum": 0.9, "nesterov": False},
                    training_params={"lr_sched_epochs": None, "lr_sched_factors": None})
    else:
        meta.update(weight_decay=0.0005, hyperparams={"momentum": 0.9}, learning_rate=lr,
                    optimizer="MomentumOptimizer")
    return {**meta, **series}


def write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
