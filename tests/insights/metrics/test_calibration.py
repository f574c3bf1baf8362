"""Honest confidence as tables: Brier score, bias and verdict, each key result
weighing the same however often it was checked in."""

from __future__ import annotations

import math

import numpy as np
import pytest

from headway.insights.metrics.calibration import (
    CALIBRATED,
    NOT_ENOUGH,
    OPTIMISTIC,
    SANDBAGGING,
    calibrate,
    calibrate_groups,
)


def columns(key_results):
    """[(kr id, hit, [confidence shares...]), ...] as the three check-in columns."""
    confidence, hit, ids = [], [], []
    for kr_id, outcome, shares in key_results:
        for share in shares:
            confidence.append(share)
            hit.append(outcome)
            ids.append(kr_id)
    return np.array(confidence), np.array(hit, dtype=float), np.array(ids)


def test_the_brier_score_is_a_mean_over_key_results_of_their_check_ins():
    found = calibrate(*columns([(1, 1, [0.8, 0.8]), (2, 0, [0.9]), (3, 1, [0.7]), (4, 0, [0.3])]))
    # (0.04 + 0.81 + 0.09 + 0.09) / 4
    assert found.brier == pytest.approx(0.2575)
    assert found.mean_confidence == pytest.approx((0.8 + 0.9 + 0.7 + 0.3) / 4)
    assert found.hit_rate == pytest.approx(0.5)
    assert found.bias == pytest.approx(0.175)
    assert (found.checkins, found.key_results, found.verdict) == (5, 4, OPTIMISTIC)


def test_a_chatty_key_result_weighs_the_same_as_a_quiet_one():
    chatty = calibrate(*columns([(1, 1, [1.0] * 20), (2, 0, [0.0]), (3, 0, [0.0])]))
    quiet = calibrate(*columns([(1, 1, [1.0]), (2, 0, [0.0]), (3, 0, [0.0])]))
    assert chatty.hit_rate == pytest.approx(quiet.hit_rate) == pytest.approx(1 / 3)
    assert chatty.mean_confidence == pytest.approx(quiet.mean_confidence)
    assert quiet.mean_confidence == pytest.approx(1 / 3)
    assert chatty.checkins == 22


VERDICT_CASES = [
    # case, key results, verdict
    ("sure of everything, hit a third", [(1, 1, [0.9]), (2, 0, [0.9]), (3, 0, [0.9])], OPTIMISTIC),
    (
        "bias of exactly -0.15 is calibrated",
        [(1, 1, [0.35]), (2, 1, [0.35]), (3, 0, [0.35]), (4, 0, [0.35])],
        CALIBRATED,
    ),
    ("doubtful of all, hit all", [(1, 1, [0.3]), (2, 1, [0.4]), (3, 1, [0.5])], SANDBAGGING),
    (
        "seventy per cent, hit two of three",
        [(1, 1, [0.7]), (2, 1, [0.7]), (3, 0, [0.7])],
        CALIBRATED,
    ),
    (
        "bias of exactly 0.15 is calibrated",
        [(1, 1, [0.65]), (2, 1, [0.65]), (3, 0, [0.65]), (4, 0, [0.65])],
        CALIBRATED,
    ),
    ("two key results say nothing yet", [(1, 0, [1.0]), (2, 0, [1.0])], NOT_ENOUGH),
]


@pytest.mark.parametrize(
    ("case", "key_results", "verdict"), VERDICT_CASES, ids=[c[0] for c in VERDICT_CASES]
)
def test_verdict(case, key_results, verdict):
    assert calibrate(*columns(key_results)).verdict == verdict


def test_a_hit_is_a_final_score_at_or_above_hit_at():
    confidence, score, ids = columns([(1, 0.7, [0.7]), (2, 0.69, [0.7]), (3, 1.0, [0.7])])
    assert calibrate(confidence, score, ids).hit_rate == pytest.approx(1 / 3)
    assert calibrate(confidence, score, ids, hit_at=0.7).hit_rate == pytest.approx(2 / 3)


def test_check_ins_without_a_confidence_are_left_out():
    confidence, hit, ids = columns([(1, 1, [0.9, math.nan]), (2, 0, [math.nan])])
    found = calibrate(confidence, hit, ids)
    assert (found.checkins, found.key_results, found.brier) == (1, 1, pytest.approx(0.01))


def test_nothing_to_calibrate_says_so():
    found = calibrate([], [], [])
    assert (found.checkins, found.key_results, found.verdict) == (0, 0, NOT_ENOUGH)
    assert math.isnan(found.brier)


def test_the_reliability_table_bins_confidence_by_fifths():
    found = calibrate(*columns([(1, 1, [0.0, 0.2]), (2, 0, [0.8, 1.0]), (3, 1, [0.5, 0.79])]))
    table = [(b.low, b.high, b.checkins) for b in found.reliability]
    assert table == [(0.0, 0.2, 1), (0.2, 0.4, 1), (0.4, 0.6, 1), (0.6, 0.8, 1), (0.8, 1.0, 2)]
    assert [b.hit_rate for b in found.reliability] == [1.0, 1.0, 1.0, 1.0, 0.0]


def test_an_empty_reliability_bin_has_no_rate():
    found = calibrate(*columns([(1, 1, [0.9]), (2, 1, [0.9]), (3, 0, [0.9])]))
    assert found.reliability[0].checkins == 0
    assert math.isnan(found.reliability[0].hit_rate)
    assert found.reliability[-1].hit_rate == pytest.approx(2 / 3)


def test_each_group_is_calibrated_on_its_own_check_ins():
    rng = np.random.default_rng(5)
    size = 400
    confidence = rng.uniform(0, 1, size)
    kr_ids = rng.integers(1, 60, size)
    hit = (kr_ids % 3 == 0).astype(float)
    group_ids = rng.integers(1, 6, size)
    groups = calibrate_groups(confidence, hit, kr_ids, group_ids)
    assert sorted(groups) == [1, 2, 3, 4, 5]
    for group, found in groups.items():
        mine = group_ids == group
        assert found == calibrate(confidence[mine], hit[mine], kr_ids[mine])


def test_a_key_result_checked_in_by_two_people_counts_for_each():
    confidence, hit, ids = np.array([0.9, 0.2]), np.array([1.0, 1.0]), np.array([7, 7])
    groups = calibrate_groups(confidence, hit, ids, np.array([1, 2]))
    assert groups[1].bias == pytest.approx(-0.1)
    assert groups[2].bias == pytest.approx(-0.8)
    assert groups[1].key_results == groups[2].key_results == 1
