"""Request parsing that refuses the NUL character in any text.

PostgreSQL cannot store U+0000 in a text column, so a title containing it failed as a
500 after the request had been validated. The web forms refuse it already (Django's
form fields do); the API refuses it here, for every body and query parameter, before
any view runs, with a 422 that names the field.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

NUL = "\x00"
MESSAGE = "Text may not contain the NUL character (U+0000)."


class NulInText(ValueError):
    """Raised while parsing a body; ninja wraps it in a 400, problems.py answers 422."""

    def __init__(self, field: str) -> None:
        super().__init__(MESSAGE)
        self.field = field


def refuse_nul(text: str) -> str:
    """For path parameters, which ninja takes from the URL, not through the parser."""
    if NUL in text:
        raise ValueError(MESSAGE)
    return text


def _nul_at(value: Any, path: str = "") -> str | None:
    """The dotted path of the first text (key or value) holding a NUL, if any."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)  # type: ignore[assignment]
    else:
        return None
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and NUL in key:
            return here
        found = _nul_at(item, here)
        if found is not None:
            return found
    return None


class HeadwayParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        field = _nul_at(data)
        if field is not None:
            raise NulInText(field)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        field = _nul_at(parsed)
        if field is not None:
            raise ValidationError({field: MESSAGE})
        return parsed
