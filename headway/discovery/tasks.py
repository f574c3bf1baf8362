"""Survey analysis outside the request."""

from __future__ import annotations

from django_tasks import task

from .services_analysis import survey_analyse, survey_analysis_queue, surveys_ended_unanalysed


@task()
def survey_analyse_task(survey_id: int) -> int:
    """Analyse one survey; returns how many answers were analysed."""
    survey = survey_analyse(survey_id)
    return int(survey.analysis["answer_count"]) if survey.analysis else 0


@task()
def surveys_analyse_ended_task() -> int:
    """Queue an analysis of every survey that ended without one (the hourly schedule)."""
    ended = surveys_ended_unanalysed()
    for survey in ended:
        survey_analysis_queue(survey)
    return len(ended)
