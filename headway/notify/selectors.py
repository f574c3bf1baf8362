"""Reads for notifications: who is due a reminder and for what, what a week held for a
set of teams, which open flags someone has not heard about, preferences, chat channels.

The jobs read a whole organisation in a few queries and group in Python; a retry of
one notification asks the same functions for one person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from headway.accounts.models import Membership, Organisation, Role
from headway.goals.models import (
    CheckIn,
    CycleStatus,
    KeyResult,
    KeyResultStatus,
    ObjectiveStatus,
    Pivot,
    Visibility,
)
from headway.goals.scoring import KeyResultKind, MaintainDirection, Measure, key_result_progress
from headway.goals.selectors import CHECKIN_DUE_AFTER
from headway.insights.models import Flag
from headway.teams.models import Team, TeamMembership, TeamRole

from .models import Notification, NotificationKind, NotificationPreference, TeamChatChannel
from .slots import severity_band

# --- preferences -------------------------------------------------------------------


def preference_of(member: Membership) -> NotificationPreference:
    """The member's preferences; the defaults (e-mail, everything) when never saved."""
    try:
        return member.notification_preference
    except ObjectDoesNotExist:
        return NotificationPreference(membership=member)


PREFERENCE_FIELDS = ("channel", "reminders", "digest", "flags", "quiet_days", "away_until")


def preference_values(member: Membership) -> dict[str, Any]:
    """The member's preferences as plain values, for a form or an API answer."""
    preference = preference_of(member)
    values = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
    values["quiet_days"] = list(values["quiet_days"] or [])
    return values


def members_of_users(
    organisation: Organisation, user_ids: Iterable[int], *, writers: bool = False
) -> dict[int, Membership]:
    """Active people of the organisation by user id, with their preferences; viewers
    left out when `writers` (they cannot check in)."""
    members = Membership.objects.filter(
        organisation=organisation, user_id__in=set(user_ids), user__is_active=True
    ).select_related("user", "organisation", "notification_preference")
    if writers:
        members = members.exclude(role=Role.VIEWER)
    return {member.user_id: member for member in members}


def notifications_of(member: Membership, limit: int = 10) -> QuerySet[Notification]:
    """The member's latest notifications, newest first (their settings page)."""
    return Notification.objects.filter(membership=member).order_by("-created_at", "-pk")[:limit]


# --- reminders ---------------------------------------------------------------------


def team_answerers(organisation: Organisation, team_ids: Iterable[int]) -> dict[int, list[int]]:
    """Per team, the user ids who answer for its key results that name no owner: its
    leads, or everyone in it when it has none."""
    leads: dict[int, list[int]] = defaultdict(list)
    everyone: dict[int, list[int]] = defaultdict(list)
    rows = TeamMembership.objects.filter(
        organisation=organisation, team_id__in=set(team_ids)
    ).values_list("team_id", "user_id", "role")
    for team_id, user_id, role in rows:
        everyone[team_id].append(user_id)
        if role == TeamRole.LEAD:
            leads[team_id].append(user_id)
    return {team_id: leads.get(team_id) or users for team_id, users in everyone.items()}


def reminder_assignments(
    organisation: Organisation, now: dt.datetime, user_ids: Iterable[int] | None = None
) -> dict[int, list[KeyResult]]:
    """Per user id, the key results waiting for their check-in: active key results of
    active objectives in active cycles, not checked in for six days (the check-in
    screen's rule). Each goes to its owner; without one, to its objective's owner; for a
    team's objective, to the team's leads (everyone in the team when it has no lead)."""
    due = (
        KeyResult.objects.filter(
            organisation=organisation,
            status=KeyResultStatus.ACTIVE,
            objective__status=ObjectiveStatus.ACTIVE,
            objective__cycle__status=CycleStatus.ACTIVE,
        )
        .filter(Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=now - CHECKIN_DUE_AFTER))
        .select_related("objective", "objective__owner_team")
        .order_by("objective__order", "objective_id", "order", "pk")
    )
    key_results = list(due)
    unowned_teams = {
        kr.objective.owner_team_id
        for kr in key_results
        if kr.owner_id is None
        and kr.objective.owner_user_id is None
        and kr.objective.owner_team_id is not None
    }
    team_people = team_answerers(organisation, unowned_teams) if unowned_teams else {}
    wanted = None if user_ids is None else set(user_ids)
    assigned: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in key_results:
        owner = kr.owner_id or kr.objective.owner_user_id
        people = [owner] if owner else team_people.get(kr.objective.owner_team_id or 0, [])
        for user_id in people:
            if wanted is None or user_id in wanted:
                assigned[user_id].append(kr)
    return dict(assigned)


# --- the weekly digest ---------------------------------------------------------------


def team_tree_of(organisation: Organisation) -> dict[int, Team]:
    """Every team of the organisation by id (one query; names, slugs and parents)."""
    teams = Team.objects.filter(organisation=organisation).only(
        "pk", "name", "slug", "parent_id", "organisation_id"
    )
    return {team.pk: team for team in teams}


def subtree_ids(teams: dict[int, Team], roots: Iterable[int]) -> set[int]:
    """The roots and every team below them, walked in memory."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team in teams.values():
        children[team.parent_id].append(team.pk)
    found: set[int] = set()
    stack = [root for root in roots if root in teams]
    while stack:
        team_id = stack.pop()
        if team_id not in found:
            found.add(team_id)
            stack.extend(children.get(team_id, []))
    return found


def leads_of(organisation: Organisation) -> dict[int, set[int]]:
    """Per user id, the teams they lead."""
    led: dict[int, set[int]] = defaultdict(set)
    rows = TeamMembership.objects.filter(organisation=organisation, role=TeamRole.LEAD).values_list(
        "user_id", "team_id"
    )
    for user_id, team_id in rows:
        led[user_id].add(team_id)
    return dict(led)


def team_ids_of_user(organisation: Organisation, user_id: int) -> set[int]:
    return set(
        TeamMembership.objects.filter(organisation=organisation, user_id=user_id).values_list(
            "team_id", flat=True
        )
    )


@dataclass
class TeamWeek:
    """One team's week: where its key results stand, how far they moved since the
    week began (mean change in percentage points), the check-ins it brought, and the
    key results still waiting for one."""

    team: Team
    key_results: int = 0
    progress: float | None = None
    moved: float | None = None
    checkins: int = 0
    waiting: int = 0


@dataclass
class Digest:
    """What a set of teams did in one week, for a lead or a team's chat channel."""

    week: str
    since: dt.datetime
    teams: list[TeamWeek] = field(default_factory=list)
    more_teams: int = 0
    flags: list[Flag] = field(default_factory=list)
    pivots: list[Pivot] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.teams or self.flags or self.pivots)


DIGEST_TEAMS = 25
DIGEST_ITEMS = 20


def _progress(kr: KeyResult, value: float | None) -> float | None:
    measure = Measure(
        kind=KeyResultKind(kr.kind),
        start=kr.start_value,
        target=kr.target_value,
        current=value,
        direction=MaintainDirection(kr.direction),
    )
    return key_result_progress(measure).value


def _visible(private_team_ids: set[int] | None, path: str = "") -> Q:
    """Public objectives, and private ones of the teams the audience belongs to
    (`None`: an admin, who sees everything)."""
    if private_team_ids is None:
        return Q()
    return Q(**{f"{path}visibility": Visibility.PUBLIC}) | Q(
        **{f"{path}owner_team_id__in": private_team_ids}
    )


def _team_weeks(
    organisation: Organisation,
    teams: dict[int, Team],
    team_ids: set[int],
    since: dt.datetime,
    now: dt.datetime,
    private_team_ids: set[int] | None,
) -> list[TeamWeek]:
    before = (
        CheckIn.objects.filter(key_result=OuterRef("pk"), created_at__lt=since)
        .order_by("-created_at", "-pk")
        .values("value")[:1]
    )
    key_results = (
        KeyResult.objects.filter(
            organisation=organisation,
            status=KeyResultStatus.ACTIVE,
            objective__status=ObjectiveStatus.ACTIVE,
            objective__cycle__status=CycleStatus.ACTIVE,
            objective__owner_team_id__in=team_ids,
        )
        .filter(_visible(private_team_ids, "objective__"))
        .annotate(
            value_before=Subquery(before),
            week_checkins=Count("checkins", filter=Q(checkins__created_at__gte=since)),
        )
        .select_related("objective")
    )
    weeks: dict[int, TeamWeek] = {}
    moves: dict[int, list[float]] = defaultdict(list)
    levels: dict[int, list[float]] = defaultdict(list)
    for kr in key_results:
        team_id = cast(int, kr.objective.owner_team_id)  # filtered on it above
        week = weeks.setdefault(team_id, TeamWeek(teams[team_id]))
        week.key_results += 1
        week.checkins += kr.week_checkins
        if kr.last_checkin_at is None or kr.last_checkin_at < now - CHECKIN_DUE_AFTER:
            week.waiting += 1
        now_progress, then = kr.progress, _progress(kr, kr.value_before)
        if now_progress is not None:
            levels[team_id].append(now_progress)
            if then is not None:
                moves[team_id].append(now_progress - then)
    for team_id, week in weeks.items():
        if levels[team_id]:
            week.progress = sum(levels[team_id]) / len(levels[team_id])
        if moves[team_id]:
            week.moved = sum(moves[team_id]) / len(moves[team_id]) * 100
    return sorted(weeks.values(), key=lambda w: (w.team.name.lower(), w.team.pk))


def digest_build(
    organisation: Organisation,
    team_ids: set[int],
    *,
    week: str,
    since: dt.datetime,
    now: dt.datetime,
    private_team_ids: set[int] | None,
    teams: dict[int, Team] | None = None,
) -> Digest:
    """The digest of `team_ids` for the week that began at `since`: each team's week,
    flags opened since, and pivots (what was tried and learned) recorded since."""
    teams = teams if teams is not None else team_tree_of(organisation)
    digest = Digest(week=week, since=since)
    if not team_ids:
        return digest
    weeks = _team_weeks(organisation, teams, team_ids, since, now, private_team_ids)
    digest.teams, digest.more_teams = weeks[:DIGEST_TEAMS], max(0, len(weeks) - DIGEST_TEAMS)
    digest.flags = list(
        Flag.objects.filter(
            organisation=organisation,
            opened_at__gte=since,
            key_result__objective__owner_team_id__in=team_ids,
        )
        .filter(_visible(private_team_ids, "key_result__objective__"))
        .select_related("key_result", "key_result__objective__owner_team")
        .order_by("-severity", "opened_at", "pk")[:DIGEST_ITEMS]
    )
    digest.pivots = list(
        Pivot.objects.filter(organisation=organisation, created_at__gte=since, team_id__in=team_ids)
        .filter(_visible(private_team_ids, "objective__"))
        .select_related("key_result", "team", "author")
        .order_by("-created_at", "-pk")[:DIGEST_ITEMS]
    )
    return digest


# --- flags ----------------------------------------------------------------------------


def flags_open(organisation: Organisation, flag_ids: Iterable[int] | None = None) -> list[Flag]:
    """Open flags of the organisation (or these of them), with what a message names."""
    flags = Flag.objects.filter(organisation=organisation, resolved_at=None).select_related(
        "key_result", "key_result__objective", "key_result__objective__owner_team"
    )
    if flag_ids is not None:
        flags = flags.filter(pk__in=list(flag_ids))
    return list(flags.order_by("-severity", "opened_at", "pk"))


def flag_key(flag: Flag) -> str:
    """`flag:<id>:<kind>:<band>`: one notification per flag and severity band."""
    return f"flag:{flag.pk}:{flag.kind}:{severity_band(flag.severity)}"


def flag_id_of(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 4 and parts[0] == "flag" and parts[1].isdigit() else None


def flag_bands_notified(
    organisation: Organisation, flags: list[Flag]
) -> dict[tuple[str, int], dict[int, int]]:
    """Per recipient ("m", membership id) or ("c", chat channel id), the highest band
    already notified for each flag (claimed rows count, sent or not)."""
    notified: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
    if not flags:
        return notified
    ids = {flag.pk for flag in flags}
    rows = Notification.objects.filter(
        organisation=organisation,
        kind=NotificationKind.FLAG,
        created_at__gte=min(flag.opened_at for flag in flags),
    ).values_list("key", "membership_id", "chat_channel_id")
    for key, membership_id, channel_id in rows:
        flag_id = flag_id_of(key)
        if flag_id is None or flag_id not in ids:
            continue
        recipient = ("m", membership_id) if membership_id else ("c", channel_id)
        band = int(key.rsplit(":", 1)[1])
        seen = notified[recipient]
        seen[flag_id] = max(band, seen.get(flag_id, 0))
    return notified


# --- chat channels --------------------------------------------------------------------


def chat_channels_of_team(team: Team) -> QuerySet[TeamChatChannel]:
    return TeamChatChannel.objects.filter(organisation_id=team.organisation_id, team=team)


def chat_channels_for(
    organisation: Organisation, *, digest: bool = False, flags: bool = False
) -> list[TeamChatChannel]:
    """Enabled channels of the organisation that take digests or flags."""
    channels = TeamChatChannel.objects.filter(organisation=organisation, enabled=True)
    if digest:
        channels = channels.filter(digest=True)
    if flags:
        channels = channels.filter(flags=True)
    return list(channels.select_related("team").order_by("pk"))


def chat_channel_get(team: Team, channel_id: int) -> TeamChatChannel:
    """One channel of the team (the team already resolved for the member); 404 for
    any other, whichever organisation it belongs to."""
    channel = (
        chat_channels_of_team(team)
        .select_related("team", "organisation")
        .filter(pk=channel_id)
        .first()
    )
    if channel is None:
        raise Http404("No such chat channel in this team.")
    return channel
