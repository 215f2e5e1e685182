"""The bundled PyTorch runner (needs the ``runner`` extra): it produces tuning studies.

Optimizers with the update rules of Choi et al. (2019), learning-rate
schedules, CPU workloads that need no download, and the trial loop.
"""

from .optimizers import OPTIMIZERS, SGD, Adam, Momentum, NAdam, Nesterov, RMSProp, make_optimizer
from .schedules import SCHEDULES, Schedule
from .trial import TrialResult, run_trial
from .workloads import WORKLOADS, Splits, Workload, make_workload, register_workload

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "WORKLOADS",
    "Adam",
    "Momentum",
    "NAdam",
    "Nesterov",
    "RMSProp",
    "Schedule",
    "Splits",
    "TrialResult",
    "Workload",
    "make_optimizer",
    "make_workload",
    "register_workload",
    "run_trial",
]
