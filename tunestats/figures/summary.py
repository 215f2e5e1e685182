"""Study overview: the final validation metric of every trial, per pool."""

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
    """One panel per (workload, protocol): final validation metric of each trial by
    optimizer; lost (diverged/failed) trials counted under each name."""
    study = Analyses.of(data).study
    metric = study.metric(headline_metric(study))

    def draw(rows, ax) -> None:
        plot_final_metric(rows, metric=metric.name, label=metric.label, ax=ax)

    fig = facet_grid(study.trials, draw, panel_height=2.3)
    fig.suptitle(f"Final {metric.name} of every trial ({metric.direction}; "
                 "x: diverged or failed)", fontsize=9)
    return fig


FIGURES = (FigureSpec("overview", "final validation metric of every trial, per pool",
                      study_overview),)
