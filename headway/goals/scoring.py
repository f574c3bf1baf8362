"""Progress maths for key results, objectives, teams and themes. No Django here.

Worked examples of every rule are in docs/progress.md; tests/goals/test_scoring.py
holds them as a table.

- A key result's *raw* progress is how far its value has moved from the start towards
  the target (1.0 = reached, 1.3 = 30 % beyond, negative = went the wrong way). Its
  *progress* is the raw value clamped to 0..1 for bars and roll-ups, so one
  over-achiever cannot hide a failing sibling.
- An objective's progress is the weighted mean of its key results' progress and,
  when the organisation counts them, of its contributing children's progress.
- Items with no progress yet (None) are left out of a mean; a mean over nothing is None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class KeyResultKind(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    MILESTONE = "milestone"
    MAINTAIN = "maintain"


class MaintainDirection(StrEnum):
    ABOVE = "above"  # stay at or above the threshold
    BELOW = "below"  # stay at or below the threshold


@dataclass(frozen=True)
class Measure:
    """What progress is computed from. For `maintain`, `target` is the threshold."""

    kind: KeyResultKind
    start: float | None
    target: float | None
    current: float | None
    direction: MaintainDirection = MaintainDirection.ABOVE


@dataclass(frozen=True)
class Progress:
    raw: float | None  # unclamped; over 1 for over-achievement
    value: float | None  # clamped to 0..1

    @classmethod
    def of(cls, raw: float | None) -> Progress:
        return cls(raw, None if raw is None else min(1.0, max(0.0, raw)))


NONE = Progress(None, None)


def _finite(*numbers: float | None) -> bool:
    return all(n is not None and math.isfinite(n) for n in numbers)


def key_result_progress(measure: Measure) -> Progress:
    """Progress of one key result from its current value.

    Before the first check-in a key result stands at its start (0 progress), and a
    milestone is not done; a `maintain` key result has no progress until measured,
    since nobody knows yet whether it holds.
    """
    kind, current = measure.kind, measure.current
    if current is None:
        current = (
            measure.start if kind in (KeyResultKind.INCREASE, KeyResultKind.DECREASE) else None
        )
        if kind == KeyResultKind.MILESTONE:
            current = 0.0
    if current is None or not _finite(current):
        return NONE
    if kind == KeyResultKind.MILESTONE:
        return Progress.of(1.0 if current >= 1 else 0.0)
    if kind == KeyResultKind.MAINTAIN:
        if not _finite(measure.target):
            return NONE
        threshold = float(measure.target)  # type: ignore[arg-type]
        held = (
            current >= threshold
            if measure.direction == MaintainDirection.ABOVE
            else current <= threshold
        )
        return Progress.of(1.0 if held else 0.0)
    start, target = measure.start, measure.target
    if not _finite(start, target) or start == target:
        # Validation refuses start == target; a stored row like that has no scale.
        return NONE
    return Progress.of((current - start) / (target - start))  # type: ignore[operator]


def weighted_mean(items: Iterable[tuple[float, float | None]]) -> float | None:
    """Mean of (weight, progress) pairs, skipping unmeasured items and weights <= 0."""
    total = weighted = 0.0
    for weight, progress in items:
        if progress is None or weight <= 0 or not math.isfinite(weight):
            continue
        total += weight
        weighted += weight * progress
    if total == 0:
        return None
    return weighted / total


def objective_progress(
    key_results: Iterable[tuple[float, float | None]],
    children: Iterable[tuple[float, float | None]] = (),
    count_children: bool = True,
) -> float | None:
    """Weighted mean of key results and, if counted, of contributing children."""
    items = list(key_results)
    if count_children:
        items.extend(children)
    return weighted_mean(items)


def validate_measure(
    kind: KeyResultKind, start: float | None, target: float | None
) -> dict[str, str]:
    """Field errors for a key result's scale; empty when it is usable."""
    errors: dict[str, str] = {}
    if kind in (KeyResultKind.INCREASE, KeyResultKind.DECREASE):
        if start is None or not _finite(start):
            errors["start_value"] = "Give the value you start from."
        if target is None or not _finite(target):
            errors["target_value"] = "Give the value you aim for."
        if errors:
            return errors
        if start == target:
            errors["target_value"] = (
                "The target must differ from the start, or there is nothing to measure."
            )
        elif kind == KeyResultKind.INCREASE and target < start:  # type: ignore[operator]
            errors["target_value"] = (
                "An increasing key result needs a target above its start; use 'decrease' to go down."
            )
        elif kind == KeyResultKind.DECREASE and target > start:  # type: ignore[operator]
            errors["target_value"] = (
                "A decreasing key result needs a target below its start; use 'increase' to go up."
            )
    elif kind == KeyResultKind.MAINTAIN and (target is None or not _finite(target)):
        errors["target_value"] = "Give the threshold to stay above or below."
    return errors


def milestone_value(text: str) -> float:
    """Parse a milestone check-in: done/not done and their usual spellings."""
    normal = text.strip().lower()
    if normal in {"1", "done", "yes", "true", "complete", "completed"}:
        return 1.0
    if normal in {"0", "not done", "no", "false", "open", "pending"}:
        return 0.0
    try:
        number = float(normal)
    except ValueError:
        number = math.nan
    if number in (0.0, 1.0):
        return number
    raise ValueError("A milestone is either done (1) or not done (0).")


# --- cycle close: scores ----------------------------------------------------------------
#
# At the end of a cycle each key result gets a score from 0.0 to 1.0, and each objective
# the weighted mean of its key results' scores. The score is computed from the final
# progress and kept at full precision; pages show it with one decimal (0.7), the way
# OKR scores are usually read, and colour it by band: 0.7 and above delivered, 0.4 to
# 0.6 progress made, below 0.4 missed. A person may override a computed score with a
# reason (a target that turned out to be wrong, a measure that broke); the override
# then counts wherever the score does. docs/cycle-close.md has worked examples.

SCORE_DELIVERED = 0.7
SCORE_PROGRESS = 0.4


def key_result_score(progress: float | None, kind: KeyResultKind | str) -> float | None:
    """A key result's computed score from its final progress (raw or clamped).

    Increase and decrease: the progress clamped to 0..1 (over-achievement scores 1.0,
    going backwards 0.0). Milestone: 1.0 when done, else 0.0. Maintain: its progress,
    1.0 when the threshold held at the last check-in, 0.0 when breached. None when there
    is nothing to score (a maintain key result never measured).
    """
    if progress is None or not math.isfinite(progress):
        return None
    clamped = min(1.0, max(0.0, progress))
    if KeyResultKind(kind) == KeyResultKind.MILESTONE:
        return 1.0 if clamped >= 1.0 else 0.0
    return clamped


def effective_score(computed: float | None, override: float | None) -> float | None:
    """The score that counts: the override when someone set one, else the computed one."""
    return override if override is not None else computed


@dataclass(frozen=True)
class ScoredKeyResult:
    """One key result's part in its objective's score."""

    weight: float
    computed: float | None
    override: float | None = None
    dropped: bool = False

    @property
    def score(self) -> float | None:
        return effective_score(self.computed, self.override)


def objective_score(key_results: Iterable[ScoredKeyResult]) -> float | None:
    """Weighted mean of the key results' effective scores; dropped and unscored key
    results are left out, and an objective with nothing to score has no score."""
    return weighted_mean((kr.weight, kr.score) for kr in key_results if not kr.dropped)


def score_rounded(score: float | None) -> float | None:
    """The score as people read it, to one decimal, halves up (0.65 -> 0.7)."""
    if score is None:
        return None
    return math.floor(score * 10 + 0.5 + 1e-9) / 10


def score_band(score: float | None) -> str:
    """'delivered', 'progress' or 'missed' by the rounded score; '' without a score."""
    rounded = score_rounded(score)
    if rounded is None:
        return ""
    if rounded >= SCORE_DELIVERED:
        return "delivered"
    return "progress" if rounded >= SCORE_PROGRESS else "missed"
