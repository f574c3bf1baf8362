"""Random tokens that are shown once and stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str) -> str:
    """A URL-safe token such as `hw_3f9a…`: the prefix tells people what it is for."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
