"""tunestats: statistics of hyperparameter-tuning studies.

Best-of-k tuning outcomes, rank comparisons across tuning protocols,
inclusion checks, steps-to-target and search-space checks, after Choi et al.
(2019), "On Empirical Comparisons of Optimizers for Deep Learning".
"""

from ._version import __version__
from .errors import DataError, ParameterError, StudyFileError, StudyValidationError, TunestatsError
from .space import Param, SearchSpace
from .study import Metric, Pool, Study, load_study, save_study

__all__ = [
    "DataError",
    "Metric",
    "Param",
    "ParameterError",
    "Pool",
    "SearchSpace",
    "Study",
    "StudyFileError",
    "StudyValidationError",
    "TunestatsError",
    "__version__",
    "load_study",
    "save_study",
]
