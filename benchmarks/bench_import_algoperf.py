"""Benchmark: importing AlgoPerf logs vs. ``pandas.read_csv`` on the same files.

Targets, each measured against ``pandas.read_csv`` on the same CSV files in
the same run:

- issue 10: the real 240-trial v0.6 leaderboard logs (``tests/data/algoperf_v06``,
  with the benchmark's targets file) import in at most 1.2× the time;
- issue 7 (``--generated``): 4,000 AlgoPerf-style trial folders (about 65 MB
  of ``eval_measurements.csv``, generated in a temporary folder) in at most 2×.

The v0.6 logs are the real published ones (the complete ``external_tuning``
tree, copied unchanged from ``../shared/data/algoperf_v06``). The import
includes everything the importer does besides parsing: walking the folders,
``hparams.json``, the search space, targets, building, validating and
normalising the study. The baseline is a bare loop of ``pandas.read_csv(path)``
(default engine, every column) over exactly the ``eval_measurements.csv``
files the import reads. The two are timed in turns, ``--repeats`` times each
(the order alternating), so that both see the same load on a shared machine;
the ratio is that of the best wall-clock times, and the best CPU times
(``time.process_time``, all threads of the process) are printed beside them.

Run: ``python benchmarks/bench_import_algoperf.py [--repeats R] [--generated --trials N --evals E]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _algoperf_layout import write_eval_measurements

from tunestats.cli._output import ProgressLine
from tunestats.importers import algoperf

WORKLOADS = ("criteo1tb_jax", "fastmri_jax", "imagenet_resnet_jax", "imagenet_vit_pytorch",
             "librispeech_conformer_jax", "librispeech_deepspeech_pytorch", "ogbg_jax",
             "wmt_pytorch")
SUBMISSIONS = ("adamw_baseline", "shampoo_like")
STUDIES = 5
V06 = Path(__file__).parents[1] / "tests" / "data" / "algoperf_v06"


def generate(root: Path, n_trials: int, n_evals: int, seed: int = 0) -> list[Path]:
    """AlgoPerf-style logs: submissions × studies × workloads × trials folders."""
    rng = np.random.default_rng(seed)
    per = n_trials // (len(SUBMISSIONS) * STUDIES * len(WORKLOADS))
    space = {"learning_rate": {"min": 1e-4, "max": 1e-1, "scaling": "log"},
             "one_minus_beta1": {"min": 1e-2, "max": 0.2, "scaling": "log"},
             "warmup_factor": {"feasible_points": [0.05]}}
    files = []
    i = np.arange(n_evals)
    for submission in SUBMISSIONS:
        (root / submission).mkdir(parents=True)
        (root / submission / "tuning_search_space.json").write_text(json.dumps(space))
        for study in range(STUDIES):
            for workload in WORKLOADS:
                for trial in range(1, per + 1):
                    folder = root / submission / f"study_{study}" / workload / f"trial_{trial}"
                    folder.mkdir(parents=True)
                    lr = float(10 ** rng.uniform(-4, -1))
                    (folder / "hparams.json").write_text(json.dumps(
                        {"learning_rate": lr, "one_minus_beta1": 0.1, "warmup_factor": 0.05}))
                    t = np.cumsum(rng.uniform(50, 60, n_evals))
                    loss = 3.0 * np.exp(-i / (10 + 1e3 * lr)) + rng.uniform(0, 0.01, n_evals)
                    acc = 1 - loss / 4
                    files.append(write_eval_measurements(folder, t, i, acc, loss))
    return files


def _times(function) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call of ``function``."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _compare(label: str, files: list[Path], read, repeats: int, limit: float) -> None:
    def bare() -> None:
        for f in files:
            pd.read_csv(f)

    bare(), read()  # warm the file cache and imports
    best = {"bare": (np.inf, np.inf), "ours": (np.inf, np.inf)}
    for r in range(repeats):  # interleaved, the order alternating
        for side in (("bare", "ours") if r % 2 == 0 else ("ours", "bare")):
            wall, cpu = _times(bare if side == "bare" else read)
            best[side] = (min(best[side][0], wall), min(best[side][1], cpu))
    study = read()
    (wall_bare, cpu_bare), (wall_ours, cpu_ours) = best["bare"], best["ours"]
    ratio = wall_ours / wall_bare
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    print(f"{label}: {len(files)} eval_measurements.csv files, {megabytes:.1f} MB; "
          f"study: {len(study.trials)} trials, {len(study.curves)} curve rows "
          f"(best of {repeats}, wall / CPU)")
    print(f"  pandas.read_csv (every CSV):       {wall_bare:8.3f} s  {cpu_bare:8.3f} s CPU")
    print(f"  tunestats.importers.algoperf.read: {wall_ours:8.3f} s  {cpu_ours:8.3f} s CPU")
    print(f"  CPU ratio = {cpu_ours / cpu_bare:.2f}")
    print(f"  ratio = {ratio:.2f} (target <= {limit:.2f}): {'met' if ratio <= limit else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--generated", action="store_true",
                        help="also time the generated tree of --trials folders")
    parser.add_argument("--trials", type=int, default=4000)
    parser.add_argument("--evals", type=int, default=68, help="evaluations per trial")
    args = parser.parse_args()
    logs = V06 / "logs" / "external_tuning"
    print(f"source: the real AlgoPerf v0.6 logs, {logs.relative_to(V06.parents[2])}")
    _compare("v0.6 logs", sorted(logs.rglob("eval_measurements.csv")),
             lambda: algoperf.read(logs, targets=V06 / "workload_targets_v06.json"),
             args.repeats, 1.2)
    if not args.generated:
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "logs"
        print(f"generating {args.trials} trial folders ...", file=sys.stderr)
        files = generate(root, args.trials, args.evals)
        _compare("generated logs", files, lambda: algoperf.read(
            root, progress=ProgressLine("importing trial folders")), args.repeats, 2)


if __name__ == "__main__":
    main()
