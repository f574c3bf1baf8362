"""Create, edit and delete objectives, and what the other goals forms share.

Forms parse; the goals services decide and write. Edits carry the row's `version`:
a stale one answers 409 with the current values beside the person's own input.
Key results are edited in goals_edit_key_results, initiatives and alignment links
in goals_edit_links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from headway.accounts.models import Membership
from headway.accounts.selectors import members_list
from headway.goals import services
from headway.goals.models import CycleStatus, Objective
from headway.goals.selectors import cycle_current, cycles_list, objective_get_for_member
from headway.lib.errors import Conflict
from headway.lib.htmx import render_page
from headway.teams.selectors import teams_of_user, teams_tree
from headway.web.decorators import member_view
from headway.web.forms import (
    OBJECTIVE_ERROR_FIELDS,
    Choices,
    KeyResultForm,
    ObjectiveForm,
    add_service_error,
    call_service,
    errors_only,
)

T = TypeVar("T")
NEW_KEY_RESULTS = 5
NESTED_ERROR = re.compile(r"key_results\.(\d+)\.(.+)")


def member_of(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _writer(member: Membership) -> None:
    if not member.can_write:
        raise PermissionDenied("Viewers read goals; ask an admin for a member role to write them.")


def objective_url(member: Membership, objective_id: int, anchor: str = "") -> str:
    url = reverse("objective-detail", args=[member.organisation.slug, objective_id])
    return f"{url}#{anchor}" if anchor else url


# --- choices ---------------------------------------------------------------------------------


def people_choices(member: Membership) -> Choices:
    return [(m.user_id, m.user.display_name) for m in members_list(member)]


def _owners(member: Membership, current: Objective | None = None) -> dict[str, Choices]:
    """Teams and people the member may give an objective to (the service has the
    last word): everyone for admins; themselves and their teams for members."""
    if member.is_admin:
        teams = [(t.pk, f"{'— ' * t.tree_depth}{t.name}") for t in teams_tree(member)]
        people = people_choices(member)
    else:
        teams = [(t.pk, t.name) for t in teams_of_user(member).order_by("name")]
        people = [(member.user_id, member.user.display_name)]
    if current is not None and current.owner_team_id and current.owner_team_id not in dict(teams):
        teams.append((current.owner_team_id, str(current.owner_team)))
    if current is not None and current.owner_user_id and current.owner_user_id not in dict(people):
        people.append((current.owner_user_id, str(current.owner_user)))
    return {"teams": teams, "people": people}


def _cycles(member: Membership, keep: int | None = None) -> Choices:
    return [
        (c.pk, f"{c.name} ({c.start_date:%d %b} – {c.end_date:%d %b %Y})")
        for c in cycles_list(member)
        if c.status != CycleStatus.CLOSED or c.pk == keep
    ]


# --- calling services ----------------------------------------------------------------------


def _raise(error: Exception) -> Callable[[], Any]:
    def service() -> Any:
        raise error

    return service


def call_with_rows(
    form: forms.Form,
    rows: list[KeyResultForm],
    service: Callable[[], T],
    fields: dict[str, str] | None = None,
) -> T | None:
    """call_service for a service with nested key results: `key_results.<n>.<field>`
    errors go next to the field of the n-th key result form."""
    try:
        return service()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        rest: dict[str, Any] = {}
        for key, messages_ in error.message_dict.items():
            nested = NESTED_ERROR.fullmatch(key)
            if nested and int(nested[1]) < len(rows):
                add_service_error(rows[int(nested[1])], nested[2], messages_)
            else:
                rest[key] = messages_
        if rest:
            call_service(form, _raise(ValidationError(rest)), fields)
        return None


def call_versioned(
    form: forms.Form, service: Callable[[], T], fields: dict[str, str] | None = None
) -> tuple[T | None, Conflict | None]:
    """call_service that hands a stale-version Conflict back to the view."""
    try:
        return service(), None
    except Conflict as conflict:
        return None, conflict
    except (ValidationError, PermissionDenied) as error:
        return call_service(form, _raise(error), fields), None


def rebound_with_version(
    form_class: type[forms.Form], request: HttpRequest, version: int, **kwargs: Any
) -> Any:
    """The person's input again, now carrying the current version: saving once more
    replaces the values they have just been shown."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def objective_values(objective: Objective) -> list[tuple[str, Any]]:
    """An objective's saved values, labelled, to show beside a stale edit."""
    return [
        ("Title", objective.title),
        ("Description", objective.description),
        ("Cycle", objective.cycle.name),
        ("Owner", objective.owner_name),
        ("Status", objective.get_status_display()),
        ("Visibility", objective.get_visibility_display()),
    ]


# --- objectives ----------------------------------------------------------------------------


def _objective_initial(member: Membership, query: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"owner": f"user:{member.user_id}"}
    team = teams_tree(member).filter(slug=query.get("team") or "").first()
    if team is not None:
        initial["owner"] = f"team:{team.pk}"
    wanted = str(query.get("cycle") or "")
    cycle = cycles_list(member).filter(pk=int(wanted)).first() if wanted.isdigit() else None
    cycle = cycle or cycle_current(member)
    if cycle is not None:
        initial["cycle_id"] = cycle.pk
    return initial


@member_view()
def objective_new(request: HttpRequest) -> HttpResponse:
    """A new objective with up to five key results, all saved together or not at all."""
    member = member_of(request)
    _writer(member)
    people = people_choices(member)
    form = ObjectiveForm(
        request.POST or None,
        initial=_objective_initial(member, request.GET),
        cycles=_cycles(member),
        **_owners(member),
    )
    kr_forms = [
        KeyResultForm(
            request.POST or None, prefix=f"kr-{n}", people=people, use_required_attribute=False
        )
        for n in range(NEW_KEY_RESULTS)
    ]
    if request.method == "POST":
        filled = [kr for kr in kr_forms if not kr.is_blank()]
        valid = [f.is_valid() for f in [form, *filled]]
        if all(valid):
            objective = call_with_rows(
                form,
                filled,
                lambda: services.objective_create(
                    member=member,
                    key_results=[kr.service_data() for kr in filled],
                    **form.service_data(),
                ),
                OBJECTIVE_ERROR_FIELDS,
            )
            if objective is not None:
                messages.success(request, f"Objective “{objective}” created.")
                return redirect(objective_url(member, objective.pk))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "kr_forms": kr_forms}
    return render_page(request, "goals/objective_form.html", context, status=status)


def _objective_form_kwargs(member: Membership, objective: Objective) -> dict[str, Any]:
    return {
        "cycles": _cycles(member, keep=objective.cycle_id),
        "with_version": True,
        **_owners(member, objective),
    }


@member_view()
def objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = member_of(request)
    objective = objective_get_for_member(member, objective_id, write=True)
    kwargs = _objective_form_kwargs(member, objective)
    owner = (
        f"team:{objective.owner_team_id}"
        if objective.owner_team_id
        else f"user:{objective.owner_user_id}"
    )
    initial = {
        **{f: getattr(objective, f) for f in ("title", "description", "cycle_id", "status")},
        "visibility": objective.visibility,
        "owner": owner,
        "version": objective.version,
    }
    form = ObjectiveForm(request.POST or None, initial=initial, **kwargs)
    conflict, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            saved, conflict = call_versioned(
                form,
                lambda: services.objective_update(
                    member=member,
                    objective=objective,
                    version=form.cleaned_data["version"],
                    **form.service_data(),
                ),
                OBJECTIVE_ERROR_FIELDS,
            )
            if saved is not None:
                messages.success(request, f"Objective “{saved}” saved.")
                return redirect(objective_url(member, saved.pk))
        status = 422
        if conflict is not None:
            objective = objective_get_for_member(member, objective_id)
            form = rebound_with_version(ObjectiveForm, request, objective.version, **kwargs)
            status = 409
    context = {
        "form": form,
        "objective": objective,
        "conflict": conflict,
        "conflict_values": objective_values(objective) if conflict else [],
    }
    return render_page(request, "goals/objective_form.html", context, status=status)


def confirm_delete(
    request: HttpRequest,
    *,
    thing: str,
    name: str,
    consequence: str,
    cancel: str,
    delete: Callable[[], None],
    done: str,
) -> HttpResponse:
    """GET asks for confirmation; POST deletes and goes to `done`."""
    form = errors_only()
    if request.method == "POST":
        call_service(form, delete)
        if not form.errors:
            messages.success(request, f"{thing.capitalize()} “{name}” deleted.")
            return redirect(done)
    context = {
        "thing": thing,
        "name": name,
        "consequence": consequence,
        "cancel": cancel,
        "errors": form.non_field_errors(),
    }
    status = 409 if form.errors else 200
    return render_page(request, "goals/confirm_delete.html", context, status=status)


@member_view()
def objective_delete(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = member_of(request)
    objective = objective_get_for_member(member, objective_id, write=True)
    return confirm_delete(
        request,
        thing="objective",
        name=objective.title,
        consequence="Its key results, their check-ins and its alignment links go with it; objectives it contributed to roll up again.",
        cancel=objective_url(member, objective.pk),
        delete=lambda: services.objective_delete(member=member, objective=objective),
        done=reverse("org-home", args=[member.organisation.slug]),
    )
