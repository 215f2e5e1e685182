"""The workload registry: names to functions that build a :class:`Workload`.

A user adds a workload in a few lines::

    from torch import nn
    from tunestats.runner.workloads import Splits, Workload, register_workload

    @register_workload("my_task")
    def my_task(split_seed: int = 0) -> Workload:
        data = Splits(train=(x_train, y_train), valid=(x_valid, y_valid),
                      test=(x_test, y_test))
        return Workload(data, model=lambda: nn.Linear(20, 3))

and a study config then names ``my_task`` with any of its keyword options.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from tunestats.errors import ParameterError

from .base import Workload

__all__ = ["WORKLOADS", "check_workload_options", "make_workload", "register_workload"]

#: Registered workload builders by name.
WORKLOADS: dict[str, Callable[..., Workload]] = {}


def register_workload(name: str) -> Callable[[Callable[..., Workload]], Callable[..., Workload]]:
    """Decorator: register a function that builds a :class:`Workload` under ``name``.

    Parameters
    ----------
    name : str
        The name a study config uses. Registering a name twice is an error.

    Returns
    -------
    callable
        The decorator; it returns the function unchanged.
    """
    if name in WORKLOADS:
        raise ParameterError(f"a workload named {name!r} is already registered.")

    def decorate(builder: Callable[..., Workload]) -> Callable[..., Workload]:
        WORKLOADS[name] = builder
        return builder

    return decorate


def check_workload_options(name: str, options: dict[str, Any]) -> None:
    """Check that workload ``name`` exists and accepts every keyword in ``options``.

    Parameters
    ----------
    name : str
        A registered workload.
    options : dict
        Keyword options from the config.

    Raises
    ------
    ParameterError
        An unknown workload or an option its builder does not take.
    """
    if name not in WORKLOADS:
        raise ParameterError(f"unknown workload {name!r}; registered workloads are "
                             f"{', '.join(sorted(WORKLOADS))}.")
    signature = inspect.signature(WORKLOADS[name])
    try:
        signature.bind(**options)
    except TypeError as exc:
        accepted = ", ".join(signature.parameters) or "none"
        raise ParameterError(f"workload {name!r} does not accept options "
                             f"{sorted(options)} ({exc}); it accepts: {accepted}.") from None


def make_workload(name: str, **options: Any) -> Workload:
    """Build the registered workload ``name`` with keyword ``options``.

    Parameters
    ----------
    name : str
        A registered workload (see :data:`WORKLOADS`).
    **options
        Keyword options of the workload's builder.

    Returns
    -------
    Workload
    """
    check_workload_options(name, options)
    return WORKLOADS[name](**options)
