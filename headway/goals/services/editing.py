"""What the objective and key result services share: field checks, the lookups of the
organisation that validation needs, and the version check of an edit."""

from __future__ import annotations

import math
from typing import Any

from headway.accounts.models import Membership
from headway.lib.errors import Conflict
from headway.teams.models import Team, TeamMembership

from ..models import Cycle, KeyResult, Objective


def choice_check(errors: dict[str, str], field: str, value: Any, choices: Any) -> None:
    if value not in choices.values:
        errors[field] = f"Choose one of {', '.join(choices.values)}."


# Beyond this a value is a typo, and the maths and charts that subtract and scale
# values overflow to infinity: a check-in of 1e308 made the objective's page a 500.
MAX_MAGNITUDE = 1e15
TOO_LARGE = "Enter a number between -1,000,000,000,000,000 and 1,000,000,000,000,000."


def number_check(errors: dict[str, str], field: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[field] = f"{value!r} is not a number."
        return None
    if not math.isfinite(number):
        errors[field] = "Enter a finite number."
        return None
    if abs(number) > MAX_MAGNITUDE:
        errors[field] = TOO_LARGE
        return None
    return number


def as_id(value: Any) -> int | None:
    """A primary key from form or JSON input; None when it is not one."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class Directory:
    """The lookups validation needs (cycles, teams, people of the organisation).

    By default each answer is one small query; `preload()` reads them all once, so a
    bulk create of a thousand objectives validates without a thousand lookups.
    """

    def __init__(self, member: Membership) -> None:
        self.member = member
        self._cycles: dict[int, Cycle] | None = None
        self._teams: set[int] | None = None
        self._people: set[int] | None = None
        self._my_teams: set[int] | None = None
        self._cycle_cache: dict[int, Cycle | None] = {}

    def preload(self) -> Directory:
        org = self.member.organisation_id
        self._cycles = {c.pk: c for c in Cycle.objects.filter(organisation_id=org)}
        self._teams = set(Team.objects.filter(organisation_id=org).values_list("pk", flat=True))
        self._people = set(
            Membership.objects.filter(organisation_id=org).values_list("user_id", flat=True)
        )
        self._my_teams = set(
            TeamMembership.objects.filter(
                organisation_id=org, user_id=self.member.user_id
            ).values_list("team_id", flat=True)
        )
        return self

    def cycle(self, pk: int) -> Cycle | None:
        if self._cycles is not None:
            return self._cycles.get(pk)
        if pk not in self._cycle_cache:
            self._cycle_cache[pk] = Cycle.objects.filter(
                organisation_id=self.member.organisation_id, pk=pk
            ).first()
        return self._cycle_cache[pk]

    def has_team(self, pk: int) -> bool:
        if self._teams is not None:
            return pk in self._teams
        teams = Team.objects.filter(organisation_id=self.member.organisation_id, pk=pk)
        return bool(teams.exists())

    def is_member(self, user_id: int | None) -> bool:
        if user_id is None:
            return True
        if self._people is not None:
            return user_id in self._people
        return Membership.objects.filter(
            organisation_id=self.member.organisation_id, user_id=user_id
        ).exists()

    def in_team(self, team_id: int) -> bool:
        if self._my_teams is not None:
            return team_id in self._my_teams
        return TeamMembership.objects.filter(team_id=team_id, user_id=self.member.user_id).exists()


def version_check(
    instance: Objective | KeyResult, version: int | None, current: dict[str, Any]
) -> None:
    if version is not None and version != instance.version:
        raise Conflict(
            f"Someone changed this {instance._meta.verbose_name} since you opened it (version {version}, "
            f"now {instance.version}); reload, reapply your change and save again.",
            field="version",
            current=current,
        )
