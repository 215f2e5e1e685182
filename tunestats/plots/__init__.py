"""Figures. One module per figure family; each function takes result frames
and returns matplotlib Axes or Figures. No statistics are computed here."""

from ._style import optimizer_palette
from .final_metric import plot_final_metric

__all__ = ["optimizer_palette", "plot_final_metric"]
