"""Resolve the organisation in the URL to the visitor's membership, once per request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from headway.accounts.selectors import membership_get

View = Callable[..., HttpResponse]


def member_view(*, admin: bool = False, admin_posts: bool = False) -> Callable[[View], View]:
    """Require a logged-in member of the URL's organisation (else 404, never a leak).

    Sets `request.member` and remembers the organisation as the current one, which
    the home page and session-authenticated API calls use. `admin=True` turns a
    non-admin's request into 403; `admin_posts=True` does so for POSTs only, on pages
    every member reads but only admins write through.
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            member = membership_get(request.user, org)  # type: ignore[arg-type]
            if admin and not member.is_admin:
                raise PermissionDenied("Only owners and admins can open this page.")
            if admin_posts and request.method == "POST" and not member.is_admin:
                raise PermissionDenied("Only owners and admins can change this.")
            request.member = member  # type: ignore[attr-defined]
            if request.session.get("organisation") != org:
                request.session["organisation"] = org
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
