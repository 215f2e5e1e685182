"""Steps-to-target (Choi et al. 2019, Figure 2) and its robustness grid (Figure 10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ._style import optimizer_palette

__all__ = ["ROBUSTNESS_COLORS", "plot_robustness_grid", "plot_steps_to_target",
           "robustness_legend_handles"]


def plot_steps_to_target(frame: pd.DataFrame, *, label: str = "steps to target",
                         ax: Axes | None = None, palette: Mapping[str, str] | None = None,
                         **kws: Any) -> Axes:
    """Bars of the median best-of-k time to target with the 5–95% spread of outcomes.

    Parameters
    ----------
    frame : DataFrame
        One panel of ``best_steps_to_target``: ``optimizer, q05, q50, q95, p_reached``.
    label : str
        y-axis label.
    ax, palette, **kws
        As usual; ``kws`` go to ``Axes.bar``.

    Returns
    -------
    Axes
        Optimizers whose median is ``inf`` (the selected trial misses the
        target more often than not) get no bar and "not reached" instead.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    names = frame["optimizer"].astype(str).tolist()
    colors = optimizer_palette(names, palette)
    finite = frame["q50"].to_numpy(dtype=float)
    top = np.nanmax(np.where(np.isfinite(finite), finite, np.nan)) if np.isfinite(
        finite).any() else 1.0
    for x, row in enumerate(frame.itertuples(index=False)):
        if not np.isfinite(row.q50):
            ax.text(x, 0.02 * top, "not\nreached", ha="center", va="bottom", fontsize=7)
            continue
        high = row.q95 if np.isfinite(row.q95) else row.q50
        ax.bar(x, row.q50, color=colors[row.optimizer], alpha=0.8, **kws)
        ax.errorbar(x, row.q50, yerr=[[row.q50 - row.q05], [high - row.q50]], fmt="none",
                    color="black", capsize=3, linewidth=1)
    ax.set_xticks(range(len(names)), names, rotation=30)
    ax.set_ylabel(label)
    return ax


#: Cell colours of the robustness grid.
ROBUSTNESS_COLORS = {"consistent": "#4daf4a", "inconsistent": "#e41a1c",
                     "none reached": "#bdbdbd"}


def plot_robustness_grid(frame: pd.DataFrame, *, ax: Axes | None = None,
                         palette: Mapping[str, str] | None = None, legend: bool = True,
                         **kws: Any) -> Axes:
    """Targets × budgets, coloured by whether the ordering is inclusion-consistent.

    Parameters
    ----------
    frame : DataFrame
        Cells of one workload and protocol (``target_robustness(...).cells``):
        ``target, budget, inclusion_consistent, reached_by, same_as_reference,
        pairs_changed``.
    ax : Axes, optional
    palette : mapping, optional
        Colours of ``"consistent"``, ``"inconsistent"``, ``"none reached"``.
    legend : bool, default True
        Draw the legend beside the panel (:func:`robustness_legend_handles`
        gives its entries for a figure legend instead).
    **kws
        Passed to ``Axes.pcolormesh``.

    Returns
    -------
    Axes
        Cells where some pool reaches the target and the ordering differs
        from the reference ordering show how many pairs of optimizers are
        ordered the other way round (``pairs_changed``).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    colors = {**ROBUSTNESS_COLORS, **(palette or {})}
    targets = np.sort(frame["target"].unique())
    budgets = np.sort(frame["budget"].unique())
    code = np.where(frame["reached_by"] == 0, 2,
                    np.where(frame["inclusion_consistent"], 0, 1))
    grid = pd.DataFrame({"t": frame["target"], "b": frame["budget"], "c": code}).pivot(
        index="t", columns="b", values="c").loc[targets, budgets].to_numpy()
    cmap = ListedColormap([colors["consistent"], colors["inconsistent"],
                           colors["none reached"]])
    ax.pcolormesh(np.arange(budgets.size + 1), np.arange(targets.size + 1), grid, cmap=cmap,
                  vmin=-0.5, vmax=2.5, edgecolors="white", linewidth=0.5, **kws)
    # a cell no pool reaches has no ordering to differ (its grey says so): no mark
    changed = frame[~frame["same_as_reference"].astype(bool) & (frame["reached_by"] > 0)]
    for row in changed.itertuples(index=False):
        ax.text(np.searchsorted(budgets, row.budget) + 0.5,
                np.searchsorted(targets, row.target) + 0.5, str(int(row.pairs_changed)),
                ha="center", va="center", fontsize=6, color="black")
    labels = [f"{b:g}" for b in budgets]
    # horizontal labels while they fit their cells (about 5 characters at 7 pt in a
    # quarter-page panel of 10 columns), else vertical
    wide = max(map(len, labels)) * budgets.size > 40
    ax.set_xticks(np.arange(budgets.size) + 0.5, labels, rotation=90 if wide else 0,
                  fontsize=7)
    ax.set_yticks(np.arange(targets.size) + 0.5, [f"{t:.3g}" for t in targets], fontsize=7)
    ax.set_xlabel("step budget")
    ax.set_ylabel("target")
    if legend:
        ax.legend(handles=robustness_legend_handles(palette), fontsize=6, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))
    return ax


def robustness_legend_handles(palette: Mapping[str, str] | None = None) -> list[Any]:
    """The legend entries of :func:`plot_robustness_grid`.

    Parameters
    ----------
    palette : mapping, optional
        As for :func:`plot_robustness_grid`.

    Returns
    -------
    list
        One patch per cell colour and the entry of the cells' counts.
    """
    colors = {**ROBUSTNESS_COLORS, **(palette or {})}
    return ([Patch(color=c, label=n) for n, c in colors.items()]
            + [plt.Line2D([], [], marker="$n$", linestyle="", color="black", markersize=6,
                          label="n pairs ordered unlike the reference")])
