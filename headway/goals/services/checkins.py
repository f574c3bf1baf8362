"""Check-ins: the one write path for a key result's value (web, API, CLI, imports)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from headway.accounts.models import Membership
from headway.insights.services import flags_refresh_on_commit
from headway.notify.webhook_events import CHECKIN_CREATED, webhooks_on_commit

from .. import scoring
from ..models import CheckIn, CycleStatus, KeyResult, KeyResultStatus, ObjectiveStatus
from ..selectors import key_result_get_for_member
from .activity import activity_record
from .editing import MAX_MAGNITUDE, TOO_LARGE
from .rollup import key_result_refresh, lock_objectives, objective_ancestors, rollup

MAX_TEXT = 4000


@dataclass(frozen=True)
class CheckInResult:
    """`checkin.key_result` (and its objective) carry the values after the roll-up
    when `created`; a replay returns the first check-in as stored."""

    checkin: CheckIn
    created: bool  # False when an Idempotency-Key replay returned the first result


def _clean_value(key_result: KeyResult, value: object) -> float:
    if key_result.kind == KeyResult.Kind.MILESTONE:
        try:
            return scoring.milestone_value(str(value))
        except ValueError as error:
            raise ValidationError({"value": str(error)}) from None
    text = str(value).strip().replace(",", "") if value is not None else ""
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise ValidationError(
            {"value": f"{value!r} is not a number; enter digits such as 42 or 12.5."}
        ) from None
    if not math.isfinite(number):
        raise ValidationError({"value": "Enter a finite number."})
    if abs(number) > MAX_MAGNITUDE:
        raise ValidationError({"value": TOO_LARGE})
    return number


def _validate(
    member: Membership, key_result: KeyResult, confidence: object, note: str, blockers: str
) -> int:
    errors: dict[str, str] = {}
    if key_result.status == KeyResultStatus.DROPPED:
        errors["key_result"] = "This key result was dropped; check-ins are closed."
    if key_result.objective.cycle.status == CycleStatus.CLOSED:
        errors["key_result"] = (
            f"The cycle {key_result.objective.cycle} is closed; check-ins are closed."
        )
    elif key_result.objective.status == ObjectiveStatus.CLOSED:
        errors["key_result"] = "The objective is closed; check-ins are closed."
    scale = member.organisation.confidence_scale
    try:
        level = int(str(confidence))
    except (TypeError, ValueError):
        level = -1
    if not 0 <= level <= scale:
        errors["confidence"] = f"Confidence is a whole number from 0 to {scale}."
    if len(note) > MAX_TEXT:
        errors["note"] = f"Keep the note under {MAX_TEXT} characters."
    if len(blockers) > MAX_TEXT:
        errors["blockers"] = f"Keep the blockers under {MAX_TEXT} characters."
    if errors:
        raise ValidationError(errors)
    return level


def _replay(member: Membership, key_result_id: int, idempotency_key: str | None) -> CheckIn | None:
    if not idempotency_key:
        return None
    first = CheckIn.objects.filter(
        author_id=member.user_id, idempotency_key=idempotency_key
    ).first()
    if first is not None and first.key_result_id != key_result_id:
        raise ValidationError(
            {
                "idempotency_key": "This Idempotency-Key was already used for another key result; use a new key."
            }
        )
    return first


def checkin_create(
    *,
    member: Membership,
    key_result_id: int,
    value: object,
    confidence: object,
    note: str = "",
    blockers: str = "",
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
) -> CheckInResult:
    """Record a key result's new value and roll progress up, in one transaction.

    Validates everything before writing. Retrying with the same `idempotency_key`
    returns the first check-in instead of making a second one.
    """
    idempotency_key = (idempotency_key or "").strip()[:100] or None
    first = _replay(member, key_result_id, idempotency_key)
    if first is not None:
        return CheckInResult(first, created=False)
    key_result = key_result_get_for_member(member, key_result_id, write=True)
    number = _clean_value(key_result, value)
    level = _validate(member, key_result, confidence, note or "", blockers or "")
    try:
        checkin = _write(
            member, key_result, number, level, note or "", blockers or "", idempotency_key, at
        )
    except IntegrityError:
        # A concurrent retry with the same key committed first: answer with its result.
        first = _replay(member, key_result_id, idempotency_key)
        if first is None:
            raise
        return CheckInResult(first, created=False)
    return CheckInResult(checkin, created=True)


def _write(
    member: Membership,
    key_result: KeyResult,
    value: float,
    confidence: int,
    note: str,
    blockers: str,
    idempotency_key: str | None,
    at: dt.datetime | None,
) -> CheckIn:
    with transaction.atomic():
        graph = objective_ancestors([key_result.objective_id])
        lock_objectives(graph[0])
        key_result = (
            KeyResult.objects.select_for_update(of=("self",))
            .select_related("objective")
            .get(pk=key_result.pk)
        )
        checkin = CheckIn.objects.create(
            organisation_id=key_result.organisation_id,
            key_result=key_result,
            author=member.user,
            value=value,
            confidence=confidence,
            note=note.strip(),
            blockers=blockers.strip(),
            idempotency_key=idempotency_key,
            created_at=at or timezone.now(),
        )
        # A back-dated check-in (an import) joins the history without replacing a newer value.
        if key_result.last_checkin_at is None or checkin.created_at >= key_result.last_checkin_at:
            before = key_result.current_value
            key_result.current_value = value
            key_result.confidence = confidence
            key_result.last_checkin_at = checkin.created_at
            key_result_refresh(key_result)
            key_result.save(
                update_fields=[
                    "current_value",
                    "confidence",
                    "last_checkin_at",
                    "progress",
                    "progress_raw",
                ]
            )
            progress = rollup([key_result.objective_id], locked=True, graph=graph)
            key_result.objective.progress = progress[key_result.objective_id]
        else:
            before = key_result.current_value
        activity_record(
            actor=member.user,
            verb="checked in",
            target=key_result,
            objective=key_result.objective,
            changes={"value": (before, value), "confidence": (None, confidence)},
            at=checkin.created_at,
        )
        # Flags follow the new value once it is committed; a failure there is logged,
        # never an error for the check-in (see flags_after_checkin).
        flags_refresh_on_commit(key_result.organisation_id, key_result.pk)
        webhooks_on_commit(key_result.organisation_id, CHECKIN_CREATED, [checkin.pk])
    # Callers answer with the key result and objective as this check-in left them.
    checkin.key_result = key_result
    return checkin
