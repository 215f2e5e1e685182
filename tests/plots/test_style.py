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


def _tick_boxes(ax):
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]


def test_category_ticks_of_six_optimizers_in_a_half_page_panel_do_not_collide():
    import itertools

    from tunestats.figures._facets import page_figure
    from tunestats.plots._style import category_ticks

    names = ["adam", "momentum", "nadam", "nesterov", "rmsprop", "sgd"]
    for labels in (names, [f"{n}\n({i + 1} lost)" for i, n in enumerate(names)]):
        fig, axes = page_figure(1, 2, panel_height=2.2, hgap=1.0, bottom=0.9)
        FigureCanvasAgg(fig)
        ax = axes[0, 0]
        ax.plot(range(6), range(6))
        # level labels collide here (the check below fails without the turn)
        category_ticks(ax, labels)
        angle = ax.get_xticklabels()[0].get_rotation()
        if "\n" in labels[0]:  # upright: the boxes of the text themselves
            assert angle == 90.0
            for a, b in itertools.combinations(_tick_boxes(ax), 2):
                assert not a.overlaps(b)
        else:  # turned 30°: parallel lines of text, apart by more than a line's height
            assert angle == 30.0
            step = np.diff(ax.transData.transform([(0, 0), (1, 0)])[:, 0])[0]
            height = 7 * 1.2 * fig.dpi / 72
            assert step * np.sin(np.radians(angle)) > height
            # level, the longest label would reach past its neighbour's tick
            _tick_boxes(ax)
            level = max(t.get_window_extent().width for t in ax.get_xticklabels())
            assert level / np.cos(np.radians(angle)) > step
    # few short names stay level
    fig, axes = page_figure(1, 2, panel_height=2.2)
    FigureCanvasAgg(fig)
    category_ticks(axes[0, 0], ["a", "b"])
    assert axes[0, 0].get_xticklabels()[0].get_rotation() == 0.0


def test_best_of_k_log_axis_of_two_decades_labels_one_two_five():
    fig = Figure(figsize=(3, 2.1))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_yscale("log")
    ax.set_ylim(0.015, 1.1)
    log_ticks(ax.yaxis, np.log10(1.1 / 0.015), room=2.5)
    fig.canvas.draw()
    shown = [t.get_text() for t in ax.get_yticklabels()
             if 0.015 <= t.get_position()[1] <= 1.1]
    assert shown == ["0.02", "0.05", "0.1", "0.2", "0.5", "1"]
