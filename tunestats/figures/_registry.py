"""The figure registry's parts, kept apart so figure modules can import them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from matplotlib.figure import Figure

from ..study import Study

__all__ = ["FigureSpec", "NotApplicable"]


class NotApplicable(Exception):
    """Raised by a figure builder when the study lacks what the figure needs."""


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure: file stem, one-line description, builder (which returns a
    figure, or a mapping of part name → figure)."""

    name: str
    description: str
    build: Callable[[Study], Figure | Mapping[str, Figure]]
