"""The rollout pages: the plan list with pilot suggestions, creating a plan from the
default layout or blank, the timeline with each phase's readiness, phase forms with
their errors beside the fields, HTMX partials, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.rollout import services
from headway.rollout.models import PhaseCriterion, PhaseKind, RolloutPhase, RolloutPlan
from headway.teams.models import Team
from headway.web.forms import call_service
from headway.web.forms_rollout import PhaseForm
from tests.conftest import World, logged_in
from tests.factories import TeamMembershipFactory, UserFactory
from tests.rollout_tree import Q1, Tree, build_tree, okrs_in_q1, phase_row, snapshot

from .conftest import error_of

LIST = "/o/acme/rollout/"
NEW = "/o/acme/rollout/new/"


@pytest.fixture
def tree(world: World) -> Tree:
    return build_tree(world)


def _plan(tree: Tree, *phases: dict[str, Any], title: str = "Rollout 2026") -> RolloutPlan:
    return services.plan_create(member=tree.world.alice, title=title, phases=phases)


def _url(plan: RolloutPlan, path: str = "") -> str:
    return f"/o/acme/rollout/{plan.pk}/{path}"


def _phase_url(phase: RolloutPhase, path: str) -> str:
    return f"/o/acme/rollout/phases/{phase.pk}/{path}"


def _phase_post(tree: Tree, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Pilot",
        "kind": "pilot",
        "starts_on": "2026-01-01",
        "ends_on": "",
        "expected_weeks": "13",
        "cycle": "",
        "teams": [str(tree.platform.pk)],
        "subtree": [],
        "criterion_checkin_rate": "80",
        "criterion_pivots": "1",
        "notes": "",
    }
    data.update(changes)
    return data


# --- reading -----------------------------------------------------------------------------


def test_the_list_shows_plans_and_the_pilot_suggestions_with_their_reasons(tree: Tree) -> None:
    _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    for n in range(3):
        TeamMembershipFactory(team=tree.sales, user=UserFactory(email=f"s{n}@acme.test"))
    response = logged_in(tree.world.bob).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rollout 2026" in html
    assert "1 Jan 2026 – 1 Apr 2026" in html
    assert f'id="suggestion-{tree.sales.pk}"' in html
    assert "3 people: a manageable size for a pilot." in html
    assert "New rollout plan" not in html  # bob is a member


def test_the_rollout_link_is_in_the_navigation(tree: Tree) -> None:
    html = logged_in(tree.world.dave).get("/o/acme/").content.decode()
    assert f'href="{LIST}"' in html


def test_a_plan_shows_its_phases_with_dates_expected_time_teams_and_criteria(
    tree: Tree,
) -> None:
    plan = _plan(
        tree,
        phase_row("Pilot", Q1, 13, tree.platform.pk, kind="pilot"),
        phase_row("Department", dt.date(2026, 4, 2), 26, (tree.engineering.pk, True)),
    )
    html = logged_in(tree.world.dave).get(_url(plan)).content.decode()
    assert "Expected to take 13 weeks (one quarter)." in html
    assert "Expected to take 26 weeks (two quarters)." in html
    assert "Engineering</a> and the teams below" in html
    assert "(4 teams in all)" in html
    assert "Weekly check-in rate" in html and "at least 80%" in html
    assert "Pivots recorded" in html and "at least 1" in html
    assert html.index("1. Pilot") < html.index("2. Department")
    assert "Add a phase" not in html  # dave is a viewer


def test_a_phase_whose_criteria_are_met_reads_ready_to_expand(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=12, pivot=True)
    criteria = [
        {"metric": "checkin_rate", "threshold": 0.8},
        {"metric": "aligned_share", "threshold": 0.7},
        {"metric": "pivots", "threshold": 1},
    ]
    plan = _plan(
        tree,
        phase_row("Pilot", Q1, 13, tree.platform.pk, criteria=criteria),
        phase_row("Mobile", Q1, 13, tree.mobile.pk, criteria=criteria),
    )
    html = logged_in(tree.world.bob).get(_url(plan)).content.decode()
    pilot = html[html.index('id="phase-') : html.index("2. Mobile")]
    assert "Ready to expand" in pilot
    assert "100% of weekly check-ins done, 24 of 24 (target 80%)" in pilot
    mobile = html[html.index("2. Mobile") :]
    assert "Ready to expand" not in mobile
    assert "Still missing before it is ready to expand" in mobile
    assert "Not enough data" in mobile
    assert "Met" not in mobile.replace("Measured", "")


def test_an_unmet_phase_says_what_is_missing_with_numbers(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=5)
    plan = _plan(
        tree,
        phase_row(
            "Pilot",
            Q1,
            13,
            tree.platform.pk,
            criteria=[{"metric": "checkin_rate", "threshold": 0.8}],
        ),
    )
    html = logged_in(tree.world.bob).get(_url(plan)).content.decode()
    assert "Not ready yet" in html
    assert "Weekly check-in rate: 41% of weekly check-ins done, 10 of 24 (target 80%)" in html


def test_names_are_escaped(tree: Tree) -> None:
    Team.objects.filter(pk=tree.mobile.pk).update(name="<script>alert(1)</script>")
    plan = _plan(tree, phase_row("<b>Pilot</b>", Q1, 13, tree.mobile.pk), title="<i>Plan</i>")
    for client in (logged_in(tree.world.alice), logged_in(tree.world.bob)):
        for url in (_url(plan), LIST, _phase_url(plan.phases.get(), "edit/")):
            html = client.get(url).content.decode()
            assert "<script>alert(1)" not in html
            assert "<b>Pilot</b>" not in html
            assert "<i>Plan</i>" not in html


def test_the_outsider_gets_404_for_every_page_of_another_organisations_plan(
    tree: Tree,
) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    charlie = logged_in(tree.world.charlie)
    assert charlie.get(LIST).status_code == 404
    assert charlie.get(f"/o/globex/rollout/{plan.pk}/").status_code == 404
    assert charlie.get(f"/o/globex/rollout/{plan.pk}/edit/").status_code == 404
    assert charlie.get(f"/o/globex/rollout/phases/{phase.pk}/edit/").status_code == 404
    before = snapshot()
    for path in (
        f"/o/globex/rollout/{plan.pk}/delete/",
        f"/o/globex/rollout/{plan.pk}/phases/new/",
        f"/o/globex/rollout/phases/{phase.pk}/delete/",
        f"/o/globex/rollout/phases/{phase.pk}/move/",
    ):
        assert charlie.post(path, {"position": "1"}).status_code == 404, path
    assert snapshot() == before


# --- who may write -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_get_403_for_every_write(tree: Tree, persona: str) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    client = logged_in(getattr(tree.world, persona))
    for path in (NEW, _url(plan, "edit/"), _url(plan, "phases/new/"), _phase_url(phase, "edit/")):
        assert client.get(path).status_code == 403, path
    before = snapshot()
    posts = {
        NEW: {"layout": "blank", "title": "Mine"},
        _url(plan, "edit/"): {"title": "Mine"},
        _url(plan, "delete/"): {},
        _url(plan, "phases/new/"): _phase_post(tree, starts_on="2027-01-01"),
        _phase_url(phase, "edit/"): _phase_post(tree, name="Mine"),
        _phase_url(phase, "delete/"): {},
        _phase_url(phase, "move/"): {"position": "1"},
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 403, path
    assert snapshot() == before


# --- creating plans ----------------------------------------------------------------------


def test_the_new_plan_form_ticks_the_suggested_pilot_teams(tree: Tree) -> None:
    for n in range(4):
        TeamMembershipFactory(team=tree.mobile, user=UserFactory(email=f"m{n}@acme.test"))
    html = logged_in(tree.world.alice).get(NEW).content.decode()
    ticked = f'value="{tree.mobile.pk}"'
    start = html.index(ticked)
    assert "checked" in html[start : html.index(">", start)]
    assert "4 people: a manageable size for a pilot." in html


def test_alice_creates_the_default_three_phase_plan(tree: Tree) -> None:
    response = logged_in(tree.world.alice).post(
        NEW,
        {
            "layout": "default",
            "title": "Our rollout",
            "pilot_teams": [str(tree.platform.pk)],
            "starts_on": "2026-01-01",
        },
    )
    plan = RolloutPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(plan)
    assert list(plan.phases.order_by("order").values_list("kind", flat=True)) == [
        PhaseKind.PILOT,
        PhaseKind.DEPARTMENT,
        PhaseKind.ORGANISATION,
    ]


def test_alice_creates_a_blank_plan(tree: Tree) -> None:
    response = logged_in(tree.world.alice).post(NEW, {"layout": "blank", "title": "Blank"})
    assert response.status_code == 302
    assert RolloutPlan.objects.get().phases.count() == 0


def test_the_new_plan_form_shows_errors_beside_its_fields(tree: Tree) -> None:
    response = logged_in(tree.world.alice).post(
        NEW, {"layout": "default", "title": "x", "pilot_teams": [], "starts_on": ""}
    )
    assert response.status_code == 422
    assert error_of(response, "pilot_teams") == "Choose one or two pilot teams."
    assert "Give the date" in error_of(response, "starts_on")
    assert not RolloutPlan.objects.exists()


def test_a_plan_is_edited_and_a_stale_form_is_refused(tree: Tree) -> None:
    plan = _plan(tree)
    client = logged_in(tree.world.alice)
    response = client.post(_url(plan, "edit/"), {"title": "Renamed", "notes": "", "version": "1"})
    assert response.status_code == 302
    response = client.post(_url(plan, "edit/"), {"title": "Again", "notes": "", "version": "1"})
    assert response.status_code == 422
    assert "Someone changed this rollout plan" in response.content.decode()
    assert RolloutPlan.objects.get().title == "Renamed"


def test_a_plan_is_deleted(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    response = logged_in(tree.world.alice).post(_url(plan, "delete/"))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not RolloutPlan.objects.exists()


# --- phases ------------------------------------------------------------------------------


def test_alice_adds_a_department_with_the_teams_below_and_percent_criteria(tree: Tree) -> None:
    plan = _plan(tree)
    response = logged_in(tree.world.alice).post(
        _url(plan, "phases/new/"),
        _phase_post(
            tree,
            name="Engineering",
            kind="department",
            teams=[],
            subtree=[str(tree.engineering.pk)],
            criterion_checkin_rate="75",
            criterion_outcome_share="62.5",
            criterion_calibration="on",
        ),
    )
    phase = RolloutPhase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(plan) + f"#phase-{phase.pk}"
    assert list(phase.phase_teams.values_list("team_id", "with_subtree")) == [
        (tree.engineering.pk, True)
    ]
    criteria = PhaseCriterion.objects.filter(phase=phase).order_by("order")
    assert [(c.metric, c.threshold) for c in criteria] == [
        ("checkin_rate", 0.75),
        ("outcome_share", 0.625),
        ("pivots", 1),
        ("calibration", 0.0),
    ]


def test_the_new_phase_form_starts_after_the_last_phase_with_default_criteria(
    tree: Tree,
) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk, ends_on=dt.date(2026, 3, 31)))
    html = logged_in(tree.world.alice).get(_url(plan, "phases/new/")).content.decode()
    # The day after the pilot, which starts 2026 Q2: the phase ends with that quarter.
    assert 'name="starts_on" value="2026-04-01"' in html
    assert 'name="ends_on" value="2026-06-30"' in html
    assert 'name="expected_weeks" value="13"' in html
    assert 'name="criterion_checkin_rate" value="80"' in html
    assert 'name="criterion_aligned_share" value="70"' in html


def test_phase_errors_show_beside_their_fields_and_nothing_is_written(tree: Tree) -> None:
    plan = _plan(tree)
    client = logged_in(tree.world.alice)
    response = client.post(
        _url(plan, "phases/new/"),
        _phase_post(tree, name="", teams=[], criterion_checkin_rate="120", expected_weeks="0"),
    )
    assert response.status_code == 422
    assert error_of(response, "criterion_checkin_rate") == "Give a percentage from 0 to 100."
    response = client.post(
        _url(plan, "phases/new/"), _phase_post(tree, name="", teams=[], expected_weeks="0")
    )
    assert response.status_code == 422
    assert "Give the phase a name" in error_of(response, "name")
    assert "at least one team" in error_of(response, "teams")
    assert "from 1 to 260" in error_of(response, "expected_weeks")
    assert not RolloutPhase.objects.exists()


def test_an_overlap_is_explained_beside_the_teams(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    response = logged_in(tree.world.alice).post(
        _url(plan, "phases/new/"),
        _phase_post(tree, name="Department", teams=[], subtree=[str(tree.engineering.pk)]),
    )
    assert response.status_code == 422
    assert error_of(response, "teams").startswith("Platform is already in the phase “Pilot”")
    assert RolloutPhase.objects.count() == 1


def test_a_phase_without_criteria_or_with_an_unknown_cycle_is_explained(tree: Tree) -> None:
    plan = _plan(tree)
    client = logged_in(tree.world.alice)
    response = client.post(
        _url(plan, "phases/new/"), _phase_post(tree, criterion_checkin_rate="", criterion_pivots="")
    )
    assert response.status_code == 422
    assert "at least one success criterion" in response.content.decode()
    response = client.post(_url(plan, "phases/new/"), _phase_post(tree, cycle="999999"))
    assert response.status_code == 422
    assert "Select a valid choice" in error_of(response, "cycle")
    assert not RolloutPhase.objects.exists()


def test_a_phase_is_edited_with_its_version_and_a_stale_form_is_refused(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    client = logged_in(tree.world.alice)
    form = client.get(_phase_url(phase, "edit/")).content.decode()
    assert f'name="teams" value="{tree.platform.pk}" id="id_teams_{tree.platform.pk}"' in form
    assert 'name="criterion_checkin_rate" value="80"' in form
    data = _phase_post(tree, name="Pilot of two", version="1")
    data["teams"] = [str(tree.platform.pk), str(tree.mobile.pk)]
    assert client.post(_phase_url(phase, "edit/"), data).status_code == 302
    phase.refresh_from_db()
    assert (phase.name, phase.version) == ("Pilot of two", 2)
    response = client.post(_phase_url(phase, "edit/"), _phase_post(tree, name="X", version="1"))
    assert response.status_code == 422
    assert "Someone changed this phase" in response.content.decode()


def test_moving_a_phase_with_htmx_answers_the_timeline_only(tree: Tree) -> None:
    plan = _plan(
        tree,
        phase_row("First", Q1, 4, tree.platform.pk),
        phase_row("Second", Q1 + dt.timedelta(weeks=4), 4, tree.platform.pk),
    )
    second = plan.phases.get(name="Second")
    client = logged_in(tree.world.alice)
    response = client.post(_phase_url(second, "move/"), {"position": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    assert response["Location"] == _url(plan) + f"#phase-{second.pk}"
    assert list(plan.phases.order_by("order").values_list("name", flat=True)) == [
        "Second",
        "First",
    ]
    partial = client.get(_url(plan), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="phases"')
    assert "<html" not in partial
    assert "<html" in client.get(_url(plan)).content.decode()


def test_a_bad_move_is_explained_and_changes_nothing(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Only", Q1, 4, tree.platform.pk))
    client = logged_in(tree.world.alice)
    response = client.post(_phase_url(plan.phases.get(), "move/"), {"position": "7"}, follow=True)
    assert "Give a position from 1 to 1" in response.content.decode()


def test_a_phase_is_deleted(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    response = logged_in(tree.world.alice).post(_phase_url(plan.phases.get(), "delete/"))
    assert response.status_code == 302
    assert response["Location"] == _url(plan) + "#phases"
    assert not RolloutPhase.objects.exists()


def test_a_service_error_on_a_criterion_lands_beside_its_box(tree: Tree) -> None:
    form = PhaseForm(
        _phase_post(tree), teams=list(Team.objects.filter(pk=tree.platform.pk)), cycles=[]
    )
    assert form.is_valid(), form.errors

    def refuse() -> None:
        raise ValidationError(
            {"criteria.1.threshold": "Give a whole number.", "cycle_id": "Choose a cycle."}
        )

    call_service(form, refuse)
    assert form.errors == {
        "criterion_pivots": ["Give a whole number."],
        "cycle": ["Choose a cycle."],
    }


def test_the_plan_page_runs_the_same_queries_for_1_and_for_5_phases(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=3)
    client = logged_in(tree.world.bob)

    def page_of(count: int) -> str:
        rows = [
            phase_row(f"P{n}", Q1 + dt.timedelta(weeks=13 * n), 13, (tree.engineering.pk, True))
            for n in range(count)
        ]
        return _url(_plan(tree, *rows))

    def queries(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    assert queries(page_of(1)) == queries(page_of(5))
