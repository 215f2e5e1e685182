"""The best-of-k figures: one panel per (workload, protocol), labelled axes, a legend that
names the estimator and the band, one colour per optimizer in every figure."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tunestats import Study
from tunestats.figures import NotApplicable
from tunestats.figures.best_of_k import (
    FIGURES,
    best_of_k_confidence_figure,
    best_of_k_train_selection_figure,
)
from tunestats.plots import optimizer_palette
from tunestats.synthetic import Bowl, synthetic_study

BANDS = {"best-of-k": "spread of best-of-k outcomes",
         "best-of-k-confidence": "pointwise 90% confidence in the population mean",
         "best-of-k-train-selection": "spread of best-of-k outcomes",
         "best-of-k-curve": "spread of best-of-k outcomes"}


@pytest.fixture(scope="module")
def study() -> Study:
    return synthetic_study(workloads=("a", "b"), protocols=("paper", "lr-only"),
                           optimizers=("sgd", "adam", "my_opt"), n_trials=8, seed=0,
                           bowls={("a", "paper", "adam"): Bowl(diverge_above=1e-2)})


@pytest.mark.parametrize("spec", FIGURES, ids=[spec.name for spec in FIGURES])
def test_panels_axes_legend_and_colours(study, spec):
    fig = spec.build(study)
    panels = [ax for ax in fig.axes if ax.has_data()]
    assert sorted(ax.get_title() for ax in panels) == [
        "a — lr-only", "a — paper", "b — lr-only", "b — paper"]
    for ax in panels:
        assert ax.get_xlabel() in ("number of trials k (log₂ scale)", "training step")
        assert ax.get_ylabel() in ("test_error (fraction), minimize",)
    (legend,) = fig.legends
    title = legend.get_title().get_text().replace("\n  ", " ")
    assert "exact, k trials drawn with replacement (Dodge et al. 2019)" in title
    assert BANDS[spec.name] in title
    colors = optimizer_palette(["adam", "my_opt", "sgd"])
    labelled = {text.get_text(): handle.get_color()
                for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
                if not text.get_text().startswith("k = ")}
    assert labelled == colors
    for ax in panels:  # every line has the colour of an optimizer
        assert {line.get_color() for line in ax.get_lines()} <= set(colors.values())
    plt.close(fig)


def test_training_loss_selection_and_its_absence(study):
    fig = best_of_k_train_selection_figure(study)
    assert "selected by train_loss" in fig.legends[0].get_title().get_text()
    plt.close(fig)
    metrics = {name: m for name, m in study.metrics.items() if m.split != "train"}
    no_train = Study(study.trials.drop(columns="final.train_loss"),
                     study.curves.drop(columns="train_loss", errors="ignore"),
                     dataclasses.replace(study.meta, metrics=metrics))
    with pytest.raises(NotApplicable, match="no training metric"):
        best_of_k_train_selection_figure(no_train)


def test_confidence_figure_draws_the_bands_of_the_mean(study):
    fig = best_of_k_confidence_figure(study)
    panel = next(ax for ax in fig.axes if ax.get_title() == "b — paper")
    bands = [c for c in panel.collections if c.get_paths()]
    assert len(bands) == 3 and len(panel.get_lines()) == 3
    lows = [np.min(c.get_paths()[0].vertices[:, 1]) for c in bands]
    assert all(np.isfinite(lows))
    plt.close(fig)
