"""Workloads: a model, its data and its metrics, by name (see :mod:`.registry`)."""

from . import charlm, digits, idx
from .base import STANDARD_METRICS, Splits, Workload, classification_error
from .registry import WORKLOADS, check_workload_options, make_workload, register_workload

__all__ = [
    "STANDARD_METRICS",
    "WORKLOADS",
    "Splits",
    "Workload",
    "charlm",
    "check_workload_options",
    "classification_error",
    "digits",
    "idx",
    "make_workload",
    "register_workload",
]
