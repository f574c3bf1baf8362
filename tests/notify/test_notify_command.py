"""`headway notify --send-now …`: the schedule's own code, without waiting for the slot."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.reminded import build


def notify(*args: str) -> str:
    out = StringIO()
    call_command("notify", *args, stdout=out)
    return out.getvalue().strip()


def test_it_sends_the_reminders_of_one_organisation_now_and_once(world: World) -> None:
    build(world)
    assert notify("--send-now", "reminders", "--org", "acme") == (
        "reminders: 2 sent, 0 failed, in 1 organisation."
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.test", "bob@acme.test"]
    assert notify("--send-now", "reminders", "--org", "acme").startswith("reminders: 0 sent")


def test_it_sends_the_digest_now(world: World) -> None:
    build(world)
    world.platform.memberships.filter(user=world.bob.user).update(role="lead")
    assert notify("--send-now", "digest", "--org", "acme").startswith("digest: 2 sent")
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.test", "bob@acme.test"]
    assert all(m.subject.startswith("Weekly digest for Platform") for m in mail.outbox)


@pytest.mark.django_db
def test_it_names_an_unknown_organisation() -> None:
    with pytest.raises(CommandError, match="No organisation with the slug 'nope'"):
        notify("--send-now", "digest", "--org", "nope")
