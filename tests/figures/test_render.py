"""``tunestats figures``: every registered figure renders for a study."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tunestats.cli.main import main
from tunestats.figures import FIGURES, render_figures
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
    assert "`names` must be one of" in capsys.readouterr().err
