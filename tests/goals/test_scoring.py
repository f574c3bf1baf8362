"""The progress rules as a table; docs/progress.md walks through the same examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headway.goals.scoring import (
    KeyResultKind as K,
)
from headway.goals.scoring import (
    MaintainDirection as D,
)
from headway.goals.scoring import (
    Measure,
    ScoredKeyResult,
    effective_score,
    key_result_progress,
    key_result_score,
    milestone_value,
    objective_progress,
    objective_score,
    score_band,
    score_rounded,
    validate_measure,
    weighted_mean,
)

KR_CASES = [
    # kind, start, target, current, direction, raw, clamped
    ("halfway up", K.INCREASE, 20, 60, 40, D.ABOVE, 0.5, 0.5),
    ("not moved", K.INCREASE, 20, 60, 20, D.ABOVE, 0.0, 0.0),
    ("over-achieved", K.INCREASE, 20, 60, 72, D.ABOVE, 1.3, 1.0),
    ("went backwards", K.INCREASE, 20, 60, 10, D.ABOVE, -0.25, 0.0),
    ("decrease halfway", K.DECREASE, 48, 24, 36, D.ABOVE, 0.5, 0.5),
    ("decrease beyond", K.DECREASE, 48, 24, 12, D.ABOVE, 1.5, 1.0),
    ("decrease got worse", K.DECREASE, 48, 24, 60, D.ABOVE, -0.5, 0.0),
    ("negative values", K.INCREASE, -10, 10, 0, D.ABOVE, 0.5, 0.5),
    ("negative to more negative", K.DECREASE, -5, -25, -20, D.ABOVE, 0.75, 0.75),
    ("no check-in yet stands at the start", K.INCREASE, 20, 60, None, D.ABOVE, 0.0, 0.0),
    ("milestone without check-in is not done", K.MILESTONE, None, None, None, D.ABOVE, 0.0, 0.0),
    ("start equals target", K.INCREASE, 5, 5, 5, D.ABOVE, None, None),
    ("milestone done", K.MILESTONE, 0, 1, 1, D.ABOVE, 1.0, 1.0),
    ("milestone not done", K.MILESTONE, 0, 1, 0, D.ABOVE, 0.0, 0.0),
    ("maintain above, held", K.MAINTAIN, None, 99.5, 99.7, D.ABOVE, 1.0, 1.0),
    ("maintain above, on the line", K.MAINTAIN, None, 99.5, 99.5, D.ABOVE, 1.0, 1.0),
    ("maintain above, breached", K.MAINTAIN, None, 99.5, 99.1, D.ABOVE, 0.0, 0.0),
    ("maintain above, recovered", K.MAINTAIN, None, 99.5, 99.8, D.ABOVE, 1.0, 1.0),
    ("maintain below, held", K.MAINTAIN, None, 2.0, 1.2, D.BELOW, 1.0, 1.0),
    ("maintain below, breached", K.MAINTAIN, None, 2.0, 2.4, D.BELOW, 0.0, 0.0),
    ("maintain without value", K.MAINTAIN, None, 2.0, None, D.BELOW, None, None),
]


@pytest.mark.parametrize(
    ("case", "kind", "start", "target", "current", "direction", "raw", "clamped"),
    KR_CASES,
    ids=[c[0] for c in KR_CASES],
)
def test_key_result_progress(case, kind, start, target, current, direction, raw, clamped):
    progress = key_result_progress(Measure(kind, start, target, current, direction))
    assert progress.raw == pytest.approx(raw) if raw is not None else progress.raw is None
    assert (
        progress.value == pytest.approx(clamped) if clamped is not None else progress.value is None
    )


MEAN_CASES = [
    ("equal weights", [(1, 0.2), (1, 0.6)], 0.4),
    ("weights count", [(3, 1.0), (1, 0.0)], 0.75),
    ("unmeasured left out", [(1, 0.8), (1, None)], 0.8),
    ("zero weight left out", [(0, 1.0), (2, 0.5)], 0.5),
    ("negative weight left out", [(-1, 1.0), (1, 0.25)], 0.25),
    ("all zero weights", [(0, 1.0), (0, 0.5)], None),
    ("nothing", [], None),
    ("nothing measured", [(1, None)], None),
]


@pytest.mark.parametrize(("case", "items", "expected"), MEAN_CASES, ids=[c[0] for c in MEAN_CASES])
def test_weighted_mean(case, items, expected):
    result = weighted_mean(items)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_an_objective_with_no_key_results_has_no_progress():
    assert objective_progress([]) is None


def test_contributing_children_count_when_the_organisation_counts_them():
    key_results = [(1, 0.2), (1, 0.4)]
    children = [(2, 0.9)]
    assert objective_progress(key_results, children) == pytest.approx((0.2 + 0.4 + 1.8) / 4)
    assert objective_progress(key_results, children, count_children=False) == pytest.approx(0.3)


def test_an_objective_with_only_children_takes_their_progress():
    assert objective_progress([], [(1, 0.5), (1, 1.0)]) == pytest.approx(0.75)


VALIDATION_CASES = [
    (K.INCREASE, 10, 20, set()),
    (K.INCREASE, 20, 10, {"target_value"}),
    (K.DECREASE, 20, 10, set()),
    (K.DECREASE, 10, 20, {"target_value"}),
    (K.INCREASE, 10, 10, {"target_value"}),
    (K.INCREASE, None, 10, {"start_value"}),
    (K.DECREASE, 10, None, {"target_value"}),
    (K.INCREASE, math.nan, 10, {"start_value"}),
    (K.MAINTAIN, None, 99.9, set()),
    (K.MAINTAIN, None, None, {"target_value"}),
    (K.MILESTONE, None, None, set()),
]


@pytest.mark.parametrize(("kind", "start", "target", "fields"), VALIDATION_CASES)
def test_validate_measure(kind, start, target, fields):
    assert set(validate_measure(kind, start, target)) == fields


@pytest.mark.parametrize(
    ("text", "value"),
    [("done", 1.0), ("1", 1.0), ("1.0", 1.0), ("Not done", 0.0), ("0", 0.0), ("0.0", 0.0)],
)
def test_milestone_values(text, value):
    assert milestone_value(text) == value


@pytest.mark.parametrize("text", ["half", "0.5", "2", ""])
def test_a_milestone_is_either_done_or_not(text):
    with pytest.raises(ValueError, match="done"):
        milestone_value(text)


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(start=finite, target=finite, current=finite)
def test_progress_is_always_between_zero_and_one(start, target, current):
    kind = K.INCREASE if target > start else K.DECREASE
    progress = key_result_progress(Measure(kind, start, target, current))
    if start == target:
        assert progress.value is None
    else:
        assert 0.0 <= progress.value <= 1.0
        assert progress.value == min(1.0, max(0.0, progress.raw))


@given(st.lists(st.tuples(st.floats(0.01, 100), st.floats(0, 1)), min_size=1))
def test_a_weighted_mean_stays_within_its_items(items):
    mean = weighted_mean(items)
    values = [p for _, p in items]
    assert min(values) - 1e-9 <= mean <= max(values) + 1e-9


# --- cycle close: scores (docs/cycle-close.md walks through the same examples) ---------

KR_SCORE_CASES = [
    # case, final progress, kind, score
    ("halfway", 0.5, K.INCREASE, 0.5),
    ("reached", 1.0, K.INCREASE, 1.0),
    ("over-achieved scores 1.0", 1.3, K.INCREASE, 1.0),
    ("went backwards scores 0.0", -0.25, K.INCREASE, 0.0),
    ("decrease most of the way", 0.75, K.DECREASE, 0.75),
    ("full precision is kept", 0.5714285714, K.INCREASE, 0.5714285714),
    ("milestone done", 1.0, K.MILESTONE, 1.0),
    ("milestone not done", 0.0, K.MILESTONE, 0.0),
    ("maintain held", 1.0, K.MAINTAIN, 1.0),
    ("maintain breached", 0.0, K.MAINTAIN, 0.0),
    ("maintain never measured", None, K.MAINTAIN, None),
    ("no scale", None, K.INCREASE, None),
    ("not a number", math.nan, K.INCREASE, None),
    ("kind given as text", 0.4, "decrease", 0.4),
]


@pytest.mark.parametrize(
    ("case", "progress", "kind", "score"), KR_SCORE_CASES, ids=[c[0] for c in KR_SCORE_CASES]
)
def test_key_result_score(case, progress, kind, score):
    result = key_result_score(progress, kind)
    assert result == pytest.approx(score) if score is not None else result is None


OBJECTIVE_SCORE_CASES = [
    # case, key results as (weight, computed, override, dropped), score
    ("equal weights", [(1, 0.5, None, False), (1, 1.0, None, False)], 0.75),
    ("weights count", [(3, 1.0, None, False), (1, 0.0, None, False)], 0.75),
    ("an override replaces the computed score", [(1, 0.2, 0.6, False), (1, 1.0, None, False)], 0.8),
    ("an override of 0 counts", [(1, 1.0, 0.0, False), (1, 1.0, None, False)], 0.5),
    ("dropped key results are left out", [(1, 0.2, None, True), (1, 0.9, None, False)], 0.9),
    ("a dropped override is left out too", [(1, 0.2, 1.0, True), (1, 0.4, None, False)], 0.4),
    ("unscored key results are left out", [(1, None, None, False), (1, 0.3, None, False)], 0.3),
    ("an override scores the unscored", [(1, None, 0.5, False)], 0.5),
    ("nothing to score", [(1, None, None, False)], None),
    ("only dropped", [(1, 1.0, None, True)], None),
    ("no key results", [], None),
]


@pytest.mark.parametrize(
    ("case", "rows", "score"), OBJECTIVE_SCORE_CASES, ids=[c[0] for c in OBJECTIVE_SCORE_CASES]
)
def test_objective_score(case, rows, score):
    result = objective_score(ScoredKeyResult(*row) for row in rows)
    assert result == pytest.approx(score) if score is not None else result is None


def test_the_effective_score_is_the_override_when_there_is_one():
    assert effective_score(0.3, None) == 0.3
    assert effective_score(0.3, 0.0) == 0.0
    assert effective_score(None, 0.7) == 0.7
    assert effective_score(None, None) is None
    assert ScoredKeyResult(1, 0.3, 0.9).score == 0.9


ROUNDING_CASES = [
    # score, shown, band
    (0.0, 0.0, "missed"),
    (0.349, 0.3, "missed"),
    (0.35, 0.4, "progress"),
    (0.5714, 0.6, "progress"),
    (0.65, 0.7, "delivered"),
    (0.649, 0.6, "progress"),
    (1.0, 1.0, "delivered"),
    (None, None, ""),
]


@pytest.mark.parametrize(("score", "shown", "band"), ROUNDING_CASES)
def test_scores_are_shown_to_one_decimal_and_banded(score, shown, band):
    assert score_rounded(score) == shown
    assert score_band(score) == band


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_a_key_result_score_is_always_between_zero_and_one(progress):
    for kind in K:
        assert 0.0 <= key_result_score(progress, kind) <= 1.0
