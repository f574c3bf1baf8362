"""Organisation settings and personal API tokens."""

from __future__ import annotations

import re

from headway.accounts.models import COURSE_FIELDS, NOTIFY_FIELDS, ApiToken, Organisation
from headway.accounts.services import api_token_authenticate, api_token_create
from tests.conftest import World, logged_in
from tests.web.conftest import error_of, snapshot

SETTINGS = "/o/acme/settings/"
TOKENS = "/o/acme/tokens/"


def settings_form(org: Organisation, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": org.name,
        "strategy_statement": org.strategy_statement,
        "timezone": org.timezone,
        "checkin_weekday": org.checkin_weekday,
        "confidence_scale": org.confidence_scale,
        **{field: getattr(org, field) for field in (*NOTIFY_FIELDS, *COURSE_FIELDS)},
    }
    data.update(changes)
    return data


# Settings


def test_the_settings_page_shows_the_current_values(world: World) -> None:
    response = logged_in(world.alice).get(SETTINGS)
    assert response.status_code == 200
    assert 'value="Acme"' in response.content.decode()


def test_it_saves_the_settings(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(
        SETTINGS,
        settings_form(
            world.acme, name="Acme Corp", strategy_statement="Win", timezone="Europe/Paris"
        ),
    )
    assert response["Location"] == SETTINGS
    org = Organisation.objects.get(pk=world.acme.pk)
    assert (org.name, org.strategy_statement, org.timezone) == ("Acme Corp", "Win", "Europe/Paris")
    assert org.slug == "acme"
    assert "Settings saved" in client.get(SETTINGS).content.decode()


def test_it_saves_the_course_correction_thresholds(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(
        SETTINGS,
        settings_form(world.acme, at_risk_gap=0.05, off_track_gap=0.2, overdue_grace_days=5),
    )
    assert response.status_code == 302
    org = Organisation.objects.get(pk=world.acme.pk)
    assert (org.at_risk_gap, org.off_track_gap, org.overdue_grace_days) == (0.05, 0.2, 5)


def test_off_track_must_start_beyond_at_risk(world: World) -> None:
    before = snapshot()
    response = logged_in(world.alice).post(
        SETTINGS, settings_form(world.acme, at_risk_gap=0.3, off_track_gap=0.2)
    )
    assert response.status_code == 422
    assert "at least 0.3" in error_of(response, "off_track_gap")
    assert snapshot() == before


def test_bad_settings_are_refused_next_to_the_field(world: World) -> None:
    client = logged_in(world.alice)
    before = snapshot()
    response = client.post(SETTINGS, settings_form(world.acme, name=""))
    assert response.status_code == 422
    assert "required" in error_of(response, "name")
    response = client.post(SETTINGS, settings_form(world.acme, timezone="Mars/Olympus"))
    assert "valid choice" in error_of(response, "timezone")
    assert snapshot() == before


def test_an_admin_who_is_not_owner_may_change_settings(world: World) -> None:
    world.bob.role = "admin"
    world.bob.save()
    response = logged_in(world.bob).post(SETTINGS, settings_form(world.acme, name="Bob's Acme"))
    assert response.status_code == 302


# Tokens


def new_token_in(html: str) -> str | None:
    found = re.search(r'<code class="token" id="new-token">([^<]+)</code>', html)
    return found.group(1) if found else None


def test_it_shows_a_new_token_once(world: World) -> None:
    client = logged_in(world.bob)
    response = client.post(TOKENS, {"name": "weekly import"})
    assert response.status_code == 200
    raw = new_token_in(response.content.decode())
    assert raw is not None
    token = ApiToken.objects.get(user=world.bob.user)
    assert token.name == "weekly import"
    assert token.organisation == world.acme
    assert raw not in str(ApiToken.objects.values_list())  # only a fingerprint is kept
    assert api_token_authenticate(raw) == token

    again = client.get(TOKENS).content.decode()
    assert new_token_in(again) is None
    assert raw not in again
    assert "weekly import" in again
    assert f"{token.prefix}…" in again


def test_reloading_after_creating_does_not_make_a_second_token(world: World) -> None:
    client = logged_in(world.bob)
    client.post(TOKENS, {"name": "weekly import"})
    client.get(TOKENS)
    assert ApiToken.objects.count() == 1


def test_a_token_needs_a_name(world: World) -> None:
    before = snapshot()
    response = logged_in(world.bob).post(TOKENS, {"name": "   "})
    assert response.status_code == 422
    assert "required" in error_of(response, "name")
    assert new_token_in(response.content.decode()) is None
    assert snapshot() == before


def test_a_viewer_may_have_a_personal_token_to_read_with(world: World) -> None:
    response = logged_in(world.dave).post(TOKENS, {"name": "dashboard"})
    assert new_token_in(response.content.decode()) is not None


def test_the_page_lists_only_my_tokens_of_this_org(world: World) -> None:
    api_token_create(member=world.alice, name="alice's")
    api_token_create(member=world.charlie, name="charlie's")
    api_token_create(member=world.bob, name="bob's")
    html = logged_in(world.bob).get(TOKENS).content.decode()
    assert "bob&#x27;s" in html
    assert "alice&#x27;s" not in html
    assert "charlie&#x27;s" not in html


def test_it_revokes_my_token(world: World) -> None:
    token, raw = api_token_create(member=world.bob, name="old")
    client = logged_in(world.bob)
    response = client.post(f"{TOKENS}{token.pk}/revoke/")
    assert response["Location"] == TOKENS
    assert api_token_authenticate(raw) is None
    html = client.get(TOKENS).content.decode()
    assert "Token old revoked" in html
    assert "revoked</td>" in html


def test_nobody_revokes_someone_elses_token(world: World) -> None:
    token, raw = api_token_create(member=world.alice, name="alice's")
    response = logged_in(world.bob).post(f"{TOKENS}{token.pk}/revoke/")
    assert response.status_code == 404
    assert api_token_authenticate(raw) == token


def test_revoking_needs_a_post(world: World) -> None:
    token, _ = api_token_create(member=world.bob, name="old")
    assert logged_in(world.bob).get(f"{TOKENS}{token.pk}/revoke/").status_code == 405
