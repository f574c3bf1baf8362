"""The pure rules of rollout plans, table-driven and without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from headway.rollout import rules

#  1 ─┬─ 2 ─┬─ 3 ── 5
#     │     └─ 4
#     └─ 6
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 2, 5: 3, 6: 1}
CHILDREN = rules.children_of(PARENTS)


@pytest.mark.parametrize(
    ("teams", "covered"),
    [
        ([(3, False)], {3: 3}),
        ([(3, True)], {3: 3, 5: 3}),
        ([(2, True)], {2: 2, 3: 2, 4: 2, 5: 2}),
        ([(3, False), (2, True)], {2: 2, 3: 3, 4: 2, 5: 2}),
        ([(6, True), (4, False)], {6: 6, 4: 4}),
        ([], {}),
    ],
)
def test_coverage_maps_each_team_to_the_listed_team_that_brings_it(
    teams: list[tuple[int, bool]], covered: dict[int, int]
) -> None:
    assert rules.coverage(teams, CHILDREN) == covered


@pytest.mark.parametrize(
    ("pilots", "department"),
    [
        ([3], 2),
        ([3, 4], 2),
        ([5, 4], 2),
        ([5], 3),
        ([2], None),  # right below the top: the organisation phase covers it
        ([3, 6], None),  # only the top team is above both
        ([1], None),
        ([], None),
    ],
)
def test_the_department_is_the_nearest_team_above_every_pilot(
    pilots: list[int], department: int | None
) -> None:
    assert rules.department_of(pilots, PARENTS) == department


D = dt.date


@pytest.mark.parametrize(
    ("a", "b", "overlap", "days"),
    [
        ((D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 3, 31), D(2026, 6, 30)), True, 1),
        ((D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 6, 30)), False, 0),
        ((D(2026, 1, 1), D(2026, 12, 31)), (D(2026, 4, 1), D(2026, 6, 30)), True, 91),
        ((D(2026, 5, 1), D(2026, 5, 1)), (D(2026, 4, 1), D(2026, 6, 30)), True, 1),
    ],
)
def test_dates_overlap_when_they_share_a_day(
    a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date], overlap: bool, days: int
) -> None:
    assert rules.dates_overlap(a, b) is overlap
    assert rules.dates_overlap(b, a) is overlap
    assert rules.overlap_days(a, b) == days


@pytest.mark.parametrize(
    ("start", "end", "weeks"),
    [
        (D(2026, 1, 1), D(2026, 3, 31), 13),
        (D(2026, 7, 1), D(2026, 9, 30), 13),
        (D(2026, 1, 1), D(2026, 1, 1), 1),
        (D(2026, 1, 1), D(2026, 12, 31), 52),
    ],
)
def test_weeks_of_a_date_range_are_rounded(start: dt.date, end: dt.date, weeks: int) -> None:
    assert rules.weeks_of(start, end) == weeks


def test_a_phase_of_n_weeks_ends_the_day_before_the_same_weekday() -> None:
    assert rules.end_after(D(2026, 1, 5), 1) == D(2026, 1, 11)
    assert rules.end_after(D(2026, 1, 1), 13) == D(2026, 4, 1)


@pytest.mark.parametrize(
    ("weeks", "words"),
    [
        (1, "1 week"),
        (2, "2 weeks"),
        (4, "4 weeks (about a month)"),
        (6, "6 weeks (about a month and a half)"),
        (9, "9 weeks (about two months)"),
        (13, "13 weeks (one quarter)"),
        (26, "26 weeks (two quarters)"),
        (39, "39 weeks (three quarters)"),
        (52, "52 weeks (one year)"),
        (104, "104 weeks (two years)"),
        (20, "20 weeks (about four and a half months)"),
        (30, "30 weeks (about seven months)"),
    ],
)
def test_expected_time_in_words(weeks: int, words: str) -> None:
    assert rules.weeks_in_words(weeks) == words


def test_a_good_pilot_scores_for_every_reason_and_says_each() -> None:
    score = rules.pilot_score(
        rules.PilotFacts(
            people=6,
            leads=["Bob"],
            discovery_pilot=True,
            wanted_by=[("Eve", "focus")],
            key_results=4,
            numeric_key_results=3,
            checkins=1,
        )
    )
    assert score.score == 3 + 2 + 2 + 1 + 2 + 1
    assert score.reasons == [
        "Chosen as a pilot team in discovery.",
        "Eve, a leader in discovery, wants OKRs to solve focus.",
        "6 people: a manageable size for a pilot.",
        "Led by Bob.",
        "3 of its 4 recent key results have numeric targets: its work can be measured.",
        "Checked in once in the last 90 days.",
    ]
    assert score.cautions == []


@pytest.mark.parametrize(
    ("people", "caution"),
    [
        (0, "Nobody yet: small to learn from (3 to 12 people is best)."),
        (1, "Only one person: small to learn from (3 to 12 people is best)."),
        (40, "40 people: large for a pilot (3 to 12 is best)."),
    ],
)
def test_a_team_too_small_or_too_large_gets_a_caution(people: int, caution: str) -> None:
    score = rules.pilot_score(rules.PilotFacts(people=people))
    assert caution in score.cautions
    assert "No lead named: name one before the pilot starts." in score.cautions
    assert score.score < 0


def test_work_that_is_hard_to_measure_is_a_caution() -> None:
    score = rules.pilot_score(
        rules.PilotFacts(people=5, leads=["Ann", "Bo", "Cy"], key_results=5, numeric_key_results=1)
    )
    assert score.score == 2 + 1
    assert "Led by Ann, Bo and Cy." in score.reasons
    assert score.cautions == ["Only 1 of its 5 recent key results have numeric targets."]
