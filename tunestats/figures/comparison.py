"""Protocol comparison figures: best trial per optimizer (Figures 1, 3, 4), rank flips,
steps-to-target (Figure 2), its robustness grid (Figure 10), performance profiles."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..analysis import (
    best_steps_to_target,
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
from ..plots.steps import robustness_legend_handles
from ..study import Study
from ._facets import Analyses, facet_grid, page_figure
from ._registry import FigureSpec, NotApplicable
from .summary import headline_metric

__all__ = ["FIGURES"]

def _panels(study: Study) -> tuple[list[str], list[str]]:
    return (sorted(study.trials["workload"].astype(str).unique()),
            sorted(study.trials["protocol"].astype(str).unique()))


def _full_budget(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` at the largest ``k`` of their (workload, protocol)."""
    return table[table["k"] == table.groupby(["workload", "protocol"])["k"].transform("max")]


def _workload_protocol_panels(table: pd.DataFrame,
                              draw: Callable[[pd.DataFrame, Axes, str, str], str], *,
                              panel_height: float, sharey: bool | str = False) -> Figure:
    """One panel per workload (rows) and protocol (columns) of ``table``;
    ``draw(panel, ax, workload, protocol)`` draws a panel and returns its title."""
    return facet_grid(table, lambda panel, ax: draw(panel, ax, str(panel["workload"].iloc[0]),
                                                    str(panel["protocol"].iloc[0])),
                      panel_height=panel_height, sharey=sharey)


def best_trial(data: Study | Analyses) -> Figure:
    """Per workload (rows) and protocol (columns): each optimizer's best-of-N outcome."""
    analyses = Analyses.of(data)
    study = analyses.study
    headline_metric(study)  # NotApplicable without final values
    result = analyses.protocol_comparison()

    def draw(panel: pd.DataFrame, ax: Axes, workload: str, protocol: str) -> str:
        metric = study.metric(str(panel["report"].iloc[0]))
        plot_best_trial(panel, label=f"{metric.label}, {metric.direction}", ax=ax)
        return f"{workload} — {protocol} (k = {panel['k'].iloc[0]})"

    fig = _workload_protocol_panels(_full_budget(result.rankings), draw, panel_height=2.2,
                                    sharey="row")
    fig.suptitle("Best of k = N trials by each workload's headline metric, drawn with "
                 "replacement: median and 5–95% spread of outcomes;\n#: rank (ties where "
                 "unresolved at α = 0.05)", fontsize=9)
    return fig


def rank_flips(data: Study | Analyses) -> Figure:
    """Expected ranks across protocols, one panel per workload."""
    analyses = Analyses.of(data)
    study = analyses.study
    workloads, protocols = _panels(study)
    if len(protocols) < 2:
        raise NotApplicable("the study has a single protocol")
    result = analyses.protocol_comparison()
    rankings = _full_budget(result.rankings)
    flips = result.flips[result.flips["resolved"]]
    columns = min(len(workloads), 2)
    rows = -(-len(workloads) // columns)
    fig, axes = page_figure(rows, columns, panel_height=2.8,
                            present=lambda i, j: i * columns + j < len(workloads))
    for ax, workload in zip(axes.flat, workloads, strict=False):
        panel = rankings[rankings["workload"] == workload]
        k = panel["k"].max()
        resolved = flips[(flips["workload"] == workload) & (flips["k"] == k)]
        plot_rank_flips(panel, flips=resolved, ax=ax)
        count = len(resolved)
        ax.set_title(f"{workload} (k = {k}): {count} resolved flip(s)", fontsize=8)
    fig.suptitle("Rank flips between protocols (best of k by each workload's headline "
                 "metric, with replacement)", fontsize=9)
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


def steps_to_target_figure(data: Study | Analyses) -> Figure:
    """Median best-of-N steps to the declared target, per workload and protocol."""
    analyses = Analyses.of(data)
    study = analyses.study
    metric = _targets_or_skip(study)

    def draw(panel: pd.DataFrame, ax: Axes, workload: str, protocol: str) -> str:
        plot_steps_to_target(panel, ax=ax)
        name = study.metric(str(panel["metric"].iloc[0]))
        sign = "≤" if name.direction == "minimize" else "≥"
        return f"{workload} — {protocol}: {name.name} {sign} {panel['target'].iloc[0]:g}"

    fig = _workload_protocol_panels(_full_budget(analyses(best_steps_to_target)), draw,
                                    panel_height=2.2, sharey="row")
    fig.suptitle(f"Steps to target of the best of k = N trials (selected by {metric}, with "
                 "replacement):\nmedian and 5–95% spread of outcomes", fontsize=9)
    return fig


def robustness(data: Study | Analyses) -> Figure:
    """Inclusion consistency of the steps-to-target ordering over targets × budgets."""
    analyses = Analyses.of(data)
    metric = _targets_or_skip(analyses.study)

    def draw(panel: pd.DataFrame, ax: Axes, workload: str, protocol: str) -> str:
        plot_robustness_grid(panel, ax=ax, legend=False)
        return f"{workload} — {protocol}"

    fig = facet_grid(analyses(target_robustness).cells,
                     lambda panel, ax: draw(panel, ax, str(panel["workload"].iloc[0]),
                                            str(panel["protocol"].iloc[0])),
                     panel_height=2.4, hgap=0.95, wgap=0.9, left=0.8, bottom=1.0)
    fig.legend(handles=robustness_legend_handles(), loc="lower center", ncols=4, fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, 0.005))
    fig.suptitle(f"Is the ordering by median best-of-N steps to target ({metric}) consistent "
                 "with inclusion?", fontsize=9)
    return fig


def profiles(data: Study | Analyses) -> Figure:
    """Performance profiles per protocol, scores in the legend."""
    analyses = Analyses.of(data)
    study = analyses.study
    metric = _targets_or_skip(study)
    result = analyses(performance_profile)
    _, protocols = _panels(study)
    columns = min(len(protocols), 2)
    # the legend of each panel sits under it: room for three rows of names
    fig, axes = page_figure(-(-len(protocols) // columns), columns, panel_height=2.8,
                            sharey=True, top=0.75, bottom=1.35, hgap=1.4,
                            present=lambda i, j: i * columns + j < len(protocols))
    for ax, protocol in zip(axes.flat, protocols, strict=False):
        scores = result.scores[result.scores["protocol"] == protocol]
        plot_performance_profile(result.curves[result.curves["protocol"] == protocol],
                                 scores=dict(zip(scores["optimizer"], scores["score"],
                                                 strict=True)), ax=ax)
        ax.set_title(f"{protocol} ({scores['workloads'].iloc[0]} workloads)", fontsize=8)
    rule = ("the trial reaching it at the earliest evaluation (AlgoPerf's rule)"
             if result.rule == "algoperf" else "the fastest trial")
    fig.suptitle(f"Performance profiles: {'steps' if result.time == 'step' else 'time'} to "
                 f"target ({metric}),\n{rule} per repeat, median over repeats; score = area "
                 f"over [1, {result.tau_max:g}] ({result.integral} integral)", fontsize=9)
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
