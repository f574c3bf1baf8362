"""Adoption's counting: what each team of an organisation did in a set of cycles,
loaded once for the whole organisation, from which any group's facts follow.

`counts_load` reads the cycles in a fixed number of queries whatever the number of
teams, objectives or key results: the teams, team memberships, the organisation's
objectives, alignment links and themes (the alignment graph, read by `goals.alignment`
exactly as the health page reads it), the cycles' active key results, their check-in
days and pivots; and, for each closed cycle, the two queries of
`selectors_calibration.cycle_checkins`. The coach classifies the key results' titles
in one batch, each distinct key result once. The maths is `metrics.adoption`; the
public reads are `selectors_adoption`; definitions are in docs/adoption.md.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    ExpressionWrapper,
    Func,
    Q,
    QuerySet,
)

from headway.accounts.models import Membership, Organisation, Role
from headway.coach.checks import KeyResultDraft, check_key_results
from headway.coach.selectors import draft_of
from headway.goals import alignment
from headway.goals.models import (
    CheckIn,
    Cycle,
    CycleStatus,
    KeyResult,
    KeyResultStatus,
    Objective,
    ObjectiveStatus,
    Pivot,
    Theme,
)
from headway.goals.selectors_alignment.common import organisation_edges
from headway.teams.models import Team, TeamMembership

from .metrics import calibration as calibration_maths
from .metrics.adoption import Adoption, Facts, Stage, adoption, maturity
from .selectors_calibration import (
    HIT_AT,
    MIN_LEVEL_KEY_RESULTS,
    MIN_LEVEL_OWNERS,
    MIN_LEVEL_TEAMS,
    CycleCheckins,
    cycle_checkins,
)

WEEK = 7
# (id, owner team, owner person, cycle, status, has a retrospective's learning)
ObjectiveRow = tuple[Any, ...]


def organisation_today(organisation: Organisation) -> dt.date:
    """Today in the organisation's time zone."""
    return dt.datetime.now(ZoneInfo(organisation.timezone or "UTC")).date()


# --- the team tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamNode:
    """A team as adoption lists it: its place in the tree, depth-first."""

    id: int
    name: str
    slug: str
    parent_id: int | None
    depth: int


def team_tree(organisation: Organisation) -> list[TeamNode]:
    """The organisation's teams depth-first, siblings by name: one query."""
    rows = Team.objects.filter(organisation_id=organisation.pk).values_list(
        "pk", "name", "slug", "parent_id"
    )
    children: dict[int | None, list[tuple[int, str, str, int | None]]] = defaultdict(list)
    for row in rows:
        children[row[3]].append(row)
    ordered: list[TeamNode] = []

    def key(row: tuple[int, str, str, int | None]) -> tuple[str, int]:
        return row[1].lower(), row[0]

    stack = [(row, 0) for row in sorted(children[None], key=key, reverse=True)]
    while stack:
        (pk, name, slug, parent), depth = stack.pop()
        ordered.append(TeamNode(pk, name, slug, parent, depth))
        stack.extend((child, depth + 1) for child in sorted(children[pk], key=key, reverse=True))
    return ordered


def subtrees(teams: Sequence[TeamNode], roots: Iterable[int]) -> set[int]:
    """The teams of `roots` and every team below them (the tree is depth-first)."""
    wanted, found = set(roots), set()
    inside_depth: int | None = None
    for team in teams:
        if inside_depth is not None and team.depth <= inside_depth:
            inside_depth = None
        if inside_depth is None and team.id in wanted:
            inside_depth = team.depth
        if inside_depth is not None:
            found.add(team.id)
    return found


# --- one cycle's counts -------------------------------------------------------------------


@dataclass
class _Tally:
    """One team's counts in one cycle, before people and calibration."""

    objectives: int = 0
    aligned: int = 0
    retrospectives: int = 0
    key_results: int = 0
    outcomes: int = 0
    weeks_due: int = 0
    weeks_done: int = 0
    pivots: int = 0


_TALLY_FIELDS = [f.name for f in fields(_Tally)]


@dataclass
class CycleCounts:
    """What was counted in one cycle, per team, from which any group's facts follow."""

    cycle: Cycle
    tallies: dict[int, _Tally] = field(default_factory=dict)
    owners: set[int] = field(default_factory=set)  # people owning an objective or key result
    checkins: CycleCheckins | None = None  # a closed cycle's calibration rows
    verdicts: dict[int, str] = field(default_factory=dict)  # a closed cycle's, per team

    def tally(self, team_id: int) -> _Tally:
        return self.tallies.get(team_id) or _Tally()

    def verdict(self, team_id: int) -> str | None:
        """The team's own calibration verdict; None while the cycle is not closed."""
        if self.checkins is None:
            return None
        return self.verdicts.get(team_id, calibration_maths.NOT_ENOUGH)


def _reader(organisation: Organisation) -> Membership:
    """The organisation as `cycle_checkins` reads it: an admin's view (every key result),
    never saved. Adoption counts the whole organisation; who sees what is decided by
    the interfaces."""
    return Membership(organisation=organisation, role=Role.ADMIN)


@dataclass
class Counts:
    """Every team's counts in a set of cycles (oldest first), and the team tree."""

    organisation: Organisation
    teams: list[TeamNode]
    members: dict[int, frozenset[int]]
    cycles: list[CycleCounts]
    today: dt.date
    _adoptions: dict[tuple[int, int], Adoption] = field(default_factory=dict, repr=False)

    def counts_of(self, cycle: Cycle | int) -> CycleCounts:
        pk = cycle if isinstance(cycle, int) else cycle.pk
        return next(c for c in self.cycles if c.cycle.pk == pk)

    def before(self, cycle: Cycle | int) -> Cycle | None:
        """The cycle loaded just before `cycle`, if any."""
        pk = cycle if isinstance(cycle, int) else cycle.pk
        previous = None
        for counts in self.cycles:
            if counts.cycle.pk == pk:
                return previous
            previous = counts.cycle
        return None

    def team_ids(self) -> list[int]:
        return [t.id for t in self.teams]

    def team_facts(self, cycle: Cycle | int, team_id: int) -> Facts:
        """One team's facts, with its own calibration verdict (private to its people)."""
        counts = self.counts_of(cycle)
        members = self.members.get(team_id, frozenset())
        return _facts(counts.tally(team_id), 1, members, counts.owners, counts.verdict(team_id))

    def team_adoption(self, cycle: Cycle | int, team_id: int) -> Adoption:
        key = (cycle if isinstance(cycle, int) else cycle.pk, team_id)
        if key not in self._adoptions:
            self._adoptions[key] = adoption(self.team_facts(cycle, team_id))
        return self._adoptions[key]

    def facts(self, cycle: Cycle | int, team_ids: Collection[int]) -> Facts:
        """The facts of a group of teams: counts summed, people counted once however many
        of the teams they are in, calibration recounted over the group as an aggregate
        (`group_verdict`)."""
        counts = self.counts_of(cycle)
        ids = set(team_ids)
        total, with_okrs = _Tally(), 0
        for team_id in ids:
            tally = counts.tally(team_id)
            with_okrs += tally.key_results > 0
            for name in _TALLY_FIELDS:
                setattr(total, name, getattr(total, name) + getattr(tally, name))
        people = frozenset().union(*(self.members.get(t, frozenset()) for t in ids))
        verdict = None if counts.checkins is None else group_verdict(counts.checkins, ids)
        return replace(
            _facts(total, len(ids), people, counts.owners, verdict), teams_with_okrs=with_okrs
        )

    def adoption_of(self, cycle: Cycle | int, team_ids: Collection[int]) -> Adoption:
        return adoption(self.facts(cycle, team_ids))

    def stage(self, team_id: int, cycle: Cycle | int) -> Stage:
        """The team's stage in `cycle`, from its figures there and in the cycle before."""
        previous = self.before(cycle)
        history = [self.team_adoption(cycle, team_id)]
        if previous is not None:
            history.insert(0, self.team_adoption(previous, team_id))
        return maturity(history)


def _facts(
    tally: _Tally, teams: int, people: frozenset[int], owners: set[int], verdict: str | None
) -> Facts:
    return Facts(
        teams=teams,
        teams_with_okrs=int(tally.key_results > 0),
        people=len(people),
        people_with_okrs=len(people & owners),
        objectives=tally.objectives,
        aligned_objectives=tally.aligned,
        key_results=tally.key_results,
        outcome_key_results=tally.outcomes,
        classified_key_results=tally.key_results,
        checkin_weeks_due=tally.weeks_due,
        checkin_weeks_done=tally.weeks_done,
        pivots=tally.pivots,
        learnings=tally.pivots + tally.retrospectives,
        calibration=verdict,
    )


def _calibrate(rows: CycleCheckins) -> calibration_maths.Calibration:
    return calibration_maths.calibrate(
        rows.confidence, rows.outcome, rows.key_result, hit_at=HIT_AT
    )


def group_verdict(checkins: CycleCheckins, team_ids: Collection[int]) -> str:
    """A group's calibration verdict, as an aggregate: like a level of the calibration
    page, it needs key results, owners and teams enough that no person or team can be
    read out of it; below that, "not enough data"."""
    keep = np.isin(checkins.team, np.fromiter(team_ids, np.int64, count=len(team_ids)))
    rows = checkins.where(keep & np.isfinite(checkins.confidence))
    owner = np.where(rows.owner > 0, rows.owner, -rows.team)
    found = _calibrate(rows)
    enough = (
        found.key_results >= MIN_LEVEL_KEY_RESULTS
        and np.unique(owner).size >= MIN_LEVEL_OWNERS
        and np.unique(rows.team).size >= MIN_LEVEL_TEAMS
    )
    return found.verdict if enough else calibration_maths.NOT_ENOUGH


# --- loading ------------------------------------------------------------------------------


def _members(organisation: Organisation) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    rows = TeamMembership.objects.filter(team__organisation_id=organisation.pk)
    for team_id, user_id in rows.values_list("team_id", "user_id"):
        found[team_id].add(user_id)
    return {team: frozenset(users) for team, users in found.items()}


def _objectives(
    organisation: Organisation, depth: dict[int, int]
) -> tuple[list[ObjectiveRow], alignment.Graph]:
    """Every objective of the organisation (the graph needs the cycles around too) and
    the alignment graph over them: three queries."""
    learned = ExpressionWrapper(~Q(retro_learned=""), output_field=BooleanField())
    rows = list(
        Objective.objects.filter(organisation_id=organisation.pk)
        .annotate(learned=learned)
        .order_by()
        .values_list("pk", "owner_team_id", "owner_user_id", "cycle_id", "status", "learned")
    )
    nodes = [
        alignment.Node(pk, team, cycle, status, level=depth.get(team) if team else None)
        for pk, team, _, cycle, status, _ in rows
    ]
    edges = organisation_edges(organisation.pk)
    themes = [
        alignment.ThemeNode(pk, team, archived is not None)
        for pk, team, archived in Theme.objects.filter(organisation_id=organisation.pk).values_list(
            "pk", "team_id", "archived_at"
        )
    ]
    return rows, alignment.build_graph(nodes, edges, themes)


def _count_objectives(
    counts: dict[int, CycleCounts],
    rows: list[ObjectiveRow],
    graph: alignment.Graph,
) -> None:
    """Objectives (drafts aside) and those reaching strategy, per team; retrospectives
    that say what was learned (as the learning log shows them); the people who own one."""
    reach = alignment.distance_to_strategy(graph)
    for (_, team, user, cycle, status, learned), distance in zip(rows, reach, strict=True):
        found = counts.get(cycle)
        if found is None or status == ObjectiveStatus.DRAFT:
            continue
        if user is not None:
            found.owners.add(user)
            continue
        tally = found.tallies.setdefault(team, _Tally())
        tally.objectives += 1
        tally.aligned += int(distance > 0)
        closed = status == ObjectiveStatus.CLOSED or found.cycle.status == CycleStatus.CLOSED
        tally.retrospectives += int(bool(learned) and closed)


KR_COLUMNS = ("kind", "start_value", "target_value", "unit", "format", "title")
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A values_list query's rows straight from the cursor, without Django's converters
    (at hundreds of thousands of check-ins they cost seconds)."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # e.g. no cycles asked for
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
    return found


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970 (UTC), computed by the database:
    hundreds of thousands of check-in times then cross as plain integers, without the
    datetime parsing that costs seconds on both sides of the cursor."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)",
            **extra,
        )


def local_days_of(seconds: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """The days (ordinals) in `zone` of instants given as seconds since 1970 (UTC). The
    zone's offset is looked up once per distinct hour, so summer time is right to the
    hour."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if seconds.size == 0:
        return np.zeros(0, np.int64)
    hours, at = np.unique(seconds // 3600, return_inverse=True)
    offsets = np.fromiter(
        (
            dt.datetime.fromtimestamp(int(h) * 3600, dt.UTC)
            .astimezone(zone)
            .utcoffset()
            .total_seconds()  # type: ignore[union-attr]
            for h in hours
        ),
        np.int64,
        count=hours.size,
    )
    return (seconds + offsets[at.reshape(-1)]) // 86400 + EPOCH_ORDINAL


def local_days(instants: Sequence[Any], zone: ZoneInfo) -> np.ndarray:
    """The days (ordinals) in `zone` of UTC instants as the database hands them back:
    naive UTC datetimes (or text) on SQLite, aware datetimes on PostgreSQL. The zone's
    offset is looked up once per distinct hour, so summer time is right to the hour."""
    if not instants:
        return np.zeros(0, np.int64)
    if isinstance(instants[0], str) or instants[0].tzinfo is None:
        seconds = np.array(instants, dtype="datetime64[us]").astype(np.int64) // 1_000_000
    else:
        seconds = np.fromiter((v.timestamp() for v in instants), np.float64, len(instants))
        seconds = seconds.astype(np.int64)
    return local_days_of(seconds, zone)


def _key_results(organisation: Organisation, cycle_ids: list[int]) -> list[tuple[Any, ...]]:
    """Active key results of objectives (drafts aside) in the cycles, each with the day
    it was created in the organisation's time zone: one query."""
    rows = _rows(
        KeyResult.objects.filter(
            organisation_id=organisation.pk,
            objective__cycle_id__in=cycle_ids,
            status=KeyResultStatus.ACTIVE,
        )
        .exclude(objective__status=ObjectiveStatus.DRAFT)
        .order_by("pk")
        .values_list(
            "pk",
            "objective__owner_team_id",
            "objective__cycle_id",
            "owner_id",
            "created_at",
            *KR_COLUMNS,
        )
    )
    days = local_days([row[4] for row in rows], _zone(organisation))
    return [(*row[:4], int(day), *row[5:]) for row, day in zip(rows, days, strict=True)]


def _zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.timezone or "UTC")


def _checkin_days(
    organisation: Organisation, cycle_ids: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(key result id, day in the organisation's time zone) of each check-in of the
    cycles' active key results: one query, read through the cursor."""
    rows = _rows(
        CheckIn.objects.filter(
            organisation_id=organisation.pk,
            key_result__objective__cycle_id__in=cycle_ids,
            key_result__status=KeyResultStatus.ACTIVE,
        )
        .order_by()
        .annotate(at=EpochSeconds("created_at"))
        .values_list("key_result_id", "at")
    )
    found = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return found[:, 0].copy(), local_days_of(found[:, 1], _zone(organisation))


def checkin_weeks(
    starts: np.ndarray, ends: np.ndarray, checkin_at: np.ndarray, checkin_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weeks due and weeks with a check-in, per key result (days as ordinals).

    Key result `i`'s weeks run from `starts[i]` in steps of seven days; the whole weeks
    up to `ends[i]` (included) are due, and a week is done when any day in it has a
    check-in. `checkin_at` gives each check-in day's key result by position."""
    due = np.maximum(0, (ends - starts + 1) // WEEK)
    if starts.size == 0 or checkin_at.size == 0:
        return due, np.zeros(starts.size, np.int64)
    week = (checkin_day - starts[checkin_at]) // WEEK
    counted = (checkin_day >= starts[checkin_at]) & (week < due[checkin_at])
    # One cell per key result and week: several check-ins in a week mark it once.
    done = np.zeros((starts.size, max(int(due.max()), 1)), np.bool_)
    done[checkin_at[counted], week[counted]] = True
    return due, done.sum(axis=1)


def _weeks(
    ids: np.ndarray,
    created: np.ndarray,
    cycle_start: np.ndarray,
    ends: np.ndarray,
    checkins: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Weeks due and done per key result (`ids` sorted). A key result owes check-ins
    from the cycle's start, or from when it existed if later: its creation, or its
    first check-in if that came earlier (imported and backfilled key results)."""
    checkin_kr, checkin_day = checkins
    if ids.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    at = np.searchsorted(ids, checkin_kr).clip(0, ids.size - 1)
    known = ids[at] == checkin_kr
    at, day = at[known], checkin_day[known]
    first = created.copy()
    np.minimum.at(first, at, day)
    return checkin_weeks(np.maximum(cycle_start, first), ends, at, day)


def _count_key_results(
    counts: dict[int, CycleCounts],
    rows: list[tuple[Any, ...]],
    checkins: tuple[np.ndarray, np.ndarray],
    today: dt.date,
) -> None:
    """Key results, outcomes and check-in weeks per team; key-result owners."""
    team_rows = [row for row in rows if row[1] is not None]
    cycles = [counts[row[2]].cycle for row in team_rows]
    size = len(team_rows)
    due, done = _weeks(
        np.fromiter((row[0] for row in team_rows), np.int64, count=size),
        np.fromiter((row[4] for row in team_rows), np.int64, count=size),
        np.fromiter((c.start_date.toordinal() for c in cycles), np.int64, count=size),
        np.fromiter((min(today, c.end_date).toordinal() for c in cycles), np.int64, count=size),
        checkins,
    )
    verdicts = _verdicts(team_rows)
    for n, row in enumerate(team_rows):
        tally = counts[row[2]].tallies.setdefault(row[1], _Tally())
        tally.key_results += 1
        tally.outcomes += int(verdicts[n] == "outcome")
        tally.weeks_due += int(due[n])
        tally.weeks_done += int(done[n])
    for row in rows:
        if row[3] is not None:
            counts[row[2]].owners.add(row[3])


# The coach's verdict depends only on the key result's draft (title, kind, numbers) and
# the committed model, so a process keeps the verdicts it has worked out: titles rarely
# change between two adoption pages or briefs, and classifying 10,000 titles costs
# over a second. Bounded, oldest out first.
VERDICTS_KEPT = 200_000
_verdicts_kept: dict[KeyResultDraft, str] = {}
_verdicts_lock = threading.Lock()


def _verdicts(rows: list[tuple[Any, ...]]) -> list[str]:
    """The coach's verdict on each key result: each distinct draft classified once, in
    one batch, and only if this process has not classified it before."""
    drafts = [draft_of(dict(zip(KR_COLUMNS, row[5:], strict=True))) for row in rows]
    distinct = list(dict.fromkeys(drafts))
    known = {d: _verdicts_kept[d] for d in distinct if d in _verdicts_kept}
    missing = [d for d in distinct if d not in known]
    if missing:
        known.update(
            (d, str(c.verdict)) for d, c in zip(missing, check_key_results(missing), strict=True)
        )
        with _verdicts_lock:
            _verdicts_kept.update((d, known[d]) for d in missing)
            for old in list(_verdicts_kept)[: max(0, len(_verdicts_kept) - VERDICTS_KEPT)]:
                del _verdicts_kept[old]
    return [known[d] for d in drafts]


def _pivots(counts: dict[int, CycleCounts], organisation: Organisation) -> None:
    rows = (
        Pivot.objects.filter(
            organisation_id=organisation.pk,
            objective__cycle_id__in=list(counts),
            objective__owner_team__isnull=False,
        )
        .values_list("objective__owner_team_id", "objective__cycle_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for team, cycle, n in rows:
        counts[cycle].tallies.setdefault(team, _Tally()).pivots += n


def counts_load(
    organisation: Organisation, cycles: Sequence[Cycle], today: dt.date | None = None
) -> Counts:
    """Every team's counts in `cycles`: eight queries, and two per closed cycle, whatever
    the number of teams, objectives and key results."""
    today = today or organisation_today(organisation)
    teams = team_tree(organisation)
    members = _members(organisation)
    counts = {c.pk: CycleCounts(c) for c in cycles}
    rows, graph = _objectives(organisation, {t.id: t.depth for t in teams})
    _count_objectives(counts, rows, graph)
    cycle_ids = list(counts)
    _count_key_results(
        counts,
        _key_results(organisation, cycle_ids),
        _checkin_days(organisation, cycle_ids),
        today,
    )
    _pivots(counts, organisation)
    reader = _reader(organisation)
    for found in counts.values():
        if found.cycle.status == CycleStatus.CLOSED:
            checkins = cycle_checkins(reader, found.cycle, Q(objective__owner_team__isnull=False))
            found.checkins = checkins
            by_team = calibration_maths.calibrate_groups(
                checkins.confidence,
                checkins.outcome,
                checkins.key_result,
                checkins.team,
                hit_at=HIT_AT,
            )
            found.verdicts = {int(team): c.verdict for team, c in by_team.items()}
    ordered = sorted(
        counts.values(), key=lambda c: (c.cycle.start_date, -c.cycle.end_date.toordinal())
    )
    return Counts(organisation, teams, members, ordered, today)
