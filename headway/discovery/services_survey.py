"""Purpose surveys: the admin side (create, change, close, new link) and the one public
write path, `answer_submit`.

An answer stores its text, the team the respondent chose and the day only. Nothing
about the person reaches the database: no user, address, browser, cookie or time of
day. The rate limit (`answer_rate_wait` / `answer_rate_count`) keeps a keyed hash of
the client's address in Django's cache for ten minutes and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.lib.errors import Conflict
from headway.lib.secrets import new_token
from headway.teams.models import Team

from .models import DEFAULT_QUESTION, PurposeAnswer, PurposeSurvey
from .selectors_survey import (
    organisation_today,
    survey_by_token,
    survey_get_for_member,
    survey_status,
)
from .services_analysis import survey_analysis_queue

MAX_ANSWER = 2000
MAX_DAYS_OPEN = 366
RATE_LIMIT = 5  # answers per address …
RATE_WINDOW = 10 * 60  # … in this many seconds
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class SurveyNotOpen(Exception):
    """The survey takes no answers today: `state` is `scheduled` or `closed`."""

    def __init__(self, message: str, state: str) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


# --- the admin side ------------------------------------------------------------------


def _check_texts(errors: dict[str, str], title: str, question: str) -> tuple[str, str]:
    title, question = (title or "").strip(), (question or "").strip()
    if not title:
        errors["title"] = "Give the survey a title, e.g. “Purpose survey, spring”."
    elif len(title) > 160:
        errors["title"] = "Keep the title to 160 characters."
    if not question:
        errors["question"] = "Ask a question."
    elif len(question) > 300:
        errors["question"] = "Keep the question to 300 characters."
    return title, question


def _check_dates(errors: dict[str, str], opens_on: object, closes_on: object) -> None:
    if not isinstance(opens_on, dt.date):
        errors["opens_on"] = "Give the day the survey opens."
    if not isinstance(closes_on, dt.date):
        errors["closes_on"] = "Give the last day the survey takes answers."
    if errors.keys() & {"opens_on", "closes_on"}:
        return
    assert isinstance(opens_on, dt.date) and isinstance(closes_on, dt.date)
    if closes_on < opens_on:
        errors["closes_on"] = "The last day cannot be before the day it opens."
    elif (closes_on - opens_on).days >= MAX_DAYS_OPEN:
        errors["closes_on"] = "A survey stays open for a year at most."


def _check_teams(
    errors: dict[str, str], member: Membership, team_ids: Iterable[object]
) -> list[Team]:
    try:
        wanted = {int(str(team_id)) for team_id in team_ids}
    except ValueError:
        errors["team_ids"] = "Choose teams from the list."
        return []
    teams = list(Team.objects.filter(organisation=member.organisation, pk__in=wanted))
    if len(teams) != len(wanted):
        errors["team_ids"] = "Choose teams of this organisation."
    return teams


def survey_create(
    *,
    member: Membership,
    title: str,
    question: str = DEFAULT_QUESTION,
    team_ids: Iterable[object] = (),
    opens_on: dt.date,
    closes_on: dt.date,
    today: dt.date | None = None,
) -> PurposeSurvey:
    """Create a survey with a fresh unguessable link (owners and admins).

    Refused (ValidationError) without a title or question, with dates the wrong way
    round, more than a year apart or already past, or with a team of another
    organisation.
    """
    require_admin(member, "create surveys")
    errors: dict[str, str] = {}
    title, question = _check_texts(errors, title, question)
    _check_dates(errors, opens_on, closes_on)
    today = today or organisation_today(member.organisation)
    if "closes_on" not in errors and isinstance(closes_on, dt.date) and closes_on < today:
        errors["closes_on"] = "The last day has passed already; choose a later one."
    teams = _check_teams(errors, member, team_ids)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = PurposeSurvey.objects.create(
            organisation=member.organisation,
            title=title,
            question=question,
            opens_on=opens_on,
            closes_on=closes_on,
            token=new_token("survey"),
            created_by=member.user,
        )
        survey.teams.set(teams)
    return survey


UPDATABLE = {"title", "question", "team_ids", "opens_on", "closes_on"}


def survey_update(*, member: Membership, survey_id: object, **changes: object) -> PurposeSurvey:
    """Change a survey's title, question, teams or dates (owners and admins).

    The question is fixed once someone answered: the answers were to that question.
    A survey closed early stays closed.
    """
    require_admin(member, "change surveys")
    survey = survey_get_for_member(member, survey_id)
    errors: dict[str, str] = {
        name: "This field cannot be changed." for name in set(changes) - UPDATABLE
    }
    title, question = _check_texts(
        errors,
        str(changes.get("title", survey.title)),
        str(changes.get("question", survey.question)),
    )
    if question != survey.question and survey.answers.exists():
        errors["question"] = "People have answered this question already; start a new survey."
    opens_on = changes.get("opens_on", survey.opens_on)
    closes_on = changes.get("closes_on", survey.closes_on)
    _check_dates(errors, opens_on, closes_on)
    teams = None
    if "team_ids" in changes:
        teams = _check_teams(errors, member, changes["team_ids"] or ())  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)
    survey.title, survey.question = title, question
    survey.opens_on, survey.closes_on = opens_on, closes_on  # type: ignore[assignment]
    with transaction.atomic():
        survey.save(update_fields=["title", "question", "opens_on", "closes_on"])
        if teams is not None:
            survey.teams.set(teams)
    return survey_get_for_member(member, survey.pk)


def survey_close(*, member: Membership, survey_id: object) -> PurposeSurvey:
    """Close a survey before its last day; the link then answers that it is closed, and
    the answers are analysed in the background."""
    require_admin(member, "close surveys")
    survey = survey_get_for_member(member, survey_id)
    if survey.closed_at is not None:
        raise Conflict("This survey is closed already.")
    survey.closed_at = timezone.now()
    with transaction.atomic():
        survey.save(update_fields=["closed_at"])
        survey_analysis_queue(survey)
    return survey


def survey_token_regenerate(*, member: Membership, survey_id: object) -> PurposeSurvey:
    """Give the survey a new link; the old one stops working at once."""
    require_admin(member, "change survey links")
    survey = survey_get_for_member(member, survey_id)
    survey.token = new_token("survey")
    survey.save(update_fields=["token"])
    return survey


# --- the public write path ------------------------------------------------------------


def clean_answer(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs) and bidirectional
    overrides, normalise line endings, trim the ends."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = (
        ch
        for ch in text
        if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )
    return "".join(kept).strip()


def survey_check_open(survey: PurposeSurvey, today: dt.date) -> None:
    """Raise SurveyNotOpen, with its dates, unless the survey takes answers today."""
    state = survey_status(survey, today)
    if state == "scheduled":
        raise SurveyNotOpen(
            f"This survey opens on {_day(survey.opens_on)} and takes answers until "
            f"{_day(survey.closes_on)}. Please come back then.",
            state,
        )
    if state == "closed":
        last = timezone.localdate(survey.closed_at) if survey.closed_at else survey.closes_on
        raise SurveyNotOpen(
            f"This survey closed on {_day(min(last, survey.closes_on))} and takes no more "
            "answers. Thank you for your interest.",
            state,
        )


def answer_submit(
    *, token: str, text: str, team_id: object = None, today: dt.date | None = None
) -> PurposeAnswer:
    """Store one anonymous answer: its text, the chosen team and the day; nothing else.

    Http404 for an unknown or retired link; SurveyNotOpen before the first or after the
    last day, or once closed early; ValidationError for an empty answer, one over
    `MAX_ANSWER` characters, or a team the survey does not offer.
    """
    survey = survey_by_token(token)
    today = today or organisation_today(survey.organisation)
    survey_check_open(survey, today)
    errors: dict[str, str] = {}
    text = clean_answer(text)
    if not text:
        errors["text"] = "Write your answer first."
    elif len(text) > MAX_ANSWER:
        errors["text"] = (
            f"Please keep your answer to {MAX_ANSWER:,} characters; this one has {len(text):,}."
        )
    team = None
    if team_id not in (None, ""):
        offered = {team.pk: team for team in survey.teams.all()}
        try:
            team = offered.get(int(str(team_id)))
        except ValueError:
            team = None
        if team is None:
            errors["team_id"] = "Choose one of the teams listed, or none."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return PurposeAnswer.objects.create(survey=survey, team=team, text=text, answered_on=today)


# --- the rate limit -------------------------------------------------------------------


def _rate_key(address: str) -> str:
    digest = salted_hmac("headway.survey.rate", address or "unknown").hexdigest()
    return f"survey-rate:{digest}"


def answer_rate_wait(address: str) -> int:
    """Seconds this address must wait before answering again; 0 when it may answer."""
    entry = cache.get(_rate_key(address))
    if not entry or entry[0] < RATE_LIMIT:
        return 0
    return max(1, int(entry[1] + RATE_WINDOW - time.time()))


def answer_rate_count(address: str) -> None:
    """Count one answer from this address in the current ten-minute window."""
    key = _rate_key(address)
    now = time.time()
    count, started = cache.get(key) or (0, now)
    if now - started >= RATE_WINDOW:
        count, started = 0, now
    cache.set(key, (count + 1, started), timeout=max(1, int(started + RATE_WINDOW - now)))
