"""check_bool."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats._checks import check_bool
from tunestats.errors import ParameterError


def test_check_bool():
    assert check_bool("relative", np.True_) is True and check_bool("relative", False) is False
    with pytest.raises(ParameterError, match="`relative` must be True or False; got 1"):
        check_bool("relative", 1)
