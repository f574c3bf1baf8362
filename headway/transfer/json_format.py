"""The organisation JSON format, version 1: which model each list holds, which fields it
carries, how its rows refer to each other, and what is left out and why.

One declaration serves the export (`json_export`), the import (`json_import`), the
documentation (docs/import-export.md) and the test that fails when a model or a field
appears that the format neither carries nor explicitly leaves out.

References never use database ids. A row is referred to by its key: people by e-mail
address, teams by short name (slug), cycles by name (each unique in an organisation),
every other list by a `key` the file gives each row ("objective-12"), unique in its
list. A reference field has the model field's name ("owner_team": "platform").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from headway.accounts.models import Membership, Organisation, User
from headway.discovery.models import DiscoveryLeader, DiscoveryRecord, PurposeAnswer, PurposeSurvey
from headway.goals.models import (
    ActivityEvent,
    AlignmentLink,
    CheckIn,
    Cycle,
    Initiative,
    KeyResult,
    Objective,
    Pivot,
    TargetChange,
    Theme,
)
from headway.insights.models import Flag
from headway.notify.models import NotificationPreference
from headway.rollout.models import PhaseCriterion, PhaseTeam, RolloutPhase, RolloutPlan
from headway.teams.models import Team, TeamMembership

FORMAT = "headway-organisation"
VERSION = 1
PEOPLE = "people"
VERSION_LEFT_OUT = "an edit counter guarding against lost updates on this server; starts at 1"


@dataclass(frozen=True)
class Section:
    """A list of the document (or a list nested in each row of one).

    `key`: "" for rows nobody refers to; a model field for natural keys ("slug");
    otherwise the prefix of generated keys ("objective" → "objective-1"). `refs` map a
    foreign key to the list it points into; `many` a many-to-many field likewise.
    `children` are lists nested in each row, tied to it by the child's `parent` field.
    """

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)
    key: str = ""
    many: dict[str, str] = field(default_factory=dict)
    children: tuple[Section, ...] = ()
    parent: str = ""
    left_out: dict[str, str] = field(default_factory=dict)
    extra: tuple[str, ...] = ()  # JSON fields handled by hand (see json_export)

    @property
    def natural(self) -> bool:
        return self.key in {f.name for f in self.model._meta.get_fields()}

    @property
    def json_fields(self) -> tuple[str, ...]:
        keyed = ("key",) if self.key and not self.natural else ()
        return (
            keyed
            + self.fields
            + tuple(self.refs)
            + tuple(self.many)
            + self.extra
            + tuple(child.name for child in self.children)
        )


ORGANISATION_FIELDS = (
    "name",
    "slug",
    "strategy_statement",
    "timezone",
    "checkin_weekday",
    "reminder_time",
    "digest_weekday",
    "digest_time",
    "confidence_scale",
    "count_child_progress",
    "at_risk_gap",
    "off_track_gap",
    "watermelon_confidence",
    "stall_checkins",
    "stall_weeks",
    "stall_min_move",
    "overdue_grace_days",
)
# Kept from the organisation imported into: it was named when it was created.
ORGANISATION_KEPT = ("name", "slug")
ORGANISATION_LEFT_OUT = {"id": "a database id", "created_at": "when this server's row was made"}

PREFERENCE_FIELDS = ("channel", "reminders", "digest", "flags", "quiet_days", "away_until")
PERSON_FIELDS = ("email", "name", "role", "title", "notifications")
PERSON_LEFT_OUT = {
    "accounts.User": {
        "id": "a database id",
        "password": "a secret: people set a new password on the new server",
        "last_login": "this server's login record",
        "is_superuser": "an operator's right on this server, not the organisation's",
        "is_staff": "an operator's right on this server, not the organisation's",
        "is_active": "an account's state on this server",
        "date_joined": "when the account was made on this server",
        "groups": "operators' permissions on this server",
        "user_permissions": "operators' permissions on this server",
    },
    "accounts.Membership": {
        "id": "a database id",
        "organisation": "the organisation imported into",
        "user": "the person the row is in",
        "created_at": "when the person joined on this server",
    },
    "notify.NotificationPreference": {
        "id": "a database id",
        "membership": "the person the row is in",
        "updated_at": "when the preference was last saved",
    },
}

TEAMS = Section(
    "teams",
    Team,
    ("name", "slug", "description", "is_bubble_root", "strategy_statement", "created_at"),
    {"parent": "teams"},
    key="slug",
    children=(
        Section(
            "members",
            TeamMembership,
            ("role",),
            {"user": PEOPLE},
            parent="team",
            left_out={"id": "a database id", "organisation": "the team's"},
        ),
    ),
)
THEMES = Section(
    "themes",
    Theme,
    ("title", "description", "order", "archived_at"),
    {"team": "teams"},
    key="theme",
)
CYCLES = Section(
    "cycles",
    Cycle,
    ("name", "kind", "start_date", "end_date", "status", "closed_at"),
    {"parent": "cycles"},
    key="name",
)
OBJECTIVES = Section(
    "objectives",
    Objective,
    (
        "title",
        "description",
        "status",
        "visibility",
        "order",
        "progress",
        "score_override",
        "score_reason",
        "retro_went_well",
        "retro_learned",
        "retro_next",
        "created_at",
        "updated_at",
    ),
    {
        "cycle": "cycles",
        "owner_team": "teams",
        "owner_user": PEOPLE,
        "carried_from": "objectives",
        "created_by": PEOPLE,
    },
    key="objective",
    left_out={"version": VERSION_LEFT_OUT},
)
KEY_RESULTS = Section(
    "key_results",
    KeyResult,
    (
        "title",
        "kind",
        "format",
        "unit",
        "start_value",
        "target_value",
        "direction",
        "weight",
        "status",
        "order",
        "plan",
        "score_override",
        "score_reason",
        "current_value",
        "progress",
        "progress_raw",
        "confidence",
        "last_checkin_at",
        "created_at",
    ),
    {"objective": "objectives", "owner": PEOPLE},
    key="key-result",
    left_out={"version": VERSION_LEFT_OUT},
)
INITIATIVES = Section(
    "initiatives",
    Initiative,
    ("title", "description", "status", "created_at"),
    {"owner": PEOPLE},
    key="initiative",
    many={"key_results": "key_results"},
)
ALIGNMENT_LINKS = Section(
    "alignment_links",
    AlignmentLink,
    ("kind", "weight", "created_at"),
    {
        "child": "objectives",
        "parent_theme": "themes",
        "parent_objective": "objectives",
        "parent_key_result": "key_results",
    },
    key="link",
)
CHECKINS = Section(
    "checkins",
    CheckIn,
    ("value", "confidence", "note", "blockers", "created_at"),
    {"key_result": "key_results", "author": PEOPLE},
    key="checkin",
    left_out={"idempotency_key": "a client's retry token, meaningful to this server's API only"},
)
PIVOTS = Section(
    "pivots",
    Pivot,
    ("tried", "learned", "next_step", "value_before", "progress_before", "created_at"),
    {"key_result": "key_results", "objective": "objectives", "team": "teams", "author": PEOPLE},
    key="pivot",
    extra=("initiative_changes",),
)
TARGET_CHANGES = Section(
    "target_changes",
    TargetChange,
    ("old_target", "new_target", "reason", "created_at"),
    {"key_result": "key_results", "pivot": "pivots", "author": PEOPLE},
    key="target-change",
)
FLAGS = Section(
    "flags",
    Flag,
    ("kind", "reason", "facts", "severity", "opened_at", "updated_at", "resolved_at"),
    {"key_result": "key_results", "pivot": "pivots"},
    key="flag",
)
ACTIVITY = Section(
    "activity",
    ActivityEvent,
    ("verb", "target_type", "target_label", "changes", "created_at"),
    {"actor": PEOPLE, "objective": "objectives", "team": "teams"},
    extra=("target",),
    left_out={"target_id": "a database id: carried as `target`, the target row's key"},
)
DISCOVERY = Section(
    "discovery",
    DiscoveryRecord,
    (
        "why_stated",
        "why_followups",
        "real_reason",
        "champion_name",
        "champion_seniority",
        "champion_hours_per_month",
        "time_expectation",
        "time_expectation_agreed",
        "risks",
        "notes",
        "updated_at",
    ),
    {"team": "teams", "champion": PEOPLE, "updated_by": PEOPLE},
    many={"pilot_teams": "teams"},
    children=(
        Section(
            "leaders",
            DiscoveryLeader,
            ("name", "role", "problem", "problem_detail", "order"),
            {"user": PEOPLE},
            parent="record",
            left_out={"id": "a database id"},
        ),
    ),
    left_out={"version": VERSION_LEFT_OUT},
)
SURVEYS = Section(
    "purpose_surveys",
    PurposeSurvey,
    ("title", "question", "opens_on", "closes_on", "closed_at", "created_at"),
    {"created_by": PEOPLE},
    key="survey",
    many={"teams": "teams"},
    extra=("analysed",),
    children=(
        Section(
            "answers",
            PurposeAnswer,
            ("text", "answered_on"),
            {"team": "teams"},
            parent="survey",
            left_out={"id": "a database id"},
        ),
    ),
    left_out={
        "token": "the public link of this server; the import makes a new link",
        "analysis": "computed from the answers, with this server's ids; analysed again "
        "after the import (`analysed`)",
        "analysed_at": "see analysis",
        "analysis_requested_at": "see analysis",
    },
)
ROLLOUT_PLANS = Section(
    "rollout_plans",
    RolloutPlan,
    ("title", "notes", "created_at", "updated_at"),
    {"created_by": PEOPLE},
    key="plan",
    children=(
        Section(
            "phases",
            RolloutPhase,
            ("order", "name", "kind", "starts_on", "ends_on", "expected_weeks", "notes"),
            {"cycle": "cycles"},
            parent="plan",
            children=(
                Section(
                    "teams",
                    PhaseTeam,
                    ("with_subtree",),
                    {"team": "teams"},
                    parent="phase",
                    left_out={"id": "a database id"},
                ),
                Section(
                    "criteria",
                    PhaseCriterion,
                    ("metric", "threshold", "order"),
                    parent="phase",
                    left_out={"id": "a database id"},
                ),
            ),
            left_out={
                "id": "a database id",
                "organisation": "the plan's",
                "version": VERSION_LEFT_OUT,
                "teams": "carried by `teams` (the phase's teams with their subtree flag)",
            },
        ),
    ),
    left_out={"version": VERSION_LEFT_OUT},
)

# In the order they are written: every reference points to a list written before it,
# except a list's references to itself (parents, carried-from), set once it is written.
SECTIONS: tuple[Section, ...] = (
    TEAMS,
    THEMES,
    CYCLES,
    OBJECTIVES,
    KEY_RESULTS,
    INITIATIVES,
    ALIGNMENT_LINKS,
    CHECKINS,
    PIVOTS,
    TARGET_CHANGES,
    FLAGS,
    ACTIVITY,
    DISCOVERY,
    SURVEYS,
    ROLLOUT_PLANS,
)
BY_NAME = {section.name: section for section in SECTIONS}
# What a list's rows are called in messages ("already holds 3 teams, 12 check-ins").
LABELS = {
    "teams": "teams",
    "themes": "themes",
    "cycles": "cycles",
    "objectives": "objectives",
    "key_results": "key results",
    "initiatives": "initiatives",
    "alignment_links": "alignment links",
    "checkins": "check-ins",
    "pivots": "pivots",
    "target_changes": "target changes",
    "flags": "flags",
    "activity": "activity events",
    "discovery": "discovery records",
    "purpose_surveys": "purpose surveys",
    "rollout_plans": "rollout plans",
}

# An activity event's target, by its `target_type`, is a row of this list.
ACTIVITY_TARGETS = {
    "team": "teams",
    "theme": "themes",
    "cycle": "cycles",
    "objective": "objectives",
    "keyresult": "key_results",
    "initiative": "initiatives",
    "alignmentlink": "alignment_links",
    "checkin": "checkins",
    "pivot": "pivots",
    "targetchange": "target_changes",
    "flag": "flags",
}

# Rows an organisation owns that the file does not carry, and why. The test walks every
# model that refers to an organisation (directly or through another such model) and
# fails on one that is neither carried nor listed here.
MODELS_LEFT_OUT = {
    "accounts.Invitation": "pending links of this server, with secret tokens; invite again",
    "accounts.ApiToken": "secrets; people make new tokens on the new server",
    "notify.TeamChatChannel": "the chat URL is a secret; add the channels again",
    "notify.Notification": "this server's log of what it sent",
    "notify.Webhook": "signing secrets and receiving URLs (which often hold a token); "
    "create the webhooks again and give the receivers the new secret",
    "notify.WebhookDelivery": "this server's delivery log",
    "transfer.ImportJob": "uploads made to this server",
}


def carried_models() -> set[type[models.Model]]:
    """Every model the file carries rows of."""
    found: set[type[models.Model]] = {Organisation, User, Membership, NotificationPreference}

    def walk(section: Section) -> None:
        found.add(section.model)
        for child in section.children:
            walk(child)

    for section in SECTIONS:
        walk(section)
    return found
