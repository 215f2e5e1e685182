"""tunestats: statistics of hyperparameter-tuning studies.

Best-of-k tuning outcomes, rank comparisons across tuning protocols,
inclusion checks, steps-to-target and search-space checks, after Choi et al.
(2019), "On Empirical Comparisons of Optimizers for Deep Learning".

Vocabulary
----------
One name per concept across the analysis functions and the command line (a
flag is its parameter's name unless listed; every flag's default is the
function's, and errors name the flag):

==============  =====================================================  ==================
parameter       meaning                                                flag
==============  =====================================================  ==================
select          metric (a name or a role valid/test/train) that        --select
                picks the best trial; keyword-only, default: each
                workload's headline metric
report          metric reported for the picked trial; keyword-only,    --report
                default: the workload's test metric, else ``select``
metric          the one metric of analyses that read a single one      --metric
                (curves to a target, profiles, search-space checks)
k               budgets of trials: an int or a list                    --k K[,K...]
replace         draw the k trials with replacement (default) or not    --replace/--no-replace
diverged        the policy for diverged/failed trials:                 --diverged
                ``"worst"`` or ``"exclude"``
quantiles       levels of the spread of best-of-k outcomes             --quantiles Q[,Q...]
confidence      confidence level of a band, in (0, 1); ``None``        --confidence
                skips the bands (0 on the command line)
alpha           error level of a test (family-wise where a family      --alpha
                is tested); not a confidence level
n_resamples     bootstrap resamples (outer or Monte-Carlo)             --resamples
n_permutations  permutations per permutation test                      --n-permutations
n_screen        permutations of a screening stage before them (0:      --n-screen
                none)
seed            int, SeedSequence or Generator; default 0, one         --seed
                keyed stream per pool
==============  =====================================================  ==================

The kernels (:mod:`tunestats.kernels`, arrays in and out) use the same names:
``quantiles`` for quantile levels, ``confidence`` for a band's confidence
level, ``n_resamples``, ``replace``, ``seed``. Their result objects hold the
validated levels as ``levels`` (next to the ``quantiles`` values) and the
confidence level as ``confidence``. ``diverged`` is never a mask: the boolean
mask of a pool's diverged or failed trials is ``lost`` (as in
``apply_diverged_policy(..., lost=...)``), and the reported value such a trial
gets under the ``"worst"`` policy is ``lost_value``.
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
