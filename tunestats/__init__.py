"""tunestats: statistics of hyperparameter-tuning studies.

Best-of-k tuning outcomes, rank comparisons across tuning protocols,
inclusion checks, steps-to-target and search-space checks, after Choi et al.
(2019), "On Empirical Comparisons of Optimizers for Deep Learning".
"""

from ._version import __version__
from .analysis import (
    SpaceCheck,
    best_of_k,
    best_of_k_curve,
    budget_convergence,
    check_space,
    compare_protocols,
    inclusion_violations,
    leaderboard,
    performance_profile,
    steps_to_target,
)
from .errors import DataError, ParameterError, StudyFileError, StudyValidationError, TunestatsError
from .report import report
from .space import Param, SearchSpace
from .study import Metric, Pool, Study, load_study, save_study

__all__ = [
    "DataError",
    "Metric",
    "Param",
    "ParameterError",
    "Pool",
    "SearchSpace",
    "SpaceCheck",
    "Study",
    "StudyFileError",
    "StudyValidationError",
    "TunestatsError",
    "__version__",
    "best_of_k",
    "best_of_k_curve",
    "budget_convergence",
    "check_space",
    "compare_protocols",
    "inclusion_violations",
    "leaderboard",
    "load_study",
    "performance_profile",
    "report",
    "save_study",
    "steps_to_target",
]
