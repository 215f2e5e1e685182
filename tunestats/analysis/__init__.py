"""The analysis API: a Study in, tidy DataFrames (or frozen results with parts) out."""

from .inclusion_graph import DEFAULT_EDGES, InclusionGraph, inclusion_graph
from .profiles import PerformanceProfile, performance_profile
from .protocols import ProtocolComparison, compare_protocols, inclusion_violations
from .steps import TargetRobustness, best_steps_to_target, steps_to_target, target_robustness

__all__ = [
    "DEFAULT_EDGES",
    "InclusionGraph",
    "PerformanceProfile",
    "ProtocolComparison",
    "TargetRobustness",
    "best_steps_to_target",
    "compare_protocols",
    "inclusion_graph",
    "inclusion_violations",
    "performance_profile",
    "steps_to_target",
    "target_robustness",
]
