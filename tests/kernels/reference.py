"""Independent references for the best-of-k kernels: brute-force enumeration in exact
rational arithmetic.

Every ordered k-tuple of trials (with replacement, ``itertools.product``) or
every k-subset (without, ``itertools.combinations``) is equally likely; the
best drawn trial is kept, and a tie among the drawn positions is broken
uniformly at random (each tied position gets an equal share of the draw's
weight). A diverged trial ranks below every finite one and ties with the
other diverged trials.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations, product

import numpy as np


def brute_force_probabilities(select, k, *, replace, direction="minimize", lost=None):
    """Exact probability (a Fraction) that each trial is the one selected."""
    n = len(select)
    lost = [False] * n if lost is None else list(lost)
    sign = 1 if direction == "minimize" else -1
    keys = [(1, Fraction(0)) if lost[i] else (0, sign * Fraction(float(select[i])))
            for i in range(n)]
    draws = product(range(n), repeat=k) if replace else combinations(range(n), k)
    probabilities = [Fraction(0)] * n
    count = 0
    for draw in draws:
        best = min(keys[i] for i in draw)
        tied = [i for i in draw if keys[i] == best]
        for i in tied:
            probabilities[i] += Fraction(1, len(tied))
        count += 1
    return [p / count for p in probabilities]


def exact_mean(report, probabilities):
    """Mean of the reported value (a Fraction; finite reports only)."""
    return sum(Fraction(float(x)) * p for x, p in zip(report, probabilities, strict=True))


def exact_quantile(report, probabilities, q):
    """Inverted-CDF quantile: the smallest value of positive probability with F >= q.

    ``q`` is read as the decimal it was written as (0.05 is 1/20), so a level
    on a jump of the CDF picks the value at the jump.
    """
    level = Fraction(repr(float(q)))
    cumulative = Fraction(0)
    for x, p in sorted(zip(report, probabilities, strict=True), key=lambda pair: pair[0]):
        cumulative += p
        if p > 0 and cumulative >= level:
            return float(x)
    raise AssertionError("probabilities do not sum to 1")


def exact_cdf(report, probabilities, at):
    """``P(X <= at)`` for each value of ``at`` (floats)."""
    return np.array([float(sum((p for x, p in zip(report, probabilities, strict=True)
                                if x <= a), Fraction(0))) for a in at])
