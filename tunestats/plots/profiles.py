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
                             ax: Axes | None = None, palette: Mapping[str, str] | None = None,
                             **kws: Any) -> Axes:
    """Step curves of rho(tau), one per optimizer.

    Parameters
    ----------
    frame : DataFrame
        ``optimizer, tau, rho`` of one protocol (``performance_profile(...).curves``).
    scores : mapping, optional
        Optimizer → score, shown in the legend.
    ax, palette, **kws
        As usual; ``kws`` go to ``Axes.step``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    names = sorted(frame["optimizer"].astype(str).unique())
    colors = optimizer_palette(names, palette)
    for name in names:
        part = frame[frame["optimizer"] == name].sort_values("tau")
        text = f"{name} ({scores[name]:.3f})" if scores and name in scores else name
        ax.step(part["tau"], part["rho"], where="post", color=colors[name], label=text, **kws)
    ax.set_xlabel("tau (ratio to the fastest)")
    ax.set_ylabel("fraction of workloads within tau")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(title="optimizer (score)", fontsize=7, title_fontsize=7)
    return ax
