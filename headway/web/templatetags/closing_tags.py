"""Template filters and tags for cycle close: scores shown to one decimal, their band,
and an objective's score from the key results a page already loaded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from headway.goals import scoring
from headway.goals.models import Objective
from headway.goals.selectors_closing import ObjectiveScore, objective_score_of

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """A score as people read it: '0.7'; '—' when there is none."""
    rounded = scoring.score_rounded(value)
    return "—" if rounded is None else f"{rounded:.1f}"


@register.filter
def score_band(value: float | None) -> str:
    """'delivered', 'progress' or 'missed' (see goals.scoring); '' without a score."""
    return scoring.score_band(value)


@register.filter
def score_input(value: float | None) -> str:
    """A stored override as a form value, without float noise: 0.65, 1, ''."""
    return "" if value is None else f"{value:g}"


@register.simple_tag
def objective_scorecard(objective: Objective, key_results: Iterable[Any]) -> ObjectiveScore:
    """The objective's scores from key results already on the page (rows of the
    objective page carry theirs as `.key_result`): no query."""
    rows = [getattr(row, "key_result", row) for row in key_results]
    return objective_score_of(objective, rows)
