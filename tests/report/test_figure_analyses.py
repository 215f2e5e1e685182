"""The report's figure section computes each analysis once for all figure families."""

from __future__ import annotations

import pytest

from tunestats import load_study
from tunestats.report.figures import figure_section

from .conftest import BUNDLED


@pytest.mark.slow
def test_figure_families_share_one_computation_of_each_analysis(monkeypatch) -> None:
    # best-trial and rank-flips draw one protocol comparison, the three search-space
    # families one boundary check; the report used to compute them once per family
    from tunestats.figures import comparison, search_space

    calls: dict[str, int] = {}

    def counting(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)
        wrapper.__module__, wrapper.__qualname__ = real.__module__, real.__qualname__
        monkeypatch.setattr(module, name, wrapper)

    counting(comparison, "compare_protocols")
    counting(search_space, "check_space")
    html = figure_section(load_study(BUNDLED), dpi=20)
    for family in ("best-trial", "rank-flips", "space-axes", "space-isolation"):
        assert f'id="figure-{family}"' in html
    assert html.count('id="fig-space-axes-') == 4  # one per workload x protocol
    assert calls == {"compare_protocols": 1, "check_space": 1}
