"""Semantic alignment checks, and the labelled pairs their thresholds were set on.

The thresholds in headway/goals/alignment_text.py were chosen on DUPLICATES and
LINKS below (docs/alignment.md lists the scores). Most tests use the lexical engine,
which is fast; the calibration test runs the static model the product uses.
"""

from __future__ import annotations

import pytest

from headway.goals.alignment_text import (
    THRESHOLDS,
    LinkWording,
    Wording,
    find_duplicates,
    link_scores,
    links_to_check,
    possible_duplicates,
    thresholds_for,
)
from headway.text import get_engine

# (first, second, the same objective?)
DUPLICATES = [
    (
        "Reduce customer churn in the enterprise segment",
        "Cut churn among enterprise customers",
        True,
    ),
    ("Make live tracking the default", "Live tracking on by default for every customer", True),
    ("Hire the people the growth needs", "Hire the people we need to grow", True),
    ("Improve onboarding for new joiners", "Better onboarding for new hires", True),
    ("Deliveries our customers can plan around", "Deliveries customers can plan around", True),
    ("Cut hub-caused delays", "Reduce delays caused by our hubs", True),
    (
        "Win mid-sized shippers in Benelux and Germany",
        "Win mid-sized shippers in Germany and Benelux",
        True,
    ),
    (
        "Reduce customer churn in the enterprise segment",
        "Grow revenue in the enterprise segment",
        False,
    ),
    ("Make live tracking the default", "Drivers update status in one tap", False),
    ("Hire the people the growth needs", "New joiners productive in their first month", False),
    ("Deliveries our customers can plan around", "Run every hub like our best hub", False),
    (
        "Proactive alerts before customers notice",
        "Customers see their freight without calling us",
        False,
    ),
    (
        "Win mid-sized shippers in Benelux and Germany",
        "Grow profitably with mid-sized shippers",
        False,
    ),
    ("Deploy calmly, many times a day", "A platform that never stops the trucks", False),
    ("Fewer trucks standing still", "Cross-dock in under two hours", False),
    ("Increase on-time delivery", "Increase on-time payment of invoices", False),
    # The demo's closest distinct objectives: short titles about customers score high.
    (
        "Deliveries our customers can plan around",
        "Customers see their freight without calling us",
        False,
    ),
    (
        "Customers see their freight without calling us",
        "Shippers hear our customers' stories",
        False,
    ),
    ("A platform that never stops the trucks", "Fewer trucks standing still", False),
    ("Deliveries our customers can plan around", "Shippers hear our customers' stories", False),
]

HUBS = ["Run every hub like our best hub", "Trucks loaded within the 45-minute slot"]
DELIVERIES = ["Deliveries our customers can plan around", "On-time delivery rate"]
TRACKING = ["Make live tracking the default", "Customers using the tracking portal weekly"]
FREIGHT = ["Customers see their freight without calling us", "Shipments with live tracking"]
GROWTH = ["Grow profitably with mid-sized shippers", "New mid-sized shippers signed"]
PLATFORM = ["A platform that never stops the trucks", "Platform availability"]
WIN = ["Win mid-sized shippers in Benelux and Germany", "Qualified opportunities"]
ALERTS = ["Proactive alerts before customers notice", "Delays alerted before the customer asks"]

# (child phrases, parent phrases, a real link?)
LINKS = [
    (TRACKING, FREIGHT, True),
    (ALERTS, TRACKING, True),
    (HUBS, DELIVERIES, True),
    (WIN, GROWTH, True),
    (["Fewer trucks standing still", "Unplanned truck downtime"], HUBS, True),
    (["Deploy calmly, many times a day", "Deploys per week"], PLATFORM, True),
    (["Drivers update status in one tap", "Stops with a driver status update"], TRACKING, True),
    (["Resolve incidents on first contact", "Incidents resolved on first contact"], FREIGHT, True),
    (["A pipeline we can trust", "Opportunities with a next step dated"], WIN, True),
    (["Hire the people the growth needs", "Open roles filled"], GROWTH, True),
    (["Cross-dock in under two hours", "Pallets cross-docked within 2 h"], HUBS, True),
    (
        ["One trusted number for on-time delivery", "Reports using the shared on-time metric"],
        DELIVERIES,
        True,
    ),
    (
        ["Shippers hear our customers' stories", "Published customer stories"],
        WIN,
        True,
    ),
    (
        ["New joiners productive in their first month", "Onboarding survey score"],
        ["Hire the people the growth needs", "Open roles filled"],
        True,
    ),
    (["Organise the summer party", "Staff attending"], DELIVERIES, False),
    (["Redesign the company logo", "Brand guidelines published"], PLATFORM, False),
    (["Refresh the office plants", "Plants replaced"], GROWTH, False),
    (["Run a chess tournament for staff", "Players signed up"], HUBS, False),
    (["Move the office to a greener building", "Lease signed"], WIN, False),
    (["Renew the office coffee machine contract", "Cost per cup"], FREIGHT, False),
    (["Close the books two days faster", "Days to close the month"], ALERTS, False),
    (["Migrate payroll to the new provider", "Payroll errors per month"], TRACKING, False),
]


@pytest.fixture(scope="module")
def lexical():
    return get_engine("lexical")


def test_it_finds_a_copied_objective_in_the_same_cycle_only(lexical):
    items = [
        Wording(1, 10, "Make live tracking the default"),
        Wording(2, 10, "Make live tracking the default for everyone"),
        Wording(3, 10, "Hire the people the growth needs"),
        Wording(4, 11, "Make live tracking the default"),  # another cycle
    ]
    (pair,) = possible_duplicates(items, lexical)
    assert (pair.first, pair.second) == (1, 2)
    assert pair.score >= THRESHOLDS["lexical"].duplicate


def test_it_lists_each_pair_once_most_similar_first(lexical):
    texts = ["Grow revenue"] * 3 + ["Grow revenue fast"]
    items = [Wording(i, 1, text) for i, text in enumerate(texts)]
    pairs = possible_duplicates(items, lexical, block=2)
    assert [(p.first, p.second) for p in pairs[:3]] == [(0, 1), (0, 2), (1, 2)]
    assert len(pairs) == 6 and pairs[0].score == pytest.approx(1.0)
    assert possible_duplicates(items, lexical, limit=2) == pairs[:2]


def test_copies_of_one_title_are_duplicates_counted_in_full_and_listed_in_part(lexical):
    items = [Wording(i, 1, "Tidy the backlog") for i in range(40)]
    found = find_duplicates(items, lexical, limit=10)
    assert found.total == 40 * 39 // 2
    assert [(p.first, p.second, p.score) for p in found.pairs[:3]] == [
        (0, 1, 1.0),
        (0, 2, 1.0),
        (0, 3, 1.0),
    ]
    assert len(found.pairs) == 10


def test_near_copies_expand_to_every_pair_of_their_objectives(lexical):
    texts = ["Grow revenue in Benelux"] * 3 + ["Grow revenue in Benelux!"] * 2 + ["Hire people"]
    items = [Wording(i, 1, text) for i, text in enumerate(texts)]
    found = find_duplicates(items, lexical)
    # 3 + 1 pairs of the same text, and 3 x 2 across the two spellings
    assert found.total == 10 and len(found.pairs) == 10
    assert all(5 not in (p.first, p.second) for p in found.pairs)


def test_nothing_to_compare_finds_nothing(lexical):
    assert possible_duplicates([], lexical) == []
    assert possible_duplicates([Wording(1, 1, "Alone")], lexical) == []
    assert links_to_check([], lexical) == []


def test_it_flags_a_link_whose_sides_share_nothing(lexical):
    links = [
        LinkWording(1, ["Organise the summer party", "Staff attending"], DELIVERIES),
        LinkWording(2, ["Hubs load trucks on time", "Trucks loaded within the slot"], HUBS),
    ]
    (flag,) = links_to_check(links, lexical, threshold=0.1)
    assert flag.id == 1 and flag.score < 0.1
    assert links_to_check(links, lexical) == []  # words alone never justify a flag


def test_the_closest_pair_of_phrases_decides(lexical):
    # The titles share nothing, but a key result names the parent's own words.
    link = LinkWording(1, ["Quarterly planning", "On-time delivery rate"], DELIVERIES)
    (score,) = link_scores([link], lexical)
    assert score == pytest.approx(1.0, abs=1e-5)


def test_a_side_without_text_scores_zero(lexical):
    assert link_scores([LinkWording(1, ["", "  "], DELIVERIES)], lexical) == [0.0]


def test_thresholds_follow_the_engine(lexical):
    assert thresholds_for(lexical) == THRESHOLDS["lexical"]

    class Unknown:
        name, dim = "other", 2

    assert thresholds_for(Unknown()) == THRESHOLDS["static"]  # type: ignore[arg-type]


def _confusion(flags: list[bool], truth: list[bool]) -> tuple[float, float]:
    """(precision, recall) of flags against the truth."""
    hits = sum(f and t for f, t in zip(flags, truth, strict=True))
    return hits / max(1, sum(flags)), hits / max(1, sum(truth))


@pytest.mark.parametrize("engine_name", ["static", "lexical"])
def test_the_thresholds_on_the_labelled_pairs(engine_name):
    engine = get_engine(engine_name)
    limits = THRESHOLDS[engine_name]
    scores = [float(engine.embed([a])[0] @ engine.embed([b])[0]) for a, b, _ in DUPLICATES]
    flagged = [s >= limits.duplicate for s in scores]
    precision, recall = _confusion(flagged, [same for *_, same in DUPLICATES])
    # Never call distinct objectives duplicates; the model finds rewordings too.
    assert precision == 1.0
    assert recall >= (0.85 if engine_name == "static" else 0.4)
    link_flags = [
        s < limits.unrelated
        for s in link_scores([LinkWording(i, c, p) for i, (c, p, _) in enumerate(LINKS)], engine)
    ]
    precision, recall = _confusion(link_flags, [not real for *_, real in LINKS])
    if engine_name == "static":
        # A flag is worth a look (no real link flagged); half the bad ones are.
        assert precision == 1.0 and recall >= 0.5
    else:
        assert not any(link_flags)
