"""Template filters for the purpose survey report: a similarity in words.

Similarities are raw cosines whose meaning depends on the text engine (0.40 is
"unrelated" for the static model, 0.05 for the lexical one), so the report writes each
with a reading on that engine's scale rather than as a percentage that would look the
same for both.
"""

from __future__ import annotations

from django import template

from headway.discovery.metrics.purpose import SCALES

register = template.Library()

# Upper bounds on the engine's 0-1 scale (0: unrelated, 1: the same idea), and the words.
READINGS = ((1 / 3, "loosely related"), (2 / 3, "related"), (1.0, "closely related"))


@register.filter
def similarity_reading(similarity: float | None, engine: str) -> str:
    """'unrelated', 'loosely related', 'related', 'closely related' or 'the same idea'."""
    if similarity is None:
        return "not measured"
    scaled = float(SCALES.get(engine, SCALES["static"]).scaled(similarity))
    if scaled <= 0:
        return "unrelated"
    return next((words for upper, words in READINGS if scaled < upper), "the same idea")
