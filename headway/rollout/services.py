"""Writes of rollout plans and their phases: create, change, delete and reorder, and
the classic three-phase layout (`plan_create_default`).

Owners and admins manage plans; every member reads them. Each service validates
everything first, raising a ValidationError with a dict of field errors, and writes in
one transaction with an activity event, so bad input never writes part of anything.
Phase writes lock the plan's row, so two admins adding phases at once cannot slip
overlapping phases past each other. A plan's title and notes, and each phase, carry a
`version`: a save from a form opened before someone else's save gets a Conflict (409).
The rules are in docs/rollout.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.goals.models import Cycle, CycleKind
from headway.goals.services.activity import activity_record
from headway.lib.errors import Conflict
from headway.teams.models import Team

from . import rules
from .cleaning import (
    MAX_NAME,
    MAX_NOTES,
    Context,
    PhaseInput,
    as_int,
    clean_date,
    clean_phase,
    clean_text,
    default_criteria,
)
from .models import (
    PhaseCriterion,
    PhaseKind,
    PhaseTeam,
    RolloutPhase,
    RolloutPlan,
)
from .selectors import organisation_cycles, phase_get, plan_get, team_parents

MAX_TITLE = 160
MAX_PHASES = 12
PLAN_FIELDS = frozenset({"title", "notes"})
ACTION = "manage rollout plans"


# --- plans -------------------------------------------------------------------------------


def plan_create(
    *,
    member: Membership,
    title: str,
    notes: str = "",
    phases: Sequence[Mapping[str, Any]] = (),
) -> RolloutPlan:
    """Create a plan, with its phases in the order given (each as `phase_create`
    takes it). Phases of the same plan may not share a team over overlapping dates."""
    require_admin(member, ACTION)
    errors: dict[str, str] = {}
    values = _plan_values(errors, {"title": title, "notes": notes}, required=True)
    if len(phases) > MAX_PHASES:
        errors["phases"] = f"A plan has at most {MAX_PHASES} phases."
    ctx = Context(member)
    cleaned = [clean_phase(errors, ctx, row, prefix=f"phases.{n}.") for n, row in enumerate(phases)]
    if not errors:
        for n, phase in enumerate(cleaned):
            earlier = [(f"the phase “{p.values['name']}”", p) for p in cleaned[:n]]
            clash = ctx.clash(phase, earlier)
            if clash:
                errors[f"phases.{n}.teams"] = clash
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = RolloutPlan.objects.create(
            organisation_id=member.organisation_id, created_by=member.user, **values
        )
        for order, phase in enumerate(cleaned, start=1):
            _phase_write(plan, phase, order=order)
        activity_record(actor=member.user, verb="created a rollout plan", target=plan)
    return plan


def plan_update(
    *, member: Membership, plan_id: int, version: int | None = None, **fields: Any
) -> RolloutPlan:
    """Change a plan's title or notes; only the fields given change. A `version`
    other than the plan's current one is refused with a Conflict."""
    require_admin(member, ACTION)
    plan = plan_get(member, plan_id)
    errors = {
        name: "Headway does not know this field of a plan." for name in set(fields) - PLAN_FIELDS
    }
    values = _plan_values(errors, fields, required=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = RolloutPlan.objects.select_for_update().get(pk=plan.pk)
        _check_version(plan.version, version, "rollout plan")
        for name, value in values.items():
            setattr(plan, name, value)
        plan.version += 1
        plan.save()
        activity_record(actor=member.user, verb="changed a rollout plan", target=plan)
    return plan


def plan_delete(*, member: Membership, plan_id: int) -> None:
    """Delete a plan with its phases (the goals data its readiness came from stays)."""
    require_admin(member, ACTION)
    plan = plan_get(member, plan_id)
    with transaction.atomic():
        activity_record(actor=member.user, verb="deleted a rollout plan", target=plan)
        plan.delete()


def _plan_values(
    errors: dict[str, str], given: Mapping[str, Any], required: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "title" in given or required:
        values["title"] = clean_text(errors, "title", given.get("title"), MAX_TITLE)
        if not values["title"] and "title" not in errors:
            errors["title"] = "Give the plan a title, e.g. “Rollout 2026”."
    if "notes" in given:
        values["notes"] = clean_text(errors, "notes", given["notes"], MAX_NOTES)
    return values


# --- phases ------------------------------------------------------------------------------


def phase_create(*, member: Membership, plan_id: int, **fields: Any) -> RolloutPhase:
    """Add a phase at the end of a plan.

    `name`, `starts_on` and `teams` are required; `teams` lists team ids or
    `{"team_id", "with_subtree"}`. Give `ends_on` or `expected_weeks` (the other is
    derived). `criteria` lists `{"metric", "threshold"}`; left out, the defaults
    apply. `cycle_id` chooses the cycle to measure over (else the one overlapping most).
    """
    require_admin(member, ACTION)
    plan = plan_get(member, plan_id)
    errors: dict[str, str] = {}
    ctx = Context(member)
    cleaned = clean_phase(errors, ctx, fields)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        RolloutPlan.objects.select_for_update().filter(pk=plan.pk).first()
        others = _others(plan)
        if len(others) >= MAX_PHASES:
            raise ValidationError({"name": f"A plan has at most {MAX_PHASES} phases."})
        _refuse_clash(ctx, cleaned, others)
        order = max((p.order for p in others), default=0) + 1
        phase = _phase_write(plan, cleaned, order=order)
        activity_record(actor=member.user, verb="added a rollout phase", target=phase)
    return phase


def phase_update(
    *, member: Membership, phase_id: int, version: int | None = None, **fields: Any
) -> RolloutPhase:
    """Change a phase; only the fields given change (`teams` and `criteria` replace
    the lists). `position` (1 = first) moves it as `phase_move` does."""
    require_admin(member, ACTION)
    phase = phase_get(member, phase_id)
    position = fields.pop("position", None)
    errors: dict[str, str] = {}
    ctx = Context(member)
    cleaned = clean_phase(errors, ctx, fields, current=phase)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        RolloutPlan.objects.select_for_update().filter(pk=phase.plan_id).first()
        locked = RolloutPhase.objects.select_for_update().get(pk=phase.pk)
        _check_version(locked.version, version, "phase")
        others = _others(phase.plan, exclude=phase.pk)
        if cleaned.teams is None:
            cleaned.teams = [(pt.team_id, pt.with_subtree) for pt in phase.phase_teams.all()]
        _refuse_clash(ctx, cleaned, others)
        phase = _phase_write(phase.plan, cleaned, phase=locked)
        if position is not None:
            _move(phase, position, field_name="position")
        activity_record(actor=member.user, verb="changed a rollout phase", target=phase)
    return phase


def phase_delete(*, member: Membership, phase_id: int) -> None:
    require_admin(member, ACTION)
    phase = phase_get(member, phase_id)
    with transaction.atomic():
        RolloutPlan.objects.select_for_update().filter(pk=phase.plan_id).first()
        activity_record(actor=member.user, verb="removed a rollout phase", target=phase)
        phase.delete()
        _renumber(list(RolloutPhase.objects.filter(plan_id=phase.plan_id).order_by("order", "pk")))


def phase_move(*, member: Membership, phase_id: int, position: object) -> RolloutPhase:
    """Move a phase to `position` in its plan (1 = first); the others keep their order."""
    require_admin(member, ACTION)
    phase = phase_get(member, phase_id)
    with transaction.atomic():
        RolloutPlan.objects.select_for_update().filter(pk=phase.plan_id).first()
        _move(phase, position, field_name="position")
        activity_record(actor=member.user, verb="moved a rollout phase", target=phase)
    return phase


def _move(phase: RolloutPhase, position: object, field_name: str) -> None:
    phases = list(RolloutPhase.objects.filter(plan_id=phase.plan_id).order_by("order", "pk"))
    number = as_int(position)
    if number is None or not 1 <= number <= len(phases):
        raise ValidationError(
            {field_name: f"Give a position from 1 to {len(phases)} (1 is the first phase)."}
        )
    phases = [p for p in phases if p.pk != phase.pk]
    phases.insert(number - 1, phase)
    _renumber(phases)


def _renumber(phases: list[RolloutPhase]) -> None:
    changed = []
    for order, phase in enumerate(phases, start=1):
        if phase.order != order:
            phase.order = order
            changed.append(phase)
    RolloutPhase.objects.bulk_update(changed, ["order"])


def _others(plan: RolloutPlan, exclude: int | None = None) -> list[RolloutPhase]:
    phases = RolloutPhase.objects.filter(plan=plan).prefetch_related("phase_teams")
    return list(phases.exclude(pk=exclude) if exclude else phases)


def _refuse_clash(ctx: Context, cleaned: PhaseInput, others: list[RolloutPhase]) -> None:
    existing = [
        (
            f"the phase “{other.name}”",
            PhaseInput(
                values={"starts_on": other.starts_on, "ends_on": other.ends_on},
                teams=[(pt.team_id, pt.with_subtree) for pt in other.phase_teams.all()],
            ),
        )
        for other in others
    ]
    clash = ctx.clash(cleaned, existing)
    if clash:
        raise ValidationError({"teams": clash})


def _phase_write(
    plan: RolloutPlan,
    cleaned: PhaseInput,
    order: int | None = None,
    phase: RolloutPhase | None = None,
) -> RolloutPhase:
    if phase is None:
        phase = RolloutPhase(organisation_id=plan.organisation_id, plan=plan, order=order or 0)
    else:
        phase.version += 1
    for name, value in cleaned.values.items():
        setattr(phase, name, value)
    phase.save()
    if cleaned.teams is not None:
        PhaseTeam.objects.filter(phase=phase).delete()
        PhaseTeam.objects.bulk_create(
            PhaseTeam(phase=phase, team_id=team, with_subtree=below)
            for team, below in cleaned.teams
        )
    if cleaned.criteria is not None:
        PhaseCriterion.objects.filter(phase=phase).delete()
        PhaseCriterion.objects.bulk_create(
            PhaseCriterion(phase=phase, metric=metric, threshold=threshold, order=n)
            for n, (metric, threshold) in enumerate(cleaned.criteria, start=1)
        )
    return phase


# --- the default layout ----------------------------------------------------------------


def plan_create_default(
    *,
    member: Membership,
    pilot_team_ids: Sequence[object],
    starts_on: object,
    title: str = "",
    notes: str = "",
) -> RolloutPlan:
    """The classic rollout in three phases, one after the other: a pilot with the
    chosen one or two teams for one full cycle; the department, the pilot teams'
    nearest common team above them with the teams below it, for one cycle (left out
    when that is the top of the organisation); then the whole organisation for two
    cycles. A phase starting on a quarter's first day ends with its last quarter;
    otherwise a cycle is the length of the quarter covering the phase's start, else 13
    weeks (`cycles_span`). Each phase gets the default criteria."""
    require_admin(member, ACTION)
    errors: dict[str, str] = {}
    start = clean_date(errors, "starts_on", starts_on, required=True)
    pilots = _pilot_teams(errors, member, pilot_team_ids)
    if errors:
        raise ValidationError(errors)
    assert start is not None
    parents = team_parents(member.organisation_id)
    cycles = organisation_cycles(member.organisation_id)
    department = rules.department_of([t.pk for t in pilots], parents)
    phases: list[dict[str, Any]] = []
    names = " and ".join(t.name for t in pilots)
    day = start
    layout: list[tuple[str, str, list[dict[str, Any]], int]] = [
        (f"Pilot: {names}", PhaseKind.PILOT, [{"team_id": t.pk} for t in pilots], 1),
    ]
    if department is not None:
        dept = Team.objects.get(pk=department)
        layout.append(
            (
                f"Department: {dept.name}",
                PhaseKind.DEPARTMENT,
                [{"team_id": department, "with_subtree": True}],
                1,
            )
        )
    tops = [{"team_id": pk, "with_subtree": True} for pk, up in parents.items() if up is None]
    layout.append(("The whole organisation", PhaseKind.ORGANISATION, tops, 2))
    for name, kind, teams, cycle_count in layout:
        end, weeks = cycles_span(cycles, day, cycle_count)
        phases.append(
            {
                "name": name[:MAX_NAME],
                "kind": kind,
                "starts_on": day,
                "ends_on": end,
                "expected_weeks": weeks,
                "teams": teams,
                "criteria": default_criteria(),
            }
        )
        day = end + dt.timedelta(days=1)
    return plan_create(
        member=member, title=title.strip() or "Rollout plan", notes=notes, phases=phases
    )


def cycles_span(cycles: Sequence[Cycle], day: dt.date, count: int) -> tuple[dt.date, int]:
    """The last day and the weeks of `count` cycles from `day`: when a quarter starts on
    `day`, the phase ends with the `count`-th quarter in a row; otherwise it lasts
    `count` times the length of the quarter covering `day` (else 13 weeks)."""
    quarters = {c.start_date: c for c in cycles if c.kind == CycleKind.QUARTER}
    end, start = None, day
    for _ in range(count):
        quarter = quarters.get(start)
        if quarter is None:
            end = None
            break
        end, start = quarter.end_date, quarter.end_date + dt.timedelta(days=1)
    if end is not None:
        return end, rules.weeks_of(day, end)
    weeks = cycle_weeks(cycles, day) * count
    return rules.end_after(day, weeks), weeks


def cycle_weeks(cycles: Iterable[Cycle], day: dt.date) -> int:
    """The length in weeks of the quarter covering `day`, else 13."""
    for cycle in cycles:
        if cycle.kind == CycleKind.QUARTER and cycle.start_date <= day <= cycle.end_date:
            return rules.weeks_of(cycle.start_date, cycle.end_date)
    return rules.QUARTER_WEEKS


def _pilot_teams(errors: dict[str, str], member: Membership, value: object) -> list[Team]:
    ids = _ids(value)
    if ids is None or not 1 <= len(set(ids)) <= 2:
        errors["pilot_team_ids"] = "Choose one or two pilot teams."
        return []
    teams = list(Team.objects.filter(organisation_id=member.organisation_id, pk__in=set(ids)))
    if len(teams) != len(set(ids)):
        errors["pilot_team_ids"] = "Choose pilot teams of this organisation."
    return sorted(teams, key=lambda t: ids.index(t.pk))


def _ids(value: object) -> list[int] | None:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return None
    ids = [as_int(v) for v in value]
    return None if any(i is None for i in ids) else [i for i in ids if i is not None]


def _check_version(current: int, given: int | None, what: str) -> None:
    if given is not None and given != current:
        raise Conflict(
            f"Someone changed this {what} since you opened it (version {given}, now "
            f"{current}); reload, reapply your change and save again.",
            field="version",
            current={"version": current},
        )
