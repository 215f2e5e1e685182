"""The performance-profile figure of an AlgoPerf leaderboard: one panel per ruleset."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..analysis.leaderboard import Leaderboard
from ..plots import plot_performance_profile

__all__ = ["leaderboard_figure"]


def leaderboard_figure(board: Leaderboard) -> Figure:
    """Performance profiles of a leaderboard, scores (four decimals) in the legend."""
    rulesets = sorted(board.scores["ruleset"].unique())
    fig, axes = plt.subplots(1, len(rulesets), squeeze=False,
                             figsize=(5.5 * len(rulesets), 3.8), layout="constrained")
    for ax, ruleset in zip(axes[0], rulesets, strict=True):
        scores = board.scores[board.scores["ruleset"] == ruleset]
        plot_performance_profile(board.profile[board.profile["ruleset"] == ruleset],
                                 scores=dict(zip(scores["submission"], scores["score"],
                                                 strict=True)),
                                 by="submission", ax=ax)
        n = int(scores["workloads"].iloc[0])
        ax.set_title(f"{ruleset}: {n} base workloads, integral {board.integral}",
                     fontsize=10)
        ax.set_xlim(1.0, board.tau_max)
    fig.suptitle("AlgoPerf performance profiles (time to target, median over studies)",
                 fontsize=11)
    return fig
