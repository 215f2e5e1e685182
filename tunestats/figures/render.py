"""Building the registered figures of a study (:func:`built_figures`, :func:`map_groups`)
and rendering them into files (:func:`render_figures`)."""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from matplotlib.figure import Figure

from .._checks import check_choice
from ..processes import fork_map, worker_count
from ..study import Study
from ..study._atomic import atomic_write
from . import best_of_k, comparison, search_space, summary
from ._facets import Analyses
from ._registry import FigureSpec, NotApplicable
from ._ticks import freeze_ticks

__all__ = ["FIGURES", "FORMATS", "GROUPS", "RenderReport", "built_figures", "map_groups",
           "render_figures"]

_R = TypeVar("_R")

#: Every figure, in the order they are rendered.
FIGURES: tuple[FigureSpec, ...] = (*summary.FIGURES, *best_of_k.FIGURES, *comparison.FIGURES,
                                      *search_space.FIGURES)

#: The figure families in the groups a parallel render gives each to one process, the
#: costliest first (:func:`map_groups`): the search-space families (a panel per pool and
#: hyperparameter; one boundary check); the comparison's families (one protocol
#: comparison); the overview and the best-of-k families (best of k). The families that
#: share an analysis are in one group, so that it is computed once per render.
GROUPS: tuple[tuple[FigureSpec, ...], ...] = (
    search_space.FIGURES, comparison.FIGURES, (*summary.FIGURES, *best_of_k.FIGURES))


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


def built_figures(analyses: Analyses, specs: Iterable[FigureSpec], *,
                  skip: tuple[type[Exception], ...] = (NotApplicable,),
                  progress: Callable[[str], None] | None = None,
                  ) -> Iterator[tuple[FigureSpec, dict[str, Figure] | str]]:
    """Build each figure family of ``specs``: the one loop behind every render.

    Parameters
    ----------
    analyses : Analyses
        The analyses the families share.
    specs : iterable of FigureSpec
    skip : tuple of exception types, default ``(NotApplicable,)``
        A family whose builder raises one of these is reported with the reason
        instead of its figures; other exceptions propagate.
    progress : callable, optional
        Called with each family's name before it is built.

    Yields
    ------
    spec : FigureSpec
    figures : dict of str to Figure, or str
        Each figure by its file stem (``name``, or ``name-part`` for a family
        that draws one figure per part of the study), or the reason the family
        was not drawn.
    """
    for spec in specs:
        if progress:
            progress(spec.name)
        try:
            built = spec.build(analyses)
        except skip as exc:
            yield spec, str(exc)
            continue
        yield spec, ({f"{spec.name}-{part}": fig for part, fig in built.items()}
                     if isinstance(built, Mapping) else {spec.name: built})


def map_groups(task: Callable[[tuple[FigureSpec, ...]], list[_R]], analyses: Analyses,
               names: Iterable[str] | None = None, *, jobs: int | None = None,
               warm: Sequence[Callable[[], object]] = ()) -> list[tuple[FigureSpec, _R]]:
    """``task(group)`` for each group of :data:`GROUPS` (only the families in ``names``;
    empty groups left out), the groups shared out over ``jobs`` processes.

    Parameters
    ----------
    task : callable
        Builds (with :func:`built_figures`, from ``analyses``) and renders one
        group's families, in a forked process when ``jobs`` > 1, and returns
        one result per family of the group: what the render keeps (paths,
        encoded images), not figures.
    analyses : Analyses
        The analyses the tasks draw on. What a worker computes comes back with
        its results and joins ``analyses`` (so that a report's verdicts and
        tables, built after its figures, reuse them).
    names : iterable of str, optional
        The families to render (default: all).
    jobs : int, optional
        Processes (default: one per core; see
        :func:`tunestats.processes.fork_map`).
    warm : sequence of callables
        Each called once, after the groups, for the analyses it computes into
        ``analyses`` (what a caller needs after the figures, such as a
        report's tables): in the workers, a worker done with its groups takes
        them while another still draws. Their return values are dropped.

    Returns
    -------
    list of (FigureSpec, result)
        One per family, in the order of :data:`FIGURES`.

    Notes
    -----
    The groups go to the workers in the order of :data:`GROUPS`, costliest
    first, so that two processes finish at about the same time.
    """
    wanted = None if names is None else set(names)
    groups = [chosen for group in GROUPS
              if (chosen := tuple(s for s in group if wanted is None or s.name in wanted))]
    sent, parent = set(analyses.computed()), os.getpid()

    def run(item: tuple[FigureSpec, ...] | Callable[[], object],
            ) -> tuple[list[_R], dict[Hashable, bytes]]:
        if isinstance(item, tuple):
            results = task(item)
        else:
            item()
            results = []
        if os.getpid() == parent:  # run here: the analyses are already these
            return results, {}
        # what this worker computed since it last sent (`sent`: its own copy)
        fresh = {key: value for key, value in analyses.computed().items() if key not in sent}
        sent.update(fresh)
        return results, _pickled(fresh)

    done = {}
    for item, (results, computed) in zip([*groups, *warm],
                                         fork_map(run, [*groups, *warm], jobs=jobs),
                                         strict=True):
        analyses.absorb(_unpickled(computed))
        if isinstance(item, tuple):
            done.update(zip(item, results, strict=True))
    return [(spec, done[spec]) for spec in FIGURES if spec in done]


def _pickled(values: dict[Hashable, object]) -> dict[Hashable, bytes]:
    """Each value that pickles, pickled (what a worker sends back)."""
    out = {}
    for key, value in values.items():
        with contextlib.suppress(Exception):  # a value that cannot travel stays behind
            out[key] = pickle.dumps(value)
    return out


def _unpickled(blobs: dict[Hashable, bytes]) -> dict[Hashable, object]:
    """Each value that unpickles (an error whose class cannot be rebuilt from its
    arguments cannot; the parent computes it again if it needs it)."""
    out = {}
    for key, blob in blobs.items():
        with contextlib.suppress(Exception):
            out[key] = pickle.loads(blob)
    return out


def render_figures(study: Study, out: str | Path, *, formats: Sequence[str] = ("png",),
                   names: Iterable[str] | None = None, dpi: int = 150,
                   jobs: int | None = None,
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
    jobs : int, optional
        Processes drawing the figures (default: one per core; 1 draws them
        here). The figures and files are the same for every ``jobs``.
    progress : callable, optional
        Called with each figure's name before it is built (in the process
        that builds it).

    Returns
    -------
    RenderReport
        The files written and the figures skipped, with the reason.

    Notes
    -----
    Every analysis the figures draw is computed once per call and shared by
    the figures that draw it (the families sharing an analysis are drawn in
    one process, :func:`map_groups`). The figures are plain matplotlib figures, not
    pyplot's: the backend in use (a notebook's, say) is left as it is. Each
    file is written aside and renamed into place; existing files of the same
    name are replaced (the command line refuses that without ``--force``).
    """
    for fmt in formats:
        check_choice("formats", fmt, FORMATS)
    worker_count(jobs, 1)  # refuses a bad `jobs` before the folder is made
    known = [spec.name for spec in FIGURES]
    wanted = known if names is None else [check_choice("names", n, known) for n in names]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    analyses = Analyses(study)

    def render(group: tuple[FigureSpec, ...]) -> list[list[Path] | str]:
        done: list[list[Path] | str] = []
        for _, figures in built_figures(analyses, group, progress=progress):
            if isinstance(figures, str):  # the reason it was not drawn
                done.append(figures)
                continue
            done.append([])
            for stem, fig in figures.items():
                freeze_ticks(fig)  # drawn once: fixed ticks, the same picture for less
                for fmt in formats:
                    path = folder / f"{stem}.{fmt}"
                    atomic_write(path, lambda p, fig=fig, fmt=fmt: fig.savefig(
                        p, format=fmt, dpi=dpi,
                        metadata={"Software": None} if fmt == "png" else None))
                    done[-1].append(path)
        return done

    report = RenderReport()
    for spec, done in map_groups(render, analyses, wanted, jobs=jobs):
        if isinstance(done, str):
            report.skipped[spec.name] = done
        else:
            report.written.extend(done)
    return report
