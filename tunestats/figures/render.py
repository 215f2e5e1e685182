"""Rendering the registered figures of a study into files (:func:`render_figures`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._checks import check_choice
from ..study import Study
from ..study._atomic import atomic_write
from . import best_of_k, comparison, search_space, summary
from ._facets import Analyses
from ._registry import FigureSpec, NotApplicable

__all__ = ["FIGURES", "FORMATS", "RenderReport", "render_figures"]

#: Every figure, in the order they are rendered.
FIGURES: tuple[FigureSpec, ...] = (*summary.FIGURES, *best_of_k.FIGURES, *comparison.FIGURES,
                                      *search_space.FIGURES)

FORMATS = ("png", "pdf", "svg")


@dataclass(frozen=True)
class RenderReport:
    """What :func:`render_figures` did.

    Attributes
    ----------
    written : list of Path
        The files written, in order.
    skipped : dict of str to str
        Each figure that was not drawn, with the reason.
    """

    written: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def render_figures(study: Study, out: str | Path, *, formats: Sequence[str] = ("png",),
                   names: Iterable[str] | None = None, dpi: int = 150,
                   progress: Callable[[str], None] | None = None) -> RenderReport:
    """Render the registered figures of ``study`` into the folder ``out``.

    Parameters
    ----------
    study : Study
    out : str or Path
        Folder for the files ``<name>.<format>`` (``<name>-<part>.<format>``
        for a builder that returns several figures); created if needed.
    formats : sequence of {"png", "pdf", "svg"}
    names : iterable of str, optional
        Only these figures (default: all).
    dpi : int
        Resolution of raster formats.
    progress : callable, optional
        Called with each figure's name before it is built.

    Returns
    -------
    RenderReport
        The files written and the figures skipped, with the reason.

    Notes
    -----
    Every analysis the figures draw is computed once per call and shared by
    the figures that draw it. The figures are plain matplotlib figures, not
    pyplot's: the backend in use (a notebook's, say) is left as it is. Each
    file is written aside and renamed into place; existing files of the same
    name are replaced (the command line refuses that without ``--force``).
    """
    for fmt in formats:
        check_choice("formats", fmt, FORMATS)
    known = [spec.name for spec in FIGURES]
    wanted = known if names is None else [check_choice("names", n, known) for n in names]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    report = RenderReport()
    analyses = Analyses(study)
    for spec in FIGURES:
        if spec.name not in wanted:
            continue
        if progress:
            progress(spec.name)
        try:
            built = spec.build(analyses)
        except NotApplicable as exc:
            report.skipped[spec.name] = str(exc)
            continue
        figures = ({f"{spec.name}-{part}": fig for part, fig in built.items()}
                   if isinstance(built, Mapping) else {spec.name: built})
        for stem, fig in figures.items():
            for fmt in formats:
                path = folder / f"{stem}.{fmt}"
                atomic_write(path, lambda p, fig=fig, fmt=fmt: fig.savefig(
                    p, format=fmt, dpi=dpi,
                    metadata={"Software": None} if fmt == "png" else None))
                report.written.append(path)
    return report
