"""Cycles and the strategy page: creating and editing cycles, themes."""

from __future__ import annotations

import datetime as dt

from headway.goals.models import Cycle, Theme
from tests.conftest import World, logged_in
from tests.web.conftest import Acme, error_of, snapshot

CYCLES = "/o/acme/cycles/"
STRATEGY = "/o/acme/strategy/"


def cycle(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "2027 Q1",
        "kind": "quarter",
        "start_date": "2027-01-01",
        "end_date": "2027-03-31",
        "status": "planning",
        "parent": "",
    }
    data.update(changes)
    return data


# Cycles


def test_the_cycles_page_lists_the_orgs_cycles(acme: Acme) -> None:
    html = logged_in(acme.world.dave).get(CYCLES).content.decode()
    assert "2026 Q4" in html
    assert "One cycle" not in html  # viewers get no forms
    assert "Edit" not in html


def test_it_creates_a_cycle(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(CYCLES, cycle())
    assert response["Location"] == CYCLES
    created = Cycle.objects.get(name="2027 Q1")
    assert (created.start_date, created.end_date) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert "Cycle 2027 Q1 created" in client.get(CYCLES).content.decode()


def test_a_cycle_ending_before_it_starts_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(CYCLES, cycle(end_date="2026-12-01"))
    assert response.status_code == 422
    assert "must end after it starts" in error_of(response, "end_date")
    assert snapshot() == before


def test_a_quarter_outside_its_year_is_refused_next_to_the_field(acme: Acme) -> None:
    before = snapshot()
    response = logged_in(acme.world.alice).post(CYCLES, cycle(parent=acme.year.pk))
    assert response.status_code == 422
    assert "must fit within those dates" in error_of(response, "parent")
    assert snapshot() == before


def test_a_duplicate_cycle_name_is_refused_next_to_the_field(acme: Acme) -> None:
    before = snapshot()
    response = logged_in(acme.world.alice).post(CYCLES, cycle(name="2026 Q4"))
    assert response.status_code == 422
    assert "already exists" in error_of(response, "name")
    assert snapshot() == before


def test_a_missing_date_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(CYCLES, cycle(start_date="soon"))
    assert response.status_code == 422
    assert "valid date" in error_of(response, "start_date")
    assert snapshot() == before


def test_a_parent_cycle_of_another_org_is_refused(world: World) -> None:
    globex_year = Cycle.objects.create(
        organisation=world.globex,
        name="G",
        kind="annual",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    before = snapshot()
    response = logged_in(world.alice).post(CYCLES, cycle(parent=globex_year.pk))
    assert response.status_code == 422
    assert "valid choice" in error_of(response, "parent")
    assert snapshot() == before


def test_it_creates_a_year_with_four_quarters(world: World) -> None:
    response = logged_in(world.alice).post("/o/acme/cycles/year/", {"year": "2027"})
    assert response["Location"] == CYCLES
    names = sorted(Cycle.objects.filter(organisation=world.acme).values_list("name", flat=True))
    assert names == ["2027", "2027 Q1", "2027 Q2", "2027 Q3", "2027 Q4"]


def test_a_year_that_exists_is_refused_and_nothing_is_half_written(acme: Acme) -> None:
    before = snapshot()
    response = logged_in(acme.world.alice).post("/o/acme/cycles/year/", {"year": "2026"})
    assert response.status_code == 422
    assert "A cycle named &#x27;2026&#x27; already exists" in response.content.decode()
    assert snapshot() == before


def test_a_year_out_of_range_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post("/o/acme/cycles/year/", {"year": "1999"})
    assert response.status_code == 422
    assert "greater than or equal to 2000" in error_of(response, "year")
    assert snapshot() == before


def test_the_edit_page_shows_the_cycle(acme: Acme) -> None:
    response = logged_in(acme.world.alice).get(f"{CYCLES}{acme.quarter.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026 Q4"' in html
    assert 'value="2026-10-01"' in html
    assert f'<option value="{acme.year.pk}" selected>' in html
    assert f'<option value="{acme.quarter.pk}"' not in html  # not inside itself


def test_it_edits_a_cycle(acme: Acme) -> None:
    url = f"{CYCLES}{acme.quarter.pk}/"
    response = logged_in(acme.world.alice).post(
        url, cycle(name="Q4", start_date="2026-10-01", end_date="2026-12-31", parent=acme.year.pk)
    )
    assert response["Location"] == CYCLES
    acme.quarter.refresh_from_db()
    assert acme.quarter.name == "Q4"


def test_an_edit_that_breaks_the_dates_is_refused_next_to_the_field(acme: Acme) -> None:
    url = f"{CYCLES}{acme.quarter.pk}/"
    client = logged_in(acme.world.alice)
    before = snapshot()
    response = client.post(
        url, cycle(start_date="2026-10-01", end_date="2026-09-01", parent=acme.year.pk)
    )
    assert response.status_code == 422
    assert "must end after it starts" in error_of(response, "end_date")
    response = client.post(
        url, cycle(start_date="2026-10-01", end_date="2027-01-31", parent=acme.year.pk)
    )
    assert "must fit within those dates" in error_of(response, "parent")
    # A year shrunk so that its quarter falls outside.
    response = client.post(
        f"{CYCLES}{acme.year.pk}/",
        cycle(name="2026", kind="annual", start_date="2026-01-01", end_date="2026-06-30"),
    )
    assert response.status_code == 422
    assert "2026 Q4 would no longer fit inside 2026" in error_of(response, "end_date")
    assert snapshot() == before


def test_a_cycle_with_cycles_inside_is_not_deleted(acme: Acme) -> None:
    client = logged_in(acme.world.alice)
    before = snapshot()
    response = client.post(f"{CYCLES}{acme.year.pk}/delete/")
    assert response["Location"] == CYCLES
    assert snapshot() == before
    assert "contains other cycles" in client.get(CYCLES).content.decode()


def test_it_deletes_a_cycle(acme: Acme) -> None:
    logged_in(acme.world.alice).post(f"{CYCLES}{acme.quarter.pk}/delete/")
    assert not Cycle.objects.filter(pk=acme.quarter.pk).exists()


def test_a_cycle_of_another_org_is_404(acme: Acme) -> None:
    client = logged_in(acme.world.charlie)
    assert client.get(f"/o/globex/cycles/{acme.quarter.pk}/").status_code == 404


# Strategy and themes


def test_the_strategy_page_shows_the_statement_and_themes(acme: Acme) -> None:
    org = acme.world.acme
    org.strategy_statement = "Win the mid-market"
    org.save()
    html = logged_in(acme.world.dave).get(STRATEGY).content.decode()
    assert "Win the mid-market" in html
    assert "Delight customers" in html
    assert "Add a theme" not in html


def test_it_adds_a_theme(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(STRATEGY, {"title": "Grow", "description": "More of it"})
    assert response["Location"] == STRATEGY
    theme = Theme.objects.get()
    assert (theme.title, theme.team, theme.organisation) == ("Grow", None, world.acme)
    assert "Theme Grow added" in client.get(STRATEGY).content.decode()


def test_an_empty_theme_title_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(STRATEGY, {"title": "   "})
    assert response.status_code == 422
    assert "required" in error_of(response, "title")
    assert snapshot() == before


def test_bubble_roots_get_their_own_themes(world: World) -> None:
    world.platform.is_bubble_root = True
    world.platform.strategy_statement = "Paved roads"
    world.platform.save()
    client = logged_in(world.alice)
    form = client.get(STRATEGY).content.decode()
    assert f'<option value="{world.platform.pk}">Platform</option>' in form
    assert f'<option value="{world.root.pk}">' not in form  # not a bubble root

    client.post(STRATEGY, {"title": "Self-service", "team": world.platform.pk})
    assert Theme.objects.get().team == world.platform
    html = client.get(STRATEGY).content.decode()
    bubble = html[html.index('<section class="bubble-section">') :]
    assert bubble.index("Paved roads") < bubble.index("<strong>Self-service</strong>")


def test_a_theme_for_a_team_that_is_no_bubble_root_is_refused(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(STRATEGY, {"title": "X", "team": world.root.pk})
    assert response.status_code == 422
    assert "valid choice" in error_of(response, "team")
    assert snapshot() == before


def test_it_archives_a_theme(acme: Acme) -> None:
    client = logged_in(acme.world.alice)
    response = client.post(f"{STRATEGY}themes/{acme.theme.pk}/archive/")
    assert response["Location"] == STRATEGY
    acme.theme.refresh_from_db()
    assert acme.theme.archived_at is not None
    html = client.get(STRATEGY).content.decode()
    assert "Theme Delight customers archived" in html
    assert f'id="theme-{acme.theme.pk}"' not in html
