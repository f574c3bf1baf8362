"""The key result form's planned values and its reason for a new target: what the page
offers, what the pace makes of a plan, and errors next to the field naming the line."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from headway.goals import services
from headway.goals.models import KeyResult, TargetChange
from headway.goals.selectors_learning import key_result_target_history
from headway.insights.metrics.pace import Status
from headway.insights.selectors import key_result_insights
from tests.conftest import logged_in
from tests.web.conftest import Okrs, error_of, goals_snapshot
from tests.web.test_goals_forms import kr_data, kr_edit_data, objective_data


def edit_url(okrs: Okrs, key_result: KeyResult) -> str:
    return okrs.url(f"key-results/{key_result.pk}/edit/")


def new_url(okrs: Okrs) -> str:
    return okrs.url(f"objectives/{okrs.platform.pk}/key-results/new/")


def state() -> dict[str, Any]:
    return {
        **goals_snapshot(),
        "plans": sorted(KeyResult.objects.values_list("pk", "plan")),
        "target changes": list(TargetChange.objects.values_list("pk")),
    }


def plan_text(response: Any) -> str:
    found = re.search(
        r'<textarea name="plan"[^>]*>(.*?)</textarea>', response.content.decode(), re.S
    )
    assert found, "no planned values on the page"
    return unescape(found[1]).strip()


def back_loaded(okrs: Okrs) -> str:
    """10 by today (mid-cycle: this quarter runs 45 days either side of it), 100 at the end."""
    today = okrs.quarter.start_date + dt.timedelta(days=45)
    return f"{okrs.quarter.end_date} 100\n\n{today}, 10\n"


def status_of(okrs: Okrs, key_result: KeyResult) -> Status:
    found = key_result_insights(okrs.world.acme, KeyResult.objects.filter(pk=key_result.pk))
    return found[key_result.pk].status


# ------------------------------------------------------------------ planned values


def test_the_form_offers_planned_values_with_what_to_type(okrs: Okrs) -> None:
    html = unescape(logged_in(okrs.world.bob).get(new_url(okrs)).content.decode())
    assert '<label for="id_plan">Planned values:</label>' in html
    assert "Leave empty for a steady pace from start to target." in html
    assert "one “YYYY-MM-DD value” per line" in html


def test_it_saves_the_lines_as_a_sorted_plan_and_shows_them_back(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    response = client.post(new_url(okrs), kr_data(plan=back_loaded(okrs)))
    assert response.status_code == 302, response.content.decode()
    created = KeyResult.objects.get(title="Pages a week")
    today = okrs.quarter.start_date + dt.timedelta(days=45)
    assert created.plan == [[today.isoformat(), 10.0], [okrs.quarter.end_date.isoformat(), 100.0]]
    shown = plan_text(client.get(edit_url(okrs, created)))
    assert shown == f"{today} 10\n{okrs.quarter.end_date} 100"


def test_a_back_loaded_plan_puts_a_slow_start_on_track(okrs: Okrs) -> None:
    """20% on day 45 of 91: off track on a straight line, on track against 10% by mid-cycle."""
    client = logged_in(okrs.world.bob)
    for title, plan in (("Linear", ""), ("Back-loaded", back_loaded(okrs))):
        data = kr_data(title=title, kind="increase", start_value="0", target_value="100", plan=plan)
        assert client.post(new_url(okrs), data).status_code == 302
        key_result = KeyResult.objects.get(title=title)
        services.checkin_create(
            member=okrs.world.bob, key_result_id=key_result.pk, value=20, confidence=6
        )
    assert status_of(okrs, KeyResult.objects.get(title="Linear")) == Status.OFF_TRACK
    assert status_of(okrs, KeyResult.objects.get(title="Back-loaded")) == Status.ON_TRACK
    # Editing the plan away puts it back on the straight line.
    planned = KeyResult.objects.get(title="Back-loaded")
    response = client.post(edit_url(okrs, planned), kr_edit_data(planned, plan=""))
    assert response.status_code == 302
    assert status_of(okrs, planned) == Status.OFF_TRACK


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("{today} 3\n\nsoon 5", "Line 3: 'soon' is not a date; write it as YYYY-MM-DD"),
        ("{today} 3\n{today} 4", "Line 2: {today} is planned twice; give each date once."),
        ("{today} three", "Line 1: 'three' is not a number; enter digits such as 40 or 12.5."),
        ("{today}", "Line 1: Give the value planned for {today}, e.g. 40."),
        ("\n\n{after} 9", "Line 3: {after} is outside the cycle This quarter"),
    ],
)
def test_a_bad_line_is_refused_next_to_the_planned_values_naming_it(
    okrs: Okrs, lines: str, message: str
) -> None:
    today = okrs.quarter.start_date + dt.timedelta(days=45)
    after = okrs.quarter.end_date + dt.timedelta(days=1)
    before = state()
    response = logged_in(okrs.world.bob).post(
        edit_url(okrs, okrs.deploys),
        kr_edit_data(okrs.deploys, plan=lines.format(today=today, after=after)),
    )
    assert response.status_code == 422
    assert error_of(response, "plan").startswith(message.format(today=today, after=after))
    assert state() == before


def test_a_maintain_key_result_refuses_a_plan_next_to_the_field(okrs: Okrs) -> None:
    before = state()
    today = okrs.quarter.start_date + dt.timedelta(days=45)
    data = kr_data(kind="maintain", target_value="5", plan=f"{today} 5")
    response = logged_in(okrs.world.bob).post(new_url(okrs), data)
    assert response.status_code == 422
    assert "has no plan" in error_of(response, "plan")
    assert state() == before


def test_a_new_objectives_row_shows_its_plan_error_next_to_that_row(okrs: Okrs) -> None:
    before = state()
    data = {**objective_data(okrs), **kr_data("kr-1-", plan="2000-01-01 5")}
    response = logged_in(okrs.world.bob).post(okrs.url("objectives/new/"), data)
    assert response.status_code == 422
    assert error_of(response, "kr-1-plan").startswith("Line 1: 2000-01-01 is outside the cycle")
    assert state() == before


def test_viewers_and_the_outsider_cannot_set_a_plan(okrs: Okrs) -> None:
    before = state()
    data = kr_edit_data(okrs.deploys, plan=back_loaded(okrs))
    assert logged_in(okrs.world.dave).post(edit_url(okrs, okrs.deploys), data).status_code == 403
    charlie: Client = logged_in(okrs.world.charlie)
    assert charlie.post(edit_url(okrs, okrs.deploys), data).status_code == 404
    assert charlie.get(edit_url(okrs, okrs.deploys)).status_code == 404
    assert state() == before


# ------------------------------------------------------------------ a new target


def test_the_reason_for_a_new_target_is_asked_only_once_there_are_check_ins(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    checked_in = unescape(client.get(edit_url(okrs, okrs.deploys)).content.decode())
    assert '<label for="id_target_reason">Reason for changing the target:</label>' in checked_in
    assert "kept in the target's history" in checked_in
    fresh = client.get(new_url(okrs))
    assert 'name="target_reason"' not in fresh.content.decode()
    client.post(new_url(okrs), kr_data())
    planning = KeyResult.objects.get(title="Pages a week")
    assert 'name="target_reason"' not in client.get(edit_url(okrs, planning)).content.decode()


def test_a_new_target_after_check_ins_without_a_reason_is_refused_next_to_it(okrs: Okrs) -> None:
    before = state()
    response = logged_in(okrs.world.bob).post(
        edit_url(okrs, okrs.deploys), kr_edit_data(okrs.deploys, target_value="12")
    )
    assert response.status_code == 422
    assert error_of(response, "target_reason").startswith(
        "The key result has check-ins: moving its target from 10 to 12 needs a reason."
    )
    assert state() == before


def test_a_new_target_with_its_reason_joins_the_targets_history(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    response = client.post(
        edit_url(okrs, okrs.deploys),
        kr_edit_data(okrs.deploys, target_value="12", target_reason="The new pipeline is live"),
    )
    assert response.status_code == 302
    (change,) = key_result_target_history(okrs.deploys)
    assert (change.old_target, change.new_target) == (10, 12)
    assert (change.reason, change.author) == ("The new pipeline is live", okrs.world.bob.user)
    deploys = KeyResult.objects.get(pk=okrs.deploys.pk)
    assert deploys.progress == pytest.approx((5 - 2) / (12 - 2))
    assert services.recompute_all(write=False) == []
    html = unescape(client.get(okrs.url(f"key-results/{okrs.deploys.pk}/target/")).content.decode())
    assert "The new pipeline is live" in html[html.index('id="target-history"') :]


def test_before_any_check_in_the_target_changes_freely(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    client.post(new_url(okrs), kr_data())
    planning = KeyResult.objects.get(title="Pages a week")
    response = client.post(edit_url(okrs, planning), kr_edit_data(planning, target_value="2"))
    assert response.status_code == 302
    assert KeyResult.objects.get(pk=planning.pk).target_value == 2
    assert not TargetChange.objects.exists()
