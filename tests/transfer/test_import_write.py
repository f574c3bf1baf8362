"""Writing a checked file: the template lands in a fresh organisation with its
alignment intact and the stored values equal to what its check-ins say; all or
nothing when the database refuses a row midway."""

from __future__ import annotations

import datetime as dt
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command

from headway.accounts.models import Membership, Role
from headway.goals.models import ActivityEvent, AlignmentLink, CheckIn, KeyResult, Objective
from headway.transfer import services, write
from headway.transfer.selectors import template_example
from headway.transfer.template import template_csv, template_xlsx
from tests.conftest import logged_in
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
)
from tests.transfer.importing import (
    checked,
    checkin,
    counts,
    csv_bytes,
    imported,
    key_result,
    objective,
)


@pytest.fixture
def fresh(db) -> Membership:
    """A new organisation with nothing but its names: an owner, teams, a cycle, a theme."""
    today = dt.date.today()
    organisation = OrganisationFactory(name="Tidewater", slug="tidewater")
    owner = MembershipFactory(
        organisation=organisation,
        user=UserFactory(email="ava@tidewater.test", name="Ava"),
        role=Role.OWNER,
    )
    root = TeamFactory(organisation=organisation, name="Tidewater", slug="tidewater")
    TeamFactory(organisation=organisation, name="Operations", slug="operations", parent=root)
    CycleFactory(
        organisation=organisation,
        name="This quarter",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
    )
    ThemeFactory(organisation=organisation, title="Reliable delivery")
    return Membership.objects.select_related("organisation", "user").get(pk=owner.pk)


def verify(slug: str) -> str:
    out = StringIO()
    call_command("recompute", "--verify", "--org", slug, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_imports_cleanly_into_a_fresh_organisation(fresh, fmt):
    example = template_example(fresh)
    content = (template_csv if fmt == "csv" else template_xlsx)(example)
    job = imported(fresh, content, fmt, f"headway-import.{fmt}")
    assert job.status == "done", job.message
    assert job.created["objectives"] == 2 and job.created["key_results"] == 5
    assert job.created["checkins"] == 5 and job.created["links"] == 2
    assert bytes(job.content) == b"", "the file is not kept once imported"

    o1 = Objective.objects.get(organisation=fresh.organisation, title="Deliver every order on time")
    o2 = Objective.objects.get(organisation=fresh.organisation, title="Make returns painless")
    assert o1.owner_team.name == "Operations" and o1.cycle.name == "This quarter"
    assert o2.owner_user == fresh.user and o2.owner_team is None
    kinds = dict(o1.key_results.values_list("title", "kind"))
    assert kinds == {
        "On-time deliveries": "increase",
        "Complaints about late orders per week": "decrease",
        "New routing live": "milestone",
        "Customer satisfaction stays at 8 or more": "maintain",
    }
    k1 = o1.key_results.get(title="On-time deliveries")
    assert (k1.unit, k1.format, k1.start_value, k1.target_value) == ("%", "percent", 82, 95)
    assert (k1.current_value, k1.confidence) == (87, 7)
    assert k1.progress == pytest.approx(5 / 13)
    assert list(k1.checkins.values_list("value", flat=True)) == [84, 87]
    theme_link = AlignmentLink.objects.get(child=o1)
    assert theme_link.parent_theme.title == "Reliable delivery"
    kr_link = AlignmentLink.objects.get(child=o2)
    assert (kr_link.parent_key_result, kr_link.kind) == (k1, "contributes")
    assert "No difference" in verify("tidewater")

    # The pages show the alignment: O2's parent key result, and O1's child.
    client = logged_in(fresh)
    page = unescape(client.get(f"/o/tidewater/objectives/{o2.pk}/").content.decode())
    assert "On-time deliveries" in page and "of Deliver every order on time" in page
    page = unescape(client.get(f"/o/tidewater/objectives/{o1.pk}/").content.decode())
    assert "Make returns painless" in page and "Reliable delivery" in page


def test_it_records_the_activity_the_services_record(fresh):
    imported(fresh, template_csv(template_example(fresh)))
    verbs = sorted(
        ActivityEvent.objects.filter(organisation=fresh.organisation).values_list(
            "target_type", "verb"
        )
    )
    assert verbs.count(("objective", "created")) == 2
    assert verbs.count(("keyresult", "created")) == 5
    assert verbs.count(("objective", "aligned")) == 2
    assert verbs.count(("keyresult", "checked in")) == 5
    checked_in = ActivityEvent.objects.filter(
        verb="checked in", target_label="On-time deliveries"
    ).order_by("created_at")
    assert [e.changes["value"] for e in checked_in] == [[None, 84], [84, 87]]
    assert all(e.actor == fresh.user for e in checked_in)
    team_events = ActivityEvent.objects.filter(team__name="Operations").count()
    assert team_events == 1 + 4 + 1 + 3  # O1, its key results, its link, its check-ins


def test_progress_counts_contributing_children_but_not_supporting_or_draft_ones(acme_okrs):
    today = acme_okrs.today
    rows = [
        objective("P", "Parent", team="Platform"),
        key_result("PK", "P", "Parent measure"),
        objective("C1", "Contributes", team="Platform", parent="P"),
        key_result("C1K", "C1", "M"),
        checkin("C1K", today, "100"),
        objective("C2", "Supports", team="Platform", parent="P", link="supports"),
        key_result("C2K", "C2", "M"),
        checkin("C2K", today, "100"),
        objective("C3", "Draft", team="Platform", parent="PK", status="draft"),
        key_result("C3K", "C3", "M"),
        checkin("C3K", today, "100"),
    ]
    imported(acme_okrs.world.alice, csv_bytes(rows))
    parent = Objective.objects.get(title="Parent")
    assert parent.progress == pytest.approx(0.5)  # its own 0 and one contributing child at 1
    assert "No difference" in verify("acme")


def test_current_without_check_ins_becomes_one_check_in_of_today(acme_okrs):
    rows = [
        objective("O1", "Team objective", team="Platform", owner="bob@acme.test"),
        key_result("K1", "O1", "Measured now", current="25"),
        key_result("K2", "O1", "Owned", owner="dave@acme.test", current="50", confidence="9"),
    ]
    imported(acme_okrs.world.alice, csv_bytes(rows))
    k1 = KeyResult.objects.get(title="Measured now")
    (only,) = k1.checkins.all()
    assert (only.value, only.confidence, only.note) == (25, 5, "Imported current value")
    assert only.created_at.date() <= acme_okrs.today
    assert (k1.current_value, k1.progress, k1.owner) == (25, 0.25, acme_okrs.world.bob.user)
    k2 = KeyResult.objects.get(title="Owned")
    assert (k2.owner, k2.confidence) == (acme_okrs.world.dave.user, 9)
    assert "No difference" in verify("acme")


def test_a_database_error_midway_writes_nothing(acme_okrs, monkeypatch):
    """The links go in after the objectives and key results; one the database refuses
    (a weight its check constraint forbids) rolls everything back."""
    original = write._Writer._link

    def refused(self, child, kind, **parent):
        link = original(self, child, kind, **parent)
        link.weight = 0  # alignment_link_weight_positive
        return link

    monkeypatch.setattr(write._Writer, "_link", refused)
    before = counts()
    rows = [
        objective("O1", "Parent", team="Platform"),
        key_result("K1", "O1", "M"),
        checkin("K1", acme_okrs.today, "10"),
        objective("O2", "Child", team="Platform", parent="K1"),
    ]
    job = checked(acme_okrs.world.alice, csv_bytes(rows))
    services.import_confirm(member=acme_okrs.world.alice, job_id=job.pk)
    job = services.import_write(job.pk)
    assert job.status == "failed"
    assert job.message.startswith("Writing failed (IntegrityError")
    assert "nothing was imported" in job.message
    assert counts() == before
    assert bytes(job.__class__.objects.get(pk=job.pk).content), "the file is kept to try again"


def test_it_checks_again_before_writing(acme_okrs):
    """Bob left between the check and the confirm: nothing is written, the job says why."""
    before = counts()
    job = checked(
        acme_okrs.world.alice, csv_bytes([objective("O1", "Mine", owner="bob@acme.test")])
    )
    assert job.status == "ready"
    services.import_confirm(member=acme_okrs.world.alice, job_id=job.pk)
    acme_okrs.world.bob.delete()
    job = services.import_write(job.pk)
    assert job.status == "invalid"
    assert job.message.startswith("The organisation changed since the file was checked")
    assert "bob@acme.test" in job.errors[0]["message"]
    assert counts() == before


def test_imported_check_ins_are_history_dated_at_noon_in_the_organisation(acme_okrs):
    acme = acme_okrs.world.acme
    acme.timezone = "Europe/Berlin"
    acme.save()
    day = acme_okrs.today - dt.timedelta(days=10)
    imported(
        acme_okrs.world.alice,
        csv_bytes(
            [
                objective("O1", "A", team="Platform"),
                key_result("K1", "O1", "M"),
                checkin("K1", day, "40"),
            ]
        ),
    )
    (saved,) = CheckIn.objects.all()
    assert saved.created_at.astimezone(dt.timezone(dt.timedelta(hours=1))).hour in (11, 12)
    assert saved.author == acme_okrs.world.alice.user
