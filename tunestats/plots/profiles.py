"""Performance profile curves (Dolan & Moré 2002), scores in the legend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from ._style import optimizer_palette

__all__ = ["plot_performance_profile"]


def plot_performance_profile(frame: pd.DataFrame, *, scores: Mapping[str, float] | None = None,
                             by: str = "optimizer", ax: Axes | None = None,
                             palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """Step curves of rho(tau), one per algorithm.

    Parameters
    ----------
    frame : DataFrame
        ``<by>, tau, rho`` of one protocol (``performance_profile(...).curves``)
        or one ruleset (``leaderboard(...).profile`` with ``by="submission"``).
    scores : mapping, optional
        Algorithm → score, shown in the legend.
    by : str
        The column naming the algorithms (``"optimizer"`` or ``"submission"``).
    ax, palette, **kws
        As usual; ``kws`` go to ``Axes.step``.

    Returns
    -------
    Axes
        The legend (names and scores) sits below the axes, under the x label,
        where it hides no line (the curves rise to 1 and fill every corner);
        leave room for it under the panel.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    names = sorted(frame[by].astype(str).unique())
    colors = optimizer_palette(names, palette)
    for name in names:
        part = frame[frame[by] == name].sort_values("tau")
        text = f"{name} ({scores[name]:.4f})" if scores and name in scores else name
        ax.step(part["tau"], part["rho"], where="post", color=colors[name], label=text, **kws)
    ax.set_xlabel("tau (ratio to the fastest)")
    ax.set_ylabel("fraction of workloads within tau")
    ax.set_ylim(-0.02, 1.02)
    # borderaxespad (in font sizes) clears the tick labels and the x label
    ax.legend(title=f"{by} (score)", fontsize=7, title_fontsize=7, loc="upper center",
              bbox_to_anchor=(0.5, 0.0), borderaxespad=4.6, ncols=2, frameon=False)
    return ax
