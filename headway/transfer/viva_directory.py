"""The organisation's side of a Viva Goals import: owners by name, the top team, cycle
names written another way. Pure (no Django) but for `directory_of`.

Viva exports show owners by display name, put organisation-level OKRs on the
organisation rather than a team, and name time periods as their admins chose. Headway
knows people by e-mail (or exact full name) and cycles by their exact name, so a
`VivaDirectory` of the organisation turns each into what the validator expects when
that is certain; what is not (a name nobody has, or two members have) is left for the
validator to report at its row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .rows import Parsed, Problem
from .viva_columns import words

if TYPE_CHECKING:  # the validator's directory reads the database; this module does not
    from .directory import Directory


@dataclass(frozen=True)
class VivaDirectory:
    """What the reader needs to know of the organisation: its name, its members as
    (e-mail, full name), the names of its top-level teams, and its cycles' names."""

    organisation: str = ""
    people: tuple[tuple[str, str], ...] = ()
    top_teams: tuple[str, ...] = ()
    cycles: tuple[str, ...] = ()


def resolve(parsed: Parsed, directory: VivaDirectory, organisation_team: str, level: str) -> None:
    """Rewrite owners, organisation-level teams and cycle names in `parsed` in place;
    `organisation_team` is the reader's stand-in team, `level` the Type column's header.
    An owner or a cycle that matches nothing is left as written: the validator reports
    it at its row, as it does for every import."""
    people = _people(directory.people)
    cycles = {cycle_key(name): name for name in directory.cycles}
    for row in parsed.objectives:
        row.owner = _person(row.owner, people)
        row.cycle = cycles.get(cycle_key(row.cycle), row.cycle)
        if row.team == organisation_team:
            # On failure the team is left empty: the problem is reported here, once.
            row.team = _top_team(row.row, row.sheet, directory, level, parsed)
    for kr in parsed.key_results:
        kr.owner = _person(kr.owner, people)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _people(people: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for email, name in people:
        if name and name.strip():
            index.setdefault(_key(name), []).append(email)
    return index


def _person(owner: str, people: dict[str, list[str]]) -> str:
    """An e-mail address stays; a full name that is exactly one member's becomes their
    address, "Stone, Ava" (as some exports sort names) tried as "Ava Stone" too."""
    if not owner or "@" in owner:
        return owner
    found = people.get(_key(owner), [])
    if not found and owner.count(",") == 1:
        last, first = owner.split(",")
        found = people.get(_key(f"{first} {last}"), [])
    return found[0] if len(found) == 1 else owner


def _top_team(row: int, sheet: str, directory: VivaDirectory, column: str, parsed: Parsed) -> str:
    """The team of an organisation-level objective: the only top-level team, or the
    top-level team named like the organisation."""
    tops = list(directory.top_teams)
    named = [t for t in tops if _key(t) == _key(directory.organisation)]
    if len(tops) == 1:
        return tops[0]
    if len(named) == 1:
        return named[0]
    message = (
        "An organisation-level objective belongs to the organisation's top team, and there"
        " is none yet: create it under Teams first."
        if not tops
        else f"The organisation has several top teams ({', '.join(tops)}): write the team's"
        " name in Type instead of Organization."
    )
    parsed.problems.append(Problem(row, column, message, sheet))
    return ""


def cycle_key(name: str) -> str:
    """The same for "Q1 2025", "2025 Q1", "q1-2025" and "2025/Q1"."""
    return " ".join(sorted(words(name).split()))


def viva_directory(directory: Directory, organisation: str = "") -> VivaDirectory:
    """The Viva reader's view of the validator's `Directory` (no further query)."""
    return VivaDirectory(
        organisation=organisation,
        people=tuple((email, name) for email, (_, name) in directory.people.items()),
        top_teams=tuple(path[0] for path in directory.team_paths.values() if len(path) == 1),
        cycles=tuple(cycle.name for cycle in directory.cycles.values()),
    )
