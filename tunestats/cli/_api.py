"""Command-line options derived from the API functions a verb calls.

A verb declares each option that is a parameter of an API function with
:meth:`ApiOptions.option`: the option's destination is the parameter's name,
it has no default of its own (``argparse.SUPPRESS``: an option the user did not
give is absent from the parsed arguments) and its help shows the default of the
function's signature. :meth:`ApiOptions.kwargs` then passes the function only
what the user gave, so every default is the API's, by construction.
A verb whose API is costly to import (``run``: the runner needs torch) names
a loader instead of the functions; they are imported when the verb runs or its
``--help`` is shown (:meth:`ApiOptions.complete_help`), never for other verbs.
:meth:`ApiOptions.words` rewrites an error message in the verb's words: a
parameter named in backquotes (```n_resamples```) becomes its flag
(```--resamples```).
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ParameterError

__all__ = ["ApiOptions", "shown_default"]


def shown_default(value: Any) -> str:
    """How a signature default is written in ``--help``: numbers as typed on the
    command line, sequences comma-separated."""
    if isinstance(value, (tuple, list)):
        return ",".join(shown_default(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class ApiOptions:
    """The options of one verb that are parameters of the API functions it calls.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser; the instance is stored in its defaults as ``api``.
    functions : callable
        The API functions the verb calls; an option's default is read from the
        first of them that has the parameter (a test checks that they agree).
    load : callable, optional
        Instead of ``functions``: returns them when they are first needed.
    """

    def __init__(self, parser: argparse.ArgumentParser, *functions: Callable[..., Any],
                 load: Callable[[], Sequence[Callable[..., Any]]] | None = None):
        if bool(functions) == (load is not None):
            raise ValueError("give the API functions or a loader of them, not both")
        self.parser = parser
        self._functions = tuple(functions)
        self._load = load
        self.flags: dict[str, str] = {}
        self._help: dict[str, tuple[argparse.Action, str, str | None]] = {}
        parser.set_defaults(api=self)

    @property
    def functions(self) -> tuple[Callable[..., Any], ...]:
        """The API functions of the verb (loaded on first use where a loader was given)."""
        if self._load is not None:
            self._functions, self._load = tuple(self._load()), None
        return self._functions

    def default(self, name: str) -> Any:
        """The signature default of parameter ``name`` (``inspect.Parameter.empty``
        when it has none)."""
        for function in self.functions:
            parameters = inspect.signature(function).parameters
            if name in parameters:
                return parameters[name].default
        raise ValueError(f"no API function of this verb has a parameter {name!r}")

    def option(self, name: str, *flags: str, help: str, default_text: str | None = None,
               **kwargs: Any) -> argparse.Action:
        """Add the option ``flags`` for parameter ``name``.

        ``help`` is completed with ``(default: ...)``: ``default_text`` where the
        signature default needs words (``None`` meaning "the headline metric"),
        else the signature default itself (not for a flag such as ``--strict``,
        whose presence is the change). Other keywords go to ``add_argument``.
        """
        self.flags[name] = flags[0]
        action = self.parser.add_argument(*flags, dest=name, default=argparse.SUPPRESS,
                                          help=help, **kwargs)
        self._help[name] = (action, help, default_text)
        if self._load is None:
            self.complete_help()
        return action

    def complete_help(self) -> None:
        """Add ``(default: ...)`` to the help of every option, read from the signatures
        (for a verb with a loader this imports its API)."""
        for name, (action, help, default_text) in self._help.items():
            default = self.default(name)
            flips = isinstance(action, argparse._StoreConstAction)  # the flag is the change
            if default_text is None and not flips and default is not inspect.Parameter.empty \
                    and default is not None:
                default_text = shown_default(default)
            action.help = help if default_text is None else f"{help} (default: {default_text})"
        self._help.clear()

    def given(self, args: argparse.Namespace) -> dict[str, Any]:
        """The API options the user gave, by parameter name."""
        return {name: getattr(args, name) for name in self.flags if hasattr(args, name)}

    def kwargs(self, args: argparse.Namespace, function: Callable[..., Any] | None = None, *,
               mode: str | None = None) -> dict[str, Any]:
        """The keyword arguments of ``function`` (default: the verb's first): only the
        options the user gave.

        An option given that ``function`` does not take is refused (in ``mode``,
        e.g. ``--per-trial``, where a verb calls one of several functions), so
        that nothing the user typed is silently ignored.
        """
        parameters = inspect.signature(function or self.functions[0]).parameters
        given = self.given(args)
        unused = [self.flags[name] for name in given if name not in parameters]
        if unused:
            where = f" with {mode}" if mode else ""
            raise ParameterError(f"`{unused[0]}` does not apply{where}.")
        return given

    def effective(self, args: argparse.Namespace,
                  function: Callable[..., Any] | None = None) -> dict[str, Any]:
        """Every option's value as ``function`` (default: the verb's first) sees it:
        given, else its default."""
        function = function or self.functions[0]
        values = {name: parameter.default
                  for name, parameter in inspect.signature(function).parameters.items()
                  if parameter.default is not inspect.Parameter.empty}
        return {**values, **self.kwargs(args, function)}

    def words(self, message: str) -> str:
        """``message`` with each backquoted parameter name replaced by its flag."""
        for name, flag in self.flags.items():
            message = message.replace(f"`{name}`", f"`{flag}`")
        return message
