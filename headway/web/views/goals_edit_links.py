"""Initiatives (the work that should move key results) and alignment links (an
objective's parents): add, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import AlignmentLink, Initiative, KeyResult, LinkKind, Objective
from headway.goals.selectors import (
    alignment_link_get,
    alignment_parent_candidates,
    can_edit_objective,
    initiative_get_for_member,
    objective_get_for_member,
    themes_list,
)
from headway.lib.htmx import render_page
from headway.web.decorators import member_view
from headway.web.forms import (
    ALIGNMENT_ERROR_FIELDS,
    AlignmentLinkForm,
    Choices,
    InitiativeForm,
    call_service,
)
from headway.web.views.goals_edit import confirm_delete, member_of, objective_url, people_choices

# --- initiatives ---------------------------------------------------------------------------


def _key_result_choices(key_results: Any) -> Choices:
    return [(kr.pk, f"{kr.title} ({kr.objective.title})") for kr in key_results]


def _initiative_form(
    request: HttpRequest, member: Membership, key_results: Any, **kwargs: Any
) -> InitiativeForm:
    return InitiativeForm(
        request.POST or None,
        people=people_choices(member),
        key_results=_key_result_choices(key_results),
        **kwargs,
    )


@member_view()
def initiative_new(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = member_of(request)
    objective = objective_get_for_member(member, objective_id, write=True)
    key_results = objective.key_results.select_related("objective").order_by("order", "pk")
    form = _initiative_form(
        request, member, key_results, initial={"key_result_ids": [kr.pk for kr in key_results]}
    )
    if request.method == "POST" and form.is_valid():
        created = call_service(
            form, lambda: services.initiative_create(member=member, **form.cleaned_data)
        )
        if created is not None:
            messages.success(request, f"Initiative “{created}” added.")
            return redirect(objective_url(member, objective.pk, "initiatives"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "objective": objective}
    return render_page(request, "goals/initiative_form.html", context, status=status)


def _writable_initiative(member: Membership, initiative_id: int) -> tuple[Initiative, Objective]:
    """The initiative and the objective whose page it is shown on; 403 unless the
    member may change it (its owner, an admin, or an editor of one of its objectives)."""
    initiative = initiative_get_for_member(member, initiative_id)
    key_results = list(initiative.key_results.select_related("objective__cycle"))
    if not key_results:
        raise PermissionDenied("This initiative moves no key result any more; ask an admin.")
    allowed = member.can_write and (
        member.is_admin
        or initiative.owner_id == member.user_id
        or any(can_edit_objective(member, kr.objective) for kr in key_results)
    )
    if not allowed:
        raise PermissionDenied(
            "You can change initiatives of your own or your teams' key results only."
        )
    return initiative, key_results[0].objective


@member_view()
def initiative_edit(request: HttpRequest, initiative_id: int) -> HttpResponse:
    member = member_of(request)
    initiative, objective = _writable_initiative(member, initiative_id)
    # Its own objective's key results, and any others it already moves.
    key_results = (
        KeyResult.objects.filter(organisation_id=member.organisation_id)
        .filter(
            pk__in=[kr.pk for kr in objective.key_results.all()]
            + list(initiative.key_results.values_list("pk", flat=True))
        )
        .select_related("objective")
        .order_by("objective_id", "order", "pk")
    )
    initial = {
        "title": initiative.title,
        "description": initiative.description,
        "status": initiative.status,
        "owner_id": initiative.owner_id,
        "key_result_ids": list(initiative.key_results.values_list("pk", flat=True)),
    }
    form = _initiative_form(request, member, key_results, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.initiative_update(
                member=member, initiative=initiative, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, f"Initiative “{saved}” saved.")
            return redirect(objective_url(member, objective.pk, "initiatives"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "objective": objective, "initiative": initiative}
    return render_page(request, "goals/initiative_form.html", context, status=status)


@member_view()
def initiative_delete(request: HttpRequest, initiative_id: int) -> HttpResponse:
    member = member_of(request)
    initiative, objective = _writable_initiative(member, initiative_id)
    url = objective_url(member, objective.pk, "initiatives")
    return confirm_delete(
        request,
        thing="initiative",
        name=initiative.title,
        consequence="Progress does not change: initiatives never count in it.",
        cancel=url,
        delete=lambda: services.initiative_delete(member=member, initiative=initiative),
        done=url,
    )


# --- alignment links ---------------------------------------------------------------------


def _parent_choices(member: Membership, child: Objective) -> Choices:
    """Themes, objectives and key results to align to, grouped by type."""
    themes = [
        (f"theme:{t.pk}", f"{t.title} ({t.team.name if t.team else 'organisation'})")
        for t in themes_list(member)
    ]
    objectives, key_results = [], []
    for objective in alignment_parent_candidates(member, child):
        owner = f"{objective.owner_name}, {objective.cycle.name}"
        objectives.append((f"objective:{objective.pk}", f"{objective.title} ({owner})"))
        key_results += [
            (f"key_result:{kr.pk}", f"{kr.title} (of “{objective.title}”, {owner})")
            for kr in objective.key_results.all()
        ]
    return [
        ("Strategic themes", themes),
        ("Objectives", objectives),
        ("Key results", key_results),
    ]


@member_view()
def alignment_new(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = member_of(request)
    objective = objective_get_for_member(member, objective_id, write=True)
    form = AlignmentLinkForm(request.POST or None, parents=_parent_choices(member, objective))
    if request.method == "POST" and form.is_valid():
        link = call_service(
            form,
            lambda: services.alignment_link_create(
                member=member, child=objective, **form.service_data()
            ),
            ALIGNMENT_ERROR_FIELDS,
        )
        if link is not None:
            verb = "contributes to" if link.kind == LinkKind.CONTRIBUTES else "supports"
            messages.success(request, f"“{objective}” now {verb} “{link.parent}”.")
            return redirect(objective_url(member, objective.pk, "alignment"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "objective": objective}
    return render_page(request, "goals/alignment_form.html", context, status=status)


def _writable_link(member: Membership, link_id: int) -> AlignmentLink:
    link = alignment_link_get(member, link_id)
    if not can_edit_objective(member, link.child):
        raise PermissionDenied("You can unlink only your own objectives and those of your teams.")
    return link


@member_view()
def alignment_delete(request: HttpRequest, link_id: int) -> HttpResponse:
    member = member_of(request)
    link = _writable_link(member, link_id)
    url = objective_url(member, link.child_id, "alignment")
    return confirm_delete(
        request,
        thing="alignment link",
        name=f"{link.child} → {link.parent}",
        consequence="The parent's progress no longer counts this objective.",
        cancel=url,
        delete=lambda: services.alignment_link_delete(member=member, link=link),
        done=url,
    )
