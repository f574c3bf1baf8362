"""Writes of discovery records: the record itself, its "dig deeper" follow-ups and
its leaders.

Owners and admins edit every record; a team's leads also edit their team's record;
viewers and other members read. Each service validates everything first (a
ValidationError with a dict of field errors) and then writes in one transaction, with
an activity event, so bad input never writes part of anything. The record's own
fields carry a `version`: a save from a form opened before someone else's save gets
a Conflict (409), as objective edits do. Follow-ups and leaders are appended and
removed one at a time and do not need the version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from headway.accounts.models import Membership, User
from headway.goals.services.activity import activity_record
from headway.lib.errors import Conflict
from headway.teams.models import Team

from .models import DiscoveryLeader, DiscoveryRecord, LeaderProblem, Seniority
from .selectors import (
    can_edit_discovery,
    discovery_leader_get,
    discovery_record_get,
    next_question,
)

MAX_TEXT = 4000
MAX_NAME = 150
MAX_ROLE = 120
MAX_HOURS = 744  # the hours of a 31-day month
MAX_PILOT_TEAMS = 20
MAX_LEADERS = 50
TEXT_FIELDS = ("why_stated", "real_reason", "time_expectation", "risks", "notes")
RECORD_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        "champion_id",
        "champion_name",
        "champion_seniority",
        "champion_hours_per_month",
        "pilot_team_ids",
        "time_expectation_agreed",
    }
)
LEADER_FIELDS = frozenset({"name", "role", "problem", "problem_detail", "user_id"})


def _require_edit(member: Membership, team: Team | None) -> None:
    if not can_edit_discovery(member, team):
        who = "owners, admins and the team's leads" if team else "owners and admins"
        raise PermissionDenied(f"Only {who} can change this discovery record.")


# --- the record --------------------------------------------------------------------------


def discovery_record_save(
    *, member: Membership, team_id: int | None = None, version: int | None = None, **fields: Any
) -> DiscoveryRecord:
    """Create or change the discovery record of the organisation (`team_id` None) or
    of one team. Only the fields given change; `pilot_team_ids` replaces the pilot
    teams. A `version` other than the record's current one (0 before the first save)
    is refused with a Conflict."""
    team = _team(member, team_id)
    _require_edit(member, team)
    errors: dict[str, str] = {}
    unknown = set(fields) - RECORD_FIELDS
    for name in sorted(unknown):
        errors[name] = "Headway does not know this field of a discovery record."
    values = _record_values(errors, member, {k: v for k, v in fields.items() if k not in unknown})
    pilots = values.pop("pilot_team_ids", None)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record = _locked_record(member, team, version)
            _time_check(record, values)
            for name, value in values.items():
                setattr(record, name, value)
            record.version += 1
            record.updated_by = member.user
            record.save()
            if pilots is not None:
                record.pilot_teams.set(pilots)
            activity_record(actor=member.user, verb="updated the discovery record", target=record)
    except IntegrityError:  # another first save of the same record won the race
        raise Conflict(
            "Someone saved this discovery record a moment ago; reload and save again.",
            field="version",
        ) from None
    return record


def _team(member: Membership, team_id: object) -> Team | None:
    if team_id in (None, ""):
        return None
    team: Team | None = Team.objects.filter(
        organisation_id=member.organisation_id, pk=_as_id(team_id)
    ).first()
    if team is None:
        raise Http404("No such team.")
    return team


def _locked_record(member: Membership, team: Team | None, version: int | None) -> DiscoveryRecord:
    record = (
        DiscoveryRecord.objects.select_for_update()
        .filter(organisation_id=member.organisation_id, team=team)
        .first()
    )
    current = record.version if record is not None else 0
    if version is not None and version != current:
        raise Conflict(
            f"Someone changed this discovery record since you opened it (version {version}, "
            f"now {current}); reload, reapply your change and save again.",
            field="version",
            current={"version": current},
        )
    return record or DiscoveryRecord(organisation_id=member.organisation_id, team=team, version=0)


def _time_check(record: DiscoveryRecord, values: dict[str, Any]) -> None:
    agreed = values.get("time_expectation_agreed", record.time_expectation_agreed)
    text = values.get("time_expectation", record.time_expectation)
    if agreed and not text:
        raise ValidationError(
            {"time_expectation": "Write down the time that was agreed before marking it agreed."}
        )


def _record_values(
    errors: dict[str, str], member: Membership, given: dict[str, Any]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in given:
            values[name] = _text(errors, name, given[name], MAX_TEXT)
    if "champion_name" in given:
        values["champion_name"] = _text(errors, "champion_name", given["champion_name"], MAX_NAME)
    if "champion_id" in given:
        values["champion_id"] = _member_user(
            errors, member, "champion_id", given["champion_id"], "champion"
        )
    if "champion_seniority" in given:
        seniority = str(given["champion_seniority"] or "")
        if seniority and seniority not in Seniority.values:
            errors["champion_seniority"] = (
                f"Choose one of: {', '.join(Seniority.values)}, or leave it empty."
            )
        values["champion_seniority"] = seniority
    if "champion_hours_per_month" in given:
        values["champion_hours_per_month"] = _hours(errors, given["champion_hours_per_month"])
    if "time_expectation_agreed" in given:
        values["time_expectation_agreed"] = bool(given["time_expectation_agreed"])
    if "pilot_team_ids" in given:
        values["pilot_team_ids"] = _pilot_teams(errors, member, given["pilot_team_ids"])
    return values


def _text(errors: dict[str, str], name: str, value: object, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        errors[name] = f"Keep it under {limit} characters (it has {len(text)})."
    return text


def _as_id(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _member_user(
    errors: dict[str, str], member: Membership, name: str, value: object, what: str
) -> int | None:
    if value in (None, ""):
        return None
    user_id = _as_id(value)
    if (
        user_id is None
        or not Membership.objects.filter(
            organisation_id=member.organisation_id, user_id=user_id
        ).exists()
    ):
        errors[name] = (
            f"Choose a member of this organisation as the {what}, or write their name instead."
        )
    return user_id


def _hours(errors: dict[str, str], value: object) -> int | None:
    if value in (None, ""):
        return None
    hours = _as_id(value)
    if hours is None or not 0 <= hours <= MAX_HOURS:
        errors["champion_hours_per_month"] = (
            f"Give the hours a month as a whole number from 0 to {MAX_HOURS}."
        )
        return None
    return hours


def _pilot_teams(errors: dict[str, str], member: Membership, value: object) -> list[Team]:
    raw = list(value) if isinstance(value, Iterable) and not isinstance(value, str) else [value]
    wanted = {_as_id(v) for v in raw if v not in (None, "")}
    if len(wanted) > MAX_PILOT_TEAMS:
        errors["pilot_team_ids"] = f"Choose at most {MAX_PILOT_TEAMS} pilot teams (1-2 is best)."
        return []
    teams = list(
        Team.objects.filter(
            organisation_id=member.organisation_id,
            pk__in=[pk for pk in wanted if pk is not None],
        )
    )
    if len(teams) != len(wanted):
        errors["pilot_team_ids"] = "Choose pilot teams of this organisation."
    return teams


# --- dig deeper --------------------------------------------------------------------------


def discovery_followup_add(*, member: Membership, record_id: int, answer: str) -> DiscoveryRecord:
    """Answer the ladder's next question ("Why does that matter?", …); the answer is
    appended with its question. Refused before "why OKRs?" is stated, and once every
    question of the ladder is answered."""
    record = discovery_record_get(member, record_id).record
    _require_edit(member, record.team)
    errors: dict[str, str] = {}
    text = _text(errors, "answer", answer, MAX_TEXT)
    if not text and not errors:
        errors["answer"] = "Write the answer to the question."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = DiscoveryRecord.objects.select_for_update().get(pk=record.pk)
        question = next_question(record)
        if not record.why_stated.strip():
            raise ValidationError(
                {"answer": "First write down why OKRs, as it was stated; then dig deeper."}
            )
        if question is None:
            raise ValidationError(
                {"answer": "Every follow-up question is answered: write the real reason instead."}
            )
        record.why_followups = [*record.why_followups, {"question": question, "answer": text}]
        record.updated_by = member.user
        record.save(update_fields=["why_followups", "updated_by", "updated_at"])
        activity_record(actor=member.user, verb="dug deeper into why OKRs", target=record)
    return record


# --- leaders -----------------------------------------------------------------------------


def discovery_leader_add(*, member: Membership, record_id: int, **fields: Any) -> DiscoveryLeader:
    """Add a leader and the problem they need OKRs to solve (a user of the
    organisation, or only a name)."""
    record = discovery_record_get(member, record_id).record
    _require_edit(member, record.team)
    values = _leader_values(member, fields, required=True)
    with transaction.atomic():
        DiscoveryRecord.objects.select_for_update().filter(pk=record.pk).first()
        existing = list(record.leaders.values_list("order", flat=True))
        if len(existing) >= MAX_LEADERS:
            raise ValidationError({"name": f"A record lists at most {MAX_LEADERS} leaders."})
        leader = DiscoveryLeader.objects.create(
            record=record, order=max(existing, default=0) + 1, **values
        )
        activity_record(actor=member.user, verb="added a leader to discovery", target=record)
    return leader


def discovery_leader_update(
    *, member: Membership, leader_id: int, **fields: Any
) -> DiscoveryLeader:
    """Change a leader's name, role, user or problem; only the fields given change."""
    leader = discovery_leader_get(member, leader_id)
    _require_edit(member, leader.record.team)
    values = _leader_values(member, fields, required=False)
    with transaction.atomic():
        for name, value in values.items():
            setattr(leader, name, value)
        if not leader.name:
            raise ValidationError({"name": "Give the leader's name."})
        leader.save()
        activity_record(
            actor=member.user, verb="changed a leader in discovery", target=leader.record
        )
    return leader


def discovery_leader_remove(*, member: Membership, leader_id: int) -> None:
    leader = discovery_leader_get(member, leader_id)
    _require_edit(member, leader.record.team)
    with transaction.atomic():
        leader.delete()
        activity_record(
            actor=member.user, verb="removed a leader from discovery", target=leader.record
        )


def _leader_values(member: Membership, given: dict[str, Any], required: bool) -> dict[str, Any]:
    errors: dict[str, str] = {
        name: "Headway does not know this field of a leader." for name in set(given) - LEADER_FIELDS
    }
    values: dict[str, Any] = {}
    if "user_id" in given:
        values["user_id"] = _member_user(errors, member, "user_id", given["user_id"], "leader")
    if "name" in given or required:
        values["name"] = _text(errors, "name", given.get("name"), MAX_NAME)
    if "role" in given:
        values["role"] = _text(errors, "role", given["role"], MAX_ROLE)
    if "problem_detail" in given:
        values["problem_detail"] = _text(
            errors, "problem_detail", given["problem_detail"], MAX_TEXT
        )
    if "problem" in given or required:
        problem = str(given.get("problem") or "")
        if problem not in LeaderProblem.values:
            errors["problem"] = (
                f"Choose the problem they need solved: {', '.join(LeaderProblem.values)}."
            )
        values["problem"] = problem
    _name_from_user(errors, values, required)
    if errors:
        raise ValidationError(errors)
    return values


def _name_from_user(errors: dict[str, str], values: dict[str, Any], required: bool) -> None:
    """A leader who uses Headway is named after their account unless a name is given."""
    if values.get("name") or "user_id" in errors:
        return
    if values.get("user_id"):
        user = User.objects.filter(pk=values["user_id"]).first()
        values["name"] = user.display_name if user else ""
    if required and not values.get("name"):
        errors["name"] = "Give the leader's name, or choose them among the members."
