"""Who may call the API: bearer tokens, browser sessions, and everyone else."""

from __future__ import annotations

from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from headway.accounts.models import ApiToken, Role
from headway.accounts.services import api_token_create, api_token_revoke, membership_remove
from headway.teams.models import Team
from tests.conftest import World, api_client, logged_in
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import problem, send, unauthenticated

# One read and one write per area; every operation shares the same auth classes.
SAMPLE = [
    ("get", "/me"),
    ("get", "/organisation"),
    ("patch", "/organisation"),
    ("get", "/members"),
    ("get", "/invitations"),
    ("post", "/invitations"),
    ("get", "/teams"),
    ("post", "/teams"),
    ("get", "/cycles"),
    ("post", "/cycles"),
    ("get", "/themes"),
    ("delete", "/themes/1"),
]


def csrf_session(membership: object) -> tuple[Client, str]:
    """A logged-in client that enforces CSRF, and the token to send with writes."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)  # type: ignore[attr-defined]
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return client, secret


def test_it_rejects_anonymous_callers_with_401_problem(world: World, anonymous: Client) -> None:
    for method, path in SAMPLE:
        unauthenticated(send(anonymous, method, path, {} if method != "get" else None))


def test_it_answers_anonymous_writes_with_401_not_a_csrf_error(
    world: World, anonymous: Client
) -> None:
    response = send(anonymous, "post", "/teams", {"name": "Ghosts"})
    unauthenticated(response)
    assert not Team.objects.filter(name="Ghosts").exists()


def test_it_rejects_an_unknown_token(world: World) -> None:
    client = Client(headers={"Authorization": "Bearer hw_not-a-real-token"})
    unauthenticated(send(client, "get", "/me"))


def test_it_rejects_malformed_authorization_headers(world: World) -> None:
    for header in ("Bearer", "Bearer ", "Token abc", "Basic YWxpY2U6cGFzcw==", "hw_abc"):
        client = Client(headers={"Authorization": header})
        unauthenticated(send(client, "get", "/me"))


def test_it_rejects_a_revoked_token(world: World) -> None:
    token, raw = api_token_create(member=world.bob, name="laptop")
    api_token_revoke(user=world.bob.user, token=token)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    unauthenticated(send(client, "get", "/me"))


def test_it_rejects_the_token_of_someone_removed_from_the_organisation(world: World) -> None:
    _, raw = api_token_create(member=world.bob, name="laptop")
    membership_remove(member=world.alice, membership=world.bob)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    unauthenticated(send(client, "get", "/me"))


def test_it_rejects_the_token_of_a_deactivated_account(world: World) -> None:
    client = api_client(world.bob)
    world.bob.user.is_active = False
    world.bob.user.save()
    unauthenticated(send(client, "get", "/me"))


def test_it_accepts_a_token_and_records_its_use(world: World) -> None:
    token, raw = api_token_create(member=world.bob, name="laptop")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = send(client, "get", "/me")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_describes_the_caller_and_their_organisations(world: World, alice: Client) -> None:
    response = send(alice, "get", "/me")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["user"] == {"id": world.alice.user.pk, "email": "alice@acme.test", "name": "Alice"}
    assert body["current"]["role"] == "owner"
    assert body["current"]["organisation"]["slug"] == "acme"
    assert [m["organisation"]["slug"] for m in body["memberships"]] == ["acme"]


def test_it_scopes_a_token_to_the_organisation_it_was_made_for(world: World) -> None:
    # Charlie is also a viewer at Acme; his Globex token still means Globex.
    acme_seat = MembershipFactory(
        organisation=world.acme, user=world.charlie.user, role=Role.VIEWER
    )
    globex = send(api_client(world.charlie), "get", "/me").json()
    acme = send(api_client(acme_seat), "get", "/me").json()
    assert globex["current"]["organisation"]["slug"] == "globex"
    assert acme["current"]["organisation"]["slug"] == "acme"
    assert acme["current"]["role"] == "viewer"
    assert {m["organisation"]["slug"] for m in acme["memberships"]} == {"acme", "globex"}


def test_it_accepts_a_session(world: World) -> None:
    response = send(logged_in(world.bob), "get", "/organisation")
    assert response.status_code == 200
    assert response.json()["slug"] == "acme"


def test_it_picks_the_session_organisation_from_the_x_organisation_header(world: World) -> None:
    other = OrganisationFactory(name="Initech", slug="initech")
    MembershipFactory(organisation=other, user=world.alice.user, role=Role.VIEWER)
    client = logged_in(world.alice)
    assert send(client, "get", "/organisation").json()["slug"] == "acme"
    response = send(client, "get", "/organisation", HTTP_X_ORGANISATION="initech")
    assert response.status_code == 200
    assert response.json()["slug"] == "initech"
    assert send(client, "get", "/me", HTTP_X_ORGANISATION="initech").json()["current"]["role"] == (
        "viewer"
    )


def test_it_answers_404_for_an_x_organisation_the_caller_is_not_in(world: World) -> None:
    client = logged_in(world.alice)
    problem(send(client, "get", "/teams", HTTP_X_ORGANISATION="globex"), 404)
    problem(send(client, "get", "/teams", HTTP_X_ORGANISATION="no-such-org"), 404)


def test_it_requires_the_csrf_token_for_session_writes(world: World) -> None:
    client, _ = csrf_session(world.alice)
    response = send(client, "post", "/teams", {"name": "Growth"})
    problem(response, 403)
    assert "CSRF" in response.json()["detail"]
    assert not Team.objects.filter(name="Growth").exists()


def test_it_accepts_session_writes_with_the_csrf_token(world: World) -> None:
    client, secret = csrf_session(world.alice)
    response = send(client, "post", "/teams", {"name": "Growth"}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content
    assert Team.objects.filter(organisation=world.acme, name="Growth").exists()


def test_it_does_not_require_csrf_for_session_reads(world: World) -> None:
    client, _ = csrf_session(world.alice)
    assert send(client, "get", "/teams").status_code == 200


def test_it_does_not_require_csrf_with_a_token(world: World) -> None:
    _, raw = api_token_create(member=world.alice, name="ci")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    response = send(client, "post", "/teams", {"name": "Growth"})
    assert response.status_code == 201, response.content


def test_it_never_stores_the_raw_token(world: World) -> None:
    _, raw = api_token_create(member=world.alice, name="ci")
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert not ApiToken.objects.filter(prefix=raw).exists()
