"""Figures. One module per figure family; each function takes result frames
and returns matplotlib Axes or Figures. No statistics are computed here."""

from ._style import optimizer_palette
from .final_metric import plot_final_metric
from .search_space import plot_axis, plot_isolation, plot_pair

__all__ = ["optimizer_palette", "plot_axis", "plot_final_metric", "plot_isolation", "plot_pair"]
