"""The demo's discovery record and rollout plan, made through the services.

Discovery: Tidewater wants OKRs because promises to customers slip; Ava Okafor, the
CEO, champions them and needs alignment (in her own words, below); Daniel Reyes needs
focus; Platform and Tracking were chosen as the pilot teams.

The plan: the pilot ran last quarter with Platform and Tracking, and their figures of
that closed quarter meet the default success criteria (every weekly check-in done,
two thirds of their key results read as outcomes, both objectives aligned to a theme,
Tracking's pivot), so it reads "ready to expand"; Product & Engineering with the
teams below runs this quarter; the whole company follows for two quarters.

Idempotent: the record and each leader are made once, the plan once (found by title).
"""

from __future__ import annotations

import datetime as dt

from headway.accounts.models import Membership, User
from headway.discovery import services as discovery
from headway.discovery.models import DiscoveryLeader, DiscoveryRecord
from headway.goals.models import Cycle
from headway.rollout import rules
from headway.rollout import services as rollout
from headway.rollout.models import RolloutPlan
from headway.teams.models import Team

from . import data

PILOT_TEAMS = ("platform", "tracking")
DEPARTMENT = "product-engineering"
PLAN_TITLE = "OKRs at Tidewater: pilot, Product & Engineering, then everyone"

RECORD = {
    "why_stated": "We want everyone to know the company's priorities.",
    "real_reason": (
        "Departments plan on their own, and we find out at the end of the quarter that "
        "promises to customers slipped between them."
    ),
    "champion_seniority": "executive",
    "champion_hours_per_month": 6,
    "time_expectation": (
        "A quarter of pilot with Platform and Tracking, a quarter for Product & "
        "Engineering, then two quarters to reach everyone: about a year."
    ),
    "time_expectation_agreed": True,
}

# (e-mail, role, problem, in their own words)
LEADERS = [
    (
        data.DEMO_LOGIN,
        "Chief Executive",
        "alignment",
        "Every department works hard, but each on its own list. I want every team to see "
        "how its work moves our three themes, instead of finding out at the end of the "
        "quarter that we pulled in different directions.",
    ),
    (
        "daniel.reyes@tidewater.example",
        "Commercial Director",
        "focus",
        "Sales chases every lead; I want us to say no to the shippers we cannot serve well.",
    ),
]


def demo_discovery(owner: Membership, by_slug: dict[str, Team]) -> DiscoveryRecord:
    """The organisation's discovery record with its champion, pilot teams and leaders."""
    record = DiscoveryRecord.objects.filter(organisation=owner.organisation, team=None).first()
    if record is None:
        record = discovery.discovery_record_save(
            member=owner,
            champion_id=owner.user_id,
            pilot_team_ids=[by_slug[slug].pk for slug in PILOT_TEAMS],
            **RECORD,
        )
    for email, role, problem, detail in LEADERS:
        user = User.objects.get(email=email)
        if not DiscoveryLeader.objects.filter(record=record, user=user).exists():
            discovery.discovery_leader_add(
                member=owner,
                record_id=record.pk,
                user_id=user.pk,
                role=role,
                problem=problem,
                problem_detail=detail,
            )
    return record


def demo_rollout(
    owner: Membership, by_slug: dict[str, Team], previous: Cycle, current: Cycle
) -> RolloutPlan:
    """The three-phase plan: the pilot over `previous` (closed), the department over
    `current`, the organisation for the two quarters after it."""
    found = RolloutPlan.objects.filter(organisation=owner.organisation, title=PLAN_TITLE).first()
    if found is not None:
        return found
    after = current.end_date + dt.timedelta(days=1)
    later = rules.end_after(after, 2 * rules.QUARTER_WEEKS)
    phases = [
        _phase(
            "Pilot: Platform and Tracking",
            "pilot",
            previous.start_date,
            previous.end_date,
            [{"team_id": by_slug[slug].pk} for slug in PILOT_TEAMS],
            cycle_id=previous.pk,
            notes="Chosen in discovery: measurable work, and leads who want to try.",
        ),
        _phase(
            "Department: Product & Engineering",
            "department",
            current.start_date,
            current.end_date,
            [{"team_id": by_slug[DEPARTMENT].pk, "with_subtree": True}],
            cycle_id=current.pk,
        ),
        _phase(
            "The whole company",
            "organisation",
            after,
            later,
            [{"team_id": by_slug["tidewater"].pk, "with_subtree": True}],
        ),
    ]
    return rollout.plan_create(
        member=owner,
        title=PLAN_TITLE,
        notes="Agreed with Ava Okafor in discovery: about a year to reach everyone.",
        phases=phases,
    )


def _phase(
    name: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    teams: list[dict[str, object]],
    **more: object,
) -> dict[str, object]:
    return {
        "name": name,
        "kind": kind,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "expected_weeks": rules.weeks_of(starts_on, ends_on),
        "teams": teams,
        **more,
    }
