"""Workloads: a model, its data and its metrics, by name (see :mod:`.registry`)."""

from . import charlm, digits, idx
from .base import (
    STANDARD_METRICS,
    Measure,
    Splits,
    Workload,
    accuracy,
    classification_error,
    cross_entropy,
)
from .registry import WORKLOADS, check_workload_options, make_workload, register_workload

__all__ = [
    "STANDARD_METRICS",
    "WORKLOADS",
    "Measure",
    "Splits",
    "Workload",
    "accuracy",
    "charlm",
    "check_workload_options",
    "classification_error",
    "cross_entropy",
    "digits",
    "idx",
    "make_workload",
    "register_workload",
]
