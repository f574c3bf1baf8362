"""/api/v1/cycles and /api/v1/themes: the strategy frame objectives hang from."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from headway.goals.models import Cycle, Theme
from headway.goals.services import year_with_quarters
from tests.conftest import World
from tests.factories import CycleFactory, ThemeFactory

from .conftest import problem, queries, send, unauthenticated

CYCLE = {"id", "name", "kind", "start_date", "end_date", "status", "parent_id"}
THEME = {"id", "title", "description", "order", "team_id", "archived"}


def q1(parent_id: int | None = None, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "2027 Q1",
        "kind": "quarter",
        "start_date": "2027-01-01",
        "end_date": "2027-03-31",
        "parent_id": parent_id,
    }
    body.update(changes)
    return body


# ---------------------------------------------------------------- cycles: reading


def test_it_lists_cycles_oldest_first(world: World, dave: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    response = send(dave, "get", "/cycles")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [c["name"] for c in body["items"]] == [
        "2027",
        "2027 Q1",
        "2027 Q2",
        "2027 Q3",
        "2027 Q4",
    ]
    year, first = body["items"][:2]
    assert set(year) == CYCLE
    assert (year["kind"], year["start_date"], year["end_date"]) == (
        "annual",
        "2027-01-01",
        "2027-12-31",
    )
    assert first["parent_id"] == year["id"]
    assert first["status"] == "planning"


def test_it_filters_and_pages_cycles(world: World, alice: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    Cycle.objects.filter(name="2027 Q2").update(status="active")
    active = send(alice, "get", "/cycles?status=active").json()
    assert [c["name"] for c in active["items"]] == ["2027 Q2"]
    page = send(alice, "get", "/cycles?page=2&page_size=1").json()
    assert page["count"] == 5
    assert [c["name"] for c in page["items"]] == ["2027 Q1"]
    problem(send(alice, "get", "/cycles?status=sleeping"), 422, "status")


def test_it_never_shows_another_organisations_cycles(world: World, charlie: Client) -> None:
    acme_cycle = CycleFactory(organisation=world.acme, name="Acme Q4")
    CycleFactory(organisation=world.globex, name="Globex Q4")
    assert [c["name"] for c in send(charlie, "get", "/cycles").json()["items"]] == ["Globex Q4"]
    missing = problem(send(charlie, "get", "/cycles/999999"), 404)
    foreign = problem(send(charlie, "get", f"/cycles/{acme_cycle.pk}"), 404)
    assert foreign["detail"] == missing["detail"]


def test_it_runs_the_same_queries_for_3_and_30_cycles(world: World, alice: Client) -> None:
    year = CycleFactory(organisation=world.acme, name="2026", kind="annual")
    for n in range(2):
        CycleFactory(organisation=world.acme, name=f"early {n}", parent=year)
    few = queries(alice, "/cycles")
    for n in range(27):
        CycleFactory(organisation=world.acme, name=f"late {n}", parent=year)
    assert send(alice, "get", "/cycles").json()["count"] == 30
    assert queries(alice, "/cycles") == few


def test_it_runs_the_same_queries_for_3_and_30_themes(world: World, alice: Client) -> None:
    world.platform.is_bubble_root = True
    world.platform.save()
    ThemeFactory.create_batch(3, organisation=world.acme, team=world.platform)
    few = queries(alice, "/themes")
    ThemeFactory.create_batch(27, organisation=world.acme, team=world.platform)
    assert send(alice, "get", "/themes").json()["count"] == 30
    assert queries(alice, "/themes") == few


def test_it_returns_one_cycle(world: World, bob: Client) -> None:
    cycle = CycleFactory(organisation=world.acme, name="2026 Q4")
    body = send(bob, "get", f"/cycles/{cycle.pk}").json()
    assert set(body) == CYCLE
    assert (body["name"], body["status"], body["parent_id"]) == ("2026 Q4", "active", None)


def test_it_rejects_anonymous_cycle_reads(world: World, anonymous: Client) -> None:
    cycle = CycleFactory(organisation=world.acme)
    unauthenticated(send(anonymous, "get", "/cycles"))
    unauthenticated(send(anonymous, "get", f"/cycles/{cycle.pk}"))


# ---------------------------------------------------------------- cycles: creating


def test_it_creates_a_year_and_a_quarter_inside_it(world: World, alice: Client) -> None:
    year = send(
        alice,
        "post",
        "/cycles",
        {"name": "2027", "kind": "annual", "start_date": "2027-01-01", "end_date": "2027-12-31"},
    )
    assert year.status_code == 201, year.content
    assert set(year.json()) == CYCLE
    quarter = send(alice, "post", "/cycles", q1(year.json()["id"], status="active"))
    assert quarter.status_code == 201, quarter.content
    body = quarter.json()
    assert (body["parent_id"], body["status"], body["kind"]) == (
        year.json()["id"],
        "active",
        "quarter",
    )
    assert Cycle.objects.get(pk=body["id"]).organisation == world.acme


def test_it_refuses_a_quarter_that_does_not_fit_inside_its_year(
    world: World, alice: Client
) -> None:
    year = year_with_quarters(member=world.alice, year=2027)
    body = q1(year.pk, name="Late Q", start_date="2027-11-01", end_date="2028-01-31")
    problem(send(alice, "post", "/cycles", body), 422, "parent_id")
    assert not Cycle.objects.filter(name="Late Q").exists()


def test_it_refuses_a_duplicate_cycle_name(world: World, alice: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    problem(send(alice, "post", "/cycles", q1()), 409, "name")
    assert Cycle.objects.filter(organisation=world.acme, name="2027 Q1").count() == 1


def test_it_allows_the_same_cycle_name_in_another_organisation(
    world: World, charlie: Client
) -> None:
    year_with_quarters(member=world.alice, year=2027)
    assert send(charlie, "post", "/cycles", q1()).status_code == 201


def test_it_rejects_invalid_cycles_naming_the_field(world: World, alice: Client) -> None:
    cases = [
        (q1(end_date="2026-12-31"), "end_date"),
        (q1(end_date="2027-01-01"), "end_date"),
        (q1(start_date="2027-02-30"), "start_date"),
        (q1(start_date="soon"), "start_date"),
        ({"name": "2027 Q1", "start_date": "2027-01-01"}, "end_date"),
        (q1(name=""), "name"),
        (q1(name="   "), "name"),
        (q1(name="x" * 61), "name"),
        (q1(kind="fortnight"), "kind"),
        (q1(status="done"), "status"),
        (q1(parent_id=999999), "parent_id"),
    ]
    for body, field in cases:
        problem(send(alice, "post", "/cycles", body), 422, field)
    assert not Cycle.objects.exists()


def test_it_refuses_a_parent_cycle_from_another_organisation(world: World, alice: Client) -> None:
    theirs = CycleFactory(
        organisation=world.globex, start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31)
    )
    problem(send(alice, "post", "/cycles", q1(theirs.pk)), 422, "parent_id")
    assert not Cycle.objects.filter(organisation=world.acme).exists()


def test_it_forbids_members_and_viewers_from_creating_cycles(
    world: World, bob: Client, dave: Client
) -> None:
    problem(send(bob, "post", "/cycles", q1()), 403)
    problem(send(dave, "post", "/cycles", q1()), 403)
    assert not Cycle.objects.exists()


def test_it_rejects_anonymous_cycle_creation(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "post", "/cycles", q1()))
    assert not Cycle.objects.exists()


# ---------------------------------------------------------------- cycles: changing


def test_it_changes_a_cycle(world: World, alice: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    quarter = Cycle.objects.get(name="2027 Q1")
    response = send(alice, "patch", f"/cycles/{quarter.pk}", {"status": "active", "name": "Q1"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["name"]) == ("active", "Q1")
    quarter.refresh_from_db()
    assert (quarter.status, quarter.name, quarter.start_date) == (
        "active",
        "Q1",
        dt.date(2027, 1, 1),
    )


def test_it_refuses_to_shrink_a_year_below_its_quarters(world: World, alice: Client) -> None:
    year = year_with_quarters(member=world.alice, year=2027)
    problem(send(alice, "patch", f"/cycles/{year.pk}", {"end_date": "2027-06-30"}), 422, "end_date")
    year.refresh_from_db()
    assert year.end_date == dt.date(2027, 12, 31)


def test_it_refuses_to_move_a_quarter_out_of_its_year(world: World, alice: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    quarter = Cycle.objects.get(name="2027 Q4")
    body = {"end_date": "2028-01-31"}
    problem(send(alice, "patch", f"/cycles/{quarter.pk}", body), 422, "parent_id")
    quarter.refresh_from_db()
    assert quarter.end_date == dt.date(2027, 12, 31)


def test_it_refuses_a_rename_to_a_taken_cycle_name(world: World, alice: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    quarter = Cycle.objects.get(name="2027 Q1")
    problem(send(alice, "patch", f"/cycles/{quarter.pk}", {"name": "2027 Q2"}), 409, "name")
    assert Cycle.objects.filter(name="2027 Q1").exists()


def test_it_refuses_a_cycle_inside_itself_or_its_own_cycles(world: World, alice: Client) -> None:
    year = year_with_quarters(member=world.alice, year=2027)
    # Same dates as the year, so only the loop check can stop it.
    twin = Cycle.objects.create(
        organisation=world.acme,
        name="2027 twin",
        kind="custom",
        start_date=year.start_date,
        end_date=year.end_date,
        parent=year,
    )
    problem(send(alice, "patch", f"/cycles/{year.pk}", {"parent_id": year.pk}), 422, "parent_id")
    problem(send(alice, "patch", f"/cycles/{year.pk}", {"parent_id": twin.pk}), 422, "parent_id")
    year.refresh_from_db()
    assert year.parent_id is None


def test_it_takes_a_cycle_out_of_its_parent_with_null(world: World, alice: Client) -> None:
    year_with_quarters(member=world.alice, year=2027)
    quarter = Cycle.objects.get(name="2027 Q1")
    response = send(alice, "patch", f"/cycles/{quarter.pk}", {"parent_id": None})
    assert response.status_code == 200
    assert response.json()["parent_id"] is None


def test_it_rejects_null_for_cycle_fields_that_need_a_value(world: World, alice: Client) -> None:
    cycle = CycleFactory(organisation=world.acme, name="2026 Q4")
    for field in ("name", "kind", "start_date", "end_date", "status"):
        problem(send(alice, "patch", f"/cycles/{cycle.pk}", {field: None}), 422, field)
    cycle.refresh_from_db()
    assert (cycle.name, cycle.start_date) == ("2026 Q4", dt.date(2026, 10, 1))


def test_it_hides_another_organisations_cycle_from_changes(world: World, charlie: Client) -> None:
    cycle = CycleFactory(organisation=world.acme, name="2026 Q4")
    problem(send(charlie, "patch", f"/cycles/{cycle.pk}", {"name": "Mine"}), 404)
    problem(send(charlie, "delete", f"/cycles/{cycle.pk}"), 404)
    cycle.refresh_from_db()
    assert cycle.name == "2026 Q4"


def test_it_forbids_a_viewer_from_changing_cycles(world: World, dave: Client) -> None:
    cycle = CycleFactory(organisation=world.acme, name="2026 Q4")
    problem(send(dave, "patch", f"/cycles/{cycle.pk}", {"name": "Mine"}), 403)
    problem(send(dave, "delete", f"/cycles/{cycle.pk}"), 403)
    assert Cycle.objects.get(pk=cycle.pk).name == "2026 Q4"


def test_it_rejects_anonymous_cycle_changes(world: World, anonymous: Client) -> None:
    cycle = CycleFactory(organisation=world.acme, name="2026 Q4")
    unauthenticated(send(anonymous, "patch", f"/cycles/{cycle.pk}", {"name": "Mine"}))
    unauthenticated(send(anonymous, "delete", f"/cycles/{cycle.pk}"))


# ---------------------------------------------------------------- cycles: deleting


def test_it_deletes_a_cycle(world: World, alice: Client) -> None:
    cycle = CycleFactory(organisation=world.acme)
    assert send(alice, "delete", f"/cycles/{cycle.pk}").status_code == 204
    assert not Cycle.objects.filter(pk=cycle.pk).exists()


def test_it_refuses_to_delete_a_year_that_has_quarters(world: World, alice: Client) -> None:
    year = year_with_quarters(member=world.alice, year=2027)
    problem(send(alice, "delete", f"/cycles/{year.pk}"), 409)
    assert Cycle.objects.filter(organisation=world.acme).count() == 5


# ---------------------------------------------------------------- themes


def test_it_adds_organisation_themes_in_order(world: World, alice: Client) -> None:
    first = send(alice, "post", "/themes", {"title": "Delight customers", "description": " Why. "})
    assert first.status_code == 201, first.content
    second = send(alice, "post", "/themes", {"title": "Operational excellence"})
    body = first.json()
    assert set(body) == THEME
    assert (body["order"], body["team_id"], body["archived"], body["description"]) == (
        0,
        None,
        False,
        "Why.",
    )
    assert second.json()["order"] == 1
    listed = send(alice, "get", "/themes").json()
    assert [t["title"] for t in listed["items"]] == ["Delight customers", "Operational excellence"]
    assert listed["count"] == 2


def test_it_adds_a_theme_to_a_bubble_root(world: World, alice: Client) -> None:
    world.platform.is_bubble_root = True
    world.platform.strategy_statement = "Fastest deploys."
    world.platform.save()
    response = send(alice, "post", "/themes", {"title": "Speed", "team_id": world.platform.pk})
    assert response.status_code == 201, response.content
    assert response.json()["team_id"] == world.platform.pk
    filtered = send(alice, "get", f"/themes?team_id={world.platform.pk}").json()
    assert [t["title"] for t in filtered["items"]] == ["Speed"]


def test_it_refuses_a_theme_for_a_team_that_is_not_a_bubble_root(
    world: World, alice: Client
) -> None:
    body = {"title": "Speed", "team_id": world.platform.pk}
    problem(send(alice, "post", "/themes", body), 422, "team_id")
    assert not Theme.objects.exists()


def test_it_refuses_a_theme_for_another_organisations_team(world: World, alice: Client) -> None:
    body = {"title": "Speed", "team_id": world.globex_team.pk}
    problem(send(alice, "post", "/themes", body), 422, "team_id")
    assert not Theme.objects.exists()


def test_it_rejects_invalid_themes_naming_the_field(world: World, alice: Client) -> None:
    cases = [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 161}, "title"),
        ({"title": "Speed", "order": -1}, "order"),
        ({"title": "Speed", "team_id": "platform"}, "team_id"),
    ]
    for body, field in cases:
        problem(send(alice, "post", "/themes", body), 422, field)
    assert not Theme.objects.exists()


def test_it_archives_and_restores_a_theme(world: World, alice: Client) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Speed")
    response = send(alice, "patch", f"/themes/{theme.pk}", {"archived": True})
    assert response.status_code == 200
    assert response.json()["archived"] is True
    assert send(alice, "get", "/themes").json()["count"] == 0
    with_archived = send(alice, "get", "/themes?archived=true").json()
    assert [t["title"] for t in with_archived["items"]] == ["Speed"]
    assert send(alice, "get", f"/themes/{theme.pk}").json()["archived"] is True
    assert (
        send(alice, "patch", f"/themes/{theme.pk}", {"archived": False}).json()["archived"] is False
    )


def test_it_changes_a_theme(world: World, alice: Client) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Speed")
    response = send(alice, "patch", f"/themes/{theme.pk}", {"title": "Velocity", "order": 3})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["order"]) == ("Velocity", 3)
    problem(send(alice, "patch", f"/themes/{theme.pk}", {"title": " "}), 422, "title")
    problem(send(alice, "patch", f"/themes/{theme.pk}", {"title": None}), 422, "title")
    problem(send(alice, "patch", f"/themes/{theme.pk}", {"order": -2}), 422, "order")
    theme.refresh_from_db()
    assert (theme.title, theme.order) == ("Velocity", 3)


def test_it_deletes_a_theme(world: World, alice: Client) -> None:
    theme = ThemeFactory(organisation=world.acme)
    assert send(alice, "delete", f"/themes/{theme.pk}").status_code == 204
    assert not Theme.objects.filter(pk=theme.pk).exists()


def test_it_never_shows_another_organisations_themes(world: World, charlie: Client) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Acme secret")
    ThemeFactory(organisation=world.globex, title="Globex plan")
    assert [t["title"] for t in send(charlie, "get", "/themes").json()["items"]] == ["Globex plan"]
    assert send(charlie, "get", "/themes?archived=true").json()["count"] == 1
    problem(send(charlie, "get", f"/themes/{theme.pk}"), 404)
    problem(send(charlie, "patch", f"/themes/{theme.pk}", {"title": "Mine"}), 404)
    problem(send(charlie, "delete", f"/themes/{theme.pk}"), 404)
    theme.refresh_from_db()
    assert theme.title == "Acme secret"


def test_it_forbids_members_and_viewers_from_changing_themes(
    world: World, bob: Client, dave: Client
) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Speed")
    for client in (bob, dave):
        problem(send(client, "post", "/themes", {"title": "Mine"}), 403)
        problem(send(client, "patch", f"/themes/{theme.pk}", {"title": "Mine"}), 403)
        problem(send(client, "delete", f"/themes/{theme.pk}"), 403)
    assert list(Theme.objects.values_list("title", flat=True)) == ["Speed"]


def test_it_lets_a_viewer_read_themes(world: World, dave: Client) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Speed")
    assert send(dave, "get", f"/themes/{theme.pk}").json()["title"] == "Speed"


def test_it_rejects_anonymous_theme_calls(world: World, anonymous: Client) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Speed")
    unauthenticated(send(anonymous, "get", "/themes"))
    unauthenticated(send(anonymous, "get", f"/themes/{theme.pk}"))
    unauthenticated(send(anonymous, "post", "/themes", {"title": "Mine"}))
    unauthenticated(send(anonymous, "patch", f"/themes/{theme.pk}", {"title": "Mine"}))
    unauthenticated(send(anonymous, "delete", f"/themes/{theme.pk}"))
    assert list(Theme.objects.values_list("title", flat=True)) == ["Speed"]


def test_it_pages_themes(world: World, alice: Client) -> None:
    for title in ("A", "B", "C"):
        ThemeFactory(organisation=world.acme, title=title)
    body = send(alice, "get", "/themes?page=2&page_size=1").json()
    assert body["count"] == 3
    assert [t["title"] for t in body["items"]] == ["B"]
