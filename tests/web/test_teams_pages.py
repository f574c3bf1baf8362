"""The team tree pages: browse, create, rename, move, members, delete."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headway.teams.models import Team, TeamMembership
from tests.conftest import World, logged_in
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.web.conftest import error_of, snapshot

TREE = "/o/acme/teams/"
PLATFORM = "/o/acme/teams/platform/"
HTMX = {"HX-Request": "true"}


def test_the_tree_lists_teams_depth_first_with_their_people(world: World) -> None:
    TeamFactory(organisation=world.acme, name="Billing", slug="billing", parent=world.platform)
    response = logged_in(world.dave).get(TREE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(">Acme</a>") < html.index(">Platform</a>") < html.index(">Billing</a>")
    assert 'class="depth-2"' in html
    assert "1 person" in html
    assert "Globex HQ" not in html
    assert "New team" not in html  # viewers get no form


# Creating


def test_it_creates_a_team_under_a_parent(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(TREE, {"name": "Data Science", "parent": world.root.pk})
    assert response["Location"] == TREE
    team = Team.objects.get(slug="data-science")
    assert team.parent == world.root
    assert team.organisation == world.acme
    assert "Team Data Science created" in client.get(TREE).content.decode()


def test_the_sub_team_link_preselects_the_parent(world: World) -> None:
    html = logged_in(world.alice).get(f"{TREE}?parent={world.platform.pk}").content.decode()
    assert f'<option value="{world.platform.pk}" selected>' in html


def test_a_duplicate_short_name_is_refused_next_to_the_field(world: World) -> None:
    client = logged_in(world.alice)
    before = snapshot()
    response = client.post(TREE, {"name": "Another", "slug": "platform"})
    assert response.status_code == 422
    assert "already uses the short name 'platform'" in error_of(response, "slug")
    # The same when the short name comes from the name.
    response = client.post(TREE, {"name": "Platform", "parent": world.root.pk})
    assert response.status_code == 422
    assert "already uses the short name 'platform'" in error_of(response, "slug")
    assert snapshot() == before


def test_a_short_name_may_repeat_in_another_org(world: World) -> None:
    response = logged_in(world.charlie).post("/o/globex/teams/", {"name": "Platform"})
    assert response.status_code == 302
    assert Team.objects.filter(slug="platform").count() == 2


def test_an_empty_name_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(TREE, {"name": "  "})
    assert response.status_code == 422
    assert "required" in error_of(response, "name")
    assert snapshot() == before


def test_a_parent_from_another_org_is_refused(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(TREE, {"name": "Spy", "parent": world.globex_team.pk})
    assert response.status_code == 422
    assert "Select a valid choice" in error_of(response, "parent")
    assert snapshot() == before


# The detail page and editing


def test_the_detail_page_shows_the_path_people_and_sub_teams(world: World) -> None:
    TeamFactory(organisation=world.acme, name="Billing", slug="billing", parent=world.platform)
    response = logged_in(world.bob).get(PLATFORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/o/acme/teams/acme/">Acme</a>' in html  # breadcrumb
    assert 'href="/o/acme/teams/billing/">Billing</a>' in html
    assert "Bob" in html


def test_an_unknown_team_is_404(world: World) -> None:
    assert logged_in(world.alice).get("/o/acme/teams/nope/").status_code == 404
    assert logged_in(world.alice).get("/o/acme/teams/globex-hq/").status_code == 404


def test_it_renames_a_team(world: World) -> None:
    response = logged_in(world.alice).post(
        f"{PLATFORM}edit/", {"name": "Platform Eng", "slug": "platform-eng", "description": "Us"}
    )
    assert response["Location"] == "/o/acme/teams/platform-eng/"
    world.platform.refresh_from_db()
    assert (world.platform.name, world.platform.description) == ("Platform Eng", "Us")


def test_renaming_to_a_taken_short_name_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(f"{PLATFORM}edit/", {"name": "Platform", "slug": "acme"})
    assert response.status_code == 422
    assert "already uses the short name 'acme'" in error_of(response, "slug")
    assert snapshot() == before
    # The page still shows the team as it is.
    assert "<h1>Platform" in response.content.decode()


def test_a_bubble_root_needs_a_statement(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(
        f"{PLATFORM}edit/", {"name": "Platform", "slug": "platform", "is_bubble_root": "on"}
    )
    assert response.status_code == 422
    assert "needs its own strategy statement" in error_of(response, "strategy_statement")
    assert snapshot() == before


def test_it_marks_a_bubble_root(world: World) -> None:
    logged_in(world.alice).post(
        f"{PLATFORM}edit/",
        {
            "name": "Platform",
            "slug": "platform",
            "is_bubble_root": "on",
            "strategy_statement": "Be boring",
        },
    )
    world.platform.refresh_from_db()
    assert world.platform.is_bubble_root


# Moving


def test_it_moves_a_team(world: World) -> None:
    other = TeamFactory(organisation=world.acme, name="Sales", slug="sales", parent=world.root)
    response = logged_in(world.alice).post(f"{PLATFORM}move/", {"parent": other.pk})
    assert response["Location"] == PLATFORM
    world.platform.refresh_from_db()
    assert world.platform.parent == other


def test_a_move_that_would_make_a_loop_is_refused_next_to_the_field(world: World) -> None:
    billing = TeamFactory(
        organisation=world.acme, name="Billing", slug="billing", parent=world.platform
    )
    client = logged_in(world.alice)
    before = snapshot()
    for parent in [billing, world.platform]:
        response = client.post("/o/acme/teams/acme/move/", {"parent": parent.pk})
        assert response.status_code == 422
        assert "cannot move under itself" in error_of(response, "parent")
    response = client.post(f"{PLATFORM}move/", {"parent": world.platform.pk})
    assert "cannot move under itself" in error_of(response, "parent")
    assert snapshot() == before


# Deleting


def test_delete_asks_first(world: World) -> None:
    response = logged_in(world.alice).get(f"{PLATFORM}delete/")
    assert response.status_code == 200
    assert "Delete Platform?" in response.content.decode()
    assert Team.objects.filter(pk=world.platform.pk).exists()


def test_a_team_with_people_is_not_deleted(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(f"{PLATFORM}delete/")
    assert response.status_code == 409
    assert "Platform still has 1 member: move or remove them first." in response.content.decode()
    assert snapshot() == before


def test_a_team_with_sub_teams_is_not_deleted(world: World) -> None:
    TeamMembership.objects.all().delete()
    before = snapshot()
    response = logged_in(world.alice).post("/o/acme/teams/acme/delete/")
    assert response.status_code == 409
    assert "Acme has sub-teams" in response.content.decode()
    assert snapshot() == before


def test_it_deletes_an_empty_team(world: World) -> None:
    TeamMembership.objects.all().delete()
    client = logged_in(world.alice)
    response = client.post(f"{PLATFORM}delete/")
    assert response["Location"] == TREE
    assert not Team.objects.filter(pk=world.platform.pk).exists()
    assert "Team Platform deleted" in client.get(TREE).content.decode()


# Members


def test_it_adds_a_person_by_email(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(f"{PLATFORM}members/", {"email": "Dave@acme.test", "role": "lead"})
    assert response["Location"] == PLATFORM
    assert TeamMembership.objects.get(team=world.platform, user=world.dave.user).role == "lead"
    assert "Dave is now in Platform" in client.get(PLATFORM).content.decode()


def test_people_outside_the_org_cannot_be_added_and_are_not_revealed(world: World) -> None:
    client = logged_in(world.alice)
    before = snapshot()
    outsider = client.post(
        f"{PLATFORM}members/", {"email": "charlie@globex.test", "role": "member"}
    )
    nobody = client.post(f"{PLATFORM}members/", {"email": "nobody@example.com", "role": "member"})
    assert outsider.status_code == nobody.status_code == 422
    assert error_of(outsider, "email") == error_of(nobody, "email")
    assert "invite them first" in error_of(nobody, "email")
    assert snapshot() == before


def test_an_invalid_email_is_refused_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(f"{PLATFORM}members/", {"email": "bob", "role": "x"})
    assert response.status_code == 422
    assert "valid email address" in error_of(response, "email")
    assert "valid choice" in error_of(response, "role")
    assert snapshot() == before


def test_htmx_member_removal_returns_only_the_members_partial(world: World) -> None:
    response = logged_in(world.alice).post(
        f"{PLATFORM}members/{world.bob.user_id}/remove/", headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<div id="team-members">')
    assert "Nobody in this team yet" in html
    assert not TeamMembership.objects.filter(team=world.platform).exists()


def test_member_removal_without_htmx_redirects_to_the_team(world: World) -> None:
    response = logged_in(world.alice).post(f"{PLATFORM}members/{world.bob.user_id}/remove/")
    assert response.status_code == 302
    assert response["Location"] == PLATFORM
    assert not TeamMembership.objects.filter(team=world.platform).exists()


def test_the_remove_buttons_target_the_members_partial(world: World) -> None:
    html = logged_in(world.alice).get(PLATFORM).content.decode()
    assert f'hx-post="{PLATFORM}members/{world.bob.user_id}/remove/"' in html
    assert 'hx-target="#team-members"' in html


# Query counts


def queries_for(client: Client, url: str) -> int:
    """Queries of a page view, once the session knows the current organisation."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_teams(world: World, first: int, last: int) -> None:
    """Teams number `first` to `last - 1`, every third one below the previous, each with a person."""
    parent = world.platform
    for n in range(first, last):
        team = TeamFactory(
            organisation=world.acme,
            name=f"Team {n:02}",
            slug=f"team-{n}",
            parent=parent if n % 3 else world.root,
        )
        TeamMembershipFactory(team=team, user=UserFactory(email=f"p{n}@acme.test"))
        parent = team


def test_the_tree_runs_the_same_queries_for_3_and_30_teams(world: World) -> None:
    client = logged_in(world.alice)
    add_teams(world, 0, 1)  # with root and platform: 3 teams
    few = queries_for(client, TREE)
    add_teams(world, 1, 28)
    assert Team.objects.filter(organisation=world.acme).count() == 30
    assert queries_for(client, TREE) == few


def test_the_team_page_runs_the_same_queries_for_3_and_30_people_and_sub_teams(
    world: World,
) -> None:
    client = logged_in(world.alice)
    for n in range(2):
        TeamMembershipFactory(team=world.platform, user=UserFactory(email=f"q{n}@acme.test"))
    few = queries_for(client, PLATFORM)
    for n in range(2, 29):
        TeamMembershipFactory(team=world.platform, user=UserFactory(email=f"q{n}@acme.test"))
        TeamFactory(organisation=world.acme, slug=f"sub-{n}", parent=world.platform)
    assert queries_for(client, PLATFORM) == few


def _deep_tree(world, depth):
    from tests.factories import TeamFactory

    parent = world.platform
    for level in range(depth):
        parent = TeamFactory(
            organisation=world.acme, parent=parent, name=f"Level {level}", slug=f"level-{level}"
        )
    return parent


def test_the_tree_opens_two_levels_and_loads_deeper_ones_on_demand(world):
    from tests.conftest import logged_in

    _deep_tree(world, 3)  # acme > platform > level-0 > level-1 > level-2
    client = logged_in(world.bob)
    page = client.get("/o/acme/teams/").content.decode()
    assert "Level 0" in page and "Level 1" not in page
    assert "/o/acme/teams/level-0/children/" in page
    branch = client.get(
        "/o/acme/teams/level-0/children/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in branch and "Level 1" in branch and "Level 2" not in branch
    assert 'hx-swap-oob="true"' in branch
    full = client.get("/o/acme/teams/level-0/children/").content.decode()
    assert "<html" in full and "Level 1" in full


def test_the_outsider_cannot_open_a_branch(world):
    from tests.conftest import logged_in

    assert logged_in(world.charlie).get("/o/acme/teams/platform/children/").status_code == 404


def test_a_large_organisation_types_the_parent_by_short_name(world):
    from headway.teams.models import Team
    from headway.web import forms
    from tests.conftest import logged_in

    forms.PARENT_SELECT_LIMIT, before = 1, forms.PARENT_SELECT_LIMIT
    try:
        client = logged_in(world.alice)
        page = client.get("/o/acme/teams/").content.decode()
        assert 'name="parent"' in page and '<select name="parent"' not in page
        client.post("/o/acme/teams/", {"name": "Billing", "parent": "platform"})
        assert Team.objects.get(slug="billing").parent == world.platform
        response = client.post("/o/acme/teams/", {"name": "Ghost", "parent": "no-such-team"})
        assert response.status_code == 422 and b"No team has this short name" in response.content
        assert not Team.objects.filter(slug="ghost").exists()
    finally:
        forms.PARENT_SELECT_LIMIT = before
