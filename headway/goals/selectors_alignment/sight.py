"""Line of sight: every chain from one objective up to strategy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from headway.accounts.models import Membership

from .. import alignment
from ..models import Objective, Theme
from ..selectors import objectives_visible
from .common import _edge, objective_band

# --- line of sight ----------------------------------------------------------------------

# Every link above one objective, whatever its depth, in one query: walk up through
# objective and key-result parents (UNION, not UNION ALL, so a loop ends the walk),
# then read every link out of the objectives met. Plain SQL that SQLite and
# PostgreSQL both run (see docs/adr/0002 for the same walk over teams).
_LINKS_ABOVE_SQL = """
WITH RECURSIVE up (objective_id) AS (
    SELECT CAST(%s AS BIGINT)
    UNION
    SELECT CAST(COALESCE(l.parent_objective_id, kr.objective_id) AS BIGINT)
      FROM goals_alignmentlink AS l
      LEFT JOIN goals_keyresult AS kr ON kr.id = l.parent_key_result_id
      JOIN up ON l.child_id = up.objective_id
     WHERE l.organisation_id = %s AND l.parent_theme_id IS NULL
)
SELECT l.id, l.child_id, l.parent_theme_id, l.parent_objective_id, l.parent_key_result_id,
       kr.objective_id, l.kind, l.weight, kr.title
  FROM goals_alignmentlink AS l
  LEFT JOIN goals_keyresult AS kr ON kr.id = l.parent_key_result_id
 WHERE l.organisation_id = %s AND l.child_id IN (SELECT objective_id FROM up)
 ORDER BY l.id
"""


@dataclass
class SightStep:
    """One step of a line of sight, ready to show. A private objective the member may
    not see has no id, title or figures: only `private`."""

    type: str  # "objective" or "theme"
    id: int | None
    title: str | None
    private: bool = False
    objective: Objective | None = None
    theme: Theme | None = None
    band: str | None = None
    link_kind: str | None = None
    link_weight: float | None = None
    key_result_id: int | None = None
    key_result_title: str | None = None

    @property
    def progress(self) -> float | None:
        return self.objective.progress if self.objective else None

    @property
    def bubble(self) -> Any:
        """The bubble root team of a bubble theme; None for the organisation's."""
        return self.theme.team if self.theme else None


@dataclass
class SightChain:
    steps: list[SightStep]
    reaches_strategy: bool
    all_contribute: bool
    cut: bool = False

    @property
    def theme(self) -> SightStep | None:
        return self.steps[-1] if self.reaches_strategy else None


def _links_above(organisation_id: int, objective_id: int) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_LINKS_ABOVE_SQL, [objective_id, organisation_id, organisation_id])
        return list(cursor.fetchall())


def line_of_sight(
    member: Membership, objective: Objective, today: dt.date | None = None
) -> list[SightChain]:
    """Every chain from `objective` up to strategy, best first (see
    `alignment.lines_of_sight`), in four queries whatever the depth."""
    today = today or dt.date.today()
    rows = _links_above(member.organisation_id, objective.pk)
    edges = [_edge(row) for row in rows]
    kr_titles = {row[4]: row[8] for row in rows if row[4] is not None}
    chains = alignment.lines_of_sight(objective.pk, edges)
    ids = {s.id for c in chains for s in c.steps if s.type == alignment.OBJECTIVE}
    theme_ids = {s.id for c in chains for s in c.steps if s.type == alignment.THEME}
    objectives = {
        o.pk: o
        for o in objectives_visible(member)
        .filter(pk__in=ids)
        .select_related("cycle", "owner_team", "owner_user")
    }
    themes = {
        t.pk: t
        for t in Theme.objects.filter(
            organisation_id=member.organisation_id, pk__in=theme_ids
        ).select_related("team")
    }
    return [_chain_view(c, objectives, themes, kr_titles, today) for c in chains]


def _chain_view(
    chain: alignment.Chain,
    objectives: dict[int, Objective],
    themes: dict[int, Theme],
    kr_titles: dict[int, str],
    today: dt.date,
) -> SightChain:
    steps = []
    for step in chain.steps:
        view = _step_view(step, objectives, themes, today)
        link = step.link
        if link is not None and not view.private:
            view.link_kind, view.link_weight = link.kind, link.weight
            view.key_result_id = link.key_result
            view.key_result_title = kr_titles.get(link.key_result or 0)
        elif link is not None:
            view.link_kind = link.kind
        steps.append(view)
    return SightChain(steps, chain.reaches_strategy, chain.all_contribute, chain.cut)


def _step_view(
    step: alignment.Step,
    objectives: dict[int, Objective],
    themes: dict[int, Theme],
    today: dt.date,
) -> SightStep:
    if step.type == alignment.THEME:
        theme = themes.get(step.id)
        return SightStep(alignment.THEME, step.id, theme.title if theme else "", theme=theme)
    found = objectives.get(step.id)
    if found is None:
        return SightStep(alignment.OBJECTIVE, None, None, private=True)
    return SightStep(
        alignment.OBJECTIVE,
        found.pk,
        found.title,
        objective=found,
        band=objective_band(found, today),
    )
