"""The public purpose-survey page at /s/<token>/: no login, no organisation chrome.

GET shows the question, the optional team choice and the form; POST hands the answer
to `discovery.services_survey.answer_submit`, which stores the text, the team and the
day only. A logged-in visitor is treated as anyone else: the user is never looked at.

Two soft guards, neither of which identifies anyone:

- after answering, a signed cookie scoped to this link's path says "answered" (no id,
  no time); a second visit from that browser is politely refused. Clearing cookies or
  another browser gets around it: it stops accidental double answers, not fraud.
- answers per client address are counted in Django's cache (a keyed hash of the
  address, ten minutes) and the sixth within ten minutes gets a 429 page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from headway.discovery.models import PurposeSurvey
from headway.discovery.selectors_survey import organisation_today, survey_by_token
from headway.discovery.services_survey import (
    MAX_ANSWER,
    SurveyNotOpen,
    answer_rate_count,
    answer_rate_wait,
    answer_submit,
    survey_check_open,
)
from headway.web.forms import call_service

COOKIE = "headway_survey"
COOKIE_SALT = "headway.survey.answered"
COOKIE_DAYS = 400  # longer than any survey stays open


class AnswerForm(forms.Form):
    team_id = forms.ChoiceField(label="Your team (optional)", required=False)
    text = forms.CharField(
        label="Your answer",
        required=False,  # the service says what is wrong, in the same words as the API
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_ANSWER}),
        help_text=f"Up to {MAX_ANSWER:,} characters, in any language.",
    )

    def __init__(self, *args: Any, survey: PurposeSurvey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = list(survey.teams.all())
        if teams:
            choices = [("", "I'd rather not say")] + [(str(t.pk), t.name) for t in teams]
            self.fields["team_id"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["team_id"]


def client_address(request: HttpRequest) -> str:
    """The address the rate limit counts by; never stored, only hashed into a cache key."""
    return str(request.META.get("REMOTE_ADDR", ""))


def _notice(
    request: HttpRequest, survey: PurposeSurvey | None, heading: str, message: str, status: int
) -> HttpResponse:
    context = {"survey": survey, "heading": heading, "message": message}
    return render(request, "survey/notice.html", context, status=status)


def _answered(request: HttpRequest) -> bool:
    value = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT)
    return value == "answered"


@never_cache
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Answer a purpose survey anonymously."""
    try:
        survey = survey_by_token(token)
    except Http404 as error:
        return _notice(request, None, "No survey here", str(error), 404)
    today = organisation_today(survey.organisation)
    posted = request.method == "POST"
    try:
        survey_check_open(survey, today)
    except SurveyNotOpen as error:
        title = "This survey is closed" if error.state == "closed" else "Not open yet"
        status = 410 if error.state == "closed" else (409 if posted else 200)
        return _notice(request, survey, title, error.message, status)
    if _answered(request):
        message = (
            "You have already answered from this browser. Thank you! Each person answers once."
        )
        return _notice(request, survey, "Already answered", message, 409 if posted else 200)
    form = AnswerForm(request.POST if posted else None, survey=survey)
    if posted and form.is_valid():
        wait = answer_rate_wait(client_address(request))
        if wait:
            minutes = (wait + 59) // 60
            message = (
                "Many answers came from your network in the last few minutes. "
                f"Please try again in about {minutes} minute{'s' if minutes != 1 else ''}."
            )
            response = _notice(request, survey, "Too many answers", message, 429)
            response["Retry-After"] = str(wait)
            return response
        data = form.cleaned_data
        answer = call_service(
            form,
            lambda: answer_submit(
                token=token, text=data["text"], team_id=data.get("team_id"), today=today
            ),
        )
        if answer is not None:
            answer_rate_count(client_address(request))
            response = render(request, "survey/thanks.html", {"survey": survey})
            response.set_signed_cookie(
                COOKIE,
                "answered",
                salt=COOKIE_SALT,
                max_age=COOKIE_DAYS * 24 * 3600,
                path=request.path,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    context = {"survey": survey, "form": form, "max_answer": MAX_ANSWER}
    return render(request, "survey/answer.html", context, status=422 if posted else 200)
