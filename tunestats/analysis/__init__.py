"""The analysis API: a Study in, a tidy DataFrame out (DESIGN §3)."""

from .best_of_k import best_of_k, best_of_k_curve
from .convergence import budget_convergence

__all__ = ["best_of_k", "best_of_k_curve", "budget_convergence"]
