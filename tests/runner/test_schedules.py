"""Learning-rate schedules against their closed forms."""

import math

import numpy as np
import pytest

from tunestats.errors import ParameterError
from tunestats.runner.schedules import Schedule


def test_constant():
    np.testing.assert_array_equal(Schedule().factors(7), np.ones(7))


def test_linear_decay_closed_form():
    # T = 100, decay over D = 0.5·100 = 50 steps down to f = 0.1, then flat.
    s = Schedule("linear", decay_steps_factor=0.5, final_lr_fraction=0.1).factors(100)
    t = np.arange(100)
    expected = np.where(t < 50, 1 - 0.9 * t / 50, 0.1)
    np.testing.assert_allclose(s, expected, rtol=1e-15)
    assert s[0] == 1.0 and s[25] == pytest.approx(0.55)


def test_cosine_closed_form():
    s = Schedule("cosine", final_lr_fraction=0.2).factors(40)
    t = np.arange(40)
    np.testing.assert_allclose(s, 0.2 + 0.8 * 0.5 * (1 + np.cos(np.pi * t / 40)), rtol=1e-15)
    assert s[20] == pytest.approx(0.6)


def test_warmup_then_linear_decay():
    # W = 0.2·50 = 10 warm-up steps, then a linear decay over the remaining 40 to 0.
    s = Schedule("linear", warmup_fraction=0.2).factors(50)
    np.testing.assert_allclose(s[:10], np.arange(1, 11) / 10)
    np.testing.assert_allclose(s[10:], 1 - np.arange(40) / 40)
    assert math.isclose(s[9], 1.0) and math.isclose(s[10], 1.0)


def test_warmup_with_constant_and_cosine():
    assert Schedule(warmup_fraction=0.5).factors(4).tolist() == [0.5, 1.0, 1.0, 1.0]
    s = Schedule("cosine", warmup_fraction=0.25).factors(8)
    np.testing.assert_allclose(s[:2], [0.5, 1.0])
    np.testing.assert_allclose(s[2:], 0.5 * (1 + np.cos(np.pi * np.arange(6) / 6)))


def test_from_hp_reads_defaults():
    assert Schedule.from_hp({"lr": 0.1}) == Schedule()
    assert Schedule.from_hp({"schedule": "linear", "final_lr_fraction": 0.01}) == Schedule(
        "linear", final_lr_fraction=0.01)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"kind": "step"}, "`schedule` must be one of"),
    ({"decay_steps_factor": 0.0}, "`decay_steps_factor`"),
    ({"final_lr_fraction": 1.5}, "`final_lr_fraction`"),
    ({"warmup_fraction": 1.0}, "`warmup_fraction`"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        Schedule(**kwargs)
