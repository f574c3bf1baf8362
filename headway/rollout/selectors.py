"""Reads of rollout plans, scoped to the member's organisation, and each phase's
"ready to expand" from its teams' adoption figures.

Every member reads plans; owners and admins manage them (`can_manage_rollout`). A
plan's detail loads its phases with their teams, criteria and cycles in a fixed number
of queries whatever the number of phases. Readiness is computed, never stored: the
adoption figures of the teams a phase covers (with the teams below those marked
`with_subtree`) in the cycle it is measured over, checked against each criterion. A
criterion without enough data blocks readiness and reads "not enough data", never
"met". Rules in docs/rollout.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Prefetch, QuerySet
from django.http import Http404

from headway.accounts.models import Membership, Organisation
from headway.discovery.selectors_survey import organisation_today
from headway.goals.models import Cycle, CycleKind
from headway.insights.adoption_counts import counts_load
from headway.insights.metrics.adoption import Adoption, CriterionStatus, criterion_status
from headway.insights.selectors_adoption import adoption_of_teams
from headway.teams.models import Team

from . import rules
from .models import Metric, PhaseCriterion, PhaseTeam, RolloutPhase, RolloutPlan

NO_CYCLE = (
    "not enough data: no cycle overlaps the phase's dates; add a cycle for them, or choose "
    "the cycle to measure the phase over"
)
NOT_ENOUGH_PREFIX = "not enough data: "
NO_CRITERIA = "The phase has no success criteria: add at least one."


def can_manage_rollout(member: Membership) -> bool:
    return member.is_admin


# --- plans and phases --------------------------------------------------------------------


def plans_list(member: Membership) -> QuerySet[RolloutPlan]:
    """The organisation's plans, newest first, with their number of phases and the
    dates they span (one query)."""
    return RolloutPlan.objects.filter(organisation_id=member.organisation_id).annotate(
        phase_count=Count("phases"),
        first_day=Min("phases__starts_on"),
        last_day=Max("phases__ends_on"),
    )


def plan_get(member: Membership, plan_id: int) -> RolloutPlan:
    plan = RolloutPlan.objects.filter(organisation_id=member.organisation_id, pk=plan_id).first()
    if plan is None:
        raise Http404("No such rollout plan.")
    return plan


def _phases() -> QuerySet[RolloutPhase]:
    return (
        RolloutPhase.objects.select_related("cycle", "plan")
        .prefetch_related(
            Prefetch(
                "phase_teams",
                queryset=PhaseTeam.objects.select_related("team").order_by("team__name"),
            ),
            Prefetch("criteria", queryset=PhaseCriterion.objects.order_by("order", "pk")),
        )
        .order_by("order", "starts_on", "pk")
    )


@dataclass
class PlanView:
    """A plan with its phases in order, each with its teams, criteria and cycle."""

    plan: RolloutPlan
    phases: list[RolloutPhase]


def plan_detail(member: Membership, plan_id: int) -> PlanView:
    """The plan and its phases in four queries, for 1 phase or 20."""
    plan = plan_get(member, plan_id)
    phases = list(_phases().filter(plan=plan))
    for phase in phases:
        phase.plan = plan
    return PlanView(plan, phases)


def phase_get(member: Membership, phase_id: int) -> RolloutPhase:
    phase = _phases().filter(organisation_id=member.organisation_id, pk=phase_id).first()
    if phase is None:
        raise Http404("No such rollout phase.")
    return phase


# --- the teams and the cycle of a phase ----------------------------------------------


def team_parents(organisation_id: int) -> dict[int, int | None]:
    """{team: parent} for the whole organisation, in one query (a few columns per team)."""
    return dict(Team.objects.filter(organisation_id=organisation_id).values_list("pk", "parent_id"))


def phase_team_ids(phase: RolloutPhase, parents: dict[int, int | None] | None = None) -> list[int]:
    """The teams a phase covers: its teams, and every team below those marked
    `with_subtree`."""
    if parents is None:
        parents = team_parents(phase.organisation_id)
    listed = [(pt.team_id, pt.with_subtree) for pt in phase.phase_teams.all()]
    return sorted(rules.coverage(listed, rules.children_of(parents)))


def organisation_cycles(organisation_id: int) -> list[Cycle]:
    return list(Cycle.objects.filter(organisation_id=organisation_id))


def phase_cycle(phase: RolloutPhase, cycles: Sequence[Cycle] | None = None) -> Cycle | None:
    """The cycle a phase is measured over: the one chosen for it; else the quarter that
    overlaps the phase's dates most; else any cycle that overlaps them most; else None.
    Ties go to the later cycle: a phase over two quarters is judged on its latest one."""
    if phase.cycle_id is not None:
        return phase.cycle
    if cycles is None:
        cycles = organisation_cycles(phase.organisation_id)
    span = (phase.starts_on, phase.ends_on)
    overlapping = [
        (rules.overlap_days(span, (c.start_date, c.end_date)), c)
        for c in cycles
        if c.organisation_id == phase.organisation_id
    ]
    overlapping = [(days, c) for days, c in overlapping if days > 0]
    quarters = [(days, c) for days, c in overlapping if c.kind == CycleKind.QUARTER]
    pool = quarters or overlapping
    if not pool:
        return None
    return max(pool, key=lambda item: (item[0], item[1].start_date))[1]


# --- readiness ---------------------------------------------------------------------------


@dataclass
class PhaseReadiness:
    """Whether a phase is ready to expand, and what is still missing when not.

    `ready` is True only when the phase has criteria and every one is met; a criterion
    with `met` None ("not enough data") blocks it. `missing` says, in words with the
    numbers, each criterion not met yet or not measurable yet.
    """

    phase: RolloutPhase
    cycle: Cycle | None
    team_ids: list[int]
    figures: Adoption | None
    criteria: list[CriterionStatus]
    ready: bool
    missing: list[str]
    today: dt.date
    weeks_elapsed: int = 0
    expected_weeks: int = 0

    @property
    def started(self) -> bool:
        return self.today >= self.phase.starts_on

    @property
    def ended(self) -> bool:
        return self.today > self.phase.ends_on

    @property
    def weeks_to_start(self) -> int:
        return max(0, -(-(self.phase.starts_on - self.today).days // 7))

    @property
    def overdue(self) -> bool:
        """More weeks gone since the phase started than expected, and still not ready."""
        gone = (self.today - self.phase.starts_on).days
        return not self.ready and gone >= 7 * self.expected_weeks


def _organisation(member_or_org: Membership | Organisation) -> Organisation:
    if isinstance(member_or_org, Membership):
        return member_or_org.organisation
    return member_or_org


def phase_readiness(
    member_or_org: Membership | Organisation,
    phase: RolloutPhase,
    today: dt.date | None = None,
) -> PhaseReadiness:
    """The phase's readiness today (in the organisation's time zone unless given)."""
    organisation = _organisation(member_or_org)
    if phase.organisation_id != organisation.pk:
        raise Http404("No such rollout phase.")
    today = today or organisation_today(organisation)
    cycle = phase_cycle(phase)
    team_ids = phase_team_ids(phase)
    figures = adoption_of_teams(organisation, team_ids, cycle, today) if cycle else None
    return readiness_of(phase, cycle, team_ids, figures, today)


def plan_readiness(
    member: Membership, view: PlanView, today: dt.date | None = None
) -> list[PhaseReadiness]:
    """Readiness of every phase of a plan, in a fixed number of queries whatever the
    number of phases: the tree and the cycles once, and the adoption counts of every
    cycle the phases are measured over in one load."""
    org = member.organisation
    today = today or organisation_today(org)
    cycles = organisation_cycles(org.pk)
    parents = team_parents(org.pk)
    measured = [(phase, phase_cycle(phase, cycles)) for phase in view.phases]
    wanted = list({c.pk: c for _, c in measured if c is not None}.values())
    counts = counts_load(org, wanted, today) if wanted else None
    known = set(counts.team_ids()) if counts else set()
    found = []
    for phase, cycle in measured:
        team_ids = phase_team_ids(phase, parents)
        figures = None
        if counts is not None and cycle is not None:
            figures = counts.adoption_of(cycle, known & set(team_ids))
        found.append(readiness_of(phase, cycle, team_ids, figures, today))
    return found


def readiness_of(
    phase: RolloutPhase,
    cycle: Cycle | None,
    team_ids: list[int],
    figures: Adoption | None,
    today: dt.date,
) -> PhaseReadiness:
    """A phase's readiness from figures counted by the caller (a plan page or a leader
    brief loads the counts of every cycle it reads once, the phases' included)."""
    criteria = list(phase.criteria.all())
    statuses = [
        criterion_status(c.metric, c.threshold, figures)
        if figures is not None
        else CriterionStatus(c.metric, c.threshold, None, None, NO_CYCLE)
        for c in criteria
    ]
    missing = [_missing(status) for status in statuses if status.met is not True]
    if not criteria:
        missing.append(NO_CRITERIA)
    elapsed = max(0, (min(today, phase.ends_on) - phase.starts_on).days + 1) // 7
    return PhaseReadiness(
        phase=phase,
        cycle=cycle,
        team_ids=team_ids,
        figures=figures,
        criteria=statuses,
        ready=bool(criteria) and all(s.met is True for s in statuses),
        missing=missing,
        today=today,
        weeks_elapsed=elapsed,
        expected_weeks=phase.expected_weeks,
    )


def _missing(status: CriterionStatus) -> str:
    label = metric_label(status.metric)
    if status.met is None:
        return f"{label}: not enough data yet ({reason_detail(status)})"
    return f"{label}: {status.reason}"


def reason_detail(status: CriterionStatus) -> str:
    """The reason without its "not enough data: " opening (a page says that already)."""
    return status.reason.removeprefix(NOT_ENOUGH_PREFIX)


def metric_label(metric: str) -> str:
    try:
        return str(Metric(metric).label)
    except ValueError:
        return metric
