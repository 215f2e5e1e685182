"""Param.widened against bounds computed by hand."""

from __future__ import annotations

import math

import pytest

from tunestats import Param
from tunestats.errors import ParameterError


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
