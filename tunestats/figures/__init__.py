"""Regenerate every figure of a study: the main job of ``tunestats figures``.

Each figure family has a module here with a builder ``Study -> Figure``
registered in :data:`FIGURES`. A builder returns one figure, or a mapping of
name → figure for a family that draws one figure per part of the study
(saved as ``<figure>-<name>.<format>``). Builders call the analysis API for
their numbers and :mod:`tunestats.plots` to draw; a builder that cannot apply to a
study (say, a comparison of protocols in a study with one protocol) raises
:class:`NotApplicable` and the figure is reported as skipped, with the reason.
"""

from ._registry import FigureSpec, NotApplicable
from .render import FIGURES, FORMATS, RenderReport, render_figures

__all__ = ["FIGURES", "FORMATS", "FigureSpec", "NotApplicable", "RenderReport", "render_figures"]
