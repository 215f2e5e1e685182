"""Argument checks for code built on tunestats (the runner, workloads of one's own).

The same checks validate the arguments of tunestats' own public functions, so
an extension's messages read like the package's: they name the parameter, say
what was expected and show the value received, e.g. "`steps` must be a
positive integer; got 0." Each raises :class:`tunestats.ParameterError`.

Examples
--------
>>> from tunestats.checks import check_positive_int
>>> check_positive_int("steps", 400)
400
>>> check_positive_int("steps", 0)
Traceback (most recent call last):
...
tunestats.errors.ParameterError: `steps` must be a positive integer; got 0.
"""

from ._checks import check_bool, check_choice, check_positive_int, check_real

__all__ = ["check_bool", "check_choice", "check_positive_int", "check_real"]
