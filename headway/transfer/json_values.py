"""Reading the values of an organisation document: JSON values into what the model
fields hold, the models' own field rules, and the problems found, each at its JSON path
(`objectives[3].cycle`). Used by `json_import.Reader`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .rows import Problem

INTEGER_TYPES = {
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
}
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


class Problems(list[Problem]):
    """Problems of a document: row 0 (a JSON file has no rows), the path as the column."""

    def add(self, path: str, message: str) -> None:
        self.append(Problem(row=0, column=path, message=message))


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "true/false", int: "a number", float: "a number", str: "text"}.get(
        type(value), "a list" if isinstance(value, list) else "an object"
    )


def convert(model_field: models.Field[Any, Any], raw: Any) -> Any:
    """The JSON value as the model field holds it; ValueError says what was expected."""
    kind = model_field.get_internal_type()
    if raw is None:
        if model_field.null:
            return None
        raise ValueError("Give a value; null is not allowed here.")
    if kind == "DateField":
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError(f"Give a day as YYYY-MM-DD, not {type_name(raw)} {raw!r}.")
        return dt.date.fromisoformat(raw)
    if kind == "DateTimeField":
        moment = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"Give a moment in ISO 8601 with its offset, not {raw!r}.")
        return moment
    if kind == "TimeField":
        if not isinstance(raw, str):
            raise ValueError(f"Give a time of day as HH:MM:SS, not {raw!r}.")
        return dt.time.fromisoformat(raw)
    if kind == "FloatField":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise ValueError(f"Give a number, not {type_name(raw)}.")
        return float(raw)
    if kind in INTEGER_TYPES:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"Give a whole number, not {type_name(raw)}.")
        return raw
    if kind == "BooleanField":
        if not isinstance(raw, bool):
            raise ValueError(f"Give true or false, not {type_name(raw)}.")
        return raw
    if kind in TEXT_TYPES and not isinstance(raw, str):
        raise ValueError(f"Give text, not {type_name(raw)}.")
    return raw


def plain_fields(
    model: type[models.Model],
    names: Iterable[str],
    row: dict[str, Any],
    path: str,
    found: Problems,
) -> tuple[dict[str, Any], set[str]]:
    """The row's plain fields converted (model defaults for those left out) and the
    names the row gave."""
    values: dict[str, Any] = {}
    given: set[str] = set()
    for name in names:
        model_field = model._meta.get_field(name)
        assert isinstance(model_field, models.Field)
        if name not in row:
            if not (model_field.has_default() or model_field.null or model_field.blank):
                found.add(f"{path}.{name}", "This field is required.")
            values[name] = model_field.get_default()
            continue
        try:
            values[name] = convert(model_field, row[name])
            given.add(name)
        except ValueError as error:
            found.add(f"{path}.{name}", str(error))
    return values, given


def clean(instance: models.Model, names: Iterable[str], path: str, found: Problems) -> None:
    """The model's own field rules (choices, lengths, validators, blank) on `names`."""
    names = set(names)
    exclude = [f.name for f in instance._meta.concrete_fields if f.name not in names]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                found.add(f"{path}.{name}", message)


def is_field(model: type[models.Model], name: str) -> bool:
    return name in {f.name for f in model._meta.concrete_fields}


def is_object(row: Any, path: str, found: Problems) -> bool:
    if isinstance(row, dict):
        return True
    found.add(path, f"Give an object here, not {type_name(row)}.")
    return False


def listed(container: dict[str, Any], name: str, found: Problems, path: str = "") -> list[Any]:
    raw = container.get(name, [])
    if isinstance(raw, list):
        return raw
    found.add(f"{path}.{name}" if path else name, f"Give a list, not {type_name(raw)}.")
    return []
