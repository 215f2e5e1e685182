"""Write the Shallue et al. (2019) sample under data/examples/shallue/.

The released data of "Measuring the Effects of Data Parallelism on Neural Network
Training" (batch_science_data.tar.bz2, ~802 MB, not downloadable here) is laid out as
documented in google-research/google-research, ``batch_science/README.md``, and read by
that folder's ``data_loader.py`` (``load_study``: ``study.json``, trial folders named by
integer, each with ``metadata.json`` and ``measurements.csv``)::

    <dataset>/<model>/<optimizer>/<batch size>/study.json
    <dataset>/<model>/<optimizer>/<batch size>/<trial id>/metadata.json
    <dataset>/<model>/<optimizer>/<batch size>/<trial id>/measurements.csv

This script writes that layout with the fields and spellings of the README's examples
(``parameter_configs`` with ``type``/``scale``/``min_value``/``max_value`` or
``feasible_points``; ``_internal_study_name``, ``_internal_trial_id``, ``parameters``,
``status`` COMPLETE/INCOMPLETE/INFEASIBLE, ``steps``, ``trial_id``; a measurements table
with ``step`` and ``train/``, ``val/``, ``test/`` ``cross_entropy_error`` and
``classification_error``, evaluated at uneven steps) for one workload
(``fashion_mnist/simple_cnn_base/nesterov_momentum``) at two batch sizes, 6 trials
each. **The values are made up** by a toy learning-curve model below (seeded; no
trained network): the sample shows the format, not the paper's results. Run from the
repository root: ``.venv/bin/python data/examples/make_shallue.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "shallue"
TRAIN_STEPS = {64: 2400, 1024: 600}
SPACE = {
    "learning_rate": {"max_value": 10.0, "min_value": 0.0001, "scale": "LOG_SCALE",
                      "type": "DOUBLE"},
    "momentum": {"max_value": 0.9999, "min_value": 0.9, "scale": "REVERSE_LOG_SCALE",
                 "type": "DOUBLE"},
    "learning_rate_decay_steps": {"max_value": 2400, "min_value": 1200, "scale": "",
                                  "type": "INTEGER"},
    "label_smoothing": {"feasible_points": [0.0, 0.01, 0.1], "type": "DISCRETE"},
}
COLUMNS = ["train/cross_entropy_error", "train/classification_error",
           "val/cross_entropy_error", "val/classification_error",
           "test/cross_entropy_error", "test/classification_error"]


def _draw(rng: np.random.Generator, batch_size: int) -> dict:
    """One point of the search space, drawn in each parameter's scale."""
    decay = SPACE["learning_rate_decay_steps"]
    steps = TRAIN_STEPS[batch_size]
    return {"label_smoothing": float(rng.choice(SPACE["label_smoothing"]["feasible_points"])),
            "learning_rate": float(10 ** rng.uniform(-4, 1)),
            "learning_rate_decay_steps": int(rng.integers(decay["min_value"] * steps // 2400,
                                                          decay["max_value"] * steps // 2400
                                                          + 1)),
            "momentum": float(1 - 10 ** rng.uniform(-4, -1))}


def _curve(rng: np.random.Generator, params: dict, steps: np.ndarray,
           batch_size: int) -> np.ndarray:
    """Toy error curves (rows: steps; columns: COLUMNS): the closer the effective
    learning rate lr / (1 - momentum) is to the batch size's best, the faster and lower."""
    effective = np.log10(params["learning_rate"] / (1 - params["momentum"]))
    best = 0.5 + 0.5 * np.log10(batch_size / 64)
    miss = abs(effective - best)
    floor = 0.08 + 0.05 * miss + params["label_smoothing"]
    rate = 4.0 / (1 + miss) / steps[-1]
    error = floor + (0.9 - floor) * np.exp(-rate * steps)
    noise = rng.normal(0, 0.004, (steps.size, 3))
    classification = np.clip(error[:, None] + noise + [0.0, 0.01, 0.015], 0, 1)
    cross_entropy = -np.log(1 - 0.9 * classification) * 2.3
    out = np.empty((steps.size, 6))
    out[:, 0::2], out[:, 1::2] = cross_entropy, classification
    return out


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    rng = np.random.default_rng(2019)
    for batch_size, train_steps in TRAIN_STEPS.items():
        folder = OUT / "fashion_mnist" / "simple_cnn_base" / "nesterov_momentum" / str(
            batch_size)
        folder.mkdir(parents=True)
        space = dict(SPACE)
        space["learning_rate_decay_steps"] = {
            **SPACE["learning_rate_decay_steps"],
            "max_value": train_steps, "min_value": train_steps // 2}
        study = {"batch_size": batch_size, "dataset": "fashion_mnist", "early_stopping": False,
                 "model": "simple_cnn_base", "optimizer": "nesterov_momentum",
                 "parameter_configs": space, "train_steps": train_steps}
        (folder / "study.json").write_text(json.dumps(study, indent=2, sort_keys=True))
        # evaluations at uneven steps, as in the data (every ~1/8 of training, jittered)
        steps = np.unique(np.r_[0, np.round(np.linspace(0, train_steps, 9)[1:-1]
                                            + rng.integers(-20, 21, 7)), train_steps])
        for trial_id in range(1, 7):
            params = _draw(rng, batch_size)
            table = _curve(rng, params, steps, batch_size)
            status, trained = "COMPLETE", train_steps
            if trial_id == 4:  # training diverged: the last evaluations are NaN
                status, table[steps > steps[len(steps) // 2]] = "INFEASIBLE", np.nan
            if trial_id == 6:  # stopped before train_steps
                status, trained = "INCOMPLETE", int(steps[len(steps) // 2])
                table = table[steps <= trained]
            trial = folder / str(trial_id)
            trial.mkdir()
            meta = {"_internal_study_name": f"simple-cnn-bs{batch_size}",
                    "_internal_trial_id": trial_id, "parameters": params, "status": status,
                    "steps": trained, "trial_id": trial_id}
            (trial / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
            lines = [",".join(["step", *COLUMNS])]
            for step, row in zip(steps[: len(table)], table, strict=True):
                lines.append(",".join([str(int(step)), *(f"{v:.6g}" for v in row)]))
            (trial / "measurements.csv").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(list(OUT.rglob('measurements.csv')))} trials under {OUT}")


if __name__ == "__main__":
    main()
