"""Benchmark: protocol comparison and steps-to-target robustness vs. loading the study.

Target (issue 4): for a study of 8 workloads × 3 protocols × 6 optimizers ×
100 trials with 200-step curves, ``compare_protocols`` at all power-of-two
budgets (outer bootstrap of 200 replicates) plus ``target_robustness`` over a
10 × 10 target/budget grid take at most 10× the time of
``tunestats.load_study`` (read + validate) of that study, measured in the
same run.

Run: ``python benchmarks/bench_compare.py [--trials N --steps S --repeats R]``
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from _timing import best_time, verdict

import tunestats
from tunestats.analysis import target_robustness
from tunestats.synthetic import Bowl, synthetic_study

WORKLOADS = tuple(f"workload_{i}" for i in range(8))
PROTOCOLS = ("lr-only", "lr-decay", "full")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam")


def make_study(n_trials: int, n_steps: int, seed: int = 0) -> tunestats.Study:
    rng = np.random.default_rng(seed)
    bowls = {(w, p, o): Bowl(floor=float(rng.uniform(0.03, 0.12)),
                             optimum=float(10 ** rng.uniform(-3, -1)), diverge_above=0.5)
             for w in WORKLOADS for p in PROTOCOLS for o in OPTIMIZERS}
    return synthetic_study(workloads=WORKLOADS, protocols=PROTOCOLS, optimizers=OPTIMIZERS,
                           n_trials=n_trials, n_steps=n_steps, bowls=bowls, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        make_study(args.trials, args.steps).save(folder)
        study = tunestats.load_study(folder)  # warm the file cache and imports

        def load() -> None:
            tunestats.load_study(folder)

        def analyse() -> None:
            tunestats.compare_protocols(study, n_resamples=200, seed=0)
            target_robustness(study, metric="valid_error", n_grid=10)

        t_load = best_time(load, args.repeats)
        t_ours = best_time(analyse, args.repeats)
    ratio = t_ours / t_load
    print(f"study: {len(WORKLOADS)} workloads x {len(PROTOCOLS)} protocols x {len(OPTIMIZERS)} "
          f"optimizers x {args.trials} trials x {args.steps} steps")
    print(f"tunestats.load_study (read + validate):            {t_load * 1e3:8.1f} ms")
    print(f"compare_protocols (2^j budgets) + 10x10 robustness: {t_ours * 1e3:8.1f} ms")
    print(f"ratio analysis / load: {ratio:.2f}  {verdict(ratio, 10)}")


if __name__ == "__main__":
    main()
