"""Synthetic organisations for the benchmark: S, M and L (and XS for the tests).

This is a data generator, not an interface: it bypasses the services on purpose and
writes rows with `bulk_create` in batches, because building 720,000 check-ins one
service call at a time would take hours. The services' rules still hold for what it
writes, by construction:

- the team tree has one root and exactly `len(scale.teams)` levels;
- objectives of the root and level-1 teams run over the annual cycle, all others
  (and personal objectives) over the current quarter, so a parent's cycle always
  encloses its child's;
- alignment links only go up: from a team's objective to an objective (or a key
  result) of a team higher in the tree, from a personal objective to one of its
  team or above, from root objectives to the organisation's themes; so no loops;
- every key result has up to 12 weekly check-ins telling one story (steady, stalled,
  recovered, watermelon, over-achieving, declining), for every kind of key result
  (increase, decrease, milestone, maintain above or below a threshold);
- stored values (key results' current value, progress, confidence, last check-in,
  and objectives' progress) are set at the end by `recompute_all(write=True)`, so
  `headway recompute --verify` finds no difference.

- a closed purpose survey of `survey_answers` anonymous answers composed from phrases
  that echo the themes, describe tasks or say something else, from teams of the top
  two levels below the root (one in ten without a team).

Not generated yet: initiatives.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from headway.accounts.models import Membership, Organisation, Role, User
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.goals.models import (
    ActivityEvent,
    AlignmentLink,
    CheckIn,
    Cycle,
    CycleKind,
    CycleStatus,
    KeyResult,
    KeyResultStatus,
    LinkKind,
    Objective,
    ObjectiveStatus,
    Theme,
    Visibility,
)
from headway.goals.services.rollup import key_result_refresh, recompute_all
from headway.insights.services import flags_refresh
from headway.lib.maintenance import planner_statistics_refresh
from headway.teams.models import Team, TeamMembership, TeamRole

BENCH_PASSWORD = "headway-bench"
BATCH = 5000  # rows handed to one bulk_create call (Django splits it per the backend's limits)
CHECKIN_CHUNK = 40_000  # check-ins built in memory at once


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    teams: tuple[int, ...]  # teams per level, the root first: len() is the number of levels
    objectives: int
    key_results: int
    links: int  # alignment links in total, theme links included
    weeks: int = 12
    survey_answers: int = 500

    @property
    def team_count(self) -> int:
        return sum(self.teams)


SCALES: dict[str, Scale] = {
    # XS is for the tests only: every shape, in a second.
    "XS": Scale(
        "XS", people=20, teams=(1, 2, 2), objectives=8, key_results=24, links=12, survey_answers=40
    ),
    "S": Scale("S", people=200, teams=(1, 3, 7, 14), objectives=80, key_results=240, links=120),
    "M": Scale(
        "M",
        people=5_000,
        teams=(1, 5, 25, 125, 344),
        objectives=2_000,
        key_results=6_000,
        links=3_000,
        survey_answers=2_000,
    ),
    "L": Scale(
        "L",
        people=50_000,
        teams=(1, 6, 36, 216, 1_100, 3_641),
        objectives=20_000,
        key_results=60_000,
        links=30_000,
        survey_answers=10_000,
    ),
}

STORIES = ("steady", "stalled", "recovered", "watermelon", "over", "declining")
# The first key results of every organisation, so even XS shows every story and kind.
FORCED: tuple[tuple[str, str], ...] = (
    *(("increase", story) for story in STORIES),
    ("decrease", "steady"),
    ("decrease", "over"),
    ("milestone", "steady"),
    ("milestone", "stalled"),
    ("maintain", "steady"),
    ("maintain", "recovered"),
)
STORY_WEIGHTS = (35, 15, 15, 12, 12, 11)
KINDS = ("increase", "decrease", "milestone", "maintain")
KIND_WEIGHTS = (55, 15, 12, 18)

AREAS = (
    "Payments",
    "Search",
    "Growth",
    "Platform",
    "Mobile",
    "Data",
    "Security",
    "Billing",
    "Onboarding",
    "Logistics",
    "Support",
    "Pricing",
    "Identity",
    "Messaging",
    "Analytics",
    "Infrastructure",
    "Partnerships",
    "Retention",
    "Compliance",
    "Marketplace",
)
LEVEL_WORDS = ("Company", "Division", "Department", "Group", "Team", "Squad")
FIRST = (
    "Ada",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemal",
    "Lena",
    "Malik",
    "Nora",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Ula",
    "Viktor",
    "Wen",
    "Xenia",
    "Yusuf",
    "Zoe",
)
LAST = (
    "Abara",
    "Berg",
    "Costa",
    "Dahl",
    "Eze",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
)
OBJECTIVE_TITLES = (
    "Make {area} the easiest part of the product to use",
    "Delight customers with a faster {area} experience",
    "Turn {area} into a growth engine",
    "Build a {area} platform other teams love",
    "Win the mid-market with {area}",
    "Make {area} reliable enough to forget about",
    "Earn the trust of enterprise buyers in {area}",
    "Cut the cost of running {area}",
)
KR_TITLES = {
    "increase": (
        "Raise weekly active {area} users",
        "Grow {area} revenue",
        "Increase {area} NPS",
        "Raise the share of self-served {area} requests",
    ),
    "decrease": (
        "Cut {area} support tickets",
        "Reduce {area} p95 latency",
        "Lower {area} churn",
        "Shorten {area} lead time",
    ),
    "milestone": (
        "Launch the new {area} API",
        "Sign the first {area} partner",
        "Ship {area} single sign-on",
    ),
    "maintain": (
        "Keep {area} availability",
        "Keep {area} error budget",
        "Hold {area} cost per order",
    ),
}
NOTES = (
    "",
    "",
    "",
    "On track.",
    "Slower week: two people out.",
    "New approach is paying off.",
    "Blocked on the data export.",
    "Ahead of plan after the launch.",
)


@dataclass
class Result:
    """What was generated, for the command's summary and the tests."""

    organisation: Organisation
    counts: dict[str, int]
    seconds: dict[str, float]
    stories: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass
class _Objective:
    index: int
    team: int | None  # owning team index, None for a personal objective
    home_team: int  # the owner's team (for a personal objective, the person's team)
    level: int
    annual: bool
    person: int | None = None  # the owner of a personal objective (index into people)
    key_results: list[int] = field(default_factory=list)  # indexes into the key result plan
    pk: int = 0


def _batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    for batch in _batches(rows):
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]


def organisation_delete(slug: str) -> bool:
    """Remove a generated organisation and its people, fast (raw deletes, no collector).

    Every model with an `organisation` foreign key is emptied for it, then the bench
    users (whose addresses end in @<slug>.bench.invalid). Foreign keys are checked at
    commit, so anything that still pointed at a deleted row would fail loudly.
    """
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return False
    scoped: list[tuple[Any, str]] = []  # (model, the column naming the organisation)
    for model in apps.get_models():
        if model is Organisation:
            continue
        for fk in model._meta.concrete_fields:
            if fk.is_relation and fk.related_model is Organisation:
                scoped.append((model, fk.attname))
    scoped_models = {model for model, _ in scoped}
    with transaction.atomic():
        for model, attname in scoped:
            # Many-to-many rows of a scoped model (initiatives' key results) first.
            rows = model._default_manager.filter(**{attname: organisation.pk})
            for m2m in model._meta.local_many_to_many:
                _raw_delete(m2m.remote_field.through, {f"{m2m.m2m_field_name()}__in": rows})
            # Rows with no organisation column of their own (a survey's answers).
            for relation in model._meta.related_objects:
                child = relation.related_model
                if relation.one_to_many and child not in scoped_models and child is not User:
                    _raw_delete(child, {f"{relation.field.name}__in": rows})
        # Rows pointing at other scoped rows go first, so PostgreSQL's deferred checks
        # and SQLite's both see a consistent state at commit.
        for model, attname in sorted(scoped, key=lambda item: _depth(item[0]), reverse=True):
            _raw_delete(model, {attname: organisation.pk})
        users = User.objects.filter(email__endswith=f"@{slug}.bench.invalid")
        for m2m in User._meta.local_many_to_many:
            _raw_delete(m2m.remote_field.through, {f"{m2m.m2m_field_name()}__in": users})
        users.delete()
        _raw_delete(Organisation, {"pk": organisation.pk})
    return True


def _raw_delete(model: Any, filters: dict[str, Any]) -> None:
    """DELETE ... WHERE filters, in one statement: no collector, no signals."""
    rows = model._default_manager.filter(**filters)
    rows._raw_delete(rows.db)


def _depth(model: Any, seen: frozenset[Any] = frozenset()) -> int:
    """How many foreign keys deep a model sits below the organisation (for delete order)."""
    parents = [
        f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model not in (model, Organisation, User, None)
    ]
    if not parents or model in seen:
        return 0
    return 1 + max(_depth(p, seen | {model}) for p in parents)


class _Generator:
    def __init__(
        self, scale: Scale, seed: int, slug: str, today: dt.date, out: Callable[[str], None]
    ):
        self.scale = scale
        self.rng = random.Random(seed)
        self.seed = seed
        self.slug = slug
        self.today = today
        self.base = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
        self.out = out
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.stories: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()

    def step(self, name: str, started: float) -> None:
        self.seconds[name] = time.perf_counter() - started

    # --- people and teams ---------------------------------------------------------

    def organisation(self) -> None:
        self.org = Organisation.objects.create(
            name=f"Bench {self.scale.name}",
            slug=self.slug,
            strategy_statement="A synthetic organisation for the benchmark suite.",
        )

    def people(self) -> None:
        scale, rng = self.scale, self.rng
        password = make_password(BENCH_PASSWORD)  # hashed once for everyone
        now = timezone.now()
        users = [
            User(
                email=f"p{i}@{self.slug}.bench.invalid",
                name=f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}",
                password=password,
                date_joined=now,
            )
            for i in range(scale.people)
        ]
        _insert(User, users)
        self.user_pks = [u.pk for u in users]
        admins = max(1, scale.people // 500)
        roles = []
        for i in range(scale.people):
            if i == 0:
                roles.append(Role.OWNER)
            elif i <= admins:
                roles.append(Role.ADMIN)
            elif rng.random() < 0.05:
                roles.append(Role.VIEWER)
            else:
                roles.append(Role.MEMBER)
        self.roles = roles
        _insert(
            Membership,
            [
                Membership(organisation=self.org, user_id=pk, role=role, title="")
                for pk, role in zip(self.user_pks, roles, strict=True)
            ],
        )
        self.counts["people"] = len(users)

    def teams(self) -> None:
        scale, rng = self.scale, self.rng
        self.team_level: list[int] = []
        self.team_parent: list[int | None] = []
        self.team_pks: list[int] = []
        index = 0
        previous: list[int] = []
        for level, size in enumerate(scale.teams):
            rows, current = [], []
            for n in range(size):
                parent = previous[n % len(previous)] if previous else None
                area = AREAS[index % len(AREAS)] if level else ""
                name = (
                    f"Bench {scale.name}" if level == 0 else f"{area} {LEVEL_WORDS[level]} {index}"
                )
                rows.append(
                    Team(
                        organisation=self.org,
                        name=name,
                        slug=f"team-{index}",
                        parent_id=self.team_pks[parent] if parent is not None else None,
                        is_bubble_root=(index == 1),
                    )
                )
                self.team_level.append(level)
                self.team_parent.append(parent)
                current.append(index)
                index += 1
            _insert(Team, rows)
            self.team_pks.extend(t.pk for t in rows)
            previous = current
        n_teams = len(self.team_pks)
        # Person p belongs to team p % n_teams; the first person of each team leads it.
        memberships = [
            TeamMembership(
                organisation=self.org,
                team_id=self.team_pks[p % n_teams],
                user_id=self.user_pks[p],
                role=TeamRole.LEAD if p < n_teams else TeamRole.MEMBER,
            )
            for p in range(len(self.user_pks))
        ]
        # About one person in twenty is in a second team too.
        for p in range(n_teams, len(self.user_pks)):
            if rng.random() < 0.05:
                other = rng.randrange(n_teams)
                if other != p % n_teams:
                    memberships.append(
                        TeamMembership(
                            organisation=self.org,
                            team_id=self.team_pks[other],
                            user_id=self.user_pks[p],
                            role=TeamRole.MEMBER,
                        )
                    )
        _insert(TeamMembership, memberships)
        self.counts["teams"] = n_teams
        self.counts["levels"] = len(scale.teams)
        self.counts["team_memberships"] = len(memberships)

    def team_person(self, team: int) -> int:
        """A random person of a team (index into user_pks)."""
        n_teams = len(self.team_pks)
        size = (len(self.user_pks) - team + n_teams - 1) // n_teams
        return team + n_teams * self.rng.randrange(max(1, size))

    # --- strategy -----------------------------------------------------------------

    def cycles_and_themes(self) -> None:
        # A year of four 91-day quarters whose last one holds today, with 12 weeks of
        # check-ins behind it: the current quarter is the last of the year.
        year_start = self.today - dt.timedelta(days=273 + 87)
        self.year = Cycle.objects.create(
            organisation=self.org,
            name=f"Bench year {self.scale.name}",
            kind=CycleKind.ANNUAL,
            start_date=year_start,
            end_date=year_start + dt.timedelta(days=364),
            status=CycleStatus.ACTIVE,
        )
        quarters = []
        for q in range(4):
            start = year_start + dt.timedelta(days=91 * q)
            quarters.append(
                Cycle(
                    organisation=self.org,
                    parent=self.year,
                    name=f"Bench Q{q + 1}",
                    kind=CycleKind.QUARTER,
                    start_date=start,
                    end_date=start + dt.timedelta(days=90 if q < 3 else 91),
                    status=CycleStatus.CLOSED if q < 3 else CycleStatus.ACTIVE,
                )
            )
        _insert(Cycle, quarters)
        self.quarter = quarters[-1]
        themes = [
            Theme(organisation=self.org, title=title, order=n)
            for n, title in enumerate(
                (
                    "Grow where we are strong",
                    "Be the easiest to work with",
                    "Run a lean, reliable platform",
                    "Build a team people want to join",
                    "Earn trust with data",
                )
            )
        ]
        bubble = self.team_pks[1] if len(self.team_pks) > 1 else self.team_pks[0]
        themes += [
            Theme(organisation=self.org, team_id=bubble, title=f"Bubble theme {n}", order=n)
            for n in range(2)
        ]
        _insert(Theme, themes)
        self.theme_pks = [t.pk for t in themes[:5]]
        self.counts["cycles"] = 5
        self.counts["themes"] = len(themes)

    # --- objectives and key results -----------------------------------------------

    def plan_objectives(self) -> list[_Objective]:
        scale, rng = self.scale, self.rng
        n_teams = len(self.team_pks)
        personal = max(1, scale.objectives // 10)
        team_objectives = scale.objectives - personal
        plan = []
        for i in range(team_objectives):
            team = i % n_teams  # round robin, so the root and the upper levels always have some
            level = self.team_level[team]
            plan.append(_Objective(i, team, team, level, annual=level <= 1))
        writers = [p for p, role in enumerate(self.roles) if role != Role.VIEWER]
        for i in range(team_objectives, scale.objectives):
            person = rng.choice(writers)
            home = person % n_teams
            plan.append(_Objective(i, None, home, self.team_level[home], False, person))
        # Key results per objective: 3 on average (2, 3 or 4), exactly scale.key_results in all.
        base, extra = divmod(scale.key_results, scale.objectives)
        counts = [base + (1 if i < extra else 0) for i in range(scale.objectives)]
        for i in range(0, scale.objectives - 1, 2):
            if counts[i] > 1 and rng.random() < 0.5:
                counts[i] -= 1
                counts[i + 1] += 1
        kr = 0
        for objective, count in zip(plan, counts, strict=True):
            objective.key_results = list(range(kr, kr + count))
            kr += count
        return plan

    def objectives(self) -> None:
        rng = self.rng
        self.plan = self.plan_objectives()
        rows = []
        statuses = (
            (ObjectiveStatus.ACTIVE,) * 95
            + (ObjectiveStatus.DRAFT,) * 3
            + (ObjectiveStatus.CLOSED,) * 2
        )
        for objective in self.plan:
            area = AREAS[objective.home_team % len(AREAS)]
            owner_user = self.user_pks[objective.person] if objective.person is not None else None
            rows.append(
                Objective(
                    organisation=self.org,
                    cycle=self.year if objective.annual else self.quarter,
                    owner_team_id=self.team_pks[objective.team]
                    if objective.team is not None
                    else None,
                    owner_user_id=owner_user,
                    title=rng.choice(OBJECTIVE_TITLES).format(area=area),
                    status=statuses[rng.randrange(100)]
                    if objective.index >= 8
                    else ObjectiveStatus.ACTIVE,
                    visibility=Visibility.PRIVATE if rng.random() < 0.05 else Visibility.PUBLIC,
                    order=objective.index,
                    created_by_id=self.user_pks[0],
                )
            )
        _insert(Objective, rows)
        for objective, row in zip(self.plan, rows, strict=True):
            objective.pk = row.pk
        self.counts["objectives"] = len(rows)

    def key_results(self) -> None:
        rng = self.rng
        rows: list[KeyResult] = []
        self.kr_story: list[str] = []
        self.kr_owner: list[int] = []
        self.kr_objective: list[int] = []  # plan index
        forced = FORCED
        for objective in self.plan:
            area = AREAS[objective.home_team % len(AREAS)]
            for order, index in enumerate(objective.key_results):
                if index < len(forced):
                    kind, story = forced[index]
                else:
                    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
                    story = rng.choices(STORIES, STORY_WEIGHTS)[0]
                owner = (
                    objective.person
                    if objective.person is not None
                    else self.team_person(objective.team)  # type: ignore[arg-type]
                )
                fields = _measure(rng, kind)
                rows.append(
                    KeyResult(
                        organisation=self.org,
                        objective_id=objective.pk,
                        title=rng.choice(KR_TITLES[kind]).format(area=area),
                        kind=kind,
                        weight=rng.choice((1.0, 1.0, 1.0, 2.0, 0.5)),
                        owner_id=self.user_pks[owner],
                        status=KeyResultStatus.DROPPED
                        if index >= len(forced) and rng.random() < 0.02
                        else KeyResultStatus.ACTIVE,
                        order=order,
                        **fields,
                    )
                )
                self.kr_story.append(story)
                self.kr_owner.append(owner)
                self.kr_objective.append(objective.index)
                self.stories[story] += 1
                self.kinds[kind] += 1
                # Stored values as the check-in service would leave them after the last one.
                history = self.history(len(rows) - 1, rows[-1])
                if history:
                    value, confidence, at, _ = history[-1]
                    rows[-1].current_value, rows[-1].confidence = value, confidence
                    rows[-1].last_checkin_at = at
                key_result_refresh(rows[-1])
        _insert(KeyResult, rows)
        self.kr_rows = rows
        self.counts["key_results"] = len(rows)

    # --- alignment ----------------------------------------------------------------

    def links(self) -> None:
        rng, target = self.rng, self.scale.links
        by_team: dict[int, list[_Objective]] = {}
        for objective in self.plan:
            if objective.team is not None:
                by_team.setdefault(objective.team, []).append(objective)

        def ancestors(team: int) -> list[int]:
            chain, parent = [], self.team_parent[team]
            while parent is not None:
                chain.append(parent)
                parent = self.team_parent[parent]
            return chain

        def candidates(objective: _Objective) -> list[int]:
            """Teams whose objectives this one may align to, nearest first."""
            teams = ancestors(objective.home_team)
            if objective.team is None:
                teams = [objective.home_team, *teams]
            return [t for t in teams if t in by_team]

        rows: list[AlignmentLink] = []
        seen: set[tuple[int, str, int]] = set()

        def add(
            child: _Objective,
            kind: str,
            *,
            theme: int = 0,
            parent: _Objective | None = None,
            via_kr: int | None = None,
        ) -> None:
            if theme:
                key = (child.pk, "theme", theme)
            elif via_kr is not None:
                key = (child.pk, "kr", via_kr)
            else:
                key = (child.pk, "objective", parent.pk)  # type: ignore[union-attr]
            if key in seen:
                return
            seen.add(key)
            rows.append(
                AlignmentLink(
                    organisation=self.org,
                    child_id=child.pk,
                    parent_theme_id=theme or None,
                    parent_objective_id=parent.pk
                    if parent is not None and via_kr is None
                    else None,
                    parent_key_result_id=self.kr_rows[via_kr].pk if via_kr is not None else None,
                    kind=kind,
                    weight=rng.choice((1.0, 1.0, 2.0)) if kind == LinkKind.CONTRIBUTES else 1.0,
                )
            )

        # Every objective below the root contributes to one of its nearest team's above.
        for objective in self.plan:
            if objective.team is not None and self.team_level[objective.team] == 0:
                add(objective, LinkKind.CONTRIBUTES, theme=rng.choice(self.theme_pks))
                continue
            teams = candidates(objective)
            if not teams:
                continue
            parent = rng.choice(by_team[teams[0]])
            if rng.random() < 0.15 and parent.key_results:
                add(
                    objective,
                    LinkKind.CONTRIBUTES,
                    parent=parent,
                    via_kr=rng.choice(parent.key_results),
                )
            else:
                add(objective, LinkKind.CONTRIBUTES, parent=parent)
        # More links up the levels until the target: mostly `supports`.
        movable = [o for o in self.plan if candidates(o)]
        attempts = 0
        while len(rows) < target and movable and attempts < target * 20:
            attempts += 1
            child = rng.choice(movable)
            if child.team is not None and child.level == 1 and rng.random() < 0.2:
                add(child, LinkKind.SUPPORTS, theme=rng.choice(self.theme_pks))
                continue
            parent = rng.choice(by_team[rng.choice(candidates(child))])
            kind = LinkKind.SUPPORTS if rng.random() < 0.7 else LinkKind.CONTRIBUTES
            add(child, kind, parent=parent)
        _insert(AlignmentLink, rows)
        self.counts["alignment_links"] = len(rows)
        self.counts["contributes_links"] = sum(r.kind == LinkKind.CONTRIBUTES for r in rows)

    # --- check-ins ----------------------------------------------------------------

    def history(self, index: int, kr: KeyResult) -> list[tuple[float, int, dt.datetime, str]]:
        """A key result's weekly check-ins: (value, confidence, at, note), oldest first.

        Drawn from a random stream of its own, so the key results step (which stores
        the latest values) and the check-ins step (which writes them all) agree."""
        rng, weeks = random.Random(self.seed * 1_000_003 + index), self.scale.weeks
        if index >= len(FORCED) and rng.random() < 0.02:
            return []  # never checked in
        rows = []
        for week, (value, confidence) in enumerate(
            _trajectory(rng, kr, self.kr_story[index], weeks)
        ):
            if index >= len(FORCED) and 0 < week < weeks - 1 and rng.random() < 0.02:
                continue  # a missed week
            at = self.base - dt.timedelta(
                days=7 * (weeks - 1 - week), seconds=rng.randrange(28_800)
            )
            rows.append((value, confidence, at, NOTES[rng.randrange(len(NOTES))]))
        return rows

    def checkins(self) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        rows: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        total = 0
        for index, kr in enumerate(self.kr_rows):
            history = self.history(index, kr)
            if not history:
                continue
            author = self.user_pks[self.kr_owner[index]]
            for value, confidence, at, note in history:
                rows.append((self.org.pk, kr.pk, author, value, confidence, note, "", adapt(at)))
            value, confidence, at, _ = history[-1]
            objective = self.plan[self.kr_objective[index]]
            events.append(
                (
                    self.org.pk,
                    author,
                    "checked in",
                    "keyresult",
                    kr.pk,
                    kr.title[:200],
                    objective.pk,
                    self.team_pks[objective.team] if objective.team is not None else None,
                    json.dumps({"value": [None, value], "confidence": [None, confidence]}),
                    adapt(at),
                )
            )
            if len(rows) >= CHECKIN_CHUNK:
                total += _raw_insert(CheckIn, CHECKIN_COLUMNS, rows)
                rows = []
        total += _raw_insert(CheckIn, CHECKIN_COLUMNS, rows)
        self.counts["checkins"] = total
        self.counts["activity_events"] = _raw_insert(ActivityEvent, EVENT_COLUMNS, events)

    def purpose_survey(self) -> None:
        """A purpose survey that closed last week, with its anonymous answers."""
        rng = self.rng
        survey = PurposeSurvey.objects.create(
            organisation=self.org,
            title=f"Bench purpose survey {self.scale.name}",
            opens_on=self.today - dt.timedelta(days=21),
            closes_on=self.today - dt.timedelta(days=7),
            closed_at=self.base - dt.timedelta(days=7),
            token=f"{self.slug}-survey-{self.seed}",
        )
        top = [
            pk for pk, level in zip(self.team_pks, self.team_level, strict=True) if 1 <= level <= 2
        ]
        survey.teams.set(top)
        rows = [
            PurposeAnswer(
                survey=survey,
                team_id=rng.choice(top) if top and rng.random() < 0.9 else None,
                text=purpose_answer(rng),
                answered_on=self.today - dt.timedelta(days=rng.randint(7, 21)),
            )
            for _ in range(self.scale.survey_answers)
        ]
        _insert(PurposeAnswer, rows)
        self.counts["survey_answers"] = len(rows)

    def store_progress(self) -> None:
        """Objectives' progress (and anything else that differs) from the app's own
        recompute: `recompute_all(write=False)` lists what to store, written here with
        plain UPDATEs (its write=True path bulk-updates every key result through
        Django's CASE/WHEN bulk_update, about 70 s at L; see docs/performance.md)."""
        differences = recompute_all(organisation_id=self.org.pk, write=False)
        tables = {"objective": Objective, "key result": KeyResult}
        by_target: dict[tuple[str, str], list[tuple[Any, int]]] = {}
        for difference in differences:
            by_target.setdefault((difference.model, difference.field), []).append(
                (difference.computed, difference.pk)
            )
        with connection.cursor() as cursor:
            for (model_name, field_name), values in by_target.items():
                meta = tables[model_name]._meta
                column = meta.get_field(field_name).column  # type: ignore[union-attr]
                cursor.executemany(
                    f"UPDATE {meta.db_table} SET {column} = %s WHERE id = %s", values
                )
        self.counts["stored_after_recompute"] = len(differences)


CHECKIN_COLUMNS = (
    "organisation_id",
    "key_result_id",
    "author_id",
    "value",
    "confidence",
    "note",
    "blockers",
    "created_at",
)
EVENT_COLUMNS = (
    "organisation_id",
    "actor_id",
    "verb",
    "target_type",
    "target_id",
    "target_label",
    "objective_id",
    "team_id",
    "changes",
    "created_at",
)


def _raw_insert(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    """INSERT many rows without building model instances: the two biggest tables are
    written this way (about ten times faster than bulk_create for 720,000 check-ins)."""
    if not rows:
        return 0
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for batch in _batches(rows, 10_000):
            cursor.executemany(sql, batch)
    return len(rows)


# Purpose answers: an opening, one or two phrases of one direction, an ending.
OPENINGS = ("", "I ", "We ", "My work is to ", "To ", "Every day I ", "Our team is here to ")
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "grow": ("grow revenue where we are strong", "win customers in our core markets", "grow with our best customers"),
    "easy": ("make us the easiest company to work with", "make things simple for customers", "answer customers quickly and kindly"),
    "platform": ("run a lean, reliable platform", "keep our systems fast and reliable", "cut waste from how we work"),
    "people": ("build a team people want to join", "hire and grow great people", "help colleagues do their best work"),
    "data": ("earn customers' trust with data", "keep customer data safe and accurate", "turn our data into good decisions"),
    "tasks": ("process invoices", "answer tickets", "update spreadsheets", "attend meetings", "write reports", "fix bugs", "file paperwork", "plan shifts"),
    "other": ("earn a living", "do what my manager asks", "keep busy", "learn new things"),
}  # fmt: skip
DIRECTION_WEIGHTS = (3, 2, 2, 1, 1, 3, 1)
ENDINGS = ("", " every week", " for our customers", " so the company succeeds", " as well as I can")


def purpose_answer(rng: random.Random) -> str:
    direction = rng.choices(list(DIRECTIONS), DIRECTION_WEIGHTS)[0]
    phrases = rng.sample(DIRECTIONS[direction], k=rng.choice((1, 1, 2)))
    text = rng.choice(OPENINGS) + " and ".join(phrases) + rng.choice(ENDINGS) + "."
    return text[0].upper() + text[1:]


def _measure(rng: random.Random, kind: str) -> dict[str, Any]:
    if kind == "increase":
        start = float(rng.choice((0, 10, 20, 40, 100, 250)))
        fmt = rng.choice(("number", "number", "percent", "currency"))
        return {
            "start_value": start,
            "target_value": start + rng.choice((10, 20, 50, 100, 200)),
            "format": fmt,
            "unit": {"number": "users", "percent": "%", "currency": "kEUR"}[fmt],
        }
    if kind == "decrease":
        start = float(rng.choice((40, 60, 100, 200, 800)))
        return {
            "start_value": start,
            "target_value": round(start * rng.choice((0.25, 0.5, 0.7)), 1),
            "format": "number",
            "unit": rng.choice(("tickets", "ms", "days")),
        }
    if kind == "milestone":
        return {"start_value": 0.0, "target_value": 1.0, "format": "number", "unit": ""}
    above = rng.random() < 0.6
    return {
        "start_value": None,
        "target_value": rng.choice((99.0, 99.5, 99.9)) if above else rng.choice((200.0, 500.0)),
        "direction": "above" if above else "below",
        "format": "percent" if above else "number",
        "unit": "%" if above else "ms",
    }


def _share(story: str, week: int, weeks: int, rng: random.Random) -> float:
    """How far along (0 = start, 1 = target) a story is at a week."""
    t = (week + 1) / weeks
    if story == "steady":
        return max(0.0, 0.92 * t + rng.uniform(-0.03, 0.03))
    if story == "stalled":
        return min(t, 4 / weeks) * 0.9  # moves for four weeks, then the same value each week
    if story == "recovered":
        half = weeks // 2
        if week < half:
            return 0.2 * min(1.0, (week + 1) / 3) - (0.05 if week >= 3 else 0.0)
        return 0.15 + 0.75 * (week - half + 1) / (weeks - half)
    if story == "watermelon":
        return 0.2 * t
    if story == "over":
        return 1.35 * t
    return -0.1 * t  # declining: the wrong way


def _confidence(story: str, week: int, weeks: int) -> int:
    t = week / max(1, weeks - 1)
    if story == "steady":
        return 7 + (week % 3 == 0)
    if story == "stalled":
        return round(7 - 4 * t)
    if story == "recovered":
        half = weeks // 2
        return max(3, 6 - week) if week < half else min(8, 5 + week - half)
    if story == "watermelon":
        return 9
    if story == "over":
        return min(10, 8 + round(2 * t))
    return max(2, round(5 - 3 * t))


def _trajectory(
    rng: random.Random, kr: KeyResult, story: str, weeks: int
) -> Iterator[tuple[float, int]]:
    """(value, confidence) for each week of a key result telling a story."""
    kind = kr.kind
    for week in range(weeks):
        confidence = _confidence(story, week, weeks)
        if kind in ("increase", "decrease"):
            start, target = float(kr.start_value or 0), float(kr.target_value or 0)
            share = _share(story, week, weeks, rng)
            yield round(start + share * (target - start), 2), confidence
        elif kind == "milestone":
            done_at = {"steady": weeks - 2, "over": weeks // 2, "recovered": weeks - 1}.get(story)
            yield (1.0 if done_at is not None and week >= done_at else 0.0), confidence
        else:  # maintain
            threshold = float(kr.target_value or 0)
            margin = abs(threshold) * (0.004 if kr.direction == "above" else 0.1) or 1.0
            breached = {
                "steady": False,
                "over": False,
                "recovered": week == weeks // 2,  # breached once, then held again
                "stalled": week >= weeks - 4,
                "watermelon": week >= weeks - 6,
                "declining": week >= weeks - 2,
            }[story]
            good = 1 if kr.direction == "above" else -1
            sign = -good if breached else good
            yield round(threshold + sign * margin * rng.uniform(0.5, 1.5), 3), confidence


def generate(
    scale: str | Scale,
    *,
    seed: int = 1,
    slug: str | None = None,
    today: dt.date | None = None,
    out: Callable[[str], None] = lambda line: None,
) -> Result:
    """Build a fresh organisation of the given scale (replacing one with the same slug)."""
    spec = SCALES[scale.upper()] if isinstance(scale, str) else scale
    slug = slug or f"bench-{spec.name.lower()}"
    generator = _Generator(spec, seed, slug, today or timezone.now().date(), out)
    started = time.perf_counter()
    if organisation_delete(slug):
        generator.step("delete previous", started)
        out(f"  removed the previous {slug} in {generator.seconds['delete previous']:.1f} s")
    with transaction.atomic():
        steps: list[tuple[str, Callable[[], None]]] = [
            ("organisation", generator.organisation),
            ("people", generator.people),
            ("teams", generator.teams),
            ("cycles and themes", generator.cycles_and_themes),
            ("objectives", generator.objectives),
            ("key results", generator.key_results),
            ("alignment links", generator.links),
            ("check-ins", generator.checkins),
            ("purpose survey", generator.purpose_survey),
        ]
        for name, action in steps:
            started = time.perf_counter()
            action()
            generator.step(name, started)
            out(f"  {name:<18} {generator.seconds[name]:7.1f} s")
        started = time.perf_counter()
        generator.store_progress()
        generator.step("recompute", started)
        out(f"  {'recompute':<18} {generator.seconds['recompute']:7.1f} s")
    # The flags an organisation has between two hourly refreshes of its worker.
    started = time.perf_counter()
    flags_refresh(generator.org)
    generator.step("flags", started)
    out(f"  {'flags':<18} {generator.seconds['flags']:7.1f} s")
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # VACUUM too: a regenerated organisation leaves the previous one's rows
            # dead in the tables, which a real database's autovacuum would clear.
            # (It cannot run inside a transaction, as in the tests.)
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        generator.step("analyze", started)
        out(f"  {'analyze':<18} {generator.seconds['analyze']:7.1f} s")
    else:
        # What the worker's daily "database.statistics" job does for SQLite.
        started = time.perf_counter()
        planner_statistics_refresh()
        generator.step("analyze", started)
        out(f"  {'analyze':<18} {generator.seconds['analyze']:7.1f} s")
    return Result(
        generator.org, generator.counts, generator.seconds, generator.stories, generator.kinds
    )
