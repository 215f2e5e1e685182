"""Rankings across protocols: the best-trial outcome per optimizer (Choi et al. 2019,
Figures 1, 3, 4) and the rank-flip chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import optimizer_palette

__all__ = ["plot_best_trial", "plot_rank_flips"]


def plot_best_trial(frame: pd.DataFrame, *, label: str | None = None, ax: Axes | None = None,
                    palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """Each optimizer's best-of-k outcome: median and 5–95% spread of outcomes.

    Parameters
    ----------
    frame : DataFrame
        Rankings of one panel (one workload, protocol and k): columns
        ``optimizer, q05, q50, q95, rank`` (``compare_protocols(...).rankings``).
    label : str, optional
        y-axis label (the metric and its unit).
    ax, palette, **kws
        As usual; ``kws`` go to ``Axes.errorbar``.

    Returns
    -------
    Axes
        One point per optimizer in ranking order, the bar spanning the 5th to
        95th percentile of best-of-k outcomes (the spread of what a tuner with
        k trials gets, not the uncertainty of the estimate); tick labels carry
        the tied rank.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    names = frame["optimizer"].astype(str).tolist()
    colors = optimizer_palette(names, palette)
    for x, row in enumerate(frame.itertuples(index=False)):
        low, mid, high = row.q05, row.q50, row.q95
        top = high if np.isfinite(high) else mid
        ax.errorbar(x, mid, yerr=[[mid - low], [top - mid]], fmt="o", capsize=3,
                    color=colors[row.optimizer], **kws)
    ax.set_xticks(range(len(names)), [f"{n}\n#{r}" for n, r in zip(names, frame["rank"],
                                                                     strict=True)],
                  fontsize=7)
    ax.set_ylabel(label or "best-of-k outcome")
    return ax


def plot_rank_flips(frame: pd.DataFrame, *, ax: Axes | None = None,
                    palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """Slope chart of expected ranks across protocols: crossing lines are rank flips.

    Parameters
    ----------
    frame : DataFrame
        Rankings of one workload and budget: ``protocol, optimizer, expected_rank``.
    ax, palette, **kws
        As usual; ``kws`` go to ``Axes.plot``.

    Returns
    -------
    Axes
        x: the protocols; y: expected rank (1 at the top); one line per optimizer.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.5))
    protocols = sorted(frame["protocol"].astype(str).unique())
    names = sorted(frame["optimizer"].astype(str).unique())
    colors = optimizer_palette(names, palette)
    table = frame.pivot(index="optimizer", columns="protocol", values="expected_rank")
    for name in names:
        values = table.loc[name, protocols].to_numpy(dtype=float)
        ax.plot(range(len(protocols)), values, marker="o", color=colors[name], label=name, **kws)
        ax.annotate(name, (len(protocols) - 1, values[-1]), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8, color=colors[name])
    ax.set_xticks(range(len(protocols)), protocols)
    ax.set_xlim(-0.3, len(protocols) - 0.4)
    ax.invert_yaxis()
    ax.set_ylabel("expected rank (1 = best)")
    return ax
