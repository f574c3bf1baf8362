"""Pilot suggestions: which teams to start with, ranked, each with its reasons in
words.

The facts come from the discovery records (pilot teams chosen there, leaders who want
OKRs and lead a team or are listed in its record), the team tree (size, lead) and the
goals data of the last year (key results with numeric targets, recent check-ins). The
scoring is `rules.pilot_score`; docs/rollout.md lists every reason. Six queries,
whatever the size of the organisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from headway.accounts.models import Membership
from headway.discovery.models import DiscoveryLeader, DiscoveryRecord, LeaderProblem
from headway.discovery.selectors_survey import organisation_today
from headway.goals.models import CheckIn, KeyResult, KeyResultStatus
from headway.teams.models import Team, TeamMembership, TeamRole

from . import rules

KEY_RESULT_DAYS = 365  # key results of cycles that ended within a year count
CHECKIN_DAYS = 90
NUMERIC_KINDS = (KeyResult.Kind.INCREASE, KeyResult.Kind.DECREASE, KeyResult.Kind.MAINTAIN)


@dataclass
class PilotSuggestion:
    """A team as a possible pilot: its score (for the order only), why it fits and
    what speaks against it."""

    team: Team
    score: int
    people: int
    leads: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)


def pilot_suggestions(member: Membership, limit: int = 5) -> list[PilotSuggestion]:
    """The best pilot teams first (ties by name); teams scoring nothing are left out."""
    org = member.organisation_id
    teams = list(Team.objects.filter(organisation_id=org).annotate(people=Count("memberships")))
    leads = _leads(org)
    pilots = set(
        DiscoveryRecord.pilot_teams.through.objects.filter(
            discoveryrecord__organisation_id=org
        ).values_list("team_id", flat=True)
    )
    wanted = _wanted(org, leads)
    measured = _key_results(member)
    checkins = _checkins(org)
    suggestions = []
    for team in teams:
        total, numeric = measured.get(team.pk, (0, 0))
        facts = rules.PilotFacts(
            people=team.people,
            leads=[name for _, name in leads.get(team.pk, [])],
            discovery_pilot=team.pk in pilots,
            wanted_by=wanted.get(team.pk, []),
            key_results=total,
            numeric_key_results=numeric,
            checkins=checkins.get(team.pk, 0),
            checkin_days=CHECKIN_DAYS,
        )
        score = rules.pilot_score(facts)
        if score.score > 0:
            suggestions.append(
                PilotSuggestion(
                    team,
                    score.score,
                    facts.people,
                    list(facts.leads),
                    score.reasons,
                    score.cautions,
                )
            )
    suggestions.sort(key=lambda s: (-s.score, s.team.name.lower(), s.team.pk))
    return suggestions[:limit]


def _leads(org: int) -> dict[int, list[tuple[int, str]]]:
    """{team: [(user id, name)]} of every team's leads, by name."""
    rows = (
        TeamMembership.objects.filter(organisation_id=org, role=TeamRole.LEAD)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    leads: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        leads.setdefault(row.team_id, []).append((row.user_id, row.user.display_name))
    return leads


def _wanted(org: int, leads: dict[int, list[tuple[int, str]]]) -> dict[int, list[tuple[str, str]]]:
    """{team: [(leader, problem)]}: leaders in discovery who lead the team, or who are
    listed in the team's own discovery record."""
    led_by: dict[int, list[int]] = {}
    for team, people in leads.items():
        for user_id, _ in people:
            led_by.setdefault(user_id, []).append(team)
    wanted: dict[int, list[tuple[str, str]]] = {}
    leaders = DiscoveryLeader.objects.filter(record__organisation_id=org).values_list(
        "user_id", "name", "problem", "record__team_id"
    )
    for user_id, name, problem, record_team in leaders:
        teams = set(led_by.get(user_id, [])) if user_id else set()
        if record_team is not None:
            teams.add(record_team)
        label = _problem(problem)
        for team in teams:
            if (name, label) not in wanted.setdefault(team, []):
                wanted[team].append((name, label))
    return wanted


def _problem(value: str) -> str:
    if value in LeaderProblem.values and value != LeaderProblem.OTHER:
        return str(LeaderProblem(value).label).lower()
    return "a problem of their own"


def _key_results(member: Membership) -> dict[int, tuple[int, int]]:
    """{team: (key results, of them with numeric targets)} over the last year."""
    since = organisation_today(member.organisation) - dt.timedelta(days=KEY_RESULT_DAYS)
    rows = (
        KeyResult.objects.filter(
            organisation_id=member.organisation_id,
            status=KeyResultStatus.ACTIVE,
            objective__owner_team__isnull=False,
            objective__cycle__end_date__gte=since,
        )
        .values("objective__owner_team_id")
        .annotate(
            total=Count("pk"),
            numeric=Count("pk", filter=Q(kind__in=NUMERIC_KINDS, target_value__isnull=False)),
        )
        .order_by()
    )
    return {row["objective__owner_team_id"]: (row["total"], row["numeric"]) for row in rows}


def _checkins(org: int) -> dict[int, int]:
    since = timezone.now() - dt.timedelta(days=CHECKIN_DAYS)
    rows = (
        CheckIn.objects.filter(
            organisation_id=org,
            created_at__gte=since,
            key_result__objective__owner_team__isnull=False,
        )
        .values("key_result__objective__owner_team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["key_result__objective__owner_team_id"]: row["n"] for row in rows}
