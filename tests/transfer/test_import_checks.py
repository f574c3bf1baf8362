"""Checking a file against the organisation: every problem at its row and column,
never only the first; nothing is written while any is left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.accounts.models import Role
from headway.lib.errors import Conflict
from headway.transfer import services
from headway.transfer.models import ImportJob
from tests.factories import MembershipFactory, UserFactory
from tests.transfer.importing import checked, checkin, counts, csv_bytes, key_result, objective


def errors(acme_okrs, rows, **kwargs):
    job = checked(acme_okrs.world.alice, csv_bytes(rows), **kwargs)
    assert job.status == "invalid", job.preview
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def only(found, column):
    return [message for _, col, message in found if col == column]


def test_a_clean_file_is_ready_with_a_preview(acme_okrs):
    rows = [
        objective("O1", "Deliver on time", team="Operations / Hubs", theme="Customers first"),
        key_result("K1", "O1", "On-time deliveries", start="80", target="95%"),
        objective("O2", "My part", owner="BOB@acme.test", parent="K1"),
        key_result("K2", "O2", "Routes", kind="milestone", start="", target=""),
        checkin("K1", acme_okrs.today - dt.timedelta(days=3), "85", 6),
    ]
    job = checked(acme_okrs.world.alice, csv_bytes(rows))
    assert job.status == "ready", job.errors
    preview = job.preview
    assert preview["counts"] == {"objectives": 2, "key_results": 2, "checkins": 1, "links": 2}
    assert [o["ref"] for o in preview["objectives"]] == ["O1", "O2"]
    assert preview["objectives"][0]["owner"] == "Acme / Operations / Hubs"
    assert preview["objectives"][1]["owner"] == "Bob"
    assert preview["objectives"][0]["key_results"][0]["checkins"] == 1
    assert preview["teams"] == [
        {
            "written": "Operations / Hubs",
            "path": "Acme / Operations / Hubs",
            "id": acme_okrs.hubs.pk,
        }
    ]
    assert job.message == "5 rows checked: ready to import."


def test_references_must_be_unique_and_known(acme_okrs):
    found = errors(
        acme_okrs,
        [
            objective("O1", "A", team="Platform"),
            objective("o1", "B", team="Platform"),
            key_result("K1", "O9", "M"),
            key_result("K2", "K1", "M"),
            key_result("K3", "", "M"),
            checkin("K8", acme_okrs.today, "3"),
            checkin("O1", acme_okrs.today, "3"),
            objective("", "No ref", team="Platform"),
        ],
    )
    assert found == [
        (3, "ref", "The ref 'o1' is already used on row 2: each ref must be unique in the file."),
        (4, "objective", "No objective has the ref 'O9' in this file."),
        (5, "objective", "'K1' is a key result; give the ref of an objective."),
        (6, "objective", "Say which objective (its ref) this key result belongs to."),
        (7, "key result", "No key result has the ref 'K8' in this file."),
        (8, "key result", "'O1' is an objective; give the ref of one of its key results."),
        (9, "ref", "Give the objective a ref (O1, O2 …): its key results point to it."),
    ]


@pytest.mark.parametrize(
    ("parents", "loop"),
    [
        ({"O1": "O2", "O2": "O1"}, "O1 → O2 → O1"),
        ({"O1": "K2", "O2": "K1"}, "O1 → O2 → O1"),  # through key results
        ({"O1": "O3", "O2": "O1", "O3": "O2"}, "O1 → O3 → O2 → O1"),
    ],
    ids=["two objectives", "through key results", "three objectives"],
)
def test_parent_loops_are_reported_once_naming_the_loop(acme_okrs, parents, loop):
    rows = []
    for n in (1, 2, 3):
        rows.append(
            objective(f"O{n}", f"Objective {n}", team="Platform", parent=parents.get(f"O{n}", ""))
        )
        rows.append(key_result(f"K{n}", f"O{n}", "M"))
    found = errors(acme_okrs, rows)
    assert only(found, "parent") == [
        f"These parents make a loop: {loop}. An objective cannot align, directly or through a key result, to one aligned below it."
    ]


def test_an_objective_cannot_align_to_itself_or_its_own_key_result(acme_okrs):
    found = errors(
        acme_okrs,
        [
            objective("O1", "A", team="Platform", parent="O1"),
            objective("O2", "B", team="Platform", parent="K2"),
            key_result("K2", "O2", "M"),
            objective("O3", "C", team="Platform", parent="X9"),
        ],
    )
    assert only(found, "parent") == [
        "An objective cannot align to itself.",
        "'K2' is a key result of this objective: an objective cannot align to its own key result.",
        "No objective or key result has the ref 'X9' in this file.",
    ]


def test_owners_teams_cycles_and_themes_must_exist(acme_okrs):
    twin = UserFactory(email="bob2@acme.test", name="Bob")
    MembershipFactory(organisation=acme_okrs.world.acme, user=twin, role=Role.MEMBER)
    found = errors(
        acme_okrs,
        [
            objective("O1", "A", team="Hubs"),
            objective("O2", "B", owner="nobody@acme.test"),
            objective("O3", "C", owner="charlie@globex.test"),
            objective("O4", "D", owner="Bob"),
            objective("O5", "E", team="Platfrom"),
            objective("O6", "F", team="Platform", cycle="Nwo"),
            objective("O7", "G", team="Platform", cycle="Last spring"),
            objective("O8", "H", team="Platform", theme="Growth"),
            objective("O9", "I"),
        ],
    )
    assert found == [
        (
            2,
            "team",
            "'Hubs' names 2 teams: Acme / Operations / Hubs; Acme / Sales / Hubs. Write the path of the one you mean, e.g. 'Operations / Hubs'.",
        ),
        (
            3,
            "owner",
            "'nobody@acme.test' is not a member of this organisation: invite them first, or give the e-mail address of a member.",
        ),
        (
            4,
            "owner",
            "'charlie@globex.test' is not a member of this organisation: invite them first, or give the e-mail address of a member.",
        ),
        (
            5,
            "owner",
            "'Bob' names 2 members (bob2@acme.test, bob@acme.test): write the e-mail address of the one you mean.",
        ),
        (6, "team", "There is no team 'Platfrom' in this organisation. Did you mean 'Platform'?"),
        (7, "cycle", "There is no cycle 'Nwo' in this organisation. Did you mean 'Now'?"),
        (
            8,
            "cycle",
            "The cycle Last spring is closed: reopen it to import into it, or choose an open cycle.",
        ),
        (9, "theme", "There is no theme 'Growth' in this organisation (see the Strategy page)."),
        (10, "team", "Give the owning team, or the e-mail of the owner of a personal objective."),
    ]


def test_teams_are_found_by_path_or_slug_and_people_by_name(acme_okrs):
    rows = [
        objective("O1", "A", team="Sales / Hubs"),
        objective("O2", "B", team="acme / operations / hubs"),
        objective("O3", "C", team="ops-hubs"),
        objective("O4", "D", owner="Bob"),
    ]
    job = checked(acme_okrs.world.alice, csv_bytes(rows))
    assert job.status == "ready", job.errors
    assert [t["id"] for t in job.preview["teams"]] == [
        acme_okrs.sales_hubs.pk,
        acme_okrs.hubs.pk,
        acme_okrs.hubs.pk,
    ]


def test_key_results_need_a_usable_measure(acme_okrs):
    found = errors(
        acme_okrs,
        [
            objective("O1", "A", team="Platform"),
            key_result("K1", "O1", "Same", start="5", target="5"),
            key_result("K2", "O1", "Down", start="5", target="9", kind="decrease"),
            key_result("K3", "O1", "Nothing", start="", target=""),
            key_result("K4", "O1", "Odd", kind="sometimes"),
            key_result("K5", "O1", "Weightless", weight="0"),
            key_result("K6", "O1", "Long unit", unit="u" * 21),
            key_result("K7", "O1", "Stay", kind="maintain below", start="", target=""),
            key_result("K8", "O1", "x" * 201),
            key_result("K9", "O1", "Status", status="paused"),
        ],
    )
    assert found == [
        (3, "target", "The target must differ from the start, or there is nothing to measure."),
        (
            4,
            "target",
            "A decreasing key result needs a target below its start; use 'increase' to go up.",
        ),
        (5, "start", "Give the value you start from."),
        (5, "target", "Give the value you aim for."),
        (
            6,
            "kind",
            "'sometimes' is not a kind of key result: write increase, decrease, milestone, maintain above or maintain below.",
        ),
        (
            7,
            "weight",
            "The weight must be above 0; drop the key result instead of giving it no weight.",
        ),
        (8, "unit", "Keep the unit under 20 characters."),
        (9, "target", "Give the threshold to stay above or below."),
        (10, "title", "The title has 201 characters; keep it under 200."),
        (
            11,
            "status",
            "'paused' is not a status of a key result: write active, dropped (or leave it empty).",
        ),
    ]


def test_check_ins_fit_the_cycle_the_scale_and_the_kind(acme_okrs):
    acme_okrs.world.acme.confidence_scale = 5
    acme_okrs.world.acme.save()
    today, quarter = acme_okrs.today, acme_okrs.quarter
    found = errors(
        acme_okrs,
        [
            objective("O1", "A", team="Platform"),
            key_result("K1", "O1", "M", current="40"),
            key_result("K2", "O1", "Done?", kind="milestone", start="", target=""),
            checkin("K1", quarter.start_date - dt.timedelta(days=1), "10", 3),
            checkin("K1", today + dt.timedelta(days=1), "10", 3),
            checkin("K1", today, "30", 6),
            checkin("K2", today, "0.5", 3),
        ],
    )
    assert found == [
        (
            3,
            "current",
            "current is 40 but the latest check-in (row 6) says 10: leave current empty, or make them agree.",
        ),
        (
            5,
            "date",
            f"{(quarter.start_date - dt.timedelta(days=1)).isoformat()} is outside the cycle Now ({quarter.start_date.isoformat()} to {quarter.end_date.isoformat()}) of the key result's objective.",
        ),
        (
            6,
            "date",
            f"{(today + dt.timedelta(days=1)).isoformat()} is in the future: a check-in records what happened.",
        ),
        (7, "confidence", "Confidence is a whole number from 0 to 5 (the organisation's scale)."),
        (8, "value", "The key result is a milestone: write done or not done (1 or 0)."),
    ]


def test_a_parent_must_run_in_a_cycle_that_covers_its_child(acme_okrs):
    found = errors(
        acme_okrs,
        [
            objective("O1", "Quarter parent", team="Platform"),
            objective("O2", "Year child", team="Platform", cycle="This year", parent="O1"),
        ],
    )
    assert found == [
        (
            3,
            "parent",
            "The parent 'O1' runs in Now, which does not cover This year: align to an objective of the same or an enclosing cycle.",
        )
    ]


def test_choices_are_checked(acme_okrs):
    found = errors(
        acme_okrs,
        [objective("O1", "A", team="Platform", status="done", visibility="secret", link="follows")],
    )
    assert found == [
        (
            2,
            "link",
            "'follows' is not a kind of link: write contributes, supports (or leave it empty).",
        ),
        (
            2,
            "status",
            "'done' is not a status of an objective: write active, draft, closed (or leave it empty).",
        ),
        (
            2,
            "visibility",
            "'secret' is not a visibility: write public, private (or leave it empty).",
        ),
    ]


def test_an_objective_already_there_is_a_warning(acme_okrs):
    from tests.transfer.importing import imported

    rows = [objective("O1", "Deliver on time", team="Platform")]
    imported(acme_okrs.world.alice, csv_bytes(rows))
    again = checked(acme_okrs.world.alice, csv_bytes(rows))
    assert again.status == "ready"
    assert "already exist with the same title" in again.preview["warnings"][0]["message"]


# --- twenty kinds of error at once ----------------------------------------------------------

TWENTY = {
    "duplicate ref": "is already used on row",
    "unknown objective ref": "No objective has the ref",
    "key result as objective": "is a key result; give the ref of an objective",
    "unknown key result ref": "No key result has the ref",
    "parent loop": "These parents make a loop",
    "unknown parent": "No objective or key result has the ref",
    "ambiguous team": "names 2 teams",
    "unknown team": "There is no team",
    "unknown owner": "is not a member of this organisation",
    "unknown cycle": "There is no cycle",
    "closed cycle": "is closed: reopen it",
    "unknown theme": "There is no theme",
    "start equals target": "must differ from the start",
    "unknown kind": "is not a kind of key result",
    "bad number": "is not a number",
    "ambiguous date": "is ambiguous: day/month or month/day",
    "date outside cycle": "is outside the cycle",
    "confidence off scale": "Confidence is a whole number from 0 to",
    "huge cell": "the most a cell may hold is 10,000",
    "bad status": "is not a status of an objective",
    "unknown row type": "is not a type of row",
}


def test_a_file_with_twenty_kinds_of_error_lists_them_all_and_writes_nothing(acme_okrs):
    before = counts()
    rows = [
        objective("O1", "Dup A", team="Platform"),
        objective("O1", "Dup B", team="Platform"),
        key_result("K1", "O77", "Orphan"),
        key_result("K2", "K3", "Under a KR"),
        key_result("K3", "O1", "Same", start="4", target="4"),
        key_result("K4", "O1", "Odd kind", kind="someday"),
        key_result("K5", "O1", "Bad number", start="lots"),
        checkin("K9", "2026-01-05", "3"),
        objective("O2", "Loop A", team="Platform", parent="O3"),
        objective("O3", "Loop B", team="Platform", parent="O2"),
        objective("O4", "Lost", team="Platform", parent="Z1"),
        objective("O5", "Which hubs", team="Hubs"),
        objective("O6", "Nowhere", team="Atlantis"),
        objective("O7", "Nobody", owner="ghost@acme.test"),
        objective("O8", "When", team="Platform", cycle="Someday"),
        objective("O9", "Closed", team="Platform", cycle="Last spring"),
        objective("O10", "Themeless", team="Platform", theme="Moonshots"),
        objective("O11", "Statusless", team="Platform", status="paused"),
        objective("O12", "Long", team="Platform", description="y" * 10_001),
        key_result("K6", "O1", "Measured"),
        checkin("K6", "05/04/2026", "3"),
        checkin("K6", acme_okrs.quarter.start_date - dt.timedelta(days=5), "3"),
        checkin("K6", acme_okrs.today, "3", 11),
        {"type": "initiative", "ref": "I1", "title": "Not a row type"},
    ]
    job = checked(acme_okrs.world.alice, csv_bytes(rows))
    assert job.status == "invalid"
    found = [e["message"] for e in job.errors]
    missing = [kind for kind, text in TWENTY.items() if not any(text in m for m in found)]
    assert missing == []
    assert len(found) >= 20
    assert all(e["row"] >= 2 for e in job.errors), "every problem names its row"
    with pytest.raises(Conflict):
        services.import_confirm(member=acme_okrs.world.alice, job_id=job.pk)
    assert services.import_write(job.pk).status == "invalid"
    assert counts() == before


def _queries(member, objectives: int) -> int:
    rows = []
    for n in range(objectives):
        team = ("Platform", "Operations / Hubs", "Sales")[n % 3]
        rows.append(
            objective(
                f"O{n}",
                f"Objective {n}",
                team=team,
                theme="Customers first",
                parent="O0" if n else "",
            )
        )
        rows.append(key_result(f"K{n}", f"O{n}", "M", owner="bob@acme.test"))
    job = services.import_upload(
        member=member, filename="f.csv", content=csv_bytes(rows), format="csv", queue=False
    )
    job = ImportJob.objects.select_related("organisation").get(pk=job.pk)
    with CaptureQueriesContext(connection) as context:
        _, outcome, _ = services.import_check_job(job)
    assert outcome.ok, outcome.problems
    return len(context.captured_queries)


def test_checking_runs_the_same_queries_for_3_and_300_objectives(acme_okrs):
    assert _queries(acme_okrs.world.alice, 3) == _queries(acme_okrs.world.alice, 300) <= 8


def test_a_job_cancelled_while_it_is_checked_ends_quietly(acme_okrs, monkeypatch):
    job = services.import_upload(
        member=acme_okrs.world.alice,
        filename="f.csv",
        content=csv_bytes([objective("O1", "A", team="Platform")]),
        format="csv",
        queue=False,
    )
    load = services.directory_load

    def cancelled_meanwhile(organisation):
        services.import_cancel(member=acme_okrs.world.alice, job_id=job.pk)
        return load(organisation)

    monkeypatch.setattr(services, "directory_load", cancelled_meanwhile)
    services.import_validate(job.pk)
    assert not ImportJob.objects.exists()
    assert services.import_validate(job.pk) is None
