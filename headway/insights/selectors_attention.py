"""Reads for the "needs attention" lists and the flags API: flags as a member may see
them, open or resolved, for the organisation or one team with its sub-teams.

Open flags come from `selectors.flags_open`; resolved ones follow the same
visibility rule. Every function runs a fixed number of queries whatever the number
of flags: the lists page them, and the counts are one grouped query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.db.models import Count, QuerySet

from headway.accounts.models import Membership
from headway.goals.models import KeyResult
from headway.teams.models import Team
from headway.teams.selectors import team_subtree_ids

from .metrics.flags import KINDS
from .models import Flag
from .selectors import flags_open, flags_visible, key_results_in_play

State = Literal["open", "resolved", "all"]
STATES: tuple[State, ...] = ("open", "resolved", "all")


def team_ids_below(team: Team) -> list[int]:
    """The team and its sub-teams, at any depth (one query)."""
    return team_subtree_ids(team)


def flags_list(
    member: Membership,
    *,
    state: State = "open",
    team_ids: Iterable[int] | None = None,
    kind: str | None = None,
    key_result_id: int | None = None,
) -> QuerySet[Flag]:
    """Flags on key results the member can see, most urgent first (open ones), or
    most recently resolved first (resolved ones). `team_ids` keeps the flags of
    objectives owned by those teams."""
    if state == "open":
        flags = flags_open(member, team_ids=team_ids)
    else:
        flags = flags_visible(member, team_ids)
        if state == "resolved":
            flags = flags.filter(resolved_at__isnull=False).order_by("-resolved_at", "-pk")
        else:
            flags = flags.order_by("resolved_at", "-severity", "-opened_at", "pk")
    if kind:
        flags = flags.filter(kind=kind)
    if key_result_id is not None:
        flags = flags.filter(key_result_id=key_result_id)
    return flags.select_related("pivot")


def flag_counts(flags: QuerySet[Flag]) -> dict[str, int]:
    """How many of `flags` there are of each kind (every kind present, 0 if none),
    in one grouped query."""
    counts = dict.fromkeys(KINDS, 0)
    grouped = flags.order_by().values_list("kind").annotate(n=Count("pk"))
    for kind, number in grouped:
        counts[kind] = number
    return counts


# From this many teams on, check whether they are the whole organisation.
MANY_TEAMS = 200


def open_flag_count(member: Membership, team_ids: Iterable[int] | None = None) -> int:
    """How many open flags the member can see (of those teams), in one query (three
    for every team of a large organisation)."""
    teams = None if team_ids is None else list(team_ids)
    if teams is not None and len(teams) >= MANY_TEAMS and _every_team(member, teams):
        # The top team's page: thousands of team ids make the planner walk every key
        # result of them (85 ms at L). The organisation's open flags are one partial
        # index; take away those on personal objectives, found through their few
        # key results (25 ms in all).
        everyone = flags_open(member).order_by().count()
        personal = KeyResult.objects.filter(
            organisation_id=member.organisation_id, objective__owner_team__isnull=True
        )
        on_personal = flags_visible(member).filter(
            key_result_id__in=personal.values("pk"), resolved_at=None
        )
        return everyone - on_personal.order_by().count()
    return flags_open(member, team_ids=teams).order_by().count()


def _every_team(member: Membership, team_ids: list[int]) -> bool:
    return len(set(team_ids)) == Team.objects.filter(organisation_id=member.organisation_id).count()


def key_result_ids_of_teams(organisation_id: int, team_ids: Iterable[int]) -> list[int]:
    """Key results a team's refresh analyses: those in play of objectives owned by the
    teams, and those with an open flag (so that a flag on a key result no longer in
    play is resolved). Two queries."""
    teams = list(team_ids)
    in_play = key_results_in_play(organisation_id).filter(objective__owner_team_id__in=teams)
    flagged = Flag.objects.filter(
        organisation_id=organisation_id,
        resolved_at=None,
        key_result__objective__owner_team_id__in=teams,
    )
    ids = set(in_play.values_list("pk", flat=True))
    ids.update(flagged.values_list("key_result_id", flat=True))
    return sorted(ids)


__all__ = [
    "STATES",
    "flag_counts",
    "flags_list",
    "key_result_ids_of_teams",
    "open_flag_count",
    "team_ids_below",
]
