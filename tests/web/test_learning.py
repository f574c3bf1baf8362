"""The course-correction pages: record a pivot, adjust a target, the learning logs, and
the pivots under each key result on the objective page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from headway.accounts.models import Role
from headway.goals import services
from headway.goals.models import (
    Initiative,
    KeyResult,
    KeyResultStatus,
    Pivot,
    TargetChange,
)
from headway.insights.models import Flag, FlagKind
from tests.conftest import logged_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.web.conftest import Okrs, error_of, goals_snapshot
from tests.web.test_csp import assert_strict_page

HTMX = {"HX-Request": "true"}
TEXTS = {
    "tried": "Canary releases on Fridays",
    "learned": "Nobody watches the canary on Fridays",
    "next_step": "Canary on Tuesdays with a watcher",
}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def page(client: Client, url: str, status: int = 200, **extra: Any) -> str:
    response = client.get(url, **extra)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def pivot_url(okrs: Okrs, key_result: KeyResult) -> str:
    return okrs.url(f"key-results/{key_result.pk}/pivot/")


def target_url(okrs: Okrs, key_result: KeyResult) -> str:
    return okrs.url(f"key-results/{key_result.pk}/target/")


def record(member: Any, key_result: KeyResult, **extra: Any) -> Pivot:
    return services.pivot_record(member=member, key_result_id=key_result.pk, **{**TEXTS, **extra})


def state() -> dict[str, Any]:
    return {
        **goals_snapshot(),
        "pivots": list(Pivot.objects.values_list("pk")),
        "target changes": list(TargetChange.objects.values_list("pk")),
        "flags": sorted(Flag.objects.values_list("pk", "pivot_id")),
    }


def flag_on(key_result: KeyResult, **extra: Any) -> Flag:
    return Flag.objects.create(
        organisation_id=key_result.organisation_id,
        key_result=key_result,
        kind=FlagKind.STALL,
        reason="Deploys a week has not moved over 3 check-ins while 20 points behind pace.",
        **extra,
    )


# ------------------------------------------------------------------ the pivot form


def test_the_pivot_form_shows_the_key_result_now_and_its_fields(okrs: Okrs) -> None:
    services.initiative_create(
        member=okrs.world.bob, title="Manual checklist", key_result_ids=[okrs.deploys.pk]
    )
    response = logged_in(okrs.world.bob).get(pivot_url(okrs, okrs.deploys))
    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert "<h1>Record a pivot</h1>" in html
    assert "Deploys a week" in html and "5 deploys" in html  # the value now
    for name in ("tried", "learned", "next_step", "new_target", "target_reason"):
        assert f'name="{name}"' in html, name
    assert 'name="start_initiatives"' in html
    assert "Manual checklist (planned)" in html  # an initiative that can be stopped
    assert "Leave empty to keep the target of 10 deploys." in html


def test_the_pivot_form_shows_the_flag_it_answers(okrs: Okrs) -> None:
    flag = flag_on(okrs.deploys)
    html = page(logged_in(okrs.world.bob), pivot_url(okrs, okrs.deploys) + f"?flag={flag.pk}")
    assert "The flag this pivot answers" in html
    assert "has not moved over 3 check-ins" in html
    assert f'name="flag_id" value="{flag.pk}"' in html


def test_a_flag_of_another_key_result_is_not_shown(okrs: Okrs) -> None:
    other = flag_on(okrs.incidents)
    html = page(logged_in(okrs.world.bob), pivot_url(okrs, okrs.deploys) + f"?flag={other.pk}")
    assert "The flag this pivot answers" not in html
    assert f'value="{other.pk}"' not in html
    page(logged_in(okrs.world.bob), pivot_url(okrs, okrs.deploys) + "?flag=nonsense")


def test_a_flag_another_pivot_answered_is_shown_but_not_linked_again(okrs: Okrs) -> None:
    flag = flag_on(okrs.deploys)
    first = record(okrs.world.bob, okrs.deploys, flag_id=flag.pk)
    client = logged_in(okrs.world.bob)
    url = pivot_url(okrs, okrs.deploys) + f"?flag={flag.pk}"
    html = page(client, url)
    assert "Another pivot already answers this flag" in html
    assert f'name="flag_id" value="{flag.pk}"' not in html
    assert client.post(url, {**TEXTS, "flag_id": ""}).status_code == 302
    assert Flag.objects.get(pk=flag.pk).pivot == first
    assert Pivot.objects.count() == 2


def test_recording_a_pivot_returns_to_the_key_result_with_a_message(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    old = services.initiative_create(
        member=okrs.world.bob, title="Manual checklist", key_result_ids=[okrs.deploys.pk]
    )
    flag = flag_on(okrs.deploys)
    response = client.post(
        pivot_url(okrs, okrs.deploys),
        {
            **TEXTS,
            "flag_id": flag.pk,
            "new_target": "8",
            "target_reason": "10 was a guess",
            "start_initiatives": "Automate the checklist\r\n\r\nPair on deploys\r\n",
            "stop_initiative_ids": [old.pk],
        },
    )
    target = f"/o/acme/objectives/{okrs.platform.pk}/#kr-{okrs.deploys.pk}"
    assert response.status_code == 302 and response["Location"] == target
    recorded = Pivot.objects.get()
    assert recorded.author == okrs.world.bob.user and recorded.tried == TEXTS["tried"]
    assert Flag.objects.get(pk=flag.pk).pivot == recorded
    assert KeyResult.objects.get(pk=okrs.deploys.pk).target_value == 8
    assert Initiative.objects.get(pk=old.pk).status == Initiative.Status.DROPPED
    assert set(Initiative.objects.exclude(pk=old.pk).values_list("title", flat=True)) == {
        "Automate the checklist",
        "Pair on deploys",
    }
    html = page(client, target)
    assert "Pivot recorded on “Deploys a week”: Canary on Tuesdays with a watcher" in html


def test_a_pivot_goes_back_to_next_only_inside_the_site(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = pivot_url(okrs, okrs.deploys)
    response = client.post(url, {**TEXTS, "next": "/o/acme/learning/"})
    assert response["Location"] == "/o/acme/learning/"
    response = client.post(url, {**TEXTS, "next": "https://evil.example/"})
    assert response["Location"].startswith(f"/o/acme/objectives/{okrs.platform.pk}/")
    assert 'name="next" value="/o/acme/teams/platform/"' in page(
        client, url + "?next=/o/acme/teams/platform/"
    )


def test_errors_show_next_to_their_fields_and_nothing_is_written(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    before = state()
    response = client.post(
        pivot_url(okrs, okrs.deploys),
        {"tried": "", "learned": "Something", "next_step": "", "new_target": "8"},
    )
    assert response.status_code == 422
    assert error_of(response, "tried") == "Say what you tried."
    assert error_of(response, "next_step") == "Say what you will try next."
    assert "Overrides without a reason are refused" in error_of(response, "target_reason")
    assert 'value="8"' in response.content.decode()  # what was typed stays
    assert state() == before


def test_a_refusal_about_the_key_result_itself_is_shown_above_the_form(okrs: Okrs) -> None:
    KeyResult.objects.filter(pk=okrs.deploys.pk).update(status=KeyResultStatus.DROPPED)
    response = logged_in(okrs.world.bob).post(pivot_url(okrs, okrs.deploys), TEXTS)
    assert response.status_code == 422
    assert "This key result was dropped" in response.content.decode()
    assert not Pivot.objects.exists()


def test_a_viewer_may_not_open_or_post_the_course_correction_forms(okrs: Okrs) -> None:
    client = logged_in(okrs.world.dave)
    before = state()
    for url in (pivot_url(okrs, okrs.deploys), target_url(okrs, okrs.deploys)):
        assert client.get(url).status_code == 403
        assert client.post(url, {**TEXTS, "new_target": 8, "reason": "x"}).status_code == 403
    assert state() == before


def test_the_outsider_gets_404_on_the_course_correction_forms(okrs: Okrs) -> None:
    client = logged_in(okrs.world.charlie)
    before = state()
    for url in (pivot_url(okrs, okrs.deploys), target_url(okrs, okrs.deploys)):
        assert client.get(url).status_code == 404
        assert client.post(url, {**TEXTS, "new_target": 8, "reason": "x"}).status_code == 404
    assert state() == before


def test_a_member_of_another_team_may_not_pivot_on_its_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    response = client.get(pivot_url(okrs, okrs.revenue))
    assert response.status_code == 403
    assert "record pivots only on your own key results" in response.content.decode()
    assert client.post(pivot_url(okrs, okrs.revenue), TEXTS).status_code == 403
    assert not Pivot.objects.exists()


def test_the_key_results_owner_outside_the_team_pivots_without_moving_the_target(
    okrs: Okrs,
) -> None:
    erin = MembershipFactory(
        organisation=okrs.world.acme, user=UserFactory(email="erin@acme.test"), role=Role.MEMBER
    )
    KeyResult.objects.filter(pk=okrs.deploys.pk).update(owner=erin.user)
    client = logged_in(erin)
    html = page(client, pivot_url(okrs, okrs.deploys))
    assert 'name="new_target"' not in html
    assert "Only people of the objective's team and admins can move its target." in html
    assert client.get(target_url(okrs, okrs.deploys)).status_code == 403
    assert client.post(pivot_url(okrs, okrs.deploys), TEXTS).status_code == 302
    assert Pivot.objects.get().author == erin.user


def test_a_milestone_pivot_has_no_target_to_move(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    html = page(client, pivot_url(okrs, okrs.rust))
    assert 'name="new_target"' not in html and 'name="target_reason"' not in html
    assert "A milestone is done or not" in page(client, target_url(okrs, okrs.rust))


# ------------------------------------------------------------------ adjusting the target


def test_adjusting_the_target_keeps_the_history_and_recomputes_progress(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    html = page(client, target_url(okrs, okrs.deploys))
    assert "<h1>Adjust the target</h1>" in html
    assert "The target has not moved since the key result was set up (10 deploys)." in html
    response = client.post(
        target_url(okrs, okrs.deploys), {"new_target": "6", "reason": "Half the team left"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/objectives/{okrs.platform.pk}/#kr-{okrs.deploys.pk}"
    deploys = KeyResult.objects.get(pk=okrs.deploys.pk)
    assert deploys.target_value == 6
    assert deploys.progress == pytest.approx((5 - 2) / (6 - 2))
    assert services.recompute_all(write=False) == []
    message = page(client, okrs.url(f"objectives/{okrs.platform.pk}/"))
    assert "The target of “Deploys a week” moved from 10 deploys to 6 deploys" in message
    html = page(client, target_url(okrs, okrs.deploys))
    history = text(html[html.index('id="target-history"') :])
    assert "10 deploys 6 deploys Half the team left Bob" in history


def test_a_target_change_without_a_reason_is_refused_next_to_the_field(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    before = state()
    response = client.post(target_url(okrs, okrs.deploys), {"new_target": "6", "reason": " "})
    assert response.status_code == 422
    assert error_of(response, "reason").startswith("Overrides without a reason are refused")
    response = client.post(target_url(okrs, okrs.deploys), {"new_target": "ten", "reason": "x"})
    assert "is not a number" in error_of(response, "new_target")
    assert state() == before


# ------------------------------------------------------------------ the objective page


def test_the_objective_page_lists_pivots_and_offers_the_actions(okrs: Okrs) -> None:
    for n in range(4):
        record(okrs.world.bob, okrs.deploys, learned=f"Lesson {n}")
    html = page(logged_in(okrs.world.bob), okrs.url(f"objectives/{okrs.platform.pk}/"))
    card = html[
        html.index(f'id="kr-{okrs.deploys.pk}"') : html.index(f'id="kr-{okrs.incidents.pk}"')
    ]
    assert "Pivots (4)" in card
    assert "Lesson 3" in card and "Lesson 1" in card and "Lesson 0" not in card
    assert "All 4 pivots in the learning log" in card
    assert f'href="{pivot_url(okrs, okrs.deploys)}"' in card
    assert f'href="{target_url(okrs, okrs.deploys)}"' in card
    other = html[html.index(f'id="kr-{okrs.incidents.pk}"') :]
    assert "Pivots (" not in other.split("</article>")[0]


def test_a_viewer_sees_pivots_but_no_course_correction_buttons(okrs: Okrs) -> None:
    record(okrs.world.bob, okrs.deploys)
    html = page(logged_in(okrs.world.dave), okrs.url(f"objectives/{okrs.platform.pk}/"))
    assert "Pivots (1)" in html
    assert "/pivot/" not in html and "/target/" not in html


def test_a_dropped_key_result_offers_no_course_correction(okrs: Okrs) -> None:
    KeyResult.objects.filter(pk=okrs.incidents.pk).update(status=KeyResultStatus.DROPPED)
    html = page(logged_in(okrs.world.bob), okrs.url(f"objectives/{okrs.platform.pk}/"))
    assert pivot_url(okrs, okrs.deploys) in html
    assert pivot_url(okrs, okrs.incidents) not in html


def queries_for(client: Client, url: str, **extra: Any) -> int:
    client.get(url, **extra)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **extra).status_code == 200
    return len(captured)


def add_pivots(okrs: Okrs, count: int) -> None:
    for n in range(count):
        key_result = okrs.deploys if n % 2 else okrs.incidents
        flag = flag_on(key_result, resolved_at=timezone.now()) if n % 3 == 0 else None
        record(
            okrs.world.bob,
            key_result,
            tried=f"Attempt {n}",
            flag_id=flag.pk if flag else None,
            start_initiatives=[f"Work {n}"],
        )
        services.key_result_target_change(
            member=okrs.world.bob, key_result_id=okrs.deploys.pk, new_target=11 + n, reason="More"
        )


def test_the_objective_page_runs_the_same_queries_for_3_and_30_pivots(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/")
    add_pivots(okrs, 3)
    small = queries_for(client, url)
    add_pivots(okrs, 27)
    assert queries_for(client, url) == small


# ------------------------------------------------------------------ the learning logs


def test_the_organisation_log_shows_each_pivot_with_its_story_and_aftermath(okrs: Okrs) -> None:
    flag = flag_on(okrs.deploys)
    record(okrs.world.bob, okrs.deploys, flag_id=flag.pk, new_target=8, target_reason="Scope")
    services.checkin_create(
        member=okrs.world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7
    )
    response = logged_in(okrs.world.dave).get(okrs.url("learning/"))
    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert re.search(r'<a href="/o/acme/learning/"\s+aria-current="page">Learning</a>', html)
    entry = text(html[html.index('class="card learning-entry"') :])
    for expected in (
        "pivot Deploys a week",
        "Ship without fear",
        "Platform",
        "Bob",
        "What we tried Canary releases on Fridays",
        "What we learned Nobody watches the canary on Fridays",
        "What we try next Canary on Tuesdays with a watcher",
        "Answering the flag Stalled measure Deploys a week has not moved",
        "Target moved from 10 deploys to 8 deploys: Scope",
        # 5 of 2 → 10 was 38 %; 6 of 2 → 8 is 67 %.
        "Since then: 38% → 67% (+29 points), 1 check-in · value 5 deploys → 6 deploys",
    ):
        assert expected in entry, expected


def test_the_team_log_includes_sub_teams_and_is_linked_from_the_team_page(okrs: Okrs) -> None:
    squad = TeamFactory(
        organisation=okrs.world.acme, name="Squad", slug="squad", parent=okrs.world.platform
    )
    objective = services.objective_create(
        member=okrs.world.alice,
        cycle_id=okrs.quarter.pk,
        owner_team_id=squad.pk,
        title="Faster pipelines",
        key_results=[{"title": "Build minutes", "start_value": 1, "target_value": 5}],
    )
    record(okrs.world.alice, objective.key_results.get(), tried="Bigger runners")
    record(okrs.world.bob, okrs.deploys, tried="Canary releases")
    record(okrs.world.alice, okrs.revenue, tried="Cold calls")
    client = logged_in(okrs.world.bob)
    assert 'href="/o/acme/teams/platform/learning/"' in page(client, okrs.url("teams/platform/"))
    html = page(client, okrs.url("teams/platform/learning/"))
    assert "What Platform learned" in html
    assert "Bigger runners" in html and "Canary releases" in html
    assert "Cold calls" not in html
    assert "Cold calls" in page(client, okrs.url("teams/acme/learning/"))
    assert page(client, okrs.url("teams/nope/learning/"), status=404)


def test_a_private_objectives_pivots_are_hidden_from_other_teams(okrs: Okrs) -> None:
    record(okrs.world.alice, okrs.secret.key_results.get(), tried="Talked to Initech")
    for persona in ("bob", "dave"):
        client = logged_in(getattr(okrs.world, persona))
        assert "Initech" not in page(client, okrs.url("learning/"))
        assert "Initech" not in page(client, okrs.url("teams/acme/learning/?q=initech"))
    assert "Initech" in page(logged_in(okrs.world.alice), okrs.url("learning/"))


def test_the_outsider_gets_404_on_the_logs(okrs: Okrs) -> None:
    record(okrs.world.bob, okrs.deploys)
    client = logged_in(okrs.world.charlie)
    for url in (okrs.url("learning/"), okrs.url("teams/platform/learning/")):
        response = client.get(url)
        assert response.status_code == 404
        assert "Canary" not in response.content.decode()


def test_the_log_searches_and_htmx_gets_only_the_list(okrs: Okrs) -> None:
    record(okrs.world.bob, okrs.deploys)
    record(okrs.world.bob, okrs.incidents, tried="Paging rota", learned="Noisy", next_step="Mute")
    client = logged_in(okrs.world.bob)
    html = page(client, okrs.url("learning/?q=CANARY"))
    assert 'value="CANARY"' in html and "Canary releases" in html and "Paging rota" not in html
    assert "1 entry matching “CANARY”" in text(html)
    # The search box works without JavaScript: a plain GET form to the same page.
    assert re.search(r'<form method="get" action="/o/acme/learning/"[^>]*hx-get=', html)
    fragment = page(client, okrs.url("learning/?q=paging"), headers=HTMX)
    assert fragment.lstrip().startswith('<div id="learning-entries">')
    assert "<html" not in fragment and "Paging rota" in fragment and "Canary" not in fragment
    assert "Nothing matches" in page(client, okrs.url("learning/?q=zebra"), headers=HTMX)


def test_the_log_filters_by_cycle(okrs: Okrs) -> None:
    record(okrs.world.bob, okrs.deploys, tried="Quarterly attempt")
    record(okrs.world.alice, okrs.revenue, tried="Yearly attempt")
    html = page(logged_in(okrs.world.alice), okrs.url(f"learning/?cycle={okrs.year.pk}"))
    assert "Yearly attempt" in html and "Quarterly attempt" not in html


def test_the_log_pages_and_keeps_the_search_in_the_links(okrs: Okrs) -> None:
    now = timezone.now()
    for n in range(25):
        recorded = record(okrs.world.bob, okrs.deploys, tried=f"Attempt {n:02d}")
        Pivot.objects.filter(pk=recorded.pk).update(created_at=now - dt.timedelta(hours=n))
    client = logged_in(okrs.world.bob)
    html = page(client, okrs.url("learning/?q=attempt"))
    assert "Attempt 00" in html and "Attempt 19" in html and "Attempt 20" not in html
    assert 'href="?q=attempt&amp;page=2"' in html
    html = page(client, okrs.url("learning/?q=attempt&page=2"))
    assert "Attempt 20" in html and "Attempt 24" in html and "Attempt 19" not in html


def test_closed_objectives_retrospectives_appear_in_the_log(okrs: Okrs) -> None:
    from headway.goals.models import Objective

    Objective.objects.filter(pk=okrs.company.pk).update(
        status="closed", retro_learned="References sell", retro_went_well="Two partners"
    )
    html = text(page(logged_in(okrs.world.bob), okrs.url("learning/")))
    assert "retrospective Win the mid-market" in html
    assert "What went well Two partners" in html and "What we learned References sell" in html


def test_the_logs_run_the_same_queries_for_3_and_30_pivots(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    urls = [okrs.url("learning/"), okrs.url("teams/platform/learning/?q=attempt")]
    add_pivots(okrs, 3)
    small = [queries_for(client, url) for url in urls]
    small.append(queries_for(client, urls[0], headers=HTMX))
    add_pivots(okrs, 27)
    large = [queries_for(client, url) for url in urls]
    large.append(queries_for(client, urls[0], headers=HTMX))
    assert large == small
