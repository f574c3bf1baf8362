"""API authentication: a personal bearer token, or the browser session.

Both resolve to the caller's Membership, which every endpoint takes its
organisation and role from. A token belongs to one organisation; a session uses the
`X-Organisation` header (an organisation slug), else the organisation last opened
in the web UI, else the caller's first one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from headway.accounts.models import Membership
from headway.accounts.services import api_token_member


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token: `Authorization: Bearer hw_…`."

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        found = api_token_member(token)
        if found is None:
            return None
        member = found[1]
        request.member = member  # type: ignore[attr-defined]
        return member


class SessionAuth(NinjaSessionAuth):
    openapi_description = (
        "The web session cookie. Writes also need the CSRF token in `X-CSRFToken`; "
        "`X-Organisation: <slug>` picks the organisation."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in session the caller is anonymous: answer 401, not the
        # CSRF failure that ninja's check would raise first for unsafe methods.
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise PermissionDenied(
                "Session-authenticated writes need the CSRF token in the X-CSRFToken "
                "header; or use an API token."
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        memberships = Membership.objects.select_related("organisation", "user").filter(user=user)
        asked = request.headers.get("X-Organisation")
        if asked:
            # Same answer for an organisation that does not exist and one the caller
            # is not in: no existence leak.
            member = memberships.filter(organisation__slug=asked).first()
            if member is None:
                raise Http404("No such organisation.")
        else:
            last = request.session.get("organisation")
            member = (last and memberships.filter(organisation__slug=last).first()) or (
                memberships.order_by("pk").first()
            )
        if member is None:
            return None
        request.member = member  # type: ignore[attr-defined]
        return member


def member_of(request: HttpRequest) -> Membership:
    """The authenticated caller's membership."""
    return request.auth  # type: ignore[attr-defined, no-any-return]
