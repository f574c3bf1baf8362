"""Cycles and the strategy: the organisation's statement and themes, and bubble themes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from headway.goals import services
from headway.goals.selectors import cycle_get, cycles_list, theme_get, themes_list
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.web.decorators import member_view
from headway.web.forms import CycleForm, ThemeForm, YearForm, call_service, errors_only


def _cycles_context(
    request: HttpRequest, form: CycleForm | None = None, year_form: YearForm | None = None
) -> dict[str, object]:
    member = request.member  # type: ignore[attr-defined]
    cycles = cycles_list(member)
    return {
        "cycles": cycles,
        "form": form or CycleForm(cycles=cycles),
        "year_form": year_form or YearForm(),
    }


@member_view(admin_posts=True)
def cycles(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    if request.method != "POST":
        return render_page(request, "strategy/cycles.html", _cycles_context(request))
    form = CycleForm(request.POST, cycles=cycles_list(member))
    if form.is_valid() and call_service(
        form, lambda: services.cycle_create(member=member, **form.cleaned_data)
    ):
        messages.success(request, f"Cycle {form.cleaned_data['name']} created.")
        return redirect("cycles", org=member.organisation.slug)
    return render_page(
        request, "strategy/cycles.html", _cycles_context(request, form=form), status=422
    )


@member_view(admin=True)
@require_POST
def cycle_year(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    form = YearForm(request.POST)
    if form.is_valid() and call_service(
        form, lambda: services.year_with_quarters(member=member, year=form.cleaned_data["year"])
    ):
        messages.success(request, f"{form.cleaned_data['year']} and its four quarters created.")
        return redirect("cycles", org=member.organisation.slug)
    return render_page(
        request, "strategy/cycles.html", _cycles_context(request, year_form=form), status=422
    )


@member_view(admin=True)
def cycle_edit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_get(member, cycle_id)
    others = cycles_list(member).exclude(pk=cycle.pk)
    initial = {
        f: getattr(cycle, f) for f in ("name", "kind", "start_date", "end_date", "status", "parent")
    }
    form = CycleForm(request.POST or None, cycles=others, initial=initial)
    if request.method == "POST":
        if form.is_valid() and call_service(
            form, lambda: services.cycle_update(member=member, cycle=cycle, **form.cleaned_data)
        ):
            messages.success(request, f"Cycle {cycle} saved.")
            return redirect("cycles", org=member.organisation.slug)
        status = 422
    else:
        status = 200
    return render_page(
        request, "strategy/cycle_edit.html", {"cycle": cycle, "form": form}, status=status
    )


@member_view(admin=True)
@require_POST
def cycle_delete(request: HttpRequest, cycle_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_get(member, cycle_id)
    form = errors_only()
    call_service(form, lambda: services.cycle_delete(member=member, cycle=cycle))
    if form.errors:
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        messages.success(request, f"Cycle {cycle} deleted.")
    return redirect("cycles", org=member.organisation.slug)


def _bubble_roots(member: object) -> object:
    return Team.objects.filter(organisation_id=member.organisation_id, is_bubble_root=True)  # type: ignore[attr-defined]


@member_view(admin_posts=True)
def strategy(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    bubble_roots = _bubble_roots(member)
    form = ThemeForm(request.POST or None, bubble_roots=bubble_roots)
    status = 200
    if request.method == "POST":
        if form.is_valid() and call_service(
            form, lambda: services.theme_create(member=member, **form.cleaned_data)
        ):
            messages.success(request, f"Theme {form.cleaned_data['title']} added.")
            return redirect("strategy", org=member.organisation.slug)
        status = 422
    themes = list(themes_list(member))
    return render_page(
        request,
        "strategy/strategy.html",
        {
            "org_themes": [t for t in themes if t.team_id is None],
            "bubbles": [
                (team, [t for t in themes if t.team_id == team.pk]) for team in bubble_roots
            ],  # type: ignore[attr-defined]
            "form": form,
        },
        status=status,
    )


@member_view(admin=True)
@require_POST
def theme_archive(request: HttpRequest, theme_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    theme = theme_get(member, theme_id)
    services.theme_update(member=member, theme=theme, archived=True)
    messages.success(request, f"Theme {theme} archived.")
    return redirect("strategy", org=member.organisation.slug)
