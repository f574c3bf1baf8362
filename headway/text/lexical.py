"""A model-free engine: hashed word and character-trigram features.

It measures shared words and word pieces, not meaning ("grow revenue" and "increase
sales" share nothing), so it is for fast unit tests and as a fallback when the model
cannot be loaded, behind the same interface as the static engine.

Deterministic across processes and machines: features are hashed with BLAKE2b, not
Python's salted ``hash()``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from headway.text.engine import Matrix, check_texts

WORD = re.compile(r"\w+", re.UNICODE)
# Common English function words: shared "the" and "to" say nothing about meaning.
STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from",
        "has", "have", "in", "is", "it", "its", "of", "on", "or", "our",
        "that", "the", "their", "this", "to", "was", "we", "were", "will", "with",
    }
)  # fmt: skip
WORD_WEIGHT = 0.7  # share of the vector given to whole words; trigrams get the rest


@lru_cache(maxsize=65_536)
def _slot(feature: str, dim: int) -> int:
    """The feature's slot. Unsigned: similarities stay in [0, 1], 0 meaning nothing shared
    (but for rare hash collisions)."""
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % dim


class LexicalEngine:
    """Hashes lower-cased words and their character trigrams into ``dim`` slots."""

    name = "lexical"

    def __init__(self, dim: int = 2048) -> None:
        if dim < 16:
            raise ValueError("dim must be at least 16")
        self.dim = dim

    def _add(self, row: np.ndarray, features: Sequence[str]) -> None:
        for feature in features:
            row[_slot(feature, self.dim)] += 1.0

    def _vector(self, text: str) -> np.ndarray:
        words = [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]
        out = np.zeros(self.dim, dtype=np.float64)
        if not words:
            return out
        whole = np.zeros(self.dim, dtype=np.float64)
        self._add(whole, ["w:" + w for w in words])
        pieces = np.zeros(self.dim, dtype=np.float64)
        for word in words:
            padded = f"<{word}>"
            self._add(pieces, ["c:" + padded[i : i + 3] for i in range(len(padded) - 2)])
        for block, weight in ((whole, WORD_WEIGHT), (pieces, 1.0 - WORD_WEIGHT)):
            norm = np.linalg.norm(block)
            if norm > 0:
                out += weight * block / norm
        norm = np.linalg.norm(out)
        return out / norm if norm > 0 else out

    def embed(self, texts: Sequence[str]) -> Matrix:
        batch = check_texts(texts)
        out = np.zeros((len(batch), self.dim), dtype=np.float32)
        for i, text in enumerate(batch):
            out[i] = self._vector(text)
        return out
