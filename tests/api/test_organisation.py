"""GET and PATCH /api/v1/organisation."""

from __future__ import annotations

from django.test import Client

from headway.accounts.models import COURSE_FIELDS, NOTIFY_FIELDS, Organisation
from tests.conftest import World

from .conftest import problem, send, unauthenticated

SHAPE = {
    "id",
    "name",
    "slug",
    "strategy_statement",
    "timezone",
    "checkin_weekday",
    *NOTIFY_FIELDS,
    "confidence_scale",
    *COURSE_FIELDS,
}


def test_it_returns_the_callers_organisation(world: World, bob: Client) -> None:
    response = send(bob, "get", "/organisation")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SHAPE
    assert body["id"] == world.acme.pk
    assert body["name"] == "Acme"
    assert body["confidence_scale"] == 10


def test_it_changes_the_course_correction_thresholds(world: World, alice: Client) -> None:
    response = send(alice, "patch", "/organisation", {"watermelon_confidence": 8, "stall_weeks": 4})
    assert response.status_code == 200, response.content
    assert (response.json()["watermelon_confidence"], response.json()["stall_weeks"]) == (8, 4)


def test_it_refuses_off_track_before_at_risk_and_writes_nothing(
    world: World, alice: Client
) -> None:
    response = send(alice, "patch", "/organisation", {"at_risk_gap": 0.3, "off_track_gap": 0.2})
    assert response.status_code == 422
    assert "off_track_gap" in str(response.json())
    acme = Organisation.objects.get(pk=world.acme.pk)
    assert (acme.at_risk_gap, acme.off_track_gap) == (0.10, 0.25)


def test_it_shows_the_outsider_only_their_own_organisation(world: World, charlie: Client) -> None:
    assert send(charlie, "get", "/organisation").json()["slug"] == "globex"


def test_it_lets_a_viewer_read_the_organisation(world: World, dave: Client) -> None:
    assert send(dave, "get", "/organisation").status_code == 200


def test_it_changes_settings_for_an_owner(world: World, alice: Client) -> None:
    response = send(
        alice,
        "patch",
        "/organisation",
        {"strategy_statement": "Win the mid-market.", "timezone": "Europe/Berlin"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["timezone"] == "Europe/Berlin"
    acme = Organisation.objects.get(pk=world.acme.pk)
    assert acme.strategy_statement == "Win the mid-market."
    assert acme.timezone == "Europe/Berlin"
    assert acme.name == "Acme"  # left out, left alone


def test_it_only_ever_changes_the_callers_organisation(world: World, charlie: Client) -> None:
    assert send(charlie, "patch", "/organisation", {"name": "Globex Corp"}).status_code == 200
    assert Organisation.objects.get(pk=world.acme.pk).name == "Acme"
    assert Organisation.objects.get(pk=world.globex.pk).name == "Globex Corp"


def test_it_ignores_the_slug_which_cannot_be_changed(world: World, alice: Client) -> None:
    response = send(alice, "patch", "/organisation", {"slug": "acme-2"})
    assert response.status_code == 200
    assert Organisation.objects.get(pk=world.acme.pk).slug == "acme"


def test_it_forbids_a_member_from_changing_settings(world: World, bob: Client) -> None:
    body = problem(send(bob, "patch", "/organisation", {"name": "Bobco"}), 403)
    assert "admin" in body["detail"]
    assert Organisation.objects.get(pk=world.acme.pk).name == "Acme"


def test_it_forbids_a_viewer_from_changing_settings(world: World, dave: Client) -> None:
    problem(send(dave, "patch", "/organisation", {"name": "Daveco"}), 403)
    assert Organisation.objects.get(pk=world.acme.pk).name == "Acme"


def test_it_rejects_anonymous_changes(world: World, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "patch", "/organisation", {"name": "Nobody"}))
    assert Organisation.objects.get(pk=world.acme.pk).name == "Acme"


def test_it_rejects_invalid_settings_naming_the_field(world: World, alice: Client) -> None:
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"confidence_scale": 2}, "confidence_scale"),
        ({"confidence_scale": 11}, "confidence_scale"),
        ({"confidence_scale": "high"}, "confidence_scale"),
        ({"checkin_weekday": 9}, "checkin_weekday"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"timezone": None}, "timezone"),
    ]
    for body, field in cases:
        problem(send(alice, "patch", "/organisation", body), 422, field)
    acme = Organisation.objects.get(pk=world.acme.pk)
    assert (acme.name, acme.timezone, acme.confidence_scale, acme.checkin_weekday) == (
        "Acme",
        "UTC",
        10,
        0,
    )


def test_it_writes_nothing_when_one_of_several_fields_is_invalid(
    world: World, alice: Client
) -> None:
    response = send(alice, "patch", "/organisation", {"name": "Acme Ltd", "timezone": "Nowhere"})
    problem(response, 422, "timezone")
    assert Organisation.objects.get(pk=world.acme.pk).name == "Acme"


def test_it_answers_400_for_a_body_that_is_not_json(world: World, alice: Client) -> None:
    response = alice.patch("/api/v1/organisation", "{name: nope", content_type="application/json")
    problem(response, 400)
