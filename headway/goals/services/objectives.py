"""Objectives and key results: create (with nested key results), edit with a version
check, delete, and bulk create for scripts and imports."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q

from headway.accounts.models import Membership
from headway.accounts.services import require_writer
from headway.lib.errors import Conflict
from headway.teams.models import Team, TeamMembership

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
)


def _choice(errors: dict[str, str], field: str, value: Any, choices: Any) -> None:
    if value not in choices.values:
        errors[field] = f"Choose one of {', '.join(choices.values)}."


def _number(errors: dict[str, str], field: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[field] = f"{value!r} is not a number."
        return None
    if not math.isfinite(number):
        errors[field] = "Enter a finite number."
        return None
    return number


def _id(value: Any) -> int | None:
    """A primary key from form or JSON input; None when it is not one."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class Directory:
    """The lookups validation needs (cycles, teams, people of the organisation).

    By default each answer is one small query; `preload()` reads them all once, so a
    bulk create of a thousand objectives validates without a thousand lookups.
    """

    def __init__(self, member: Membership) -> None:
        self.member = member
        self._cycles: dict[int, Cycle] | None = None
        self._teams: set[int] | None = None
        self._people: set[int] | None = None
        self._my_teams: set[int] | None = None

    def preload(self) -> Directory:
        org = self.member.organisation_id
        self._cycles = {c.pk: c for c in Cycle.objects.filter(organisation_id=org)}
        self._teams = set(Team.objects.filter(organisation_id=org).values_list("pk", flat=True))
        self._people = set(
            Membership.objects.filter(organisation_id=org).values_list("user_id", flat=True)
        )
        self._my_teams = set(
            TeamMembership.objects.filter(
                organisation_id=org, user_id=self.member.user_id
            ).values_list("team_id", flat=True)
        )
        return self

    def cycle(self, pk: int) -> Cycle | None:
        if self._cycles is not None:
            return self._cycles.get(pk)
        return Cycle.objects.filter(organisation_id=self.member.organisation_id, pk=pk).first()

    def has_team(self, pk: int) -> bool:
        if self._teams is not None:
            return pk in self._teams
        teams = Team.objects.filter(organisation_id=self.member.organisation_id, pk=pk)
        return bool(teams.exists())

    def is_member(self, user_id: int | None) -> bool:
        if user_id is None:
            return True
        if self._people is not None:
            return user_id in self._people
        return Membership.objects.filter(
            organisation_id=self.member.organisation_id, user_id=user_id
        ).exists()

    def in_team(self, team_id: int) -> bool:
        if self._my_teams is not None:
            return team_id in self._my_teams
        return TeamMembership.objects.filter(team_id=team_id, user_id=self.member.user_id).exists()


def clean_key_result(
    member: Membership, data: dict[str, Any], prefix: str = "", directory: Directory | None = None
) -> dict[str, Any]:
    """Validate one key result's fields; raises ValidationError with prefixed fields."""
    errors: dict[str, str] = {}
    clean = {field: data[field] for field in KEY_RESULT_FIELDS if field in data}
    clean["title"] = str(data.get("title") or "").strip()
    if not clean["title"]:
        errors["title"] = "Say what will be measured."
    elif len(clean["title"]) > 200:
        errors["title"] = "Keep the title under 200 characters."
    clean.setdefault("kind", KeyResult.Kind.INCREASE)
    _choice(errors, "kind", clean["kind"], KeyResult.Kind)
    _choice(errors, "format", clean.setdefault("format", KeyResult.Format.NUMBER), KeyResult.Format)
    _choice(
        errors,
        "direction",
        clean.setdefault("direction", KeyResult.Direction.ABOVE),
        KeyResult.Direction,
    )
    _choice(errors, "status", clean.setdefault("status", KeyResultStatus.ACTIVE), KeyResultStatus)
    clean["start_value"] = _number(errors, "start_value", data.get("start_value"))
    clean["target_value"] = _number(errors, "target_value", data.get("target_value"))
    weight = _number(errors, "weight", data.get("weight", 1.0))
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
        clean["owner_id"] = _id(clean["owner_id"])
    if not (directory or Directory(member)).is_member(clean.get("owner_id")):
        errors["owner_id"] = "The owner must be a member of this organisation."
    clean["unit"] = str(clean.get("unit") or "").strip()[:20]
    if errors:
        raise ValidationError({f"{prefix}{field}": message for field, message in errors.items()})
    return clean


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
    _choice(errors, "status", clean.setdefault("status", ObjectiveStatus.ACTIVE), ObjectiveStatus)
    _choice(errors, "visibility", clean.setdefault("visibility", Visibility.PUBLIC), Visibility)
    cycle_id = _id(data.get("cycle_id"))
    cycle = directory.cycle(cycle_id) if cycle_id else None
    if cycle is None:
        errors["cycle_id"] = "Choose a cycle of this organisation."
    elif cycle.status == CycleStatus.CLOSED and cycle_changes:
        # Edits inside a closed cycle are refused earlier (locks.py); this stops moves into one.
        errors["cycle_id"] = f"{cycle} is closed; choose a current or planned cycle."
    team_id, user_id = _id(data.get("owner_team_id")), _id(data.get("owner_user_id"))
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


def _save_key_results(
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


def objective_create(
    *, member: Membership, key_results: list[dict[str, Any]] | None = None, **data: Any
) -> Objective:
    """Create an objective and its key results in one transaction, or nothing at all."""
    clean = _clean_objective(member, data)
    errors: dict[str, Any] = {}
    rows = []
    for index, row in enumerate(key_results or []):
        try:
            rows.append(clean_key_result(member, row, prefix=f"key_results.{index}."))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _may_own(member, clean)
    with transaction.atomic():
        objective = Objective.objects.create(
            organisation_id=member.organisation_id, created_by=member.user, **clean
        )
        activity_record(actor=member.user, verb="created", target=objective, objective=objective)
        _save_key_results(member, objective, rows)
        rollup([objective.pk])
    objective.refresh_from_db()
    return objective


def _version_check(
    instance: Objective | KeyResult, version: int | None, current: dict[str, Any]
) -> None:
    if version is not None and version != instance.version:
        raise Conflict(
            f"Someone changed this {instance._meta.verbose_name} since you opened it (version {version}, "
            f"now {instance.version}); reload, reapply your change and save again.",
            field="version",
            current=current,
        )


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
    moves = "cycle_id" in changes and _id(changes["cycle_id"]) != objective.cycle_id
    clean = {
        field: value
        for field, value in _clean_objective(member, merged, cycle_changes=moves).items()
        if field in changes
    }
    with transaction.atomic():
        current = Objective.objects.select_for_update().get(pk=objective.pk)
        _version_check(current, version, objective_snapshot(current))
        diff = changed_fields(current, clean)
        if "owner_team_id" in diff or "owner_user_id" in diff:
            _may_own(member, {**merged, **clean})
        if "cycle_id" in diff:
            _check_cycle_fits_links(current, Cycle.objects.get(pk=clean["cycle_id"]))
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


def key_result_create(*, member: Membership, objective: Objective, **data: Any) -> KeyResult:
    if not can_edit_objective(member, objective):
        raise PermissionDenied(
            "You can add key results only to your own objectives and those of your teams."
        )
    require_open_cycle(objective.cycle)
    clean = clean_key_result(member, data)
    with transaction.atomic():
        clean.setdefault("order", objective.key_results.count())
        (key_result,) = _save_key_results(member, objective, [clean])
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
    *, member: Membership, key_result: KeyResult, version: int | None = None, **changes: Any
) -> KeyResult:
    """Edit a key result's definition; its value changes only through check-ins."""
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can edit key results only of your own objectives and those of your teams."
        )
    require_open_cycle(key_result.objective.cycle)
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
    clean = {
        field: value
        for field, value in clean_key_result(member, merged).items()
        if field in changes
    }
    with transaction.atomic():
        current = (
            KeyResult.objects.select_for_update().select_related("objective").get(pk=key_result.pk)
        )
        _version_check(current, version, key_result_snapshot(current))
        diff = changed_fields(current, clean)
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
        rollup([current.objective_id])
    return current


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
            rows = [
                clean_key_result(member, kr, prefix=f"key_results.{n}.", directory=directory)
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
