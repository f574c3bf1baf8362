"""Cycle close pages: the close review of a cycle (scores, overrides, retrospectives),
closing and reopening it, and carrying an objective over into a later cycle.

Every form is a plain POST that works without JavaScript (it redirects back to the
page, or shows the page again with the error beside the field, 422). With HTMX, saving
a score or a retrospective swaps only that objective's card, through render_page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import Cycle, CycleStatus, Objective, ObjectiveStatus
from headway.goals.selectors import (
    can_edit_objective,
    cycle_get,
    key_result_get_for_member,
    objective_get_for_member,
)
from headway.goals.selectors_closing import (
    KeyResultScore,
    ObjectiveScore,
    carry_over_targets,
    cycle_objectives,
    cycle_scores,
    objective_score_get,
)
from headway.lib.errors import Conflict
from headway.lib.htmx import render_page
from headway.web.decorators import member_view
from headway.web.forms import call_service

TEMPLATE = "closing/close.html"

# --- forms -----------------------------------------------------------------------------------


class ScoreForm(forms.Form):
    """An override of a computed score; the service checks range and reason."""

    score = forms.FloatField(
        required=False,
        label="Override",
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
        help_text="0.0 to 1.0; empty uses the computed score.",
    )
    reason = forms.CharField(
        required=False,
        label="Reason",
        widget=forms.TextInput(attrs={"maxlength": "1000"}),
        help_text="Why the computed score is not right.",
    )


class RetrospectiveForm(forms.Form):
    went_well = forms.CharField(
        required=False,
        label="What went well",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "2000"}),
    )
    learned = forms.CharField(
        required=False,
        label="What we learned",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "2000"}),
    )
    next = forms.CharField(
        required=False,
        label="What we do next",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "2000"}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        required=False,
        label="Why reopen it",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "1000"}),
        help_text="Kept in the cycle's activity.",
    )


class CarryOverForm(forms.Form):
    cycle_id = forms.TypedChoiceField(coerce=int, label="Continue it in")

    def __init__(self, *args: Any, cycles: list[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle_id"].choices = [  # type: ignore[attr-defined]
            (
                c.pk,
                f"{c.name} ({c.start_date:%d %b} – {c.end_date:%d %b %Y}, {c.get_status_display().lower()})",
            )
            for c in cycles
        ]


# --- the close review --------------------------------------------------------------------------


@dataclass
class Card:
    """One objective on the close page with its forms (unbound, or the one that failed)."""

    item: ObjectiveScore
    key_results: list[tuple[KeyResultScore, ScoreForm]]
    score_form: ScoreForm
    retro_form: RetrospectiveForm
    saved: str = ""
    failed: str = ""

    @property
    def errors(self) -> list[str]:
        """Errors of the form that failed that belong to no field (e.g. the lock)."""
        forms_ = {"score": self.score_form, "retro": self.retro_form}
        forms_.update({f"kr-{kr.key_result.pk}": form for kr, form in self.key_results})
        form = forms_.get(self.failed)
        return [str(error) for error in form.non_field_errors()] if form is not None else []


def _kr_form(kr: KeyResultScore, data: Any = None) -> ScoreForm:
    initial = {"score": kr.override, "reason": kr.reason}
    return ScoreForm(data, initial=initial, auto_id=f"kr-{kr.key_result.pk}-score-%s")


def card_of(
    item: ObjectiveScore, failed: dict[str, forms.Form] | None = None, saved: str = ""
) -> Card:
    """`failed` maps "kr-<id>", "score" or "retro" to the bound form that failed."""
    failed = failed or {}
    objective = item.objective
    return Card(
        item,
        [(kr, failed.get(f"kr-{kr.key_result.pk}") or _kr_form(kr)) for kr in item.key_results],  # type: ignore[misc]
        failed.get("score")  # type: ignore[arg-type]
        or ScoreForm(
            initial={"score": item.override, "reason": item.reason},
            auto_id=f"objective-{objective.pk}-score-%s",
        ),
        failed.get("retro")  # type: ignore[arg-type]
        or RetrospectiveForm(
            initial={
                "went_well": objective.retro_went_well,
                "learned": objective.retro_learned,
                "next": objective.retro_next,
            },
            auto_id=f"objective-{objective.pk}-retro-%s",
        ),
        saved,
        next(iter(failed), ""),
    )


def _page_context(member: Membership, cycle: Cycle, failed: Card | None = None) -> dict[str, Any]:
    scores = cycle_scores(member, cycle)
    groups = [
        (
            group,
            [
                failed
                if failed is not None and failed.item.objective.pk == item.objective.pk
                else card_of(item)
                for item in group.objectives
            ],
        )
        for group in scores.groups
    ]
    items = scores.objectives
    return {
        "cycle": cycle,
        "groups": groups,
        "count": len(items),
        "with_retro": sum(item.has_retrospective for item in items),
        "overridden": sum(
            (item.override is not None) + sum(kr.override is not None for kr in item.key_results)
            for item in items
        ),
        "active_count": sum(item.objective.status == ObjectiveStatus.ACTIVE for item in items),
        "reopen_form": ReopenForm(),
    }


@member_view()
def cycle_close_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The close review of a cycle: every visible objective with its scores and
    retrospective, editable by who may change it until an admin closes the cycle."""
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_get(member, cycle_id)
    return render_page(request, TEMPLATE, _page_context(member, cycle))


def close_url(member: Membership, cycle_id: int, anchor: str = "") -> str:
    url = reverse("cycle-close", args=[member.organisation.slug, cycle_id])
    return f"{url}#{anchor}" if anchor else url


def _answer(
    request: HttpRequest,
    objective: Objective,
    form: forms.Form,
    key: str,
    saved: object,
    message: str,
) -> HttpResponse:
    """After a score or retrospective POST: the objective's card for HTMX (200 even on an
    error, so htmx swaps it in), else a redirect, or the whole page again with the error."""
    member = request.member  # type: ignore[attr-defined]
    htmx = bool(getattr(request, "htmx", False))
    if saved is not None and not htmx:
        messages.success(request, message)
        return redirect(close_url(member, objective.cycle_id, f"objective-{objective.pk}"))
    item = objective_score_get(member, objective.pk)
    card = card_of(item, saved=key) if saved is not None else card_of(item, failed={key: form})
    if htmx:
        context = {"card": card, "cycle": item.objective.cycle}
        return render_page(request, TEMPLATE, context, partial="objective-card")
    context = _page_context(member, item.objective.cycle, failed=card)
    return render_page(request, TEMPLATE, context, status=422)


@member_view()
@require_POST
def key_result_score(request: HttpRequest, key_result_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    key_result = key_result_get_for_member(member, key_result_id)
    if not can_edit_objective(member, key_result.objective):
        raise PermissionDenied(
            "You can score key results only of your own objectives and those of your teams."
        )
    form = ScoreForm(request.POST, auto_id=f"kr-{key_result.pk}-score-%s")
    saved = None
    if form.is_valid():
        saved = call_service(
            form,
            lambda: services.key_result_score_set(
                member=member,
                key_result_id=key_result.pk,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
            ),
        )
    message = f"Score of “{key_result}” saved."
    return _answer(request, key_result.objective, form, f"kr-{key_result.pk}", saved, message)


@member_view()
@require_POST
def objective_score(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    objective = objective_get_for_member(member, objective_id, write=True)
    form = ScoreForm(request.POST, auto_id=f"objective-{objective.pk}-score-%s")
    saved = None
    if form.is_valid():
        saved = call_service(
            form,
            lambda: services.objective_score_set(
                member=member,
                objective_id=objective.pk,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
            ),
        )
    message = f"Score of “{objective}” saved."
    return _answer(request, objective, form, "score", saved, message)


@member_view()
@require_POST
def objective_retrospective(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    objective = objective_get_for_member(member, objective_id, write=True)
    form = RetrospectiveForm(request.POST, auto_id=f"objective-{objective.pk}-retro-%s")
    saved = None
    if form.is_valid():
        saved = call_service(
            form,
            lambda: services.objective_retrospective_save(
                member=member, objective_id=objective.pk, **form.cleaned_data
            ),
        )
    message = f"Retrospective of “{objective}” saved."
    return _answer(request, objective, form, "retro", saved, message)


# --- closing and reopening ----------------------------------------------------------------------


@member_view(admin=True)
def cycle_close_confirm(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """GET says what closing does and asks; POST closes the cycle."""
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_get(member, cycle_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            result = services.cycle_close(member=member, cycle_id=cycle.pk)
        except Conflict as conflict:
            error, status = conflict.message, 409
        else:
            closed = result.objectives_closed
            messages.success(
                request,
                f"{cycle} is closed: {closed} objective{'s' if closed != 1 else ''} closed, "
                "scores and retrospectives locked.",
            )
            return redirect(close_url(member, cycle.pk))
    objectives = cycle_objectives(member, cycle)
    context = {
        "cycle": cycle,
        "error": error,
        "active_count": objectives.filter(status=ObjectiveStatus.ACTIVE).count(),
        "without_retro": objectives.filter(
            retro_went_well="", retro_learned="", retro_next=""
        ).count(),
        "running_inside": list(cycle.children.filter(status=CycleStatus.ACTIVE)),
    }
    return render_page(request, "closing/close_confirm.html", context, status=status)


@member_view(admin=True)
@require_POST
def cycle_reopen(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Reopen a closed cycle, with the reason; the close page shows the error otherwise."""
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_get(member, cycle_id)
    form = ReopenForm(request.POST)
    reopened = None
    if form.is_valid():
        reopened = call_service(
            form,
            lambda: services.cycle_reopen(
                member=member, cycle_id=cycle.pk, reason=form.cleaned_data["reason"]
            ),
        )
    if reopened:
        messages.success(request, f"{cycle} is open again; its objectives can change.")
        return redirect(close_url(member, cycle.pk))
    context = {**_page_context(member, cycle), "reopen_form": form}
    return render_page(request, TEMPLATE, context, status=422)


# --- carry-over ------------------------------------------------------------------------------------


@member_view()
def objective_carry_over(request: HttpRequest, objective_id: int) -> HttpResponse:
    """Choose a later cycle and continue the objective there (see the service for what
    is copied); the new objective's page then says what was left behind."""
    member = request.member  # type: ignore[attr-defined]
    objective = objective_get_for_member(member, objective_id, write=True)
    targets = carry_over_targets(member, objective)
    form = CarryOverForm(request.POST or None, cycles=targets)
    status = 200
    if request.method == "POST":
        result = None
        if form.is_valid():
            result = call_service(
                form,
                lambda: services.objective_carry_over(
                    member=member,
                    objective_id=objective.pk,
                    to_cycle_id=form.cleaned_data["cycle_id"],
                ),
            )
        if result:
            target = result.objective
            messages.success(request, f"“{objective}” continues in {target.cycle}.")
            for note in result.notes:
                messages.warning(request, note)
            return redirect(
                "objective-detail", org=member.organisation.slug, objective_id=target.pk
            )
        status = 422
    context = {"objective": objective, "form": form, "targets": targets}
    return render_page(request, "closing/carry_over.html", context, status=status)
