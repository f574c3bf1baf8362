"""Leader briefs on the web: the page with its form (leader and lens) and the brief,
which prints cleanly; the same brief as a PDF and as Markdown to download.

Owners and admins may read any member's brief; anyone else only their own (403). A
leader of another organisation, or an unknown one, is a 404; an unknown lens is
refused with the five that exist (422 on the page). The brief is
`rollout.brief.leader_brief`; rendering is `web.brief_output`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from headway.accounts.models import Membership
from headway.lib.htmx import render_page
from headway.rollout.brief import LENS, LENSES, Brief, brief_leaders, leader_brief
from headway.web.brief_output import brief_markdown, brief_pdf, chart, filename
from headway.web.decorators import member_view

TEMPLATE = "rollout/brief.html"


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined, no-any-return]


def _brief(request: HttpRequest) -> Brief:
    """The brief the query asks for: `?leader=<membership id>&lens=<lens>`; without a
    leader, the asker's own."""
    member = _member(request)
    leader = request.GET.get("leader") or member.pk
    return leader_brief(member, leader, request.GET.get("lens") or None)


@member_view()
@require_GET
def rollout_brief(request: HttpRequest) -> HttpResponse:
    """The form, and the brief once a leader is chosen."""
    member = _member(request)
    leaders = brief_leaders(member)
    context: dict[str, Any] = {
        "leaders": leaders,
        "lenses": [LENS[key] for key in LENSES],
        "chosen_leader": request.GET.get("leader", str(member.pk)),
        "chosen_lens": request.GET.get("lens", ""),
        "base": "",
    }
    status = 200
    if "leader" in request.GET:
        try:
            brief = _brief(request)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            status = 422
        else:
            if all(str(m.pk) != str(brief.leader.pk) for m in leaders):
                context["leaders"] = [*leaders, brief.leader]
            context.update(brief=brief, chart=chart(brief), query=request.GET.urlencode())
    return render_page(request, TEMPLATE, context, status=status)


@member_view()
@require_GET
def rollout_brief_pdf(request: HttpRequest) -> HttpResponse:
    brief = _brief(request)
    response = HttpResponse(brief_pdf(brief), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(brief, "pdf")}"'
    return response


@member_view()
@require_GET
def rollout_brief_markdown(request: HttpRequest) -> HttpResponse:
    brief = _brief(request)
    response = HttpResponse(brief_markdown(brief), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(brief, "md")}"'
    return response
