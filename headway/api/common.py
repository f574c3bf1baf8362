"""Shared pieces of the API: declared responses and pagination."""

from __future__ import annotations

from typing import Any

from ninja.pagination import PageNumberPagination

from .problems import Problem

# Every authenticated operation can answer these; declaring them keeps the OpenAPI
# document honest for clients and for schema-checking fuzzers.
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (401, 403, 404, 409, 422)


def responses(ok: dict[int, Any], errors: tuple[int, ...] = READ_ERRORS) -> dict[int, Any]:
    declared: dict[int, Any] = dict(ok)
    declared.update({code: Problem for code in errors})
    return declared


class Pages(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200), answering `{items, count}`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)
