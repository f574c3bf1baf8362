"""The people page: members and their roles, invitations, removing someone."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from headway.accounts.models import Invitation, Membership, Role
from headway.teams.models import TeamMembership
from tests.conftest import World, logged_in
from tests.factories import MembershipFactory, UserFactory
from tests.web.conftest import Acme, error_of, snapshot

PEOPLE = "/o/acme/people/"
HTMX = {"HX-Request": "true"}


def role_url(membership: Membership) -> str:
    return f"/o/acme/people/{membership.pk}/role/"


def test_it_lists_the_members_with_their_roles(world: World) -> None:
    response = logged_in(world.dave).get(PEOPLE)
    assert response.status_code == 200
    html = response.content.decode()
    for email in ["alice@acme.test", "bob@acme.test", "dave@acme.test"]:
        assert email in html
    assert "charlie@globex.test" not in html
    assert "3 people in Acme" in html
    # Viewers read roles; they get no forms to change them.
    assert 'name="role"' not in html
    assert "Invite someone" not in html


def test_admins_get_the_role_forms_and_the_invitation_form(acme: Acme) -> None:
    html = logged_in(acme.world.alice).get(PEOPLE).content.decode()
    assert f'action="{role_url(acme.world.bob)}"' in html
    assert 'hx-target="#member-' in html
    assert "Invite someone" in html
    assert "erin@acme.test" in html  # the pending invitation


# Invitations


def test_it_invites_someone(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(
        "/o/acme/people/invite/", {"email": "Erin@Example.com", "role": "viewer"}
    )
    assert response["Location"] == PEOPLE
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("erin@example.com", Role.VIEWER)
    page = client.get(PEOPLE).content.decode()
    assert "Invitation sent to erin@example.com" in page
    assert "/invitations/inv_" in page


def test_it_refuses_an_invalid_address_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(
        "/o/acme/people/invite/", {"email": "not an address", "role": "member"}
    )
    assert response.status_code == 422
    assert "valid email address" in error_of(response, "email")
    assert snapshot() == before


def test_it_refuses_to_invite_a_member_next_to_the_field(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(
        "/o/acme/people/invite/", {"email": "bob@acme.test", "role": "member"}
    )
    assert response.status_code == 422
    assert "already a member of Acme" in error_of(response, "email")
    assert snapshot() == before


def test_only_an_owner_invites_an_owner(world: World) -> None:
    world.bob.role = Role.ADMIN
    world.bob.save()
    before = snapshot()
    response = logged_in(world.bob).post(
        "/o/acme/people/invite/", {"email": "erin@example.com", "role": "owner"}
    )
    assert response.status_code == 422
    assert "Only an owner can make someone an owner" in response.content.decode()
    assert snapshot() == before


def test_it_withdraws_an_invitation(acme: Acme) -> None:
    client = logged_in(acme.world.alice)
    response = client.post(f"/o/acme/people/invitations/{acme.invitation.pk}/revoke/")
    assert response["Location"] == PEOPLE
    acme.invitation.refresh_from_db()
    assert acme.invitation.revoked_at is not None
    assert "No pending invitations" in client.get(PEOPLE).content.decode()


def test_revoking_needs_a_post(acme: Acme) -> None:
    url = f"/o/acme/people/invitations/{acme.invitation.pk}/revoke/"
    assert logged_in(acme.world.alice).get(url).status_code == 405


# Roles, with and without HTMX


def test_htmx_role_change_returns_only_the_row(world: World) -> None:
    response = logged_in(world.alice).post(role_url(world.bob), {"role": "admin"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith(f'<tr id="member-{world.bob.pk}">')
    assert html.count("<tr") == 1
    assert '<option value="admin" selected>' in html
    world.bob.refresh_from_db()
    assert world.bob.role == Role.ADMIN


def test_role_change_without_htmx_redirects_to_the_page(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(role_url(world.bob), {"role": "viewer"})
    assert response.status_code == 302
    assert response["Location"] == PEOPLE
    world.bob.refresh_from_db()
    assert world.bob.role == Role.VIEWER
    assert "Bob is now Viewer" in client.get(PEOPLE).content.decode()


def test_htmx_role_change_shows_a_refusal_in_the_row(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(role_url(world.alice), {"role": "admin"}, headers=HTMX)
    assert response.status_code == 200  # so that htmx swaps the row with its error
    html = response.content.decode()
    assert "<html" not in html
    assert "An organisation needs an owner" in html
    assert '<option value="owner" selected>' in html
    assert snapshot() == before


def test_role_change_refusal_without_htmx_shows_the_page_with_the_error_once(
    world: World,
) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(role_url(world.alice), {"role": "admin"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html
    assert html.count("An organisation needs an owner") == 1
    assert snapshot() == before


def test_an_unknown_role_is_refused(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(role_url(world.bob), {"role": "emperor"}, headers=HTMX)
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_only_an_owner_changes_an_owner(world: World) -> None:
    world.bob.role = Role.ADMIN
    world.bob.save()
    before = snapshot()
    response = logged_in(world.bob).post(role_url(world.alice), {"role": "viewer"}, headers=HTMX)
    assert "Only an owner can change another owner" in response.content.decode()
    assert snapshot() == before


# Removing someone


def test_it_removes_a_member_from_the_org_and_its_teams(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(f"/o/acme/people/{world.bob.pk}/remove/")
    assert response["Location"] == PEOPLE
    assert not Membership.objects.filter(pk=world.bob.pk).exists()
    assert not TeamMembership.objects.filter(user=world.bob.user).exists()
    assert "Bob was removed from Acme" in client.get(PEOPLE).content.decode()
    assert logged_in(world.bob).get("/o/acme/").status_code == 404


def test_the_last_owner_cannot_be_removed(world: World) -> None:
    client = logged_in(world.alice)
    before = snapshot()
    response = client.post(f"/o/acme/people/{world.alice.pk}/remove/")
    assert response["Location"] == PEOPLE
    assert snapshot() == before
    assert "An organisation needs an owner" in client.get(PEOPLE).content.decode()


def test_an_admin_sees_no_remove_button_on_their_own_row(world: World) -> None:
    html = logged_in(world.alice).get(PEOPLE).content.decode()
    assert f"/o/acme/people/{world.bob.pk}/remove/" in html
    assert f"/o/acme/people/{world.alice.pk}/remove/" not in html


# Query counts


def add_people(world: World, first: int, last: int) -> None:
    """People number `first` to `last - 1`, each a member with a pending invitation too."""
    for n in range(first, last):
        MembershipFactory(organisation=world.acme, user=UserFactory(email=f"extra{n}@acme.test"))
        Invitation.objects.create(
            organisation=world.acme,
            email=f"invited{n}@acme.test",
            token_hash=f"hash-{n}",
            invited_by=world.alice.user,
            expires_at=timezone.now() + timedelta(days=1),
        )


def queries_for(client: Client, url: str) -> int:
    """Queries of a page view, once the session knows the current organisation."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_people_page_runs_the_same_queries_for_3_and_30_people(world: World) -> None:
    client = logged_in(world.alice)
    add_people(world, 0, 3)
    few = queries_for(client, PEOPLE)
    add_people(world, 3, 30)
    assert Membership.objects.filter(organisation=world.acme).count() == 33
    assert queries_for(client, PEOPLE) == few


def test_the_people_page_shows_fifty_people_a_page_and_finds_by_name(world):
    from tests.conftest import logged_in
    from tests.factories import MembershipFactory, UserFactory

    for n in range(60):
        MembershipFactory(
            organisation=world.acme,
            user=UserFactory(email=f"p{n:02}@acme.test", name=f"Person {n:02}"),
        )
    client = logged_in(world.alice)
    first = client.get("/o/acme/people/")
    assert first.content.count(b'<tr id="member-') == 50
    assert b"63 people" in first.content and b"page 1 of 2" in first.content
    second = client.get("/o/acme/people/?page=2")
    assert second.content.count(b'<tr id="member-') == 13
    found = client.get("/o/acme/people/?q=person 07")
    assert found.content.count(b'<tr id="member-') == 1 and b"p07@acme.test" in found.content


def test_the_people_page_never_lists_another_organisations_people(world):
    from tests.conftest import logged_in

    response = logged_in(world.alice).get("/o/acme/people/?q=charlie")
    assert b"charlie@globex.test" not in response.content
