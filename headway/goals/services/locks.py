"""The lock a closed cycle puts on its goals.

Closing a cycle freezes what was reached and how it was scored: its objectives, key
results, initiatives, alignment links, scores and retrospectives can no longer change
(check-ins refuse on their own, in checkins.py). Every write service that touches
those rows calls one of these before it writes, so the rule and its message live in one
place. An admin reopens the cycle (`cycle_reopen`) when something must change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from ..models import Cycle, CycleStatus, KeyResult


def locked_message(cycle: Cycle) -> str:
    return (
        f"{cycle} is closed: its objectives, key results, scores and retrospectives are "
        "locked. An admin can reopen the cycle if something must change."
    )


def require_open_cycle(cycle: Cycle) -> None:
    """Refuse (422, like a check-in in a closed cycle) a change inside a closed cycle."""
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError(locked_message(cycle))


def require_open_key_results(key_results: Iterable[KeyResult]) -> None:
    """Refuse a change that touches a key result of a closed cycle. The key results
    need their objective and its cycle loaded (select_related), or this queries."""
    for key_result in key_results:
        require_open_cycle(key_result.objective.cycle)
