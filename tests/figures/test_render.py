"""``tunestats figures``: every registered figure renders for a study."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tunestats.cli.main import main
from tunestats.figures import FIGURES, render_figures
from tunestats.figures.render import built_figures
from tunestats.figures.summary import study_overview
from tunestats.plots import optimizer_palette
from tunestats.synthetic import Bowl, synthetic_study


@pytest.fixture(scope="module")
def study():
    return synthetic_study(workloads=("a", "b"), protocols=("paper", "lr-only"),
                           optimizers=("sgd", "adam"), n_trials=8, seed=0,
                           bowls={("a", "paper", "adam"): Bowl(diverge_above=1e-2)})


def test_overview_has_one_panel_per_workload_and_protocol(study) -> None:
    fig = study_overview(study)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
    assert len(axes) == 4
    titles = sorted(ax.get_title() for ax in axes)
    assert titles == ["a — lr-only", "a — paper", "b — lr-only", "b — paper"]
    panel = next(ax for ax in axes if ax.get_title() == "a — paper")
    assert panel.get_ylabel() == "valid_error (fraction), minimize"
    # completed trials as dots, diverged ones as crosses, each in its optimizer's colour
    diverged = int(((study.trials["workload"] == "a") & (study.trials["protocol"] == "paper")
                    & (study.trials["status"] == "diverged")).sum())
    assert diverged > 0
    offsets = [len(c.get_offsets()) for c in panel.collections]
    assert sum(offsets) == 16
    labels = [t.get_text() for t in panel.get_xticklabels()]
    assert labels == [f"adam\n({diverged} lost)", "sgd"]
    colors = optimizer_palette(["adam", "sgd"])
    face = panel.collections[0].get_facecolor()[0][:3]
    np.testing.assert_allclose(face, plt.matplotlib.colors.to_rgb(colors["adam"]))
    plt.close(fig)


def test_palette_is_fixed_per_name() -> None:
    a = optimizer_palette(["adam", "sgd", "my_opt"])
    b = optimizer_palette(["my_opt", "lion", "Adam"])
    assert a["my_opt"] == b["my_opt"] and a["adam"] == b["Adam"]
    assert optimizer_palette(["adam"], {"adam": "black"})["adam"] == "#000000"


def test_render_writes_every_figure(study, tmp_path: Path) -> None:
    report = render_figures(study, tmp_path, formats=["png", "svg"])
    names = {spec.name for spec in FIGURES}
    written = {p.stem for p in report.written}
    # a family may write one file per part of the study: <name>-<part>
    covered = {name for name in names
               if any(stem == name or stem.startswith(f"{name}-") for stem in written)}
    assert covered | set(report.skipped) == names
    for path in report.written:
        assert path.stat().st_size > 1000


def test_figures_command(study, tmp_path: Path, capsys) -> None:
    study.save(tmp_path / "s")
    assert main(["figures", str(tmp_path / "s"), "--out", str(tmp_path / "f"),
                 "--only", "overview"]) == 0
    assert (tmp_path / "f" / "overview.png").exists()
    assert main(["figures", str(tmp_path / "s"), "--only", "nope"]) == 2
    assert "`--only` must be one of" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_analysis_is_computed_once_per_render(study, tmp_path: Path, call_log,
                                                   jobs) -> None:
    # count the calls of every analysis the figure modules import; several figures share
    # compare_protocols (2), check_space (3) and best_of_k (the spread and the confidence
    # figures): each is computed once per distinct set of arguments, in one process or
    # over several
    # (the protocol comparison and the space check are called through _facets.Analyses)
    from tunestats.figures import _facets, best_of_k, comparison

    for name in ("best_of_k", "best_of_k_curve"):
        call_log.count(best_of_k, name)
    for name in ("best_steps_to_target", "target_robustness", "performance_profile"):
        call_log.count(comparison, name)
    for name in ("compare_protocols", "check_space"):
        call_log.count(_facets, name)
    report = render_figures(study, tmp_path / "figures", jobs=jobs)
    stems = {p.stem for p in report.written}
    for name in ("best-of-k", "best-of-k-confidence", "best-trial", "rank-flips"):
        assert name in stems
    assert any(stem.startswith("space-axes-") for stem in stems)
    assert any(stem.startswith("space-isolation-") for stem in stems)
    calls = call_log.calls()
    assert len(calls["compare_protocols"]) == 1
    assert len(calls["check_space"]) == 1
    # best-of-k (spread), best-of-k-confidence: one call; the training selection: another
    assert len(calls["best_of_k"]) == len(set(calls["best_of_k"])) == 2
    for name, made in calls.items():
        assert len(made) == len(set(made)), name  # never the same analysis twice


def test_parallel_render_writes_the_same_files(study, tmp_path: Path) -> None:
    # the figures drawn by two processes are the files one process draws, byte for byte
    one = render_figures(study, tmp_path / "one", jobs=1)
    two = render_figures(study, tmp_path / "two", jobs=2)
    assert [p.name for p in one.written] == [p.name for p in two.written]
    assert one.skipped == two.skipped
    for a, b in zip(one.written, two.written, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_render_leaves_the_backend_and_pyplot_alone(study, tmp_path: Path) -> None:
    import matplotlib

    before = matplotlib.get_backend()
    open_before = plt.get_fignums()
    matplotlib.use("svg")  # a backend of the user's choosing (render_figures used to force Agg)
    try:
        report = render_figures(study, tmp_path, names=["overview", "best-of-k"])
        assert matplotlib.get_backend() == "svg"
        assert plt.get_fignums() == open_before  # no figure left open in pyplot
        assert (tmp_path / "overview.png").read_bytes()[:4] == b"\x89PNG"
        assert len(report.written) == 2
    finally:
        matplotlib.use(before)


def test_workloads_that_share_a_plain_file_name_get_distinct_files(tmp_path: Path) -> None:
    # "a/b", "a_b" and "a b" all become "a_b" as plain file names: none may overwrite another
    study = synthetic_study(workloads=("a/b", "a_b", "a b"), protocols=("paper",),
                            optimizers=("sgd", "adam"), n_trials=8, seed=0)
    report = render_figures(study, tmp_path, names=["space-axes"])
    written = sorted(p.name for p in report.written)
    assert len(written) == 3 and len(set(written)) == 3
    assert all(p.exists() and p.stat().st_size > 1000 for p in report.written)
    assert all(name.startswith("space-axes-a_b-paper~") for name in written)


def test_figures_fit_a_page(study) -> None:
    # every figure is a page wide (16 cm) and at most a page tall, so that it prints at its
    # own size and its 6-9 pt fonts stay readable
    from tunestats.figures._facets import Analyses

    for spec, figures in built_figures(Analyses(study), FIGURES):
        if isinstance(figures, str):  # a figure this study cannot have
            continue
        for fig in figures.values():
            width, height = fig.get_size_inches()
            assert width == pytest.approx(16 / 2.54, abs=0.01), spec.name
            assert height <= 9.5, spec.name


def test_a_bad_jobs_is_refused_before_anything_is_written(study, tmp_path: Path) -> None:
    from tunestats.errors import ParameterError

    for bad in (0, -1, 1.5):
        with pytest.raises(ParameterError, match="`jobs` must be a positive integer"):
            render_figures(study, tmp_path / "figs", jobs=bad)
        assert not (tmp_path / "figs").exists()
