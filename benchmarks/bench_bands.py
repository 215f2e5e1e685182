"""Benchmark: best-of-k bands for N = 1000 trials and every k = 1..1000.

Target (issue "Verdicts a statistician would sign"): the calibrated bands of
:func:`tunestats.kernels.bands.best_of_k_bands` (pointwise and simultaneous,
mean and three quantiles) in at most 1 s. Baseline, timed in the same run:
the former outer-bootstrap percentile bands
(:func:`tunestats.kernels.best_of_k_confidence`, the default of
``best_of_k`` before) with ``--baseline-resamples`` resampled pools (default
50), scaled linearly to its former default of 1,000 resamples (its cost is
linear in the resamples: one exact best-of-k per resampled pool). opda is
not timed here (not installed in this environment).

Run: ``python benchmarks/bench_bands.py [--baseline-resamples 50]``
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_time, verdict

from tunestats.kernels import best_of_k_confidence
from tunestats.kernels.bands import best_of_k_bands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-resamples", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    values = 0.06 + 0.04 * np.exp(0.9 * rng.standard_normal(1000))
    ks = np.arange(1, 1001)
    levels = (0.05, 0.5, 0.95)
    new = best_time(lambda: best_of_k_bands(values, values, ks, levels, bounds=(0.06, 10.0)),
                    3)
    old = best_time(lambda: best_of_k_confidence(values, values, ks, levels,
                                                 n_resamples=args.baseline_resamples, seed=0),
                    1) * (1000 / args.baseline_resamples)
    print(f"calibrated bands, N = 1000, k = 1..1000, 3 quantiles + mean: {new:.3f} s "
          f"{'(target <= 1 s: met)' if new <= 1 else '(target <= 1 s: NOT met)'}")
    print(f"outer bootstrap, 1,000 resamples (from {args.baseline_resamples}, scaled): "
          f"{old:.1f} s")
    print(f"ratio new / old: {new / old:.4f} {verdict(new / old, 1.0)}")


if __name__ == "__main__":
    main()
