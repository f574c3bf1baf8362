"""Adoption and maturity of OKR practice: pure maths over counted facts (no Django).

The selectors (`headway.insights.selectors_adoption`) count `Facts` for a group of
teams (one team, a level of the tree, a rollout phase, the pilot teams or the rest) in
one cycle; this module turns them into shares (`adoption`), checks a rollout phase's
success criteria (`criterion_status`) and places a team on the maturity ladder
(`maturity`). Rules and thresholds are documented in docs/adoption.md.

A figure that cannot be measured yet is None, never zero: a criterion on it is "not
enough data" (`met` None), and a stage that needs it is not reached. The dataclasses
and signatures are a contract the rollout plans build on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

# The metrics a success criterion can name (the values of `rollout.models.Metric`).
CHECKIN_RATE = "checkin_rate"
OUTCOME_SHARE = "outcome_share"
ALIGNED_SHARE = "aligned_share"
PEOPLE_WITH_OKRS = "people_with_okrs"
TEAMS_WITH_OKRS = "teams_with_okrs"
PIVOTS = "pivots"
LEARNINGS = "learnings"
CALIBRATION = "calibration"
SHARES = (CHECKIN_RATE, OUTCOME_SHARE, ALIGNED_SHARE, PEOPLE_WITH_OKRS, TEAMS_WITH_OKRS)
COUNTS = (PIVOTS, LEARNINGS)
METRICS = (*SHARES, *COUNTS, CALIBRATION)

# The calibration verdicts (as `metrics.calibration` writes them).
CALIBRATED = "calibrated"
NOT_ENOUGH = "not enough data"

# Enough data to say something. A check-in rate needs two weeks due per active key
# result on average (in practice two whole weeks of the cycle gone): one week says
# only whether this Monday went well. An outcome share needs two key results read by
# the coach: one objective with two key results is a whole, if small, set of OKRs,
# while a single key result would make the share all or nothing. An aligned share
# needs one objective (it is then 0% or 100%, and says so honestly).
MIN_WEEKS_PER_KEY_RESULT = 2
MIN_CLASSIFIED_KEY_RESULTS = 2
MIN_OBJECTIVES = 1

# The maturity ladder's thresholds (docs/adoption.md says why these).
RHYTHM_CHECKIN_RATE = 0.60
OUTCOMES_CHECKIN_RATE = 0.70
OUTCOMES_SHARE = 0.50
ALIGNED_SHARE_NEEDED = 0.70
LEARNINGS_NEEDED = 1

STAGE_NAMES = (
    "Not started",
    "Starting",
    "Rhythm",
    "Outcomes",
    "Aligned and adapting",
    "Learning",
)

# A share exactly on a threshold (0.7 of 10 weeks) must not miss it because of binary
# fractions.
EPSILON = 1e-9


@dataclass(frozen=True)
class Facts:
    """What was counted for a group of teams in one cycle.

    `checkin_weeks_due` counts, over the group's active key results, the whole weeks
    of the cycle elapsed so far (up to today or the cycle's end); `checkin_weeks_done`
    those of them with at least one check-in. `calibration` is the group's calibration
    verdict in a closed cycle (calibrated, optimistic, sandbagging, not enough data) or
    None while the cycle runs. Facts of disjoint groups add up with `+` (calibration
    then needs recounting over the union, so `+` gives None unless both agree).
    """

    teams: int = 0
    teams_with_okrs: int = 0
    people: int = 0
    people_with_okrs: int = 0
    objectives: int = 0
    aligned_objectives: int = 0
    key_results: int = 0
    outcome_key_results: int = 0
    classified_key_results: int = 0
    checkin_weeks_due: int = 0
    checkin_weeks_done: int = 0
    pivots: int = 0
    learnings: int = 0
    calibration: str | None = None

    def __add__(self, other: Facts) -> Facts:
        """The facts of two disjoint groups of teams together. People are summed too,
        so a person in both groups counts twice: the selectors recount people (and
        calibration) over a union instead of adding."""
        if not isinstance(other, Facts):
            return NotImplemented
        counts = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "calibration"
        }
        same = self.calibration if self.calibration == other.calibration else None
        return Facts(**counts, calibration=same)


@dataclass(frozen=True)
class Adoption:
    """The shares and counts a page shows; a share is None when there is not enough
    data to say (never shown as met or as zero)."""

    facts: Facts
    teams_with_okrs: float | None
    people_with_okrs: float | None
    checkin_rate: float | None
    outcome_share: float | None
    aligned_share: float | None
    pivots: int
    learnings: int
    calibration: str | None


@dataclass(frozen=True)
class CriterionStatus:
    """One success criterion against the figures: `met` is None for "not enough data"."""

    metric: str
    threshold: float
    value: float | int | str | None
    met: bool | None
    reason: str  # in words, e.g. "82% of weekly check-ins done (target 80%)"


@dataclass(frozen=True)
class Stage:
    """A team's place on the maturity ladder, 0 (not started) to 5, and what the next
    stage still needs, in words."""

    number: int
    name: str
    missing: list[str] = field(default_factory=list)


# --- shares -------------------------------------------------------------------------------


def _share(part: int, whole: int, enough: bool = True) -> float | None:
    return part / whole if whole > 0 and enough else None


def adoption(facts: Facts) -> Adoption:
    """The shares of `facts`, each None without enough data to say."""
    weeks_enough = facts.checkin_weeks_due >= MIN_WEEKS_PER_KEY_RESULT * facts.key_results
    return Adoption(
        facts=facts,
        teams_with_okrs=_share(facts.teams_with_okrs, facts.teams),
        people_with_okrs=_share(facts.people_with_okrs, facts.people),
        checkin_rate=_share(facts.checkin_weeks_done, facts.checkin_weeks_due, weeks_enough),
        outcome_share=_share(
            facts.outcome_key_results,
            facts.classified_key_results,
            facts.classified_key_results >= MIN_CLASSIFIED_KEY_RESULTS,
        ),
        aligned_share=_share(
            facts.aligned_objectives, facts.objectives, facts.objectives >= MIN_OBJECTIVES
        ),
        pivots=facts.pivots,
        learnings=facts.learnings,
        calibration=facts.calibration,
    )


def percent(share: float) -> str:
    """A share as a whole percentage, rounded down: "60%" always means at least 60%."""
    return f"{math.floor(share * 100 + EPSILON)}%"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def not_enough(metric: str, facts: Facts) -> str:
    """Why `metric` cannot be measured from `facts` yet, in words."""
    if metric == CHECKIN_RATE:
        if facts.key_results == 0:
            return "no active key results to check in on"
        need = MIN_WEEKS_PER_KEY_RESULT * facts.key_results
        return (
            f"{_plural(facts.checkin_weeks_due, 'check-in week')} due over "
            f"{_plural(facts.key_results, 'key result')}, needs {need} "
            f"({MIN_WEEKS_PER_KEY_RESULT} weeks each)"
        )
    if metric == OUTCOME_SHARE:
        return (
            f"{_plural(facts.classified_key_results, 'key result')} read by the coach, "
            f"needs {MIN_CLASSIFIED_KEY_RESULTS}"
        )
    if metric in (ALIGNED_SHARE, PIVOTS, LEARNINGS):
        return "no objectives yet (drafts aside)"
    if metric == PEOPLE_WITH_OKRS:
        return "nobody is a member of these teams"
    if metric == TEAMS_WITH_OKRS:
        return "no teams"
    if metric == CALIBRATION:
        if facts.calibration is None:
            return "calibration is computed when the cycle closes"
        return (
            "too few key results with check-ins to calibrate (at least 3; a group of teams "
            "also needs 2 owners and 2 teams)"
        )
    raise ValueError(f"Unknown metric {metric!r}; expected one of {', '.join(METRICS)}.")


# --- success criteria ---------------------------------------------------------------------

_SHARE_WORDS = {
    CHECKIN_RATE: ("of weekly check-ins done", "checkin_weeks_done", "checkin_weeks_due"),
    OUTCOME_SHARE: (
        "of key results read as outcomes",
        "outcome_key_results",
        "classified_key_results",
    ),
    ALIGNED_SHARE: ("of objectives reach strategy", "aligned_objectives", "objectives"),
    PEOPLE_WITH_OKRS: ("of people own an objective or key result", "people_with_okrs", "people"),
    TEAMS_WITH_OKRS: ("of teams have OKRs", "teams_with_okrs", "teams"),
}


def _share_status(metric: str, threshold: float, figures: Adoption) -> CriterionStatus:
    value: float | None = getattr(figures, metric)
    if value is None:
        reason = f"not enough data: {not_enough(metric, figures.facts)}"
        return CriterionStatus(metric, threshold, None, None, reason)
    words, part, whole = _SHARE_WORDS[metric]
    counted = f"{getattr(figures.facts, part)} of {getattr(figures.facts, whole)}"
    reason = f"{percent(value)} {words}, {counted} (target {percent(threshold)})"
    return CriterionStatus(metric, threshold, value, value >= threshold - EPSILON, reason)


def _count_status(metric: str, threshold: float, figures: Adoption) -> CriterionStatus:
    if figures.facts.objectives == 0:
        reason = f"not enough data: {not_enough(metric, figures.facts)}"
        return CriterionStatus(metric, threshold, None, None, reason)
    value: int = getattr(figures, metric)
    noun = "pivot" if metric == PIVOTS else "learning"
    reason = f"{_plural(value, noun)} recorded (target {threshold:g})"
    return CriterionStatus(metric, threshold, value, value >= threshold - EPSILON, reason)


def _calibration_status(threshold: float, figures: Adoption) -> CriterionStatus:
    verdict = figures.calibration
    if verdict is None or verdict == NOT_ENOUGH:
        reason = f"not enough data: {not_enough(CALIBRATION, figures.facts)}"
        return CriterionStatus(CALIBRATION, threshold, verdict, None, reason)
    met = verdict == CALIBRATED
    reason = f"confidence {verdict} at the close" + ("" if met else " (target calibrated)")
    return CriterionStatus(CALIBRATION, threshold, verdict, met, reason)


def criterion_status(metric: str, threshold: float, figures: Adoption) -> CriterionStatus:
    """Whether `figures` meet "`metric` at least `threshold`": shares 0-1 and counts are
    met from the threshold up; calibration is met when the verdict is "calibrated"
    (its threshold is ignored). A figure that cannot be measured yet gives `met` None
    and a reason starting "not enough data: ", never a pass."""
    if metric in SHARES:
        return _share_status(metric, threshold, figures)
    if metric in COUNTS:
        return _count_status(metric, threshold, figures)
    if metric == CALIBRATION:
        return _calibration_status(threshold, figures)
    raise ValueError(f"Unknown metric {metric!r}; expected one of {', '.join(METRICS)}.")


# --- maturity -----------------------------------------------------------------------------

_LABELS = {CHECKIN_RATE: "check-in rate", OUTCOME_SHARE: "outcome share", ALIGNED_SHARE: "aligned"}


def _at_least(figures: Adoption, metric: str, needed: float) -> list[str]:
    """[] when the share reaches `needed`; else what is missing, with the numbers."""
    value: float | None = getattr(figures, metric)
    label = _LABELS[metric]
    if value is None:
        return [
            f"{label} needs {percent(needed)}: not enough data yet "
            f"({not_enough(metric, figures.facts)})"
        ]
    if value >= needed - EPSILON:
        return []
    return [f"{label} {percent(value)}, needs {percent(needed)}"]


def _needs(stage: int, figures: Adoption) -> list[str]:
    """What stage 1 to 4 needs of one cycle's figures beyond the stage below it."""
    if stage == 1:
        if figures.facts.teams_with_okrs > 0:
            return []
        return ["an objective (not a draft) with at least one active key result"]
    if stage == 2:
        return _at_least(figures, CHECKIN_RATE, RHYTHM_CHECKIN_RATE)
    if stage == 3:
        return _at_least(figures, CHECKIN_RATE, OUTCOMES_CHECKIN_RATE) + _at_least(
            figures, OUTCOME_SHARE, OUTCOMES_SHARE
        )
    missing = _at_least(figures, ALIGNED_SHARE, ALIGNED_SHARE_NEEDED)
    if figures.learnings < LEARNINGS_NEEDED:
        recorded = "none" if figures.learnings == 0 else str(figures.learnings)
        missing.append(f"pivots or learnings recorded: {recorded}, needs {LEARNINGS_NEEDED}")
    return missing


def _cycle_stage(figures: Adoption) -> tuple[int, list[str]]:
    """The highest of stages 0-4 one cycle's figures reach, and what the next needs."""
    for stage in range(1, 5):
        missing = _needs(stage, figures)
        if missing:
            return stage - 1, missing
    return 4, []


def _learning_needs(history: Sequence[Adoption]) -> list[str]:
    """What stage 5 needs beyond stage 4 in the latest cycle: stage-4 figures in the
    cycle before too, and confidence calibrated at the latest close of the two."""
    missing = []
    if len(history) < 2:
        missing.append("stage-4 figures in the previous cycle too (there is none yet)")
    else:
        before, _ = _cycle_stage(history[-2])
        if before < 4:
            missing.append(f"stage-4 figures in the previous cycle too (it reached stage {before})")
    closed = [a.calibration for a in history[-2:] if a.calibration is not None]
    if not closed:
        missing.append("confidence calibrated at a cycle close (neither cycle is closed yet)")
    elif closed[-1] != CALIBRATED:
        missing.append("confidence calibrated at the latest cycle close")
    return missing


def maturity(history: Sequence[Adoption]) -> Stage:
    """The stage of the latest cycle in `history` (oldest first); some stages need the
    cycle before it too.

    0 Not started; 1 Starting: OKRs (an objective, not a draft, with an active key
    result); 2 Rhythm: check-in rate ≥ 60%; 3 Outcomes: check-in rate ≥ 70% and outcome
    share ≥ 50%; 4 Aligned and adapting: ≥ 70% of objectives reach strategy and ≥ 1
    pivot or learning; 5 Learning: stage-4 figures in this cycle and the one before,
    and confidence calibrated at the latest close of the two. A stage needs every one
    below it; a figure without enough data holds the team where it is.
    """
    if not history:
        return Stage(0, STAGE_NAMES[0], [_needs(1, adoption(Facts()))[0]])
    number, missing = _cycle_stage(history[-1])
    if number == 4:
        missing = _learning_needs(history)
        if not missing:
            number = 5
    return Stage(number, STAGE_NAMES[number], missing)
