"""Train the coach's outcome/output classifier and regenerate its evaluation report.

    .venv/bin/python scripts/train_coach.py            # what `make coach-train` runs
    .venv/bin/python scripts/train_coach.py --check    # retrain in a temp folder, compare
    .venv/bin/python scripts/train_coach.py --measure  # time classify() on 10,000 texts

Steps (all seeded, no network):

1. Read data/coach/key_results.csv and hash it.
2. Build the features of every sentence with the static text engine.
3. Split 75/25, stratified by label and domain (seed SPLIT_SEED).
4. Choose the L2 strength by 5-fold cross-validation on the training part only
   (lowest mean log-loss), fit on the whole training part, score the held-out part.
5. Cross-validate the whole procedure (5 folds x 3 seeds, the L2 strength chosen again
   inside each fold) for the shipped feature set and for ablations.
6. Write headway/coach/model/weights.npz + metadata.json and docs/coach-evaluation.md.

The shipped model is the one trained on the 75% split, so the held-out figures in the
report are those of the committed weights.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from headway.coach.classifier import (  # noqa: E402
    LOW_CONFIDENCE_BAND,
    MAX_CHARS,
    MODEL_DIR,
    CoachModel,
    Example,
    LogisticModel,
    Metrics,
    classify,
    fit_logistic,
    load_model,
    normalise,
    read_labelled_set,
    sha256_file,
    stratified_folds,
    stratified_split,
)
from headway.coach.features import HAND_FEATURES, build_matrix  # noqa: E402
from headway.text import get_engine  # noqa: E402
from headway.text.static import MODEL_DIR as TEXT_MODEL_DIR  # noqa: E402

DATA = REPO / "data" / "coach" / "key_results.csv"
CHALLENGE = REPO / "data" / "coach" / "challenge.csv"
DOC = REPO / "docs" / "coach-evaluation.md"
ENGINE = "static"
SPLIT_SEED = 5
TEST_SHARE = 0.25
INNER_FOLDS = 5
CV_FOLDS = 5
CV_SEEDS = (1, 2, 3)
L2_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
TARGET = 0.90
DEMO_HEADING = "## The demo organisation (never trained on)"

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Columns = Callable[[int], slice]


def log_loss(y: FloatArray, p: FloatArray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def select_l2(
    X: FloatArray, y: FloatArray, strata: Sequence[str], seed: int
) -> tuple[float, dict[float, float]]:
    """The L2 strength with the lowest mean held-out log-loss over inner folds."""
    folds = stratified_folds(strata, INNER_FOLDS, seed)
    losses: dict[float, float] = {}
    for l2 in L2_GRID:
        per_fold = []
        for test in folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            model = fit_logistic(X[train], y[train], l2)
            per_fold.append(log_loss(y[test], model.proba(X[test])))
        losses[l2] = float(np.mean(per_fold))
    best = min(L2_GRID, key=lambda l2: (round(losses[l2], 9), -l2))
    return best, losses


def train(
    X: FloatArray, y: FloatArray, strata: Sequence[str], seed: int
) -> tuple[LogisticModel, float, dict[float, float]]:
    l2, losses = select_l2(X, y, strata, seed)
    return fit_logistic(X, y, l2), l2, losses


def cross_validate(X: FloatArray, y: FloatArray, strata: Sequence[str]) -> list[Metrics]:
    """Nested CV: for each outer fold, choose L2 on the rest, fit, score the fold."""
    results = []
    for seed in CV_SEEDS:
        for test in stratified_folds(strata, CV_FOLDS, seed):
            rest = np.setdiff1d(np.arange(len(y)), test)
            model, _, _ = train(X[rest], y[rest], [strata[i] for i in rest], seed)
            results.append(Metrics.of(y[test] == 1, model.proba(X[test]) >= 0.5))
    return results


def summary(results: Sequence[Metrics]) -> dict[str, float]:
    def stats(values: list[float]) -> tuple[float, float, float]:
        return float(np.mean(values)), float(np.std(values)), float(np.min(values))

    ba = stats([m.balanced_accuracy for m in results])
    return {
        "folds": len(results),
        "balanced_accuracy_mean": round(ba[0], 4),
        "balanced_accuracy_sd": round(ba[1], 4),
        "balanced_accuracy_min": round(ba[2], 4),
        "outcome_recall_mean": round(float(np.mean([m.outcome_recall for m in results])), 4),
        "output_recall_mean": round(float(np.mean([m.output_recall for m in results])), 4),
    }


def metrics_dict(m: Metrics) -> dict[str, Any]:
    return {
        "n": m.n,
        "balanced_accuracy": round(m.balanced_accuracy, 4),
        "accuracy": round(m.accuracy, 4),
        "outcome_recall": round(m.outcome_recall, 4),
        "output_recall": round(m.output_recall, 4),
        "confusion": {
            "outcome_as_outcome": m.outcome_as_outcome,
            "outcome_as_output": m.outcome_as_output,
            "output_as_outcome": m.output_as_outcome,
            "output_as_output": m.output_as_output,
        },
    }


def demo_texts() -> tuple[list[str], list[str]]:
    """The demo organisation's key result and initiative titles (never trained on)."""
    try:
        from headway.demo.okrs import INITIATIVES, OBJECTIVES
    except ImportError:  # the demo moved: the report just leaves the section out
        return [], []
    try:
        krs = [str(kr[0]) for objective in OBJECTIVES for kr in cast(list[Any], objective[4])]
        return krs, [str(initiative[1]) for initiative in INITIATIVES]
    except (IndexError, TypeError):  # the demo's layout changed: leave the section out
        return [], []


def md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def run(model_dir: Path, doc_path: Path) -> dict[str, Any]:
    examples = read_labelled_set(DATA)
    texts = [normalise(e.text)[:MAX_CHARS] for e in examples]
    y = np.array([1.0 if e.label == "outcome" else 0.0 for e in examples])
    strata = [f"{e.label}/{e.domain}" for e in examples]
    engine = get_engine(ENGINE)
    X = build_matrix(texts, engine)
    dim = engine.dim

    train_idx, test_idx = stratified_split(strata, TEST_SHARE, SPLIT_SEED)
    train_strata = [strata[i] for i in train_idx]
    logistic, l2, losses = train(X[train_idx], y[train_idx], train_strata, SPLIT_SEED)
    p_test = logistic.proba(X[test_idx])
    held = Metrics.of(y[test_idx] == 1, p_test >= 0.5)
    p_rounded = np.round(p_test, 4)
    lo, hi = LOW_CONFIDENCE_BAND
    low = (p_rounded >= lo) & (p_rounded <= hi)
    confident = Metrics.of(y[test_idx][~low] == 1, p_test[~low] >= 0.5)

    print(f"held-out: balanced accuracy {held.balanced_accuracy:.3f} (L2 {l2})", flush=True)

    challenge = read_labelled_set(CHALLENGE)
    challenge_texts = [normalise(e.text)[:MAX_CHARS] for e in challenge]
    y_challenge = np.array([e.label == "outcome" for e in challenge])
    X_challenge = build_matrix(challenge_texts, engine)

    ablations: list[tuple[str, slice]] = [
        (
            f"sentence vector + hand-made features (shipped, {X.shape[1]} columns)",
            slice(0, X.shape[1]),
        ),
        (f"sentence vector only ({dim} columns)", slice(0, dim)),
        (f"hand-made features only ({len(HAND_FEATURES)} columns)", slice(dim, X.shape[1])),
    ]
    cv: list[tuple[str, dict[str, float]]] = []
    for name, columns in ablations:
        started = time.perf_counter()
        row = summary(cross_validate(X[:, columns], y, strata))
        # The same feature set trained on the 75% split, scored on the challenge set.
        split_model, _, _ = train(X[train_idx][:, columns], y[train_idx], train_strata, SPLIT_SEED)
        row["held_out_balanced_accuracy"] = round(
            Metrics.of(
                y[test_idx] == 1, split_model.proba(X[test_idx][:, columns]) >= 0.5
            ).balanced_accuracy,
            4,
        )
        row["challenge_balanced_accuracy"] = round(
            Metrics.of(
                y_challenge, split_model.proba(X_challenge[:, columns]) >= 0.5
            ).balanced_accuracy,
            4,
        )
        cv.append((name, row))
        print(
            f"{name}: cv {row['balanced_accuracy_mean']:.3f}, challenge {row['challenge_balanced_accuracy']:.3f} ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )

    p_challenge = logistic.proba(X_challenge)
    on_challenge = Metrics.of(y_challenge, p_challenge >= 0.5)
    print(f"challenge: balanced accuracy {on_challenge.balanced_accuracy:.3f}", flush=True)

    data_sha = sha256_file(DATA)
    engine_files = {
        name: sha256_file(TEXT_MODEL_DIR / name) for name in ("model.safetensors", "tokenizer.json")
    }
    metadata: dict[str, Any] = {
        "trained_by": "scripts/train_coach.py",
        "model": "logistic regression, L2, Newton/IRLS, standardised columns",
        "l2": l2,
        "l2_grid_log_loss": {str(k): round(v, 5) for k, v in losses.items()},
        "engine": {"name": ENGINE, "dim": dim, "files_sha256": engine_files},
        "training_set": {
            "path": "data/coach/key_results.csv",
            "sha256": data_sha,
            "size": len(examples),
            "train_size": len(train_idx),
            "test_size": len(test_idx),
        },
        "split": {
            "seed": SPLIT_SEED,
            "test_share": TEST_SHARE,
            "stratified_by": "label and domain",
        },
        "held_out": metrics_dict(held),
        "held_out_confident": {
            **metrics_dict(confident),
            "low_confidence_share": round(float(low.mean()), 4),
        },
        "challenge": {
            **metrics_dict(on_challenge),
            "path": "data/coach/challenge.csv",
            "sha256": sha256_file(CHALLENGE),
            "note": (
                "never trained on; scored 0.830 before the last feature and data changes, "
                "some of which followed a look at its errors (docs/coach-evaluation.md)"
            ),
        },
        "cross_validation": {
            "folds": CV_FOLDS,
            "seeds": list(CV_SEEDS),
            "nested_l2_selection": True,
            "shipped": cv[0][1],
        },
        "low_confidence_band": list(LOW_CONFIDENCE_BAND),
        "max_chars": MAX_CHARS,
    }
    model = CoachModel(logistic, ENGINE, dim, metadata)
    model.save(model_dir)

    # The report reads the saved model back, so it shows what is committed.
    saved = CoachModel.load(model_dir)
    doc_path.write_text(
        report(
            examples,
            test_idx,
            p_test,
            held,
            confident,
            low,
            l2,
            losses,
            cv,
            saved,
            engine_files,
            data_sha,
            (challenge, p_challenge, on_challenge),
        ),
        encoding="utf-8",
    )
    return metadata


def report(
    examples: list[Example],
    test_idx: np.ndarray[Any, np.dtype[np.intp]],
    p_test: FloatArray,
    held: Metrics,
    confident: Metrics,
    low: np.ndarray[Any, np.dtype[np.bool_]],
    l2: float,
    losses: dict[float, float],
    cv: list[tuple[str, dict[str, float]]],
    model: CoachModel,
    engine_files: dict[str, str],
    data_sha: str,
    challenge_result: tuple[list[Example], FloatArray, Metrics],
) -> str:
    challenge, p_challenge, on_challenge = challenge_result
    domains = sorted({e.domain for e in examples})
    per = Counter((e.domain, e.label) for e in examples)
    out: list[str] = []
    w = out.append
    w("# Coach: outcome/output classifier evaluation")
    w("")
    w("<!-- Generated by scripts/train_coach.py (`make coach-train`). Do not edit by hand. -->")
    w("")
    w(
        "The coach's classifier tells whether a key result measures an **outcome** (a change in "
        "the world: customers, patients, money, time, quality) or an **output** (work done: an "
        "activity or a deliverable). `headway.coach.classifier.classify(texts)` returns, for each "
        "text, a label, the probability that it is an outcome, and a low-confidence flag with a note."
    )
    w("")
    shipped = cv[0][1]
    w("## Summary")
    w("")
    w("| figure | value | target |")
    w("| --- | --- | --- |")
    w(
        f"| balanced accuracy, held-out split ({held.n} sentences) | **{held.balanced_accuracy:.3f}** | ≥ {TARGET:.2f} |"
    )
    w(f"| outcome recall, held-out | {held.outcome_recall:.3f} | |")
    w(f"| output recall, held-out | {held.output_recall:.3f} | |")
    w(
        f"| balanced accuracy, nested {CV_FOLDS}-fold cross-validation × {len(CV_SEEDS)} seeds "
        f"(mean ± sd, worst fold) | {shipped['balanced_accuracy_mean']:.3f} ± "
        f"{shipped['balanced_accuracy_sd']:.3f}, worst {shipped['balanced_accuracy_min']:.3f} | |"
    )
    w(
        f"| balanced accuracy, challenge set ({on_challenge.n} sentences in other domains and "
        f"styles, never trained on but looked at, see the history below) | "
        f"{on_challenge.balanced_accuracy:.3f} | |"
    )
    w("")
    w("## Labelled set")
    w("")
    w(
        f"`data/coach/key_results.csv`: {len(examples)} key-result sentences written for Headway "
        f"(see `data/coach/README.md` for how labels were decided), sha256 `{data_sha}`."
    )
    w("")
    w("| domain | outcome | output |")
    w("| --- | --- | --- |")
    for d in domains:
        w(f"| {d} | {per[(d, 'outcome')]} | {per[(d, 'output')]} |")
    n_out = sum(1 for e in examples if e.label == "outcome")
    w(f"| **all** | **{n_out}** | **{len(examples) - n_out}** |")
    w("")
    w("## Method")
    w("")
    w(
        f"- Features: the `{model.engine_name}` text engine's {model.engine_dim}-dimensional sentence "
        f"vector plus {len(HAND_FEATURES)} hand-made features (`headway/coach/features.py`):"
    )
    w("")
    w("  | feature | what it measures |")
    w("  | --- | --- |")
    for f in HAND_FEATURES:
        w(f"  | `{f.name}` | {md_escape(f.description)} |")
    w("")
    w(
        "- Model: logistic regression in NumPy (Newton's method with a line search, L2 penalty, "
        "intercept not penalised, every column standardised with the training mean and spread). "
        "No scikit-learn, at training or at run time."
    )
    w(
        f"- Split: {int((1 - TEST_SHARE) * 100)}/{int(TEST_SHARE * 100)}, stratified by label and "
        f"domain, seed {SPLIT_SEED}: {len(examples) - held.n} sentences to train, {held.n} held out."
    )
    grid = ", ".join(f"{k:g}: {v:.4f}" for k, v in losses.items())
    w(
        f"- L2 strength: chosen by {INNER_FOLDS}-fold cross-validation **on the training part only** "
        f"(lowest mean log-loss; grid {grid}); chosen **{l2:g}**."
    )
    w(
        "- The committed weights (`headway/coach/model/weights.npz`) are this model, trained on the "
        "training part: the held-out figures below are the shipped model's."
    )
    w(
        f"- Text engine files: `model.safetensors` sha256 `{engine_files['model.safetensors']}`, "
        f"`tokenizer.json` sha256 `{engine_files['tokenizer.json']}` (recorded in `metadata.json`; a "
        "test fails if the text model changes without retraining)."
    )
    w("")
    w("## Held-out split")
    w("")
    w("| | n | balanced accuracy | accuracy | outcome recall | output recall |")
    w("| --- | --- | --- | --- | --- | --- |")
    w(
        f"| all held-out | {held.n} | {held.balanced_accuracy:.3f} | {held.accuracy:.3f} | "
        f"{held.outcome_recall:.3f} | {held.output_recall:.3f} |"
    )
    lo, hi = LOW_CONFIDENCE_BAND
    w(
        f"| confident only (score outside {lo}-{hi}) | {confident.n} | {confident.balanced_accuracy:.3f} | "
        f"{confident.accuracy:.3f} | {confident.outcome_recall:.3f} | {confident.output_recall:.3f} |"
    )
    w("")
    w(
        f"{int(low.sum())} of {held.n} held-out sentences ({low.mean():.0%}) fall in the low-confidence band."
    )
    w("")
    w("Confusion matrix (rows: true label; columns: predicted):")
    w("")
    w("| | predicted outcome | predicted output |")
    w("| --- | --- | --- |")
    w(f"| **outcome** | {held.outcome_as_outcome} | {held.outcome_as_output} |")
    w(f"| **output** | {held.output_as_outcome} | {held.output_as_output} |")
    w("")
    w("### Misclassified held-out sentences")
    w("")
    wrong = [
        (examples[i], float(p))
        for i, p in zip(test_idx, p_test, strict=True)
        if (p >= 0.5) != (examples[i].label == "outcome")
    ]
    if wrong:
        w("| sentence | domain | true label | score (P outcome) |")
        w("| --- | --- | --- | --- |")
        for e, p in sorted(wrong, key=lambda item: item[1]):
            w(f"| {md_escape(e.text)} | {e.domain} | {e.label} | {p:.3f} |")
    else:
        w("None.")
    w("")
    w("## Cross-validation")
    w("")
    w(
        f"One split can be lucky, so the whole procedure (L2 chosen inside each fold, then fit) is "
        f"repeated over {CV_FOLDS} stratified folds of all {len(examples)} sentences, for "
        f"{len(CV_SEEDS)} seeds ({CV_FOLDS * len(CV_SEEDS)} fits per row). Rows other than the first "
        "are ablations, to show what each part contributes."
    )
    w("")
    w(
        "The last two columns train the same feature set on the 75% split and score the held-out "
        "25% and the challenge set (below)."
    )
    w("")
    w(
        "| features | CV balanced accuracy mean ± sd | CV worst fold | CV outcome recall | "
        "CV output recall | held-out | challenge |"
    )
    w("| --- | --- | --- | --- | --- | --- | --- |")
    for name, s in cv:
        w(
            f"| {name} | {s['balanced_accuracy_mean']:.3f} ± {s['balanced_accuracy_sd']:.3f} | "
            f"{s['balanced_accuracy_min']:.3f} | {s['outcome_recall_mean']:.3f} | "
            f"{s['output_recall_mean']:.3f} | {s['held_out_balanced_accuracy']:.3f} | "
            f"{s['challenge_balanced_accuracy']:.3f} |"
        )
    w("")
    w("## Challenge set")
    w("")
    w(
        f"`data/coach/challenge.csv`: {on_challenge.n} sentences written later than the labelled "
        "set, in domains it has few or none of (insurance, airline, banking, gaming, open "
        "source, facilities, procurement, pharma, e-commerce, government IT) and in looser "
        "styles (lower case, bare metric names, verbs outside the word lists). It is never "
        "trained on. It is not untouched, though: it first scored 0.830, and some later changes "
        "to the features and the labelled set followed a look at its errors (see the history "
        "below), so read its figure as optimistic."
    )
    w("")
    w("| n | balanced accuracy | accuracy | outcome recall | output recall |")
    w("| --- | --- | --- | --- | --- |")
    w(
        f"| {on_challenge.n} | {on_challenge.balanced_accuracy:.3f} | {on_challenge.accuracy:.3f} | "
        f"{on_challenge.outcome_recall:.3f} | {on_challenge.output_recall:.3f} |"
    )
    w("")
    w("| | predicted outcome | predicted output |")
    w("| --- | --- | --- |")
    w(f"| **outcome** | {on_challenge.outcome_as_outcome} | {on_challenge.outcome_as_output} |")
    w(f"| **output** | {on_challenge.output_as_outcome} | {on_challenge.output_as_output} |")
    w("")
    missed = [
        (e, float(p))
        for e, p in zip(challenge, p_challenge, strict=True)
        if (p >= 0.5) != (e.label == "outcome")
    ]
    if missed:
        w("Misclassified:")
        w("")
        w("| sentence | true label | score (P outcome) |")
        w("| --- | --- | --- |")
        for e, p in sorted(missed, key=lambda item: item[1]):
            w(f"| {md_escape(e.text)} | {e.label} | {p:.3f} |")
        w("")
    krs, initiatives = demo_texts()
    if krs:
        w(DEMO_HEADING)
        w("")
        w(
            "The demo's key result titles are metric names written separately from the labelled "
            "set; its initiatives are outputs by definition. Predictions of the shipped model:"
        )
        w("")
        w("| text | kind in the demo | predicted | score | note |")
        w("| --- | --- | --- | --- | --- |")
        for kind, group in (("key result", krs), ("initiative", initiatives)):
            for p in classify_with(model, group):
                w(f"| {md_escape(p.text)} | {kind} | {p.label} | {p.score:.3f} | {p.note} |")
        w("")
    w("## How this model came about")
    w("")
    w(
        "The figures above are only as honest as the process behind them, so here it is. The "
        "word lists in `features.py` were written alongside the labelled set, by the same hand."
    )
    w("")
    w(
        "1. A first version trained on 528 sentences in 13 domains scored 0.977 on its held-out "
        "split and 0.974 in cross-validation. A first challenge set of 120 sentences, mostly in "
        "12 new domains and in looser styles, then gave only 0.792, and the hand-made features alone "
        "0.683. The word lists had fitted the style of the labelled set, not the task."
    )
    w(
        "2. So the first challenge set was folded into the labelled set, and about 240 more "
        "varied sentences were written: titles in the metric-name form Headway's key results "
        'use ("Crash-free users", "Case studies written"), verbs outside the word lists, '
        'casual and lower-case phrasing. Two lead-word rules were added (an "-ing" word '
        "without an object, and a verb followed by a compound head such as rate or time, as in "
        '"Onboarding survey score" and "Win rate", are noun phrases), and "live" and "sessions" left the '
        'word lists ("live tracking", "user sessions"). A vector of the lead word alone was '
        'tried and dropped: it did not help in cross-validation and misfired ("increase" '
        'leaned towards output because of the "Increase the number of webinars" examples).'
    )
    w(
        "3. The challenge set above (the second one) was written before the last of those "
        "changes and first scored 0.830. Some changes in step 2 came after looking at its "
        "errors and at the demo's predictions, so its current figure is somewhat optimistic. "
        "A fair guess for key results written by others is 0.80-0.90, which is what the "
        "low-confidence band and the wording of the hints should allow for."
    )
    w("")
    w("## Using it")
    w("")
    w("```python")
    w("from headway.coach.classifier import classify")
    w('classify(["Launch the new onboarding flow"])')
    w(f"# {classify_with(model, ['Launch the new onboarding flow'])!r}")
    w("```")
    w("")
    w(
        "- `score` is the probability of outcome (4 decimals); `label` is outcome when it is at "
        f"least 0.5. Scores from {lo} to {hi} are `low_confidence`: show a question, not a verdict."
    )
    w(
        '- Empty or symbol-only text: "output", score 0, low confidence. Longer than '
        f'{MAX_CHARS} characters: the start is classified, note "text was cut to {MAX_CHARS} '
        'characters". Only a number, or not English: classified, low confidence, with a note.'
    )
    w(
        "- Pure: no Django. The first call reads the weights and the text model (about 0.4 s); "
        "`scripts/train_coach.py --measure` times 10,000 key results."
    )
    w(
        "- Command line: `headway coach classify` reads one key result per line and writes one "
        "JSON object per line (`text`, `label`, `score`, `low_confidence`, `note`) in input "
        "order; blank lines are skipped unless `--keep-blank` is given."
    )
    w("")
    w("## Limits")
    w("")
    w(
        "- The labelled set and the held-out split were written by the same hand, in the same "
        "style: real key results are messier, so expect lower accuracy on them. The "
        "low-confidence flag is there for that: show a hint, not a verdict."
    )
    w(
        '- Counts of our own work phrased as a change ("Increase the number of webinars from 2 '
        'to 6") are outputs by the labelling rules and the hardest cases; so are outcomes that '
        'start with a delivery verb ("Deliver 97% of parcels on the first attempt").'
    )
    w(
        "- English only. Other languages are still classified but marked low-confidence (a cheap "
        "heuristic in `looks_non_english`)."
    )
    w("")
    w("## Reproduce")
    w("")
    w("```")
    w("make coach-train                                  # retrain, rewrite model/ and this page")
    w(".venv/bin/python scripts/train_coach.py --check   # retrain in a temp folder and compare")
    w(".venv/bin/python scripts/train_coach.py --measure # time classify() on 10,000 key results")
    w("```")
    w("")
    return "\n".join(out)


def classify_with(model: CoachModel, texts: list[str]) -> list[Any]:
    """classify() against a given model folder's weights (the one just written)."""
    from headway.coach import classifier

    saved = classifier._models.copy()
    classifier._models[classifier.MODEL_DIR] = model
    try:
        return classify(texts)
    finally:
        classifier._models.clear()
        classifier._models.update(saved)


def measure(n: int = 10_000, runs: int = 5) -> None:
    examples = read_labelled_set(DATA)
    texts = [f"{examples[i % len(examples)].text} (team {i})" for i in range(n)]
    started = time.perf_counter()
    load_model()
    get_engine(ENGINE)
    classify(texts[:1])
    loading = time.perf_counter() - started
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        classify(texts)
        timings.append(time.perf_counter() - started)
    print(f"load model + engine: {loading:.3f} s")
    print(
        f"classify {n:,} texts: median {np.median(timings):.3f} s, worst {max(timings):.3f} s ({runs} runs)"
    )


def without_demo(doc: str) -> str:
    """The report without its demo section, which follows headway/demo/okrs.py."""
    start = doc.find(DEMO_HEADING)
    if start < 0:
        return doc
    end = doc.find("\n## ", start + len(DEMO_HEADING))
    return doc[:start] + (doc[end + 1 :] if end >= 0 else "")


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run(folder / "model", folder / "doc.md")
        committed = CoachModel.load(MODEL_DIR)
        fresh = CoachModel.load(folder / "model")
        problems = []
        if not np.allclose(committed.logistic.coef, fresh.logistic.coef, rtol=0, atol=1e-9):
            problems.append("weights differ")
        for key in ("held_out", "training_set", "l2", "cross_validation"):
            if committed.metadata.get(key) != fresh.metadata.get(key):
                problems.append(f"metadata {key} differs")
        committed_doc = DOC.read_text(encoding="utf-8")
        fresh_doc = (folder / "doc.md").read_text(encoding="utf-8")
        if without_demo(committed_doc) != without_demo(fresh_doc):
            problems.append("docs/coach-evaluation.md differs")
        elif committed_doc != fresh_doc:
            print(
                "note: only the demo section of docs/coach-evaluation.md differs "
                "(headway/demo/okrs.py changed); `make coach-train` refreshes it"
            )
    if problems:
        print("not reproduced: " + "; ".join(problems))
        return 1
    print("reproduced: same weights, metrics and report as committed")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="retrain in a temp folder and compare")
    mode.add_argument("--measure", action="store_true", help="time classify() on 10,000 texts")
    args = parser.parse_args()
    if args.check:
        return check()
    if args.measure:
        measure()
        return 0
    metadata = run(MODEL_DIR, DOC)
    held = metadata["held_out"]["balanced_accuracy"]
    print(f"wrote {MODEL_DIR.relative_to(REPO)}/ and {DOC.relative_to(REPO)}")
    if held < TARGET:
        print(
            f"held-out balanced accuracy {held:.3f} is below the target {TARGET}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
