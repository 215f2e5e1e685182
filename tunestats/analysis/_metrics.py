"""Which metric an analysis uses when the caller names none."""

from __future__ import annotations

from ..errors import ParameterError
from ..study import Metric, Study
from ..study.schema import FINAL

__all__ = ["headline_metric", "resolve_metric"]


def headline_metric(study: Study) -> str:
    """The metric a study is judged by: the first declared validation metric with
    final values, else the first metric with final values.

    Raises
    ------
    ParameterError
        If the trials have no ``final.<metric>`` column.
    """
    finals = [m for m in study.metrics if f"{FINAL}{m}" in study.trials]
    for name in finals:
        if study.metrics[name].split == "valid":
            return name
    if not finals:
        raise ParameterError("the trials have no final.<metric> column; name the metric "
                             "explicitly.")
    return finals[0]


def resolve_metric(study: Study, name: str | None) -> Metric:
    """The declared metric ``name``, or the headline metric when ``name`` is None."""
    return study.metric(headline_metric(study) if name is None else name)
