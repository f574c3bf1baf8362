"""The purpose survey's maths as tables, on hand-made vectors whose answer is known, and
the static engine's calibration on real sentences."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from headway.discovery.metrics import purpose
from headway.discovery.metrics.purpose import SCALES, Closeness, Scale
from headway.text import get_engine

STATIC = SCALES["static"]
UNIT = np.eye(6, dtype=np.float32)


def rows(*vectors: list[float]) -> np.ndarray:
    return purpose.normalise_rows(np.array(vectors, dtype=np.float32))


def around(direction: int, count: int, rng: np.random.Generator, noise: float = 0.15) -> np.ndarray:
    """`count` unit vectors scattered around one axis of a 24-dimensional space."""
    base = np.zeros((count, 24), dtype=np.float32)
    base[:, direction] = 1
    return purpose.normalise_rows(base + rng.normal(0, noise, base.shape).astype(np.float32))


# --- coherence ---------------------------------------------------------------------------

COHERENCE_CASES = [
    ("identical answers agree fully", rows([1, 0], [1, 0], [1, 0]), 1.0),
    ("unrelated answers agree not at all", rows([1, 0], [0, 1]), 0.0),
    ("opposite answers disagree", rows([1, 0], [-1, 0]), -1.0),
    ("one pair alike, one apart", rows([1, 0], [1, 0], [0, 1]), 1 / 3),
    ("an unreadable answer is left out", np.vstack([rows([1, 0], [1, 0]), np.zeros((1, 2))]), 1.0),
    ("a single answer has no pairs", rows([1, 0]), None),
    ("no answers", np.zeros((0, 4), np.float32), None),
]


@pytest.mark.parametrize(
    ("case", "vectors", "expected"), COHERENCE_CASES, ids=[c[0] for c in COHERENCE_CASES]
)
def test_coherence_is_the_mean_similarity_of_every_pair(case, vectors, expected) -> None:
    result = purpose.coherence(np.asarray(vectors, np.float32))
    assert result == (None if expected is None else pytest.approx(expected, abs=1e-6))


def test_coherence_matches_the_mean_over_every_pair_counted_one_by_one() -> None:
    vectors = purpose.normalise_rows(np.random.default_rng(3).normal(size=(40, 16)))
    similarities = vectors @ vectors.T
    brute = (similarities.sum() - 40) / (40 * 39)
    assert purpose.coherence(vectors) == pytest.approx(brute, abs=1e-5)


# --- closeness and the index --------------------------------------------------------------


def test_closeness_takes_the_best_of_the_statement_and_each_theme() -> None:
    answers = np.vstack([UNIT[0], UNIT[1], rows([1, 1, 0, 0, 0, 0])[0], UNIT[3], np.zeros(6)])
    close = Closeness.of(answers, UNIT[0:1], UNIT[1:3], STATIC)
    assert close.measured
    assert close.to_statement.tolist() == pytest.approx([1, 0, 0.7071, 0, 0], abs=1e-4)
    assert close.best.tolist() == pytest.approx([1, 1, 0.7071, 0, 0], abs=1e-4)
    # The theme named: the first theme for answers 1 and 2 (≥ 0.55); none for the others.
    assert close.theme.tolist() == [-1, 0, 0, -1, -1]


def test_without_a_statement_or_themes_closeness_is_not_measured() -> None:
    close = Closeness.of(UNIT[:3], None, np.zeros((0, 6), np.float32), STATIC)
    assert not close.measured
    assert close.best.tolist() == [0, 0, 0]
    assert close.theme.tolist() == [-1, -1, -1]


# The static scale: 0.40 is "unrelated", 0.75 "the same idea".
INDEX_CASES = [
    ("everyone says the strategy in their own words", [0.75, 0.8, 0.9], 0.75, 100),
    ("nobody's answer relates to it or to another", [0.1, 0.2, 0.4], 0.3, 0),
    ("close to strategy but all different", [0.8, 0.8], 0.4, 70),
    ("agreeing with each other on something else", [0.3, 0.3], 0.8, 30),
    ("halfway on both", [0.575, 0.575], 0.575, 50),
    ("a lone answer counts its closeness twice", [0.6625], None, 75),
    ("no answers", [], None, None),
]


@pytest.mark.parametrize(
    ("case", "best", "agree", "expected"), INDEX_CASES, ids=[c[0] for c in INDEX_CASES]
)
def test_the_alignment_index_weighs_closeness_70_and_coherence_30(
    case, best, agree, expected
) -> None:
    assert purpose.alignment_index(np.array(best, np.float32), agree, STATIC) == expected


def test_the_scale_maps_unrelated_to_0_and_paraphrase_to_1() -> None:
    scale = Scale(unrelated=0.2, paraphrase=0.6, match=0.4, fit=0.3)
    assert scale.scaled(np.array([0.0, 0.2, 0.4, 0.6, 0.9])).tolist() == pytest.approx(
        [0, 0, 0.5, 1, 1]
    )


# --- clusters ------------------------------------------------------------------------------


def test_three_separate_groups_become_three_clusters_largest_first() -> None:
    rng = np.random.default_rng(7)
    vectors = np.vstack([around(0, 8, rng), around(1, 20, rng), around(2, 12, rng)])
    found = purpose.cluster(vectors, STATIC)
    assert found.count == 3
    assert Counter(found.labels[:8].tolist()) == {2: 8}
    assert Counter(found.labels[8:28].tolist()) == {0: 20}
    assert Counter(found.labels[28:].tolist()) == {1: 12}


def test_clustering_depends_only_on_the_answers() -> None:
    rng = np.random.default_rng(8)
    vectors = np.vstack([around(0, 15, rng, 0.4), around(1, 15, rng, 0.4), around(2, 15, rng, 0.4)])
    first, again = purpose.cluster(vectors, STATIC), purpose.cluster(vectors.copy(), STATIC)
    assert first.labels.tolist() == again.labels.tolist()
    assert first.silhouettes == again.silhouettes


def test_a_few_answers_unlike_the_rest_fit_no_cluster() -> None:
    rng = np.random.default_rng(9)
    loners = np.eye(24, dtype=np.float32)[[10, 11, 12]]  # each about something else
    vectors = np.vstack([around(0, 15, rng), around(1, 15, rng), loners])
    found = purpose.cluster(vectors, STATIC)
    assert found.count == 2
    assert found.labels[30:].tolist() == [-1, -1, -1]
    assert (found.labels[:30] >= 0).all()


def test_a_group_of_four_is_not_a_cluster_of_its_own() -> None:
    rng = np.random.default_rng(10)
    vectors = np.vstack([around(0, 20, rng), around(1, 20, rng), around(2, 4, rng, 0.05)])
    found = purpose.cluster(vectors, STATIC)
    assert min(Counter(found.labels[found.labels >= 0].tolist()).values()) >= purpose.MIN_GROUP
    assert all(label == -1 or label in (0, 1) for label in found.labels[40:])


def test_identical_answers_form_one_cluster() -> None:
    vectors = np.tile(UNIT[0], (12, 1))
    found = purpose.cluster(vectors, STATIC)
    assert found.count == 1
    assert found.labels.tolist() == [0] * 12


def test_fewer_than_five_readable_answers_are_not_clustered() -> None:
    vectors = np.vstack([UNIT[:4], np.zeros((3, 6), np.float32)])
    found = purpose.cluster(vectors, STATIC)
    assert found.count == 0
    assert found.labels.tolist() == [-1] * 7


# --- labels --------------------------------------------------------------------------------


def test_a_clusters_words_are_the_ones_it_uses_and_others_do_not() -> None:
    texts = [
        "Deliver freight on time for customers",
        "Customers get their freight on time",
        "On-time freight for every customer's shipment",
        "I pay invoices and run payroll",
        "Running payroll and booking invoices",
        "Payroll, invoices and the month-end close",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1])
    words = purpose.characteristic_words(texts, labels, 2)
    assert set(words[0][:3]) == {"customers", "freight", "time"}
    assert set(words[1][:2]) == {"invoices", "payroll"}
    # Words in a single answer ("shipment", "close") and stopwords never label a cluster.
    assert not {"shipment", "close", "the", "and", "for"} & {w for ws in words for w in ws}


def test_representative_answers_are_the_most_central_and_all_different() -> None:
    vectors = rows([1, 0], [1, 0], [0.9, 0.44], [0.7, 0.71], [0.2, 0.98])
    texts = ["Serve customers", "serve  CUSTOMERS", "Serve customers well", "Serve people", "Other"]
    labels = np.array([0, 0, 0, 0, 0])
    chosen = purpose.representatives(vectors, texts, labels, rows([1, 0]))
    assert chosen == [[0, 2, 3]]  # the repeat of answer 0 (case and spacing aside) is skipped


# --- groups, splits and comparisons --------------------------------------------------------

SPLIT_CASES = [
    ("two halves", {1: 5, 2: 5}, 10, [1, 2]),
    ("the two largest of three", {1: 4, 2: 3, 3: 3}, 10, [1, 2]),
    ("one direction", {1: 9, 2: 1}, 10, []),
    ("answers fitting no cluster do not make a split", {0: 5, 1: 5}, 10, []),
    ("just under 30% is not a direction", {1: 8, 2: 2}, 10, []),
]


@pytest.mark.parametrize(
    ("case", "sizes", "total", "expected"), SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES]
)
def test_a_group_is_split_when_two_clusters_each_hold_30_percent(
    case, sizes, total, expected
) -> None:
    assert purpose.split(Counter(sizes), total) == expected


def test_groups_under_five_are_pooled_and_the_pool_under_five_is_not_shown() -> None:
    rng = np.random.default_rng(11)
    vectors = around(0, 16, rng)
    groups = [7] * 6 + [8] * 4 + [None] * 6
    result = purpose.analyse(
        ["x"] * 16, vectors, groups, UNIT[:1].repeat(4, 1), np.zeros((0, 24)), STATIC
    )
    assert set(result["groups"]["teams"]) == {"7"}
    assert result["groups"]["other"]["count"] == 10  # team 8's four with the six without a team
    assert result["groups"]["other_count"] == 10
    small = purpose.analyse(
        ["x"] * 9, vectors[:9], [7] * 6 + [8] * 3, None, np.zeros((0, 24)), STATIC
    )
    assert small["groups"]["other"] is None
    assert small["groups"]["other_count"] == 3


HISTOGRAM_CASES = [
    ("each tenth", [0.05, 0.15, 0.55, 0.95], [1, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
    (
        "below zero counts as zero, one as the top tenth",
        [-0.3, 1.0],
        [1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ),
    ("none", [], [0] * 10),
]


@pytest.mark.parametrize(
    ("case", "best", "expected"), HISTOGRAM_CASES, ids=[c[0] for c in HISTOGRAM_CASES]
)
def test_the_histogram_counts_answers_per_tenth_of_closeness(case, best, expected) -> None:
    assert purpose.histogram(np.array(best, np.float32)) == expected


def test_repeats_count_answers_given_word_for_word_before() -> None:
    assert (
        purpose.repeats(["Serve customers", "serve   customers ", "Serve", "SERVE CUSTOMERS"]) == 2
    )


def test_a_comparison_lists_groups_shown_in_both_surveys_with_the_index_change() -> None:
    def analysis(**teams):
        return {"groups": {"teams": {k: {"index": v} for k, v in teams.items()}}}

    rows_ = purpose.compare(analysis(**{"1": 40, "2": 50}), analysis(**{"1": 65, "3": 70}))
    assert [(r["key"], r["index_change"]) for r in rows_] == [("1", 25)]


def test_an_analysis_reports_every_answer_once() -> None:
    rng = np.random.default_rng(12)
    vectors = np.vstack([around(0, 10, rng), around(1, 10, rng), np.zeros((2, 24), np.float32)])
    texts = [f"answer {i}" for i in range(22)]
    result = purpose.analyse(
        texts, vectors, [None] * 22, UNIT[:1].repeat(4, 1), around(1, 1, rng), STATIC
    )
    clustered = sum(cluster["size"] for cluster in result["clusters"])
    assert clustered + result["unclustered"] + result["unreadable"] == 22
    assert result["unreadable"] == 2
    assert len(result["answers"]) == 22
    assert sum(result["histogram"]) == 20  # the readable ones


# --- the static engine's calibration --------------------------------------------------------

STRATEGY = (
    "Become the most reliable way for mid-sized shippers to move goods across Northern "
    "Europe: on time, visible end to end, and with half the paperwork."
)
CALIBRATION_CASES = [
    # (answer, at least, at most) on the 0-1 scale of closeness to the strategy above
    ("Getting shippers' goods across Europe on time, visible all the way.", 0.6, 1.0),
    ("Reliable, on-time freight for mid-sized shippers with less paperwork.", 0.6, 1.0),
    ("I run payroll every month and answer questions about payslips.", 0.0, 0.3),
    ("Refactoring the legacy monolith into microservices.", 0.0, 0.3),
    ("The weather is nice today.", 0.0, 0.1),
]


@pytest.mark.parametrize(
    ("answer", "low", "high"), CALIBRATION_CASES, ids=[c[0][:30] for c in CALIBRATION_CASES]
)
def test_the_static_scale_puts_paraphrases_high_and_other_topics_low(answer, low, high) -> None:
    engine = get_engine("static")
    similarity = float((engine.embed([answer]) @ engine.embed([STRATEGY]).T)[0, 0])
    assert low <= float(STATIC.scaled(similarity)) <= high


def test_answers_in_other_languages_are_analysed_but_read_as_less_close() -> None:
    engine = get_engine("static")
    english = "Deliveries customers can count on, on time."
    german = "Lieferungen, auf die sich Kunden verlassen können, pünktlich."
    vectors = engine.embed([english, german])
    assert purpose.readable(vectors).all()
    strategy = engine.embed([STRATEGY])
    assert float(vectors[1] @ strategy[0]) < float(vectors[0] @ strategy[0])
