"""Study overview: the final headline metric of every trial, per pool (each workload its
own metric)."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..errors import DataError
from ..plots import plot_final_metric
from ..study import Study
from ._facets import Analyses, facet_grid
from ._registry import FigureSpec, NotApplicable

__all__ = ["FIGURES", "study_overview"]


def headline_metric(study: Study) -> str:
    """The name of :meth:`Study.headline_metric`, or :class:`NotApplicable` when
    there is none."""
    try:
        return study.headline_metric().name
    except DataError as exc:
        raise NotApplicable(str(exc)) from None


def study_overview(data: Study | Analyses) -> Figure:
    """One panel per (workload, protocol): the final headline metric of the workload (its
    own, labelled with its direction) of each trial by optimizer; lost (diverged/failed)
    trials counted under each name."""
    study = Analyses.of(data).study
    headline_metric(study)  # NotApplicable without final values
    names = {study.headline_metric(w).name for w in study.workloads()}

    def draw(rows, ax) -> None:
        metric = study.headline_metric(str(rows["workload"].iloc[0]))
        plot_final_metric(rows, metric=metric.name, label=f"{metric.label}, {metric.direction}",
                          ax=ax)

    fig = facet_grid(study.trials, draw, panel_height=2.3, hgap=1.05, bottom=0.9, wgap=0.6)
    what = names.pop() if len(names) == 1 else "headline metric (per workload)"
    fig.suptitle(f"Final {what} of every trial (x: diverged or failed)", fontsize=9)
    return fig


FIGURES = (FigureSpec("overview", "final validation metric of every trial, per pool",
                      study_overview),)
