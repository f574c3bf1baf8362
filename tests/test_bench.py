"""The benchmark harness at a tiny scale (XS): the generator builds the promised shapes
with stored values equal to what the check-ins say, and the runner produces every
figure. Correctness of the harness only: timings are never asserted here. Runs on
whichever database the suite runs on (SQLite, or PostgreSQL via `make test-postgres`)."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from headway.accounts.models import Membership, Organisation, User
from headway.goals.models import AlignmentLink, CheckIn, Cycle, KeyResult, Objective, Theme
from headway.teams.models import Team, TeamMembership

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import SCALES, STORIES, generate  # noqa: E402
from bench.run import API, PAGES, PLANNED  # noqa: E402
from headway.discovery.models import PurposeAnswer, PurposeSurvey  # noqa: E402

XS = SCALES["XS"]


@pytest.fixture
def xs(db):
    return generate("XS", seed=7)


def _depths(organisation: Organisation) -> dict[int, int]:
    teams = Team.objects.filter(organisation=organisation).with_tree_fields()
    return {team.pk: team.tree_depth for team in teams}


def _rank(objective: Objective, depths: dict[int, int], home: dict[int, int]) -> float:
    """A team objective sits at its team's depth; a personal one just below its team."""
    if objective.owner_team_id is not None:
        return depths[objective.owner_team_id]
    return depths[home[objective.owner_user_id]] + 0.5


def test_the_generator_makes_the_counts_and_levels_of_the_scale(xs):
    organisation = xs.organisation
    assert organisation.slug == "bench-xs"
    assert Membership.objects.filter(organisation=organisation).count() == XS.people
    assert Objective.objects.filter(organisation=organisation).count() == XS.objectives
    assert KeyResult.objects.filter(organisation=organisation).count() == XS.key_results
    depths = _depths(organisation)
    assert len(depths) == XS.team_count
    assert sorted(depths.values()) == sorted(
        level for level, size in enumerate(XS.teams) for _ in range(size)
    )
    assert Team.objects.filter(organisation=organisation, parent=None).count() == 1
    links = AlignmentLink.objects.filter(organisation=organisation).count()
    assert XS.objectives - 2 <= links <= XS.links
    assert Theme.objects.filter(organisation=organisation).exists()
    kinds = {c.kind: c for c in Cycle.objects.filter(organisation=organisation)}
    assert set(kinds) == {"annual", "quarter"}
    # About 12 weekly check-ins per key result.
    checkins = CheckIn.objects.filter(organisation=organisation).count()
    assert XS.key_results * 10 <= checkins <= XS.key_results * XS.weeks
    assert xs.counts["checkins"] == checkins
    # A closed purpose survey whose answers come from the top levels' teams, or none.
    survey = PurposeSurvey.objects.get(organisation=organisation)
    assert survey.closed_at is not None
    answers = PurposeAnswer.objects.filter(survey=survey)
    assert answers.count() == XS.survey_answers
    assert {a.team_id for a in answers} - {None} <= set(survey.teams.values_list("pk", flat=True))


def test_every_kind_and_every_story_is_there(xs):
    assert set(xs.stories) == set(STORIES)
    assert set(xs.kinds) == {"increase", "decrease", "milestone", "maintain"}
    krs = list(KeyResult.objects.filter(organisation=xs.organisation))
    values = defaultdict(list)
    for kr_id, value in (
        CheckIn.objects.filter(organisation=xs.organisation)
        .order_by("created_at")
        .values_list("key_result_id", "value")
    ):
        values[kr_id].append(value)
    numeric = [kr for kr in krs if kr.kind == "increase"]
    assert any(kr.progress_raw > 1.2 for kr in numeric), "over-achieving"
    assert any(kr.progress_raw < 0 for kr in numeric), "declining"
    assert any(kr.confidence == 9 and kr.progress < 0.3 for kr in numeric), "watermelon"
    assert any(len(set(values[kr.pk][-5:])) == 1 and kr.progress < 0.5 for kr in numeric), "stalled"
    assert any(
        any(b < a for a, b in zip(values[kr.pk], values[kr.pk][1:], strict=False))
        and kr.progress >= 0.8
        for kr in numeric
    ), "recovered"
    assert any(0.8 <= kr.progress < 1 and kr.confidence >= 7 for kr in numeric), "steady"
    milestones = [kr.progress for kr in krs if kr.kind == "milestone"]
    assert 1.0 in milestones and 0.0 in milestones
    breached_once = [
        kr
        for kr in krs
        if kr.kind == "maintain"
        and kr.progress == 1.0
        and sum(
            (v < kr.target_value) if kr.direction == "above" else (v > kr.target_value)
            for v in values[kr.pk]
        )
        == 1
    ]
    assert breached_once, "a maintain key result breached once"


def test_links_only_go_up_the_tree_within_enclosing_cycles(xs):
    organisation = xs.organisation
    depths = _depths(organisation)
    # A person's first team membership is their home team (later ones are extra teams).
    home = dict(
        TeamMembership.objects.filter(organisation=organisation)
        .order_by("-pk")
        .values_list("user_id", "team_id")
    )
    objectives = {
        o.pk: o for o in Objective.objects.filter(organisation=organisation).select_related("cycle")
    }
    edges = defaultdict(set)
    links = AlignmentLink.objects.filter(organisation=organisation).select_related(
        "parent_key_result"
    )
    kinds = set()
    for link in links:
        kinds.add(link.kind)
        child = objectives[link.child_id]
        if link.parent_theme_id:
            assert child.owner_team_id and depths[child.owner_team_id] <= 1
            continue
        parent_id = link.parent_objective_id or link.parent_key_result.objective_id
        parent = objectives[parent_id]
        assert _rank(parent, depths, home) < _rank(child, depths, home)
        assert parent.cycle.start_date <= child.cycle.start_date
        assert child.cycle.end_date <= parent.cycle.end_date
        edges[child.pk].add(parent.pk)
    assert "contributes" in kinds
    # No loops: a depth-first walk up from every objective never comes back to it.
    for start in objectives:
        stack, seen = list(edges[start]), set()
        while stack:
            node = stack.pop()
            assert node != start
            if node not in seen:
                seen.add(node)
                stack.extend(edges[node])


def test_stored_progress_equals_the_check_ins(xs):
    out = StringIO()
    call_command("recompute", "--verify", "--org", xs.organisation.slug, stdout=out)
    assert "No difference" in out.getvalue()


def test_generating_again_replaces_the_organisation_and_its_people(xs):
    again = generate("XS", seed=8)
    assert Organisation.objects.filter(slug="bench-xs").count() == 1
    assert again.organisation.pk != xs.organisation.pk
    assert User.objects.filter(email__endswith="@bench-xs.bench.invalid").count() == XS.people
    assert not Objective.objects.filter(organisation_id=xs.organisation.pk).exists()


def test_the_command_generates_and_prints_the_counts(db):
    out = StringIO()
    call_command("bench", "generate", "--scale", "XS", "--org", "bench-cli", stdout=out)
    assert "people 20, teams 5, levels 3" in out.getvalue()
    assert Organisation.objects.filter(slug="bench-cli").exists()


def test_the_runner_writes_every_figure(db, tmp_path):
    path = tmp_path / "bench.json"
    out = StringIO()
    call_command(
        *("bench", "run", "--scale", "XS", "--repeat", "1", "--warmup", "0", "--bulk", "20"),
        *("--no-http", "--json", str(path), "--import-objectives", "20"),
        stdout=out,
    )
    report = json.loads(path.read_text())
    figures = report["figures"]
    expected = {
        "recompute_full",
        "checkin_e2e",
        "alignment_health",
        "coach_all",
        "flags_forecasts",
        "flags_refresh",
        "forecast_one",
        "purpose_analysis",
        "leader_brief",
        "bulk_create_1000x3",
        "import_50k",
        "http_checkin_throughput",
        "web_worker_peak_rss",
        "runner_peak_rss",
        *(key for key, _, _ in PAGES),
        *(key for key, _, _ in API),
        *(key for key, _, _ in PLANNED),
    }
    assert set(figures) == expected
    assert report["meta"]["scale"] == "XS"
    assert report["meta"]["counts"]["objectives"] == XS.objectives
    assert not [key for key, figure in figures.items() if figure["status"] == "error"]
    assert figures["recompute_full"]["differences"] == 0
    for key in ("recompute_full", "checkin_e2e", "bulk_create_1000x3", "api_teams"):
        assert figures[key]["p50_ms"] > 0, key
    assert figures["purpose_analysis"]["answers"] == XS.survey_answers
    assert figures["purpose_analysis"]["clusters"] >= 1
    assert figures["leader_brief"]["p50_ms"] > 0 and figures["leader_brief"]["figures"] > 10
    assert figures["http_checkin_throughput"]["status"] == "skipped"
    # 20 objectives, 200 rows: imported, checked against the check-ins, rolled back.
    imported = figures["import_50k"]
    assert (imported["rows"], imported["differences"], imported["status"]) == (200, 0, "measured")
    assert imported["created"]["checkins"] == 120 and imported["p50_ms"] > 0
    assert not Organisation.objects.filter(slug="bench-import").exists()
    assert "| Figure" in out.getvalue()
    # The check-ins it made went through the roll-up: stored progress still holds.
    verify = StringIO()
    call_command("recompute", "--verify", "--org", "bench-xs", stdout=verify)
    assert "No difference" in verify.getvalue()
