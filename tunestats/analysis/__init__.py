"""The analysis API: a Study in, a tidy DataFrame (or a frozen result with
``.to_frame()``) out (DESIGN §3)."""

from .best_of_k import best_of_k, best_of_k_curve
from .check_space import SpaceCheck, check_space
from .convergence import budget_convergence
from .isolation import isolation
from .positions import infer_param, positions

__all__ = ["SpaceCheck", "best_of_k", "best_of_k_curve", "budget_convergence", "check_space",
           "infer_param", "isolation", "positions"]
