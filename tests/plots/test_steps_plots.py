"""The robustness grid: a count only where an ordering exists and differs."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from tunestats.plots import plot_robustness_grid


def test_dots_only_on_reached_cells_whose_ordering_differs():
    # 2 targets x 3 budgets; at the first budget no pool reaches either target (their
    # "orderings" are ties of inf, which differ from the reference only by name)
    cells = pd.DataFrame([
        {"target": t, "budget": b, "reached_by": 0 if b == 10 else 2,
         "inclusion_consistent": True, "same_as_reference": (t, b) in {(0.1, 30), (0.2, 30)},
         "pairs_changed": 0 if (t, b) in {(0.1, 30), (0.2, 30)} else int(t * 10 + b / 10)}
        for t in (0.1, 0.2) for b in (10, 20, 30)])
    ax = Figure().add_subplot()
    plot_robustness_grid(cells, ax=ax, legend=False)
    marks = [(t.get_position(), t.get_text()) for t in ax.texts]
    # cell centres: budget column + 0.5, target row + 0.5; only (20, 0.1) and (20, 0.2),
    # each with its count of pairs ordered unlike the reference
    assert sorted(marks) == [((1.5, 0.5), "3"), ((1.5, 1.5), "4")]
