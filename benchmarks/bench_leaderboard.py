"""Benchmark: a whole AlgoPerf leaderboard (read + score) vs. ``pandas.read_csv`` on its files.

Target (issue 15): ``tunestats.analysis.leaderboard`` on a leaderboard-sized log
tree — 11 submissions × 5 studies × 14 workloads (8 base, 6 held-out
variants) × 5 trials, written here in AlgoPerf's layout with the columns of
real v0.6 ``eval_measurements.csv`` files — costs at most 0.8× a bare loop of
``pandas.read_csv`` over the same files, measured in the same run. The
leaderboard reads only the columns it scores (Arrow's CSV reader, files
with one header parsed together) and includes walking the folders and every scoring rule.

Run: ``python benchmarks/bench_leaderboard.py [--submissions N --evals E --repeats R]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _algoperf_layout import write_eval_measurements
from _timing import best_time, verdict

from tunestats.analysis import leaderboard

BASE = ("criteo1tb", "fastmri", "imagenet_resnet", "imagenet_vit", "librispeech_conformer",
        "librispeech_deepspeech", "ogbg", "wmt")
VARIANTS = ("criteo1tb_layernorm", "fastmri_tanh", "imagenet_resnet_silu", "imagenet_vit_glu",
            "ogbg_gelu", "wmt_post_ln")
STUDIES, TRIALS = 5, 5


def generate(root: Path, n_submissions: int, n_evals: int, seed: int = 0) -> tuple[list[Path],
                                                                                    dict]:
    """The log tree and its targets file (every workload scored on validation/accuracy)."""
    rng = np.random.default_rng(seed)
    files = []
    i = np.arange(n_evals)
    for s in range(n_submissions):
        for study in range(STUDIES):
            for workload in (*BASE, *VARIANTS):
                framework = "jax" if s % 2 else "pytorch"
                for trial in range(1, TRIALS + 1):
                    folder = (root / f"submission_{s:02d}" / f"study_{study}"
                              / f"{workload}_{framework}" / f"trial_{trial}")
                    folder.mkdir(parents=True)
                    (folder / "hparams.json").write_text(json.dumps(
                        {"learning_rate": float(10 ** rng.uniform(-4, -1))}))
                    t = np.cumsum(rng.uniform(50, 60, n_evals))
                    speed = rng.uniform(5, 30)
                    loss = 3.0 * np.exp(-i / speed) + rng.uniform(0, 0.01, n_evals)
                    acc = 1 - loss / 4
                    files.append(write_eval_measurements(folder, t, i, acc, loss))
    targets = {"base_workloads": list(BASE), "held_out_workloads": list(VARIANTS),
               "workloads": {w: {"target_metric_name": "accuracy",
                                 "validation_target_value": 0.95}
                             for w in (*BASE, *VARIANTS)}}
    return files, targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=11)
    parser.add_argument("--evals", type=int, default=60, help="evaluations per trial")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "external_tuning"
        print(f"generating {args.submissions * STUDIES * 14 * TRIALS} trial folders ...",
              file=sys.stderr)
        files, targets = generate(root, args.submissions, args.evals)
        megabytes = sum(f.stat().st_size for f in files) / 1e6

        def bare() -> None:
            for f in files:
                pd.read_csv(f)

        def ours() -> None:
            leaderboard(root, targets=targets)

        bare(), ours()  # warm the file cache and imports
        t_bare = best_time(bare, args.repeats)
        t_ours = best_time(ours, args.repeats)
        board = leaderboard(root, targets=targets)
    ratio = t_ours / t_bare
    print(f"logs: {len(files)} trial folders, {megabytes:.1f} MB of eval_measurements.csv; "
          f"{len(board.scores)} submissions scored")
    print(f"pandas.read_csv (every CSV):      {t_bare:8.2f} s")
    print(f"tunestats leaderboard (all of it): {t_ours:8.2f} s")
    print(f"ratio leaderboard / read_csv: {ratio:.2f}  {verdict(ratio, 0.8)}")


if __name__ == "__main__":
    main()
