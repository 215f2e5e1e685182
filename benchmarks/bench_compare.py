"""Benchmark: protocol comparison and steps-to-target robustness vs. loading the study.

Target (issue 4): for a study of 8 workloads × 3 protocols × 6 optimizers ×
100 trials with 200-step curves, ``compare_protocols`` at all power-of-two
budgets (outer bootstrap of 200 replicates) plus ``target_robustness`` over a
10 × 10 target/budget grid take at most 10× the time of
``tunestats.load_study`` (read + validate) of that study, measured in the
same run.

Also (issues 12 and 14): the screened permutation family against the one-stage
family in the same run, on a smaller study of that kind (2 workloads, 50 trials:
planted differences) and on the bundled study (data/study):
CPU time of ``compare_protocols`` with the default screen (199 permutations
first, only the sides near α continue to the full count) and with
``n_screen=0`` (every pair gets the full count), the ratio, and how many pair
sides each stage served, with the permutations drawn in all.

Run: ``python benchmarks/bench_compare.py [--trials N --steps S --repeats R]
[--study data/study]``
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from _timing import best_time, best_times, verdict

import tunestats
from tunestats.analysis import target_robustness
from tunestats.analysis.ranking import PERMUTATION_COUNTS
from tunestats.synthetic import Bowl, synthetic_study

WORKLOADS = tuple(f"workload_{i}" for i in range(8))
PROTOCOLS = ("lr-only", "lr-decay", "full")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam")


def make_study(n_trials: int, n_steps: int, seed: int = 0,
               workloads: tuple[str, ...] = WORKLOADS) -> tunestats.Study:
    rng = np.random.default_rng(seed)
    bowls = {(w, p, o): Bowl(floor=float(rng.uniform(0.03, 0.12)),
                             optimum=float(10 ** rng.uniform(-3, -1)), diverge_above=0.5)
             for w in workloads for p in PROTOCOLS for o in OPTIMIZERS}
    return synthetic_study(workloads=workloads, protocols=PROTOCOLS, optimizers=OPTIMIZERS,
                           n_trials=n_trials, n_steps=n_steps, bowls=bowls, seed=seed)


def screen_counts(result: tunestats.ProtocolComparison, n_screen: int) -> str:
    """Pair sides stopped at the screen / refined to the full count, and permutations drawn
    (each pair draws the full count when any of its sides is refined)."""
    pairs = result.pairs.drop_duplicates(["workload", "protocol", "a", "b"])
    counts = pairs[list(PERMUTATION_COUNTS)].to_numpy()
    refined = counts > n_screen
    return (f"{len(pairs)} pairs x 3 sides: {int((~refined).sum())} stopped at {n_screen}, "
            f"{int(refined.sum())} refined (two-sided {int(refined[:, 0].sum())}); "
            f"{int(counts.max(axis=1).sum()):,} permutations drawn")


def compare_screen(name: str, study: tunestats.Study, repeats: int) -> None:
    """Time the screened and the one-stage family on ``study`` and print the ratio."""
    screened = tunestats.compare_protocols(study, seed=0)
    one_stage = tunestats.compare_protocols(study, seed=0, n_screen=0)
    same = (screened.pairs["order"].tolist() == one_stage.pairs["order"].tolist()
            and screened.flips["resolved"].tolist() == one_stage.flips["resolved"].tolist()
            and screened.violations["violation"].tolist()
            == one_stage.violations["violation"].tolist())
    wall_one, cpu_one = best_times(
        lambda: tunestats.compare_protocols(study, seed=0, n_screen=0), repeats)
    wall_two, cpu_two = best_times(lambda: tunestats.compare_protocols(study, seed=0), repeats)
    full = int(one_stage.pairs["n_permutations"].iloc[0])
    n_pairs = len(one_stage.pairs.drop_duplicates(["workload", "protocol", "a", "b"]))
    print(f"\n{name}: compare_protocols, screened vs one-stage permutation family")
    print(f"  one stage:            {cpu_one:7.2f} s CPU ({wall_one:.2f} s wall); {n_pairs} "
          f"pairs x {full:,} = {n_pairs * full:,} permutations drawn")
    print(f"  screened (199 first): {cpu_two:7.2f} s CPU ({wall_two:.2f} s wall); "
          f"{screen_counts(screened, 199)}")
    print(f"  ratio one-stage / screened CPU: {cpu_one / cpu_two:.2f}; same orders, flips and "
          f"violations: {same} (resolved orders {int((screened.pairs['order'] != '~').sum())}, "
          f"resolved flips {int(screened.flips['resolved'].sum())}, violations "
          f"{int(screened.violations['violation'].sum())})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--study", type=Path,
                        default=Path(__file__).resolve().parents[1] / "data" / "study",
                        help="a study folder for the screened-family comparison")
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
    # planted differences (each pool its own floor); two workloads keep the one-stage
    # family (90 pairs x 7,199 permutations) to seconds
    compare_screen("synthetic study, 2 workloads x 3 protocols x 6 optimizers x 50 trials, "
                   "planted floors", make_study(50, 2, workloads=WORKLOADS[:2]), args.repeats)
    compare_screen(str(args.study), tunestats.load_study(args.study), args.repeats)


if __name__ == "__main__":
    main()
