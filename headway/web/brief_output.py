"""A leader brief as a page, a PDF and Markdown: one template structure for the page
and the PDF (`rollout/_brief.html`, the PDF with its own print stylesheet), one
Markdown template. The web views, the API and the `headway brief` command all render
through here.

Links are paths on the page; in the PDF, Markdown and API they are absolute, on the
address people use (`HEADWAY_SITE_URL`, settings.SITE_URL), so a brief sent round by
e-mail still leads to its sources. The adoption trend is server-rendered SVG, which
WeasyPrint draws into the PDF.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.text import slugify

from headway.rollout.brief import Brief
from headway.web.adoption_charts import TrendChart, trend_chart


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def absolute(path: str, base: str | None = None) -> str:
    return (
        path
        if path.startswith(("http://", "https://"))
        else f"{site_url() if base is None else base}{path}"
    )


def chart(brief: Brief) -> TrendChart | None:
    adoption = next((s for s in brief.sections if s.key == "adoption"), None)
    if adoption is None or not adoption.trend:
        return None
    return trend_chart([(p.cycle.name, p.adoption) for p in adoption.trend])


def context(brief: Brief, base: str) -> dict[str, Any]:
    return {"brief": brief, "base": base, "chart": chart(brief)}


def filename(brief: Brief, extension: str) -> str:
    """brief-ava-okafor-alignment.pdf"""
    who = slugify(brief.leader_name) or f"leader-{brief.leader.pk}"
    return f"brief-{who}-{brief.lens.key.replace('_', '-')}.{extension}"


def brief_html(brief: Brief, base: str | None = None) -> str:
    """The PDF's HTML document: the brief with its print stylesheet, links absolute."""
    return render_to_string(
        "rollout/brief_pdf.html", context(brief, site_url() if base is None else base)
    )


def brief_pdf(brief: Brief, base: str | None = None) -> bytes:
    from weasyprint import HTML

    document = HTML(string=brief_html(brief, base), base_url=site_url())
    pdf: bytes = document.write_pdf()
    return pdf


def brief_markdown(
    brief: Brief, base: str | None = None, request: HttpRequest | None = None
) -> str:
    text = render_to_string(
        "rollout/brief.md", context(brief, site_url() if base is None else base), request
    )
    # The template's tags leave blank lines behind; Markdown needs one between blocks.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
