"""check_bool and check_seed."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats._checks import as_generator, check_bool, check_seed
from tunestats.errors import ParameterError


def test_check_bool():
    assert check_bool("relative", np.True_) is True and check_bool("relative", False) is False
    with pytest.raises(ParameterError, match="`relative` must be True or False; got 1"):
        check_bool("relative", 1)


def test_check_seed_keeps_the_seed_and_refuses_none():
    assert check_seed(np.int64(3)) == 3 and type(check_seed(np.int64(3))) is int
    sequence = np.random.SeedSequence(1)
    assert check_seed(sequence) is sequence
    for bad in (None, -1, True, 1.5):
        with pytest.raises(ParameterError, match="`seed` must be a non-negative integer"):
            check_seed(bad)
    assert as_generator(7).random() == np.random.default_rng(7).random()
