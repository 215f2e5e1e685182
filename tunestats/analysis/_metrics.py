"""Which metric an analysis uses when the caller names none."""

from __future__ import annotations

from ..study import Metric, Study

__all__ = ["resolve_metric"]


def resolve_metric(study: Study, name: str | None) -> Metric:
    """The declared metric ``name``, or the study's headline metric when ``name`` is None
    (see :meth:`Study.headline_metric`)."""
    return study.headline_metric() if name is None else study.metric(name)
