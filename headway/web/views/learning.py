"""Course corrections and the learning log: record a pivot, adjust a target, and read
what teams learned, for one team (with its sub-teams) or the whole organisation.

The forms post to `goals.services.pivot_record` and `key_result_target_change`; the
log reads `goals.selectors_learning`. The log's search box reloads only the list with
HTMX (the same view renders the `learning-entries` partial); without JavaScript it is
a plain GET form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import Cycle, KeyResult
from headway.goals.selectors import can_edit_objective, cycles_list
from headway.goals.selectors_learning import (
    flag_for_key_result,
    key_result_for_correction,
    key_result_target_history,
    learning_log,
    open_initiatives,
)
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug
from headway.web.decorators import member_view
from headway.web.forms import call_service
from headway.web.forms_learning import PivotForm, TargetForm
from headway.web.templatetags.goals_tags import measure
from headway.web.views.goals_edit import member_of, objective_url

LOG_PER_PAGE = 20


def _back(request: HttpRequest, wanted: str | None, key_result: KeyResult) -> str:
    """Where a form returns: `next` when it is a page of this site, else the key result
    on its objective's page."""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return objective_url(member_of(request), key_result.objective_id, f"kr-{key_result.pk}")


# --- record a pivot ------------------------------------------------------------------------


@member_view()
def pivot_new(request: HttpRequest, key_result_id: int) -> HttpResponse:
    """What we tried, what we learned, what we try next; optionally answering a flag
    (`?flag=<id>`), moving the target and changing the initiatives."""
    member = member_of(request)
    key_result = key_result_for_correction(member, key_result_id)
    flag = flag_for_key_result(key_result, request.POST.get("flag_id") or request.GET.get("flag"))
    can_move_target = can_edit_objective(member, key_result.objective)
    form = PivotForm(
        request.POST or None,
        key_result=key_result,
        initiatives=open_initiatives(key_result),
        can_move_target=can_move_target,
        initial={
            # A flag another pivot answered is shown, but this pivot is not linked to it.
            "flag_id": flag.pk if flag and flag.pivot_id is None else "",
            "next": request.GET.get("next", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        recorded = call_service(
            form,
            lambda: services.pivot_record(
                member=member, key_result_id=key_result.pk, **form.service_data()
            ),
        )
        if recorded is not None:
            messages.success(request, f"Pivot recorded on “{key_result}”: {recorded.next_step}")
            return redirect(_back(request, form.cleaned_data["next"], key_result))
    context = {
        "form": form,
        "key_result": key_result,
        "objective": key_result.objective,
        "flag": flag,
        "can_move_target": can_move_target,
    }
    status = 422 if request.method == "POST" else 200
    return render_page(request, "learning/pivot_form.html", context, status=status)


# --- adjust the target ------------------------------------------------------------------------


@member_view()
def target_change(request: HttpRequest, key_result_id: int) -> HttpResponse:
    """Move a key result's target with the reason; the page shows the history."""
    member = member_of(request)
    key_result = key_result_for_correction(member, key_result_id)
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can move the target only of your own or your teams' key results; "
            "ask a team lead or an admin."
        )
    form = TargetForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = call_service(
            form,
            lambda: services.key_result_target_change(
                member=member,
                key_result_id=key_result.pk,
                new_target=data["new_target"],
                reason=data["reason"],
            ),
        )
        if change is not None:
            old, new = (
                measure(value, key_result) for value in (change.old_target, change.new_target)
            )
            messages.success(
                request,
                f"The target of “{key_result}” moved from {old} to {new}; "
                "progress was computed again.",
            )
            return redirect(_back(request, data["next"], key_result))
    context = {
        "form": form,
        "key_result": key_result,
        "objective": key_result.objective,
        "history": list(key_result_target_history(key_result)),
    }
    status = 422 if request.method == "POST" else 200
    return render_page(request, "learning/target_form.html", context, status=status)


# --- the learning log ------------------------------------------------------------------------


def _chosen_cycle(cycles: list[Cycle], wanted: str | None) -> Cycle | None:
    return next((cycle for cycle in cycles if str(cycle.pk) == wanted), None)


def log_context(request: HttpRequest, member: Membership, team: Team | None) -> dict[str, Any]:
    """One page of the log, filtered by `?q=` and `?cycle=`."""
    query = request.GET.get("q", "").strip()[:100]
    cycles = list(cycles_list(member))
    cycle = _chosen_cycle(cycles, request.GET.get("cycle"))
    log = learning_log(member, team=team, query=query, cycle=cycle)
    page = Paginator(log, LOG_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "team": team,
        "query": query,
        "cycles": cycles,
        "cycle": cycle,
        "page": page,
        "entries": page.object_list,
    }


@member_view()
@require_GET
def learning_organisation(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    context = log_context(request, member, None)
    return render_page(request, "learning/log.html", context, partial="learning-entries")


@member_view()
@require_GET
def learning_team(request: HttpRequest, slug: str) -> HttpResponse:
    member = member_of(request)
    team = team_get_by_slug(member, slug)
    context = log_context(request, member, team)
    return render_page(request, "learning/log.html", context, partial="learning-entries")
