"""Objectives: create (with nested key results), edit with a version check, delete,
and bulk create for scripts and imports. Key results have their own module,
key_results.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q

from headway.accounts.models import Membership
from headway.accounts.services import require_writer
from headway.lib.errors import Conflict
from headway.notify.webhook_events import OBJECTIVE_CLOSED, OBJECTIVE_CREATED, webhooks_on_commit

from .. import scoring
from ..models import (
    ActivityEvent,
    AlignmentLink,
    Cycle,
    CycleStatus,
    KeyResult,
    KeyResultStatus,
    Objective,
    ObjectiveStatus,
    Visibility,
)
from ..selectors import can_edit_objective
from .activity import activity_event, activity_record, changed_fields
from .editing import Directory, as_id, choice_check, version_check
from .key_results import clean_key_result, key_results_save
from .locks import require_open_cycle
from .rollup import key_result_refresh, rollup

OBJECTIVE_FIELDS = (
    "title",
    "description",
    "status",
    "visibility",
    "order",
    "cycle_id",
    "owner_team_id",
    "owner_user_id",
)


def _clean_objective(
    member: Membership,
    data: dict[str, Any],
    cycle_changes: bool = True,
    directory: Directory | None = None,
) -> dict[str, Any]:
    directory = directory or Directory(member)
    errors: dict[str, str] = {}
    clean = {field: data[field] for field in OBJECTIVE_FIELDS if field in data}
    clean["title"] = str(data.get("title") or "").strip()
    if not clean["title"]:
        errors["title"] = "Say what you want to achieve."
    elif len(clean["title"]) > 200:
        errors["title"] = "Keep the title under 200 characters."
    clean["description"] = str(data.get("description") or "").strip()
    choice_check(
        errors, "status", clean.setdefault("status", ObjectiveStatus.ACTIVE), ObjectiveStatus
    )
    choice_check(
        errors, "visibility", clean.setdefault("visibility", Visibility.PUBLIC), Visibility
    )
    cycle_id = as_id(data.get("cycle_id"))
    cycle = directory.cycle(cycle_id) if cycle_id else None
    if cycle is None:
        errors["cycle_id"] = "Choose a cycle of this organisation."
    elif cycle.status == CycleStatus.CLOSED and cycle_changes:
        # Edits inside a closed cycle are refused earlier (locks.py); this stops moves into one.
        errors["cycle_id"] = f"{cycle} is closed; choose a current or planned cycle."
    team_id, user_id = as_id(data.get("owner_team_id")), as_id(data.get("owner_user_id"))
    if bool(team_id) == bool(user_id):
        errors["owner_team_id"] = "An objective belongs to a team or to a person: give exactly one."
    elif team_id and not directory.has_team(team_id):
        errors["owner_team_id"] = "Choose a team of this organisation."
    elif user_id and not directory.is_member(user_id):
        errors["owner_user_id"] = "The owner must be a member of this organisation."
    if errors:
        raise ValidationError(errors)
    clean["owner_team_id"], clean["owner_user_id"] = team_id or None, user_id or None
    return clean


def _may_own(member: Membership, clean: dict[str, Any], directory: Directory | None = None) -> None:
    """Members create objectives for themselves and for teams they belong to."""
    require_writer(member, "create objectives")
    if member.is_admin or clean["owner_user_id"] == member.user_id:
        return
    team_id = clean["owner_team_id"]
    if team_id and (directory or Directory(member)).in_team(team_id):
        return
    raise PermissionDenied(
        "You can create objectives only for yourself and for teams you belong to."
    )


def objective_create(
    *, member: Membership, key_results: list[dict[str, Any]] | None = None, **data: Any
) -> Objective:
    """Create an objective and its key results in one transaction, or nothing at all."""
    directory = Directory(member)
    clean = _clean_objective(member, data, directory=directory)
    cycle = directory.cycle(clean["cycle_id"])
    errors: dict[str, Any] = {}
    rows = []
    for index, row in enumerate(key_results or []):
        try:
            rows.append(
                clean_key_result(
                    member, row, f"key_results.{index}.", directory=directory, cycle=cycle
                )
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _may_own(member, clean, directory)
    with transaction.atomic():
        objective = Objective.objects.create(
            organisation_id=member.organisation_id, created_by=member.user, **clean
        )
        activity_record(actor=member.user, verb="created", target=objective, objective=objective)
        key_results_save(member, objective, rows)
        rollup([objective.pk])
        webhooks_on_commit(member.organisation_id, OBJECTIVE_CREATED, [objective.pk])
    objective.refresh_from_db()
    return objective


def objective_snapshot(objective: Objective) -> dict[str, Any]:
    return {
        "id": objective.pk,
        "version": objective.version,
        "progress": objective.progress,
        **{field: getattr(objective, field) for field in OBJECTIVE_FIELDS},
    }


def objective_update(
    *, member: Membership, objective: Objective, version: int | None = None, **changes: Any
) -> Objective:
    """Edit an objective; a stale `version` gets Conflict (409) with the current values."""
    if not can_edit_objective(member, objective):
        raise PermissionDenied("You can edit only your own objectives and those of your teams.")
    require_open_cycle(objective.cycle)
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValidationError({field: "This field cannot be changed here." for field in unknown})
    merged = {**{field: getattr(objective, field) for field in OBJECTIVE_FIELDS}, **changes}
    moves = "cycle_id" in changes and as_id(changes["cycle_id"]) != objective.cycle_id
    clean = {
        field: value
        for field, value in _clean_objective(member, merged, cycle_changes=moves).items()
        if field in changes
    }
    with transaction.atomic():
        current = Objective.objects.select_for_update().get(pk=objective.pk)
        version_check(current, version, objective_snapshot(current))
        diff = changed_fields(current, clean)
        if "owner_team_id" in diff or "owner_user_id" in diff:
            _may_own(member, {**merged, **clean})
        if "cycle_id" in diff:
            cycle = Cycle.objects.get(pk=clean["cycle_id"])
            _check_cycle_fits_links(current, cycle)
            _check_cycle_fits_plans(current, cycle)
        updated = Objective.objects.filter(pk=current.pk, version=current.version).update(
            version=F("version") + 1, **clean
        )
        if not updated:  # pragma: no cover - the row lock above makes this unreachable
            raise Conflict(
                "Someone changed this objective at the same moment; reload and try again."
            )
        current.refresh_from_db()
        if diff:
            activity_record(
                actor=member.user, verb="edited", target=current, objective=current, changes=diff
            )
        if "status" in diff:
            rollup([current.pk])
            if current.status == ObjectiveStatus.CLOSED:
                webhooks_on_commit(current.organisation_id, OBJECTIVE_CLOSED, [current.pk])
    return current


def _check_cycle_fits_links(objective: Objective, cycle: Cycle) -> None:
    """Moving an objective to another cycle must keep its alignment valid: its parents'
    cycles enclose the new cycle, and the new cycle encloses its children's."""
    parents = AlignmentLink.objects.filter(child=objective).select_related(
        "parent_objective__cycle", "parent_key_result__objective__cycle"
    )
    for link in parents:
        above = link.parent_objective or (
            link.parent_key_result.objective if link.parent_key_result else None
        )
        if above is not None and not above.cycle.encloses(cycle):
            raise ValidationError(
                {
                    "cycle_id": (
                        f"'{above}' (aligned above) runs in {above.cycle}, which does not cover {cycle}; "
                        "unlink it first or choose a cycle inside it."
                    )
                }
            )
    children = AlignmentLink.objects.filter(
        Q(parent_objective=objective) | Q(parent_key_result__objective=objective)
    ).select_related("child__cycle")
    for link in children:
        if not cycle.encloses(link.child.cycle):
            raise ValidationError(
                {
                    "cycle_id": (
                        f"'{link.child}' (aligned below) runs in {link.child.cycle}, outside {cycle}; "
                        "unlink it first or choose a cycle that covers it."
                    )
                }
            )


def _check_cycle_fits_plans(objective: Objective, cycle: Cycle) -> None:
    """Moving an objective to another cycle must keep its key results' planned values
    inside the new cycle."""
    for title, plan in objective.key_results.values_list("title", "plan"):
        outside = [str(day) for day, _ in plan or () if not _inside(day, cycle)]
        if outside:
            raise ValidationError(
                {
                    "cycle_id": (
                        f"'{title}' plans values on {', '.join(outside)}, outside {cycle}; "
                        "change its planned values first or choose a cycle that covers them."
                    )
                }
            )


def _inside(day: str, cycle: Cycle) -> bool:
    return cycle.start_date.isoformat() <= str(day) <= cycle.end_date.isoformat()


def objective_delete(*, member: Membership, objective: Objective) -> None:
    """Delete an objective with its key results and check-ins; parents roll up again."""
    if not can_edit_objective(member, objective):
        raise PermissionDenied("You can delete only your own objectives and those of your teams.")
    require_open_cycle(objective.cycle)
    with transaction.atomic():
        from .rollup import objective_ancestors

        deleted_pk = objective.pk
        ancestors, _ = objective_ancestors([deleted_pk])
        activity_record(actor=member.user, verb="deleted", target=objective, objective=None)
        objective.delete()
        ancestors.discard(deleted_pk)
        if ancestors:
            rollup(ancestors)


def objectives_bulk_create(
    *, member: Membership, objectives: list[dict[str, Any]]
) -> list[Objective]:
    """Create many objectives with their key results in one transaction: all or none.

    Every row is validated first, against lookups read once; errors name the row
    (`objectives.3.key_results.1.title`). Rows are then inserted in bulk: new
    objectives have no children yet, so their progress comes from their own key
    results and nothing above them changes.
    """
    require_writer(member, "create objectives")
    directory = Directory(member).preload()
    errors: dict[str, Any] = {}
    cleaned = []
    for index, data in enumerate(objectives):
        try:
            clean = _clean_objective(member, data, directory=directory)
            _may_own(member, clean, directory)
            cycle = directory.cycle(clean["cycle_id"])
            rows = [
                clean_key_result(member, kr, f"key_results.{n}.", directory, cycle)
                for n, kr in enumerate(data.get("key_results") or [])
            ]
            cleaned.append((clean, rows))
        except ValidationError as error:
            errors.update(
                {
                    f"objectives.{index}.{field}": message
                    for field, message in error.message_dict.items()
                }
            )
        except PermissionDenied as error:
            errors[f"objectives.{index}.owner_team_id"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _bulk_insert(member, cleaned)


def _bulk_insert(
    member: Membership, cleaned: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> list[Objective]:
    organisation_id = member.organisation_id
    pending = []
    for clean, rows in cleaned:
        key_results = [
            KeyResult(organisation_id=organisation_id, **{"order": order, **row})
            for order, row in enumerate(rows)
        ]
        for key_result in key_results:
            key_result_refresh(key_result)
        progress = scoring.objective_progress(
            [(kr.weight, kr.progress) for kr in key_results if kr.status == KeyResultStatus.ACTIVE]
        )
        objective = Objective(
            organisation_id=organisation_id, created_by=member.user, progress=progress, **clean
        )
        pending.append((objective, key_results))
    created = Objective.objects.bulk_create([objective for objective, _ in pending])
    webhooks_on_commit(organisation_id, OBJECTIVE_CREATED, [o.pk for o in created])
    for objective, key_results in pending:
        for key_result in key_results:
            key_result.objective = objective
    KeyResult.objects.bulk_create([kr for _, krs in pending for kr in krs])
    ActivityEvent.objects.bulk_create(
        [activity_event(actor=member.user, verb="created", target=o, objective=o) for o in created]
        + [
            activity_event(actor=member.user, verb="created", target=kr, objective=o)
            for o, krs in pending
            for kr in krs
        ]
    )
    return created
