"""The report's figures: every family of the figure registry, embedded as PNG data URIs,
with an alt text read from the figure and a caption that says what the line and the
band are."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from matplotlib.figure import Figure

from ..errors import TunestatsError
from ..figures import FigureSpec, NotApplicable
from ..figures._facets import Analyses
from ..figures._ticks import freeze_ticks
from ..figures.render import built_figures, map_groups
from ..study import Study
from .sections import unavailable

__all__ = ["CAPTIONS", "EmbeddedFigure", "figure_section"]

#: What the marks of each figure family are. A family without an entry is captioned
#: by its registry description and the figure's own title.
CAPTIONS = {
    "overview": "Points: the final validation metric of each completed trial of a pool; "
                "crosses: diverged or failed trials, counted under each optimizer's name. "
                "No line or band.",
    "best-of-k": "Line: the median over draws of k trials of the best trial's reported "
                 "metric (the trial selected by the validation metric); band: the 5–95% "
                 "spread of those outcomes (what one tuning run of k trials may give), "
                 "not an uncertainty of the median.",
    "best-of-k-confidence": "Line: the same median as in the best-of-k figure; band: the "
                            "90% confidence interval of that median from an outer bootstrap "
                            "over the trials (the uncertainty of the estimate, pointwise "
                            "in k).",
    "best-of-k-train-selection": "As the best-of-k figure, with the trial selected by the "
                                 "training loss (Choi et al. 2019, Figure 9). Line: median "
                                 "over draws of k trials; band: 5–95% spread of outcomes.",
    "best-of-k-curve": "Lines: the median over draws of k trials of the reported metric "
                       "over training of the selected trial, one line style per k; band: "
                       "the 5–95% spread of outcomes for the largest k.",
    "best-trial": "Marker: the median best-of-N outcome of each optimizer; bar: its 5–95% "
                  "spread of outcomes; # gives the rank, ties where the order is not "
                  "resolved at α = 0.05.",
    "rank-flips": "Lines join each optimizer's expected rank under each protocol; a crossing "
                  "is a rank flip. No band.",
    "steps-to-target": "Marker: median best-of-N steps to the target; bar: the 5–95% spread "
                       "of outcomes over draws of N trials.",
    "robustness": "Cells: one target × step budget each, coloured by whether the ordering "
                  "by median best-of-N steps to target is consistent with inclusion; a "
                  "number: how many pairs of optimizers are ordered unlike at the reference "
                  "target and full budget. No line or band.",
    "performance-profile": "Lines: ρ(τ), the share of workloads an optimizer solves within "
                           "τ times the fastest optimizer's time (a step function); the "
                           "legend gives the score, the area under ρ over [1, τ_max] divided "
                           "by τ_max − 1. No band.",
    "space-axes": "Points: each trial's final validation metric against one hyperparameter "
                  "(in its own scale); star: the pool's best trial; crosses at the top: "
                  "diverged or lost trials; dashed lines: the search-space bounds, coloured "
                  "where an edge is flagged. No band.",
    "space-isolation": "Lines: the best final validation metric per bin (10 bins in the "
                       "parameter's own scale), one line per optimizer. No band.",
    "space-pairs": "Points: the trials in the plane of two hyperparameters, coloured by the "
                   "final validation metric; star: the best trial. No band.",
}


@dataclass(frozen=True)
class EmbeddedFigure:
    """One rendered figure.

    Attributes
    ----------
    stem : str
        The file stem ``tunestats figures`` gives it.
    uri : str
        The PNG as a ``data:`` URI.
    alt : str
        Its alt text.
    """

    stem: str
    uri: str
    alt: str


def _alt_text(spec: FigureSpec, fig: Figure) -> str:
    """The registry description, the figure's title and its panels' titles."""
    parts = [spec.description[:1].upper() + spec.description[1:]]
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    if title:
        parts.append(" ".join(title.split()))
    panels = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if panels:
        parts.append(f"{len(panels)} panel(s): " + "; ".join(panels))
    return ". ".join(parts)


def _png_uri(fig: Figure, dpi: int) -> str:
    """The figure as ``tunestats figures`` writes it (its own page-wide canvas, drawn
    once: no "tight" bounding box, which would draw it twice), as a PNG data URI."""
    buffer = io.BytesIO()
    freeze_ticks(fig)  # drawn once: fixed ticks, the same picture for less
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_section(study: Study | Analyses, *, dpi: int, jobs: int | None = None,
                   warm: Sequence[Callable[[], object]] = ()) -> str:
    """The figures section: one ``<h3>`` per registered family, its figures and caption,
    or one line saying why the family does not apply.

    Parameters
    ----------
    study : Study or Analyses
        The study, or the figures' analyses of it; every family draws from one
        :class:`~tunestats.figures._facets.Analyses`, so that an analysis several
        families draw (the protocol comparison, the boundary check, best of k)
        is computed once (an analysis computed before the call is not computed
        again, in any process).
    dpi : int
        Resolution of the PNGs.
    jobs : int, optional
        Processes drawing the figures (default: one per core;
        :func:`tunestats.figures.render.map_groups`).
    warm : sequence of callables
        Analyses to compute into ``study``'s analyses once the figures are
        shared out (``map_groups``' ``warm``).

    Returns
    -------
    str
        The section's HTML.
    """
    analyses = Analyses.of(study)

    def embed(group: tuple[FigureSpec, ...]) -> list[list[EmbeddedFigure] | str]:
        return [figures if isinstance(figures, str) else
                [EmbeddedFigure(stem, _png_uri(fig, dpi), _alt_text(spec, fig))
                 for stem, fig in figures.items()]
                for spec, figures in built_figures(analyses, group,
                                                   skip=(NotApplicable, TunestatsError))]

    out = []
    for spec, embedded in map_groups(embed, analyses, jobs=jobs, warm=warm):
        out.append(f'<section class="figure-family" id="figure-{escape(spec.name)}">'
                   f"<h3>{escape(spec.name)}: {escape(spec.description)}</h3>")
        if isinstance(embedded, str):
            out.append(unavailable(f"not drawn for this study: {embedded}"))
        else:
            caption = escape(CAPTIONS.get(spec.name, spec.description))
            for item in embedded:
                out.append(f'<figure id="fig-{escape(item.stem)}"><img src="{item.uri}" '
                           f'alt="{escape(item.alt)}"><figcaption><strong>'
                           f"{escape(item.stem)}.</strong> {caption}</figcaption></figure>")
        out.append("</section>")
    return "".join(out)
