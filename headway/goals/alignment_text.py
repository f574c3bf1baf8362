"""Semantic alignment checks: possible duplicates and links to check. No Django here.

Both go through the text engine (`headway.text`), whose rows are unit vectors, so a
dot product is a cosine similarity.

- **Possible duplicates**: two objectives of one cycle whose wording means nearly the
  same (cosine of their texts at or above `Thresholds.duplicate`). Two teams may be
  doing the same thing without knowing it, or one copied its parent's words instead
  of saying what it will change itself.
- **Check this link**: a link whose child shares no meaning with its parent: no
  phrase of the child (its title, description, key results) comes close to any
  phrase of the parent (cosine of the best pair below `Thresholds.unrelated`). The
  link may be a mistake, or the reason for it is not written down. It is only ever
  shown, never changed.

Thresholds depend on the engine, since each spreads its similarities differently;
they were calibrated on the labelled pairs in tests/goals/test_alignment_text.py
(figures in docs/alignment.md). They favour precision: a flag should be worth a look.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from headway.text import Engine, Matrix


@dataclass(frozen=True)
class Thresholds:
    duplicate: float  # at or above: possible duplicates
    unrelated: float  # below: check this link


THRESHOLDS = {
    # The static model, on the labelled pairs: duplicates scored 0.81-1.00, distinct
    # objectives of one organisation up to 0.78 (short titles that share "customers");
    # the best phrase pair of unrelated links 0.16-0.50 (four of eight below 0.25), of
    # real links 0.26-0.70.
    "static": Thresholds(duplicate=0.80, unrelated=0.25),
    # Shared words only: it finds copies (0.60 and above), not rewordings. It cannot
    # tell a reworded real link (0.008) from an unrelated one (0.005), so it flags no
    # link at all: that check needs the model.
    "lexical": Thresholds(duplicate=0.60, unrelated=0.0),
}


def thresholds_for(engine: Engine) -> Thresholds:
    return THRESHOLDS.get(engine.name, THRESHOLDS["static"])


def _embed_unique(engine: Engine, texts: Sequence[str]) -> tuple[Matrix, list[int]]:
    """Vectors of the distinct texts and, for each text, its row."""
    rows: dict[str, int] = {}
    index = [rows.setdefault(text, len(rows)) for text in texts]
    return engine.embed(list(rows)), index


# --- possible duplicates ----------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """An objective's text for the duplicate check; `group` is its cycle."""

    id: int
    group: int
    text: str


@dataclass(frozen=True)
class Duplicate:
    first: int
    second: int
    score: float


@dataclass(frozen=True)
class Duplicates:
    pairs: list[Duplicate]  # the most similar pairs, at most `limit`
    total: int  # every pair at or above the threshold


def find_duplicates(
    items: Sequence[Wording],
    engine: Engine,
    *,
    threshold: float | None = None,
    limit: int = 100,
    block: int = 1024,
) -> Duplicates:
    """Pairs of one group whose texts are at least `threshold` similar: the `limit`
    most similar (ties by id), and how many there are in all.

    Each distinct text of a group is compared once with the others, block by block
    (memory stays at `block` rows by the group's distinct texts); objectives with the
    very same text are duplicates at 1.0 without a comparison. A pair of texts
    expands to its objectives only as far as the listing needs, so an organisation
    with thousands of copies of a few titles costs no more than one with few."""
    if threshold is None:
        threshold = thresholds_for(engine).duplicate
    vectors, index = _embed_unique(engine, [item.text for item in items])
    groups: dict[int, list[int]] = defaultdict(list)
    for position, item in enumerate(items):
        groups[item.group].append(position)
    ids = np.fromiter((item.id for item in items), dtype=np.int64, count=len(items))
    rows = np.asarray(index, dtype=np.intp)
    best, total = _Best(max(1, limit)), 0
    for members in groups.values():
        if len(members) > 1:
            at = np.asarray(members, dtype=np.intp)
            total += _group_duplicates(ids[at], rows[at], vectors, threshold, block, best)
    return Duplicates(best.duplicates()[:limit], total)


def possible_duplicates(
    items: Sequence[Wording],
    engine: Engine,
    *,
    threshold: float | None = None,
    limit: int = 100,
    block: int = 1024,
) -> list[Duplicate]:
    """The `limit` most similar pairs of `find_duplicates`."""
    return find_duplicates(items, engine, threshold=threshold, limit=limit, block=block).pairs


class _Best:
    """The `limit` most similar pairs seen so far, kept as arrays."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.first = np.zeros(0, np.int64)
        self.second = np.zeros(0, np.int64)
        self.score = np.zeros(0, np.float32)

    def add(self, first: NDArray[np.int64], second: NDArray[np.int64], score: Matrix) -> None:
        self.first = np.concatenate([self.first, np.minimum(first, second)])
        self.second = np.concatenate([self.second, np.maximum(first, second)])
        self.score = np.concatenate([self.score, score.astype(np.float32)])
        if self.score.size > 4 * self.limit:
            keep = np.lexsort((self.second, self.first, -self.score))[: self.limit]
            self.first, self.second, self.score = (
                self.first[keep],
                self.second[keep],
                self.score[keep],
            )

    def duplicates(self) -> list[Duplicate]:
        order = np.lexsort((self.second, self.first, -self.score))[: self.limit]
        return [
            Duplicate(int(self.first[i]), int(self.second[i]), float(self.score[i])) for i in order
        ]


def _expand(
    best: _Best, first: NDArray[np.int64], second: NDArray[np.int64] | None, score: float
) -> None:
    """Up to `best.limit` pairs of objectives: within `first` (the same text), or
    between `first` and `second`; ids are sorted, so the smallest pairs come first."""
    pairs = (
        itertools.combinations(first.tolist(), 2)
        if second is None
        else itertools.product(first.tolist(), second.tolist())
    )
    chosen = np.array(list(itertools.islice(pairs, best.limit)), dtype=np.int64).reshape(-1, 2)
    best.add(chosen[:, 0], chosen[:, 1], np.full(len(chosen), score, dtype=np.float32))


def _group_duplicates(
    ids: NDArray[np.int64],
    rows: NDArray[np.intp],
    vectors: Matrix,
    threshold: float,
    block: int,
    best: _Best,
) -> int:
    """Add one group's most similar pairs to `best`; return how many pairs it has."""
    texts, inverse = np.unique(rows, return_inverse=True)
    order = np.lexsort((ids, inverse))
    starts = np.searchsorted(inverse[order], np.arange(texts.size + 1))
    members = np.split(ids[order], starts[1:-1])
    sizes = np.diff(starts)
    total = int((sizes * (sizes - 1) // 2).sum())
    for t in np.flatnonzero(sizes > 1):
        _expand(best, members[t], None, 1.0)
    first, second, scores = _text_pairs(vectors[texts], threshold, block)
    total += int((sizes[first] * sizes[second]).sum())
    if scores.size > best.limit:
        top = np.argpartition(-scores, best.limit)[: best.limit]
        first, second, scores = first[top], second[top], scores[top]
    expanded = 0
    for k in np.argsort(-scores, kind="stable"):
        if expanded >= best.limit:
            break
        _expand(best, members[first[k]], members[second[k]], float(scores[k]))
        expanded += int(sizes[first[k]] * sizes[second[k]])
    return total


def _text_pairs(
    vectors: Matrix, threshold: float, block: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], Matrix]:
    """(i, j, cosine) of the rows i < j at least `threshold` similar: each block of
    rows against the rows after it only, scanning in full only the rows that reach it."""
    found_i, found_j, found_s = [], [], []
    for start in range(0, len(vectors), block):
        rows_block = vectors[start : start + block]
        scores = rows_block @ vectors[start:].T
        # Row r of the block is row start + r; only the columns after it count.
        scores[np.tril_indices(rows_block.shape[0], m=scores.shape[1])] = -1.0
        hit = np.flatnonzero(scores.max(axis=1) >= threshold)
        if hit.size == 0:
            continue
        i, j = np.nonzero(scores[hit] >= threshold)
        i = hit[i]
        found_i.append(i + start)
        found_j.append(j + start)
        found_s.append(scores[i, j])
    if not found_i:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, np.float32)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)


# --- links to check ---------------------------------------------------------------------


@dataclass(frozen=True)
class LinkWording:
    """A link's two sides as phrases: the child's title, description and key
    results; the parent's likewise (a theme: title and description; a key result:
    its title and its objective's title)."""

    id: int
    child: Sequence[str]
    parent: Sequence[str]


@dataclass(frozen=True)
class LinkToCheck:
    id: int
    score: float  # cosine of the closest child phrase and parent phrase


def link_scores(links: Sequence[LinkWording], engine: Engine) -> list[float]:
    """For each link, the similarity of its closest pair of phrases (0 if a side has
    no text). Every distinct phrase is embedded once."""
    phrases: list[str] = []
    sides: list[tuple[range, range]] = []
    for link in links:
        child = [p for p in link.child if p.strip()]
        parent = [p for p in link.parent if p.strip()]
        start = len(phrases)
        phrases += child + parent
        middle = start + len(child)
        sides.append((range(start, middle), range(middle, len(phrases))))
    vectors, index = _embed_unique(engine, phrases)
    rows = np.asarray(index, dtype=np.intp)
    scores = np.zeros(len(links), dtype=np.float32)
    for chunk in range(0, len(links), LINK_CHUNK):
        _best_pairs(vectors, rows, sides[chunk : chunk + LINK_CHUNK], scores[chunk:])
    return [float(s) for s in scores]


# Links scored together: the phrase vectors of a chunk are gathered at once (a few MB).
LINK_CHUNK = 4096


def _best_pairs(
    vectors: Matrix, rows: np.ndarray, sides: Sequence[tuple[range, range]], out: np.ndarray
) -> None:
    """Each link's best phrase pair, for a chunk of links, in array operations: both
    sides padded to the longest side of the chunk, padding masked out of the max."""
    width_c = max((len(c) for c, _ in sides), default=0)
    width_p = max((len(p) for _, p in sides), default=0)
    if not width_c or not width_p:
        return
    child = np.full((len(sides), width_c), -1, dtype=np.intp)
    parent = np.full((len(sides), width_p), -1, dtype=np.intp)
    for n, (c, p) in enumerate(sides):
        child[n, : len(c)] = rows[c.start : c.stop]
        parent[n, : len(p)] = rows[p.start : p.stop]
    pairs = np.einsum("lcd,lpd->lcp", vectors[child], vectors[parent])
    real = (child >= 0)[:, :, None] & (parent >= 0)[:, None, :]
    best = np.where(real, pairs, -np.inf).max(axis=(1, 2))
    # A side without text scores 0, as before.
    out[: len(sides)] = np.where(np.isfinite(best), best, 0.0)


def links_to_check(
    links: Sequence[LinkWording], engine: Engine, *, threshold: float | None = None
) -> list[LinkToCheck]:
    """Links whose sides share no meaning (best phrase pair below `threshold`), the
    least related first."""
    if threshold is None:
        threshold = thresholds_for(engine).unrelated
    found = [
        LinkToCheck(link.id, score)
        for link, score in zip(links, link_scores(links, engine), strict=True)
        if score < threshold
    ]
    return sorted(found, key=lambda f: (f.score, f.id))
