"""Template context every page needs: the current membership and the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from headway.accounts.selectors import memberships_of


def headway(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "member", None)
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "member": member,
        "organisation": member.organisation if member else None,
        # django-htmx's {% htmx_script %} looks for `csp_nonce`; django-csp provides it
        # lazily as request.csp_nonce.
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
    if user is not None and user.is_authenticated:
        context["my_memberships"] = memberships_of(user)
    return context
