"""Template filters for the leader brief's Markdown: escaped text and linked figures."""

from __future__ import annotations

import re

from django import template

from headway.rollout.brief import Figure

register = template.Library()

SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


@register.filter
def md(text: object) -> str:
    """Text as Markdown shows it literally: its markup characters escaped."""
    return SPECIAL.sub(r"\\\1", str(text))


@register.filter
def oneline(text: object) -> str:
    """Line breaks as spaces, so a list item or a quote stays one paragraph."""
    return " ".join(str(text).split())


@register.filter
def mdlink(figure: Figure, base: str) -> str:
    """A figure as a Markdown link to the page it comes from."""
    return f"[{md(figure.text)}]({base}{figure.href})"
