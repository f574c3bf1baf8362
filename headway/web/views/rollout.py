"""Rollout plans: the list with pilot suggestions, a plan's phases as a timeline with
each phase's "ready to expand" (or what is still missing, with the numbers), and the
forms to create a plan (the default three-phase layout or blank), change it, and add,
change, move and delete its phases.

Every member reads; owners and admins write (403 for anyone else, 404 for another
organisation's plan). Moving and deleting a phase post to their own URLs and redirect
to the plan, which renders only its `phases` partial for HTMX (the request that
follows the redirect carries HX-Request); without JavaScript, the whole page. A
plan's readiness is computed on the page: the adoption counts of every cycle its
phases are measured over load once (`rollout.selectors.plan_readiness`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from headway.accounts.models import Membership
from headway.discovery.selectors_survey import organisation_today
from headway.goals.models import Cycle, CycleKind
from headway.lib.htmx import render_page
from headway.rollout import services
from headway.rollout.cleaning import DEFAULT_CRITERIA
from headway.rollout.selectors import (
    PlanView,
    can_manage_rollout,
    organisation_cycles,
    phase_get,
    plan_detail,
    plan_get,
    plan_readiness,
    plans_list,
)
from headway.rollout.selectors_pilots import pilot_suggestions
from headway.teams.selectors import teams_tree
from headway.web.decorators import member_view
from headway.web.forms import call_service
from headway.web.forms_rollout import (
    PhaseForm,
    PlanForm,
    PlanNewForm,
    criteria_initial,
    phase_initial,
)

PLAN_TEMPLATE = "rollout/plan.html"
PHASE_TEMPLATE = "rollout/phase_form.html"


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined, no-any-return]


def _plan_url(member: Membership, plan_id: int, anchor: str = "") -> str:
    url = reverse("rollout-plan", args=[member.organisation.slug, plan_id])
    return f"{url}#{anchor}" if anchor else url


def _version(request: HttpRequest) -> int | None:
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else None


def _cycles(member: Membership) -> list[Cycle]:
    return sorted(organisation_cycles(member.organisation_id), key=lambda c: c.start_date)


# --- plans -------------------------------------------------------------------------------


@member_view()
def rollout_plans(request: HttpRequest) -> HttpResponse:
    """The organisation's plans, and the teams that would make good pilots."""
    member = _member(request)
    context = {
        "plans": list(plans_list(member)),
        "suggestions": pilot_suggestions(member),
        "can_manage": can_manage_rollout(member),
    }
    return render_page(request, "rollout/plans.html", context)


def _first_start(member: Membership) -> dt.date:
    """The first day of the next quarter, else today: a pilot starts with a cycle."""
    today = organisation_today(member.organisation)
    starts = [
        c.start_date
        for c in organisation_cycles(member.organisation_id)
        if c.kind == CycleKind.QUARTER and c.start_date >= today
    ]
    return min(starts, default=today)


@member_view(admin=True)
def rollout_plan_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    suggestions = pilot_suggestions(member)
    initial = {
        "layout": "default",
        "title": "Rollout plan",
        "pilot_teams": [str(s.team.pk) for s in suggestions[:2]],
        "starts_on": _first_start(member),
    }
    form = PlanNewForm(request.POST or None, teams=list(teams_tree(member)), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["layout"] == "default":
            plan = call_service(
                form,
                lambda: services.plan_create_default(
                    member=member,
                    pilot_team_ids=data["pilot_teams"],
                    starts_on=data["starts_on"],
                    title=data["title"],
                    notes=data["notes"],
                ),
                fields={"pilot_team_ids": "pilot_teams"},
            )
        else:
            plan = call_service(
                form,
                lambda: services.plan_create(
                    member=member, title=data["title"], notes=data["notes"]
                ),
            )
        if plan is not None:
            messages.success(request, f"Rollout plan “{plan.title}” created.")
            return redirect(_plan_url(member, plan.pk))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "suggestions": suggestions}
    return render_page(request, "rollout/plan_new.html", context, status=status)


@member_view()
def rollout_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's phases as a timeline, each with its readiness."""
    member = _member(request)
    view = plan_detail(member, plan_id)
    context = {
        "plan": view.plan,
        "rows": plan_readiness(member, view),
        "can_manage": can_manage_rollout(member),
        "phase_count": len(view.phases),
    }
    return render_page(request, PLAN_TEMPLATE, context, partial="phases")


@member_view(admin=True)
def rollout_plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    member = _member(request)
    plan = plan_get(member, plan_id)
    form = PlanForm(request.POST or None, initial={"title": plan.title, "notes": plan.notes})
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.plan_update(
                member=member, plan_id=plan.pk, version=_version(request), **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "Rollout plan saved.")
            return redirect(_plan_url(member, plan.pk))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "plan": plan}
    return render_page(request, "rollout/plan_form.html", context, status=status)


@require_POST
@member_view(admin=True)
def rollout_plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    member = _member(request)
    plan = plan_get(member, plan_id)
    services.plan_delete(member=member, plan_id=plan.pk)
    messages.success(request, f"Rollout plan “{plan.title}” deleted.")
    return redirect("rollout", org=member.organisation.slug)


# --- phases ------------------------------------------------------------------------------


def _phase_form(request: HttpRequest, member: Membership, initial: dict[str, Any]) -> PhaseForm:
    return PhaseForm(
        request.POST or None,
        teams=list(teams_tree(member)),
        cycles=_cycles(member),
        initial=initial,
    )


def _new_phase_initial(member: Membership, view: PlanView) -> dict[str, Any]:
    """After the last phase (else from today), for one cycle, with the default criteria."""
    last = max((p.ends_on for p in view.phases), default=None)
    start = last + dt.timedelta(days=1) if last else organisation_today(member.organisation)
    end, weeks = services.cycles_span(organisation_cycles(member.organisation_id), start, 1)
    initial: dict[str, Any] = {
        "kind": "custom" if view.phases else "pilot",
        "starts_on": start,
        "ends_on": end,
        "expected_weeks": weeks,
    }
    initial.update(criteria_initial(list(DEFAULT_CRITERIA)))
    return initial


def _phase_page(
    request: HttpRequest, form: PhaseForm, view: PlanView, phase: Any = None
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "plan": view.plan, "phase": phase}
    return render_page(request, PHASE_TEMPLATE, context, status=status)


@member_view(admin=True)
def rollout_phase_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    member = _member(request)
    view = plan_detail(member, plan_id)
    form = _phase_form(request, member, _new_phase_initial(member, view))
    if request.method == "POST" and form.is_valid():
        phase = call_service(
            form,
            lambda: services.phase_create(
                member=member, plan_id=view.plan.pk, **form.service_data()
            ),
        )
        if phase is not None:
            messages.success(request, f"Phase “{phase.name}” added.")
            return redirect(_plan_url(member, view.plan.pk, f"phase-{phase.pk}"))
    return _phase_page(request, form, view)


@member_view(admin=True)
def rollout_phase_edit(request: HttpRequest, phase_id: int) -> HttpResponse:
    member = _member(request)
    phase = phase_get(member, phase_id)
    view = PlanView(phase.plan, [])
    initial = phase_initial(phase, list(phase.criteria.all()), list(phase.phase_teams.all()))
    form = _phase_form(request, member, initial)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.phase_update(
                member=member, phase_id=phase.pk, version=_version(request), **form.service_data()
            ),
        )
        if saved is not None:
            messages.success(request, f"Phase “{saved.name}” saved.")
            return redirect(_plan_url(member, phase.plan_id, f"phase-{phase.pk}"))
    return _phase_page(request, form, view, phase)


@require_POST
@member_view(admin=True)
def rollout_phase_delete(request: HttpRequest, phase_id: int) -> HttpResponse:
    member = _member(request)
    phase = phase_get(member, phase_id)
    services.phase_delete(member=member, phase_id=phase.pk)
    messages.success(request, f"Phase “{phase.name}” deleted.")
    return redirect(_plan_url(member, phase.plan_id, "phases"))


@require_POST
@member_view(admin=True)
def rollout_phase_move(request: HttpRequest, phase_id: int) -> HttpResponse:
    member = _member(request)
    phase = phase_get(member, phase_id)
    try:
        services.phase_move(member=member, phase_id=phase.pk, position=request.POST.get("position"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_plan_url(member, phase.plan_id, f"phase-{phase.pk}"))
