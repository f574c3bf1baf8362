"""Moving a key result's target, kept in its history.

Three interfaces move a target: the target page (`key_result_target_change`), a pivot
(`pivot_record`) and, once the key result has check-ins, an edit of its definition
(`key_result_update`). They share the rule for the reason and the write of the
history row here, so a move looks the same in the history whichever way it came. The
caller holds the key result's row lock, saves it, recomputes its progress and rolls up
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from headway.accounts.models import Membership

from ..models import KeyResult, Pivot, TargetChange
from .checkins import MAX_TEXT

# The activity verb of every target move, whichever interface made it.
TARGET_MOVED = "moved the target of"
REASON_REQUIRED = (
    "Overrides without a reason are refused: say why the target moves, "
    "so the team can learn from it later."
)


@dataclass(frozen=True)
class TargetMove:
    new: float
    reason: str


def target_reason_check(errors: dict[str, str], reason: object, field: str) -> str:
    """The reason for a move, stripped; a missing or over-long one is an error on `field`."""
    text = str(reason or "").strip()
    if not text:
        errors[field] = REASON_REQUIRED
    elif len(text) > MAX_TEXT:
        errors[field] = f"Keep the reason under {MAX_TEXT} characters."
    return text


def target_change_record(
    member: Membership, key_result: KeyResult, move: TargetMove, pivot: Pivot | None = None
) -> TargetChange:
    """Write the history row (old target, new target, reason, author) and move the
    target on the locked key result, which the caller then saves and rolls up."""
    change = TargetChange.objects.create(
        organisation_id=key_result.organisation_id,
        key_result=key_result,
        pivot=pivot,
        author=member.user,
        old_target=key_result.target_value,
        new_target=move.new,
        reason=move.reason,
    )
    key_result.target_value = move.new
    return change
