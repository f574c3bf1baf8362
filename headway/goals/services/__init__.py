"""Every write to goals: cycles, themes, objectives, key results, initiatives,
alignment links and check-ins. One function per action; interfaces call these and
nothing else saves a goals model."""

from .checkins import checkin_create
from .closing import (
    CarryOverResult,
    CycleCloseResult,
    cycle_close,
    cycle_reopen,
    key_result_score_set,
    objective_carry_over,
    objective_retrospective_save,
    objective_score_set,
)
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
from .key_results import key_result_create, key_result_delete, key_result_update
from .links import alignment_link_create, alignment_link_delete
from .objectives import (
    objective_create,
    objective_delete,
    objective_update,
    objectives_bulk_create,
)
from .pivots import key_result_target_change, pivot_record
from .rollup import recompute_all

__all__ = [
    "CarryOverResult",
    "CycleCloseResult",
    "alignment_link_create",
    "alignment_link_delete",
    "checkin_create",
    "cycle_close",
    "cycle_create",
    "cycle_delete",
    "cycle_reopen",
    "cycle_update",
    "initiative_create",
    "initiative_delete",
    "initiative_update",
    "key_result_create",
    "key_result_delete",
    "key_result_score_set",
    "key_result_target_change",
    "key_result_update",
    "objective_carry_over",
    "objective_create",
    "objective_delete",
    "objective_retrospective_save",
    "objective_score_set",
    "objective_update",
    "objectives_bulk_create",
    "pivot_record",
    "recompute_all",
    "theme_create",
    "theme_delete",
    "theme_update",
    "year_with_quarters",
]
