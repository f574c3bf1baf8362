"""Issue 5's "done when": the coach flags the output-type key results of the demo with
useful rewrites, and leaves its clear outcomes alone.

Asserts on named key results, not totals: the demo may grow.
"""

from __future__ import annotations

import datetime as dt

import pytest

from headway.accounts.models import Membership, Role
from headway.coach.checks import Checked
from headway.coach.selectors import coach_summary, cycle_chosen
from headway.demo.build import demo_build
from tests.conftest import logged_in
from tests.web.test_goals_pages import page, text

TODAY = dt.date(2026, 11, 29)

# Output-type key results of the demo, and words their rewrite must contain.
OUTPUTS = {
    "Alert rules editor released": "use the alert rules editor each week",
    "Metric definitions signed off": "reports that use the agreed metric definitions",
    "Published customer stories": "inbound leads that came through the customer stories",
    "Brand guidelines published": "teams working to the brand guidelines",
    "Open roles filled": "new hires fully productive after 90 days",
}
# Clear outcomes, including the classifier's weak spot (a bare metric name scored as an
# output, "App crash-free sessions" at 0.16) that the structure must overrule.
OUTCOMES = [
    "On-time delivery rate",
    "Change failure rate",
    "Offer acceptance rate",
    "Hub-caused delays per week",
    "App crash-free sessions",
    "Signed mid-sized shippers",
    "Mis-sorted pallets per 1,000",
    "Customer satisfaction after an incident",
]


@pytest.fixture
def demo(db: None) -> tuple[Membership, dict[str, Checked], str]:
    organisation = demo_build(today=TODAY)
    owner = Membership.objects.get(organisation=organisation, role=Role.OWNER)
    _, cycle = cycle_chosen(owner, None, today=TODAY)
    assert cycle is not None
    report = coach_summary(owner, cycle)
    checked = {
        kr.title: kr.checked
        for team in report.teams
        for objective in team.objectives
        for kr in objective.key_results
    }
    return owner, checked, organisation.slug


def test_the_coach_flags_the_demos_outputs_with_rewrites(demo) -> None:  # type: ignore[no-untyped-def]
    _, checked, _ = demo
    for title, expected in OUTPUTS.items():
        found = {f.code: f for f in checked[title].findings}
        assert checked[title].verdict == "output", (title, checked[title])
        rewrite = found["kr.output"].rewrite
        assert rewrite.startswith(f"Keep “{title}” as an initiative"), rewrite
        assert expected in rewrite, rewrite


def test_the_coach_leaves_the_demos_clear_outcomes_alone(demo) -> None:  # type: ignore[no-untyped-def]
    _, checked, _ = demo
    for title in OUTCOMES:
        assert checked[title].verdict == "outcome", (title, checked[title])
        assert "kr.output" not in {f.code for f in checked[title].findings}


def test_the_demos_project_shaped_objectives_are_noted(demo) -> None:  # type: ignore[no-untyped-def]
    owner, _, slug = demo
    html = text(page(logged_in(owner), f"/o/{slug}/coach/"))
    assert "Organise the summer party" in html and "Refresh our brand and website" in html
    assert "make the objective what it is for" in html
    assert "Keep “Alert rules editor released” as an initiative" in html
