"""Every page ships a strict Content-Security-Policy, and every script on it obeys it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import Client

from tests.conftest import logged_in
from tests.web.conftest import Acme

HTMX = "/static/django_htmx/htmx-2.min.js"
APP_JS = "/static/headway/app.js"  # our own: the phone menu and scrollable tables


class Scripts(HTMLParser):
    """Collects the attributes of every <script> tag, and any inline event handler."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]


def script_src(response: HttpResponse) -> list[str]:
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    return directives["script-src"]


def assert_strict_page(response: HttpResponse) -> None:
    assert response["Content-Type"].startswith("text/html")
    sources = script_src(response)
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    nonces = [s for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1, sources
    nonce = re.fullmatch(r"'nonce-(.+)'", nonces[0]).group(1)  # type: ignore[union-attr]

    parser = Scripts()
    parser.feed(response.content.decode())
    assert parser.scripts, "every page loads htmx"
    for attrs in parser.scripts:
        src = attrs.get("src") or ""
        assert src.startswith("/static/") or attrs.get("nonce") == nonce, attrs
    assert parser.handlers == []


def test_it_sends_a_strict_policy_on_every_member_page(acme: Acme) -> None:
    client = logged_in(acme.world.alice)
    for name, url in {**acme.pages, **acme.admin_pages}.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_strict_page(response)


@pytest.mark.parametrize(
    "url", ["/login/", "/password/reset/", "/password/reset/sent/", "/invitations/nope/"]
)
def test_it_sends_a_strict_policy_on_public_pages(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code in (200, 410)
    assert_strict_page(response)


def test_it_sends_a_strict_policy_on_account_pages(world) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(world.alice)
    for url in ["/switch/", "/password/change/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_page(response)


def test_it_sends_a_strict_policy_on_error_pages(acme: Acme) -> None:
    not_found = logged_in(acme.world.charlie).get(acme.url())
    assert not_found.status_code == 404
    assert_strict_page(not_found)

    forbidden = logged_in(acme.world.dave).get(acme.admin_pages["settings"])
    assert forbidden.status_code == 403
    assert_strict_page(forbidden)


def test_the_nonce_changes_with_every_response(acme: Acme) -> None:
    client = logged_in(acme.world.bob)
    first, second = client.get(acme.url()), client.get(acme.url())
    assert script_src(first) != script_src(second)


def test_it_loads_htmx_from_our_own_static_files(acme: Acme) -> None:
    response = logged_in(acme.world.bob).get(acme.url())
    parser = Scripts()
    parser.feed(response.content.decode())
    assert [s["src"] for s in parser.scripts] == [APP_JS, HTMX]
    assert finders.find("django_htmx/htmx-2.min.js")
    assert finders.find("headway/app.js")

    served = Client().get(HTMX)
    assert served.status_code == 200
    body = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    assert b"htmx" in body


def test_it_serves_the_stylesheet(db: None) -> None:
    page = Client().get("/login/")
    assert 'href="/static/headway/app.css"' in page.content.decode()
    assert Client().get("/static/headway/app.css").status_code == 200
