"""Axis, isolation and pair plots: what the Axes hold (limits, scales, marked points)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tunestats import Param, check_space, load_study
from tunestats.figures.search_space import axis_figures
from tunestats.plots import plot_axis, plot_isolation, plot_pair
from tunestats.synthetic import Bowl, Term, synthetic_study

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "study"
MOMENTUM = Param("momentum", "reverse_log", 0.5, 0.999)
BATCH = Param("batch_size", "choice", choices=(32, 64, 128, 256))


MARKS = ("completed", "best", "lost")


def marked(ax, label):
    """Number of points drawn with this label: a scatter collection (plot_pair) or a
    line of markers (plot_axis)."""
    (count,) = ([len(c.get_offsets()) for c in ax.collections if c.get_label() == label]
                + [len(line.get_xdata()) for line in ax.lines if line.get_label() == label])
    return count


def bound_lines(ax):
    return sorted(line.get_xdata()[0] for line in ax.lines if line.get_label() not in MARKS)


@pytest.fixture(scope="module")
def bundled():
    study = load_study(BUNDLED)
    figures = axis_figures(study)
    yield study, check_space(study, seed=0), figures
    for fig in figures.values():
        plt.close(fig)


def test_axis_plots_for_every_pool_of_the_bundled_study(bundled):
    study, result, figures = bundled
    pos = result.positions
    panels = 0
    for (workload, protocol), part in pos.groupby(["workload", "protocol"], observed=True):
        # the paper protocol's nine rows of panels come on two pages, each fitting a page
        # (24 cm) and holding whole optimizers; the lr-only protocol's on one
        stem = f"{workload}-{protocol}"
        pages = ([figures[stem]] if protocol == "lr-only" else
                 [figures[f"{stem}-{n}"] for n in (1, 2)])
        assert not any(s.startswith(f"{stem}-{len(pages) + 1}") for s in figures)
        assert all(fig.get_size_inches()[1] <= 9.5 for fig in pages)
        labels = [ax.get_label() for fig in pages for ax in fig.axes]
        assert len(labels) == len(set(labels))  # every panel on one page only
        owners = [{label.split("/")[0] for label in (ax.get_label() for ax in fig.axes)}
                  for fig in pages]
        assert sum(len(o) for o in owners) == len(set().union(*owners))  # whole optimizers
        optimizers = sorted(part["optimizer"].astype(str).unique())
        params = list(dict.fromkeys(part["param"]))
        # "optimizer/param" names each panel
        axes = {ax.get_label(): ax for fig in pages for ax in fig.axes}
        for optimizer in optimizers:
            for param in params:
                rows = part[(part["optimizer"] == optimizer) & (part["param"] == param)]
                if rows.empty:  # a parameter this optimizer does not take: no empty panel
                    assert f"{optimizer}/{param}" not in axes
                    continue
                ax = axes[f"{optimizer}/{param}"]
                low, high = rows["low"].iloc[0], rows["high"].iloc[0]
                scale = rows["scale"].iloc[0]  # declared, or inferred for a derived value
                assert ax.get_xscale() == {"log": "log", "linear": "linear"}.get(scale, "function")
                left, right = ax.get_xlim()
                assert left < low and right > high
                assert bound_lines(ax) == [low, high]
                trials = study.trials[(study.trials["workload"] == workload)
                                      & (study.trials["protocol"] == protocol)
                                      & (study.trials["optimizer"] == optimizer)]
                n_lost = int((trials["status"] != "completed").sum())
                assert marked(ax, "lost") == n_lost
                # the best trial is starred; trials tied with it (common for error rates
                # on a small validation set) are starred too
                metric = "final." + study.headline_metric().name
                done = trials[trials["status"] == "completed"]
                tied = done[done[metric] == done[metric].min()]
                assert marked(ax, "best") == len(tied)
                assert marked(ax, "completed") == len(trials) - n_lost - len(tied)
                (star,) = [line for line in ax.lines if line.get_label() == "best"]
                assert sorted(star.get_xdata()) == sorted(tied["hp." + param])
                panels += 1
    pairs = pos.groupby(["workload", "protocol", "optimizer", "param"], observed=True).ngroups
    assert panels == pairs and len(study.pool_keys()) == 24


def test_reverse_log_choice_and_inferred_axes():
    bowl = Bowl(optimum=1e-2, diverge_above=0.5, terms={"momentum": Term(0.99, 0.2)})
    study = synthetic_study(optimizers=["sgd"], n_trials=24, params=[MOMENTUM, BATCH],
                            bowls={("quadratic", "paper", "sgd"): bowl}, seed=2)
    pos = check_space(study, seed=0).positions
    fig, (a, b) = plt.subplots(1, 2)
    plot_axis(pos[pos["param"] == "momentum"], label="valid_error", ax=a,
              edges={"high": "open edge"})
    assert a.get_xscale() == "function"
    left, right = a.get_xlim()
    assert 0 < left < 0.5 and 0.999 < right < 1
    assert [t.get_text() for t in a.get_xticklabels()] == ["0.9", "0.99", "0.999"]
    assert "open edge" in [t.get_text() for t in a.texts]
    plot_axis(pos[pos["param"] == "batch_size"], ax=b)
    assert [t.get_text() for t in b.get_xticklabels()] == ["32", "64", "128", "256"]
    np.testing.assert_allclose(b.get_xticks(), [0.125, 0.375, 0.625, 0.875])
    assert b.get_xlim() == (0.0, 1.0)
    plt.close(fig)
    # Bounds inferred from the trials are dotted; declared ones dashed.
    rows = pos[pos["param"] == "learning_rate"].assign(bounds="inferred")
    ax = plot_axis(rows)
    assert {line.get_linestyle() for line in ax.lines if line.get_label() not in MARKS} == {":"}
    plt.close(ax.figure)


def test_isolation_and_pair_plots():
    study = synthetic_study(optimizers=["sgd", "adam"], n_trials=16,
                            params=[Param("epsilon", "log", 1e-8, 1.0)], seed=0)
    result = check_space(study, seed=0)
    from tunestats.analysis import isolation

    binned = isolation(result)
    ax = plot_isolation(binned[binned["param"] == "learning_rate"])
    assert ax.get_xscale() == "log" and len(ax.lines) == 2
    assert [line.get_label() for line in ax.lines] == ["adam", "sgd"]
    plt.close(ax.figure)
    pos = result.positions[result.positions["optimizer"] == "sgd"]
    lr, eps = pos[pos["param"] == "learning_rate"], pos[pos["param"] == "epsilon"]
    wide = lr[["metric", "lost", "best"]].assign(lr=lr["value"].to_numpy(),
                                                  eps=eps["value"].to_numpy())
    ax = plot_pair(wide, x="lr", y="eps", scales=("log", "log"),
                   bounds=((1e-4, 1.0), (1e-8, 1.0)))
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert marked(ax, "completed") == 16 and marked(ax, "best") == 1
    bottom, top = ax.get_ylim()
    assert bottom < 1e-8 and top > 1.0
    plt.close(ax.figure)


def test_pair_figures_share_one_colour_bar_per_figure():
    from tunestats.figures.search_space import pair_figures

    study = synthetic_study(optimizers=["sgd", "adam"], n_trials=16,
                            params=[Param("epsilon", "log", 1e-8, 1.0)], seed=0)
    for fig in pair_figures(study).values():
        panels = [ax for ax in fig.axes if ax.get_title()]
        bars = [ax for ax in fig.axes if not ax.get_title()]
        assert len(panels) == 2 and len(bars) == 1  # not one bar per panel
        limits = {tuple(ax.collections[0].get_clim()) for ax in panels}
        assert len(limits) == 1  # one colour scale for every panel
        plt.close(fig)


@pytest.mark.parametrize("scale, value", [("log", 1e-3), ("reverse_log", 0.9), ("linear", 0.5),
                                          ("linear", 0.0)])
def test_an_axis_with_one_value_gets_a_range_around_it_without_a_warning(scale, value):
    # a listed space whose points all share one value (AlgoPerf): low == high == the value
    import warnings

    from tunestats.plots.search_space import set_param_scale

    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns on identical limits
        set_param_scale(ax, scale, value, value, values=[value])
    low, high = ax.get_xlim()
    assert low < value < high
    plt.close(fig)
