"""The data side of the live reliability runs, run in a child process on the run's
own database (settings come from its environment): `python -m tests.reliability.data
seed` writes the organisation the clients work on and prints its ids and tokens as
JSON; `... report` prints what the database holds afterwards (check-ins, imports),
for the run to compare with what its clients were told.

Seed: organisation "Reliability" with an owner and CLIENTS admins (one API token each:
idempotency keys are per author), the current year as an active cycle, a company
objective with one key result, and a team objective with SIBLINGS key results that
contributes to it, so every check-in on a sibling rolls up through a shared ancestor.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

SLUG = "reliability"
CLIENTS = 16
SIBLINGS = 4
IMPORT_PREFIX = "Import run "


def seed() -> dict[str, Any]:
    from django.utils import timezone

    from headway.accounts.models import Role
    from headway.accounts.services import api_token_create, organisation_create, user_create
    from headway.goals import services
    from headway.goals.models import Cycle, CycleStatus

    owner = user_create(email="owner@reliability.test", password=None, name="Olive Owner")
    organisation = organisation_create(name="Reliability", owner=owner, slug=SLUG)
    member = organisation.memberships.get(user=owner)
    tokens = []
    for n in range(CLIENTS):
        user = user_create(email=f"client{n}@reliability.test", password=None, name=f"Client {n}")
        admin = organisation.memberships.create(user=user, role=Role.ADMIN)
        tokens.append(api_token_create(member=admin, name="reliability run")[1])
    year = services.year_with_quarters(member=member, year=timezone.now().year)
    Cycle.objects.filter(organisation=organisation).update(status=CycleStatus.ACTIVE)
    company = services.objective_create(
        member=member,
        cycle_id=year.pk,
        owner_user_id=owner.pk,
        title="Grow without losing anyone's work",
        key_results=[{"title": "Customers", "start_value": 0, "target_value": 1000}],
    )
    team = services.objective_create(
        member=member,
        cycle_id=year.pk,
        owner_user_id=owner.pk,
        title="Ship every check-in safely",
        key_results=[
            {"title": f"Measure {n}", "start_value": 0, "target_value": 100}
            for n in range(SIBLINGS)
        ],
    )
    services.alignment_link_create(
        member=member, child=team, parent_type="objective", parent_id=company.pk
    )
    return {
        "organisation": SLUG,
        "cycle": year.name,
        "owner_email": owner.email,
        "tokens": tokens,
        "company": company.pk,
        "company_kr": company.key_results.get().pk,
        "team": team.pk,
        "siblings": list(team.key_results.order_by("order").values_list("pk", flat=True)),
    }


def report() -> dict[str, Any]:
    """Check-in ids by key result, and for each import job (by file name) its status
    and how many objectives, key results and check-ins of its file exist."""
    from django_tasks_db.models import DBTaskResult

    from headway.goals.models import CheckIn, KeyResult, Objective
    from headway.transfer.models import ImportJob

    checkins = list(CheckIn.objects.values_list("pk", "key_result_id", "idempotency_key"))
    imports = []
    for job in ImportJob.objects.defer("content").order_by("pk"):
        prefix = f"{IMPORT_PREFIX}{job.filename.removesuffix('.csv')} "
        objectives = Objective.objects.filter(title__startswith=prefix)
        imports.append(
            {
                "id": job.pk,
                "filename": job.filename,
                "status": job.status,
                "objectives": objectives.count(),
                "key_results": KeyResult.objects.filter(objective__in=objectives).count(),
                "checkins": CheckIn.objects.filter(key_result__objective__in=objectives).count(),
            }
        )
    tasks = [
        f"{path.rsplit('.', 1)[-1]} {status}"
        for path, status in DBTaskResult.objects.values_list("task_path", "status")
    ]
    return {"checkins": checkins, "imports": imports, "tasks": tasks}


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headway.settings")
    import django

    django.setup()
    action = {"seed": seed, "report": report}[argv[0]]
    json.dump(action(), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
