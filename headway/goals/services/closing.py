"""Cycle close: scores and their overrides, retrospectives, closing (and reopening) a
cycle, and carrying an unfinished objective over into the next cycle.

The close review happens while the cycle still runs: owners look at the computed
scores, override one where it misleads (always with a reason), and write a short
retrospective. An admin then closes the cycle, which closes its active objectives and
locks everything in it (see locks.py). docs/cycle-close.md tells the whole story.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.insights.services import flags_refresh_organisation_on_commit
from headway.lib.errors import Conflict
from headway.notify.webhook_events import OBJECTIVE_CLOSED, webhooks_on_commit

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
from ..selectors import (
    can_edit_objective,
    cycle_get,
    key_result_get_for_member,
    objective_get_for_member,
)
from .activity import activity_event, activity_record, changed_fields
from .key_results import clean_key_result
from .links import alignment_link_create
from .locks import require_open_cycle
from .objectives import objective_create

MAX_REASON = 1000
MAX_RETRO = 2000
SCORE_ERROR = "Enter a score from 0.0 to 1.0, e.g. 0.7; leave it empty to use the computed score."
NO_REASON = "Overrides without a reason are refused: say why the computed score is not right."


# --- scores --------------------------------------------------------------------------------


def _clean_override(score: Any, reason: str | None) -> tuple[float | None, str]:
    """(override, reason) from input; (None, "") clears the override."""
    if score is None or (isinstance(score, str) and not score.strip()):
        return None, ""
    errors: dict[str, str] = {}
    try:
        number = float(score)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        errors["score"] = SCORE_ERROR
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = NO_REASON
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    if errors:
        raise ValidationError(errors)
    return number, reason


def _lock_open(cycle_id: int) -> Cycle:
    """The cycle's row, locked until the transaction ends, so a score or retrospective
    written while an admin closes the cycle lands before the close or is refused."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
    require_open_cycle(cycle)
    return cycle


def key_result_score_set(
    *, member: Membership, key_result_id: int, score: Any, reason: str | None = ""
) -> KeyResult:
    """Override a key result's computed score (0..1) with a reason, or clear the override
    with `score=None`. Who may change the objective may score it, until the cycle closes."""
    key_result = key_result_get_for_member(member, key_result_id)
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can score key results only of your own objectives and those of your teams."
        )
    require_open_cycle(key_result.objective.cycle)
    if key_result.status == KeyResultStatus.DROPPED:
        raise ValidationError("This key result was dropped: it has no score.")
    _override_write(member, key_result, key_result.objective, *_clean_override(score, reason))
    return key_result


def objective_score_set(
    *, member: Membership, objective_id: int, score: Any, reason: str | None = ""
) -> Objective:
    """Override an objective's computed score (the weighted mean of its key results'),
    with a reason; `score=None` clears it."""
    objective = objective_get_for_member(member, objective_id, write=True)
    require_open_cycle(objective.cycle)
    _override_write(member, objective, objective, *_clean_override(score, reason))
    return objective


def _override_write(
    member: Membership,
    scored: KeyResult | Objective,
    objective: Objective,
    override: float | None,
    reason: str,
) -> None:
    """Store a key result's or objective's score override (validated) and record the
    change, while the cycle is locked open; nothing is written when nothing changed."""
    with transaction.atomic():
        _lock_open(objective.cycle_id)
        diff = changed_fields(scored, {"score_override": override, "score_reason": reason})
        if diff:
            type(scored).objects.filter(pk=scored.pk).update(
                score_override=override, score_reason=reason
            )
            activity_record(
                actor=member.user, verb="scored", target=scored, objective=objective, changes=diff
            )
    scored.score_override, scored.score_reason = override, reason


# --- retrospective -------------------------------------------------------------------------

RETRO_FIELDS = {
    "retro_went_well": ("went_well", "what went well"),
    "retro_learned": ("learned", "what we learned"),
    "retro_next": ("next", "what we do next"),
}


def objective_retrospective_save(
    *,
    member: Membership,
    objective_id: int,
    went_well: str | None = "",
    learned: str | None = "",
    next: str | None = "",  # the retrospective's own word, though it shadows next()
) -> Objective:
    """Save an objective's short retrospective: what went well, what we learned, what we
    do next. At least one is needed; each stays under MAX_RETRO characters."""
    objective = objective_get_for_member(member, objective_id, write=True)
    require_open_cycle(objective.cycle)
    given = {"went_well": went_well, "learned": learned, "next": next}
    clean = {column: str(given[name] or "").strip() for column, (name, _) in RETRO_FIELDS.items()}
    errors = {
        name: f"Keep {label} under {MAX_RETRO} characters."
        for column, (name, label) in RETRO_FIELDS.items()
        if len(clean[column]) > MAX_RETRO
    }
    if errors:
        raise ValidationError(errors)
    if not any(clean.values()):
        raise ValidationError(
            "Write at least one of: what went well, what we learned, what we do next."
        )
    with transaction.atomic():
        _lock_open(objective.cycle_id)
        diff = changed_fields(objective, clean)
        if diff:
            Objective.objects.filter(pk=objective.pk).update(**clean)
            # The feed names the fields that changed, not the texts.
            activity_record(
                actor=member.user,
                verb="wrote the retrospective of",
                target=objective,
                objective=objective,
                changes={RETRO_FIELDS[column][0]: (None, None) for column in diff},
            )
    for column, value in clean.items():
        setattr(objective, column, value)
    return objective


# --- closing and reopening -----------------------------------------------------------------


@dataclass(frozen=True)
class CycleCloseResult:
    cycle: Cycle
    objectives_closed: int


def cycle_close(*, member: Membership, cycle_id: int) -> CycleCloseResult:
    """Close a cycle (admins): its status becomes closed with the time, its active
    objectives close with it, and everything in it is locked. A cycle that still
    contains a running one (a year with its last quarter) waits for that one."""
    require_admin(member, "close cycles")
    cycle = cycle_get(member, cycle_id)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status == CycleStatus.CLOSED:
            closed = (
                f" on {timezone.localtime(cycle.closed_at):%d %b %Y}" if cycle.closed_at else ""
            )
            raise Conflict(f"{cycle} is already closed{closed}.")
        running = list(
            cycle.children.filter(status=CycleStatus.ACTIVE).values_list("name", flat=True)
        )
        if running:
            raise Conflict(
                f"{cycle} still contains running cycles ({', '.join(running)}): close those first."
            )
        now = timezone.now()
        cycle.status, cycle.closed_at = CycleStatus.CLOSED, now
        cycle.save(update_fields=["status", "closed_at"])
        closing = list(Objective.objects.filter(cycle=cycle, status=ObjectiveStatus.ACTIVE))
        Objective.objects.filter(pk__in=[o.pk for o in closing]).update(
            status=ObjectiveStatus.CLOSED, version=F("version") + 1
        )
        ActivityEvent.objects.bulk_create(
            activity_event(
                actor=member.user,
                verb="closed",
                target=objective,
                objective=objective,
                changes={"status": (ObjectiveStatus.ACTIVE, ObjectiveStatus.CLOSED)},
                at=now,
            )
            for objective in closing
        )
        activity_record(actor=member.user, verb="closed", target=cycle, at=now)
        webhooks_on_commit(cycle.organisation_id, OBJECTIVE_CLOSED, [o.pk for o in closing])
        # Its key results leave play: their open flags resolve on the next refresh.
        flags_refresh_organisation_on_commit(cycle.organisation_id)
    return CycleCloseResult(cycle, len(closing))


def cycle_reopen(*, member: Membership, cycle_id: int, reason: str) -> Cycle:
    """Reopen a closed cycle (admins), when it was closed by mistake or a score must
    change. The objectives its close closed become active again; the reason stays in
    the activity."""
    require_admin(member, "reopen cycles")
    cycle = cycle_get(member, cycle_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the cycle is reopened; the reason is kept."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"Keep the reason under {MAX_REASON} characters."})
    with transaction.atomic():
        cycle = (
            Cycle.objects.select_for_update(of=("self",)).select_related("parent").get(pk=cycle.pk)
        )
        if cycle.status != CycleStatus.CLOSED:
            raise Conflict(f"{cycle} is not closed.")
        if cycle.parent is not None and cycle.parent.status == CycleStatus.CLOSED:
            raise Conflict(f"{cycle.parent}, around {cycle}, is closed: reopen it first.")
        if cycle.closed_at is not None:
            _reopen_objectives(cycle)
        cycle.status, cycle.closed_at = CycleStatus.ACTIVE, None
        cycle.save(update_fields=["status", "closed_at"])
        activity_record(
            actor=member.user, verb="reopened", target=cycle, changes={"reason": (None, reason)}
        )
        flags_refresh_organisation_on_commit(cycle.organisation_id)
    return cycle


def _reopen_objectives(cycle: Cycle) -> None:
    """Make active again the objectives the cycle's close closed (its activity says
    which); objectives closed by hand before stay closed."""
    closed_by_close = ActivityEvent.objects.filter(
        verb="closed",
        target_type="objective",
        objective__cycle=cycle,
        created_at__gte=cycle.closed_at,
    ).values("objective_id")
    Objective.objects.filter(pk__in=closed_by_close, status=ObjectiveStatus.CLOSED).update(
        status=ObjectiveStatus.ACTIVE, version=F("version") + 1
    )


# --- carry-over ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CarryOverResult:
    """The new objective, and what was not copied with the reason for each."""

    objective: Objective
    notes: list[str] = field(default_factory=list)


def _target_cycle(member: Membership, source: Objective, to_cycle_id: Any) -> Cycle:
    try:
        target = Cycle.objects.filter(
            organisation_id=member.organisation_id, pk=int(to_cycle_id)
        ).first()
    except (TypeError, ValueError):
        target = None
    if target is None:
        raise ValidationError({"cycle_id": "Choose a cycle of this organisation."})
    if target.status == CycleStatus.CLOSED:
        raise ValidationError(
            {"cycle_id": f"{target} is closed; carry over into a planned or active cycle."}
        )
    if target.pk == source.cycle_id:
        raise ValidationError(
            {"cycle_id": f"The objective already runs in {target}; choose the next cycle."}
        )
    if target.end_date <= source.cycle.end_date:
        raise ValidationError(
            {
                "cycle_id": f"{target} does not end after {source.cycle}; carry over into a later cycle."
            }
        )
    return target


def _carried_key_result(
    member: Membership, key_result: KeyResult
) -> tuple[dict[str, Any] | None, str | None]:
    """A key result as it continues: from where it ended to the same target. None with
    a note when there is nothing left to move (done, or at or beyond its target)."""
    final = key_result.current_value
    if final is None:
        final = key_result.start_value
    kind = scoring.KeyResultKind(key_result.kind)
    if kind == scoring.KeyResultKind.MILESTONE and final == 1:
        return None, f"“{key_result}” is done, so it was not copied."
    if scoring.validate_measure(kind, final, key_result.target_value):
        return None, (
            f"“{key_result}” ended at {final:g}, at or beyond its target "
            f"{key_result.target_value:g}, so it was not copied; add a new key result if it still matters."
        )
    row: dict[str, Any] = {
        "title": key_result.title,
        "kind": key_result.kind,
        "format": key_result.format,
        "unit": key_result.unit,
        "start_value": final,
        "target_value": key_result.target_value,
        "direction": key_result.direction,
        "weight": key_result.weight,
        "owner_id": key_result.owner_id,
        "order": key_result.order,
    }
    try:
        clean_key_result(member, row)
    except ValidationError as error:
        if set(error.message_dict) != {"owner_id"}:
            raise
        row["owner_id"] = None
        return row, f"“{key_result}”: its owner has left the organisation; the copy has none."
    return row, None


def _carried_links(source: Objective, target: Cycle) -> tuple[list[AlignmentLink], list[str]]:
    """The source's links that still hold in the target cycle: themes, and objectives or
    key results that are open and whose cycle covers it."""
    links = AlignmentLink.objects.filter(child=source).select_related(
        "parent_theme", "parent_objective__cycle", "parent_key_result__objective__cycle"
    )
    kept, notes = [], []
    for link in links:
        if link.parent_theme is not None:
            if link.parent_theme.is_archived:
                notes.append(
                    f"The link to the archived theme “{link.parent_theme}” was not copied."
                )
            else:
                kept.append(link)
            continue
        above = link.parent_objective or link.parent_key_result.objective  # type: ignore[union-attr]
        if above.cycle.status == CycleStatus.CLOSED:
            notes.append(
                f"The link to {_label(link)} was not copied: it belongs to the closed cycle {above.cycle}."
            )
        elif above.status == ObjectiveStatus.CLOSED:
            notes.append(f"The link to {_label(link)} was not copied: that objective is closed.")
        elif not above.cycle.encloses(target):
            notes.append(
                f"The link to {_label(link)} was not copied: it runs in {above.cycle}, which does not cover {target}."
            )
        else:
            kept.append(link)
    return kept, notes


def _label(link: AlignmentLink) -> str:
    """How a note names a parent: not by title when private, since the person carrying
    the objective over may not be allowed to see it (as in the activity feed)."""
    parent = link.parent
    above = parent.objective if isinstance(parent, KeyResult) else parent
    if isinstance(above, Objective) and above.visibility == Visibility.PRIVATE:
        return "a private objective"
    return f"“{parent}”"


def _link_again(member: Membership, objective: Objective, link: AlignmentLink) -> str | None:
    parent_type = (
        "theme"
        if link.parent_theme_id
        else "objective"
        if link.parent_objective_id
        else "key_result"
    )
    try:
        alignment_link_create(
            member=member,
            child=objective,
            parent_type=parent_type,
            parent_id=link.parent_theme_id or link.parent_objective_id or link.parent_key_result_id,  # type: ignore[arg-type]
            kind=link.kind,
            weight=link.weight,
        )
    except (ValidationError, PermissionDenied, Conflict) as error:
        reason = error.message if isinstance(error, Conflict) else "; ".join(_messages(error))
        return f"The link to {_label(link)} was not copied: {reason}"
    return None


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]


def objective_carry_over(
    *, member: Membership, objective_id: int, to_cycle_id: Any
) -> CarryOverResult:
    """Copy an objective into a planned or active cycle, to continue it there.

    The copy keeps the owner, title, description and visibility, and points back with
    `carried_from`. Each key result not dropped continues from its final value (its
    start if it was never checked in) towards the same target, with the same kind,
    unit, format, weight and owner, and no plan. Alignment links come along when the
    parent still holds in the new cycle. An objective is carried into a cycle once.
    """
    source = objective_get_for_member(member, objective_id, write=True)
    target = _target_cycle(member, source, to_cycle_id)
    rows, notes = [], []
    kept = source.key_results.exclude(status=KeyResultStatus.DROPPED).order_by("order", "pk")
    for key_result in kept:
        row, note = _carried_key_result(member, key_result)
        if row is not None:
            rows.append(row)
        if note:
            notes.append(note)
    links, link_notes = _carried_links(source, target)
    with transaction.atomic():
        Objective.objects.select_for_update().filter(pk=source.pk).first()
        if Objective.objects.filter(carried_from=source, cycle=target).exists():
            raise Conflict(f"“{source}” was already carried over into {target}.", field="cycle_id")
        objective = objective_create(
            member=member,
            cycle_id=target.pk,
            owner_team_id=source.owner_team_id,
            owner_user_id=source.owner_user_id,
            title=source.title,
            description=source.description,
            visibility=source.visibility,
            key_results=rows,
        )
        Objective.objects.filter(pk=objective.pk).update(carried_from=source)
        objective.carried_from = source
        notes.extend(link_notes)
        notes.extend(note for link in links if (note := _link_again(member, objective, link)))
        activity_record(
            actor=member.user,
            verb="carried over",
            target=objective,
            objective=objective,
            changes={"from": (None, f"{source.cycle}")},
        )
        activity_record(
            actor=member.user,
            verb="carried over",
            target=source,
            objective=source,
            changes={"to": (None, f"{target}")},
        )
    objective.refresh_from_db()
    return CarryOverResult(objective, notes)
