"""Creating, editing and deleting objectives, key results, initiatives and alignment links
through the web forms: who may, what bad input says, and stale edits."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.http import HttpResponse

from headway.goals import services
from headway.goals.models import AlignmentLink, Initiative, KeyResult, Objective
from tests.conftest import logged_in
from tests.web.conftest import Okrs, error_of, goals_snapshot

HTMX = {"HX-Request": "true"}


def objective_data(okrs: Okrs, **changes: Any) -> dict[str, Any]:
    data = {
        "title": "Make on-call boring",
        "description": "",
        "cycle_id": okrs.quarter.pk,
        "owner": f"team:{okrs.world.platform.pk}",
        "status": "active",
        "visibility": "public",
    }
    data.update(changes)
    return data


def kr_data(prefix: str = "", **changes: Any) -> dict[str, Any]:
    data = {
        "title": "Pages a week",
        "kind": "decrease",
        "start_value": "20",
        "target_value": "5",
        "direction": "above",
        "format": "number",
        "unit": "pages",
        "weight": "1",
        "owner_id": "",
    }
    data.update(changes)
    return {f"{prefix}{key}": value for key, value in data.items()}


def edit_data(okrs: Okrs, objective: Objective, **changes: Any) -> dict[str, Any]:
    data = objective_data(
        okrs,
        title=objective.title,
        cycle_id=objective.cycle_id,
        owner=f"team:{objective.owner_team_id}",
        version=objective.version,
    )
    data.update(changes)
    return data


def kr_edit_data(key_result: KeyResult, **changes: Any) -> dict[str, Any]:
    data = {
        "title": key_result.title,
        "kind": key_result.kind,
        "start_value": key_result.start_value,
        "target_value": key_result.target_value,
        "direction": key_result.direction,
        "format": key_result.format,
        "unit": key_result.unit,
        "weight": key_result.weight,
        "owner_id": key_result.owner_id or "",
        "status": key_result.status,
        "version": key_result.version,
    }
    data.update(changes)
    return data


@pytest.fixture
def writes(okrs: Okrs) -> dict[str, tuple[str, dict[str, Any]]]:
    """One valid request for every goals write of the web pages, as bob would send it."""
    initiative = services.initiative_create(
        member=okrs.world.bob, title="Canary releases", key_result_ids=[okrs.deploys.pk]
    )
    link = AlignmentLink.objects.get(child=okrs.platform)
    platform, deploys = okrs.platform, okrs.deploys
    return {
        "objective new": (okrs.url("objectives/new/"), objective_data(okrs)),
        "objective edit": (
            okrs.url(f"objectives/{platform.pk}/edit/"),
            edit_data(okrs, platform, title="Ship calmly"),
        ),
        "objective delete": (okrs.url(f"objectives/{platform.pk}/delete/"), {}),
        "key result new": (okrs.url(f"objectives/{platform.pk}/key-results/new/"), kr_data()),
        "key result edit": (
            okrs.url(f"key-results/{deploys.pk}/edit/"),
            kr_edit_data(deploys, title="Deploys to production a week"),
        ),
        "key result delete": (okrs.url(f"key-results/{deploys.pk}/delete/"), {}),
        "initiative new": (
            okrs.url(f"objectives/{platform.pk}/initiatives/new/"),
            {"title": "Chaos day", "status": "planned", "key_result_ids": [okrs.incidents.pk]},
        ),
        "initiative edit": (
            okrs.url(f"initiatives/{initiative.pk}/edit/"),
            {"title": "Canary releases", "status": "done", "key_result_ids": [deploys.pk]},
        ),
        "initiative delete": (okrs.url(f"initiatives/{initiative.pk}/delete/"), {}),
        "alignment new": (
            okrs.url(f"objectives/{platform.pk}/alignment/new/"),
            {"parent": f"theme:{okrs.theme.pk}", "kind": "supports", "weight": "1"},
        ),
        "alignment delete": (okrs.url(f"alignment/{link.pk}/delete/"), {}),
    }


# Who may write


def test_a_viewer_gets_403_on_every_goals_form_and_write(
    okrs: Okrs, writes: dict[str, tuple[str, dict[str, Any]]]
) -> None:
    client = logged_in(okrs.world.dave)
    before = goals_snapshot()
    for name, (url, data) in writes.items():
        assert client.get(url).status_code == 403, name
        assert client.post(url, data).status_code == 403, name
        assert client.post(url, data, headers=HTMX).status_code == 403, name
    assert goals_snapshot() == before


def test_the_outsider_gets_404_on_every_goals_write(
    okrs: Okrs, writes: dict[str, tuple[str, dict[str, Any]]]
) -> None:
    client = logged_in(okrs.world.charlie)
    before = goals_snapshot()
    for name, (url, data) in writes.items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, data).status_code == 404, name
        # Nor through Globex's own URLs (where a new objective is Globex's own business).
        if name != "objective new":
            globex_url = url.replace("/o/acme/", "/o/globex/")
            assert client.post(globex_url, data).status_code == 404, name
    assert goals_snapshot() == before


def test_a_member_of_another_team_gets_403_on_its_objective(okrs: Okrs) -> None:
    """Bob reads the root team's objective but may not change it."""
    client = logged_in(okrs.world.bob)
    before = goals_snapshot()
    company = okrs.company
    for url in [
        f"objectives/{company.pk}/edit/",
        f"objectives/{company.pk}/delete/",
        f"objectives/{company.pk}/key-results/new/",
        f"key-results/{okrs.revenue.pk}/edit/",
        f"objectives/{company.pk}/alignment/new/",
    ]:
        assert client.get(okrs.url(url)).status_code == 403, url
        assert client.post(okrs.url(url), {"title": "x"}).status_code == 403, url
    assert goals_snapshot() == before


WRITES = [
    "objective new",
    "objective edit",
    "objective delete",
    "key result new",
    "key result edit",
    "key result delete",
    "initiative new",
    "initiative edit",
    "initiative delete",
    "alignment new",
    "alignment delete",
]


@pytest.mark.parametrize("name", WRITES)
def test_each_refused_write_works_for_a_member_of_the_team(
    okrs: Okrs, writes: dict[str, tuple[str, dict[str, Any]]], name: str
) -> None:
    assert sorted(writes) == sorted(WRITES)
    url, data = writes[name]
    client = logged_in(okrs.world.bob)
    assert client.get(url).status_code == 200
    before = goals_snapshot()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert goals_snapshot() != before


# Objectives


def test_it_creates_an_objective_with_its_key_results_and_skips_empty_rows(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    data = {
        **objective_data(okrs),
        **kr_data("kr-0-"),
        **kr_data(
            "kr-1-", title="Talk launched", kind="milestone", start_value="", target_value=""
        ),
        **kr_data("kr-3-", title="Uptime", kind="maintain", start_value="", target_value="99.9"),
    }
    response = client.post(okrs.url("objectives/new/"), data)
    objective = Objective.objects.get(title="Make on-call boring")
    assert response["Location"] == okrs.url(f"objectives/{objective.pk}/")
    assert objective.owner_team == okrs.world.platform
    assert [(kr.title, kr.kind, kr.order) for kr in objective.key_results.all()] == [
        ("Pages a week", "decrease", 0),
        ("Talk launched", "milestone", 1),
        ("Uptime", "maintain", 2),
    ]
    html = client.get(response["Location"]).content.decode()
    assert "Objective “Make on-call boring” created." in html


def test_the_new_objective_form_explains_each_kind_and_preselects_the_team(okrs: Okrs) -> None:
    html = logged_in(okrs.world.bob).get(okrs.url("objectives/new/?team=platform")).content.decode()
    assert f'<option value="team:{okrs.world.platform.pk}" selected>' in html
    assert f'<option value="{okrs.quarter.pk}" selected>' in html
    assert html.count('key-result-fields">') == 5
    assert html.count('<details class="card more-key-results">') == 3  # closed until needed
    for words in ["should go up", "should go down", "Done or not done", "A level to hold"]:
        assert html.count(words) == 5, words
    # A member may give objectives to their own teams and themselves only.
    assert f'value="team:{okrs.world.root.pk}"' not in html
    assert f'value="user:{okrs.world.alice.user_id}"' not in html


def test_bad_objective_input_writes_nothing_and_says_why_next_to_each_field(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    before = goals_snapshot()
    data = {
        **objective_data(okrs, title="  ", owner=f"team:{okrs.world.root.pk}"),
        **kr_data("kr-0-", start_value="lots"),
        **kr_data("kr-1-", kind="increase", start_value="5", target_value="5"),
        **kr_data("kr-2-", kind="decrease", start_value="5", target_value="9", weight="0"),
    }
    response = client.post(okrs.url("objectives/new/"), data)
    assert response.status_code == 422
    assert "required" in error_of(response, "title")
    assert "Select a valid choice" in error_of(response, "owner")
    assert "Enter a number" in error_of(response, "kr-0-start_value")
    assert goals_snapshot() == before

    # Once the objective's own fields are right, the service checks the key results.
    data.update(objective_data(okrs), **{"kr-0-start_value": "20"})
    response = client.post(okrs.url("objectives/new/"), data)
    assert response.status_code == 422
    assert "must differ from the start" in error_of(response, "kr-1-target_value")
    assert "needs a target below its start" in error_of(response, "kr-2-target_value")
    assert "must be above 0" in error_of(response, "kr-2-weight")
    # The person's input stays in the form.
    assert 'value="Make on-call boring"' in response.content.decode()
    assert goals_snapshot() == before


def test_a_closed_cycle_is_refused_next_to_the_cycle(okrs: Okrs) -> None:
    okrs.year.status = "closed"
    okrs.year.save()
    response = logged_in(okrs.world.alice).post(
        okrs.url("objectives/new/"), objective_data(okrs, cycle_id=okrs.year.pk)
    )
    assert response.status_code == 422
    assert "Select a valid choice" in error_of(response, "cycle_id")


def test_it_edits_an_objective_and_bumps_its_version(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/edit/")
    html = client.get(url).content.decode()
    assert f'<input type="hidden" name="version" value="{okrs.platform.version}"' in html
    response = client.post(url, edit_data(okrs, okrs.platform, title="Ship calmly"))
    assert response.status_code == 302
    okrs.platform.refresh_from_db()
    assert okrs.platform.title == "Ship calmly"
    assert okrs.platform.version == 2


def test_a_stale_objective_edit_shows_the_conflict_with_the_current_values(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/edit/")
    opened = edit_data(okrs, okrs.platform, title="Ship calmly")
    # Alice saves first.
    services.objective_update(
        member=okrs.world.alice,
        objective=okrs.platform,
        version=okrs.platform.version,
        title="Ship boldly",
        description="Alice's take",
    )
    before = goals_snapshot()
    response = client.post(url, opened)
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "Someone changed this objective since you opened it" in html
    current = html[html.index('class="current-values"') :]
    assert "Ship boldly" in current[: current.index("</dl>")]
    assert "Alice's take" in current[: current.index("</dl>")]
    assert 'value="Ship calmly"' in html  # bob's own input is kept
    assert '<input type="hidden" name="version" value="2"' in html
    assert goals_snapshot() == before

    # Saving again, having seen the current values, applies bob's change.
    response = client.post(url, {**opened, "version": 2})
    assert response.status_code == 302
    okrs.platform.refresh_from_db()
    assert (okrs.platform.title, okrs.platform.version) == ("Ship calmly", 3)


def test_it_deletes_an_objective_after_confirmation(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.personal.pk}/delete/")
    html = client.get(url).content.decode()
    assert "Delete the objective “Grow as an engineer”?" in html
    assert Objective.objects.filter(pk=okrs.personal.pk).exists()
    assert client.post(url)["Location"] == okrs.url()
    assert not Objective.objects.filter(pk=okrs.personal.pk).exists()


def test_deleting_a_child_rolls_its_parent_up_again(okrs: Okrs) -> None:
    before = okrs.company.progress
    logged_in(okrs.world.bob).post(okrs.url(f"objectives/{okrs.platform.pk}/delete/"))
    okrs.company.refresh_from_db()
    assert okrs.company.progress != before


# Key results


def test_it_adds_a_key_result_and_explains_the_kinds_in_place(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/key-results/new/")
    html = client.get(url).content.decode()
    for kind, words in [
        ("increase", "should go up"),
        ("decrease", "should go down"),
        ("milestone", "Done or not done"),
        ("maintain", "A level to hold"),
    ]:
        radio = re.search(rf'<input type="radio" name="kind" value="{kind}"[^>]*>', html)
        assert radio, kind
        assert words in html[radio.end() : radio.end() + 400], kind
    response = client.post(url, kr_data())
    kr = KeyResult.objects.get(title="Pages a week")
    assert response["Location"] == okrs.url(f"objectives/{okrs.platform.pk}/#kr-{kr.pk}")
    assert kr.objective == okrs.platform
    assert kr.order == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "required"),
        ({"start_value": "abc"}, "start_value", "Enter a number"),
        ({"target_value": "30"}, "target_value", "needs a target below its start"),
        ({"target_value": "20"}, "target_value", "must differ from the start"),
        ({"kind": "maintain", "target_value": ""}, "target_value", "threshold"),
        ({"kind": "sideways"}, "kind", "Select a valid choice"),
        ({"weight": "-1"}, "weight", "must be above 0"),
        ({"owner_id": "999999"}, "owner_id", "Select a valid choice"),
    ],
)
def test_bad_key_result_input_is_refused_next_to_the_field(
    okrs: Okrs, changes: dict[str, str], field: str, message: str
) -> None:
    before = goals_snapshot()
    response = logged_in(okrs.world.bob).post(
        okrs.url(f"objectives/{okrs.platform.pk}/key-results/new/"), kr_data(**changes)
    )
    assert response.status_code == 422
    assert message in error_of(response, field)
    assert goals_snapshot() == before


def test_a_stale_key_result_edit_shows_the_conflict(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"key-results/{okrs.deploys.pk}/edit/")
    opened = kr_edit_data(okrs.deploys, target_value=12, target_reason="Two teams joined")
    services.key_result_update(
        member=okrs.world.alice,
        key_result=okrs.deploys,
        version=okrs.deploys.version,
        target_value=15,
        target_reason="The new pipeline doubles what we can ship",
    )
    before = goals_snapshot()
    response = client.post(url, opened)
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "Someone changed this key result since you opened it" in html
    current = html[html.index('class="current-values"') : html.index("</dl>")]
    assert "15 deploys" in current
    assert goals_snapshot() == before


def test_dropping_a_key_result_through_the_edit_form(okrs: Okrs) -> None:
    response = logged_in(okrs.world.bob).post(
        okrs.url(f"key-results/{okrs.incidents.pk}/edit/"),
        kr_edit_data(okrs.incidents, status="dropped"),
    )
    assert response.status_code == 302
    okrs.incidents.refresh_from_db()
    assert okrs.incidents.status == "dropped"


def test_it_deletes_a_key_result_after_confirmation_and_rolls_up(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"key-results/{okrs.incidents.pk}/delete/")
    assert "Delete the key result “Incidents a month”?" in unescape(
        client.get(url).content.decode()
    )
    assert client.post(url)["Location"] == okrs.url(f"objectives/{okrs.platform.pk}/")
    assert not KeyResult.objects.filter(pk=okrs.incidents.pk).exists()
    okrs.platform.refresh_from_db()
    okrs.deploys.refresh_from_db()
    assert okrs.platform.progress == pytest.approx(okrs.deploys.progress)


# Initiatives


def test_it_adds_an_initiative_linked_to_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/initiatives/new/")
    html = client.get(url).content.decode()
    assert "never count in progress" in html
    response = client.post(
        url,
        {
            "title": "Chaos day",
            "status": "in_progress",
            "owner_id": okrs.world.bob.user_id,
            "key_result_ids": [okrs.incidents.pk, okrs.deploys.pk],
        },
    )
    assert response["Location"] == okrs.url(f"objectives/{okrs.platform.pk}/#initiatives")
    initiative = Initiative.objects.get(title="Chaos day")
    assert set(initiative.key_results.all()) == {okrs.incidents, okrs.deploys}
    page = client.get(okrs.url(f"objectives/{okrs.platform.pk}/")).content.decode()
    assert "Chaos day" in page


def test_an_initiative_needs_a_key_result(okrs: Okrs) -> None:
    before = goals_snapshot()
    response = logged_in(okrs.world.bob).post(
        okrs.url(f"objectives/{okrs.platform.pk}/initiatives/new/"),
        {"title": "Chaos day", "status": "planned"},
    )
    assert response.status_code == 422
    assert "at least one key result" in error_of(response, "key_result_ids")
    assert goals_snapshot() == before


def test_a_key_result_of_another_objective_cannot_be_smuggled_in(okrs: Okrs) -> None:
    before = goals_snapshot()
    response = logged_in(okrs.world.bob).post(
        okrs.url(f"objectives/{okrs.platform.pk}/initiatives/new/"),
        {"title": "Sneaky", "status": "planned", "key_result_ids": [okrs.revenue.pk]},
    )
    assert response.status_code == 422
    assert "Select a valid choice" in error_of(response, "key_result_ids")
    assert goals_snapshot() == before


# Alignment links


def test_the_alignment_form_offers_themes_objectives_and_key_results(okrs: Okrs) -> None:
    html = (
        logged_in(okrs.world.bob)
        .get(okrs.url(f"objectives/{okrs.platform.pk}/alignment/new/"))
        .content.decode()
    )
    assert '<optgroup label="Strategic themes">' in html
    assert f'value="theme:{okrs.theme.pk}"' in html
    assert f'value="objective:{okrs.company.pk}"' in html
    assert f'value="key_result:{okrs.revenue.pk}"' in html
    assert f'value="objective:{okrs.platform.pk}"' not in html  # not itself
    assert f'value="objective:{okrs.secret.pk}"' not in html  # not what bob cannot see
    assert "counts this objective's progress in the parent's" in html


def test_it_aligns_an_objective_to_a_key_result(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    response = client.post(
        okrs.url(f"objectives/{okrs.personal.pk}/alignment/new/"),
        {"parent": f"key_result:{okrs.deploys.pk}", "kind": "contributes", "weight": "2"},
    )
    assert response["Location"] == okrs.url(f"objectives/{okrs.personal.pk}/#alignment")
    link = AlignmentLink.objects.get(child=okrs.personal)
    assert (link.parent_key_result, link.weight) == (okrs.deploys, 2.0)
    html = unescape(client.get(response["Location"]).content.decode())
    assert "now contributes to “Deploys a week”" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"parent": "objective:{personal}", "kind": "contributes"}, "parent", "loop"),
        (
            {"parent": "objective:{company}", "kind": "contributes"},
            "parent",
            "already aligned",
        ),
        (
            {"parent": "theme:{theme}", "kind": "contributes", "weight": "0"},
            "weight",
            "above 0",
        ),
        ({"parent": "theme:{theme}", "kind": "sideways"}, "kind", "Select a valid choice"),
        (
            {"parent": "objective:{globex}", "kind": "supports"},
            "parent",
            "Select a valid choice",
        ),
        ({"parent": "", "kind": "supports"}, "parent", "required"),
    ],
)
def test_bad_links_are_refused_next_to_the_field(
    okrs: Okrs, data: dict[str, str], field: str, message: str
) -> None:
    services.alignment_link_create(
        member=okrs.world.bob,
        child=okrs.personal,
        parent_type="objective",
        parent_id=okrs.platform.pk,
    )
    ids = {
        "personal": okrs.personal.pk,
        "platform": okrs.platform.pk,
        "company": okrs.company.pk,
        "theme": okrs.theme.pk,
        "globex": okrs.globex.pk,
    }
    data = {"weight": "1", **data, "parent": data["parent"].format(**ids)}
    child = okrs.platform
    before = goals_snapshot()
    response = logged_in(okrs.world.bob).post(
        okrs.url(f"objectives/{child.pk}/alignment/new/"), data
    )
    assert response.status_code == 422
    assert message in error_of(response, field)
    assert goals_snapshot() == before


def test_it_removes_a_link_after_confirmation(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    link = AlignmentLink.objects.get(child=okrs.platform)
    url = okrs.url(f"alignment/{link.pk}/delete/")
    html = unescape(client.get(url).content.decode())
    assert "Ship without fear → Win the mid-market" in html
    assert client.post(url).status_code == 302
    assert not AlignmentLink.objects.filter(pk=link.pk).exists()


def response_text(response: HttpResponse) -> str:
    return unescape(response.content.decode())
