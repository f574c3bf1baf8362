"""The whole organisation as one versioned JSON document, for a move to another server.

`organisation_document(organisation)` reads every list of `json_format.SECTIONS` with
one query each (plus one per nested list and many-to-many field: about thirty in all,
whatever the organisation's size), gives each row its key, and turns every foreign
key into the key of the row it points to. Rows come in database order, and the import
writes them in file order, so exporting an imported organisation gives the same keys
and the same document (docs/import-export.md, "Organisation JSON").

Nothing secret is written: no password hashes, API tokens, invitation tokens, webhook
secrets or chat URLs (`json_format.MODELS_LEFT_OUT` and the sections' `left_out`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from headway.accounts.models import Membership, Organisation, User
from headway.notify.models import NotificationPreference

from .json_format import (
    ACTIVITY_TARGETS,
    FORMAT,
    ORGANISATION_FIELDS,
    PEOPLE,
    PREFERENCE_FIELDS,
    SECTIONS,
    VERSION,
    Section,
)

Row = dict[str, Any]
ID_BATCH = 5000


def plain(value: Any) -> Any:
    """A model value as JSON: dates and times in ISO 8601 (times of day as given,
    moments in UTC), floats that are not numbers as null."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


class _Exporter:
    """Reads the organisation list by list, then writes the document."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.rows: dict[str, list[Row]] = {}  # section path → rows with database ids
        self.keys: dict[str, dict[int, str]] = {}  # section name → pk → key
        self.many: dict[tuple[str, str], dict[int, list[int]]] = {}
        self.people: dict[int, str] = {}  # user pk → e-mail

    # -- reading ------------------------------------------------------------------------

    def _load(self, section: Section, path: str, scope: str) -> None:
        model = section.model
        columns = ["pk", *section.fields]
        columns += [_attname(model, ref) for ref in section.refs]
        if section.parent:
            columns.append(_attname(model, section.parent))
        columns += [name for name in section.extra if _is_field(model, name)]
        if section.name == "purpose_surveys":
            columns += ["analysed_at", "analysis_requested_at"]
        if section.name == "activity":
            columns.append("target_id")
        rows = list(
            model._default_manager.filter(**{scope: self.organisation})
            .order_by("pk")
            .values(*columns)
        )
        self.rows[path] = rows
        if section.key and not section.parent:
            self.keys[section.name] = _keys(section, rows)
        for name in section.many:
            self.many[(path, name)] = self._many(model, name, scope)
        for child in section.children:
            self._load(child, f"{path}.{child.name}", f"{child.parent}__{scope}")

    def _many(self, model: type[models.Model], name: str, scope: str) -> dict[int, list[int]]:
        """Each row's targets of a many-to-many field, in the targets' database order."""
        relation = model._meta.get_field(name)
        through = relation.remote_field.through  # type: ignore[union-attr]
        source = relation.m2m_field_name() + "_id"  # type: ignore[union-attr]
        target = relation.m2m_reverse_field_name() + "_id"  # type: ignore[union-attr]
        pairs = (
            through._default_manager.filter(
                **{f"{relation.m2m_field_name()}__{scope}": self.organisation}  # type: ignore[union-attr]
            )
            .order_by(target)
            .values_list(source, target)
        )
        grouped: dict[int, list[int]] = defaultdict(list)
        for row, other in pairs:
            grouped[row].append(other)
        return grouped

    def _load_people(self) -> list[Row]:
        memberships = {
            m["user_id"]: m
            for m in Membership.objects.filter(organisation=self.organisation).values(
                "pk", "user_id", "role", "title"
            )
        }
        preferences = {
            p["membership_id"]: p
            for p in NotificationPreference.objects.filter(
                membership__organisation=self.organisation
            ).values("membership_id", *PREFERENCE_FIELDS)
        }
        user_ids = set(memberships) | self._referenced_people()
        # Sorted here, not by the database, whose collation may order "." and letters
        # differently: the same people give the same list on every database.
        users = sorted(_users(sorted(user_ids)), key=lambda user: user["email"])
        people = []
        for user in users:
            self.people[user["pk"]] = user["email"]
            membership = memberships.get(user["pk"])
            preference = preferences.get(membership["pk"]) if membership else None
            people.append(
                {
                    "email": user["email"],
                    "name": user["name"],
                    "role": membership["role"] if membership else None,
                    "title": membership["title"] if membership else "",
                    "notifications": _preference(preference),
                }
            )
        return people

    def _referenced_people(self) -> set[int]:
        found: set[int] = set()

        def walk(section: Section, path: str) -> None:
            for ref, target in section.refs.items():
                if target == PEOPLE:
                    column = _attname(section.model, ref)
                    found.update(row[column] for row in self.rows[path] if row[column])
            for child in section.children:
                walk(child, f"{path}.{child.name}")

        for section in SECTIONS:
            walk(section, section.name)
        return found

    # -- writing ------------------------------------------------------------------------

    def document(self, now: dt.datetime | None = None) -> dict[str, Any]:
        for section in SECTIONS:
            self._load(section, section.name, "organisation")
        people = self._load_people()
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": plain(now or timezone.now()),
            "organisation": {
                name: plain(getattr(self.organisation, name)) for name in ORGANISATION_FIELDS
            },
            PEOPLE: people,
        }
        for section in SECTIONS:
            document[section.name] = self._section(section, section.name, self.rows[section.name])
        return document

    def _section(self, section: Section, path: str, rows: Iterable[Row]) -> list[Row]:
        children = {
            child.name: _by_parent(child, self.rows[f"{path}.{child.name}"])
            for child in section.children
        }
        own_keys = self.keys.get(section.name, {})
        out = []
        for row in rows:
            item: Row = {}
            if section.key and not section.natural:
                item["key"] = own_keys[row["pk"]]
            for name in section.fields:
                item[name] = plain(row[name])
            for ref, target in section.refs.items():
                item[ref] = self._ref(target, row[_attname(section.model, ref)])
            for name, target in section.many.items():
                targets = self.many[(path, name)].get(row["pk"], [])
                item[name] = [self._ref(target, pk) for pk in targets]
            self._extra(section, row, item)
            for child in section.children:
                child_rows = children[child.name].get(row["pk"], [])
                item[child.name] = self._section(child, f"{path}.{child.name}", child_rows)
            out.append(item)
        return out

    def _ref(self, target: str, pk: int | None) -> str | None:
        if pk is None:
            return None
        if target == PEOPLE:
            return self.people[pk]
        return self.keys[target].get(pk)

    def _extra(self, section: Section, row: Row, item: Row) -> None:
        """The fields that are not copied as they are."""
        if section.name == "pivots":
            item["initiative_changes"] = [
                {
                    "initiative": self._ref("initiatives", change.get("id")),
                    **{k: v for k, v in change.items() if k != "id"},
                }
                for change in row["initiative_changes"] or []
            ]
        elif section.name == "activity":
            target = ACTIVITY_TARGETS.get(row["target_type"])
            item["target"] = self._ref(target, row["target_id"]) if target else None
        elif section.name == "purpose_surveys":
            # Analysed, or asked to be: the import asks for an analysis again.
            item["analysed"] = bool(row["analysed_at"] or row["analysis_requested_at"])


def _users(ids: list[int]) -> list[Row]:
    """The accounts, a batch of ids at a time (SQLite caps a query's parameters)."""
    found: list[Row] = []
    for start in range(0, len(ids), ID_BATCH):
        batch = ids[start : start + ID_BATCH]
        found += [
            dict(row) for row in User.objects.filter(pk__in=batch).values("pk", "email", "name")
        ]
    return found


def _is_field(model: type[models.Model], name: str) -> bool:
    return name in {f.name for f in model._meta.get_fields()}


def _keys(section: Section, rows: list[Row]) -> dict[int, str]:
    if section.natural:
        return {row["pk"]: row[section.key] for row in rows}
    return {row["pk"]: f"{section.key}-{number}" for number, row in enumerate(rows, 1)}


def _by_parent(section: Section, rows: list[Row]) -> dict[int, list[Row]]:
    column = _attname(section.model, section.parent)
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[column]].append(row)
    return grouped


def _preference(row: Row | None) -> Row | None:
    if row is None:
        return None
    return {name: plain(row[name]) for name in PREFERENCE_FIELDS}


def organisation_document(
    organisation: Organisation, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The organisation as a `headway-organisation` document, version 1."""
    return _Exporter(organisation).document(now)


def document_json(document: dict[str, Any]) -> bytes:
    """A document as UTF-8 JSON, one field a line (readable, and diffable)."""
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False).encode()


def organisation_json(organisation: Organisation, *, now: dt.datetime | None = None) -> bytes:
    """The organisation's document as UTF-8 JSON."""
    return document_json(organisation_document(organisation, now=now))


def export_filename(organisation: Organisation, now: dt.datetime | None = None) -> str:
    """e.g. tidewater-2026-05-14.headway.json"""
    day = (now or timezone.now()).date().isoformat()
    return f"{organisation.slug}-{day}.headway.json"
