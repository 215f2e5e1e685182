"""Figures. One module per figure family; each function takes result frames
and returns matplotlib Axes or Figures. No statistics are computed here."""

from ._style import optimizer_palette
from .comparison import plot_best_trial, plot_rank_flips
from .final_metric import plot_final_metric
from .profiles import plot_performance_profile
from .steps import plot_robustness_grid, plot_steps_to_target

__all__ = [
    "optimizer_palette",
    "plot_best_trial",
    "plot_final_metric",
    "plot_performance_profile",
    "plot_rank_flips",
    "plot_robustness_grid",
    "plot_steps_to_target",
]
