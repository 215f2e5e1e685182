"""Rankings across protocols: the best-trial outcome per optimizer (Choi et al. 2019,
Figures 1, 3, 4) and the rank-flip chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
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


#: Least vertical distance between two optimizer labels of the rank-flip chart, in
#: expected-rank units per inch of axes height (8 pt text with its ascenders and descenders is about 0.17 in tall).
LABEL_GAP_IN = 0.18


def _spread(values: np.ndarray, gap: float) -> np.ndarray:
    """Positions as close to ``values`` as keeps neighbours at least ``gap`` apart
    (in the order of ``values``): pushed apart downwards, then the block centred
    on the values' mean so that no label drifts to one side."""
    order = np.argsort(values, kind="stable")
    placed = values[order].astype(float).copy()
    for i in range(1, placed.size):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    placed += values.mean() - placed.mean() if placed.size else 0.0
    out = np.empty_like(placed)
    out[order] = placed
    return out


def plot_rank_flips(frame: pd.DataFrame, *, flips: pd.DataFrame | None = None,
                    ax: Axes | None = None, palette: Mapping[str, str] | None = None,
                    **kws: Any) -> Axes:
    """Slope chart of expected ranks across protocols: crossing lines are rank flips.

    Parameters
    ----------
    frame : DataFrame
        Rankings of one workload and budget: ``protocol, optimizer, expected_rank``.
    flips : DataFrame, optional
        The resolved flips to highlight (rows of ``compare_protocols(...).flips``
        of this workload and budget: ``a, b, protocol_a, protocol_b``).
    ax, palette, **kws
        As usual; ``kws`` go to ``Axes.plot``.

    Returns
    -------
    Axes
        x: the protocols; y: expected rank (1 at the top); one line per
        optimizer, named at the right (labels spread apart so that none
        overlaps another, joined to their line's end by a thin leader); each
        segment of a resolved flip drawn again thick and outlined in black
        (label ``"resolved flip"``).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.5))
    protocols = sorted(frame["protocol"].astype(str).unique())
    names = sorted(frame["optimizer"].astype(str).unique())
    colors = optimizer_palette(names, palette)
    table = frame.pivot(index="optimizer", columns="protocol", values="expected_rank")
    table = table.loc[names, protocols].astype(float)
    x = np.arange(len(protocols))
    for name in names:
        ax.plot(x, table.loc[name].to_numpy(), marker="o", color=colors[name], label=name,
                **kws)
    if flips is not None:
        highlighted = False
        for row in flips.itertuples(index=False):
            columns = [protocols.index(str(p)) for p in (row.protocol_a, row.protocol_b)]
            for name in (str(row.a), str(row.b)):
                ax.plot(x[columns], table.loc[name].to_numpy()[columns], color=colors[name],
                        linewidth=3.2, solid_capstyle="round", zorder=3,
                        path_effects=[patheffects.Stroke(linewidth=5.0, foreground="black"),
                                      patheffects.Normal()],
                        label="_nolegend_" if highlighted else "resolved flip")
                highlighted = True
    ranks = table.to_numpy()
    low, high = np.nanmin(ranks) - 0.4, np.nanmax(ranks) + 0.4
    ax.set_ylim(high, low)  # rank 1 at the top
    height = ax.get_position().height * ax.figure.get_size_inches()[1]
    # each label leads to its line's last point (an optimizer absent from the last
    # protocols ends earlier)
    last = {n: np.flatnonzero(np.isfinite(table.loc[n].to_numpy())) for n in names}
    labelled = [n for n in names if last[n].size]
    ends = np.array([table.loc[n].to_numpy()[last[n][-1]] for n in labelled])
    placed = _spread(ends, LABEL_GAP_IN * (high - low) / max(height, 1e-6))
    for name, end, y in zip(labelled, ends, placed, strict=True):
        ax.annotate(name, (x[last[name][-1]], end), xytext=(x[-1] + 0.12, y),
                    textcoords="data",
                    va="center", fontsize=8, color=colors[name],
                    arrowprops={"arrowstyle": "-", "color": colors[name], "linewidth": 0.5,
                                "shrinkA": 0, "shrinkB": 2})
    ax.set_xticks(x, protocols)
    ax.set_xlim(-0.3, len(protocols) - 0.4)
    ax.set_ylabel("expected rank (1 = best)")
    return ax
