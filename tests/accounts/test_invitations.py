from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.accounts import services
from headway.accounts.models import Invitation, Membership, Role, User
from headway.lib.errors import Conflict


def test_it_invites_by_email_and_queues_the_email(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(member=world.alice, email="Erin@Acme.test")
    assert invitation.email == "erin@acme.test"
    assert invitation.status == "pending"
    assert invitation.token_hash != token  # only the digest is stored
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "headway.lib.mail.email_send"
    assert "erin@acme.test" in str(queued.args_kwargs)
    assert services.invitation_url(token) in str(queued.args_kwargs)


def test_accepting_creates_the_account_and_the_membership(world):
    _, token = services.invitation_create(
        member=world.alice, email="erin@acme.test", role=Role.ADMIN
    )
    membership = services.invitation_accept(
        token=token, name="Erin", password="a long passphrase 42"
    )
    assert membership.organisation == world.acme
    assert membership.role == Role.ADMIN
    assert membership.user.check_password("a long passphrase 42")


def test_accepting_as_an_existing_user_adds_a_membership(world):
    _, token = services.invitation_create(member=world.charlie, email="alice@acme.test")
    membership = services.invitation_accept(token=token, user=world.alice.user)
    assert membership.organisation == world.globex
    assert Membership.objects.filter(user=world.alice.user).count() == 2


def test_it_rejects_a_reused_invitation(world):
    _, token = services.invitation_create(member=world.alice, email="erin@acme.test")
    services.invitation_accept(token=token, name="Erin", password="a long passphrase 42")
    with pytest.raises(Conflict, match="already been used"):
        services.invitation_accept(token=token, name="Eve", password="a long passphrase 42")
    assert User.objects.filter(email="erin@acme.test").count() == 1


def test_it_rejects_an_expired_invitation_and_writes_nothing(world):
    invitation, token = services.invitation_create(member=world.alice, email="erin@acme.test")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(token=token, name="Erin", password="a long passphrase 42")
    assert not User.objects.filter(email="erin@acme.test").exists()


def test_it_rejects_an_unknown_token(world):
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_find("inv_made-up")


def test_a_weak_password_creates_nothing(world):
    _, token = services.invitation_create(member=world.alice, email="erin@acme.test")
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, name="Erin", password="123")
    assert not User.objects.filter(email="erin@acme.test").exists()
    assert services.invitation_find(token).status == "pending"


def test_it_rejects_an_invalid_email(world):
    with pytest.raises(ValidationError) as error:
        services.invitation_create(member=world.alice, email="not-an-email")
    assert "not a valid e-mail" in str(error.value.message_dict["email"])
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_an_existing_member(world):
    with pytest.raises(Conflict, match="already a member"):
        services.invitation_create(member=world.alice, email="bob@acme.test")


def test_members_and_viewers_cannot_invite(world):
    for member in (world.bob, world.dave):
        with pytest.raises(PermissionDenied):
            services.invitation_create(member=member, email="erin@acme.test")


def test_an_admin_cannot_make_an_owner(world):
    services.membership_set_role(member=world.alice, membership=world.bob, role=Role.ADMIN)
    with pytest.raises(PermissionDenied, match="owner"):
        services.invitation_create(member=world.bob, email="erin@acme.test", role=Role.OWNER)


def test_an_invitation_for_someone_else_cannot_be_accepted(world):
    _, token = services.invitation_create(member=world.alice, email="erin@acme.test")
    with pytest.raises(PermissionDenied, match=r"erin@acme\.test"):
        services.invitation_accept(token=token, user=world.charlie.user)
    assert not Membership.objects.filter(user=world.charlie.user, organisation=world.acme).exists()


def test_a_new_invitation_replaces_the_pending_one(world):
    first, first_token = services.invitation_create(member=world.alice, email="erin@acme.test")
    services.invitation_create(member=world.alice, email="erin@acme.test")
    first.refresh_from_db()
    assert first.status == "revoked"
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_find(first_token)


def test_an_address_longer_than_mail_allows_is_refused(world):
    with pytest.raises(ValidationError):
        services.invitation_create(
            member=world.alice, email=("a" * 64) + "@" + ("b" * 63 + ".") * 3 + "example.com"
        )
    assert not Invitation.objects.exists()
