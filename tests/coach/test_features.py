"""The classifier's features (headway.coach.features): pure, table-driven."""

from __future__ import annotations

import numpy as np
import pytest

from headway.coach import features
from headway.coach.features import (
    HAND_FEATURE_NAMES,
    build_matrix,
    feature_names,
    hand_features,
    hand_matrix,
    inflections,
    lead,
    words_of,
)
from headway.text import LexicalEngine


@pytest.mark.parametrize(
    ("text", "word", "kind"),
    [
        ("Launch the new onboarding flow", "launch", "delivery"),
        ("KR1: We will launch the new onboarding flow", "launch", "delivery"),
        ("- Ship 5 features", "ship", "delivery"),
        ("Shipped the billing page", "shipped", "delivery"),
        ("Hold 20 sales calls", "hold", "delivery"),
        ("Increase day-7 retention from 32% to 45%", "increase", "change"),
        ("to reduce churn", "reduce", "change"),
        ("Keep uptime above 99.9%", "keep", "target"),
        ("Win 10 new customers", "win", "target"),
        ("Win rate on qualified opportunities", "win", "other"),  # verb + metric noun
        ("Build time under 10 minutes", "build", "other"),
        ("Onboarding survey score", "onboarding", "other"),  # -ing word, no object
        ("Launching the new app", "launching", "delivery"),
        ("Customers find what they need on the first search", "customers", "other"),
        ("On-time delivery rate", "on-time", "other"),
        ("", "", "other"),
    ],
)
def test_lead_word_and_class(text: str, word: str, kind: str) -> None:
    assert lead(words_of(text)) == (word, kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Increase day-7 retention from 32% to 45%",
            {"lead_change": 1, "from_to": 1, "percent": 1, "has_number": 1, "metric_nouns": 0.5},
        ),
        ("Reduce average delivery delay from 2 days to 4 hours", {"from_to": 1, "duration": 1}),
        ("Grow average deal size from €14k to €20k", {"from_to": 1, "currency": 1}),
        ("Water used per tonne from 4 m3 to 2.5 m3", {"from_to": 1, "per_ratio": 1}),
        ("Paying subscribers: 40k → 55k", {"from_to": 1, "lead_other": 1}),
        ("Migrate the billing from spreadsheets to the CRM", {"from_to": 0, "has_number": 0}),
        ("Keep the error rate below 0.1% of requests", {"lead_target": 1, "comparator": 1}),
        ("Publish 12 blog posts", {"lead_delivery": 1, "counted_deliverable": 1}),
        ("Increase the number of webinars from 2 to 6", {"counted_deliverable": 1, "from_to": 1}),
        ("Reduce the number of failed deployments", {"counted_deliverable": 0}),
        ("Hiring handbook published", {"done_participle": 1, "lead_other": 1}),
        ("New API gateway in production", {"done_participle": 1}),
        ("The new pricing page is live", {"done_participle": 1}),
        ("Shipments with live tracking", {"done_participle": 0}),
        ("Patients seen within 4 hours", {"people_nouns": 0.5, "duration": 1, "comparator": 1}),
        ("Revenue, margin and churn rate", {"metric_nouns": 1.0}),
        ("Run workshops, campaigns and reports", {"deliverable_nouns": 1.0}),
        ("", {name: 0 for name in HAND_FEATURE_NAMES if name != "lead_other"}),
    ],
)
def test_hand_features(text: str, expected: dict[str, float]) -> None:
    got = hand_features(text)
    assert {name: got[name] for name in expected} == pytest.approx(expected)


@pytest.mark.parametrize(
    ("base", "forms"),
    [
        ("launch", {"launch", "launches", "launched", "launching"}),
        ("ship", {"ship", "ships", "shipped", "shipping"}),
        ("create", {"create", "creates", "created", "creating"}),
        ("apply", {"apply", "applies", "applied", "applying"}),
        ("build", {"build", "builds", "built", "building"}),
        ("run", {"run", "runs", "ran", "running", "runned"}),
    ],
)
def test_inflections(base: str, forms: set[str]) -> None:
    assert forms - {"runned"} <= inflections(base)


def test_every_hand_feature_is_documented_and_in_unit_range() -> None:
    assert len(set(HAND_FEATURE_NAMES)) == len(HAND_FEATURE_NAMES)
    for name in HAND_FEATURE_NAMES:
        assert f"``{name}``" in (features.__doc__ or ""), name
    texts = [
        "Increase day-7 retention from 32% to 45%",
        "Launch the new onboarding flow " * 20,
        "42",
        "",
        "€€€ %%% -> 5",
    ]
    matrix = hand_matrix(texts)
    assert matrix.shape == (len(texts), len(HAND_FEATURE_NAMES))
    assert np.all((matrix >= 0) & (matrix <= 1))


def test_build_matrix_is_the_sentence_vector_then_the_hand_features() -> None:
    engine = LexicalEngine(dim=32)
    texts = ["Ship 5 features", "Reduce churn from 3% to 2%", ""]
    matrix = build_matrix(texts, engine)
    assert matrix.dtype == np.float64
    assert matrix.shape == (3, len(feature_names(32)))
    assert np.allclose(matrix[:, :32], engine.embed(texts))
    assert np.allclose(matrix[:, 32:], hand_matrix(texts))
    assert build_matrix([], engine).shape == (0, len(feature_names(32)))
