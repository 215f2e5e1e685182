"""The report computes each analysis once for all figure families, its verdicts and its
tables, in one process or over several (the calls are counted in a file every process
appends to)."""

from __future__ import annotations

import pytest

from tunestats import load_study
from tunestats.report import render_report
from tunestats.report.figures import figure_section

from .conftest import BUNDLED


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_figure_families_share_one_computation_of_each_analysis(call_log, jobs) -> None:
    # best-trial and rank-flips draw one protocol comparison, the three search-space
    # families one boundary check; the report used to compute them once per family
    from tunestats.figures import _facets

    call_log.count(_facets, "compare_protocols")
    call_log.count(_facets, "check_space")
    html = figure_section(load_study(BUNDLED), dpi=20, jobs=jobs)
    for family in ("best-trial", "rank-flips", "space-axes", "space-isolation"):
        assert f'id="figure-{family}"' in html
    # one per workload x protocol, the paper protocol's on two pages
    assert html.count('id="fig-space-axes-') == 6
    assert {name: len(made) for name, made in call_log.calls().items()} == {
        "check_space": 1, "compare_protocols": 1}


@pytest.mark.slow
def test_verdicts_tables_and_figures_share_one_comparison_and_one_space_check(call_log):
    # the verdicts and tables used compare_protocols(seed=0) and check_space(seed=0), the
    # figures other arguments (fewer resamples): two computations of each per report; the
    # figures' processes start with the verdicts' analyses and compute neither again
    import tunestats.analysis as analysis
    from tunestats.figures import _facets

    for name in ("compare_protocols", "check_space"):
        call_log.count(_facets, name, source=analysis)
    html = render_report(load_study(BUNDLED), dpi=20, jobs=2)
    assert 'id="inclusion-violations"' in html and 'id="space-verdicts"' in html
    assert 'id="fig-best-trial"' in html and html.count('id="fig-space-axes-') == 6
    assert call_log.calls() == {"check_space": ["[('seed', 0)]"],
                                "compare_protocols": ["[('seed', 0)]"]}


@pytest.mark.slow
def test_the_tables_analyses_are_computed_once_by_a_worker_of_the_figures(
        tmp_path, monkeypatch) -> None:
    # the pools table and the best-of-k table read analyses no figure draws: the first
    # worker done drawing computes them (the parent waited for the last one before)
    import importlib
    import os

    from tunestats.study import Study

    sections = importlib.import_module("tunestats.report.sections")
    log = tmp_path / "pids.log"
    for owner, name in ((sections, "best_of_k"), (Study, "summary")):
        real = getattr(owner, name)

        def logged(*args, real=real, name=name, **kwargs):
            with open(log, "a") as handle:
                handle.write(f"{name} {os.getpid()}\n")
            return real(*args, **kwargs)
        logged.__module__, logged.__qualname__ = real.__module__, real.__qualname__
        monkeypatch.setattr(owner, name, logged)
    html = render_report(load_study(BUNDLED), dpi=20, jobs=2)
    assert 'download="pools.csv"' in html and 'download="best-of-k.csv"' in html
    calls = [line.split() for line in log.read_text().splitlines()]
    assert sorted(name for name, _ in calls) == ["best_of_k", "summary"]
    assert all(int(pid) != os.getpid() for _, pid in calls)
