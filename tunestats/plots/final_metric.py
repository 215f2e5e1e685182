"""The final metric of every trial, per optimizer: the raw material of a study."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import category_ticks, optimizer_palette

__all__ = ["plot_final_metric"]


def plot_final_metric(frame: pd.DataFrame, *, metric: str, label: str | None = None,
                      log: bool = False, ax: Axes | None = None,
                      palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """Strip plot of one final metric per optimizer, diverged/failed trials marked.

    Parameters
    ----------
    frame : DataFrame
        Trials of one panel with columns ``optimizer``, ``status`` and
        ``final.<metric>``.
    metric : str
        The metric name.
    label : str, optional
        The y-axis label (default: the metric name).
    log : bool
        Log y axis.
    ax : Axes, optional
    palette : mapping, optional
        Optimizer → colour (default: :func:`optimizer_palette`).
    **kws
        Passed to ``Axes.scatter`` for the completed trials.

    Returns
    -------
    Axes
        Completed trials as dots (jittered horizontally, best marked with a
        star); trials without a final value as crosses at the top edge, with
        their count under the optimizer's name.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    optimizers = sorted(frame["optimizer"].astype(str).unique())
    colors = optimizer_palette(optimizers, palette)
    values = frame[f"final.{metric}"].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    top = finite.max() if finite.size else 1.0
    ticks = []
    for x, name in enumerate(optimizers):
        rows = (frame["optimizer"].astype(str) == name).to_numpy()
        ok = rows & np.isfinite(values)
        jitter = np.linspace(-0.25, 0.25, max(ok.sum(), 1))[: ok.sum()]
        ax.scatter(x + jitter, values[ok], s=12, alpha=0.7, color=colors[name],
                   linewidths=0, **kws)
        lost = int((rows & ~np.isfinite(values)).sum())
        if lost:
            ax.scatter(np.linspace(x - 0.25, x + 0.25, lost), np.full(lost, top), marker="x",
                       s=14, color=colors[name], alpha=0.8)
        ticks.append(f"{name}\n({lost} lost)" if lost else name)
    category_ticks(ax, ticks)
    ax.set_ylabel(label or metric)
    if log:
        ax.set_yscale("log")
    ax.set_xlim(-0.6, len(optimizers) - 0.4)
    return ax
