"""Is a key result an outcome (a change in the world) or an output (work done)?

Pure: numpy and ``headway.text`` only, no Django, so the quality checks, the API, the
web hints, the CLI and the benchmark all call the same function.

>>> [p.label for p in classify(["Increase day-7 retention from 32% to 45%",
...                             "Launch the new onboarding flow"])]
['outcome', 'output']

The model is a logistic regression over :mod:`headway.coach.features` (the text
engine's sentence vector plus hand-made cues), trained by ``scripts/train_coach.py``
on ``data/coach/key_results.csv`` and stored in ``headway/coach/model/``
(``weights.npz`` and ``metadata.json``). Inference needs numpy and the text engine
only; ``docs/coach-evaluation.md`` reports how well it does.

Bad input never raises (only a wrong *type* does: a bare string instead of a list,
or a non-string item, is a ``TypeError`` as for the text engine):

- empty or whitespace-only text, or text with no letters and no digits: label
  ``"output"``, score 0.0, low confidence, note :data:`NOTE_EMPTY` or
  :data:`NOTE_NO_WORDS`. An empty key result measures nothing, so it is not an outcome.
- longer than :data:`MAX_CHARS` (500) characters after collapsing whitespace: the first
  500 are classified, note :data:`NOTE_CUT` (confidence is not lowered for that alone).
- only a number ("42", "12.5%", "€1,000"): classified, low confidence, note
  :data:`NOTE_NUMBER_ONLY`.
- not English (by :func:`looks_non_english`): classified, low confidence, note
  :data:`NOTE_NON_ENGLISH`.
- a score from 0.35 to 0.65 inclusive: low confidence, note :data:`NOTE_UNSURE`.

Notes that apply together are joined with "; " in the order above.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from headway.coach.features import (
    CHANGE_VERBS,
    DELIVERABLE_NOUNS,
    DELIVERY_VERBS,
    HAND_FEATURE_NAMES,
    METRIC_NOUNS,
    PEOPLE_NOUNS,
    TARGET_VERBS,
    build_matrix,
    feature_names,
    inflections,
)
from headway.text import Engine, get_engine

__all__ = [
    "LOW_CONFIDENCE_BAND",
    "MAX_CHARS",
    "MODEL_DIR",
    "CoachModel",
    "Label",
    "LogisticModel",
    "ModelError",
    "Prediction",
    "classify",
    "is_number_only",
    "load_model",
    "looks_non_english",
]

Label = Literal["outcome", "output"]
FloatArray = NDArray[np.float64]

MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_CHARS = 500
"""Texts are classified on their first 500 characters (after collapsing whitespace)."""
LOW_CONFIDENCE_BAND = (0.35, 0.65)
"""Scores in this closed interval are marked low-confidence."""

NOTE_EMPTY = "empty text: nothing to classify"
NOTE_NO_WORDS = "no words to classify"
NOTE_CUT = f"text was cut to {MAX_CHARS} characters"
NOTE_NUMBER_ONLY = "text is only a number: say what it measures"
NOTE_NON_ENGLISH = (
    "text does not look like English; the classifier was trained on English key results"
)
NOTE_UNSURE = "the classifier is unsure (score between 0.35 and 0.65)"

MODEL_FORMAT = 1


@dataclass(frozen=True)
class Prediction:
    """One text's classification.

    ``text`` is the input exactly as given. ``score`` is the probability that it is an
    outcome (0..1, rounded to 4 decimals); ``label`` is "outcome" when ``score >= 0.5``.
    ``note`` says why the prediction is low-confidence or why the input was special
    ("" otherwise).
    """

    text: str
    label: Label
    score: float
    low_confidence: bool
    note: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "label": self.label,
            "score": self.score,
            "low_confidence": self.low_confidence,
            "note": self.note,
        }


class ModelError(RuntimeError):
    """The stored model is missing, inconsistent, or does not fit the engine given."""


# --------------------------------------------------------------------------- bad input

_WHITESPACE = re.compile(r"\s+")
_NUMBER_ONLY = re.compile(
    r"[+\-−±~≈<>=≤≥]*\s*[€$£¥]?\s*\d[\d\s.,'’]*\s*(?:%|‰|[kmb]n?|€|\$|£|¥)?", re.IGNORECASE
)
_LETTERS_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

# Common function words of languages often mistaken for English at a glance. Words
# that are also common in English key results ("a", "in", "on", "per", "van", "die",
# "son", "an", "es") are left out.
FOREIGN_STOPWORDS = frozenset(
    {
        # French
        "le", "la", "les", "des", "du", "de", "et", "au", "aux", "une", "dans", "sur",
        "avec", "pour", "nos", "nous", "est", "sont", "par", "ce", "cette", "qui", "en",
        # Spanish / Portuguese / Italian
        "el", "los", "las", "del", "y", "que", "por", "para", "una", "con", "al", "sus",
        "su", "da", "do", "dos", "das", "um", "uma", "com", "não", "il", "di", "che",
        "della", "delle", "nel", "gli", "lo", "dei",
        # German
        "der", "und", "ist", "mit", "für", "zu", "auf", "im", "ein", "eine",
        "von", "den", "dem", "nicht", "wir", "unsere", "bis", "pro",
        # Dutch / Scandinavian
        "het", "een", "naar", "voor", "niet", "op", "te", "zijn", "onze", "och", "att",
        "för", "med", "og", "af", "ikke", "til", "vi", "er", "av",
    }
)  # fmt: skip
_ENGLISH_COMMON = frozenset(
    {
        "the", "a", "an", "and", "of", "to", "in", "on", "for", "by", "from", "with", "at",
        "our", "we", "all", "every", "each", "new", "per", "is", "are", "be", "more",
        "less", "than", "who", "that", "their", "its", "into", "within", "under", "over",
        "below", "above", "least", "most", "month", "week", "year", "quarter", "day",
        "days", "weeks", "months", "hours", "minutes", "first", "one", "two", "three",
        "team", "teams", "time", "out", "or", "no", "not", "this", "it", "as", "up",
    }
)  # fmt: skip
ENGLISH_WORDS: frozenset[str] = _ENGLISH_COMMON.union(
    METRIC_NOUNS,
    DELIVERABLE_NOUNS,
    PEOPLE_NOUNS,
    *(inflections(v) for v in (*DELIVERY_VERBS, *CHANGE_VERBS, *TARGET_VERBS)),
)
"""Common English words and the classifier's own vocabulary, for looks_non_english."""


def looks_non_english(text: str) -> bool:
    """A cheap guess that ``text`` is not English.

    True when more than 20% of its letters are not ASCII (Cyrillic, Greek, Arabic, CJK,
    heavily accented text), or when it has at least three words and more of them are
    common function words of French, Spanish, Portuguese, Italian, German, Dutch or a
    Scandinavian language than are common English or key-result words (at least two).
    Short texts (one or two words) are given the benefit of the doubt.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    non_ascii = sum(1 for c in letters if not c.isascii())
    if non_ascii / len(letters) > 0.2:
        return True
    words = [w.lower() for w in _LETTERS_WORD.findall(text)]
    if len(words) < 3:
        return False
    foreign = sum(1 for w in words if w in FOREIGN_STOPWORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    return foreign >= 2 and foreign > english


def is_number_only(text: str) -> bool:
    """True for a bare number, possibly signed, with a currency sign, % or k/m/bn."""
    return bool(_NUMBER_ONLY.fullmatch(text.strip()))


def normalise(text: str) -> str:
    """NFKC, whitespace collapsed to single spaces, stripped."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("classify() takes a sequence of texts, not one string: wrap it in a list")
    out = list(texts)
    for text in out:
        if not isinstance(text, str):
            raise TypeError(f"classify() takes strings, got {type(text).__name__}")
    return out


# --------------------------------------------------------------------------- the model


def sigmoid(z: FloatArray) -> FloatArray:
    result: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))
    return result


@dataclass(frozen=True)
class LogisticModel:
    """An L2-regularised logistic regression on standardised columns.

    ``proba(X) = sigmoid(((X - mean) / scale) @ coef + intercept)``.
    """

    coef: FloatArray
    intercept: float
    mean: FloatArray
    scale: FloatArray
    _folded: tuple[FloatArray, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Fold the standardisation into the weights once: proba is then one mat-vec.
        weights = self.coef / self.scale
        bias = float(self.intercept - np.dot(self.mean, weights))
        object.__setattr__(self, "_folded", (weights, bias))

    def decision(self, X: FloatArray) -> FloatArray:
        weights, bias = self._folded
        out: FloatArray = np.asarray(X, dtype=np.float64) @ weights + bias
        return out

    def proba(self, X: FloatArray) -> FloatArray:
        return sigmoid(self.decision(X))


def _newton_step(
    Z: FloatArray,
    gram: FloatArray | None,
    weights: FloatArray,
    l2: float,
    g0: float,
    g1: FloatArray,
) -> tuple[float, FloatArray]:
    """Solve H [x0; x1] = [g0; g1] for the Hessian of the penalised log-loss.

    H = [[a, b'], [b, C]] with a = sum(W), b = Z'W1, C = l2 I + Z'WZ (W = weights).
    With more columns than rows (``gram`` = ZZ' given), C^-1 comes from the Woodbury
    identity, an n x n solve instead of p x p; the intercept block by its Schur complement.
    """
    n, p = Z.shape
    a = float(np.sum(weights)) + 1e-9
    b = Z.T @ weights
    if gram is None:
        hessian = np.empty((p + 1, p + 1))
        hessian[0, 0], hessian[0, 1:], hessian[1:, 0] = a, b, b
        hessian[1:, 1:] = (Z.T * weights) @ Z
        hessian[1:, 1:] += l2 * np.eye(p)
        step = np.linalg.solve(hessian, np.concatenate([[g0], g1]))
        return float(step[0]), step[1:]
    root = np.sqrt(weights)
    inner = l2 * np.eye(n) + root[:, None] * gram * root[None, :]
    rhs = np.column_stack([g1, b])  # apply C^-1 to g1 and b at once
    projected = root[:, None] * (Z @ rhs)
    c_inv = (rhs - Z.T @ (root[:, None] * np.linalg.solve(inner, projected))) / l2
    x0 = (g0 - float(b @ c_inv[:, 0])) / (a - float(b @ c_inv[:, 1]))
    return x0, c_inv[:, 0] - x0 * c_inv[:, 1]


def fit_logistic(
    X: FloatArray, y: FloatArray, l2: float, *, max_iter: int = 100, tol: float = 1e-9
) -> LogisticModel:
    """Fit by Newton's method (IRLS) with a backtracking line search; deterministic.

    Columns are standardised with the mean and standard deviation of ``X`` (a constant
    column gets scale 1). The objective is the summed log-loss plus ``l2 / 2 * |coef|^2``;
    the intercept is not penalised. ``y`` holds 1 for outcome, 0 for output.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,); got {X.shape} and {y.shape}")
    if l2 <= 0:
        raise ValueError("l2 must be positive")
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    scale = np.where(std > 1e-12, std, 1.0)
    Z = (X - mean) / scale
    gram = Z @ Z.T if Z.shape[1] > Z.shape[0] else None

    def objective(w0: float, w: FloatArray) -> float:
        z = w0 + Z @ w
        # log(1 + e^z) - y z, summed: the negative log-likelihood.
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * float(w @ w))

    w0, w = 0.0, np.zeros(Z.shape[1])
    current = objective(w0, w)
    for _ in range(max_iter):
        prob = sigmoid(w0 + Z @ w)
        residual = prob - y
        s0, s1 = _newton_step(
            Z, gram, prob * (1.0 - prob), l2, float(residual.sum()), Z.T @ residual + l2 * w
        )
        t = 1.0
        while True:
            c0, c1 = w0 - t * s0, w - t * s1
            candidate = objective(c0, c1)
            if candidate <= current + 1e-12 or t < 1e-10:
                break
            t /= 2.0
        moved = max(abs(c0 - w0), float(np.max(np.abs(c1 - w)))) if w.size else abs(c0 - w0)
        w0, w, current = c0, c1, candidate
        if moved < tol:
            break
    return LogisticModel(coef=w, intercept=float(w0), mean=mean, scale=scale)


@dataclass(frozen=True)
class CoachModel:
    """The stored classifier: a logistic model plus what it was trained with."""

    logistic: LogisticModel
    engine_name: str
    engine_dim: int
    metadata: dict[str, Any]

    @property
    def feature_names(self) -> list[str]:
        return feature_names(self.engine_dim)

    def engine(self, engine: Engine | None = None) -> Engine:
        """The engine to embed with: ``engine`` if it fits the weights, else an error."""
        if engine is None:
            return get_engine(self.engine_name)
        if engine.name != self.engine_name or engine.dim != self.engine_dim:
            raise ModelError(
                f"the coach model was trained on the {self.engine_name!r} engine "
                f"({self.engine_dim} dimensions); got {engine.name!r} ({engine.dim}). "
                "Pass engine=None, or train a CoachModel for that engine."
            )
        return engine

    def proba(self, texts: Sequence[str], engine: Engine | None = None) -> FloatArray:
        """Probability of outcome for each (already cleaned) text."""
        if not texts:
            return np.zeros(0)
        return self.logistic.proba(build_matrix(texts, self.engine(engine)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "weights.npz").open("wb") as handle:
            np.savez(
                handle,
                coef=self.logistic.coef,
                intercept=np.array([self.logistic.intercept]),
                mean=self.logistic.mean,
                scale=self.logistic.scale,
            )
        metadata = {
            **self.metadata,
            "format": MODEL_FORMAT,
            "engine": {
                **self.metadata.get("engine", {}),
                "name": self.engine_name,
                "dim": self.engine_dim,
            },
            "hand_features": list(HAND_FEATURE_NAMES),
            "feature_names": self.feature_names,
            "weights_sha256": sha256_file(folder / "weights.npz"),
        }
        (folder / "metadata.json").write_text(
            json.dumps(metadata, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> CoachModel:
        try:
            metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as arrays:
                coef, intercept = arrays["coef"], float(arrays["intercept"][0])
                mean, scale = arrays["mean"], arrays["scale"]
        except (OSError, KeyError, ValueError) as error:
            raise ModelError(
                f"cannot read the coach model in {folder}: {error} "
                "(it is committed in headway/coach/model/; `make coach-train` rebuilds it)"
            ) from error
        if metadata.get("format") != MODEL_FORMAT:
            raise ModelError(
                f"coach model format {metadata.get('format')!r}, expected {MODEL_FORMAT}"
            )
        if tuple(metadata.get("hand_features", ())) != HAND_FEATURE_NAMES:
            raise ModelError(
                "the coach model was trained with other hand-made features than "
                "headway/coach/features.py defines: run `make coach-train`"
            )
        engine = metadata["engine"]
        expected = len(feature_names(int(engine["dim"])))
        if not (coef.shape == mean.shape == scale.shape == (expected,)):
            raise ModelError(f"coach model weights have shape {coef.shape}, expected ({expected},)")
        logistic = LogisticModel(coef=coef, intercept=intercept, mean=mean, scale=scale)
        return cls(logistic, str(engine["name"]), int(engine["dim"]), metadata)


_models: dict[Path, CoachModel] = {}
_lock = threading.Lock()


def load_model(folder: Path = MODEL_DIR) -> CoachModel:
    """The stored model, read once per process."""
    model = _models.get(folder)
    if model is None:
        with _lock:
            model = _models.get(folder)
            if model is None:
                model = CoachModel.load(folder)
                _models[folder] = model
    return model


# --------------------------------------------------------------------------- classify


@dataclass
class _Item:
    text: str
    clean: str
    notes: list[str]
    low: bool = False
    scored: bool = True


def _prepare(text: str) -> _Item:
    clean = normalise(text)
    if not clean:
        return _Item(text, "", [NOTE_EMPTY], low=True, scored=False)
    if not any(c.isalnum() for c in clean):
        return _Item(text, "", [NOTE_NO_WORDS], low=True, scored=False)
    item = _Item(text, clean, [])
    if len(clean) > MAX_CHARS:
        item.clean = clean[:MAX_CHARS].rstrip()
        item.notes.append(NOTE_CUT)
    if is_number_only(item.clean):
        item.low = True
        item.notes.append(NOTE_NUMBER_ONLY)
    elif looks_non_english(item.clean):
        item.low = True
        item.notes.append(NOTE_NON_ENGLISH)
    return item


def classify(texts: Sequence[str], engine: Engine | None = None) -> list[Prediction]:
    """Classify each text as "outcome" or "output", in input order.

    ``engine`` defaults to the engine the stored model was trained on (the static
    model); another engine raises :class:`ModelError` because the weights would not fit.
    See the module docstring for what empty, long, non-English and number-only texts
    give.
    """
    items = [_prepare(text) for text in _check_texts(texts)]
    scored = [item for item in items if item.scored]
    scores: list[float] = []
    if scored:
        model = load_model()
        scores = [round(float(s), 4) for s in model.proba([i.clean for i in scored], engine)]
    by_item = iter(scores)
    low_lo, low_hi = LOW_CONFIDENCE_BAND
    out = []
    for item in items:
        score = next(by_item) if item.scored else 0.0
        low, notes = item.low, list(item.notes)
        if item.scored and low_lo <= score <= low_hi:
            low = True
            notes.append(NOTE_UNSURE)
        label: Label = "outcome" if score >= 0.5 else "output"
        out.append(Prediction(item.text, label, score, low, "; ".join(notes)))
    return out


# --------------------------------------------------------------------------- training helpers
# Used by scripts/train_coach.py and the tests; kept here so they stay pure and typed.

LABELS: tuple[Label, Label] = ("outcome", "output")


@dataclass(frozen=True)
class Example:
    text: str
    label: Label
    domain: str


def read_labelled_set(path: Path) -> list[Example]:
    """The labelled CSV (columns text,label,domain); raises ValueError on a bad row."""
    examples = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["text", "label", "domain"]:
            raise ValueError(f"{path}: expected columns text,label,domain, got {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            text, label, domain = row["text"].strip(), row["label"].strip(), row["domain"].strip()
            if not text or not domain:
                raise ValueError(f"{path}:{line}: empty text or domain")
            if label not in LABELS:
                raise ValueError(f"{path}:{line}: label {label!r} is not outcome or output")
            if text.lower() in seen:
                raise ValueError(f"{path}:{line}: duplicate text {text!r}")
            seen.add(text.lower())
            examples.append(Example(text, label, domain))
    return examples


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stratified_split(
    strata: Sequence[str], test_share: float, seed: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(train, test) indices; each stratum gives round(share * size) items to test."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    test: list[int] = []
    for stratum in sorted(set(strata)):
        members = np.array([i for i, s in enumerate(strata) if s == stratum])
        shuffled = rng.permutation(members)
        n_test = math.floor(len(members) * test_share + 0.5)
        test.extend(int(i) for i in shuffled[:n_test])
        train.extend(int(i) for i in shuffled[n_test:])
    return np.array(sorted(train), dtype=np.intp), np.array(sorted(test), dtype=np.intp)


def stratified_folds(strata: Sequence[str], k: int, seed: int) -> list[NDArray[np.intp]]:
    """``k`` disjoint test folds covering every index, each stratum dealt round-robin."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    dealt = 0
    for stratum in sorted(set(strata)):
        members = np.array([i for i, s in enumerate(strata) if s == stratum])
        for i in rng.permutation(members):
            folds[dealt % k].append(int(i))
            dealt += 1
    return [np.array(sorted(f), dtype=np.intp) for f in folds]


@dataclass(frozen=True)
class Metrics:
    """Counts for outcome as the positive class; recall per class and their mean."""

    outcome_as_outcome: int
    outcome_as_output: int
    output_as_outcome: int
    output_as_output: int

    @classmethod
    def of(cls, truth: ArrayLike, predicted: ArrayLike) -> Metrics:
        """From true and predicted "is outcome" flags (sequences or arrays of bool)."""
        t = np.asarray(truth, dtype=bool)
        p = np.asarray(predicted, dtype=bool)
        return cls(
            int(np.sum(t & p)), int(np.sum(t & ~p)), int(np.sum(~t & p)), int(np.sum(~t & ~p))
        )

    @property
    def n(self) -> int:
        return (
            self.outcome_as_outcome
            + self.outcome_as_output
            + self.output_as_outcome
            + self.output_as_output
        )

    @property
    def outcome_recall(self) -> float:
        total = self.outcome_as_outcome + self.outcome_as_output
        return self.outcome_as_outcome / total if total else 0.0

    @property
    def output_recall(self) -> float:
        total = self.output_as_outcome + self.output_as_output
        return self.output_as_output / total if total else 0.0

    @property
    def balanced_accuracy(self) -> float:
        return (self.outcome_recall + self.output_recall) / 2

    @property
    def accuracy(self) -> float:
        return (self.outcome_as_outcome + self.output_as_output) / self.n if self.n else 0.0
