"""Leader briefs: a leader's brief under a lens, as JSON (sections with their figures,
each with the absolute URL of the page it comes from), as PDF and as Markdown.

Owners and admins read any member's brief; anyone else only their own (403). An
unknown leader or one of another organisation is 404; an unknown lens is 422 with
the five that exist. What each section shows: docs/rollout.md ("Leader briefs").
"""

# No `from __future__ import annotations` in router modules (see rollout.py).

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from headway.rollout.brief import Brief, Figure, Row, Section, leader_brief
from headway.web.brief_output import absolute, brief_markdown, brief_pdf, filename

from .auth import member_of
from .common import ID_MAX, ID_MIN, Id, responses

router = Router(tags=["rollout"])

LENS_HELP = (
    "strategy_execution, alignment, communication, focus or engagement; left out: the "
    "problem recorded for the leader in discovery (else strategy_execution)."
)


class BriefFigureOut(Schema):
    key: str = Field(..., description="Stable within a brief, e.g. alignment.aligned_share.")
    label: str
    text: str = Field(..., description="As shown: '72%', '3', or 'not enough data'.")
    value: float | int | str | None = Field(
        ..., description="The number itself (shares 0-1); null: not enough data."
    )
    detail: str
    source: str = Field(..., description="The absolute URL of the page that shows it.")


class BriefLineOut(Schema):
    label: str
    text: str


class BriefRowOut(Schema):
    title: str
    source: str
    meta: str
    lines: list[BriefLineOut]
    figures: list[BriefFigureOut]
    changes: list[str]
    state: str = Field(..., description="A criterion's: met, unmet or unknown; else empty.")


class BriefSideOut(Schema):
    label: str
    pilot: BriefFigureOut
    rest: BriefFigureOut


class BriefCycleOut(Schema):
    id: int
    name: str


class BriefTrendOut(Schema):
    cycle: BriefCycleOut
    figures: list[BriefFigureOut]


class BriefSectionOut(Schema):
    key: str
    title: str
    lead: str
    source: str
    empty: str = Field(..., description="Said instead of the content when there is none.")
    figures: list[BriefFigureOut]
    rows: list[BriefRowOut]
    sides: list[BriefSideOut] = Field(..., description="The pilot beside the rest.")
    trend: list[BriefTrendOut] = Field(..., description="Adoption over cycles, oldest first.")
    notes: list[str]


class BriefLeaderOut(Schema):
    id: int = Field(..., description="The leader's membership id.")
    name: str
    email: str
    title: str


class BriefScopeOut(Schema):
    label: str
    whole: bool = Field(..., description="The whole organisation.")
    team_ids: list[int]


class BriefOut(Schema):
    leader: BriefLeaderOut
    lens: str
    lens_label: str
    lens_from: str = Field(..., description="asked, discovery or default.")
    problem: str = Field(..., description="The leader's own words, or the lens's question.")
    problem_theirs: bool
    scope: BriefScopeOut
    cycle: BriefCycleOut | None
    today: dt.date
    headline: BriefFigureOut
    headline_text: str
    sections: list[BriefSectionOut] = Field(..., description="In the lens's order.")


def _figure(f: Figure) -> dict[str, Any]:
    return {
        "key": f.key,
        "label": f.label,
        "text": f.text,
        "value": f.value,
        "detail": f.detail,
        "source": absolute(f.href),
    }


def _row(row: Row) -> dict[str, Any]:
    return {
        "title": row.title,
        "source": absolute(row.href),
        "meta": row.meta,
        "lines": [{"label": label, "text": text} for label, text in row.lines],
        "figures": [_figure(f) for f in row.figures],
        "changes": list(row.changes),
        "state": row.state,
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "lead": section.lead,
        "source": absolute(section.href) if section.href else "",
        "empty": section.empty,
        "figures": [_figure(f) for f in section.figures],
        "rows": [_row(r) for r in section.rows],
        "sides": [
            {"label": s.label, "pilot": _figure(s.pilot), "rest": _figure(s.rest)}
            for s in section.sides
        ],
        "trend": [
            {"cycle": p.cycle, "figures": [_figure(f) for f in p.figures]} for p in section.trend
        ],
        "notes": section.notes,
    }


def brief_out(brief: Brief) -> dict[str, Any]:
    leader = brief.leader
    return {
        "leader": {
            "id": leader.pk,
            "name": brief.leader_name,
            "email": leader.user.email,
            "title": leader.title,
        },
        "lens": brief.lens.key,
        "lens_label": brief.lens.label,
        "lens_from": brief.lens_from,
        "problem": brief.problem,
        "problem_theirs": brief.problem_theirs,
        "scope": {
            "label": brief.scope.label,
            "whole": brief.scope.whole,
            "team_ids": sorted(brief.scope.team_ids),
        },
        "cycle": brief.cycle,
        "today": brief.today,
        "headline": _figure(brief.headline),
        "headline_text": brief.headline_text,
        "sections": [_section(s) for s in brief.sections],
    }


def _brief(request: HttpRequest, leader_id: Id, lens: str | None) -> Brief:
    return leader_brief(member_of(request), leader_id, lens)


def _download(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file(media: str, description: str) -> dict[str, Any]:
    schema = (
        {"type": "string", "format": "binary"} if media == "application/pdf" else {"type": "string"}
    )
    return {
        "responses": {"200": {"description": description, "content": {media: {"schema": schema}}}}
    }


@router.get(
    "/rollout/brief",
    response=responses({200: BriefOut}, (401, 403, 404, 422)),
    summary="A leader's brief under a lens: sections with figures and their sources",
)
def rollout_brief(
    request: HttpRequest,
    leader_id: int = Query(..., ge=ID_MIN, le=ID_MAX, description="The leader's membership id."),
    lens: str | None = Query(None, description=LENS_HELP),
) -> dict[str, Any]:
    return brief_out(_brief(request, leader_id, lens))


@router.get(
    "/rollout/brief.pdf",
    response=responses({200: None}, (401, 403, 404, 422)),
    summary="A leader's brief as a PDF (one or two A4 pages)",
    openapi_extra=_file("application/pdf", "The brief, brief-<leader>-<lens>.pdf."),
)
def rollout_brief_pdf(
    request: HttpRequest,
    leader_id: int = Query(..., ge=ID_MIN, le=ID_MAX, description="The leader's membership id."),
    lens: str | None = Query(None, description=LENS_HELP),
) -> HttpResponse:
    brief = _brief(request, leader_id, lens)
    return _download(brief_pdf(brief), "application/pdf", filename(brief, "pdf"))


@router.get(
    "/rollout/brief.md",
    response=responses({200: None}, (401, 403, 404, 422)),
    summary="A leader's brief as Markdown",
    openapi_extra=_file("text/markdown", "The brief, brief-<leader>-<lens>.md."),
)
def rollout_brief_markdown(
    request: HttpRequest,
    leader_id: int = Query(..., ge=ID_MIN, le=ID_MAX, description="The leader's membership id."),
    lens: str | None = Query(None, description=LENS_HELP),
) -> HttpResponse:
    brief = _brief(request, leader_id, lens)
    return _download(brief_markdown(brief), "text/markdown; charset=utf-8", filename(brief, "md"))
