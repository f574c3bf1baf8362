"""Who may open which page: members read, admins write, the outsider sees nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import logged_in
from tests.web.conftest import Acme, snapshot


def test_every_page_opens_for_an_admin(acme: Acme) -> None:
    client = logged_in(acme.world.alice)
    for name, url in {**acme.pages, **acme.admin_pages}.items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_every_member_page_opens_for_members_and_viewers(acme: Acme, persona: str) -> None:
    client = logged_in(getattr(acme.world, persona))
    for name, url in acme.pages.items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_admin_pages_are_forbidden_to_members_and_viewers(acme: Acme, persona: str) -> None:
    client = logged_in(getattr(acme.world, persona))
    for name, url in acme.admin_pages.items():
        response = client.get(url)
        assert response.status_code == 403, name
        assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_every_write_is_forbidden_to_members_and_viewers(acme: Acme, persona: str) -> None:
    client = logged_in(getattr(acme.world, persona))
    before = snapshot()
    for name, (url, data) in acme.writes.items():
        assert client.post(url, data).status_code == 403, name
        assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 403, name
    assert snapshot() == before


def test_the_outsider_gets_404_on_every_page(acme: Acme) -> None:
    client = logged_in(acme.world.charlie)
    for name, url in {**acme.pages, **acme.admin_pages}.items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert "Acme" not in response.content.decode()


def test_the_outsider_gets_404_on_every_write(acme: Acme) -> None:
    client = logged_in(acme.world.charlie)
    before = snapshot()
    for name, (url, data) in acme.writes.items():
        assert client.post(url, data).status_code == 404, name
    assert client.post(acme.url(f"tokens/{acme.token.pk}/revoke/")).status_code == 404
    assert client.post(acme.url("tokens/"), {"name": "sneaky"}).status_code == 404
    assert snapshot() == before


def test_an_unknown_org_is_404_not_403(acme: Acme) -> None:
    assert logged_in(acme.world.dave).get("/o/nope/settings/").status_code == 404


def test_rows_of_another_org_are_404_inside_ones_own(acme: Acme) -> None:
    """Charlie, owner of Globex, cannot reach Acme's rows through Globex's URLs."""
    client = logged_in(acme.world.charlie)
    before = snapshot()
    w = acme.world
    for url in [
        f"/o/globex/people/{w.bob.pk}/role/",
        f"/o/globex/people/{w.bob.pk}/remove/",
        f"/o/globex/people/invitations/{acme.invitation.pk}/revoke/",
        f"/o/globex/cycles/{acme.quarter.pk}/delete/",
        f"/o/globex/strategy/themes/{acme.theme.pk}/archive/",
        f"/o/globex/tokens/{acme.token.pk}/revoke/",
        "/o/globex/teams/platform/delete/",
    ]:
        assert client.post(url, {"role": "viewer"}).status_code == 404, url
    assert client.get(f"/o/globex/cycles/{acme.quarter.pk}/").status_code == 404
    assert client.get("/o/globex/teams/platform/").status_code == 404
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(acme: Acme) -> None:
    for name, url in {**acme.pages, **acme.admin_pages}.items():
        response = Client().get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/?next=")
    before = snapshot()
    for url, data in acme.writes.values():
        assert Client().post(url, data).status_code == 302
    assert snapshot() == before


def test_admins_see_admin_links_and_viewers_do_not(acme: Acme) -> None:
    assert (
        'href="/o/acme/settings/"' in logged_in(acme.world.alice).get(acme.url()).content.decode()
    )
    html = logged_in(acme.world.dave).get(acme.url("teams/platform/")).content.decode()
    assert 'href="/o/acme/settings/"' not in html
    assert "Delete Platform" not in html
    assert "Remove" not in html


WRITES = [
    "settings",
    "invite",
    "invitation revoke",
    "role",
    "member remove",
    "team create",
    "team edit",
    "team move",
    "team delete",
    "team member add",
    "team member remove",
    "cycle create",
    "cycle year",
    "cycle edit",
    "cycle delete",
    "theme create",
    "theme archive",
]


@pytest.mark.parametrize("name", WRITES)
def test_each_refused_write_works_for_an_admin(acme: Acme, name: str) -> None:
    """The refusals above are real: the same request from alice changes something."""
    assert sorted(acme.writes) == sorted(WRITES)
    url, data = acme.writes[name]
    before = snapshot()
    response = logged_in(acme.world.alice).post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert snapshot() != before
