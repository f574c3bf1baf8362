"""Alignment health of the organisation, a bubble or a team, in one cycle.

The whole organisation's graph is read as columns in a few queries (objectives,
links, themes, teams) and handed to the pure `alignment.health`; the wording checks
read the texts of the counted objectives and their parents and go through
`alignment_text`. Objectives the member may not see are counted as private, never
named.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet

from headway.accounts.models import Membership
from headway.teams.models import Team
from headway.teams.selectors import team_subtree
from headway.text import Engine, ModelNotFoundError, get_engine

from .. import alignment, alignment_text
from ..models import AlignmentLink, Cycle, KeyResult, Objective, ObjectiveStatus, Theme, Visibility
from ..selectors import objectives_visible
from .common import organisation_edges

LISTED = 50  # objects listed per finding; the rest are counted


def text_engine() -> Engine:
    """The engine for the wording checks: `HEADWAY_TEXT_ENGINE` (static by default),
    falling back to the lexical one if the model's files are missing."""
    name = getattr(settings, "HEADWAY_TEXT_ENGINE", "static")
    try:
        return get_engine(name)
    except ModelNotFoundError:
        return get_engine("lexical")


# --- the graph --------------------------------------------------------------------------


@dataclass
class OrganisationGraph:
    """The organisation's alignment graph and what names its parts."""

    graph: alignment.Graph
    teams: list[Team]  # depth-first, with tree_depth
    themes: dict[int, Theme]
    bubble_of: dict[int, int | None]  # team → its nearest bubble root (itself included)

    def subtree(self, team: Team) -> list[int]:
        """The team and every team below it (the tree is in depth-first order)."""
        ids, inside = [], False
        for t in self.teams:
            if t.pk == team.pk:
                inside, depth = True, t.tree_depth
            elif inside and t.tree_depth <= depth:
                break
            if inside:
                ids.append(t.pk)
        return ids

    def bubble_for(self, team: Team | None) -> Team | None:
        root = self.bubble_of.get(team.pk) if team else None
        return next((t for t in self.teams if t.pk == root), None)


def team_tree_order(member: Membership) -> list[Team]:
    """The organisation's teams depth-first (siblings by name), each with `tree_depth`:
    one plain query and a walk in Python, cheaper than the recursive tree query for
    thousands of teams when every team is needed anyway."""
    teams = list(
        Team.objects.filter(organisation_id=member.organisation_id).only(
            "pk", "parent_id", "name", "slug", "is_bubble_root", "strategy_statement"
        )
    )
    children: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team)
    ordered: list[Team] = []
    stack = [(t, 0) for t in sorted(children[None], key=lambda t: t.name.lower(), reverse=True)]
    while stack:
        team, depth = stack.pop()
        team.tree_depth = depth
        ordered.append(team)
        below = sorted(children[team.pk], key=lambda t: t.name.lower(), reverse=True)
        stack.extend((child, depth + 1) for child in below)
    return ordered


def organisation_graph(member: Membership, visible: QuerySet[Objective]) -> OrganisationGraph:
    """Every objective, link and theme of the organisation as arrays: five queries."""
    org = member.organisation_id
    teams = team_tree_order(member)
    depth = {t.pk: t.tree_depth for t in teams}
    bubble_of: dict[int, int | None] = {}
    for team in teams:  # parents come before their children
        bubble_of[team.pk] = team.pk if team.is_bubble_root else bubble_of.get(team.parent_id)
    seen = set(visible.values_list("pk", flat=True))
    nodes = [
        alignment.Node(
            pk,
            team,
            cycle,
            status,
            visibility == Visibility.PRIVATE,
            None,
            depth.get(team),
            pk in seen,
        )
        for pk, team, cycle, status, visibility in Objective.objects.filter(
            organisation_id=org
        ).values_list("pk", "owner_team_id", "cycle_id", "status", "visibility")
    ]
    edges = organisation_edges(org)
    themes = {t.pk: t for t in Theme.objects.filter(organisation_id=org).select_related("team")}
    theme_nodes = [
        alignment.ThemeNode(t.pk, t.team_id, t.archived_at is not None) for t in themes.values()
    ]
    graph = alignment.build_graph(nodes, edges, theme_nodes)
    return OrganisationGraph(graph, teams, themes, bubble_of)


# --- findings ---------------------------------------------------------------------------


@dataclass
class Ref:
    """An object a finding names: an objective, a theme or a team."""

    type: str
    id: int
    title: str
    slug: str = ""  # a team's
    owner: str = ""  # an objective's team or person


@dataclass
class FindingItem:
    refs: list[Ref]  # one object; or two: a pair of objectives, a link's child and parent
    score: float | None = None
    note: str = ""


@dataclass
class Finding:
    code: str
    title: str
    why: str
    items: list[FindingItem]
    count: int
    private: int = 0


WHY = {
    "orphans": (
        "Nobody above can see how they help, and their progress counts nowhere. Align each "
        "to a theme or to an objective one level up, or ask whether it is needed."
    ),
    "dead_ends": (
        "They look aligned, but the objective their chain stops at is aligned to nothing "
        "(or to an archived theme), so nothing connects them to strategy. Align the objective "
        "where the chain stops."
    ),
    "themes_without_contributors": (
        "A priority with no committed work will not move. Someone should take it on this "
        "cycle, or say openly that it is not a priority now."
    ),
    "teams_only_supporting": (
        "Every link of their objectives is 'supports', so nothing they achieve counts in any "
        "progress above them. Where their work moves a parent's measure, make the link "
        "'contributes'."
    ),
    "duplicates": (
        "Two teams may be doing the same work without knowing it, or one copied its parent's "
        "words instead of saying what it will change itself. Talk, then merge or reword."
    ),
    "links_to_check": (
        "The child's wording shares no meaning with its parent's. The link may be a mistake, "
        "or the reason for it is not written down: say in the description how one drives the "
        "other. Headway never changes a link by itself."
    ),
}


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _objective_refs(visible: QuerySet[Objective], ids: list[int]) -> dict[int, Ref]:
    rows = visible.filter(pk__in=ids).select_related("owner_team", "owner_user")
    return {o.pk: Ref("objective", o.pk, o.title, owner=o.owner_name) for o in rows}


def _graph_findings(
    result: alignment.Health,
    og: OrganisationGraph,
    visible: QuerySet[Objective],
    cycle: Cycle,
) -> list[Finding]:
    listed = result.orphans[:LISTED] + result.dead_ends[:LISTED]
    objectives = _objective_refs(visible, listed)
    teams = {t.pk: t for t in og.teams}

    def objective_items(ids: list[int]) -> list[FindingItem]:
        return [FindingItem([objectives[i]]) for i in ids[:LISTED] if i in objectives]

    orphans = len(result.orphans)
    findings = [
        Finding(
            "orphans",
            f"{_plural(orphans, 'objective is', 'objectives are')} aligned to nothing",
            WHY["orphans"],
            objective_items(result.orphans),
            orphans,
            result.private_orphans,
        ),
        Finding(
            "dead_ends",
            f"{_plural(len(result.dead_ends), 'objective is', 'objectives are')} aligned, "
            "but the chain stops before strategy",
            WHY["dead_ends"],
            objective_items(result.dead_ends),
            len(result.dead_ends),
        ),
        Finding(
            "themes_without_contributors",
            f"{_plural(len(result.themes_without_contributors), 'strategic theme has', 'strategic themes have')} "
            f"no objective contributing in {cycle.name} or the cycles around it",
            WHY["themes_without_contributors"],
            [
                FindingItem([Ref("theme", t, og.themes[t].title)])
                for t in result.themes_without_contributors
            ],
            len(result.themes_without_contributors),
        ),
        Finding(
            "teams_only_supporting",
            f"{_plural(len(result.teams_only_supporting), 'team only supports', 'teams only support')}",
            WHY["teams_only_supporting"],
            [
                FindingItem([Ref("team", t, teams[t].name, teams[t].slug)])
                for t in result.teams_only_supporting
                if t in teams
            ],
            len(result.teams_only_supporting),
        ),
    ]
    return findings


def _semantic_findings(
    member: Membership,
    visible: QuerySet[Objective],
    counted: QuerySet[Objective],
    cycle: Cycle,
    engine: Engine,
) -> list[Finding]:
    texts = _texts(counted)
    found = alignment_text.find_duplicates(
        [alignment_text.Wording(pk, cycle.pk, title) for pk, (title, _) in texts.items()],
        engine,
        limit=LISTED,
    )
    duplicates = found.pairs
    links, phrases = _link_wordings(member, visible, counted, texts)
    to_check = alignment_text.links_to_check(links, engine)
    return [
        Finding(
            "duplicates",
            f"{_plural(found.total, 'pair of objectives reads', 'pairs of objectives read')} "
            f"almost the same in {cycle.name}",
            WHY["duplicates"],
            [
                FindingItem(
                    [
                        Ref("objective", d.first, texts[d.first][0]),
                        Ref("objective", d.second, texts[d.second][0]),
                    ],
                    d.score,
                )
                for d in duplicates
            ],
            found.total,
        ),
        Finding(
            "links_to_check",
            f"{_plural(len(to_check), 'link', 'links')} to check: the wording of child and "
            "parent is unrelated",
            WHY["links_to_check"],
            [FindingItem(phrases[c.id][0], c.score, phrases[c.id][1]) for c in to_check[:LISTED]],
            len(to_check),
        ),
    ]


def _texts(objectives: QuerySet[Objective]) -> dict[int, tuple[str, list[str]]]:
    """id → (title, phrases: title, description, key result titles). Two queries."""
    out: dict[int, tuple[str, list[str]]] = {
        pk: (title, [title, description])
        for pk, title, description in objectives.values_list("pk", "title", "description")
    }
    key_results = KeyResult.objects.filter(objective__in=objectives).order_by("order", "pk")
    for objective_id, title in key_results.values_list("objective_id", "title"):
        if objective_id in out:
            out[objective_id][1].append(title)
    return out


def _link_wordings(
    member: Membership,
    visible: QuerySet[Objective],
    counted: QuerySet[Objective],
    texts: dict[int, tuple[str, list[str]]],
) -> tuple[list[alignment_text.LinkWording], dict[int, tuple[list[Ref], str]]]:
    """The links out of the counted objectives whose parent the member may see, as
    phrases, and what each finding item names."""
    parents = visible.filter(
        Q(child_links__child__in=counted) | Q(key_results__child_links__child__in=counted)
    ).distinct()
    parent_texts = _texts(parents)
    themes = {t.pk: t for t in Theme.objects.filter(organisation_id=member.organisation_id)}
    rows = AlignmentLink.objects.filter(child__in=counted).values_list(
        "pk",
        "child_id",
        "parent_theme_id",
        "parent_key_result__objective_id",
        "parent_objective_id",
        "parent_key_result__title",
        "kind",
    )
    links, names = [], {}
    for pk, child, theme_id, via, objective_id, kr_title, kind in rows:
        if child not in texts:
            continue
        if theme_id is not None:
            theme = themes[theme_id]
            parent_phrases = [theme.title, theme.description]
            parent_ref = Ref("theme", theme.pk, theme.title)
        else:
            above = objective_id or via
            if above not in parent_texts:
                continue  # a parent the member may not see is never compared, nor named
            title, phrases = parent_texts[above]
            parent_phrases = [kr_title, title] if kr_title else phrases
            parent_ref = Ref("objective", above, kr_title or title)
        links.append(alignment_text.LinkWording(pk, texts[child][1], parent_phrases))
        names[pk] = ([Ref("objective", child, texts[child][0]), parent_ref], kind)
    return links, names


# --- the report -------------------------------------------------------------------------


@dataclass
class BubbleHealth:
    """A bubble root: its share against its own themes, and how it connects to the
    organisation's strategy, through objectives and in words."""

    team: Team
    themes: list[Theme]
    share: alignment.Share
    connection: alignment.Connection
    wording: list[
        tuple[Theme, Theme | None, float, bool]
    ]  # own, closest org theme, score, related?


@dataclass
class HealthReport:
    cycle: Cycle
    team: Team | None
    bubble: Team | None  # the scope is measured against this bubble's themes
    strategy: list[Theme]
    health: alignment.Health
    per_team: list[tuple[Team | None, alignment.Share]]
    per_level: list[tuple[str, alignment.Share]]
    trend: list[tuple[Cycle, alignment.Share]]
    findings: list[Finding]
    bubbles: list[BubbleHealth] = field(default_factory=list)
    engine: str = ""

    @property
    def overall(self) -> alignment.Share:
        return self.health.overall

    @property
    def depth(self) -> list[tuple[int, int]]:
        return sorted(self.health.depth.items())


def _counted(
    visible: QuerySet[Objective], cycle: Cycle, team_ids: list[int] | None
) -> QuerySet[Objective]:
    counted = visible.filter(cycle=cycle).exclude(status=ObjectiveStatus.DRAFT)
    return counted if team_ids is None else counted.filter(owner_team_id__in=team_ids)


def _levels(
    og: OrganisationGraph, shares: list[alignment.Share]
) -> list[tuple[str, alignment.Share]]:
    names: dict[int, list[str]] = defaultdict(list)
    for team in og.teams:
        names[team.tree_depth].append(team.name)
    out = []
    for share in shares:
        if share.key is None:
            out.append(("Personal objectives", share))
            continue
        examples = names.get(share.key, [])
        shown = ", ".join(examples[:3]) + (", …" if len(examples) > 3 else "")
        out.append((f"Level {share.key} ({shown})", share))
    return out


def _bubbles(og: OrganisationGraph, cycle: Cycle, engine: Engine) -> list[BubbleHealth]:
    organisation_themes = [
        t for t in og.themes.values() if t.team_id is None and t.archived_at is None
    ]
    out = []
    for team in og.teams:
        if not team.is_bubble_root:
            continue
        own = [t for t in og.themes.values() if t.team_id == team.pk and t.archived_at is None]
        subtree = og.subtree(team)
        result = alignment.health(
            og.graph, strategy_themes=[t.pk for t in own], team_ids=subtree, cycle_id=cycle.pk
        )
        connection = alignment.bubble_connection(
            og.graph,
            bubble_themes=[t.pk for t in own],
            organisation_themes=[t.pk for t in organisation_themes],
            team_ids=subtree,
            cycle_id=cycle.pk,
        )
        wording = _closest_themes(own, organisation_themes, engine)
        out.append(BubbleHealth(team, own, result.overall, connection, wording))
    return out


def _closest_themes(
    own: list[Theme], organisation: list[Theme], engine: Engine
) -> list[tuple[Theme, Theme | None, float, bool]]:
    """For each bubble theme, the organisation's theme whose words come closest, and
    whether they share any meaning (the threshold of "check this link")."""
    if not own or not organisation:
        return [(theme, None, 0.0, False) for theme in own]
    limit = alignment_text.thresholds_for(engine).unrelated
    pairs = list(itertools.product(own, organisation))
    scores = alignment_text.link_scores(
        [
            alignment_text.LinkWording(n, [a.title, a.description], [b.title, b.description])
            for n, (a, b) in enumerate(pairs)
        ],
        engine,
    )
    table = np.asarray(scores).reshape(len(own), len(organisation))
    best = table.argmax(axis=1)
    return [
        (theme, organisation[int(j)], float(table[i, j]), bool(limit > 0 and table[i, j] >= limit))
        for i, (theme, j) in enumerate(zip(own, best, strict=True))
    ]


def alignment_health(
    member: Membership, cycle: Cycle, team: Team | None = None, *, wording: bool = True
) -> HealthReport:
    """Alignment health of the organisation (or of `team` and the teams below it) in
    `cycle`. A team inside a bubble is measured against that bubble's own themes; the
    organisation against every theme, with each bubble shown on its own. `wording`
    adds the semantic findings (possible duplicates, links to check; see
    `wording_findings`)."""
    visible = objectives_visible(member)
    og = organisation_graph(member, visible)
    team_ids = og.subtree(team) if team else None
    bubble = og.bubble_for(team)
    strategy = [
        t
        for t in og.themes.values()
        if t.archived_at is None and (bubble is None or t.team_id == bubble.pk)
    ]
    around = Cycle.objects.filter(
        organisation_id=member.organisation_id,
        start_date__lte=cycle.end_date,
        end_date__gte=cycle.start_date,
    ).values_list("pk", flat=True)
    result = alignment.health(
        og.graph,
        strategy_themes=[t.pk for t in strategy] if bubble else None,
        team_ids=team_ids,
        cycle_id=cycle.pk,
        theme_cycles=list(around),
    )
    findings = _graph_findings(result, og, visible, cycle)
    if team is not None and not team.is_bubble_root:
        # Themes are the organisation's or a bubble's business, not one team's.
        findings = [f for f in findings if f.code != "themes_without_contributors"]
    engine = text_engine()
    if wording:
        counted = _counted(visible, cycle, team_ids)
        findings += _semantic_findings(member, visible, counted, cycle, engine)
    return HealthReport(
        cycle=cycle,
        team=team,
        bubble=bubble,
        strategy=sorted(strategy, key=lambda t: (t.team_id is not None, t.order, t.title)),
        health=result,
        per_team=_per_team(og, result),
        per_level=_levels(og, result.per_level),
        trend=_trend(member, result),
        findings=findings,
        bubbles=_bubbles(og, cycle, engine) if team is None else [],
        engine=engine.name if wording else "",
    )


def wording_findings(
    member: Membership, cycle: Cycle, team: Team | None = None
) -> tuple[list[Finding], str]:
    """Only the wording checks of `alignment_health` (possible duplicates, links to
    check), and the engine's name: the costly part at scale, so pages load it apart."""
    visible = objectives_visible(member)
    team_ids = list(team_subtree(team).values_list("pk", flat=True)) if team else None
    engine = text_engine()
    counted = _counted(visible, cycle, team_ids)
    return _semantic_findings(member, visible, counted, cycle, engine), engine.name


def _per_team(
    og: OrganisationGraph, result: alignment.Health
) -> list[tuple[Team | None, alignment.Share]]:
    order = {t.pk: n for n, t in enumerate(og.teams)}
    teams = {t.pk: t for t in og.teams}
    rows = sorted(result.per_team, key=lambda s: order.get(s.key or -1, len(order)))
    return [(teams.get(s.key) if s.key is not None else None, s) for s in rows]


def _trend(member: Membership, result: alignment.Health) -> list[tuple[Cycle, alignment.Share]]:
    by_cycle = {s.key: s for s in result.per_cycle}
    cycles = Cycle.objects.filter(organisation_id=member.organisation_id, pk__in=list(by_cycle))
    return [(c, by_cycle[c.pk]) for c in cycles.order_by("start_date", "-end_date")]


def as_dict(share: alignment.Share) -> dict[str, Any]:
    """A share as the API and templates read it."""
    return {
        "total": share.total,
        "reaching": share.reaching,
        "contributing": share.contributing,
        "supports_only": share.supports_only,
        "not_reaching": share.not_reaching,
        "private": share.private,
        "share": share.share,
        "contributing_share": share.contributing_share,
        "mean_depth": share.mean_depth,
    }
