"""The events outgoing webhooks carry, what each one's `data` holds, and the one hook
the goals and insights services call when one happens.

A service calls `webhooks_on_commit(organisation_id, event, ids)` inside its
transaction. One small query asks whether an enabled webhook of the organisation wants
the event (most organisations have none: that is all it costs); only then is the rest
left to `transaction.on_commit`. Nothing is sent unless the transaction commits; after
the commit the rows are read and the deliveries written (`webhooks.webhook_events`). A
failure there is logged, never shown to the person whose action caused the event: the
check-in or the closed cycle is already saved. docs/webhooks.md documents every field below; a field
is added, never renamed or removed, without raising the envelope's `version`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

if TYPE_CHECKING:
    from headway.accounts.models import Organisation, User
    from headway.goals.models import KeyResult, Objective
    from headway.insights.models import Flag

logger = logging.getLogger(__name__)

CHECKIN_CREATED = "checkin.created"
OBJECTIVE_CREATED = "objective.created"
OBJECTIVE_CLOSED = "objective.closed"
FLAG_RAISED = "flag.raised"
FLAG_RESOLVED = "flag.resolved"
PING = "ping"  # the "send test event" button; sent to one webhook whatever it subscribes to

EVENTS = {
    CHECKIN_CREATED: "A check-in was recorded on a key result.",
    OBJECTIVE_CREATED: "An objective was created.",
    OBJECTIVE_CLOSED: "An objective was closed, by hand or with its cycle.",
    FLAG_RAISED: "A key result was flagged: stalled, a watermelon or an overdue check-in.",
    FLAG_RESOLVED: "A flag no longer holds.",
}

Data = dict[str, Any]


def webhooks_on_commit(organisation_id: int, event: str, ids: Iterable[int]) -> None:
    """Send `event` for each row id (check-ins, objectives or flags) to the
    organisation's webhooks once the current transaction commits."""
    ids = sorted(set(ids))
    if ids and _wanted(organisation_id, event):
        transaction.on_commit(partial(_emit, organisation_id, event, ids))


def _wanted(organisation_id: int, event: str) -> bool:
    from .models import Webhook

    subscribed = Webhook.objects.filter(organisation_id=organisation_id, enabled=True)
    return any(
        not events or event in events for events in subscribed.values_list("events", flat=True)
    )


def _emit(organisation_id: int, event: str, ids: list[int]) -> None:
    from .webhooks import webhook_events  # webhooks imports this module

    try:
        webhook_events(organisation_id, event, partial(BUILDERS[event], ids=ids))
    except Exception:
        logger.exception(
            "Queueing webhook event %s for %s (organisation %s) failed.",
            event,
            ids,
            organisation_id,
        )


# --- the `data` of each event -------------------------------------------------------


def _url(organisation: Organisation, objective_id: int) -> str:
    path = reverse(
        "objective-detail", kwargs={"org": organisation.slug, "objective_id": objective_id}
    )
    return f"{settings.SITE_URL}{path}"


def _person(user: User | None) -> Data | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def objective_data(organisation: Organisation, objective: Objective) -> Data:
    team = objective.owner_team
    return {
        "id": objective.pk,
        "title": objective.title,
        "status": objective.status,
        "visibility": objective.visibility,
        "progress": objective.progress,
        "cycle": {"id": objective.cycle_id, "name": objective.cycle.name},
        "owner_team": None if team is None else {"id": team.pk, "name": team.name},
        "owner_user": _person(objective.owner_user),
        "url": _url(organisation, objective.pk),
    }


def key_result_data(key_result: KeyResult) -> Data:
    return {
        "id": key_result.pk,
        "title": key_result.title,
        "kind": key_result.kind,
        "unit": key_result.unit,
        "start_value": key_result.start_value,
        "target_value": key_result.target_value,
        "current_value": key_result.current_value,
        "progress": key_result.progress,
        "confidence": key_result.confidence,
    }


_OBJECTIVE_JOINS = ("cycle", "owner_team", "owner_user")


def checkins_created(organisation: Organisation, ids: list[int]) -> list[Data]:
    from headway.goals.models import CheckIn

    checkins = (
        CheckIn.objects.filter(organisation_id=organisation.pk, pk__in=ids)
        .select_related(
            "author", "key_result", *(f"key_result__objective__{j}" for j in _OBJECTIVE_JOINS)
        )
        .order_by("pk")
    )
    return [
        {
            "check_in": {
                "id": checkin.pk,
                "value": checkin.value,
                "confidence": checkin.confidence,
                "created_at": checkin.created_at.isoformat(),
                "author": _person(checkin.author),
            },
            "key_result": key_result_data(checkin.key_result),
            "objective": objective_data(organisation, checkin.key_result.objective),
        }
        for checkin in checkins
    ]


def _objectives(organisation: Organisation, ids: list[int]) -> list[Objective]:
    from headway.goals.models import Objective

    return list(
        Objective.objects.filter(organisation_id=organisation.pk, pk__in=ids)
        .select_related(*_OBJECTIVE_JOINS)
        .prefetch_related("key_results")
        .order_by("pk")
    )


def objectives_created(organisation: Organisation, ids: list[int]) -> list[Data]:
    return [
        {
            "objective": objective_data(organisation, objective),
            "key_results": [key_result_data(kr) for kr in objective.key_results.all()],
        }
        for objective in _objectives(organisation, ids)
    ]


def objectives_closed(organisation: Organisation, ids: list[int]) -> list[Data]:
    from headway.goals.models import CycleStatus
    from headway.goals.selectors_closing import objective_score_of

    return [
        {
            "objective": {
                **objective_data(organisation, objective),
                "score": objective_score_of(objective, list(objective.key_results.all())).score,
                "closed_with_cycle": objective.cycle.status == CycleStatus.CLOSED,
            }
        }
        for objective in _objectives(organisation, ids)
    ]


def _flags(organisation: Organisation, ids: list[int]) -> list[Flag]:
    from headway.insights.models import Flag

    joins = (f"key_result__objective__{j}" for j in _OBJECTIVE_JOINS)
    return list(
        Flag.objects.filter(organisation_id=organisation.pk, pk__in=ids)
        .select_related("key_result", *joins)
        .order_by("pk")
    )


def _flag_data(organisation: Organisation, flag: Flag) -> Data:
    return {
        "flag": {
            "id": flag.pk,
            "kind": flag.kind,
            "reason": flag.reason,
            "severity": flag.severity,
            "opened_at": flag.opened_at.isoformat(),
            "resolved_at": flag.resolved_at.isoformat() if flag.resolved_at else None,
        },
        "key_result": key_result_data(flag.key_result),
        "objective": objective_data(organisation, flag.key_result.objective),
    }


def flags_changed(organisation: Organisation, ids: list[int]) -> list[Data]:
    return [_flag_data(organisation, flag) for flag in _flags(organisation, ids)]


BUILDERS: dict[str, Callable[..., list[Data]]] = {
    CHECKIN_CREATED: checkins_created,
    OBJECTIVE_CREATED: objectives_created,
    OBJECTIVE_CLOSED: objectives_closed,
    FLAG_RAISED: flags_changed,
    FLAG_RESOLVED: flags_changed,
}
