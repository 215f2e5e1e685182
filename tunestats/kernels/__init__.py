"""numpy/scipy kernels: arrays in, arrays out, the trial axis last.

No study objects, no pandas, no plotting: the analysis API turns a study into
arrays, calls these kernels and turns the arrays into tidy frames.
"""

from .best_of_k import (
    BestOfKDistribution,
    BestOfKEstimate,
    best_of_k_distribution,
    exact_best_of_k,
    rank_probabilities,
    selection_probabilities,
)
from .bootstrap import SelectionRule, bootstrap_best_of_k, bootstrap_best_of_k_samples
from .confidence import BestOfKConfidence, best_of_k_confidence
from .convergence import (
    BudgetConvergence,
    BudgetVerdict,
    budget_convergence,
    budget_verdict,
    doubling_ladder,
    expected_max_normal,
    seed_noise,
)
from .discrete import weighted_mean, weighted_quantiles
from .diverged import POLICIES, PolicyOutcome, apply_diverged_policy
from .ordering import (
    cdf_at,
    kendall_tau,
    kendall_test,
    pairwise_matrix,
    prob_better,
    rank_distribution,
)
from .resample import (
    bootstrap_indices,
    outer_bootstrap_replicates,
    permutation_indices,
    resampled_selection_probabilities,
)

__all__ = [
    "POLICIES",
    "BestOfKConfidence",
    "BestOfKDistribution",
    "BestOfKEstimate",
    "BudgetConvergence",
    "BudgetVerdict",
    "PolicyOutcome",
    "SelectionRule",
    "apply_diverged_policy",
    "best_of_k_confidence",
    "best_of_k_distribution",
    "bootstrap_best_of_k",
    "bootstrap_best_of_k_samples",
    "bootstrap_indices",
    "budget_convergence",
    "budget_verdict",
    "cdf_at",
    "doubling_ladder",
    "exact_best_of_k",
    "expected_max_normal",
    "kendall_tau",
    "kendall_test",
    "outer_bootstrap_replicates",
    "pairwise_matrix",
    "permutation_indices",
    "prob_better",
    "rank_distribution",
    "rank_probabilities",
    "resampled_selection_probabilities",
    "seed_noise",
    "selection_probabilities",
    "weighted_mean",
    "weighted_quantiles",
]
