from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.goals import services
from headway.goals.models import Cycle, Theme
from headway.goals.selectors import cycle_current, themes_list
from headway.lib.errors import Conflict
from headway.teams.services import team_update


def test_a_year_comes_with_four_nested_quarters(world):
    year = services.year_with_quarters(member=world.alice, year=2027)
    quarters = list(year.children.order_by("start_date"))
    assert [q.name for q in quarters] == ["2027 Q1", "2027 Q2", "2027 Q3", "2027 Q4"]
    assert quarters[0].start_date == dt.date(2027, 1, 1)
    assert quarters[1].end_date == dt.date(2027, 6, 30)
    assert quarters[3].end_date == dt.date(2027, 12, 31)
    assert all(year.encloses(q) for q in quarters)


def test_a_quarter_outside_its_year_is_refused(world):
    year = services.year_with_quarters(member=world.alice, year=2027)
    with pytest.raises(ValidationError, match="fit within"):
        services.cycle_create(
            member=world.alice,
            name="Late",
            parent=year,
            start_date=dt.date(2027, 11, 1),
            end_date=dt.date(2028, 1, 31),
        )
    assert not Cycle.objects.filter(name="Late").exists()


def test_a_cycle_must_end_after_it_starts(world):
    with pytest.raises(ValidationError, match="end after"):
        services.cycle_create(
            member=world.alice,
            name="Backwards",
            start_date=dt.date(2027, 3, 1),
            end_date=dt.date(2027, 1, 1),
        )


def test_a_duplicate_cycle_name_is_a_conflict(world):
    services.year_with_quarters(member=world.alice, year=2027)
    with pytest.raises(Conflict):
        services.year_with_quarters(member=world.alice, year=2027)
    assert Cycle.objects.filter(organisation=world.acme).count() == 5


def test_shrinking_a_year_below_its_quarters_is_refused(world):
    year = services.year_with_quarters(member=world.alice, year=2027)
    with pytest.raises(ValidationError, match="Q4"):
        services.cycle_update(member=world.alice, cycle=year, end_date=dt.date(2027, 11, 30))
    year.refresh_from_db()
    assert year.end_date == dt.date(2027, 12, 31)


def test_a_parent_cycle_from_another_organisation_is_refused(world):
    theirs = services.year_with_quarters(member=world.charlie, year=2027)
    with pytest.raises(ValidationError, match="this organisation"):
        services.cycle_create(
            member=world.alice,
            name="Q",
            parent=theirs,
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2027, 3, 31),
        )


def test_the_current_cycle_is_the_shortest_running_one(world):
    services.year_with_quarters(member=world.alice, year=2027)
    assert cycle_current(world.alice, dt.date(2027, 5, 5)).name == "2027 Q2"
    assert cycle_current(world.alice, dt.date(2029, 5, 5)) is None
    assert cycle_current(world.charlie, dt.date(2027, 5, 5)) is None


def test_only_admins_manage_cycles_and_themes(world):
    for member in (world.bob, world.dave):
        with pytest.raises(PermissionDenied):
            services.year_with_quarters(member=member, year=2027)
        with pytest.raises(PermissionDenied):
            services.theme_create(member=member, title="Grow")


def test_themes_belong_to_the_organisation_or_a_bubble_root(world):
    services.theme_create(member=world.alice, title="Grow profitably")
    with pytest.raises(ValidationError, match="not a bubble root"):
        services.theme_create(member=world.alice, title="Ship faster", team=world.platform)
    team_update(
        member=world.alice,
        team=world.platform,
        is_bubble_root=True,
        strategy_statement="Boring deploys.",
    )
    bubble_theme = services.theme_create(
        member=world.alice, title="Ship faster", team=world.platform
    )
    assert bubble_theme.team == world.platform
    assert {t.title for t in themes_list(world.alice)} == {"Grow profitably", "Ship faster"}
    assert not themes_list(world.charlie).exists()


def test_an_empty_theme_title_is_refused(world):
    with pytest.raises(ValidationError, match="title"):
        services.theme_create(member=world.alice, title="   ")
    assert not Theme.objects.exists()


def test_archived_themes_are_hidden_by_default(world):
    theme = services.theme_create(member=world.alice, title="Old")
    services.theme_update(member=world.alice, theme=theme, archived=True)
    assert not themes_list(world.alice).exists()
    assert themes_list(world.alice, include_archived=True).get().is_archived
