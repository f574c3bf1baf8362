"""The unsubscribe link of every e-mail: GET asks (mail clients prefetch links), POST
turns that kind off for that member; a forged or broken link changes nothing."""

from __future__ import annotations

from django.test import Client

from headway.notify.links import unsubscribe_token, unsubscribe_url
from headway.notify.models import NotificationKind
from headway.notify.selectors import preference_of
from tests.conftest import World


def path(membership_id: int, kind: str) -> str:
    return f"/unsubscribe/{unsubscribe_token(membership_id, kind)}/"


def test_the_link_is_absolute_and_signed_per_member_and_kind(world: World) -> None:
    url = unsubscribe_url(world.bob.pk, NotificationKind.DIGEST)
    assert url.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert url != unsubscribe_url(world.bob.pk, NotificationKind.REMINDER)
    assert url != unsubscribe_url(world.alice.pk, NotificationKind.DIGEST)


def test_opening_the_link_asks_first_and_changes_nothing(world: World) -> None:
    response = Client().get(path(world.bob.pk, NotificationKind.REMINDER))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop sending check-in reminders from Acme to bob@acme.test?" in html
    assert '<button type="submit"' in html
    assert preference_of(world.bob).reminders is True


def test_confirming_turns_that_kind_off_without_logging_in(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(path(world.bob.pk, NotificationKind.REMINDER))
    assert response.status_code == 200
    assert "will no longer receive check-in reminders" in response.content.decode()
    preference = preference_of(world.bob)
    assert (preference.reminders, preference.digest, preference.flags) == (False, True, True)
    assert preference_of(world.alice).reminders is True


def test_one_click_unsubscribe_from_the_mail_provider_works(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path(world.bob.pk, NotificationKind.FLAG),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert preference_of(world.bob).flags is False


def test_a_forged_or_broken_link_is_refused(world: World) -> None:
    token = unsubscribe_token(world.bob.pk, NotificationKind.DIGEST)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for url in (f"/unsubscribe/{forged}/", "/unsubscribe/garbage/", path(999999, "digest")):
        response = Client().post(url)
        assert response.status_code == 400
        assert "does not work" in response.content.decode()
    assert preference_of(world.bob).digest is True
