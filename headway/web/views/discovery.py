"""The discovery record of the organisation or a team: the "ready to pilot?"
checklist, then one section per question (why OKRs with its "dig deeper" ladder,
the champion, the leaders and their problems, pilot teams, time, risks, notes).

Each section is its own small form posting to the page, so a save changes only that
section (`discovery.services.discovery_record_save` with the record's version).
The ladder's answer box appends with HTMX: the post redirects to the page, which
renders only its `ladder` partial for HTMX; without JavaScript the whole page.
Every member reads; owners, admins and the team's leads write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from headway.accounts.models import Membership
from headway.accounts.selectors import members_list
from headway.discovery import services
from headway.discovery.models import DiscoveryRecord
from headway.discovery.selectors import (
    can_edit_discovery,
    discovery_leader_get,
    discovery_record_for,
)
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug, teams_tree
from headway.web.decorators import member_view
from headway.web.forms import call_service
from headway.web.forms_discovery import (
    SECTIONS,
    SERVICE_NAMES,
    DiscoveryRecordForm,
    FollowupForm,
    LeaderForm,
)

TEMPLATE = "discovery/record.html"
NOT_SAVED = "Save a section of the record first (why OKRs, for instance)."


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined, no-any-return]


def _team(member: Membership, slug: str | None) -> Team | None:
    return team_get_by_slug(member, slug) if slug else None


def _page_url(member: Membership, team: Team | None, anchor: str = "") -> str:
    org = member.organisation.slug
    url = (
        reverse("team-discovery", args=[org, team.slug])
        if team
        else reverse("discovery", args=[org])
    )
    return f"{url}#{anchor}" if anchor else url


def _require_edit(member: Membership, team: Team | None) -> None:
    if not can_edit_discovery(member, team):
        raise PermissionDenied("Only owners, admins and the team's leads can change this record.")


def _initial(record: DiscoveryRecord, pilot_ids: list[int]) -> dict[str, Any]:
    return {
        "why_stated": record.why_stated,
        "real_reason": record.real_reason,
        "champion": str(record.champion_id or ""),
        "champion_name": record.champion_name,
        "champion_seniority": record.champion_seniority,
        "champion_hours_per_month": record.champion_hours_per_month,
        "pilot_teams": [str(pk) for pk in pilot_ids],
        "time_expectation": record.time_expectation,
        "time_expectation_agreed": record.time_expectation_agreed,
        "risks": record.risks,
        "notes": record.notes,
    }


def _context(member: Membership, team: Team | None, **bound: Any) -> dict[str, Any]:
    """The page's context; `bound` holds forms that failed, by section or name."""
    view = discovery_record_for(member, team)
    members = list(members_list(member))
    teams = list(teams_tree(member))
    initial = _initial(view.record, [t.pk for t in view.pilot_teams])
    sections = {
        name: bound.get(name)
        or DiscoveryRecordForm(section=name, members=members, teams=teams, initial=initial)
        for name in SECTIONS
    }
    return {
        "team": team,
        "view": view,
        "record": view.record,
        "can_edit": can_edit_discovery(member, team),
        "sections": sections,
        "pilot_form": sections["pilot-teams"],  # a hyphen does not work in a template lookup
        "page_url": _page_url(member, team),
        "followup_form": bound.get("followup") or FollowupForm(),
        "leader_form": bound.get("leader") or LeaderForm(members=members),
    }


def _record_page(request: HttpRequest, team: Team | None) -> HttpResponse:
    member = _member(request)
    if request.method != "POST":
        return render_page(request, TEMPLATE, _context(member, team), partial="ladder")
    _require_edit(member, team)
    section = request.POST.get("section", "")
    if section not in SECTIONS:
        return HttpResponseBadRequest("Unknown section of the discovery record.")
    form = DiscoveryRecordForm(
        request.POST,
        section=section,
        members=list(members_list(member)),
        teams=list(teams_tree(member)),
    )
    version = request.POST.get("version", "")
    if form.is_valid() and call_service(
        form,
        lambda: services.discovery_record_save(
            member=member,
            team_id=team.pk if team else None,
            version=int(version) if version.isdigit() else None,
            **form.service_data(),
        ),
        fields={v: k for k, v in SERVICE_NAMES.items()},
    ):
        messages.success(request, "Discovery record saved.")
        return redirect(_page_url(member, team, section))
    context = _context(member, team, **{section: form})
    return render_page(request, TEMPLATE, context, status=422)


@member_view()
def discovery_organisation(request: HttpRequest) -> HttpResponse:
    return _record_page(request, None)


@member_view()
def discovery_team(request: HttpRequest, slug: str) -> HttpResponse:
    return _record_page(request, team_get_by_slug(_member(request), slug))


@member_view()
@require_POST
def discovery_followup(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Answer the ladder's next question; back to the ladder."""
    member = _member(request)
    team = _team(member, slug)
    _require_edit(member, team)
    record = discovery_record_for(member, team).record
    form = FollowupForm(request.POST)
    if record.pk is None:
        form.add_error(None, "First write down why OKRs, as it was stated; then dig deeper.")
    elif form.is_valid() and call_service(
        form,
        lambda: services.discovery_followup_add(
            member=member, record_id=record.pk, answer=form.cleaned_data["answer"]
        ),
    ):
        return redirect(_page_url(member, team, "why"))
    context = _context(member, team, followup=form)
    return render_page(request, TEMPLATE, context, partial="ladder", status=422)


@member_view()
@require_POST
def discovery_leader_add(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    member = _member(request)
    team = _team(member, slug)
    _require_edit(member, team)
    record = discovery_record_for(member, team).record
    form = LeaderForm(request.POST, members=list(members_list(member)))
    if record.pk is None:
        form.add_error(None, NOT_SAVED)
    elif form.is_valid() and call_service(
        form,
        lambda: services.discovery_leader_add(
            member=member, record_id=record.pk, **form.service_data()
        ),
        fields={"user_id": "user"},
    ):
        messages.success(request, "Leader added.")
        return redirect(_page_url(member, team, "leaders"))
    return render_page(request, TEMPLATE, _context(member, team, leader=form), status=422)


@member_view()
@require_POST
def discovery_leader_remove(request: HttpRequest, leader_id: int) -> HttpResponse:
    member = _member(request)
    leader = discovery_leader_get(member, leader_id)
    team = leader.record.team
    _require_edit(member, team)
    services.discovery_leader_remove(member=member, leader_id=leader.pk)
    messages.success(request, f"{leader.name} removed from the leaders.")
    return redirect(_page_url(member, team, "leaders"))
