"""Adoption and maturity: the organisation's figures in a cycle, per level of the team
tree and per team with its maturity stage, the pilot beside the rest, the trend over
cycles, and one team's history.

Any member may read them. Calibration keeps its privacy, as on the calibration page: a
team's own verdict only for its people, the aggregates (organisation, levels, pilot,
rest) only for owners and admins; `calibration_visible` says which. Rules and a worked
example: docs/adoption.md.
"""

# No `from __future__ import annotations` in router modules (see goals_closing.py).

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from headway.accounts.models import Membership
from headway.coach.selectors import cycle_chosen
from headway.goals.models import Cycle
from headway.goals.selectors import cycles_list
from headway.insights.metrics.adoption import Adoption, Stage
from headway.insights.selectors_adoption import (
    Group,
    Pilot,
    TeamNode,
    adoption_report,
    adoption_trend,
    pilot_of_plan,
    team_adoption,
)
from headway.teams.selectors import team_get_by_slug, teams_of_user

from .auth import member_of
from .common import Id, PathText, responses

router = Router(tags=["adoption"])

MAX_PILOT = 200


class AdoptionFactsOut(Schema):
    """What was counted (see docs/adoption.md for each definition)."""

    teams: int
    teams_with_okrs: int = Field(
        ..., description="Teams owning an objective (not a draft) with an active key result."
    )
    people: int = Field(..., description="Members of the teams, each person once.")
    people_with_okrs: int = Field(
        ..., description="Of them, those owning an objective or an active key result in the cycle."
    )
    objectives: int = Field(..., description="The teams' objectives, drafts aside.")
    aligned_objectives: int = Field(
        ..., description="Of them, those with a line of sight up to a theme."
    )
    key_results: int = Field(..., description="Active key results of those objectives.")
    outcome_key_results: int = Field(..., description="Of them, those the coach reads as outcomes.")
    classified_key_results: int = Field(
        ..., description="Those the coach read (outcome, output or unsure)."
    )
    checkin_weeks_due: int = Field(
        ..., description="Whole weeks elapsed per active key result, summed."
    )
    checkin_weeks_done: int = Field(..., description="Of them, weeks with at least one check-in.")
    pivots: int
    learnings: int = Field(..., description="Pivots and retrospectives saying what was learned.")


class AdoptionFiguresOut(Schema):
    teams_with_okrs: float | None = Field(None, description="0..1; null without enough data.")
    people_with_okrs: float | None = None
    checkin_rate: float | None = None
    outcome_share: float | None = None
    aligned_share: float | None = None
    pivots: int
    learnings: int
    calibration: str | None = Field(
        None,
        description="calibrated, optimistic, sandbagging or not enough data, in a closed cycle; "
        "null while the cycle runs or when the caller may not see it.",
    )
    calibration_visible: bool = Field(
        ..., description="False when the verdict exists but is private to the caller."
    )
    facts: AdoptionFactsOut


class AdoptionStageOut(Schema):
    number: int = Field(..., description="0 (not started) to 5.")
    name: str = Field(
        ..., description="Not started, Starting, Rhythm, Outcomes, Aligned and adapting, Learning."
    )
    missing: list[str] = Field(
        ..., description="What the next stage still needs, in words with numbers."
    )


class AdoptionGroupOut(Schema):
    label: str
    team_ids: list[int]
    figures: AdoptionFiguresOut
    stages: list[int] = Field(
        ..., description="How many of the group's teams are at stage 0, 1, … 5."
    )


class AdoptionTeamOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None
    depth: int = Field(..., description="0 = the top of the tree.")


class TeamAdoptionOut(Schema):
    team: AdoptionTeamOut
    figures: AdoptionFiguresOut
    stage: AdoptionStageOut
    pilot: bool


class AdoptionOut(Schema):
    cycle_id: int
    previous_cycle_id: int | None = Field(
        None, description="The cycle of the same kind before it, which the stages also read."
    )
    today: dt.date = Field(
        ..., description="The day counted up to, in the organisation's time zone."
    )
    organisation: AdoptionGroupOut
    levels: list[AdoptionGroupOut]
    teams: list[TeamAdoptionOut] = Field(..., description="Every team, depth-first.")
    pilot_phase_id: int | None = Field(
        None, description="The rollout phase the pilot teams come from; null when picked or none."
    )
    pilot: AdoptionGroupOut | None = None
    rest: AdoptionGroupOut | None = None


class AdoptionTrendPointOut(Schema):
    cycle_id: int
    cycle_name: str
    organisation: AdoptionGroupOut
    levels: list[AdoptionGroupOut]


class AdoptionTrendOut(Schema):
    cycle_id: int
    cycles: list[AdoptionTrendPointOut] = Field(
        ..., description="Cycles of the same kind that have started, oldest first."
    )


class TeamAdoptionCycleOut(Schema):
    cycle_id: int
    cycle_name: str
    figures: AdoptionFiguresOut
    stage: AdoptionStageOut


class TeamAdoptionDetailOut(Schema):
    team_id: int
    cycle_id: int
    figures: AdoptionFiguresOut
    stage: AdoptionStageOut
    history: list[TeamAdoptionCycleOut] = Field(
        ..., description="Cycles of the same kind that have started, oldest first."
    )


# --- reading --------------------------------------------------------------------------------


def _cycle(member: Membership, cycle_id: Id | None) -> Cycle:
    """The cycle asked for, else the shortest running today, else the latest started."""
    if cycle_id is not None:
        found = cycles_list(member).filter(pk=cycle_id).first()
        if found is None:
            raise ValidationError(
                {
                    "cycle_id": f"No cycle {cycle_id} in this organisation: GET /api/v1/cycles lists them."
                }
            )
        return found
    _, chosen = cycle_chosen(member, None)
    if chosen is None:
        raise ValidationError({"cycle_id": "The organisation has no cycle yet: create one first."})
    return chosen


def _figures(adoption: Adoption, visible: bool) -> dict[str, Any]:
    facts = {k: v for k, v in adoption.facts.__dict__.items() if k != "calibration"}
    return {
        "teams_with_okrs": adoption.teams_with_okrs,
        "people_with_okrs": adoption.people_with_okrs,
        "checkin_rate": adoption.checkin_rate,
        "outcome_share": adoption.outcome_share,
        "aligned_share": adoption.aligned_share,
        "pivots": adoption.pivots,
        "learnings": adoption.learnings,
        "calibration": adoption.calibration if visible else None,
        "calibration_visible": visible or adoption.calibration is None,
        "facts": facts,
    }


def _group(member: Membership, group: Group) -> dict[str, Any]:
    return {
        "label": group.label,
        "team_ids": sorted(group.team_ids),
        "figures": _figures(group.adoption, member.is_admin),
        "stages": list(group.stages),
    }


def _stage(stage: Stage) -> dict[str, Any]:
    return {"number": stage.number, "name": stage.name, "missing": stage.missing}


def _team(team: TeamNode) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "slug": team.slug,
        "parent_id": team.parent_id,
        "depth": team.depth,
    }


def _mine(member: Membership) -> set[int]:
    return set(teams_of_user(member).values_list("pk", flat=True))


@router.get(
    "/adoption",
    response=responses({200: AdoptionOut}),
    summary="Adoption and maturity of the organisation, its levels and teams, in a cycle",
    description=(
        "Share of teams and people with OKRs, weekly check-in rate, outcome share of key "
        "results, share of objectives reaching strategy, pivots and learnings, and "
        "calibration at a closed cycle: for the organisation, each level of the team tree and "
        "each team with its maturity stage (0-5) and what the next stage needs. Without "
        "`cycle_id`, the shortest cycle running today. `pilot` (repeatable team ids) puts "
        "those teams beside the rest; without it, the first phase of the latest rollout plan "
        "does, if there is one. An unknown cycle is 422; a share without enough data is null."
    ),
)
def adoption_read(
    request: HttpRequest,
    cycle_id: Id | None = None,
    pilot: list[Id] = Query(default_factory=list, description="Team ids to compare."),  # noqa: B008
) -> dict[str, Any]:
    member = member_of(request)
    cycle = _cycle(member, cycle_id)
    chosen = (
        Pilot(None, frozenset(pilot[:MAX_PILOT])) if pilot else pilot_of_plan(member.organisation)
    )
    report = adoption_report(member.organisation, cycle, chosen)
    mine = _mine(member)
    phase = report.pilot_source.phase if report.pilot_source else None
    return {
        "cycle_id": cycle.pk,
        "previous_cycle_id": report.previous.pk if report.previous else None,
        "today": report.today,
        "organisation": _group(member, report.organisation),
        "levels": [_group(member, level) for level in report.levels],
        "teams": [
            {
                "team": _team(row.team),
                "figures": _figures(row.adoption, row.team.id in mine),
                "stage": _stage(row.stage),
                "pilot": row.pilot,
            }
            for row in report.teams
        ],
        "pilot_phase_id": phase.pk if phase and report.pilot else None,
        "pilot": _group(member, report.pilot) if report.pilot else None,
        "rest": _group(member, report.rest) if report.rest else None,
    }


@router.get(
    "/adoption/trend",
    response=responses({200: AdoptionTrendOut}),
    summary="Adoption over the organisation's cycles of one kind, oldest first",
    description=(
        "The organisation's and each level's figures in every cycle of the kind of "
        "`cycle_id` (the quarters, say) that has started, with how many teams are at each "
        "stage. Without `cycle_id`, the shortest cycle running today. An unknown cycle is 422."
    ),
)
def adoption_trend_read(request: HttpRequest, cycle_id: Id | None = None) -> dict[str, Any]:
    member = member_of(request)
    cycle = _cycle(member, cycle_id)
    return {
        "cycle_id": cycle.pk,
        "cycles": [
            {
                "cycle_id": point.cycle.pk,
                "cycle_name": point.cycle.name,
                "organisation": _group(member, point.organisation),
                "levels": [_group(member, level) for level in point.levels],
            }
            for point in adoption_trend(member.organisation, cycle)
        ],
    }


@router.get(
    "/teams/{slug}/adoption",
    response=responses({200: TeamAdoptionDetailOut}),
    summary="One team's adoption and maturity stage in a cycle, and its history",
    description=(
        "The team's figures and stage in the cycle, and in every cycle of that kind that "
        "has started, oldest first. Its calibration verdict only for its own people. A team "
        "of another organisation is 404."
    ),
)
def team_adoption_read(
    request: HttpRequest, slug: PathText, cycle_id: Id | None = None
) -> dict[str, Any]:
    member = member_of(request)
    team = team_get_by_slug(member, slug)
    cycle = _cycle(member, cycle_id)
    figures, stage, history = team_adoption(member.organisation, team, cycle)
    visible = team.pk in _mine(member)
    return {
        "team_id": team.pk,
        "cycle_id": cycle.pk,
        "figures": _figures(figures, visible),
        "stage": _stage(stage),
        "history": [
            {
                "cycle_id": c.pk,
                "cycle_name": c.name,
                "figures": _figures(a, visible),
                "stage": _stage(s),
            }
            for c, a, s in history
        ],
    }
