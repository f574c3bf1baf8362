"""The learning log on pages it does not own: a key result's pivots on its objective's
page, read for every key result of the objective in one query."""

from __future__ import annotations

from typing import Any

from django import template

from headway.goals.selectors_learning import KeyResultPivots, pivots_by_key_result

register = template.Library()


@register.simple_tag
def key_result_pivots(objective: Any, key_result: Any) -> KeyResultPivots:
    """`{% key_result_pivots objective kr as kr_pivots %}`. The first call on a page
    reads the pivots of all the objective's key results and keeps them on the
    objective, so the page runs one query however many key results it shows."""
    found: dict[int, KeyResultPivots] | None = getattr(objective, "_pivots_by_key_result", None)
    if found is None:
        found = pivots_by_key_result(objective)
        objective._pivots_by_key_result = found
    return found.get(key_result.pk) or KeyResultPivots()
