"""Shared look of the figures: one fixed colour per optimizer, log-axis ticks and labels."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
import seaborn as sns
from matplotlib.ticker import (
    FormatStrFormatter,
    FuncFormatter,
    LogLocator,
    NullFormatter,
    NullLocator,
)

__all__ = ["log_ticks", "optimizer_palette", "power_of_ten"]

#: Fixed colours of the optimizers of Choi et al. (2019), shared by every figure.
KNOWN_COLORS = {
    "sgd": "#4d4d4d",
    "momentum": "#1f77b4",
    "nesterov": "#17becf",
    "rmsprop": "#2ca02c",
    "adam": "#d62728",
    "nadam": "#ff7f0e",
}
_EXTRA = sns.color_palette("tab20b", 20).as_hex()


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


def log_ticks(axis: Any, decades: float) -> None:
    """Labels of a log axis on the decades only (at 1, 2, 5 × each decade when the axis
    spans under one): matplotlib would otherwise label minor ticks, which collide.

    Between one and two decades the labels stay on the decades (1, 2, 5 × each
    decade, as ``0.001 0.002 0.005 0.01 …``, ran into one another in a third of a
    page) and the unlabelled minor ticks show the scale. An axis spanning two
    decades or more gets no minor ticks: eight unlabelled ticks per decade crowd a
    small panel, and each tick is an artist that costs drawing time (the
    search-space figures hold dozens of log panels)."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0,) if decades >= 1 else
                                      (1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(power_of_ten) if decades >= 1
                             else FormatStrFormatter("%g"))
    if decades >= 2:
        axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())
