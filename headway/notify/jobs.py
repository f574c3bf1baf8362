"""The notification jobs the worker runs every 15 minutes (reminders, digests) and
every hour (flags), and the retry of a failed send.

Each run walks the organisations, works out on each one's own clock whether its slot
has come, and claims then sends what is due. Running a job twice, or on two workers
at once, sends nothing twice: see `delivery.notification_claim`. `force` (the
`headway notify --send-now` command) ignores the day and time of the slot, not the
once-rules or people's preferences.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from headway.accounts.models import Membership, Organisation
from headway.insights.models import Flag
from headway.teams.models import Team

from . import messages, selectors
from .delivery import deliver, notification_claim
from .links import PREFERENCE_OF
from .messages import Content
from .models import Channel, Notification, NotificationKind, TeamChatChannel
from .slots import is_due, iso_week, local_now, severity_band, week_began, weekday_date


@dataclass
class RunSummary:
    """What one run of a job did."""

    sent: int = 0
    failed: int = 0
    organisations: int = 0

    def add(self, ok: bool) -> None:
        if ok:
            self.sent += 1
        else:
            self.failed += 1

    def __str__(self) -> str:
        places = "organisation" if self.organisations == 1 else "organisations"
        return f"{self.sent} sent, {self.failed} failed, in {self.organisations} {places}."


@dataclass
class _Run:
    """One organisation in one run of a job."""

    organisation: Organisation
    now: dt.datetime
    local: dt.datetime
    force: bool
    summary: RunSummary
    teams: dict[int, Team] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.local.date()


def _runs(
    now: dt.datetime | None, organisation_ids: Iterable[int] | None, force: bool
) -> tuple[RunSummary, list[_Run]]:
    now = now or timezone.now()
    summary = RunSummary()
    organisations: QuerySet[Organisation] = Organisation.objects.order_by("pk")
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=list(organisation_ids))
    runs = [_Run(org, now, local_now(now, org.timezone), force, summary) for org in organisations]
    return summary, runs


def _slot_open(run: _Run, weekday: int, at: dt.time) -> bool:
    """This week's day for the organisation has come, and on that day its time."""
    day = weekday_date(run.today, weekday)
    return run.force or run.today > day or (run.today == day and run.local.time() >= at)


def _wants(member: Membership, kind: str, today: dt.date) -> bool:
    """E-mail of this kind is on for the member, and they are not away today."""
    preference = selectors.preference_of(member)
    away = preference.away_until is not None and preference.away_until >= today
    on = getattr(preference, PREFERENCE_OF[kind])
    return preference.channel == Channel.EMAIL and bool(on) and not away


def _quiet_days(member: Membership) -> list[int]:
    return list(selectors.preference_of(member).quiet_days or [])


# --- reminders ---------------------------------------------------------------------


def reminders_run(
    now: dt.datetime | None = None,
    *,
    organisation_ids: Iterable[int] | None = None,
    force: bool = False,
) -> RunSummary:
    """Send each owner of due key results one reminder per check-in date, on the
    organisation's check-in day at its reminder time (or on the person's next day of
    that week that is not quiet)."""
    summary, runs = _runs(now, organisation_ids, force)
    for run in runs:
        org = run.organisation
        if _slot_open(run, org.checkin_weekday, org.reminder_time):
            summary.organisations += 1
            _reminders(run)
    return summary


def _reminders(run: _Run) -> None:
    org = run.organisation
    day = weekday_date(run.today, org.checkin_weekday)
    assignments = selectors.reminder_assignments(org, run.now)
    members = selectors.members_of_users(org, assignments, writers=True)
    for user_id, member in sorted(members.items()):
        if not _wants(member, NotificationKind.REMINDER, run.today):
            continue
        quiet = _quiet_days(member)
        if not run.force and not is_due(run.local, org.checkin_weekday, org.reminder_time, quiet):
            continue
        content = messages.reminder_content(member, assignments[user_id], day)
        key = f"reminder:{day.isoformat()}"
        note = notification_claim(
            org, NotificationKind.REMINDER, key, content.subject, member=member
        )
        if note is not None:
            run.summary.add(deliver([note], content))


# --- digests -----------------------------------------------------------------------


@dataclass(frozen=True)
class DigestWeek:
    label: str  # 2026-W48
    since: dt.datetime  # its Monday, midnight, on the organisation's clock

    @property
    def key(self) -> str:
        return f"digest:{self.label}"


def digest_week(organisation: Organisation, day: dt.date) -> DigestWeek:
    return DigestWeek(iso_week(day), week_began(day, organisation.timezone))


def digests_run(
    now: dt.datetime | None = None,
    *,
    organisation_ids: Iterable[int] | None = None,
    force: bool = False,
) -> RunSummary:
    """Send each team lead, and each team chat channel that takes digests, the week's
    digest once, on the organisation's digest day at its digest time."""
    summary, runs = _runs(now, organisation_ids, force)
    for run in runs:
        org = run.organisation
        if not _slot_open(run, org.digest_weekday, org.digest_time):
            continue
        summary.organisations += 1
        run.teams = selectors.team_tree_of(org)
        week = digest_week(org, run.today)
        sent = set(
            Notification.objects.filter(
                organisation=org, kind=NotificationKind.DIGEST, key=week.key
            ).values_list("membership_id", "chat_channel_id")
        )
        _digests_to_leads(run, week, {m for m, _ in sent if m})
        _digests_to_chat(run, week, {c for _, c in sent if c})
    return summary


def lead_digest(
    member: Membership,
    led: set[int],
    week: DigestWeek,
    now: dt.datetime,
    teams: dict[int, Team] | None = None,
) -> Content | None:
    """A lead's digest: the teams they lead and every team below them (private
    objectives only of teams they are in, unless they are an admin)."""
    org = member.organisation
    teams = teams or selectors.team_tree_of(org)
    private = None if member.is_admin else selectors.team_ids_of_user(org, member.user_id)
    digest = selectors.digest_build(
        org,
        selectors.subtree_ids(teams, led),
        week=week.label,
        since=week.since,
        now=now,
        private_team_ids=private,
        teams=teams,
    )
    if digest.is_empty:
        return None
    names = sorted(teams[team_id].name for team_id in led if team_id in teams)
    return messages.digest_content(org, digest, ", ".join(names))


def channel_digest(
    channel: TeamChatChannel,
    week: DigestWeek,
    now: dt.datetime,
    teams: dict[int, Team] | None = None,
) -> Content | None:
    """A team chat channel's digest: its team and the teams below it."""
    org = channel.organisation
    teams = teams or selectors.team_tree_of(org)
    digest = selectors.digest_build(
        org,
        selectors.subtree_ids(teams, [channel.team_id]),
        week=week.label,
        since=week.since,
        now=now,
        private_team_ids={channel.team_id},
        teams=teams,
    )
    return None if digest.is_empty else messages.digest_content(org, digest, channel.team.name)


def _digests_to_leads(run: _Run, week: DigestWeek, already: set[int]) -> None:
    org = run.organisation
    leads = selectors.leads_of(org)
    for user_id, member in sorted(selectors.members_of_users(org, leads).items()):
        if member.pk in already or not _wants(member, NotificationKind.DIGEST, run.today):
            continue
        quiet = _quiet_days(member)
        if not run.force and not is_due(run.local, org.digest_weekday, org.digest_time, quiet):
            continue
        content = lead_digest(member, leads[user_id], week, run.now, run.teams)
        if content is None:
            continue
        note = notification_claim(
            org, NotificationKind.DIGEST, week.key, content.subject, member=member
        )
        if note is not None:
            run.summary.add(deliver([note], content))


def _digests_to_chat(run: _Run, week: DigestWeek, already: set[int]) -> None:
    org = run.organisation
    if not run.force and not is_due(run.local, org.digest_weekday, org.digest_time):
        return
    for channel in selectors.chat_channels_for(org, digest=True):
        if channel.pk in already:
            continue
        content = channel_digest(channel, week, run.now, run.teams)
        if content is None:
            continue
        note = notification_claim(
            org, NotificationKind.DIGEST, week.key, content.subject, chat_channel=channel
        )
        if note is not None:
            run.summary.add(deliver([note], content))


# --- flags -------------------------------------------------------------------------


def flags_run(
    now: dt.datetime | None = None, *, organisation_ids: Iterable[int] | None = None
) -> RunSummary:
    """Tell each open flag's key result owner, its team's leads and its team's chat
    channels about it once, and again only when it climbs to a higher severity band.
    People on a quiet day or away hear about it when they are back."""
    summary, runs = _runs(now, organisation_ids, False)
    for run in runs:
        flags = selectors.flags_open(run.organisation)
        if not flags:
            continue
        summary.organisations += 1
        notified = selectors.flag_bands_notified(run.organisation, flags)
        _flags_to_people(run, flags, notified)
        _flags_to_chat(run, flags, notified)
    return summary


def _fresh(flags: list[Flag], seen: dict[int, int]) -> list[Flag]:
    """The flags in a severity band above any already notified to this recipient."""
    return [flag for flag in flags if seen.get(flag.pk, 0) < severity_band(flag.severity)]


def _flag_people(organisation: Organisation, flags: list[Flag]) -> dict[int, list[Flag]]:
    """Per user id, the flags they hear about: the key result's owner (or its
    objective's, when the key result names none) and the leads of the objective's
    team; with no owner, the team's leads, or everyone in it when it has no lead."""
    team_ids = {
        team_id
        for team_id in (flag.key_result.objective.owner_team_id for flag in flags)
        if team_id is not None
    }
    leads: dict[int, set[int]] = defaultdict(set)
    for user_id, led in selectors.leads_of(organisation).items():
        for team_id in led & team_ids:
            leads[team_id].add(user_id)
    answerers = selectors.team_answerers(organisation, team_ids)
    people: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        objective = flag.key_result.objective
        team = objective.owner_team_id or 0
        owner = flag.key_result.owner_id or objective.owner_user_id
        users = ({owner} | leads.get(team, set())) if owner else set(answerers.get(team, []))
        for user_id in users:
            people[user_id].append(flag)
    return people


Notified = dict[tuple[str, int], dict[int, int]]


def _flags_to_people(run: _Run, flags: list[Flag], notified: Notified) -> None:
    org = run.organisation
    people = _flag_people(org, flags)
    for user_id, member in sorted(selectors.members_of_users(org, people).items()):
        if not _wants(member, NotificationKind.FLAG, run.today):
            continue
        if run.local.weekday() in _quiet_days(member):
            continue  # still open tomorrow: told then
        fresh = _fresh(people[user_id], notified.get(("m", member.pk), {}))
        _send_flags(run, fresh, member=member)


def _flags_to_chat(run: _Run, flags: list[Flag], notified: Notified) -> None:
    by_team: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        team_id = flag.key_result.objective.owner_team_id
        if team_id is not None:
            by_team[team_id].append(flag)
    for channel in selectors.chat_channels_for(run.organisation, flags=True):
        fresh = _fresh(by_team.get(channel.team_id, []), notified.get(("c", channel.pk), {}))
        _send_flags(run, fresh, chat_channel=channel)


def _send_flags(
    run: _Run,
    flags: list[Flag],
    *,
    member: Membership | None = None,
    chat_channel: TeamChatChannel | None = None,
) -> None:
    """Claim each flag for the recipient, then send the claimed ones as one message."""
    notes, claimed = [], []
    for flag in flags:
        note = notification_claim(
            run.organisation,
            NotificationKind.FLAG,
            selectors.flag_key(flag),
            f"{flag.get_kind_display()}: {flag.key_result.title}",
            member=member,
            chat_channel=chat_channel,
        )
        if note is not None:
            notes.append(note)
            claimed.append(flag)
    if notes:
        team = chat_channel.team.name if chat_channel is not None else ""
        content = messages.flags_content(run.organisation, claimed, team)
        run.summary.add(deliver(notes, content))


# --- retries -------------------------------------------------------------------------


def notifications_retry(ids: list[int]) -> bool | None:
    """The next attempt at notifications whose send failed, with their content as of
    now; None when there is nothing to retry (sent meanwhile, deleted, or a kind not
    sent from this module)."""
    notes = list(
        Notification.objects.filter(pk__in=ids, sent_at=None)
        .exclude(kind=NotificationKind.WEBHOOK_DISABLED)
        .select_related("organisation", "membership__user", "membership__organisation")
        .select_related("chat_channel__team", "chat_channel__organisation")
        .order_by("pk")
    )
    if not notes or (notes[0].membership is None and notes[0].chat_channel is None):
        return None
    return deliver(notes, content_again(notes))


def content_again(notes: list[Notification]) -> Content | None:
    """What `notes` (one recipient, one kind) say now; None when nothing is left to
    say, the member has since turned this kind off, or the channel was switched off."""
    first, now = notes[0], timezone.now()
    org = first.organisation
    member, channel = first.membership, first.chat_channel
    if member is not None and not _wants(member, first.kind, local_now(now, org.timezone).date()):
        return None
    if channel is not None and not channel.enabled:
        return None
    value = first.key.split(":", 1)[1]
    if first.kind == NotificationKind.REMINDER and member is not None:
        due = selectors.reminder_assignments(org, now, [member.user_id]).get(member.user_id)
        return messages.reminder_content(member, due, dt.date.fromisoformat(value)) if due else None
    if first.kind == NotificationKind.DIGEST:
        year, number = value.split("-W")
        week = digest_week(org, dt.date.fromisocalendar(int(year), int(number), 1))
        if channel is not None:
            return channel_digest(channel, week, now)
        led = selectors.leads_of(org).get(member.user_id) if member is not None else None
        return lead_digest(member, led, week, now) if member is not None and led else None
    flag_ids = [selectors.flag_id_of(note.key) for note in notes]
    flags = selectors.flags_open(org, [i for i in flag_ids if i is not None])
    team = channel.team.name if channel is not None else ""
    return messages.flags_content(org, flags, team) if flags else None
