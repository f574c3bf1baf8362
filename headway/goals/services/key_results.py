"""Key results: validation (with their planned values), create, edit with a version
check, delete.

A key result's planned values are validated by plans.py. Once it has check-ins, a new
target set by an edit is a target move like the target page's: it needs a reason and
is kept in the target's history (targets.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from headway.accounts.models import Membership

from .. import scoring
from ..models import Cycle, KeyResult, KeyResultStatus, Objective
from ..selectors import can_edit_objective
from .activity import activity_record, changed_fields
from .editing import Directory, as_id, choice_check, number_check, version_check
from .locks import require_open_cycle
from .plans import plan_clean
from .rollup import key_result_refresh, lock_objectives, objective_ancestors, rollup
from .targets import (
    REASON_REQUIRED,
    TARGET_MOVED,
    TargetMove,
    target_change_record,
    target_reason_check,
)

KEY_RESULT_FIELDS = (
    "title",
    "kind",
    "format",
    "unit",
    "start_value",
    "target_value",
    "direction",
    "weight",
    "owner_id",
    "order",
    "status",
    "plan",
)


def clean_key_result(
    member: Membership,
    data: dict[str, Any],
    prefix: str = "",
    directory: Directory | None = None,
    cycle: Cycle | None = None,
) -> dict[str, Any]:
    """Validate one key result's fields; raises ValidationError with prefixed fields.
    `cycle` is its objective's: the planned values must fall inside it."""
    clean, errors = _key_result_fields(member, data, directory, cycle)
    if errors:
        raise ValidationError({f"{prefix}{field}": message for field, message in errors.items()})
    return clean


def _key_result_fields(
    member: Membership, data: dict[str, Any], directory: Directory | None, cycle: Cycle | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned fields and the errors found, by field."""
    errors: dict[str, str] = {}
    clean = {field: data[field] for field in KEY_RESULT_FIELDS if field in data}
    clean["title"] = str(data.get("title") or "").strip()
    if not clean["title"]:
        errors["title"] = "Say what will be measured."
    elif len(clean["title"]) > 200:
        errors["title"] = "Keep the title under 200 characters."
    clean.setdefault("kind", KeyResult.Kind.INCREASE)
    choice_check(errors, "kind", clean["kind"], KeyResult.Kind)
    choice_check(
        errors, "format", clean.setdefault("format", KeyResult.Format.NUMBER), KeyResult.Format
    )
    choice_check(
        errors,
        "direction",
        clean.setdefault("direction", KeyResult.Direction.ABOVE),
        KeyResult.Direction,
    )
    choice_check(
        errors, "status", clean.setdefault("status", KeyResultStatus.ACTIVE), KeyResultStatus
    )
    clean["start_value"] = number_check(errors, "start_value", data.get("start_value"))
    clean["target_value"] = number_check(errors, "target_value", data.get("target_value"))
    weight = number_check(errors, "weight", data.get("weight", 1.0))
    if "weight" not in errors and (weight is None or weight <= 0):
        errors["weight"] = (
            "The weight must be above 0; drop the key result instead of giving it no weight."
        )
    clean["weight"] = weight
    if "kind" not in errors and not {"start_value", "target_value"} & errors.keys():
        if clean["kind"] == KeyResult.Kind.MILESTONE:
            clean["start_value"], clean["target_value"] = 0.0, 1.0
        errors.update(
            scoring.validate_measure(
                scoring.KeyResultKind(clean["kind"]), clean["start_value"], clean["target_value"]
            )
        )
    if "owner_id" in clean:
        clean["owner_id"] = as_id(clean["owner_id"])
    if not (directory or Directory(member)).is_member(clean.get("owner_id")):
        errors["owner_id"] = "The owner must be a member of this organisation."
    clean["unit"] = str(clean.get("unit") or "").strip()[:20]
    kind = None if "kind" in errors else clean["kind"]
    clean["plan"] = plan_clean(errors, data.get("plan"), kind=kind, cycle=cycle)
    return clean, errors


def key_results_save(
    member: Membership, objective: Objective, rows: list[dict[str, Any]]
) -> list[KeyResult]:
    created = []
    for order, clean in enumerate(rows):
        key_result = KeyResult(
            organisation_id=objective.organisation_id,
            objective=objective,
            **{"order": order, **clean},
        )
        key_result_refresh(key_result)
        key_result.save()
        activity_record(actor=member.user, verb="created", target=key_result, objective=objective)
        created.append(key_result)
    return created


def key_result_create(*, member: Membership, objective: Objective, **data: Any) -> KeyResult:
    if not can_edit_objective(member, objective):
        raise PermissionDenied(
            "You can add key results only to your own objectives and those of your teams."
        )
    require_open_cycle(objective.cycle)
    clean = clean_key_result(member, data, cycle=objective.cycle)
    with transaction.atomic():
        clean.setdefault("order", objective.key_results.count())
        (key_result,) = key_results_save(member, objective, [clean])
        rollup([objective.pk])
    return key_result


def key_result_snapshot(key_result: KeyResult) -> dict[str, Any]:
    return {
        "id": key_result.pk,
        "version": key_result.version,
        "current_value": key_result.current_value,
        "progress": key_result.progress,
        **{field: getattr(key_result, field) for field in KEY_RESULT_FIELDS},
    }


def key_result_update(
    *,
    member: Membership,
    key_result: KeyResult,
    version: int | None = None,
    target_reason: str | None = "",
    **changes: Any,
) -> KeyResult:
    """Edit a key result's definition; its value changes only through check-ins.

    Before its first check-in the target is free to edit (planning). After it, a new
    target needs `target_reason` and is kept in the target's history, as on the target
    page. Every error is reported at once and nothing is written; then the edit, the
    history row, the new progress and the roll-up are one transaction.
    """
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can edit key results only of your own objectives and those of your teams."
        )
    require_open_cycle(key_result.objective.cycle)
    clean, errors = _key_result_changes(member, key_result, changes)
    _target_move(errors, key_result, clean, target_reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        graph = objective_ancestors([key_result.objective_id])
        lock_objectives(graph[0])
        current = (
            KeyResult.objects.select_for_update(of=("self",))
            .select_related("objective")
            .get(pk=key_result.pk)
        )
        version_check(current, version, key_result_snapshot(current))
        # Again under the lock: a check-in may have come in since the form was read.
        move = _target_move(errors, current, clean, target_reason)
        if errors:
            raise ValidationError(errors)
        _key_result_save(member, current, clean, move)
        progress = rollup([current.objective_id], locked=True, graph=graph)
        current.objective.progress = progress[current.objective_id]
    return current


def _key_result_changes(
    member: Membership, key_result: KeyResult, changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The cleaned values of the fields changed, and the errors found."""
    unknown = set(changes) - set(KEY_RESULT_FIELDS)
    if unknown:
        raise ValidationError(
            {
                field: "This field cannot be changed here; check in to change the value."
                for field in unknown
            }
        )
    merged = {**{field: getattr(key_result, field) for field in KEY_RESULT_FIELDS}, **changes}
    if "kind" in changes:
        # A new kind redefines the scale (a milestone is always 0 -> 1): keep what the
        # cleaning derives for start and target, not only the fields sent.
        changes = {
            **changes,
            "start_value": merged["start_value"],
            "target_value": merged["target_value"],
        }
    cleaned, errors = _key_result_fields(
        member, merged, directory=None, cycle=key_result.objective.cycle
    )
    return {field: value for field, value in cleaned.items() if field in changes}, errors


def _target_move(
    errors: dict[str, Any], key_result: KeyResult, clean: dict[str, Any], reason: str | None
) -> TargetMove | None:
    """The target move an edit makes: one needing a reason once the key result has
    check-ins (any change of the stored target, a new kind's included), none before."""
    if "target_value" in errors:
        return None
    new: float | None = clean.get("target_value", key_result.target_value)
    if new is None or new == key_result.target_value:
        if str(reason or "").strip():
            errors["target_reason"] = (
                "The target does not change, so there is nothing to explain: "
                "clear the reason, or change the target."
            )
        return None
    if key_result.last_checkin_at is None:
        return None  # planning: nothing has been measured against the old target yet
    text = target_reason_check(errors, reason, "target_reason")
    if errors.get("target_reason") == REASON_REQUIRED:
        errors["target_reason"] = (
            f"The key result has check-ins: moving its target from "
            f"{_shown(key_result.target_value)} to {_shown(new)} needs a reason. {REASON_REQUIRED}"
        )
    return None if "target_reason" in errors else TargetMove(new, text)


def _shown(number: float | None) -> str:
    return "none" if number is None else f"{number:,.10g}"


def _key_result_save(
    member: Membership, current: KeyResult, clean: dict[str, Any], move: TargetMove | None
) -> None:
    """Apply the edit to the locked key result, with its target move, and record both."""
    diff = changed_fields(current, clean)
    if move is not None:
        change = target_change_record(member, current, move)
        del diff["target_value"]
        activity_record(
            actor=member.user,
            verb=TARGET_MOVED,
            target=current,
            objective=current.objective,
            changes={"target": (change.old_target, change.new_target)},
        )
    for field, value in clean.items():
        setattr(current, field, value)
    key_result_refresh(current)
    current.version += 1
    current.save()
    if diff:
        activity_record(
            actor=member.user,
            verb="edited",
            target=current,
            objective=current.objective,
            changes=diff,
        )


def key_result_delete(*, member: Membership, key_result: KeyResult) -> None:
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can delete key results only of your own objectives and those of your teams."
        )
    require_open_cycle(key_result.objective.cycle)
    with transaction.atomic():
        objective = key_result.objective
        activity_record(actor=member.user, verb="deleted", target=key_result, objective=objective)
        key_result.delete()
        rollup([objective.pk])
