"""Import of an organisation JSON document (`json_export`) into an empty organisation.

`validate(content)` reads the whole document and lists every problem with its JSON
path (`objectives[3].cycle`), before anything is written: the format and version,
each row's fields (types, choices, lengths, required values), every reference (to a
key that exists in the right list), keys unique in their list, the rules the database
would refuse (one owner per objective, one parent per link, ends after starts, one open
flag per kind …) and loops (teams, cycles, alignment). `write(organisation, content,
member)` does the same, refuses an organisation that already holds anything but its
members, then writes everything in one transaction (bulk inserts, in file order) and
recomputes stored progress from the check-ins, so `headway recompute --verify` is clean.

People are matched by e-mail address: an account that exists on this server is reused
(its name and password untouched), a new one is created without a usable password, so
its owner sets one with "Forgot your password?". Memberships that already exist keep
their role. Problems are `rows.Problem`s with row 0 and the JSON path as the column,
which is how the import pipeline shows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from headway.accounts.models import Membership, Organisation, Role
from headway.notify.models import NotificationPreference

from .json_checks import check_plan
from .json_format import (
    ACTIVITY_TARGETS,
    BY_NAME,
    FORMAT,
    ORGANISATION_FIELDS,
    ORGANISATION_KEPT,
    PEOPLE,
    PREFERENCE_FIELDS,
    SECTIONS,
    VERSION,
    Section,
)
from .json_values import Problems, clean, is_field, is_object, listed, plain_fields
from .rows import Problem

MAX_PROBLEMS = 1000
TOP_LEVEL = {"format", "version", "exported_at", "organisation", PEOPLE} | set(BY_NAME)


class ImportRefused(Exception):
    """The document cannot be imported here; `problems` say why, each at its place."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.column or 'file'}: {p.message}" for p in problems[:5]))
        self.problems = problems


@dataclass
class Item:
    """One row of the document, read: the unsaved model with its plain fields, and its
    references by key, resolved to database ids when written."""

    path: str
    instance: models.Model
    given: set[str] = field(default_factory=set)  # plain fields the file gave
    refs: dict[str, str | None] = field(default_factory=dict)
    many: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[Item]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


@dataclass
class Person:
    path: str
    email: str
    name: str
    role: str | None
    title: str
    notifications: NotificationPreference | None


@dataclass
class Plan:
    """A document read and checked: what `json_write` writes."""

    settings: dict[str, Any] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    items: dict[str, list[Item]] = field(default_factory=dict)  # section name → rows

    def counts(self) -> dict[str, int]:
        return {PEOPLE: len(self.people), **{name: len(rows) for name, rows in self.items.items()}}


# --- reading the document ----------------------------------------------------------------


class Reader:
    """Reads a document into a `Plan`, collecting every problem on the way."""

    def __init__(self) -> None:
        self.problems = Problems()
        self.plan = Plan()
        self.keys: dict[str, dict[str, Item]] = {}
        self.emails: set[str] = set()

    def read(self, document: Any) -> Plan:
        if not isinstance(document, dict):
            self.problems.add("", "The file must hold one JSON object (a Headway export).")
            return self.plan
        if not self._header(document):
            return self.plan
        for name in sorted(set(document) - TOP_LEVEL):
            self.problems.add(name, "Unknown field: this file has fields Headway does not know.")
        self._organisation(document.get("organisation"))
        self._people(listed(document, PEOPLE, self.problems))
        for section in SECTIONS:
            rows = listed(document, section.name, self.problems)
            self.plan.items[section.name] = self._rows(section, section.name, rows)
        self._resolve()
        # The cross-row rules follow references, so they wait for a sound document.
        if not self.problems:
            for path, message in check_plan(self.plan.items, self.keys):
                self.problems.add(path, message)
        return self.plan

    def _header(self, document: dict[str, Any]) -> bool:
        if document.get("format") != FORMAT:
            self.problems.add(
                "format",
                f'This is not a Headway organisation export: "format" must be "{FORMAT}".',
            )
            return False
        version = document.get("version")
        if version != VERSION:
            newer = isinstance(version, int) and not isinstance(version, bool) and version > 1
            self.problems.add(
                "version",
                f"Version {version} was written by a newer Headway; upgrade this server first."
                if newer
                else f"This server reads version {VERSION} of the format, not {version!r}.",
            )
            return False
        return True

    def _organisation(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            self.problems.add("organisation", "Give the organisation's settings as an object.")
            return
        for name in sorted(set(raw) - set(ORGANISATION_FIELDS)):
            self.problems.add(f"organisation.{name}", "Unknown field.")
        names = [name for name in ORGANISATION_FIELDS if name not in ORGANISATION_KEPT]
        values, _ = plain_fields(Organisation, names, raw, "organisation", self.problems)
        organisation = Organisation(name="-", slug="-", **values)
        clean(organisation, names, "organisation", self.problems)
        try:
            organisation.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.problems.add(f"organisation.{name}", " ".join(messages))
        self.plan.settings = values

    def _people(self, rows: list[Any]) -> None:
        for index, row in enumerate(rows):
            path = f"{PEOPLE}[{index}]"
            if not is_object(row, path, self.problems):
                continue
            for name in sorted(set(row) - {"email", "name", "role", "title", "notifications"}):
                self.problems.add(f"{path}.{name}", "Unknown field.")
            email = row.get("email")
            try:
                if not isinstance(email, str):
                    raise ValidationError("not text")
                validate_email(email)
            except ValidationError:
                self.problems.add(f"{path}.email", f"Give a valid e-mail address, not {email!r}.")
                continue
            if email.lower() in self.emails:
                self.problems.add(f"{path}.email", f"{email} is listed twice.")
                continue
            self.emails.add(email.lower())
            self.plan.people.append(self._person(row, path, email))

    def _person(self, row: dict[str, Any], path: str, email: str) -> Person:
        name, title, role = row.get("name", ""), row.get("title", ""), row.get("role")
        if not isinstance(name, str) or len(name) > 150:
            self.problems.add(f"{path}.name", "Give the name as text of at most 150 characters.")
        if not isinstance(title, str) or len(title) > 120:
            self.problems.add(f"{path}.title", "Give the title as text of at most 120 characters.")
        if role is not None and role not in Role.values:
            self.problems.add(
                f"{path}.role", f"Choose one of {', '.join(Role.values)}, or null (not a member)."
            )
        return Person(path, email, str(name), role, str(title), self._notifications(row, path))

    def _notifications(self, row: dict[str, Any], path: str) -> NotificationPreference | None:
        raw = row.get("notifications")
        if raw is None:
            return None
        path = f"{path}.notifications"
        if not is_object(raw, path, self.problems):
            return None
        for name in sorted(set(raw) - set(PREFERENCE_FIELDS)):
            self.problems.add(f"{path}.{name}", "Unknown field.")
        values, _ = plain_fields(
            NotificationPreference, PREFERENCE_FIELDS, raw, path, self.problems
        )
        quiet = values.get("quiet_days")
        if not isinstance(quiet, list) or not all(
            isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in quiet
        ):
            self.problems.add(f"{path}.quiet_days", "Give weekdays as numbers, 0 (Monday) to 6.")
        preference = NotificationPreference(**values)
        clean(preference, PREFERENCE_FIELDS, path, self.problems)
        return preference

    def _rows(self, section: Section, path: str, rows: list[Any]) -> list[Item]:
        items = []
        for index, row in enumerate(rows):
            item_path = f"{path}[{index}]"
            if is_object(row, item_path, self.problems):
                items.append(self._row(section, item_path, row))
        return items

    def _row(self, section: Section, path: str, row: dict[str, Any]) -> Item:
        for name in sorted(set(row) - set(section.json_fields)):
            self.problems.add(f"{path}.{name}", "Unknown field.")
        model = section.model
        plain = [name for name in (*section.fields, *section.extra) if is_field(model, name)]
        values, given = plain_fields(model, plain, row, path, self.problems)
        item = Item(path, model(**values), given)
        clean(item.instance, plain, path, self.problems)
        self._key(section, row, item)
        for ref, target in section.refs.items():
            raw = row.get(ref)
            if raw is not None and not isinstance(raw, str):
                self.problems.add(f"{path}.{ref}", f"Give a key (text) or null, not {raw!r}.")
                raw = None
            # People are known by their e-mail address, whatever its case.
            item.refs[ref] = raw.lower() if raw is not None and target == PEOPLE else raw
        for name in section.many:
            raw = row.get(name, [])
            if not isinstance(raw, list) or not all(isinstance(key, str) for key in raw):
                self.problems.add(f"{path}.{name}", "Give a list of keys.")
                raw = []
            item.many[name] = raw
        self._extra(section, row, item)
        for child in section.children:
            child_rows = listed(row, child.name, self.problems, path)
            item.children[child.name] = self._rows(child, f"{path}.{child.name}", child_rows)
        return item

    def _key(self, section: Section, row: dict[str, Any], item: Item) -> None:
        if not section.key or section.parent:
            return
        field_name = section.key if section.natural else "key"
        key = row.get(field_name)
        if not isinstance(key, str) or not key.strip():
            self.problems.add(f"{item.path}.{field_name}", "Give this row's key (text).")
            return
        known = self.keys.setdefault(section.name, {})
        if key in known:
            self.problems.add(
                f"{item.path}.{field_name}",
                f"The key {key!r} is used twice in {section.name} (also at {known[key].path}).",
            )
            return
        item.key = key
        known[key] = item

    def _extra(self, section: Section, row: dict[str, Any], item: Item) -> None:
        if section.name == "pivots":
            item.extra["initiative_changes"] = self._initiative_changes(row, item.path)
        elif section.name == "activity":
            target = row.get("target")
            if target is not None and not isinstance(target, str):
                self.problems.add(f"{item.path}.target", "Give the target's key or null.")
                target = None
            item.extra["target"] = target
        elif section.name == "purpose_surveys":
            analysed = row.get("analysed", False)
            if not isinstance(analysed, bool):
                self.problems.add(f"{item.path}.analysed", "Give true or false.")
            item.extra["analysed"] = analysed is True

    def _initiative_changes(self, row: dict[str, Any], path: str) -> list[dict[str, Any]]:
        changes = row.get("initiative_changes", [])
        path = f"{path}.initiative_changes"
        if not isinstance(changes, list):
            self.problems.add(path, "Give a list of changes.")
            return []
        for index, change in enumerate(changes):
            if not is_object(change, f"{path}[{index}]", self.problems):
                continue
            key = change.get("initiative")
            if key is not None and not isinstance(key, str):
                self.problems.add(f"{path}[{index}].initiative", "Give an initiative's key.")
            for name in ("title", "change"):
                if not isinstance(change.get(name), str):
                    self.problems.add(f"{path}[{index}].{name}", "Give this as text.")
        return [c for c in changes if isinstance(c, dict)]

    # -- references ---------------------------------------------------------------------

    def _resolve(self) -> None:
        for section in SECTIONS:
            for item in self.plan.items[section.name]:
                self._resolve_item(section, item)

    def _resolve_item(self, section: Section, item: Item) -> None:
        model = section.model
        for ref, target in section.refs.items():
            key = item.refs[ref]
            if key is None:
                if not model._meta.get_field(ref).null:
                    self.problems.add(f"{item.path}.{ref}", "This reference is required.")
                continue
            self._check_ref(f"{item.path}.{ref}", target, key)
        for name, target in section.many.items():
            for index, key in enumerate(item.many[name]):
                self._check_ref(f"{item.path}.{name}[{index}]", target, key)
        if section.name == "pivots":
            for index, change in enumerate(item.extra["initiative_changes"]):
                if isinstance(change.get("initiative"), str):
                    path = f"{item.path}.initiative_changes[{index}].initiative"
                    self._check_ref(path, "initiatives", change["initiative"])
        if section.name == "activity" and item.extra["target"] is not None:
            target_list = ACTIVITY_TARGETS.get(item.instance.target_type)  # type: ignore[attr-defined]
            if target_list is None:
                self.problems.add(f"{item.path}.target", "This target type has no targets.")
            else:
                self._check_ref(f"{item.path}.target", target_list, item.extra["target"])
        for child in section.children:
            for child_item in item.children[child.name]:
                self._resolve_item(child, child_item)

    def _check_ref(self, path: str, target: str, key: str) -> None:
        if target == PEOPLE:
            if key.lower() not in self.emails:
                self.problems.add(path, f"Nobody with the e-mail {key} is listed in people.")
        elif key not in self.keys.get(target, {}):
            self.problems.add(path, f"No row of {target} has the key {key!r}.")


# --- the public functions ----------------------------------------------------------------


def parse(content: bytes | str | dict[str, Any]) -> tuple[Any, list[Problem]]:
    """The JSON document in `content` (bytes as uploaded, text, or already parsed)."""
    if isinstance(content, dict):
        return content, []
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            message = f"The file is not UTF-8 text (byte {error.start}); export it again."
            return None, [Problem(0, "", message)]
    try:
        return json.loads(content), []
    except json.JSONDecodeError as error:
        message = (
            f"The file is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}."
        )
        return None, [Problem(0, "", message)]


def read(content: bytes | str | dict[str, Any]) -> tuple[Plan, list[Problem]]:
    """The document read into a plan, with every problem found (capped at MAX_PROBLEMS)."""
    document, problems = parse(content)
    if problems:
        return Plan(), problems
    reader = Reader()
    plan = reader.read(document)
    return plan, _capped(reader.problems)


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return list(problems)
    more = len(problems) - MAX_PROBLEMS
    kept = list(problems[:MAX_PROBLEMS])
    kept.append(Problem(0, "", f"…and {more} more problems; fix these and check again."))
    return kept


def validate(
    content: bytes | str | dict[str, Any], organisation: Organisation | None = None
) -> list[Problem]:
    """Every problem of the document (empty: it can be imported); with `organisation`,
    also whether that organisation is empty enough to take it."""
    _, problems = read(content)
    if organisation is not None:
        problems += emptiness_problems(organisation)
    return problems


def summary(content: bytes | str | dict[str, Any]) -> dict[str, int]:
    """How many rows of each list the document holds (for a preview)."""
    plan, _ = read(content)
    return plan.counts()


def emptiness_problems(organisation: Organisation) -> list[Problem]:
    """Why the organisation cannot take an import: what it already holds besides its
    members (and their invitations, tokens, webhooks). Empty: it can."""
    from .json_write import organisation_contents

    held = organisation_contents(organisation)
    if not held:
        return []
    listed = ", ".join(
        f"{count:,} {name[:-1] if count == 1 else name}" for name, count in held.items()
    )
    return [
        Problem(
            0,
            "",
            f"{organisation.name} already holds {listed}: an organisation export goes "
            "into a new, empty organisation. Create one and import there.",
        )
    ]


def write(
    organisation: Organisation, content: bytes | str | dict[str, Any], member: Membership
) -> dict[str, int]:
    """Import the document into the (empty) organisation as `member` (an owner or admin
    of it), in one transaction; returns how many rows of each list were written.
    Raises ImportRefused with every problem, and writes nothing, when it cannot."""
    from .json_write import plan_write

    plan, problems = read(content)
    if problems:
        raise ImportRefused(problems)
    return plan_write(organisation, plan, member)


def validate_job(job: Any) -> Any:
    """The import pipeline's check of a job of format "json" (see json_jobs)."""
    from .json_jobs import validate_job as run

    return run(job)


def write_job(job: Any) -> Any:
    """The import pipeline's write of a confirmed job of format "json" (see json_jobs)."""
    from .json_jobs import write_job as run

    return run(job)


__all__ = [
    "ImportRefused",
    "Plan",
    "emptiness_problems",
    "parse",
    "read",
    "summary",
    "validate",
    "validate_job",
    "write",
    "write_job",
]
