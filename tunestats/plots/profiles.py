"""Performance profile curves (Dolan & Moré 2002), scores in the legend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from ._style import optimizer_palette

__all__ = ["DASH", "identical_curves", "plot_performance_profile"]

#: Length (points) of each dash where identical profile curves take turns.
DASH = 4.0


def identical_curves(curves: Mapping[str, tuple[Any, Any]]) -> dict[str, list[str]]:
    """Which step curves are the same function.

    Parameters
    ----------
    curves : mapping
        Name → ``(x, y)`` of a step curve (``where="post"``), x increasing.

    Returns
    -------
    dict
        Name → the names (in ``curves`` order, itself included) whose curve is
        the same step function: equal change points ``(x, y)`` where ``y``
        changes, and equal first and last points.
    """
    def key(x: Any, y: Any) -> tuple:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.size == 0:
            return ()
        keep = np.ones(x.size, dtype=bool)
        keep[1:] = y[1:] != y[:-1]
        keep[-1] = True
        return tuple(zip(x[keep].tolist(), y[keep].tolist(), strict=True))

    members: dict[tuple, list[str]] = {}
    for name, (x, y) in curves.items():
        members.setdefault(key(x, y), []).append(name)
    return {name: group for group in members.values() for name in group}


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
        Curves identical to another (the same step function) are drawn with
        dashes that take turns (``DASH`` points each), so that every colour
        shows, and share one legend entry, ``a = b (score)``, whose handle
        shows each colour. The legend (names and scores) sits below the axes, under the x label, where it hides no
        line (the curves rise to 1 and fill every corner); leave room for it
        under the panel.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    names = sorted(frame[by].astype(str).unique())
    colors = optimizer_palette(names, palette)
    curves = {name: frame[frame[by].astype(str) == name].sort_values("tau") for name in names}
    groups = identical_curves({n: (c["tau"], c["rho"]) for n, c in curves.items()})
    lines = {}
    for name in names:
        group = groups[name]
        style = {}
        if len(group) > 1:  # identical curves: dashes that take turns, every colour shows
            n, i = len(group), group.index(name)
            style = {"linestyle": (DASH * i, (DASH, DASH * (n - 1))), "linewidth": 1.8}
        (lines[name],) = ax.step(curves[name]["tau"], curves[name]["rho"], where="post",
                                 color=colors[name], **{**style, **kws})
    entries = list({tuple(groups[name]): None for name in names})  # one per curve shape
    labels = [_label(group, scores) for group in entries]
    ax.set_xlabel("tau (ratio to the fastest)")
    ax.set_ylabel("fraction of workloads within tau")
    ax.set_ylim(-0.02, 1.02)
    # borderaxespad (in font sizes) clears the tick labels and the x label
    # a solid stroke per colour in each entry's handle, side by side
    handles = [tuple(Line2D([], [], color=lines[n].get_color(), linewidth=2) for n in group)
               for group in entries]
    ax.legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)},
              handlelength=3,
              title=f"{by} (score)", fontsize=7, title_fontsize=7, loc="upper center",
              bbox_to_anchor=(0.5, 0.0), borderaxespad=4.6,
              ncols=1 if len(entries) <= 4 or max(map(len, labels)) > 30 else 2,
              frameon=False)
    return ax


def _label(group: tuple[str, ...], scores: Mapping[str, float] | None) -> str:
    """``a = b (0.8333)``: the names of identical curves and their (equal) score."""
    known = [scores[n] for n in group if scores and n in scores]
    if known and len(known) == len(group) and len(set(known)) == 1:
        return f"{' = '.join(group)} ({known[0]:.4f})"
    return " = ".join(f"{n} ({scores[n]:.4f})" if scores and n in scores else n
                      for n in group)
