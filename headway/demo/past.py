"""The demo's previous quarter, scored and closed: what a cycle close leaves behind.

Its key results end hit, partly hit or missed, and the teams' confidence along the
way has three temperaments: Commercial is an optimist (confident to the end, missed),
Platform sandbags (doubtful, then hit), Tracking and the company say what they
believe. Tracking records one pivot mid-quarter. Each objective has a short
retrospective; one score is overridden with a reason; then the cycle is closed
through the same service a person would use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from headway.accounts.models import Membership
from headway.goals import services as goals
from headway.goals.models import Cycle, CycleStatus, KeyResult, Objective, Theme
from headway.teams.models import Team

from .build_okrs import lead_of

# (team slug, title, theme index, [(title, kind, start, target, unit, format, outcome)],
#  temperament, (went well, learned, next))
# Outcome: share of the way reached at the end (milestones: 1.0 done, 0.0 not).
PAST_OBJECTIVES: list[tuple[str, str, int, list[tuple[Any, ...]], str, tuple[str, str, str]]] = [
    (
        "tidewater",
        "Make delivery promises we keep",
        0,
        [
            ("On-time delivery rate", "increase", 84, 90, "%", "percent", 1.0),
            ("Claims paid within 14 days", "increase", 60, 85, "%", "percent", 0.7),
            ("Shipments re-planned by hand", "decrease", 300, 150, "shipments", "number", 0.4),
        ],
        "honest",
        (
            "Hubs agreed one definition of 'on time' in week two, so every number meant the same.",
            "Claims stall on missing photos, not on approvals: fixing the driver app mattered more than the process.",
            "Carry on-time into next quarter with the 95% target; put photo capture in the driver app.",
        ),
    ),
    (
        "commercial",
        "Open the German market",
        2,
        [
            ("Signed German shippers", "increase", 0, 10, "shippers", "number", 0.3),
            ("Qualified German opportunities", "increase", 5, 40, "opportunities", "number", 0.37),
            ("German-speaking account managers hired", "increase", 0, 2, "people", "number", 0.5),
        ],
        "optimist",
        (
            "Two anchor customers in Hamburg signed and are happy to be references.",
            "We reported pipeline as signed business: confidence stayed at 8 while deals slipped week after week.",
            "Review deals weekly with a dated next step, and check in what is signed, not what is hoped.",
        ),
    ),
    (
        "platform",
        "Release without drama",
        0,
        [
            ("Deploys per week", "increase", 3, 8, "deploys", "number", 1.0),
            ("Failed deploys per month", "decrease", 12, 5, "", "number", 1.0),
            ("Canary releases in place", "milestone", None, None, "", "number", 1.0),
        ],
        "sandbagger",
        (
            "Canary releases caught three bad builds before customers saw them.",
            "We said 3 or 4 out of 10 for weeks while the numbers were already on track: our confidence hid good news.",
            "Keep the pipeline work going; say what the data shows when we check in.",
        ),
    ),
    (
        "tracking",
        "Tracking customers can trust",
        1,
        [
            ("Tracking events within 60 s", "increase", 92, 98, "%", "percent", 1.0),
            ("Portal logins per week", "increase", 200, 500, "logins", "number", 0.8),
            ("Tracking tickets per week", "decrease", 40, 15, "tickets", "number", 0.6),
        ],
        "honest",
        (
            "Event latency hit 98% after moving to the new message queue.",
            "Customers log in when alerts bring them there, not because the portal exists.",
            "Put alerts in the customer's own e-mail thread and measure the calls they save.",
        ),
    ),
]

# Tracking's course correction during the quarter, which its retrospective remembers:
# (key result, the week it was recorded after its check-in, tried, learned, next).
PAST_PIVOT = (
    "Portal logins per week",
    5,
    "A launch e-mail to every customer announcing the new tracking portal.",
    "Logins jumped for a week and fell back: customers come to the portal when something "
    "prompts them, not because it exists.",
    "Send every delay alert with a link to the shipment's page in the portal.",
)

# One score a person corrects at the close, with the reason.
OVERRIDE = (
    "Qualified German opportunities",
    0.5,
    "Two re-activated accounts were qualified in the last week but logged after the cut-off.",
)

WEEKS = 13


def _confidence(temperament: str, outcome: float, week: int) -> int:
    """What the owner said in week `week`, by temperament and how things went."""
    late = week / (WEEKS - 1)
    if temperament == "optimist":
        return 8 if week % 3 else 9
    if temperament == "sandbagger":
        return 3 if week % 2 else 4
    # Honest: starts neutral and drifts towards what the numbers show.
    believed = 0.6 + (outcome - 0.6) * late
    return max(1, min(9, round(believed * 10)))


def _share(kind: str, outcome: float, week: int) -> float:
    """Share of the way reached in week `week`, ending at `outcome`."""
    if kind == "milestone":
        return 1.0 if outcome >= 1 and week >= WEEKS - 3 else 0.0
    elapsed = (week + 1) / WEEKS
    return outcome * elapsed ** (1.2 if outcome < 0.6 else 1.0)


def _value(row: tuple[Any, ...], share: float) -> float:
    _, kind, start, target, *_ = row
    if kind == "milestone":
        return share
    value = start + (target - start) * share
    return round(value, 1)


def previous_quarter(owner: Membership, current: Cycle) -> Cycle | None:
    return (
        Cycle.objects.filter(
            organisation=owner.organisation, kind="quarter", end_date__lt=current.start_date
        )
        .order_by("-end_date")
        .first()
    )


def demo_past_quarter(owner: Membership, by_slug: dict[str, Team], cycle: Cycle) -> None:
    """Fill, score and close the previous quarter once; a demo that already has
    objectives there keeps them."""
    if Objective.objects.filter(organisation=owner.organisation, cycle=cycle).exists():
        return
    if cycle.status != CycleStatus.ACTIVE:
        goals.cycle_update(member=owner, cycle=cycle, status=CycleStatus.ACTIVE)
    themes = list(
        Theme.objects.filter(organisation=owner.organisation, team=None).order_by("order")
    )
    for slug, title, theme, rows, temperament, retro in PAST_OBJECTIVES:
        lead = lead_of(by_slug[slug], owner)
        objective = goals.objective_create(
            member=lead,
            cycle_id=cycle.pk,
            owner_team_id=by_slug[slug].pk,
            title=title,
            key_results=[_fields(row, lead) for row in rows],
        )
        goals.alignment_link_create(
            member=lead, child=objective, parent_type="theme", parent_id=themes[theme].pk
        )
        _history(lead, cycle, objective, rows, temperament)
        went_well, learned, next_step = retro
        goals.objective_retrospective_save(
            member=lead,
            objective_id=objective.pk,
            went_well=went_well,
            learned=learned,
            next=next_step,
        )
    _override(owner, cycle)
    goals.cycle_close(member=owner, cycle_id=cycle.pk)


def _fields(row: tuple[Any, ...], lead: Membership) -> dict[str, Any]:
    title, kind, start, target, unit, fmt, _ = row
    fields: dict[str, Any] = {"title": title, "kind": kind, "unit": unit, "format": fmt}
    if kind != "milestone":
        fields.update(start_value=start, target_value=target)
    return {**fields, "owner_id": lead.user_id}


def _history(
    lead: Membership,
    cycle: Cycle,
    objective: Objective,
    rows: list[tuple[Any, ...]],
    temperament: str,
) -> None:
    key_results = list(objective.key_results.order_by("order"))
    for key_result, row in zip(key_results, rows, strict=True):
        outcome = row[6]
        for week in range(WEEKS):
            day = cycle.start_date + dt.timedelta(days=7 * week + 4)
            goals.checkin_create(
                member=lead,
                key_result_id=key_result.pk,
                value=_value(row, _share(row[1], outcome, week)),
                confidence=_confidence(temperament, outcome, week),
                at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
            )
            if (key_result.title, week) == PAST_PIVOT[:2]:
                _pivot(lead, key_result, day)


def _pivot(lead: Membership, key_result: KeyResult, day: dt.date) -> None:
    _, _, tried, learned, next_step = PAST_PIVOT
    goals.pivot_record(
        member=lead,
        key_result_id=key_result.pk,
        tried=tried,
        learned=learned,
        next_step=next_step,
        at=timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0))),
    )


def _override(owner: Membership, cycle: Cycle) -> None:
    title, score, reason = OVERRIDE
    key_result = KeyResult.objects.get(objective__cycle=cycle, title=title)
    goals.key_result_score_set(
        member=owner, key_result_id=key_result.pk, score=score, reason=reason
    )
