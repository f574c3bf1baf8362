"""Ready to pilot? The checklist a discovery record is measured against.

Pure: plain values in (`DiscoveryFacts`), plain items out (`ReadinessItem`), no
Django. Four things make an organisation or team ready to start a pilot: a real
reason (not only the first answer to "why OKRs?"), someone with the standing and the
time to champion it, one or two pilot teams, and an agreed expectation of how long
it takes. Each item says what is missing and which section of the form fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass

SENIOR = frozenset({"executive", "senior"})
RECOMMENDED_PILOT_TEAMS = 2
MAX_PILOT_TEAMS_BEFORE_WARNING = 3
FOLLOWUPS_FOR_A_REAL_REASON = 2


@dataclass(frozen=True)
class DiscoveryFacts:
    """What the checklist looks at, read off a discovery record."""

    real_reason: str = ""
    followups_answered: int = 0
    champion_named: bool = False
    champion_seniority: str = ""
    champion_hours_per_month: int | None = None
    pilot_teams: int = 0
    time_expectation: str = ""
    time_expectation_agreed: bool = False


@dataclass(frozen=True)
class ReadinessItem:
    """One line of the checklist: `missing` is empty when `done`; `warning` may be
    set on a done item (too many pilot teams)."""

    key: str
    label: str
    done: bool
    missing: str
    anchor: str
    warning: str = ""


def readiness(facts: DiscoveryFacts) -> list[ReadinessItem]:
    """The four items, in the order the form asks for them."""
    return [_reason(facts), _champion(facts), _pilot(facts), _time(facts)]


def is_ready(items: list[ReadinessItem]) -> bool:
    return all(item.done for item in items)


def _reason(facts: DiscoveryFacts) -> ReadinessItem:
    done = bool(facts.real_reason.strip()) or (
        facts.followups_answered >= FOLLOWUPS_FOR_A_REAL_REASON
    )
    missing = (
        ""
        if done
        else "Dig deeper than the first answer: answer at least two follow-up questions "
        "or write down the real reason."
    )
    return ReadinessItem("reason", "Real reason stated", done, missing, "why")


def _champion(facts: DiscoveryFacts) -> ReadinessItem:
    seniority = facts.champion_seniority
    hours = facts.champion_hours_per_month or 0
    done = facts.champion_named and (seniority in SENIOR or (seniority == "middle" and hours > 0))
    if done:
        missing = ""
    elif not facts.champion_named:
        missing = "Name a champion: a senior leader, or a middle manager with time for it."
    elif seniority == "middle":
        missing = "Say how many hours a month the middle manager gives the rollout."
    else:
        missing = "Say how senior the champion is: executive, senior leader or middle manager."
    return ReadinessItem(
        "champion", "Champion or motivated middle manager named", done, missing, "champion"
    )


def _pilot(facts: DiscoveryFacts) -> ReadinessItem:
    count = facts.pilot_teams
    done = count >= 1
    missing = "" if done else "Choose the pilot teams: one or two are enough to start."
    warning = (
        f"{count} pilot teams: start small, with {RECOMMENDED_PILOT_TEAMS} at most, "
        "and add teams once the pilot shows results."
        if count > MAX_PILOT_TEAMS_BEFORE_WARNING
        else ""
    )
    return ReadinessItem("pilot_teams", "Pilot teams chosen", done, missing, "pilot-teams", warning)


def _time(facts: DiscoveryFacts) -> ReadinessItem:
    stated = bool(facts.time_expectation.strip())
    done = stated and facts.time_expectation_agreed
    if done:
        missing = ""
    elif not stated:
        missing = "Write down how long the rollout is expected to take, and agree it."
    else:
        missing = "Agree the time expectation with the champion, then mark it agreed."
    return ReadinessItem("time", "Time expectation agreed", done, missing, "time")
