"""The purpose survey's report, for owners and admins: the analysis's figures, its
clusters and teams as charts and tables, the anonymised answers as CSV, and two
surveys side by side.

Every figure comes from `discovery.selectors_analysis`, which already pooled groups
under 5 answers; nothing here looks at answers or teams on its own. The analysis runs
in the worker: "Analyse now" queues it, and the page polls until it is stored.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from headway.accounts.models import Membership
from headway.discovery.metrics import purpose
from headway.discovery.models import PurposeSurvey
from headway.discovery.selectors_analysis import (
    GroupView,
    SurveyReport,
    survey_answers_export,
    survey_comparison,
    survey_report,
)
from headway.discovery.selectors_survey import survey_get_for_member, surveys_list
from headway.discovery.services_analysis import survey_analysis_request
from headway.lib.csvsafe import csv_safe_row
from headway.lib.htmx import render_page
from headway.web import survey_charts as charts
from headway.web.decorators import member_view


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined, no-any-return]


def surveys_to_compare(member: Membership, survey: PurposeSurvey) -> list[PurposeSurvey]:
    """The organisation's other surveys with an analysis (their analyses not loaded)."""
    others = surveys_list(member).filter(analysed_at__isnull=False).exclude(pk=survey.pk)
    return list(others.only("pk", "title", "opens_on", "closes_on"))


def report_groups(report: SurveyReport) -> list[GroupView]:
    """All answers, each team shown, then the pooled smaller groups when shown."""
    overall = [report.overall] if report.overall else []
    return overall + report.teams + ([report.other] if report.other else [])


def report_charts(report: SurveyReport) -> dict[str, Any]:
    """The geometry of the report's charts, and each group with its cluster stack."""
    scale = purpose.SCALES.get(report.engine, purpose.SCALES["static"])
    groups = report_groups(report)
    histogram = None
    if report.histogram:
        histogram = charts.closeness_histogram(report.histogram, scale.unrelated, scale.paraphrase)
    return {
        "histogram": histogram,
        "cluster_chart": charts.cluster_bars(
            report.clusters, report.unclustered, report.answers_analysed
        ),
        "team_chart": charts.team_index_bars(groups),
        "group_rows": [(group, charts.cluster_stack(group)) for group in groups],
        # for "how to read": the figures the analysis was made with
        "scale": scale,
        "answer_weight": purpose.ANSWER_WEIGHT,
        "agreement_weight": 1 - purpose.ANSWER_WEIGHT,
        "split_share": purpose.SPLIT_SHARE,
    }


@require_safe
@member_view(admin=True)
def survey_report_page(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The report; while an analysis runs, htmx asks again every 2 s for the report
    partial and gets 204 (nothing to swap) until the analysis is stored."""
    member = _member(request)
    survey = survey_get_for_member(member, survey_id)
    report = survey_report(member, survey)
    htmx = getattr(request, "htmx", None)
    if report.queued and htmx and not htmx.history_restore_request:
        return HttpResponse(status=204)
    context = {
        "survey": survey,
        "report": report,
        "others": surveys_to_compare(member, survey),
        **report_charts(report),
    }
    return render_page(request, "survey/report.html", context, partial="survey-report")


def _back(request: HttpRequest, default: str) -> str:
    """Where "Analyse now" was pressed (a page of this site), else the survey's report."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@require_POST
@member_view(admin=True)
def survey_analyse_now(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Queue an analysis of the answers as they are now."""
    member = _member(request)
    survey = survey_analysis_request(member=member, survey_id=survey_id)
    messages.success(
        request, f"Analysing “{survey.title}”: the report shows the result when it is done."
    )
    report_url = reverse("survey-report", args=[member.organisation.slug, survey.pk])
    return redirect(_back(request, report_url))


@require_safe
@member_view(admin=True)
def survey_report_csv(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The anonymised answers with their cluster, as a spreadsheet-safe CSV file."""
    member = _member(request)
    survey = survey_get_for_member(member, survey_id)
    rows = survey_answers_export(member, survey)
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="purpose-survey-{survey.pk}-answers.csv"'
            ),
            # Anonymous answers: no copy in a shared or browser cache.
            "Cache-Control": "private, no-store",
        },
    )
    # A byte-order mark, or Excel reads UTF-8 as a legacy code page and mangles accents.
    response.write("\ufeff")
    csv.writer(response).writerows(csv_safe_row(row) for row in rows)
    return response


def _in_order(one: PurposeSurvey, other: PurposeSurvey) -> tuple[PurposeSurvey, PurposeSurvey]:
    """(before, after): the survey that opened first is "before"."""
    first, second = sorted((one, other), key=lambda s: (s.opens_on, s.pk))
    return first, second


def comparison_context(
    member: Membership, survey: PurposeSurvey, other: PurposeSurvey
) -> dict[str, Any]:
    before, after = _in_order(survey, other)
    rows = survey_comparison(member, before, after)
    engines = {(s.analysis or {}).get("engine") for s in (before, after)}
    return {
        "other": other,
        "before": before,
        "after": after,
        "rows": rows,
        "unanalysed": [s for s in (before, after) if not s.analysis],
        "chart": charts.index_dots(rows),
        "min_group": purpose.MIN_GROUP,
        # indexes by two text engines are on different scales
        "engines_differ": bool(rows) and len(engines) > 1,
    }


@require_safe
@member_view(admin=True)
def survey_compare(request: HttpRequest, survey_id: int) -> HttpResponse:
    """This survey beside another of the organisation (`?with=<id>`), earlier first."""
    member = _member(request)
    survey = survey_get_for_member(member, survey_id)
    context: dict[str, Any] = {"survey": survey, "others": surveys_to_compare(member, survey)}
    wanted = request.GET.get("with", "")
    if wanted and wanted != str(survey.pk):
        other = survey_get_for_member(member, wanted)
        context.update(comparison_context(member, survey, other))
    context["same"] = wanted == str(survey.pk)
    return render_page(request, "survey/compare.html", context)
