"""Initiatives: the work (outputs) done to move key results. They never count in progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from headway.accounts.models import Membership
from headway.accounts.services import require_writer

from ..models import Initiative, KeyResult
from ..selectors import can_edit_objective, objectives_visible
from .activity import activity_record, changed_fields
from .locks import require_open_key_results

MAX_TITLE = 200


def _clean(
    member: Membership, data: dict[str, Any], partial: bool = False
) -> tuple[dict[str, Any], list[KeyResult] | None]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "title" in data or not partial:
        clean["title"] = str(data.get("title") or "").strip()
        if not clean["title"]:
            errors["title"] = "Say what work will be done."
        elif len(clean["title"]) > MAX_TITLE:
            errors["title"] = f"Keep the title under {MAX_TITLE} characters."
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
            KeyResult.objects.select_related("objective__cycle").filter(
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
        require_open_key_results(key_results)
    if errors:
        raise ValidationError(errors)
    return clean, key_results


@dataclass(frozen=True)
class InitiativeDraft:
    """A new initiative that passed validation, not yet written."""

    fields: dict[str, Any]
    key_results: list[KeyResult]


def initiative_prepare(*, member: Membership, **data: Any) -> InitiativeDraft:
    """Validate a new initiative without writing it, for actions that create
    initiatives among other changes (a pivot) and must check everything first."""
    require_writer(member, "create initiatives")
    clean, key_results = _clean(member, data)
    return InitiativeDraft(clean, key_results or [])


def initiative_insert(member: Membership, draft: InitiativeDraft) -> Initiative:
    """Write a prepared initiative with its activity, inside the caller's transaction."""
    initiative = Initiative.objects.create(organisation_id=member.organisation_id, **draft.fields)
    initiative.key_results.set(draft.key_results)
    objective = draft.key_results[0].objective if draft.key_results else None
    activity_record(actor=member.user, verb="created", target=initiative, objective=objective)
    return initiative


def initiative_create(*, member: Membership, **data: Any) -> Initiative:
    draft = initiative_prepare(member=member, **data)
    with transaction.atomic():
        return initiative_insert(member, draft)


def initiative_require_edit(member: Membership, initiative: Initiative) -> None:
    """403 unless the member may change this initiative: its owner, an admin, or an
    editor of one of its key results' objectives."""
    require_writer(member, "change initiatives")
    require_open_key_results(initiative.key_results.select_related("objective__cycle"))
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
    initiative_require_edit(member, initiative)
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
    initiative_require_edit(member, initiative)
    with transaction.atomic():
        activity_record(actor=member.user, verb="deleted", target=initiative)
        initiative.delete()
