from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from headway.accounts import services
from headway.accounts.models import ApiToken, Membership, Role
from headway.lib.errors import Conflict


def test_a_token_is_shown_once_and_stored_hashed(world):
    token, raw = services.api_token_create(member=world.bob, name="script")
    assert raw.startswith("hw_")
    assert raw not in token.token_hash and token.prefix == raw[:10]
    assert services.api_token_authenticate(raw).pk == token.pk


def test_authentication_records_last_use(world):
    token, raw = services.api_token_create(member=world.bob, name="script")
    assert token.last_used_at is None
    services.api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_or_unknown_token_does_not_authenticate(world):
    token, raw = services.api_token_create(member=world.bob, name="script")
    services.api_token_revoke(user=world.bob.user, token=token)
    assert services.api_token_authenticate(raw) is None
    assert services.api_token_authenticate("hw_unknown") is None


def test_nobody_revokes_another_persons_token(world):
    token, _ = services.api_token_create(member=world.bob, name="script")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(user=world.alice.user, token=token)


def test_removing_a_member_revokes_their_tokens_and_team_places(world):
    _, raw = services.api_token_create(member=world.bob, name="script")
    services.membership_remove(member=world.alice, membership=world.bob)
    assert services.api_token_authenticate(raw) is None
    assert not world.platform.memberships.exists()
    assert not Membership.objects.filter(pk=world.bob.pk).exists()


def test_the_last_owner_cannot_step_down(world):
    with pytest.raises(Conflict, match="needs an owner"):
        services.membership_set_role(member=world.alice, membership=world.alice, role=Role.ADMIN)
    world.alice.refresh_from_db()
    assert world.alice.role == Role.OWNER


def test_a_viewer_cannot_change_roles(world):
    with pytest.raises(PermissionDenied):
        services.membership_set_role(member=world.dave, membership=world.bob, role=Role.ADMIN)


def test_an_empty_token_name_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.api_token_create(member=world.bob, name="  ")
    assert not ApiToken.objects.exists()
