"""The whole report: one self-contained HTML page per study (:func:`report`)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from .._version import __version__
from ..errors import ParameterError
from ..study import Study
from ..study._atomic import atomic_write
from .style import CSS

__all__ = ["SECTIONS", "render_report", "report"]

#: The page's sections in order: (id, heading). Every heading is on every page.
SECTIONS = (("summary", "Summary"), ("verdicts", "Verdicts"), ("figures", "Figures"),
            ("tables", "Tables"))


def render_report(study: Study, *, dpi: int = 72, jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> str:
    """The report of ``study`` as one HTML document (see :func:`report`).

    Parameters
    ----------
    study : Study
    dpi : int
        Resolution of the embedded figures, in [20, 300].
    jobs : int, optional
        Processes drawing the figures (default: one per core; 1 draws them
        here). The page is the same for every ``jobs``.
    progress : callable, optional
        Called with each section's id before it is built.

    Returns
    -------
    str
        The whole page.
    """
    if not isinstance(study, Study):
        raise ParameterError(f"`study` must be a Study; got {type(study).__name__}.")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 300:
        raise ParameterError(f"`dpi` must be an integer in [20, 300]; got {dpi!r}.")
    # matplotlib, the figures and the importers load only when a report is written, so
    # that `import tunestats` (which exports this function) stays light.
    from .figures import figure_section
    from .sections import Analyses, summary_section, tables_section, verdicts_section

    analyses = Analyses(study)
    # built in this order: the figures first, drawn by worker processes whose analyses
    # (the protocol comparison, the boundary check, and those only the tables read,
    # computed by the first worker done drawing) come back for the verdicts and tables;
    # shown in the order of SECTIONS
    builders = {"figures": lambda: figure_section(analyses, dpi=dpi, jobs=jobs,
                                                  warm=(analyses.prepare_tables,)),
                "summary": lambda: summary_section(study),
                "verdicts": lambda: verdicts_section(analyses),
                "tables": lambda: tables_section(analyses)}
    built = {}
    for ident, build in builders.items():
        if progress:
            progress(ident)
        built[ident] = build()
    title = f"tunestats report: {study.meta.name or study.source or 'study'}"
    body = [f'<section id="{ident}"><h2>{heading}</h2>{built[ident]}</section>'
            for ident, heading in SECTIONS]
    nav = "".join(f'<li><a href="#{ident}">{heading}</a></li>' for ident, heading in SECTIONS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p class=\"lead\">{escape(repr(study))} — written by "
        f"tunestats {escape(__version__)}; verdicts first, then the evidence.</p>"
        f'<nav aria-label="Contents"><ol>{nav}</ol></nav></header>'
        f"<main>{''.join(body)}</main></body></html>\n")


def report(study: Study, path: str | Path, *, dpi: int = 72, jobs: int | None = None,
           progress: Callable[[str], None] | None = None) -> Path:
    """Write the report of ``study``: one self-contained HTML page.

    The page holds, in order: a summary of the study (workloads with their
    metrics and targets, protocols, optimizers, trials by status, provenance,
    the import report); the verdicts (search-space adequacy per pool with the
    proposed ranges, inclusion violations and rank flips with the size of each
    family of checks, performance-profile scores where the study has targets);
    every registered figure with a caption saying what its line and band are;
    and the tables behind them, collapsible, each downloadable as CSV from the
    page itself. CSS is inline and figures are PNG ``data:`` URIs: the page
    makes no request of any kind. A part that does not apply to the study
    says why in one line.

    Parameters
    ----------
    study : Study
    path : str or Path
        The HTML file to write (its folder is created if needed).
    dpi : int
        Resolution of the embedded figures, in [20, 300].
    jobs : int, optional
        Processes drawing the figures (default: one per core; 1 draws them
        here).
    progress : callable, optional
        Called with each section's id before it is built.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    The analyses run with the command line's defaults and seed 0, so the
    verdict tables show what ``tunestats check-space --json`` and
    ``tunestats compare --json`` print for the same study.
    """
    html = render_report(study, dpi=dpi, jobs=jobs, progress=progress)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda p: p.write_text(html, encoding="utf-8"))
    return out
