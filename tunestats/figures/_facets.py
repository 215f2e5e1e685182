"""The parts every figure family shares: the analyses of a render (each computed once),
the workload × protocol panel grid, page-sized figures and unique file names."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..analysis import ProtocolComparison, SpaceCheck, check_space, compare_protocols
from ..errors import TunestatsError
from ..study import Study

__all__ = ["PAGE_WIDTH", "SEED", "Analyses", "facet_grid", "file_stems", "page_figure"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")

#: Width of every figure, in inches: a page's text width (16 cm), so that the
#: figures print at their own size and the fonts stay readable.
PAGE_WIDTH = 6.3


#: Seed of every resampling of a render: the command line's default.
SEED = 0


class Analyses:
    """The analyses of one render, each computed once.

    ``analyses(func, **kwargs)`` returns ``func(study, **kwargs)``, computed on the
    first call and remembered for the next (keyword values must be hashable), so
    that figures drawing the same analysis share it (an analysis that raises a
    :class:`~tunestats.errors.TunestatsError` raises it again, uncomputed). The protocol comparison and
    the search-space check, which several figures and the report's verdicts and
    tables read, have one set of arguments each (:meth:`protocol_comparison`,
    :meth:`space_check`): the command line's defaults, so that a figure, the
    report and ``tunestats compare``/``check-space`` show the same numbers.
    """

    def __init__(self, study: Study):
        self.study = study
        self._done: dict[Hashable, Any] = {}

    @classmethod
    def of(cls, data: Study | Analyses) -> Analyses:
        """``data`` itself, or fresh analyses of the study ``data``."""
        return data if isinstance(data, Analyses) else cls(data)

    def __call__(self, func: Callable[..., Any], **kwargs: Any) -> Any:
        key = (func.__module__, func.__qualname__, tuple(sorted(kwargs.items())))
        if key not in self._done:
            try:
                self._done[key] = func(self.study, **kwargs)
            except TunestatsError as exc:  # remembered too: every caller gets the same error
                self._done[key] = exc
        done = self._done[key]
        if isinstance(done, TunestatsError):
            raise done
        return done

    def computed(self) -> dict[Hashable, Any]:
        """Every analysis computed so far (or the error it raised), by its key."""
        return dict(self._done)

    def absorb(self, computed: dict[Hashable, Any]) -> None:
        """Take analyses computed elsewhere (:meth:`computed` of a copy of these in
        a worker process); those computed here are kept."""
        for key, value in computed.items():
            self._done.setdefault(key, value)

    def protocol_comparison(self) -> ProtocolComparison:
        """``compare_protocols(study, seed=SEED)``, computed once."""
        return self(compare_protocols, seed=SEED)

    def space_check(self) -> SpaceCheck:
        """``check_space(study, seed=SEED)``, computed once."""
        return self(check_space, seed=SEED)


def page_figure(n_rows: int, n_cols: int, *, panel_height: float, width: float = PAGE_WIDTH,
                top: float = 0.55, bottom: float = 0.5, left: float = 0.6, right: float = 0.15,
                hgap: float = 0.55, wgap: float = 0.5, sharey: bool | str = False,
                present: Callable[[int, int], bool] | None = None) -> tuple[Figure, Any]:
    """A figure ``width`` inches wide (default: a page) with an ``n_rows`` × ``n_cols``
    grid of panels ``panel_height`` inches tall.

    Only the panels for which ``present(row, column)`` holds are made (default:
    all); the array of axes holds None for the others. ``sharey="row"`` shares
    the y axis along each row, ``sharey=True`` across all panels (tick labels in
    the first column only).

    The margins (``top`` for the title, ``bottom`` for the x labels and a legend,
    ``left``, ``right``) and the gaps between panels (``hgap`` for titles and x
    labels, ``wgap`` for y tick labels) are in inches, so that a figure looks the
    same whatever its number of panels; a fixed layout costs nothing to compute
    (matplotlib's constrained layout measures every label, twice). The figure is
    a plain :class:`~matplotlib.figure.Figure`, not registered with pyplot:
    nothing needs closing and no backend is chosen or switched.
    """
    height = top + bottom + n_rows * panel_height + (n_rows - 1) * hgap
    panel_width = (width - left - right - (n_cols - 1) * wgap) / n_cols
    fig = Figure(figsize=(width, height))
    grid = fig.add_gridspec(n_rows, n_cols, left=left / width, right=1 - right / width,
                            bottom=bottom / height, top=1 - top / height,
                            hspace=hgap / panel_height, wspace=wgap / panel_width)
    axes = np.full((n_rows, n_cols), None, dtype=object)
    for i in range(n_rows):
        for j in range(n_cols):
            if present is not None and not present(i, j):
                continue
            made = [a for a in (axes[i, :j] if sharey == "row" else axes.flat) if a is not None]
            shared = {"sharey": made[0]} if sharey and made else {}
            axes[i, j] = ax = fig.add_subplot(grid[i, j], **shared)
            # 7 pt ticks and 8 pt axis labels: a half-page panel holds them
            ax.tick_params(labelsize=7)
            ax.xaxis.label.set_size(8)
            ax.yaxis.label.set_size(8)
            if shared and j > 0:
                axes[i, j].tick_params(labelleft=False)
    return fig, axes


def facet_grid(frame: pd.DataFrame, draw: Callable[[pd.DataFrame, Axes], str | None], *,
               rows: str = "workload", cols: str = "protocol", panel_height: float = 2.2,
               sharey: bool | str = False, **margins: float) -> Figure:
    """One panel per ``rows`` value (default: workload) × ``cols`` value (protocol) of
    ``frame``.

    ``draw(panel, ax)`` draws a panel's rows and returns its title (``None``:
    the default ``"<row> — <col>"``); a panel without rows is left out. The
    figure is a page wide; ``margins`` are passed to :func:`page_figure`.
    """
    row_names = sorted(frame[rows].astype(str).unique())
    col_names = sorted(frame[cols].astype(str).unique())
    keys = frame[rows].astype(str), frame[cols].astype(str)
    groups = frame.groupby([keys[0].rename("_r"), keys[1].rename("_c")], sort=False,
                           observed=True).indices
    fig, axes = page_figure(len(row_names), len(col_names), panel_height=panel_height,
                            sharey=sharey,
                            present=lambda i, j: (row_names[i], col_names[j]) in groups,
                            **margins)
    for (row, col), index in groups.items():
        ax = axes[row_names.index(row), col_names.index(col)]
        title = draw(frame.iloc[index], ax)
        ax.set_title(title or f"{row} — {col}", fontsize=8)
    return fig


def file_stems(keys: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """A distinct file-name part for each key (e.g. a (workload, protocol) pair).

    The parts are joined by ``-``, each with the characters other than letters,
    digits, ``_``, ``.`` and ``-`` replaced by ``_``; keys that would share a name
    that way (workloads ``a/b``, ``a_b`` and ``a b``) get a short digest of the key
    appended, so that no figure overwrites another.
    """
    keys = list(dict.fromkeys(tuple(str(part) for part in key) for key in keys))
    plain = {key: "-".join(_UNSAFE.sub("_", part) for part in key) for key in keys}
    counts = Counter(plain.values())
    return {key: stem if counts[stem] == 1 else
            f"{stem}~{hashlib.sha1(chr(0).join(key).encode()).hexdigest()[:6]}"
            for key, stem in plain.items()}
