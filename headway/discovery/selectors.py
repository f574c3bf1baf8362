"""Reads of discovery records, scoped to the member's organisation.

Every member reads the organisation's record and every team's; owners and admins
edit them all, a team's leads edit their team's record (`can_edit_discovery`).
A record that was never saved reads as a blank one (version 0), so pages and the
API show the empty checklist rather than a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from headway.accounts.models import Membership
from headway.teams.models import Team, TeamMembership, TeamRole

from .models import DiscoveryLeader, DiscoveryRecord
from .readiness import DiscoveryFacts, ReadinessItem, readiness

# The "dig deeper" ladder: each follow-up answer is stored with the question it answers.
LADDER = (
    "Why does that matter?",
    "What happens if nothing changes?",
    "Who feels that most, and how?",
    "What would be different in a year if it worked?",
)


@dataclass
class DiscoveryView:
    """A record (maybe unsaved) with its leaders, pilot teams and checklist."""

    record: DiscoveryRecord
    leaders: list[DiscoveryLeader]
    pilot_teams: list[Team]
    checklist: list[ReadinessItem]

    @property
    def ready(self) -> bool:
        return all(item.done for item in self.checklist)

    @property
    def next_question(self) -> str | None:
        return next_question(self.record)


def next_question(record: DiscoveryRecord) -> str | None:
    """The ladder's next question, None once every rung is answered."""
    asked = len(record.why_followups or [])
    return LADDER[asked] if asked < len(LADDER) else None


def can_edit_discovery(member: Membership, team: Team | None) -> bool:
    if not member.can_write:
        return False
    if member.is_admin:
        return True
    if team is None:
        return False
    return TeamMembership.objects.filter(
        team_id=team.pk, user_id=member.user_id, role=TeamRole.LEAD
    ).exists()


def _records(member: Membership):  # type: ignore[no-untyped-def]
    return (
        DiscoveryRecord.objects.filter(organisation_id=member.organisation_id)
        .select_related("team", "champion", "updated_by")
        .prefetch_related(
            Prefetch("leaders", queryset=DiscoveryLeader.objects.select_related("user")),
            Prefetch("pilot_teams", queryset=Team.objects.order_by("name")),
        )
    )


def discovery_record_for(member: Membership, team: Team | None = None) -> DiscoveryView:
    """The record of the organisation (`team` None) or of one of its teams."""
    if team is not None and team.organisation_id != member.organisation_id:
        raise Http404("No such team.")
    record = _records(member).filter(team=team).first()
    if record is None:
        blank = DiscoveryRecord(organisation=member.organisation, team=team, version=0)
        return DiscoveryView(blank, [], [], readiness(facts_of(blank, 0)))
    return _view(record)


def discovery_record_get(member: Membership, record_id: int) -> DiscoveryView:
    record = _records(member).filter(pk=record_id).first()
    if record is None:
        raise Http404("No such discovery record.")
    return _view(record)


def _view(record: DiscoveryRecord) -> DiscoveryView:
    pilots = list(record.pilot_teams.all())
    return DiscoveryView(
        record, list(record.leaders.all()), pilots, readiness(facts_of(record, len(pilots)))
    )


def facts_of(record: DiscoveryRecord, pilot_teams: int) -> DiscoveryFacts:
    answered = sum(1 for f in record.why_followups or [] if str(f.get("answer", "")).strip())
    return DiscoveryFacts(
        real_reason=record.real_reason,
        followups_answered=answered,
        champion_named=bool(record.champion_id or record.champion_name.strip()),
        champion_seniority=record.champion_seniority,
        champion_hours_per_month=record.champion_hours_per_month,
        pilot_teams=pilot_teams,
        time_expectation=record.time_expectation,
        time_expectation_agreed=record.time_expectation_agreed,
    )


def discovery_leader_get(member: Membership, leader_id: int) -> DiscoveryLeader:
    leader = (
        DiscoveryLeader.objects.filter(pk=leader_id, record__organisation_id=member.organisation_id)
        .select_related("record__team", "user")
        .first()
    )
    if leader is None:
        raise Http404("No such leader.")
    return leader
