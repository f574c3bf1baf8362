"""Checking the input of a rollout phase: its fields, dates, teams and criteria, and
whether it clashes with other phases (a team in two phases whose dates overlap).

The services (`rollout.services`) call these before writing anything; every error
goes into one dict of field errors so a refused request lists them all at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from headway.accounts.models import Membership
from headway.goals.models import Cycle
from headway.teams.models import Team

from . import rules
from .models import SHARE_METRICS, Metric, PhaseKind, RolloutPhase
from .selectors import team_parents

MAX_NAME = 120
MAX_NOTES = 4000
MAX_WEEKS = 260  # five years: longer is not a phase but a strategy
MAX_TEAMS = 100
FIRST_YEAR, LAST_YEAR = 1970, 2200  # keeps date sums far from the calendar's ends
COUNT_METRICS = frozenset({Metric.PIVOTS, Metric.LEARNINGS})
DEFAULT_CRITERIA: tuple[tuple[str, float], ...] = (
    (Metric.CHECKIN_RATE, 0.8),
    (Metric.OUTCOME_SHARE, 0.6),
    (Metric.ALIGNED_SHARE, 0.7),
    (Metric.PIVOTS, 1),
)
PHASE_FIELDS = frozenset(
    {"name", "kind", "starts_on", "ends_on", "expected_weeks", "cycle_id", "teams", "criteria"}
    | {"notes"}
)


def default_criteria() -> list[dict[str, Any]]:
    return [
        {"metric": str(metric), "threshold": threshold} for metric, threshold in DEFAULT_CRITERIA
    ]


# --- cleaning a phase --------------------------------------------------------------------


@dataclass
class PhaseInput:
    """A phase's cleaned input: model values, and the lists to replace (None: keep)."""

    values: dict[str, Any] = field(default_factory=dict)
    teams: list[tuple[int, bool]] | None = None
    criteria: list[tuple[str, float]] | None = None

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        return self.values["starts_on"], self.values["ends_on"]


class Context:
    """What cleaning and clash checks read from the organisation, loaded once."""

    def __init__(self, member: Membership) -> None:
        self.member = member
        self.org = member.organisation_id
        self._children: dict[int, list[int]] | None = None

    @property
    def children(self) -> dict[int, list[int]]:
        if self._children is None:
            self._children = rules.children_of(team_parents(self.org))
        return self._children

    def clash(self, phase: PhaseInput, others: Sequence[tuple[str, PhaseInput]]) -> str:
        """Why `phase` clashes with one of `others` (a team in both over overlapping
        dates), naming the team and the other phase; "" when it does not."""
        mine = rules.coverage(phase.teams or [], self.children)
        for label, other in others:
            if not rules.dates_overlap(phase.span, other.span):
                continue
            theirs = rules.coverage(other.teams or [], self.children)
            shared = sorted(set(mine) & set(theirs))
            if shared:
                return self._clash_message(shared, theirs, label, other)
        return ""

    def _clash_message(
        self, shared: list[int], theirs: dict[int, int], label: str, other: PhaseInput
    ) -> str:
        names = dict(
            Team.objects.filter(pk__in=[*shared, *theirs.values()]).values_list("pk", "name")
        )
        first = min(shared, key=lambda pk: names.get(pk, ""))
        who = names.get(first, "A team")
        if len(shared) > 1:
            more = len(shared) - 1
            who += f" (and {more} other team{'s' if more > 1 else ''})"
        via = theirs[first]
        through = f", through {names.get(via, '')} and the teams below it," if via != first else ""
        start, end = other.span
        return (
            f"{who} is already in {label}{through} from {day_words(start)} to {day_words(end)}, and "
            "the dates overlap: change the dates or the teams."
        )


def clean_phase(
    errors: dict[str, str],
    ctx: Context,
    given: Mapping[str, Any],
    prefix: str = "",
    current: RolloutPhase | None = None,
) -> PhaseInput:
    """Check a phase's input; errors go to `errors` under `prefix` + field name."""
    creating = current is None
    found: dict[str, str] = {}
    for name in sorted(set(given) - PHASE_FIELDS):
        found[name] = "Headway does not know this field of a phase."
    phase = PhaseInput()
    if "name" in given or creating:
        name = clean_text(found, "name", given.get("name"), MAX_NAME)
        if not name and "name" not in found:
            found["name"] = "Give the phase a name, e.g. “Pilot”."
        phase.values["name"] = name
    if "kind" in given or creating:
        kind = str(given.get("kind") or PhaseKind.CUSTOM)
        if kind not in PhaseKind.values:
            found["kind"] = f"Choose the kind of phase: {', '.join(PhaseKind.values)}."
        phase.values["kind"] = kind
    if "notes" in given:
        phase.values["notes"] = clean_text(found, "notes", given["notes"], MAX_NOTES)
    _clean_dates(found, phase, given, current)
    if "cycle_id" in given:
        phase.values["cycle_id"] = _cycle(found, ctx, given["cycle_id"])
    if "teams" in given or creating:
        phase.teams = _teams(found, ctx, given.get("teams"))
    if "criteria" in given or creating:
        rows = given.get("criteria")
        phase.criteria = _criteria(found, default_criteria() if rows is None else rows)
    errors.update({prefix + name: message for name, message in found.items()})
    return phase


def _clean_dates(
    errors: dict[str, str],
    phase: PhaseInput,
    given: Mapping[str, Any],
    current: RolloutPhase | None,
) -> None:
    """Dates and expected weeks. Creating, `ends_on` or `expected_weeks` may be left out
    (derived from the other); changing, what is left out keeps its value."""
    start = clean_date(errors, "starts_on", given.get("starts_on"), required=current is None)
    end = clean_date(errors, "ends_on", given.get("ends_on"), required=False)
    weeks = _weeks(errors, given.get("expected_weeks"))
    if {"starts_on", "ends_on", "expected_weeks"} & set(errors):
        return
    start = start or (current.starts_on if current else None)
    if start is None:
        return
    if end is None:
        if current is not None:
            end = current.ends_on
        elif weeks is not None:
            end = rules.end_after(start, weeks)
        else:
            errors["ends_on"] = "Give the phase's last day, or how many weeks it should take."
            return
    if end < start:
        errors["ends_on"] = (
            f"The phase would end on {day_words(end)}, before it starts on {day_words(start)}: "
            "choose a last day on or after the first."
        )
        return
    if weeks is None:
        weeks = current.expected_weeks if current else rules.weeks_of(start, end)
        if weeks > MAX_WEEKS:
            errors["ends_on"] = (
                f"A phase lasts at most {MAX_WEEKS} weeks (five years): choose an earlier "
                "last day, or split the phase."
            )
            return
    phase.values.update(starts_on=start, ends_on=end, expected_weeks=weeks)


def _weeks(errors: dict[str, str], value: object) -> int | None:
    if value in (None, ""):
        return None
    weeks = as_int(value)
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        errors["expected_weeks"] = (
            f"Give the expected time in whole weeks, from 1 to {MAX_WEEKS} (five years)."
        )
        return None
    return weeks


def _cycle(errors: dict[str, str], ctx: Context, value: object) -> int | None:
    if value in (None, ""):
        return None
    pk = as_int(value)
    if pk is None or not Cycle.objects.filter(organisation_id=ctx.org, pk=pk).exists():
        errors["cycle_id"] = (
            "Choose a cycle of this organisation, or none to measure over the cycle that "
            "overlaps the phase's dates most."
        )
    return pk


def _teams(errors: dict[str, str], ctx: Context, value: object) -> list[tuple[int, bool]]:
    rows = _team_rows(value)
    if rows is None:
        errors["teams"] = "List the teams as ids, or as {team_id, with_subtree}."
        return []
    if not rows:
        errors["teams"] = "A phase needs at least one team: choose the teams taking part."
        return []
    if len(rows) > MAX_TEAMS:
        errors["teams"] = (
            f"List at most {MAX_TEAMS} teams; take whole departments with the teams below."
        )
        return []
    ids = [team for team, _ in rows]
    names = dict(
        Team.objects.filter(organisation_id=ctx.org, pk__in=set(ids)).values_list("pk", "name")
    )
    if len(names) != len(set(ids)):
        errors["teams"] = "Choose teams of this organisation."
    elif len(set(ids)) != len(ids):
        twice = next(team for team in ids if ids.count(team) > 1)
        errors["teams"] = f"List each team once: {names[twice]} is listed twice."
    return rows


def _team_rows(value: object) -> list[tuple[int, bool]] | None:
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return None
    rows: list[tuple[int, bool]] = []
    for item in value:
        if isinstance(item, Mapping):
            team = as_int(item.get("team_id", item.get("id")))
            below = item.get("with_subtree", False)
        else:
            team, below = as_int(item), False
        if team is None or not isinstance(below, bool):
            return None
        rows.append((team, below))
    return rows


def _criteria(errors: dict[str, str], value: object) -> list[tuple[str, float]]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        errors["criteria"] = "List the criteria as {metric, threshold}."
        return []
    rows = list(value)
    if not rows:
        errors["criteria"] = (
            "Give at least one success criterion, e.g. a weekly check-in rate of at least 80%."
        )
    cleaned: list[tuple[str, float]] = []
    for n, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[f"criteria.{n}"] = "Give each criterion as {metric, threshold}."
            continue
        metric = str(row.get("metric") or "")
        threshold = _threshold(errors, f"criteria.{n}.threshold", metric, row.get("threshold"))
        if metric not in Metric.values:
            errors[f"criteria.{n}.metric"] = (
                f"Headway cannot measure “{metric[:40]}”: choose one of {', '.join(Metric.values)}."
            )
        elif any(metric == seen for seen, _ in cleaned):
            errors[f"criteria.{n}.metric"] = f"List each measure once: {metric} is listed twice."
        elif threshold is not None:
            cleaned.append((metric, threshold))
    return cleaned


def _threshold(errors: dict[str, str], key: str, metric: str, value: object) -> float | None:
    if metric == Metric.CALIBRATION:
        return 0.0  # calibrated or not: the verdict has no threshold
    number = _as_float(value)
    if metric in SHARE_METRICS:
        if number is None or not 0 <= number <= 1:
            errors[key] = "Give a share from 0 to 1 (0.8 for 80%)."
            return None
        return number
    if metric in COUNT_METRICS and (number is None or number < 0 or number != int(number)):
        errors[key] = "Give a whole number, 0 or more."
        return None
    return number


# --- small parsers -----------------------------------------------------------------------


def clean_text(errors: dict[str, str], name: str, value: object, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        errors[name] = f"Keep it under {limit} characters (it has {len(text)})."
    return text


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def clean_date(errors: dict[str, str], name: str, value: object, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[name] = "Give the date, as YYYY-MM-DD."
        return None
    if isinstance(value, dt.datetime):
        return _plausible(errors, name, value.date())
    if isinstance(value, dt.date):
        return _plausible(errors, name, value)
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"“{str(value)[:20]}” is not a date: write it as YYYY-MM-DD."
        return None
    return _plausible(errors, name, day)


def _plausible(errors: dict[str, str], name: str, day: dt.date) -> dt.date | None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[name] = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."
        return None
    return day


def day_words(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"
