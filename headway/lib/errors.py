"""Domain errors shared by services and mapped once by each interface.

Services raise Django's ValidationError (bad input, 422), PermissionDenied (403) and
Http404 (404); these add the one case Django has no exception for.
"""

from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """The request is well formed but clashes with the current state (HTTP 409).

    `current` carries the state the client should look at, e.g. an object's latest
    values after a stale edit.
    """

    def __init__(self, message: str, field: str | None = None, current: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.current = current
