"""Study overview: the final headline metric of every trial, per pool (each workload its
own metric)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..errors import DataError
from ..plots import plot_final_metric
from ..study import Study
from ._registry import FigureSpec, NotApplicable

__all__ = ["FIGURES", "study_overview"]


def headline_metric(study: Study) -> str:
    """The name of :meth:`Study.headline_metric`, or :class:`NotApplicable` when
    there is none."""
    try:
        return study.headline_metric().name
    except DataError as exc:
        raise NotApplicable(str(exc)) from None


def study_overview(study: Study) -> Figure:
    """One panel per (workload, protocol): the final headline metric of the workload (its
    own, labelled with its direction) of each trial by optimizer; lost (diverged/failed)
    trials counted under each name."""
    headline_metric(study)  # NotApplicable without final values
    workloads = study.workloads()
    protocols = sorted(study.trials["protocol"].astype(str).unique())
    n_optimizers = study.trials["optimizer"].nunique()
    panel_width = max(4.2, 1.0 * n_optimizers + 1.0)  # room for "name (n lost)" tick labels
    fig, axes = plt.subplots(len(workloads), len(protocols), squeeze=False,
                             figsize=(panel_width * len(protocols), 3.2 * len(workloads)),
                             layout="constrained")
    names = set()
    for i, workload in enumerate(workloads):
        metric = study.headline_metric(workload)
        names.add(metric.name)
        for j, protocol in enumerate(protocols):
            ax = axes[i, j]
            rows = ((study.trials["workload"] == workload)
                    & (study.trials["protocol"] == protocol))
            if not rows.any():
                ax.set_axis_off()
                continue
            plot_final_metric(study.trials[rows], metric=metric.name,
                              label=f"{metric.label}, {metric.direction}", ax=ax)
            ax.set_title(f"{workload} — {protocol}", fontsize=10)
    what = names.pop() if len(names) == 1 else "headline metric (per workload)"
    fig.suptitle(f"Final {what} of every trial (x: diverged or failed)", fontsize=11)
    return fig


FIGURES = (FigureSpec("overview", "final validation metric of every trial, per pool",
                      study_overview),)
