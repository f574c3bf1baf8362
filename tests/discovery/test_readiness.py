"""The "ready to pilot?" checklist, from plain values: no database."""

from __future__ import annotations

import pytest

from headway.discovery.readiness import DiscoveryFacts, is_ready, readiness

READY = DiscoveryFacts(
    real_reason="Teams do not know what matters most.",
    champion_named=True,
    champion_seniority="executive",
    pilot_teams=2,
    time_expectation="Three quarters before the whole organisation.",
    time_expectation_agreed=True,
)


def _item(facts: DiscoveryFacts, key: str):  # type: ignore[no-untyped-def]
    return next(item for item in readiness(facts) if item.key == key)


def test_a_complete_record_is_ready_with_no_missing_sentence() -> None:
    items = readiness(READY)
    assert is_ready(items)
    assert [item.key for item in items] == ["reason", "champion", "pilot_teams", "time"]
    assert all(item.missing == "" and item.warning == "" for item in items)


def test_a_blank_record_lists_every_item_with_its_section() -> None:
    items = readiness(DiscoveryFacts())
    assert not is_ready(items)
    assert [(item.done, item.anchor) for item in items] == [
        (False, "why"),
        (False, "champion"),
        (False, "pilot-teams"),
        (False, "time"),
    ]
    assert all(item.missing for item in items)


@pytest.mark.parametrize(
    ("real_reason", "answered", "done"),
    [
        ("", 0, False),
        ("   ", 1, False),
        ("", 2, True),
        ("Focus", 0, True),
        ("", 4, True),
    ],
)
def test_a_real_reason_is_written_or_dug_out_with_two_follow_ups(
    real_reason: str, answered: int, done: bool
) -> None:
    facts = DiscoveryFacts(real_reason=real_reason, followups_answered=answered)
    assert _item(facts, "reason").done is done


@pytest.mark.parametrize(
    ("named", "seniority", "hours", "done", "missing_word"),
    [
        (True, "executive", None, True, ""),
        (True, "senior", 0, True, ""),
        (True, "middle", 4, True, ""),
        (True, "middle", 0, False, "hours"),
        (True, "middle", None, False, "hours"),
        (True, "none", 10, False, "senior"),
        (True, "", None, False, "senior"),
        (False, "executive", 10, False, "Name a champion"),
    ],
)
def test_a_champion_is_senior_or_a_middle_manager_with_time(
    named: bool, seniority: str, hours: int | None, done: bool, missing_word: str
) -> None:
    facts = DiscoveryFacts(
        champion_named=named, champion_seniority=seniority, champion_hours_per_month=hours
    )
    item = _item(facts, "champion")
    assert item.done is done
    assert missing_word in item.missing


@pytest.mark.parametrize(
    ("teams", "done", "warned"),
    [(0, False, False), (1, True, False), (2, True, False), (3, True, False), (4, True, True)],
)
def test_pilot_teams_are_chosen_and_more_than_three_warns_to_start_small(
    teams: int, done: bool, warned: bool
) -> None:
    item = _item(DiscoveryFacts(pilot_teams=teams), "pilot_teams")
    assert item.done is done
    assert ("start small" in item.warning) is warned


@pytest.mark.parametrize(
    ("text", "agreed", "done", "missing_word"),
    [
        ("", False, False, "Write down"),
        ("", True, False, "Write down"),
        ("Two quarters", False, False, "Agree"),
        ("Two quarters", True, True, ""),
    ],
)
def test_the_time_expectation_is_stated_and_agreed(
    text: str, agreed: bool, done: bool, missing_word: str
) -> None:
    item = _item(DiscoveryFacts(time_expectation=text, time_expectation_agreed=agreed), "time")
    assert item.done is done
    assert missing_word in item.missing
