"""The purpose survey's report pages: the report, its poll, "Analyse now", the CSV and
the comparison of two surveys. Owners and admins only; groups under 5 never named."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.http import HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_analysis import survey_comparison, survey_report
from headway.discovery.services_analysis import survey_analyse
from headway.lib.csvsafe import csv_safe
from headway.teams.models import Team
from tests import surveys
from tests.conftest import World, logged_in
from tests.factories import TeamFactory
from tests.surveys import LEXICAL, ON_STRATEGY, STRATEGY, TASKS
from tests.web.test_csp import assert_strict_page

SMALL_TEAM = "Skunkworks"
SMALL = ["Secret prototypes nobody sees.", "Prototypes.", "Hidden experiments.", "Labs."]


def url(survey: PurposeSurvey, page: str = "report/") -> str:
    return f"/o/{survey.organisation.slug}/surveys/{survey.pk}/{page}"


def survey_with(
    world: World,
    answers: dict[Team | None, list[str]],
    title: str = "Autumn",
    opens: int = 10,
    organisation: Any = None,
) -> PurposeSurvey:
    """A survey of Acme (or `organisation`) opened `opens` days ago, closed 5 days later."""
    return surveys.survey_with(
        organisation or world.acme,
        answers,
        title=title,
        opened_days_ago=opens,
        closes_on=timezone.localdate() - dt.timedelta(days=opens - 5),
    )


def with_strategy(world: World) -> None:
    surveys.with_strategy(world.acme)


@pytest.fixture
def finance(world: World) -> Team:
    return TeamFactory(
        organisation=world.acme, name="Finance & <i>Payroll</i>", slug="finance", parent=world.root
    )


@pytest.fixture
def survey(world: World, finance: Team) -> PurposeSurvey:
    """Platform says the strategy, Finance its tasks, Skunkworks (4) and no team are pooled."""
    with_strategy(world)
    small = TeamFactory(organisation=world.acme, name=SMALL_TEAM, slug="skunk", parent=world.root)
    return survey_with(
        world,
        {
            world.platform: [*ON_STRATEGY, "Freight on time, every time."],
            finance: [*TASKS, "Payroll and invoices."],
            small: SMALL,
            None: ["Our customers' freight, on time.", "Payroll on time."],
        },
    )


def analysed(survey: PurposeSurvey, **options: Any) -> PurposeSurvey:
    return survey_analyse(survey.pk, **({"engine": LEXICAL} | options))


def page(response: HttpResponse) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def csv_rows(response: HttpResponse) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the report --------------------------------------------------------------------------


def test_an_admin_sees_the_index_the_clusters_words_and_their_answers(
    world: World, survey: PurposeSurvey
) -> None:
    analysed(survey)
    report = survey_report(world.alice, PurposeSurvey.objects.get(pk=survey.pk))
    assert report.overall is not None and report.clusters
    response = logged_in(world.alice).get(url(survey))
    html = page(response)
    assert f'id="overall-index">{report.overall.index}<' in html
    for cluster in report.clusters:
        assert all(word in html for word in cluster.words)
        assert all(example.replace("'", "&#x27;") in html for example in cluster.examples)
    assert STRATEGY.replace("'", "&#x27;") in html
    assert "On-time freight" in html  # the theme's row
    assert html.count('role="img"') >= 3  # closeness, clusters, index per team, stacks
    assert "Analysis running" not in html
    assert_strict_page(response)


def test_the_report_reads_an_analysis_by_the_default_engine(
    world: World, survey: PurposeSurvey
) -> None:
    survey_analyse(survey.pk)  # the shipped static model
    html = page(logged_in(world.alice).get(url(survey)))
    stored = PurposeSurvey.objects.get(pk=survey.pk).analysis
    assert stored["engine"] == "static"
    assert f'id="overall-index">{stored["overall"]["index"]}<' in html
    assert "Answers by closeness to the strategy" in html and "same idea" in html


def test_charts_have_a_title_and_a_description_in_words(
    world: World, survey: PurposeSurvey
) -> None:
    analysed(survey)
    html = page(logged_in(world.alice).get(url(survey)))
    for ident in ("closeness", "clusters", "team-index", "stack-all"):
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in html
        assert f'<desc id="{ident}-desc">' in html
    assert "0.4 to 0.5:" in html  # the histogram's counts, in words
    assert "index " in html and "Platform" in html


def test_an_answer_with_a_script_is_escaped_in_the_report_and_verbatim_in_the_csv(
    world: World, survey: PurposeSurvey
) -> None:
    payload = "<script>alert('payroll')</script>"
    PurposeAnswer.objects.bulk_create(
        PurposeAnswer(
            survey=survey, text=f"{payload} payroll payslips {n}", answered_on=dt.date.today()
        )
        for n in range(5)
    )
    PurposeAnswer.objects.create(survey=survey, text="=1+1", answered_on=dt.date.today())
    PurposeAnswer.objects.create(survey=survey, text="@SUM(A1)", answered_on=dt.date.today())
    analysed(survey)
    client = logged_in(world.alice)
    html = page(client.get(url(survey)))
    assert "<script>alert" not in html and "<i>Payroll</i>" not in html
    assert "&lt;script&gt;alert(&#x27;payroll&#x27;)&lt;/script&gt;" in html
    assert "Finance &amp; &lt;i&gt;Payroll&lt;/i&gt;" in html
    cells = [row[-1] for row in csv_rows(client.get(url(survey, "report.csv")))]
    assert f"{payload} payroll payslips 0" in cells
    assert "'=1+1" in cells and "'@SUM(A1)" in cells and "=1+1" not in cells


def test_the_csv_is_an_attachment_of_anonymous_rows_with_their_cluster(
    world: World, survey: PurposeSurvey
) -> None:
    analysed(survey)
    response = logged_in(world.alice).get(url(survey, "report.csv"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="purpose-survey-{survey.pk}-answers.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response)
    assert rows[0] == ["cluster", "cluster_words", "closeness", "theme", "team", "answer"]
    assert len(rows) == 1 + PurposeAnswer.objects.filter(survey=survey).count()
    assert {"Platform", "Other answers"} <= {row[4] for row in rows[1:]}


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-0.125", "-0.125"),
        ("plain = text", "plain = text"),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_get_a_quote(cell: str | None, safe: str) -> None:
    assert csv_safe(cell) == safe


def test_a_team_under_five_answers_is_never_named(world: World, survey: PurposeSurvey) -> None:
    analysed(survey)
    client = logged_in(world.alice)
    html = page(client.get(url(survey)))
    assert SMALL_TEAM not in html
    assert "pooled as “Other answers”" in html  # 4 from Skunkworks + 2 without a team
    rows = csv_rows(client.get(url(survey, "report.csv")))
    assert SMALL_TEAM not in "".join("".join(row) for row in rows)
    assert {row[4] for row in rows if row[5] in SMALL} == {"Other answers"}


def test_a_pool_under_five_is_said_but_not_shown(world: World) -> None:
    with_strategy(world)
    survey = survey_with(world, {world.platform: ON_STRATEGY, None: ["Payroll.", "Freight."]})
    analysed(survey)
    html = page(logged_in(world.alice).get(url(survey)))
    assert "Fewer than 5 answers came from smaller teams" in html
    assert 'id="group-other"' not in html


def test_without_an_analysis_the_page_says_so(world: World, survey: PurposeSurvey) -> None:
    html = page(logged_in(world.alice).get(url(survey)))
    assert 'id="no-analysis"' in html and "Analyse now" in html
    assert 'id="report-figures"' not in html


def test_without_strategy_it_says_nothing_was_measured_and_where_to_write_it(
    world: World, finance: Team
) -> None:
    survey = survey_with(world, {world.platform: ON_STRATEGY, finance: TASKS})
    analysed(survey)
    html = page(logged_in(world.alice).get(url(survey)))
    assert 'id="not-measured"' in html
    assert 'href="/o/acme/settings/"' in html and 'href="/o/acme/strategy/"' in html
    assert 'id="overall-index"' not in html


def test_answers_nobody_can_read_are_not_blamed_on_a_missing_strategy(world: World) -> None:
    with_strategy(world)
    survey = survey_with(world, {None: ["", "   ", "!!!"]})
    analysed(survey)
    html = page(logged_in(world.alice).get(url(survey)))
    assert 'id="nothing-readable"' in html and 'id="not-measured"' not in html
    assert "3 answers could not be read" in html


def test_answers_given_since_the_analysis_are_counted(world: World, survey: PurposeSurvey) -> None:
    analysed(survey)
    for text in ("Late answer.", "Another late one."):
        PurposeAnswer.objects.create(survey=survey, text=text, answered_on=dt.date.today())
    html = page(logged_in(world.alice).get(url(survey)))
    assert "2 answers since this analysis" in html


# --- analysing, and the poll -------------------------------------------------------------


def test_analyse_now_queues_the_analysis_and_the_page_shows_it_running(
    world: World, survey: PurposeSurvey, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(survey, "analyse/"))
    assert response.status_code == 302 and response["Location"] == url(survey)
    task = DBTaskResult.objects.get(task_path__endswith="survey_analyse_task")
    assert task.args_kwargs["args"] == [survey.pk]
    html = page(client.get(url(survey)))
    assert "Analysis running…" in html and 'hx-trigger="every 2s"' in html
    assert "Analysing “Autumn”" in html  # the message
    assert client.get(url(survey), headers={"HX-Request": "true"}).status_code == 204


def test_analyse_now_returns_to_the_page_it_was_pressed_on(
    world: World, survey: PurposeSurvey
) -> None:
    client = logged_in(world.alice)
    back = url(survey, "compare/?with=1")
    assert client.post(url(survey, "analyse/"), {"next": back})["Location"] == back
    elsewhere = client.post(url(survey, "analyse/"), {"next": "https://evil.test/"})
    assert elsewhere["Location"] == url(survey)


def test_the_poll_swaps_in_the_report_once_the_analysis_is_stored(
    world: World, survey: PurposeSurvey
) -> None:
    client = logged_in(world.alice)
    client.post(url(survey, "analyse/"))
    analysed(survey)
    partial = page(client.get(url(survey), headers={"HX-Request": "true"}))
    assert partial.lstrip().startswith('<div id="survey-report">')
    assert 'id="overall-index"' in partial and "every 2s" not in partial
    assert "<html" not in partial


def test_a_new_analysis_running_keeps_the_previous_one_on_show(
    world: World, survey: PurposeSurvey
) -> None:
    analysed(survey)
    client = logged_in(world.alice)
    client.post(url(survey, "analyse/"))
    html = page(client.get(url(survey)))
    assert "Analysis running…" in html and "this is the previous analysis" in html
    assert 'id="overall-index"' in html


@pytest.mark.parametrize("answers", [10, 60])
def test_the_report_runs_a_few_queries_whatever_the_number_of_answers(
    world: World, finance: Team, answers: int, django_assert_max_num_queries: Any
) -> None:
    with_strategy(world)
    half = answers // 2
    survey = survey_with(
        world,
        {
            world.platform: [ON_STRATEGY[n % 6] + f" {n}" for n in range(half)],
            finance: [TASKS[n % 5] + f" {n}" for n in range(answers - half)],
        },
    )
    analysed(survey)
    spring = analysed(survey_with(world, {world.platform: ON_STRATEGY}, title="Spring", opens=100))
    client = logged_in(world.alice)
    client.get(url(survey))  # the session and the organisation, remembered once
    # session, user, membership, the survey and its teams, the surveys to compare with,
    # the menu of organisations
    with django_assert_max_num_queries(7):
        assert 'id="overall-index"' in page(client.get(url(survey)))
    with django_assert_max_num_queries(6):
        assert len(csv_rows(client.get(url(survey, "report.csv")))) == answers + 1
    with django_assert_max_num_queries(9):
        assert 'id="comparison-rows"' in page(client.get(url(survey, f"compare/?with={spring.pk}")))


# --- who may read it ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_get_403(world: World, survey: PurposeSurvey, persona: str) -> None:
    analysed(survey)
    client = logged_in(getattr(world, persona))
    for page_ in ("report/", "report.csv", f"compare/?with={survey.pk}"):
        assert client.get(url(survey, page_)).status_code == 403
    assert client.post(url(survey, "analyse/")).status_code == 403
    assert PurposeSurvey.objects.get(pk=survey.pk).analysis_requested_at is None
    assert "survey-report-link" not in page(client.get(url(survey, "")))


def test_admins_find_the_report_from_the_survey_page(world: World, survey: PurposeSurvey) -> None:
    html = page(logged_in(world.alice).get(url(survey, "")))
    assert f'href="{url(survey)}"' in html


def test_another_organisations_survey_is_404(world: World, survey: PurposeSurvey) -> None:
    client = logged_in(world.charlie)
    for page_ in ("report/", "report.csv", "compare/"):
        assert client.get(url(survey, page_)).status_code == 404
        assert client.get(f"/o/globex/surveys/{survey.pk}/{page_}").status_code == 404
    assert client.post(f"/o/globex/surveys/{survey.pk}/analyse/").status_code == 404
    theirs = survey_with(world, {world.globex_team: ["Globex things."]}, organisation=world.globex)
    alice = logged_in(world.alice)
    assert alice.get(url(survey, f"compare/?with={theirs.pk}")).status_code == 404
    assert alice.get(url(survey, "compare/?with=nonsense")).status_code == 404


# --- two surveys ---------------------------------------------------------------------------


@pytest.fixture
def spring(world: World, finance: Team) -> PurposeSurvey:
    """An earlier survey: Platform described its tasks then."""
    return survey_with(
        world,
        {
            world.platform: ["Deploying services.", "Fixing builds.", "Code reviews.",
                             "Writing tickets.", "On-call rotas."],
            finance: TASKS,
        },
        title="Spring",
        opens=100,
    )  # fmt: skip


def test_the_comparison_shows_each_teams_index_before_and_after(
    world: World, survey: PurposeSurvey, spring: PurposeSurvey
) -> None:
    analysed(survey)
    analysed(spring)
    rows = survey_comparison(
        world.alice,
        PurposeSurvey.objects.get(pk=spring.pk),
        PurposeSurvey.objects.get(pk=survey.pk),
    )
    platform = next(row for row in rows if row.name == "Platform")
    assert platform.index_change is not None and platform.index_change > 0
    response = logged_in(world.alice).get(url(survey, f"compare/?with={spring.pk}"))
    html = page(response)
    assert f"{platform.before.index} → {platform.after.index}" in html
    assert f"+{platform.index_change} (up)" in html
    assert f'id="compare-{world.platform.pk}"' in html and 'id="compare-all"' in html
    assert 'aria-labelledby="compare-index-title compare-index-desc"' in html
    before = html.index("Before: <a")
    assert (
        before
        < html.index("Spring", before)
        < html.index("After: <a")
        < html.index("Autumn", before)
    )
    assert_strict_page(response)
    # the order does not depend on which report the comparison starts from
    assert f"{platform.before.index} → {platform.after.index}" in page(
        logged_in(world.alice).get(url(spring, f"compare/?with={survey.pk}"))
    )


def test_the_report_offers_only_other_analysed_surveys_to_compare_with(
    world: World, survey: PurposeSurvey, spring: PurposeSurvey
) -> None:
    analysed(survey)
    unanalysed = survey_with(world, {None: ["x"]}, title="Never analysed", opens=200)
    html = page(logged_in(world.alice).get(url(survey)))
    assert "No other survey" in html
    analysed(spring)
    html = page(logged_in(world.alice).get(url(survey)))
    assert f'<option value="{spring.pk}"' in html
    assert f'<option value="{unanalysed.pk}"' not in html


def test_the_comparison_says_which_survey_has_no_analysis(
    world: World, survey: PurposeSurvey, spring: PurposeSurvey
) -> None:
    analysed(survey)
    html = page(logged_in(world.alice).get(url(survey, f"compare/?with={spring.pk}")))
    assert "“Spring” has no analysis yet" in html and "“Autumn” has no analysis" not in html
    assert f'action="{url(spring, "analyse/")}"' in html
    assert 'id="comparison-rows"' not in html


def test_the_comparison_warns_when_two_text_engines_measured_the_surveys(
    world: World, survey: PurposeSurvey, spring: PurposeSurvey
) -> None:
    analysed(survey)
    survey_analyse(spring.pk)  # the static model; the other used the lexical engine
    html = page(logged_in(world.alice).get(url(survey, f"compare/?with={spring.pk}")))
    assert "these two were not" in html and "(static and lexical)" in html


def test_a_stalled_analysis_says_so_and_offers_to_analyse_again(world: World) -> None:
    survey = PurposeSurvey.objects.create(
        organisation=world.acme,
        title="Stalled",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        token="stalled-token",
        analysis_requested_at=timezone.now() - dt.timedelta(hours=1),
    )
    page = logged_in(world.alice).get(f"/o/acme/surveys/{survey.pk}/report/")
    body = page.content.decode()
    assert 'id="analysis-stalled"' in body and "headway worker" in body
    assert 'hx-trigger="every 2s"' not in body  # it stops asking
    assert "Analyse now" in body
