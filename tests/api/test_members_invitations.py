"""/api/v1/members and /api/v1/invitations."""

from __future__ import annotations

import pytest
from django.test import Client

from headway.accounts.models import ApiToken, Invitation, Membership, Role
from headway.accounts.services import invitation_accept, invitation_create
from headway.teams.models import TeamMembership
from tests.conftest import World, api_client
from tests.factories import MembershipFactory

from .conftest import problem, queries, send, unauthenticated

# ---------------------------------------------------------------- members: reading


def test_it_lists_the_members_of_the_organisation(world: World, bob: Client) -> None:
    response = send(bob, "get", "/members")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [m["user"]["email"] for m in body["items"]] == [
        "alice@acme.test",
        "bob@acme.test",
        "dave@acme.test",
    ]
    first = body["items"][0]
    assert set(first) == {"id", "user", "role", "title"}
    assert first["id"] == world.alice.pk
    assert first["role"] == "owner"
    assert set(first["user"]) == {"id", "email", "name"}


def test_it_never_lists_another_organisations_members(world: World, charlie: Client) -> None:
    body = send(charlie, "get", "/members").json()
    assert body["count"] == 1
    assert [m["user"]["email"] for m in body["items"]] == ["charlie@globex.test"]


def test_it_filters_members_by_role(world: World, alice: Client) -> None:
    body = send(alice, "get", "/members?role=viewer").json()
    assert [m["user"]["email"] for m in body["items"]] == ["dave@acme.test"]


def test_it_rejects_an_unknown_role_filter(world: World, alice: Client) -> None:
    problem(send(alice, "get", "/members?role=emperor"), 422, "role")


def test_it_pages_members(world: World, alice: Client) -> None:
    body = send(alice, "get", "/members?page=2&page_size=1").json()
    assert body["count"] == 3
    assert [m["user"]["email"] for m in body["items"]] == ["bob@acme.test"]
    past_the_end = send(alice, "get", "/members?page=9&page_size=1").json()
    assert past_the_end == {"items": [], "count": 3}


def test_it_rejects_page_numbers_below_one(world: World, alice: Client) -> None:
    problem(send(alice, "get", "/members?page=0"), 422, "page")
    problem(send(alice, "get", "/members?page_size=0"), 422, "page_size")
    problem(send(alice, "get", "/members?page=two"), 422, "page")


def test_it_caps_the_page_size(world: World, alice: Client) -> None:
    MembershipFactory.create_batch(205, organisation=world.acme)
    body = send(alice, "get", "/members?page_size=1000").json()
    assert body["count"] == 208
    assert len(body["items"]) == 200


def test_it_lets_a_viewer_list_members(world: World, dave: Client) -> None:
    assert send(dave, "get", "/members").status_code == 200


def test_it_rejects_anonymous_member_reads(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", "/members"))


@pytest.mark.parametrize("extra", [0, 27])
def test_it_lists_members_in_a_fixed_number_of_queries(
    world: World, alice: Client, extra: int, django_assert_max_num_queries: object
) -> None:
    for _ in range(extra):
        MembershipFactory(organisation=world.acme)
    assert send(alice, "get", "/members").json()["count"] == 3 + extra
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        send(alice, "get", "/members")


def test_it_runs_the_same_queries_for_3_and_30_members(world: World, alice: Client) -> None:
    few = queries(alice, "/members")
    for _ in range(27):
        MembershipFactory(organisation=world.acme)
    assert queries(alice, "/members") == few


# ---------------------------------------------------------------- members: roles


def test_it_changes_a_members_role(world: World, alice: Client) -> None:
    response = send(alice, "patch", f"/members/{world.bob.pk}", {"role": "admin"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["role"] == "admin"
    assert body["user"]["email"] == "bob@acme.test"
    assert Membership.objects.get(pk=world.bob.pk).role == Role.ADMIN


def test_it_forbids_a_member_from_changing_roles(world: World, bob: Client) -> None:
    problem(send(bob, "patch", f"/members/{world.dave.pk}", {"role": "admin"}), 403)
    assert Membership.objects.get(pk=world.dave.pk).role == Role.VIEWER


def test_it_forbids_a_viewer_from_promoting_themselves(world: World, dave: Client) -> None:
    problem(send(dave, "patch", f"/members/{world.dave.pk}", {"role": "owner"}), 403)
    assert Membership.objects.get(pk=world.dave.pk).role == Role.VIEWER


def test_it_forbids_an_admin_from_making_owners(world: World) -> None:
    world.bob.role = Role.ADMIN
    world.bob.save()
    response = send(api_client(world.bob), "patch", f"/members/{world.dave.pk}", {"role": "owner"})
    problem(response, 403)
    assert Membership.objects.get(pk=world.dave.pk).role == Role.VIEWER


def test_it_hides_another_organisations_member(world: World, charlie: Client) -> None:
    problem(send(charlie, "patch", f"/members/{world.bob.pk}", {"role": "viewer"}), 404)
    problem(send(charlie, "delete", f"/members/{world.bob.pk}"), 404)
    assert Membership.objects.get(pk=world.bob.pk).role == Role.MEMBER


def test_it_answers_404_for_an_unknown_member(world: World, alice: Client) -> None:
    problem(send(alice, "patch", "/members/999999", {"role": "viewer"}), 404)


def test_it_rejects_an_unknown_role(world: World, alice: Client) -> None:
    problem(send(alice, "patch", f"/members/{world.bob.pk}", {"role": "emperor"}), 422, "role")
    problem(send(alice, "patch", f"/members/{world.bob.pk}", {}), 422, "role")
    assert Membership.objects.get(pk=world.bob.pk).role == Role.MEMBER


def test_it_refuses_to_let_the_last_owner_step_down(world: World, alice: Client) -> None:
    body = problem(send(alice, "patch", f"/members/{world.alice.pk}", {"role": "member"}), 409)
    assert "owner" in body["detail"]
    assert Membership.objects.get(pk=world.alice.pk).role == Role.OWNER


def test_it_lets_an_owner_step_down_when_another_owner_remains(world: World, alice: Client) -> None:
    assert send(alice, "patch", f"/members/{world.bob.pk}", {"role": "owner"}).status_code == 200
    response = send(alice, "patch", f"/members/{world.alice.pk}", {"role": "admin"})
    assert response.status_code == 200
    assert Membership.objects.get(pk=world.alice.pk).role == Role.ADMIN


def test_it_rejects_anonymous_role_changes(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "patch", f"/members/{world.bob.pk}", {"role": "owner"}))


# ---------------------------------------------------------------- members: removal


def test_it_removes_a_member_with_their_teams_and_tokens(world: World, alice: Client) -> None:
    bobs_client = api_client(world.bob)
    response = send(alice, "delete", f"/members/{world.bob.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(pk=world.bob.pk).exists()
    assert not TeamMembership.objects.filter(user=world.bob.user).exists()
    assert not ApiToken.objects.filter(user=world.bob.user, revoked_at=None).exists()
    unauthenticated(send(bobs_client, "get", "/me"))


def test_it_forbids_a_viewer_from_removing_members(world: World, dave: Client) -> None:
    problem(send(dave, "delete", f"/members/{world.bob.pk}"), 403)
    assert Membership.objects.filter(pk=world.bob.pk).exists()


def test_it_forbids_a_member_from_removing_members(world: World, bob: Client) -> None:
    problem(send(bob, "delete", f"/members/{world.dave.pk}"), 403)
    assert Membership.objects.filter(pk=world.dave.pk).exists()


def test_it_refuses_to_remove_the_last_owner(world: World, alice: Client) -> None:
    problem(send(alice, "delete", f"/members/{world.alice.pk}"), 409)
    assert Membership.objects.filter(pk=world.alice.pk).exists()


def test_it_rejects_anonymous_removals(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "delete", f"/members/{world.bob.pk}"))
    assert Membership.objects.filter(pk=world.bob.pk).exists()


# ---------------------------------------------------------------- invitations


def test_it_invites_someone_and_returns_the_link_once(world: World, alice: Client) -> None:
    response = send(alice, "post", "/invitations", {"email": "  Erin@Acme.test ", "role": "viewer"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "email", "role", "status", "created_at", "expires_at", "url"}
    assert body["email"] == "erin@acme.test"
    assert body["role"] == "viewer"
    assert body["status"] == "pending"
    assert "/invitations/" in body["url"]
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.organisation == world.acme
    listed = send(alice, "get", "/invitations").json()["items"]
    assert "url" not in listed[0]


def test_it_invites_as_a_member_by_default(world: World, alice: Client) -> None:
    body = send(alice, "post", "/invitations", {"email": "erin@acme.test"}).json()
    assert body["role"] == "member"


def test_it_rejects_an_invitation_with_an_invalid_email(world: World, alice: Client) -> None:
    for email in ("not-an-email", "", "erin@", "@acme.test"):
        problem(send(alice, "post", "/invitations", {"email": email}), 422, "email")
    problem(send(alice, "post", "/invitations", {}), 422, "email")
    problem(send(alice, "post", "/invitations", {"email": 42}), 422, "email")
    assert not Invitation.objects.exists()


def test_it_rejects_an_invitation_with_an_unknown_role(world: World, alice: Client) -> None:
    response = send(alice, "post", "/invitations", {"email": "erin@acme.test", "role": "god"})
    problem(response, 422, "role")
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_an_existing_member(world: World, alice: Client) -> None:
    body = problem(send(alice, "post", "/invitations", {"email": "BOB@acme.test"}), 409, "email")
    assert "already a member" in body["detail"]
    assert not Invitation.objects.exists()


def test_it_forbids_members_and_viewers_from_inviting(
    world: World, bob: Client, dave: Client
) -> None:
    problem(send(bob, "post", "/invitations", {"email": "erin@acme.test"}), 403)
    problem(send(dave, "post", "/invitations", {"email": "erin@acme.test"}), 403)
    assert not Invitation.objects.exists()


def test_it_forbids_an_admin_from_inviting_an_owner(world: World) -> None:
    world.bob.role = Role.ADMIN
    world.bob.save()
    client = api_client(world.bob)
    problem(send(client, "post", "/invitations", {"email": "erin@acme.test", "role": "owner"}), 403)
    assert not Invitation.objects.exists()


def test_it_rejects_anonymous_invitations(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "post", "/invitations", {"email": "erin@acme.test"}))
    assert not Invitation.objects.exists()


def test_it_lists_only_the_organisations_invitations(
    world: World, alice: Client, charlie: Client
) -> None:
    invitation_create(member=world.alice, email="erin@acme.test")
    invitation_create(member=world.alice, email="frank@acme.test")
    invitation_create(member=world.charlie, email="gina@globex.test")
    body = send(alice, "get", "/invitations").json()
    assert body["count"] == 2
    assert {i["email"] for i in body["items"]} == {"erin@acme.test", "frank@acme.test"}
    assert [i["email"] for i in send(charlie, "get", "/invitations").json()["items"]] == [
        "gina@globex.test"
    ]
    page = send(alice, "get", "/invitations?page=2&page_size=1").json()
    assert page["count"] == 2
    assert len(page["items"]) == 1


def test_it_runs_the_same_queries_for_3_and_30_invitations(world: World, alice: Client) -> None:
    for n in range(3):
        invitation_create(member=world.alice, email=f"early{n}@acme.test")
    few = queries(alice, "/invitations")
    for n in range(27):
        invitation_create(member=world.alice, email=f"late{n}@acme.test")
    assert send(alice, "get", "/invitations").json()["count"] == 30
    assert queries(alice, "/invitations") == few


def test_it_withdraws_an_invitation(world: World, alice: Client) -> None:
    invitation, _ = invitation_create(member=world.alice, email="erin@acme.test")
    response = send(alice, "delete", f"/invitations/{invitation.pk}")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_hides_another_organisations_invitation(world: World, charlie: Client) -> None:
    invitation, _ = invitation_create(member=world.alice, email="erin@acme.test")
    problem(send(charlie, "delete", f"/invitations/{invitation.pk}"), 404)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_forbids_a_viewer_from_withdrawing_invitations(world: World, dave: Client) -> None:
    invitation, _ = invitation_create(member=world.alice, email="erin@acme.test")
    problem(send(dave, "delete", f"/invitations/{invitation.pk}"), 403)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_refuses_to_withdraw_an_accepted_invitation(world: World, alice: Client) -> None:
    invitation, token = invitation_create(member=world.alice, email="erin@acme.test")
    invitation_accept(token=token, name="Erin", password="a long enough passphrase 42")
    problem(send(alice, "delete", f"/invitations/{invitation.pk}"), 409)


def test_it_answers_404_for_an_unknown_invitation(world: World, alice: Client) -> None:
    problem(send(alice, "delete", "/invitations/999999"), 404)
