"""Reads for alignment: line of sight, the alignment map and alignment health.

Every read starts from `selectors.objectives_visible`, the one visibility rule:
objectives a member may not see are never named here, only counted as private. The
maths lives in the pure modules `alignment` (graph) and `alignment_text` (wording);
these functions fetch the columns they need in a fixed number of queries and hand
them over.
"""

from .common import cycle_elapsed, links_below, objective_band, overlapping, teams_for_picker
from .health import (
    BubbleHealth,
    Finding,
    FindingItem,
    HealthReport,
    Ref,
    alignment_health,
    as_dict,
    text_engine,
    wording_findings,
)
from .map import (
    AlignmentMap,
    Branch,
    MapRow,
    ParentLabel,
    StrategyBlock,
    TeamGroup,
    ThemeBlock,
    alignment_map,
    map_children,
)
from .sight import SightChain, SightStep, line_of_sight
from .tree import MAX_DEPTH, TreeItem, TreeLevel, TreeRoot, alignment_tree

__all__ = [
    "MAX_DEPTH",
    "AlignmentMap",
    "Branch",
    "BubbleHealth",
    "Finding",
    "FindingItem",
    "HealthReport",
    "MapRow",
    "ParentLabel",
    "Ref",
    "SightChain",
    "SightStep",
    "StrategyBlock",
    "TeamGroup",
    "ThemeBlock",
    "TreeItem",
    "TreeLevel",
    "TreeRoot",
    "alignment_health",
    "alignment_map",
    "alignment_tree",
    "as_dict",
    "cycle_elapsed",
    "line_of_sight",
    "links_below",
    "map_children",
    "objective_band",
    "overlapping",
    "teams_for_picker",
    "text_engine",
    "wording_findings",
]
