"""Alignment: the line of sight of an objective, the alignment tree and its health."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import re
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from headway.accounts.models import Membership
from headway.goals.models import Cycle
from headway.goals.selectors import (
    cycle_current,
    cycles_list,
    objective_get_for_member,
    theme_get,
)
from headway.goals.selectors_alignment import (
    MAX_DEPTH,
    HealthReport,
    SightChain,
    SightStep,
    TreeItem,
    TreeRoot,
    alignment_health,
    alignment_tree,
    as_dict,
)
from headway.teams.models import Team
from headway.teams.selectors import team_get

from .auth import member_of
from .common import Id, responses

# --- line of sight ----------------------------------------------------------------------


class SightLinkOut(Schema):
    kind: Literal["contributes", "supports"]
    weight: float | None = Field(None, description="Missing for a link into a private step.")
    key_result_id: int | None = Field(
        None, description="Set when the link goes to one of the parent's key results."
    )
    key_result_title: str | None = None


class SightStepOut(Schema):
    type: Literal["objective", "theme"]
    id: int | None = Field(
        ..., description="Null for a private objective you may not see (nothing else is shown)."
    )
    title: str | None
    private: bool
    progress: float | None
    status: str | None = Field(None, description="draft, active or closed (objectives).")
    band: str | None = Field(
        None, description="on-track, at-risk, off-track, not-measured, draft or closed."
    )
    owner_name: str | None = None
    bubble_team_id: int | None = Field(
        None, description="For a theme of a bubble root: that team's id."
    )
    link: SightLinkOut | None = Field(
        ..., description="The link from the step below up to this one; null for the first."
    )


class SightChainOut(Schema):
    reaches_strategy: bool = Field(..., description="The chain ends at a theme.")
    all_contribute: bool = Field(
        ...,
        description="Every link on it contributes (the objective's progress counts up to the theme).",
    )
    theme_id: int | None
    steps: list[SightStepOut] = Field(..., description="From the objective itself upwards.")


def _step_data(step: SightStep) -> dict[str, Any]:
    objective = step.objective
    return {
        "type": step.type,
        "id": step.id,
        "title": step.title,
        "private": step.private,
        "progress": step.progress,
        "status": objective.status if objective else None,
        "band": step.band,
        "owner_name": objective.owner_name if objective else None,
        "bubble_team_id": step.bubble.pk if step.bubble else None,
        "link": None
        if step.link_kind is None
        else {
            "kind": step.link_kind,
            "weight": step.link_weight,
            "key_result_id": step.key_result_id,
            "key_result_title": step.key_result_title,
        },
    }


def sight_data(chains: list[SightChain]) -> list[dict[str, Any]]:
    """The line of sight as the API sends it (SightChainOut)."""
    return [
        {
            "reaches_strategy": chain.reaches_strategy,
            "all_contribute": chain.all_contribute,
            "theme_id": chain.theme.id if chain.theme else None,
            "steps": [_step_data(step) for step in chain.steps],
        }
        for chain in chains
    ]


# --- the tree and health ----------------------------------------------------------------

router = Router(tags=["alignment"])

ROOT = re.compile(r"(theme|objective):(\d+)")


class ShareOut(Schema):
    total: int = Field(
        ..., description="Objectives counted that you may see (drafts are not counted)."
    )
    reaching: int = Field(..., description="Of them, those a chain of links leads up to a theme.")
    contributing: int = Field(..., description="Those reaching it through contributing links only.")
    supports_only: int = Field(..., description="Those reaching it only through a supports link.")
    not_reaching: int
    private: int = Field(..., description="Objectives you may not see: counted here, in no share.")
    share: float | None = Field(..., description="reaching / total; null with nothing to count.")
    contributing_share: float | None
    mean_depth: float | None = Field(..., description="Links up to a theme, on average.")


class TreeRootOut(Schema):
    type: Literal["strategy", "theme", "objective"]
    id: int | None
    title: str
    bubble_team_id: int | None = Field(None, description="For a bubble root's theme.")


class TreeParentOut(Schema):
    type: Literal["theme", "objective"]
    id: int
    key_result_id: int | None
    kind: Literal["contributes", "supports"]
    weight: float


class TreeItemOut(Schema):
    id: int
    title: str
    cycle_id: int
    owner_team_id: int | None
    owner_user_id: int | None
    owner_name: str
    status: str
    progress: float | None
    band: str = Field(
        ..., description="on-track, at-risk, off-track, not-measured, draft or closed."
    )
    parents: list[TreeParentOut] = Field(..., description="The links up that you may see.")
    children: int = Field(..., description="Objectives aligned directly below, that you may see.")
    private_children: int


class TreeLevelOut(Schema):
    level: int = Field(..., description="1 for the objectives aligned directly to the root.")
    count: int = Field(..., description="Objectives on this level that you may see.")
    private: int = Field(..., description="Objectives on this level you may not see.")
    has_more: bool = Field(..., description="This level has items after this page.")
    items: list[TreeItemOut]


class TreeOut(Schema):
    cycle_id: int
    root: TreeRootOut
    depth: int
    page: int
    page_size: int
    levels: list[TreeLevelOut]


def _cycle(member: Membership, cycle: int | None) -> Cycle:
    if cycle is None:
        current = cycle_current(member)
        if current is None:
            raise ValidationError({"cycle": "No cycle is running today: give one as ?cycle=<id>."})
        return current
    found = cycles_list(member).filter(pk=cycle).first()
    if found is None:
        raise ValidationError(
            {"cycle": f"No cycle {cycle} in this organisation: GET /api/v1/cycles lists them."}
        )
    return found


def _root(member: Membership, root: str | None) -> TreeRoot:
    if not root:
        return TreeRoot("strategy")
    match = ROOT.fullmatch(root.strip())
    if match is None:
        raise ValidationError(
            {"root": "Give the root as theme:<id> or objective:<id>, e.g. theme:12."}
        )
    kind, pk = match.group(1), int(match.group(2))
    if kind == "theme":
        return TreeRoot("theme", theme=theme_get(member, pk))
    return TreeRoot("objective", objective=objective_get_for_member(member, pk))


def _root_data(root: TreeRoot) -> dict[str, Any]:
    if root.theme is not None:
        return {
            "type": "theme",
            "id": root.theme.pk,
            "title": root.theme.title,
            "bubble_team_id": root.theme.team_id,
        }
    if root.objective is not None:
        return {"type": "objective", "id": root.objective.pk, "title": root.objective.title}
    return {"type": "strategy", "id": None, "title": "Strategy: every theme"}


def _item_data(item: TreeItem) -> dict[str, Any]:
    o = item.objective
    return {
        "id": o.pk,
        "title": o.title,
        "cycle_id": o.cycle_id,
        "owner_team_id": o.owner_team_id,
        "owner_user_id": o.owner_user_id,
        "owner_name": o.owner_name,
        "status": o.status,
        "progress": o.progress,
        "band": item.band,
        "parents": item.parents,
        "children": item.children,
        "private_children": item.private_children,
    }


@router.get(
    "/alignment/tree",
    response=responses({200: TreeOut}),
    summary="A subtree of the alignment map, level by level, each level paged",
    description=(
        "`root` is `theme:<id>` or `objective:<id>`; without it the tree starts at every "
        "theme (the organisation's and each bubble root's). Level 1 holds the objectives "
        "aligned directly to the root, level n+1 those aligned to level n, in `cycle` and "
        "the cycles overlapping it (the running cycle by default). `page` and `page_size` "
        "page every level alike; each level says how many it holds and whether more "
        "follow. Objectives you may not see are only counted, as `private`. An unknown "
        "cycle or a malformed root is 422; a root you cannot see, or of another "
        "organisation, is 404."
    ),
)
def alignment_tree_read(
    request: HttpRequest,
    cycle: Id | None = None,
    root: str | None = None,
    depth: int = Query(2, ge=1, le=MAX_DEPTH, description="Levels below the root, 1 to 5."),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    member = member_of(request)
    found = _cycle(member, cycle)
    start = _root(member, root)
    levels = alignment_tree(member, found, start, depth, page=page, page_size=page_size)
    return {
        "cycle_id": found.pk,
        "root": _root_data(start),
        "depth": depth,
        "page": page,
        "page_size": page_size,
        "levels": [
            {
                "level": level.level,
                "count": level.count,
                "private": level.private,
                "has_more": level.has_more,
                "items": [_item_data(item) for item in level.items],
            }
            for level in levels
        ],
    }


# --- health -------------------------------------------------------------------------------


class RefOut(Schema):
    type: Literal["objective", "theme", "team"]
    id: int
    title: str


class FindingItemOut(Schema):
    refs: list[RefOut] = Field(
        ..., description="One object; or two: a pair of objectives, or a link's child and parent."
    )
    score: float | None = Field(None, description="Similarity of the wording, for wording checks.")
    note: str = Field("", description="For a link to check: its kind.")


class FindingOut(Schema):
    code: Literal[
        "orphans",
        "dead_ends",
        "themes_without_contributors",
        "teams_only_supporting",
        "duplicates",
        "links_to_check",
    ]
    title: str
    why: str = Field(..., description="Why it matters, and what to do.")
    count: int
    private: int = Field(..., description="Objectives of this kind you may not see.")
    items: list[FindingItemOut] = Field(..., description="The first 50.")


class TeamShareOut(ShareOut):
    team_id: int | None = Field(..., description="Null for personal objectives.")
    team_name: str


class LevelShareOut(ShareOut):
    level: int | None = Field(
        ..., description="Depth in the team tree; null for personal objectives."
    )
    label: str


class CycleShareOut(ShareOut):
    cycle_id: int
    cycle_name: str


class DepthOut(Schema):
    links: int = Field(..., description="Links up to a theme.")
    objectives: int


class ConnectionOut(Schema):
    total: int
    own: int = Field(..., description="Objectives reaching the bubble's own themes.")
    organisation: int = Field(..., description="Objectives reaching the organisation's themes.")
    both: int = Field(..., description="Objectives reaching both: the bubble's connection.")


class ThemeWordingOut(Schema):
    theme_id: int
    closest_theme_id: int | None = Field(
        ..., description="The organisation theme closest in words."
    )
    score: float
    related: bool = Field(..., description="Their wording shares meaning at all.")


class BubbleOut(Schema):
    team_id: int
    team_name: str
    statement: str
    theme_ids: list[int]
    overall: ShareOut = Field(..., description="Against the bubble's own themes.")
    connection: ConnectionOut
    wording: list[ThemeWordingOut]


class HealthOut(Schema):
    cycle_id: int
    team_id: int | None
    bubble_team_id: int | None = Field(
        ..., description="Set when the scope is measured against a bubble root's own themes."
    )
    strategy_theme_ids: list[int]
    overall: ShareOut
    drafts: int = Field(..., description="Drafts in scope, not counted.")
    per_team: list[TeamShareOut]
    per_level: list[LevelShareOut]
    per_cycle: list[CycleShareOut] = Field(..., description="The trend: every cycle, oldest first.")
    depth: list[DepthOut]
    findings: list[FindingOut]
    bubbles: list[BubbleOut] = Field(
        ..., description="Each bubble root, for the organisation only."
    )
    engine: str = Field(
        ..., description="The text engine of the wording checks; empty without them."
    )


def _team(member: Membership, team: int | None) -> Team | None:
    if team is None:
        return None
    try:
        return team_get(member, team)
    except Http404:
        raise ValidationError(
            {"team": f"No team {team} in this organisation: GET /api/v1/teams lists them."}
        ) from None


def _health_data(report: HealthReport) -> dict[str, Any]:
    return {
        "cycle_id": report.cycle.pk,
        "team_id": report.team.pk if report.team else None,
        "bubble_team_id": report.bubble.pk if report.bubble else None,
        "strategy_theme_ids": [t.pk for t in report.strategy],
        "overall": as_dict(report.overall),
        "drafts": report.health.drafts,
        "per_team": [
            {**as_dict(s), "team_id": t.pk if t else None, "team_name": t.name if t else "Personal"}
            for t, s in report.per_team
        ],
        "per_level": [
            {**as_dict(s), "level": s.key, "label": label} for label, s in report.per_level
        ],
        "per_cycle": [
            {**as_dict(s), "cycle_id": c.pk, "cycle_name": c.name} for c, s in report.trend
        ],
        "depth": [{"links": d, "objectives": n} for d, n in report.depth],
        "findings": [
            {
                "code": f.code,
                "title": f.title,
                "why": f.why,
                "count": f.count,
                "private": f.private,
                "items": [
                    {
                        "refs": [{"type": r.type, "id": r.id, "title": r.title} for r in i.refs],
                        "score": i.score,
                        "note": i.note,
                    }
                    for i in f.items
                ],
            }
            for f in report.findings
        ],
        "bubbles": [
            {
                "team_id": b.team.pk,
                "team_name": b.team.name,
                "statement": b.team.strategy_statement,
                "theme_ids": [t.pk for t in b.themes],
                "overall": as_dict(b.share),
                "connection": vars(b.connection),
                "wording": [
                    {
                        "theme_id": own.pk,
                        "closest_theme_id": closest.pk if closest else None,
                        "score": score,
                        "related": related,
                    }
                    for own, closest, score, related in b.wording
                ],
            }
            for b in report.bubbles
        ],
        "engine": report.engine,
    }


@router.get(
    "/alignment/health",
    response=responses({200: HealthOut}),
    summary="Alignment health of the organisation, a bubble or a team, in a cycle",
    description=(
        "The share of objectives reaching strategy (through any links, and through "
        "contributing links only) per team, team level and cycle; the depth distribution; "
        "findings (orphans, dead ends, themes nothing contributes to, teams that only "
        "support, possible duplicates, links whose wording is unrelated to the parent's), "
        "each naming its objects and saying why it matters; and, for the organisation, each "
        "bubble root and how it connects. `team` (an id) limits it to that team and the "
        "teams below it; a team inside a bubble is measured against the bubble's own "
        "themes. `wording=false` leaves out the wording checks. An unknown cycle or team "
        "is 422."
    ),
)
def alignment_health_read(
    request: HttpRequest, cycle: Id | None = None, team: Id | None = None, wording: bool = True
) -> dict[str, Any]:
    member = member_of(request)
    report = alignment_health(member, _cycle(member, cycle), _team(member, team), wording=wording)
    return _health_data(report)
