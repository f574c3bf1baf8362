"""The rules of rollout plans that need no database: which teams a phase covers, when
two phases clash, the default three-phase layout, expected time in words, and why a
team makes a good pilot.

Plain values in, plain values out (no Django import), tested table-driven in
tests/rollout/test_rules.py. The services and selectors fetch the facts and call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

QUARTER_WEEKS = 13  # a pilot's length when the organisation has no quarter to go by
MIN_PILOT_PEOPLE, MAX_PILOT_PEOPLE = 3, 12  # a team small enough to learn fast
NUMBER_WORDS = dict(
    enumerate(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"], 1
    )
)


# --- teams and dates ---------------------------------------------------------------------


def children_of(parents: Mapping[int, int | None]) -> dict[int, list[int]]:
    """The tree's child lists from a {team: parent} map."""
    children: dict[int, list[int]] = {}
    for team, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(team)
    return children


def subtree(team: int, children: Mapping[int, Sequence[int]]) -> set[int]:
    """The team and every team below it."""
    found, stack = {team}, [team]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def coverage(
    teams: Iterable[tuple[int, bool]], children: Mapping[int, Sequence[int]]
) -> dict[int, int]:
    """Every team a phase covers, mapped to the listed team that brings it in: the
    listed teams themselves, and the teams below those listed `with_subtree`."""
    covered: dict[int, int] = {}
    for team, with_subtree in teams:
        covered.setdefault(team, team)
        if with_subtree:
            for below in subtree(team, children):
                covered.setdefault(below, team)
    return covered


def dates_overlap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    """Two inclusive date ranges share at least one day."""
    return a[0] <= b[1] and b[0] <= a[1]


def overlap_days(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> int:
    return max(0, (min(a[1], b[1]) - max(a[0], b[0])).days + 1)


def weeks_of(start: dt.date, end: dt.date) -> int:
    """The whole weeks an inclusive date range lasts, rounded (a quarter: 13)."""
    return max(1, round(((end - start).days + 1) / 7))


def end_after(start: dt.date, weeks: int) -> dt.date:
    """The last day of `weeks` weeks starting on `start`."""
    return start + dt.timedelta(days=7 * weeks - 1)


def ancestors(team: int, parents: Mapping[int, int | None]) -> list[int]:
    """The team's ancestors, nearest first."""
    found: list[int] = []
    parent = parents.get(team)
    while parent is not None and parent not in found:
        found.append(parent)
        parent = parents.get(parent)
    return found


def department_of(pilots: Sequence[int], parents: Mapping[int, int | None]) -> int | None:
    """The nearest team above every pilot team (its parent for one pilot), or None when
    that is a top-level team: the organisation phase covers it already."""
    if not pilots:
        return None
    common = ancestors(pilots[0], parents)
    for pilot in pilots[1:]:
        above = set(ancestors(pilot, parents))
        common = [team for team in common if team in above]
    if not common or parents.get(common[0]) is None:
        return None
    return common[0]


def weeks_in_words(weeks: int) -> str:
    """ "13 weeks (one quarter)", "26 weeks (two quarters)", "52 weeks (one year)",
    "6 weeks (about a month and a half)"… the expected time stated up front."""
    unit = "week" if weeks == 1 else "weeks"
    if weeks % 52 == 0:
        years = weeks // 52
        return f"{weeks} {unit} ({_count(years, 'year')})"
    if weeks % QUARTER_WEEKS == 0:
        return f"{weeks} {unit} ({_count(weeks // QUARTER_WEEKS, 'quarter')})"
    if weeks < 3:
        return f"{weeks} {unit}"
    months = round(weeks / 4.345 * 2) / 2  # to the nearest half month
    whole = int(months)
    if months <= 1:
        about = "about a month"
    elif months == 1.5:
        about = "about a month and a half"
    elif months == whole:
        about = f"about {_count(whole, 'month')}"
    else:
        about = f"about {NUMBER_WORDS.get(whole, str(whole))} and a half months"
    return f"{weeks} {unit} ({about})"


def _count(n: int, noun: str) -> str:
    return f"{NUMBER_WORDS.get(n, str(n))} {noun}{'' if n == 1 else 's'}"


# --- pilot suggestions -------------------------------------------------------------------


@dataclass(frozen=True)
class PilotFacts:
    """What is known about one team for choosing a pilot."""

    people: int
    leads: Sequence[str] = ()
    discovery_pilot: bool = False
    wanted_by: Sequence[tuple[str, str]] = ()  # (leader's name, the problem in words)
    key_results: int = 0
    numeric_key_results: int = 0
    checkins: int = 0
    checkin_days: int = 90


@dataclass(frozen=True)
class PilotScore:
    """A team's score as a pilot, with the reasons for it and the cautions against it,
    in words; the score is only for ordering."""

    score: int
    reasons: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)


def pilot_score(facts: PilotFacts) -> PilotScore:
    """Score a team as a pilot: chosen in discovery (+3), a leader who wants it (+2),
    a manageable size of 3-12 people (+2), a lead named (+1), work that can be
    measured: most key results with numeric targets (+2) and recent check-ins (+1)."""
    score = 0
    reasons: list[str] = []
    cautions: list[str] = []
    if facts.discovery_pilot:
        score += 3
        reasons.append("Chosen as a pilot team in discovery.")
    for name, problem in facts.wanted_by:
        score += 2
        reasons.append(f"{name}, a leader in discovery, wants OKRs to solve {problem}.")
    size = _size(facts.people)
    score += size[0]
    (reasons if size[0] > 0 else cautions).append(size[1])
    if facts.leads:
        score += 1
        reasons.append(f"Led by {_names(facts.leads)}.")
    else:
        cautions.append("No lead named: name one before the pilot starts.")
    measured = _measured(facts)
    score += measured[0]
    reasons.extend(measured[1])
    cautions.extend(measured[2])
    return PilotScore(score, reasons, cautions)


def _size(people: int) -> tuple[int, str]:
    if MIN_PILOT_PEOPLE <= people <= MAX_PILOT_PEOPLE:
        return 2, f"{people} people: a manageable size for a pilot."
    if people < MIN_PILOT_PEOPLE:
        who = "nobody yet" if people == 0 else f"only {_count(people, 'person')}"
        return -1, f"{who.capitalize()}: small to learn from (3 to 12 people is best)."
    return -1, f"{people} people: large for a pilot (3 to 12 is best)."


def _measured(facts: PilotFacts) -> tuple[int, list[str], list[str]]:
    score = 0
    reasons: list[str] = []
    cautions: list[str] = []
    if facts.key_results:
        share = facts.numeric_key_results / facts.key_results
        said = (
            f"{facts.numeric_key_results} of its {facts.key_results} recent key results "
            "have numeric targets"
        )
        if share >= 0.5:
            score += 2
            reasons.append(f"{said}: its work can be measured.")
        else:
            cautions.append(f"Only {said[0].lower()}{said[1:]}.")
    else:
        cautions.append("No key results in the last year: how its work is measured is unknown.")
    if facts.checkins:
        score += 1
        times = "once" if facts.checkins == 1 else f"{facts.checkins} times"
        reasons.append(f"Checked in {times} in the last {facts.checkin_days} days.")
    return score, reasons, cautions


def _names(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
