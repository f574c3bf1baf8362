"""Leader briefs: "show, not tell". A short brief for a named leader, framed by the
problem that leader cares about (a lens), built only from the organisation's own data
and only from the leader's part of it. A selector: it reads, never writes.

Who may read one: the organisation's owners and admins, and the leader themself
(anyone else: PermissionDenied). The leader is a Membership of the asker's
organisation (another organisation's, or an unknown id: Http404, never a hint). An
unknown lens is a ValidationError that lists the five.

The lens defaults to the problem recorded for the leader in discovery (a leader entry
with their account, in the organisation's record or a team's); "other" or nothing
recorded reads as strategy execution, and a recorded `problem_detail` still opens the
brief in the leader's own words. The scope: the teams the leader leads with every team
below them; an owner, the lead of a top-level team, or a leader who leads no team
gets the whole organisation.

Every figure carries the path of the page that shows it (`Figure.href`); the
interfaces make it absolute for PDF and Markdown. A figure without enough data says so
(`value` None, "not enough data"), never a made-up number. The adoption counts of
every cycle the brief needs load once (`counts_load`), so a brief takes a fixed
number of queries whatever the size of the organisation. The sections are built in
`brief_sections`; docs/rollout.md ("Leader briefs") lists what each shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from headway.accounts.models import Membership, Organisation, Role
from headway.discovery.models import DiscoveryLeader, LeaderProblem
from headway.goals.models import Cycle, CycleStatus
from headway.insights.adoption_counts import Counts, counts_load, organisation_today, subtrees
from headway.insights.metrics.adoption import Adoption
from headway.teams.models import TeamMembership, TeamRole

from .models import RolloutPhase, RolloutPlan

STRATEGY_EXECUTION = "strategy_execution"
ALIGNMENT = "alignment"
COMMUNICATION = "communication"
FOCUS = "focus"
ENGAGEMENT = "engagement"
LENSES = (STRATEGY_EXECUTION, ALIGNMENT, COMMUNICATION, FOCUS, ENGAGEMENT)
TREND_CYCLES = 6  # the adoption trend shows at most this many cycles, the latest
NOT_ENOUGH = "not enough data"


@dataclass(frozen=True)
class Lens:
    """How a lens frames the brief: its question, the sections in order, and the
    headline figure (a key of one of the brief's figures)."""

    key: str
    label: str
    question: str
    order: tuple[str, ...]
    headline: str


LENS = {
    STRATEGY_EXECUTION: Lens(
        STRATEGY_EXECUTION,
        "Strategy execution",
        "Is the strategy turning into results? Which measures moved, what the pilot "
        "achieved, and how teams changed course when something did not work.",
        (
            "key_results",
            "pilot",
            "corrections",
            "stories",
            "adoption",
            "alignment",
            "focus",
            "purpose",
            "next_phase",
        ),
        "key_results.moved",
    ),
    ALIGNMENT: Lens(
        ALIGNMENT,
        "Alignment",
        "Are the teams pulling in the same direction? How much of the work connects to "
        "the strategy, and how people describe the purpose of their own work.",
        (
            "alignment",
            "purpose",
            "pilot",
            "key_results",
            "corrections",
            "stories",
            "adoption",
            "focus",
            "next_phase",
        ),
        "alignment.aligned_share",
    ),
    COMMUNICATION: Lens(
        COMMUNICATION,
        "Communication",
        "Does everyone know what the strategy means for their own work? How alike "
        "people's account of their purpose is, and whether their work has a line of "
        "sight to the strategy.",
        (
            "purpose",
            "alignment",
            "stories",
            "corrections",
            "pilot",
            "key_results",
            "adoption",
            "focus",
            "next_phase",
        ),
        "purpose.index",
    ),
    FOCUS: Lens(
        FOCUS,
        "Focus",
        "Are the teams working on the few things that matter most? How many objectives "
        "each team carries, and how many key results measure outcomes rather than work.",
        (
            "focus",
            "key_results",
            "corrections",
            "pilot",
            "alignment",
            "adoption",
            "stories",
            "purpose",
            "next_phase",
        ),
        "focus.objectives_per_team",
    ),
    ENGAGEMENT: Lens(
        ENGAGEMENT,
        "Engagement",
        "Are people taking part and owning their goals? Who has OKRs, how regularly "
        "they check in, and what they learned along the way.",
        (
            "adoption",
            "stories",
            "pilot",
            "corrections",
            "key_results",
            "focus",
            "alignment",
            "purpose",
            "next_phase",
        ),
        "adoption.checkin_rate",
    ),
}


# --- what a brief is made of ---------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number of the brief: `text` as shown ("72%", "3", "not enough data"),
    `value` the number itself (a share 0-1, a count) or None without enough data,
    `detail` what it counts ("18 of 25 objectives"), `href` the page it comes from."""

    key: str
    label: str
    text: str
    href: str
    value: float | int | None = None
    detail: str = ""

    @property
    def enough(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Row:
    """A line of a section: a key result that moved, a pivot, a story, a criterion."""

    title: str
    href: str
    meta: str = ""  # the team, the date
    lines: tuple[tuple[str, str], ...] = ()  # ("Tried", "…"), ("Learned", "…")
    figures: tuple[Figure, ...] = ()
    changes: tuple[str, ...] = ()  # what a pivot changed, in words
    state: str = ""  # a criterion's: met, unmet, unknown


@dataclass(frozen=True)
class Side:
    """One measure of the pilot beside the rest."""

    label: str
    pilot: Figure
    rest: Figure


@dataclass(frozen=True)
class TrendPoint:
    cycle: Cycle
    adoption: Adoption
    figures: tuple[Figure, ...]


@dataclass
class Section:
    key: str
    title: str
    lead: str = ""  # one or two sentences
    figures: list[Figure] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str = ""  # said instead of the content when there is nothing to show
    href: str = ""  # the page the section as a whole comes from

    def all_figures(self) -> Iterator[Figure]:
        yield from self.figures
        for row in self.rows:
            yield from row.figures
        for side in self.sides:
            yield from (side.pilot, side.rest)
        for point in self.trend:
            yield from point.figures


@dataclass(frozen=True)
class Scope:
    """The teams a brief reads: `team_ids` (every one, with the teams below); `whole`
    when that is the whole organisation."""

    team_ids: frozenset[int]
    whole: bool
    label: str
    roots: tuple[int, ...] = ()  # the teams led, topmost only
    root_slugs: tuple[str, ...] = ()


@dataclass
class Brief:
    organisation: Organisation
    asker: Membership
    leader: Membership
    lens: Lens
    lens_from: str  # "asked", "discovery" or "default"
    problem: str  # the leader's own words, or the lens's question
    problem_theirs: bool
    scope: Scope
    cycle: Cycle | None  # the cycle the brief reads most figures in
    today: dt.date
    sections: list[Section]
    headline: Figure
    headline_text: str

    @property
    def leader_name(self) -> str:
        return self.leader.user.display_name

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def figures(self) -> Iterator[Figure]:
        """Every figure of the brief, the headline first."""
        yield self.headline
        for section in self.sections:
            yield from section.all_figures()

    def links(self) -> list[str]:
        found = [f.href for f in self.figures()]
        for section in self.sections:
            found += [row.href for row in section.rows] + ([section.href] if section.href else [])
        return [link for link in dict.fromkeys(found) if link]


# --- the inputs ----------------------------------------------------------------------


def lens_check(lens: str | None) -> str | None:
    """The lens asked for, or None for the default; an unknown one is refused."""
    if lens in (None, ""):
        return None
    if lens not in LENSES:
        raise ValidationError(
            {"lens": f"Headway knows no lens {lens!r}; choose one of: {', '.join(LENSES)}."}
        )
    return lens


def leader_get(asker: Membership, leader_id: object) -> Membership:
    """The leader: a member of the asker's organisation; anything else is a 404. Who
    may read their brief: owners, admins and the leader themself."""
    try:
        pk = int(str(leader_id))
    except (TypeError, ValueError):
        raise Http404("No such leader in this organisation.") from None
    leader = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation_id=asker.organisation_id, pk=pk)
        .first()
    )
    if leader is None:
        raise Http404("No such leader in this organisation.")
    if not (asker.is_admin or asker.pk == leader.pk):
        raise PermissionDenied(
            "Only owners, admins and the leader themself can read a leader's brief."
        )
    return leader


def leader_by_email(organisation: Organisation, email: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation=organisation, user__email__iexact=email.strip())
        .first()
    )


def recorded_problem(leader: Membership) -> tuple[str | None, str]:
    """(problem, problem_detail) recorded for the leader in discovery: the
    organisation's record first, then a team's; (None, "") when none."""
    entry = (
        DiscoveryLeader.objects.filter(
            record__organisation_id=leader.organisation_id, user_id=leader.user_id
        )
        .order_by("record__team_id", "order", "pk")
        .values_list("problem", "problem_detail")
        .first()
    )
    return (entry[0], entry[1]) if entry else (None, "")


def default_lens(problem: str | None) -> str:
    if problem in LENSES:
        return str(problem)
    return STRATEGY_EXECUTION  # "other", or nothing recorded


def _lens(asked: str | None, problem: str | None) -> tuple[Lens, str]:
    if asked is not None:
        return LENS[asked], "asked"
    if problem in LENSES:
        return LENS[str(problem)], "discovery"
    return LENS[STRATEGY_EXECUTION], "default"


def problem_label(problem: str | None) -> str:
    if problem in LeaderProblem.values:
        return str(LeaderProblem(problem).label)
    return ""


# --- cycles and scope ----------------------------------------------------------------


@dataclass(frozen=True)
class Cycles:
    """The cycles a brief reads: the current one, the latest closed one of its kind,
    and the trend (oldest first)."""

    current: Cycle | None
    closed: Cycle | None
    trend: list[Cycle]
    every: list[Cycle]


def brief_cycles(organisation: Organisation, today: dt.date) -> Cycles:
    every = list(Cycle.objects.filter(organisation_id=organisation.pk))
    running = [c for c in every if c.start_date <= today <= c.end_date]
    started = [c for c in every if c.start_date <= today]
    current = min(running, key=lambda c: c.end_date - c.start_date, default=None) or max(
        started, key=lambda c: c.start_date, default=None
    )
    if current is None:
        return Cycles(None, None, [], every)
    kind = sorted(
        (c for c in every if c.kind == current.kind and (c.start_date <= today or c == current)),
        key=lambda c: (c.start_date, -c.end_date.toordinal(), c.pk),
    )
    closed = [
        c for c in kind if c.status == CycleStatus.CLOSED and c.start_date < current.start_date
    ]
    return Cycles(current, closed[-1] if closed else None, kind[-TREND_CYCLES:], every)


def led_teams(leader: Membership) -> list[int]:
    return list(
        TeamMembership.objects.filter(
            team__organisation_id=leader.organisation_id, user_id=leader.user_id, role=TeamRole.LEAD
        ).values_list("team_id", flat=True)
    )


def brief_scope(leader: Membership, counts: Counts, led: list[int]) -> Scope:
    """The leader's teams with the teams below; the whole organisation for an owner,
    the lead of a top-level team, or a leader who leads no team."""
    nodes = {t.id: t for t in counts.teams}
    led = [t for t in led if t in nodes]
    tops = {t.id for t in counts.teams if t.parent_id is None}
    everything = frozenset(nodes)
    if leader.role == Role.OWNER or not led or tops & set(led):
        name = leader.organisation.name
        return Scope(everything, True, f"{name} (the whole organisation)")
    covered = frozenset(subtrees(counts.teams, led))
    roots = [t for t in counts.teams if t.id in led and t.parent_id not in covered]
    names = [t.name for t in roots]
    label = " and ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    label += " and the teams below" if len(covered) > len(roots) else ""
    return Scope(covered, False, label, tuple(t.id for t in roots), tuple(t.slug for t in roots))


def latest_plan(organisation: Organisation) -> tuple[RolloutPlan | None, list[RolloutPhase]]:
    from .selectors import _phases

    plan = RolloutPlan.objects.filter(organisation_id=organisation.pk).first()
    if plan is None:
        return None, []
    phases = list(_phases().filter(plan=plan))
    for phase in phases:
        phase.plan = plan
    return plan, phases


# --- the brief -----------------------------------------------------------------------


def leader_brief(
    asker: Membership,
    leader_id: object,
    lens: str | None = None,
    today: dt.date | None = None,
) -> Brief:
    """The brief of leader `leader_id` (a membership id) under `lens` (None: the
    problem recorded in discovery), as `asker` may read it."""
    from . import brief_sections as build

    asked = lens_check(lens)
    leader = leader_get(asker, leader_id)
    organisation = asker.organisation
    today = today or organisation_today(organisation)
    problem, detail = recorded_problem(leader)
    chosen, lens_from = _lens(asked, problem)
    cycles = brief_cycles(organisation, today)
    plan, phases = latest_plan(organisation)
    counts = counts_load(organisation, build.cycles_to_load(cycles, phases), today)
    scope = brief_scope(leader, counts, led_teams(leader))
    context = build.Context(asker, organisation, scope, cycles, counts, plan, phases, today)
    sections = build.sections(context)
    ordered = [sections[key] for key in chosen.order]
    headline = next(f for s in ordered for f in s.all_figures() if f.key == chosen.headline)
    return Brief(
        organisation=organisation,
        asker=asker,
        leader=leader,
        lens=chosen,
        lens_from=lens_from,
        problem=detail or chosen.question,
        problem_theirs=bool(detail),
        scope=scope,
        cycle=cycles.current,
        today=today,
        sections=ordered,
        headline=headline,
        headline_text=build.headline_text(chosen.key, headline, context),
    )


def brief_leaders(asker: Membership, limit: int = 300) -> list[Membership]:
    """Whom the form offers: for owners and admins, the leaders in discovery, the
    owners and admins, and the leads of the top two levels of the tree (at most
    `limit`, by name); for anyone else, only themself."""
    if not asker.is_admin:
        return [asker]
    members = Membership.objects.filter(organisation_id=asker.organisation_id).select_related(
        "user"
    )
    discovery = DiscoveryLeader.objects.filter(
        record__organisation_id=asker.organisation_id, user__isnull=False
    ).values("user_id")
    leads = TeamMembership.objects.filter(
        team__organisation_id=asker.organisation_id,
        role=TeamRole.LEAD,
        team__parent__parent__isnull=True,
    ).values("user_id")
    from django.db.models import Q

    chosen = members.filter(
        Q(role__in=(Role.OWNER, Role.ADMIN)) | Q(user_id__in=discovery) | Q(user_id__in=leads)
    ).order_by("user__name", "user__email")
    return list(chosen[:limit])
