"""Search spaces: unit-cube maps, containment, seeded quasi-random points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import qmc

from tunestats import Param, ParameterError, SearchSpace

SPACE = SearchSpace((
    Param("learning_rate", "log", 1e-5, 10.0),
    Param("momentum", "reverse_log", 0.5, 0.9999),
    Param("warmup", "linear", 0.0, 0.3),
    Param("activation", "choice", choices=("relu", "tanh", "gelu")),
), fixed={"weight_decay": 0.0})


def test_unit_map_matches_the_closed_forms() -> None:
    lr, mom, warm = SPACE["learning_rate"], SPACE["momentum"], SPACE["warmup"]
    # log: position of 1e-3 in [1e-5, 10] is (−3 − (−5)) / (1 − (−5)) = 1/3
    assert lr.to_unit(1e-3) == pytest.approx(1 / 3, abs=1e-15)
    # reverse_log: 1 − x log-uniform: 0.99 → (log10 0.5 − log10 0.01) / (log10 0.5 − log10 1e-4)
    expected = (np.log10(0.5) - np.log10(0.01)) / (np.log10(0.5) - np.log10(1e-4))
    assert mom.to_unit(0.99) == pytest.approx(expected, abs=1e-14)
    assert warm.to_unit(0.15) == pytest.approx(0.5)
    for p in (lr, mom, warm):
        np.testing.assert_allclose(p.to_unit([p.low, p.high]), [0.0, 1.0], atol=1e-14)


@given(u=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_from_unit_inverts_to_unit(u) -> None:
    for p in SPACE.params[:3]:
        np.testing.assert_allclose(p.to_unit(p.from_unit(u)), u, atol=1e-9)
    choice = SPACE["activation"]
    values = choice.from_unit(u)
    np.testing.assert_array_equal(choice.from_unit(choice.to_unit(values)), values)


def test_contains() -> None:
    np.testing.assert_array_equal(SPACE["learning_rate"].contains([1e-6, 1e-5, 1.0, 11.0]),
                                  [False, True, True, False])
    np.testing.assert_array_equal(SPACE["activation"].contains(["relu", "elu"]), [True, False])


@pytest.mark.parametrize("spec, message", [
    (dict(scale="log", low=0.0, high=1.0), "log scale needs `low` > 0"),
    (dict(scale="linear", low=2.0, high=1.0), "`low` must be < `high`"),
    (dict(scale="reverse_log", low=0.5, high=1.0), "0 < low < high < 1"),
    (dict(scale="cubic", low=0.0, high=1.0), "`scale` must be one of"),
    (dict(scale="choice", choices=[]), "non-empty list of `choices`"),
])
def test_invalid_parameters_are_refused(spec, message) -> None:
    with pytest.raises(ParameterError, match=message):
        Param.from_dict("p", spec)


def test_points_are_deterministic_for_a_seed() -> None:
    assert SPACE.points(16, seed=7) == SPACE.points(16, seed=7)
    assert SPACE.points(16, seed=7) != SPACE.points(16, seed=8)


def test_point_i_does_not_depend_on_which_points_are_asked_or_their_order() -> None:
    everything = SPACE.points(40, seed=3)
    rng = np.random.default_rng(0)
    order = rng.permutation(40)
    picked = SPACE.points(order[:13], seed=3)
    assert picked == [everything[i] for i in order[:13]]
    assert SPACE.points([39], seed=3) == [everything[39]]
    assert SPACE.points(10, seed=3) == everything[:10]  # extensible: a prefix of a longer run


def test_points_lie_inside_the_bounds_in_every_scale() -> None:
    points = SPACE.points(500, seed=11)
    for p in SPACE.params:
        assert p.contains([pt[p.name] for pt in points]).all(), p.name
    assert all(pt["weight_decay"] == 0.0 for pt in points)
    # every choice is used, in roughly equal shares
    counts = np.unique([pt["activation"] for pt in points], return_counts=True)[1]
    assert len(counts) == 3 and counts.min() >= 150


def test_quasi_random_points_are_more_uniform_than_random_ones() -> None:
    """Centred L2 discrepancy of the Halton points, mapped back to the unit cube in each
    parameter's own scale, is below the 5th percentile of that of i.i.d. uniform points."""
    numeric = SearchSpace(SPACE.params[:3])
    n = 128
    points = numeric.points(n, seed=5)
    unit = np.column_stack([p.to_unit([pt[p.name] for pt in points]) for p in numeric.params])
    ours = qmc.discrepancy(unit)
    rng = np.random.default_rng(0)
    random = [qmc.discrepancy(rng.random((n, 3))) for _ in range(200)]
    assert ours < np.quantile(random, 0.05)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 64))
def test_property_points_inside_and_reproducible(seed: int, n: int) -> None:
    points = SPACE.points(n, seed=seed)
    assert points == SPACE.points(range(n), seed=seed)
    for p in SPACE.params:
        assert p.contains([pt[p.name] for pt in points]).all()


def test_space_round_trips_through_its_json_form() -> None:
    assert SearchSpace.from_dict(SPACE.to_dict()) == SPACE


@pytest.mark.parametrize("bad", [-1, 1.5, None, "7"])
def test_points_need_an_explicit_non_negative_integer_seed(bad) -> None:
    with pytest.raises(ParameterError, match="`seed` must be a non-negative integer"):
        SPACE.points(3, seed=bad)


# Param.widened against bounds computed by hand


def test_log_scale_moves_a_bound_by_decades():
    lr = Param("lr", "log", 1e-4, 1.0)
    assert lr.widened("high", 1.0) == Param("lr", "log", 1e-4, 10.0)
    assert math.isclose(lr.widened("low", 2.0).low, 1e-6, rel_tol=1e-12)
    assert lr.widened("low", 2.0).high == 1.0


def test_reverse_log_scale_moves_one_minus_x_by_decades():
    momentum = Param("momentum", "reverse_log", 0.9, 0.999)
    high = momentum.widened("high", 1.0)
    assert math.isclose(1 - high.high, 1e-4, rel_tol=1e-9) and high.low == 0.9
    low = Param("beta", "reverse_log", 0.99, 0.999).widened("low", 1.0)
    assert math.isclose(low.low, 0.9, rel_tol=1e-12) and low.high == 0.999


def test_linear_scale_moves_by_units():
    dropout = Param("dropout", "linear", 0.1, 0.5)
    assert dropout.widened("high", 0.2) == Param("dropout", "linear", 0.1, 0.7)
    assert math.isclose(dropout.widened("low", 0.2).low, -0.1)


def test_refusals():
    with pytest.raises(ParameterError, match="choice parameter 'act' has no bound to widen"):
        Param("act", "choice", choices=("relu", "tanh")).widened("high", 1.0)
    with pytest.raises(ParameterError, match="reverse_log scale needs 0 < low"):
        Param("momentum", "reverse_log", 0.5, 0.99).widened("low", 1.0)
    with pytest.raises(ParameterError, match="`side` must be one of 'low', 'high'"):
        Param("lr", "log", 1e-4, 1.0).widened("up", 1.0)
