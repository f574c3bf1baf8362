"""Shared pieces of the API: declared responses, PATCH bodies and pagination."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, WithJsonSchema

from .parser import refuse_nul
from .problems import Problem

# A row's id is a signed 64-bit integer in both databases. A larger number names no
# row, but SQLite cannot even compare it (OverflowError), so ids in paths, queries and
# bodies are bounded here and answer 422 instead of a 500.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1
Id = Annotated[int, Field(ge=ID_MIN, le=ID_MAX)]


def _wall_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError(
            "Give a wall-clock time without an offset; the organisation's time zone applies."
        )
    return value


# A time of day in the organisation's time zone ("09:00" or "09:00:00"). JSON Schema's
# `format: time` (RFC 3339) requires an offset, which these times never have.
LocalTime = Annotated[
    dt.time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "HH:MM[:SS], in the organisation's time zone.",
            "examples": ["09:00"],
        }
    ),
]

# A text in the URL path (a slug, a survey's token): any text but the NUL character.
PathText = Annotated[str, AfterValidator(refuse_nul)]

# Every authenticated operation can answer these; declaring them keeps the OpenAPI
# document honest for clients and for schema-checking fuzzers.
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (401, 403, 404, 409, 422)
# Operations with a body also answer 400 when the body is not JSON at all, and 413
# when it is larger than the server accepts.
BODY_ERRORS = (400, *WRITE_ERRORS, 413)


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

    class Input(Schema):
        # Bounded so the row offset stays within what the database can count.
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, description="At most 200; more gives 200.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)
