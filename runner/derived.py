"""Derived hyperparameters: products and quotients of the others.

A search space may compute a hyperparameter from the sampled ones, e.g.
``derived = { learning_rate = "lr_over_epsilon * epsilon" }`` samples Adam's
α/ε and ε and trains with their product. An expression is a product or
quotient of parameter names and numbers, read left to right; nothing else
(no function, no parenthesis) is evaluated.

Examples
--------
>>> evaluate("a * b / 4", {"a": 2.0, "b": 6.0}, where="p.adam.derived.x")
3.0
>>> evaluate("a / b", {"a": 1.0, "b": 0.0}, where="p.adam.derived.x")
Traceback (most recent call last):
...
tunestats.errors.ParameterError: p.adam.derived.x: 'a / b' divides by zero (b = 0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tunestats.errors import ParameterError

__all__ = ["check_expression", "evaluate"]

_TERM = r"(?:[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"
_EXPRESSION = re.compile(rf"^\s*{_TERM}(?:\s*[*/]\s*{_TERM})*\s*$")


def check_expression(where: str, expression: Any, given: set[str]) -> set[str]:
    """The parameter names ``expression`` uses, after checking its grammar and names.

    Parameters
    ----------
    where : str
        The config path of the expression, named in every message.
    expression : object
        What the config holds.
    given : set of str
        The tuned and fixed parameters it may use.

    Returns
    -------
    set of str
        The names it uses.

    Raises
    ------
    ParameterError
        Not a product or quotient of names and numbers, or a name not in ``given``.
    """
    if not isinstance(expression, str) or not _EXPRESSION.match(expression):
        raise ParameterError(f"{where}: expected a product or quotient of parameter names and "
                             f"numbers, e.g. 'a * b'; got {expression!r}.")
    names = {t for t in re.findall(_TERM, expression) if t[0].isalpha() or t[0] == "_"}
    missing = sorted(names - given)
    if missing:
        raise ParameterError(f"{where}: {missing} not among the parameters {sorted(given)}.")
    return names


def evaluate(expression: str, values: Mapping[str, Any], *, where: str) -> float:
    """The value of the product/quotient ``expression`` at ``values``.

    Parameters
    ----------
    expression : str
        Checked by :func:`check_expression`.
    values : mapping
        Parameter name → value.
    where : str
        The config path of the expression, for the message.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If a divisor is zero (one line naming the expression and the divisor).
    """
    tokens = re.findall(rf"{_TERM}|[*/]", expression)
    result, operator = 1.0, "*"
    for token in tokens:
        if token in "*/":
            operator = token
            continue
        value = float(values[token]) if token in values else float(token)
        if operator == "*":
            result *= value
        elif value == 0.0:
            divisor = f"{token} = {value:g}" if token in values else token
            raise ParameterError(f"{where}: {expression!r} divides by zero ({divisor}).")
        else:
            result /= value
    return result
