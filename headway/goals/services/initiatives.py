"""Initiatives: the work (outputs) done to move key results. They never count in progress."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from headway.accounts.models import Membership
from headway.accounts.services import require_writer

from ..models import Initiative, KeyResult
from ..selectors import can_edit_objective, objectives_visible
from .activity import activity_record, changed_fields


def _clean(
    member: Membership, data: dict[str, Any], partial: bool = False
) -> tuple[dict[str, Any], list[KeyResult] | None]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "title" in data or not partial:
        clean["title"] = str(data.get("title") or "").strip()
        if not clean["title"]:
            errors["title"] = "Say what work will be done."
    if "description" in data:
        clean["description"] = str(data["description"] or "").strip()
    if "status" in data or not partial:
        clean["status"] = data.get("status") or Initiative.Status.PLANNED
        if clean["status"] not in Initiative.Status.values:
            errors["status"] = f"Choose one of {', '.join(Initiative.Status.values)}."
    if "owner_id" in data:
        clean["owner_id"] = data["owner_id"]
        if (
            data["owner_id"]
            and not Membership.objects.filter(
                organisation_id=member.organisation_id, user_id=data["owner_id"]
            ).exists()
        ):
            errors["owner_id"] = "The owner must be a member of this organisation."
    key_results = None
    if "key_result_ids" in data or not partial:
        ids = list(data.get("key_result_ids") or [])
        key_results = list(
            KeyResult.objects.select_related("objective").filter(
                organisation_id=member.organisation_id,
                pk__in=ids,
                objective__in=objectives_visible(member),
            )
        )
        if not ids:
            errors["key_result_ids"] = (
                "Link the initiative to at least one key result it should move."
            )
        elif len(key_results) != len(set(ids)):
            errors["key_result_ids"] = "Some key results are not in this organisation."
        elif not all(can_edit_objective(member, kr.objective) for kr in key_results):
            raise PermissionDenied(
                "You can add initiatives only to key results of your own or your teams' objectives."
            )
    if errors:
        raise ValidationError(errors)
    return clean, key_results


def initiative_create(*, member: Membership, **data: Any) -> Initiative:
    require_writer(member, "create initiatives")
    clean, key_results = _clean(member, data)
    with transaction.atomic():
        initiative = Initiative.objects.create(organisation_id=member.organisation_id, **clean)
        initiative.key_results.set(key_results or [])
        objective = key_results[0].objective if key_results else None
        activity_record(actor=member.user, verb="created", target=initiative, objective=objective)
    return initiative


def _require_edit(member: Membership, initiative: Initiative) -> None:
    require_writer(member, "change initiatives")
    if member.is_admin or initiative.owner_id == member.user_id:
        return
    if not any(
        can_edit_objective(member, kr.objective)
        for kr in initiative.key_results.select_related("objective")
    ):
        raise PermissionDenied(
            "You can change initiatives of your own or your teams' key results only."
        )


def initiative_update(*, member: Membership, initiative: Initiative, **changes: Any) -> Initiative:
    _require_edit(member, initiative)
    clean, key_results = _clean(member, changes, partial=True)
    with transaction.atomic():
        diff = changed_fields(initiative, clean)
        for field, value in clean.items():
            setattr(initiative, field, value)
        initiative.save()
        if key_results is not None:
            initiative.key_results.set(key_results)
        first = initiative.key_results.select_related("objective").first()
        activity_record(
            actor=member.user,
            verb="edited",
            target=initiative,
            objective=first.objective if first else None,
            changes=diff,
        )
    return initiative


def initiative_delete(*, member: Membership, initiative: Initiative) -> None:
    _require_edit(member, initiative)
    with transaction.atomic():
        activity_record(actor=member.user, verb="deleted", target=initiative)
        initiative.delete()
