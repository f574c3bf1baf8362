"""Every write to goals: cycles, themes, objectives, key results, initiatives,
alignment links and check-ins. One function per action; interfaces call these and
nothing else saves a goals model."""

from .checkins import checkin_create
from .cycles import (
    cycle_create,
    cycle_delete,
    cycle_update,
    theme_create,
    theme_delete,
    theme_update,
    year_with_quarters,
)
from .initiatives import initiative_create, initiative_delete, initiative_update
from .links import alignment_link_create, alignment_link_delete
from .objectives import (
    key_result_create,
    key_result_delete,
    key_result_update,
    objective_create,
    objective_delete,
    objective_update,
    objectives_bulk_create,
)
from .rollup import recompute_all

__all__ = [
    "alignment_link_create",
    "alignment_link_delete",
    "checkin_create",
    "cycle_create",
    "cycle_delete",
    "cycle_update",
    "initiative_create",
    "initiative_delete",
    "initiative_update",
    "key_result_create",
    "key_result_delete",
    "key_result_update",
    "objective_create",
    "objective_delete",
    "objective_update",
    "objectives_bulk_create",
    "recompute_all",
    "theme_create",
    "theme_delete",
    "theme_update",
    "year_with_quarters",
]
