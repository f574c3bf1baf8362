"""The weekly check-in screen: every due key result of a person or a team on one page.

One row per key result, each its own <form>. With HTMX, Enter posts the row and the
row comes back in its saved state (with the objective's new progress swapped in out
of band); without JavaScript the form posts normally and the page redirects back.
Every rendered row carries a fresh idempotency key, so a double submit records one
check-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import KeyResult
from headway.goals.selectors import (
    key_result_get_for_member,
    key_result_ids_writable,
    key_results_due,
    key_results_due_for_me,
)
from headway.lib.charts import format_value
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug
from headway.web.decorators import member_view
from headway.web.forms import CheckInForm, call_service

TEMPLATE = "goals/checkin.html"


@dataclass
class Row:
    """One key result on the screen: its form, or its saved state after a check-in."""

    key_result: KeyResult
    form: CheckInForm
    writable: bool
    saved: bool = False
    replayed: bool = False
    autofocus: bool = False


def _fresh_form(key_result: KeyResult) -> CheckInForm:
    return CheckInForm(
        auto_id=f"kr-{key_result.pk}-%s",
        initial={
            "key_result": key_result.pk,
            "confidence": key_result.confidence,
            "idempotency_key": secrets.token_urlsafe(18),
        },
    )


def _screen(request: HttpRequest, team: Team | None, failed: Row | None = None) -> dict[str, Any]:
    member: Membership = request.member  # type: ignore[attr-defined]
    if team is None:
        due = list(key_results_due_for_me(member))
    else:
        due = list(key_results_due(member, team_id=team.pk))
    if failed is not None and failed.key_result.pk not in {kr.pk for kr in due}:
        due.insert(0, failed.key_result)
    writable = key_result_ids_writable(member, due)
    rows = [
        failed
        if failed is not None and kr.pk == failed.key_result.pk
        else Row(kr, _fresh_form(kr), kr.pk in writable)
        for kr in due
    ]
    first = next((row for row in rows if row.writable), None)
    if first is not None and failed is None:
        first.autofocus = True
    return {
        "team": team,
        "rows": rows,
        "scale": member.organisation.confidence_scale,
        "action": request.path,
        "writable_count": sum(row.writable for row in rows),
    }


def _posted_key_result(member: Membership, data: Any) -> KeyResult:
    try:
        key_result_id = int(data.get("key_result", ""))
    except ValueError:
        raise Http404("No such key result.") from None
    # 404 for a key result the member cannot see, 403 for one they may not check in on.
    return key_result_get_for_member(member, key_result_id, write=True)


def _check_in(request: HttpRequest, team: Team | None) -> HttpResponse:
    member: Membership = request.member  # type: ignore[attr-defined]
    key_result = _posted_key_result(member, request.POST)
    form = CheckInForm(request.POST, auto_id=f"kr-{key_result.pk}-%s")
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
    if result is not None:
        key_result.refresh_from_db()
        key_result.objective.refresh_from_db(fields=["progress"])
        if not htmx:
            value = format_value(
                key_result.current_value,
                kind=key_result.kind,
                fmt=key_result.format,
                unit=key_result.unit,
            )
            messages.success(request, f"Checked in {key_result}: {value}.")
            return redirect(request.path)
        row = Row(key_result, form, True, saved=True, replayed=not result.created)
        return render_page(request, TEMPLATE, {"row": row}, partial="checkin-row")
    row = Row(key_result, form, True)
    if htmx:
        # 200, so that htmx swaps the row with its errors in place.
        context = {
            "row": row,
            "scale": member.organisation.confidence_scale,
            "action": request.path,
        }
        return render_page(request, TEMPLATE, context, partial="checkin-row")
    return render_page(request, TEMPLATE, _screen(request, team, failed=row), status=422)


@member_view()
def checkin_mine(request: HttpRequest) -> HttpResponse:
    """My key results due this week."""
    if request.method == "POST":
        return _check_in(request, None)
    return render_page(request, TEMPLATE, _screen(request, None))


@member_view()
def checkin_team(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's key results due this week."""
    team = team_get_by_slug(request.member, slug)  # type: ignore[attr-defined]
    if request.method == "POST":
        return _check_in(request, team)
    return render_page(request, TEMPLATE, _screen(request, team))
