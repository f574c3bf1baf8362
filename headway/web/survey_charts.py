"""Geometry of the purpose survey report's charts; the templates draw them as SVG.

Python works out positions and the words; `templates/survey/_report_*chart*.html` write
the SVG with presentation attributes only (no style, no script), so the pages keep
their strict Content-Security-Policy and every label, a cluster's words included, is
escaped by the template like any other text. Each chart has a title and a description
in words for screen readers, and says every figure in text beside its shape: colour
is never the only way to tell two things apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from headway.discovery.selectors_analysis import ClusterView, ComparisonRow, GroupView
from headway.lib.charts import Mark

WIDTH = 480
ROW = 34  # height of one labelled bar: the label line, then the bar
BAR = 14
INK, MUTED, GRID, ACCENT = "#1d2433", "#5b6475", "#e3e7ee", "#1f5fbf"
# One colour per cluster (at most 8), dark enough for a white number on it; the
# answers that fit no cluster are light grey with dark text.
PALETTE = (
    "#1f5fbf",
    "#a15c00",
    "#2e7d4f",
    "#8e3b8e",
    "#00758f",
    "#b23b3b",
    "#6b6b00",
    "#4a5568",
)
UNCLUSTERED = "#d5d9e0"


def cluster_colour(cluster: ClusterView | None) -> str:
    return UNCLUSTERED if cluster is None else PALETTE[(cluster.id - 1) % len(PALETTE)]


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def answers(count: int) -> str:
    return f"{count} answer{'' if count == 1 else 's'}"


# --- the distribution of closeness to strategy -------------------------------------------

HIST_HEIGHT, HIST_LEFT, HIST_RIGHT, HIST_TOP, HIST_BOTTOM = 220, 40, 12, 30, 44


@dataclass(frozen=True)
class Column:
    """One tenth of closeness: its bar, its count written above it."""

    x: float
    y: float
    width: float
    height: float
    centre: float
    count: int


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    left: float
    right: float
    top: float
    baseline: float
    columns: list[Column]
    grid: list[Mark]  # y positions, labelled with a count
    ticks: list[Mark]  # x positions, labelled with a similarity
    guides: list[Mark]  # x positions of "unrelated" and "same idea"
    description: str


def closeness_histogram(
    counts: Sequence[int], unrelated: float, paraphrase: float
) -> Histogram | None:
    """Answers per tenth of similarity to the strategy (0..1), with where this text
    engine's "unrelated" and "the same idea" lie. None without answers to show."""
    if not counts or not sum(counts):
        return None
    right, baseline = WIDTH - HIST_RIGHT, HIST_HEIGHT - HIST_BOTTOM
    slot = (right - HIST_LEFT) / len(counts)
    top_count = _round_up(max(counts))
    plot = baseline - HIST_TOP

    def x(similarity: float) -> float:
        return round(HIST_LEFT + (right - HIST_LEFT) * min(max(similarity, 0.0), 1.0), 1)

    columns = []
    for n, count in enumerate(counts):
        height = plot * count / top_count
        columns.append(
            Column(
                x=round(HIST_LEFT + n * slot + 2, 1),
                y=round(baseline - height, 1),
                width=round(slot - 4, 1),
                height=round(height, 1),
                centre=round(HIST_LEFT + (n + 0.5) * slot, 1),
                count=count,
            )
        )
    grid = [Mark(round(baseline - plot * v / top_count, 1), str(v)) for v in (0, top_count)]
    ticks = [Mark(x(v / 10), f"{v / 10:.1f}") for v in range(0, 11, 2)]
    guides = [Mark(x(unrelated), "unrelated"), Mark(x(paraphrase), "same idea")]
    return Histogram(
        width=WIDTH,
        height=HIST_HEIGHT,
        left=HIST_LEFT,
        right=right,
        top=HIST_TOP,
        baseline=baseline,
        columns=columns,
        grid=grid,
        ticks=ticks,
        guides=guides,
        description=_histogram_words(counts, unrelated, paraphrase),
    )


def _round_up(count: int) -> int:
    """A round top for the count axis: 4 → 5, 13 → 15, 38 → 40."""
    step = 5 if count <= 50 else 10 ** (len(str(count)) - 1)
    return max(step, -(-count // step) * step)


def _histogram_words(counts: Sequence[int], unrelated: float, paraphrase: float) -> str:
    tenths = "; ".join(
        f"{n / 10:.1f} to {(n + 1) / 10:.1f}: {count}" for n, count in enumerate(counts)
    )
    return (
        f"Answers by their similarity to the strategy, in tenths from 0 to 1. {tenths}. "
        f"With this text engine about {unrelated:.2f} means unrelated and "
        f"{paraphrase:.2f} the same idea in other words."
    )


# --- labelled horizontal bars: clusters, and the index per team ---------------------------


@dataclass(frozen=True)
class BarRow:
    """One labelled bar: the label above it, its figure after it."""

    label: str
    figure: str
    label_y: float
    bar_y: float
    width: float
    figure_x: float
    colour: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    rows: list[BarRow]
    description: str
    track: float = 0  # width of a light track behind each bar: the whole scale, when it has one


BARS_LEFT, BARS_SPAN = 8, 330  # the longest bar; its figure is written after it


def _bars(items: Sequence[tuple[str, str, float, str]], track: bool = False) -> BarChart:
    """(label, figure, share of the longest bar 0..1, colour) per row, top to bottom;
    `track` draws the whole scale behind each bar (for a figure out of 100)."""
    rows = []
    for n, (label, figure, share, colour) in enumerate(items):
        top = 6 + n * ROW
        width = round(BARS_SPAN * max(0.0, min(share, 1.0)), 1)
        end = BARS_SPAN if track else width  # a figure out of 100 goes after its track
        rows.append(BarRow(label, figure, top + 11, top + 15, width, BARS_LEFT + end + 6, colour))
    description = "; ".join(f"{label}: {figure}" for label, figure, _, _ in items) + "."
    return BarChart(
        WIDTH, 10 + len(items) * ROW, BARS_LEFT, rows, description, BARS_SPAN if track else 0
    )


def cluster_label(cluster: ClusterView) -> str:
    return f"{cluster.id} · {cluster.label}"


def cluster_bars(clusters: Sequence[ClusterView], unclustered: int, total: int) -> BarChart | None:
    """Each cluster's size, largest first, then the answers that fit no cluster; shares
    are of all `total` answers, as everywhere in the report."""
    if not clusters:
        return None
    largest = max([c.size for c in clusters] + [unclustered])
    items = [
        (
            cluster_label(c),
            f"{answers(c.size)}, {percent(c.share)}",
            c.size / largest,
            cluster_colour(c),
        )
        for c in clusters
    ]
    if unclustered:
        share = unclustered / max(total, 1)
        items.append(
            (
                "Fit no cluster",
                f"{answers(unclustered)}, {percent(share)}",
                unclustered / largest,
                UNCLUSTERED,
            )
        )
    return _bars(items)


def team_index_bars(groups: Sequence[GroupView]) -> BarChart | None:
    """The purpose alignment index (0-100) of all answers and of each group shown."""
    measured = [g for g in groups if g.index is not None]
    if len(measured) < 2:
        return None
    return _bars(
        [
            (g.name, f"index {g.index} ({answers(g.count)})", (g.index or 0) / 100, ACCENT)
            for g in measured
        ],
        track=True,
    )


# --- a group's clusters as one stacked bar -------------------------------------------------

STACK_WIDTH, STACK_HEIGHT = 200, 18


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    number: str  # the cluster's number written inside, when the segment is wide enough
    number_x: float
    number_colour: str
    title: str


@dataclass(frozen=True)
class Stack:
    width: int
    height: int
    segments: list[Segment]
    description: str


def cluster_stack(group: GroupView) -> Stack | None:
    """How a group's answers spread over the clusters, left to right; fits-none last."""
    shares = [s for s in group.clusters if s.count] if group.count else []
    if not shares:
        return None
    ordered = [s for s in shares if s.cluster] + [s for s in shares if not s.cluster]
    segments, x = [], 0.0
    for share in ordered:
        width = STACK_WIDTH * share.share
        name = f"{cluster_label(share.cluster)}" if share.cluster else "Fit no cluster"
        wide = share.cluster is not None and width >= 14
        segments.append(
            Segment(
                x=round(x, 1),
                width=round(width, 1),
                colour=cluster_colour(share.cluster),
                number=str(share.cluster.id) if wide and share.cluster else "",
                number_x=round(x + width / 2, 1),
                number_colour="#ffffff" if share.cluster else INK,
                title=f"{name}: {answers(share.count)}, {percent(share.share)}",
            )
        )
        x += width
    description = "; ".join(segment.title for segment in segments) + "."
    return Stack(STACK_WIDTH, STACK_HEIGHT, segments, description)


# --- two surveys: the index before and after ----------------------------------------------

DOTS_LEFT, DOTS_SPAN = 8, 330


@dataclass(frozen=True)
class DotRow:
    label: str
    figure: str
    label_y: float
    track_y: float
    before_x: float | None
    after_x: float | None


@dataclass(frozen=True)
class DotChart:
    width: int
    height: int
    left: float
    right: float
    figure_x: float
    legend_y: float
    rows: list[DotRow]
    ticks: list[Mark]
    description: str


def change_words(row: ComparisonRow) -> str:
    """ "52 → 61 (+9)"; a dash for a side that was not measured."""
    before = "—" if row.before.index is None else str(row.before.index)
    after = "—" if row.after.index is None else str(row.after.index)
    change = row.index_change
    return f"{before} → {after}" + ("" if change is None else f" ({change:+d})")


def index_dots(rows: Sequence[ComparisonRow]) -> DotChart | None:
    """Per group, the index before (hollow circle) and after (filled), on 0-100."""
    if not any(r.before.index is not None or r.after.index is not None for r in rows):
        return None

    def x(index: int | None) -> float | None:
        return None if index is None else round(DOTS_LEFT + DOTS_SPAN * index / 100, 1)

    top = 34  # below the legend
    drawn = [
        DotRow(
            r.name,
            change_words(r),
            top + n * ROW + 11,
            top + n * ROW + 22,
            x(r.before.index),
            x(r.after.index),
        )
        for n, r in enumerate(rows)
    ]
    ticks = [Mark(x(v) or 0.0, str(v)) for v in (0, 50, 100)]
    description = (
        "Purpose alignment index, 0 to 100, before and after: "
        + "; ".join(f"{r.name}: {change_words(r)}" for r in rows)
        + "."
    )
    return DotChart(
        width=WIDTH,
        height=top + len(rows) * ROW + 22,
        left=DOTS_LEFT,
        right=DOTS_LEFT + DOTS_SPAN,
        figure_x=DOTS_LEFT + DOTS_SPAN + 12,
        legend_y=14,
        rows=drawn,
        ticks=ticks,
        description=description,
    )
