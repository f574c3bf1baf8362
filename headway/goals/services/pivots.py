"""Pivots and target changes: the course corrections of a key result.

A pivot records what the team tried, what it learned and what it tries next, and may
answer a flag, start or stop initiatives and move the target in the same step. A
target change keeps the old target beside the new one with its reason, so the history
of a key result's ambition is never rewritten. Both go through `_write`: everything is
validated first, then written in one transaction that also recomputes the key result's
progress and rolls it up, as a check-in does. The reason rule and the history row are
shared with an edit of the key result's target (targets.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from headway.accounts.models import Membership
from headway.insights.models import Flag

from .. import scoring
from ..models import (
    CycleStatus,
    Initiative,
    KeyResult,
    KeyResultStatus,
    ObjectiveStatus,
    Pivot,
    TargetChange,
)
from ..selectors import can_edit_objective
from ..selectors_learning import OPEN_INITIATIVES, key_result_for_correction
from .activity import activity_record
from .checkins import MAX_TEXT
from .editing import MAX_MAGNITUDE
from .initiatives import (
    InitiativeDraft,
    initiative_insert,
    initiative_prepare,
    initiative_require_edit,
    initiative_update,
)
from .rollup import key_result_refresh, lock_objectives, objective_ancestors, rollup
from .targets import TARGET_MOVED, TargetMove, target_change_record, target_reason_check

MAX_NEW_INITIATIVES = 20
TEXTS = {
    "tried": "Say what you tried.",
    "learned": "Say what you learned: it is what the next team reads.",
    "next_step": "Say what you will try next.",
}


@dataclass
class _Plan:
    """A validated course correction, ready to write."""

    key_result: KeyResult
    texts: dict[str, str] | None = None  # None for a target change on its own
    flag: Flag | None = None
    target: TargetMove | None = None
    starts: list[InitiativeDraft] = field(default_factory=list)
    stops: list[Initiative] = field(default_factory=list)
    at: dt.datetime | None = None  # when it happened; now unless back-dated (the demo, imports)


def pivot_record(
    *,
    member: Membership,
    key_result_id: int,
    tried: str,
    learned: str,
    next_step: str,
    flag_id: object = None,
    new_target: object = None,
    target_reason: str = "",
    start_initiatives: Iterable[str] = (),
    stop_initiative_ids: Iterable[object] = (),
    at: dt.datetime | None = None,
) -> Pivot:
    """Record a pivot on a key result, with what changes along with it.

    Refused whole (ValidationError with field errors) when anything is wrong: a
    missing text, a flag of another key result, a target change without a reason,
    an initiative to stop that is not this key result's. Then, in one transaction:
    the pivot (freezing the value and progress it started from), new initiatives,
    stopped ones, the target change with the roll-up, the flag's answer, the activity.
    """
    key_result = key_result_for_correction(member, key_result_id)
    errors: dict[str, str] = {}
    texts = _texts(errors, {"tried": tried, "learned": learned, "next_step": next_step})
    _check_open(errors, key_result)
    flag = _flag(errors, key_result, flag_id)
    target = _target(errors, member, key_result, new_target, target_reason, "target_reason")
    starts = _starts(errors, member, key_result, start_initiatives)
    stops = _stops(errors, member, key_result, stop_initiative_ids)
    if errors:
        raise ValidationError(errors)
    plan = _Plan(key_result, texts, flag, target, starts, stops, at)
    pivot, _ = _write(member, plan)
    assert pivot is not None
    return pivot


def key_result_target_change(
    *, member: Membership, key_result_id: int, new_target: object, reason: str
) -> TargetChange:
    """Move a key result's target, with the reason; the old target stays in the
    history, progress is recomputed against the new one and rolls up at once."""
    key_result = key_result_for_correction(member, key_result_id)
    errors: dict[str, str] = {}
    _check_open(errors, key_result)
    target = _target(errors, member, key_result, new_target, reason, "reason", required=True)
    if errors:
        raise ValidationError(errors)
    _, change = _write(member, _Plan(key_result, target=target))
    assert change is not None
    return change


# --- validation ------------------------------------------------------------------------


def _texts(errors: dict[str, str], given: dict[str, str]) -> dict[str, str]:
    texts = {name: str(value or "").strip() for name, value in given.items()}
    for name, text in texts.items():
        if not text:
            errors[name] = TEXTS[name]
        elif len(text) > MAX_TEXT:
            errors[name] = f"Keep it under {MAX_TEXT} characters."
    return texts


def _check_open(errors: dict[str, str], key_result: KeyResult) -> None:
    objective = key_result.objective
    if key_result.status == KeyResultStatus.DROPPED:
        errors["key_result"] = "This key result was dropped; it takes no more course corrections."
    elif objective.cycle.status == CycleStatus.CLOSED:
        errors["key_result"] = (
            f"The cycle {objective.cycle} is closed; its key results keep their targets. "
            "Carry the learning into the next cycle's objectives instead."
        )
    elif objective.status == ObjectiveStatus.CLOSED:
        errors["key_result"] = "The objective is closed; it takes no more course corrections."


def _as_id(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _flag(errors: dict[str, str], key_result: KeyResult, flag_id: object) -> Flag | None:
    if flag_id in (None, ""):
        return None
    pk = _as_id(flag_id)
    flag = (
        Flag.objects.filter(
            pk=pk, organisation_id=key_result.organisation_id, key_result_id=key_result.pk
        ).first()
        if pk is not None
        else None
    )
    if flag is None:
        errors["flag_id"] = "This is not a flag of this key result; record the pivot without it."
    elif flag.pivot_id is not None:
        errors["flag_id"] = (
            "Another pivot already answers this flag; record this one without the flag."
        )
    return flag


def _number(value: object) -> float | None:
    text = str(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    # Out of range reads as no number: the caller's message asks for one.
    return number if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE else None


def _target(
    errors: dict[str, str],
    member: Membership,
    key_result: KeyResult,
    new_target: object,
    reason: str,
    reason_field: str,
    required: bool = False,
) -> TargetMove | None:
    """The validated target change, None when none was asked for."""
    reason = str(reason or "").strip()
    if new_target is None or str(new_target).strip() == "":
        if required:
            errors["new_target"] = "Give the new target."
        elif reason:
            errors["new_target"] = "Give the new target this reason is for, or clear the reason."
        return None
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can move the target only of your own or your teams' key results; "
            "ask a team lead or an admin."
        )
    if key_result.kind == KeyResult.Kind.MILESTONE:
        errors["new_target"] = "A milestone is done or not: it has no target to move."
        return None
    number = _number(new_target)
    if number is None:
        errors["new_target"] = f"{new_target!r} is not a number; enter digits such as 12 or 4.5."
    elif number == key_result.target_value:
        errors["new_target"] = "That is already the target; give a different one."
    else:
        found = scoring.validate_measure(
            scoring.KeyResultKind(key_result.kind), key_result.start_value, number
        )
        if found:
            errors["new_target"] = next(iter(found.values()))
    reason = target_reason_check(errors, reason, reason_field)
    if errors.keys() & {"new_target", reason_field} or number is None:
        return None
    return TargetMove(number, reason)


def _starts(
    errors: dict[str, str], member: Membership, key_result: KeyResult, titles: Iterable[str]
) -> list[InitiativeDraft]:
    """New initiatives on this key result, validated by the initiatives service."""
    lines = [str(title).strip() for title in titles if str(title or "").strip()]
    if len(lines) > MAX_NEW_INITIATIVES:
        errors["start_initiatives"] = f"Start at most {MAX_NEW_INITIATIVES} initiatives at once."
        return []
    drafts, problems = [], []
    for number, title in enumerate(lines, start=1):
        try:
            drafts.append(
                initiative_prepare(
                    member=member,
                    title=title,
                    owner_id=member.user_id,
                    key_result_ids=[key_result.pk],
                )
            )
        except ValidationError as error:
            problems += [f"Line {number}: {m}" for m in error.message_dict.get("title", [])]
    if problems:
        errors["start_initiatives"] = " ".join(problems)
    return drafts


def _stops(
    errors: dict[str, str], member: Membership, key_result: KeyResult, ids: Iterable[object]
) -> list[Initiative]:
    """Open initiatives of this key result to drop; the initiatives rule decides who may."""
    wanted = {_as_id(value) for value in ids}
    if not wanted:
        return []
    found = list(
        Initiative.objects.filter(
            organisation_id=key_result.organisation_id,
            key_results=key_result,
            pk__in=[pk for pk in wanted if pk is not None],
        ).order_by("pk")
    )
    if len(found) != len(wanted):
        errors["stop_initiative_ids"] = "Choose initiatives linked to this key result."
        return []
    closed = [i.title for i in found if i.status not in OPEN_INITIATIVES]
    if closed:
        errors["stop_initiative_ids"] = f"Already done or dropped: {', '.join(closed)}."
        return []
    for initiative in found:
        initiative_require_edit(member, initiative)
    return found


# --- writing ---------------------------------------------------------------------------


def _write(member: Membership, plan: _Plan) -> tuple[Pivot | None, TargetChange | None]:
    with transaction.atomic():
        graph = objective_ancestors([plan.key_result.objective_id]) if plan.target else None
        if graph is not None:
            lock_objectives(graph[0])
        key_result = (
            KeyResult.objects.select_for_update(of=("self",))
            .select_related("objective")
            .get(pk=plan.key_result.pk)
        )
        pivot = _pivot(member, key_result, plan) if plan.texts is not None else None
        change = None
        if plan.target is not None:
            change = _move_target(member, key_result, plan.target, pivot, graph)
        if plan.flag is not None and pivot is not None:
            _answer(plan.flag, pivot)
        activity_record(
            actor=member.user,
            verb="recorded a pivot on" if pivot else TARGET_MOVED,
            target=key_result,
            objective=key_result.objective,
            changes={"target": (change.old_target, change.new_target)} if change else None,
            at=plan.at or timezone.now(),
        )
    if pivot is not None:
        pivot.key_result = key_result
    if change is not None:
        change.key_result = key_result
    return pivot, change


def _pivot(member: Membership, key_result: KeyResult, plan: _Plan) -> Pivot:
    """The pivot with the initiatives it starts and stops; value and progress frozen
    before the target moves."""
    changes: list[dict[str, Any]] = []
    for draft in plan.starts:
        started = initiative_insert(member, draft)
        changes.append({"id": started.pk, "title": started.title, "change": "started"})
    for initiative in plan.stops:
        initiative_update(member=member, initiative=initiative, status=Initiative.Status.DROPPED)
        changes.append({"id": initiative.pk, "title": initiative.title, "change": "stopped"})
    assert plan.texts is not None
    return Pivot.objects.create(
        organisation_id=key_result.organisation_id,
        key_result=key_result,
        objective=key_result.objective,
        team_id=key_result.objective.owner_team_id,
        author=member.user,
        initiative_changes=changes,
        value_before=key_result.current_value,
        progress_before=key_result.progress,
        created_at=plan.at or timezone.now(),
        **plan.texts,
    )


def _move_target(
    member: Membership,
    key_result: KeyResult,
    target: TargetMove,
    pivot: Pivot | None,
    graph: tuple[set[int], list[tuple[int, int]]] | None,
) -> TargetChange:
    change = target_change_record(member, key_result, target, pivot)
    key_result_refresh(key_result)
    # A new version: an edit form opened before the move must not put the old target back.
    key_result.version += 1
    key_result.save(update_fields=["target_value", "progress", "progress_raw", "version"])
    progress = rollup([key_result.objective_id], locked=True, graph=graph)
    key_result.objective.progress = progress[key_result.objective_id]
    return change


def _answer(flag: Flag, pivot: Pivot) -> None:
    # Only a flag nobody answered meanwhile: two pivots racing for one flag, one wins.
    if not Flag.objects.filter(pk=flag.pk, pivot__isnull=True).update(pivot=pivot):
        raise ValidationError(
            {"flag_id": "Another pivot answered this flag a moment ago; record yours without it."}
        )
