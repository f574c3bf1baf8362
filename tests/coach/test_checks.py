"""The coach's quality checks (headway.coach.checks) and rewrites (headway.coach.rewrites).

Pure: no database. Table-driven: each row is an input and what the coach must (or
must not) say about it. The classifier runs for real (it is fast once loaded).
"""

from __future__ import annotations

import pytest

from headway.coach import rewrites
from headway.coach.checks import (
    CLEAR_OUTPUT,
    CONFIDENT_OUTPUT,
    MAX_CHARS,
    SEVERITIES,
    STRONG_OUTPUT,
    Checked,
    Finding,
    KeyResultDraft,
    ObjectiveDraft,
    check_key_results,
    check_objectives,
    check_team_cycle,
    check_texts,
    output_threshold,
)
from headway.coach.classifier import Prediction


def codes(checked: Checked) -> list[str]:
    return [f.code for f in checked.findings]


def one(checked: Checked, code: str) -> Finding:
    found = [f for f in checked.findings if f.code == code]
    assert len(found) == 1, codes(checked)
    return found[0]


def kr(title: str, kind: str | None = "increase", start: float | None = 0.0, target: float | None = 10.0, unit: str = "", fmt: str = "number") -> KeyResultDraft:  # fmt: skip
    return KeyResultDraft(title, kind, start, target, unit, fmt)


def fake(score: float, low: bool = False) -> Prediction:
    return Prediction("x", "outcome" if score >= 0.5 else "output", score, low, "")


# --------------------------------------------------------------------------- key results

KEY_RESULTS: list[tuple[KeyResultDraft, set[str], set[str]]] = [
    # (draft, codes it must have, codes it must not have)
    (kr("Increase day-7 retention", start=32, target=45, unit="%"), set(), {"kr.output"}),
    (kr("On-time delivery rate", start=88, target=95, fmt="percent"), set(), {"kr.output"}),
    (kr("Launch the new onboarding flow", "milestone", None, None), {"kr.output"}, {"kr.milestone"}),
    (kr("Write 12 blog posts", start=0, target=12, unit="posts"), {"kr.output"}, set()),
    (kr("Revenue", start=None, target=100, unit="kEUR", fmt="currency"), {"kr.no_baseline"}, set()),
    (kr("Revenue", start=None, target=None), {"kr.no_target", "kr.no_unit"}, {"kr.no_baseline"}),
    (kr("Platform availability", "maintain", None, 99.9, fmt="percent"), set(), {"kr.no_baseline", "kr.no_target"}),
    (kr("Active customers", start=120, target=400), {"kr.no_unit"}, set()),
    (kr("Damaged shipments per 1,000", "decrease", 4, 2), set(), {"kr.no_unit"}),
    (kr("Reach 95% on-time delivery", "milestone", None, None), {"kr.milestone_metric"}, {"kr.output"}),
    (kr("Customers can track every shipment live", "milestone", None, None), {"kr.milestone"}, set()),
    (kr("Improve NPS", start=30, target=45), {"kr.vague"}, set()),
    (kr("Improve customer experience", None, None, None), {"kr.vague"}, {"kr.not_measurable"}),
    (kr("Customer satisfaction", None, None, None), {"kr.not_measurable"}, {"kr.output"}),
    (kr("Increase day-7 retention from 32% to 45%", None, None, None), set(), {"kr.no_baseline", "kr.not_measurable", "kr.output"}),
    (kr("Reach 95% on-time delivery", None, None, None), {"kr.no_baseline"}, {"kr.not_measurable"}),
    (kr("Keep churn below 2%", None, None, None), set(), {"kr.no_baseline"}),
    (kr("Customers with more than one order", start=10, target=20, unit="%"), set(), {"kr.vague"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("draft", "must", "must_not"), KEY_RESULTS, ids=lambda v: getattr(v, "title", "")
)
def test_it_checks_key_results(draft: KeyResultDraft, must: set[str], must_not: set[str]) -> None:
    [checked] = check_key_results([draft])
    found = set(codes(checked))
    assert must <= found, found
    assert not (must_not & found), found


def test_each_finding_explains_why_and_findings_come_most_severe_first() -> None:
    checked = check_texts(["Launch the new onboarding flow", "Revenue", "More engagement"])
    for item in checked:
        assert item.findings
        for finding in item.findings:
            assert finding.severity in SEVERITIES
            assert len(finding.message) > 60 and finding.message.endswith((".", ".)"))
        ranks = [SEVERITIES.index(f.severity) for f in item.findings]
        assert ranks == sorted(ranks, reverse=True)
        assert item.severity == item.findings[0].severity


# --------------------------------------------------------------------------- outcome or output

REWRITES = [
    ("Launch the new onboarding flow", "Increase day-7 retention of new customers from X% to Y%"),
    ("Alert rules editor released", "use the alert rules editor each week"),
    ("Metric definitions signed off", "reports that use the agreed metric definitions"),
    ("Published customer stories", "inbound leads that came through the customer stories"),
    ("Hold 4 workshops for managers", "use what the workshops taught 30 days later"),
    ("Hire 5 engineers", "new hires fully productive after 90 days"),
    ("Organise the summer party", "can name someone to ask in another team"),
    ("Migrate to the new database", "incidents or running cost"),
    ("Automate the release checklist", "hours of manual work the release checklist should remove"),
    ("Complete the GDPR audit", "open findings from the GDPR audit"),
    ("Make 200 calls to prospects", "calls that turn into qualified opportunities"),
    ("Run a customer survey", "satisfaction score the customer survey measures"),
    ("Train all managers on feedback", "people who apply what they were taught"),
]


@pytest.mark.parametrize(("title", "expected"), REWRITES)
def test_output_rewrites_keep_the_work_and_measure_what_it_should_change(
    title: str, expected: str
) -> None:
    rewrite = rewrites.output_rewrite(title)
    assert rewrite.startswith(
        f"Keep “{title}” as an initiative, and measure what it should change:"
    )
    assert expected in rewrite


def test_the_issues_own_example_gets_the_issues_rewrite() -> None:
    [checked] = check_texts(["Launch the new onboarding flow"])
    finding = one(checked, "kr.output")
    assert checked.verdict == "output"
    assert "initiative" in finding.message and "outcome" in finding.message
    assert finding.rewrite == (
        "Keep “Launch the new onboarding flow” as an initiative, and measure what it should "
        "change: “Increase day-7 retention of new customers from X% to Y%”."
    )


DELIVERABLES = [
    ("Launch the new onboarding flow", "launch", "onboarding flow"),
    ("Alert rules editor released", "release", "alert rules editor"),
    ("Metric definitions signed off", "sign", "metric definitions"),
    ("Published customer stories", "publish", "customer stories"),
    ("Open roles filled", "fill", "open roles"),
    ("Deploys per week", "", "deploys"),
    ("Roll out the new CRM to all sales teams", "roll", "CRM"),
    ("Number of webinars", "", "webinars"),
    ("KR1: we will ship the mobile app", "ship", "mobile app"),
]


@pytest.mark.parametrize(("title", "verb", "thing"), DELIVERABLES)
def test_it_finds_the_work_a_title_names(title: str, verb: str, thing: str) -> None:
    assert rewrites.deliverable(title) == rewrites.Deliverable(verb, thing)


THRESHOLDS = [
    (kr("x", None), CONFIDENT_OUTPUT),
    (kr("x", "milestone"), CONFIDENT_OUTPUT),
    (kr("x", unit="stories"), CONFIDENT_OUTPUT),
    (kr("Publish 12 blog posts"), CONFIDENT_OUTPUT),
    (kr("x", unit="shippers"), STRONG_OUTPUT),
    (kr("x", fmt="percent"), STRONG_OUTPUT),
    (kr("x", unit="ms"), STRONG_OUTPUT),
    (kr("x", "maintain"), STRONG_OUTPUT),
    (kr("x", "decrease", unit="things"), STRONG_OUTPUT),
    (kr("x", unit="things"), CLEAR_OUTPUT),
    (kr("x"), CLEAR_OUTPUT),
]


@pytest.mark.parametrize(("draft", "threshold"), THRESHOLDS)
def test_the_structure_sets_how_sure_the_classifier_must_be(
    draft: KeyResultDraft, threshold: float
) -> None:
    assert output_threshold(draft) == threshold


@pytest.mark.parametrize(
    ("draft", "score", "low", "verdict"),
    [
        (kr("x", "milestone"), 0.30, False, "output"),
        (kr("x", "milestone"), 0.40, True, "unsure"),  # never a finding when unsure
        (kr("x", unit="things"), 0.19, False, "output"),
        (kr("x", unit="things"), 0.25, False, "outcome"),
        (kr("x", fmt="percent"), 0.16, False, "outcome"),  # "App crash-free sessions"
        (kr("x", fmt="percent"), 0.05, False, "output"),
        (kr("x", unit="stories"), 0.20, False, "output"),  # "Published customer stories"
        (kr("x", unit="stories"), 0.0, True, "unsure"),
    ],
)
def test_the_classifier_is_combined_with_the_structure(
    draft: KeyResultDraft, score: float, low: bool, verdict: str
) -> None:
    [checked] = check_key_results([draft], predictions=[fake(score, low)])
    assert checked.verdict == verdict
    assert ("kr.output" in codes(checked)) == (verdict == "output")


def test_predictions_must_match_the_drafts() -> None:
    with pytest.raises(ValueError, match="2 predictions for 1"):
        check_key_results([kr("x")], predictions=[fake(0.9), fake(0.9)])


# --------------------------------------------------------------------------- bad input

BAD_INPUT = [
    ("", ["empty"], "unsure"),
    ("   \n\t ", ["empty"], "unsure"),
    ("!!! ???", ["empty"], "unsure"),
    ("42", ["number_only"], "unsure"),
    ("12.5%", ["number_only"], "unsure"),
    ("€1,000", ["number_only"], "unsure"),
]


@pytest.mark.parametrize(("text", "expected", "verdict"), BAD_INPUT)
def test_empty_text_and_bare_numbers_give_one_defined_finding(
    text: str, expected: list[str], verdict: str
) -> None:
    [checked] = check_texts([text])
    assert codes(checked) == expected
    assert checked.verdict == verdict
    assert checked.findings[0].severity == "problem"
    [objective] = check_objectives([ObjectiveDraft(text)])
    assert codes(objective) == expected


def test_very_long_text_is_checked_on_its_start_with_a_message() -> None:
    long = "Increase weekly active users from 2,000 to 5,000 " + "and more words " * 500
    [checked] = check_texts([long])
    cut = one(checked, "cut")
    assert str(MAX_CHARS) in cut.message and cut.severity == "info"
    assert checked.text == long  # the input as given
    assert checked.prediction is not None and "cut" in checked.prediction.note
    for finding in checked.findings:
        assert len(finding.rewrite) < 400  # rewrites quote a shortened title
    [objective] = check_objectives([ObjectiveDraft("Grow " * 300)])
    assert {"cut", "objective.long"} <= set(codes(objective))


@pytest.mark.parametrize(
    "text",
    [
        "Augmenter le chiffre d'affaires de 10 % pour les clients",
        "Réduire les délais de livraison",
        "Steigerung der Kundenzufriedenheit und der Umsätze für das Team",
        "顧客満足度を向上させる",
    ],
)
def test_non_english_text_is_classified_low_confidence_without_an_outcome_finding(
    text: str,
) -> None:
    [checked] = check_texts([text])
    assert "not_english" in codes(checked)
    assert checked.prediction is not None and checked.prediction.low_confidence
    assert checked.verdict == "unsure"
    assert not {"kr.output", "kr.vague"} & set(codes(checked))
    [milestone] = check_key_results([KeyResultDraft(text, "milestone")])
    assert "kr.output" not in codes(milestone)


def test_it_never_raises_on_odd_numbers_and_rejects_a_bare_string() -> None:
    drafts = [
        kr("Revenue", start=float("nan"), target=float("inf"), unit="EUR"),
        kr("Revenue", start=-1e308, target=1e308, unit="EUR"),
        KeyResultDraft("Revenue", "sideways"),
    ]
    assert len(check_key_results(drafts)) == 3
    assert "kr.no_target" in codes(check_key_results(drafts[:1])[0])
    assert check_key_results([]) == []
    with pytest.raises(TypeError):
        check_texts("Launch the app")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- objectives

OBJECTIVES: list[tuple[ObjectiveDraft, set[str], set[str]]] = [
    (ObjectiveDraft("Deliveries our customers can plan around", 2), set(), {"objective.metric", "objective.task", "objective.key_results"}),
    (ObjectiveDraft("Increase revenue by 20%", 3), {"objective.metric"}, set()),
    (ObjectiveDraft("Grow ARR from 1m to 2m", 3), {"objective.metric"}, set()),
    (ObjectiveDraft("Win 50 new customers in 2026", 3), {"objective.metric"}, set()),
    (ObjectiveDraft("Win the mid-market in 2026", 3), set(), {"objective.metric"}),
    (ObjectiveDraft("Customers love us 24/7", 3), set(), {"objective.metric"}),
    (ObjectiveDraft("Cross-dock in under two hours", 2), {"objective.metric"}, set()),
    (ObjectiveDraft("Organise the summer party", 1), {"objective.task", "objective.key_results"}, set()),
    (ObjectiveDraft("Migrate to Kubernetes", 2), {"objective.task"}, set()),
    (ObjectiveDraft("Run every hub like our best hub", 2), set(), {"objective.task"}),
    (ObjectiveDraft("Hire the people the growth needs", 2), set(), {"objective.task"}),
    (ObjectiveDraft("Be world-class at delivering parcels to every customer in Europe on time every single day", 2), {"objective.long"}, set()),
    (ObjectiveDraft("Ship without fear", 0), {"objective.key_results"}, set()),
    (ObjectiveDraft("Ship without fear", 6), {"objective.key_results"}, set()),
    (ObjectiveDraft("Ship without fear", None), set(), {"objective.key_results"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("draft", "must", "must_not"), OBJECTIVES, ids=lambda v: getattr(v, "title", "")
)
def test_it_checks_objectives(draft: ObjectiveDraft, must: set[str], must_not: set[str]) -> None:
    [checked] = check_objectives([draft])
    found = set(codes(checked))
    assert must <= found, found
    assert not (must_not & found), found


@pytest.mark.parametrize(
    ("count", "severity"), [(0, "warning"), (1, "info"), (2, None), (5, None), (6, "warning")]
)
def test_two_to_five_key_results(count: int, severity: str | None) -> None:
    [checked] = check_objectives([ObjectiveDraft("Ship without fear", count)])
    assert checked.severity == severity


def test_metric_objectives_get_their_words_back_and_the_number_moved() -> None:
    [checked] = check_objectives([ObjectiveDraft("Cut onboarding time from 10 days to 3 days", 2)])
    finding = one(checked, "objective.metric")
    assert finding.severity == "warning"
    assert finding.rewrite == (
        "Keep the words as the objective, “Cut onboarding time”, and move the number into a "
        "key result, e.g. “Onboarding time from X to Y”."
    )


def test_project_objectives_get_the_reason_as_a_rewrite() -> None:
    [checked] = check_objectives([ObjectiveDraft("Organise the summer party", 2)])
    assert one(checked, "objective.task").rewrite == (
        "Keep “Organise the summer party” as an initiative, and make the objective what it is "
        "for, e.g. “People across teams know and help each other”."
    )


@pytest.mark.parametrize(("count", "expected"), [(0, 0), (5, 0), (6, 1), (40, 1)])
def test_a_team_has_at_most_five_objectives_a_cycle(count: int, expected: int) -> None:
    findings = check_team_cycle(count, "2026 Q4")
    assert len(findings) == expected
    if findings:
        assert findings[0].code == "team.objectives"
        assert f"{count} objectives in 2026 Q4" in findings[0].message


def test_findings_serialise_for_the_api() -> None:
    [checked] = check_texts(["Launch the new onboarding flow"])
    data = checked.as_dict()
    assert set(data) == {"text", "findings", "classification", "verdict"}
    assert set(data["findings"][0]) == {"code", "severity", "message", "rewrite"}
    assert data["classification"]["label"] == "output"
    [objective] = check_objectives([ObjectiveDraft("Ship without fear", 2)])
    assert objective.as_dict() == {"text": "Ship without fear", "findings": []}
