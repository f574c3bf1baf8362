"""Rollout plans: phases with their teams, dates, expected time and success criteria;
each phase's readiness to expand; pilot suggestions with their reasons.

Every member reads; owners and admins write. The rules are in docs/rollout.md.
"""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace.

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.rollout import services
from headway.rollout.models import RolloutPhase
from headway.rollout.rules import weeks_in_words
from headway.rollout.selectors import (
    PhaseReadiness,
    metric_label,
    phase_get,
    phase_readiness,
    plan_detail,
    plans_list,
)
from headway.rollout.selectors_pilots import pilot_suggestions

from .accounts import UserOut
from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, responses

router = Router(tags=["rollout"])

METRICS = (
    "checkin_rate, outcome_share, aligned_share, people_with_okrs, teams_with_okrs "
    "(shares 0-1), pivots, learnings (counts) or calibration (no threshold)"
)


class RolloutTeamOut(Schema):
    id: int
    name: str
    slug: str


class PhaseTeamOut(RolloutTeamOut):
    with_subtree: bool = Field(..., description="The teams below it take part too.")


class RolloutCycleOut(Schema):
    id: int
    name: str


class PhaseCriterionOut(Schema):
    metric: str
    label: str
    threshold: float


class PhaseOut(Schema):
    id: int
    plan_id: int
    order: int = Field(..., description="1 for the first phase.")
    name: str
    kind: str = Field(..., description="pilot, department, organisation or custom.")
    starts_on: dt.date
    ends_on: dt.date = Field(..., description="The last day, inclusive.")
    expected_weeks: int
    expected_time: str = Field(..., description="e.g. '13 weeks (one quarter)'.")
    cycle: RolloutCycleOut | None = Field(None, description="The cycle chosen to measure over.")
    teams: list[PhaseTeamOut]
    criteria: list[PhaseCriterionOut]
    notes: str
    version: int


class RolloutPlanSummaryOut(Schema):
    id: int
    title: str
    phase_count: int
    first_day: dt.date | None
    last_day: dt.date | None
    created_at: dt.datetime


class RolloutPlanOut(Schema):
    id: int
    title: str
    notes: str
    version: int = Field(..., description="Send it back with a PATCH.")
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: UserOut | None
    phases: list[PhaseOut]


class PhaseTeamIn(Schema):
    team_id: Id
    with_subtree: bool = False


class PhaseCriterionIn(Schema):
    metric: str = Field(..., description=METRICS)
    threshold: float | None = Field(None, description="Not needed for calibration.")


class PhaseIn(Schema):
    name: str
    kind: str = "custom"
    starts_on: dt.date
    ends_on: dt.date | None = Field(None, description="Or give expected_weeks.")
    expected_weeks: int | None = Field(None, description="1-260; from the dates if left out.")
    cycle_id: Id | None = Field(
        None, description="The cycle to measure over; else the quarter overlapping most."
    )
    teams: list[PhaseTeamIn]
    criteria: list[PhaseCriterionIn] | None = Field(None, description="The defaults if left out.")
    notes: str = ""


class PhasePatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale one gets 409.")
    position: int | None = Field(None, description="Move the phase here (1 = first).")
    name: str | None = None
    kind: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    expected_weeks: int | None = None
    cycle_id: Id | None = None
    teams: list[PhaseTeamIn] | None = Field(None, description="Replaces the teams.")
    criteria: list[PhaseCriterionIn] | None = Field(None, description="Replaces the criteria.")
    notes: str | None = None


class RolloutPlanIn(Schema):
    title: str = ""
    notes: str = ""
    layout: Literal["blank", "default"] = Field(
        "blank",
        description="`default`: pilot, department, organisation from `pilot_team_ids` and "
        "`starts_on`; `blank`: the `phases` given (or none).",
    )
    pilot_team_ids: list[Id] | None = Field(None, description="One or two teams (default).")
    starts_on: dt.date | None = Field(None, description="The pilot's first day (default).")
    phases: list[PhaseIn] | None = None


class RolloutPlanPatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale one gets 409.")
    title: str | None = None
    notes: str | None = None


class PhaseCriterionStatusOut(Schema):
    metric: str
    label: str
    threshold: float
    value: float | int | str | None
    met: bool | None = Field(..., description="null: not enough data (never a pass).")
    reason: str


class PhaseFiguresOut(Schema):
    teams_with_okrs: float | None
    people_with_okrs: float | None
    checkin_rate: float | None
    outcome_share: float | None
    aligned_share: float | None
    pivots: int
    learnings: int
    calibration: str | None


class PhaseReadinessOut(Schema):
    phase_id: int
    today: dt.date
    cycle: RolloutCycleOut | None = Field(..., description="The cycle measured over; null if none.")
    team_ids: list[int] = Field(..., description="The teams counted, with the teams below.")
    ready: bool = Field(..., description="True only when every criterion is met.")
    missing: list[str]
    criteria: list[PhaseCriterionStatusOut]
    figures: PhaseFiguresOut | None
    started: bool
    ended: bool
    weeks_elapsed: int
    expected_weeks: int


class PilotSuggestionOut(Schema):
    team: RolloutTeamOut
    score: int = Field(..., description="For the order only.")
    people: int
    leads: list[str]
    reasons: list[str]
    cautions: list[str]


def _phase_out(phase: RolloutPhase) -> dict[str, Any]:
    return {
        "id": phase.pk,
        "plan_id": phase.plan_id,
        "order": phase.order,
        "name": phase.name,
        "kind": phase.kind,
        "starts_on": phase.starts_on,
        "ends_on": phase.ends_on,
        "expected_weeks": phase.expected_weeks,
        "expected_time": weeks_in_words(phase.expected_weeks),
        "cycle": phase.cycle,
        "teams": [
            {
                "id": pt.team_id,
                "name": pt.team.name,
                "slug": pt.team.slug,
                "with_subtree": pt.with_subtree,
            }
            for pt in phase.phase_teams.all()
        ],
        "criteria": [
            {"metric": c.metric, "label": metric_label(c.metric), "threshold": c.threshold}
            for c in phase.criteria.all()
        ],
        "notes": phase.notes,
        "version": phase.version,
    }


def _plan_out(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    view = plan_detail(member_of(request), plan_id)
    plan = view.plan
    return {
        "id": plan.pk,
        "title": plan.title,
        "notes": plan.notes,
        "version": plan.version,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "created_by": plan.created_by,
        "phases": [_phase_out(p) for p in view.phases],
    }


def _readiness_out(found: PhaseReadiness) -> dict[str, Any]:
    figures = found.figures
    return {
        "phase_id": found.phase.pk,
        "today": found.today,
        "cycle": found.cycle,
        "team_ids": found.team_ids,
        "ready": found.ready,
        "missing": found.missing,
        "criteria": [{**vars(s), "label": metric_label(s.metric)} for s in found.criteria],
        "figures": vars(figures) if figures is not None else None,
        "started": found.started,
        "ended": found.ended,
        "weeks_elapsed": found.weeks_elapsed,
        "expected_weeks": found.expected_weeks,
    }


@router.get(
    "/rollout/plans",
    response=responses({200: list[RolloutPlanSummaryOut]}),
    summary="The organisation's rollout plans, newest first",
)
@paginate(Pages)
def rollout_plans(request: HttpRequest) -> object:
    return plans_list(member_of(request))


@router.post(
    "/rollout/plans",
    response=responses({201: RolloutPlanOut}, BODY_ERRORS),
    summary="Create a rollout plan, blank or from the default three-phase layout "
    "(owners and admins)",
)
def rollout_plan_create(request: HttpRequest, payload: RolloutPlanIn) -> Status[dict[str, Any]]:
    member = member_of(request)
    if payload.layout == "default":
        plan = services.plan_create_default(
            member=member,
            pilot_team_ids=payload.pilot_team_ids or [],
            starts_on=payload.starts_on,
            title=payload.title,
            notes=payload.notes,
        )
    else:
        phases = [p.dict() for p in payload.phases or []]
        for phase in phases:
            if phase.get("criteria") is None:
                phase.pop("criteria", None)
        plan = services.plan_create(
            member=member, title=payload.title, notes=payload.notes, phases=phases
        )
    return Status(201, _plan_out(request, plan.pk))


@router.get(
    "/rollout/plans/{plan_id}",
    response=responses({200: RolloutPlanOut}),
    summary="A rollout plan with its phases, their teams and criteria",
)
def rollout_plan(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    return _plan_out(request, plan_id)


@router.patch(
    "/rollout/plans/{plan_id}",
    response=responses({200: RolloutPlanOut}, BODY_ERRORS),
    summary="Change a plan's title or notes (owners and admins)",
)
def rollout_plan_update(
    request: HttpRequest, plan_id: Id, payload: RolloutPlanPatch
) -> dict[str, Any]:
    data = changes(payload, nullable={"version"})
    version = data.pop("version", None)
    services.plan_update(member=member_of(request), plan_id=plan_id, version=version, **data)
    return _plan_out(request, plan_id)


@router.delete(
    "/rollout/plans/{plan_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a plan and its phases (owners and admins)",
)
def rollout_plan_delete(request: HttpRequest, plan_id: Id) -> Status[None]:
    services.plan_delete(member=member_of(request), plan_id=plan_id)
    return Status(204, None)


@router.post(
    "/rollout/plans/{plan_id}/phases",
    response=responses({201: PhaseOut}, BODY_ERRORS),
    summary="Add a phase at the end of a plan (owners and admins)",
)
def rollout_phase_create(
    request: HttpRequest, plan_id: Id, payload: PhaseIn
) -> Status[dict[str, Any]]:
    member = member_of(request)
    data = payload.dict()
    if data.get("criteria") is None:
        data.pop("criteria", None)
    phase = services.phase_create(member=member, plan_id=plan_id, **data)
    return Status(201, _phase_out(phase_get(member, phase.pk)))


@router.patch(
    "/rollout/phases/{phase_id}",
    response=responses({200: PhaseOut}, BODY_ERRORS),
    summary="Change a phase; only the fields sent change (owners and admins)",
)
def rollout_phase_update(request: HttpRequest, phase_id: Id, payload: PhasePatch) -> Any:
    member = member_of(request)
    data = changes(payload, nullable={"version", "cycle_id", "position"})
    version = data.pop("version", None)
    services.phase_update(member=member, phase_id=phase_id, version=version, **data)
    return _phase_out(phase_get(member, phase_id))


@router.delete(
    "/rollout/phases/{phase_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a phase; the later ones move up (owners and admins)",
)
def rollout_phase_delete(request: HttpRequest, phase_id: Id) -> Status[None]:
    services.phase_delete(member=member_of(request), phase_id=phase_id)
    return Status(204, None)


@router.get(
    "/rollout/phases/{phase_id}/readiness",
    response=responses({200: PhaseReadinessOut}),
    summary="Whether a phase is ready to expand, each criterion's state, and what is missing",
)
def rollout_phase_readiness(request: HttpRequest, phase_id: Id) -> dict[str, Any]:
    member = member_of(request)
    return _readiness_out(phase_readiness(member, phase_get(member, phase_id)))


@router.get(
    "/rollout/pilot-suggestions",
    response=responses({200: list[PilotSuggestionOut]}),
    summary="Teams that would make good pilots, best first, each with its reasons",
)
def rollout_pilot_suggestions(request: HttpRequest) -> list[Any]:
    return pilot_suggestions(member_of(request))
