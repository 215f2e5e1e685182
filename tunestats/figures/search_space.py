"""Search-space figures (paper Appendix E): axis plots, isolation plots, a 2-D scatter.

One figure per (workload, protocol), so that a large study gives a handful of
files: axis plots as a grid of optimizer × hyperparameter panels, isolation
plots as one panel per hyperparameter with a line per optimizer, and the 2-D
scatter as one panel per optimizer.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from ..analysis import SpaceCheck, check_space, isolation
from ..plots import plot_axis, plot_isolation, plot_pair
from ..study import Study
from ..study.schema import KEY
from ._registry import FigureSpec, NotApplicable
from .summary import headline_metric

__all__ = ["FIGURES", "axis_figures", "isolation_figures", "pair_figures"]

#: The pair drawn when a pool tunes both (the paper stresses their coupling, Sec. 4).
PREFERRED_PAIR = ("learning_rate", "epsilon")


def _checked(study: Study) -> SpaceCheck:
    """The boundary check the figures draw (the budget part is not drawn)."""
    headline_metric(study)  # NotApplicable without final values
    result = check_space(study, n_resamples=1, seed=0)
    if result.positions.empty:
        raise NotApplicable("no pool tunes a hyperparameter")
    return result


def _stem(*parts: str) -> str:
    """A file-name part from workload and protocol names."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(parts))


def _by_workload_protocol(frame: pd.DataFrame):
    return frame.groupby(["workload", "protocol"], observed=True, sort=True)


def axis_figures(study: Study) -> dict[str, Figure]:
    """Final validation metric against each tuned hyperparameter: a grid of optimizer ×
    hyperparameter panels per (workload, protocol), bounds drawn, the best trial starred,
    lost trials as crosses at the top, flagged edges coloured."""
    result = _checked(study)
    edges = result.boundaries.set_index(["workload", "protocol", "optimizer", "param",
                                         "side"])["edge_kind"]
    figures = {}
    for (workload, protocol), part in _by_workload_protocol(result.positions):
        optimizers = sorted(part["optimizer"].astype(str).unique())
        params = list(dict.fromkeys(part["param"]))
        fig, axes = plt.subplots(len(optimizers), len(params), squeeze=False,
                                 figsize=(3.4 * len(params), 2.5 * len(optimizers)),
                                 layout="constrained")
        for i, optimizer in enumerate(optimizers):
            for j, param in enumerate(params):
                ax = axes[i, j]
                rows = part[(part["optimizer"] == optimizer) & (part["param"] == param)]
                if rows.empty:
                    ax.set_axis_off()
                    continue
                kinds = {side: edges.get((workload, protocol, optimizer, param, side))
                         for side in ("low", "high")}
                plot_axis(rows, label=result.metrics[workload].label if j == 0 else "", edges=kinds, ax=ax)
                inferred = " (bounds inferred)" if rows["bounds"].iloc[0] == "inferred" else ""
                ax.set_title(f"{optimizer}{inferred}", fontsize=9)
        fig.suptitle(f"{workload} — {protocol}: final {result.metrics[workload].name} against each tuned "
                     "hyperparameter (★ best, × diverged/lost; dashed: bounds)", fontsize=10)
        figures[_stem(workload, protocol)] = fig
    return figures


def isolation_figures(study: Study) -> dict[str, Figure]:
    """Best final validation metric per bin of each hyperparameter, one line per
    optimizer, one panel per hyperparameter, per (workload, protocol)."""
    result = _checked(study)
    binned = isolation(result)
    figures = {}
    for (workload, protocol), part in _by_workload_protocol(binned):
        params = list(dict.fromkeys(part["param"]))
        fig, axes = plt.subplots(1, len(params), squeeze=False, figsize=(3.6 * len(params), 3),
                                 layout="constrained")
        for j, param in enumerate(params):
            plot_isolation(part[part["param"] == param], ax=axes[0, j],
                           label=f"best {result.metrics[workload].label} per bin" if j == 0 else "")
        axes[0, 0].legend(fontsize=7)
        fig.suptitle(f"{workload} — {protocol}: best {result.metrics[workload].name} per bin of each "
                     "hyperparameter (10 bins in its own scale)", fontsize=10)
        figures[_stem(workload, protocol)] = fig
    return figures


def _pair(positions: pd.DataFrame) -> tuple[str, str]:
    """Learning rate and ε when a pool tunes both, else the first two numeric
    hyperparameters tuned in one pool."""
    numeric = positions[positions["scale"] != "choice"]
    per_pool = numeric.groupby(["workload", "protocol", "optimizer"], observed=True,
                               sort=True)["param"].unique()
    if any(set(PREFERRED_PAIR) <= set(params) for params in per_pool):
        return PREFERRED_PAIR
    for params in per_pool:
        if len(params) >= 2:
            return str(params[0]), str(params[1])
    raise NotApplicable("no pool tunes two numeric hyperparameters")


def pair_figures(study: Study) -> dict[str, Figure]:
    """The trials in the plane of two hyperparameters (learning rate and ε when
    tuned), coloured by the final validation metric, one panel per optimizer."""
    result = _checked(study)
    x, y = _pair(result.positions)
    figures = {}
    for (workload, protocol), part in _by_workload_protocol(result.positions):
        pools = {name: rows for name, rows in part.groupby("optimizer", observed=True)
                 if {x, y} <= set(rows["param"])}
        if not pools:
            continue
        fig, axes = plt.subplots(1, len(pools), squeeze=False, figsize=(4.2 * len(pools), 3.4),
                                 layout="constrained")
        for ax, (optimizer, rows) in zip(axes[0], sorted(pools.items()), strict=True):
            xs, ys = rows[rows["param"] == x], rows[rows["param"] == y]
            wide = xs[[*KEY, "value", "metric", "lost", "best"]].rename(
                columns={"value": f"hp.{x}"}).merge(
                ys[[*KEY, "value"]].rename(columns={"value": f"hp.{y}"}), on=list(KEY))
            plot_pair(wide, x=f"hp.{x}", y=f"hp.{y}",
                      scales=(xs["scale"].iloc[0], ys["scale"].iloc[0]),
                      bounds=((xs["low"].iloc[0], xs["high"].iloc[0]),
                              (ys["low"].iloc[0], ys["high"].iloc[0])),
                      label=result.metrics[workload].label, ax=ax)
            ax.set_title(str(optimizer), fontsize=9)
        fig.suptitle(f"{workload} — {protocol}: trials in the plane {x} × {y} "
                     "(★ best, × lost)", fontsize=10)
        figures[_stem(workload, protocol)] = fig
    if not figures:
        raise NotApplicable(f"no pool tunes both {x} and {y}")
    return figures


FIGURES = (
    FigureSpec("space-axes", "Appendix E: final validation metric against each tuned "
               "hyperparameter, per pool, bounds and flagged edges drawn", axis_figures),
    FigureSpec("space-isolation", "best validation metric per bin of each hyperparameter",
               isolation_figures),
    FigureSpec("space-pairs", "trials in the plane of two hyperparameters (learning rate × ε)",
               pair_figures),
)
