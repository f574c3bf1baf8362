"""The names an import is checked against: one organisation's people, teams, cycles,
themes, read in a fixed number of queries whatever the size of the file, and looked up
in memory. Teams are found by name, by path ("Operations / Hubs", the last names of
the path from the root) or by slug; people by e-mail or, failing that, by full name."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from headway.accounts.models import Membership, Organisation
from headway.goals.models import Cycle, Objective, Theme
from headway.teams.models import Team

PATH_SEPARATORS = re.compile(r"\s*(?:/|›|>|\\)\s*")


@dataclass(frozen=True)
class CycleInfo:
    id: int
    name: str
    start: dt.date
    end: dt.date
    closed: bool

    def encloses(self, other: CycleInfo) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Found:
    """A lookup's answer: the id, or why there is none (`candidates` when ambiguous)."""

    id: int | None
    label: str = ""
    candidates: tuple[str, ...] = ()


@dataclass
class Directory:
    """What the validator and the writer need to know of the organisation."""

    organisation_id: int
    timezone: str
    confidence_scale: int
    count_child_progress: bool
    people: dict[str, tuple[int, str]] = field(default_factory=dict)  # e-mail → (id, name)
    people_by_name: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    team_paths: dict[int, list[str]] = field(default_factory=dict)  # id → names from the root
    team_slugs: dict[str, int] = field(default_factory=dict)
    cycles: dict[str, CycleInfo] = field(default_factory=dict)  # lower-case name → cycle
    themes: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # title → (id, label)
    existing: set[tuple[str, int]] = field(default_factory=set)  # (title, cycle id)

    def person(self, written: str) -> Found:
        key = written.strip().lower()
        if key in self.people:
            user_id, name = self.people[key]
            return Found(user_id, name)
        matches = self.people_by_name.get(" ".join(key.split()), [])
        if len(matches) == 1:
            return Found(matches[0][0], matches[0][1])
        return Found(None, candidates=tuple(sorted(email for _, email in matches)))

    def team(self, written: str) -> Found:
        wanted = [part.lower() for part in PATH_SEPARATORS.split(written.strip()) if part]
        if not wanted:
            return Found(None)
        matches = [
            pk
            for pk, path in self.team_paths.items()
            if [name.lower() for name in path[-len(wanted) :]] == wanted
        ]
        if not matches and len(wanted) == 1 and wanted[0] in self.team_slugs:
            matches = [self.team_slugs[wanted[0]]]
        if len(matches) == 1:
            return Found(matches[0], self.path_of(matches[0]))
        return Found(None, candidates=tuple(sorted(self.path_of(pk) for pk in matches)))

    def path_of(self, team_id: int) -> str:
        return " / ".join(self.team_paths.get(team_id, []))

    def cycle(self, written: str) -> CycleInfo | None:
        return self.cycles.get(" ".join(written.lower().split()))

    def theme(self, written: str) -> Found:
        matches = self.themes.get(" ".join(written.lower().split()), [])
        if len(matches) == 1:
            return Found(matches[0][0], matches[0][1])
        return Found(None, candidates=tuple(label for _, label in matches))


def directory_load(organisation: Organisation) -> Directory:
    """Read the organisation's names: five queries, whatever the size of the file."""
    directory = Directory(
        organisation_id=organisation.pk,
        timezone=organisation.timezone,
        confidence_scale=organisation.confidence_scale,
        count_child_progress=organisation.count_child_progress,
    )
    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    members = Membership.objects.filter(organisation=organisation).values_list(
        "user_id", "user__email", "user__name"
    )
    for user_id, email, name in members:
        directory.people[email.lower()] = (user_id, name or email)
        if name:
            by_name[" ".join(name.lower().split())].append((user_id, email))
    directory.people_by_name = dict(by_name)
    _load_teams(directory, organisation)
    for cycle in Cycle.objects.filter(organisation=organisation).values(
        "pk", "name", "start_date", "end_date", "status"
    ):
        directory.cycles[" ".join(cycle["name"].lower().split())] = CycleInfo(
            cycle["pk"],
            cycle["name"],
            cycle["start_date"],
            cycle["end_date"],
            cycle["status"] == "closed",
        )
    themes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, title, team_name in Theme.objects.filter(
        organisation=organisation, archived_at__isnull=True
    ).values_list("pk", "title", "team__name"):
        label = f"{title} ({team_name})" if team_name else title
        themes[" ".join(title.lower().split())].append((pk, label))
    directory.themes = dict(themes)
    return directory


def _load_teams(directory: Directory, organisation: Organisation) -> None:
    rows = {
        pk: (name, parent, slug)
        for pk, name, parent, slug in Team.objects.filter(organisation=organisation).values_list(
            "pk", "name", "parent_id", "slug"
        )
    }
    for pk in rows:
        path, node, seen = [], pk, set()
        while node is not None and node not in seen:
            seen.add(node)
            name, parent, _ = rows[node]
            path.append(name)
            node = parent
        directory.team_paths[pk] = path[::-1]
        directory.team_slugs[rows[pk][2].lower()] = pk


def existing_titles(directory: Directory, cycle_ids: set[int]) -> None:
    """Objectives already in these cycles, by title: importing a file twice would
    duplicate them, which the preview warns about (one query)."""
    directory.existing = {
        (" ".join(title.lower().split()), cycle_id)
        for title, cycle_id in Objective.objects.filter(
            organisation_id=directory.organisation_id, cycle_id__in=cycle_ids
        ).values_list("title", "cycle_id")
    }
