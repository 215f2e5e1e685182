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
    """A registered figure.

    Attributes
    ----------
    name : str
        The file stem.
    description : str
        One line saying what the figure shows.
    build : callable
        ``build(study_or_analyses)`` returns a figure, or a mapping of part name →
        figure (saved as ``name-part``); it raises :class:`NotApplicable` with the
        reason when the study lacks the data.
    """

    name: str
    description: str
    build: Callable[[Study], Figure | Mapping[str, Figure]]
