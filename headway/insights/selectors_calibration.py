"""Reads for honest confidence: a closed cycle's check-ins as NumPy columns, each with
its key result's outcome, and the calibrations a member may see.

Calibration is private. A person sees their own; the people of a team (members and
leads) see their team's; owners and admins also see aggregates per level of the team
tree, and only where a level has enough key results, owners and teams that no person
or team can be read out of it. Nobody, admins included, sees another person's
calibration, and nothing here sorts people or teams by a score. The maths is
`metrics.calibration`; the rules are in docs/course-correction.md.

Every function loads its rows in a fixed number of queries (the key results, their
check-ins through the cursor, the team depths for levels) whatever the cycle's size.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from headway.accounts.models import Membership
from headway.goals import scoring
from headway.goals.models import CheckIn, Cycle, CycleStatus, KeyResult, KeyResultStatus
from headway.goals.selectors import cycle_get
from headway.lib.errors import Conflict
from headway.teams.models import Team
from headway.teams.selectors import teams_of_user, teams_tree

from .metrics.calibration import Calibration, calibrate, calibrate_groups
from .metrics.series import Floats, Ints

# A key result hits when its final score, read to one decimal as on the close page,
# is "delivered": 0.7 or more, a good result for an ambitious key result.
HIT_AT = scoring.SCORE_DELIVERED
# A level shows its figures only with at least this many key results, and owners and
# teams besides the viewer's own, so that no person and no team can be read out of a
# leader's aggregate.
MIN_LEVEL_KEY_RESULTS = 3
MIN_LEVEL_OWNERS = 2
MIN_LEVEL_TEAMS = 2

NOT_CLOSED = "Calibration is computed when the cycle closes."
ONLY_YOURS = "Calibration is private: you can see only your own."
ONLY_ADMINS = "Only owners and admins see calibration by level."


@dataclass(frozen=True)
class CycleCheckins:
    """The check-ins that count in a closed cycle's calibration, one row each."""

    confidence: Floats  # share of the organisation's scale, 0..1
    outcome: Floats  # the key result's final score (override when set), to one decimal
    key_result: Ints
    owner: Ints  # the person accountable: the key result's owner, else the personal objective's; 0 for nobody
    team: Ints  # the objective's owner team; 0 for a personal objective

    def where(self, keep: npt.NDArray[np.bool_]) -> CycleCheckins:
        """The rows where `keep` is true."""
        return CycleCheckins(
            self.confidence[keep],
            self.outcome[keep],
            self.key_result[keep],
            self.owner[keep],
            self.team[keep],
        )


@dataclass(frozen=True)
class TeamCalibration:
    team: Team
    calibration: Calibration


@dataclass(frozen=True)
class LevelCalibration:
    """One level of the team tree (0 = the organisation's own objectives). Without
    enough key results, owners or teams, `calibration` is None: no figures at all."""

    depth: int
    key_results: int
    owners: int  # besides the viewer
    teams: int  # besides the viewer's own teams
    calibration: Calibration | None

    @property
    def enough(self) -> bool:
        return self.calibration is not None


@dataclass(frozen=True)
class CalibrationReport:
    """What one member may see of a closed cycle's calibration."""

    cycle: Cycle
    me: Calibration
    teams: list[TeamCalibration]
    levels: list[LevelCalibration] | None  # None for everyone but owners and admins


# --- access -------------------------------------------------------------------------------


def require_closed(member: Membership, cycle: Cycle) -> None:
    """404 for another organisation's cycle; 409 while the cycle is not closed."""
    if cycle.organisation_id != member.organisation_id:
        raise Http404("No such cycle.")
    if cycle.status != CycleStatus.CLOSED:
        raise Conflict(NOT_CLOSED)


def calibration_cycle_get(member: Membership, cycle_id: int) -> Cycle:
    """The member's organisation's cycle (404 otherwise), refused until it is closed."""
    cycle = cycle_get(member, cycle_id)
    require_closed(member, cycle)
    return cycle


# --- the three views of calibration -----------------------------------------------------------


def _owned_q(user_id: int) -> Q:
    """Key results a person owns; an objective owned by a person counts for its key
    results without an owner of their own."""
    return Q(owner_id=user_id) | Q(owner__isnull=True, objective__owner_user_id=user_id)


def calibration_for_owner(member: Membership, cycle: Cycle, user_id: int) -> Calibration:
    """A person's own calibration over the key results they own. Only that person may
    see it: an admin asking for someone else's gets 403."""
    require_closed(member, cycle)
    if user_id != member.user_id:
        raise PermissionDenied(ONLY_YOURS)
    rows = cycle_checkins(member, cycle, _owned_q(user_id))
    return calibrate(rows.confidence, rows.outcome, rows.key_result, hit_at=HIT_AT)


def calibration_for_team(member: Membership, cycle: Cycle, team: Team) -> Calibration:
    """A team's calibration over the key results of the objectives it owns; only for
    its members and leads."""
    require_closed(member, cycle)
    if team.organisation_id != member.organisation_id:
        raise Http404("No such team.")
    if not teams_of_user(member).filter(pk=team.pk).exists():
        raise PermissionDenied(f"Only the people of {team.name} see its calibration.")
    rows = cycle_checkins(member, cycle, Q(objective__owner_team_id=team.pk))
    return calibrate(rows.confidence, rows.outcome, rows.key_result, hit_at=HIT_AT)


def calibration_by_level(member: Membership, cycle: Cycle) -> list[LevelCalibration]:
    """Aggregates per level of the team tree, for owners and admins only."""
    require_closed(member, cycle)
    if not member.is_admin:
        raise PermissionDenied(ONLY_ADMINS)
    rows = cycle_checkins(member, cycle, Q(objective__owner_team__isnull=False))
    return _levels(member, rows, list(teams_of_user(member).values_list("pk", flat=True)))


def calibration_report(member: Membership, cycle: Cycle) -> CalibrationReport:
    """Everything the member may see, from one load: their own calibration, each of
    their teams' (by team name), and the levels for owners and admins."""
    require_closed(member, cycle)
    teams = list(teams_of_user(member).order_by("name", "pk"))
    team_ids = [team.pk for team in teams]
    mine = _owned_q(member.user_id) | Q(objective__owner_team_id__in=team_ids)
    rows = cycle_checkins(member, cycle, Q() if member.is_admin else mine)
    own = rows.where(rows.owner == member.user_id)
    me = calibrate(own.confidence, own.outcome, own.key_result, hit_at=HIT_AT)
    ours = rows.where(np.isin(rows.team, team_ids))
    by_team = calibrate_groups(
        ours.confidence, ours.outcome, ours.key_result, ours.team, hit_at=HIT_AT
    )
    empty = calibrate([], [], [])
    return CalibrationReport(
        cycle=cycle,
        me=me,
        teams=[TeamCalibration(team, by_team.get(team.pk, empty)) for team in teams],
        levels=_levels(member, rows.where(rows.team > 0), team_ids) if member.is_admin else None,
    )


def _levels(
    member: Membership, rows: CycleCheckins, own_team_ids: list[int]
) -> list[LevelCalibration]:
    """One entry per level of the tree, top first; figures only for big enough ones.

    Owners and teams are counted besides the viewer and the viewer's own teams: an
    admin who already sees their own figures and their teams' could otherwise take
    them out of a level's aggregate and read what is left (one other person, or one
    other team)."""
    depths = dict(teams_tree(member).values_list("pk", "tree_depth"))
    if not depths:
        return []
    team_depth = np.array([depths.get(int(team), -1) for team in rows.team], dtype=np.int64)
    others = (
        np.isfinite(rows.confidence)
        & (rows.owner != member.user_id)
        & ~np.isin(rows.team, own_team_ids)
    )
    # An owner is the person accountable, or the team where no person is.
    owner = np.where(rows.owner > 0, rows.owner, -rows.team)
    found = calibrate_groups(
        rows.confidence, rows.outcome, rows.key_result, team_depth, hit_at=HIT_AT
    )
    levels = []
    for depth in range(max(depths.values()) + 1):
        at = others & (team_depth == depth)
        calibration = found.get(depth)
        key_results = calibration.key_results if calibration else 0
        owners = int(np.unique(owner[at]).size)
        teams = int(np.unique(rows.team[at]).size)
        enough = (
            key_results >= MIN_LEVEL_KEY_RESULTS
            and owners >= MIN_LEVEL_OWNERS
            and teams >= MIN_LEVEL_TEAMS
        )
        levels.append(
            LevelCalibration(depth, key_results, owners, teams, calibration if enough else None)
        )
    return levels


# --- loading ---------------------------------------------------------------------------------

KR_COLUMNS = (
    "pk",
    "kind",
    "progress",
    "score_override",
    "owner_id",
    "objective__owner_user_id",
    "objective__owner_team_id",
)


def cycle_checkins(member: Membership, cycle: Cycle, key_results: Q | None = None) -> CycleCheckins:
    """The check-ins within the cycle's dates of its key results (not dropped) matching
    `key_results`, each with its key result's final score: two queries."""
    chosen = KeyResult.objects.filter(
        key_results or Q(),
        organisation_id=member.organisation_id,
        objective__cycle_id=cycle.pk,
    ).exclude(status=KeyResultStatus.DROPPED)
    rows = list(chosen.order_by("pk").values_list(*KR_COLUMNS))
    if not rows:
        return _empty()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    outcome = np.array([_final_score(row[1], row[2], row[3]) for row in rows], dtype=np.float64)
    owner = np.array([row[4] or row[5] or 0 for row in rows], dtype=np.int64)
    team = np.array([row[6] or 0 for row in rows], dtype=np.int64)
    kr, confidence = _checkin_columns(member, cycle, chosen)
    at = np.searchsorted(ids, kr)
    share = confidence / float(member.organisation.confidence_scale)
    # A key result without a final score has no outcome to be calibrated against.
    share[~np.isfinite(outcome[at])] = math.nan
    return CycleCheckins(share, outcome[at], kr, owner[at], team[at])


def _final_score(kind: str, progress: float | None, override: float | None) -> float:
    score = scoring.effective_score(scoring.key_result_score(progress, kind), override)
    rounded = scoring.score_rounded(score)
    return math.nan if rounded is None else rounded


def _bounds(member: Membership, cycle: Cycle) -> tuple[dt.datetime, dt.datetime]:
    """The cycle's first and last day in the organisation's time zone, as instants."""
    zone = ZoneInfo(member.organisation.timezone or "UTC")
    start = dt.datetime.combine(cycle.start_date, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(cycle.end_date + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _checkin_columns(
    member: Membership, cycle: Cycle, chosen: QuerySet[KeyResult]
) -> tuple[Ints, Floats]:
    """(key result id, confidence) of each check-in, read through the cursor."""
    start, end = _bounds(member, cycle)
    query = (
        CheckIn.objects.filter(
            key_result__in=chosen.values("pk"),
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .values_list("key_result_id", "confidence")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    table = np.array(found, dtype=np.float64)
    return table[:, 0].astype(np.int64), table[:, 1]


def _empty() -> CycleCheckins:
    none = np.empty(0, dtype=np.int64)
    return CycleCheckins(np.empty(0), np.empty(0), none, none.copy(), none.copy())


__all__ = [
    "HIT_AT",
    "MIN_LEVEL_KEY_RESULTS",
    "MIN_LEVEL_OWNERS",
    "MIN_LEVEL_TEAMS",
    "NOT_CLOSED",
    "CalibrationReport",
    "CycleCheckins",
    "LevelCalibration",
    "TeamCalibration",
    "calibration_by_level",
    "calibration_cycle_get",
    "calibration_for_owner",
    "calibration_for_team",
    "calibration_report",
    "cycle_checkins",
]
