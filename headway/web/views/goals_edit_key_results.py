"""Add, edit (with a version check) and delete key results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import KeyResult
from headway.goals.selectors import (
    can_edit_objective,
    key_result_get_for_member,
    objective_get_for_member,
)
from headway.lib.charts import format_value
from headway.lib.htmx import render_page
from headway.web.decorators import member_view
from headway.web.forms import KeyResultForm, call_service, plan_as_text
from headway.web.views.goals_edit import (
    call_versioned,
    confirm_delete,
    member_of,
    objective_url,
    people_choices,
    rebound_with_version,
)


def key_result_values(key_result: KeyResult) -> list[tuple[str, Any]]:
    """A key result's saved definition, labelled, to show beside a stale edit."""

    def value(number: float | None) -> str:
        return format_value(
            number, kind=key_result.kind, fmt=key_result.format, unit=key_result.unit
        )

    values = [
        ("Title", key_result.title),
        ("Kind", key_result.get_kind_display()),
        ("Start", value(key_result.start_value)),
        ("Target", value(key_result.target_value)),
        ("Unit", key_result.unit),
        ("Weight", key_result.weight),
        ("Owner", key_result.owner.display_name if key_result.owner else ""),
        ("Status", key_result.get_status_display()),
        ("Planned values", plan_as_text(key_result.plan) or "None: a steady pace"),
    ]
    if key_result.kind == KeyResult.Kind.MAINTAIN:
        values.insert(4, ("Threshold", key_result.get_direction_display()))
    return values


# --- key results ---------------------------------------------------------------------------


@member_view()
def key_result_new(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = member_of(request)
    objective = objective_get_for_member(member, objective_id, write=True)
    form = KeyResultForm(request.POST or None, people=people_choices(member))
    if request.method == "POST" and form.is_valid():
        created = call_service(
            form,
            lambda: services.key_result_create(
                member=member, objective=objective, **form.service_data()
            ),
        )
        if created is not None:
            messages.success(request, f"Key result “{created}” added.")
            return redirect(objective_url(member, objective.pk, f"kr-{created.pk}"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "objective": objective}
    return render_page(request, "goals/key_result_form.html", context, status=status)


def _writable_key_result(member: Membership, key_result_id: int) -> KeyResult:
    key_result = key_result_get_for_member(member, key_result_id)
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can change key results only of your own objectives and those of your teams."
        )
    return key_result


KEY_RESULT_INITIAL = (
    "title",
    "kind",
    "start_value",
    "target_value",
    "direction",
    "format",
    "unit",
    "weight",
    "owner_id",
    "status",
    "version",
)


@member_view()
def key_result_edit(request: HttpRequest, key_result_id: int) -> HttpResponse:
    member = member_of(request)
    key_result = _writable_key_result(member, key_result_id)
    kwargs: dict[str, Any] = {
        "people": people_choices(member),
        "editing": True,
        # Once measured, a new target needs a reason (the service's rule).
        "target_history": key_result.last_checkin_at is not None,
    }
    initial = {f: getattr(key_result, f) for f in KEY_RESULT_INITIAL}
    initial["plan"] = plan_as_text(key_result.plan)
    form = KeyResultForm(request.POST or None, initial=initial, **kwargs)
    conflict, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            saved, conflict = call_versioned(
                form,
                lambda: services.key_result_update(
                    member=member,
                    key_result=key_result,
                    version=form.cleaned_data["version"],
                    **form.service_data(),
                ),
            )
            if saved is not None:
                messages.success(request, f"Key result “{saved}” saved.")
                return redirect(objective_url(member, saved.objective_id, f"kr-{saved.pk}"))
        status = 422
        if conflict is not None:
            key_result = key_result_get_for_member(member, key_result_id)
            form = rebound_with_version(KeyResultForm, request, key_result.version, **kwargs)
            status = 409
    context = {
        "form": form,
        "objective": key_result.objective,
        "key_result": key_result,
        "conflict": conflict,
        "conflict_values": key_result_values(key_result) if conflict else [],
    }
    return render_page(request, "goals/key_result_form.html", context, status=status)


@member_view()
def key_result_delete(request: HttpRequest, key_result_id: int) -> HttpResponse:
    member = member_of(request)
    key_result = _writable_key_result(member, key_result_id)
    url = objective_url(member, key_result.objective_id)
    return confirm_delete(
        request,
        thing="key result",
        name=key_result.title,
        consequence="Its check-ins go with it and the objective's progress is computed again. To stop measuring it but keep its history, edit it and mark it dropped instead.",
        cancel=url,
        delete=lambda: services.key_result_delete(member=member, key_result=key_result),
        done=url,
    )
