"""Coach pages: the organisation summary, one objective's notes, and the live hints
the objective and key-result forms ask for while someone types.

The checks are ``headway.coach.checks`` (pure); ``headway.coach.selectors`` loads rows
through the visibility rule and runs them in bulk. The hints endpoint reads the form
the person is filling in (HTMX posts the whole form) and answers a small fragment; the
same fragment is rendered by the form pages themselves on a POST with errors, so
people without JavaScript see the hints too (``coach_tags``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from headway.accounts.models import Membership
from headway.coach import selectors
from headway.coach.checks import (
    Checked,
    KeyResultDraft,
    ObjectiveDraft,
    check_key_results,
    check_objectives,
)
from headway.goals.models import KeyResult, KeyResultStatus
from headway.goals.selectors import can_edit_objective, objective_get_for_member
from headway.lib.htmx import render_page
from headway.web.decorators import member_view

NOTES_INLINE = 60  # objectives with notes shown on the summary at once; past it, per team
MAX_NEW_KEY_RESULTS = 20  # rows of the new-objective form the hints count (it has 5)


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined,no-any-return]


@member_view()
@require_GET
def coach_summary_page(request: HttpRequest) -> HttpResponse:
    """Outcome share of key results per team and per level, and the findings per team."""
    member = _member(request)
    cycles, cycle = selectors.cycle_chosen(member, request.GET.get("cycle"))
    summary = selectors.coach_summary(member, cycle) if cycle else None
    noted = sum(len(t.with_findings) for t in summary.teams) if summary else 0
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "summary": summary,
        "notes_team": request.GET.get("team", ""),
        # A large organisation gets its notes one team at a time: the page stays small.
        "all_notes": noted <= NOTES_INLINE,
    }
    return render_page(request, "coach/summary.html", context, partial="coach-body")


@member_view()
@require_GET
def coach_objective_page(request: HttpRequest, objective_id: int) -> HttpResponse:
    """One objective's notes and its key results', with the suggested rewrites."""
    member = _member(request)
    objective = objective_get_for_member(member, objective_id)
    context = {
        "objective": objective,
        "report": selectors.objective_report(objective),
        "can_edit": can_edit_objective(member, objective),
    }
    return render_page(request, "coach/objective.html", context)


# --------------------------------------------------------------------------- live hints


def number(value: Any) -> float | None:
    """A number typed into a form, or None for anything else (hints never fail)."""
    try:
        parsed = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    return parsed if parsed == parsed and abs(parsed) != float("inf") else None


def key_result_draft(data: Any, prefix: str = "") -> KeyResultDraft:
    """The key result being typed, from form data with an optional ``kr-N`` prefix."""

    def get(name: str) -> str:
        return str(data.get(f"{prefix}-{name}" if prefix else name) or "")

    kind = get("kind")
    return KeyResultDraft(
        title=get("title"),
        kind=kind if kind in KeyResult.Kind.values else None,
        start_value=number(get("start_value")),
        target_value=number(get("target_value")),
        unit=get("unit").strip()[:20],
        format=get("format") if get("format") in KeyResult.Format.values else "number",
    )


def typed_key_results(data: Any) -> int | None:
    """How many key-result rows of the new-objective form have a title; None when the
    form has no such rows (the edit form: the saved key results count instead)."""
    if "kr-0-title" not in data:
        return None
    return sum(
        1 for n in range(MAX_NEW_KEY_RESULTS) if str(data.get(f"kr-{n}-title") or "").strip()
    )


def saved_key_results(objective_id: int) -> int:
    return KeyResult.objects.filter(
        objective_id=objective_id, status=KeyResultStatus.ACTIVE
    ).count()


def objective_hints(title: str, key_results: int | None) -> Checked | None:
    """The objective's findings; None while nothing is typed (no hint to give yet)."""
    if not title.strip():
        return None
    return check_objectives([ObjectiveDraft(title, key_results)])[0]


def key_result_hints(draft: KeyResultDraft) -> Checked | None:
    if not draft.title.strip():
        return None
    return check_key_results([draft])[0]


@member_view()
@require_POST
def coach_hints(request: HttpRequest) -> HttpResponse:
    """The hints for the objective or key result being typed: `?for=objective`
    (`&objective=<id>` when editing one), `?for=kr-<n>` for a row of the new-objective
    form, `?for=kr` for the key-result form."""
    member = _member(request)
    wanted = request.GET.get("for", "")
    if wanted == "objective":
        count = typed_key_results(request.POST)
        objective_id = request.GET.get("objective", "")
        if count is None and objective_id.isdigit():
            objective = objective_get_for_member(member, int(objective_id))
            count = saved_key_results(objective.pk)
        checked = objective_hints(str(request.POST.get("title") or ""), count)
    else:
        prefix = wanted if wanted.startswith("kr-") and wanted[3:].isdigit() else ""
        checked = key_result_hints(key_result_draft(request.POST, prefix))
    return render_page(request, "coach/_hints.html", {"checked": checked})
