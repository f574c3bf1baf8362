"""What each notification says: a template name and its context, built from selectors'
rows. The same content renders as an e-mail (notify/email/<name>_subject.txt, .txt,
.html) or a chat message (notify/chat/<name>.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from headway.accounts.models import Membership, Organisation
from headway.goals.models import KeyResult
from headway.insights.models import Flag
from headway.lib.charts import format_value

from .links import absolute, absolute_url
from .selectors import Digest


@dataclass(frozen=True)
class Content:
    """One message before it is rendered for its channel."""

    template: str
    subject: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyResultLine:
    title: str
    objective: str
    team: str
    now: str
    target: str
    last_checkin: dt.datetime | None
    url: str


def _line(organisation: Organisation, kr: KeyResult) -> KeyResultLine:
    def shown(value: float | None) -> str:
        return format_value(value, kind=kr.kind, fmt=kr.format, unit=kr.unit)

    objective = kr.objective
    return KeyResultLine(
        title=kr.title,
        objective=objective.title,
        team=str(objective.owner_team or ""),
        now=shown(kr.current_value if kr.current_value is not None else kr.start_value),
        target=shown(kr.target_value),
        last_checkin=kr.last_checkin_at,
        url=absolute_url("objective-detail", organisation.slug, objective.pk) + f"#kr-{kr.pk}",
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def reminder_content(member: Membership, key_results: list[KeyResult], day: dt.date) -> Content:
    """A person's check-in reminder: their due key results and the check-in screen."""
    organisation = member.organisation
    subject = f"Check-in day: {_plural(len(key_results), 'key result')} to update"
    return Content(
        "reminder",
        subject,
        {
            "day": day,
            "key_results": [_line(organisation, kr) for kr in key_results],
            "checkin_url": absolute_url("checkin", organisation.slug),
        },
    )


def digest_content(organisation: Organisation, digest: Digest, audience: str) -> Content:
    """The weekly digest of `audience`'s teams (a lead's, or a chat channel's team)."""
    slug = organisation.slug
    teams = [
        {
            "week": week,
            "progress": "—" if week.progress is None else f"{round(week.progress * 100)}%",
            "moved": "—" if week.moved is None else f"{week.moved:+.0f} points",
            "url": absolute_url("team-detail", slug, week.team.slug),
        }
        for week in digest.teams
    ]
    flags = [
        {
            "flag": flag,
            "line": _line(organisation, flag.key_result),
            "pivot_url": absolute_url("pivot-new", slug, flag.key_result_id),
        }
        for flag in digest.flags
    ]
    return Content(
        "digest",
        f"Weekly digest for {audience}, {digest.week}",
        {
            "digest": digest,
            "since_day": digest.since.date(),  # the Monday on the organisation's clock
            "audience": audience,
            "teams": teams,
            "flags": flags,
            "pivots": digest.pivots,
            "learning_url": absolute_url("learning-log", slug),
            "attention_url": absolute_url("attention", slug),
        },
    )


def flags_content(organisation: Organisation, flags: list[Flag], team: str = "") -> Content:
    """New or worsened flags for one person (or one team's chat channel), each with
    why and the next steps."""
    if len(flags) == 1:
        flag = flags[0]
        subject = f"{flag.get_kind_display()}: {flag.key_result.title}"
    elif team:
        subject = f"{len(flags)} new flags in {team}"
    else:
        subject = f"{len(flags)} flags on key results you follow"
    slug = organisation.slug
    items = [
        {
            "flag": flag,
            "line": _line(organisation, flag.key_result),
            "pivot_url": absolute_url("pivot-new", slug, flag.key_result_id),
            "attention_url": absolute(reverse("attention", args=[slug])) + f"#flag-{flag.pk}",
        }
        for flag in flags
    ]
    return Content(
        "flags",
        subject[:200],
        {"flags": items, "attention_url": absolute_url("attention", slug)},
    )


def test_content(organisation: Organisation, channel_name: str) -> Content:
    """The "send test message" of a chat channel."""
    return Content(
        "test",
        "Headway test message",
        {"channel": channel_name, "attention_url": absolute_url("attention", organisation.slug)},
    )
