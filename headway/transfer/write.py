"""Writing a checked file: everything in one transaction, or nothing.

Rows go in with `bulk_create` in batches (objectives, key results, alignment links,
check-ins, activity), as bench/generate.py does, so 50,000 rows take seconds and
memory stays bounded: only the new rows' ids are kept between batches, never their
model objects. Stored values are computed before the insert from the file itself: each
key result's current value, confidence and progress from its latest check-in, each
objective's progress from its key results and contributing children, children first.
Everything an import creates hangs below its own objectives, so nothing that existed
changes, and `headway recompute --verify` finds no difference.

What the services record for the same rows is recorded here too: an activity event per
objective and key result created, per link ("aligned") and per check-in ("checked in",
at the check-in's time), and the `objective.created` webhook event. Two things differ
on purpose: check-ins from a file are history, so no `checkin.created` webhook goes out
for each of them, and flags are refreshed once for the whole organisation after the
commit instead of once per check-in.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from headway.accounts.models import User
from headway.goals import scoring
from headway.goals.models import (
    ActivityEvent,
    AlignmentLink,
    CheckIn,
    KeyResult,
    LinkKind,
    Objective,
)
from headway.insights.services import flags_refresh_organisation_on_commit
from headway.notify.webhook_events import OBJECTIVE_CREATED, webhooks_on_commit

from .directory import Directory
from .rows import CheckInRow, KeyResultRow, ObjectiveRow, Parsed, ref_key
from .validate import Checked

BATCH = 2_000
CURRENCIES = set("€$£¥₹₩₽₺₪")
CURRENT_NOTE = "Imported current value"
CREATED_SHOWN = 20  # objectives and teams the result page links to


@dataclass(frozen=True)
class Measured:
    """A key result's stored values, from its latest check-in."""

    value: float | None
    confidence: int | None
    at: dt.datetime | None
    progress: float | None
    raw: float | None


def import_write(
    parsed: Parsed, checked: Checked, directory: Directory, actor: User | None
) -> dict[str, Any]:
    """Write a file that passed `import_check`; returns what was created."""
    assert checked.ok, "only a checked file without problems is written"
    return _Writer(parsed, checked, directory, actor).write()


class _Writer:
    def __init__(
        self, parsed: Parsed, checked: Checked, directory: Directory, actor: User | None
    ) -> None:
        self.parsed, self.checked, self.directory, self.actor = parsed, checked, directory, actor
        self.org = directory.organisation_id
        self.zone = zoneinfo.ZoneInfo(directory.timezone)
        self.now = timezone.now()
        self.today = self.now.astimezone(self.zone).date()
        self.checkins_of = self._checkins_by_key_result()
        self.measured = [self._measure(i, kr) for i, kr in enumerate(parsed.key_results)]
        self.objective_pk: list[int] = []
        self.key_result_pk: list[int] = []

    def write(self) -> dict[str, Any]:
        with transaction.atomic():
            self._objectives()
            self._key_results()
            links = self._links()
            checkins = self._checkins()
            webhooks_on_commit(self.org, OBJECTIVE_CREATED, self.objective_pk)
            flags_refresh_organisation_on_commit(self.org)
        return self._created(links, checkins)

    # --- what is computed before writing ----------------------------------------------

    def _checkins_by_key_result(self) -> dict[int, list[int]]:
        """Check-in indexes per key result index, oldest first (file order within a day)."""
        by_kr: dict[int, list[int]] = defaultdict(list)
        for index, row in enumerate(self.parsed.checkins):
            by_kr[self.checked.key_result_at[ref_key(row.key_result_ref)]].append(index)
        for indexes in by_kr.values():
            indexes.sort(key=lambda i: (self.parsed.checkins[i].on, i))
        return by_kr

    def checkin_at(self, on: dt.date) -> dt.datetime:
        """A check-in of a day is stored at noon there, and never later than now."""
        return min(dt.datetime.combine(on, dt.time(12), tzinfo=self.zone), self.now)

    def current_day(self, kr: KeyResultRow) -> dt.date:
        """The day of the check-in a key result's `current` makes: today, or the end
        of its objective's cycle when that is over."""
        objective = self.parsed.objectives[self.checked.objective_at[ref_key(kr.objective_ref)]]
        cycle = self.directory.cycle(objective.cycle)
        return min(self.today, cycle.end) if cycle else self.today

    def _measure(self, index: int, kr: KeyResultRow) -> Measured:
        kind, direction, start, target = _scale(kr)
        checkins = self.checkins_of.get(index)
        if checkins:
            last = self.parsed.checkins[checkins[-1]]
            value, confidence, at = last.value, self._confidence(last), self.checkin_at(last.on)
        elif kr.current is not None:
            value, at = kr.current, self.checkin_at(self.current_day(kr))
            confidence = (
                kr.confidence if kr.confidence is not None else self.checked.default_confidence
            )
        else:
            value, confidence, at = None, None, None
        progress = scoring.key_result_progress(
            scoring.Measure(
                kind=scoring.KeyResultKind(kind),
                start=start,
                target=target,
                current=value,
                direction=scoring.MaintainDirection(direction),
            )
        )
        return Measured(value, confidence, at, progress.value, progress.raw)

    def _confidence(self, row: CheckInRow) -> int:
        return row.confidence if row.confidence is not None else self.checked.default_confidence

    def _objective_progress(self) -> list[float | None]:
        """Each objective's progress, children before parents, as the roll-up does."""
        objectives = self.parsed.objectives
        items: list[list[tuple[float, float | None]]] = [[] for _ in objectives]
        for kr, measured in zip(self.parsed.key_results, self.measured, strict=True):
            if (kr.status or "active") == "active":
                items[self.checked.objective_at[ref_key(kr.objective_ref)]].append(
                    (kr.weight or 1.0, measured.progress)
                )
        children: dict[int, list[int]] = defaultdict(list)
        waiting = [0] * len(objectives)
        for index, row in enumerate(objectives):
            parent = self._parent_objective(row)
            if parent is not None and (row.link or "contributes") == LinkKind.CONTRIBUTES:
                children[parent].append(index)
                waiting[parent] += 1
        progress: list[float | None] = [None] * len(objectives)
        ready = deque(i for i in range(len(objectives)) if waiting[i] == 0)
        parent_of = {child: parent for parent, kids in children.items() for child in kids}
        count_children = self.directory.count_child_progress
        while ready:
            index = ready.popleft()
            kids = [
                (1.0, progress[child])
                for child in children[index]
                if objectives[child].status != "draft"
            ]
            progress[index] = scoring.objective_progress(items[index], kids, count_children)
            parent = parent_of.get(index)
            if parent is not None:
                waiting[parent] -= 1
                if waiting[parent] == 0:
                    ready.append(parent)
        return progress

    def _parent_objective(self, row: ObjectiveRow) -> int | None:
        if not row.parent_ref:
            return None
        key = ref_key(row.parent_ref)
        if key in self.checked.objective_at:
            return self.checked.objective_at[key]
        kr = self.parsed.key_results[self.checked.key_result_at[key]]
        return self.checked.objective_at[ref_key(kr.objective_ref)]

    # --- inserts ----------------------------------------------------------------------

    def _objectives(self) -> None:
        progress = self._objective_progress()

        def build(index: int, row: ObjectiveRow) -> Objective:
            cycle = self.directory.cycle(row.cycle)
            assert cycle is not None
            team = self.checked.teams[row.team].id if row.team else None
            return Objective(
                organisation_id=self.org,
                cycle_id=cycle.id,
                owner_team_id=team,
                owner_user_id=None if team else self.checked.people[row.owner].id,
                title=row.title,
                description=row.description,
                status=row.status or "active",
                visibility=row.visibility or "public",
                progress=progress[index],
                created_by=self.actor,
            )

        for batch in _batches(enumerate(self.parsed.objectives)):
            created = Objective.objects.bulk_create([build(i, row) for i, row in batch])
            self.objective_pk.extend(o.pk for o in created)
            self._activity(self._event("created", o, o.pk, o.owner_team_id) for o in created)
        self.index_of = {pk: i for i, pk in enumerate(self.objective_pk)}

    def _key_results(self) -> None:
        order: dict[int, int] = defaultdict(int)

        def build(index: int, kr: KeyResultRow) -> KeyResult:
            objective_index = self.checked.objective_at[ref_key(kr.objective_ref)]
            kind, direction, start, target = _scale(kr)
            measured = self.measured[index]
            position = order[objective_index]
            order[objective_index] += 1
            return KeyResult(
                organisation_id=self.org,
                objective_id=self.objective_pk[objective_index],
                title=kr.title,
                kind=kind,
                format=_format(kr.unit),
                unit=kr.unit,
                start_value=start,
                target_value=target,
                direction=direction,
                weight=kr.weight or 1.0,
                owner_id=self._key_result_owner(kr, objective_index),
                status=kr.status or "active",
                order=position,
                current_value=measured.value,
                progress=measured.progress,
                progress_raw=measured.raw,
                confidence=measured.confidence,
                last_checkin_at=measured.at,
            )

        for batch in _batches(enumerate(self.parsed.key_results)):
            created = KeyResult.objects.bulk_create([build(i, kr) for i, kr in batch])
            self.key_result_pk.extend(kr.pk for kr in created)
            self._activity(
                self._event("created", kr, kr.objective_id, self._team_of(kr.objective_id))
                for kr in created
            )

    def _key_result_owner(self, kr: KeyResultRow, objective_index: int) -> int | None:
        if kr.owner:
            return self.checked.people[kr.owner].id
        objective = self.parsed.objectives[objective_index]
        # A team objective's owner (which the objective itself cannot hold) owns its
        # key results that name nobody.
        if objective.team and objective.owner:
            return self.checked.people[objective.owner].id
        return None

    def _links(self) -> int:
        links: list[AlignmentLink] = []
        labels: list[str] = []
        for index, row in enumerate(self.parsed.objectives):
            kind = row.link or LinkKind.CONTRIBUTES
            child = self.objective_pk[index]
            if row.theme:
                theme = self.checked.themes[row.theme]
                links.append(self._link(child, kind, parent_theme_id=theme.id))
                labels.append(theme.label)
            if row.parent_ref:
                key = ref_key(row.parent_ref)
                if key in self.checked.objective_at:
                    above = self.checked.objective_at[key]
                    links.append(
                        self._link(child, kind, parent_objective_id=self.objective_pk[above])
                    )
                    labels.append(self._label(self.parsed.objectives[above]))
                else:
                    kr_index = self.checked.key_result_at[key]
                    kr = self.parsed.key_results[kr_index]
                    links.append(
                        self._link(child, kind, parent_key_result_id=self.key_result_pk[kr_index])
                    )
                    above = self.checked.objective_at[ref_key(kr.objective_ref)]
                    labels.append(self._label(self.parsed.objectives[above], kr.title))
        for batch in _batches(links):
            AlignmentLink.objects.bulk_create(batch)
        self._activity(
            ActivityEvent(
                organisation_id=self.org,
                actor=self.actor,
                verb="aligned",
                target_type="objective",
                target_id=link.child_id,
                target_label=self.parsed.objectives[self.index_of[link.child_id]].title[:200],
                objective_id=link.child_id,
                team_id=self._team_of(link.child_id),
                created_at=self.now,
                changes={"parent": [None, label], "kind": [None, link.kind]},
            )
            for link, label in zip(links, labels, strict=True)
        )
        return len(links)

    @staticmethod
    def _label(objective: ObjectiveRow, key_result_title: str = "") -> str:
        """How the feed names a parent; a private one's title stays out (as in links.py)."""
        if objective.visibility == "private":
            return "a private objective"
        return key_result_title or objective.title

    def _link(self, child: int, kind: str, **parent: int | None) -> AlignmentLink:
        return AlignmentLink(
            organisation_id=self.org, child_id=child, kind=kind, weight=1.0, **parent
        )

    def _team_of(self, objective_pk: int) -> int | None:
        row = self.parsed.objectives[self.index_of[objective_pk]]
        return self.checked.teams[row.team].id if row.team else None

    def _event(
        self, verb: str, target: Objective | KeyResult, objective_id: int, team_id: int | None
    ) -> ActivityEvent:
        """The event the services record for the same action (activity.py)."""
        return ActivityEvent(
            organisation_id=self.org,
            actor=self.actor,
            verb=verb,
            target_type=target._meta.model_name or "",
            target_id=target.pk,
            target_label=str(target)[:200],
            objective_id=objective_id,
            team_id=team_id,
            created_at=self.now,
            changes={},
        )

    def _checkins(self) -> int:
        """Check-ins in batches, each with its "checked in" event; a key result's
        `current` without check-in rows becomes one check-in."""
        count = 0
        for batch in _batches(self._checkin_rows()):
            CheckIn.objects.bulk_create([checkin for checkin, _, _ in batch])
            self._activity(
                ActivityEvent(
                    organisation_id=self.org,
                    actor=self.actor,
                    verb="checked in",
                    target_type="keyresult",
                    target_id=checkin.key_result_id,
                    target_label=title[:200],
                    objective_id=objective_id,
                    team_id=self._team_of(objective_id),
                    created_at=checkin.created_at,
                    changes={"value": list(before), "confidence": [None, checkin.confidence]},
                )
                for checkin, (title, objective_id), before in batch
            )
            count += len(batch)
        return count

    def _checkin_rows(
        self,
    ) -> Iterator[tuple[CheckIn, tuple[str, int], tuple[float | None, float]]]:
        for kr_index, kr in enumerate(self.parsed.key_results):
            objective_id = self.objective_pk[self.checked.objective_at[ref_key(kr.objective_ref)]]
            about = (kr.title, objective_id)
            before: float | None = None
            rows = self.checkins_of.get(kr_index)
            if rows:
                for index in rows:
                    row = self.parsed.checkins[index]
                    checkin = self._checkin(
                        kr_index,
                        row.value,
                        self._confidence(row),
                        row.note,
                        self.checkin_at(row.on),
                    )
                    yield checkin, about, (before, row.value)
                    before = row.value
            elif kr.current is not None:
                measured = self.measured[kr_index]
                assert measured.confidence is not None and measured.at is not None
                checkin = self._checkin(
                    kr_index, kr.current, measured.confidence, CURRENT_NOTE, measured.at
                )
                yield checkin, about, (None, kr.current)

    def _checkin(
        self, kr_index: int, value: float, confidence: int, note: str, at: dt.datetime
    ) -> CheckIn:
        return CheckIn(
            organisation_id=self.org,
            key_result_id=self.key_result_pk[kr_index],
            author=self.actor,
            value=value,
            confidence=confidence,
            note=note,
            created_at=at,
        )

    def _activity(self, events: Any) -> None:
        for batch in _batches(events):
            ActivityEvent.objects.bulk_create(batch)

    # --- the result -------------------------------------------------------------------

    def _created(self, links: int, checkins: int) -> dict[str, Any]:
        shown = [
            {"id": pk, "title": row.title}
            for pk, row in zip(
                self.objective_pk[:CREATED_SHOWN], self.parsed.objectives, strict=False
            )
        ]
        teams: dict[int, str] = {}
        for row in self.parsed.objectives:
            found = self.checked.teams.get(row.team) if row.team else None
            if found and found.id is not None and len(teams) < CREATED_SHOWN:
                teams.setdefault(found.id, found.label)
        return {
            "objectives": len(self.objective_pk),
            "key_results": len(self.key_result_pk),
            "links": links,
            "checkins": checkins,
            "shown": shown,
            "teams": [{"id": pk, "path": path} for pk, path in teams.items()],
        }


def _scale(kr: KeyResultRow) -> tuple[str, str, float | None, float | None]:
    """(kind, direction, start, target) as stored."""
    if kr.kind == "milestone":
        return "milestone", "above", 0.0, 1.0
    if kr.kind.startswith("maintain"):
        return "maintain", "below" if kr.kind == "maintain_below" else "above", kr.start, kr.target
    return kr.kind, "above", kr.start, kr.target


def _format(unit: str) -> str:
    if unit == "%":
        return KeyResult.Format.PERCENT
    if unit in CURRENCIES or (len(unit) == 3 and unit.isupper() and unit.isalpha()):
        return KeyResult.Format.CURRENCY
    return KeyResult.Format.NUMBER


def _batches(items: Any, size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
