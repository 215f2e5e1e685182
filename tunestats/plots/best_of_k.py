"""Best-of-k figures: the reported metric of the best of k trials against k (Choi et al.
2019, Figures 6–9) and over training steps. The frames come from
:func:`tunestats.best_of_k` and :func:`tunestats.best_of_k_curve`; nothing is
computed here but what is drawn."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator

from .._checks import check_choice
from .._columns import band_label, estimator_label, quantile_levels
from ..errors import ParameterError
from ._style import log_ticks, optimizer_palette

__all__ = ["best_of_k_legend", "legend_handles", "plot_best_of_k", "plot_best_of_k_curve"]

CENTERS = {"mean": "mean", "q50": "median"}
LINESTYLES = ("-", "--", ":", "-.")


def _linestyle(rank: int) -> Any:
    """The line style of the budget of ``rank`` (0: the largest): the four named styles,
    then dash patterns with ever longer gaps, so that every budget gets its own."""
    if rank < len(LINESTYLES):
        return LINESTYLES[rank]
    gap = rank - len(LINESTYLES) + 2
    return (0, (6, gap, 1, gap))


def _drawable(values: pd.Series) -> np.ndarray:
    """Values as floats with infinities (diverged trials counted as worst) left out."""
    values = values.to_numpy(dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _limits(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[float, float, bool]:
    """y limits around the finite values of ``columns``, with a margin, and whether the
    axis is logarithmic: positive values that span a decade or more (error rates,
    losses) get a log axis, so that the region of the good outcomes is not squashed."""
    values = frame[list(columns)].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0, False
    low, high = finite.min(), finite.max()
    if low > 0 and high / low >= 10:
        ratio = high / low
        return low / ratio ** 0.04, high * ratio ** 0.04, True
    margin = 0.05 * (high - low) if high > low else 0.05 * max(abs(high), 1.0)
    return low - margin, high + margin, False


def _fill(ax: Axes, x: Any, low: pd.Series, high: pd.Series,
          limits: tuple[float, float, bool], color: str) -> None:
    """A band drawn as its edges only: thin dashed lines in the optimizer's colour, no
    fill (six filled bands, however light, stacked into grey over the lines); an
    infinite edge (a diverged trial counted as worst) runs to the frame,
    where a triangle marks it."""
    bottom, top, _ = limits
    lo = np.clip(low.to_numpy(float), bottom, top)
    hi = np.clip(high.to_numpy(float), bottom, top)
    rgb = mpl.colors.to_rgb(color)
    ax.fill_between(x, lo, hi, facecolor="none", edgecolor=(*rgb, 0.75),
                    linewidth=0.7, linestyle=(0, (3, 2)), zorder=2)
    _mark_infinite(ax, x, high.to_numpy(float), color, top)


def _mark_infinite(ax: Axes, x: Any, values: np.ndarray, color: str, top: float) -> None:
    """Triangles at the top of the panel where ``values`` are +inf (a lost trial counted
    as worst)."""
    infinite = np.isposinf(values)
    if infinite.any():
        ax.scatter(np.asarray(x)[infinite], np.full(infinite.sum(), top), marker="^", s=16,
                   color=color, clip_on=False, zorder=4)


def _band_columns(frame: pd.DataFrame, band: str, center: str) -> tuple[str, str]:
    check_choice("band", band, ("spread", "confidence"))
    if band == "confidence":
        if "ci_low" not in frame:
            raise ParameterError("`band='confidence'` needs the confidence columns of "
                                 "tunestats.best_of_k (ci_low, ...); the frame has none.")
        return ("ci_low", "ci_high") if center == "mean" else (f"{center}_ci_low",
                                                               f"{center}_ci_high")
    levels = quantile_levels(frame.columns)
    return levels[0], levels[-1]


def best_of_k_legend(target: Axes | Figure, frame: pd.DataFrame, *, center: str,
                     band: str | None, handles: Sequence[Line2D], **kws: Any) -> None:
    """A legend on ``target`` (Axes or Figure) whose title names the selection metric, the
    estimator, the centre line and what the band means.

    Parameters
    ----------
    target : Axes or Figure
        Where the legend goes.
    frame : DataFrame
        The best-of-k result drawn (its ``select``, ``method``, ``replace`` and band
        columns name what is shown).
    center : str
        The centre line's column (``"q50"``, ``"mean"``).
    band : {"spread", "confidence"} or None
        The band drawn, if any.
    handles : sequence of Line2D
        The entries (see :func:`legend_handles`).
    **kws
        Passed to matplotlib's ``legend``.
    """
    chosen = list(dict.fromkeys(frame["select"].astype(str)))
    lines = [f"selected by {chosen[0] if len(chosen) == 1 else 'each workload headline metric'}",
             estimator_label(frame),
             f"line: {CENTERS.get(center, center)}"]
    if band:
        lines.append(band_label(frame, band, center))
    title = "\n".join(textwrap.fill(line, 44, subsequent_indent="  ", break_on_hyphens=False) for line in lines)
    target.legend(handles=list(handles), title=title, alignment="left", fontsize=8, title_fontsize=8,
                  **kws)


def legend_handles(optimizers: Sequence[str], budgets: Sequence[int] = (),
                   palette: Mapping[str, str] | None = None) -> list[Line2D]:
    """Legend entries: one colour per optimizer, then one line style per budget (the
    largest budget solid, as :func:`plot_best_of_k_curve` draws them).

    Parameters
    ----------
    optimizers : sequence of str
        The optimizers, each with its colour (:func:`optimizer_palette`).
    budgets : sequence of int, optional
        Budgets drawn as line styles.
    palette : mapping of str to str, optional
        Colours chosen by the caller.

    Returns
    -------
    list of Line2D
        The handles, optimizers first.
    """
    colors = optimizer_palette(optimizers, palette)
    handles = [Line2D([], [], color=color, marker="o", label=name)
               for name, color in colors.items()]
    ordered = sorted(budgets, reverse=True)
    return handles + [Line2D([], [], color="black", linestyle=_linestyle(rank),
                             label=f"k = {budget}") for rank, budget in enumerate(ordered)]


def plot_best_of_k(frame: pd.DataFrame, *, center: str = "q50", band: str | None = "spread",
                   label: str | None = None, legend: bool = True, ax: Axes | None = None,
                   palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """The best-of-k curve against the number of trials, one line per optimizer.

    Parameters
    ----------
    frame : DataFrame
        Rows of one panel from :func:`tunestats.best_of_k` (one workload and
        protocol; columns ``optimizer, k``, the centre and band columns,
        ``select, method, replace``).
    center : {"q50", "mean"} or a quantile column, default "q50"
        The line.
    band : {"spread", "confidence"} or None, default "spread"
        ``"spread"``: from the lowest to the highest quantile column (spread
        of best-of-k outcomes); ``"confidence"``: the outer-bootstrap band of
        ``center`` (confidence in the estimate).
    label : str, optional
        y-axis label (default: the reported metric's name).
    legend : bool, default True
        Draw a legend whose title names the estimator and the band.
    ax : Axes, optional
    palette : mapping, optional
        Optimizer → colour (default: :func:`optimizer_palette`).
    **kws
        Passed to ``Axes.plot``.

    Returns
    -------
    Axes
        x: number of trials k on a log2 axis; y: the reported metric of the
        best trial (a log axis when the values are positive and span a
        decade or more). Infinite values (a diverged trial counted as worst)
        are marked by a triangle at the top of the panel.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    colors = optimizer_palette(sorted(frame["optimizer"].astype(str).unique()), palette)
    low, high = _band_columns(frame, band, center) if band else (center, center)
    limits = _limits(frame, (center, low, high))
    if limits[2]:
        ax.set_yscale("log")
        log_ticks(ax.yaxis, np.log10(limits[1] / limits[0]), room=2.5)
    for name, color in colors.items():
        rows = frame[frame["optimizer"].astype(str) == name].sort_values("k")
        k = rows["k"].to_numpy()
        ax.plot(k, _drawable(rows[center]), color=color, marker="o", markersize=3, label=name,
                zorder=3, **kws)
        if band:
            _fill(ax, k, rows[low], rows[high], limits, color)
        _mark_infinite(ax, k, rows[center].to_numpy(float), color, limits[1])
    ax.set_ylim(*limits[:2])
    budgets = np.unique(frame["k"].to_numpy())
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(budgets))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.set_xlabel("number of trials k (log₂ scale)")
    ax.set_ylabel(label or str(frame["report"].iloc[0]))
    if legend:
        best_of_k_legend(ax, frame, center=center, band=band,
                         handles=legend_handles(list(colors), palette=palette))
    return ax


def plot_best_of_k_curve(frame: pd.DataFrame, *, k: Sequence[int] | None = None,
                         center: str = "q50", band: str | None = "spread",
                         label: str | None = None, legend: bool = True, ax: Axes | None = None,
                         palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """The best-of-k training curve: the reported metric over steps, for a few k.

    Parameters
    ----------
    frame : DataFrame
        Rows of one panel from :func:`tunestats.best_of_k_curve`.
    k : sequence of int, optional
        Budgets to draw (default: every budget in ``frame``); one line style
        each, the band drawn for the largest.
    center, band, label, legend, ax, palette, **kws
        As for :func:`plot_best_of_k` (``band="spread"`` only: curves carry no
        confidence bands).

    Returns
    -------
    Axes
        x: training step; y: the reported metric of the best of k trials.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    budgets = sorted(np.unique(frame["k"]) if k is None else k)
    colors = optimizer_palette(sorted(frame["optimizer"].astype(str).unique()), palette)
    low, high = _band_columns(frame, band, center) if band else (center, center)
    limits = _limits(frame[frame["k"].isin(budgets)], (center, low, high))
    if limits[2]:
        ax.set_yscale("log")
        log_ticks(ax.yaxis, np.log10(limits[1] / limits[0]), room=2.5)
    for name, color in colors.items():
        rows = frame[frame["optimizer"].astype(str) == name]
        for rank, budget in enumerate(reversed(budgets)):  # every budget, each its own style
            curve = rows[rows["k"] == budget].sort_values("step")
            ax.plot(curve["step"], _drawable(curve[center]), color=color,
                    linestyle=_linestyle(rank), **kws)
            if band and budget == budgets[-1]:
                _fill(ax, curve["step"], curve[low], curve[high], limits, color)
    ax.set_ylim(*limits[:2])
    ax.set_xlabel("training step")
    ax.set_ylabel(label or str(frame["report"].iloc[0]))
    if legend:
        best_of_k_legend(ax, frame, center=center, band=band,
                         handles=legend_handles(list(colors), budgets, palette))
    return ax
