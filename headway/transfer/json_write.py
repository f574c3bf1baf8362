"""Writing a checked organisation document (`json_import.Plan`) into an empty
organisation: the import's one write path, called by `json_import.write`.

Everything happens in one transaction, list by list in `json_format.SECTIONS` order
with bulk inserts in file order (so the new rows keep the file's order, and an export
of the result gives the same keys). References become the new rows' ids as their lists
are written; a list's references to itself (team and cycle parents, carried-over
objectives) are set once the whole list exists. Timestamps that Django would stamp
with "now" on insert (`created_at`, `updated_at`) are set back to the file's. Stored
progress is then recomputed from the check-ins, as `headway recompute` does.

This module saves goals, discovery and rollout models itself, which services do
elsewhere: an import is one action over every app at once, made of rows that were
valid where they were written, and the per-row services (which record activity, check
permissions row by row and roll up after each write) would make a move of a large
organisation take minutes. What those services guarantee is checked up front by
`json_import` and `json_checks`, and by `recompute_all` at the end.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.functions import Lower

from headway.accounts.models import Membership, Organisation, User
from headway.accounts.services import require_admin
from headway.discovery.models import PurposeSurvey
from headway.discovery.services_analysis import survey_analysis_queue
from headway.goals.services import recompute_all
from headway.lib.secrets import new_token
from headway.notify.models import NotificationPreference

from .json_format import ACTIVITY_TARGETS, LABELS, PEOPLE, SECTIONS, Section
from .json_import import ImportRefused, Item, Plan, emptiness_problems

BATCH = 1000
LOOKUP_BATCH = 500  # e-mail addresses per query (SQLite caps query parameters)


def organisation_contents(organisation: Organisation) -> dict[str, int]:
    """How many rows of each list the file carries the organisation already holds
    (lists it holds none of are left out); members are not counted."""
    held = {}
    for section in SECTIONS:
        count = section.model._default_manager.filter(organisation=organisation).count()
        if count:
            held[LABELS[section.name]] = count
    return held


def plan_write(organisation: Organisation, plan: Plan, member: Membership) -> dict[str, int]:
    """Write the plan into the organisation as `member` (an owner or admin of it)."""
    if member.organisation_id != organisation.pk:
        raise PermissionDenied("Import into an organisation you are an owner or admin of.")
    require_admin(member, "import an organisation")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        problems = emptiness_problems(locked)
        if problems:
            raise ImportRefused(problems)
        writer = _Writer(locked, plan)
        counts = writer.run()
        recompute_all(organisation_id=locked.pk, write=True)
        for survey in PurposeSurvey.objects.filter(pk__in=writer.analysed):
            survey_analysis_queue(survey)  # the analysis holds ids: made again here
    organisation.refresh_from_db()  # the caller's copy shows the imported settings
    return counts


class _Writer:
    def __init__(self, organisation: Organisation, plan: Plan) -> None:
        self.organisation = organisation
        self.plan = plan
        self.pks: dict[str, dict[str, int]] = defaultdict(dict)  # list → key → new id
        self.counts: dict[str, int] = {}
        self.analysed: list[int] = []

    def run(self) -> dict[str, int]:
        self._settings()
        self._people()
        for section in SECTIONS:
            self._create(
                section, section.name, [(item, None) for item in self.plan.items[section.name]]
            )
        return self.counts

    def _settings(self) -> None:
        for name, value in self.plan.settings.items():
            setattr(self.organisation, name, value)
        if self.plan.settings:
            self.organisation.save(update_fields=list(self.plan.settings))

    # -- people -----------------------------------------------------------------------------

    def _people(self) -> None:
        people = self.plan.people
        found = self._existing_users([person.email.lower() for person in people])
        new = []
        for person in people:
            if person.email.lower() not in found:
                user = User(email=person.email, name=person.name)
                user.set_unusable_password()  # they choose one with "Forgot your password?"
                new.append(user)
        for user in User.objects.bulk_create(new, batch_size=BATCH):
            found[user.email.lower()] = user.pk
        self.pks[PEOPLE] = found
        self.counts[PEOPLE] = len(people)
        self.counts["accounts_created"] = len(new)
        self._memberships()

    def _existing_users(self, emails: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(emails), LOOKUP_BATCH):
            batch = emails[start : start + LOOKUP_BATCH]
            rows = (
                User.objects.annotate(lowered=Lower("email"))
                .filter(lowered__in=batch)
                .values_list("lowered", "pk")
            )
            found.update(rows)
        return found

    def _memberships(self) -> None:
        existing = dict(
            Membership.objects.filter(organisation=self.organisation).values_list("user_id", "pk")
        )
        self._titles(existing)
        with_preference = set(
            NotificationPreference.objects.filter(
                membership__organisation=self.organisation
            ).values_list("membership_id", flat=True)
        )
        new = [
            Membership(
                organisation=self.organisation,
                user_id=self.pks[PEOPLE][person.email.lower()],
                role=person.role,
                title=person.title,
            )
            for person in self.plan.people
            if person.role is not None and self.pks[PEOPLE][person.email.lower()] not in existing
        ]
        for membership in Membership.objects.bulk_create(new, batch_size=BATCH):
            existing[membership.user_id] = membership.pk
        preferences = []
        for person in self.plan.people:
            membership_id = existing.get(self.pks[PEOPLE][person.email.lower()])
            if person.notifications is None or membership_id is None:
                continue
            if membership_id not in with_preference:
                person.notifications.membership_id = membership_id
                preferences.append(person.notifications)
        NotificationPreference.objects.bulk_create(preferences, batch_size=BATCH)
        self.counts["memberships_created"] = len(new)

    def _titles(self, existing: dict[int, int]) -> None:
        """Members already here keep their role, and take the file's job title when
        they have none."""
        titles = {
            self.pks[PEOPLE][person.email.lower()]: person.title
            for person in self.plan.people
            if person.title
        }
        untitled = [
            membership
            for membership in Membership.objects.filter(organisation=self.organisation, title="")
            if membership.user_id in titles
        ]
        for membership in untitled:
            membership.title = titles[membership.user_id]
        Membership.objects.bulk_update(untitled, ["title"])

    # -- the lists ----------------------------------------------------------------------------

    def _pk(self, target: str, key: str) -> int | None:
        return self.pks[target].get(key)

    def _create(self, section: Section, path: str, rows: list[tuple[Item, int | None]]) -> None:
        """Insert the rows of a list (a nested list: of every parent at once), then
        what hangs from them."""
        model = section.model
        owned = any(f.name == "organisation" for f in model._meta.concrete_fields)
        stamped = _stamped_fields(section)
        kept: list[dict[str, Any]] = []
        later: list[tuple[Item, str, str]] = []
        for item, parent_pk in rows:
            instance = item.instance
            if owned:
                instance.organisation_id = self.organisation.pk  # type: ignore[attr-defined]
            if section.parent:
                setattr(instance, _attname(model, section.parent), parent_pk)
            for ref, target in section.refs.items():
                key = item.refs[ref]
                if key is None:
                    continue
                pk = self._pk(target, key)
                if pk is None:
                    later.append((item, ref, target))
                setattr(instance, _attname(model, ref), pk)
            self._extra(section, item)
            kept.append({name: getattr(instance, name) for name in stamped if name in item.given})
        instances = [item.instance for item, _ in rows]
        model._default_manager.bulk_create(instances, batch_size=BATCH)
        self.counts[path] = len(instances)
        if section.key and not section.parent:
            self.pks[section.name].update({str(item.key): item.instance.pk for item, _ in rows})
        self._restamp(model, instances, kept, stamped)
        self._self_references(model, later)
        for name, target in section.many.items():
            self._many(model, name, target, [item for item, _ in rows])
        if section.name == "purpose_surveys":
            self.analysed += [item.instance.pk for item, _ in rows if item.extra["analysed"]]
        for child in section.children:
            child_rows = [
                (child_item, item.instance.pk)
                for item, _ in rows
                for child_item in item.children[child.name]
            ]
            self._create(child, f"{path}.{child.name}", child_rows)

    def _extra(self, section: Section, item: Item) -> None:
        instance: Any = item.instance
        if section.name == "pivots":
            instance.initiative_changes = [
                {
                    "id": self._pk("initiatives", change["initiative"])
                    if change.get("initiative")
                    else None,
                    **{k: v for k, v in change.items() if k != "initiative"},
                }
                for change in item.extra["initiative_changes"]
            ]
        elif section.name == "activity":
            target = ACTIVITY_TARGETS.get(instance.target_type)
            key = item.extra["target"]
            # 0: the target was deleted before the export (the feed keeps its label).
            instance.target_id = (self._pk(target, key) if target and key else None) or 0
        elif section.name == "purpose_surveys":
            instance.token = new_token("survey")

    def _restamp(
        self,
        model: type[models.Model],
        instances: list[models.Model],
        kept: list[dict[str, Any]],
        stamped: list[str],
    ) -> None:
        """Put back the file's times where Django stamped "now" on insert."""
        if not stamped:
            return
        for instance, values in zip(instances, kept, strict=True):
            for name, value in values.items():
                setattr(instance, name, value)
        model._default_manager.bulk_update(instances, stamped, batch_size=BATCH)

    def _self_references(
        self, model: type[models.Model], later: list[tuple[Item, str, str]]
    ) -> None:
        """References to rows of the same list, set now that the list is written."""
        fields: set[str] = set()
        changed = []
        for item, ref, target in later:
            setattr(item.instance, _attname(model, ref), self._pk(target, str(item.refs[ref])))
            fields.add(ref)
            changed.append(item.instance)
        if changed:
            model._default_manager.bulk_update(changed, sorted(fields), batch_size=BATCH)

    def _many(self, model: type[models.Model], name: str, target: str, items: list[Item]) -> None:
        relation: Any = model._meta.get_field(name)
        through = relation.remote_field.through
        source, other = relation.m2m_field_name() + "_id", relation.m2m_reverse_field_name() + "_id"
        links = [
            through(**{source: item.instance.pk, other: self._pk(target, key)})
            for item in items
            for key in item.many[name]
        ]
        through._default_manager.bulk_create(links, batch_size=BATCH)


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def _stamped_fields(section: Section) -> list[str]:
    """The list's fields Django sets to "now" on insert (auto_now, auto_now_add)."""
    return [
        name
        for name in section.fields
        if getattr(section.model._meta.get_field(name), "auto_now", False)
        or getattr(section.model._meta.get_field(name), "auto_now_add", False)
    ]
