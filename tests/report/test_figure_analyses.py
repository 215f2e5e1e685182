"""The report computes each analysis once for all figure families, its verdicts and its
tables."""

from __future__ import annotations

import pytest

from tunestats import load_study
from tunestats.report import render_report
from tunestats.report.figures import figure_section

from .conftest import BUNDLED


@pytest.mark.slow
def test_figure_families_share_one_computation_of_each_analysis(monkeypatch) -> None:
    # best-trial and rank-flips draw one protocol comparison, the three search-space
    # families one boundary check; the report used to compute them once per family
    from tunestats.figures import _facets

    calls: dict[str, int] = {}

    def counting(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)
        wrapper.__module__, wrapper.__qualname__ = real.__module__, real.__qualname__
        monkeypatch.setattr(module, name, wrapper)

    counting(_facets, "compare_protocols")
    counting(_facets, "check_space")
    html = figure_section(load_study(BUNDLED), dpi=20)
    for family in ("best-trial", "rank-flips", "space-axes", "space-isolation"):
        assert f'id="figure-{family}"' in html
    assert html.count('id="fig-space-axes-') == 4  # one per workload x protocol
    assert calls == {"compare_protocols": 1, "check_space": 1}


@pytest.mark.slow
def test_verdicts_tables_and_figures_share_one_comparison_and_one_space_check(monkeypatch):
    # the verdicts and tables used compare_protocols(seed=0) and check_space(seed=0), the
    # figures other arguments (fewer resamples): two computations of each per report
    import tunestats.analysis as analysis
    from tunestats.figures import _facets

    calls: list[tuple[str, dict]] = []

    def counting(name):
        real = getattr(analysis, name)

        def wrapper(study, **kwargs):
            calls.append((name, kwargs))
            return real(study, **kwargs)
        wrapper.__module__, wrapper.__qualname__ = real.__module__, real.__qualname__
        monkeypatch.setattr(_facets, name, wrapper)

    counting("compare_protocols")
    counting("check_space")
    html = render_report(load_study(BUNDLED), dpi=20)
    assert 'id="inclusion-violations"' in html and 'id="space-verdicts"' in html
    assert 'id="fig-best-trial"' in html and html.count('id="fig-space-axes-') == 4
    assert sorted(calls, key=str) == [("check_space", {"seed": 0}),
                                      ("compare_protocols", {"seed": 0})]
