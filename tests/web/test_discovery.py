"""The discovery pages: the checklist, the sections, the ladder with and without
HTMX, the leaders, and who may write."""

from __future__ import annotations

from headway.discovery import services
from headway.discovery.models import DiscoveryLeader, DiscoveryRecord
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World, logged_in

from .conftest import error_of

ORG = "/o/acme/discovery/"
TEAM = "/o/acme/teams/platform/discovery/"


def _record(world: World, **fields: object) -> DiscoveryRecord:
    return services.discovery_record_save(member=world.alice, why_stated="To focus.", **fields)


def test_the_page_opens_blank_with_every_checklist_item_linking_to_its_section(
    world: World,
) -> None:
    response = logged_in(world.alice).get(ORG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ready to pilot?" in html
    for anchor in ("why", "champion", "pilot-teams", "time"):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    assert 'id="leaders"' in html and 'id="risks"' in html and 'id="notes"' in html


def test_it_is_linked_from_the_strategy_and_team_pages(world: World) -> None:
    client = logged_in(world.bob)
    assert ORG in client.get("/o/acme/strategy/").content.decode()
    assert TEAM in client.get("/o/acme/teams/platform/").content.decode()


def test_alice_saves_one_section_without_touching_the_others(world: World) -> None:
    _record(world, notes="Keep me")
    client = logged_in(world.alice)
    response = client.post(
        ORG,
        {
            "section": "champion",
            "version": "1",
            "champion": str(world.alice.user_id),
            "champion_seniority": "executive",
            "champion_hours_per_month": "6",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#champion")
    record = DiscoveryRecord.objects.get()
    assert (record.champion_id, record.champion_seniority, record.notes, record.version) == (
        world.alice.user_id,
        "executive",
        "Keep me",
        2,
    )


def test_errors_show_next_to_their_fields_and_nothing_is_written(world: World) -> None:
    _record(world)
    response = logged_in(world.alice).post(
        ORG,
        {
            "section": "time",
            "version": "1",
            "time_expectation": "",
            "time_expectation_agreed": "on",
        },
    )
    assert response.status_code == 422
    assert "Write down the time" in error_of(response, "time_expectation")
    assert DiscoveryRecord.objects.get().version == 1


def test_a_stale_form_is_refused_with_an_explanation(world: World) -> None:
    _record(world)
    services.discovery_record_save(member=world.alice, notes="Newer")
    response = logged_in(world.alice).post(ORG, {"section": "notes", "version": "1", "notes": "x"})
    assert response.status_code == 422
    assert "Someone changed this discovery record" in response.content.decode()
    assert DiscoveryRecord.objects.get().notes == "Newer"


def test_the_ladder_appends_without_javascript(world: World) -> None:
    _record(world)
    client = logged_in(world.alice)
    response = client.post(ORG + "followups/", {"answer": "Teams pull apart."})
    assert response.status_code == 302
    html = client.get(ORG).content.decode()
    assert "Why does that matter?" in html and "Teams pull apart." in html
    assert "What happens if nothing changes?" in html


def test_the_ladder_appends_with_htmx_and_answers_only_its_partial(world: World) -> None:
    _record(world)
    client = logged_in(world.alice)
    response = client.post(
        ORG + "followups/", {"answer": "Teams pull apart."}, HTTP_HX_REQUEST="true", follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="ladder">')
    assert "Teams pull apart." in html and "<html" not in html
    empty = client.post(ORG + "followups/", {"answer": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 422
    assert "Write the answer" in error_of(empty, "answer")


def test_output_is_escaped(world: World) -> None:
    _record(world, notes="<script>alert(1)</script>")
    html = logged_in(world.dave).get(ORG).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_leaders_are_added_and_removed(world: World) -> None:
    _record(world)
    client = logged_in(world.alice)
    response = client.post(
        ORG + "leaders/", {"user": str(world.bob.user_id), "role": "Head", "problem": "focus"}
    )
    assert response.status_code == 302
    leader = DiscoveryLeader.objects.get()
    assert leader.name == "Bob"
    assert "Bob" in client.get(ORG).content.decode()
    bad = client.post(ORG + "leaders/", {"name": "Eve", "problem": ""})
    assert bad.status_code == 422
    assert "Choose the problem" in error_of(bad, "problem")
    assert client.post(f"{ORG}leaders/{leader.pk}/remove/").status_code == 302
    assert not DiscoveryLeader.objects.exists()


def test_bob_reads_the_organisation_record_but_may_not_write_it(world: World) -> None:
    record = _record(world)
    leader = services.discovery_leader_add(
        member=world.alice, record_id=record.pk, name="Eve", problem="focus"
    )
    client = logged_in(world.bob)
    html = client.get(ORG).content.decode()
    assert "To focus." in html and 'name="section"' not in html
    assert client.post(ORG, {"section": "notes", "notes": "x"}).status_code == 403
    assert client.post(ORG + "followups/", {"answer": "x"}).status_code == 403
    assert client.post(ORG + "leaders/", {"name": "M", "problem": "focus"}).status_code == 403
    assert client.post(f"{ORG}leaders/{leader.pk}/remove/").status_code == 403
    assert DiscoveryRecord.objects.get().version == 1
    assert DiscoveryLeader.objects.count() == 1


def test_a_team_lead_writes_the_team_record(world: World) -> None:
    client = logged_in(world.bob)
    assert client.post(TEAM, {"section": "notes", "notes": "x"}).status_code == 403
    TeamMembership.objects.filter(user=world.bob.user).update(role=TeamRole.LEAD)
    response = client.post(TEAM, {"section": "notes", "version": "0", "notes": "Ours"})
    assert response.status_code == 302
    assert DiscoveryRecord.objects.get(team=world.platform).notes == "Ours"
    assert "Ours" in client.get(TEAM).content.decode()


def test_dave_the_viewer_reads_only(world: World) -> None:
    _record(world)
    client = logged_in(world.dave)
    assert client.get(ORG).status_code == 200
    assert client.get(TEAM).status_code == 200
    assert client.post(ORG, {"section": "notes", "notes": "x"}).status_code == 403


def test_the_outsider_gets_404_everywhere(world: World) -> None:
    record = _record(world)
    leader = services.discovery_leader_add(
        member=world.alice, record_id=record.pk, name="Eve", problem="focus"
    )
    client = logged_in(world.charlie)
    for url in (ORG, TEAM):
        assert client.get(url).status_code == 404
        assert client.post(url, {"section": "notes", "notes": "x"}).status_code == 404
    assert client.post(ORG + "followups/", {"answer": "x"}).status_code == 404
    assert client.post(f"/o/globex/discovery/leaders/{leader.pk}/remove/").status_code == 404
    assert DiscoveryLeader.objects.count() == 1


def test_choosing_more_than_three_pilot_teams_warns_to_start_small(world: World) -> None:
    from headway.teams.models import Team

    extra = [
        Team.objects.create(organisation=world.acme, name=f"T{n}", slug=f"t{n}", parent=world.root)
        for n in range(3)
    ]
    client = logged_in(world.alice)
    ids = [str(world.platform.pk), *(str(t.pk) for t in extra)]
    response = client.post(ORG, {"section": "pilot-teams", "version": "0", "pilot_teams": ids})
    assert response.status_code == 302
    html = client.get(ORG).content.decode()
    assert "start small" in html
    assert set(DiscoveryRecord.objects.get().pilot_teams.all()) == {world.platform, *extra}
