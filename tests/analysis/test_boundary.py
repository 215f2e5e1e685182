"""Boundary verdicts of one range: hand-built cases, a brute-force p-value, invariants."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tunestats.analysis.boundary import boundary_sides

OPTIONS = {"band": 0.05, "top_q": 0.1, "alpha": 0.05}


def binomial_tail(x: int, m: int, p: float) -> float:
    """P(X >= x) for X ~ Binomial(m, p), summed term by term."""
    return sum(math.comb(m, j) * p**j * (1 - p) ** (m - j) for j in range(x, m + 1))


def test_open_edge_when_the_optimum_lies_past_the_high_bound():
    u = np.linspace(0, 1, 21)
    out = boundary_sides(u, (u - 1.3) ** 2, np.zeros(21, bool), **OPTIONS)
    high, low = out["high"], out["low"]
    assert (high.verdict, high.edge_kind) == ("best at edge", "open edge")
    assert high.best_index == 20 and high.best_position == 1.0 and high.n_beyond == 0
    assert high.trend_tau == -1.0
    assert low.verdict == "interior" and low.edge_kind is None
    # top 3 of 21 (ceil 2.1), 2 of the 21 trials in the band [0.95, 1]: u = 0.95 and 1
    assert (high.top_n, high.top_in_band, high.band_share) == (3, 2, 2 / 21)
    assert math.isclose(high.p_value, binomial_tail(2, 3, 2 / 21), rel_tol=1e-12)


def test_divergence_cliff_when_the_trials_past_the_best_were_lost():
    u = np.arange(41) / 40
    lost = u > 0.96
    y = np.where(lost, np.nan, (u - 1.3) ** 2)
    high = boundary_sides(u, y, lost, **OPTIONS)["high"]
    assert high.verdict == "best at edge" and high.best_position == 0.95
    assert (high.edge_kind, high.n_beyond, high.n_beyond_bad) == ("divergence cliff", 2, 2)


def test_much_worse_trials_past_the_best_also_make_a_cliff():
    u = np.arange(41) / 40
    y = np.where(u > 0.96, 5.0, (u - 1.3) ** 2)  # completed, but far worse than the rest
    high = boundary_sides(u, y, np.zeros(41, bool), **OPTIONS)["high"]
    assert high.edge_kind == "divergence cliff" and high.n_beyond_bad == 2


def test_no_trend_when_the_best_is_at_the_edge_by_chance():
    u = np.linspace(0, 1, 20)
    y = np.tile([0.3, 0.1, 0.2, 0.4], 5)
    y[-1] = 0.0  # best at the edge, nothing improves towards it
    high = boundary_sides(u, y, np.zeros(20, bool), **OPTIONS)["high"]
    assert (high.verdict, high.edge_kind) == ("best at edge", "no trend")
    assert high.trend_p >= 0.05


def test_top_trials_crowd_the_edge_without_the_best_there():
    u = np.r_[np.linspace(0, 0.9, 36), 0.96, 0.97, 0.98, 0.99]
    y = np.full(40, 1.0) + u * 0.01
    y[20] = 0.0  # the best, in the middle
    y[36:39] = [0.1, 0.2, 0.3]  # three of the top four in the band
    high = boundary_sides(u, y, np.zeros(40, bool), **OPTIONS)["high"]
    assert high.verdict == "top trials crowd the edge"
    assert (high.top_n, high.top_in_band, high.band_share) == (4, 3, 0.1)
    assert math.isclose(high.p_value, binomial_tail(3, 4, 0.1), rel_tol=1e-12)


def test_insufficient_data_below_three_completed_trials():
    u = np.array([0.1, 0.5, 0.9])
    lost = np.array([False, True, False])
    out = boundary_sides(u, np.array([0.1, np.nan, 0.2]), lost, **OPTIONS)
    assert {v.verdict for v in out.values()} == {"insufficient data"}


def _pools():
    n = st.integers(3, 30)
    return n.flatmap(lambda k: st.tuples(
        st.lists(st.integers(0, 64), min_size=k, max_size=k),  # positions j / 64: 1 - u exact
        st.lists(st.integers(0, 5), min_size=k, max_size=k),  # ties on purpose
        st.lists(st.booleans(), min_size=k, max_size=k),
        st.randoms(use_true_random=False)))


def _fields(verdict, flip=False):
    """The verdict's fields but the index (and, flipped, the position mirrored)."""
    fields = dataclasses.asdict(verdict)
    fields.pop("best_index")
    if flip:
        fields["best_position"] = 1 - fields["best_position"]
    return fields


@settings(max_examples=150, deadline=None)
@given(_pools())
def test_invariant_to_trial_order_and_mirrored_by_flipping_the_range(pool):
    j, y, lost, random = pool
    u, y, lost = np.array(j) / 64, np.array(y, float), np.array(lost)
    y[lost] = np.nan
    out = boundary_sides(u, y, lost, **OPTIONS)
    order = np.arange(u.size)
    random.shuffle(order)
    shuffled = boundary_sides(u[order], y[order], lost[order], **OPTIONS)
    mirrored = boundary_sides(1 - u, y, lost, **OPTIONS)
    for side, other in (("low", "high"), ("high", "low")):
        np.testing.assert_equal(_fields(shuffled[side]), _fields(out[side]))
        np.testing.assert_equal(_fields(mirrored[other], flip=True), _fields(out[side]))
