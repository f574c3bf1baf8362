"""Absolute links for messages that leave the site, and signed unsubscribe links.

An unsubscribe link names one member and one kind of notification, signed with the
secret key: anyone holding the e-mail may use it (that is the point of one-click
unsubscribe), nobody can forge one for somebody else, and it never expires.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import NotificationKind

SALT = "headway.notify.unsubscribe"
# Kinds a person can turn off, and the preference field that turns each off.
PREFERENCE_OF: dict[str, str] = {
    NotificationKind.REMINDER: "reminders",
    NotificationKind.DIGEST: "digest",
    NotificationKind.FLAG: "flags",
}


def absolute(path: str) -> str:
    """`path` on the address people use (HEADWAY_SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def absolute_url(name: str, *args: Any) -> str:
    return absolute(reverse(name, args=args))


def unsubscribe_token(membership_id: int, kind: str) -> str:
    return signing.dumps({"m": membership_id, "k": str(kind)}, salt=SALT, compress=True)


def unsubscribe_url(membership_id: int, kind: str) -> str:
    return absolute_url("notify-unsubscribe", unsubscribe_token(membership_id, kind))


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(membership id, kind) of a genuine link; None for a broken or forged one."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in PREFERENCE_OF:
        return None
    membership_id = data.get("m")
    return (membership_id, data["k"]) if isinstance(membership_id, int) else None
