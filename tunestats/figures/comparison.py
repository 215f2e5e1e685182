"""Protocol comparison figures: best trial per optimizer (Figures 1, 3, 4), rank flips,
steps-to-target (Figure 2), its robustness grid (Figure 10), performance profiles."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..analysis import (
    best_steps_to_target,
    compare_protocols,
    performance_profile,
    target_robustness,
)
from ..plots import (
    plot_best_trial,
    plot_performance_profile,
    plot_rank_flips,
    plot_robustness_grid,
    plot_steps_to_target,
)
from ..study import Study
from ._registry import FigureSpec, NotApplicable
from .summary import headline_metric

__all__ = ["FIGURES"]

SEED = 0


def _panels(study: Study) -> tuple[list[str], list[str]]:
    return (sorted(study.trials["workload"].astype(str).unique()),
            sorted(study.trials["protocol"].astype(str).unique()))


def _full_budget(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` at the largest ``k`` of their (workload, protocol)."""
    return table[table["k"] == table.groupby(["workload", "protocol"])["k"].transform("max")]


def _grid(study: Study, table: pd.DataFrame,
          draw: Callable[[pd.DataFrame, Axes, str, str], str], *, size: tuple[float, float],
          sharey: bool | str = False) -> Figure:
    """One panel per workload (rows) and protocol (columns) of ``table``.

    ``draw(panel, ax, workload, protocol)`` draws the panel's rows on ``ax`` and returns its
    title; a panel without rows is turned off. ``size`` is the (width, height) of one panel.
    """
    workloads, protocols = _panels(study)
    fig, axes = plt.subplots(len(workloads), len(protocols), squeeze=False, sharey=sharey,
                             figsize=(size[0] * len(protocols), size[1] * len(workloads)),
                             layout="constrained")
    for i, workload in enumerate(workloads):
        for j, protocol in enumerate(protocols):
            panel = table[(table["workload"] == workload) & (table["protocol"] == protocol)]
            if not len(panel):
                axes[i, j].set_axis_off()
                continue
            axes[i, j].set_title(draw(panel, axes[i, j], workload, protocol), fontsize=9)
    return fig


def best_trial(study: Study) -> Figure:
    """Per workload (rows) and protocol (columns): each optimizer's best-of-N outcome."""
    headline_metric(study)  # NotApplicable without final values
    result = compare_protocols(study, n_boot=100, seed=SEED)

    def draw(panel: pd.DataFrame, ax: Axes, workload: str, protocol: str) -> str:
        metric = study.metric(str(panel["report"].iloc[0]))
        plot_best_trial(panel, label=f"{metric.label}, {metric.direction}", ax=ax)
        return f"{workload} — {protocol} (k = {panel['k'].iloc[0]})"

    fig = _grid(study, _full_budget(result.rankings), draw, size=(4.0, 3.2), sharey="row")
    fig.suptitle("Best of k = N trials by each workload's headline metric, drawn with "
                 "replacement: median and "
                 "5–95% spread of outcomes; #: rank (ties where unresolved at α = 0.05)",
                 fontsize=10)
    return fig


def rank_flips(study: Study) -> Figure:
    """Expected ranks across protocols, one panel per workload."""
    workloads, protocols = _panels(study)
    if len(protocols) < 2:
        raise NotApplicable("the study has a single protocol")
    result = compare_protocols(study, n_boot=100, seed=SEED)
    rankings = _full_budget(result.rankings)
    flips = result.flips[result.flips["resolved"]]
    fig, axes = plt.subplots(1, len(workloads), squeeze=False,
                             figsize=(3.6 * len(workloads), 3.6), layout="constrained")
    for ax, workload in zip(axes[0], workloads, strict=True):
        panel = rankings[rankings["workload"] == workload]
        plot_rank_flips(panel, ax=ax)
        k = panel["k"].max()
        count = int(((flips["workload"] == workload) & (flips["k"] == k)).sum())
        ax.set_title(f"{workload} (k = {k}): {count} resolved flip(s)", fontsize=9)
    fig.suptitle("Rank flips between protocols (best of k by each workload's headline "
                 "metric, with replacement)", fontsize=10)
    return fig


def _targets_or_skip(study: Study) -> str:
    """Each workload's headline metric (one name, or "each workload's metric"), or
    NotApplicable when a workload has no declared target of it or there are no curves."""
    headline_metric(study)
    workloads, _ = _panels(study)
    names = {w: study.headline_metric(w).name for w in workloads}
    lacking = [w for w, m in names.items() if m not in study.targets.get(w, {})]
    if lacking:
        raise NotApplicable(f"the study declares no target of the headline metric for "
                            f"{', '.join(f'{w} ({names[w]})' for w in lacking)}")
    if not len(study.curves):
        raise NotApplicable("the study has no curves")
    distinct = set(names.values())
    return distinct.pop() if len(distinct) == 1 else "each workload's metric"


def steps_to_target_figure(study: Study) -> Figure:
    """Median best-of-N steps to the declared target, per workload and protocol."""
    metric = _targets_or_skip(study)

    def draw(panel: pd.DataFrame, ax: Axes, workload: str, protocol: str) -> str:
        plot_steps_to_target(panel, ax=ax)
        name = study.metric(str(panel["metric"].iloc[0]))
        sign = "≤" if name.direction == "minimize" else "≥"
        return f"{workload} — {protocol}: {name.name} {sign} {panel['target'].iloc[0]:g}"

    fig = _grid(study, _full_budget(best_steps_to_target(study)), draw,
                size=(4.0, 3.2), sharey="row")
    fig.suptitle(f"Steps to target of the best of k = N trials (selected by {metric}, with "
                 "replacement): median and 5–95% spread of outcomes", fontsize=10)
    return fig


def robustness(study: Study) -> Figure:
    """Inclusion consistency of the steps-to-target ordering over targets × budgets."""
    metric = _targets_or_skip(study)

    def draw(panel: pd.DataFrame, ax: Axes, workload: str, protocol: str) -> str:
        plot_robustness_grid(panel, ax=ax)
        return f"{workload} — {protocol}"

    fig = _grid(study, target_robustness(study).cells, draw, size=(4.6, 3.6))
    fig.suptitle(f"Is the ordering by median best-of-N steps to target ({metric}) consistent "
                 "with inclusion?", fontsize=10)
    return fig


def profiles(study: Study) -> Figure:
    """Performance profiles per protocol, scores in the legend."""
    metric = _targets_or_skip(study)
    result = performance_profile(study)
    _, protocols = _panels(study)
    fig, axes = plt.subplots(1, len(protocols), squeeze=False, sharey=True,
                             figsize=(4.4 * len(protocols), 3.4), layout="constrained")
    for ax, protocol in zip(axes[0], protocols, strict=True):
        scores = result.scores[result.scores["protocol"] == protocol]
        plot_performance_profile(result.curves[result.curves["protocol"] == protocol],
                                 scores=dict(zip(scores["optimizer"], scores["score"],
                                                 strict=True)), ax=ax)
        ax.set_title(f"{protocol} ({scores['workloads'].iloc[0]} workloads)", fontsize=9)
    fig.suptitle(f"Performance profiles: steps to target ({metric}), fastest trial per "
                 f"repeat, median over repeats; score = area over [1, {result.tau_max:g}]",
                 fontsize=10)
    return fig


FIGURES = (
    FigureSpec("best-trial", "best trial per optimizer, protocols side by side (Fig. 1, 3, 4)",
               best_trial),
    FigureSpec("rank-flips", "expected ranks across protocols; crossings are rank flips",
               rank_flips),
    FigureSpec("steps-to-target", "best-of-N steps to the target (Fig. 2)",
               steps_to_target_figure),
    FigureSpec("robustness", "inclusion consistency over targets x budgets (Fig. 10)",
               robustness),
    FigureSpec("performance-profile", "performance profiles with scores", profiles),
)
