"""Best-of-k figures: Figures 6–8 (selection by validation error), Figure 9 (selection by
training loss) of Choi et al. (2019), the confidence in those estimates, and the
best-of-k training curve."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..analysis import best_of_k, best_of_k_curve
from ..plots import best_of_k_legend, legend_handles, plot_best_of_k, plot_best_of_k_curve
from ..plots.best_of_k import CENTERS
from ..study import Study
from ._facets import Analyses, facet_grid
from ._registry import FigureSpec, NotApplicable
from .summary import headline_metric

__all__ = ["FIGURES", "best_of_k_confidence_figure", "best_of_k_curve_figure",
           "best_of_k_figure", "best_of_k_train_selection_figure"]

#: Budgets drawn in the best-of-k training curve.
CURVE_BUDGETS = (1, 4, 16)


def _has_role(study: Study, role: str) -> bool:
    """Whether some workload has a metric with final values playing ``role``."""
    for workload in study.workloads():
        name = study.workload_metrics(workload).role(role)
        if name is not None and f"final.{name}" in study.trials:
            return True
    return False


def _label(study: Study, rows: pd.DataFrame, column: str = "report") -> str:
    """A panel's axis label: its metric (per workload) and direction."""
    metric = study.metric(str(rows[column].iloc[0]))
    return f"{metric.label}, {metric.direction}"


def _names(frame: pd.DataFrame, column: str) -> str:
    """The metric names of a result column: one name, or 'per workload: a, b'."""
    names = list(dict.fromkeys(frame[column].astype(str)))
    return names[0] if len(names) == 1 else f"each workload's {column} metric"


def _panels(frame: pd.DataFrame, draw: Callable[[pd.DataFrame, Axes], None], title: str, *,
            center: str, band: str | None, budgets: tuple[int, ...] = ()) -> Figure:
    """One panel per (workload, protocol) and one legend for the figure, below the
    panels (so that it covers none of them)."""
    def panel(rows: pd.DataFrame, ax: Axes) -> None:
        draw(rows, ax)

    # room for the title's lines (9 pt, about 0.17 inch each) over the panel titles
    fig = facet_grid(frame, panel, panel_height=2.1, top=max(0.75, 0.35 + 0.18 * (
        title.count("\n") + 1)), hgap=0.8, wgap=0.75, bottom=1.75)
    handles = legend_handles(sorted(frame["optimizer"].astype(str).unique()), budgets)
    best_of_k_legend(fig, frame, center=center, band=band, handles=handles,
                     loc="lower center", bbox_to_anchor=(0.5, 0.005),
                     ncols=min(len(handles), 6), frameon=False)
    fig.suptitle(title, fontsize=9)
    return fig


def _against_k(data: Study | Analyses, select: str, *, band: str, what: str) -> Figure:
    analyses = Analyses.of(data)
    study = analyses.study
    headline_metric(study)  # NotApplicable without final values
    # the spread and the confidence figures share one analysis (the confidence columns
    # ride along); other selections draw the spread only
    ci = 0.9 if band == "confidence" or select == "valid" else None
    frame = analyses(best_of_k, select=select, confidence=ci)
    # the calibrated pointwise band with select != report is the mean's (tunestats.kernels.bands)
    center = "mean" if band == "confidence" else "q50"
    return _panels(
        frame,
        lambda rows, ax: plot_best_of_k(rows, center=center, band=band,
                                        label=_label(study, rows), legend=False, ax=ax),
        f"{_names(frame, 'report')} of the best of k trials, selected by final "
        f"{_names(frame, 'select')}\n({what}; {CENTERS[center]} over draws of k trials)",
        center=center, band=band)


def best_of_k_figure(data: Study | Analyses) -> Figure:
    """Figures 6–8 style: selected by each workload's validation metric, spread of
    outcomes."""
    return _against_k(data, "valid", band="spread", what="Choi et al. 2019, Figures 6–8")


def best_of_k_confidence_figure(data: Study | Analyses) -> Figure:
    """The mean of Figures 6–8 with the pointwise confidence in its estimate instead of the
    spread."""
    # the analysis gives no calibrated band for the mean past k = sqrt(N)
    # (tunestats.kernels.bands): such bands end early, by design
    return _against_k(data, "valid", band="confidence",
                      what="confidence in the estimate;\nband where calibrated: k ≤ √N")


def best_of_k_train_selection_figure(data: Study | Analyses) -> Figure:
    """Figure 9 style: the same, selecting by the training loss."""
    if not _has_role(Analyses.of(data).study, "train"):
        raise NotApplicable("no training metric with final values to select by")
    return _against_k(data, "train", band="spread", what="Choi et al. 2019, Figure 9")


def best_of_k_curve_figure(data: Study | Analyses) -> Figure:
    """The reported metric over training of the trial a budget of k trials selects."""
    analyses = Analyses.of(data)
    study = analyses.study
    headline_metric(study)
    missing = [w for w in study.workloads() if (study.workload_metrics(w).test or
                                               study.workload_metrics(w).valid)
               not in study.curves]
    if missing:
        raise NotApplicable(f"the curves table has no column for the reported metric of "
                            f"{', '.join(missing)}")
    frame = analyses(best_of_k_curve, k=CURVE_BUDGETS)
    return _panels(
        frame,
        lambda rows, ax: plot_best_of_k_curve(rows, label=_label(study, rows), legend=False,
                                              ax=ax),
        f"{_names(frame, 'report')} over training of the best of k trials, selected by final "
        f"{_names(frame, 'select')}\n(median over draws of k trials; band for the largest k)",
        center="q50", band="spread", budgets=CURVE_BUDGETS)


FIGURES = (
    FigureSpec("best-of-k", "best of k trials against k, selected by the validation metric "
               "(Figures 6-8)", best_of_k_figure),
    FigureSpec("best-of-k-confidence", "the same with the confidence in the estimate",
               best_of_k_confidence_figure),
    FigureSpec("best-of-k-train-selection", "best of k trials selected by the training loss "
               "(Figure 9)", best_of_k_train_selection_figure),
    FigureSpec("best-of-k-curve", "reported metric over training of the best of k trials",
               best_of_k_curve_figure),
)
