"""The options every importer takes, checked at the door, and the trial key they decide.

Every ``read`` function of :mod:`tunestats.importers` accepts these keyword
arguments besides its own (see :func:`import_options`):

``protocol``
    Protocol name for every imported trial (overrides what the format says).
``constants``
    ``{"workload": ..., "optimizer": ..., "protocol": ...}``: names for key
    fields the data does not give (the CLI's ``--set FIELD=VALUE``).
``mapping``
    ``{field: column}``: where a field comes from (the CLI's ``--map``). For
    key fields of tools without a notion of workload or optimizer (Optuna,
    W&B, Ray Tune) it names a hyperparameter/config entry whose value becomes
    the key field (and which then is no longer a hyperparameter); the generic
    table importer maps every field this way.
``metrics``
    ``{name: "minimize[:valid]" | {"direction", "split", "unit"} | Metric}``:
    directions and splits that override the format's or the name's.
``targets``
    ``{workload: {metric: value}}`` or the path of a JSON file holding that.
``progress``
    ``callable(done, total)``, called while reading.
``strict``
    Raise on the first thing that would be skipped instead of reporting it.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import as_list
from ..errors import ParameterError
from ..study import Metric
from ..study.io import read_json
from ._metrics import parse_metric_option
from .report import ImportReport

__all__ = ["DEFAULT_NAME", "ImportOptions", "hp_value", "import_options"]

#: The name given to a key field the data does not give.
DEFAULT_NAME = "default"
_KEY_FIELDS = ("workload", "protocol", "optimizer")


@dataclass(frozen=True)
class ImportOptions:
    """The checked options (see the module docstring)."""

    protocol: str | None = None
    constants: Mapping[str, str] = field(default_factory=dict)
    mapping: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    progress: Callable[[int, int], None] | None = None
    strict: bool = False

    def column(self, name: str, default: str | None = None) -> str | None:
        """The single source column mapped to ``name`` (or ``default``)."""
        columns = self.mapping.get(name)
        return columns[0] if columns else default

    def resolve_key(self, natural: Mapping[str, Any], params: dict[str, Any],
                    report: ImportReport, fields: Iterable[str] = _KEY_FIELDS
                    ) -> dict[str, str]:
        """The pool fields of one trial (or just ``fields``): the ``protocol``
        option, then ``constants``, then a mapped parameter (popped from
        ``params``), then what the format says (``natural``), else
        :data:`DEFAULT_NAME` (noted)."""
        key = {}
        for name in fields:
            source = self.column(name)
            if name == "protocol" and self.protocol is not None:
                value = self.protocol
            elif name in self.constants:
                value = self.constants[name]
            elif source is not None and source in params:
                value = params.pop(source)
            elif natural.get(name) is not None:
                value = natural[name]
            else:
                value = DEFAULT_NAME
                if source is not None:
                    report.note(f"some trials have no {source!r} for the {name}: they are "
                                f"under {DEFAULT_NAME!r}")
                else:
                    report.note(f"the data names no {name}: trials are under {DEFAULT_NAME!r} "
                                f"(name it with constants={{'{name}': ...}} or --set "
                                f"{name}=NAME)")
            key[name] = str(value)
        return key


def _check_names(name: str, value: Any, allowed: Iterable[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParameterError(f"`{name}` must be a mapping; got {type(value).__name__}.")
    allowed = tuple(allowed)
    for key in value:
        if key not in allowed:
            raise ParameterError(f"`{name}` has the unknown field {key!r}; this importer takes "
                                 f"{', '.join(allowed) or 'none'}.")
    return dict(value)


def _targets(targets: Any) -> dict[str, dict[str, float]]:
    if targets is None:
        return {}
    if isinstance(targets, (str, Path)):
        targets = read_json(Path(targets))
    if not isinstance(targets, Mapping):
        raise ParameterError("`targets` must be a mapping {workload: {metric: value}} or the "
                             f"path of a JSON file holding one; got {type(targets).__name__}.")
    out: dict[str, dict[str, float]] = {}
    for workload, spec in targets.items():
        if not isinstance(spec, Mapping):
            raise ParameterError(f"`targets[{workload!r}]` must map metric → value; got {spec!r}.")
        for metric, value in spec.items():
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(
                    value):
                raise ParameterError(f"`targets[{workload!r}][{metric!r}]` must be a finite "
                                     f"number; got {value!r}.")
            out.setdefault(str(workload), {})[str(metric)] = float(value)
    return out


def import_options(*, mappable: Iterable[str] = (), protocol: str | None = None,
                   constants: Mapping[str, str] | None = None,
                   mapping: Mapping[str, Any] | None = None,
                   metrics: Mapping[str, Any] | None = None, targets: Any = None,
                   progress: Callable[[int, int], None] | None = None,
                   strict: bool = False) -> ImportOptions:
    """Check the common options of an importer (see the module docstring).

    Parameters
    ----------
    mappable : iterable of str
        The fields this importer lets ``mapping`` name.
    protocol : str, optional
        The protocol of every imported trial (default: the format's own, if any).
    constants : mapping of str to str, optional
        Key fields set to one value for every trial (``--set workload=mnist``).
    mapping : mapping of str to str or list of str, optional
        Which source columns hold each study field (``--map trial=run_id``).
    metrics : mapping, optional
        Metric declarations ``name -> "direction[:split]"`` (``--metric``), overriding
        what the format states or the name suggests.
    targets : mapping or path, optional
        Per-workload targets ``{workload: {metric: value}}``.
    progress : callable, optional
        Called as ``progress(done, total)`` while files are read.
    strict : bool, default False
        Fail on the first skipped trial, file or column instead of skipping it.

    Returns
    -------
    ImportOptions
        The checked options.
    """
    if protocol is not None and (not isinstance(protocol, str) or not protocol):
        raise ParameterError(f"`protocol` must be a non-empty string; got {protocol!r}.")
    constants = _check_names("constants", constants, _KEY_FIELDS)
    for name, value in constants.items():
        if not isinstance(value, str) or not value:
            raise ParameterError(f"`constants[{name!r}]` must be a non-empty string; "
                                 f"got {value!r}.")
    mapping = {name: tuple(str(c) for c in as_list(columns)) for name, columns in
               _check_names("mapping", mapping, mappable).items()}
    declared = {name: parse_metric_option(name, spec) for name, spec in
                _check_names("metrics", metrics, metrics or ()).items()}
    if progress is not None and not callable(progress):
        raise ParameterError(f"`progress` must be callable(done, total); got {progress!r}.")
    if not isinstance(strict, bool):
        raise ParameterError(f"`strict` must be True or False; got {strict!r}.")
    return ImportOptions(protocol, constants, mapping, declared, _targets(targets), progress,
                         strict)


def hp_value(value: Any) -> Any:
    """A hyperparameter value as the study stores it: numbers as float, text as
    text, booleans as ``"true"``/``"false"``, None as NaN, lists and mappings as
    their JSON text."""
    if value is None:
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)
