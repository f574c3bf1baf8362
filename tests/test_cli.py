"""The `headway` command: demo, createuser and token, as thin adapters over services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from headway.accounts.models import ApiToken, Membership, Organisation, Role, User
from headway.accounts.services import api_token_authenticate
from headway.demo.build import demo_build
from headway.demo.data import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG
from headway.teams.models import Team

from .support import headway


def test_token_create_prints_a_working_token(world, capsys):
    call_command("token", "create", "--email", "bob@acme.test", "--org", "acme", "--name", "ci")
    raw = capsys.readouterr().out.strip()
    token = api_token_authenticate(raw)
    assert token is not None and token.user == world.bob.user and token.name == "ci"


def test_token_create_refuses_a_non_member(world):
    with pytest.raises(CommandError, match="not a member"):
        call_command("token", "create", "--email", "charlie@globex.test", "--org", "acme")
    assert not ApiToken.objects.exists()


def test_token_list_and_revoke(world, capsys):
    call_command("token", "create", "--email", "bob@acme.test", "--org", "acme")
    raw = capsys.readouterr().out.strip()
    call_command("token", "list", "--email", "bob@acme.test")
    assert raw[:10] in capsys.readouterr().out
    call_command("token", "revoke", "--email", "bob@acme.test", "--prefix", raw[:10])
    assert api_token_authenticate(raw) is None


def test_createuser_joins_an_organisation_with_a_role(world):
    call_command(
        "createuser",
        "--email",
        "erin@acme.test",
        "--password",
        "a long passphrase 42",
        "--org",
        "acme",
        "--role",
        "admin",
    )
    membership = Membership.objects.get(user__email="erin@acme.test")
    assert membership.organisation == world.acme and membership.role == Role.ADMIN


def test_createuser_can_found_an_organisation(db):
    call_command(
        "createuser",
        "--email",
        "founder@new.test",
        "--password",
        "a long passphrase 42",
        "--org-name",
        "New Co",
    )
    assert Membership.objects.get(user__email="founder@new.test").role == Role.OWNER
    assert Organisation.objects.get().slug == "new-co"


def test_createuser_reports_bad_input_and_writes_nothing(world):
    with pytest.raises(CommandError, match="not a valid e-mail"):
        call_command("createuser", "--email", "nope", "--password", "a long passphrase 42")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "--email", "bob@acme.test", "--password", "a long passphrase 42")
    with pytest.raises(CommandError, match="No organisation"):
        call_command(
            "createuser",
            "--email",
            "erin@acme.test",
            "--password",
            "a long passphrase 42",
            "--org",
            "missing",
        )
    assert not User.objects.filter(email__in=["nope", "erin@acme.test"]).exists()


def test_the_demo_is_idempotent(db):
    call_command("demo")
    counts = (Team.objects.count(), User.objects.count(), Membership.objects.count())
    Team.objects.filter(slug="platform").update(name="Renamed by someone")
    call_command("demo")
    assert (Team.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert Team.objects.get(slug="platform").name == "Platform"


def test_demo_if_empty_leaves_an_existing_database_alone(world):
    call_command("demo", "--if-empty")
    assert not Organisation.objects.filter(slug=DEMO_SLUG).exists()


@pytest.mark.django_db(transaction=True)
def test_the_console_script_runs_management_commands(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    result = headway("demo")
    assert result.returncode == 0, result.stderr
    assert DEMO_LOGIN in result.stdout
    assert User.objects.get(email=DEMO_LOGIN).check_password(DEMO_PASSWORD)


def test_checkin_command_moves_the_key_result_and_its_objective(db, capsys):
    from headway.goals.models import KeyResult

    demo_build(today=dt.date(2026, 11, 29))
    kr = (
        KeyResult.objects.filter(kind="increase", objective__cycle__name="2026 Q4")
        .select_related("objective")
        .first()
    )
    call_command(
        "checkin",
        "--kr",
        str(kr.pk),
        "--value",
        str(kr.target_value),
        "--confidence",
        "8",
        "--note",
        "done early",
    )
    out = capsys.readouterr().out
    kr.refresh_from_db()
    assert kr.current_value == kr.target_value and kr.progress == 1.0
    assert "Checked in" in out and "100%" in out


def test_checkin_command_reports_bad_input(db):
    from headway.goals.models import CheckIn, KeyResult

    demo_build(today=dt.date(2026, 11, 29))
    kr = KeyResult.objects.filter(kind="increase").first()
    before = CheckIn.objects.count()
    with pytest.raises(CommandError, match="not a number"):
        call_command("checkin", "--kr", str(kr.pk), "--value", "lots", "--confidence", "8")
    with pytest.raises(CommandError, match="no key result"):
        call_command("checkin", "--kr", "999999", "--value", "1", "--confidence", "8")
    assert CheckIn.objects.count() == before


def test_recompute_verify_passes_on_the_demo_and_fails_on_tampering(db, capsys):
    from headway.goals.models import Objective

    demo_build(today=dt.date(2026, 11, 29))
    call_command("recompute", "--verify")
    assert "No difference" in capsys.readouterr().out
    Objective.objects.filter(pk=Objective.objects.first().pk).update(progress=0.01)
    with pytest.raises(CommandError, match="1 stored values differ"):
        call_command("recompute", "--verify")
    call_command("recompute")
    call_command("recompute", "--verify")
