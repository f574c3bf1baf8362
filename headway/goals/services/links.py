"""Alignment links: a child objective to a theme, an objective or a key result."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from headway.accounts.models import Membership
from headway.lib.errors import Conflict

from ..models import (
    AlignmentLink,
    CycleStatus,
    KeyResult,
    LinkKind,
    Objective,
    ObjectiveStatus,
    Theme,
    Visibility,
)
from ..selectors import can_edit_objective, objectives_visible
from .activity import activity_record
from .locks import require_open_cycle
from .rollup import objective_ancestors, rollup

PARENT_TYPES = ("theme", "objective", "key_result")


def _feed_label(parent: Theme | Objective | KeyResult) -> str:
    """How a parent is named in the child's feed. The feed is read by people who may
    not see a private parent, so its title stays out of it."""
    above = parent.objective if isinstance(parent, KeyResult) else parent
    if isinstance(above, Objective) and above.visibility == Visibility.PRIVATE:
        return "a private objective"
    return str(parent)


def _ancestors_any_kind(objective_id: int) -> set[int]:
    """Every objective above this one through links of either kind (for loop checks)."""
    seen, frontier = {objective_id}, {objective_id}
    while frontier:
        rows = AlignmentLink.objects.filter(child_id__in=frontier).values_list(
            "parent_objective_id", "parent_key_result__objective_id"
        )
        frontier = {parent or via_kr for parent, via_kr in rows if (parent or via_kr)} - seen
        seen |= frontier
    return seen


def _parent(member: Membership, parent_type: str, parent_id: int) -> Theme | Objective | KeyResult:
    if parent_type not in PARENT_TYPES:
        raise ValidationError({"parent_type": f"Align to one of: {', '.join(PARENT_TYPES)}."})
    if parent_type == "theme":
        found: Any = Theme.objects.filter(
            organisation_id=member.organisation_id, pk=parent_id
        ).first()
    elif parent_type == "objective":
        found = objectives_visible(member).select_related("cycle").filter(pk=parent_id).first()
    else:
        found = (
            KeyResult.objects.select_related("objective__cycle")
            .filter(
                organisation_id=member.organisation_id,
                pk=parent_id,
                objective__in=objectives_visible(member),
            )
            .first()
        )
    if found is None:
        raise ValidationError(
            {"parent_id": f"No {parent_type.replace('_', ' ')} {parent_id} in this organisation."}
        )
    return found  # type: ignore[no-any-return]


def _check_link(child: Objective, parent: Theme | Objective | KeyResult) -> None:
    parent_objective = parent.objective if isinstance(parent, KeyResult) else parent
    if isinstance(parent_objective, Objective):
        if parent_objective.cycle.status == CycleStatus.CLOSED:
            raise ValidationError(
                {
                    "parent_id": f"'{parent_objective}' belongs to {parent_objective.cycle}, which is closed; align to an objective of a running cycle."
                }
            )
        if parent_objective.status == ObjectiveStatus.CLOSED:
            raise ValidationError(
                {
                    "parent_id": f"'{parent_objective}' is closed; align to an objective that is still open."
                }
            )
        if child.pk in _ancestors_any_kind(parent_objective.pk):
            raise ValidationError(
                {
                    "parent_id": (
                        f"'{parent_objective}' is already aligned below '{child}': this link would make a loop."
                    )
                }
            )
        if not parent_objective.cycle.encloses(child.cycle):
            raise ValidationError(
                {
                    "parent_id": (
                        f"The parent runs in {parent_objective.cycle}, which does not cover {child.cycle}; "
                        "align to an objective of the same or an enclosing cycle."
                    )
                }
            )


def alignment_link_create(
    *,
    member: Membership,
    child: Objective,
    parent_type: str,
    parent_id: int,
    kind: str = LinkKind.CONTRIBUTES,
    weight: Any = 1.0,
) -> AlignmentLink:
    """Align `child` to a parent; a contributing link rolls the child's progress up."""
    if not can_edit_objective(member, child):
        raise PermissionDenied("You can align only your own objectives and those of your teams.")
    require_open_cycle(child.cycle)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": "A link either contributes or supports."})
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        weight = math.nan
    if not math.isfinite(weight) or weight <= 0:
        raise ValidationError({"weight": "The weight must be a number above 0."})
    parent = _parent(member, parent_type, parent_id)
    with transaction.atomic():
        _check_link(child, parent)
        try:
            with transaction.atomic():
                link = AlignmentLink.objects.create(
                    organisation_id=member.organisation_id,
                    child=child,
                    kind=kind,
                    weight=weight,
                    **{f"parent_{parent_type}": parent},
                )
        except IntegrityError:
            raise Conflict(
                f"'{child}' is already aligned to '{parent}'.", field="parent_id"
            ) from None
        activity_record(
            actor=member.user,
            verb="aligned",
            target=child,
            objective=child,
            changes={"parent": (None, _feed_label(parent)), "kind": (None, kind)},
        )
        if kind == LinkKind.CONTRIBUTES:
            rollup([child.pk])
    return link


def alignment_link_delete(*, member: Membership, link: AlignmentLink) -> None:
    if not can_edit_objective(member, link.child):
        raise PermissionDenied("You can unlink only your own objectives and those of your teams.")
    require_open_cycle(link.child.cycle)
    with transaction.atomic():
        above, _ = objective_ancestors([link.child_id])
        above.discard(link.child_id)
        activity_record(
            actor=member.user,
            verb="unaligned",
            target=link.child,
            objective=link.child,
            changes={"parent": (_feed_label(link.parent), None)},
        )
        link.delete()
        if above:
            rollup(above)
