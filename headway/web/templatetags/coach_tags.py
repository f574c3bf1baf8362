"""The coach on pages it does not own: hints on the objective and key-result forms,
markers on the team page.

The form views stay as they are: the hints are computed here from the bound form (a
POST with errors, so people without JavaScript see them) or from an edit form's
saved values, and the live updates come from the hints endpoint (views/coach.py).
"""

from __future__ import annotations

from typing import Any

from django import template

from headway.coach.checks import Checked
from headway.coach.selectors import ObjectiveReport, TeamMarks, team_marks
from headway.web.forms import KeyResultForm, ObjectiveForm
from headway.web.views.coach import (
    key_result_draft,
    key_result_hints,
    objective_hints,
    saved_key_results,
    typed_key_results,
)

register = template.Library()


def _values(form: Any) -> tuple[Any, str]:
    """(data, prefix) to read: what was posted, else an edit form's initial values."""
    if form.is_bound:
        return form.data, form.prefix or ""
    return form.initial, ""


def form_hints(context: template.Context, form: Any) -> Checked | None:
    """The coach's findings for an objective or key-result form, None if nothing typed."""
    if not (form.is_bound or form.initial.get("title")):
        return None
    data, prefix = _values(form)
    if isinstance(form, KeyResultForm):
        return key_result_hints(key_result_draft(data, prefix))
    if isinstance(form, ObjectiveForm):
        title = str(data.get(f"{prefix}-title" if prefix else "title") or "")
        count = typed_key_results(data) if form.is_bound else None
        objective = context.get("objective")
        if count is None and objective is not None:
            count = saved_key_results(objective.pk)
        return objective_hints(title, count)
    return None


@register.inclusion_tag("coach/_hints.html", takes_context=True)
def coach_form_hints(context: template.Context, form: Any) -> dict[str, Any]:
    """`{% coach_form_hints form %}`: the hints fragment, rendered with the page."""
    return {"checked": form_hints(context, form)}


@register.simple_tag
def coach_team_marks(objectives: Any, team: Any = None, cycle: Any = None) -> TeamMarks:
    """`{% coach_team_marks team_objectives team cycle as coach %}`: markers for the
    objectives a page has loaded (key results prefetched), and the team's own."""
    return team_marks(list(objectives), getattr(team, "pk", None), cycle)


@register.simple_tag
def coach_report(marks: TeamMarks, objective_id: int) -> ObjectiveReport | None:
    """`{% coach_report coach objective.pk as report %}`."""
    return marks.objectives.get(objective_id)
