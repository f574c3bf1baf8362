"""API authentication: a personal bearer token, or the browser session.

Both resolve to the caller's Membership, which every endpoint takes its
organisation and role from. A token belongs to one organisation; a session uses the
`X-Organisation` header (an organisation slug), else the organisation last opened
in the web UI, else the caller's first one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from headway.accounts.models import Membership
from headway.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token: `Authorization: Bearer hw_…`."

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        member = Membership.objects.select_related("organisation", "user").get(
            organisation=api_token.organisation, user=api_token.user
        )
        request.member = member  # type: ignore[attr-defined]
        return member


class SessionAuth(NinjaSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        memberships = Membership.objects.select_related("organisation", "user").filter(user=user)
        wanted = request.headers.get("X-Organisation") or request.session.get("organisation")
        member = (memberships.filter(organisation__slug=wanted).first() if wanted else None) or (
            None if request.headers.get("X-Organisation") else memberships.order_by("pk").first()
        )
        if member is None:
            return None
        request.member = member  # type: ignore[attr-defined]
        return member


def member_of(request: HttpRequest) -> Membership:
    """The authenticated caller's membership."""
    return request.auth  # type: ignore[attr-defined, no-any-return]
