"""The organisation JSON: export → import into an empty organisation → export gives the
same document, on SQLite and PostgreSQL.

The demo organisation (teams, people, cycles, objectives, key results, check-ins,
pivots, retrospectives, flags, surveys, discovery, a rollout plan) is built once for
the module, made richer through the services (a carried-over objective, a pivot that
moves a target and starts and stops initiatives, a deleted initiative, a team moved
under a younger one, a person who left, a team's discovery record, notification
preferences, an archived theme), exported, imported into a new organisation and
exported again. Each test reads the two documents, or works inside its own savepoint.

What differs between the two documents, by design: `exported_at`, and the
organisation's `name` and `slug` (the organisation imported into keeps its own).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction

from headway.accounts.models import Membership, Organisation, Role, User
from headway.accounts.services import api_token_create, membership_remove, organisation_create
from headway.demo.build import demo_build
from headway.goals import services as goals
from headway.goals.models import (
    CheckIn,
    Cycle,
    CycleStatus,
    Initiative,
    KeyResult,
    KeyResultStatus,
    Objective,
    Theme,
)
from headway.goals.services import recompute_all
from headway.notify.models import TeamChatChannel, Webhook
from headway.notify.services import preference_update
from headway.teams import services as teams
from headway.teams.models import Team
from headway.transfer import json_format, json_import
from headway.transfer.json_export import document_json, organisation_document
from headway.transfer.json_write import organisation_contents
from headway.transfer.models import ImportJob, ImportStatus

# Every test, even one that only compares the documents, so the test databases are set
# up for the module's fixture (pytest-django sets up only those some test asks for).
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
SECRET = "whsec_do-not-export-this-secret"
CHAT_URL = "slack://TokenA/TokenB/TokenC/#do-not-export"


@dataclass
class RoundTrip:
    first: dict[str, Any]
    second: dict[str, Any]
    text: str
    source: Organisation
    copy: Organisation
    owner: User
    secrets: list[str]
    seconds: dict[str, float]


def _owner(organisation: Organisation) -> Membership:
    return (
        Membership.objects.select_related("organisation", "user")
        .filter(organisation=organisation, role=Role.OWNER)
        .order_by("pk")
        .first()
    )


def _enrich(owner: Membership) -> list[str]:
    """What the demo does not make, through the services; returns the secrets made."""
    organisation = owner.organisation
    quarters = Cycle.objects.filter(organisation=organisation, kind="quarter")
    current = quarters.get(status=CycleStatus.ACTIVE)
    closed = quarters.filter(status=CycleStatus.CLOSED).order_by("-start_date").first()
    source = Objective.objects.filter(cycle=closed, carried_to__isnull=True).order_by("pk").first()
    goals.objective_carry_over(member=owner, objective_id=source.pk, to_cycle_id=current.pk)
    key_result = (
        KeyResult.objects.filter(
            objective__cycle=current, status=KeyResultStatus.ACTIVE, kind="increase"
        )
        .order_by("pk")
        .first()
    )
    stopped = Initiative.objects.create(
        organisation=organisation, title="Weekly call with every hub", status="in_progress"
    )
    stopped.key_results.add(key_result)
    goals.pivot_record(
        member=owner,
        key_result_id=key_result.pk,
        tried="Weekly calls with every hub.",
        learned="The calls repeat the dashboard.",
        next_step="Let hubs flag problems in the app instead.",
        new_target=(key_result.target_value or 0) + 5,
        target_reason="A second customer joined the promise.",
        start_initiatives=["Problem button in the hub app"],
        stop_initiative_ids=[stopped.pk],
    )
    goals.initiative_delete(member=owner, initiative=Initiative.objects.get(pk=stopped.pk))
    _move_an_old_team_under_a_young_one(owner)
    leaving = (
        Membership.objects.filter(organisation=organisation, role=Role.MEMBER)
        .filter(user__checkins__isnull=False)
        .order_by("pk")
        .first()
    )
    membership_remove(member=owner, membership=leaving)
    from headway.discovery.services import discovery_record_save

    platform = Team.objects.get(organisation=organisation, slug="platform")
    discovery_record_save(member=owner, team_id=platform.pk, why_stated="Releases slip.")
    preference_update(member=owner, channel="email", quiet_days=[5, 6], digest=False)
    theme = Theme.objects.filter(organisation=organisation).order_by("-pk").first()
    goals.theme_update(member=owner, theme=theme, archived=True)
    return _secrets(owner)


def _move_an_old_team_under_a_young_one(owner: Membership) -> None:
    """So a team's parent comes after it in the file, as after a real reorganisation."""
    ordered = list(Team.objects.filter(organisation=owner.organisation).order_by("pk"))
    youngest = ordered[-1]
    leaf = next(
        team
        for team in ordered[1:]
        if not Team.objects.filter(parent=team).exists() and team != youngest
    )
    teams.team_move(member=owner, team=leaf, parent_id=youngest.pk)


def _secrets(owner: Membership) -> list[str]:
    """Secrets of every kind the organisation holds; none may reach the file."""
    _, raw_token = api_token_create(member=owner, name="export test")
    Webhook.objects.create(
        organisation=owner.organisation, url="https://hooks.example.com/in", secret=SECRET
    )
    TeamChatChannel.objects.create(
        organisation=owner.organisation,
        team=Team.objects.filter(organisation=owner.organisation).first(),
        name="Ops chat",
        url=CHAT_URL,
    )
    return [raw_token, SECRET, CHAT_URL, "TokenA", owner.user.password]


def _empty_copy(owner: User, slug: str) -> Organisation:
    return organisation_create(name=f"Copy {slug}", owner=owner, slug=slug)


def _member(organisation: Organisation, user: User) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user=user
    )


@pytest.fixture(scope="module")
def trip(django_db_setup: None, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        source = demo_build(today=TODAY)
        owner = _owner(source)
        secrets = _enrich(owner)
        started = time.perf_counter()
        first = organisation_document(source)
        text = document_json(first).decode()
        exported = time.perf_counter()
        copy_ = _empty_copy(owner.user, "tidewater-copy")
        json_import.write(copy_, text.encode(), _member(copy_, owner.user))
        imported = time.perf_counter()
        second = organisation_document(copy_)
        seconds = {"export": exported - started, "import": imported - exported}
        yield RoundTrip(first, second, text, source, copy_, owner.user, secrets, seconds)
        transaction.set_rollback(True)


def _without_what_differs(document: dict[str, Any]) -> dict[str, Any]:
    kept = dict(document)
    del kept["exported_at"]
    kept["organisation"] = {
        name: value
        for name, value in document["organisation"].items()
        if name not in json_format.ORGANISATION_KEPT
    }
    return kept


# --- the round trip ------------------------------------------------------------------------


def test_it_exports_the_imported_organisation_to_the_same_document(trip: RoundTrip) -> None:
    first, second = _without_what_differs(trip.first), _without_what_differs(trip.second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, different
    assert first == second


def test_it_differs_only_in_the_time_of_export_and_the_organisation_s_name(
    trip: RoundTrip,
) -> None:
    assert trip.first["organisation"]["slug"] == "tidewater"
    assert trip.second["organisation"]["slug"] == "tidewater-copy"
    assert trip.first["organisation"]["strategy_statement"]
    assert (
        trip.first["organisation"]["strategy_statement"]
        == trip.second["organisation"]["strategy_statement"]
    )


def test_the_round_trip_carries_every_kind_of_row(trip: RoundTrip) -> None:
    document = trip.first
    for name in ("people", *json_format.BY_NAME):
        assert document[name], f"the demo has no {name}"
    assert any(person["role"] is None for person in document["people"]), "someone who left"
    assert any(o["carried_from"] for o in document["objectives"])
    assert any(
        change["initiative"] is None
        for p in document["pivots"]
        for change in p["initiative_changes"]
    )
    assert any(
        change["initiative"] for p in document["pivots"] for change in p["initiative_changes"]
    )
    assert any(event["target"] is None for event in document["activity"])
    assert any(record["team"] for record in document["discovery"])
    assert any(person["notifications"] for person in document["people"])
    keys = [team["slug"] for team in document["teams"]]
    assert any(
        keys.index(team["parent"]) > i for i, team in enumerate(document["teams"]) if team["parent"]
    )


def test_it_leaves_stored_progress_as_the_check_ins_say(trip: RoundTrip, db: None) -> None:
    assert recompute_all(organisation_id=trip.copy.pk, write=False) == []
    assert recompute_all(organisation_id=trip.source.pk, write=False) == []


def test_it_reuses_the_accounts_of_this_server(trip: RoundTrip, db: None) -> None:
    emails = {person["email"] for person in trip.first["people"]}
    assert User.objects.filter(email__in=emails).count() == len(emails)
    members = Membership.objects.filter(organisation=trip.copy)
    assert members.count() == sum(1 for p in trip.first["people"] if p["role"])


def test_it_writes_no_secret(trip: RoundTrip, db: None) -> None:
    for secret in trip.secrets:
        assert secret not in trip.text
    hashes = User.objects.exclude(password="").values_list("password", flat=True)
    assert not any(value in trip.text for value in hashes)
    tokens = [survey["title"] for survey in trip.first["purpose_surveys"]]
    assert tokens
    from headway.discovery.models import PurposeSurvey

    for token in PurposeSurvey.objects.filter(organisation=trip.source).values_list(
        "token", flat=True
    ):
        assert token not in trip.text
    assert '"password"' not in trip.text and '"secret"' not in trip.text


def test_figures_of_the_demo_round_trip(trip: RoundTrip) -> None:
    # Printed for docs/import-export.md; generous ceilings so a busy machine passes.
    print(f"export {trip.seconds['export']:.2f} s, import {trip.seconds['import']:.2f} s")
    assert trip.seconds["export"] < 10
    assert trip.seconds["import"] < 30


# --- refusing -----------------------------------------------------------------------------


def test_it_refuses_an_organisation_that_is_not_empty(trip: RoundTrip, db: None) -> None:
    before = organisation_contents(trip.copy)
    with pytest.raises(json_import.ImportRefused) as refused:
        json_import.write(trip.copy, trip.text, _member(trip.copy, trip.owner))
    (problem,) = refused.value.problems
    assert "already holds" in problem.message and "empty organisation" in problem.message
    assert organisation_contents(trip.copy) == before


def _corrupted(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    broken["people"][0]["email"] = "not an address"
    broken["objectives"][0]["cycle"] = "1999 Q9"
    broken["key_results"][1]["kind"] = "sideways"
    broken["checkins"][2]["value"] = "lots"
    broken["checkins"][3]["created_at"] = "yesterday"
    broken["teams"][1]["colour"] = "blue"
    broken["alignment_links"][0]["child"] = "objective-99999"
    broken["rollout_plans"][0]["phases"][0]["criteria"][0]["metric"] = "happiness"
    return broken


def test_it_lists_every_problem_with_its_path_and_writes_nothing(trip: RoundTrip, db: None) -> None:
    empty = _empty_copy(trip.owner, "empty-for-problems")
    users = User.objects.count()
    with pytest.raises(json_import.ImportRefused) as refused:
        json_import.write(empty, _corrupted(trip.first), _member(empty, trip.owner))
    paths = {problem.column for problem in refused.value.problems}
    assert {
        "people[0].email",
        "objectives[0].cycle",
        "key_results[1].kind",
        "checkins[2].value",
        "checkins[3].created_at",
        "teams[1].colour",
        "alignment_links[0].child",
        "rollout_plans[0].phases[0].criteria[0].metric",
    } <= paths, paths
    assert organisation_contents(empty) == {}
    assert User.objects.count() == users
    assert Membership.objects.filter(organisation=empty).count() == 1


def test_it_finds_loops_and_rows_the_database_would_refuse(trip: RoundTrip) -> None:
    broken = copy.deepcopy(trip.first)
    a, b = broken["teams"][1], broken["teams"][2]
    a["parent"], b["parent"] = b["slug"], a["slug"]
    broken["cycles"][1]["end_date"] = broken["cycles"][1]["start_date"]
    objective = broken["objectives"][0]
    objective["owner_team"], objective["owner_user"] = "platform", trip.first["people"][0]["email"]
    broken["alignment_links"].append(dict(broken["alignment_links"][0], key="link-copy"))
    paths = {problem.column for problem in json_import.validate(broken)}
    assert "teams[1].parent" in paths or "teams[2].parent" in paths
    assert "cycles[1].end_date" in paths
    assert "objectives[0]" in paths
    assert f"alignment_links[{len(broken['alignment_links']) - 1}]" in paths


def test_it_refuses_another_format_and_a_newer_version(trip: RoundTrip) -> None:
    (problem,) = json_import.validate({**trip.first, "format": "viva-goals"})
    assert problem.column == "format"
    (problem,) = json_import.validate({**trip.first, "version": 2})
    assert "newer Headway" in problem.message
    (problem,) = json_import.validate(b"{not json")
    assert "not valid JSON" in problem.message


def test_it_creates_new_people_without_a_usable_password(trip: RoundTrip, db: None) -> None:
    document = copy.deepcopy(trip.first)
    document["people"].append(
        {
            "email": "new.starter@example.com",
            "name": "New Starter",
            "role": "member",
            "title": "",
            "notifications": None,
        }
    )
    empty = _empty_copy(trip.owner, "empty-for-people")
    created = json_import.write(empty, document, _member(empty, trip.owner))
    assert created["accounts_created"] == 1
    user = User.objects.get(email="new.starter@example.com")
    assert not user.has_usable_password()
    assert Membership.objects.get(organisation=empty, user=user).role == Role.MEMBER


# --- the import pipeline's job and the commands --------------------------------------------


def test_a_json_import_job_checks_then_writes(trip: RoundTrip, db: None) -> None:
    empty = _empty_copy(trip.owner, "empty-for-a-job")
    content = trip.text.encode()
    job = ImportJob.objects.create(
        organisation=empty,
        created_by=trip.owner,
        format="json",
        filename="tidewater.json",
        content=content,
        size=len(content),
    )
    json_import.validate_job(job)
    assert job.status == ImportStatus.READY, job.errors
    assert job.preview["counts"]["objectives"] == len(trip.first["objectives"])
    job.status = ImportStatus.IMPORTING
    json_import.write_job(job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    assert job.created["checkins"] == len(trip.first["checkins"])
    again = ImportJob.objects.create(
        organisation=empty,
        created_by=trip.owner,
        format="json",
        filename="x.json",
        content=content,
        size=1,
    )
    json_import.validate_job(again)
    assert again.status == ImportStatus.INVALID
    assert "already holds" in again.errors[0]["message"]


def test_the_commands_export_and_import_an_organisation(
    trip: RoundTrip, db: None, tmp_path: Path
) -> None:
    path = tmp_path / "tidewater.json"
    out = StringIO()
    call_command("export", "--org", "tidewater", "-o", str(path), stdout=out)
    assert "Exported Tidewater Freight" in out.getvalue()
    assert json.loads(path.read_text())["format"] == "headway-organisation"
    _empty_copy(trip.owner, "empty-for-commands")
    out = StringIO()
    call_command("import-json", str(path), "--org", "empty-for-commands", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert organisation_contents(Organisation.objects.get(slug="empty-for-commands")) == {}
    out = StringIO()
    call_command("import-json", str(path), "--org", "empty-for-commands", stdout=out)
    assert "Imported into" in out.getvalue()
    imported = Organisation.objects.get(slug="empty-for-commands")
    assert CheckIn.objects.filter(organisation=imported).count() == len(trip.first["checkins"])


# --- what the format covers ----------------------------------------------------------------


def _organisation_models() -> set[type[models.Model]]:
    """Every model whose rows belong to an organisation: one with a foreign key to it,
    or to another such model (a survey's answers, a phase's criteria …)."""
    owned: set[type[models.Model]] = {Organisation}
    grown = True
    while grown:
        grown = False
        for model in apps.get_models():
            if model in owned or model._meta.auto_created:
                continue
            targets = {
                f.related_model
                for f in model._meta.get_fields()
                if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model
            }
            if targets & owned:
                owned.add(model)
                grown = True
    return owned - {Organisation}


def test_every_model_an_organisation_owns_is_carried_or_left_out_on_purpose() -> None:
    carried = {m._meta.label for m in json_format.carried_models()}
    left_out = set(json_format.MODELS_LEFT_OUT)
    unknown = {m._meta.label for m in _organisation_models()} - carried - left_out
    assert not unknown, f"add these to json_format (SECTIONS or MODELS_LEFT_OUT): {unknown}"


def _section_fields(section: json_format.Section) -> set[str]:
    named = {*section.fields, *section.refs, *section.many, *section.extra, *section.left_out}
    return named | {"id", "organisation", section.parent}


def test_every_field_of_a_carried_model_is_carried_or_left_out_on_purpose() -> None:
    missing = {}

    def walk(section: json_format.Section) -> None:
        fields = {
            f.name
            for f in section.model._meta.get_fields()
            if (f.concrete or f.many_to_many) and not f.auto_created
        } | {"id"}
        gap = fields - _section_fields(section)
        if gap:
            missing[section.model._meta.label] = gap
        for child in section.children:
            walk(child)

    for section in json_format.SECTIONS:
        walk(section)
    assert not missing, f"add these fields to json_format (a section or its left_out): {missing}"


def test_every_field_of_people_and_settings_is_carried_or_left_out_on_purpose() -> None:
    from headway.notify.models import NotificationPreference

    def names(model: type[models.Model]) -> set[str]:
        return {
            f.name
            for f in model._meta.get_fields()
            if (f.concrete or f.many_to_many) and not f.auto_created
        } | {"id"}

    left = json_format.PERSON_LEFT_OUT
    assert names(User) - {"email", "name"} == set(left["accounts.User"])
    assert names(Membership) - {"role", "title"} == set(left["accounts.Membership"])
    preference = names(NotificationPreference) - set(json_format.PREFERENCE_FIELDS)
    assert preference == set(left["notify.NotificationPreference"])
    settings = names(Organisation) - set(json_format.ORGANISATION_FIELDS)
    assert settings == set(json_format.ORGANISATION_LEFT_OUT)
