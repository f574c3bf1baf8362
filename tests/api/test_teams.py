"""/api/v1/teams: the tree, its changes and team membership."""

from __future__ import annotations

from django.test import Client

from headway.teams.models import Team, TeamMembership, TeamRole
from tests.conftest import World
from tests.factories import MembershipFactory, TeamFactory, TeamMembershipFactory

from .conftest import problem, queries, send, unauthenticated

SHAPE = {
    "id",
    "name",
    "slug",
    "description",
    "parent_id",
    "depth",
    "is_bubble_root",
    "strategy_statement",
    "people",
}


def tree(world: World) -> dict[str, str | None]:
    """Each Acme team's slug and its parent's slug."""
    return {
        team.slug: team.parent.slug if team.parent else None
        for team in Team.objects.filter(organisation=world.acme).select_related("parent")
    }


# ---------------------------------------------------------------- reading


def test_it_lists_teams_in_tree_order_with_depth_and_people(world: World, bob: Client) -> None:
    TeamFactory(organisation=world.acme, name="Data", slug="data", parent=world.root)
    TeamFactory(organisation=world.acme, name="Edge", slug="edge", parent=world.platform)
    response = send(bob, "get", "/teams")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [(t["slug"], t["depth"]) for t in body["items"]] == [
        ("acme", 0),
        ("data", 1),
        ("platform", 1),
        ("edge", 2),
    ]
    platform = body["items"][2]
    assert set(platform) == SHAPE
    assert platform["id"] == world.platform.pk
    assert platform["parent_id"] == world.root.pk
    assert platform["people"] == 1


def test_it_never_lists_another_organisations_teams(world: World, charlie: Client) -> None:
    body = send(charlie, "get", "/teams").json()
    assert [t["slug"] for t in body["items"]] == ["globex-hq"]
    assert body["count"] == 1


def test_it_shows_the_outsider_nothing_under_another_organisations_team(
    world: World, charlie: Client
) -> None:
    assert send(charlie, "get", f"/teams?parent_id={world.root.pk}").json() == {
        "items": [],
        "count": 0,
    }


def test_it_filters_teams_by_parent(world: World, alice: Client) -> None:
    body = send(alice, "get", f"/teams?parent_id={world.root.pk}").json()
    assert [t["slug"] for t in body["items"]] == ["platform"]


def test_it_pages_teams(world: World, alice: Client) -> None:
    body = send(alice, "get", "/teams?page=2&page_size=1").json()
    assert body["count"] == 2
    assert [t["slug"] for t in body["items"]] == ["platform"]


def test_it_returns_one_team(world: World, dave: Client) -> None:
    response = send(dave, "get", f"/teams/{world.platform.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SHAPE
    assert (body["slug"], body["depth"], body["people"]) == ("platform", 1, 1)


def test_it_hides_another_organisations_team(world: World, charlie: Client) -> None:
    # Same answer as for a team that does not exist: no existence leak.
    missing = problem(send(charlie, "get", "/teams/999999"), 404)
    foreign = problem(send(charlie, "get", f"/teams/{world.platform.pk}"), 404)
    assert foreign["detail"] == missing["detail"]
    problem(send(charlie, "get", f"/teams/{world.platform.pk}/members"), 404)


def test_it_rejects_anonymous_team_reads(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", "/teams"))
    unauthenticated(send(anonymous, "get", f"/teams/{world.platform.pk}"))
    unauthenticated(send(anonymous, "get", f"/teams/{world.platform.pk}/members"))


def test_it_runs_the_same_queries_for_3_and_30_teams(world: World, alice: Client) -> None:
    TeamFactory(organisation=world.acme, parent=world.root)
    few = queries(alice, "/teams")
    parent = world.root
    for n in range(27):
        parent = parent if n % 3 else world.platform
        team = TeamFactory(organisation=world.acme, parent=parent)
        TeamMembershipFactory(team=team, user=world.bob.user)
    assert send(alice, "get", "/teams").json()["count"] == 30
    assert queries(alice, "/teams") == few


def test_it_runs_the_same_queries_for_3_and_30_team_members(world: World, alice: Client) -> None:
    for _ in range(2):
        TeamMembershipFactory(
            team=world.platform, user=MembershipFactory(organisation=world.acme).user
        )
    path = f"/teams/{world.platform.pk}/members"
    few = queries(alice, path)
    for _ in range(27):
        TeamMembershipFactory(
            team=world.platform, user=MembershipFactory(organisation=world.acme).user
        )
    assert send(alice, "get", path).json()["count"] == 30
    assert queries(alice, path) == few


# ---------------------------------------------------------------- creating


def test_it_creates_a_team_under_a_parent(world: World, alice: Client) -> None:
    response = send(
        alice,
        "post",
        "/teams",
        {"name": "Data Science", "parent_id": world.root.pk, "description": "Models."},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == SHAPE
    assert body["slug"] == "data-science"
    assert body["depth"] == 1
    assert body["parent_id"] == world.root.pk
    assert body["people"] == 0
    team = Team.objects.get(pk=body["id"])
    assert team.organisation == world.acme


def test_it_creates_a_root_team(world: World, alice: Client) -> None:
    body = send(alice, "post", "/teams", {"name": "Skunkworks", "slug": "skunk"}).json()
    assert (body["slug"], body["parent_id"], body["depth"]) == ("skunk", None, 0)


def test_it_keeps_a_slug_made_from_a_long_name_within_60_characters(
    world: World, alice: Client
) -> None:
    name = "Customer Experience and Operations Excellence Working Group for EMEA"
    body = send(alice, "post", "/teams", {"name": name}).json()
    assert len(body["slug"]) <= 60
    assert body["slug"].startswith("customer-experience")
    assert not body["slug"].endswith("-")


def test_it_refuses_a_duplicate_team_slug(world: World, alice: Client) -> None:
    response = send(alice, "post", "/teams", {"name": "Platform 2", "slug": "platform"})
    problem(response, 409, "slug")
    problem(send(alice, "post", "/teams", {"name": "Platform"}), 409, "slug")
    assert Team.objects.filter(organisation=world.acme).count() == 2


def test_it_allows_the_same_slug_in_another_organisation(world: World, charlie: Client) -> None:
    assert send(charlie, "post", "/teams", {"name": "Platform"}).status_code == 201


def test_it_rejects_invalid_teams_naming_the_field(world: World, alice: Client) -> None:
    cases = [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": 7}, "name"),
        ({"name": "Ops", "slug": "!!!"}, "slug"),
        ({"name": "Ops", "parent_id": "root"}, "parent_id"),
        ({"name": "Ops", "parent_id": 999999}, "parent_id"),
    ]
    for body, field in cases:
        problem(send(alice, "post", "/teams", body), 422, field)
    assert Team.objects.filter(organisation=world.acme).count() == 2


def test_it_refuses_a_parent_from_another_organisation(world: World, alice: Client) -> None:
    body = {"name": "Ops", "parent_id": world.globex_team.pk}
    problem(send(alice, "post", "/teams", body), 422, "parent_id")
    assert not Team.objects.filter(name="Ops").exists()


def test_it_forbids_members_and_viewers_from_creating_teams(
    world: World, bob: Client, dave: Client
) -> None:
    problem(send(bob, "post", "/teams", {"name": "Ops"}), 403)
    problem(send(dave, "post", "/teams", {"name": "Ops"}), 403)
    assert not Team.objects.filter(name="Ops").exists()


def test_it_rejects_anonymous_team_creation(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "post", "/teams", {"name": "Ops"}))
    assert not Team.objects.filter(name="Ops").exists()


# ---------------------------------------------------------------- changing and moving


def test_it_renames_a_team(world: World, alice: Client) -> None:
    response = send(alice, "patch", f"/teams/{world.platform.pk}", {"name": "Core", "slug": "core"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["slug"], body["depth"], body["people"]) == ("Core", "core", 1, 1)


def test_it_makes_a_bubble_root_with_its_own_strategy(world: World, alice: Client) -> None:
    body = {"is_bubble_root": True, "strategy_statement": "Fastest deploys in the market."}
    response = send(alice, "patch", f"/teams/{world.platform.pk}", body)
    assert response.status_code == 200
    assert response.json()["is_bubble_root"] is True


def test_it_refuses_a_bubble_root_without_a_strategy(world: World, alice: Client) -> None:
    response = send(alice, "patch", f"/teams/{world.platform.pk}", {"is_bubble_root": True})
    problem(response, 422, "strategy_statement")
    assert not Team.objects.get(pk=world.platform.pk).is_bubble_root


def test_it_refuses_a_slug_another_team_uses(world: World, alice: Client) -> None:
    problem(send(alice, "patch", f"/teams/{world.platform.pk}", {"slug": "acme"}), 409, "slug")
    assert Team.objects.get(pk=world.platform.pk).slug == "platform"


def test_it_rejects_null_for_fields_that_need_a_value(world: World, alice: Client) -> None:
    for field in ("name", "slug", "is_bubble_root"):
        problem(send(alice, "patch", f"/teams/{world.platform.pk}", {field: None}), 422, field)
    assert Team.objects.get(pk=world.platform.pk).name == "Platform"


def test_it_moves_a_team_with_its_subtree(world: World, alice: Client) -> None:
    data = TeamFactory(organisation=world.acme, name="Data", slug="data", parent=world.root)
    TeamFactory(organisation=world.acme, name="Edge", slug="edge", parent=world.platform)
    response = send(alice, "patch", f"/teams/{world.platform.pk}", {"parent_id": data.pk})
    assert response.status_code == 200
    assert response.json()["depth"] == 2
    depths = {t["slug"]: t["depth"] for t in send(alice, "get", "/teams").json()["items"]}
    assert depths == {"acme": 0, "data": 1, "platform": 2, "edge": 3}


def test_it_moves_a_team_to_the_top(world: World, alice: Client) -> None:
    response = send(alice, "patch", f"/teams/{world.platform.pk}", {"parent_id": None})
    assert response.status_code == 200
    assert (response.json()["parent_id"], response.json()["depth"]) == (None, 0)


def test_it_refuses_a_move_that_would_make_a_loop(world: World, alice: Client) -> None:
    edge = TeamFactory(organisation=world.acme, name="Edge", slug="edge", parent=world.platform)
    before = tree(world)
    for new_parent in (edge, world.platform):  # a descendant, and the team itself
        response = send(alice, "patch", f"/teams/{world.root.pk}", {"parent_id": new_parent.pk})
        problem(response, 422, "parent_id")
    problem(send(alice, "patch", f"/teams/{world.platform.pk}", {"parent_id": edge.pk}), 422)
    assert tree(world) == before


def test_it_undoes_a_move_when_the_rest_of_the_change_is_invalid(
    world: World, alice: Client
) -> None:
    data = TeamFactory(organisation=world.acme, name="Data", slug="data", parent=world.root)
    before = tree(world)
    body = {"parent_id": data.pk, "slug": "acme"}
    problem(send(alice, "patch", f"/teams/{world.platform.pk}", body), 409, "slug")
    assert tree(world) == before


def test_it_refuses_to_move_a_team_under_another_organisations_team(
    world: World, alice: Client
) -> None:
    body = {"parent_id": world.globex_team.pk}
    problem(send(alice, "patch", f"/teams/{world.platform.pk}", body), 422, "parent_id")
    assert Team.objects.get(pk=world.platform.pk).parent_id == world.root.pk


def test_it_hides_another_organisations_team_from_changes(world: World, charlie: Client) -> None:
    problem(send(charlie, "patch", f"/teams/{world.platform.pk}", {"name": "Mine"}), 404)
    problem(send(charlie, "delete", f"/teams/{world.platform.pk}"), 404)
    assert Team.objects.get(pk=world.platform.pk).name == "Platform"


def test_it_forbids_a_viewer_from_changing_teams(world: World, dave: Client) -> None:
    problem(send(dave, "patch", f"/teams/{world.platform.pk}", {"name": "Mine"}), 403)
    problem(send(dave, "patch", f"/teams/{world.platform.pk}", {"parent_id": None}), 403)
    problem(send(dave, "delete", f"/teams/{world.platform.pk}"), 403)
    assert Team.objects.get(pk=world.platform.pk).name == "Platform"
    assert Team.objects.get(pk=world.platform.pk).parent_id == world.root.pk


def test_it_rejects_anonymous_team_changes(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "patch", f"/teams/{world.platform.pk}", {"name": "X"}))
    unauthenticated(send(anonymous, "delete", f"/teams/{world.platform.pk}"))


# ---------------------------------------------------------------- deleting


def test_it_deletes_an_empty_team(world: World, alice: Client) -> None:
    empty = TeamFactory(organisation=world.acme, parent=world.root)
    response = send(alice, "delete", f"/teams/{empty.pk}")
    assert response.status_code == 204
    assert not Team.objects.filter(pk=empty.pk).exists()


def test_it_refuses_to_delete_a_team_with_members(world: World, alice: Client) -> None:
    body = problem(send(alice, "delete", f"/teams/{world.platform.pk}"), 409)
    assert "member" in body["detail"]
    assert Team.objects.filter(pk=world.platform.pk).exists()


def test_it_refuses_to_delete_a_team_with_sub_teams(world: World, alice: Client) -> None:
    body = problem(send(alice, "delete", f"/teams/{world.root.pk}"), 409)
    assert "sub-teams" in body["detail"]
    assert Team.objects.filter(pk=world.root.pk).exists()


def test_it_forbids_a_member_from_deleting_teams(world: World, bob: Client) -> None:
    empty = TeamFactory(organisation=world.acme, parent=world.root)
    problem(send(bob, "delete", f"/teams/{empty.pk}"), 403)
    assert Team.objects.filter(pk=empty.pk).exists()


# ---------------------------------------------------------------- team membership


def test_it_lists_the_people_in_a_team(world: World, dave: Client) -> None:
    response = send(dave, "get", f"/teams/{world.platform.pk}/members")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"] == [
        {
            "user": {"id": world.bob.user.pk, "email": "bob@acme.test", "name": "Bob"},
            "role": "member",
        }
    ]


def test_it_adds_a_person_to_a_team_and_changes_their_role(world: World, alice: Client) -> None:
    path = f"/teams/{world.platform.pk}/members"
    response = send(alice, "post", path, {"member_id": world.dave.pk})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "user": {"id": world.dave.user.pk, "email": "dave@acme.test", "name": "Dave"},
        "role": "member",
    }
    response = send(alice, "post", path, {"member_id": world.dave.pk, "role": "lead"})
    assert response.json()["role"] == "lead"
    membership = TeamMembership.objects.get(team=world.platform, user=world.dave.user)
    assert membership.role == TeamRole.LEAD
    assert membership.organisation == world.acme
    assert send(alice, "get", path).json()["count"] == 2


def test_it_refuses_to_add_someone_from_another_organisation(world: World, alice: Client) -> None:
    path = f"/teams/{world.platform.pk}/members"
    problem(send(alice, "post", path, {"member_id": world.charlie.pk}), 422, "member_id")
    problem(send(alice, "post", path, {"member_id": 999999}), 422, "member_id")
    assert not TeamMembership.objects.filter(user=world.charlie.user).exists()


def test_it_rejects_invalid_team_member_bodies(world: World, alice: Client) -> None:
    path = f"/teams/{world.platform.pk}/members"
    problem(send(alice, "post", path, {}), 422, "member_id")
    problem(send(alice, "post", path, {"member_id": world.dave.pk, "role": "boss"}), 422, "role")
    assert not TeamMembership.objects.filter(user=world.dave.user).exists()


def test_it_hides_another_organisations_team_from_membership_changes(
    world: World, charlie: Client
) -> None:
    path = f"/teams/{world.platform.pk}/members"
    problem(send(charlie, "post", path, {"member_id": world.charlie.pk}), 404)
    problem(send(charlie, "delete", f"{path}/{world.bob.pk}"), 404)
    assert TeamMembership.objects.filter(team=world.platform, user=world.bob.user).exists()


def test_it_forbids_members_and_viewers_from_changing_team_membership(
    world: World, bob: Client, dave: Client
) -> None:
    path = f"/teams/{world.platform.pk}/members"
    problem(send(bob, "post", path, {"member_id": world.dave.pk}), 403)
    problem(send(dave, "post", path, {"member_id": world.dave.pk}), 403)
    problem(send(dave, "delete", f"{path}/{world.bob.pk}"), 403)
    assert TeamMembership.objects.filter(team=world.platform).count() == 1


def test_it_takes_a_person_out_of_a_team(world: World, alice: Client) -> None:
    response = send(alice, "delete", f"/teams/{world.platform.pk}/members/{world.bob.pk}")
    assert response.status_code == 204
    assert not TeamMembership.objects.filter(team=world.platform).exists()


def test_it_answers_404_when_taking_out_someone_of_another_organisation(
    world: World, alice: Client
) -> None:
    path = f"/teams/{world.platform.pk}/members/{world.charlie.pk}"
    problem(send(alice, "delete", path), 404)


def test_it_rejects_anonymous_team_membership_changes(world: World, anonymous: Client) -> None:
    path = f"/teams/{world.platform.pk}/members"
    unauthenticated(send(anonymous, "post", path, {"member_id": world.dave.pk}))
    unauthenticated(send(anonymous, "delete", f"{path}/{world.bob.pk}"))
    assert TeamMembership.objects.filter(team=world.platform).count() == 1
