"""Measure alignment health on a synthetic organisation: 20,000 objectives, 30,000 links.

    .venv/bin/python scripts/measure_alignment.py [--objectives 20000] [--links 30000] [--runs 5]

Target (issue 6): alignment health of an organisation with 20,000 objectives and
30,000 links in under 2 s. This times the pure computation (headway.goals.alignment):
building the arrays from plain rows, then health for the whole organisation and for
one cycle, and a line of sight from the deepest objective. The database read that
feeds it is timed by the benchmark suite (`headway bench`). Prints medians and the
worst run. Timings, not tests: they depend on the machine and on what else it does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from headway.goals.alignment import (  # noqa: E402
    KEY_RESULT,
    OBJECTIVE,
    SUPPORTS,
    THEME,
    Edge,
    Node,
    ThemeNode,
    build_graph,
    health,
    lines_of_sight,
)
from headway.goals.alignment_text import LinkWording, Wording, links_to_check, possible_duplicates  # noqa: E402
from headway.text import get_engine  # noqa: E402

VERBS = ["Increase", "Reduce", "Grow", "Cut", "Raise", "Launch", "Ship", "Hire", "Win", "Make"]
THINGS = [
    "on-time delivery",
    "live tracking",
    "hub throughput",
    "mid-sized shippers",
    "driver status updates",
    "incident resolution",
    "route planning",
    "onboarding",
    "platform availability",
    "customer stories",
    "truck downtime",
    "pipeline quality",
    "alert coverage",
    "gross margin",
    "data quality",
]
QUALIFIERS = [
    "in Benelux",
    "in Germany",
    "for every customer",
    "this quarter",
    "across hubs",
    "without overtime",
]


def wording(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(THINGS)} {rng.choice(QUALIFIERS)}"


LEVEL_SHARES = (0.01, 0.09, 0.3, 0.6)  # objectives per team level, top down
THEMES = 12
CYCLES = 4


def synthetic(
    objectives: int, links: int, seed: int = 7
) -> tuple[list[Node], list[Edge], list[ThemeNode]]:
    """Objectives on four team levels over four cycles; every objective but about 3 %
    (orphans) has one parent a level up (a theme for the top level), and the rest of
    the links are second parents; 15 % of links support, 20 % go to a key result."""
    rng = random.Random(seed)
    themes = [ThemeNode(1_000_000 + t, team_id=None if t < 9 else 5_000 + t) for t in range(THEMES)]
    nodes: list[Node] = []
    by_level: list[list[int]] = [[] for _ in LEVEL_SHARES]
    for level, share in enumerate(LEVEL_SHARES):
        for _ in range(round(objectives * share)):
            pk = len(nodes) + 1
            private = rng.random() < 0.05
            nodes.append(
                Node(
                    pk,
                    team_id=level * 1000 + rng.randrange(10 * 4**level),
                    cycle_id=rng.randrange(CYCLES),
                    status="draft" if rng.random() < 0.03 else "active",
                    private=private,
                    progress=rng.random(),
                    level=level,
                    visible=not private or rng.random() < 0.5,
                )
            )
            by_level[level].append(pk)

    def parent_of(level: int, child: int) -> Edge:
        kind = SUPPORTS if rng.random() < 0.15 else "contributes"
        if level == 0:
            return Edge(child, rng.choice(themes).id, THEME, kind)
        parent_type = KEY_RESULT if rng.random() < 0.2 else OBJECTIVE
        return Edge(child, rng.choice(by_level[level - 1]), parent_type, kind)

    edges = []
    for level, ids in enumerate(by_level):
        edges += [parent_of(level, pk) for pk in ids if rng.random() > 0.03]
    while len(edges) < links:
        level = rng.randrange(len(LEVEL_SHARES))
        edges.append(parent_of(level, rng.choice(by_level[level])))
    return nodes, edges[:links], themes


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=20_000)
    parser.add_argument("--links", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engine", default="static", choices=["static", "lexical"])
    args = parser.parse_args()
    nodes, edges, themes = synthetic(args.objectives, args.links)
    rng = random.Random(3)
    texts = {n.id: wording(rng) for n in nodes}
    for t in themes:
        texts[t.id] = wording(rng)
    engine = get_engine(args.engine)
    wordings = [Wording(n.id, n.cycle_id, texts[n.id]) for n in nodes]
    link_wordings = [
        LinkWording(i, [texts[e.child], "Key result of " + texts[e.child]], [texts[e.parent]])
        for i, e in enumerate(edges)
    ]
    graph = build_graph(nodes, edges, themes)
    deepest = max(nodes, key=lambda n: n.level or 0).id
    rows = [
        ("build the arrays", lambda: build_graph(nodes, edges, themes)),
        ("health, whole organisation", lambda: health(graph)),
        ("health, one cycle", lambda: health(graph, cycle_id=1)),
        (
            "health, one bubble",
            lambda: health(graph, strategy_themes=[themes[-1].id], team_ids=range(3000, 3200)),
        ),
        (
            "build + health, one cycle",
            lambda: health(build_graph(nodes, edges, themes), cycle_id=1),
        ),
        ("line of sight, deepest objective", lambda: lines_of_sight(deepest, edges)),
        (f"duplicates, every cycle ({args.engine})", lambda: possible_duplicates(wordings, engine)),
        (
            f"links to check, all links ({args.engine})",
            lambda: links_to_check(link_wordings, engine),
        ),
    ]
    result = health(graph, cycle_id=1)
    print(
        f"{len(nodes):,} objectives, {len(edges):,} links, {len(themes)} themes; "
        f"cycle 1: {result.overall.total:,} counted, {result.overall.share:.0%} reach strategy; "
        f"median and worst of {args.runs} runs"
    )
    for label, work in rows:
        median, worst = timed(args.runs, work)
        print(f"  {label:<36} {median * 1000:8.1f} ms   (worst {worst * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
