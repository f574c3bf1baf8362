"""Purpose surveys for tests: answers that echo a freight strategy or describe payroll
tasks, and a builder that writes a survey with its answers directly (history, not the
public write path, which has its own tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from headway.accounts.models import Organisation
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.goals.models import Theme
from headway.teams.models import Team
from headway.text import get_engine

LEXICAL = get_engine("lexical")
STRATEGY = "Deliver every customer's freight on time and visible end to end."
ON_STRATEGY = [
    "Getting customers' freight to them on time.",
    "Freight that arrives on time, visible end to end.",
    "On-time freight deliveries for every customer.",
    "Customers see their freight end to end and it arrives on time.",
    "Delivering freight on time for customers.",
    "Visible, on-time freight for our customers.",
]
TASKS = [
    "I run payroll and answer payslip questions.",
    "Payroll runs and payslip corrections.",
    "Booking invoices and running payroll.",
    "Payslips, payroll and pension forms.",
    "Running payroll every month and fixing payslips.",
]


def survey_with(
    organisation: Organisation,
    answers: dict[Team | None, list[str]],
    *,
    title: str = "Purpose",
    opened_days_ago: int = 10,
    **fields: Any,
) -> PurposeSurvey:
    """A survey opened `opened_days_ago` days ago, open for 15 days unless `fields`
    say otherwise, with these answers given today."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "organisation": organisation,
        "title": title,
        "opens_on": today - dt.timedelta(days=opened_days_ago),
        "closes_on": today - dt.timedelta(days=opened_days_ago - 15),
        "token": f"token-{PurposeSurvey.objects.count()}",
    }
    survey = PurposeSurvey.objects.create(**{**values, **fields})
    PurposeAnswer.objects.bulk_create(
        PurposeAnswer(survey=survey, team=team, text=text, answered_on=today)
        for team, texts in answers.items()
        for text in texts
    )
    return survey


def with_strategy(organisation: Organisation) -> Theme:
    """The freight strategy statement and its one live theme."""
    organisation.strategy_statement = STRATEGY
    organisation.save(update_fields=["strategy_statement"])
    return Theme.objects.create(organisation=organisation, title="On-time freight", order=1)
