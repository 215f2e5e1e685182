"""Frozen ticks (``tunestats.figures._ticks.freeze_ticks``) draw the picture matplotlib's
own ticks draw, pixel for pixel, without matplotlib's tick objects."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from PIL import Image

from tunestats.figures import FIGURES
from tunestats.figures._facets import Analyses
from tunestats.figures._ticks import freeze_ticks
from tunestats.study import load_study

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "study"


def _pixels(fig: Figure, dpi: int = 72) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return np.asarray(Image.open(buffer).convert("RGB"))


def _same_with_and_without(build: Callable[[], Figure], dpi: int = 72) -> Figure:
    """Assert that ``build()`` draws the same frozen and as it is; the frozen figure."""
    plain = _pixels(build(), dpi)
    frozen = freeze_ticks(build())
    drawn = _pixels(frozen, dpi)
    assert drawn.shape == plain.shape
    assert np.array_equal(drawn, plain), f"{(drawn != plain).any(axis=2).sum()} pixels differ"
    return frozen


def _panels() -> Figure:
    """Axes of every kind the figures use, and some they don't."""
    rng = np.random.default_rng(0)
    fig = Figure(figsize=(7, 6))
    axes = fig.subplots(3, 3)
    axes[0, 0].plot(rng.random(20), rng.random(20), "o")  # linear, default locators
    axes[0, 0].set_xlabel("linear x")
    axes[0, 0].set_ylabel("linear y")
    axes[0, 0].set_title("a title")
    axes[0, 1].loglog(10 ** rng.uniform(-4, 0, 20), 10 ** rng.uniform(-2, 1, 20), ".")
    axes[0, 1].set_xlabel("log x, decades and minor ticks")
    axes[0, 2].semilogy(rng.random(10), 10 ** rng.uniform(0, 0.6, 10), "x")  # minor labels
    axes[0, 2].set_ylabel("log y, labelled minor ticks")
    axes[0, 2].xaxis.set_visible(False)
    axes[1, 0].bar(["sgd", "momentum", "nesterov", "adam"], [1, 2, 3, 4])
    axes[1, 0].tick_params(axis="x", labelrotation=35)  # category labels, rotated
    axes[1, 0].set_xlabel("choices")
    axes[1, 1].plot([0, 1], [0, 1])
    axes[1, 1].tick_params(direction="inout", length=7, width=2, labelsize=6, pad=1,
                           colors="tab:red", right=True, labelright=True, top=True)
    axes[1, 1].set_ylabel("labels on the right")
    axes[1, 1].yaxis.set_label_position("right")
    axes[1, 1].invert_yaxis()
    axes[1, 2].plot([0, 1], [3, 5])
    axes[1, 2].tick_params(direction="in", labelleft=False)
    axes[1, 2].set_ylabel("no tick labels", labelpad=2)
    axes[1, 2].xaxis.set_label_position("top")
    axes[1, 2].tick_params(axis="x", top=True, labeltop=True, bottom=False, labelbottom=False)
    axes[1, 2].set_xlabel("x label on top")
    axes[2, 0].plot([0.5, 0.9, 0.99], [1, 2, 3], "o")
    axes[2, 0].set_xscale("logit")
    axes[2, 0].set_xlabel("logit x")
    axes[2, 1].plot([1, 2], [1, 2])
    axes[2, 1].set_xticks([1.2, 1.5, 1.8], ["a", "", "c\nsecond line"])  # fixed, one empty
    axes[2, 1].set_yticks([])
    axes[2, 2].imshow(np.arange(12).reshape(3, 4))  # equal aspect: drawn in a smaller box
    axes[2, 2].xaxis.set_major_locator(NullLocator())
    fig.subplots_adjust(hspace=0.8, wspace=0.6)
    return fig


@pytest.mark.parametrize("dpi", [72, 150])
def test_frozen_ticks_draw_what_matplotlib_draws(dpi) -> None:
    fig = freeze_ticks(_panels())
    axes = [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
    made = [(len(axis.majorTicks), len(axis.minorTicks)) for axis in axes]
    _same_with_and_without(_panels, dpi)
    _pixels(fig, dpi)
    # no tick object was made to draw it (those made while building the figure stay)
    assert [(len(axis.majorTicks), len(axis.minorTicks)) for axis in axes] == made
    assert all(isinstance(axis.get_major_locator(), NullLocator) for axis in axes
               if axis.get_visible())
    # drawn again (a second format), the same again
    assert np.array_equal(_pixels(fig, dpi), _pixels(fig, dpi))


def test_shared_axes_are_frozen_together() -> None:
    def build() -> Figure:
        fig = Figure(figsize=(5, 2.5))
        axes = fig.subplots(1, 3, sharey=True)
        for i, ax in enumerate(axes):
            ax.plot([0, 1], [i, 10 * i + 1])
            ax.set_ylabel("shared")
        axes[1].tick_params(labelleft=False)
        return fig

    _same_with_and_without(build)


def test_left_as_matplotlib_draws_them_offset_text_grid_colour_bar_polar() -> None:
    def build() -> Figure:
        fig = Figure(figsize=(8, 2.5))
        axes = fig.subplots(1, 3)
        polar = fig.add_axes((0.8, 0.1, 0.15, 0.8), projection="polar")
        polar.plot(np.linspace(0, 6, 20), np.linspace(0, 1, 20))
        polar.grid(False)  # (grid lines alone would keep its ticks as they are)
        axes[0].plot([1e6, 1e6 + 1], [0, 1])  # an offset text under the x labels
        axes[1].plot([0, 1], [0, 1])
        axes[1].grid(True)
        image = axes[2].imshow(np.arange(12).reshape(3, 4))
        fig.colorbar(image, ax=axes[2])
        return fig

    fig = _same_with_and_without(build)
    offset, grid, _, polar, bar = fig.axes
    assert not isinstance(polar.xaxis.get_major_locator(), NullLocator)
    assert not isinstance(offset.xaxis.get_major_locator(), NullLocator)
    assert isinstance(offset.yaxis.get_major_locator(), NullLocator)  # this one is frozen
    assert not isinstance(grid.xaxis.get_major_locator(), NullLocator)
    assert not isinstance(bar.yaxis.get_major_locator(), NullLocator)


@pytest.mark.parametrize("name", ["best-trial", "best-of-k", "space-isolation",
                                  "performance-profile"])
def test_registered_figures_draw_the_same_frozen(name) -> None:
    """Families with shared axes, log and category axes, on the bundled study."""
    spec = next(s for s in FIGURES if s.name == name)
    analyses = Analyses(load_study(BUNDLED))

    def build() -> Figure:
        built = spec.build(analyses)
        return next(iter(built.values())) if isinstance(built, dict) else built

    _same_with_and_without(build)
