"""Logging in and out, passwords, the organisation switcher and invitation links."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone

from headway.accounts.models import Invitation, Membership, Role, User
from headway.accounts.services import invitation_accept, invitation_create
from tests.conftest import World, logged_in
from tests.factories import PASSWORD, MembershipFactory
from tests.web.conftest import error_of, snapshot


def logged_in_user_id(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def login(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": email, "password": password})


# Login and logout


def test_it_shows_the_login_page(db: None) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()


def test_it_logs_in_with_email_and_password_and_lands_on_the_org_home(world: World) -> None:
    client = Client()
    response = login(client, "bob@acme.test")
    assert response.status_code == 302
    assert logged_in_user_id(client) == world.bob.user_id
    assert client.get(response["Location"]).url == "/o/acme/"  # type: ignore[attr-defined]


def test_it_logs_in_whatever_the_case_of_the_address(world: World) -> None:
    client = Client()
    response = login(client, "Bob@ACME.test")
    assert response.status_code == 302
    assert logged_in_user_id(client) == world.bob.user_id


def test_it_goes_back_to_the_page_that_asked_for_a_login(world: World) -> None:
    client = Client()
    login_page = client.get(client.get("/o/acme/teams/")["Location"])
    action = re.search(r'<form method="post" action="([^"]+)"', login_page.content.decode())
    assert action is not None
    response = client.post(
        unescape(action.group(1)), {"username": "bob@acme.test", "password": PASSWORD}
    )
    assert response["Location"] == "/o/acme/teams/"


def test_it_does_not_follow_a_next_parameter_to_another_site(world: World) -> None:
    response = Client().post(
        "/login/?next=https://evil.example/", {"username": "bob@acme.test", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_it_sends_anonymous_visitors_to_the_login_page(world: World) -> None:
    response = Client().get("/o/acme/people/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/o/acme/people/"


def test_it_rejects_a_wrong_password(world: World) -> None:
    client = Client()
    response = login(client, "bob@acme.test", "not the password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_it_locks_the_account_after_five_failures(world: World) -> None:
    client = Client()
    for _ in range(4):
        assert login(client, "bob@acme.test", "wrong").status_code == 200
    locked = login(client, "bob@acme.test", "wrong")
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert "Too many failed logins" in locked.content.decode()

    # Even the right password is refused while the lock holds.
    again = login(client, "bob@acme.test")
    assert again.status_code == 429
    assert logged_in_user_id(client) is None


def test_the_lock_counts_an_address_whatever_its_case(world: World) -> None:
    client = Client()
    for email in ["bob@acme.test", "Bob@acme.test", "BOB@ACME.TEST", "bob@Acme.test"]:
        assert login(client, email, "wrong").status_code == 200
    assert login(client, "bOb@acme.test", "wrong").status_code == 429
    assert login(client, "bob@acme.test").status_code == 429


def test_the_lock_does_not_stop_other_people(world: World) -> None:
    client = Client()
    for _ in range(5):
        login(client, "bob@acme.test", "wrong")
    assert login(Client(), "alice@acme.test").status_code == 302


def test_logout_needs_a_post(world: World) -> None:
    client = logged_in(world.bob)
    assert client.get("/logout/").status_code == 405
    assert logged_in_user_id(client) == world.bob.user_id

    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert logged_in_user_id(client) is None


def test_every_page_has_a_logout_form(world: World) -> None:
    html = logged_in(world.bob).get("/o/acme/").content.decode()
    assert '<form method="post" action="/logout/">' in html


# Passwords


def test_it_changes_the_password(world: World) -> None:
    client = logged_in(world.bob)
    assert client.get("/password/change/").status_code == 200
    response = client.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much better secret 42",
            "new_password2": "a much better secret 42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/password/change/done/"
    assert client.get("/password/change/done/").status_code == 200
    assert User.objects.get(pk=world.bob.user_id).check_password("a much better secret 42")
    # The session survives the change.
    assert logged_in_user_id(client) == world.bob.user_id


def test_it_refuses_a_password_change_with_the_wrong_old_password(world: World) -> None:
    client = logged_in(world.bob)
    response = client.post(
        "/password/change/",
        {
            "old_password": "nope",
            "new_password1": "a much better secret 42",
            "new_password2": "a much better secret 42",
        },
    )
    assert response.status_code == 200
    assert "incorrect" in error_of(response, "old_password")
    assert User.objects.get(pk=world.bob.user_id).check_password(PASSWORD)


def test_password_change_needs_a_login(db: None) -> None:
    response = Client().get("/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_reset_link_sets_a_new_password(world: World) -> None:
    client = Client()
    assert client.get("/password/reset/").status_code == 200
    response = client.post("/password/reset/", {"email": "bob@acme.test"})
    assert response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@acme.test"]
    assert message.subject == "Reset your Headway password"
    link = re.search(r"http://testserver(/password/reset/\S+/\S+/)", message.body).group(1)  # type: ignore[union-attr]
    assert link in message.alternatives[0].content  # type: ignore[union-attr]

    # The link swaps its token for a session and redirects to the form.
    form_url = client.get(link)["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()
    done = client.post(
        form_url, {"new_password1": "reset secret 2026", "new_password2": "reset secret 2026"}
    )
    assert done["Location"] == "/password/reset/done/"
    assert client.get(done["Location"]).status_code == 200

    assert login(Client(), "bob@acme.test", "reset secret 2026").status_code == 302
    assert login(Client(), "bob@acme.test").status_code == 200
    # The link works once.
    assert "cannot be used" in Client().get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(db: None) -> None:
    response = Client().post("/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


# The organisation switcher


def test_the_switcher_lists_every_organisation_of_a_person(world: World) -> None:
    MembershipFactory(organisation=world.globex, user=world.bob.user, role=Role.VIEWER)
    response = logged_in(world.bob).get("/switch/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/o/acme/"' in html
    assert 'href="/o/globex/"' in html
    assert "Viewer" in html


def test_home_lets_a_person_in_two_orgs_pick_one(world: World) -> None:
    MembershipFactory(organisation=world.globex, user=world.bob.user, role=Role.VIEWER)
    client = logged_in(world.bob)
    response = client.get("/")
    assert response.status_code == 200
    assert "Your organisations" in response.content.decode()

    # Once an organisation was opened, home goes back there.
    client.get("/o/globex/")
    assert client.get("/")["Location"] == "/o/globex/"


def test_home_goes_straight_to_the_only_org(world: World) -> None:
    assert logged_in(world.bob).get("/")["Location"] == "/o/acme/"


def test_the_topbar_menu_lists_the_other_organisations(world: World) -> None:
    MembershipFactory(organisation=world.globex, user=world.bob.user, role=Role.VIEWER)
    html = logged_in(world.bob).get("/o/acme/").content.decode()
    assert 'href="/o/globex/"' in html


def test_someone_without_an_org_is_told_to_ask_for_an_invitation(db: None) -> None:
    user = User.objects.create_user("lonely@example.com", PASSWORD)
    client = Client()
    client.force_login(user)
    assert "Ask an admin for an invitation link" in client.get("/").content.decode()


# Invitation links


def invite(world: World, email: str = "erin@example.com", role: str = Role.MEMBER) -> str:
    _, token = invitation_create(member=world.alice, email=email, role=role)
    return f"/invitations/{token}/"


def test_a_new_person_creates_an_account_and_lands_on_the_org_home(world: World) -> None:
    url = invite(world)
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert "Join Acme" in page.content.decode()
    assert "erin@example.com" in page.content.decode()

    response = client.post(url, {"name": "Erin", "password": "erin's long secret"})
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    erin = User.objects.get(email="erin@example.com")
    assert erin.name == "Erin"
    assert logged_in_user_id(client) == erin.pk
    assert Membership.objects.get(user=erin).role == Role.MEMBER
    home = client.get("/o/acme/")
    assert home.status_code == 200
    assert "Welcome to Acme" in home.content.decode()


def test_a_weak_password_is_refused_next_to_the_field(world: World) -> None:
    url = invite(world)
    before = snapshot()
    response = Client().post(url, {"name": "Erin", "password": "123"})
    assert response.status_code == 422
    assert "too short" in error_of(response, "password")
    assert snapshot() == before
    assert not User.objects.filter(email="erin@example.com").exists()


def test_an_existing_person_logs_in_to_accept(world: World) -> None:
    url = invite(world, "charlie@globex.test")
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert f'href="/login/?next={url}"' in page.content.decode()

    back = client.post(
        f"/login/?next={url}", {"username": "charlie@globex.test", "password": PASSWORD}
    )
    assert back["Location"] == url
    assert "Join as charlie@globex.test" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == "/o/acme/"
    assert Membership.objects.filter(user=world.charlie.user, organisation=world.acme).exists()


def test_a_person_logged_in_with_another_address_sees_an_error(world: World) -> None:
    url = invite(world, "erin@example.com")
    client = logged_in(world.bob)
    page = client.get(url)
    assert page.status_code == 200
    assert "This invitation is for erin@example.com" in page.content.decode()

    assert "Join as" not in page.content.decode()

    before = snapshot()
    response = client.post(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert html.count("This invitation is for erin@example.com") == 1
    assert snapshot() == before

    # The page offers to log out and come back to the link.
    out = client.post(f"/logout/?next={url}")
    assert out["Location"] == url
    assert "Create my account and join" in client.get(url).content.decode()


def unusable(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 410
    html = response.content.decode()
    assert "This invitation cannot be used" in html
    return html


def test_an_unknown_link_is_gone(db: None) -> None:
    assert "not valid" in unusable(Client().get("/invitations/inv_made-up/"))


def test_an_expired_link_is_gone(world: World) -> None:
    url = invite(world)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "expired" in unusable(Client().get(url))
    assert "expired" in unusable(Client().post(url, {"name": "Erin", "password": "long secret 1"}))
    assert not User.objects.filter(email="erin@example.com").exists()


def test_a_used_link_is_gone(world: World) -> None:
    url = invite(world)
    invitation_accept(token=url.split("/")[2], name="Erin", password="erin's long secret")
    assert "already been used" in unusable(Client().get(url))
    assert "already been used" in unusable(logged_in(world.bob).post(url))


def test_a_withdrawn_link_is_gone(world: World) -> None:
    url = invite(world)
    Invitation.objects.update(revoked_at=timezone.now())
    assert "withdrawn" in unusable(Client().get(url))
