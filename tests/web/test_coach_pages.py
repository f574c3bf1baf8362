"""The coach's pages: the organisation summary, one objective's notes, and the quality
markers on the team page. Visibility as everywhere: private objectives a member may
not see are counted as "private" and never shown; outsiders get 404."""

from __future__ import annotations

from django.test import Client

from headway.goals import services
from tests.conftest import logged_in
from tests.web.conftest import Okrs
from tests.web.test_csp import assert_strict_page
from tests.web.test_goals_pages import objectives_of, page, queries_for, text

HTMX = {"HX-Request": "true"}


def summary(okrs: Okrs, cycle: int | None = None) -> str:
    return okrs.url("coach/") + (f"?cycle={cycle}" if cycle else "")


def section(html: str, start: str, end: str = "</section>") -> str:
    at = html.index(start)
    return text(html[at : html.index(end, at)])


def add_key_results(okrs: Okrs, first: int, last: int) -> None:
    for n in range(first, last):
        services.key_result_create(
            member=okrs.world.bob,
            objective=okrs.platform,
            title=f"Published case studies {n}" if n % 2 else f"Weekly active shippers {n}",
            start_value=0,
            target_value=10,
            unit="studies" if n % 2 else "shippers",
        )


# --------------------------------------------------------------------------- summary


def test_the_summary_opens_from_the_nav_for_every_member_with_a_strict_policy(
    okrs: Okrs,
) -> None:
    assert 'href="/o/acme/coach/"' in page(logged_in(okrs.world.dave), okrs.url())
    for persona in (okrs.world.alice, okrs.world.bob, okrs.world.dave):
        response = logged_in(persona).get(summary(okrs))
        assert response.status_code == 200
        assert_strict_page(response)


def test_outsiders_get_404_and_strangers_the_login_page(okrs: Okrs) -> None:
    charlie = logged_in(okrs.world.charlie)
    for url in (summary(okrs), okrs.url(f"coach/objectives/{okrs.platform.pk}/")):
        assert charlie.get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert charlie.get(f"/o/globex/coach/objectives/{okrs.platform.pk}/").status_code == 404


def test_it_shows_the_outcome_share_per_team_and_per_level(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.alice), summary(okrs))
    figures = section(html, 'id="coach-figures-title"')
    # This quarter: Platform's "Deploys a week" (counted in deploys) reads as an output,
    # "Incidents a month" as an outcome; bob's milestone "Give a talk" as an output.
    assert "Key results checked 3" in figures
    assert "Read as outcomes 33% (1)" in figures
    assert "Read as outputs 2" in figures
    levels = section(html, 'id="coach-levels-title"')
    assert "Level 1 1 2 1 1 0 50%" in levels
    assert "Personal objectives — 1 0 1 0 0%" in levels
    teams = section(html, 'id="coach-teams-title"')
    assert "Platform 1 2 1 0 50%" in teams
    assert 'href="/o/acme/teams/platform/"' in html


def test_the_findings_per_team_name_the_key_result_and_suggest_a_rewrite(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.alice), summary(okrs))
    notes = section(html, 'id="coach-findings-title"', "</main>")
    assert "Platform Ship without fear Deploys a week reads as an output" in notes
    assert "Check this: This reads like an output" in notes  # icon and words, not colour
    assert "Keep “Deploys a week” as an initiative" in notes
    assert "Grow as an engineer" in notes  # one key result only
    assert f'href="/o/acme/coach/objectives/{okrs.platform.pk}/"' in html


def test_private_objectives_are_counted_not_shown(okrs: Okrs) -> None:
    url = summary(okrs, okrs.year.pk)
    bob = page(logged_in(okrs.world.bob), url)
    assert "Buy a competitor" not in bob and "Signed term sheets" not in bob
    assert "+ 1 private" in text(bob)
    assert "1 private objective you cannot see is counted below" in text(bob)
    assert "Key results checked 1" in section(bob, 'id="coach-figures-title"')
    alice = page(logged_in(okrs.world.alice), url)
    assert "Buy a competitor" in alice and "private objective" not in text(alice)
    assert "Key results checked 2" in section(alice, 'id="coach-figures-title"')


def test_the_cycle_picker_swaps_the_body_over_htmx_and_works_without(okrs: Okrs) -> None:
    client = logged_in(okrs.world.alice)
    partial = page(client, summary(okrs, okrs.year.pk))
    assert "Outcomes in FY" in partial
    response = client.get(summary(okrs, okrs.year.pk), headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="coach-body">') and "<html" not in body
    # An unknown cycle falls back to the running one.
    assert "Outcomes in This quarter" in page(client, okrs.url("coach/?cycle=nope"))


def test_the_summary_runs_the_same_queries_for_3_and_30_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    add_key_results(okrs, 0, 1)  # with the two of the fixture: 3
    small = queries_for(client, summary(okrs))
    add_key_results(okrs, 1, 28)
    assert queries_for(client, summary(okrs)) == small
    assert "Key results checked 31" in text(page(client, summary(okrs)))


# --------------------------------------------------------------------------- one objective


def test_an_objectives_notes_show_each_key_result_with_its_rewrite(okrs: Okrs) -> None:
    url = okrs.url(f"coach/objectives/{okrs.platform.pk}/")
    response = logged_in(okrs.world.bob).get(url)
    assert_strict_page(response)
    html = response.content.decode()
    deploys = section(html, f'id="coach-kr-{okrs.deploys.pk}"', "</article>")
    assert "Deploys a week reads as an output" in deploys
    assert "Reduce lead time from merge to production" in deploys
    assert "Edit this key result" in deploys
    incidents = section(html, f'id="coach-kr-{okrs.incidents.pk}"', "</article>")
    assert "Incidents a month outcome" in incidents and "No unit" in incidents
    assert "nothing to add" in section(html, 'id="coach-objective"')
    # Viewers read the notes but are not offered the edit link.
    assert "Edit this key result" not in page(logged_in(okrs.world.dave), url)


def test_a_private_objectives_notes_are_404_for_those_who_cannot_see_it(okrs: Okrs) -> None:
    url = okrs.url(f"coach/objectives/{okrs.secret.pk}/")
    assert logged_in(okrs.world.bob).get(url).status_code == 404
    assert "Signed term sheets" in page(logged_in(okrs.world.alice), url)


# --------------------------------------------------------------------------- team page


def test_the_team_page_marks_objectives_with_findings_and_links_the_details(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.bob), okrs.url("teams/platform/"))
    objectives = objectives_of(html)
    marker = section(objectives, 'class="coach-marker', "</aside>")
    assert "⚠ Coach: 2 notes." in marker  # an icon and words, never colour alone
    assert "Deploys a week — check this: This reads like an output" in marker
    assert "Incidents a month — tip: No unit" in marker
    details = f"/o/acme/coach/objectives/{okrs.platform.pk}/"
    assert f'href="{details}#coach-kr-{okrs.deploys.pk}"' in objectives
    assert f'href="{details}"' in objectives
    assert 'href="/o/acme/coach/?cycle=' in html  # the organisation summary


def test_the_team_page_warns_past_five_objectives_a_cycle(okrs: Okrs) -> None:
    for n in range(5):
        services.objective_create(
            member=okrs.world.bob,
            cycle_id=okrs.quarter.pk,
            owner_team_id=okrs.world.platform.pk,
            title=f"Objective {n}",
            key_results=[
                {"title": "Weekly active shippers", "start_value": 1, "target_value": 2},
                {
                    "title": "Churned shippers",
                    "start_value": 2,
                    "target_value": 1,
                    "kind": "decrease",
                },
            ],
        )
    html = page(logged_in(okrs.world.bob), okrs.url("teams/platform/"))
    assert "6 objectives in This quarter: with more than five" in text(objectives_of(html))


def test_the_team_page_runs_the_same_queries_for_3_and_30_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url("teams/platform/")
    add_key_results(okrs, 0, 1)
    small = queries_for(client, url)
    add_key_results(okrs, 1, 28)
    assert queries_for(client, url) == small
    assert "Published case studies 27" in objectives_of(page(client, url))


def test_the_team_page_partial_carries_the_markers(okrs: Okrs) -> None:
    response = logged_in(okrs.world.bob).get(okrs.url("teams/platform/"), headers=HTMX)
    body = response.content.decode()
    assert "<html" not in body and "coach-marker" in body


def test_a_large_organisation_gets_its_notes_one_team_at_a_time(okrs: Okrs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("headway.web.views.coach.NOTES_INLINE", 1)
    client = logged_in(okrs.world.alice)
    html = page(client, summary(okrs))
    notes = section(html, 'id="coach-findings-title"', "</main>")
    assert "choose a team to read its notes" in notes
    assert "Keep “Deploys a week”" not in notes and "Give a talk" not in notes
    assert f"?cycle={okrs.quarter.pk}&amp;team=platform#coach-team-{okrs.world.platform.pk}" in html
    chosen = page(client, summary(okrs) + f"?cycle={okrs.quarter.pk}&team=platform")
    notes = section(chosen, 'id="coach-findings-title"', "</main>")
    assert "Keep “Deploys a week”" in notes and "Give a talk" not in notes
    personal = page(client, summary(okrs) + f"?cycle={okrs.quarter.pk}&team=%7Epersonal")
    assert "Give a talk" in section(personal, 'id="coach-findings-title"', "</main>")
