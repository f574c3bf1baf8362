"""A fresh organisation and a large import file for it: the `import_50k` figure.

The organisation (people, a two-level team tree, a year and its running quarter,
themes) is written directly, like generate.py does; the file is the Headway template
as CSV, with a fixed seed: objectives of teams and people, three key results each of
every kind, alignment to themes and to earlier objectives or key results (so no loops),
and check-ins inside the quarter. 5,000 objectives make 50,000 rows: 5,000 + 15,000 key
results + 30,000 check-ins.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password

from headway.accounts.models import Membership, Organisation, Role, User
from headway.goals.models import Cycle, CycleKind, CycleStatus, Theme
from headway.teams.models import Team

from .generate import BENCH_PASSWORD

HEADERS = [
    "type", "ref", "title", "cycle", "team", "owner", "parent", "theme", "link",
    "objective", "kind", "start", "target", "unit", "key result", "date", "value",
    "confidence", "note",
]  # fmt: skip
WORDS = ("delivery", "onboarding", "search", "billing", "support", "pricing", "routing", "safety")


@dataclass(frozen=True)
class ImportSubject:
    organisation: Organisation
    owner: Membership
    emails: list[str]
    teams: list[str]  # paths, "Division 3 / Team 3.2"
    themes: list[str]
    quarter: Cycle
    year: Cycle


def import_organisation(slug: str, today: dt.date, people: int = 100) -> ImportSubject:
    """An organisation to import into, with nothing of its own yet but names."""
    Organisation.objects.filter(slug=slug).delete()
    organisation = Organisation.objects.create(name="Bench import", slug=slug)
    password = make_password(BENCH_PASSWORD)
    domain = f"{slug}.bench.invalid"
    User.objects.filter(email__endswith=f"@{domain}").delete()
    users = User.objects.bulk_create(
        User(email=f"person{n}@{domain}", name=f"Person {n}", password=password)
        for n in range(people)
    )
    memberships = Membership.objects.bulk_create(
        Membership(organisation=organisation, user=user, role=Role.OWNER if n == 0 else Role.MEMBER)
        for n, user in enumerate(users)
    )
    root = Team.objects.create(organisation=organisation, name="Bench import", slug="root")
    paths = []
    for d in range(6):
        division = Team.objects.create(
            organisation=organisation, name=f"Division {d}", slug=f"division-{d}", parent=root
        )
        paths.append(division.name)
        for t in range(4):
            Team.objects.create(
                organisation=organisation,
                name=f"Team {d}.{t}",
                slug=f"team-{d}-{t}",
                parent=division,
            )
            paths.append(f"{division.name} / Team {d}.{t}")
    year = Cycle.objects.create(
        organisation=organisation,
        name="Bench year",
        kind=CycleKind.ANNUAL,
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=165),
        status=CycleStatus.ACTIVE,
    )
    quarter = Cycle.objects.create(
        organisation=organisation,
        name="Bench quarter",
        parent=year,
        start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=30),
        status=CycleStatus.ACTIVE,
    )
    themes = [f"Theme {n}" for n in range(4)]
    Theme.objects.bulk_create(Theme(organisation=organisation, title=t) for t in themes)
    owner = Membership.objects.select_related("organisation", "user").get(pk=memberships[0].pk)
    return ImportSubject(
        organisation, owner, [u.email for u in users], paths, themes, quarter, year
    )


def import_csv(subject: ImportSubject, objectives: int = 5_000, seed: int = 11) -> bytes:
    """The template as CSV: `objectives` times (1 + 3 key results + 6 check-ins) rows."""
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    quarter = subject.quarter
    days = [quarter.start_date + dt.timedelta(days=7 * w) for w in (1, 3)]
    for n in range(objectives):
        row = dict.fromkeys(HEADERS, "")
        row.update(type="objective", ref=f"O{n}", title=f"Improve {rng.choice(WORDS)} {n}")
        top = n < len(subject.teams)
        row["cycle"] = subject.year.name if top else quarter.name
        if n % 10 == 9:
            row["owner"] = rng.choice(subject.emails)
        else:
            row["team"] = subject.teams[n % len(subject.teams)]
        if top:
            row["theme"] = subject.themes[n % len(subject.themes)]
        else:
            parent = rng.randrange(min(n, len(subject.teams)))  # up only: no loops
            row["parent"] = f"K{parent}.{rng.randrange(3)}" if n % 3 else f"O{parent}"
            row["link"] = "supports" if n % 7 == 0 else "contributes"
        writer.writerow(row.values())
        for k in range(3):
            _key_result(writer, rng, n, k, days)
    return out.getvalue().encode("utf-8")


def _key_result(writer: Any, rng: random.Random, n: int, k: int, days: list[dt.date]) -> None:
    kind = ("increase", "decrease", "milestone", "maintain above")[(n + k) % 4]
    start, target = {
        "increase": (10, 90),
        "decrease": (80, 20),
        "milestone": ("", ""),
        "maintain above": ("", 50),
    }[kind]
    row = dict.fromkeys(HEADERS, "")
    row.update(
        type="key result",
        ref=f"K{n}.{k}",
        objective=f"O{n}",
        title=f"Measure {k} of objective {n}",
        kind=kind,
        start=start,
        target=target,
        unit="%" if kind == "increase" else "",
    )
    writer.writerow(row.values())
    for day in days:
        value: object = (
            rng.choice(("done", "not done")) if kind == "milestone" else rng.randint(0, 100)
        )
        checkin = dict.fromkeys(HEADERS, "")
        checkin.update(
            {
                "type": "check-in",
                "key result": f"K{n}.{k}",
                "date": day.isoformat(),
                "value": value,
                "confidence": rng.randint(3, 9),
            }
        )
        writer.writerow(checkin.values())
