"""Purpose surveys, the organisation's side: members see the surveys and their counts;
owners and admins create, change and close them, give them a new link and read the
answers' texts.

Counts per team appear only for teams with 5 answers or more (see
`discovery.selectors_survey`); the texts are always rendered escaped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from headway.accounts.models import Membership
from headway.discovery import services_survey as services
from headway.discovery.models import DEFAULT_QUESTION
from headway.discovery.selectors_survey import (
    organisation_today,
    survey_answers,
    survey_counts,
    survey_get_for_member,
    survey_status,
    surveys_list,
)
from headway.lib.errors import Conflict
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.web.decorators import member_view
from headway.web.forms import DateInput, call_service

ANSWERS_PER_PAGE = 25


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=160)
    question = forms.CharField(max_length=300, initial=DEFAULT_QUESTION)
    team_ids = forms.MultipleChoiceField(
        label="Teams respondents may choose from",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional. Leave all unticked to ask without teams.",
    )
    # ISO values: a date picker shows nothing for a date in the language's format.
    opens_on = forms.DateField(label="Opens on", widget=DateInput)
    closes_on = forms.DateField(label="Last day", widget=DateInput, help_text="Inclusive.")

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(organisation=member.organisation).order_by("name")
        choices = [(str(t.pk), t.name) for t in teams]
        self.fields["team_ids"].choices = choices  # type: ignore[attr-defined]


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined, no-any-return]


@member_view()
def surveys_page(request: HttpRequest) -> HttpResponse:
    """The organisation's purpose surveys with their status and answer counts."""
    member = _member(request)
    today = organisation_today(member.organisation)
    surveys = list(surveys_list(member))
    for survey in surveys:
        survey.status = survey_status(survey, today)  # type: ignore[attr-defined]
    return render_page(request, "survey/list.html", {"surveys": surveys})


@member_view(admin=True)
def survey_new(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    today = organisation_today(member.organisation)
    form = SurveyForm(
        request.POST or None,
        member=member,
        initial={"opens_on": today, "closes_on": today + dt.timedelta(days=13)},
    )
    if request.method == "POST" and form.is_valid():
        survey = call_service(
            form, lambda: services.survey_create(member=member, **form.cleaned_data)
        )
        if survey is not None:
            messages.success(request, f"Survey “{survey.title}” created; share its link.")
            return redirect("survey-detail", org=member.organisation.slug, survey_id=survey.pk)
    status = 422 if request.method == "POST" else 200
    return render_page(request, "survey/form.html", {"form": form, "survey": None}, status=status)


@member_view(admin=True)
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    member = _member(request)
    survey = survey_get_for_member(member, survey_id)
    initial = {
        "title": survey.title,
        "question": survey.question,
        "team_ids": [str(team.pk) for team in survey.teams.all()],
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
    }
    form = SurveyForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = call_service(
            form,
            lambda: services.survey_update(member=member, survey_id=survey.pk, **form.cleaned_data),
        )
        if changed is not None:
            messages.success(request, f"Survey “{changed.title}” saved.")
            return redirect("survey-detail", org=member.organisation.slug, survey_id=survey.pk)
    status = 422 if request.method == "POST" else 200
    return render_page(request, "survey/form.html", {"form": form, "survey": survey}, status=status)


@member_view()
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The link, the status, the counts; for admins the actions and the answers' texts."""
    member = _member(request)
    survey = survey_get_for_member(member, survey_id)
    today = organisation_today(member.organisation)
    context: dict[str, Any] = {
        "survey": survey,
        "status": survey_status(survey, today),
        "counts": survey_counts(survey),
        "link": request.build_absolute_uri(reverse("survey-answer", args=[survey.token])),
    }
    if member.is_admin:
        page = Paginator(survey_answers(member, survey), ANSWERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(page=page, answers=page.object_list)
    return render_page(request, "survey/detail.html", context, partial="survey-answers")


@require_POST
@member_view(admin=True)
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Close before the last day."""
    member = _member(request)
    try:
        survey = services.survey_close(member=member, survey_id=survey_id)
        messages.success(request, f"“{survey.title}” is closed; its link takes no more answers.")
    except Conflict as error:
        messages.info(request, error.message)
    return redirect("survey-detail", org=member.organisation.slug, survey_id=survey_id)


@require_POST
@member_view(admin=True)
def survey_link_regenerate(request: HttpRequest, survey_id: int) -> HttpResponse:
    """A new link; the old one is retired at once."""
    member = _member(request)
    services.survey_token_regenerate(member=member, survey_id=survey_id)
    messages.success(request, "The survey has a new link; the old one no longer works.")
    return redirect("survey-detail", org=member.organisation.slug, survey_id=survey_id)
