"""Needs attention: the open flags of the organisation, or of one team with its
sub-teams, most urgent first, each with the next step offered in place.

A row says what is wrong (the flag's reason carries the numbers), since when, and how
the key result stands against its pace; then the next steps: check in right there
(the check-in form of the weekly screen, posted with HTMX; the check-in service
refreshes the key result's flags once it commits, and the row comes back as the
analysis now sees it), record a pivot answering the flag, change the initiatives, or
adjust the target. A page costs the same queries for 3 flags and for 300.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import CycleStatus, KeyResult, KeyResultStatus, ObjectiveStatus
from headway.goals.selectors import key_result_get_for_member, key_result_ids_writable
from headway.insights.metrics.flags import KINDS
from headway.insights.models import Flag, FlagKind
from headway.insights.selectors import KeyResultInsight, flag_get, key_result_insights
from headway.insights.selectors_attention import (
    flag_counts,
    flags_list,
    key_result_ids_of_teams,
    team_ids_below,
)
from headway.insights.services import flags_refresh
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug, teams_of_user
from headway.web.decorators import member_view
from headway.web.forms import CheckInForm, call_service

PER_PAGE = 25
TEMPLATE = "attention/list.html"


@dataclass
class Row:
    """One open flag on the page, with what the member may do about it."""

    flag: Flag
    insight: KeyResultInsight | None
    can_check_in: bool
    can_edit: bool  # the objective: its initiatives and the key result's target
    form: CheckInForm | None = None
    checked_in: bool = False  # the row comes back from an inline check-in

    @property
    def key_result(self) -> KeyResult:
        return self.flag.key_result


def member_of(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _open_for_checkins(key_result: KeyResult) -> bool:
    objective = key_result.objective
    return (
        key_result.status == KeyResultStatus.ACTIVE
        and objective.status == ObjectiveStatus.ACTIVE
        and objective.cycle.status != CycleStatus.CLOSED
    )


def _fresh_form(flag: Flag) -> CheckInForm:
    key_result = flag.key_result
    return CheckInForm(
        auto_id=f"flag-{flag.pk}-%s",
        initial={
            "key_result": key_result.pk,
            "confidence": key_result.confidence,
            "idempotency_key": secrets.token_urlsafe(18),
        },
    )


def _editable_team_ids(member: Membership) -> set[int]:
    if not member.can_write or member.is_admin:
        return set()
    return set(teams_of_user(member).values_list("pk", flat=True))


def _can_edit(member: Membership, key_result: KeyResult, team_ids: set[int]) -> bool:
    """can_edit_objective's rule for a whole page, with the member's teams read once."""
    objective = key_result.objective
    if not member.can_write:
        return False
    return (
        member.is_admin
        or objective.owner_user_id == member.user_id
        or (objective.owner_team_id is not None and objective.owner_team_id in team_ids)
    )


def rows_for(member: Membership, flags: list[Flag]) -> list[Row]:
    """Rows for some flags: one insights call and two permission queries in all."""
    if not flags:
        return []
    key_results = [flag.key_result for flag in flags]
    ids = {key_result.pk for key_result in key_results}
    insights = key_result_insights(member.organisation, KeyResult.objects.filter(pk__in=ids))
    writable = key_result_ids_writable(member, key_results)
    team_ids = _editable_team_ids(member)
    rows = []
    for flag in flags:
        key_result = flag.key_result
        can_check_in = key_result.pk in writable and _open_for_checkins(key_result)
        rows.append(
            Row(
                flag,
                insights.get(key_result.pk),
                can_check_in,
                _can_edit(member, key_result, team_ids),
                _fresh_form(flag) if can_check_in and flag.is_open else None,
            )
        )
    return rows


def _kind(wanted: str | None) -> str | None:
    return wanted if wanted in KINDS else None


def attention_context(request: HttpRequest, team: Team | None) -> dict[str, Any]:
    """One page of open flags, filtered by `?kind=`, with the counts of every kind."""
    member = member_of(request)
    team_ids = team_ids_below(team) if team is not None else None
    flags = flags_list(member, team_ids=team_ids)
    counts = flag_counts(flags)
    kind = _kind(request.GET.get("kind"))
    shown = flags.filter(kind=kind) if kind else flags
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(FlagKind.choices)
    return {
        "team": team,
        "kind": kind,
        "kinds": [(code, labels[code], counts[code]) for code in KINDS],
        "total": sum(counts.values()),
        "page": page,
        "page_params": f"kind={kind}" if kind else "",
        "rows": rows_for(member, list(page.object_list)),
        "can_refresh": member.is_admin if team is None else member.can_write,
        "back": request.get_full_path(),
    }


@member_view()
@require_GET
def attention_organisation(request: HttpRequest) -> HttpResponse:
    """Every open flag the member can see in the organisation."""
    return render_page(request, TEMPLATE, attention_context(request, None), partial="attention")


@member_view()
@require_GET
def attention_team(request: HttpRequest, slug: str) -> HttpResponse:
    """The open flags of a team's objectives and of its sub-teams'."""
    team = team_get_by_slug(member_of(request), slug)
    return render_page(request, TEMPLATE, attention_context(request, team), partial="attention")


# --- refresh now -------------------------------------------------------------------------


@member_view(admin=True)
@require_POST
def attention_refresh(request: HttpRequest) -> HttpResponse:
    """Analyse the whole organisation now (admins), rather than wait for the worker."""
    member = member_of(request)
    result = flags_refresh(member.organisation)
    messages.success(request, f"Flags refreshed: {result}")
    return redirect("attention", org=member.organisation.slug)


@member_view()
@require_POST
def attention_team_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    """Analyse the key results of a team and its sub-teams now (members)."""
    member = member_of(request)
    team = team_get_by_slug(member, slug)
    if not member.can_write:
        raise PermissionDenied("Viewers read the flags; ask a member of the team to refresh them.")
    ids = key_result_ids_of_teams(member.organisation_id, team_ids_below(team))
    result = flags_refresh(member.organisation, key_result_ids=ids)
    messages.success(request, f"Flags of {team.name} refreshed: {result}")
    return redirect("team-attention", org=member.organisation.slug, slug=team.slug)


# --- check in from a row ------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("attention", args=[member_of(request).organisation.slug])


@member_view()
@require_POST
def attention_checkin(request: HttpRequest, flag_id: int) -> HttpResponse:
    """Check in on a flagged key result from its row.

    With HTMX the answer is the row as the analysis sees it after the check-in
    (resolved, or still open with its new reason), and the key result's other rows
    swapped out of band; without JavaScript, a redirect back to the list, or the
    form with its errors on a page of its own.
    """
    member = member_of(request)
    flag = flag_get(member, flag_id)
    key_result = key_result_get_for_member(member, flag.key_result_id, write=True)
    siblings = list(
        Flag.objects.filter(key_result_id=key_result.pk, resolved_at=None)
        .exclude(pk=flag.pk)
        .values_list("pk", flat=True)
    )
    form = CheckInForm(request.POST, auto_id=f"flag-{flag.pk}-%s")
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = call_service(
            form,
            lambda: services.checkin_create(
                member=member,
                key_result_id=key_result.pk,
                value=data["value"],
                confidence=data["confidence"],
                note=data["note"],
                idempotency_key=data["idempotency_key"] or None,
            ),
        )
    htmx = bool(getattr(request, "htmx", False))
    if result is not None and not htmx:
        messages.success(request, f"Checked in {key_result}.")
        return redirect(_back(request))
    return _checked_in(request, member, flag.pk, siblings, form, saved=result is not None)


def _checked_in(
    request: HttpRequest,
    member: Membership,
    flag_id: int,
    siblings: list[int],
    form: CheckInForm,
    saved: bool,
) -> HttpResponse:
    """The row after an inline check-in (saved, or its form with the errors)."""
    wanted = [flag_id, *siblings] if saved else [flag_id]
    flags = list(flags_list(member, state="all").filter(pk__in=wanted))
    rows = {row.flag.pk: row for row in rows_for(member, flags)}
    row = rows.pop(flag_id)
    if not saved:
        row.form = form
    for each in (row, *rows.values()):
        each.checked_in = saved
    context = {"row": row, "others": list(rows.values()), "back": _back(request)}
    if getattr(request, "htmx", False):
        # 200 even with errors, so that htmx swaps the row with its messages in place.
        return render(request, "attention/checked_in.html", context)
    return render(request, "attention/checkin.html", context, status=422)
