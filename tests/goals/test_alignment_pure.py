"""The alignment graph without a database: line of sight and alignment health.

One small organisation, drawn once, carries every case (ids are objectives, T* themes):

    T1 (org)        T2 (org)     T3 (bubble of team 50)     T4 (org, archived)
     ^ c                          ^ c                        ^ c
     1 team 10, level 0           7 team 50                  8 team 60
     ^ c            ^ c (private, hidden)   ^ s (personal)
     2 team 20      10 team 30              12 no team
     ^ s    ^ c via a key result
     3      4  team 30, level 2
     ^ s
    13 team 70

    5 team 40 (orphan)  <-c-  6 team 40 (dead end)
    9 team 20 (draft, no links)      11 team 30 (private, hidden, no links)
"""

from __future__ import annotations

import random
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headway.goals.alignment import (
    AT_RISK,
    CONTRIBUTES,
    KEY_RESULT,
    NOT_MEASURED,
    OFF_TRACK,
    ON_TRACK,
    SUPPORTS,
    THEME,
    Edge,
    Node,
    ThemeNode,
    build_graph,
    distance_to_strategy,
    health,
    lines_of_sight,
    progress_status,
)

T1, T2, T3, T4 = 101, 102, 103, 104
C, S = CONTRIBUTES, SUPPORTS

NODES = [
    Node(1, team_id=10, cycle_id=1, level=0, progress=0.5),
    Node(2, team_id=20, cycle_id=1, level=1),
    Node(3, team_id=30, cycle_id=1, level=2),
    Node(4, team_id=30, cycle_id=1, level=2),
    Node(5, team_id=40, cycle_id=1, level=1),
    Node(6, team_id=40, cycle_id=1, level=1),
    Node(7, team_id=50, cycle_id=1, level=1),
    Node(8, team_id=60, cycle_id=1, level=1),
    Node(9, team_id=20, cycle_id=1, level=1, status="draft"),
    Node(10, team_id=30, cycle_id=1, level=2, private=True, visible=False),
    Node(11, team_id=30, cycle_id=1, level=2, private=True, visible=False),
    Node(12, team_id=None, cycle_id=1, level=None),
    Node(13, team_id=70, cycle_id=1, level=3),
    # the previous quarter: one objective, aligned; one orphan
    Node(21, team_id=10, cycle_id=0, level=0),
    Node(22, team_id=20, cycle_id=0, level=1),
]
EDGES = [
    Edge(1, T1, THEME),
    Edge(2, 1),
    Edge(3, 2, kind=S),
    Edge(4, 2, KEY_RESULT, key_result=900),
    Edge(6, 5),
    Edge(7, T3, THEME),
    Edge(8, T4, THEME),
    Edge(10, 1),
    Edge(12, 1, kind=S),
    Edge(13, 3, kind=S),
    Edge(21, T1, THEME),
]
# Links whose ends are unknown are left out of the graph.
STRAY = [Edge(99, 1), Edge(1, 999, THEME), Edge(2, 998)]
THEMES = [ThemeNode(T1), ThemeNode(T2), ThemeNode(T3, team_id=50), ThemeNode(T4, archived=True)]


@pytest.fixture(scope="module")
def graph():
    return build_graph(NODES, EDGES + STRAY, THEMES)


def by_id(graph, values):
    return {int(i): int(v) for i, v in zip(graph.ids, values, strict=True)}


# --- distance to strategy -------------------------------------------------------------

DISTANCES = [
    # (case, contributes only, expected links to strategy per objective; 0 = never)
    (
        "any kind of link",
        False,
        {1: 1, 2: 2, 3: 3, 4: 3, 5: 0, 6: 0, 7: 1, 8: 0, 9: 0, 10: 2, 11: 0, 12: 2, 13: 4},
    ),
    (
        "contributes links only",
        True,
        {1: 1, 2: 2, 3: 0, 4: 3, 5: 0, 6: 0, 7: 1, 8: 0, 9: 0, 10: 2, 11: 0, 12: 0, 13: 0},
    ),
]


@pytest.mark.parametrize(("case", "contributes_only", "expected"), DISTANCES)
def test_distance_to_strategy(graph, case, contributes_only, expected):
    got = by_id(graph, distance_to_strategy(graph, contributes_only=contributes_only))
    assert {k: got[k] for k in expected} == expected


def test_an_archived_theme_is_not_strategy(graph):
    assert by_id(graph, distance_to_strategy(graph))[8] == 0


# --- health ---------------------------------------------------------------------------

HEALTH = [
    # (case, health() arguments, expected figures)
    (
        "the organisation in the cycle",
        {"cycle_id": 1},
        {
            "overall": (10, 7, 4, 2),  # total visible, reaching, contributing, private
            "depth": {1: 2, 2: 2, 3: 2, 4: 1},
            "orphans": [5],
            "private_orphans": 1,
            "dead_ends": [6, 8],
            "themes_without_contributors": [T2],
            "teams_only_supporting": [70],
            "drafts": 1,
        },
    ),
    (
        "one team",
        {"cycle_id": 1, "team_ids": [30]},
        {
            "overall": (2, 2, 1, 2),
            "depth": {3: 2},
            "orphans": [],
            "private_orphans": 1,
            "dead_ends": [],
            "teams_only_supporting": [],
            "drafts": 0,
        },
    ),
    (
        "a bubble against its own themes",
        {"cycle_id": 1, "team_ids": [50], "strategy_themes": [T3]},
        {
            "overall": (1, 1, 1, 0),
            "depth": {1: 1},
            "themes_without_contributors": [],
            "strategy_themes": [T3],
        },
    ),
    (
        "the organisation against one theme: the bubble does not reach it",
        {"cycle_id": 1, "strategy_themes": [T1]},
        {"overall": (10, 6, 3, 2), "dead_ends": [6, 7, 8]},
    ),
    (
        "every cycle",
        {},
        {"overall": (12, 8, 5, 2), "orphans": [5, 22]},
    ),
]


@pytest.mark.parametrize(("case", "arguments", "expected"), HEALTH, ids=[h[0] for h in HEALTH])
def test_health(graph, case, arguments, expected):
    result = health(graph, **arguments)
    for name, value in expected.items():
        if name == "overall":
            o = result.overall
            assert (o.total, o.reaching, o.contributing, o.private) == value
        else:
            assert getattr(result, name) == value, name


def test_health_per_team_level_and_cycle(graph):
    result = health(graph, cycle_id=1)
    teams = {s.key: (s.total, s.reaching, s.contributing, s.private) for s in result.per_team}
    assert teams[30] == (2, 2, 1, 2)
    assert teams[None] == (1, 1, 0, 0)  # the personal objective
    assert teams[40] == (2, 0, 0, 0)
    levels = {s.key: (s.total, s.reaching, s.mean_depth) for s in result.per_level}
    assert levels[2] == (2, 2, 3.0)
    assert levels[1] == (5, 2, 1.5)
    cycles = {s.key: (s.total, s.reaching) for s in result.per_cycle}
    assert cycles == {0: (2, 1), 1: (10, 7)}  # the trend ignores the cycle filter


def test_a_share_explains_itself():
    result = health(build_graph(NODES, EDGES, THEMES), cycle_id=1).overall
    assert result.share == pytest.approx(0.7)
    assert result.contributing_share == pytest.approx(0.4)
    assert result.supports_only == 3
    assert result.not_reaching == 3
    assert result.mean_depth == pytest.approx((1 * 2 + 2 * 2 + 3 * 2 + 4) / 7)


def test_an_empty_organisation_has_no_shares():
    result = health(build_graph([], [], []))
    assert result.overall.total == 0 and result.overall.share is None
    assert result.per_team == [] and result.depth == {} and result.orphans == []


def test_a_theme_with_only_a_private_contributor_is_not_reported_empty():
    nodes = [Node(1, 10, 1, private=True, visible=False)]
    result = health(build_graph(nodes, [Edge(1, T1, THEME)], [ThemeNode(T1)]))
    assert result.themes_without_contributors == []
    assert result.overall.total == 0 and result.overall.private == 1


def test_a_theme_served_by_an_enclosing_cycle_has_contributors():
    nodes = [Node(1, 10, cycle_id=2024), Node(2, 10, cycle_id=1)]  # a year, and its quarter
    edges = [Edge(1, T1, THEME), Edge(2, 1)]
    graph = build_graph(nodes, edges, [ThemeNode(T1)])
    assert health(graph, cycle_id=1).themes_without_contributors == [T1]
    assert health(graph, cycle_id=1, theme_cycles=[1, 2024]).themes_without_contributors == []


def test_a_theme_only_supported_counts_as_without_contributors():
    nodes = [Node(1, 10, 1)]
    result = health(build_graph(nodes, [Edge(1, T1, THEME, kind=S)], [ThemeNode(T1)]))
    assert result.themes_without_contributors == [T1]
    assert result.teams_only_supporting == [10]


# --- line of sight --------------------------------------------------------------------


def chain_ids(chain):
    return [(s.type[0], s.id, s.link.kind[0] if s.link else None) for s in chain.steps]


SIGHT = [
    # (case, start, extra edges, expected chains as [(type, id, link kind)], reaches strategy)
    (
        "through a key result up to the theme",
        4,
        [],
        [([("o", 4, None), ("o", 2, "c"), ("o", 1, "c"), ("t", T1, "c")], True)],
    ),
    (
        "a supports link stays in the chain and says so",
        13,
        [],
        [([("o", 13, None), ("o", 3, "s"), ("o", 2, "s"), ("o", 1, "c"), ("t", T1, "c")], True)],
    ),
    ("an orphan's only chain is itself", 5, [], [([("o", 5, None)], False)]),
    ("a dead end stops where alignment breaks", 6, [], [([("o", 6, None), ("o", 5, "c")], False)]),
    (
        "contributing chains first, then shorter ones",
        14,
        [Edge(14, T2, THEME, kind=S), Edge(14, 2)],
        [
            ([("o", 14, None), ("o", 2, "c"), ("o", 1, "c"), ("t", T1, "c")], True),
            ([("o", 14, None), ("t", T2, "s")], True),
        ],
    ),
    (
        "a loop is cut, never followed",
        31,
        [Edge(31, 32), Edge(32, 31)],
        [([("o", 31, None), ("o", 32, "c")], False)],
    ),
]


@pytest.mark.parametrize(("case", "start", "extra", "expected"), SIGHT, ids=[s[0] for s in SIGHT])
def test_lines_of_sight(case, start, extra, expected):
    chains = lines_of_sight(start, [*EDGES, *extra])
    assert [(chain_ids(c), c.reaches_strategy) for c in chains] == expected


def test_a_chain_knows_its_theme_and_whether_everything_contributes():
    (chain,) = lines_of_sight(4, EDGES)
    assert chain.theme_id == T1 and chain.all_contribute
    assert chain.steps[1].link.key_result == 900
    (chain,) = lines_of_sight(3, EDGES)
    assert not chain.all_contribute


def test_many_paths_are_capped():
    # 2^10 paths through a ladder of diamonds: only the first few are listed.
    edges = [Edge(0, T1, THEME)]
    for level in range(10):
        top, a, b, bottom = 3 * level, 3 * level + 1, 3 * level + 2, 3 * level + 3
        edges += [Edge(a, top), Edge(b, top), Edge(bottom, a), Edge(bottom, b)]
    chains = lines_of_sight(30, edges, max_chains=5, max_length=40)
    assert len(chains) == 5 and all(c.reaches_strategy for c in chains)
    short = lines_of_sight(30, edges, max_length=4)
    assert short and all(c.cut and not c.reaches_strategy for c in short)


# --- status -----------------------------------------------------------------------------

STATUS = [
    ("active", 0.5, 0.5, ON_TRACK),
    ("active", 0.45, 0.5, ON_TRACK),
    ("active", 0.35, 0.5, AT_RISK),
    ("active", 0.2, 0.5, OFF_TRACK),
    ("active", 0.0, 0.05, ON_TRACK),
    ("active", 1.0, 0.3, ON_TRACK),
    ("active", None, 0.5, NOT_MEASURED),
    ("draft", 0.1, 0.9, "draft"),
    ("closed", 0.1, 0.9, "closed"),
]


@pytest.mark.parametrize(("status", "progress", "expected_pace", "band"), STATUS)
def test_progress_status(status, progress, expected_pace, band):
    assert progress_status(status, progress, expected_pace) == band


# --- the vectorised walk equals a plain one -------------------------------------------


def naive_distances(nodes, edges, contributes_only):
    parents: dict[int, list[Edge]] = {}
    for e in edges:
        if not contributes_only or e.kind == CONTRIBUTES:
            parents.setdefault(e.child, []).append(e)
    out = {}
    for node in nodes:
        best, queue, seen = 0, deque([(node.id, 0)]), {node.id}
        while queue and not best:
            current, hops = queue.popleft()
            for e in parents.get(current, []):
                if e.to_theme:
                    best = hops + 1
                    break
                if e.parent not in seen:
                    seen.add(e.parent)
                    queue.append((e.parent, hops + 1))
        out[node.id] = best
    return out


def random_dag(seed: int, size: int):
    rng = random.Random(seed)
    nodes = [Node(i, rng.randrange(5), 1) for i in range(size)]
    edges = []
    for i in range(size):
        if rng.random() < 0.3:
            edges.append(Edge(i, T1, THEME, kind=rng.choice([C, S])))
        for _ in range(rng.randrange(3)):
            if i:
                edges.append(Edge(i, rng.randrange(i), kind=rng.choice([C, S])))
    return nodes, edges


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 60), st.booleans())
def test_the_level_by_level_walk_matches_a_plain_search(seed, size, contributes_only):
    nodes, edges = random_dag(seed, size)
    graph = build_graph(nodes, edges, [ThemeNode(T1)])
    got = by_id(graph, distance_to_strategy(graph, contributes_only=contributes_only))
    assert got == naive_distances(nodes, edges, contributes_only)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40))
def test_every_chain_is_made_of_real_links_and_the_shortest_matches_the_distance(seed, size):
    nodes, edges = random_dag(seed, size)
    graph = build_graph(nodes, edges, [ThemeNode(T1)])
    distance = by_id(graph, distance_to_strategy(graph))
    links = {(e.child, e.parent, e.parent_type) for e in edges}
    for node in nodes[:10]:
        chains = lines_of_sight(node.id, edges, max_chains=50, max_length=60)
        for chain in chains:
            for below, above in zip(chain.steps, chain.steps[1:], strict=False):
                assert (below.id, above.id, above.link.parent_type) in links
        reaching = [len(c.steps) - 1 for c in chains if c.reaches_strategy]
        if distance[node.id]:
            assert min(reaching) == distance[node.id]
        else:
            assert not reaching


# --- bubbles ----------------------------------------------------------------------------


def test_a_bubble_connects_through_objectives_that_reach_both_strategies():
    from headway.goals.alignment import bubble_connection

    nodes = [Node(1, 50, 1), Node(2, 50, 1), Node(3, 51, 1), Node(4, 50, 1, visible=False)]
    edges = [
        Edge(1, T3, THEME),  # the bubble's own theme only
        Edge(2, T3, THEME),
        Edge(2, T1, THEME, kind=S),  # and the organisation's: connected
        Edge(3, 2),  # a team of the bubble, through 2
        Edge(4, T1, THEME),  # hidden: not counted
    ]
    graph = build_graph(nodes, edges, THEMES)
    connection = bubble_connection(
        graph, bubble_themes=[T3], organisation_themes=[T1, T2], team_ids=[50, 51], cycle_id=1
    )
    assert (connection.total, connection.own, connection.organisation, connection.both) == (
        3,
        3,
        2,
        2,
    )
    alone = bubble_connection(
        graph, bubble_themes=[T3], organisation_themes=[T2], team_ids=[50, 51]
    )
    assert alone.both == 0 and alone.own == 3
