"""The analysis API: a Study in, tidy DataFrames (or frozen results with parts and
``.to_frame()``) out (DESIGN §3)."""

from .best_of_k import best_of_k, best_of_k_curve
from .check_space import SpaceCheck, check_space
from .convergence import budget_convergence
from .inclusion_graph import DEFAULT_EDGES, InclusionGraph, inclusion_graph
from .isolation import isolation
from .leaderboard import Leaderboard, leaderboard, speedups
from .positions import infer_param, positions
from .profiles import PerformanceProfile, performance_profile
from .protocols import ProtocolComparison, compare_protocols, inclusion_violations
from .steps import TargetRobustness, best_steps_to_target, steps_to_target, target_robustness

__all__ = [
    "DEFAULT_EDGES",
    "InclusionGraph",
    "Leaderboard",
    "PerformanceProfile",
    "ProtocolComparison",
    "SpaceCheck",
    "TargetRobustness",
    "best_of_k",
    "best_of_k_curve",
    "best_steps_to_target",
    "budget_convergence",
    "check_space",
    "compare_protocols",
    "inclusion_graph",
    "inclusion_violations",
    "infer_param",
    "isolation",
    "leaderboard",
    "performance_profile",
    "positions",
    "speedups",
    "steps_to_target",
    "target_robustness",
]
