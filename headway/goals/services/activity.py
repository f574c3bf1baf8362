"""The activity feed: one row per action, written inside the action's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from headway.accounts.models import User

from ..models import ActivityEvent, Objective


def _plain(value: Any) -> Any:
    """JSON-safe form of a changed value."""
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def activity_record(**event: Any) -> ActivityEvent:
    """Record that `actor` did `verb` to `target` (the arguments of `activity_event`);
    `changes` maps field -> (before, after)."""
    saved = activity_event(**event)
    saved.save()
    return saved


def activity_event(
    *,
    actor: User | None,
    verb: str,
    target: models.Model,
    objective: Objective | None = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    at: datetime | None = None,
) -> ActivityEvent:
    """The unsaved event, for callers that insert many at once."""
    team_id = (
        objective.owner_team_id if objective is not None else getattr(target, "owner_team_id", None)
    )
    return ActivityEvent(
        organisation_id=target.organisation_id,  # type: ignore[attr-defined]
        actor=actor,
        verb=verb,
        target_type=target._meta.model_name or "",
        target_id=target.pk,
        target_label=str(target)[:200],
        objective=objective,
        team_id=team_id,
        created_at=at or timezone.now(),
        changes={
            field: [_plain(before), _plain(after)]
            for field, (before, after) in (changes or {}).items()
        },
    )


def changed_fields(instance: models.Model, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The subset of `changes` that differs from the instance's current values."""
    return {
        field: (getattr(instance, field), value)
        for field, value in changes.items()
        if getattr(instance, field) != value
    }
