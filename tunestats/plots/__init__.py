"""Figures. One module per figure family; each function takes result frames
and returns matplotlib Axes or Figures. No statistics are computed here."""

from ._style import optimizer_palette
from .best_of_k import best_of_k_legend, legend_handles, plot_best_of_k, plot_best_of_k_curve
from .comparison import plot_best_trial, plot_rank_flips
from .final_metric import plot_final_metric
from .profiles import plot_performance_profile
from .search_space import plot_axis, plot_isolation, plot_pair
from .steps import plot_robustness_grid, plot_steps_to_target

__all__ = [
    "best_of_k_legend",
    "legend_handles",
    "optimizer_palette",
    "plot_axis",
    "plot_best_of_k",
    "plot_best_of_k_curve",
    "plot_best_trial",
    "plot_final_metric",
    "plot_isolation",
    "plot_pair",
    "plot_performance_profile",
    "plot_rank_flips",
    "plot_robustness_grid",
    "plot_steps_to_target",
]
