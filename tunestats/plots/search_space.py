"""Search-space figures: the paper's Appendix E axis plots, isolation plots, 2-D scatters.

Each hyperparameter axis is drawn in the parameter's own scale: a log axis for
``log`` and ``int_log``, an axis uniform in ``-log10(1 - x)`` for ``reverse_log``
(ticks at 0.9, 0.99, …), linear for ``linear`` and ``int``, one slot per choice
for ``choice`` and ``bool``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from ..space import CHOICE_SCALES, coordinate_scale
from ._style import log_ticks, optimizer_palette

__all__ = ["plot_axis", "plot_isolation", "plot_pair", "set_param_scale"]

#: Colours of the bound lines by what the boundary check found on that side.
EDGE_COLORS = {"open edge": "#d62728", "divergence cliff": "#ff7f0e"}
#: Colour map of the metric in :func:`plot_pair` (reversed viridis: dark is low).
PAIR_CMAP = "viridis_r"
#: Margin around the range, as a fraction of the range in the parameter's scale.
PAD = 0.04


def _reverse_log(x: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.log10(np.clip(1.0 - np.asarray(x, dtype=float), 1e-300, None))


def _reverse_log_inverse(w: Any) -> np.ndarray:
    return 1.0 - 10.0 ** (-np.asarray(w, dtype=float))


def set_param_scale(ax: Axes, scale: str, low: float, high: float, *, axis: str = "x",
                    values: Any = ()) -> None:
    """Give one axis the parameter's scale and limits: ``[low, high]`` and every value,
    with a margin of 4% of the range in that scale (``int`` and ``int_log`` in the
    scale of their coordinate)."""
    scale = coordinate_scale(scale)
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    lo = min(low, values.min()) if values.size else low
    hi = max(high, values.max()) if values.size else high
    set_scale, set_lim = ((ax.set_xscale, ax.set_xlim) if axis == "x"
                          else (ax.set_yscale, ax.set_ylim))
    if scale == "log":
        set_scale("log")
        span = np.log10(hi / lo) or 1.0  # one value: a decade around it
        set_lim(lo / 10 ** (PAD * span), hi * 10 ** (PAD * span))
        log_ticks(ax.xaxis if axis == "x" else ax.yaxis, span)
    elif scale == "reverse_log":
        set_scale("function", functions=(_reverse_log, _reverse_log_inverse))
        w_lo, w_hi = _reverse_log([lo, hi])
        span = (w_hi - w_lo) or 1.0
        set_lim(*_reverse_log_inverse([max(w_lo - PAD * span, 0.0), w_hi + PAD * span]))
        decades = np.arange(max(np.floor(w_lo), 1.0), np.ceil(w_hi) + 1)
        if len(decades) > 3:  # every other decade: more labels would collide
            decades = decades[::2]
        ticks = 1.0 - 10.0 ** -decades
        (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks, [f"{t:g}" for t in ticks])
    else:
        span = (hi - lo) or (abs(lo) or 1.0)
        set_lim(lo - PAD * span, hi + PAD * span)


def _choice_axis(ax: Axes, frame: pd.DataFrame) -> None:
    """One slot per choice, at its position (the centre of its cell of [0, 1])."""
    slots = frame.dropna(subset=["position", "choice"]).drop_duplicates("position")
    slots = slots.sort_values("position")
    ax.set_xticks(slots["position"].to_numpy(dtype=float), slots["choice"].astype(str).tolist())
    ax.set_xlim(0.0, 1.0)


def plot_axis(frame: pd.DataFrame, *, label: str | None = None,
              edges: Mapping[str, str | None] | None = None, log: bool = False,
              ax: Axes | None = None, palette: Mapping[str, str] | None = None,
              **kws: Any) -> Axes:
    """Final metric of each trial against one hyperparameter (paper Appendix E).

    Parameters
    ----------
    frame : DataFrame
        The rows of one pool and one hyperparameter of
        :attr:`tunestats.SpaceCheck.positions`: ``optimizer``, ``scale``,
        ``bounds``, ``low``, ``high``, ``value``, ``choice``, ``position``,
        ``metric``, ``lost`` and ``best``.
    label : str, optional
        The y-axis label (the metric and its unit).
    edges : mapping, optional
        ``{"low": kind, "high": kind}``: what the boundary check found on each
        side (``"open edge"``, ``"divergence cliff"`` or None); a flagged
        bound is drawn in colour and named.
    log : bool
        A log metric axis (for positive metrics spanning decades, such as error
        rates: the region of the best trials is not squashed).
    ax : Axes, optional
    palette : mapping, optional
        Optimizer → colour (default: :func:`optimizer_palette`).
    **kws
        Passed to ``Axes.plot`` for the completed trials.

    Returns
    -------
    Axes
        Completed trials as dots (label ``"completed"``), the best trial as
        a star (``"best"``), lost trials (diverged, failed or without a
        value) as crosses at the top of the panel (``"lost"``), the bounds as
        vertical lines (dashed when declared, dotted when inferred from the
        trials or spanned by the points of a joint-point space).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    first = frame.iloc[0]
    optimizer = str(first["optimizer"])
    color = optimizer_palette([optimizer], palette)[optimizer]
    choice = first["scale"] in CHOICE_SCALES
    x = frame["position" if choice else "value"].to_numpy(dtype=float)
    metric = frame["metric"].to_numpy(dtype=float)
    lost = frame["lost"].to_numpy(dtype=bool)
    done = np.isfinite(metric) & np.isfinite(x)
    best = frame["best"].to_numpy(dtype=bool) & done
    # markers of one size and colour per kind: lines without a line (a scatter
    # collection, per-point sizes and colours, cost twice as much in 86-panel figures)
    ax.plot(x[done & ~best], metric[done & ~best], linestyle="none", marker="o",
            markersize=np.sqrt(14), alpha=0.75, color=color, markeredgewidth=0,
            label="completed", **kws)
    ax.plot(x[best], metric[best], linestyle="none", marker="*", markersize=np.sqrt(90),
            color=color, markeredgecolor="black", markeredgewidth=0.6, zorder=3,
            label="best")
    top = blended_transform_factory(ax.transData, ax.transAxes)
    shown = lost & np.isfinite(x)
    ax.plot(x[shown], np.full(shown.sum(), 0.95), transform=top, linestyle="none",
            marker="x", markersize=np.sqrt(18), color=color, markeredgewidth=1.0,
            clip_on=False, label="lost")
    if choice:
        _choice_axis(ax, frame)
    else:
        low, high = float(first["low"]), float(first["high"])
        set_param_scale(ax, first["scale"], low, high, values=x)
        style = "--" if first["bounds"] == "declared" else ":"
        for side, bound in (("low", low), ("high", high)):
            kind = (edges or {}).get(side)
            ax.axvline(bound, linestyle=style, linewidth=1.0, color=EDGE_COLORS.get(kind, "0.3"))
            if kind in EDGE_COLORS:
                ax.text(bound, 0.88, kind, transform=top, fontsize=7, color=EDGE_COLORS[kind],
                        ha="right" if side == "high" else "left", va="top")
    finite = metric[done]
    if log and finite.size and finite.min() > 0:  # room at the top for the lost trials
        ax.set_yscale("log")
        ratio = finite.max() / finite.min()
        ax.set_ylim(finite.min() / ratio ** 0.1, finite.max() * ratio ** 0.25)
        log_ticks(ax.yaxis, np.log10(ratio))
    elif finite.size:
        span = max(finite.max() - finite.min(), 1e-12)
        ax.set_ylim(finite.min() - 0.05 * span, finite.max() + 0.25 * span)
    ax.set_ylabel("metric" if label is None else label)
    ax.set_xlabel(str(first["param"]))
    return ax


def plot_isolation(frame: pd.DataFrame, *, label: str | None = None, ax: Axes | None = None,
                   palette: Mapping[str, str] | None = None, **kws: Any) -> Axes:
    """Best metric per bin of one hyperparameter, one line per optimizer.

    Parameters
    ----------
    frame : DataFrame
        Rows of :func:`tunestats.analysis.isolation` for one hyperparameter
        (one or more pools): ``optimizer``, ``scale``, ``position``,
        ``value``, ``choice``, ``best``.
    label : str, optional
        The y-axis label.
    ax : Axes, optional
    palette : mapping, optional
    **kws
        Passed to ``Axes.plot``.

    Returns
    -------
    Axes
        One line with markers per optimizer; bins without a completed trial
        leave a gap.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    optimizers = sorted(frame["optimizer"].astype(str).unique())
    colors = optimizer_palette(optimizers, palette)
    scale = frame["scale"].iloc[0]
    choice = scale in CHOICE_SCALES
    column = "position" if choice else "value"
    for name in optimizers:
        rows = frame[frame["optimizer"].astype(str) == name].sort_values("position")
        ax.plot(rows[column].to_numpy(dtype=float), rows["best"].to_numpy(dtype=float),
                marker="o", markersize=3, color=colors[name], label=name, **kws)
    if choice:
        _choice_axis(ax, frame)
    elif coordinate_scale(scale) in ("log", "reverse_log"):
        values = frame["value"].to_numpy(dtype=float)
        set_param_scale(ax, scale, values.min(), values.max())
    ax.set_xlabel(str(frame["param"].iloc[0]))
    ax.set_ylabel("best metric per bin" if label is None else label)
    return ax


def plot_pair(frame: pd.DataFrame, *, x: str, y: str, scales: tuple[str, str],
              bounds: tuple[tuple[float, float], tuple[float, float]],
              label: str | None = None, ax: Axes | None = None,
              palette: Mapping[str, str] | None = None, cmap: str = PAIR_CMAP,
              colorbar: bool = True, **kws: Any) -> Axes:
    """The trials of one pool in the plane of two hyperparameters, coloured by the metric.

    Parameters
    ----------
    frame : DataFrame
        One row per trial with the columns ``x`` and ``y`` (values), ``metric``,
        ``lost`` and ``best``.
    x, y : str
        The two hyperparameters' columns.
    scales : (str, str)
        Their scales (``log``, ``reverse_log`` or ``linear``).
    bounds : ((float, float), (float, float))
        Their ranges, drawn as a rectangle.
    label : str, optional
        The colour bar's label.
    ax : Axes, optional
    palette : mapping, optional
        Unused (the colour shows the metric); accepted for the common contract.
    cmap : str
        Colour map of the metric (reversed viridis: dark is low).
    colorbar : bool
        Draw a colour bar beside the panel (a figure of several panels sharing
        one colour scale, passed as ``norm``, draws one of its own instead).
    **kws
        Passed to ``Axes.scatter`` for the completed trials.

    Returns
    -------
    Axes
        Completed trials coloured by the metric (``"completed"``), the best as
        a star (``"best"``), lost trials as grey crosses where they were run
        (``"lost"``).
    """
    del palette
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.5))
    xs, ys = frame[x].to_numpy(dtype=float), frame[y].to_numpy(dtype=float)
    metric = frame["metric"].to_numpy(dtype=float)
    done = np.isfinite(metric)
    best = frame["best"].to_numpy(dtype=bool) & done
    lost = frame["lost"].to_numpy(dtype=bool)
    points = ax.scatter(xs[done], ys[done], c=metric[done], cmap=cmap, s=18, linewidths=0,
                        label="completed", **kws)
    ax.scatter(xs[best], ys[best], s=120, marker="*", facecolors="none", edgecolors="black",
               linewidths=1.0, zorder=3, label="best")
    ax.scatter(xs[lost], ys[lost], marker="x", s=18, color="0.45", linewidths=1.0,
               label="lost")
    for axis, scale, (low, high), values in (("x", scales[0], bounds[0], xs),
                                             ("y", scales[1], bounds[1], ys)):
        set_param_scale(ax, scale, low, high, axis=axis, values=values)
        line = ax.axvline if axis == "x" else ax.axhline
        for bound in (low, high):
            line(bound, linestyle="--", linewidth=0.8, color="0.3")
    if colorbar:
        ax.figure.colorbar(points, ax=ax, label=label or "metric")
    ax.set_xlabel(x.removeprefix("hp."))
    ax.set_ylabel(y.removeprefix("hp."))
    return ax
