"""plot_best_of_k and plot_best_of_k_curve draw what the frame holds, nothing more."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tunestats import ParameterError
from tunestats.plots import plot_best_of_k, plot_best_of_k_curve


def frame(**columns) -> pd.DataFrame:
    base = {"workload": "w", "protocol": "p", "optimizer": ["adam"] * 3 + ["sgd"] * 3,
            "select": "valid_error", "report": "test_error", "k": [1, 2, 4] * 2,
            "mean": [np.inf, 0.3, 0.2, 0.5, 0.4, 0.35], "q05": [0.1, 0.1, 0.1, 0.3, 0.3, 0.3],
            "q50": [0.4, 0.3, 0.2, 0.5, 0.4, 0.35], "q95": [np.inf, 0.5, 0.3, 0.7, 0.6, 0.5],
            "method": "exact", "replace": False}
    return pd.DataFrame({**base, **columns})


def test_lines_follow_the_frame_and_infinite_band_edges_run_off_the_chart():
    ax = plot_best_of_k(frame())
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["adam"].get_xdata(), [1, 2, 4])
    np.testing.assert_array_equal(lines["sgd"].get_ydata(), [0.5, 0.4, 0.35])
    low, high = ax.get_ylim()
    assert low < 0.1 and 0.7 < high < 1.0  # limits from the finite values
    adam_band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(adam_band.max(), high)  # the infinite q95 at k = 1 is clipped
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4"]
    title = ax.get_legend().get_title().get_text().replace("\n  ", " ")
    assert "without replacement (Tang et al. 2020)" in title and "line: median" in title
    plt.close(ax.figure)


def test_mean_line_skips_infinite_values_and_confidence_needs_its_columns():
    ax = plot_best_of_k(frame(), center="mean", band=None, legend=False)
    assert np.isnan(ax.get_lines()[0].get_ydata()[0])
    with pytest.raises(ParameterError, match="needs the confidence columns"):
        plot_best_of_k(frame(), band="confidence")
    plt.close("all")


def test_curve_draws_one_line_per_optimizer_and_budget():
    curve = pd.concat([frame().assign(step=step) for step in (0, 10)], ignore_index=True)
    ax = plot_best_of_k_curve(curve, k=[1, 4])
    assert len(ax.get_lines()) == 4
    assert {line.get_linestyle() for line in ax.get_lines()} == {"-", "--"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["adam", "sgd", "k = 4", "k = 1"]
    plt.close(ax.figure)


def test_curve_draws_every_budget_each_in_its_own_style():
    # six budgets: each one is drawn (not only the four largest) and named in the legend
    budgets = [1, 2, 4, 8, 16, 32]
    rows = [{"workload": "w", "protocol": "p", "optimizer": name, "select": "valid_error",
             "report": "test_error", "k": k, "step": step, "q05": 0.1, "q50": 0.5 / k,
             "q95": 0.9, "mean": 0.5 / k, "method": "exact", "replace": False}
            for name in ("adam", "sgd") for k in budgets for step in (0, 10)]
    ax = plot_best_of_k_curve(pd.DataFrame(rows))
    lines = ax.get_lines()
    assert len(lines) == 2 * len(budgets)
    drawn = {round(float(line.get_ydata()[0]), 6) for line in lines}
    assert drawn == {round(0.5 / k, 6) for k in budgets}
    styles = [str(line.get_linestyle()) + str(line._dash_pattern) for line in lines[:6]]
    assert len(set(styles)) == len(budgets)  # one style per budget
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["adam", "sgd", *(f"k = {k}" for k in reversed(budgets))]
    plt.close(ax.figure)
