"""Shared pieces of the API: declared responses, PATCH bodies and pagination."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Schema
from ninja.pagination import PageNumberPagination

from .problems import Problem

# Every authenticated operation can answer these; declaring them keeps the OpenAPI
# document honest for clients and for schema-checking fuzzers.
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (401, 403, 404, 409, 422)
# Operations with a JSON body also answer 400 when the body is not JSON at all.
BODY_ERRORS = (400, *WRITE_ERRORS)


def responses(ok: dict[int, Any], errors: tuple[int, ...] = READ_ERRORS) -> dict[int, Any]:
    declared: dict[int, Any] = dict(ok)
    declared.update({code: Problem for code in errors})
    return declared


def changes(payload: Schema, nullable: Collection[str] = ()) -> dict[str, Any]:
    """The fields a PATCH body sets; `null` only where clearing a field means something.

    PATCH schemas type every field as optional so it may be left out, which would
    also let `{"name": null}` through to services that need a value.
    """
    data = payload.dict(exclude_unset=True)
    cleared = [field for field, value in data.items() if value is None and field not in nullable]
    if cleared:
        raise ValidationError({field: "This field cannot be null." for field in cleared})
    return data


@contextmanager
def fields_as(**names: str) -> Iterator[None]:
    """Report a service's field errors under the API's names, e.g. parent → parent_id."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {names.get(field, field): errors for field, errors in error.error_dict.items()}
        raise ValidationError(renamed) from None


class Pages(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200), answering `{items, count}`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)
