"""The runner's tests need torch (the ``runner`` extra); without it they are skipped."""

import pytest

pytest.importorskip("torch")
