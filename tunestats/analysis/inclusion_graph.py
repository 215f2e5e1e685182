"""Inclusion relationships between optimizers: which optimizer is a special case of which.

Choi et al. (2019, Section 3) call optimizer A *included* in optimizer B
(A ⊆ B) when B can approximate A arbitrarily well with some setting of its
hyperparameters: SGD ⊆ Momentum ⊆ RMSProp, SGD ⊆ Momentum ⊆ Adam and
SGD ⊆ Nesterov ⊆ NAdam. With enough tuning, B should never lose to A.

A study declares its own graph in ``study.json``::

    "inclusion": {"edges": [["sgd", "momentum"], ["momentum", "adam"]],
                  "aliases": {"heavy_ball": "momentum"}}

Each edge is ``[included, including]``; ``aliases`` maps an optimizer name of
the study to the name the graph uses. The same object can be kept in its
own JSON file. Without a declaration the paper's graph applies, matched to
the study's optimizer names case-insensitively.

:data:`DEFAULT_EDGES` is the one statement of the paper's graph: the runner
writes it whole into every study it runs, whatever optimizers the study
has, so that relations through an optimizer the study lacks survive (a study
of SGD and Adam keeps SGD ⊆ Adam through Momentum). A graph may therefore
name the paper's optimizers even when the study lacks them; any other name
must be an optimizer of the study.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, ParameterError, StudyFileError
from ..study import Study
from ..study.schema import STUDY_FILE

__all__ = ["DEFAULT_EDGES", "InclusionGraph", "inclusion_graph", "parse_inclusion"]

#: The paper's graph: ``(included, including)``.
DEFAULT_EDGES = (("sgd", "momentum"), ("momentum", "rmsprop"), ("momentum", "adam"),
                 ("sgd", "nesterov"), ("nesterov", "nadam"))


@dataclass(frozen=True)
class InclusionGraph:
    """A directed acyclic graph of inclusions between optimizers.

    Attributes
    ----------
    edges : tuple of (str, str)
        ``(included, including)`` pairs of graph names.
    aliases : mapping of str to str
        Study optimizer name → graph name.
    source : str
        Where the graph came from (for messages).
    """

    edges: tuple[tuple[str, str], ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    source: str = "the default graph of Choi et al. (2019)"

    @property
    def nodes(self) -> list[str]:
        """Graph names, in order of first appearance."""
        return list(dict.fromkeys(name for edge in self.edges for name in edge))

    def canonical(self, name: str) -> str:
        """The graph name of the study optimizer ``name``."""
        return self.aliases.get(name, name)

    def includes(self) -> dict[str, set[str]]:
        """Transitive closure: graph name → every graph name that includes it."""
        up: dict[str, set[str]] = {n: set() for n in self.nodes}
        for low, high in self.edges:
            up[low].add(high)
        closure = {}
        for start in up:
            seen, stack = set(), list(up[start])
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(up[node])
            closure[start] = seen
        return closure

    def pairs(self, optimizers: Iterable[str]) -> list[tuple[str, str]]:
        """``(included, including)`` pairs among the study optimizers ``optimizers``,
        transitive relations included (SGD ⊆ Adam through Momentum even when
        Momentum is absent), sorted."""
        names = sorted(set(optimizers))
        closure = self.includes()
        return [(a, b) for a in names for b in names
                if b != a and self.canonical(b) in closure.get(self.canonical(a), ())]


def _find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle as a list of names (first repeated at the end), or None."""
    up: dict[str, list[str]] = {}
    for low, high in edges:
        up.setdefault(low, []).append(high)
        up.setdefault(high, [])
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in up[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return None

    for node in up:
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def parse_inclusion(spec: Any, source: str, *, error: type[Exception] = ParameterError
                    ) -> InclusionGraph:
    """Read ``{"edges": [[included, including], ...], "aliases": {...}}``.

    Parameters
    ----------
    spec : mapping
        The parsed JSON object.
    source : str
        Where it came from, named in every message (e.g. ``"study.json:
        inclusion"``).
    error : exception class
        Raised for a malformed graph (:class:`ParameterError` for an
        argument, :class:`DataError` for a file).

    Returns
    -------
    InclusionGraph

    Raises
    ------
    error
        If the object is malformed or the graph has a cycle.
    """
    if not isinstance(spec, Mapping):
        raise error(f"{source}: the inclusion graph must be an object "
                    f'{{"edges": [[included, including], ...], "aliases": {{...}}}}; '
                    f"got {type(spec).__name__}.")
    unknown = sorted(set(spec) - {"edges", "aliases"})
    if unknown:
        raise error(f"{source}: unknown field {unknown[0]!r} in the inclusion graph; "
                    "expected `edges` and `aliases`.")
    raw_edges = spec.get("edges")
    if not isinstance(raw_edges, list) or not raw_edges:
        raise error(f"{source}: `edges` must be a non-empty list of [included, including] "
                    f"pairs; got {raw_edges!r}.")
    edges = []
    for i, edge in enumerate(raw_edges):
        if (not isinstance(edge, (list, tuple)) or len(edge) != 2
                or not all(isinstance(n, str) and n for n in edge)):
            raise error(f"{source}: edges[{i}] must be a pair of optimizer names "
                        f"[included, including]; got {edge!r}.")
        edges.append((edge[0], edge[1]))
    aliases = spec.get("aliases", {}) or {}
    if not isinstance(aliases, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
        raise error(f"{source}: `aliases` must be an object of study name → graph name; "
                    f"got {aliases!r}.")
    cycle = _find_cycle(edges)
    if cycle:
        raise error(f"{source}: the inclusion graph has a cycle ({' ⊆ '.join(cycle)}); "
                    "inclusion must be a partial order.")
    return InclusionGraph(tuple(edges), dict(aliases), source)


def _default_graph(optimizers: Iterable[str]) -> InclusionGraph:
    known = {name for edge in DEFAULT_EDGES for name in edge}
    aliases = {name: name.lower() for name in optimizers if name.lower() in known}
    return InclusionGraph(DEFAULT_EDGES, aliases)


def inclusion_graph(study: Study, graph: Any = None) -> InclusionGraph:
    """The inclusion graph to check ``study`` against.

    Parameters
    ----------
    study : Study
    graph : InclusionGraph, mapping, str or Path, optional
        A graph, its JSON object, or a JSON file holding it. Default: the
        graph declared in ``study.json`` (``inclusion``), else the paper's
        graph (:data:`DEFAULT_EDGES`, names matched case-insensitively).

    Returns
    -------
    InclusionGraph
        Checked against the study's optimizers.

    Raises
    ------
    ParameterError
        A graph passed as an argument that is malformed, has a cycle or names
        an optimizer the study does not have.
    DataError
        The same problems in a graph read from a file or ``study.json``.
    """
    optimizers = sorted(study.trials["optimizer"].astype(str).unique())
    error: type[Exception] = ParameterError if graph is not None else DataError
    if graph is None and study.meta.inclusion is None:
        return _default_graph(optimizers)
    if graph is None:
        where = f"{study.source}/{STUDY_FILE}" if study.source else STUDY_FILE
        parsed = parse_inclusion(study.meta.inclusion, f"{where}: inclusion", error=DataError)
    elif isinstance(graph, InclusionGraph):
        parsed = graph
    elif isinstance(graph, Mapping):
        parsed = parse_inclusion(graph, "`graph`")
    elif isinstance(graph, (str, Path)):
        path = Path(graph)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise StudyFileError(f"{path}: cannot read the inclusion graph ({exc.strerror})."
                                 ) from None
        except json.JSONDecodeError as exc:
            raise StudyFileError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}).") from None
        parsed = parse_inclusion(doc, str(path), error=DataError)
        error = DataError
    else:
        raise ParameterError("`graph` must be an InclusionGraph, a mapping, or the path of a "
                             f"JSON file; got {type(graph).__name__}.")
    for name in parsed.aliases:
        if name not in optimizers:
            raise error(f"{parsed.source}: alias {name!r} is not an optimizer of the "
                        f"study; it has {', '.join(optimizers)}.")
    present = {parsed.canonical(name) for name in optimizers}
    known = {name for edge in DEFAULT_EDGES for name in edge}
    for name in parsed.nodes:
        if name not in present and name not in known:
            raise error(f"{parsed.source}: the inclusion graph names the optimizer "
                        f"{name!r}, which is not in the study (after aliases) nor one of the "
                        f"paper's optimizers; it has {', '.join(optimizers)}.")
    return parsed
