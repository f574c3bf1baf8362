"""The alignment graph: line of sight and alignment health. No Django here.

Objectives are nodes; alignment links are edges from a child objective up to a parent
(a theme, an objective, or a key result, which stands for its objective here). A link
`contributes` (counts in the parent's progress) or `supports` (shown only).

- **Line of sight** (`lines_of_sight`): every chain from one objective up through its
  parents to a theme, each step with the kind of the link that leads to it.
- **Alignment health** (`health`): which objectives reach strategy (a theme) through
  any links, and which through `contributes` links only; per team, team level and
  cycle; how many links separate each objective from strategy (depth); orphans (no
  parent at all), dead ends (aligned, but the chain stops before a theme), themes
  nothing contributes to, and teams whose objectives only `support`.

Health walks the graph level by level over NumPy arrays (a breadth-first search from
the themes down, one vectorised step per level), so its cost follows the number of
links and the depth of the tree, never a Python loop per objective: 20,000 objectives
and 30,000 links take tens of milliseconds (docs/alignment.md).

Drafts are not counted: a draft is not yet a commitment, and an unaligned draft is
normal. Objectives the viewer may not see (`Node.visible=False`) still carry their
children's chains up to strategy, but are never counted or named: they appear only
as a number of private objectives.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

CONTRIBUTES = "contributes"
SUPPORTS = "supports"
THEME = "theme"
OBJECTIVE = "objective"
KEY_RESULT = "key_result"
DRAFT = "draft"

MAX_CHAINS = 20
MAX_CHAIN_LENGTH = 12

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


# --- input ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """An objective as alignment sees it.

    `level` is the depth of the owning team in the team tree (0 = the organisation's
    root team); None for a personal objective. `visible` says whether the person
    asking may see it.
    """

    id: int
    team_id: int | None
    cycle_id: int
    status: str = "active"
    private: bool = False
    progress: float | None = None
    level: int | None = None
    visible: bool = True


@dataclass(frozen=True)
class Edge:
    """An alignment link. `parent` is the theme's id for a theme parent, else the
    parent objective's id (the key result's objective for a key-result parent, whose
    own id is `key_result`)."""

    child: int
    parent: int
    parent_type: str = OBJECTIVE
    kind: str = CONTRIBUTES
    weight: float = 1.0
    key_result: int | None = None
    id: int | None = None

    @property
    def to_theme(self) -> bool:
        return self.parent_type == THEME


@dataclass(frozen=True)
class ThemeNode:
    """A strategic theme: the organisation's (`team_id` None) or a bubble root's."""

    id: int
    team_id: int | None = None
    archived: bool = False


# --- line of sight ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a chain: an objective or, at the top, a theme. `link` is the link
    that leads up to this step from the one below (None for the starting objective)."""

    type: str  # "objective" or "theme"
    id: int
    link: Edge | None = None


@dataclass(frozen=True)
class Chain:
    """A path from an objective upwards. `reaches_strategy` when it ends at a theme;
    otherwise it stops at an objective aligned to nothing (or was cut at the limit)."""

    steps: tuple[Step, ...]
    reaches_strategy: bool
    cut: bool = False

    @property
    def all_contribute(self) -> bool:
        return all(s.link is None or s.link.kind == CONTRIBUTES for s in self.steps)

    @property
    def theme_id(self) -> int | None:
        return self.steps[-1].id if self.reaches_strategy else None


def lines_of_sight(
    start: int,
    edges: Iterable[Edge],
    *,
    max_chains: int = MAX_CHAINS,
    max_length: int = MAX_CHAIN_LENGTH,
    budget: int = 5_000,
) -> list[Chain]:
    """Every chain from objective `start` up to a theme, best first.

    Chains that reach strategy come first, those made only of `contributes` links
    before the others, shorter before longer. A chain that stops at an objective
    aligned to nothing is listed too (it shows where alignment breaks). At most
    `max_chains` chains of at most `max_length` steps; a loop (which the services
    refuse) is cut rather than followed. Paths are extended breadth-first, so the
    shortest chains are always among those found, and at most `budget` partial
    paths are extended however many paths a tangled graph has.
    """
    up: dict[int, list[Edge]] = {}
    for edge in edges:
        up.setdefault(edge.child, []).append(edge)
    for links in up.values():
        links.sort(key=lambda e: (e.kind != CONTRIBUTES, not e.to_theme, e.parent))
    found: list[Chain] = []
    queue: deque[tuple[Step, ...]] = deque([(Step(OBJECTIVE, start),)])
    while queue and budget > 0 and len(found) < max_chains * 4:
        budget -= 1
        path = queue.popleft()
        parents = up.get(path[-1].id, [])
        if not parents or len(path) >= max_length:
            found.append(Chain(path, False, cut=bool(parents)))
            continue
        on_path = {s.id for s in path}
        for edge in parents:
            if edge.to_theme:
                found.append(Chain((*path, Step(THEME, edge.parent, edge)), True))
            elif edge.parent in on_path:
                found.append(Chain(path, False, cut=True))
            else:
                queue.append((*path, Step(OBJECTIVE, edge.parent, edge)))
    found.sort(key=lambda c: (not c.reaches_strategy, not c.all_contribute, len(c.steps)))
    return _unique(found)[:max_chains]


def _unique(chains: list[Chain]) -> list[Chain]:
    seen: set[tuple[tuple[str, int], ...]] = set()
    out = []
    for chain in chains:
        key = tuple((s.type, s.id) for s in chain.steps)
        if key not in seen:
            seen.add(key)
            out.append(chain)
    return out


# --- the graph as arrays ----------------------------------------------------------------


@dataclass
class Graph:
    """Objectives, themes and links as parallel arrays, indexed by position.

    Node columns: `ids`, `team`, `cycle`, `level` (-1 for none), `draft`, `visible`.
    Objective links: `child`, `parent` (positions), `contributes`. Theme links:
    `theme_child` (position), `theme` (position in `theme_ids`), `theme_contributes`.
    Links whose ends are not among the nodes or themes are left out.
    """

    ids: Ints
    team: Ints
    cycle: Ints
    level: Ints
    draft: Bools
    visible: Bools
    child: Ints
    parent: Ints
    contributes: Bools
    theme_ids: Ints
    theme_team: Ints
    theme_archived: Bools
    theme_child: Ints
    theme: Ints
    theme_contributes: Bools

    @property
    def size(self) -> int:
        return int(self.ids.size)


def _column(values: Iterable[int | None], count: int) -> Ints:
    return np.fromiter((-1 if v is None else v for v in values), dtype=np.int64, count=count)


def _positions(sorted_ids: Ints, order: Ints, wanted: Ints) -> tuple[Ints, Bools]:
    """Positions of `wanted` ids in the unsorted array whose argsort is `order`."""
    if sorted_ids.size == 0:
        return np.zeros(wanted.size, np.int64), np.zeros(wanted.size, np.bool_)
    at = np.searchsorted(sorted_ids, wanted).clip(0, sorted_ids.size - 1)
    found = sorted_ids[at] == wanted
    return order[at], found


def build_graph(nodes: Sequence[Node], edges: Sequence[Edge], themes: Sequence[ThemeNode]) -> Graph:
    """The arrays for `health`, from plain rows."""
    n, m = len(nodes), len(edges)
    ids = _column((x.id for x in nodes), n)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    t_ids = _column((t.id for t in themes), len(themes))
    t_order = np.argsort(t_ids, kind="stable")
    e_child = _column((e.child for e in edges), m)
    e_parent = _column((e.parent for e in edges), m)
    e_theme = np.fromiter((e.to_theme for e in edges), dtype=np.bool_, count=m)
    e_contrib = np.fromiter((e.kind == CONTRIBUTES for e in edges), dtype=np.bool_, count=m)
    child, child_ok = _positions(sorted_ids, order, e_child)
    parent, parent_ok = _positions(sorted_ids, order, e_parent)
    theme, theme_ok = _positions(t_ids[t_order], t_order, e_parent)
    objective_link = child_ok & parent_ok & ~e_theme
    theme_link = child_ok & theme_ok & e_theme
    return Graph(
        ids=ids,
        team=_column((x.team_id for x in nodes), n),
        cycle=_column((x.cycle_id for x in nodes), n),
        level=_column((x.level for x in nodes), n),
        draft=np.fromiter((x.status == DRAFT for x in nodes), dtype=np.bool_, count=n),
        visible=np.fromiter((x.visible for x in nodes), dtype=np.bool_, count=n),
        child=child[objective_link],
        parent=parent[objective_link],
        contributes=e_contrib[objective_link],
        theme_ids=t_ids,
        theme_team=_column((t.team_id for t in themes), len(themes)),
        theme_archived=np.fromiter((t.archived for t in themes), np.bool_, count=len(themes)),
        theme_child=child[theme_link],
        theme=theme[theme_link],
        theme_contributes=e_contrib[theme_link],
    )


def distance_to_strategy(
    graph: Graph, strategy: Bools | None = None, *, contributes_only: bool = False
) -> NDArray[np.int32]:
    """For each objective, the fewest links up to a strategy theme (1 = aligned to a
    theme directly); 0 where no chain reaches one.

    `strategy` masks `graph.theme_ids` (default: every theme not archived). With
    `contributes_only`, only chains made entirely of `contributes` links count.
    Breadth-first from the themes down: one vectorised step per level.
    """
    if strategy is None:
        strategy = ~graph.theme_archived
    n = graph.size
    distance = np.zeros(n, dtype=np.int32)
    seed = strategy[graph.theme] if graph.theme.size else np.zeros(0, np.bool_)
    child, parent = graph.child, graph.parent
    if contributes_only:
        seed = seed & graph.theme_contributes
        child, parent = child[graph.contributes], parent[graph.contributes]
    frontier = np.unique(graph.theme_child[seed])
    # Children grouped by parent (CSR), so each level gathers only its frontier's links.
    by_parent = np.argsort(parent, kind="stable")
    children = child[by_parent]
    starts = np.searchsorted(parent[by_parent], np.arange(n + 1))
    level = 1
    while frontier.size:
        distance[frontier] = level
        begin, count = starts[frontier], starts[frontier + 1] - starts[frontier]
        total = int(count.sum())
        if total == 0:
            break
        offsets = np.repeat(begin - np.cumsum(count) + count, count) + np.arange(total)
        candidates = children[offsets]
        frontier = np.unique(candidates[distance[candidates] == 0])
        level += 1
    return distance


# --- health -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """How many counted objectives of one group reach strategy.

    `total` counts the objectives the viewer may see; `private` the others, which are
    never in a share. `reaching` is through links of any kind; `contributing` through
    `contributes` links only, so `reaching - contributing` reach it only because some
    link on every chain merely supports. `depth_sum` adds the links-to-strategy of
    those reaching it, for a mean depth.
    """

    key: int | None
    total: int
    reaching: int
    contributing: int
    private: int = 0
    depth_sum: int = 0

    @property
    def share(self) -> float | None:
        return self.reaching / self.total if self.total else None

    @property
    def contributing_share(self) -> float | None:
        return self.contributing / self.total if self.total else None

    @property
    def supports_only(self) -> int:
        return self.reaching - self.contributing

    @property
    def not_reaching(self) -> int:
        return self.total - self.reaching

    @property
    def mean_depth(self) -> float | None:
        return self.depth_sum / self.reaching if self.reaching else None


@dataclass(frozen=True)
class Health:
    """Alignment health of one scope (organisation, bubble or team) in one cycle.

    Object lists hold ids, best known first: `orphans` and `dead_ends` only objectives
    the viewer may see. `depth` maps links-to-strategy to a number of objectives.
    `per_cycle` ignores the cycle filter: it is the trend.
    """

    overall: Share
    per_team: list[Share]
    per_level: list[Share]
    per_cycle: list[Share]
    depth: dict[int, int]
    orphans: list[int]
    dead_ends: list[int]
    themes_without_contributors: list[int]
    teams_only_supporting: list[int]
    drafts: int
    private_orphans: int = 0
    strategy_themes: list[int] = field(default_factory=list)


def _shares(
    keys: Ints, visible: Bools, reach: NDArray[np.int32], contrib: NDArray[np.int32]
) -> list[Share]:
    """One Share per distinct key (-1 → None), in key order."""
    if keys.size == 0:
        return []
    values, inverse = np.unique(keys, return_inverse=True)
    groups = values.size

    def count(mask: Bools, weights: NDArray[np.int32] | None = None) -> Ints:
        w = mask.astype(np.int64) if weights is None else np.where(mask, weights, 0)
        return np.bincount(inverse, weights=w, minlength=groups).astype(np.int64)

    total = count(visible)
    reaching = count(visible & (reach > 0))
    contributing = count(visible & (contrib > 0))
    private = count(~visible)
    depth = count(visible & (reach > 0), reach)
    return [
        Share(
            None if values[i] < 0 else int(values[i]),
            int(total[i]),
            int(reaching[i]),
            int(contributing[i]),
            int(private[i]),
            int(depth[i]),
        )
        for i in range(groups)
    ]


def health(
    graph: Graph,
    *,
    strategy_themes: Collection[int] | None = None,
    team_ids: Collection[int] | None = None,
    cycle_id: int | None = None,
    theme_cycles: Collection[int] | None = None,
) -> Health:
    """Alignment health of the objectives of `team_ids` (all when None) in `cycle_id`
    (all when None), against `strategy_themes` (every theme not archived when None).

    The whole graph carries chains upwards, so an objective whose parent lies outside
    the scope (another team, an enclosing year) still reaches strategy through it.
    A theme has a contributor when an objective of the scope in `theme_cycles` (the
    cycles overlapping `cycle_id`, say; by default `cycle_id` only) contributes to it:
    a quarter's themes are usually served by the year's objectives.
    """
    strategy = ~graph.theme_archived
    if strategy_themes is not None:
        strategy &= np.isin(graph.theme_ids, np.fromiter(strategy_themes, np.int64))
    reach = distance_to_strategy(graph, strategy)
    contrib = distance_to_strategy(graph, strategy, contributes_only=True)
    scope = ~graph.draft
    if team_ids is not None:
        scope &= np.isin(graph.team, np.fromiter(team_ids, np.int64))
    counted = scope if cycle_id is None else scope & (graph.cycle == cycle_id)
    drafts = graph.draft & (graph.cycle == cycle_id if cycle_id is not None else True)
    if team_ids is not None:
        drafts &= np.isin(graph.team, np.fromiter(team_ids, np.int64))
    visible = graph.visible

    def shares(keys: Ints, mask: Bools) -> list[Share]:
        return _shares(keys[mask], visible[mask], reach[mask], contrib[mask])

    overall = shares(np.zeros(graph.size, np.int64), counted)
    has_parent = np.zeros(graph.size, np.bool_)
    has_parent[graph.child] = True
    has_parent[graph.theme_child] = True
    orphan = counted & ~has_parent
    dead_end = counted & has_parent & (reach == 0)
    depths, counts = np.unique(reach[counted & visible & (reach > 0)], return_counts=True)
    return Health(
        overall=overall[0] if overall else Share(0, 0, 0, 0),
        per_team=shares(graph.team, counted),
        per_level=shares(graph.level, counted),
        per_cycle=shares(graph.cycle, scope),
        depth={int(d): int(c) for d, c in zip(depths, counts, strict=True)},
        orphans=[int(i) for i in graph.ids[orphan & visible]],
        dead_ends=[int(i) for i in graph.ids[dead_end & visible]],
        themes_without_contributors=_themes_without_contributors(
            graph, strategy, _in_cycles(scope, graph, theme_cycles) if theme_cycles else counted
        ),
        teams_only_supporting=_teams_only_supporting(graph, counted),
        drafts=int(drafts.sum()),
        private_orphans=int((orphan & ~visible).sum()),
        strategy_themes=[int(t) for t in graph.theme_ids[strategy]],
    )


def _in_cycles(scope: Bools, graph: Graph, cycles: Collection[int]) -> Bools:
    return scope & np.isin(graph.cycle, np.fromiter(cycles, np.int64, count=len(cycles)))


def _themes_without_contributors(graph: Graph, strategy: Bools, counted: Bools) -> list[int]:
    """Strategy themes no counted objective contributes to directly (private ones
    count: the theme has a contributor, whoever may see it)."""
    contributed = np.zeros(graph.theme_ids.size, np.bool_)
    live = graph.theme_contributes & counted[graph.theme_child]
    contributed[graph.theme[live]] = True
    return [int(t) for t in graph.theme_ids[strategy & ~contributed]]


def _teams_only_supporting(graph: Graph, counted: Bools) -> list[int]:
    """Teams with aligned objectives in scope whose every link is `supports`: nothing
    they achieve counts in any progress above them."""
    child = np.concatenate([graph.child, graph.theme_child])
    kinds = np.concatenate([graph.contributes, graph.theme_contributes])
    live = counted[child] & (graph.team[child] >= 0)
    teams = graph.team[child[live]]
    supporting = np.unique(teams[~kinds[live]])
    contributing = np.unique(teams[kinds[live]])
    return [int(t) for t in np.setdiff1d(supporting, contributing)]


# --- status on the map ------------------------------------------------------------------

ON_TRACK, AT_RISK, OFF_TRACK, NOT_MEASURED = "on-track", "at-risk", "off-track", "not-measured"
STATUS_LABELS = {
    ON_TRACK: "on track",
    AT_RISK: "at risk",
    OFF_TRACK: "off track",
    NOT_MEASURED: "not measured",
    DRAFT: "draft",
    "closed": "closed",
}
AT_RISK_GAP, OFF_TRACK_GAP = 0.10, 0.25


def progress_status(status: str, progress: float | None, expected: float) -> str:
    """How an objective stands against a steady pace, for the map's colours.

    `expected` is the share of its cycle behind us (0..1). More than 10 points behind
    pace is at risk, more than 25 off track. Drafts and closed objectives say so
    instead. (The pace and flag rules of course correction refine this later; the
    map only needs a coarse, explained band.)
    """
    if status in (DRAFT, "closed"):
        return status
    if progress is None:
        return NOT_MEASURED
    gap = min(max(expected, 0.0), 1.0) - progress
    if gap > OFF_TRACK_GAP:
        return OFF_TRACK
    if gap > AT_RISK_GAP:
        return AT_RISK
    return ON_TRACK


# --- bubbles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """How a bubble's counted objectives reach strategy: its own themes, the
    organisation's, or both (the bubble is connected to the organisation through
    `both` of them). Only objectives the viewer may see are counted."""

    total: int
    own: int
    organisation: int
    both: int


def bubble_connection(
    graph: Graph,
    *,
    bubble_themes: Collection[int],
    organisation_themes: Collection[int],
    team_ids: Collection[int],
    cycle_id: int | None = None,
) -> Connection:
    """Which objectives of a bubble (its teams, `team_ids`) reach its own themes, the
    organisation's themes, or both."""

    def mask(theme_ids: Collection[int]) -> Bools:
        wanted = np.fromiter(theme_ids, np.int64, count=len(theme_ids))
        return np.isin(graph.theme_ids, wanted) & ~graph.theme_archived

    own = distance_to_strategy(graph, mask(bubble_themes)) > 0
    organisation = distance_to_strategy(graph, mask(organisation_themes)) > 0
    counted = ~graph.draft & graph.visible
    counted &= np.isin(graph.team, np.fromiter(team_ids, np.int64, count=len(team_ids)))
    if cycle_id is not None:
        counted &= graph.cycle == cycle_id
    return Connection(
        int(counted.sum()),
        int((counted & own).sum()),
        int((counted & organisation).sum()),
        int((counted & own & organisation).sum()),
    )
