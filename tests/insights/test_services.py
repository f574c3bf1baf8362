"""flags_refresh keeps the flags in step with the rules; a check-in refreshes its key
result's flags once it commits, and never fails because the analysis did."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from headway.goals import services
from headway.goals.models import CheckIn, CycleStatus
from headway.insights import services as insight_services
from headway.insights.models import Flag
from headway.insights.services import FlagRefresh, flags_after_checkin, flags_refresh
from tests.conftest import World
from tests.flagged import Flagged, build


@pytest.fixture
def flagged(world: World) -> Flagged:
    return build(world)


def open_flags(organisation: Any) -> set[tuple[str, str]]:
    rows = Flag.objects.filter(organisation=organisation, resolved_at=None)
    return set(rows.values_list("key_result__title", "kind"))


def test_it_opens_a_flag_for_each_rule_that_holds(flagged: Flagged) -> None:
    result = flags_refresh(flagged.world.acme)
    assert result == FlagRefresh(analysed=5, opened=4, updated=0, resolved=0)
    assert open_flags(flagged.world.acme) == {
        ("Weekly active shippers", "stall"),
        ("Net promoter score", "watermelon"),
        ("Runbooks written", "overdue"),
        ("Term sheets signed", "overdue"),
    }
    stall = Flag.objects.get(key_result=flagged.stalled)
    assert stall.reason.startswith("No movement in 3 check-ins over 2 weeks; 10% done, ")
    assert stall.facts["checkins"] == 3
    assert 0 < stall.severity <= 1


def test_a_second_run_opens_nothing(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    before = dict(Flag.objects.values_list("pk", "updated_at"))
    assert flags_refresh(flagged.world.acme) == FlagRefresh(5, 0, 0, 0)
    assert dict(Flag.objects.values_list("pk", "updated_at")) == before


def test_it_leaves_other_organisations_alone(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    assert not Flag.objects.filter(organisation=flagged.world.globex).exists()
    assert flags_refresh(flagged.world.globex) == FlagRefresh(1, 1, 0, 0)
    assert len(open_flags(flagged.world.acme)) == 4


def test_it_updates_a_flag_in_place_when_its_reason_changes(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    overdue = Flag.objects.get(key_result=flagged.overdue)
    later = timezone.now() + dt.timedelta(days=2)
    result = flags_refresh(flagged.world.acme, now=later)
    assert result.opened == 0
    assert result.updated >= 1
    again = Flag.objects.get(key_result=flagged.overdue, resolved_at=None)
    assert again.pk == overdue.pk
    assert again.opened_at == overdue.opened_at
    assert again.reason == "No check-in for 22 days (due every 7 days)."
    assert overdue.reason == "No check-in for 20 days (due every 7 days)."
    assert again.updated_at == later


def test_it_resolves_a_flag_when_the_rule_stops_holding(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    stall = Flag.objects.get(key_result=flagged.stalled)
    services.checkin_create(
        member=flagged.world.bob, key_result_id=flagged.stalled.pk, value=58, confidence=6
    )
    result = flags_refresh(flagged.world.acme)
    assert result.resolved == 1
    stall.refresh_from_db()
    assert stall.resolved_at is not None
    assert not stall.is_open
    assert ("Weekly active shippers", "stall") not in open_flags(flagged.world.acme)


def test_a_flag_that_comes_back_is_a_new_flag(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    first = Flag.objects.get(key_result=flagged.overdue)
    services.checkin_create(
        member=flagged.world.bob, key_result_id=flagged.overdue.pk, value=60, confidence=5
    )
    flags_refresh(flagged.world.acme)
    flags_refresh(flagged.world.acme, now=timezone.now() + dt.timedelta(days=12))
    second = Flag.objects.get(key_result=flagged.overdue, resolved_at=None)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.resolved_at is not None


def test_it_resolves_the_flags_of_a_dropped_key_result(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    services.key_result_update(
        member=flagged.world.bob, key_result=flagged.overdue, status="dropped"
    )
    result = flags_refresh(flagged.world.acme)
    assert result.resolved == 1
    assert result.analysed == 4
    assert ("Runbooks written", "overdue") not in open_flags(flagged.world.acme)


def test_it_resolves_the_flags_of_a_closed_cycle(flagged: Flagged) -> None:
    flags_refresh(flagged.world.acme)
    services.cycle_update(
        member=flagged.world.alice, cycle=flagged.quarter, status=CycleStatus.CLOSED
    )
    result = flags_refresh(flagged.world.acme)
    assert result == FlagRefresh(analysed=0, opened=0, updated=0, resolved=4)
    assert open_flags(flagged.world.acme) == set()
    assert Flag.objects.filter(organisation=flagged.world.acme).count() == 4  # kept, resolved


def test_a_refresh_of_some_key_results_touches_only_theirs(flagged: Flagged) -> None:
    result = flags_refresh(flagged.world.acme, key_result_ids=[flagged.stalled.pk])
    assert result == FlagRefresh(1, 1, 0, 0)
    assert open_flags(flagged.world.acme) == {("Weekly active shippers", "stall")}
    services.key_result_update(
        member=flagged.world.bob, key_result=flagged.stalled, status="dropped"
    )
    # A key result out of play is still in scope, so its flag is resolved.
    assert flags_refresh(flagged.world.acme, key_result_ids=[flagged.stalled.pk]).resolved == 1


# After a check-in


def test_a_check_in_with_real_movement_resolves_the_stall_once_committed(
    flagged: Flagged, django_capture_on_commit_callbacks: Any
) -> None:
    flags_refresh(flagged.world.acme)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.checkin_create(
            member=flagged.world.bob, key_result_id=flagged.stalled.pk, value=58, confidence=6
        )
        # Nothing happens before the commit.
        assert Flag.objects.get(key_result=flagged.stalled).is_open
    assert len(callbacks) == 1
    stall = Flag.objects.get(key_result=flagged.stalled)
    assert stall.resolved_at is not None
    assert len(open_flags(flagged.world.acme)) == 3  # the others are untouched


def test_a_check_in_opens_a_flag_it_causes(
    flagged: Flagged, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_create(
            member=flagged.world.bob, key_result_id=flagged.fine.pk, value=10, confidence=10
        )
    assert open_flags(flagged.world.acme) == {("Deploys automated", "watermelon")}


def test_a_refused_check_in_refreshes_nothing(
    flagged: Flagged, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.checkin_create(
            member=flagged.world.bob, key_result_id=flagged.stalled.pk, value="x", confidence=6
        )
    assert callbacks == []


def test_flags_after_checkin_refreshes_one_key_result(flagged: Flagged) -> None:
    result = flags_after_checkin(flagged.world.acme.pk, flagged.melon.pk)
    assert result == FlagRefresh(1, 1, 0, 0)
    assert open_flags(flagged.world.acme) == {("Net promoter score", "watermelon")}


def test_a_failing_analysis_is_logged_and_the_check_in_stands(
    flagged: Flagged,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> FlagRefresh:
        raise RuntimeError("analysis exploded")

    monkeypatch.setattr(insight_services, "flags_refresh", broken)
    with (
        caplog.at_level(logging.ERROR, logger="headway.insights.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.checkin_create(
            member=flagged.world.bob, key_result_id=flagged.stalled.pk, value=58, confidence=6
        )
    assert result.created
    assert CheckIn.objects.filter(key_result=flagged.stalled).count() == 5
    assert "after a check-in failed" in caplog.text
    assert "analysis exploded" in caplog.text


def test_flags_after_checkin_never_raises(world: World) -> None:
    assert flags_after_checkin(organisation_id=999_999, key_result_id=1) is None


def test_bulk_writers_defer_the_per_check_in_refresh(
    flagged: Flagged, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        insight_services.flags_deferred(),
    ):
        services.checkin_create(
            member=flagged.world.bob, key_result_id=flagged.fine.pk, value=10, confidence=10
        )
    assert callbacks == []
    assert ("Deploys automated", "watermelon") not in open_flags(flagged.world.acme)
