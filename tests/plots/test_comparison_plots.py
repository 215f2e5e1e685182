"""The rank-flip chart: labels that do not collide, resolved flips highlighted."""

from __future__ import annotations

import itertools

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from tunestats.plots import plot_rank_flips


def _frame() -> pd.DataFrame:
    # at "paper" the expected ranks of four optimizers lie within 0.3 of each other
    ranks = {"lr-only": {"adam": 1.1, "sgd": 2.0, "momentum": 3.0, "nadam": 3.9},
             "paper": {"adam": 2.6, "sgd": 2.5, "momentum": 2.7, "nadam": 2.8}}
    return pd.DataFrame([{"protocol": p, "optimizer": o, "expected_rank": r}
                         for p, by in ranks.items() for o, r in by.items()])


def _draw(flips: pd.DataFrame | None = None):
    fig = Figure(figsize=(3.0, 2.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    plot_rank_flips(_frame(), flips=flips, ax=ax)
    fig.canvas.draw()
    return fig, ax


def test_rank_flip_labels_do_not_overlap():
    fig, ax = _draw()
    labels = [t for t in ax.texts if t.get_text() in {"adam", "sgd", "momentum", "nadam"}]
    assert len(labels) == 4
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the text, not its leader
    for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())


def test_resolved_flip_is_highlighted_by_its_own_artists():
    _, plain = _draw()
    assert not [line for line in plain.lines if line.get_label() == "resolved flip"]
    flips = pd.DataFrame([{"a": "adam", "b": "sgd", "protocol_a": "lr-only",
                           "protocol_b": "paper"}])
    _, ax = _draw(flips)
    marked = [line for line in ax.lines if line.get_path_effects()]
    assert len(marked) == 2  # the two lines of the flipped pair
    assert {line.get_color() for line in marked} == {
        line.get_color() for line in ax.lines if line.get_label() in {"adam", "sgd"}}
    assert [line.get_label() for line in marked].count("resolved flip") == 1
    assert all(line.get_linewidth() > 2 * ax.lines[0].get_linewidth() for line in marked)


def test_performance_profile_legend_is_outside_the_lines_region():
    from tunestats.plots import plot_performance_profile

    # four optimizers whose curves fill the whole axes, up to rho = 1 at the right
    curves = pd.DataFrame([{"optimizer": o, "tau": t, "rho": r}
                           for o, steps in {"a": [(1, 0.5), (1.5, 1.0), (4, 1.0)],
                                            "b": [(1, 0.0), (2, 1.0), (4, 1.0)],
                                            "c": [(1, 1.0), (4, 1.0)],
                                            "d": [(1, 0.25), (3, 0.75), (4, 1.0)]}.items()
                           for t, r in steps])
    fig = Figure(figsize=(3.0, 4.0))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.2, 0.45, 0.75, 0.5))
    plot_performance_profile(curves, scores={"a": 0.9, "b": 0.6, "c": 1.0, "d": 0.7}, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))
    assert legend.y1 < ax.xaxis.get_tightbbox(renderer).y0  # under the x label too
    assert ax.get_legend().get_texts()[0].get_text() == "a (0.9000)"


def test_rank_flip_label_of_an_optimizer_missing_from_the_last_protocol():
    """Crowded Valley's re-run protocol holds only the winner's optimizer: the other
    optimizer's label leads to its last point (it crashed matplotlib as a NaN end)."""
    frame = pd.DataFrame({"protocol": ["paper", "paper", "paper-reruns"],
                          "optimizer": ["Adam", "SGD", "SGD"],
                          "expected_rank": [1.4, 1.6, 1.0]})
    fig = Figure()
    ax = fig.add_subplot()
    plot_rank_flips(frame, ax=ax)
    fig.canvas.draw()  # the leaders are laid out when drawn
    ends = {a.get_text(): a.xy for a in ax.texts}
    assert ends == {"Adam": (0, 1.4), "SGD": (1, 1.0)}


def test_best_trial_labels_carry_ranks_only_when_some_order_is_resolved():
    from tunestats.plots import plot_best_trial

    base = pd.DataFrame({"optimizer": ["adam", "sgd", "nadam"], "q05": [0.1, 0.2, 0.3],
                         "q50": [0.2, 0.3, 0.4], "q95": [0.3, 0.4, 0.5]})
    for ranks, expected in (([1, 1, 1], ["adam", "sgd", "nadam"]),
                            ([1, 1, 3], ["adam\n#1", "sgd\n#1", "nadam\n#3"])):
        fig = Figure()
        FigureCanvasAgg(fig)
        ax = plot_best_trial(base.assign(rank=ranks), ax=fig.add_subplot())
        assert [t.get_text() for t in ax.get_xticklabels()] == expected
