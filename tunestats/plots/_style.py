"""Shared look of the figures: one fixed colour per optimizer, log-axis ticks and labels."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.ticker import (
    FormatStrFormatter,
    FuncFormatter,
    LogLocator,
    NullFormatter,
    NullLocator,
)

__all__ = ["category_ticks", "log_ticks", "optimizer_palette", "power_of_ten"]

#: Fixed colours of the optimizers of Choi et al. (2019), shared by every figure.
KNOWN_COLORS = {
    "sgd": "#4d4d4d",
    "momentum": "#1f77b4",
    "nesterov": "#17becf",
    "rmsprop": "#2ca02c",
    "adam": "#d62728",
    "nadam": "#ff7f0e",
}
_EXTRA = [mpl.colors.to_hex(c) for c in mpl.colormaps["tab20b"].colors]


def optimizer_palette(optimizers: Iterable[str],
                      palette: Mapping[str, str] | None = None) -> dict[str, str]:
    """Colour of each optimizer: ``palette`` entries first, then the fixed colours
    of the paper's optimizers (matched case-insensitively), then a colour chosen
    from the optimizer's name, so the same name has the same colour in every
    figure and every study.

    Parameters
    ----------
    optimizers : iterable of str
        The names to colour.
    palette : mapping of str to str, optional
        Colours chosen by the caller, which win.

    Returns
    -------
    dict of str to str
        Each optimizer's colour.
    """
    out = {}
    for name in optimizers:
        if palette and name in palette:
            out[name] = mpl.colors.to_hex(palette[name])
        elif name.lower() in KNOWN_COLORS:
            out[name] = KNOWN_COLORS[name.lower()]
        else:
            digest = int(hashlib.sha1(name.encode()).hexdigest(), 16)
            out[name] = _EXTRA[digest % len(_EXTRA)]
    return out


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float, _position: Any = None) -> str:
    """A log axis' tick label: ``10⁻³`` for a power of ten (plain text with superscript
    digits: the look of matplotlib's ``$10^{-3}$`` without parsing mathtext, which costs
    more than drawing the label), ``%g`` otherwise.

    Parameters
    ----------
    value : float
        The tick's value.
    _position : optional
        The tick's position (unused; the signature of a
        :class:`~matplotlib.ticker.FuncFormatter`).

    Returns
    -------
    str

    Examples
    --------
    >>> power_of_ten(0.001), power_of_ten(100.0), power_of_ten(0.5)
    ('10⁻³', '10²', '0.5')
    """
    if not np.isfinite(value) or value <= 0:
        return ""
    exponent = np.log10(value)
    nearest = int(np.round(exponent))
    if abs(exponent - nearest) > 1e-9:
        return f"{value:g}"
    return "10" + str(nearest).translate(_SUPERSCRIPTS)


def log_ticks(axis: Any, decades: float, *, room: float = 1.0) -> None:
    """Labels of a log axis on the decades only (at 1, 2, 5 × each decade when the axis
    spans under ``room`` decades): matplotlib would otherwise label minor ticks, which
    collide.

    Between ``room`` and two decades the labels stay on the decades (1, 2, 5 × each
    decade, as ``0.001 0.002 0.005 0.01 …``, ran into one another in a third of a
    page) and the unlabelled minor ticks show the scale. An axis spanning two
    decades or more gets no minor ticks: eight unlabelled ticks per decade crowd a
    small panel, and each tick is an artist that costs drawing time (the
    search-space figures hold dozens of log panels). A vertical axis of a panel
    two inches tall has room for 1, 2, 5 labels over 2.5 decades (``room=2.5``):
    ``0.02 0.05 0.1 0.2 0.5 1`` instead of ``10⁻¹ 10⁰`` alone."""
    dense = decades < room
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if dense else (1.0,)))
    axis.set_major_formatter(FormatStrFormatter("%g") if dense
                             else FuncFormatter(power_of_ten))
    if decades >= 2:
        axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def category_ticks(ax: Any, labels: list[str], *, fontsize: float = 7) -> None:
    """x tick labels of categories (optimizer names) at 0, 1, …, turned when, set
    level, they would run into one another (six names in a half-page panel do):
    30° and right-aligned under their tick, or upright (90°) for labels of
    several lines, whose lines turned 30° would still reach the next label.

    Parameters
    ----------
    ax : Axes
    labels : list of str
        One label per category; a label may have several lines.
    fontsize : float
        In points.
    """
    width = ax.get_position().width * ax.figure.get_figwidth() * 72  # points
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    crowded = len(labels) * (longest + 1) * 0.6 * fontsize > width
    lines = any("\n" in label for label in labels)
    turn = ({} if not crowded else {"rotation": 90} if lines else
            {"rotation": 30, "ha": "right", "rotation_mode": "anchor"})
    ax.set_xticks(range(len(labels)), labels, fontsize=fontsize, **turn)
