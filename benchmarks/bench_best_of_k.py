"""Time the exact best-of-k kernels against bootstraps and numpy.sort, in one run.

A script, not a test (DESIGN §4.11): ``python benchmarks/bench_best_of_k.py``.
Every ratio is measured in this run against a baseline timed in this run, and
printed with the target of issue 3 and whether it is met:

* one pool of N = 1,000 trials, k = 1, 2, 4, ..., 512, mean and the 5th, 50th
  and 95th percentiles: the exact method against a straightforward bootstrap
  loop (B = 10,000 resamples, a Python loop over resamples) — at least
  1,000× faster — and against the vectorised bootstrap of
  ``tunestats.kernels`` at B = 10,000 — at least 20× faster;
* the exact method for every k from 1 to 1,000 at once, relative to the
  powers-of-two call (reported, no target);
* curves of N = 1,000 trials × S = 1,000 steps, k in powers of two, selecting
  by the final value and at every step: the mean best-of-k curve, and the
  mean with the 5th, 50th and 95th percentile curves, each at most 10× one
  ``numpy.sort`` of the (S, N) array.

Times are the best of several repeats (the loop baseline runs once).
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_time

from tunestats.kernels import bootstrap_best_of_k, exact_best_of_k

LEVELS = (0.05, 0.5, 0.95)


def loop_bootstrap(select: np.ndarray, report: np.ndarray, ks: np.ndarray, n_resamples: int,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The bootstrap as usually coded: for each k, a Python loop over resamples."""
    rng = np.random.default_rng(seed)
    n = select.size
    means, quantiles = [], []
    for k in ks:
        outcomes = np.empty(n_resamples)
        for b in range(n_resamples):
            drawn = rng.integers(0, n, size=k)
            outcomes[b] = report[drawn[np.argmin(select[drawn])]]
        means.append(outcomes.mean())
        quantiles.append(np.percentile(outcomes, [5, 50, 95]))
    return np.array(means), np.array(quantiles)


def report_line(name: str, seconds: float, baseline: float, target: str | None,
                met: bool | None) -> None:
    ratio = baseline / seconds if target and target.startswith("≥") else seconds / baseline
    verdict = "" if met is None else ("meets" if met else "MISSES")
    print(f"{name:<58s} {seconds * 1e3:10.3f} ms  {ratio:9.1f}×  "
          f"{target or '':<12s} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    n, steps = 1000, 1000
    select = rng.random(n)
    report = select + rng.normal(0, 0.05, n)
    ks = 2 ** np.arange(10)

    exact = best_time(lambda: exact_best_of_k(select, report, ks, LEVELS), args.repeat * 10)
    loop = best_time(lambda: loop_bootstrap(select, report, ks, args.resamples, 0), 1)
    vectorised = best_time(lambda: bootstrap_best_of_k(
        select, report, ks, LEVELS, n_resamples=args.resamples, seed=0), 3)
    every_k = best_time(lambda: exact_best_of_k(select, report, np.arange(1, n + 1), LEVELS),
                        args.repeat)

    walk = np.cumsum(rng.normal(0, 0.01, (steps, n)), axis=0)
    valid = 1.0 - np.linspace(0, 0.5, steps)[:, None] + walk  # (S, N): trials last
    test = valid + rng.normal(0, 0.01, (steps, n))
    sort = best_time(lambda: np.sort(test, axis=-1), args.repeat)
    curves = {
        "curve mean, selected by final value (one matrix product)":
            lambda: exact_best_of_k(valid[-1], test, ks, ()),
        "curve mean, selected at every step (sort each step)":
            lambda: exact_best_of_k(valid, test, ks, ()),
        "curve mean + 3 percentiles, selected by final value":
            lambda: exact_best_of_k(valid[-1], test, ks, LEVELS),
        "curve mean + 3 percentiles, selected at every step":
            lambda: exact_best_of_k(valid, test, ks, LEVELS),
    }

    print(f"pool N = {n}, k = 1, 2, ..., 512, mean + 5/50/95th percentiles, "
          f"B = {args.resamples:,}")
    print(f"{'':<58s} {'time':>13s}  {'ratio':>10s}  target")
    report_line("exact (baseline of the next two ratios)", exact, exact, None, None)
    report_line("Python-loop bootstrap: speed-up of exact", exact, loop, "≥ 1000×",
                loop / exact >= 1000)
    report_line("vectorised bootstrap: speed-up of exact", exact, vectorised, "≥ 20×",
                vectorised / exact >= 20)
    report_line("exact for every k = 1..1000: time relative to powers of 2", every_k, exact,
                "(reported)", None)
    print(f"\ncurves: N = {n} trials × S = {steps} steps, k = 1..512; "
          f"numpy.sort of the (S, N) array: {sort * 1e3:.3f} ms")
    for name, function in curves.items():
        seconds = best_time(function, args.repeat)
        report_line(name, seconds, sort, "≤ 10× sort", seconds / sort <= 10)
    print(f"\n(loop bootstrap: {loop:.2f} s; vectorised bootstrap: {vectorised * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
