"""Log-axis ticks shared by the figures."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tunestats.plots._style import log_ticks


def _axis(low: float, high: float):
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_yscale("log")
    ax.set_ylim(low, high)
    log_ticks(ax.yaxis, np.log10(high / low))
    fig.canvas.draw()
    return ax.yaxis


def test_wide_log_axis_has_decade_ticks_and_no_minor_ticks():
    axis = _axis(1e-3, 1e0)  # three decades (wider axes get none from matplotlib either)
    shown = [t for t in axis.get_majorticklocs() if 1e-3 <= t <= 1e0]
    assert len(shown) >= 3  # decades only (matplotlib thins them to fit the axis)
    np.testing.assert_allclose(np.log10(shown), np.round(np.log10(shown)))
    assert len(axis.get_minorticklocs()) == 0


def test_narrow_log_axis_keeps_its_minor_ticks():
    axis = _axis(0.1, 0.5)  # under one decade: labels at 1, 2, 5 x, minor ticks between
    assert {round(t, 6) for t in axis.get_majorticklocs() if 0.1 <= t <= 0.5} == {0.1, 0.2, 0.5}
    assert len([t for t in axis.get_minorticklocs() if 0.1 < t < 0.5]) >= 2


def test_log_axis_of_one_to_two_decades_labels_the_decades_only():
    # 1, 2, 5 x each decade over 1.7 decades put seven labels in a third of a page
    axis = _axis(5e-4, 2.5e-2)
    shown = [t for t in axis.get_majorticklocs() if 5e-4 <= t <= 2.5e-2]
    np.testing.assert_allclose(shown, [1e-3, 1e-2])
    assert [axis.get_major_formatter()(t) for t in shown] == ["10⁻³", "10⁻²"]
    assert len([t for t in axis.get_minorticklocs() if 5e-4 < t < 2.5e-2]) >= 8
