"""The exceptions and problem records of tunestats, in one place.

Two families of error reach a user:

* :class:`ParameterError` — an argument to a function or a command-line option
  is wrong (the CLI exits with status 2);
* :class:`DataError` — the data is wrong or unreadable: a missing or
  truncated file, malformed JSON, a study that fails validation (the CLI exits
  with status 1).

Data errors name the place: file, column, trial key, value and what was
expected. Validation collects every problem it finds as a :class:`Problem`
and raises one :class:`StudyValidationError` that carries them all.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DataError",
    "MissingDependencyError",
    "ParameterError",
    "Problem",
    "StudyFileError",
    "StudyValidationError",
    "StudyWarning",
    "TunestatsError",
    "require",
    "warn_problems",
]


class TunestatsError(Exception):
    """Base class of every error tunestats raises on purpose."""

    exit_code = 1


class ParameterError(TunestatsError, ValueError):
    """A function argument or command-line option is invalid."""

    exit_code = 2


class DataError(TunestatsError):
    """The data is invalid or unreadable."""

    exit_code = 1


class StudyFileError(DataError):
    """A study file or folder is missing, unreadable or malformed."""


class MissingDependencyError(TunestatsError, ImportError):
    """An optional dependency is not installed; the message names the extra."""

    exit_code = 2


class StudyWarning(UserWarning):
    """A problem in a study that does not stop the analysis (e.g. values outside
    their declared bounds)."""


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Problem:
    """One problem found in a study.

    Attributes
    ----------
    message : str
        What is wrong, in words.
    file : str or None
        The file the problem is in (e.g. ``trials.parquet``).
    column : str or None
        The column, or the JSON path in ``study.json``.
    key : tuple or None
        The trial key ``(workload, protocol, optimizer, repeat, trial)`` or the
        pool, when the problem belongs to one.
    value : object
        The offending value, when there is one.
    expected : str or None
        What was expected instead.
    severity : {"error", "warning"}
        Errors make a study invalid; warnings are reported and loading goes on.
    """

    message: str
    file: str | None = None
    column: str | None = None
    key: tuple | None = None
    value: Any = None
    expected: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        place = []
        if self.file:
            place.append(self.file)
        if self.column:
            place.append(f"column {self.column!r}")
        if self.key is not None:
            place.append("trial " + "/".join(str(part) for part in self.key))
        text = ": ".join([", ".join(place), self.message] if place else [self.message])
        if self.value is not None:
            text += f"; got {_format_value(self.value)}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class StudyValidationError(DataError):
    """A study failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        errors = [p for p in self.problems if p.severity == "error"]
        where = f" {source}" if source else ""
        head = f"study{where} is invalid ({len(errors)} problem{'s' if len(errors) != 1 else ''})"
        shown = "; ".join(str(p) for p in errors[:3])
        more = f"; and {len(errors) - 3} more (run `tunestats validate`)" if len(errors) > 3 else ""
        super().__init__(f"{head}: {shown}{more}")


def require(module: str, extra: str) -> Any:
    """Import an optional dependency or raise :class:`MissingDependencyError`
    naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"this needs the optional dependency {module!r}; "
            f"install it with: pip install 'tunestats[{extra}]'"
        ) from exc


def warn_problems(problems: Sequence[Problem]) -> None:
    """Issue one :class:`StudyWarning` per warning-level problem."""
    for problem in problems:
        if problem.severity == "warning":
            warnings.warn(str(problem), StudyWarning, stacklevel=3)
