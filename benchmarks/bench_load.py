"""Benchmark: loading and validating a study vs. a bare pyarrow read of its two files.

Target (issue 2): ``tunestats.load_study`` on 1,000 trials × 1,000 evaluation
steps × 4 metrics takes at most 1.5× the time of ``pyarrow.parquet.read_table``
on ``trials.parquet`` and ``curves.parquet``, measured in the same run.

Run: ``python benchmarks/bench_load.py [--trials N --steps S --repeats R]``
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from _timing import best_time, verdict

import tunestats
from tunestats.study import Metric

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam")
METRICS = {"train_loss": Metric("train_loss", "minimize", "train"),
           "valid_loss": Metric("valid_loss", "minimize", "valid"),
           "valid_error": Metric("valid_error", "minimize", "valid"),
           "test_error": Metric("test_error", "minimize", "test")}


def make_study(n_trials: int, n_steps: int, seed: int = 0) -> tunestats.Study:
    rng = np.random.default_rng(seed)
    trial = np.arange(n_trials)
    workload = np.where(trial % 2 == 0, "digits_mlp", "char_lstm")
    optimizer = np.asarray(OPTIMIZERS)[(trial // 2) % len(OPTIMIZERS)]
    trials = pd.DataFrame({
        "workload": workload, "protocol": "paper", "optimizer": optimizer, "repeat": 0,
        "trial": trial, "seed": trial, "status": "completed",
        "hp.learning_rate": 10 ** rng.uniform(-4, 0, n_trials),
        **{f"final.{m}": rng.random(n_trials) for m in METRICS}})
    rows = np.repeat(trial, n_steps)
    curves = pd.DataFrame({
        "workload": workload[rows], "protocol": "paper", "optimizer": optimizer[rows],
        "repeat": 0, "trial": rows, "step": np.tile(np.arange(n_steps) * 100, n_trials),
        "time_s": np.tile(np.arange(n_steps) * 0.5, n_trials),
        **{m: rng.random(n_trials * n_steps) for m in METRICS}})
    return tunestats.Study.from_frames(trials, curves, metrics=METRICS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        make_study(args.trials, args.steps).save(folder)
        files = [folder / "trials.parquet", folder / "curves.parquet"]

        def bare() -> None:
            for f in files:
                pq.read_table(f)

        def ours() -> None:
            tunestats.load_study(folder)

        bare(), ours()  # warm the file cache and imports
        t_bare = best_time(bare, args.repeats)
        t_ours = best_time(ours, args.repeats)
    ratio = t_ours / t_bare
    print(f"study: {args.trials} trials x {args.steps} steps x {len(METRICS)} metrics")
    print(f"pyarrow.parquet.read_table (both files): {t_bare * 1e3:8.1f} ms")
    print(f"tunestats.load_study (read + validate):  {t_ours * 1e3:8.1f} ms")
    print(f"ratio load_study / read_table: {ratio:.2f}  {verdict(ratio, 1.5)}")


if __name__ == "__main__":
    main()
